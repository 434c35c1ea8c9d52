"""The staff work queue: /staff/<administration>/cases/ (filters, sorting, paging, saved views,
bulk actions, permission boundaries and a query count that does not grow with the cases)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from insieme.cases.models import (
    Case,
    CaseEvent,
    Channel,
    DueState,
    Handoff,
    ResponseTemplate,
    SavedView,
    Status,
    grid_cell,
)
from insieme.core import actions as core_actions
from insieme.core.permissions import Role
from tests.conftest import make_staff

URL = "/staff/montalto/cases/"
BULK = URL + "bulk/"


# The case page (urls_case.py, name staff_case) is built separately; until it exists these tests
# run against the project's URLs plus a stand-in for it.
def _case_stub(request, admin_slug, reference):
    return HttpResponse(reference)


def __getattr__(name: str):
    # Read lazily (PEP 562), when the stand-in URLconf is first used.
    if name == "urlpatterns":
        import insieme.urls

        return [
            *insieme.urls.urlpatterns,
            path("staff/<slug:admin_slug>/cases/<str:reference>/", _case_stub, name="staff_case"),
        ]
    raise AttributeError(name)


@pytest.fixture(autouse=True)
def staff_case_url(settings):
    try:
        reverse("staff_case", args=["x", "y"])
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.cases.handling.test_queue"


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def roads(cat):
    return cat.department


@pytest.fixture
def parks(montalto):
    return core_actions.create_department(None, montalto, name="Parks", code="parks")


@pytest.fixture
def olga(montalto, roads):
    """An officer of Roads."""
    return make_staff(
        montalto, Role.OFFICER, "olga@montalto.example", "Olga Roads", department=roads
    )


@pytest.fixture
def pietro(montalto, roads):
    """Another officer of Roads."""
    return make_staff(
        montalto, Role.OFFICER, "pietro@montalto.example", "Pietro Roads", department=roads
    )


@pytest.fixture
def paolo(montalto, parks):
    """An officer of Parks."""
    return make_staff(
        montalto, Role.OFFICER, "paolo@montalto.example", "Paolo Parks", department=parks
    )


@pytest.fixture
def sara(montalto, roads):
    """A supervisor of Roads."""
    return make_staff(
        montalto, Role.SUPERVISOR, "sara@montalto.example", "Sara Supervisor", department=roads
    )


_counter = {"n": 0}


def make_cases(service, n: int = 1, **fields) -> list[Case]:
    """`n` cases written in bulk (test data, like the demo's bulk loader)."""
    now = timezone.now()
    rows = []
    for _i in range(n):
        _counter["n"] += 1
        values = {
            "administration_id": service.administration_id,
            "service": service,
            "kind": service.kind,
            "reference": f"T-{_counter['n']:06d}",
            "submitted_at": now - dt.timedelta(days=1),
            "updated_at": now,
            "department_id": service.department_id,
            "resolve_due_at": now + dt.timedelta(days=10),
            **fields,
        }
        if "department" in fields:
            del values["department_id"]
        if values.get("lat") is not None:
            values["cell_row"], values["cell_col"] = grid_cell(values["lat"], values["lon"])
        rows.append(Case(**values))
    return Case.objects.bulk_create(rows)


def refs(response) -> list[str]:
    """The references listed in the queue, in order."""
    return re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', response.content.decode()
    )


# --- permission boundaries ---------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, montalto):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_citizen_gets_not_found(persona_client, charlie, montalto):
    assert persona_client(charlie).get(URL).status_code == 404
    assert persona_client(charlie).post(BULK, {"action": "assign"}).status_code == 404


def test_other_administrations_staff_get_not_found(persona_client, oscar, cat):
    assert persona_client(oscar).get(URL).status_code == 404
    assert persona_client(oscar).get("/staff/lago-verde/cases/").status_code == 200


