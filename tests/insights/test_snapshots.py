"""Scorecard snapshots (insieme.insights.snapshots): a page reads the indicators computed ahead
while they are young enough, shows the same page as when it computes them, and computes them
again once they are too old; the worker's refresh stores every default scope in every language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from insieme.catalog import actions as catalog_actions
from insieme.core.figures import Figure
from insieme.core.models import Administration, Membership, today_in
from insieme.core.permissions import Role
from insieme.core.registry import IndicatorResult, Scope, indicators
from insieme.insights import snapshots
from insieme.insights.models import Snapshot, Threshold
from insieme.insights.tasks import refresh_scorecards
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

KEY = "catalog-s4-traced-fields"  # a state of the catalogue: easy to change in a test


def new_service(admin, code: str = "holes"):
    return catalog_actions.create_service(
        None,
        admin,
        code=code,
        name="Holes",
        channels=["web"],
        staff_minutes={"web": 5},
        attributes=[{"code": "q1", "datatype": "string", "label": "Where?", "order": 1}],
    )


@pytest.fixture
def on(settings):
    settings.INSIEME_SCORECARD_MAX_AGE = 900


def page(client, slug: str, language: str = "en") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("scorecard", args=[slug]))
    assert response.status_code == 200
    return response.content.decode()


def value_of(html: str, key: str) -> tuple[str, str, str]:
    """(value, numerator, denominator) the page shows for indicator `key`."""
    match = re.search(
        rf'<data id="value-{re.escape(key)}" value="([^"]*)"\s+data-numerator="([^"]*)"\s+'
        rf'data-denominator="([^"]*)"',
        html,
    )
    assert match, key
    return match.groups()


def comparable(html: str) -> str:
    """The page without what differs between two renderings of the same figures: when they were
    computed, and the form tokens."""
    html = re.sub(r'<p[^>]*id="computed-at".*?</p>', "", html, flags=re.S)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# --- the payload -----------------------------------------------------------------------------

cells = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(Decimal)
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.builds(
        lambda n: Figure(f"{n}%", n),
        st.decimals(allow_nan=False, allow_infinity=False, places=1),
    ),
    lambda children: st.lists(children, max_size=3),
    max_leaves=10,
)


@given(st.lists(st.lists(cells, max_size=5), max_size=5), cells)
def test_a_result_comes_back_as_it_was_stored(rows, numerator):
    result = IndicatorResult(
        value=0.5, display="50%", numerator=numerator, columns=["a", "b"], rows=rows, note="n"
    )
    back = snapshots.decode_result(snapshots.encode_result(result))
    assert back == result
    for stored, read in zip(rows, back.rows, strict=True):
        for a, b in zip(stored, read, strict=True):
            assert type(a) is type(b) or isinstance(a, tuple)
            if isinstance(a, Figure):
                assert a.number == b.number


def test_a_snapshot_keeps_the_rows_a_page_shows_and_how_many_there_are():
    from insieme.insights.scorecard import ROW_LIMIT, IndicatorView

    result = IndicatorResult(value=1, display="1", rows=[[i] for i in range(120)])
    back = snapshots.decode_result(snapshots.encode_result(result, ROW_LIMIT))
    assert back.rows == [[i] for i in range(ROW_LIMIT)] and back.row_count == 120
    view = IndicatorView(indicator=indicators.get(KEY), result=back)
    assert view.truncated and view.total_rows == 120 and len(view.shown_rows) == ROW_LIMIT
    few = IndicatorResult(value=1, display="1", rows=[[1], [2]])
    back = snapshots.decode_result(snapshots.encode_result(few, ROW_LIMIT))
    assert back == few and back.row_count is None


def test_no_result_stays_none():
    assert snapshots.decode_result(snapshots.encode_result(None)) is None


# --- the page ----------------------------------------------------------------------------------


def test_young_snapshot_is_read_old_one_computed_again(on, client, alice, montalto):
    sign_in(client, alice)
    first = page(client, "montalto")
    assert Snapshot.objects.count() == 1
    assert 'id="computed-at"' in first and "computed again every 5 minutes" in first
    assert value_of(first, KEY)[2] == "0"
    # The catalogue changes: within the snapshot's age the page still shows what it stored.
    new_service(montalto)
    assert value_of(page(client, "montalto"), KEY)[2] == "0"
    # Too old: computed again, with the change.
    Snapshot.objects.update(computed_at=timezone.now() - timedelta(seconds=901))
    assert value_of(page(client, "montalto"), KEY) == ("0.0", "0", "1")
    assert Snapshot.objects.count() == 1  # the same snapshot, renewed


def test_without_snapshots_every_page_computes(settings, client, alice, montalto):
    settings.INSIEME_SCORECARD_MAX_AGE = 0
    sign_in(client, alice)
    html = page(client, "montalto")
    assert not Snapshot.objects.exists()
    assert "computed again every" not in html  # nothing is renewed: it is computed now


def test_each_language_has_its_own(on, client, alice, montalto):
    sign_in(client, alice)
    page(client, "montalto", "en")
    italian = page(client, "montalto", "it")
    assert set(Snapshot.objects.values_list("language", flat=True)) == {"en", "it"}
    assert "Dati calcolati alle" in italian
    assert "Dati calcolati alle" in page(client, "montalto", "it")  # read back in Italian


def test_a_changed_threshold_shows_at_once(on, client, alice, montalto):
    new_service(montalto)
    sign_in(client, alice)
    assert "Challenge present" not in page(client, "montalto")
    value = indicators.get("catalog-t3-stale-basis")
    assert value.better == "lower"
    Threshold.objects.create(
        administration=montalto,
        indicator_key=value.key,
        realised=-1,
        challenge=-0.5,
        updated_at=timezone.now(),
    )
    html = page(client, "montalto")
    assert "Challenge present" in html  # judged when the page is drawn, not stored


def test_a_new_indicator_is_computed_even_with_a_young_snapshot(on, client, alice, montalto):
    sign_in(client, alice)
    page(client, "montalto")
    stored = Snapshot.objects.get()
    payload = stored.payload
    payload.pop(KEY)
    Snapshot.objects.filter(pk=stored.pk).update(payload=payload)
    html = page(client, "montalto")
    assert f'id="value-{KEY}"' in html
    assert KEY in Snapshot.objects.get().payload


def test_a_snapshot_page_runs_far_fewer_queries(
    on, client, alice, montalto, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, alice)
    with CaptureQueriesContext(connection) as computing:
        page(client, "montalto")
    with CaptureQueriesContext(connection) as reading:
        page(client, "montalto")
    # Reading: the session, the person, the scope, thresholds, the surveys and the snapshot.
    assert len(reading) < len(computing) / 3, (len(reading), len(computing))


# --- on the demo: the same page, and the worker's refresh ------------------------------------


def test_the_demo_page_is_the_same_read_or_computed(settings, loaded_demo, client):
    admin = Administration.objects.get(slug="montalto")
    user = Membership.objects.filter(administration=admin, role=Role.ADMINISTRATOR).first().user
    sign_in(client, user)
    computed = page(client, admin.slug)  # snapshots off: computed
    settings.INSIEME_SCORECARD_MAX_AGE = 900
    page(client, admin.slug)  # computed and stored
    assert Snapshot.objects.count() == 1
    read = page(client, admin.slug)  # read back
    assert comparable(read) == comparable(computed)
    # And the CSV of the rows behind an indicator is computed from the records, as before.
    csv = client.get(reverse("scorecard", args=[admin.slug]), {"csv": "cases-s2-resolve"})
    assert csv.status_code == 200


def test_the_worker_refreshes_every_default_scope_in_every_language(settings, loaded_demo):
    settings.INSIEME_SCORECARD_MAX_AGE = 900
    Snapshot.objects.create(
        key="old",
        administration_ids="1",
        day=date(2001, 1, 1),
        language="en",
        payload={},
        computed_at=datetime(2001, 1, 1, tzinfo=UTC),
        seconds=1,
    )
    admins = list(Administration.objects.all())
    hosts = [a for a in admins if Administration.objects.filter(parent=a).exists()]
    stored = refresh_scorecards()
    assert stored == (len(admins) + len(hosts)) * len(settings.LANGUAGES)
    assert Snapshot.objects.count() == stored  # the old one is gone
    region = Administration.objects.get(slug="valdoro")
    everything = {a.pk for a in admins if a.pk == region.pk or a.parent_id == region.pk}
    covered = {tuple(s.administration_ids.split(",")) for s in Snapshot.objects.all()}
    assert tuple(str(i) for i in sorted(everything)) in covered
    # The page of a municipality's administrator reads its snapshot, not the records.
    scope = Scope.of(admins[0])
    with_snapshot = snapshots.results(scope, indicators)
    assert with_snapshot.from_snapshot
    assert scope.today == today_in(admins[0])


def test_the_worker_does_nothing_without_snapshots(settings, montalto):
    settings.INSIEME_SCORECARD_MAX_AGE = 0
    assert refresh_scorecards() == 0
    assert not Snapshot.objects.exists()


# --- the benchmarks ------------------------------------------------------------------------------


def test_duckdb_computes_the_same_counts_as_the_database(loaded_demo, tmp_path):
    """The DuckDB baseline of make bench aggregates the same cases: per channel over the period
    and open cases per department equal what the ORM counts."""
    import zoneinfo

    import duckdb
    from django.db.models import Count

    from insieme.cases.models import OPEN_STATUSES, Case
    from insieme.insights import bench_duckdb as bd

    region = Administration.objects.get(slug="valdoro")
    ids = [region.pk, *Administration.objects.filter(parent=region).values_list("pk", flat=True)]
    zone = zoneinfo.ZoneInfo(region.timezone)
    parquet, n = bd._export(ids, zone, tmp_path)
    cases = Case.objects.filter(administration_id__in=ids)
    assert n == cases.count() > 1000
    end_day = today_in(region) + timedelta(days=1)
    end = datetime.combine(end_day, datetime.min.time())
    start = end - timedelta(days=90)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW cases AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608
    rows = con.execute(
        bd.DASHBOARD_QUERIES[3], {"start": start, "before": start - timedelta(days=90), "end": end}
    ).fetchall()
    now = cases.filter(
        submitted_at__gte=start.replace(tzinfo=zone), submitted_at__lt=end.replace(tzinfo=zone)
    )
    expected = dict(now.values_list("channel").annotate(n=Count("pk")))
    assert {channel: count for channel, count, _before in rows if count} == expected
    # The same figures as the rollups give the counting panels: requests per week.
    weekly = con.execute(bd.COUNTING_QUERIES[0], {"start": start, "end": end}).fetchall()
    counted = bd._counting_panels(region)()[0]
    assert {week.date(): n for week, n in weekly} == {w: n for w, n in counted.rows if n}
    open_rows = con.execute(bd.SCORECARD_QUERIES[-1]).fetchall()
    opened = cases.filter(status__in=OPEN_STATUSES)
    assert dict(open_rows) == dict(
        opened.values_list("department_id").annotate(n=Count("pk")).order_by()
    )
    # The other tables the page reads: the time entries and ratings as the panels count them.
    for table, path in bd._export_related(ids, zone, tmp_path).items():
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")  # noqa: S608
    params = {"start": start, "end": end}
    cost = {
        channel: (cases_, minutes)
        for channel, cases_, minutes, _euros in con.execute(
            bd.DASHBOARD_QUERIES[9], params
        ).fetchall()
    }
    from insieme.cases.models import Channel
    from insieme.dashboards import filters as dash_filters
    from insieme.dashboards import panels
    from insieme.insights.scorecard import hosted_by

    form = dash_filters.FilterForm({}, members=[region, *hosted_by(region)], areas=[])
    assert form.is_valid()
    filters = dash_filters.build(form, region)
    panel = panels.get("cost-per-case").compute(filters)
    labels = {str(Channel(c).label): c for c in Channel.values}
    shown = {labels[r[0]]: (r[1], r[2]) for r in panel.rows[:-1] if r[1]}
    assert cost and cost == shown
    rated = con.execute(bd.DASHBOARD_QUERIES[10], params).fetchall()
    satisfaction = panels.get("satisfaction").compute(filters)
    assert sum(r[1] for r in rated) == sum(r[2] for r in satisfaction.rows) > 0


def test_the_benchmarks_print_well_formed_lines(loaded_demo):
    from insieme.insights import bench, bench_duckdb

    lines = bench.run("small") + bench_duckdb.run("small")
    names = [line.name for line in lines]
    assert "scorecard-refresh" in names and "scorecard-page-valdoro" in names
    assert "scorecard-snapshot-vs-duckdb-memory" in names
    assert "dashboards-page-vs-duckdb-parquet" in names
    assert "dashboards-rollups-vs-duckdb-memory" in names
    for line in lines:
        text = line.format()
        assert re.fullmatch(r"bench \S+ value=\S+ unit=\S+( baseline=\S+ ratio=\S+)? n=\d+", text)
        assert line.value > 0
    assert not Snapshot.objects.exists()  # the benchmark leaves none behind


# --- the command ---------------------------------------------------------------------------------


def test_the_timings_name_every_indicator_and_the_total(montalto):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("scorecard", "timings", "montalto", "--scope", "self", stdout=out)
    lines = out.getvalue().splitlines()
    assert {line.split()[2] for line in lines[:-1]} == set(indicators.keys())
    assert re.fullmatch(
        r"total \d+\.\d\d s for Comune di Montalto \(\d+ indicators, .*\)", lines[-1]
    )


def test_the_timings_refuse_an_unknown_administration(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No administration 'nowhere'"):
        call_command("scorecard", "timings", "nowhere")


def test_refresh_stores_or_says_snapshots_are_off(settings, montalto):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("scorecard", "refresh", stdout=out)
    assert "Snapshots are off" in out.getvalue() and not Snapshot.objects.exists()
    settings.INSIEME_SCORECARD_MAX_AGE = 900
    call_command("scorecard", "refresh", stdout=out)
    assert Snapshot.objects.count() >= 2 * len(settings.LANGUAGES)  # region (self, hosted), ...
    assert "snapshots stored in" in out.getvalue()
