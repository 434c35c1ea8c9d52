"""The case-handling indicators (I1, I3, I4, T2, T4, S1, S3, S4) on small fixtures: each value
equals the one recomputed here from the rows, and empty data says "no data" instead of dividing
by zero."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

import pytest
from django.utils import timezone

from insieme.cases import lifecycle
from insieme.cases.models import (
    Case,
    CaseEvent,
    Follower,
    Handoff,
    Rating,
    Status,
    TimeLog,
)
from insieme.core import actions as core_actions
from insieme.core.models import today_in
from insieme.core.permissions import Role
from insieme.core.registry import Scope, indicators
from tests.conftest import make_staff, make_user

KEYS = {
    "cases-i1-two-way": "I1",
    "cases-i3-load": "I3",
    "cases-i3-overload": "I3",
    "cases-i3-fairness": "I3",
    "cases-i4-handoff-turnaround": "I4",
    "cases-i4-bounce-backs": "I4",
    "cases-i4-adoption": "I4",
    "cases-t2-public-answers": "T2",
    "cases-t2-decision-reasons": "T2",
    "cases-t2-promises-kept": "T2",
    "cases-t4-info-requests": "T4",
    "cases-t4-satisfaction": "T4",
    "cases-s1-cost-per-case": "S1",
    "cases-s3-burden": "S3",
    "cases-s3-assisted": "S3",
    "cases-s4-missing-fields": "S4",
}
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def compute(key: str, scope: Scope):
    return indicators.get(key).compute(scope)


@pytest.fixture
def scope(montalto) -> Scope:
    return Scope(administration_ids=(montalto.pk,), today=today_in(montalto))


@pytest.fixture
def now(scope) -> dt.datetime:
    """Noon of the scope's day before (inside every window)."""
    return dt.datetime.combine(scope.today - DAY, dt.time(12), tzinfo=dt.UTC)


class Maker:
    """Cases written directly (the fixtures need exact timestamps the actions would not give)."""

    def __init__(self, service, now):
        self.service, self.now, self.n = service, now, 0

    def case(self, ago=DAY, service=None, **fields) -> Case:
        self.n += 1
        service = service or self.service
        at = self.now - ago
        return Case.objects.create(
            administration_id=service.administration_id,
            service=service,
            kind=service.kind,
            reference=f"T-{self.n:05d}",
            submitted_at=at,
            updated_at=at,
            **fields,
        )

    @staticmethod
    def event(case, kind, at, actor=None, public=True, field_code=""):
        return CaseEvent.objects.create(
            case=case,
            kind=kind,
            actor=actor,
            is_public=public,
            field_code=field_code,
            created_at=at,
        )


@pytest.fixture
def make(cat, now) -> Maker:
    return Maker(cat.pothole, now)


@pytest.fixture
def team(montalto, lagoverde, cat):
    """Three officers of Roads (capacities 2, 4 and 0), one of another department (capacity 3),
    and an officer of Lago Verde (the other tenant)."""
    other = core_actions.create_department(None, montalto, name="Parks", code="parks")
    ann = make_staff(
        montalto, Role.OFFICER, "ann@m.example", "Ann", department=cat.department, capacity=2
    )
    ben = make_staff(
        montalto, Role.SUPERVISOR, "ben@m.example", "Ben", department=cat.department, capacity=4
    )
    cid = make_staff(
        montalto, Role.OFFICER, "cid@m.example", "Cid", department=cat.department, capacity=0
    )
    dan = make_staff(montalto, Role.OFFICER, "dan@m.example", "Dan", department=other, capacity=3)
    lou = make_staff(
        lagoverde, Role.OFFICER, "lou@lv.example", "Lou", department=cat.lv_department, capacity=1
    )
    return {"ann": ann, "ben": ben, "cid": cid, "dan": dan, "lou": lou, "parks": other}


def test_registered_with_cells_and_methods():
    for key, cell in KEYS.items():
        indicator = indicators.get(key)
        assert indicator.cell == cell and indicator.app == "cases"
        assert len(str(indicator.method)) > 40