def test_officer_sees_only_their_departments_cases(persona_client, cat, parks, olga, paolo):
    (mine,) = make_cases(cat.pothole)
    (theirs,) = make_cases(cat.pothole, department=parks)
    (assigned,) = make_cases(cat.pothole, department=parks, assignee=olga)
    (lv,) = make_cases(cat.lv_service)
    response = persona_client(olga).get(URL)
    assert response.status_code == 200
    assert set(refs(response)) == {mine.reference, assigned.reference}
    assert set(refs(persona_client(paolo).get(URL))) == {theirs.reference, assigned.reference}
    assert lv.reference not in response.content.decode()


def test_roles_without_a_department_see_every_case(persona_client, cat, parks, elena):
    cases = make_cases(cat.pothole) + make_cases(cat.pothole, department=parks)
    assert set(refs(persona_client(elena).get(URL))) == {c.reference for c in cases}


def test_reference_links_to_the_case_page(persona_client, cat, olga):
    (case,) = make_cases(cat.pothole)
    response = persona_client(olga).get(URL)
    assert f'href="/staff/montalto/cases/{case.reference}/"' in response.content.decode()


def test_reader_without_handle_has_no_bulk_form_and_bulk_is_forbidden(persona_client, cat, elena):
    (case,) = make_cases(cat.pothole)
    client = persona_client(elena)
    assert 'name="case"' not in client.get(URL).content.decode()
    response = client.post(BULK, {"action": "assign", "assignee": elena.pk, "case": case.pk})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assignee_id is None


# --- columns and markers -----------------------------------------------------------------------


def test_row_shows_markers(persona_client, cat, parks, olga, roads):
    now = timezone.now()
    (overdue,) = make_cases(cat.pothole, due_state=DueState.OVERDUE, assignee=olga)
    (soon,) = make_cases(cat.pothole, due_state=DueState.DUE_SOON, channel=Channel.PHONE)
    (waiting,) = make_cases(cat.pothole, status=Status.WAITING_CITIZEN, sla_paused_at=now)
    Handoff.objects.create(
        case=soon, from_department=roads, to_department=parks, reason="Parks", created_at=now
    )
    html = persona_client(olga).get(URL).content.decode()
    assert "Overdue" in html and "Due soon" in html and "SLA paused" in html
    assert "Waiting for the citizen" in html
    assert "Hand-off to Parks pending" in html
    assert "Olga Roads" in html and "Phone" in html and "Roads" in html


# --- filters -----------------------------------------------------------------------------------


def test_scopes(persona_client, cat, roads, parks, olga, pietro, elena):
    now = timezone.now()
    (mine,) = make_cases(cat.pothole, assignee=olga)
    (other,) = make_cases(cat.pothole, assignee=pietro)
    (free,) = make_cases(cat.pothole)
    (handed,) = make_cases(cat.pothole, department=parks)
    Handoff.objects.create(
        case=handed, from_department=parks, to_department=roads, reason="r", created_at=now
    )
    client = persona_client(olga)
    assert refs(client.get(URL, {"scope": "mine"})) == [mine.reference]
    assert refs(client.get(URL, {"scope": "unassigned"})) == [free.reference]
    # ... and a case handed to her department, waiting for its answer.
    assert set(refs(client.get(URL))) == {
        mine.reference,
        other.reference,
        free.reference,
        handed.reference,
    }
    # A department-less reader sees every pending hand-off under "handed to my department".
    assert refs(persona_client(elena).get(URL, {"scope": "handed"})) == [handed.reference]


def test_receiving_officer_sees_cases_handed_to_their_department(
    persona_client, cat, roads, parks, olga
):
    (handed,) = make_cases(cat.pothole, department=parks)
    Handoff.objects.create(
        case=handed,
        from_department=parks,
        to_department=roads,
        reason="r",
        created_at=timezone.now(),
    )
    assert refs(persona_client(olga).get(URL, {"scope": "handed"})) == [handed.reference]


