"""Data protection's Scorecard indicator (cell D3 of DESIGN.md §1: confidentiality).

- Personal data found in free text, and the share resolved: of the findings of the
  personal-data scanner (insieme.privacy.scanner), the share the data steward has resolved
  (the text redacted, or the finding judged not personal data), with the counts per text field.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.catalog.indicators import share
from insieme.core.registry import Indicator, IndicatorResult, Scope
from insieme.privacy.models import Finding
from insieme.privacy.scanner import SOURCES

RESOLVED = (Finding.State.REDACTED, Finding.State.DISMISSED)


def _counts(scope: Scope) -> dict[str, dict[str, int]]:
    """{source: {state: findings}} in the scope, in one query."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        Finding.objects.filter(administration_id__in=scope.administration_ids)
        .values_list("source", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for source, state, n in rows:
        counts[source][state] = n
    return counts


def _row(label: str, public: bool | None, states: dict[str, int]) -> list:
    total = sum(states.values())
    resolved = sum(states.get(s, 0) for s in RESOLVED)
    return [
        label,
        "" if public is None else (_("public") if public else _("staff only")),
        total,
        states.get(Finding.State.OPEN, 0),
        states.get(Finding.State.REDACTED, 0),
        states.get(Finding.State.DISMISSED, 0),
        share(resolved, total)[1] if total else "",
    ]


def compute_findings(scope: Scope) -> IndicatorResult:
    counts = _counts(scope)
    rows = [_row(str(s.label), s.public, counts.pop(s.key, {})) for s in SOURCES]
    # Findings of a field the scanner no longer reads still count: they were found.
    rows += [_row(key, None, states) for key, states in sorted(counts.items())]
    total = sum(r[2] for r in rows)
    resolved = sum(r[4] + r[5] for r in rows)
    value, display = share(resolved, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=resolved,
        denominator=total,
        columns=[
            _("Text"),
            _("Shown"),
            _("Findings"),
            _("To review"),
            _("Redacted"),
            _("Not personal data"),
            _("Resolved"),
        ],
        rows=rows,
        note="" if total else _("No findings: no personal data found, or no scan has run yet."),
    )


INDICATORS = [
    Indicator(
        key="privacy-d3-findings",
        cell="D3",
        title=gettext_lazy("Personal data found in free text, and the share resolved"),
        method=gettext_lazy(
            "The scanner reads stored free text (cases' descriptions and public replies, ideas, "
            "comments) with the platform's personal-data detector; of its findings, the share "
            "the data steward has resolved, by redacting the text or judging it not personal data."
        ),
        unit="share",
        compute=compute_findings,
        app="privacy",
        better="higher",
    ),
]