def test_no_data_anywhere(scope):
    """No cases, nobody with capacity, no hand-offs, no time: nothing divides by zero."""
    for key in KEYS:
        result = compute(key, scope)
        assert result.value is None, key
        assert result.display


def test_nobody_with_capacity(scope, montalto, cat, make):
    user = make_staff(
        montalto, Role.OFFICER, "z@m.example", "Zero", department=cat.department, capacity=0
    )
    make.case(status=Status.IN_PROGRESS, assignee=user)
    for key in ("cases-i3-load", "cases-i3-overload", "cases-i3-fairness"):
        assert compute(key, scope).value is None
    rows = compute("cases-i3-load", scope).rows
    assert rows[0][3] == 1 and rows[0][4] == 0  # still listed, with its open case


def test_workload_load_overload_fairness(scope, team, make, cat):
    ann, ben, cid, dan, lou = (team[k] for k in ("ann", "ben", "cid", "dan", "lou"))
    for _ in range(3):
        make.case(status=Status.IN_PROGRESS, assignee=ann)
    make.case(status=Status.WAITING_CITIZEN, assignee=ben)
    make.case(status=Status.RESOLVED, assignee=ben)  # closed cases carry no load
    make.case(status=Status.CLOSED, assignee=ben)
    make.case(status=Status.SUBMITTED)  # in the queue
    make.case(status=Status.ACKNOWLEDGED, assignee=lou, service=cat.lv_service)
    loads = {ann: 3, ben: 1, cid: 0, dan: 0}
    caps = {ann: 2, ben: 4, cid: 0, dan: 3}

    load = compute("cases-i3-load", scope)
    counted = [u for u in loads if caps[u]]
    # Every open case counts, the one waiting in the queue too (issue 14, item 6).
    assert load.numerator == sum(loads[u] for u in counted) + 1 == 5
    assert load.denominator == sum(caps[u] for u in counted) == 9
    assert load.value == pytest.approx(5 / 9)
    assert load.display.startswith("56% of capacity (5 open cases")
    assert len(load.rows) == 4  # Lou is another tenant's
    assert load.note.startswith("1 of the open cases wait")  # the unassigned open case

    over = compute("cases-i3-overload", scope)
    assert (over.numerator, over.denominator) == (1, 3)
    assert [r[0] for r in over.rows] == ["Ann"]

    fair = compute("cases-i3-fairness", scope)
    # Roads: Ann 3 of capacity 2, Ben 1 of 4 (Cid has no capacity): fair shares 4/3 and 8/3,
    # Ann keeps 2 and hands 1 over. Parks: Dan alone, listed, not judged.
    assert (fair.numerator, fair.denominator) == (1, 4)
    assert fair.value == pytest.approx(1 / 4)
    assert fair.display.startswith("25% of the assigned cases (1 of 4) would move, in 1 team")
    rows = sorted([r[0], r[2], r[3], r[4]] for r in fair.rows)
    assert rows == sorted([[cat.department.name, 2, 4, 1], ["Parks", 1, 0, "—"]])


def test_fairness_of_an_idle_team_is_even(scope, team):
    assert compute("cases-i3-fairness", scope).value == 0.0


def test_fairness_tells_one_case_from_thirty_in_a_team_of_two(scope, montalto, cat, make):
    """A coefficient of variation read 1.00 for both (issue 14, item 4)."""
    one, two = (
        make_staff(
            montalto, Role.OFFICER, f"{n}@m.example", n, department=cat.department, capacity=40
        )
        for n in ("p1", "p2")
    )
    make.case(status=Status.IN_PROGRESS, assignee=one)
    single = compute("cases-i3-fairness", scope)
    assert (single.numerator, single.denominator, single.value) == (0, 1, 0.0)
    for _ in range(29):
        make.case(status=Status.IN_PROGRESS, assignee=one)
    thirty = compute("cases-i3-fairness", scope)
    assert (thirty.numerator, thirty.denominator) == (15, 30)
    assert thirty.value == pytest.approx(0.5)
    # Handing half over evens it out.
    ids = list(Case.objects.filter(assignee=one).values_list("pk", flat=True)[:15])
    Case.objects.filter(pk__in=ids).update(assignee=two)
    assert compute("cases-i3-fairness", scope).value == 0.0


