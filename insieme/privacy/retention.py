"""Retention: closed records forget the people in them on time (GDPR art. 5(1)(e), storage
limitation), and the statistics stay.

A policy says how many months after closure a record keeps its personal data: one per service,
and a default per administration for its other services and for its participation. No policy,
no anonymisation: the administration decides its periods (its records schedule, the
"massimario di scarto"), the platform does not guess them.

What counts as closed, and since when:
- a request (case): resolved, closed, refused or a duplicate; since its closing time (or its
  resolution, or its last change when neither was stamped);
- an idea, and the comments on it or on its process: when the process's last phase ended;
- a comment on something else (a result, a budget project): since it was written.

What anonymising a record does, in one transaction per batch:
- a request: the reporter's account no longer linked, their name, e-mail and phone cleared, the
  anonymous tracking link voided; the description, its public version, the answers, every
  message on it (staff notes too) and the rating's comment redacted (the redaction of the
  public pages, with the reporter's name); the address cleared and the place moved to the centre
  of its 250 m square; the duplicate-search signature dropped; attachments nobody made public
  deleted; plain follows forgotten ("me too" follows stay: they are counted);
- an idea: its author and co-authors no longer linked, the name no longer shown, title and
  text redacted with their names, the place coarsened;
- a comment: its author no longer linked, the name no longer shown, the text redacted.
The audit entries about each anonymised request, idea or comment are scrubbed of the names,
e-mail addresses and phones through insieme.core.audit.erase, so the chain still verifies; one
`privacy.retention` entry per run records what happened (counts, never the data). Each
anonymised record is marked (`Anonymised`) so the next run passes it by.

Kept: services, kinds, states, channels, dates, durations, costs, ratings' scores, supports,
places (coarsened): every count of the Scorecard and the dashboards. Figures per person (how
many people filed, who came back) count anonymised records as filed without an account.

A dry run counts what a run would change, per kind and per service, and writes nothing but
its RetentionRun row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from insieme.core import audit
from insieme.core.models import Administration, AuditEntry
from insieme.core.pii import redact
from insieme.privacy.models import Anonymised, RetentionPolicy, RetentionRun

GRID_METRES = 250.0
BATCH = 200
CLOSED_STATUSES = ("resolved", "closed", "refused", "duplicate")
KINDS = ("cases", "ideas", "comments")


def months_ago(now: dt.datetime, months: int) -> dt.datetime:
    """`now` moved back by whole calendar months (the 31st becomes the month's last day)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    day = min(now.day, _days_in(year, month))
    return now.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


@dataclass
class Plan:
    """What a run would anonymise in one administration (querysets of ids, not yet read)."""

    administration: Administration
    cases: object = None
    ideas: object = None
    comments: object = None
    default_months: int | None = None
    by_service: dict[int, int] = field(default_factory=dict)  # service id -> months


def plan(administration: Administration, now: dt.datetime | None = None) -> Plan:
    from insieme.cases.models import Case
    from insieme.participation.models import Comment, Idea, Process

    now = now or timezone.now()
    policies = list(RetentionPolicy.objects.filter(administration=administration))
    default = next((p.months for p in policies if p.service_id is None), None)
    by_service = {p.service_id: p.months for p in policies if p.service_id is not None}
    result = Plan(administration, default_months=default, by_service=by_service)

    closed_at = Coalesce("closed_at", "resolved_at", "updated_at")
    due = Q(pk__in=[])
    for service_id, months in by_service.items():
        due |= Q(service_id=service_id, _closed__lt=months_ago(now, months))
    if default is not None:
        due |= Q(_closed__lt=months_ago(now, default)) & ~Q(service_id__in=list(by_service))
    result.cases = (
        Case.objects.filter(administration=administration, status__in=CLOSED_STATUSES)
        .annotate(_closed=closed_at)
        .filter(due)
        .exclude(pk__in=_marked("cases.case"))
    )

    if default is None:
        result.ideas = Idea.objects.none()
        result.comments = Comment.objects.none()
        return result
    cutoff = months_ago(now, default)
    ended = (
        Process.objects.filter(administration=administration)
        .annotate(_ended=Max("phases__ends_on"))
        .filter(_ended__lt=cutoff.date())
        .values("pk")
    )
    result.ideas = Idea.objects.filter(process__in=ended).exclude(
        pk__in=_marked("participation.idea")
    )
    result.comments = (
        Comment.objects.filter(administration=administration)
        .filter(
            Q(process__in=ended)
            | Q(idea__process__in=ended)
            | Q(process__isnull=True, idea__isnull=True, created_at__lt=cutoff)
        )
        .exclude(pk__in=_marked("participation.comment"))
    )
    return result


def _marked(object_type: str):
    return Anonymised.objects.filter(object_type=object_type).values("object_id")


def dry_run(actor, administration: Administration, now=None) -> RetentionRun:
    """Count what a run would change; writes only the run's row."""
    return _run(actor, administration, dry=True, now=now)


def run(actor, administration: Administration, now=None) -> RetentionRun:
    """Anonymise every record whose retention period has passed."""
    return _run(actor, administration, dry=False, now=now)


def run_all(actor=None, *, dry: bool = False, now=None) -> list[RetentionRun]:
    """Every administration with at least one policy (the periodic job)."""
    admins = Administration.objects.filter(
        pk__in=RetentionPolicy.objects.values("administration")
    ).order_by("pk")
    return [_run(actor, a, dry=dry, now=now) for a in admins]


def _run(actor, administration, *, dry: bool, now=None) -> RetentionRun:
    from insieme.catalog.models import Service

    now = now or timezone.now()
    the_plan = plan(administration, now)
    started = timezone.now()
    by_service = Counter(the_plan.cases.values_list("service_id", flat=True))
    codes = dict(Service.objects.filter(pk__in=list(by_service)).values_list("pk", "code"))
    counts = {
        "cases": sum(by_service.values()),
        "ideas": the_plan.ideas.count(),
        "comments": the_plan.comments.count(),
        "by_service": {
            codes[k]: n for k, n in sorted(by_service.items(), key=lambda i: codes[i[0]])
        },
    }
    oldest = the_plan.cases.order_by("_closed").values_list("_closed", flat=True).first()
    counts["oldest_case_closed"] = oldest.isoformat() if oldest else None
    if not dry:
        if AuditEntry.objects.filter(hash_version__lt=2).exists():
            audit.rechain(actor)  # older entries cannot be erased from until they are moved
        done = Counter()
        done["cases"] = _in_batches(actor, the_plan.cases, _anonymise_cases)
        done["ideas"] = _in_batches(actor, the_plan.ideas, _anonymise_ideas)
        done["comments"] = _in_batches(actor, the_plan.comments, _anonymise_comments)
        counts.update({k: done[k] for k in KINDS})
    with transaction.atomic():
        retention_run = RetentionRun.objects.create(
            administration=administration,
            dry_run=dry,
            started_at=started,
            finished_at=timezone.now(),
            counts=counts,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor=actor,
            action="privacy.retention.dry_run" if dry else "privacy.retention",
            obj=retention_run,
            administration=administration,
            after={k: counts[k] for k in KINDS},
        )
    return retention_run


def _in_batches(actor, queryset, anonymise) -> int:
    """Anonymise `queryset`'s rows BATCH at a time, each batch in its own transaction (a
    long backlog neither holds one huge transaction nor starts over after a failure)."""
    total = 0
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            total += anonymise(actor, ids[start : start + BATCH])
    return total


# --- one kind of record at a time ----------------------------------------------------------------


def scrub_value(value, strings: list[str], names: list[str]):
    """`value` (a string, or lists and dicts of them, as an audit entry's fields hold) with each
    of `strings` (e-mail addresses, phones) replaced by "[erased]" and `names` redacted as the
    public pages redact them. Shared with the erasure of an account."""
    if isinstance(value, str):
        text = value
        for s in strings:
            if s:
                text = text.replace(s, "[erased]")
        return redact(text, names) if names else text
    if isinstance(value, list):
        return [scrub_value(v, strings, names) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v, strings, names) for k, v in value.items()}
    return value


