"""Every write of the forecasts: computing an administration's forecasts (a run, its service
forecasts and weeks, and the alerts of the last complete week) and acknowledging an alert.

    compute(administration, *, trigger, now=None) -> Run       # the system: command, worker, demo
    acknowledge(actor, alert, *, now=None) -> Alert           # needs forecasts:forecast:read

The fitting happens before the transaction (numpy, a moment per service); the transaction writes
the run, its rows and the alerts, appends the audit entries, and e-mails each new alert to the
service's managers once it commits. An alert is never made twice for one service and week: the
unique constraint refuses the second, and whoever lost the race leaves it be (no second e-mail).
Runs beyond the latest KEEP_RUNS of an administration are deleted (the alerts stay).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.catalog.models import Service
from insieme.core import audit, notify
from insieme.core.access import require_perm
from insieme.core.models import Administration, Membership, User, today_in
from insieme.core.permissions import Perm, Role
from insieme.forecasts import demand, method
from insieme.forecasts.models import Alert, Direction, Run, ServiceForecast, Week

RECENT_WEEKS = 12
KEEP_RUNS = 30


def parameters() -> dict:
    return {
        "method": "damped-trend exponential smoothing (ETS A,Ad,N; A,Ad,A from two seasons)",
        "level": method.LEVEL,
        "horizon": method.HORIZON,
        "origins": method.ORIGINS,
        "season": method.SEASON,
        "min_weeks": method.MIN_WEEKS,
    }


@dataclass
class Fitted:
    """What one service's computation found, before anything is written."""

    service_id: int
    counts: list[int]
    fit: method.Fit
    ahead: method.Forecast
    test: method.BackTest


def fit_service(service_id: int, counts: list[int]) -> Fitted:
    fit = method.fit(counts)
    return Fitted(service_id, counts, fit, method.forecast(fit), method.back_test(counts))


def _pooled(fitted: list[Fitted]) -> dict:
    model = [abs(e) for f in fitted for e in f.test.model_errors]
    baseline = [abs(e) for f in fitted for e in f.test.baseline_errors]
    covered = sum(f.test.covered for f in fitted)
    return {
        "model_mae": sum(model) / len(model) if model else None,
        "baseline_mae": sum(baseline) / len(baseline) if baseline else None,
        "backtested": len(model),
        "coverage": covered / len(model) if model else None,
    }


def _service_row(run: Run, f: Fitted) -> ServiceForecast:
    test = f.test
    return ServiceForecast(
        run=run,
        service_id=f.service_id,
        history_weeks=len(f.counts),
        recent=f.counts[-RECENT_WEEKS:],
        alpha=f.fit.alpha,
        beta=f.fit.beta,
        phi=f.fit.phi,
        gamma=f.fit.gamma,
        seasonal=f.fit.seasonal,
        baseline_kind=test.baseline_kind,
        model_mae=test.model_mae,
        baseline_mae=test.baseline_mae,
        model_mase=test.mase(test.model_mae),
        baseline_mase=test.mase(test.baseline_mae),
        backtested=test.n,
        coverage=test.coverage,
    )


def outside(actual: float, low: float, high: float) -> str:
    """The alert's direction, or "" when `actual` is inside [low, high]."""
    if actual > high:
        return Direction.ABOVE
    if actual < low:
        return Direction.BELOW
    return ""


