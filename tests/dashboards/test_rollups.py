"""The rollups the counting panels read: they agree with the cases counted afresh through every
kind of change (a new case, a new service or channel, a reopening, an ending, a deletion, a bulk
load with old times), and the panels read from them say exactly what they say from the cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insieme.cases.models import Case, Channel, Handoff, Rating, Status, TimeLog
from insieme.dashboards import filters as dash_filters
from insieme.dashboards import panels, rollups
from insieme.dashboards.models import CaseDay, RolledCase, RollupState
from tests.dashboards.conftest import NOW, ROME, H, make_case

COUNTING = (
    "demand-weekly",
    "demand-seasonality",
    "hour-of-week",
    "channels",
    "backlog",
    "data-quality",
    "burden",
    "promises",
    "time-to-acknowledge",
    "time-to-resolve",
    "cost-per-case",
    "satisfaction",
    "satisfaction-gap",
)
STATUSES = list(Status.values)
CHANNELS = list(Channel.values)


def random_time(rng: random.Random) -> dt.datetime:
    """A moment from November 2025 to NOW, often around the change to summer time (29 March
    2026 is after NOW; 26 October 2025 is before: both sides of a DST change are covered) or in
    the last two days."""
    draw = rng.random()
    if draw < 0.2:
        base = dt.datetime(2025, 10, 26, 0, 0, tzinfo=dt.UTC)
        return base + dt.timedelta(minutes=rng.randrange(0, 240))
    if draw < 0.35:  # the last two days: promises falling due today, before and after now
        return NOW - dt.timedelta(minutes=rng.randrange(0, 48 * 60))
    start = dt.datetime(2025, 11, 1, tzinfo=ROME)
    return start + dt.timedelta(seconds=rng.randrange(0, int((NOW - start).total_seconds())))


def random_case(rng, known, n: int) -> Case:
    submitted = random_time(rng)
    status = rng.choice(STATUSES)
    later = submitted + dt.timedelta(hours=rng.randrange(1, 400))
    fields = {
        "channel": rng.choice(CHANNELS),
        "department": rng.choice([None, known.roads, known.parks]),
        "status": status,
        "updated_at": min(later, NOW),
        "info_requests": rng.choice([0, 0, 0, 1, 2]),
        "staff_minutes": rng.randrange(0, 120),
        "complete_at_submission": rng.random() < 0.8,
        # Promised dates, some falling due earlier today (NOW is 10:00), some later today.
        "acknowledge_due_at": submitted + dt.timedelta(hours=rng.choice([4, 24, 48])),
        "resolve_due_at": rng.choice([None, submitted + dt.timedelta(days=rng.randrange(1, 30))]),
    }
    if status != Status.SUBMITTED:
        fields["acknowledged_at"] = submitted + dt.timedelta(
            seconds=rng.choice([3600, 4 * 3600, 86400, rng.randrange(1, 9 * 86400)])
        )
    if rng.random() < 0.7:
        fields["first_public_response_at"] = submitted + dt.timedelta(hours=rng.randrange(1, 72))
    if status == Status.WAITING_CITIZEN:
        fields["sla_paused_at"] = submitted + dt.timedelta(days=rng.randrange(0, 20))
    if status == Status.RESOLVED or rng.random() < 0.2:
        fields["resolved_at"] = later
    if status == Status.CLOSED and rng.random() < 0.5:
        fields["closed_at"] = later + dt.timedelta(days=1)
    service = rng.choice([known.cat.pothole, known.lighting, known.noise])
    case = make_case(service.administration, service, submitted, 1000 + n, **fields)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):  # time logged on it, some of it 0 minutes
        log_time(rng, case, submitted + dt.timedelta(hours=rng.randrange(0, 24 * 40)))
    if status in (Status.RESOLVED, Status.CLOSED) and rng.random() < 0.6:
        rate(rng, case, later + dt.timedelta(hours=rng.randrange(1, 24 * 20)))
    return case


def rate(rng, case: Case, at: dt.datetime) -> None:
    """The citizen's rating, at times a minute either side of midnight in Rome."""
    if rng.random() < 0.3:
        at = at.astimezone(ROME).replace(hour=23, minute=rng.choice([0, 59]))
    Rating.objects.create(case=case, score=rng.randint(1, 5), created_at=min(at, NOW))


def log_time(rng, case: Case, at: dt.datetime) -> None:
    """An entry of staff time, through any channel (a call about a web request), a minute
    before or after midnight at times, so that its day in Rome is not its day in UTC."""
    if rng.random() < 0.3:
        at = at.astimezone(ROME).replace(hour=23, minute=rng.choice([0, 59]))
    TimeLog.objects.create(
        case=case,
        minutes=rng.choice([0, 5, 20, 45, 90]),
        channel=rng.choice(CHANNELS),
        created_at=min(at, NOW),
    )


