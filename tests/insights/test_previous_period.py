"""Each indicator shows the previous period's value (issue 14): the same method over the
`period_days` days before, from the records as they are now; a state (open cases now, the
catalogue as it is) says it has no earlier period. Hand-made data with known answers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from insieme.cases.models import Case
from insieme.core.registry import (
    Indicator,
    IndicatorResult,
    Scope,
    indicators,
    register_indicator,
)
from insieme.insights import scorecard
from tests.cases.conftest import filed_case  # noqa: F401  (fixture)
from tests.catalog.conftest import cat  # noqa: F401  (fixture)

DAY = dt.date(2026, 10, 20)


def _days_since_epoch(scope: Scope) -> IndicatorResult:
    value = float((scope.today - dt.date(2026, 1, 1)).days)
    return IndicatorResult(value=value, display=f"{value:.0f} days")


@pytest.fixture
def dial():
    """A D4 indicator that reads a 30-day period and measures the scope's day itself."""
    key = "test-previous-dial"
    found = Indicator(
        key=key,
        cell="D4",
        title="Dial",
        method="Days since 1 January 2026.",
        unit="days",
        compute=_days_since_epoch,
        better="lower",
        period_days=30,
    )
    register_indicator(found)
    yield found
    indicators.unregister(key)


def test_the_previous_value_is_the_same_method_as_of_the_period_before(dial):
    scope = Scope(administration_ids=(1,), today=DAY)
    view = scorecard.compute(dial, scope)
    assert view.result.value == 292
    assert view.previous.value == 262  # 30 days earlier
    assert view.change == "worse"  # it rose, and lower is better


def test_a_state_has_no_previous_value(montalto):
    load = indicators.get("cases-i3-load")
    assert load.period_days is None
    view = scorecard.compute(load, Scope.of(montalto))
    assert view.previous is None and view.change == ""


def test_every_windowed_indicator_declares_its_period():
    # Those of the cases app read 30, 90 or 365 days; the states are named here.
    states = {"cases-i3-load", "cases-i3-overload", "cases-i3-fairness"}
    for found in indicators:
        if found.key.startswith("cases-"):
            assert (found.period_days is None) == (found.key in states), found.key
            assert found.period_days in (None, 30, 90, 365), found.key


def test_interactions_now_and_the_30_days_before(filed_case):  # noqa: F811
    # D1 counts cases filed in the last 30 days: one 3 days ago, two 40 and 45 days ago.
    admin = filed_case.administration
    scope = dataclasses.replace(Scope.of(admin), today=DAY)
    noon = dt.time(12, tzinfo=scope.zone)
    Case.objects.filter(pk=filed_case.pk).update(
        submitted_at=dt.datetime.combine(DAY - dt.timedelta(days=3), noon)
    )
    for days_ago in (40, 45):
        twin = Case.objects.get(pk=filed_case.pk)
        twin.pk = None
        twin.reference = f"{twin.reference}-{days_ago}"
        twin.submitted_at = dt.datetime.combine(DAY - dt.timedelta(days=days_ago), noon)
        twin.save()
    view = scorecard.compute(indicators.get("cases-d1-interactions"), scope)
    assert view.result.value == 1
    assert view.previous.value == 2
    assert view.change == ""  # a volume: neither direction is better


def test_the_page_and_the_api_show_it(dial, persona_client, alice, montalto):
    page = persona_client(alice).get("/staff/montalto/scorecard/?scope=self")
    html = page.content.decode()
    assert 'id="previous-test-previous-dial"' in html
    assert "The 30 days before:" in html
    assert "A state as of today: it has no earlier period to compare." in html
    api = persona_client(alice).get("/api/v1/scorecard/", {"administration": "montalto"})
    assert api.status_code == 200
    found = next(
        i for c in api.json()["cells"] for i in c["indicators"] if i["key"] == "test-previous-dial"
    )
    assert found["period_days"] == 30
    assert found["value"] - found["previous_value"] == 30
    assert found["change"] == "worse"
    load = next(
        i for c in api.json()["cells"] for i in c["indicators"] if i["key"] == "cases-i3-load"
    )
    assert load["period_days"] is None and load["previous_value"] is None
