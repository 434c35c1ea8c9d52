"""Every write of participation: processes with their phases and categories; ideas with their
co-authors and attachments; supports; official answers; evaluators and their private notes;
merging and splitting ideas; comments, flags and moderation; follows; the announcement of new
phases.

Each action validates (a ValidationError with field errors, and nothing written), writes in one
transaction, appends its audit entry in it (insieme.core.audit.record), and sends e-mail and
webhook events once the transaction commits. Views, the demo and the commands call these
functions; nothing else writes participation's tables. `actor` is the person acting, or None for
the system itself (the demo, the hourly job), never a request's anonymous user.

Rate limits (insieme.core.throttle, per person): new ideas (PARTICIPATION_IDEA_RATE), new
comments (PARTICIPATION_COMMENT_RATE) and co-author invitations. A slot is taken only once the
input is valid, and given back when the write fails; RateLimited carries the seconds to wait.
Comments' audit entries never carry their text (a moderator may hide it; the audit log must not
show it then), only ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.cases.matching.signatures import case_signature
from insieme.catalog import i18n
from insieme.catalog.models import Service
from insieme.core import audit, events, notify
from insieme.core.access import has_perm
from insieme.core.geo import GeometryError, contains
from insieme.core.models import Administration, PartnerOrganisation, User, today_in
from insieme.core.permissions import Perm
from insieme.core.throttle import Rate, SlidingWindow
from insieme.core.uploads import clean_uploads
from insieme.participation import spam, threads
from insieme.participation.access import (
    can_see_process,
    eligible_partners,
    is_staff_of,
    partner_org_ids,
    require,
)
from insieme.participation.models import (
    CATEGORY_TEXTS,
    MAX_COMMENT,
    MAX_IDEA_BODY,
    MAX_IDEA_TITLE,
    MAX_REASON,
    PHASE_TEXTS,
    PROCESS_TEXTS,
    Audience,
    AuthorType,
    Category,
    Coauthor,
    Comment,
    CommentFlag,
    EvaluationNote,
    Evaluator,
    Follow,
    Idea,
    IdeaAttachment,
    ModerationAction,
    OfficialAnswer,
    Phase,
    PhaseKind,
    Process,
    SpamModel,
    Support,
)

MAX_COAUTHORS = 10
# An idea was answered (accepted, under evaluation, rejected), in a process of any audience: an
# internal event for the apps that act on it (core.events.register_internal_event_type).
IDEA_DECIDED = "participation.idea_decided"
MAX_ANSWER = 4000
MAX_NOTE = 4000
MAX_SPLIT_PARTS = 5
INVITE_RATE = Rate(10, 3600)  # co-author invitations per person per hour (each sends e-mail)

IDEAS = SlidingWindow("participation-idea")
COMMENTS = SlidingWindow("participation-comment")
INVITES = SlidingWindow("participation-invite")


class RateLimited(Exception):
    """Too many of one kind of write from one person; try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


# --- helpers ------------------------------------------------------------------------------------


def _person(actor) -> bool:
    return isinstance(actor, User) and actor.is_authenticated


def _require_participant(actor, process: Process) -> None:
    """A signed-in person who may see the process (participants are people, never the system)."""
    if not _person(actor) or not can_see_process(actor, process):
        raise PermissionDenied


def _take(window: SlidingWindow, user, rate: Rate) -> None:
    decision = window.acquire(str(user.pk), rate)
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


def _rate(setting: str) -> Rate:
    return Rate.parse(getattr(settings, setting))


def _ids(items: Iterable) -> list[int]:
    return sorted({int(getattr(item, "pk", item)) for item in items or ()})


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _today(process: Process) -> dt.date:
    return today_in(process.administration)


def _day(process: Process, now: dt.datetime | None) -> dt.date:
    """The administration's day at `now` (today when None). `now` is the moment an action
    happens: callers other than the demo, which replays the past, leave it out."""
    if now is None:
        return _today(process)
    return timezone.localtime(now, _zone(process.administration)).date()


def public_url(name: str, *args) -> str:
    return notify.absolute_url(reverse(name, args=args))


def idea_path(idea: Idea) -> str:
    process = idea.process
    return reverse("participation_idea", args=[process.administration.slug, process.slug, idea.pk])


def process_path(process: Process) -> str:
    return reverse("participation_process", args=[process.administration.slug, process.slug])


def _publish(event_type: str, process: Process, data: dict) -> None:
    """Tell integrators on commit: public processes only, public facts only (never who)."""
    if process.is_published and process.audience == Audience.PUBLIC:
        events.publish_on_commit(
            event_type,
            process.administration_id,
            {"process": process.slug, "process_url": public_url_of(process), **data},
        )


def public_url_of(process: Process) -> str:
    return notify.absolute_url(process_path(process))


def _reachable(users, process: Process, exclude=None) -> list[User]:
    """People to e-mail: active, who want e-mail, who may (still) see the process."""
    seen, out = set(), []
    for user in users:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        if not user.is_active or user.contact_channel == User.ContactChannel.NONE:
            continue
        if process.audience != Audience.PUBLIC and not can_see_process(user, process):
            continue
        out.append(user)
    return out


def _idea_snapshot(idea: Idea) -> dict:
    return audit.snapshot(
        idea,
        fields=[
            "process",
            "title",
            "body",
            "author",
            "author_type",
            "partner",
            "show_name",
            "category",
            "lat",
            "lon",
            "state",
        ],
    )


# --- processes ----------------------------------------------------------------------------------

PROCESS_FIELDS = (
    "title",
    "slug",
    "description",
    "language",
    "translations",
    "audience",
    "is_published",
    "support_threshold",
    "support_deadline",
)


def _process_state(process: Process, partners: list[int], services: list[int]) -> dict:
    return {
        **audit.snapshot(process, fields=list(PROCESS_FIELDS)),
        "invited_partners": partners,
        "services": services,
    }


