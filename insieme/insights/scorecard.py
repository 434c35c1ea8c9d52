"""The Scorecard's logic: which administrations a view covers, the seventeen cells with their
registered indicators computed, and the CSV export of an indicator's rows."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from insieme.core.access import permissions_by_administration
from insieme.core.cells import CELLS, ELEMENTS, Cell
from insieme.core.csvsafe import neutralise
from insieme.core.figures import Figure
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.core.registry import (
    Indicator,
    IndicatorResult,
    Scope,
    community,
    indicators,
    perceived,
)
from insieme.insights import thresholds
from insieme.insights.models import Status

logger = logging.getLogger(__name__)

ROW_LIMIT = 50  # rows shown on the page; the CSV has them all
SCOPE_SELF, SCOPE_HOSTED = "self", "hosted"

# What each cell will measure (DESIGN.md §1), shown while a cell has no indicator yet.
MEASURES: dict[str, Any] = {
    "D1": _("Interactions and distinct participants per period; usage by channel, hour and area."),
    "D2": _(
        "Share of submissions complete and valid at the first try; data latency; duplicate rate."
    ),
    "D3": _(
        "Open data-quality issues; personal data found and redacted; share of services on "
        "open APIs; datasets published with valid metadata."
    ),
    "D4": _("Share of insights that led to an action; service changes traced to data."),
    "I1": _("Two-way cases; participants per co-design process by type."),
    "I2": _("Ideas per month by author type; share accepted and implemented."),
    "I3": _("Load against capacity per employee; share of staff overloaded; SLA pressure."),
    "I4": _(
        "Staff adoption per department; hand-off turnaround and bounce-backs; minutes per "
        "interaction."
    ),
    "T1": _("Services with local variants; citizens using preferences; prefill rate."),
    "T2": _(
        "Answers published on the public timeline; decisions that state their reasons; public "
        "promises kept; accepted ideas with tracked results; audit chain intact."
    ),
    "T3": _("Services resting on expired or overdue-for-review rules; days overdue."),
    "T4": _("Information-request rate per service and field; satisfaction gap."),
    "T5": _("Share of services on templates; overridden fields per service."),
    "S1": _("Cost per case by channel; savings against the counter baseline."),
    "S2": _("Time to acknowledge and to resolve; citizen time to complete a form; trend."),
    "S3": _(
        "Administrative burden (hours a year) per service; information-request loops; "
        "assisted share."
    ),
    "S4": _(
        "Share of form fields traced; untraced fields; fields staff ask for that the form lacks."
    ),
}


@dataclass
class ScopeView:
    """The scope an indicator is computed over, and how the page describes it."""

    scope: Scope
    choice: str
    administrations: list[Administration]
    can_include_hosted: bool


@dataclass
class IndicatorView:
    indicator: Indicator
    result: IndicatorResult | None
    failed: bool = False
    # Against the administration's thresholds (insights.models.Status), None without them.
    status: str | None = None
    threshold: Any = None
    # The same method over the period before (Indicator.period_days earlier), from the records
    # as they are now; None for a state, or where it could not be computed.
    previous: IndicatorResult | None = None

    @property
    def change(self) -> str:
        """Against the previous period: "better", "worse" or "same" where a direction is good
        and both values exist; "" otherwise."""
        if self.result is None or self.previous is None or not self.indicator.better:
            return ""
        now, before = self.result.value, self.previous.value
        if now is None or before is None:
            return ""
        if abs(now - before) < 1e-9:
            return "same"
        rose = now > before
        return "better" if rose == (self.indicator.better == "higher") else "worse"

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status else ""

    @property
    def shown_rows(self) -> list[list[Any]]:
        return self.result.rows[:ROW_LIMIT] if self.result else []

    @property
    def total_rows(self) -> int:
        if not self.result:
            return 0
        if self.result.row_count is not None:
            return self.result.row_count
        return len(self.result.rows)

    @property
    def truncated(self) -> bool:
        return self.total_rows > ROW_LIMIT


@dataclass
class CellView:
    cell: Cell
    measures: Any
    indicators: list[IndicatorView] = field(default_factory=list)
    # What employees report (the staff survey), None while nobody has or under the threshold.
    perceived: dict | None = None
    # What residents say (the community survey), None likewise.
    residents: dict | None = None

    @property
    def measured(self) -> str | None:
        """The cell's measured status: its worst indicator status (None without thresholds)."""
        return thresholds.worst([iv.status for iv in self.indicators])

    @property
    def measured_label(self) -> str:
        return str(Status(self.measured).label) if self.measured else ""

    @property
    def disagreement(self) -> str:
        return thresholds.disagreement(self.measured, self.perceived)