def test_handoffs_turnaround_and_bounce_backs(scope, team, make, now, cat):
    case = make.case(status=Status.IN_PROGRESS)
    parks = team["parks"]

    def handoff(state, created, hours):
        decided = created + hours * HOUR if hours is not None else None
        return Handoff.objects.create(
            case=case if state != "pending" else make.case(status=Status.IN_PROGRESS),
            from_department=cat.department,
            to_department=parks,
            reason="r",
            state=state,
            created_at=created,
            decided_at=decided,
        )

    handoff("accepted", now - 5 * DAY, 2)
    handoff("accepted", now - 4 * DAY, 10)
    handoff("returned", now - 3 * DAY, 4)
    handoff("pending", now - 2 * DAY, None)
    handoff("returned", now - 200 * DAY, 1)  # answered before the window
    handoff("pending", now - 300 * DAY, None)  # however old, a pending one counts
    turnaround = compute("cases-i4-handoff-turnaround", scope)
    # The pending ones with the hours they have waited so far (issue 14, item 7).
    waited = [48, 300 * 24]
    assert turnaround.value == pytest.approx(statistics.median([2, 10, 4, *waited]), rel=1e-3)
    assert turnaround.denominator == 5
    assert "2 still pending" in turnaround.display
    assert turnaround.rows[0][2:5] == [5, turnaround.rows[0][3], 2]
    bounce = compute("cases-i4-bounce-backs", scope)
    assert (bounce.numerator, bounce.denominator) == (1, 3)
    assert bounce.rows[0][:3] == ["Parks", "Comune di Montalto", 3]
    assert bounce.rows[0][-1] == "33%"


def test_adoption_per_department(scope, team, make, now):
    case = make.case(status=Status.IN_PROGRESS)
    make.event(case, CaseEvent.Kind.INTERNAL_NOTE, now - DAY, actor=team["ann"], public=False)
    make.event(case, CaseEvent.Kind.PUBLIC_REPLY, now - 120 * DAY, actor=team["ben"])
    make.event(case, CaseEvent.Kind.STATUS, now - DAY, actor=team["dan"])
    result = compute("cases-i4-adoption", scope)
    assert (result.numerator, result.denominator) == (2, 4)  # Ann and Dan of Ann, Ben, Cid, Dan
    rows = {r[0]: r[2:4] for r in result.rows}
    assert rows == {"Roads": [3, 1], "Parks": [1, 1]}


def test_two_way_exchanges(scope, make, now, charlie, team):
    a, b, c, d = (make.case() for _ in range(4))
    make.case(ago=200 * DAY)  # filed before the window
    make.event(a, CaseEvent.Kind.PUBLIC_REPLY, now, actor=team["ann"])
    make.event(a, CaseEvent.Kind.INFO_PROVIDED, now, actor=charlie)
    make.event(b, CaseEvent.Kind.INFO_REQUESTED, now, actor=team["ann"])
    make.event(c, CaseEvent.Kind.PUBLIC_REPLY, now, actor=team["ann"])
    Follower.objects.create(case=c, user=charlie, me_too=True, created_at=now)
    make.event(d, CaseEvent.Kind.INTERNAL_NOTE, now, actor=team["ann"], public=False)
    make.event(d, CaseEvent.Kind.INFO_PROVIDED, now, actor=charlie)
    result = compute("cases-i1-two-way", scope)
    assert (result.numerator, result.denominator) == (2, 4)
    assert result.rows[0][2:6] == [4, 3, 3, 2]


def _event(case, kind, at, actor, text="", frm="", to=""):
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, text=text, from_status=frm, to_status=to, created_at=at
    )