def _check_process(process: Process, partners: list[int], services: list[int]) -> list[int]:
    """Validate the process and its links; returns the partners to keep (none unless the
    audience is the invited partner organisations)."""
    admin = process.administration
    process.title = _text(process.title)
    process.description = _text(process.description)
    process.translations = i18n.checked_translations(process.translations, PROCESS_TEXTS)
    errors: dict[str, list] = {}
    try:
        process.full_clean(exclude=["administration", "created_by"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    clash = Process.objects.filter(administration=admin, slug=process.slug)
    if process.pk:
        clash = clash.exclude(pk=process.pk)
    if process.slug and clash.exists():
        errors.setdefault("slug", []).append(
            _("Another process of this administration uses this short name.")
        )
    if process.support_threshold is not None and process.support_threshold < 1:
        errors.setdefault("support_threshold", []).append(
            _("An idea needs at least one support; leave it empty for no threshold.")
        )
    if process.audience != Audience.PARTNERS:
        partners = []
    elif not partners:
        errors.setdefault("invited_partners", []).append(
            _("Invite at least one partner organisation, or choose another audience.")
        )
    allowed = set(eligible_partners(admin).values_list("pk", flat=True))
    if set(partners) - allowed:
        errors.setdefault("invited_partners", []).append(
            _("Invite partner organisations of this administration or of the region hosting it.")
        )
    own = set(Service.objects.filter(administration=admin).values_list("pk", flat=True))
    if set(services) - own:
        errors.setdefault("services", []).append(_("Choose services of this administration."))
    if errors:
        raise ValidationError(errors)
    return partners


def create_process(
    actor,
    administration: Administration,
    *,
    title: str,
    slug: str,
    description: str = "",
    language: str | None = None,
    translations: dict | None = None,
    audience: str = Audience.PUBLIC,
    invited_partners: Iterable = (),
    services: Iterable = (),
    is_published: bool = False,
    support_threshold: int | None = None,
    support_deadline: dt.date | None = None,
) -> Process:
    require(actor, Perm.PROCESS_MANAGE, administration.pk)
    process = Process(
        administration=administration,
        title=title,
        slug=(slug or "").strip(),
        description=description,
        language=language or administration.locale,
        translations=translations or {},
        audience=audience,
        is_published=is_published,
        support_threshold=support_threshold,
        support_deadline=support_deadline,
        created_by=actor if _person(actor) else None,
    )
    service_ids = _ids(services)
    partner_ids = _check_process(process, _ids(invited_partners), service_ids)
    with transaction.atomic():
        process.save()
        process.invited_partners.set(partner_ids)
        process.services.set(service_ids)
        audit.record(
            actor=actor,
            action="participation.process.created",
            obj=process,
            after=_process_state(process, partner_ids, service_ids),
            administration=administration,
        )
    return process


def update_process(actor, process: Process, **changes) -> Process:
    """Change the fields named in PROCESS_FIELDS and the links (`invited_partners`,
    `services`); writes nothing at all when nothing changes."""
    require(actor, Perm.PROCESS_MANAGE, process.administration_id)
    unknown = set(changes) - {*PROCESS_FIELDS, "invited_partners", "services"}
    if unknown:
        raise TypeError(f"unknown process fields: {sorted(unknown)}")
    old_partners = _ids(process.invited_partners.all())
    old_services = _ids(process.services.all())
    before = _process_state(process, old_partners, old_services)
    for name in PROCESS_FIELDS:
        if name in changes:
            setattr(process, name, changes[name])
    if "slug" in changes:
        process.slug = (process.slug or "").strip()
    partners = _ids(changes["invited_partners"]) if "invited_partners" in changes else old_partners
    services = _ids(changes["services"]) if "services" in changes else old_services
    partners = _check_process(process, partners, services)
    old, new = audit.changes(
        audit._jsonable(before),
        audit._jsonable(_process_state(process, partners, services)),
        unordered=("invited_partners", "services"),
    )
    if not old and not new:
        return process
    with transaction.atomic():
        process.save()
        process.invited_partners.set(partners)
        process.services.set(services)
        audit.record(
            actor=actor,
            action="participation.process.updated",
            obj=process,
            before=old,
            after=new,
            administration=process.administration,
        )
    return process


def save_phase(
    actor,
    process: Process,
    phase: Phase | None = None,
    *,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    name: str = "",
    description: str = "",
    translations: dict | None = None,
) -> Phase:
    """Add a phase to the process, or change one. Phases never overlap. A phase that is
    running once saved is announced to the process's followers now; one that begins later is
    announced by the hourly job (announce_phases)."""
    require(actor, Perm.PROCESS_MANAGE, process.administration_id)
    creating = phase is None
    if phase is None:
        phase = Phase(process=process)
    elif phase.process_id != process.pk:
        raise PermissionDenied
    before = None if creating else audit.snapshot(phase)
    phase.process = process
    phase.kind = kind
    phase.starts_on, phase.ends_on = starts_on, ends_on
    phase.name, phase.description = _text(name), _text(description)
    errors: dict[str, list] = {}
    try:
        phase.translations = i18n.checked_translations(translations, PHASE_TEXTS)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind not in PhaseKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of phase."))
    if starts_on is None:
        errors.setdefault("starts_on", []).append(_("Give the first day of the phase."))
    if ends_on is None:
        errors.setdefault("ends_on", []).append(_("Give the last day of the phase."))
    if starts_on and ends_on and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The last day cannot come before the first."))
    if not errors:
        others = process.phases.exclude(pk=phase.pk) if phase.pk else process.phases.all()
        for other in others.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)[:1]:
            errors.setdefault("starts_on", []).append(
                _("The phases of a process cannot overlap: this one overlaps %(phase)s.")
                % {
                    "phase": f"{other.display_name} ({other.starts_on:%Y-%m-%d}–{other.ends_on:%Y-%m-%d})"
                }
            )
    if errors:
        raise ValidationError(errors)
    today = _today(process)
    announce = False
    if phase.starts_on > today:
        phase.announced_at = None  # (again) in the future: the job announces it when it begins
    elif phase.announced_at is None:
        phase.announced_at = timezone.now()
        announce = process.is_published and today <= phase.ends_on
    with transaction.atomic():
        if creating:
            phase.save()
            audit.record(
                actor=actor,
                action="participation.phase.created",
                obj=phase,
                after=audit.snapshot(phase),
                administration=process.administration,
            )
        else:
            entry = audit.save_and_record(
                actor, phase, "participation.phase.updated", process.administration, before
            )
            if entry is None:
                return phase
        if announce:
            _announce(phase)
    return phase


def delete_phase(actor, phase: Phase) -> None:
    process = phase.process
    require(actor, Perm.PROCESS_MANAGE, process.administration_id)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="participation.phase.deleted",
            obj=phase,
            before=audit.snapshot(phase),
            administration=process.administration,
        )
        phase.delete()


