"""What the data protection app holds about a person, for the copy of their own data
(insieme.privacy.export): every decision they took about an optional processing (the whole
history, which is the record the GDPR asks for) and their requests as a data subject.

Left out on purpose: the data steward's note on a request and who handled it (staff's work;
the state and the dates are given).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.core.registry import PersonalData
from insieme.privacy.models import Consent, SubjectRequest

CONSENT_LABELS = {
    "purpose": _("Purpose"),
    "granted": _("Granted"),
    "version": _("Version of the text you saw"),
    "at": _("When"),
}

REQUEST_LABELS = {
    "kind": _("Request"),
    "state": _("status"),
    "created_at": _("Made on"),
    "completed_at": _("Completed on"),
}


def consents(user) -> list[dict]:
    rows = Consent.objects.filter(user=user).order_by("decided_at", "pk")
    return [
        {"purpose": c.purpose, "granted": c.granted, "version": c.version, "at": c.decided_at}
        for c in rows
    ]


def subject_requests(user) -> list[dict]:
    rows = SubjectRequest.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {
            "kind": r.get_kind_display(),
            "state": r.get_state_display(),
            "created_at": r.created_at,
            "completed_at": r.completed_at,
        }
        for r in rows
    ]


SECTIONS = (
    PersonalData(
        "consents",
        _("Your consents"),
        consents,
        app="privacy",
        labels=CONSENT_LABELS,
        note=_("Every decision you took, oldest first: the latest one for a purpose applies."),
        order=90,
    ),
    PersonalData(
        "subject_requests",
        _("Your requests about your data"),
        subject_requests,
        app="privacy",
        labels=REQUEST_LABELS,
        order=91,
    ),
)
