"""What core holds about a person, for the copy of their own data (insieme.privacy.export):
their account and preferences, their roles in administrations and their partner organisations.

Left out on purpose: the password's hash, second-factor secrets and recovery codes (secrets,
not information: only whether two-step sign-in is on), rate-limit counters (keyed by a hash,
not linked to the account), invitations (found by an e-mail address typed by staff, not
linked to the account) and the audit log (it records what people did to every kind of record,
other people's data included; the data steward answers questions about it).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.core.models import Membership, PartnerMember, User
from insieme.core.registry import PersonalData

ACCOUNT_LABELS = {
    "full_name": _("full name"),
    "email": _("e-mail address"),
    "email_verified_at": _("e-mail verified at"),
    "phone": _("phone"),
    "preferred_language": _("preferred language"),
    "contact_channel": _("preferred contact channel"),
    "large_text": _("larger text"),
    "high_contrast": _("high contrast"),
    "easy_read": _("plain-language summaries"),
    "screen_reader": _("I use a screen reader"),
    "two_step_sign_in": _("Two-step sign-in (authenticator app)"),
    "date_joined": _("Account created on"),
    "last_login": _("Last signed in"),
    "is_active": _("active"),
}

MEMBERSHIP_LABELS = {
    "administration": _("Administration"),
    "role": _("Role"),
    "department": _("Department"),
    "job_title": _("job title"),
    "capacity": _("capacity"),
    "is_active": _("active"),
    "since": _("Since"),
}

PARTNER_LABELS = {
    "organisation": _("Partner organisation"),
    "kind": _("kind"),
    "administration": _("Administration"),
    "is_representative": _("can act for the organisation"),
}


def _two_step_on(user: User) -> bool:
    from insieme.core import twofactor

    return twofactor.totp_device(user) is not None


def account(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "email": user.email,
        "email_verified_at": user.email_verified_at,
        "phone": user.phone,
        "preferred_language": user.get_preferred_language_display(),
        "contact_channel": user.get_contact_channel_display(),
        "large_text": user.large_text,
        "high_contrast": user.high_contrast,
        "easy_read": user.easy_read,
        "screen_reader": user.screen_reader,
        "two_step_sign_in": _two_step_on(user),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
    }


def memberships(user: User) -> list[dict]:
    rows = (
        Membership.objects.filter(user=user)
        .select_related("administration", "department")
        .order_by("created_at", "pk")
    )
    return [
        {
            "administration": m.administration.name,
            "role": m.get_role_display(),
            "department": m.department.name if m.department else "",
            "job_title": m.job_title,
            "capacity": m.capacity,
            "is_active": m.is_active,
            "since": m.created_at,
        }
        for m in rows
    ]


def partner_memberships(user: User) -> list[dict]:
    rows = (
        PartnerMember.objects.filter(user=user)
        .select_related("organisation__administration")
        .order_by("organisation__name", "pk")
    )
    return [
        {
            "organisation": m.organisation.name,
            "kind": m.organisation.get_kind_display(),
            "administration": m.organisation.administration.name,
            "is_representative": m.is_representative,
        }
        for m in rows
    ]


SECTIONS = (
    PersonalData(
        "account",
        _("Your account"),
        account,
        app="core",
        labels=ACCOUNT_LABELS,
        note=_(
            "Your password (kept only as a one-way hash) and the secrets of two-step sign-in "
            "are not part of this copy: they protect your account and must not travel in a file."
        ),
        order=10,
    ),
    PersonalData(
        "memberships",
        _("Your roles in administrations"),
        memberships,
        app="core",
        labels=MEMBERSHIP_LABELS,
        order=11,
    ),
    PersonalData(
        "partner_memberships",
        _("Your partner organisations"),
        partner_memberships,
        app="core",
        labels=PARTNER_LABELS,
        order=12,
    ),
)


# --- survey rounds, whose answers are kept apart from who took part ------------------------------

ROUND_LABELS = {
    "administration": _("Administration"),
    "opens_on": _("opens on"),
    "closes_on": _("closes on"),
}


def rounds_taken(participation_model):
    """A `collect` for the survey apps that keep only *that* a person took part in a round
    (a `participation_model` row with `user` and `round`), never which answers were theirs."""

    def collect(user) -> list[dict]:
        rows = (
            participation_model.objects.filter(user=user)
            .select_related("round__administration")
            .order_by("round__opens_on", "pk")
        )
        return [
            {
                "administration": p.round.administration.display_name,
                "opens_on": p.round.opens_on,
                "closes_on": p.round.closes_on,
            }
            for p in rows
        ]

    return collect