def save_category(
    actor,
    process: Process,
    category: Category | None = None,
    *,
    name: str,
    translations: dict | None = None,
    position: int = 0,
) -> Category:
    require(actor, Perm.PROCESS_MANAGE, process.administration_id)
    creating = category is None
    if category is None:
        category = Category(process=process)
    elif category.process_id != process.pk:
        raise PermissionDenied
    before = None if creating else audit.snapshot(category)
    category.process = process
    category.name = _text(name)
    category.position = position or 0
    category.translations = i18n.checked_translations(translations, CATEGORY_TEXTS)
    errors: dict[str, list] = {}
    if not category.name:
        errors["name"] = [_("Name the category.")]
    clash = process.categories.filter(name=category.name)
    if category.pk:
        clash = clash.exclude(pk=category.pk)
    if category.name and clash.exists():
        errors["name"] = [_("This process has a category of that name already.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if creating:
            category.save()
            audit.record(
                actor=actor,
                action="participation.category.created",
                obj=category,
                after=audit.snapshot(category),
                administration=process.administration,
            )
        else:
            audit.save_and_record(
                actor, category, "participation.category.updated", process.administration, before
            )
    return category


def delete_category(actor, category: Category) -> None:
    """Remove a category; its ideas keep going without one."""
    process = category.process
    require(actor, Perm.PROCESS_MANAGE, process.administration_id)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="participation.category.deleted",
            obj=category,
            before=audit.snapshot(category),
            administration=process.administration,
        )
        category.delete()


def announce_phases(now: dt.datetime | None = None) -> int:
    """Tell the followers of every published process whose phase began (and is still running)
    that it began, once per phase; returns how many phases were announced. Idempotent: run it
    as often as you like (the hourly job, `insieme participation_phases`)."""
    now = now or timezone.now()
    day = now.date()
    candidates = (
        Phase.objects.filter(
            announced_at__isnull=True,
            process__is_published=True,
            starts_on__lte=day + dt.timedelta(days=1),
            ends_on__gte=day - dt.timedelta(days=1),
        )
        .select_related("process__administration")
        .order_by("pk")
    )
    done = 0
    for phase in candidates:
        process = phase.process
        local = timezone.localtime(now, _zone(process.administration)).date()
        if not phase.starts_on <= local <= phase.ends_on:
            continue
        with transaction.atomic():
            if not Phase.objects.filter(pk=phase.pk, announced_at__isnull=True).update(
                announced_at=now
            ):
                continue  # another run announced it meanwhile
            phase.announced_at = now
            audit.record(
                actor=None,
                action="participation.phase.started",
                obj=phase,
                after={"process": process.pk, "kind": phase.kind},
                administration=process.administration,
            )
            _announce(phase)
        done += 1
    return done


def _zone(administration: Administration):
    import zoneinfo

    return zoneinfo.ZoneInfo(administration.timezone or "Europe/Rome")


def _announce(phase: Phase) -> None:
    """E-mail the process's followers that `phase` began (inside the caller's transaction)."""
    process = phase.process
    followers = [f.user for f in process.follows.select_related("user")]
    for user in _reachable(followers, process):
        notify.send_templated_email(
            user,
            "participation_phase_started",
            {"process": process, "phase": phase, "url": public_url_of(process)},
        )
    _publish(
        "participation.phase_started",
        process,
        {
            "phase": phase.kind,
            "starts_on": phase.starts_on.isoformat(),
            "ends_on": phase.ends_on.isoformat(),
        },
    )


# --- ideas --------------------------------------------------------------------------------------


def author_for(user, process: Process) -> tuple[str, PartnerOrganisation | None]:
    """Who files: an employee (a role in the administration, or in the region hosting it), a
    member of a partner organisation (one the process invites, else one of the administration
    or of the region hosting it), otherwise a citizen."""
    if is_staff_of(user, process.administration_id):
        return AuthorType.EMPLOYEE, None
    mine = partner_org_ids(user)
    if mine:
        invited = set(process.invited_partners.values_list("pk", flat=True))
        orgs = sorted(
            eligible_partners(process.administration).filter(pk__in=mine)
            | PartnerOrganisation.objects.filter(pk__in=mine & invited),
            key=lambda o: (o.pk not in invited, o.name, o.pk),
        )
        if orgs:
            return AuthorType.PARTNER, orgs[0]
    return AuthorType.CITIZEN, None


def ideas_open(process: Process, today: dt.date | None = None) -> str | None:
    """Why the process takes no new idea now (a sentence), or None when it takes them."""
    if not process.is_published:
        return _("This process is not published yet.")
    phase = process.current_phase(today or _today(process))
    if phase is None or not phase.takes_ideas:
        return _("New ideas are taken only during the ideation phase.")
    return None


def _check_place(process: Process, lat, lon) -> None:
    if (lat is None) != (lon is None):
        raise ValidationError({"location": _("Give both latitude and longitude, or neither.")})
    if lat is None:
        return
    try:
        inside = contains(process.administration.boundary, lat, lon)
    except GeometryError:
        inside = False
    if not inside:
        raise ValidationError(
            {
                "location": _("This place is outside %(admin)s: choose a place within it.")
                % {"admin": process.administration.display_name}
            }
        )


def _check_idea_text(title: str, body: str) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not title:
        errors["title"] = [_("Give your idea a title.")]
    elif len(title) > MAX_IDEA_TITLE:
        errors["title"] = [_("The title is too long.")]
    if not body:
        errors["body"] = [_("Describe your idea.")]
    elif len(body) > MAX_IDEA_BODY:
        errors["body"] = [_("The description is too long.")]
    return errors


def create_idea(
    actor,
    process: Process,
    *,
    title: str,
    body: str,
    category: Category | None = None,
    lat: float | None = None,
    lon: float | None = None,
    show_name: bool = True,
    attachments=(),
    language: str = "it",
    idempotency_key: str = "",
    limit: bool = True,
    now: dt.datetime | None = None,
) -> Idea:
    """A new idea in the process's ideation phase. Its author type comes from who files it
    (`author_for`); the author follows it from then on. The same `idempotency_key` (the form's
    token) sent again by the same person answers the idea it filed, writing nothing.
    `limit=False` (the demo only) skips the per-person rate limit."""
    _require_participant(actor, process)
    key = (idempotency_key or "")[:32]
    if key:
        filed = Idea.objects.filter(author=actor, idempotency_key=key).first()
        if filed is not None:
            return filed
    title, body = _text(title), _text(body)
    closed = ideas_open(process, _day(process, now))
    if closed:
        raise ValidationError(closed)
    errors = _check_idea_text(title, body)
    if category is not None and category.process_id != process.pk:
        errors["category"] = [_("Choose a category of this process.")]
    if errors:
        raise ValidationError(errors)
    _check_place(process, lat, lon)
    cleaned = clean_uploads(attachments)  # before the transaction: decoding holds no lock
    author_type, partner = author_for(actor, process)
    rate = _rate("PARTICIPATION_IDEA_RATE")
    if limit:
        _take(IDEAS, actor, rate)
    now = now or timezone.now()
    score = spam.verdict(process.administration_id, f"{title}\n{body}")
    try:
        with transaction.atomic():
            idea = Idea.objects.create(
                process=process,
                title=title,
                body=body,
                language=(language or "it")[:8],
                author=actor,
                author_type=author_type,
                partner=partner,
                show_name=bool(show_name),
                category=category,
                lat=lat,
                lon=lon,
                match_grams=case_signature(title, body),
                idempotency_key=key,
                held_at=now if score is not None else None,
                spam_score=score,
                created_at=now,
                updated_at=now,
            )
            for item in cleaned:
                IdeaAttachment.objects.create(
                    idea=idea,
                    file=item.content,
                    content_type=item.content_type,
                    size=item.content.size,
                    original_name=item.original_name,
                    uploaded_by=actor,
                    created_at=now,
                )
            Follow.objects.create(user=actor, idea=idea, created_at=now)
            audit.record(
                actor=actor,
                action="participation.idea.created",
                obj=idea,
                after={
                    **_idea_snapshot(idea),
                    "attachments": len(cleaned),
                    "held": score is not None,
                },
                administration=process.administration,
            )
            if score is None:
                _publish_idea(idea)
            else:
                _log_hold(idea, score, now)
    except IntegrityError:
        if limit:
            IDEAS.release(str(actor.pk), rate)
        filed = Idea.objects.filter(author=actor, idempotency_key=key).first() if key else None
        if filed is None:
            raise
        return filed  # the same form, sent twice at once: the other request filed it
    except BaseException:
        if limit:
            IDEAS.release(str(actor.pk), rate)
        raise
    return idea


def _publish_idea(idea: Idea) -> None:
    """The webhook event of a new idea, once the public may see it (not while held)."""
    _publish(
        "participation.idea_created",
        idea.process,
        {
            "idea": idea.pk,
            "title": idea.title,
            "author_type": idea.author_type,
            "created_at": idea.created_at.isoformat(),
            "url": notify.absolute_url(idea_path(idea)),
        },
    )


def invite_coauthor(actor, idea: Idea, email: str) -> Coauthor | None:
    """The author invites someone by the e-mail address of their account; they accept on the
    idea's page. Answers None, writing nothing, when no account may take the invitation (none
    uses the address, or it cannot see the process): the page says the same either way, so
    that nobody learns whether an address has an account."""
    process = idea.process
    _require_participant(actor, process)
    if idea.author_id != actor.pk:
        raise PermissionDenied
    if not idea.is_open:
        raise ValidationError(_("This idea is closed: it takes no co-authors."))
    address = (email or "").strip().lower()
    if not address:
        raise ValidationError({"email": _("Write the e-mail address of their account.")})
    if address == actor.email.lower():
        raise ValidationError({"email": _("You are the author already.")})
    if idea.coauthors.count() >= MAX_COAUTHORS:
        raise ValidationError(
            {"email": _("An idea has at most %(n)d co-authors.") % {"n": MAX_COAUTHORS}}
        )
    _take(INVITES, actor, INVITE_RATE)
    invitee = User.objects.filter(email=address, is_active=True).first()
    if invitee is None or not can_see_process(invitee, process):
        return None
    existing = Coauthor.objects.filter(idea=idea, user=invitee).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        row = Coauthor.objects.create(
            idea=idea, user=invitee, invited_by=actor, invited_at=timezone.now()
        )
        audit.record(
            actor=actor,
            action="participation.idea.coauthor_invited",
            obj=idea,
            after={"coauthor": row.pk, "user": invitee.pk},
            administration=process.administration,
        )
        if invitee.contact_channel != User.ContactChannel.NONE:
            notify.send_templated_email(
                invitee,
                "participation_coauthor_invited",
                {
                    "idea": idea,
                    "inviter": actor.full_name,
                    "url": notify.absolute_url(idea_path(idea)),
                },
            )
    return row


def accept_coauthorship(actor, idea: Idea) -> Coauthor:
    _require_participant(actor, idea.process)
    row = Coauthor.objects.filter(idea=idea, user=actor).first()
    if row is None:
        raise PermissionDenied
    if row.accepted_at is not None:
        return row
    now = timezone.now()
    with transaction.atomic():
        Coauthor.objects.filter(pk=row.pk).update(accepted_at=now)
        row.accepted_at = now
        Follow.objects.get_or_create(user=actor, idea=idea, defaults={"created_at": now})
        audit.record(
            actor=actor,
            action="participation.idea.coauthor_accepted",
            obj=idea,
            after={"coauthor": row.pk},
            administration=idea.process.administration,
        )
    return row


# --- supports -----------------------------------------------------------------------------------


def supports_closed(idea: Idea, today: dt.date | None = None) -> str | None:
    """Why the idea takes no support now (a sentence), or None when it takes them."""
    process = idea.process
    today = today or _today(process)
    if not idea.is_visible:
        return _("This idea waits for the moderators: it takes supports once published.")
    if idea.state == Idea.State.MERGED:
        return _("This idea was merged into another one: support that one instead.")
    if idea.state == Idea.State.SPLIT:
        return _("This idea was split into other ideas: support those instead.")
    if idea.answer == Idea.Answer.REJECTED:
        return _("This idea was rejected: it takes no more supports.")
    if process.support_deadline and today > process.support_deadline:
        return _("Supports closed on %(day)s.") % {
            "day": process.support_deadline.strftime("%d/%m/%Y")
        }
    phase = process.current_phase(today)
    if phase is None or not phase.takes_supports:
        return _("Supports are taken only during the ideation and voting phases.")
    return None


def support_idea(actor, idea: Idea, *, now: dt.datetime | None = None) -> tuple[Support, bool]:
    """Support the idea once: (support, created). Two requests racing each other (a double
    click) make one support: `get_or_create` tries the insert in a savepoint and, when the
    unique constraint refuses it because the other request's row is there, reads that row."""
    _require_participant(actor, idea.process)
    closed = supports_closed(idea, _day(idea.process, now))
    if closed:
        raise ValidationError(closed)
    with transaction.atomic():
        support, created = Support.objects.get_or_create(
            idea=idea, user=actor, defaults={"created_at": now or timezone.now()}
        )
        if created:
            Idea.objects.filter(pk=idea.pk).update(supports_count=F("supports_count") + 1)
            audit.record(
                actor=actor,
                action="participation.idea.supported",
                obj=idea,
                after={"support": support.pk},
                administration=idea.process.administration,
            )
    idea.refresh_from_db(fields=["supports_count"])
    return support, created


def withdraw_support(actor, idea: Idea) -> bool:
    """Take one's support back while supports are taken; True when there was one."""
    _require_participant(actor, idea.process)
    closed = supports_closed(idea)
    if closed:
        raise ValidationError(closed)
    with transaction.atomic():
        deleted, _kinds = Support.objects.filter(idea=idea, user=actor).delete()
        if deleted:
            Idea.objects.filter(pk=idea.pk).update(supports_count=F("supports_count") - 1)
            audit.record(
                actor=actor,
                action="participation.idea.support_withdrawn",
                obj=idea,
                after={"user": actor.pk},
                administration=idea.process.administration,
            )
    idea.refresh_from_db(fields=["supports_count"])
    return bool(deleted)


# --- official answers and evaluation ------------------------------------------------------------


def answer_idea(
    actor, idea: Idea, *, kind: str, text: str = "", now: dt.datetime | None = None
) -> OfficialAnswer:
    """Accepted, under evaluation, or rejected (with a reason, published with the answer); the
    idea's supporters and followers are told by e-mail."""
    process = idea.process
    require(actor, Perm.IDEA_ANSWER, process.administration_id)
    text = _text(text)
    if kind not in Idea.Answer.values:
        raise ValidationError({"kind": _("Choose an answer.")})
    if kind == Idea.Answer.REJECTED and not text:
        raise ValidationError(
            {"text": _("Say why the idea is rejected: the reason is published with the answer.")}
        )
    if len(text) > MAX_ANSWER:
        raise ValidationError({"text": _("The explanation is too long.")})
    if not idea.is_open:
        raise ValidationError(
            _("This idea was merged or split: answer the ideas it became instead.")
        )
    now = now or timezone.now()
    previous = idea.answer
    with transaction.atomic():
        answer = OfficialAnswer.objects.create(
            idea=idea,
            kind=kind,
            text=text,
            author=actor if _person(actor) else None,
            created_at=now,
        )
        Idea.objects.filter(pk=idea.pk).update(answer=kind, answered_at=now, updated_at=now)
        idea.answer, idea.answered_at = kind, now
        audit.record(
            actor=actor,
            action="participation.idea.answered",
            obj=idea,
            before={"answer": previous},
            after={"answer": kind, "official_answer": answer.pk},
            administration=process.administration,
        )
        supporters = [s.user for s in idea.supports.select_related("user")]
        followers = [f.user for f in idea.follows.select_related("user")]
        for user in _reachable([*followers, *supporters], process, exclude=actor):
            notify.send_templated_email(
                user,
                "participation_idea_answered",
                {"idea": idea, "answer": answer, "url": notify.absolute_url(idea_path(idea))},
            )
        # For the apps that act on a decision (results, codesign), whatever the audience: an
        # employees' idea box's accepted idea becomes work as a public one does.
        events.publish_on_commit(
            IDEA_DECIDED, process.administration_id, {"idea": idea.pk, "answer": kind}
        )
        _publish(
            "participation.idea_answered",
            process,
            {
                "idea": idea.pk,
                "answer": kind,
                "text": text,
                "answered_at": now.isoformat(),
                "url": notify.absolute_url(idea_path(idea)),
            },
        )
    return answer


def _may_evaluate(user, administration_id: int) -> bool:
    return has_perm(user, Perm.IDEA_EVALUATE, administration_id)


def assign_evaluator(actor, idea: Idea, user: User) -> Evaluator:
    admin_id = idea.process.administration_id
    require(actor, Perm.IDEA_ANSWER, admin_id)
    if user is None or not _may_evaluate(user, admin_id):
        raise ValidationError(
            {"user": _("Choose a member of staff who may evaluate ideas in this administration.")}
        )
    existing = Evaluator.objects.filter(idea=idea, user=user).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        row = Evaluator.objects.create(
            idea=idea,
            user=user,
            assigned_by=actor if _person(actor) else None,
            created_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="participation.idea.evaluator_assigned",
            obj=idea,
            after={"evaluator": user.pk},
            administration=idea.process.administration,
        )
        if user != actor and user.is_active:
            notify.send_templated_email(
                user,
                "participation_evaluator_assigned",
                {
                    "idea": idea,
                    "url": notify.absolute_url(
                        reverse(
                            "staff_participation_idea",
                            args=[idea.process.administration.slug, idea.pk],
                        )
                    ),
                },
            )
    return row


def remove_evaluator(actor, idea: Idea, user: User) -> bool:
    require(actor, Perm.IDEA_ANSWER, idea.process.administration_id)
    with transaction.atomic():
        deleted, _kinds = Evaluator.objects.filter(idea=idea, user=user).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="participation.idea.evaluator_removed",
                obj=idea,
                before={"evaluator": user.pk},
                administration=idea.process.administration,
            )
    return bool(deleted)


