"""Computing the forecasts: a stored run with its rows, an alert for a week outside the interval
forecast for it and none for a week inside, never twice for one service and week, e-mailed to
the service's managers once the write commits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from insieme.core.models import AuditEntry
from insieme.forecasts import actions, method
from insieme.forecasts.models import Alert, Run, ServiceForecast, Trigger, Week
from tests.forecasts.conftest import LAST_WEEK, NOW


def test_a_run_stores_every_service_with_its_weeks(steady):
    run = actions.compute(steady.administration, trigger=Trigger.COMMAND, now=NOW)
    assert run.last_week == LAST_WEEK
    row = ServiceForecast.objects.get(run=run)
    assert row.service == steady
    assert row.history_weeks == 20
    assert (
        row.recent
        == [20, 23, 18, 21, 19, 22, 17, 20, 24, 19, 21, 18, 22, 20, 19, 23, 18, 21, 20, 22][-12:]
    )
    assert row.baseline_kind == method.LAST  # twenty weeks: no season to repeat
    # Origins at weeks 12..19 (eight, MIN_WEEKS first): 8 + 7 + ... + 1 forecast weeks.
    assert row.backtested == 36 == run.backtested
    weeks = list(Week.objects.filter(forecast=row).order_by("week"))
    assert [w.week.isoformat() for w in weeks][:2] == ["2026-03-02", "2026-03-09"]
    assert len(weeks) == 8
    assert all(w.low < 20.5 < w.high for w in weeks)
    assert AuditEntry.objects.filter(action="forecast.compute").count() == 1


def test_a_week_outside_the_interval_raises_one_alert(
    steady, surge, carla, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.compute(surge.administration, trigger=Trigger.COMMAND, now=NOW)
    alert = Alert.objects.get()  # the steady service's last week (22) is inside: no alert
    assert alert.service == surge
    assert alert.week == LAST_WEEK
    assert alert.actual == 60
    assert alert.direction == "above"
    assert alert.low < alert.expected < alert.high < 60
    assert alert.run == run
    # Carla manages the services of Montalto: she is told, once.
    assert [m.to for m in mail.outbox] == [[carla.email]]
    assert "Verde pubblico" in mail.outbox[0].subject
    assert f"?service={surge.pk}" in mail.outbox[0].body


def test_computing_again_the_same_week_raises_no_second_alert(
    surge, carla, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.compute(surge.administration, trigger=Trigger.COMMAND, now=NOW)
        actions.compute(surge.administration, trigger=Trigger.WORKER, now=NOW)
    assert Alert.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Run.objects.count() == 2


def test_the_database_refuses_a_second_alert_for_a_service_and_week(surge):
    actions.compute(surge.administration, trigger=Trigger.COMMAND, now=NOW)
    first = Alert.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            administration=first.administration,
            service=first.service,
            week=first.week,
            expected=1,
            low=0,
            high=2,
            actual=5,
            direction="above",
        )


def test_a_drop_raises_an_alert_below(montalto):
    from tests.forecasts.conftest import STEADY, fill, make_service

    service = make_service(montalto, "luci", "Illuminazione")
    fill(service, STEADY[:-1] + [2])
    actions.compute(montalto, trigger=Trigger.COMMAND, now=NOW)
    assert Alert.objects.get().direction == "below"


def test_outside():
    assert actions.outside(10, 5, 9) == "above"
    assert actions.outside(4, 5, 9) == "below"
    assert actions.outside(5, 5, 9) == actions.outside(9, 5, 9) == ""


def test_managers_of_a_department_are_told_before_the_others(montalto, surge, carla):
    from insieme.core.models import Department, Membership
    from insieme.core.permissions import Role
    from tests.conftest import make_staff

    parks = Department.objects.create(administration=montalto, name="Parchi")
    surge.department = parks
    surge.save(update_fields=["department"])
    assert actions.managers_of(surge) == [carla]  # nobody manages the department: everyone
    gino = make_staff(montalto, Role.SERVICE_MANAGER, "gino@montalto.example", "Gino")
    Membership.objects.filter(user=gino).update(department=parks)
    assert actions.managers_of(surge) == [gino]
    gino.contact_channel = "none"
    gino.save(update_fields=["contact_channel"])
    assert actions.managers_of(surge) == [carla]


def test_old_runs_are_deleted_and_alerts_kept(surge, monkeypatch):
    monkeypatch.setattr(actions, "KEEP_RUNS", 2)
    for _ in range(3):
        actions.compute(surge.administration, trigger=Trigger.COMMAND, now=NOW)
    assert Run.objects.count() == 2
    assert Alert.objects.count() == 1


def test_a_service_with_too_little_history_is_not_forecast(montalto):
    from tests.forecasts.conftest import fill, make_service

    service = make_service(montalto)
    fill(service, [5] * (method.MIN_WEEKS - 1))
    run = actions.compute(montalto, trigger=Trigger.COMMAND, now=NOW)
    assert run.services.count() == 0
    assert run.model_mae is None
