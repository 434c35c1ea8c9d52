"""Every page each demo role can reach answers below 500.

A breadth-first crawl of the demo region, per role (Montalto's five staff roles, the region's
service manager, a citizen and an anonymous visitor), over every same-site link and every GET
form with its default values (and each option of its selects), from the home page and the staff
area. A few URLs of each pattern are visited, so every kind of page is reached in seconds.

On PostgreSQL (CI's second run) one URL of each pattern and of each query pattern: what the
engine changes is each view's SQL, the same for every URL of a pattern; the breadth over the
demo's objects is covered by the SQLite run. (It keeps CI within its 45 minutes.)
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.demo_site import client_for, crawl, demo_personas, demo_region, starts_for  # noqa: F401

ROLES = [
    "administrator",
    "service_manager",
    "officer",
    "supervisor",
    "data_steward",
    "region_service_manager",
    "citizen",
    "anonymous",
]


@pytest.mark.parametrize("role", ROLES)
def test_every_reachable_page_answers_below_500(demo_region, db, role, capsys):  # noqa: F811
    user = demo_personas()[role]
    breadth = {"per_pattern": 1, "per_query_pattern": 1} if connection.vendor != "sqlite" else {}
    result = crawl(client_for(user), starts_for(role), **breadth)
    with capsys.disabled():
        print(f"\ncrawl {role}: {len(result.visits)} pages, {len(result.routes)} URL patterns")
    assert result.visits and not result.failures, [(v.url, v.status) for v in result.failures]
    # Every reachable pattern was visited: the crawl did not stop at its safety net.
    assert not result.cut_short, f"the crawl stopped at {len(result.visits)} pages"
    # Following a link never writes: a GET that changes state would be a bug of its own.
    assert not result.writes_on_get