@dataclass
class ElementView:
    key: str
    label: Any
    cells: list[CellView]


def hosted_by(admin: Administration, depth: int = 6) -> list[Administration]:
    """The administrations `admin` hosts, directly or through others (a few levels deep)."""
    found: list[Administration] = []
    frontier = [admin.pk]
    for _level in range(depth):
        children = list(Administration.objects.filter(parent_id__in=frontier).order_by("name"))
        if not children:
            break
        found += children
        frontier = [c.pk for c in children]
    return found


def parse_scope(value: str | None) -> str | None:
    """The scope asked for in a query string: "self", "hosted", or None (the default)."""
    return value if value in (SCOPE_SELF, SCOPE_HOSTED) else None


def hosted_scoreable(admin: Administration, may_score) -> list[Administration]:
    """The administrations `admin` hosts for which `may_score(administration)` holds."""
    return [a for a in hosted_by(admin) if may_score(a)]


def build_scope(user, admin: Administration, choice: str | None) -> ScopeView:
    """The administration with the ones it hosts that the user may score (the default, so that a
    region sees its municipalities), or this administration only (`choice` "self")."""
    perms = permissions_by_administration(user)
    return scope_for(
        admin, choice, hosted_scoreable(admin, lambda a: Perm.SCORECARD_READ in perms.get(a.pk, ()))
    )


def scope_for(admin: Administration, choice: str | None, hosted: list[Administration]) -> ScopeView:
    """The scope over `admin` and, unless `choice` is "self", the `hosted` administrations."""
    members = [admin] if choice == SCOPE_SELF or not hosted else [admin, *hosted]
    scope = Scope.of(admin, members, label=", ".join(a.name for a in members))
    chosen = SCOPE_HOSTED if len(members) > 1 else SCOPE_SELF
    return ScopeView(
        scope=scope, choice=chosen, administrations=members, can_include_hosted=bool(hosted)
    )


def compute(indicator: Indicator, scope: Scope) -> IndicatorView:
    """One indicator's result, with its previous period's where it reads a period; a failing
    indicator is logged and shown as such, not a 500."""
    try:
        view = IndicatorView(indicator=indicator, result=indicator.compute(scope))
    except Exception:
        logger.exception("indicator %s failed", indicator.key)
        return IndicatorView(indicator=indicator, result=None, failed=True)
    if indicator.period_days:
        try:
            view.previous = indicator.compute(scope.earlier(indicator.period_days))
        except Exception:
            logger.exception("indicator %s failed on the previous period", indicator.key)
    return view


def judged(view: IndicatorView, pairs: dict) -> IndicatorView:
    """The view with its status against the administration's thresholds, where it has some."""
    threshold = pairs.get(view.indicator.key)
    if threshold is not None and view.result is not None:
        view.threshold = threshold
        view.status = threshold.status_of(view.result.value, view.indicator.better)
    return view


class Elements(list):
    """The elements of a Scorecard, with when their indicators were computed (`computed_at`),
    the day they are as of (`day`), whether they came from a stored snapshot and whether that
    snapshot is late, being computed again (insieme.insights.snapshots)."""

    computed_at = None
    day = None
    from_snapshot = False
    stale = False


def build_elements(scope: Scope, pairs: dict | None = None, *, current: bool = False) -> Elements:
    """The four elements with their cells in table order, each cell's indicators computed (or
    read from a snapshot young enough) and judged against `pairs` (indicator key: Threshold,
    the administration's own). `current`: the latest figures are wanted, which may be a late
    snapshot while the worker computes a new one (snapshots.results)."""
    from insieme.insights import snapshots

    pairs = pairs or {}
    by_cell: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_cell.setdefault(indicator.cell, []).append(indicator)
    computed = snapshots.results(scope, indicators, current=current)

    def view(indicator: Indicator) -> IndicatorView:
        result, previous, failed = computed.results[indicator.key]
        return IndicatorView(indicator=indicator, result=result, failed=failed, previous=previous)

    reported = perceived(scope)
    said = community(scope)
    elements = Elements(
        ElementView(
            key=key,
            label=label,
            cells=[
                CellView(
                    cell=cell,
                    measures=MEASURES.get(cell.code, ""),
                    indicators=[judged(view(i), pairs) for i in by_cell.get(cell.code, [])],
                    perceived=reported.get(cell.code),
                    residents=said.get(cell.code),
                )
                for cell in CELLS.values()
                if cell.element == key
            ],
        )
        for key, label in ELEMENTS
    )
    elements.computed_at, elements.from_snapshot = computed.computed_at, computed.from_snapshot
    elements.day, elements.stale = computed.day or scope.today, computed.stale
    return elements


