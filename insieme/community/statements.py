"""The residents' survey's statements: twelve, each tied to one cell of the Scorecard that a
resident can judge from outside, covering trust, the quality of services and the chance to take
part. Each is phrased so that agreeing means the cell goes well, as the staff survey's are, so
that what residents say reads the same way as what employees report."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Statement:
    code: str
    cell: str
    theme: str  # "trust", "services" or "participation"
    text: object


STATEMENTS: list[Statement] = [
    # Trust
    Statement(
        "T2", "T2", "trust", _("I can see what the municipality did with residents' proposals.")
    ),
    Statement("D3", "D3", "trust", _("I trust the municipality to keep my personal data safe.")),
    Statement(
        "T3",
        "T3",
        "trust",
        _("The rules behind the municipality's services are clear and current."),
    ),
    Statement(
        "I3",
        "I3",
        "trust",
        _("The municipality's staff have the time to deal with my questions properly."),
    ),
    # Quality of services
    Statement("S1", "S1", "services", _("Dealing with the municipality online is simple.")),
    Statement("S2", "S2", "services", _("My requests are dealt with in a reasonable time.")),
    Statement(
        "S3", "S3", "services", _("Using the municipality's services takes me little effort.")
    ),
    Statement("T1", "T1", "services", _("The services fit my needs and circumstances.")),
    Statement(
        "T4", "T4", "services", _("I get what I need the first time, without being asked again.")
    ),
    # The chance to take part
    Statement(
        "I1",
        "I1",
        "participation",
        _("Residents and the municipality work together on local services."),
    ),
    Statement("I2", "I2", "participation", _("My ideas for the area are listened to.")),
    Statement(
        "D4",
        "D4",
        "participation",
        _("What residents report leads to visible changes in services."),
    ),
]

BY_CODE: dict[str, Statement] = {s.code: s for s in STATEMENTS}

THEMES = {
    "trust": _("Trust"),
    "services": _("Quality of services"),
    "participation": _("The chance to take part"),
}

# The agreement scale; "don't know" is not stored.
SCALE = [
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
]
AGREE = (4, 5)
