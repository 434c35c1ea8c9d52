"""Every write of a deliberation: votes, statements, moderation, imports and the opinion groups.

Validate, write in one transaction, then start side effects on commit. Moderators' decisions and
imports are appended to the audit chain; single votes are not (a conversation of 10,000 people
casts millions of them, and a vote says nothing an audit reader needs: the vote row is the record,
one per person and statement).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.catalog import i18n
from insieme.core import audit
from insieme.core.models import today_in
from insieme.core.throttle import Rate, SlidingWindow
from insieme.deliberation.models import Conversation, Participant, Statement, Vote

STATEMENT_RATE = Rate(5, 3600)  # new statements per person per hour
_STATEMENTS = SlidingWindow("deliberation-statement")
MAX_STATEMENT = 400


def participant_for(conversation: Conversation, user) -> Participant:
    """The person's participant row in this conversation, made on first use (once, even when
    two requests race: the unique constraint decides and the loser reads the winner's row)."""
    found = Participant.objects.filter(conversation=conversation, user=user).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Participant.objects.create(conversation=conversation, user=user)
    except IntegrityError:
        return Participant.objects.get(conversation=conversation, user=user)


def _bump(conversation: Conversation) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(version=F("version") + 1)


def _schedule_groups(conversation: Conversation) -> None:
    from insieme.core.tasks import enqueue
    from insieme.deliberation.tasks import refresh_groups

    enqueue(refresh_groups, conversation.pk)


def votes_closed(conversation: Conversation, today: dt.date, phases=None) -> str | None:
    """Why the conversation takes no vote on `today` (a sentence), or None when it takes them:
    closed by its organisers; or, in a process with phases, on a day no deliberation phase runs
    (a process without phases leaves it to the conversation's own switch). `phases`: the
    process's phases when the caller read them already."""
    from insieme.participation.models import PhaseKind

    if not conversation.is_open:
        return _("This conversation is closed: votes are no longer taken.")
    if phases is None:
        phases = list(conversation.process.phases.all())
    if phases and not any(
        p.kind == PhaseKind.DELIBERATION and p.starts_on <= today <= p.ends_on for p in phases
    ):
        return _(
            "This conversation takes votes and statements only while the deliberation phase "
            "of the process runs."
        )
    return None


def cast_vote(user, statement: Statement, value: int) -> Vote:
    """Agree (1), disagree (-1) or pass (0) on an accepted statement; a second vote on the same
    statement replaces the first, so each person counts once however often they click."""
    conversation = statement.conversation
    if value not in (-1, 0, 1):
        raise ValidationError(_("A vote is agree, disagree or pass."))
    closed = votes_closed(conversation, today_in(conversation.process.administration))
    if closed:
        raise ValidationError(closed)
    if statement.status != Statement.Status.ACCEPTED:
        raise ValidationError(_("This statement is not open for votes."))
    with transaction.atomic():
        participant = participant_for(conversation, user)
        vote, _created = Vote.objects.update_or_create(
            participant=participant,
            statement=statement,
            defaults={"value": value, "voted_at": timezone.now(), "conversation": conversation},
        )
        _bump(conversation)
        _schedule_groups(conversation)
    return vote


