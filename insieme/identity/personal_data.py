"""What sign-in with a digital identity holds about a person, for the copy of their own data
(insieme.privacy.export), and what the erasure of their account removes: the identities linked to
their account (the provider, when linked, when last used, the assurance level of the last
sign-in).

Left out on purpose: the provider's subject identifier (a technical key, meaningless outside the
provider) and the fiscal code's keyed fingerprint (it cannot be turned back into the code).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.core.registry import PersonalData
from insieme.identity import actions
from insieme.identity.models import Identity

LABELS = {
    "provider": _("identity provider"),
    "linked_at": _("linked on"),
    "last_used_at": _("last used"),
    "assurance": _("assurance level of the last sign-in"),
}


def identities(user) -> list[dict]:
    rows = Identity.objects.filter(user=user).order_by("linked_at", "pk")
    return [
        {
            "provider": i.issuer,
            "linked_at": i.linked_at,
            "last_used_at": i.last_used_at,
            "assurance": i.assurance,
        }
        for i in rows
    ]


SECTIONS = (
    PersonalData(
        "identity_identities",
        _("Your digital identities"),
        identities,
        app="identity",
        labels=LABELS,
        note=_(
            "Your fiscal code is not kept: only a coded fingerprint of it, which finds your "
            "account when you sign in and cannot be turned back into the code."
        ),
        order=15,
        erase=actions.unlink_all,
    ),
)
