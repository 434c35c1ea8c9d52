"""The benchmark's baseline is fair: the bare view runs the same query and returns the same rows
as the Open311 page; and it exists only in the benchmark's server."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from insieme.cases.filing import actions as filing_actions
from insieme.open311 import bench
from tests.open311.conftest import BASE, INSIDE_MONTALTO

pytestmark = pytest.mark.django_db


def test_bare_view_returns_the_same_rows(client, world):
    for _ in range(3):
        filing_actions.submit_case(
            None,
            filing_actions.Filing(
                world.realtime, answers={"size": "small"}, channel="api", **INSIDE_MONTALTO
            ),
        )
    request = RequestFactory().get("/", {"jurisdiction_id": "montalto", "page_size": "2"})
    bare = json.loads(bench.bare_requests(request).content)
    ours = client.get(f"{BASE}requests.json?jurisdiction_id=montalto&page_size=2").json()
    assert [row["reference"] for row in bare] == [r["service_request_id"] for r in ours]
    assert len(bare) == 2


def test_bare_view_is_not_mounted_outside_the_benchmark(client, db):
    response = client.get(f"{BASE}bench/bare-requests.json?jurisdiction_id=montalto")
    assert response.status_code == 404