def test_t2_public_answers(scope, make, now, team, charlie):
    ann = team["ann"]
    ended = {"resolved_at": now - DAY}
    replied = make.case(status=Status.RESOLVED, **ended)
    _event(replied, CaseEvent.Kind.PUBLIC_REPLY, now - 2 * DAY, ann, "On it")
    noted = make.case(status=Status.CLOSED, closed_at=now - DAY)
    _event(noted, CaseEvent.Kind.STATUS, now - DAY, ann, "Fixed", "in_progress", "closed")
    decided = make.case(status=Status.REFUSED, **ended)
    _event(decided, CaseEvent.Kind.DECISION, now - DAY, ann, "", "in_progress", "refused")
    silent = make.case(status=Status.RESOLVED, **ended)
    _event(silent, CaseEvent.Kind.STATUS, now - DAY, ann, "", "in_progress", "resolved")
    note_only = make.case(status=Status.RESOLVED, **ended)
    make.event(note_only, CaseEvent.Kind.INTERNAL_NOTE, now - DAY, actor=ann, public=False)
    # Not counted: withdrawn by the citizen, merged as a duplicate, still open, ended long ago.
    gone = make.case(status=Status.CLOSED, closed_at=now - DAY)
    _event(gone, CaseEvent.Kind.WITHDRAWN, now - DAY, charlie, "No longer needed")
    make.case(status=Status.DUPLICATE, closed_at=now - DAY)
    make.case(status=Status.IN_PROGRESS)
    make.case(ago=300 * DAY, status=Status.RESOLVED, resolved_at=now - 200 * DAY)
    result = compute("cases-t2-public-answers", scope)
    assert (result.numerator, result.denominator) == (3, 5)
    assert result.rows[0][2:] == [5, 3, "60%"]


def test_t2_decisions_state_their_reasons(scope, make, now, team, charlie):
    ann = team["ann"]
    with_reasons = make.case(status=Status.REFUSED, decision_reasons="Income above the limit")
    _event(with_reasons, CaseEvent.Kind.DECISION, now, ann, "Income above the limit", "", "refused")
    bare = make.case(status=Status.REFUSED)
    _event(bare, CaseEvent.Kind.STATUS, now, ann, "", "acknowledged", "refused")
    explained = make.case(status=Status.CLOSED)
    _event(
        explained,
        CaseEvent.Kind.STATUS,
        now,
        ann,
        "Not ours: the province's",
        "submitted",
        "closed",
    )
    # Not decisions against the citizen: a grant, archiving a resolved case, a withdrawal.
    granted = make.case(status=Status.RESOLVED)
    _event(granted, CaseEvent.Kind.DECISION, now, ann, "", "in_progress", "resolved")
    _event(granted, CaseEvent.Kind.STATUS, now, ann, "", "resolved", "closed")
    _event(make.case(), CaseEvent.Kind.WITHDRAWN, now, charlie, "", "submitted", "closed")
    result = compute("cases-t2-decision-reasons", scope)
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.rows[0][2:] == [3, 2, "67%"]


def test_t2_public_promises_kept(scope, make, now):
    today = dt.datetime.combine(scope.today, dt.time(), tzinfo=dt.UTC)
    due = today - 3 * DAY
    make.case(  # both promises kept
        acknowledge_due_at=due,
        first_public_response_at=due - HOUR,
        resolve_due_at=due,
        resolved_at=due - HOUR,
        status=Status.RESOLVED,
    )
    make.case(  # acknowledged late; closed (not resolved) in time
        acknowledge_due_at=due,
        first_public_response_at=due + HOUR,
        resolve_due_at=due,
        closed_at=due - DAY,
        status=Status.CLOSED,
    )
    make.case(acknowledge_due_at=due, resolve_due_at=due, status=Status.SUBMITTED)  # both broken
    # Waiting for the citizen: its date moves on, so it is not judged, unless the date had
    # passed before the citizen was asked.
    make.case(resolve_due_at=due, sla_paused_at=due - DAY, status=Status.WAITING_CITIZEN)
    make.case(resolve_due_at=due, sla_paused_at=due + DAY, status=Status.WAITING_CITIZEN)
    # Due a minute ago, not kept: broken already (the cut-off is now, not the end of today);
    # due in an hour: not judged yet.
    moment = timezone.now()
    make.case(
        acknowledge_due_at=moment - MINUTE,
        resolve_due_at=moment - MINUTE,
        status=Status.ACKNOWLEDGED,
    )
    make.case(acknowledge_due_at=moment + HOUR, resolve_due_at=moment + HOUR)
    # Due long ago: still open, both promises still broken; ended late, no longer judged.
    make.case(acknowledge_due_at=today - 200 * DAY, resolve_due_at=today - 200 * DAY)
    make.case(
        acknowledge_due_at=today - 200 * DAY,
        first_public_response_at=today - 150 * DAY,
        resolve_due_at=today - 200 * DAY,
        resolved_at=today - 150 * DAY,
        status=Status.RESOLVED,
    )
    result = compute("cases-t2-promises-kept", scope)
    # Acknowledgements: kept, late, broken, broken a minute ago, broken long ago (1 of 5);
    # resolutions: kept, kept, broken, broken before asking, a minute ago, long ago (2 of 6).
    assert (result.numerator, result.denominator) == (3, 11)
    assert result.rows[0][2:] == [5, 1, 6, 2, "27%"]