def compute(administration: Administration, *, trigger: str, now=None) -> Run:
    """Fit every service with at least method.MIN_WEEKS complete weeks, store the run, and raise
    an alert for each service whose last complete week fell outside the interval forecast for it
    from the weeks before (the back test's last origin: the forecast a run one week earlier made)."""
    now = now or timezone.now()
    started = time.perf_counter()
    last_week = demand.last_complete_week(today_in(administration, now))
    series = demand.weekly_counts(administration, last_week)
    fitted = [
        fit_service(service_id, counts)
        for service_id, (_start, counts) in sorted(series.items())
        if len(counts) >= method.MIN_WEEKS
    ]
    with transaction.atomic():
        run = Run.objects.create(
            administration=administration,
            computed_at=now,
            as_of=today_in(administration, now),
            last_week=last_week,
            trigger=trigger,
            parameters=parameters(),
            **_pooled(fitted),
        )
        rows = ServiceForecast.objects.bulk_create([_service_row(run, f) for f in fitted])
        Week.objects.bulk_create(
            Week(
                forecast=row,
                week=last_week + dt.timedelta(weeks=k + 1),
                expected=float(f.ahead.expected[k]),
                low=float(f.ahead.low[k]),
                high=float(f.ahead.high[k]),
            )
            for row, f in zip(rows, fitted, strict=True)
            for k in range(method.HORIZON)
        )
        alerts = _raise_alerts(run, fitted, now)
        run.seconds = time.perf_counter() - started
        run.save(update_fields=["seconds"])
        audit.record(
            actor=None,
            action="forecast.compute",
            obj=run,
            after={
                "trigger": trigger,
                "last_week": last_week,
                "services": len(fitted),
                "alerts": [a.pk for a in alerts],
            },
            administration=administration,
        )
        stale = Run.objects.filter(administration=administration).values_list("pk", flat=True)
        Run.objects.filter(pk__in=list(stale[KEEP_RUNS:])).delete()
    return run


def _raise_alerts(run: Run, fitted: list[Fitted], now) -> list[Alert]:
    made = []
    for f in fitted:
        if f.test.last_step is None:
            continue
        expected, low, high = f.test.last_step
        actual = f.counts[-1]
        direction = outside(actual, low, high)
        if not direction:
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    administration=run.administration,
                    service_id=f.service_id,
                    week=run.last_week,
                    expected=expected,
                    low=low,
                    high=high,
                    actual=actual,
                    direction=direction,
                    run=run,
                    created_at=now,
                )
        except IntegrityError:
            continue  # already raised for this service and week
        made.append(alert)
        _tell_managers(alert)
    return made


def managers_of(service: Service) -> list[User]:
    """The active service managers of the service's department, or of the whole administration
    when the department has none (or the service none), who take notifications."""
    memberships = Membership.objects.filter(
        administration_id=service.administration_id,
        role=Role.SERVICE_MANAGER,
        is_active=True,
        user__is_active=True,
    ).exclude(user__contact_channel=User.ContactChannel.NONE)
    if service.department_id:
        same = memberships.filter(department_id=service.department_id)
        if same.exists():
            memberships = same
    users = {m.user_id: m.user for m in memberships.select_related("user").order_by("user_id")}
    return list(users.values())


def _tell_managers(alert: Alert) -> None:
    from django.urls import reverse

    service = Service.objects.select_related("administration").get(pk=alert.service_id)
    url = notify.absolute_url(
        reverse("forecasts:staff_page", args=[service.administration.slug])
        + f"?service={service.pk}"
    )
    for user in managers_of(service):
        notify.send_templated_email(
            user, "forecasts_alert", {"alert": alert, "service": service, "url": url}
        )


def acknowledge(actor, alert: Alert, *, now=None) -> Alert:
    """Mark an open alert as seen by `actor`. An alert acknowledged already is refused."""
    require_perm(actor, Perm.FORECAST_READ, alert.administration_id)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError(_("This alert has already been acknowledged."))
        locked.acknowledged_by = actor if isinstance(actor, User) else None
        locked.acknowledged_at = now
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit.record(
            actor=actor,
            action="forecast.alert_acknowledge",
            obj=locked,
            before={"acknowledged_at": None},
            after=audit.snapshot(locked, ["acknowledged_by", "acknowledged_at"]),
            administration=alert.administration,
        )
    alert.acknowledged_by, alert.acknowledged_at = locked.acknowledged_by, locked.acknowledged_at
    return alert


def forecastable():
    """The administrations that have cases, in a stable order."""
    from insieme.cases.models import Case

    ids = Case.objects.values_list("administration_id", flat=True).distinct().order_by()
    return Administration.objects.filter(pk__in=ids).order_by("pk")