def may_write_notes(user, idea: Idea) -> bool:
    admin_id = idea.process.administration_id
    if has_perm(user, Perm.IDEA_ANSWER, admin_id):
        return True
    return _may_evaluate(user, admin_id) and idea.evaluators.filter(user=user).exists()


def add_evaluation_note(actor, idea: Idea, text: str) -> EvaluationNote:
    """A private note of an evaluator (or of staff who answer ideas): staff only."""
    if not _person(actor) or not may_write_notes(actor, idea):
        raise PermissionDenied
    text = _text(text)
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > MAX_NOTE:
        raise ValidationError({"text": _("The note is too long.")})
    with transaction.atomic():
        note = EvaluationNote.objects.create(
            idea=idea, author=actor, text=text, created_at=timezone.now()
        )
        audit.record(
            actor=actor,
            action="participation.idea.note_added",
            obj=idea,
            after={"note": note.pk},
            administration=idea.process.administration,
        )
    return note


# --- merge and split ----------------------------------------------------------------------------


def merge_ideas(actor, idea: Idea, into: Idea) -> Idea:
    """Merge `idea` into `into` (same process): its supporters support `into` (once each), its
    followers follow it, and each idea links to the other; `idea` takes no more supports."""
    process = idea.process
    require(actor, Perm.IDEA_MERGE, process.administration_id)
    if into is None or into.process_id != idea.process_id:
        raise ValidationError({"into": _("Choose an idea of the same process.")})
    if into.pk == idea.pk:
        raise ValidationError({"into": _("An idea cannot be merged into itself.")})
    if not idea.is_open:
        raise ValidationError(_("This idea was merged or split already."))
    if not into.is_open:
        raise ValidationError({"into": _("That idea was merged or split: choose an open one.")})
    now = timezone.now()
    with transaction.atomic():
        kept = set(into.supports.values_list("user_id", flat=True))
        moved = Support.objects.filter(idea=idea).exclude(user_id__in=kept).update(idea=into)
        Support.objects.filter(idea=idea).delete()
        Idea.objects.filter(pk=into.pk).update(
            supports_count=Support.objects.filter(idea=into).count(), updated_at=now
        )
        Idea.objects.filter(pk=idea.pk).update(
            state=Idea.State.MERGED, merged_into=into, supports_count=0, updated_at=now
        )
        idea.state, idea.merged_into, idea.supports_count = Idea.State.MERGED, into, 0
        following = set(into.follows.values_list("user_id", flat=True))
        followers = list(idea.follows.select_related("user"))
        Follow.objects.bulk_create(
            [
                Follow(user_id=f.user_id, idea=into, created_at=now)
                for f in followers
                if f.user_id not in following
            ]
        )
        audit.record(
            actor=actor,
            action="participation.idea.merged",
            obj=idea,
            before={"state": Idea.State.OPEN},
            after={"state": Idea.State.MERGED, "into": into.pk, "supports_moved": moved},
            administration=process.administration,
        )
        for user in _reachable([f.user for f in followers], process, exclude=actor):
            notify.send_templated_email(
                user,
                "participation_idea_merged",
                {
                    "idea": idea,
                    "into": into,
                    "url": notify.absolute_url(idea_path(into)),
                },
            )
    into.refresh_from_db(fields=["supports_count"])
    return idea


