"""Erasing a person's account (the GDPR's right to erasure): their personal data removed or
anonymised, the free text they wrote redacted, the statistics kept.

What an erasure does, in one transaction:
- the account: name, e-mail (an address that cannot receive mail), phone and preferences
  cleared, the password made unusable, the account closed, its sessions and authenticator
  devices removed;
- their requests: contact name, e-mail and phone cleared; their description, its public
  version, the answers they typed and their messages redacted (the redaction of the public
  pages, with their name); the address cleared and the place moved to the centre of its 250 m
  square; the duplicate-search signature of the text dropped; the attachments nobody made
  public deleted; what they followed forgotten; their rating's comment redacted;
- their ideas and comments: text redacted with their name, the name no longer shown;
- what other apps hold about them and erase themselves (insieme.core.registry.PersonalData's
  `erase`), such as the digital identities linked to the account;
- the audit log: every entry they made or that is about them or their records has its personal
  fields (who, what object, the before and after snapshots) scrubbed of their name, e-mail and
  phone, through insieme.core.audit.erase, so that the chain still verifies and one new entry
  records that the erasure happened.

Counts, dates, services, states and places (coarsened) stay: the Scorecard and the dashboards
do not change. Staff accounts are not erased here: an administrator ends a membership first.

`cases/` takes no new modules, so the case part lives here, writing through querysets.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.models import AuditEntry, Membership, User
from insieme.core.pii import redact
from insieme.privacy.models import SubjectRequest

ERASED_NAME = ""


def _scrubber(user: User):
    """A function that removes this person from any JSON value of an audit entry."""
    from insieme.privacy.retention import scrub_value

    strings = [s for s in (user.email, user.phone) if s]
    names = [user.full_name] if user.full_name else []
    return lambda entry, field, value: scrub_value(value, strings, names)


def _erase_cases(user: User, names: list[str]) -> list[int]:
    from insieme.cases.models import Attachment, Case, CaseEvent, Follower, Rating
    from insieme.privacy.retention import scrub_case

    ids = []
    for case in Case.objects.filter(submitted_by=user).only(
        "pk", "description", "public_description", "answers", "lat", "lon", "contact_name"
    ):
        scrub_case(case, sorted({*names, case.contact_name} - {""}), unlink=False)
        ids.append(case.pk)
    # What they wrote on, attached to, followed or rated on other people's requests.
    for event in CaseEvent.objects.filter(actor=user).only("pk", "text", "public_text"):
        CaseEvent.objects.filter(pk=event.pk).update(
            text=redact(event.text, names), public_text=redact(event.public_text, names)
        )
    for attachment in Attachment.objects.filter(uploaded_by=user, is_public=False):
        attachment.file.delete(save=False)
        attachment.delete()
    Follower.objects.filter(user=user).delete()
    for rating in Rating.objects.filter(user=user).exclude(comment=""):
        Rating.objects.filter(pk=rating.pk).update(comment=redact(rating.comment, names))
    return ids


def _erase_participation(user: User, names: list[str]) -> dict[str, list[int]]:
    from insieme.participation.models import Comment, Idea

    ideas = []
    for idea in Idea.objects.filter(author=user).only("pk", "title", "body"):
        Idea.objects.filter(pk=idea.pk).update(
            title=redact(idea.title, names), body=redact(idea.body, names), show_name=False
        )
        ideas.append(idea.pk)
    comments = []
    for comment in Comment.objects.filter(author=user).only("pk", "body"):
        Comment.objects.filter(pk=comment.pk).update(body=redact(comment.body, names))
        comments.append(comment.pk)
    return {"participation.idea": ideas, "participation.comment": comments}


def _erase_registered(user: User) -> None:
    """What other apps hold about the person and erase themselves (their PersonalData's
    `erase`: the digital identities linked to the account, say)."""
    from insieme.core.registry import personal_data

    for section in personal_data:
        if section.erase is not None:
            section.erase(user)


def _audit_entries(user: User, objects: dict[str, list[int]]):
    from django.db.models import Q

    about = Q(actor=user) | Q(object_type="core.user", object_id=str(user.pk))
    for object_type, ids in objects.items():
        if ids:
            about |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    return AuditEntry.objects.filter(about)


def check_erasable(user: User) -> None:
    if Membership.objects.filter(user=user).exists():
        raise ValidationError(
            _(
                "Staff accounts are not erased here: ask your administrator to end your "
                "membership first."
            )
        )


def erase_account(actor, user: User, *, reason: str = "") -> SubjectRequest:
    """Erase `user` (see the module's docstring); returns the request, done."""
    check_erasable(user)
    names = [user.full_name] if user.full_name else []
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        request = SubjectRequest.objects.create(user=user, kind=SubjectRequest.Kind.ERASE)
        objects = {"cases.case": _erase_cases(user, names)}
        objects.update(_erase_participation(user, names))
        _erase_registered(user)
        scrub = _scrubber(user)
        # The audit entries first, while the person's e-mail and name are known to the scrubber.
        audit.erase(
            actor if actor != user else None,
            _audit_entries(user, objects),
            scrub,
            reason=f"erasure of account {user.pk}" + (f": {reason}" if reason else ""),
        )
        User.objects.filter(pk=user.pk).update(
            full_name=ERASED_NAME,
            email=f"erased-{user.pk}@invalid.invalid",
            phone="",
            email_verified_at=None,
            is_active=False,
            password="!" + "erased",  # an unusable password
        )
        _end_sessions(user)
        request.state = SubjectRequest.State.DONE
        request.completed_at = timezone.now()
        request.save(update_fields=["state", "completed_at"])
        audit.record(
            actor=None,
            action="privacy.erase",
            obj=request,
            after={"user": user.pk, "cases": len(objects["cases.case"])},
        )
    return request


def _end_sessions(user: User) -> None:
    """Every session ends by itself: Django checks a session against a hash of the password,
    which the erasure changed. The authenticator devices go."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from insieme.core.models import RecoveryCodeDevice

    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
