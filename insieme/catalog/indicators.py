"""The catalogue's Scorecard indicators (cells T3, T5 and S4 of DESIGN.md §1).

Each computes over a Scope (administration ids, as of a day) from real data in one or two
queries, and returns the rows behind its value so the page can show a table and a CSV.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.catalog.models import Attribute, LegalStatus, Service, Trace
from insieme.core.figures import figure, percent_of
from insieme.core.registry import Indicator, IndicatorResult, Scope

# Out of date: expired, superseded by a newer rule, or past its review date.
STALE_STATUSES = frozenset(
    {LegalStatus.EXPIRED, LegalStatus.SUPERSEDED, LegalStatus.REVIEW_OVERDUE}
)


def published_services(scope: Scope):
    """The published services of the scope's administrations."""
    return Service.objects.filter(
        administration_id__in=scope.administration_ids, status=Service.Status.PUBLISHED
    )


def share(numerator: int, denominator: int) -> tuple[float | None, str]:
    """(value 0..1, "25% (3 of 12)"), or (None, "no services") for an empty denominator."""
    if not denominator:
        return None, _("Nothing to measure yet")
    value = numerator / denominator
    return value, _("%(pct)s%% (%(n)s of %(d)s)") % {
        "pct": percent_of(numerator, denominator),
        "n": numerator,
        "d": denominator,
    }


# --- T3: services resting on out-of-date rules ------------------------------------------------


def _stale_bases(scope: Scope) -> dict[int, list[tuple[str, str, int]]]:
    """{service id: [(provision reference, status label, days overdue), ...]} of stale traces."""
    traces = Trace.objects.filter(
        service__in=published_services(scope), provision__isnull=False
    ).select_related("provision__regulation")
    found: dict[int, dict[str, tuple[str, str, int]]] = defaultdict(dict)
    for trace in traces:
        provision = trace.provision
        status = provision.status(scope.today)
        if status in STALE_STATUSES:
            found[trace.service_id][provision.reference] = (
                provision.reference,
                str(LegalStatus(status).label),
                provision.days_overdue(scope.today),
            )
    return {sid: sorted(v.values(), key=lambda r: (-r[2], r[0])) for sid, v in found.items()}


def compute_stale_basis(scope: Scope) -> IndicatorResult:
    services = list(published_services(scope).values_list("id", "name", "administration__name"))
    stale = _stale_bases(scope)
    value, display = share(len(stale), len(services))
    rows = []
    for sid, name, admin_name in services:
        if sid in stale:
            worst = stale[sid][0]
            others = "; ".join(r[0] for r in stale[sid][1:])
            rows.append([name, admin_name, worst[0], worst[1], worst[2], others])
    rows.sort(key=lambda r: (-r[4], r[1], r[0]))
    return IndicatorResult(
        value=value,
        display=display,
        numerator=len(stale),
        denominator=len(services),
        columns=[
            _("Service"),
            _("Administration"),
            _("Worst provision"),
            _("Status"),
            _("Days overdue"),
            _("Other out-of-date provisions"),
        ],
        rows=rows,
    )


# --- T5: standardisation against local variation -------------------------------------------


def compute_template_share(scope: Scope) -> IndicatorResult:
    services = list(
        published_services(scope).values_list("name", "administration__name", "template__name")
    )
    templated = [s for s in services if s[2]]
    value, display = share(len(templated), len(services))
    rows = sorted(
        [[n, a, t or _("(built from scratch)")] for n, a, t in services], key=lambda r: (r[1], r[0])
    )
    return IndicatorResult(
        value=value,
        display=display,
        numerator=len(templated),
        denominator=len(services),
        columns=[_("Service"), _("Administration"), _("Template")],
        rows=rows,
    )


def compute_overrides(scope: Scope) -> IndicatorResult:
    services = list(
        published_services(scope)
        .filter(template__isnull=False)
        .values_list("name", "administration__name", "template__name", "overridden_fields")
    )
    total = sum(len(s[3] or []) for s in services)
    rows = sorted(
        ([n, a, t, len(o or []), ", ".join(o or [])] for n, a, t, o in services),
        key=lambda r: (-r[3], r[1], r[0]),
    )
    if not services:
        return IndicatorResult(
            value=None, display=_("No services on templates yet"), numerator=0, denominator=0
        )
    mean = total / len(services)
    return IndicatorResult(
        value=mean,
        display=_("%(mean)s per service (%(n)s changes over %(d)s services)")
        % {"mean": figure(mean, 1), "n": total, "d": len(services)},
        numerator=total,
        denominator=len(services),
        columns=[
            _("Service"),
            _("Administration"),
            _("Template"),
            _("Fields changed"),
            _("What changed"),
        ],
        rows=rows,
    )


# --- S4: form fields traced to the rule or need behind them ---------------------------------


def compute_traced_fields(scope: Scope) -> IndicatorResult:
    fields = list(
        Attribute.objects.filter(service__in=published_services(scope), variable=True)
        .annotate(traced=Exists(Trace.objects.filter(attribute=OuterRef("pk"))))
        .values_list("traced", "service__name", "service__administration__name", "code", "label")
        .order_by("service__administration__name", "service__name", "order")
    )
    traced = sum(1 for f in fields if f[0])
    value, display = share(traced, len(fields))
    return IndicatorResult(
        value=value,
        display=display,
        numerator=traced,
        denominator=len(fields),
        columns=[_("Service"), _("Administration"), _("Field code"), _("Question")],
        rows=[[s, a, c, label] for t, s, a, c, label in fields if not t],
        note=_("The rows list the untraced fields."),
    )


INDICATORS: list[Indicator] = [
    Indicator(
        key="catalog-t3-stale-basis",
        cell="T3",
        title=gettext_lazy("Services resting on out-of-date rules"),
        method=gettext_lazy(
            "Share of published services with at least one trace (of the service or of a form "
            "field) to a provision that has expired, been superseded or passed its review date, "
            "as of the scope's day. Days overdue count from the expiry or review date."
        ),
        unit="share",
        compute=compute_stale_basis,
        app="catalog",
        better="lower",
    ),
    Indicator(
        key="catalog-t5-template-share",
        cell="T5",
        title=gettext_lazy("Services built on shared templates"),
        method=gettext_lazy(
            "Share of published services created from a regional or national template "
            "rather than from scratch."
        ),
        unit="share",
        compute=compute_template_share,
        app="catalog",
        better=None,
    ),
    Indicator(
        key="catalog-t5-overrides",
        cell="T5",
        title=gettext_lazy("Local changes per templated service"),
        method=gettext_lazy(
            "Mean number of template fields and form questions that each published templated "
            "service changes, adds or removes; a high number means a template that does not fit."
        ),
        unit="fields",
        compute=compute_overrides,
        app="catalog",
        better=None,
    ),
    Indicator(
        key="catalog-s4-traced-fields",
        cell="S4",
        title=gettext_lazy("Form fields traced to a provision or policy need"),
        method=gettext_lazy(
            "Share of the questions citizens answer on published services that are traced to a "
            "provision or a stated policy need; the rows list the fields traced to neither."
        ),
        unit="share",
        compute=compute_traced_fields,
        app="catalog",
        better="higher",
    ),
]