def _scrubber(people: dict[str, list[str]]):
    """scrub(entry, field, value) for audit.erase: takes out of an entry the names, e-mails
    and phones of the people of the record it is about (`people`: object_id -> strings)."""

    def scrub(entry, name, value):
        strings = people.get(entry.object_id)
        if not strings:
            return value
        names = [s for s in strings if "@" not in s and not _digits(s)]
        return scrub_value(value, strings, names)

    return scrub


def _digits(text: str) -> bool:
    return sum(c.isdigit() for c in text) >= 6


def _mark(object_type: str, ids: list[int]) -> None:
    now = timezone.now()
    Anonymised.objects.bulk_create(
        [Anonymised(object_type=object_type, object_id=i, at=now) for i in ids],
        ignore_conflicts=True,
    )


def _erase_audit(actor, object_type: str, people: dict[str, list[str]], reason: str) -> None:
    entries = AuditEntry.objects.filter(object_type=object_type, object_id__in=list(people))
    audit.erase(actor, entries, _scrubber(people), reason=reason)


def scrub_case(case, names: list[str], *, unlink: bool = True) -> None:
    """Anonymise one request (see the module's docstring); `case` has its text fields loaded.
    Shared with the erasure of an account (insieme.privacy.erase), which keeps the link to the
    account (`unlink=False`): the account itself is anonymised, and counts per person stay."""
    from insieme.cases.models import Attachment, Case, CaseEvent, Follower, Rating
    from insieme.opendata.anonymise import coarsen

    lat, lon = coarsen(case.lat, case.lon, GRID_METRES)
    answers = {
        k: (redact(v, names) if isinstance(v, str) else v) for k, v in (case.answers or {}).items()
    }
    unlinked = {"submitted_by": None} if unlink else {}
    Case.objects.filter(pk=case.pk).update(
        **unlinked,
        contact_name="",
        contact_email="",
        contact_phone="",
        tracking_nonce=None,
        description=redact(case.description, names),
        public_description=redact(case.public_description, names),
        answers=answers,
        address="",
        public_address="",
        lat=lat,
        lon=lon,
        match_grams=b"",
    )
    for event in CaseEvent.objects.filter(case_id=case.pk).only("pk", "text", "public_text"):
        text, public = redact(event.text, names), redact(event.public_text, names)
        if (text, public) != (event.text, event.public_text):
            CaseEvent.objects.filter(pk=event.pk).update(text=text, public_text=public)
    for attachment in Attachment.objects.filter(case_id=case.pk, is_public=False):
        attachment.file.delete(save=False)
        attachment.delete()
    Follower.objects.filter(case_id=case.pk, me_too=False).delete()
    for rating in Rating.objects.filter(case_id=case.pk).exclude(comment=""):
        Rating.objects.filter(pk=rating.pk).update(comment=redact(rating.comment, names))
    if unlink:
        Rating.objects.filter(case_id=case.pk).update(user=None)


