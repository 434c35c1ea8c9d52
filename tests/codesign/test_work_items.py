"""An accepted idea becomes a work item: one case of kind "improvement" in the department
responsible for the service the idea aims to change, handled like any case."""

from __future__ import annotations

import datetime as dt

import pytest

from insieme.cases.handling import actions as handling
from insieme.cases.handling import assignment
from insieme.cases.models import Case, CaseEvent, Status, TimeLog
from insieme.catalog import actions as catalog
from insieme.catalog.models import Service
from insieme.codesign import actions
from insieme.codesign.models import WorkItem
from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.participation import actions as participation
from insieme.participation.models import Audience
from tests.participation.conftest import make_idea, make_process


def test_accepting_an_idea_files_one_private_work_item_in_the_service_department(
    olga, accepted, cat
):
    item = WorkItem.objects.get(idea=accepted)
    case = item.case
    assert case.kind == "improvement"
    assert case.service == cat.pothole
    assert case.department == cat.department
    assert case.is_public is False
    assert case.submitted_by is None and case.contact_email == "" and case.contact_name == ""
    assert case.tracking_nonce is None
    assert case.title == accepted.title
    assert f"/ideas/{accepted.pk}/" in case.description
    # due by the service's SLA (2 days to acknowledge, 15 to resolve, working days)
    assert case.acknowledge_due_at > case.submitted_at
    assert case.resolve_due_at - case.submitted_at >= dt.timedelta(days=15)
    assert case.events.first().kind == CaseEvent.Kind.SUBMITTED
    # it is assigned automatically, like a filed case, to the department's officer
    assert case.assignee == olga
    entry = AuditEntry.objects.get(action="codesign.work_item.create")
    assert entry.after["case"] == case.pk and entry.after["idea"] == accepted.pk
    assert audit.verify().ok


def test_the_work_item_is_made_once(accepted, carla):
    first = WorkItem.objects.get(idea=accepted)
    participation.answer_idea(carla, accepted, kind="evaluating")
    participation.answer_idea(carla, accepted, kind="accepted")
    assert actions.create_work_item(carla, accepted) == first
    assert actions.create_work_item(None, accepted) == first
    assert WorkItem.objects.count() == 1
    assert Case.objects.filter(kind="improvement").count() == 1


@pytest.mark.parametrize("kind", ["evaluating", "rejected"])
def test_other_answers_make_no_work_item(idea, carla, kind):
    participation.answer_idea(carla, idea, kind=kind, text="Perché no")
    assert not WorkItem.objects.exists()


def test_without_services_the_internal_service_takes_it_once_per_administration(
    montalto, carla, charlie, cat
):
    process = make_process(montalto, carla, slug="senza")
    ideas = [make_idea(process, charlie, title=f"Idea {n}") for n in range(2)]
    for idea in ideas:
        participation.answer_idea(carla, idea, kind="accepted")
    internal = Service.objects.get(code=actions.INTERNAL_SERVICE_CODE)
    assert internal.status == Service.Status.DRAFT
    assert internal.department == montalto.departments.order_by("pk").first()
    assert internal.translations["en"]["name"] == "Improvements from participation"
    assert Case.objects.filter(service=internal, kind="improvement").count() == 2
    assert (
        AuditEntry.objects.filter(action="service.create", object_id=str(internal.pk)).count() == 1
    )


def test_the_service_the_idea_names_is_chosen(montalto, carla, charlie, cat):
    other = catalog.create_service(
        None,
        montalto,
        code="lights",
        name="Illuminazione pubblica",
        channels=["web"],
        department=cat.department,
    )
    process = make_process(montalto, carla, slug="due", services=[cat.pothole, other])
    idea = make_idea(process, charlie, title="Più luce", body="L'illuminazione pubblica è poca.")
    participation.answer_idea(carla, idea, kind="accepted")
    assert WorkItem.objects.get(idea=idea).case.service == other


