"""Staff screens of the demand forecasts: the page (per service, the recent actuals, the next
weeks with their intervals, the back-tested errors of the model beside the seasonal-naive
baseline, a sentence saying it plainly, and the open alerts), its CSV, and acknowledging an
alert. Everything is read from the latest stored run: nothing is fitted here.

Reading and acknowledging need `forecasts:forecast:read` (404 outside the person's
administrations, 403 without the permission); `?service=` with an id that is not a service of
the run is a 400.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from insieme.core.csvsafe import neutralise
from insieme.forecasts import access, actions, method
from insieme.forecasts.forms import ServiceFilterForm
from insieme.forecasts.models import Alert, Run, ServiceForecast, Week

MAX_DETAIL = 300  # the improvement item's "what the insight says"
SPARK_WIDTH, SPARK_HEIGHT = 160, 40


@dataclass
class Shown:
    """One service's part of the page."""

    row: ServiceForecast
    actuals: list[tuple[dt.date, int]]
    weeks: list[Week]
    sentence: str
    spark_actual: str
    spark_expected: str
    spark_band: str


def latest_run(admin) -> Run | None:
    return Run.objects.filter(administration=admin).first()


def _services(run: Run | None) -> list[ServiceForecast]:
    if run is None:
        return []
    return list(
        run.services.select_related("service").prefetch_related(
            Prefetch("weeks", queryset=Week.objects.order_by("week"))
        )
    )


def _round(value: float) -> int:
    return int(round(value))


def sentence(row: ServiceForecast, weeks: list[Week]) -> str:
    """The forecast in a sentence a manager reads at a glance."""
    expected = _round(sum(w.expected for w in weeks) / len(weeks))
    values = {
        "n": expected,
        "weeks": len(weeks),
        "low": _round(min(w.low for w in weeks)),
        "high": _round(max(w.high for w in weeks)),
    }
    head = (
        ngettext(
            "Expect about %(n)d request a week for the next %(weeks)d weeks, between %(low)d and "
            "%(high)d",
            "Expect about %(n)d requests a week for the next %(weeks)d weeks, between %(low)d and "
            "%(high)d",
            expected,
        )
        % values
    )
    if row.model_mae is None:
        return head + "."
    errors = {"model": f"{row.model_mae:.1f}", "baseline": f"{row.baseline_mae:.1f}"}
    if row.baseline_kind == method.SEASONAL:
        tail = _(
            "the forecast has erred by %(model)s a week, against %(baseline)s for repeating "
            "last season."
        )
    else:
        tail = _(
            "the forecast has erred by %(model)s a week, against %(baseline)s for repeating "
            "last week (there is not yet a whole season to repeat)."
        )
    return f"{head}; {tail % errors}"


def _points(values: list[float], top: float, first: int, total: int) -> str:
    step = SPARK_WIDTH / max(total - 1, 1)
    return " ".join(
        f"{(first + i) * step:.1f},{SPARK_HEIGHT - 2 - v / top * (SPARK_HEIGHT - 4):.1f}"
        for i, v in enumerate(values)
    )


def _shown(run: Run, row: ServiceForecast) -> Shown:
    weeks = list(row.weeks.all())
    recent = row.recent
    actuals = [
        (run.last_week - dt.timedelta(weeks=len(recent) - 1 - i), n) for i, n in enumerate(recent)
    ]
    top = max([*recent, *(w.high for w in weeks), 1])
    total = len(recent) + len(weeks)
    last = len(recent) - 1
    # The forecast line starts from the last actual, so that the two lines join.
    expected = [recent[-1], *(w.expected for w in weeks)] if recent else []
    band_points = _points([w.high for w in weeks], top, last + 1, total).split() + list(
        reversed(_points([w.low for w in weeks], top, last + 1, total).split())
    )
    return Shown(
        row=row,
        actuals=actuals,
        weeks=weeks,
        sentence=sentence(row, weeks) if weeks else "",
        spark_actual=_points(recent, top, 0, total),
        spark_expected=_points(expected, top, last, total) if weeks else "",
        spark_band=" ".join(band_points),
    )