def change(rng, known, case: Case, n: int) -> None:
    """One change of the kinds a case meets, stamped as the application stamps it."""
    what = rng.randrange(8)
    now = timezone.now()
    if what == 0:
        case.service = rng.choice([known.cat.pothole, known.lighting, known.noise])
    elif what == 1:
        case.channel = rng.choice(CHANNELS)
        case.department = rng.choice([None, known.roads, known.parks])
    elif what == 2:  # reopened
        case.status = Status.IN_PROGRESS
    elif what == 3:  # ended (a duplicate: no resolution time, it ends when last changed)
        case.status = rng.choice([Status.DUPLICATE, Status.RESOLVED, Status.REFUSED])
    elif what == 4:  # staff asked the citizen for more (and so it was not complete)
        case.info_requests += 1
        case.complete_at_submission = False
        case.status = Status.WAITING_CITIZEN
    elif what == 5:  # time logged, and the citizen rates it if they have not
        case.staff_minutes += rng.randrange(1, 90)
        log_time(rng, case, now)
        if not Rating.objects.filter(case=case).exists():
            rate(rng, case, now)
    elif what == 6:  # moved by an accepted hand-off (the Exists of "handled as filed")
        Handoff.objects.create(
            case=case,
            from_department=known.roads,
            to_department=known.parks,
            reason="Parks look after it",
            state=Handoff.State.ACCEPTED,
            created_at=now,
            decided_at=now,
        )
        case.department = known.parks
    else:
        case.delete()
        return
    case.updated_at = now
    case.save()


def assert_agree(admin) -> None:
    assert rollups.check(admin) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollups_agree_with_the_cases_through_every_change(insight, clock, seed):
    known, rng = insight, random.Random(seed)
    admin = known.a.administration
    cases = [random_case(rng, known, n) for n in range(60)]
    assert rollups.catch_up_one(admin) == Case.objects.filter(administration=admin).count()
    assert_agree(admin)
    rolled = RolledCase.objects.filter(administration_id=admin.pk).count()
    assert rolled == Case.objects.filter(administration=admin).count() > len(cases)
    for step in range(3):
        clock.shift(dt.timedelta(minutes=10))
        for n, case in enumerate(rng.sample(cases, 12)):
            if Case.objects.filter(pk=case.pk).exists():
                case.refresh_from_db()
                change(rng, known, case, n)
        # As a bulk load writes them: new cases stamped long ago, found by their ids.
        for n in range(3):
            made = random_case(rng, known, 100 * (step + 1) + n)
            Case.objects.filter(pk=made.pk).update(updated_at=dt.datetime(2025, 11, 2, tzinfo=ROME))
        rollups.catch_up_one(admin)
        assert_agree(admin)


def test_a_change_that_commits_late_is_still_read(known, clock):
    admin = known.a.administration
    rollups.catch_up_one(admin)
    state = RollupState.objects.get(administration=admin)
    # Stamped a minute before the watermark (its transaction committed after the last read).
    Case.objects.filter(pk=known.b.pk).update(
        status=Status.RESOLVED,
        resolved_at=NOW - dt.timedelta(hours=1),
        updated_at=state.watermark - dt.timedelta(minutes=1),
    )
    assert rollups.catch_up_one(admin) >= 1
    assert_agree(admin)


def test_a_deleted_case_takes_back_what_it_added(known, clock):
    admin = known.a.administration
    rollups.catch_up_one(admin)
    before = sum(CaseDay.objects.filter(administration=admin).values_list("filed", flat=True))
    known.c.delete()
    after = sum(CaseDay.objects.filter(administration=admin).values_list("filed", flat=True))
    assert after == before - 1
    assert not RolledCase.objects.filter(case_id=known.c.pk).exists()
    assert_agree(admin)


def catch_up_queries(admin) -> int:
    with CaptureQueriesContext(connection) as ctx:
        rollups.catch_up_one(admin)
    return len(ctx.captured_queries)


def test_catching_up_costs_queries_per_batch_not_per_case(insight, clock):
    known, rng = insight, random.Random(7)
    admin = known.a.administration
    rollups.catch_up_one(admin)
    quiet = catch_up_queries(admin)
    # Nothing changed: the state, the ids of the cases stamped within the margin and of those
    # above the last id, those cases (read again, unchanged), their rolled contributions, their
    # time logs and logged-time rows, and the savepoint around it; nothing written.
    assert quiet <= 9
    clock.shift(dt.timedelta(minutes=10))
    for n in range(10):
        random_case(rng, known, n)
    ten = catch_up_queries(admin)
    clock.shift(dt.timedelta(minutes=10))
    for n in range(50):
        random_case(rng, known, 100 + n)
    fifty = catch_up_queries(admin)
    # The savepoint and its release, the state locked and saved, the changed cases, their rolled
    # contributions, the day rows they touch, their time logs and logged-time rows, and the
    # writes, many rows to a statement (SQLite caps a statement's parameters): never a query
    # per case.
    assert ten <= 17
    assert fifty < 50 / 2
    assert_agree(admin)


def both_ways(filters):
    """Each counting panel computed from the cases and from the rollups."""
    rolled = rollups.prepare(filters)
    assert rolled.rolled
    for key in COUNTING:
        panel = panels.get(key)
        yield key, panel.compute(filters), panel.compute(rolled)