def test_the_department_queue_shows_and_filters_it(accepted, sam, pietro, persona_client):
    case = accepted.work_item.case
    page = persona_client(sam).get("/staff/montalto/cases/?kind=improvement")
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    page = persona_client(sam).get("/staff/montalto/cases/?kind=report")
    assert case.reference not in page.content.decode()
    # another department's officer does not see it
    page = persona_client(pietro).get("/staff/montalto/cases/")
    assert case.reference not in page.content.decode()
    assert persona_client(pietro).get(f"/staff/montalto/cases/{case.reference}/").status_code == 404


def test_assigned_handed_off_time_logged_and_resolved_like_any_case(
    accepted, sam, olga, pietro, parks, persona_client
):
    case = accepted.work_item.case
    assignment.assign(sam, case, olga)
    entry = handling.log_time(olga, case, 25)
    assert entry.minutes == 25 and TimeLog.objects.filter(case=case).count() == 1
    handoff = assignment.hand_off(olga, case, parks, reason="Riguarda i parchi")
    assignment.accept_handoff(pietro, handoff)
    case.refresh_from_db()
    assert case.department == parks
    handling.change_status(pietro, case, Status.RESOLVED, note="Fatto")
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.staff_minutes == 25
    # the public never sees it
    assert persona_client(pietro).get(f"/cases/montalto/{case.reference}/").status_code == 404


def test_ideas_of_an_internal_box_become_work_items_too(montalto, carla, bob, persona_client):
    """An employees' idea box publishes no webhook event, but its accepted ideas become work as
    public ones do (participation's internal event)."""
    box = make_process(montalto, carla, slug="cassetta", audience=Audience.EMPLOYEES)
    idea = make_idea(box, bob, title="Meno carta")
    participation.answer_idea(carla, idea, kind="accepted")
    case = WorkItem.objects.get(idea=idea).case
    assert case.kind == "improvement" and not case.is_public
    page = persona_client(carla).get(f"/staff/montalto/participation/ideas/{idea.pk}/")
    assert case.reference in page.content.decode()


def test_the_idea_page_makes_a_missing_work_item(montalto, carla, bob, persona_client):
    """An idea accepted before co-design was installed gets its work item from its staff page."""
    box = make_process(montalto, carla, slug="cassetta", audience=Audience.EMPLOYEES)
    idea = make_idea(box, bob, title="Meno carta")
    participation.answer_idea(carla, idea, kind="accepted")
    WorkItem.objects.filter(idea=idea).delete()
    url = f"/staff/montalto/co-design/ideas/{idea.pk}/work-item/"
    page = persona_client(carla).get(f"/staff/montalto/participation/ideas/{idea.pk}/")
    assert url in page.content.decode()
    assert persona_client(bob).post(url).status_code == 403
    response = persona_client(carla).post(url)
    assert response.status_code == 302
    assert WorkItem.objects.get(idea=idea).case.kind == "improvement"


def test_work_item_page_boundaries(idea, carla, bob, oscar, charlie, persona_client):
    url = f"/staff/montalto/co-design/ideas/{idea.pk}/work-item/"
    response = persona_client(carla).post(url)
    assert response.status_code == 400
    assert "Only an accepted idea becomes a work item." in response.content.decode()
    assert persona_client(oscar).post(url).status_code == 404
    assert persona_client(charlie).post(url).status_code == 404
    assert persona_client(carla).get(url).status_code == 405
    assert (
        persona_client(carla).post("/staff/montalto/co-design/ideas/999999/work-item/").status_code
        == 404
    )
    assert not WorkItem.objects.exists()


def test_the_staff_idea_page_shows_the_work_item(accepted, carla, persona_client):
    case = accepted.work_item.case
    html = (
        persona_client(carla)
        .get(f"/staff/montalto/participation/ideas/{accepted.pk}/")
        .content.decode()
    )
    assert case.reference in html
    assert f"/staff/montalto/cases/{case.reference}/" in html
    assert "Roads" in html
    assert f"/staff/montalto/co-design/new/?idea={accepted.pk}" in html
