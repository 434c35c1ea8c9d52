"""The T1 indicators on small hand-made data with known answers, each with its previous period
(the same method as of 90 days before) where it reads one."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from insieme.cases.models import Case
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.core.models import User
from insieme.core.registry import Scope, indicators
from insieme.insights import scorecard
from insieme.tailoring.models import PrefillRecord
from tests.conftest import make_user
from tests.tailoring.conftest import file_application

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 20)
LOCAL_VARIANTS = "tailoring-t1-local-variants"
PREFERENCES = "tailoring-t1-preferences"
PREFILL_RATE = "tailoring-t1-prefill-rate"


def _scope(admin, *members) -> Scope:
    return dataclasses.replace(Scope.of(admin, members or None), today=DAY)


def _at(scope: Scope, days_ago: int) -> dt.datetime:
    return dt.datetime.combine(DAY - dt.timedelta(days=days_ago), dt.time(12), tzinfo=scope.zone)


def _case(user, service, scope, days_ago: int, **columns) -> Case:
    """A case filed through the action, then moved to `days_ago` (and other columns)."""
    answers = {"size": "small"} if service.code == "pothole" else {}
    case = file_application(user, service, address="", answers=answers, description="Buca")
    Case.objects.filter(pk=case.pk).update(submitted_at=_at(scope, days_ago), **columns)
    return Case.objects.get(pk=case.pk)


# --- local variants -----------------------------------------------------------------------------


def test_local_variants_count_the_templated_services_changed_locally(cat, montalto, lagoverde):
    # Montalto: the pothole from the region's template as it is, a noise service from its own
    # template with a local name, and a draft with a change (not published: left out).
    catalog_actions.create_service(
        None,
        montalto,
        template=cat.montalto_template,
        name="Rumore in centro",
        status=Service.Status.PUBLISHED,
    )
    catalog_actions.create_service(
        None,
        montalto,
        template=cat.region_template,
        code="pothole-draft",
        name="Buche (bozza)",
        status=Service.Status.DRAFT,
    )
    # Lago Verde's own published variant counts for Lago Verde only.
    catalog_actions.create_service(
        None,
        lagoverde,
        template=cat.region_template,
        name="Buche sul lungolago",
        status=Service.Status.PUBLISHED,
    )
    indicator = indicators.get(LOCAL_VARIANTS)
    view = scorecard.compute(indicator, _scope(montalto))
    result = view.result
    assert (result.value, result.numerator, result.denominator) == (0.5, 1, 2)
    assert result.display == "50% (1 of 2)"
    assert result.rows[0][:4] == ["Rumore in centro", "Comune di Montalto", "Montalto noise", 1]
    assert "name" in result.rows[0][4]
    assert result.rows[1][3] == 0
    assert view.previous is None and indicator.period_days is None  # a state
    both = indicator.compute(_scope(montalto, montalto, lagoverde))
    assert (both.numerator, both.denominator) == (2, 3)


def test_local_variants_without_templated_services(montalto):
    result = indicators.get(LOCAL_VARIANTS).compute(_scope(montalto))
    assert result.value is None and result.denominator == 0


# --- preferences in use -------------------------------------------------------------------------


def _citizen(email: str, **preferences) -> User:
    user = make_user(email, email.split("@")[0].title())
    User.objects.filter(pk=user.pk).update(**({"preferred_language": "it"} | preferences))
    return User.objects.get(pk=user.pk)


def test_preferences_in_use_among_citizens_who_filed_signed_in(cat, montalto, bob):
    scope = _scope(montalto)
    pothole = cat.pothole
    plain = _citizen("plain@example.org")
    texter = _citizen("texter@example.org", contact_channel=User.ContactChannel.SMS)
    reader = _citizen("reader@example.org", large_text=True, screen_reader=True)
    english = _citizen("english@example.org", preferred_language="en")
    helped = _citizen("helped@example.org", high_contrast=True)
    earlier = _citizen("earlier@example.org", high_contrast=True)
    for user in (plain, texter, reader, english):
        _case(user, pothole, scope, days_ago=10)
    _case(texter, pothole, scope, days_ago=20)  # twice: one person
    _case(helped, pothole, scope, days_ago=5, filed_by=bob)  # staff filed it: left out
    _case(plain, pothole, scope, days_ago=5, submitted_by=None)  # no account: left out
    _case(plain, pothole, scope, days_ago=120)
    _case(earlier, pothole, scope, days_ago=100)
    view = scorecard.compute(indicators.get(PREFERENCES), scope)
    now = view.result
    assert (now.value, now.numerator, now.denominator) == (0.75, 3, 4)
    assert now.display == "75% (3 of 4)"
    counts = {row[0]: row[1] for row in now.rows}
    assert counts["A contact channel other than e-mail"] == 1
    assert counts["A language other than the administration's"] == 1
    assert counts["larger text"] == 1 and counts["I use a screen reader"] == 1
    assert counts["high contrast"] == 0
    assert now.rows[-1] == ["At least one of them", 3, "75%"]
    # The 90 days before: plain (none) and earlier (high contrast).
    assert (view.previous.numerator, view.previous.denominator) == (1, 2)
    assert view.change == "better"


def test_a_language_counts_against_the_administration_it_was_used_with(cat, montalto):
    montalto.locale = "en"
    montalto.save(update_fields=["locale"])
    english = _citizen("english@example.org", preferred_language="en")
    _case(english, cat.pothole, _scope(montalto), days_ago=3)
    result = indicators.get(PREFERENCES).compute(_scope(montalto))
    assert (result.numerator, result.denominator) == (0, 1)


# --- the prefill rate ---------------------------------------------------------------------------


def _record(case: Case, prefillable: int, kept=0, changed=0, cleared=0) -> PrefillRecord:
    return PrefillRecord.objects.create(
        case=case,
        administration_id=case.administration_id,
        service_id=case.service_id,
        filed_at=case.submitted_at,
        prefillable=prefillable,
        offered=kept + changed + cleared,
        kept=kept,
        changed=changed,
        cleared=cleared,
    )


@pytest.fixture
def pickup_service(montalto):
    return catalog_actions.create_service(
        None,
        montalto,
        code="pickup",
        name="Bulky waste pickup",
        kind="application",
        located=False,
        channels=["web", "phone"],
        status=Service.Status.PUBLISHED,
    )


def test_the_prefill_rate_of_web_filings(cat, montalto, pickup_service, charlie, oscar, bob):
    scope = _scope(montalto)
    pothole = cat.pothole
    _record(_case(charlie, pothole, scope, 3), 3, kept=2)
    _record(_case(charlie, pothole, scope, 40), 3, kept=1, changed=1, cleared=1)
    _record(_case(charlie, pickup_service, scope, 80), 8, kept=5, changed=1)
    _case(charlie, pothole, scope, 4, submitted_by=None)  # no account
    _case(charlie, pothole, scope, 6)  # signed in, no offer remembered
    _case(charlie, pickup_service, scope, 6, channel="phone", filed_by=bob)  # not the web
    _record(_case(charlie, pothole, scope, 100), 3, kept=1)  # the period before
    _record(_case(oscar, cat.lv_service, scope, 3), 1, kept=1)  # another administration
    view = scorecard.compute(indicators.get(PREFILL_RATE), scope)
    now = view.result
    assert (now.numerator, now.denominator) == (11, 14)
    assert now.value == pytest.approx(11 / 14)
    assert now.display == "79% (11 of 14)"
    assert now.rows == [
        ["Bulky waste pickup", "Comune di Montalto", 1, 8, 6, "75%", 5, 1, 0, "83%"],
        ["Pothole", "Comune di Montalto", 2, 6, 5, "83%", 3, 1, 1, "60%"],
    ]
    assert now.note == (
        "Left out: 2 of the 5 web filings of the period (1 without an account, the rest "
        "signed in but with no offer remembered)."
    )
    assert (view.previous.numerator, view.previous.denominator) == (1, 3)
    assert view.change == "better"


def test_the_prefill_rate_with_nothing_recorded(montalto):
    result = indicators.get(PREFILL_RATE).compute(_scope(montalto))
    assert result.value is None and result.rows == []


def test_the_t1_indicators_are_registered_with_their_directions():
    found = {i.key: i for i in indicators if i.cell == "T1"}
    assert set(found) == {LOCAL_VARIANTS, PREFERENCES, PREFILL_RATE}
    assert found[LOCAL_VARIANTS].better is None and found[LOCAL_VARIANTS].period_days is None
    assert found[PREFERENCES].better == "higher" and found[PREFERENCES].period_days == 90
    assert found[PREFILL_RATE].better == "higher" and found[PREFILL_RATE].period_days == 90
