"""On the demo region: the page answers for the region's administrator (every panel computed
over the region and its municipalities), the benchmark prints its line, and the panels of cost,
satisfaction, data quality, the catalogue and participation show sensible values."""

from __future__ import annotations

import json
import re

from django.db.models import Count, Sum

from insieme.cases.models import Case
from insieme.core.models import Administration, Membership
from insieme.core.permissions import Role
from insieme.core.registry import benchmarks
from insieme.dashboards import filters as dash_filters
from insieme.dashboards import panels, rollups
from insieme.dashboards.models import CaseDay
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)


def test_the_benchmark_measures_the_page_on_the_demo(loaded_demo):  # noqa: F811
    lines = benchmarks.get("dashboards.page").run("small")
    assert [line.name for line in lines] == ["dashboards-page", "dashboards-rollup-write"]
    for line in lines:
        print(line.format())
        assert re.fullmatch(
            rf"bench {line.name} value=\S+ unit=ms baseline=\S+ ratio=\S+ n=\d+", line.format()
        )
    assert lines[0].n > 1000  # the region's cases
    assert lines[1].n == 200
    assert not Case.objects.filter(reference__startswith="BENCH-").exists()  # rolled back


def test_the_demo_builds_rollups_that_agree_with_its_cases(loaded_demo):  # noqa: F811
    truth = json.loads(loaded_demo.ground_truth.read_text())["rollups"]
    for admin in Administration.objects.all():
        assert rollups.check(admin) == [], admin.slug
    filed = dict(
        CaseDay.objects.values_list("administration__slug").annotate(n=Sum("filed")).order_by()
    )
    counted = dict(
        Case.objects.values_list("administration__slug").annotate(n=Count("id")).order_by()
    )
    assert filed == counted == truth


LATER = (
    "cost-per-case",
    "burden",
    "satisfaction",
    "satisfaction-gap",
    "data-quality",
    "regulations",
    "templates",
    "ideas-monthly",
    "participants",
)


def _region_filters():
    region = Administration.objects.get(kind=Administration.Kind.REGION)
    member = Membership.objects.filter(
        administration=region, role=Role.ADMINISTRATOR, is_active=True
    ).first()
    members = dash_filters.members_for(member.user, region)
    form = dash_filters.FilterForm({}, members=members, areas=[])
    assert form.is_valid()
    return dash_filters.build(form, region)


def test_the_later_panels_show_sensible_values_on_the_demo(loaded_demo):  # noqa: F811
    filters = _region_filters()  # the region and its three municipalities, the last 90 days
    data = {key: panels.get(key).compute(filters) for key in LATER}
    for key, found in data.items():
        print(key, "::", found.sentence)
        assert found.rows and found.sentence, key

    cost = {r[0]: r for r in data["cost-per-case"].rows}
    assert cost["All channels"][1] > 100  # cases with logged time
    assert 1 < cost["All channels"][5] < 100  # EUR per case
    assert cost["Counter"][5] > cost["Web"][5]  # the cost model's premise: the web is cheaper

    burden = data["burden"].rows
    assert all(r[4] > 0 and r[5] >= 0 for r in burden)  # every service asks citizens' time
    assert sum(r[2] for r in burden) > 500

    satisfaction = data["satisfaction"].rows
    assert sum(r[2] for r in satisfaction) > 50
    assert all(1 <= r[3] <= 5 for r in satisfaction)
    together = data["satisfaction-gap"].rows[-1]
    assert together[0] == "All together" and together[1] > 50
    assert together[6] is not None and -100 <= together[7] <= 100  # the demo's survey counts

    quality = data["data-quality"].rows
    assert all(r[3] <= r[2] and r[4] <= r[3] and r[6] <= r[3] for r in quality)
    filed, as_filed = sum(r[2] for r in quality), sum(r[4] for r in quality)
    assert 0 < as_filed < filed and sum(r[8] for r in quality) > 0  # real duplicates

    stale = data["regulations"].rows
    assert any(r[3] == "Overdue for review" and r[4] > 0 for r in stale)

    templates = data["templates"].rows
    on_templates = [r for r in templates if r[3] is not None]
    assert len(on_templates) > len(templates) / 2 and any(r[3] for r in on_templates)

    months = data["ideas-monthly"].rows
    assert all(sum(r[i] for r in months) > 0 for i in (1, 2, 3, 5, 6))  # every author type
    people = data["participants"].rows
    assert all(r[8] == sum(r[5:8]) for r in people) and sum(r[8] for r in people) > 50
