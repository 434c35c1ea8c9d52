"""Every write of data protection: validate, write in a transaction, audit (DESIGN.md §3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit, pii
from insieme.core.models import User
from insieme.privacy import scanner
from insieme.privacy.models import Finding, SubjectRequest

# --- findings

REDACT, DISMISS = "redact", "dismiss"
# The states each decision may start from: a dismissed finding may still be redacted (the
# steward changed their mind); a redacted text has nothing left to decide.
FINDING_ACTIONS = {
    REDACT: (Finding.State.OPEN, Finding.State.DISMISSED),
    DISMISS: (Finding.State.OPEN,),
}


def resolve_finding(actor, finding: Finding, action: str) -> Finding:
    """Resolve a finding of the personal-data scanner.

    - "redact": the text at its source is replaced by its redaction (`pii.redact`, with the
      names the scanner masked), one field of one row written with a queryset `update()`, and
      the finding becomes "redacted". This works on every source the scanner reads; for a
      staff-only text (a case's description) the original is lost: nobody, staff included,
      can read what was there any more.
    - "dismiss": the text stays; the finding is "not personal data" until the text changes.

    The audit entry records the finding, its source row, its kinds and the decision, never the
    text. Raises ValidationError for an unknown action, a finding already decided, or a text
    no longer there."""
    if action not in FINDING_ACTIONS:
        raise ValidationError(_("Choose to redact the text or to mark it as not personal data."))
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.state not in FINDING_ACTIONS[action]:
            raise ValidationError(_("This finding has been resolved already."))
        if action == REDACT:
            finding.text_hash = _redact_at_source(finding)
            finding.state = Finding.State.REDACTED
        else:
            finding.state = Finding.State.DISMISSED
        # A person, or the label of what acted for nobody (the demo): audit.record takes both.
        finding.resolved_by = actor if isinstance(actor, User) else None
        finding.resolved_at = timezone.now()
        finding.save(update_fields=["text_hash", "state", "resolved_by", "resolved_at"])
        audit.record(
            actor=actor,
            action=f"privacy.finding.{action}",
            obj=finding,
            administration=finding.administration,
            after={
                "finding": finding.pk,
                "source": finding.source,
                "object_id": finding.object_id,
                "kinds": list(finding.kinds),
                "action": action,
                "state": finding.state,
            },
        )
    return finding


def _redact_at_source(finding: Finding) -> str:
    """Replace the finding's text by its redaction (the row locked while it is read and
    written); the hash of the text now stored. Call inside the transaction."""
    source = scanner.SOURCES_BY_KEY.get(finding.source)
    if source is None:
        raise ValidationError(_("The scanner no longer reads this kind of text."))
    row_qs = source.model._default_manager.filter(pk=finding.object_id)
    # Locking the row only: the joins that read its administration and names may be outer ones,
    # which PostgreSQL cannot lock.
    rows = source.rows(row_qs.select_for_update(of=("self",)))
    if not rows:
        raise ValidationError(_("The text is no longer there."))
    text = rows[0][2]
    redacted = pii.redact(text, source.names_of(rows).get(finding.object_id, ()))
    if redacted != text:
        # The one field, and nothing else of the row: the owning app's other columns (its
        # timestamps, derived copies) stay as they are.
        row_qs.update(**{source.field: redacted})
    return scanner.text_hash(redacted)


# --- requests of data subjects

CLOSE_REQUEST = {"done": SubjectRequest.State.DONE, "refuse": SubjectRequest.State.REFUSED}
MAX_NOTE = 300


def close_request(actor, request: SubjectRequest, decision: str, note: str) -> SubjectRequest:
    """The data steward closes a request left pending (a copy with parts that could not be
    gathered): "done" once the person has what was missing by another way, "refuse" with the
    reason the law allows. The note says what was done (never the data itself), is kept after
    the automatic note and goes into the audit entry."""
    if decision not in CLOSE_REQUEST:
        raise ValidationError(_("Choose whether the request is done or refused."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done, or why the request is refused.")})
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("Keep the note under %(n)s characters.") % {"n": MAX_NOTE}}
        )
    with transaction.atomic():
        request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != SubjectRequest.State.PENDING:
            raise ValidationError(_("This request has been closed already."))
        before = {"state": request.state}
        request.state = CLOSE_REQUEST[decision]
        request.completed_at = timezone.now()
        request.handled_by = actor
        kept = SubjectRequest._meta.get_field("note").max_length
        request.note = f"{request.note} | {note}"[:kept] if request.note else note[:kept]
        request.save(update_fields=["state", "completed_at", "handled_by", "note"])
        audit.record(
            actor=actor,
            action="privacy.request." + decision,
            obj=request,
            before=before,
            after={"state": request.state, "note": note},
        )
    return request
