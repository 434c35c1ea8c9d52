"""Results' Scorecard indicators: T2 (accountability: accepted ideas with tracked results,
results on schedule) and I2 (new ideas: ideas implemented). Each is a handful of grouped
queries over the scope's administrations, never a loop over rows."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.catalog.indicators import share
from insieme.core.registry import Indicator, IndicatorResult, Scope
from insieme.participation.models import Idea
from insieme.results.models import Result, ResultLink, ResultUpdate, Status


def _pct(numerator: int, denominator: int) -> str:
    return share(numerator, denominator)[1] if denominator else "—"


def accepted_ideas(scope: Scope):
    return Idea.objects.filter(
        process__administration_id__in=scope.administration_ids,
        answer=Idea.Answer.ACCEPTED,
        state=Idea.State.OPEN,
    )


def _by_process(qs, hit: Q) -> tuple[int, int, list[list]]:
    rows = list(
        qs.values("process__title", "process__administration__name")
        .annotate(total=Count("pk"), hits=Count("pk", filter=hit))
        .order_by("process__administration__name", "process__title")
    )
    total = sum(r["total"] for r in rows)
    hits = sum(r["hits"] for r in rows)
    table = [
        [
            r["process__title"],
            r["process__administration__name"],
            r["total"],
            r["hits"],
            _pct(r["hits"], r["total"]),
        ]
        for r in rows
    ]
    return hits, total, table


def compute_tracked(scope: Scope) -> IndicatorResult:
    """Accepted ideas whose result has at least one progress update or one link."""
    tracked = Exists(ResultUpdate.objects.filter(result__idea=OuterRef("pk"))) | Exists(
        ResultLink.objects.filter(result__idea=OuterRef("pk"))
    )
    qs = accepted_ideas(scope).annotate(tracked=tracked)
    hits, total, rows = _by_process(qs, Q(tracked=True))
    value, display = share(hits, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=hits,
        denominator=total,
        columns=[
            _("Process"),
            _("Administration"),
            _("Accepted ideas"),
            _("With a tracked result"),
            _("Share"),
        ],
        rows=rows,
    )


def compute_implemented(scope: Scope) -> IndicatorResult:
    """Accepted ideas whose result is completed."""
    qs = accepted_ideas(scope)
    hits, total, rows = _by_process(qs, Q(result__status=Status.COMPLETED))
    value, display = share(hits, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=hits,
        denominator=total,
        columns=[
            _("Process"),
            _("Administration"),
            _("Accepted ideas"),
            _("Implemented (result completed)"),
            _("Share"),
        ],
        rows=rows,
    )


def on_schedule_q(today) -> Q:
    """Completed by the due day, or not due yet and not marked delayed."""
    return Q(status=Status.COMPLETED, completed_on__lte=F("due_on")) | (
        ~Q(status__in=(Status.COMPLETED, Status.DELAYED)) & Q(due_on__gte=today)
    )


def compute_on_schedule(scope: Scope) -> IndicatorResult:
    """Results with a due day (cancelled ones left out): kept or still on track."""
    rows = list(
        Result.objects.filter(administration_id__in=scope.administration_ids, due_on__isnull=False)
        .exclude(status=Status.CANCELLED)
        .values("administration__name", "status")
        .annotate(total=Count("pk"), hits=Count("pk", filter=on_schedule_q(scope.today)))
        .order_by("administration__name", "status")
    )
    total = sum(r["total"] for r in rows)
    hits = sum(r["hits"] for r in rows)
    labels = dict(Status.choices)
    table = [
        [
            r["administration__name"],
            str(labels.get(r["status"], r["status"])),
            r["total"],
            r["hits"],
            _pct(r["hits"], r["total"]),
        ]
        for r in rows
    ]
    value, display = share(hits, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=hits,
        denominator=total,
        columns=[
            _("Administration"),
            _("Status"),
            _("Results with a due day"),
            _("On schedule"),
            _("Share"),
        ],
        rows=table,
    )


INDICATORS: list[Indicator] = [
    Indicator(
        key="results-t2-tracked",
        cell="T2",
        title=gettext_lazy("Accepted ideas with tracked results"),
        method=gettext_lazy(
            "Share of the ideas the administration accepted (and did not merge or split) whose "
            "result has at least one progress update or one link to the work it caused (a work "
            "item, a service change, a budget project): the promise made to the proposer is "
            "followed up in public."
        ),
        unit="share",
        compute=compute_tracked,
        app="results",
        better="higher",
    ),
    Indicator(
        key="results-t2-on-schedule",
        cell="T2",
        title=gettext_lazy("Results on schedule"),
        method=gettext_lazy(
            "Of the results with a due day (cancelled ones left out), the share completed by "
            "that day, or not due yet and not marked delayed. A result completed late, one "
            "past its due day and not completed, and one marked delayed count as late."
        ),
        unit="share",
        compute=compute_on_schedule,
        app="results",
        better="higher",
    ),
    Indicator(
        key="results-i2-implemented",
        cell="I2",
        title=gettext_lazy("Ideas implemented"),
        method=gettext_lazy(
            "Share of the ideas the administration accepted (and did not merge or split) whose "
            "result is completed: from citizens', employees' and partners' ideas to what was "
            "actually done."
        ),
        unit="share",
        compute=compute_implemented,
        app="results",
        better="higher",
    ),
]
