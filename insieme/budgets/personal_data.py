"""What participatory budgets hold about a person, for the copy of their own data
(insieme.privacy.export): their ballots with the projects they chose (a ballot is stored with
its voter, to allow one per person; only they see their choices) and their verifications as a
resident.

Left out on purpose: the verification's keyed hash of the fiscal code and birth date (a
fingerprint that only matches a register entry, never the values themselves) and who of the
staff verified them (another person).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from insieme.budgets.models import Ballot, BallotChoice, Verification
from insieme.core.registry import PersonalData

BALLOT_LABELS = {
    "budget": _("budget"),
    "process": _("process"),
    "cast_at": _("When"),
    "projects": _("The projects you chose"),
}

VERIFICATION_LABELS = {
    "administration": _("Administration"),
    "method": _("Method"),
    "document_type": _("Document"),
    "verified_at": _("When"),
}


def ballots(user) -> list[dict]:
    choices = BallotChoice.objects.select_related("project__budget__process").order_by(
        "project__position", "project__pk"
    )
    rows = (
        Ballot.objects.filter(voter=user)
        .select_related("budget__process")
        .prefetch_related(Prefetch("choices", queryset=choices))
        .order_by("cast_at", "pk")
    )
    return [
        {
            "budget": b.budget.i18n.title,
            "process": b.budget.process.i18n.title,
            "cast_at": b.cast_at,
            "projects": [c.project.i18n.title for c in b.choices.all()],
        }
        for b in rows
    ]


def verifications(user) -> list[dict]:
    rows = (
        Verification.objects.filter(user=user)
        .select_related("administration")
        .order_by("verified_at", "pk")
    )
    return [
        {
            "administration": v.administration.display_name,
            "method": v.get_method_display(),
            "document_type": v.get_document_type_display(),
            "verified_at": v.verified_at,
        }
        for v in rows
    ]


SECTIONS = (
    PersonalData(
        "budget_ballots",
        _("Your ballots in participatory budgets"),
        ballots,
        app="budgets",
        labels=BALLOT_LABELS,
        order=50,
    ),
    PersonalData(
        "budget_verifications",
        _("Your verifications as a resident"),
        verifications,
        app="budgets",
        labels=VERIFICATION_LABELS,
        note=_(
            "Your fiscal code and birth date are not kept: only a coded fingerprint of them, "
            "which matches the resident register and cannot be turned back into them."
        ),
        order=51,
    ),
)