def test_info_requests_and_satisfaction(scope, make, now, team):
    opened = {"status": Status.IN_PROGRESS, "acknowledged_at": now}
    asked = [
        make.case(info_requests=1, complete_at_submission=False, **opened),
        make.case(info_requests=2, complete_at_submission=False, **opened),
    ]
    others = [make.case(**opened) for _ in range(3)]
    # Not opened by staff yet, or withdrawn before anyone did: left out (issue 14, item 5).
    make.case()
    withdrawn = make.case(status=Status.CLOSED)
    make.event(withdrawn, CaseEvent.Kind.WITHDRAWN, now, None)
    for case, code in ((asked[0], "size"), (asked[1], "size"), (asked[1], "other:photo")):
        make.event(case, CaseEvent.Kind.INFO_REQUESTED, now, team["ann"], field_code=code)
    rate = compute("cases-t4-info-requests", scope)
    assert (rate.numerator, rate.denominator) == (2, 5)
    assert rate.rows[0][-1] == "size (2); Not asked by the form: photo (1)"
    for case, score in zip(others, (5, 4, 2), strict=True):
        Rating.objects.create(case=case, score=score, created_at=now)
    sat = compute("cases-t4-satisfaction", scope)
    assert sat.value == pytest.approx(11 / 3) and sat.denominator == 3
    assert sat.rows[0][-1] == "67%"


def test_d2_handled_as_filed_is_not_t4_inverted(scope, make, now, cat, team):
    """D2 counts the opened cases staff could handle as filed; T4 the opened cases asked for
    more. They no longer add up to the whole (issue 14, item 5)."""
    opened = {"status": Status.IN_PROGRESS, "acknowledged_at": now}
    right = [make.case(**opened) for _ in range(3)]
    make.case(info_requests=1, complete_at_submission=False, **opened)  # asked for more
    moved, returned = make.case(**opened), make.case(**opened)
    for case, state in ((moved, Handoff.State.ACCEPTED), (returned, Handoff.State.RETURNED)):
        Handoff.objects.create(
            case=case,
            from_department=cat.department,
            to_department=team["parks"],
            reason="r",
            state=state,
            created_at=now,
            decided_at=now,
        )
    original = right[0]
    make.case(status=Status.DUPLICATE, duplicate_of=original)  # handled: marked by staff
    # Closed by staff straight from 'submitted': opened; withdrawn unopened and never opened:
    # left out, whatever they hold.
    make.case(status=Status.CLOSED)
    withdrawn = make.case(status=Status.CLOSED)
    make.event(withdrawn, CaseEvent.Kind.WITHDRAWN, now, None)
    for _ in range(4):
        make.case()
    d2 = compute("cases-d2-complete", scope)
    # Opened: 3 right, 1 asked, 1 moved, 1 returned (stays: it was in the right place), 1
    # duplicate, 1 closed by staff = 8; handled as filed: the 3, the returned one, the closed.
    assert (d2.numerator, d2.denominator) == (5, 8)
    assert d2.rows[0][2:] == [5, 8, "63%"]
    t4 = compute("cases-t4-info-requests", scope)
    assert (t4.numerator, t4.denominator) == (1, 8)
    assert d2.numerator + t4.numerator < d2.denominator