def split_idea(actor, idea: Idea, parts: list[dict]) -> list[Idea]:
    """Split `idea` into two or more new ideas (each {"title", "body"}), signed by the same
    author; each links to the parent and the parent lists them. The parent's supports stay on
    it (nobody supported the parts); its followers follow every part."""
    process = idea.process
    require(actor, Perm.IDEA_MERGE, process.administration_id)
    if not idea.is_open:
        raise ValidationError(_("This idea was merged or split already."))
    parts = [
        {"title": _text(p.get("title")), "body": _text(p.get("body"))}
        for p in parts
        if _text(p.get("title")) or _text(p.get("body"))
    ]
    if len(parts) < 2:
        raise ValidationError({"parts": _("Split the idea into at least two parts.")})
    if len(parts) > MAX_SPLIT_PARTS:
        raise ValidationError(
            {"parts": _("Split the idea into at most %(n)d parts.") % {"n": MAX_SPLIT_PARTS}}
        )
    errors = []
    for number, part in enumerate(parts, start=1):
        for messages in _check_idea_text(part["title"], part["body"]).values():
            errors += [_("Part %(n)d: %(problem)s") % {"n": number, "problem": m} for m in messages]
    if errors:
        raise ValidationError({"parts": errors})
    now = timezone.now()
    with transaction.atomic():
        children = [
            Idea.objects.create(
                process=process,
                title=part["title"],
                body=part["body"],
                language=idea.language,
                author=idea.author,
                author_type=idea.author_type,
                partner=idea.partner,
                show_name=idea.show_name,
                category=idea.category,
                lat=idea.lat,
                lon=idea.lon,
                split_from=idea,
                match_grams=case_signature(part["title"], part["body"]),
                created_at=now,
                updated_at=now,
            )
            for part in parts
        ]
        Idea.objects.filter(pk=idea.pk).update(state=Idea.State.SPLIT, updated_at=now)
        idea.state = Idea.State.SPLIT
        followers = list(idea.follows.values_list("user_id", flat=True))
        Follow.objects.bulk_create(
            [Follow(user_id=u, idea=child, created_at=now) for child in children for u in followers]
        )
        audit.record(
            actor=actor,
            action="participation.idea.split",
            obj=idea,
            before={"state": Idea.State.OPEN},
            after={"state": Idea.State.SPLIT, "into": [c.pk for c in children]},
            administration=process.administration,
        )
    return children