def csv_text(result: IndicatorResult) -> str:
    """The rows behind an indicator as CSV, formula-neutralised, with a byte-order mark so that
    spreadsheets read the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(c)) for c in result.columns])
    for row in result.rows:
        writer.writerow([neutralise(_plain(v)) for v in row])
    return "\ufeff" + buffer.getvalue()


def _plain(value: Any) -> Any:
    """A cell as a spreadsheet should read it: numbers raw (a figure's number, not its
    localised text), text as text."""
    if value is None:
        return ""
    if isinstance(value, Figure):
        return value.number
    if isinstance(value, int | float):
        return value
    return str(value)


def indicator_by_key(key: str) -> Indicator | None:
    return indicators.get(key) if key in indicators else None


def cells_with_indicators(elements: Iterable[ElementView]) -> int:
    return sum(1 for e in elements for c in e.cells if c.indicators)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def as_json(admin: Administration, scope_view: ScopeView, elements: list[ElementView]) -> dict:
    """The Scorecard as the API gives it: every cell with its indicators' values and methods in
    the active language; the rows stay on the staff page (they name people)."""
    return {
        "administration": admin.slug,
        "scope": scope_view.choice,
        "administrations": [a.slug for a in scope_view.administrations],
        "as_of": (getattr(elements, "day", None) or scope_view.scope.today).isoformat(),
        "computed_at": getattr(elements, "computed_at", None),
        "stale": getattr(elements, "stale", False),
        "cells": [
            {
                "code": cv.cell.code,
                "element": element.key,
                "kind": cv.cell.kind,
                "title": str(cv.cell.title),
                "summary": str(cv.cell.summary),
                "measures": str(cv.measures),
                "indicators": [_indicator_json(iv) for iv in cv.indicators],
                # What employees report (the staff survey); null under its threshold.
                "perceived": _perceived_json(cv.perceived),
                # What residents say (the community survey), the same shape; null likewise.
                "residents": _perceived_json(cv.residents),
                "measured_status": cv.measured,
                "disagreement": cv.disagreement,
            }
            for element in elements
            for cv in element.cells
        ],
    }


def _perceived_json(found: dict | None) -> dict | None:
    if found is None:
        return None
    return {
        "respondents": found["respondents"],
        "answers": found["answers"],
        "agree_share": found["agree_share"],
        "mean": found["mean"],
        "rounds": found["rounds"],
        "statements": [
            {
                "code": s["code"],
                "text": s["text"],
                "answers": s["answers"],
                "agree_share": s.get("agree_share"),
                "mean": s.get("mean"),
            }
            for s in found["statements"]
        ],
    }


def _indicator_json(iv: IndicatorView) -> dict:
    result = iv.result
    return {
        "key": iv.indicator.key,
        "title": str(iv.indicator.title),
        "method": str(iv.indicator.method),
        "unit": iv.indicator.unit,
        "better": iv.indicator.better,
        "failed": iv.failed,
        "value": _number(result.value) if result else None,
        "display": str(result.display) if result else "",
        "numerator": _number(result.numerator) if result else None,
        "denominator": _number(result.denominator) if result else None,
        "note": str(result.note) if result else "",
        # The period the value covers (days ending on as_of), null for a state; the previous
        # period's value by the same method, null where there is none.
        "period_days": iv.indicator.period_days,
        "previous_value": _number(iv.previous.value) if iv.previous else None,
        "previous_display": str(iv.previous.display) if iv.previous else "",
        "change": iv.change or None,
        "status": iv.status,
        "thresholds": (
            {"realised": iv.threshold.realised, "challenge": iv.threshold.challenge}
            if iv.threshold is not None
            else None
        ),
    }
