"""The staff perception survey's statements: one or two per cell of the Scorecard, as the study
asked officials. Each is phrased so that agreeing means the cell goes well (a benefit realised,
a challenge under control), so a cell's share of agreement reads the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Statement:
    code: str
    cell: str
    text: object


STATEMENTS: list[Statement] = [
    Statement("D1", "D1", _("The platform tells us more about what residents need than we knew.")),
    Statement(
        "D2",
        "D2",
        _("The requests we receive are complete and accurate enough to act on without chasing."),
    ),
    Statement("D3", "D3", _("The data we hold is accurate, protected and shared safely.")),
    Statement("D4", "D4", _("What we learn from our data leads to real changes in our services.")),
    Statement("I1", "I1", _("Residents and staff work together to improve our services.")),
    Statement(
        "I2", "I2", _("Good ideas from colleagues, residents and partners are heard and taken up.")
    ),
    Statement("I3a", "I3", _("My workload is manageable.")),
    Statement("I3b", "I3", _("Work is shared fairly within my team.")),
    Statement(
        "I4a", "I4", _("Other departments respond promptly when we hand a case over to them.")
    ),
    Statement("I4b", "I4", _("My colleagues use the platform for their everyday work.")),
    Statement(
        "T1", "T1", _("Our services are adapted to local needs and to each person's situation.")
    ),
    Statement("T2", "T2", _("Residents can see what we decided and why.")),
    Statement("T3", "T3", _("The rules our services rest on are up to date.")),
    Statement("T4", "T4", _("Our services give residents what they need the first time.")),
    # What staff expect of residents' satisfaction: the dashboards set it against the ratings.
    Statement("T4s", "T4", _("Residents are satisfied with how we handle their requests.")),
    Statement("T5", "T5", _("Standard templates help rather than hinder how we deliver services.")),
    Statement("S1", "S1", _("The platform lowers the cost of delivering our services.")),
    Statement("S2", "S2", _("Requests are handled faster than before.")),
    Statement("S3", "S3", _("Dealing with us takes residents less effort than before.")),
    Statement("S4", "S4", _("Our forms ask only for what is needed.")),
]

BY_CODE: dict[str, Statement] = {s.code: s for s in STATEMENTS}

# The agreement scale; "don't know" is not stored.
SCALE = [
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
]
AGREE = (4, 5)