# --- comments and moderation --------------------------------------------------------------------


def comments_closed(process: Process, today: dt.date | None = None) -> str | None:
    """Why the process takes no comment now, or None."""
    if not process.is_published:
        return _("This process is not published yet.")
    if process.current_phase(today or _today(process)) is None:
        return _("Comments are taken while a phase of the process runs.")
    return None


def thread_closed(obj, now: dt.datetime | None = None) -> str | None:
    """Why `obj` (a process, an idea or a registered target) takes no comment now, or None."""
    if isinstance(obj, Process | Idea):
        process = obj.process if isinstance(obj, Idea) else obj
        return comments_closed(process, _day(process, now))
    target = threads.target_for(obj)
    if target.closed_reason is not None:
        return target.closed_reason(obj)
    return None if target.is_open(obj) else _("This discussion takes no new comments.")


def may_answer_officially(user, obj) -> bool:
    """May `user` comment on `obj` (a process, an idea or a registered target) on behalf of its
    administration: staff who answer ideas or manage processes there."""
    if not _person(user):
        return False
    admin_id = threads.administration_id_of(obj)
    return any(has_perm(user, p, admin_id) for p in (Perm.IDEA_ANSWER, Perm.PROCESS_MANAGE))


def _author_in(user, obj) -> tuple[str, PartnerOrganisation | None]:
    if isinstance(obj, Process | Idea):
        return author_for(user, obj.process if isinstance(obj, Idea) else obj)
    admin_id = threads.administration_id_of(obj)
    if is_staff_of(user, admin_id):
        return AuthorType.EMPLOYEE, None
    mine = partner_org_ids(user)
    if mine:
        admin = Administration.objects.get(pk=admin_id)
        org = eligible_partners(admin).filter(pk__in=mine).order_by("name", "pk").first()
        if org is not None:
            return AuthorType.PARTNER, org
    return AuthorType.CITIZEN, None


