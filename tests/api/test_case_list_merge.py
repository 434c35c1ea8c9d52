"""The staff case list reads each way a case reaches a person through its own index and merges
the pages (insieme.api.pagination.MergedCursorPagination): the pages must hold exactly what the
single OR query (insieme.api.access.readable_cases) orders, forwards and backwards, with filters,
in a fixed number of queries whatever the number of cases."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insieme.api import access
from insieme.api.auth import Caller
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.handling import assignment
from insieme.cases.models import Case
from insieme.catalog import actions as catalog_actions
from insieme.core import actions as core_actions
from insieme.core.permissions import Role
from tests.api.conftest import file_case
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def _service(admin, code, department):
    return catalog_actions.create_service(
        None,
        admin,
        code=code,
        name=code.title(),
        kind="report",
        located=False,
        anonymous_allowed=True,
        channels=["web", "api"],
        department=department,
    )


@pytest.fixture
def world(cat, montalto, lights, charlie):
    """ugo works in Roads (officer) and Parks (supervisor). Besides the two departments' cases
    he sees a Water case shared with Parks, a Museum case handed to Roads, a Water case
    assigned to him and a Museum case he filed himself; he never sees the other Water and
    Museum cases."""
    parks = core_actions.create_department(None, montalto, name="Parks", code="parks")
    water = core_actions.create_department(None, montalto, name="Water", code="water")
    museum = core_actions.create_department(None, montalto, name="Museum", code="museum")
    ugo = make_staff(
        montalto, Role.OFFICER, "ugo@montalto.example", "Ugo", department=cat.department
    )
    core_actions.add_membership(None, montalto, ugo, role=Role.SUPERVISOR, department=parks)
    services = {
        "roads": lights,
        "parks": _service(montalto, "benches", parks),
        "water": _service(montalto, "leaks", water),
        "museum": _service(montalto, "exhibits", museum),
    }
    cases = {name: [] for name in services}
    for i in range(4):
        for name, service in services.items():
            extra = {"answers": {"colour": "white"}} if name == "roads" else {"answers": {}}
            cases[name].append(file_case(charlie, service, description=f"{name} {i}", **extra))
    assignment.share_case(None, cases["water"][0], parks)
    assignment.hand_off(None, cases["museum"][1], cat.department, reason="Lights inside")
    assignment.assign(None, cases["water"][2], ugo)
    handling_actions.change_status(None, cases["roads"][3], "resolved")
    own, _ = filing_actions.submit_case(
        ugo, filing_actions.Filing(services["museum"], description="I filed this")
    )
    # Ties across branches and within one: the cursor must order them by id, lose none and
    # repeat none.
    tied = [cases["roads"][0], cases["roads"][1], cases["parks"][2], cases["water"][0], own]
    moment = cases["museum"][3].submitted_at
    Case.objects.filter(pk__in=[c.pk for c in tied]).update(submitted_at=moment, updated_at=moment)
    return ugo, cases, own


def _walk(client, url: str) -> tuple[list[str], list[str]]:
    """References page by page to the end, then back again by the previous links."""
    forwards, pages = [], []
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 3
        pages.append(body)
        forwards += [c["reference"] for c in body["results"]]
        url = body["next"]
    backwards = [c["reference"] for c in reversed(pages[-1]["results"])]
    url = pages[-1]["previous"]
    while url:
        body = client.get(url).json()
        backwards += [c["reference"] for c in reversed(body["results"])]
        url = body["previous"]
    return forwards, backwards[::-1]


@pytest.mark.parametrize("ordering", ["-submitted_at", "submitted_at", "-updated_at", "updated_at"])
@pytest.mark.parametrize("query", ["", "&status=submitted", "&open=false", "&service_code=leaks"])
def test_pages_hold_what_the_single_query_orders(api, world, ordering, query):
    ugo, cases, own = world
    expected = list(
        access.readable_cases(Caller(user=ugo, key=None, address="127.0.0.1"))
        .filter(**_filters(query))
        .order_by(ordering, ordering.replace(ordering.lstrip("-"), "pk"))
        .values_list("reference", flat=True)
    )
    forwards, backwards = _walk(
        api(user=ugo), f"/api/v1/cases/?page_size=3&ordering={ordering}{query}"
    )
    assert forwards == expected
    assert backwards == expected
    if not query:
        hidden = {cases["water"][1].reference, cases["museum"][0].reference}
        assert own.reference in forwards and not hidden & set(forwards)
        assert len(forwards) == 4 + 4 + 3 + 1  # roads, parks, shared/handed/assigned, own


def _filters(query: str) -> dict:
    return {
        "": {},
        "&status=submitted": {"status": "submitted"},
        "&open=false": {"status": "resolved"},
        "&service_code=leaks": {"service__code": "leaks"},
    }[query]


def test_a_page_costs_the_same_queries_whatever_the_cases(api, world, lights, charlie):
    ugo, _cases, _own = world
    client = api(user=ugo)
    url = "/api/v1/cases/?page_size=3"
    client.get(url)  # warm the per-person caches the first request fills

    def queries(target: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        return len(ctx.captured_queries)

    first, later = queries(url), queries(client.get(url).json()["next"])
    for i in range(20):
        file_case(charlie, lights, description=f"more {i}", answers={"colour": "white"})
    assert queries(url) == first
    assert queries(client.get(url).json()["next"]) == later == first


def _b64(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _b64({}),
        _b64({"v": "noon", "p": 1}),
        _b64({"v": "2026-01-01T00:00:00", "p": 1}),  # naive
        _b64({"v": "9999-12-31T23:59:59-23:59", "p": 1}),  # past year 9999 in UTC
        _b64({"v": "2026-01-01T00:00:00+00:00", "p": 10**20}),
        _b64({"v": "2026-01-01T00:00:00+00:00", "p": -1}),
        _b64({"v": ["x"], "p": "1"}),
        _b64([1, 2]),
        _b64(b"\xff\xfe"),
        "not base64 at all!",
        "%ff%fe",
    ],
)
def test_a_bad_cursor_is_a_400(api, world, cursor):
    ugo, _cases, _own = world
    response = api(user=ugo).get("/api/v1/cases/", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
