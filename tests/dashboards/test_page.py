"""The dashboards page: who may read it, what each filter narrows, the region-wide view, bad
input answered 400, the CSV guarded, and a number of queries that does not grow with the cases."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insieme.cases.models import Case, Rating, TimeLog
from insieme.dashboards import panels
from insieme.participation.models import Comment, Idea, Support
from tests.conftest import make_user, sign_in
from tests.dashboards.conftest import PERIOD, at, make_case

URL = "/staff/montalto/dashboards/"


def weekly(client, slug="montalto", **params) -> list[int]:
    response = client.get(
        reverse("dashboards:page", args=[slug]),
        {**PERIOD, **params, "format": "csv", "panel": "demand-weekly"},
    )
    assert response.status_code == 200, response.content[:800]
    return [int(r[1]) for r in list(csv.reader(io.StringIO(response.content.decode())))[1:]]


# --- who may read it ---------------------------------------------------------------------


def test_every_panel_is_a_figure_with_sentence_table_and_csv(client, insight, elena):
    sign_in(client, elena)  # a data steward holds dashboards:dashboard:read
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    keys = [p.key for p in panels.ordered()]
    assert len(keys) == 19
    for key in keys:
        assert f'<figure class="dashboard-panel mb-5" id="panel-{key}"' in html
        assert f'id="table-{key}"' in html and f'id="caption-{key}"' in html
        assert f"format=csv&amp;panel={key}" in html
        assert f'<script id="chart-{key}" type="application/json">' in html
        assert f"/staff/montalto/dashboards/{key}.csv?" in html
    assert '<th scope="col">Week beginning</th>' in html
    assert "<details open" in html
    assert 'style="' not in html.split("<main", 1)[1]  # the CSP forbids inline styles


@pytest.mark.parametrize("who", ["alice", "carla", "dario", "elena"])
def test_the_roles_that_read_the_scorecard_read_the_dashboards(client, known, who, request):
    sign_in(client, request.getfixturevalue(who))
    assert client.get(URL).status_code == 200


def test_an_officer_without_the_permission_gets_403(client, known, bob):
    sign_in(client, bob)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "backlog.csv").status_code == 403


def test_a_citizen_and_another_administrations_staff_get_404(client, known, charlie, oscar):
    sign_in(client, charlie)
    assert client.get(URL).status_code == 404
    sign_in(client, oscar)
    assert client.get(URL).status_code == 404
    assert client.get(URL + "backlog.csv").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, known):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_links_to_the_map_of_hotspots_with_the_filters_they_share(client, known, dario):
    sign_in(client, dario)
    html = client.get(
        URL, {**PERIOD, "channel": "web", "area": f"{known.a.administration_id}:Borgo"}
    )
    link = html.content.decode().split('id="hotspots-link"', 1)[0].rsplit("<a ", 1)[1]
    assert (
        'href="/staff/montalto/hotspots/?start=2026-02-02&amp;end=2026-03-01&amp;channel=web"'
        in link
    )
    assert client.get("/staff/montalto/hotspots/?start=2026-02-02&channel=web").status_code == 200


def test_no_link_to_the_map_without_the_permission_to_read_it(client, known, dario, monkeypatch):
    from insieme.core.permissions import ROLE_PERMISSIONS, Perm, Role

    reduced = ROLE_PERMISSIONS[Role.SUPERVISOR] - {Perm.HOTSPOT_READ}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.SUPERVISOR, reduced)
    sign_in(client, dario)
    html = client.get(URL).content.decode()
    assert "Dashboards" in html and 'id="hotspots-link"' not in html


def test_the_staff_dashboard_links_to_it(client, known, dario, bob):
    sign_in(client, dario)
    assert URL in client.get("/staff/montalto/").content.decode()
    sign_in(client, bob)
    assert URL not in client.get("/staff/montalto/").content.decode()


# --- filters ------------------------------------------------------------------------------


def test_by_default_the_last_90_days(client, known, dario):
    sign_in(client, dario)
    html = client.get(URL).content.decode()
    # 3 March 2026 in Rome and the 89 days before it.
    assert "(90 days)" in html and "from Dec. 4, 2025 to March 3, 2026 (90 days)" in html


def test_each_filter_narrows(client, known, dario):
    sign_in(client, dario)
    assert weekly(client) == [1, 1, 1, 0]
    assert weekly(client, channel="phone") == [0, 0, 1, 0]
    assert weekly(client, department=known.roads.pk) == [1, 1, 0, 0]
    assert weekly(client, area=f"{known.a.administration_id}:Borgo") == [1, 0, 0, 0]
    assert weekly(client, service=known.cat.pothole.pk) == [1, 1, 1, 0]
    assert weekly(client, start="2026-02-09", end="2026-02-15") == [1]


def test_region_wide_together_and_by_member(client, known, rita):
    sign_in(client, rita)  # the region's service manager reaches its municipalities
    assert weekly(client, "valdoro") == [1, 2, 1, 0]  # E of Lago Verde with Montalto's
    assert weekly(client, "valdoro", member="lago-verde") == [0, 1, 0, 0]
    assert weekly(client, "valdoro", member="montalto") == [1, 1, 1, 0]
    assert weekly(client, "valdoro", service=known.cat.lv_service.pk) == [0, 1, 0, 0]
    html = client.get("/staff/valdoro/dashboards/").content.decode()
    assert 'name="member"' in html


def test_a_municipality_has_no_member_filter(client, known, dario):
    sign_in(client, dario)
    assert 'name="member"' not in client.get(URL).content.decode()


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"end": "2026-01-01", "start": "2026-02-01"}, "ends before it starts"),
        ({"start": "99999-01-01"}, "Enter a valid date"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "at most 1098 days"),
        ({"start": "2020-01-01"}, "at most 1098 days"),
        ({"channel": "fax"}, "no such channel"),
        ({"department": "999999"}, "no such department"),
        ({"department": "9" * 30}, "no such department"),
        ({"area": "nowhere"}, "no such area"),
        ({"member": "lago-verde"}, ""),  # not a member of Montalto's view: no such field
        ({"format": "pdf"}, "format=csv"),
        ({"format": "csv", "panel": "nope"}, "no such panel"),
        ({"format": "csv"}, "no such panel"),
        ({"channel": "web\x01"}, ""),
    ],
)
def test_impossible_values_answer_400(client, known, dario, params, message):
    sign_in(client, dario)
    response = client.get(URL, params)
    if params == {"member": "lago-verde"}:
        assert response.status_code == 200  # an unknown parameter is ignored
        return
    assert response.status_code == 400
    assert message in response.content.decode()


def test_another_administrations_service_or_department_is_refused(client, known, dario):
    sign_in(client, dario)
    for params in (
        {"service": known.cat.lv_service.pk},
        {"department": known.cat.lv_department.pk},
    ):
        response = client.get(URL, params)
        assert response.status_code == 400
        assert "no such" in response.content.decode()


def test_an_unknown_panels_own_csv_is_404(client, known, dario):
    sign_in(client, dario)
    assert client.get(URL + "nope.csv").status_code == 404
    assert client.get(URL + "backlog.csv", {"start": "2026-13-01"}).status_code == 400


# --- CSV ----------------------------------------------------------------------------------


def test_a_panels_own_csv_address_gives_the_same_file(client, known, dario):
    sign_in(client, dario)
    own = client.get(URL + "backlog.csv", PERIOD)
    inline = client.get(URL, {**PERIOD, "format": "csv", "panel": "backlog"})
    assert own.status_code == 200 and own.content == inline.content
    assert "dashboard-montalto-backlog-2026-02-02-2026-03-01.csv" in own["Content-Disposition"]


@pytest.mark.parametrize("key", [p.key for p in panels.ordered()])
def test_every_panels_csv_has_the_tables_rows_with_raw_numbers(client, insight, dario, key):
    sign_in(client, dario)
    own = client.get(URL + f"{key}.csv", PERIOD)
    inline = client.get(URL, {**PERIOD, "format": "csv", "panel": key})
    assert own.status_code == 200 and own.content == inline.content
    assert f"dashboard-montalto-{key}-2026-02-02-2026-03-01.csv" in own["Content-Disposition"]
    english = list(csv.reader(io.StringIO(own.content.decode())))
    client.cookies["django_language"] = "it"
    italian = client.get(URL + f"{key}.csv", PERIOD, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    italian = list(csv.reader(io.StringIO(italian)))
    assert len(english) == len(italian) and len(english) > 1
    for row_en, row_it in zip(english[1:], italian[1:], strict=True):
        assert len(row_en) == len(english[0])
        for a, b in zip(row_en, row_it, strict=True):
            if a.replace(".", "", 1).lstrip("-").isdigit():
                assert b == a  # a number is written the same in every language


def test_csv_text_is_kept_from_spreadsheet_formulas(client, known, dario):
    known.parks.name = "=HYPERLINK(1)"
    known.parks.save(update_fields=["name"])
    sign_in(client, dario)
    text = client.get(URL + "handoffs.csv", PERIOD).content.decode()
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text


def test_csv_numbers_are_raw_in_italian_too(client, known, dario):
    sign_in(client, dario)
    client.cookies["django_language"] = "it"
    text = client.get(URL + "channels.csv", PERIOD, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "66.7" in text and "66,7" not in text


# --- queries ------------------------------------------------------------------------------


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, PERIOD).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_cases(client, insight, dario):
    sign_in(client, dario)
    page_queries(client)  # warm the session and the caches
    few = page_queries(client)
    known = insight
    idea = Idea.objects.filter(process=known.p1).first()
    for n in range(40):
        when = at(2026, 2, 3 + n % 20, n % 24, 0)
        case = make_case(
            known.a.administration,
            [known.cat.pothole, known.lighting][n % 2],
            when,
            100 + n,
            channel=["web", "phone", "app"][n % 3],
            department=known.roads,
            acknowledged_at=at(2026, 2, 25, 0, 0),
            resolve_due_at=at(2026, 2, 20, 0, 0),
            info_requests=n % 2,
            staff_minutes=n,
        )
        TimeLog.objects.create(case=case, minutes=n, channel=case.channel, created_at=when)
        Rating.objects.create(case=case, score=1 + n % 5, created_at=when)
        person = make_user(f"p{n}@example.org", f"Person {n}")
        Idea.objects.create(
            process=[known.p1, known.p2][n % 2],
            title="I",
            body="B",
            author=person,
            created_at=when,
        )
        Support.objects.create(idea=idea, user=person, created_at=when)
        Comment.objects.create(
            administration=known.a.administration,
            idea=idea,
            author=person,
            body="C",
            created_at=when,
        )
    assert Case.objects.count() > 40
    # The first load reads the new cases into the rollups: a few queries per batch of cases.
    assert page_queries(client) <= few + 8
    assert page_queries(client) == few
    assert few < 60