def test_cost_per_case_by_channel(scope, make, now, cat, team):
    cat.pothole.hourly_cost = Decimal("30.00")
    cat.pothole.save()
    web, web2, phone = (
        make.case(channel="web"),
        make.case(channel="web"),
        make.case(channel="phone"),
    )
    logs = [(web, 20, "web"), (web, 10, "web"), (web2, 30, "web"), (phone, 60, "phone")]
    for case, minutes, channel in logs:
        TimeLog.objects.create(
            case=case, user=team["ann"], minutes=minutes, channel=channel, created_at=now
        )
    TimeLog.objects.create(  # outside the window
        case=web, user=team["ann"], minutes=600, channel="web", created_at=now - 200 * DAY
    )
    result = compute("cases-s1-cost-per-case", scope)
    euros = sum(m for _c, m, _ch in logs) * 30 / 60
    assert result.value == pytest.approx(euros / 3)
    rows = {r[0]: r for r in result.rows}
    assert rows["Web"][1:4] == [2, "30", "15.00"]
    assert rows["Phone"][1:4] == [1, "60", "30.00"]


def test_burden_and_assisted_share(scope, make, cat, team):
    cat.pothole.citizen_minutes = 12
    cat.pothole.save()
    make.case(info_requests=2, staff_minutes=45)
    make.case(staff_minutes=15, channel="phone", filed_by=team["ann"], consent_noted=True)
    make.case(ago=400 * DAY, staff_minutes=600)  # more than a year ago
    burden = compute("cases-s3-burden", scope)
    citizens = 12 * (2 + 2) / 60
    staff = (45 + 15) / 60
    assert burden.value == pytest.approx(citizens + staff)
    assert burden.denominator == 2
    assert burden.rows[0][2:] == [2, 2, "1", "1", "2"]  # 0.8 citizen hours, 1 staff hour
    assisted = compute("cases-s3-assisted", scope)
    assert (assisted.numerator, assisted.denominator) == (1, 2)


def test_what_the_form_lacks(scope, make, now, team):
    case = make.case(info_requests=4)
    # The codes the case page writes: a question, other:<need>, document, document:<name>.
    for code in ("size", "other:photo", "document", "", "other:photo", "document:receipt"):
        make.event(case, CaseEvent.Kind.INFO_REQUESTED, now, team["ann"], field_code=code)
    result = compute("cases-s4-missing-fields", scope)
    assert (result.numerator, result.denominator) == (4, 6)
    assert [r[2:] for r in result.rows] == [
        ["Not asked by the form: photo", 2],
        ["A document", 1],
        ["A document: receipt", 1],
    ]


def test_other_tenant_invisible(scope, cat, now, team):
    lv = Maker(cat.lv_service, now)
    case = lv.case(info_requests=1, status=Status.IN_PROGRESS, assignee=team["lou"])
    lv.event(case, CaseEvent.Kind.INFO_REQUESTED, now, team["lou"], field_code="other:x")
    make_user("someone@example.org", "Someone")
    for key in ("cases-t4-info-requests", "cases-s4-missing-fields", "cases-i1-two-way"):
        assert compute(key, scope).value is None, key


def test_time_to_resolve_counts_what_was_solved(scope, make, now):
    """Duplicates and refusals stamp resolved_at too, and a reopened case kept it: none of them
    is a resolution (issue 14, item 2)."""
    make.case(ago=3 * DAY, status=Status.RESOLVED, resolved_at=now - DAY)  # 2 days
    make.case(ago=5 * DAY, status=Status.CLOSED, resolved_at=now - DAY)  # 4 days
    make.case(ago=2 * DAY, status=Status.DUPLICATE, resolved_at=now - 2 * DAY + HOUR)
    make.case(ago=2 * DAY, status=Status.REFUSED, resolved_at=now - 2 * DAY + HOUR)
    reopened = make.case(ago=2 * DAY, status=Status.RESOLVED, resolved_at=now - DAY)
    lifecycle.set_status(reopened, Status.IN_PROGRESS, now)  # what every reopening calls
    reopened.refresh_from_db()
    assert reopened.resolved_at is None
    result = compute("cases-s2-resolve", scope)
    assert result.denominator == 2
    assert result.value == pytest.approx(3.0)