def add_comment(
    actor,
    *,
    process: Process | None = None,
    idea: Idea | None = None,
    target=None,
    parent: Comment | None = None,
    body: str,
    show_name: bool = True,
    official: bool = False,
    limit: bool = True,
    now: dt.datetime | None = None,
) -> Comment:
    """A comment on a process, an idea or a registered target (insieme.participation.threads),
    or a reply to one of its comments (at most Comment.MAX_DEPTH replies deep). Staff who answer
    ideas or manage processes may post it on behalf of the administration (official, signed
    with their name). A comment the spam classifier scores above its threshold is stored held:
    shown nowhere until a moderator releases it (`comment.held_at` tells the caller)."""
    given = [o for o in (process, idea, target) if o is not None]
    if len(given) != 1:
        raise TypeError("a comment has exactly one target: a process, an idea or a target")
    obj = given[0]
    spec = threads.target_for(obj)
    if not _person(actor) or not spec.can_see(actor, obj):
        raise PermissionDenied
    admin_id = spec.administration_id(obj)
    closed = thread_closed(obj, now)
    if closed:
        raise ValidationError(closed)
    body = _text(body)
    if not body:
        raise ValidationError({"body": _("Write your comment.")})
    if len(body) > MAX_COMMENT:
        raise ValidationError(
            {"body": _("A comment has at most %(n)d characters.") % {"n": MAX_COMMENT}}
        )
    depth, root = 0, None
    if parent is not None:
        if not threads.same_target(parent, obj):
            raise ValidationError(_("Reply on the page of the comment you answer."))
        if parent.is_hidden or parent.is_held:
            raise ValidationError(
                _("This comment was hidden by the moderators: it takes no replies.")
            )
        if parent.depth >= Comment.MAX_DEPTH:
            raise ValidationError(
                _("Replies go at most %(n)d levels deep: answer the comment above instead.")
                % {"n": Comment.MAX_DEPTH}
            )
        depth, root = parent.depth + 1, parent.root_id or parent.pk
    if official and not may_answer_officially(actor, obj):
        raise ValidationError(
            {
                "official": _(
                    "Only staff who answer ideas or manage processes may answer on behalf of "
                    "the administration."
                )
            }
        )
    author_type, partner = _author_in(actor, obj)
    if official:
        author_type, partner, show_name = AuthorType.EMPLOYEE, None, True
    rate = _rate("PARTICIPATION_COMMENT_RATE")
    if limit:
        _take(COMMENTS, actor, rate)
    now = now or timezone.now()
    # The administration's own answers are never held; anyone else's may be.
    score = None if official else spam.verdict(admin_id, body)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                administration_id=admin_id,
                **threads.columns(obj),
                parent=parent,
                root_id=root,
                depth=depth,
                author=actor,
                author_type=author_type,
                partner=partner,
                show_name=bool(show_name),
                is_official=bool(official),
                body=body,
                held_at=now if score is not None else None,
                spam_score=score,
                created_at=now,
            )
            audit.record(
                actor=actor,
                action="participation.comment.created",
                obj=comment,
                after={
                    "target": f"{spec.key}:{obj.pk}",
                    "parent": parent.pk if parent is not None else None,
                    "official": bool(official),
                    "author_type": author_type,
                    "held": score is not None,
                },
                administration=comment.administration,
            )
            if score is not None:
                _log_hold(comment, score, now)
    except BaseException:
        if limit:
            COMMENTS.release(str(actor.pk), rate)
        raise
    return comment


def flag_comment(actor, comment: Comment, reason: str) -> tuple[CommentFlag, bool]:
    """Report a comment to the moderators, once per person: (flag, created)."""
    obj = threads.subject(comment)
    if not _person(actor) or not threads.target_for(obj).can_see(actor, obj):
        raise PermissionDenied
    if comment.author_id == actor.pk:
        raise ValidationError(_("You cannot report your own comment."))
    if comment.is_hidden or comment.is_held:
        raise ValidationError(_("This comment is hidden already."))
    if reason not in CommentFlag.Reason.values:
        raise ValidationError({"reason": _("Choose what is wrong with the comment.")})
    with transaction.atomic():
        flag, created = CommentFlag.objects.get_or_create(
            comment=comment, user=actor, defaults={"reason": reason, "created_at": timezone.now()}
        )
        if created:
            Comment.objects.filter(pk=comment.pk).update(
                flags_count=F("flags_count") + 1, pending_flags=F("pending_flags") + 1
            )
            audit.record(
                actor=actor,
                action="participation.comment.flagged",
                obj=comment,
                after={"flag": flag.pk, "reason": reason},
                administration=comment.administration,
            )
    comment.refresh_from_db(fields=["flags_count", "pending_flags"])
    return flag, created


def _moderate(actor, item: Comment | Idea, kind: str, reason: str, updates: dict, action: str):
    """Apply a moderator's (or the spam filter's, actor None) decision on a comment or an idea:
    the update, a row of the moderation log and an audit entry (never the text)."""
    now = timezone.now()
    is_idea = isinstance(item, Idea)
    admin_id = item.process.administration_id if is_idea else item.administration_id
    with transaction.atomic():
        type(item).objects.filter(pk=item.pk).update(**updates)
        for key, value in updates.items():
            setattr(item, key, value)
        row = ModerationAction.objects.create(
            administration_id=admin_id,
            comment=None if is_idea else item,
            idea=item if is_idea else None,
            moderator=actor if _person(actor) else None,
            kind=kind,
            reason=reason,
            created_at=now,
        )
        audit.record(
            actor=actor,
            action=action,
            obj=item,
            after={"moderation": row.pk, "reason": reason, **_audit_extra(updates)},
            administration=item.process.administration if is_idea else item.administration,
        )
    return row


def _audit_extra(updates: dict) -> dict:
    return {k: updates[k] for k in ("hidden_ground", "spam_score") if updates.get(k)}


def _log_hold(item: Comment | Idea, score: float, now: dt.datetime) -> None:
    """The spam filter's hold, in the moderation log (inside the creating transaction)."""
    is_idea = isinstance(item, Idea)
    ModerationAction.objects.create(
        administration_id=item.process.administration_id if is_idea else item.administration_id,
        comment=None if is_idea else item,
        idea=item if is_idea else None,
        moderator=None,
        kind=ModerationAction.Kind.HELD,
        reason=_("Score %(score).2f above the filter's threshold.") % {"score": score},
        created_at=now,
    )


def _reason(reason: str, required: bool) -> str:
    reason = _text(reason)
    if required and not reason:
        raise ValidationError(
            {"reason": _("Give the reason: it is shown in place of the comment.")}
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("A reason has at most %(n)d characters.") % {"n": MAX_REASON}}
        )
    return reason


def _ground(ground: str) -> str:
    if ground and ground not in CommentFlag.Reason.values:
        raise ValidationError({"ground": _("Choose why it breaks the rules.")})
    return ground or ""


