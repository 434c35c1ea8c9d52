"""The cases app's D1, D2 and S2 indicators on the demo equal values recomputed here from rows."""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo

import pytest
from django.db import transaction
from django.test import override_settings

from insieme.cases.models import Case, CaseEvent, Follower, Handoff, Rating
from insieme.core.models import Administration, today_in
from insieme.core.registry import Scope, indicators
from tests.conftest import sign_in
from tests.demo.conftest import run_demo

ROME = zoneinfo.ZoneInfo("Europe/Rome")
KEYS = [
    "cases-d1-interactions",
    "cases-d2-complete",
    "cases-d2-duplicates",
    "cases-s2-form-time",
    "cases-s2-acknowledge",
    "cases-s2-resolve",
]


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo with 1,200 requests, loaded once for the module and rolled back after it."""
    folder = tmp_path_factory.mktemp("case-indicators")
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(
            MEDIA_ROOT=folder / "media",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        run_demo(folder, requests=1200)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def scope(_demo, db):
    admin = Administration.objects.get(slug="lago-verde")
    return Scope(administration_ids=(admin.pk,), today=today_in(admin))


def bounds(today, days, back=0):
    end = dt.datetime.combine(today + dt.timedelta(days=1 - back * days), dt.time(), tzinfo=ROME)
    return end - dt.timedelta(days=days), end


def test_registered():
    assert set(KEYS) <= set(indicators.keys())
    assert {indicators.get(k).cell for k in KEYS} == {"D1", "D2", "S2"}


def test_values_match_rows(scope):
    aid = scope.administration_ids[0]
    got = {k: indicators.get(k).compute(scope) for k in KEYS}
    start, end = bounds(scope.today, 30)

    def inside(t):
        return start.astimezone(dt.UTC) <= t < end.astimezone(dt.UTC)

    cases = [c for c in Case.objects.filter(administration_id=aid) if inside(c.submitted_at)]
    follows = [f for f in Follower.objects.filter(case__administration_id=aid, me_too=True)]
    follows = [f for f in follows if inside(f.created_at)]
    ratings = [
        r for r in Rating.objects.filter(case__administration_id=aid) if inside(r.created_at)
    ]
    answers = [
        e
        for e in CaseEvent.objects.filter(case__administration_id=aid, kind="info_provided")
        if inside(e.created_at)
    ]
    total = len(cases) + len(follows) + len(ratings) + len(answers)
    people = {("u", c.submitted_by_id) for c in cases if c.submitted_by_id}
    people |= {
        ("e", c.contact_email.lower()) for c in cases if not c.submitted_by_id and c.contact_email
    }
    people |= {("u", x.user_id) for x in [*follows, *ratings] if x.user_id}
    people |= {("u", e.actor_id) for e in answers if e.actor_id}
    assert total > 0
    assert got["cases-d1-interactions"].value == total
    assert got["cases-d1-interactions"].denominator == len(people)

    start90, end90 = bounds(scope.today, 90)
    recent = [
        c
        for c in Case.objects.filter(administration_id=aid)
        if start90.astimezone(dt.UTC) <= c.submitted_at < end90.astimezone(dt.UTC)
    ]
    withdrawn = set(
        CaseEvent.objects.filter(case__administration_id=aid, kind="withdrawn").values_list(
            "case_id", flat=True
        )
    )
    moved = set(
        Handoff.objects.filter(case__administration_id=aid, state="accepted").values_list(
            "case_id", flat=True
        )
    )
    opened = [
        c
        for c in recent
        if c.status != "submitted"
        and not (c.status == "closed" and c.acknowledged_at is None and c.pk in withdrawn)
    ]
    as_filed = [
        c
        for c in opened
        if c.complete_at_submission
        and not c.info_requests
        and c.status != "duplicate"
        and not c.duplicate_of_id
        and c.pk not in moved
    ]
    dups = sum(1 for c in recent if c.status == "duplicate" or c.duplicate_of_id)
    assert 0 < len(opened) < len(recent) and 0 < len(as_filed) < len(opened)
    assert got["cases-d2-complete"].value == pytest.approx(len(as_filed) / len(opened))
    asked = sum(1 for c in opened if c.info_requests)
    assert len(as_filed) + asked < len(opened)  # not T4 turned round (issue 14, item 5)
    assert got["cases-d2-duplicates"].value == pytest.approx(dups / len(recent))
    assert 0 < dups < len(recent)

    forms = [c.form_seconds for c in recent if c.form_seconds is not None]
    assert got["cases-s2-form-time"].value == pytest.approx(statistics.median(forms))

    every = list(Case.objects.filter(administration_id=aid))
    lo, hi = start90.astimezone(dt.UTC), end90.astimezone(dt.UTC)
    ack = [
        (c.acknowledged_at - c.submitted_at).total_seconds() / 3600
        for c in every
        if c.acknowledged_at and lo <= c.acknowledged_at < hi
    ]
    res = [
        (c.resolved_at - c.submitted_at).total_seconds() / 86400
        for c in every
        if c.resolved_at and lo <= c.resolved_at < hi
    ]
    assert got["cases-s2-acknowledge"].value == pytest.approx(statistics.median(ack))
    assert got["cases-s2-resolve"].value == pytest.approx(statistics.median(res))
    assert got["cases-s2-resolve"].denominator == len(res)


def test_scorecard_page_shows_them(scope, client):
    from django.urls import reverse

    from insieme.core.models import Membership
    from insieme.core.permissions import Role

    admin = Administration.objects.get(pk=scope.administration_ids[0])
    user = Membership.objects.filter(administration=admin, role=Role.ADMINISTRATOR).first().user
    sign_in(client, user)
    html = client.get(reverse("scorecard", kwargs={"admin_slug": admin.slug})).content.decode()
    for key in KEYS:
        assert f'id="value-{key}"' in html
    value = indicators.get("cases-d1-interactions").compute(scope).value
    assert f'id="value-cases-d1-interactions" value="{value}' in html