def test_filters_by_service_status_department_assignee(
    persona_client, cat, parks, olga, pietro, elena
):
    (a,) = make_cases(cat.pothole, status=Status.SUBMITTED, assignee=olga)
    (b,) = make_cases(cat.pothole, status=Status.IN_PROGRESS, assignee=pietro)
    (c,) = make_cases(cat.pothole, status=Status.RESOLVED)
    (d,) = make_cases(cat.pothole, department=parks)
    client = persona_client(elena)
    assert set(refs(client.get(URL))) == {a.reference, b.reference, d.reference}  # open only
    assert set(refs(client.get(URL, {"status": ["resolved", "in_progress"]}))) == {
        b.reference,
        c.reference,
    }
    assert refs(client.get(URL, {"department": parks.pk})) == [d.reference]
    assert refs(client.get(URL, {"assignee": pietro.pk})) == [b.reference]
    assert set(refs(client.get(URL, {"assignee": "none"}))) == {d.reference}
    assert set(refs(client.get(URL, {"service": cat.pothole.pk}))) == {
        a.reference,
        b.reference,
        d.reference,
    }
    # Another administration's service is not a valid choice: the form says so, never a 500.
    response = client.get(URL, {"service": cat.lv_service.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_due_and_waiting_filters(persona_client, cat, olga):
    now = timezone.now()
    (late,) = make_cases(cat.pothole, due_state=DueState.OVERDUE)
    (soon,) = make_cases(cat.pothole, due_state=DueState.DUE_SOON)
    (fine,) = make_cases(cat.pothole)
    (waiting,) = make_cases(cat.pothole, status=Status.WAITING_CITIZEN, sla_paused_at=now)
    make_cases(cat.pothole, status=Status.CLOSED, due_state=DueState.OVERDUE)
    client = persona_client(olga)
    assert refs(client.get(URL, {"overdue": "on"})) == [late.reference]
    assert refs(client.get(URL, {"due_soon": "on"})) == [soon.reference]
    assert set(refs(client.get(URL, {"due_soon": "on", "overdue": "on"}))) == {
        late.reference,
        soon.reference,
    }
    # Waiting for the citizen is a status among the others (once also a checkbox of its own).
    assert refs(client.get(URL, {"status": "waiting_citizen"})) == [waiting.reference]
    assert refs(client.get(URL, {"waiting": "on"})) == [waiting.reference]
    assert fine.reference in refs(client.get(URL))


def test_area_filters(persona_client, cat, olga):
    (near,) = make_cases(cat.pothole, lat=43.1, lon=11.1, address="Via Roma 12")
    (far,) = make_cases(cat.pothole, lat=43.1, lon=11.13, address="Piazza Garibaldi")
    make_cases(cat.pothole)  # not placed
    client = persona_client(olga)
    assert refs(client.get(URL, {"address": "roma"})) == [near.reference]
    # ~80 m north of `near`; `far` is about 2.4 km east.
    place = {"lat": "43.1007", "lon": "11.1"}
    assert refs(client.get(URL, {**place, "radius": "300"})) == [near.reference]
    assert set(refs(client.get(URL, {**place, "radius": "3000"}))) == {
        near.reference,
        far.reference,
    }
    response = client.get(URL, {"lat": "43.1"})
    assert response.status_code == 200
    assert "give latitude, longitude and a distance" in response.content.decode()
    assert client.get(URL, {"lat": "north", "radius": "-5"}).status_code == 200
    # An invalid choice is shown as an error; the valid ones still filter.
    response = client.get(URL, {"address": "roma", "submitted_from": "soon"})
    assert refs(response) == [near.reference]
    assert "Enter a valid date" in response.content.decode()


def test_submitted_dates(persona_client, cat, olga):
    now = timezone.now()
    (old,) = make_cases(cat.pothole, submitted_at=now - dt.timedelta(days=30))
    (new,) = make_cases(cat.pothole, submitted_at=now - dt.timedelta(days=2))
    client = persona_client(olga)
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    until = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    assert refs(client.get(URL, {"submitted_from": since})) == [new.reference]
    assert refs(client.get(URL, {"submitted_to": until})) == [old.reference]
    assert (
        "before the start date"
        in client.get(URL, {"submitted_from": since, "submitted_to": until}).content.decode()
    )


def test_sorting(persona_client, cat, olga):
    now = timezone.now()
    (later,) = make_cases(cat.pothole, resolve_due_at=now + dt.timedelta(days=9))
    (none,) = make_cases(cat.pothole, resolve_due_at=None)
    (sooner,) = make_cases(cat.pothole, resolve_due_at=now + dt.timedelta(days=1), submitted_at=now)
    client = persona_client(olga)
    assert refs(client.get(URL)) == [sooner.reference, later.reference, none.reference]
    assert refs(client.get(URL, {"order": "desc"})) == [
        later.reference,
        sooner.reference,
        none.reference,
    ]
    assert refs(client.get(URL, {"sort": "reference"})) == sorted(
        [later.reference, none.reference, sooner.reference]
    )
    assert refs(client.get(URL, {"sort": "submitted", "order": "desc"}))[0] == sooner.reference


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"order": "desc"},
        {"sort": "submitted"},
        {"sort": "updated", "order": "desc"},
        {"sort": "reference", "order": "desc"},
        {"status": ["submitted", "waiting_citizen"]},
        {"scope": "mine"},
    ],
)
def test_branches_read_apart_give_the_single_querys_rows_and_order(
    cat, montalto, roads, parks, olga, pietro, params
):
    """The queue reads each way a case reaches the officer (department, shared, handed to them,
    assigned) on its own and merges: the pages must be those of one OR query, ties included."""
    from insieme.cases.access import cases_for_staff, staff_departments
    from insieme.cases.handling import views_queue
    from insieme.cases.handling.forms_queue import QueueFilterForm
    from insieme.cases.models import CaseShare

    now = timezone.now()
    due = [None, now + dt.timedelta(days=1), now + dt.timedelta(days=1), now + dt.timedelta(days=3)]
    statuses = [Status.SUBMITTED, Status.IN_PROGRESS, Status.WAITING_CITIZEN]
    mine = [
        case
        for i in range(70)
        for case in make_cases(cat.pothole, resolve_due_at=due[i % 4], status=statuses[i % 3])
    ]
    shared = make_cases(cat.pothole, 12, department=parks, resolve_due_at=due[1])
    for case in shared:
        CaseShare.objects.create(case=case, department=roads, created_at=now)
    handed = make_cases(cat.pothole, 5, department=parks, resolve_due_at=None)
    for case in handed:
        Handoff.objects.create(
            case=case,
            from_department=parks,
            to_department=roads,
            reason="yours",
            requested_by=pietro,
            created_at=now,
        )
    assigned = make_cases(cat.pothole, 8, department=parks, assignee=olga, resolve_due_at=due[3])
    make_cases(cat.pothole, 9, department=parks)  # not olga's: never listed
    assert mine and shared and handed and assigned

    form = QueueFilterForm(
        params or None, admin=montalto, departments=staff_departments(olga, montalto)
    )
    expected = list(form.apply(cases_for_staff(olga, montalto), olga).values_list("pk", flat=True))
    got: list[int] = []
    page = 1
    while True:
        rows, has_next = views_queue.queue_rows(olga, montalto, form, page)
        got += [c.pk for c in rows]
        if not has_next:
            break
        page += 1
    assert got == expected
    assert len(got) > 0


