"""The SLA's background job: cases due soon and overdue, escalated to their department."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from insieme.cases.lifecycle import (
    department_leads,
    notify_staff,
    record_event,
)
from insieme.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    DueState,
    Escalation,
)
from insieme.core import audit

DUE_SOON = dt.timedelta(hours=24)


def sla_tick(now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Mark open cases due soon (within DUE_SOON of their resolve date) and overdue; escalate
    each newly overdue case to its department's supervisors and tell its assignee. Paused cases
    (waiting for the citizen) are skipped. Idempotent: a case is marked and escalated once per
    state. Returns how many cases changed state."""
    now = now or timezone.now()
    active = Case.objects.filter(
        status__in=sorted(OPEN_STATUSES), sla_paused_at__isnull=True, resolve_due_at__isnull=False
    )
    counts = {"due_soon": 0, "overdue": 0}
    overdue = active.filter(resolve_due_at__lte=now).exclude(due_state=DueState.OVERDUE)
    soon = active.filter(resolve_due_at__gt=now, resolve_due_at__lte=now + DUE_SOON).exclude(
        due_state__in=[DueState.DUE_SOON, DueState.OVERDUE]
    )
    for state, qs in ((DueState.OVERDUE, overdue), (DueState.DUE_SOON, soon)):
        while True:
            cases = list(
                qs.select_related("administration", "service", "assignee").order_by("pk")[:batch]
            )
            if not cases:
                break
            for case in cases:
                with transaction.atomic():
                    # The state too: two overlapping ticks never escalate one case twice.
                    if not Case.objects.filter(
                        pk=case.pk, version=case.version, due_state=case.due_state
                    ).update(
                        due_state=state, escalated_at=now if state == DueState.OVERDUE else None
                    ):
                        continue  # changed meanwhile: the next tick sees it
                    audit.record(
                        actor=None,
                        action="case.overdue" if state == DueState.OVERDUE else "case.due_soon",
                        obj=case,
                        before={"due_state": case.due_state},
                        after={"due_state": state},
                        administration=case.administration,
                    )
                    case.due_state = state
                    Escalation.objects.create(
                        case=case,
                        kind=Escalation.Kind.OVERDUE
                        if state == DueState.OVERDUE
                        else Escalation.Kind.DUE_SOON,
                        officer=case.assignee,
                        created_at=now,
                    )
                    if state == DueState.OVERDUE:
                        record_event(case, CaseEvent.Kind.ESCALATED, None, public=False, at=now)
                        leads = department_leads(case.administration_id, case.department_id)
                        notify_staff([*leads, case.assignee], "case_escalated", case)
                    else:
                        notify_staff([case.assignee], "case_due_soon", case)
                counts[state] += 1
    return counts
