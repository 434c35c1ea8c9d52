"""A sign-in whose provider vouches for the fiscal code and the birth date verifies the person for
ballots (insieme.budgets.verification.IdentityProviderVerifier), where that proves what a ballot
asks:

- in each administration that uploaded its resident register, when the person is in it (a
  digital identity proves who someone is, the register that they live there);
- in each administration that opened its ballots to anyone with a digital identity, by turning on
  the feature flag `identity_verifies_voters` (no register asked).

Nothing here stops a sign-in: a verification that cannot be made (the resident is verified with
another account already, say) is left to the counter, as before.
"""

from __future__ import annotations

import logging
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Q

from insieme.budgets import verification
from insieme.budgets.models import RegisterEntry, ResidentRegister, Verification
from insieme.core.models import Administration, User
from insieme.identity.claims import Person

log = logging.getLogger(__name__)
FLAG = "identity_verifies_voters"


def _resident_of(person: Person, exclude: set[int]) -> list[Administration]:
    """The administrations whose register holds the person: one query for all registers."""
    registers = list(
        ResidentRegister.objects.filter(entries_count__gt=0)
        .exclude(administration_id__in=exclude)
        .select_related("administration")
    )
    if not registers:
        return []
    digests = {
        r.pk: verification.hash_for(r.administration, person.fiscal_code, person.birth_date)
        for r in registers
    }
    found = set(
        RegisterEntry.objects.filter(
            reduce(or_, (Q(register_id=pk, entry_hash=d) for pk, d in digests.items()))
        ).values_list("register_id", flat=True)
    )
    return [r.administration for r in registers if r.pk in found]


def verify_for_ballots(user: User, person: Person) -> list[Administration]:
    """Verify `user` where the claims allow it (see the module's docstring); the
    administrations where a new verification was made."""
    if not (person.fiscal_code and person.birth_date):
        return []
    done = set(Verification.objects.filter(user=user).values_list("administration_id", flat=True))
    try:
        residents = _resident_of(person, done)
    except ValidationError:  # values the register cannot take (a birth date in the future)
        return []
    open_to_all = list(
        Administration.objects.filter(**{f"feature_flags__{FLAG}": True}).exclude(
            pk__in=done | {a.pk for a in residents}
        )
    )
    made = []
    for admin, require_register in [(a, True) for a in residents] + [
        (a, False) for a in open_to_all
    ]:
        try:
            verification.IdentityProviderVerifier(require_register=require_register).verify(
                user, admin, fiscal_code=person.fiscal_code, birth_date=person.birth_date
            )
        except ValidationError as exc:
            log.info("identity: no ballot verification in %s: %s", admin.slug, exc.messages[0])
            continue
        made.append(admin)
    return made