# --- paging and query count --------------------------------------------------------------------


def test_pages_of_fifty(persona_client, cat, olga):
    make_cases(cat.pothole, 60)
    client = persona_client(olga)
    first = client.get(URL, {"overdue": "", "sort": "reference"})
    assert len(refs(first)) == 50
    html = first.content.decode()
    assert "sort=reference&amp;page=2" in html and "Previous page" not in html
    second = client.get(URL, {"sort": "reference", "page": "2"})
    assert len(refs(second)) == 10
    assert "Next page" not in second.content.decode()
    assert set(refs(first)).isdisjoint(refs(second))
    assert client.get(URL, {"page": "abc"}).status_code == 200
    assert refs(client.get(URL, {"page": "999"})) == []


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["olga", "sara", "elena"])
def test_query_count_does_not_grow_with_cases(request, persona_client, cat, roads, parks, who):
    user = request.getfixturevalue(who)
    pietro = request.getfixturevalue("pietro")
    now = timezone.now()

    def add(n):
        cases = make_cases(cat.pothole, n, assignee=pietro, due_state=DueState.OVERDUE)
        Handoff.objects.bulk_create(
            [
                Handoff(
                    case=c, from_department=roads, to_department=parks, reason="r", created_at=now
                )
                for c in cases[::3]
            ]
        )

    client = persona_client(user)
    add(5)
    _queries(client)  # warm the caches a first request fills (content types, sessions)
    small = _queries(client)
    small_filtered = _queries(client, {"scope": "handed", "overdue": "on", "assignee": "none"})
    add(60)
    assert _queries(client) == small
    assert _queries(client, {"scope": "handed", "overdue": "on", "assignee": "none"}) == (
        small_filtered
    )
    assert len(refs(client.get(URL))) == 50