@pytest.mark.parametrize("seed", [4, 5])
def test_the_counting_panels_say_the_same_from_the_rollups(insight, clock, region, seed):
    known, rng = insight, random.Random(seed)
    for n in range(80):
        random_case(rng, known, n)
    for n, case in enumerate(rng.sample(list(Case.objects.all()), 20)):
        change(rng, known, case, n)
    midnight = NOW.replace(hour=0, minute=0)
    due_today = Case.objects.filter(acknowledge_due_at__gte=midnight, acknowledge_due_at__lt=NOW)
    due_later = Case.objects.filter(
        acknowledge_due_at__gte=NOW, acknowledge_due_at__lt=NOW + 14 * H
    )
    assert due_today.exists() and due_later.exists()  # today's promises: judged, and not yet
    admin = known.a.administration
    members = [admin]
    form = dash_filters.FilterForm(
        {"start": "2026-01-05", "end": "2026-03-01"}, members=members, areas=[]
    )
    assert form.is_valid()
    base = dash_filters.build(form, admin)
    variants = [
        base,
        dataclasses.replace(base, service=known.lighting),
        dataclasses.replace(base, department=known.roads),
        dataclasses.replace(base, channel="web"),
        dataclasses.replace(base, first_day=dt.date(2025, 10, 20), last_day=dt.date(2026, 3, 3)),
    ]
    for filters in variants:
        for key, raw, rolled in both_ways(filters):
            if filters is base and key in ("cost-per-case", "satisfaction"):
                assert raw.rows and raw.rows[-1][1], key  # something to compare
            assert rolled.rows == raw.rows, key
            assert rolled.sentence == raw.sentence, key
            assert rolled.chart == raw.chart, key


def test_the_region_reads_its_members_rollups(insight, clock, region, rita):
    known = insight
    members = [region, known.a.administration, known.e.administration]
    form = dash_filters.FilterForm(
        {"start": "2026-02-02", "end": "2026-03-01"}, members=members, areas=[]
    )
    assert form.is_valid()
    filters = dash_filters.build(form, region)
    for key, raw, rolled in both_ways(filters):
        assert rolled.rows == raw.rows, key


def test_an_area_or_another_time_zone_reads_the_cases(insight, clock):
    known = insight
    admin = known.a.administration
    area = dash_filters.Area("x", "Borgo", admin.pk, 0, 1, 0, 1)
    form = dash_filters.FilterForm({}, members=[admin], areas=[area])
    assert form.is_valid()
    filters = dash_filters.build(form, admin)
    assert not rollups.prepare(dataclasses.replace(filters, area=area)).rolled
    admin.timezone = "Europe/London"
    admin.save()
    assert not rollups.prepare(filters).rolled  # the page counts Rome's days, the member London's


def test_the_command_checks_and_rebuilds(known, clock, capsys):
    call_command("rollups", "refresh")
    assert "cases read" in capsys.readouterr().out
    CaseDay.objects.filter(administration=known.a.administration).update(filed=99)
    with pytest.raises(SystemExit):
        call_command("rollups", "check")
    assert "differ" in capsys.readouterr().out
    call_command("rollups", "rebuild")
    call_command("rollups", "check")
    assert "agree" in capsys.readouterr().out


def test_the_worker_task_keeps_them(known, clock):
    from insieme.dashboards.tasks import refresh_rollups

    assert refresh_rollups() >= 5
    assert_agree(known.a.administration)
    # Nothing changed since: only the cases stamped within the margin are read again.
    recent = sum(
        Case.objects.filter(
            administration_id=state.administration_id,
            updated_at__gte=state.watermark - rollups.MARGIN,
        ).count()
        for state in RollupState.objects.all()
    )
    assert refresh_rollups() == recent
    clock.shift(rollups.MARGIN * 2)
    assert refresh_rollups() == recent  # the watermark stays at the newest change read
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-rollups"]
    assert entry["task"] == refresh_rollups.name
    assert entry["schedule"] <= 300  # within minutes


def test_a_page_counts_the_cases_when_another_holds_the_rollups(client, known, dario, monkeypatch):
    from django.db import OperationalError
    from django.urls import reverse

    from tests.conftest import sign_in
    from tests.dashboards.conftest import PERIOD

    sign_in(client, dario)
    url = reverse("dashboards:page", args=["montalto"])
    query = {**PERIOD, "format": "csv", "panel": "backlog"}
    rolled = client.get(url, query).content

    def busy(administration, *, wait=True):
        assert wait is False  # a page never waits for the lock
        raise OperationalError("database is locked")

    monkeypatch.setattr(rollups, "catch_up_one", busy)
    response = client.get(url, query)
    assert response.status_code == 200
    assert response.content == rolled  # the same figures, counted from the cases


def test_the_command_refuses_an_unknown_administration_or_action(known):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No administration 'nowhere'"):
        call_command("rollups", "refresh", "--administration", "nowhere")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("rollups", "drop")
    assert not CaseDay.objects.exists()  # nothing was built or lost
