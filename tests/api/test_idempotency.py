"""Idempotency-Key: a retried POST creates nothing and returns the first answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from insieme.api.models import IdempotencyRecord
from insieme.api.tasks import purge_idempotency
from insieme.cases.models import Case
from tests.api.test_cases import new_case_body

pytestmark = pytest.mark.django_db


def post(client, body, key):
    return client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_retry_returns_the_first_answer_and_creates_once(api, make_key, montalto, lights):
    client = api(key=make_key(montalto, "cases:write"))
    first = post(client, new_case_body(lights), "order-1")
    second = post(client, new_case_body(lights), "order-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_same_key_different_body_is_a_conflict(api, make_key, montalto, lights):
    client = api(key=make_key(montalto, "cases:write"))
    assert post(client, new_case_body(lights), "order-1").status_code == 201
    other = post(client, new_case_body(lights, description="Something else"), "order-1")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_keys_are_per_caller(api, make_key, montalto, lights, charlie):
    one = api(key=make_key(montalto, "cases:write"))
    two = api(key=make_key(montalto, "cases:write"))
    citizen = api(user=charlie)
    responses = [post(c, new_case_body(lights), "same") for c in (one, two, citizen)]
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert len({r.json()["reference"] for r in responses}) == 3


def test_a_request_still_in_flight_is_not_run_twice(api, make_key, montalto, lights):
    """The record is committed before the write: a concurrent twin meets it and creates nothing."""
    from insieme.core.models import ApiKey

    raw = make_key(montalto, "cases:write")
    key = ApiKey.objects.get(key_hash=ApiKey.hash_secret(raw))
    client = api(key=raw)
    first = post(client, new_case_body(lights), "twin")
    record = IdempotencyRecord.objects.get(caller=f"key:{key.pk}", key="twin")
    record.key = "twin-2"  # the same request, still being handled by another process
    record.status_code = None
    record.save()
    twin = post(client, new_case_body(lights), "twin-2")
    assert twin.status_code == 409
    assert twin.json()["error"]["code"] == "idempotency_in_progress"
    assert Case.objects.count() == 1 and first.status_code == 201


def test_unique_constraint_guards_the_record(db):
    from django.db import IntegrityError, transaction

    expires = timezone.now() + timedelta(hours=1)
    fields = {"caller": "key:1", "key": "k", "method": "POST", "path": "/", "fingerprint": "f"}
    IdempotencyRecord.objects.create(expires_at=expires, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyRecord.objects.create(expires_at=expires, **fields)


def test_validation_errors_are_replayed_too(api, make_key, montalto, lights):
    client = api(key=make_key(montalto, "cases:write"))
    body = new_case_body(lights, answers={"colour": "purple"})
    first = post(client, body, "bad")
    second = post(client, body, "bad")
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()


def test_expired_records_are_forgotten_yet_the_case_is_not_filed_twice(
    api, make_key, montalto, lights
):
    client = api(key=make_key(montalto, "cases:write"))
    first = post(client, new_case_body(lights), "old")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_idempotency() == 1  # the hourly task (beat)
    # The cases' own duplicate guard (a per-caller key on the case) still answers.
    late = post(client, new_case_body(lights), "old")
    assert late.status_code == 200
    assert late.json()["reference"] == first.json()["reference"]
    assert Case.objects.count() == 1


def test_rating_post_is_idempotent(api, bob, charlie, charlie_case):
    from insieme.cases.handling import actions as handling_actions

    handling_actions.change_status(bob, charlie_case, "resolved")
    client = api(user=charlie)
    url = f"/api/v1/cases/montalto/{charlie_case.reference}/rating/"
    first = client.post(url, {"score": 5}, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    again = client.post(url, {"score": 5}, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