def alert_detail(alert: Alert) -> str:
    """What the improvement item's "what the insight says" starts with (at most MAX_DETAIL)."""
    text = _(
        "%(service)s: %(actual)d requests in the week of %(week)s, against %(expected)d "
        "expected (between %(low)d and %(high)d)."
    ) % {
        "service": alert.service.i18n.name,
        "actual": alert.actual,
        "week": date_format(alert.week, "SHORT_DATE_FORMAT"),
        "expected": _round(alert.expected),
        "low": _round(alert.low),
        "high": _round(alert.high),
    }
    return text[:MAX_DETAIL]


def _open_alerts(admin, service_id: int | None) -> list[Alert]:
    alerts = Alert.objects.filter(administration=admin, acknowledged_at__isnull=True)
    if service_id is not None:
        alerts = alerts.filter(service_id=service_id)
    found = list(alerts.select_related("service").order_by("-week", "service__name", "pk")[:100])
    for alert in found:
        alert.detail = alert_detail(alert)
    return found


def _filter(request, run) -> tuple[ServiceFilterForm, list[ServiceForecast], int | None]:
    rows = _services(run)
    form = ServiceFilterForm(
        request.GET if "service" in request.GET else None, services=[r.service for r in rows]
    )
    chosen = form.service_id()
    if chosen is not None:
        rows = [r for r in rows if r.service_id == chosen]
    return form, rows, chosen


def _render(request, admin, *, status: int = 200, error: str = "") -> HttpResponse:
    run = latest_run(admin)
    form, rows, chosen = _filter(request, run)
    bad = form.is_bound and bool(form.errors)
    return render(
        request,
        "forecasts/staff/page.html",
        {
            "administration": admin,
            "run": run,
            "form": form,
            "shown": [] if bad else [_shown(run, r) for r in rows],
            "alerts": [] if bad else _open_alerts(admin, chosen),
            "chosen": chosen,
            "may_open_items": access.may_open_items(request.user, admin),
            "level": round(method.LEVEL * 100),
            "error": error,
        },
        status=400 if bad else status,
    )


@login_required
@require_GET
@never_cache
def page(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.get_staff_administration(request.user, admin_slug)
    return _render(request, admin)


CSV_COLUMNS = [
    "service_code",
    "service_name",
    "week",
    "kind",
    "requests",
    "low",
    "high",
    "model_mae",
    "baseline_mae",
    "baseline_kind",
    "computed_at",
]


@login_required
@require_GET
@never_cache
def download(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Every week shown: the recent actuals ("actual") and the forecasts ("forecast"), raw
    numbers (the interval of an actual is empty)."""
    admin = access.get_staff_administration(request.user, admin_slug)
    run = latest_run(admin)
    form, rows, _chosen = _filter(request, run)
    if form.is_bound and form.errors:
        return HttpResponse(
            "; ".join(str(e) for e in form.errors.get("service", [])),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        shown = _shown(run, row)
        service = [neutralise(row.service.code), neutralise(row.service.name)]
        errors = [row.model_mae, row.baseline_mae, row.baseline_kind, run.computed_at.isoformat()]
        for week, n in shown.actuals:
            writer.writerow([*service, week.isoformat(), "actual", n, "", "", *errors])
        for w in shown.weeks:
            writer.writerow(
                [*service, w.week.isoformat(), "forecast", w.expected, w.low, w.high, *errors]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="forecasts-{admin.slug}.csv"'
    return response


@login_required
@require_POST
def acknowledge(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, alert = access.get_staff_alert(request.user, admin_slug, pk)
    try:
        actions.acknowledge(request.user, alert)
    except ValidationError as exc:
        return _render(request, admin, status=400, error=" ".join(exc.messages))
    messages.success(request, _("The alert is acknowledged."))
    return redirect(reverse("forecasts:staff_page", args=[admin.slug]) + "#alerts")