# --- saved views -------------------------------------------------------------------------------


def test_save_list_and_delete_a_view(persona_client, cat, montalto, olga, pietro):
    client = persona_client(olga)
    response = client.post(
        URL + "views/", {"name": "Late ones", "query": "overdue=on&page=3&evil=1&sort=due"}
    )
    assert response.status_code == 302
    assert response["Location"] == URL + "?overdue=on&sort=due"
    view = SavedView.objects.get(user=olga, administration=montalto)
    assert (view.name, view.query) == ("Late ones", "overdue=on&sort=due")
    html = client.get(URL).content.decode()
    assert f'href="{URL}?overdue=on&amp;sort=due">Late ones</a>' in html
    # Saving under the same name replaces the filters.
    client.post(URL + "views/", {"name": "Late ones", "query": "due_soon=on"})
    assert SavedView.objects.get(user=olga).query == "due_soon=on"
    # A nameless view is refused with a message.
    response = client.post(URL + "views/", {"name": "", "query": "x=1"}, follow=True)
    assert "Give the view a name" in response.content.decode()
    assert SavedView.objects.count() == 1
    # Someone else's view cannot be deleted (nor seen).
    assert "Late ones" not in persona_client(pietro).get(URL).content.decode()
    other = persona_client(pietro).post(f"{URL}views/{view.pk}/delete/")
    assert other.status_code == 404
    assert client.post(f"{URL}views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


# --- bulk actions ------------------------------------------------------------------------------


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_officer_assigns_cases_to_themself(persona_client, cat, olga):
    a, b = make_cases(cat.pothole, 2)
    response = persona_client(olga).post(
        BULK,
        {"action": "assign", "assignee": olga.pk, "case": [a.pk, b.pk], "query": "overdue=on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == URL + "?overdue=on"
    assert "2 cases done." in _messages(response)
    assert set(Case.objects.filter(assignee=olga).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED, case=a).exists()


def test_officer_cannot_assign_to_someone_else(persona_client, cat, olga, pietro):
    (case,) = make_cases(cat.pothole)
    response = persona_client(olga).post(
        BULK, {"action": "assign", "assignee": pietro.pk, "case": case.pk}, follow=True
    )
    assert response.status_code == 200
    assert "Select a valid choice" in _messages(response)
    case.refresh_from_db()
    assert case.assignee_id is None
    # The form of an officer offers only themself.
    html = persona_client(olga).get(URL).content.decode()
    assert "Pietro Roads" not in html.split('id="bulk-heading"')[1]


def test_forged_id_of_another_departments_case_is_not_touched(persona_client, cat, parks, olga):
    (mine,) = make_cases(cat.pothole)
    (theirs,) = make_cases(cat.pothole, department=parks)
    (lv,) = make_cases(cat.lv_service)
    response = persona_client(olga).post(
        BULK,
        {"action": "assign", "assignee": olga.pk, "case": [mine.pk, theirs.pk, lv.pk]},
        follow=True,
    )
    assert "1 case done." in _messages(response)
    theirs.refresh_from_db()
    lv.refresh_from_db()
    assert theirs.assignee_id is None and lv.assignee_id is None
    assert not CaseEvent.objects.filter(case__in=[theirs, lv]).exists()
    response = persona_client(olga).post(
        BULK, {"action": "status", "to_status": "closed", "case": [theirs.pk]}, follow=True
    )
    assert "Tick the cases" in _messages(response)
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED


def test_capacity_is_respected_and_supervisor_overrides_with_a_reason(
    persona_client, cat, montalto, roads, olga, sara
):
    membership = olga.memberships.get(administration=montalto)
    core_actions.update_membership(None, membership, capacity=1)
    a, b = make_cases(cat.pothole, 2)
    response = persona_client(olga).post(
        BULK, {"action": "assign", "assignee": olga.pk, "case": [a.pk, b.pk]}, follow=True
    )
    text = _messages(response)
    assert "1 case done." in text
    assert f"1 case not possible: {b.reference}: You are at capacity" in text
    # A supervisor assigning beyond capacity must say why ...
    response = persona_client(sara).post(
        BULK, {"action": "assign", "assignee": olga.pk, "case": [b.pk]}, follow=True
    )
    assert "say why they should take one more" in _messages(response)
    b.refresh_from_db()
    assert b.assignee_id is None
    # ... and then may.
    response = persona_client(sara).post(
        BULK,
        {
            "action": "assign",
            "assignee": olga.pk,
            "override_reason": "Olga knows the street",
            "case": [b.pk],
        },
        follow=True,
    )
    assert "1 case done." in _messages(response)
    b.refresh_from_db()
    assert b.assignee_id == olga.pk
    assert b.escalations.filter(kind="capacity_override").exists()


def test_supervisor_assigns_to_an_officer_and_back_to_the_queue(persona_client, cat, olga, sara):
    (case,) = make_cases(cat.pothole)
    client = persona_client(sara)
    client.post(BULK, {"action": "assign", "assignee": olga.pk, "case": case.pk})
    case.refresh_from_db()
    assert case.assignee_id == olga.pk
    client.post(BULK, {"action": "assign", "assignee": "none", "case": case.pk})
    case.refresh_from_db()
    assert case.assignee_id is None


def test_bulk_status_change_reports_impossible_transitions(persona_client, cat, olga):
    (a,) = make_cases(cat.pothole, status=Status.SUBMITTED)
    (b,) = make_cases(cat.pothole, status=Status.WAITING_CITIZEN)
    response = persona_client(olga).post(
        BULK,
        {"action": "status", "to_status": "acknowledged", "note": "", "case": [a.pk, b.pk]},
        follow=True,
    )
    text = _messages(response)
    assert "1 case done." in text
    assert f"1 case not possible: {b.reference}: A case cannot go from" in text
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (Status.ACKNOWLEDGED, Status.WAITING_CITIZEN)


def test_bulk_reply_with_template(persona_client, cat, montalto, olga):
    template = ResponseTemplate.objects.create(
        administration=montalto,
        service=cat.pothole,
        name="Taken in",
        body="Case {reference} is in hand.",
        status=Status.IN_PROGRESS,
    )
    a, b = make_cases(cat.pothole, 2)
    response = persona_client(olga).post(
        BULK, {"action": "template", "template": template.pk, "case": [a.pk, b.pk]}, follow=True
    )
    assert "2 cases done." in _messages(response)
    reply = CaseEvent.objects.get(case=a, kind=CaseEvent.Kind.PUBLIC_REPLY)
    assert reply.text == f"Case {a.reference} is in hand."
    a.refresh_from_db()
    assert a.status == Status.IN_PROGRESS


def test_bulk_needs_its_fields_and_never_fails(persona_client, cat, olga):
    (case,) = make_cases(cat.pothole)
    client = persona_client(olga)
    for data in (
        {"action": "status", "case": case.pk},
        {"action": "template", "case": case.pk},
        {"action": "teleport", "case": case.pk},
        {"action": "status", "to_status": "nonsense", "case": case.pk},
        {"action": "assign", "assignee": olga.pk},
    ):
        response = client.post(BULK, data, follow=True)
        assert response.status_code == 200, data
        assert _messages(response), data
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == (Status.SUBMITTED, None)
    assert client.get(BULK).status_code == 405