def hide_comment(actor, comment: Comment, reason: str, ground: str = "") -> ModerationAction:
    """Hide a comment (a held one too) with a public reason: every page shows "hidden by the
    moderators" and the reason in its place, never its text. `ground` (a CommentFlag.Reason)
    says why; comments hidden as spam or abuse teach the spam classifier."""
    require(actor, Perm.COMMENT_MODERATE, comment.administration_id)
    reason = _reason(reason, required=True)
    ground = _ground(ground)
    if comment.is_hidden:
        raise ValidationError(_("This comment is hidden already."))
    return _moderate(
        actor,
        comment,
        ModerationAction.Kind.HIDDEN,
        reason,
        {
            "hidden_at": timezone.now(),
            "hidden_by": actor if _person(actor) else None,
            "hidden_reason": reason,
            "hidden_ground": ground,
            "held_at": None,
            "pending_flags": 0,
        },
        "participation.comment.hidden",
    )


def restore_comment(actor, comment: Comment, reason: str = "") -> ModerationAction:
    require(actor, Perm.COMMENT_MODERATE, comment.administration_id)
    reason = _reason(reason, required=False)
    if not comment.is_hidden:
        raise ValidationError(_("This comment is not hidden."))
    return _moderate(
        actor,
        comment,
        ModerationAction.Kind.RESTORED,
        reason,
        {"hidden_at": None, "hidden_by": None, "hidden_reason": "", "hidden_ground": ""},
        "participation.comment.restored",
    )


def keep_comment(actor, comment: Comment, reason: str = "") -> ModerationAction:
    """The moderators read the reports and keep the comment: it leaves the queue."""
    require(actor, Perm.COMMENT_MODERATE, comment.administration_id)
    reason = _reason(reason, required=False)
    if comment.is_hidden or comment.is_held or not comment.pending_flags:
        raise ValidationError(_("This comment waits for no decision."))
    return _moderate(
        actor,
        comment,
        ModerationAction.Kind.KEPT,
        reason,
        {"pending_flags": 0},
        "participation.comment.kept",
    )


def release_comment(actor, comment: Comment, reason: str = "") -> ModerationAction:
    """A comment the spam filter held is fine: it is published (and teaches the filter that
    such text is not spam)."""
    require(actor, Perm.COMMENT_MODERATE, comment.administration_id)
    reason = _reason(reason, required=False)
    if not comment.is_held:
        raise ValidationError(_("This comment is not held for review."))
    return _moderate(
        actor,
        comment,
        ModerationAction.Kind.RELEASED,
        reason,
        {"held_at": None, "pending_flags": 0},
        "participation.comment.released",
    )


def release_idea(actor, idea: Idea, reason: str = "") -> ModerationAction:
    """An idea the spam filter held is fine: it is published."""
    require(actor, Perm.COMMENT_MODERATE, idea.process.administration_id)
    reason = _reason(reason, required=False)
    if idea.held_at is None:
        raise ValidationError(_("This idea is not held for review."))
    with transaction.atomic():
        row = _moderate(
            actor,
            idea,
            ModerationAction.Kind.RELEASED,
            reason,
            {"held_at": None},
            "participation.idea.released",
        )
        _publish_idea(idea)
    return row


def hide_idea(actor, idea: Idea, reason: str) -> ModerationAction:
    """An idea the spam filter held breaks the rules: it stays out of every public page (its
    authors read the reason on its page)."""
    require(actor, Perm.COMMENT_MODERATE, idea.process.administration_id)
    reason = _reason(reason, required=True)
    if idea.hidden_at is not None:
        raise ValidationError(_("This idea is hidden already."))
    return _moderate(
        actor,
        idea,
        ModerationAction.Kind.HIDDEN,
        reason,
        {"hidden_at": timezone.now(), "hidden_reason": reason, "held_at": None},
        "participation.idea.hidden",
    )


def retrain_spam_filter(actor, administration: Administration) -> SpamModel | None:
    """Train the administration's spam filter again on its moderators' decisions and store it
    (every process reads the stored one). None, writing nothing, while there are too few
    decisions (spam.MIN_SUSPECT hidden as spam or abuse, spam.MIN_FINE fine): nothing is held
    then. `actor` None is the periodic job or the command."""
    require(actor, Perm.COMMENT_MODERATE, administration.pk)
    texts, labels = spam.training_data(administration.pk)
    if not spam.enough(labels):
        return None
    fitted = spam.fit(texts, labels)
    now = timezone.now()
    values = {
        "pipeline": spam.dumps(fitted.pipeline),
        "threshold": fitted.threshold,
        "positives": fitted.suspect,
        "negatives": fitted.fine,
        "precision": fitted.precision,
        "recall": fitted.recall,
        "sklearn_version": spam.SKLEARN_VERSION,
        "trained_at": now,
    }
    with transaction.atomic():
        row, _created = SpamModel.objects.update_or_create(
            administration=administration, defaults=values
        )
        audit.record(
            actor=actor,
            action="participation.spam_filter.trained",
            obj=row,
            after={k: v for k, v in values.items() if k != "pipeline"},
            administration=administration,
        )
    return row


# --- follows ------------------------------------------------------------------------------------


def follow(actor, *, process: Process | None = None, idea: Idea | None = None):
    """Follow a process (new phases) or an idea (official answers): (follow, created)."""
    if (process is None) == (idea is None):
        raise TypeError("follow a process or an idea")
    owner = idea.process if idea is not None else process
    _require_participant(actor, owner)
    target = {"idea": idea} if idea is not None else {"process": process}
    with transaction.atomic():
        row, created = Follow.objects.get_or_create(
            user=actor, **target, defaults={"created_at": timezone.now()}
        )
        if created:
            audit.record(
                actor=actor,
                action="participation.followed",
                obj=idea if idea is not None else process,
                after={"follow": row.pk},
                administration=owner.administration,
            )
    return row, created


def unfollow(actor, *, process: Process | None = None, idea: Idea | None = None) -> bool:
    if (process is None) == (idea is None):
        raise TypeError("unfollow a process or an idea")
    owner = idea.process if idea is not None else process
    if not _person(actor):
        raise PermissionDenied
    target = {"idea": idea} if idea is not None else {"process": process}
    with transaction.atomic():
        deleted, _kinds = Follow.objects.filter(user=actor, **target).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="participation.unfollowed",
                obj=idea if idea is not None else process,
                before={"user": actor.pk},
                administration=owner.administration,
            )
    return bool(deleted)