def _anonymise_cases(actor, ids: list[int]) -> int:
    from insieme.cases.models import Case

    people = {}
    rows = (
        Case.objects.filter(pk__in=ids)
        .select_related("submitted_by")
        .only(
            "pk",
            "description",
            "public_description",
            "answers",
            "lat",
            "lon",
            "contact_name",
            "contact_email",
            "contact_phone",
            "submitted_by__full_name",
            "submitted_by__email",
            "submitted_by__phone",
        )
    )
    for case in rows:
        user = case.submitted_by
        names = [n for n in {case.contact_name, user.full_name if user else ""} if n]
        scrub_case(case, names)
        strings = [case.contact_email, case.contact_phone, *names]
        if user:
            strings += [user.email, user.phone]
        people[str(case.pk)] = sorted({s for s in strings if s}, key=len, reverse=True)
    _erase_audit(actor, "cases.case", people, "retention: cases")
    _mark("cases.case", ids)
    return len(ids)


def _anonymise_ideas(actor, ids: list[int]) -> int:
    from insieme.opendata.anonymise import coarsen
    from insieme.participation.models import Coauthor, Idea

    people = {}
    coauthors: dict[int, list] = {}
    for c in Coauthor.objects.filter(idea_id__in=ids).select_related("user"):
        coauthors.setdefault(c.idea_id, []).append(c.user)
    for idea in Idea.objects.filter(pk__in=ids).select_related("author"):
        persons = [p for p in (idea.author, *coauthors.get(idea.pk, [])) if p is not None]
        names = [p.full_name for p in persons if p.full_name]
        lat, lon = coarsen(idea.lat, idea.lon, GRID_METRES)
        Idea.objects.filter(pk=idea.pk).update(
            author=None,
            show_name=False,
            title=redact(idea.title, names),
            body=redact(idea.body, names),
            lat=lat,
            lon=lon,
            match_grams=b"",
        )
        strings = names + [p.email for p in persons] + [p.phone for p in persons if p.phone]
        people[str(idea.pk)] = sorted(set(strings), key=len, reverse=True)
    Coauthor.objects.filter(idea_id__in=ids).delete()
    _erase_audit(actor, "participation.idea", people, "retention: ideas")
    _mark("participation.idea", ids)
    return len(ids)


def _anonymise_comments(actor, ids: list[int]) -> int:
    from insieme.participation.models import Comment

    people = {}
    for comment in Comment.objects.filter(pk__in=ids).select_related("author"):
        person = comment.author
        names = [person.full_name] if person and person.full_name else []
        Comment.objects.filter(pk=comment.pk).update(
            author=None, show_name=False, body=redact(comment.body, names)
        )
        if person:
            strings = [*names, person.email, person.phone]
            people[str(comment.pk)] = sorted({s for s in strings if s}, key=len, reverse=True)
    _erase_audit(actor, "participation.comment", people, "retention: comments")
    _mark("participation.comment", ids)
    return len(ids)