def add_statement(user, conversation: Conversation, text: str, language: str) -> Statement:
    """A participant's new statement: it waits for a moderator before anyone votes on it."""
    text = " ".join((text or "").split())
    if not conversation.accepts_statements or not conversation.is_open:
        raise ValidationError(_("This conversation does not take new statements."))
    closed = votes_closed(conversation, today_in(conversation.process.administration))
    if closed:
        raise ValidationError(closed)
    if len(text) < 10:
        raise ValidationError(_("Write a statement of at least 10 characters."))
    if len(text) > MAX_STATEMENT:
        raise ValidationError(
            _("A statement is at most %(n)d characters long.") % {"n": MAX_STATEMENT}
        )
    if Statement.objects.filter(conversation=conversation, text__iexact=text).exists():
        raise ValidationError(_("This statement is already in the conversation."))
    decision = _STATEMENTS.acquire(str(user.pk), STATEMENT_RATE)
    if not decision.allowed:
        raise PermissionDenied(
            _("You have added many statements: try again in %(minutes)d minutes.")
            % {"minutes": max(1, decision.retry_after // 60)}
        )
    with transaction.atomic():
        participant = participant_for(conversation, user)
        statement = Statement.objects.create(
            conversation=conversation, text=text, language=language, author=participant
        )
        audit.record(
            actor=user,
            action="deliberation.statement_added",
            obj=statement,
            after=audit.snapshot(statement, ["conversation", "status", "language"]),
            administration=conversation.process.administration,
        )
    return statement


def moderate_statement(actor, statement: Statement, accept: bool, reason: str = "") -> Statement:
    """Accept a statement for voting, or reject it with a reason (kept, never shown to voters)."""
    reason = " ".join((reason or "").split())
    if not accept and not reason:
        raise ValidationError(_("Say why the statement is rejected."))
    with transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        before = audit.snapshot(locked, ["status", "moderation_reason"])
        locked.status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
        locked.moderation_reason = reason[:300]
        locked.moderated_at = timezone.now()
        locked.save(update_fields=["status", "moderation_reason", "moderated_at"])
        conversation = locked.conversation
        audit.record(
            actor=actor,
            action="deliberation.statement_moderated",
            obj=locked,
            before=before,
            after=audit.snapshot(locked, ["status", "moderation_reason"]),
            administration=conversation.process.administration,
        )
        _bump(conversation)
        _schedule_groups(conversation)
    return locked


# --- the organisers' side: the conversation, seed statements, meta statements ------------------

MAX_QUESTION = 1000


def _require_manager(actor, process) -> None:
    """Running a process's conversation is part of managing the process: participation's own
    check (None is the system)."""
    from insieme.core.permissions import Perm
    from insieme.participation.access import require

    require(actor, Perm.PROCESS_MANAGE, process.administration_id)


def save_conversation(
    actor,
    process,
    *,
    question: str,
    translations: dict | None = None,
    is_open: bool = True,
    accepts_statements: bool = True,
) -> Conversation:
    """Start the process's conversation, or change it: its question (in the process's language,
    with its translations), whether it takes votes, whether participants may add statements."""
    _require_manager(actor, process)
    question = (question or "").replace("\r\n", "\n").strip()
    if not question:
        raise ValidationError({"question": _("Write the question put to participants.")})
    if len(question) > MAX_QUESTION:
        raise ValidationError(
            {"question": _("The question is at most %(n)d characters long.") % {"n": MAX_QUESTION}}
        )
    translations = i18n.checked_translations(translations, ("question",))
    fields = ["question", "translations", "is_open", "accepts_statements"]
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().filter(process=process).first()
        creating = conversation is None
        if creating:
            conversation = Conversation(process=process, language=process.language)
        before = None if creating else audit.snapshot(conversation, fields)
        conversation.question = question
        conversation.translations = translations
        conversation.is_open = bool(is_open)
        conversation.accepts_statements = bool(accepts_statements)
        conversation.save()
        audit.record(
            actor=actor,
            action="deliberation.conversation_created"
            if creating
            else "deliberation.conversation_updated",
            obj=conversation,
            before=before,
            after=audit.snapshot(conversation, fields),
            administration=process.administration,
        )
    conversation.process = process
    return conversation


def add_seed_statement(
    actor,
    conversation: Conversation,
    text: str,
    *,
    translations: dict | None = None,
    is_meta: bool = False,
) -> Statement:
    """A statement of the organisers: in the conversation's language, open for votes at once."""
    process = conversation.process
    _require_manager(actor, process)
    text = " ".join((text or "").split())
    if len(text) < 10:
        raise ValidationError({"text": _("Write a statement of at least 10 characters.")})
    if len(text) > MAX_STATEMENT:
        raise ValidationError(
            {"text": _("A statement is at most %(n)d characters long.") % {"n": MAX_STATEMENT}}
        )
    if Statement.objects.filter(conversation=conversation, text__iexact=text).exists():
        raise ValidationError({"text": _("This statement is already in the conversation.")})
    translations = i18n.checked_translations(translations, ("text",))
    with transaction.atomic():
        statement = Statement.objects.create(
            conversation=conversation,
            text=text,
            language=conversation.language,
            translations=translations,
            is_seed=True,
            is_meta=bool(is_meta),
            status=Statement.Status.ACCEPTED,
            moderated_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="deliberation.seed_statement_added",
            obj=statement,
            after=audit.snapshot(statement, ["conversation", "status", "is_meta", "language"]),
            administration=process.administration,
        )
    return statement


def set_meta(actor, statement: Statement, is_meta: bool) -> Statement:
    """Mark a statement as being about the participant ("I live in the centre"), or unmark it:
    meta statements are voted on and reported but left out of the opinion groups' math."""
    conversation = statement.conversation
    _require_manager(actor, conversation.process)
    with transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        if locked.is_meta == bool(is_meta):
            return locked
        before = audit.snapshot(locked, ["is_meta"])
        locked.is_meta = bool(is_meta)
        locked.save(update_fields=["is_meta"])
        audit.record(
            actor=actor,
            action="deliberation.statement_meta_changed",
            obj=locked,
            before=before,
            after=audit.snapshot(locked, ["is_meta"]),
            administration=conversation.process.administration,
        )
        _bump(conversation)
        _schedule_groups(conversation)
    return locked


# --- opinion groups ---------------------------------------------------------------------------

# A conversation's groups are recomputed at most this often while votes come in; the periodic
# job picks up whatever changed since (see tasks.refresh_stale_groups).
REFRESH_EVERY_SECONDS = 30
KEEP_COMPUTATIONS = 20


def compute_groups(conversation: Conversation, *, force: bool = False):
    """Recompute the opinion groups from the votes as they are now, starting from the last
    computation's state (so that the number of groups stays stable), and store the result.
    Returns the latest computation (the existing one when nothing changed and not `force`)."""
    import time

    from insieme.deliberation import opinion
    from insieme.deliberation.models import GroupsComputation

    conversation.refresh_from_db(fields=["version", "math"])
    latest = conversation.computations.first()
    if latest and latest.version == conversation.version and not force:
        return latest
    version = conversation.version
    statements = Statement.objects.filter(conversation=conversation).exclude(
        status=Statement.Status.PENDING
    )
    excluded = {
        pk
        for pk, status, meta in statements.values_list("pk", "status", "is_meta")
        if status == Statement.Status.REJECTED or meta
    }
    votes = list(
        Vote.objects.filter(conversation=conversation, statement__in=statements).values_list(
            "participant_id", "statement_id", "value"
        )
    )
    started = time.perf_counter()
    settings = (
        opinion.POLIS_2017 if conversation.math == Conversation.Math.POLIS_2017 else opinion.DEFAULT
    )
    if votes:
        matrix, pids, sids = opinion.vote_matrix(votes)
        previous = opinion.GroupingState.from_json(latest.state) if latest else None
        result = opinion.opinion_groups(
            matrix, pids, sids, excluded, previous=previous, settings=settings, seed=conversation.pk
        )
        data, state, k, clustered = (
            result.as_json(),
            result.state.as_json(),
            result.k,
            len(result.groups),
        )
        data.pop("state", None)
    else:
        data, state, k, clustered = {}, {}, 0, 0
    with transaction.atomic():
        computation = GroupsComputation.objects.create(
            conversation=conversation,
            computed_at=timezone.now(),
            version=version,
            participants=len({p for p, _s, _v in votes}),
            clustered=clustered,
            votes=len(votes),
            k=k,
            seconds=time.perf_counter() - started,
            result=data,
            state=state,
        )
        old = conversation.computations.values_list("pk", flat=True)[KEEP_COMPUTATIONS:]
        GroupsComputation.objects.filter(pk__in=list(old)).delete()
        _store_priorities(conversation, data.get("priorities", {}))
    return computation


def _store_priorities(conversation: Conversation, priorities: dict[str, float]) -> None:
    """Each statement's weight for being shown next, as the latest computation found it; the
    statements it did not see (no votes yet, or moderated out) go back to None."""
    rows = list(Statement.objects.filter(conversation=conversation).only("pk", "priority"))
    changed = []
    for row in rows:
        value = priorities.get(str(row.pk))
        if row.priority != value:
            row.priority = value
            changed.append(row)
    Statement.objects.bulk_update(changed, ["priority"], batch_size=500)


# --- Pol.is interchange -------------------------------------------------------------------------

# Pol.is switched from imputing unseen votes as 0 to imputing the statement's mean, and stopped
# counting moderated-out cells as votes, in October 2017: an export whose last vote is older was
# grouped by the older math (see docs/decisions/001-opinion-groups.md).
MEAN_IMPUTATION_SINCE_MS = 1_508_544_000_000  # 2017-10-21T00:00:00Z
_MODERATION = {-1: Statement.Status.REJECTED, 0: Statement.Status.PENDING}


def _moment(ms: int | None):
    import datetime as dt

    if ms is None:
        return timezone.now()
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def import_polis(actor, process, export, *, topic: str = "", meta=(), language: str = "en"):
    """Bring a Pol.is export (`polis_files.read_export`) into the process's conversation: its
    statements (with their moderation), its participants (by their Pol.is ids) and the latest
    vote of each participant on each statement. Run again with the same export, it changes
    nothing; with a later export of the same conversation, it adds what is new. Returns counts.
    """
    from insieme.deliberation.models import Participant as P

    unknown_meta = set(meta) - {c.id for c in export.comments}
    if unknown_meta:
        raise ValidationError(
            _("These statement ids are not in the export: %(ids)s")
            % {"ids": ", ".join(str(i) for i in sorted(unknown_meta))}
        )
    last = export.last_vote_at
    math = (
        Conversation.Math.POLIS_2017
        if last is not None and last < MEAN_IMPUTATION_SINCE_MS
        else Conversation.Math.CURRENT
    )
    with transaction.atomic():
        conversation, created = Conversation.objects.get_or_create(
            process=process,
            defaults={"question": topic or process.title, "language": language, "math": math},
        )
        if not created and conversation.math != math:
            conversation.math = math
            conversation.save(update_fields=["math"])
        ids = {c.author_id for c in export.comments} | {v.participant_id for v in export.votes}
        existing = dict(
            P.objects.filter(
                conversation=conversation, external_id__in=[str(i) for i in ids]
            ).values_list("external_id", "pk")
        )
        P.objects.bulk_create(
            [
                P(conversation=conversation, external_id=str(i))
                for i in sorted(ids)
                if str(i) not in existing
            ]
        )
        participants = dict(
            P.objects.filter(conversation=conversation)
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        known = dict(
            Statement.objects.filter(conversation=conversation)
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        meta = set(meta)
        Statement.objects.bulk_create(
            [
                Statement(
                    conversation=conversation,
                    text=c.text[:MAX_STATEMENT] or "-",
                    language=language,
                    author_id=participants.get(str(c.author_id)),
                    status=_MODERATION.get(c.moderated, Statement.Status.ACCEPTED),
                    is_meta=c.id in meta,
                    external_id=str(c.id),
                    moderated_at=_moment(c.created) if c.moderated else None,
                )
                for c in export.comments
                if str(c.id) not in known
            ]
        )
        if meta:
            Statement.objects.filter(
                conversation=conversation, external_id__in=[str(i) for i in meta]
            ).update(is_meta=True)
        statements = dict(
            Statement.objects.filter(conversation=conversation)
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        latest = export.latest_votes()
        Vote.objects.bulk_create(
            [
                Vote(
                    conversation=conversation,
                    participant_id=participants[str(v.participant_id)],
                    statement_id=statements[str(v.comment_id)],
                    value=v.vote,
                    voted_at=_moment(v.timestamp),
                )
                for v in latest
            ],
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["participant", "statement"],
            update_fields=["value", "voted_at"],
        )
        _bump(conversation)
        counts = {
            "statements": len(export.comments),
            "participants": len(ids),
            "votes": len(latest),
            "math": math,
        }
        audit.record(
            actor=actor,
            action="deliberation.polis_imported",
            obj=conversation,
            after={**counts, "meta": sorted(meta), "groups_published": len(export.groups)},
            administration=process.administration,
        )
    return conversation, counts
