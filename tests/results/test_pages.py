"""Public pages: the list (filters, pages, schedule marks, query count), a result's page
(progress, parts, milestones, links, updates, follow), and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from insieme.core.models import today_in
from insieme.participation.models import Audience
from insieme.results import actions
from insieme.results.models import ResultFollow
from tests.conftest import sign_in
from tests.results.conftest import make_idea, make_process

pytestmark = pytest.mark.django_db


def page(client, result):
    return client.get(f"/results/{result.administration.slug}/{result.pk}/")


def test_result_page_shows_progress_parts_and_updates(client, tree, carla):
    parent, trees, beds = tree
    actions.set_progress(carla, trees, progress=40, note="Piantati i primi alberi.")
    actions.add_milestone(carla, parent, title="Gara", translations={"en": {"title": "Tender"}})
    response = page(client, parent)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="30"' in text and "30% done" in text  # the bar and its text alternative
    assert "Alberi" in text and "3 / 4" in text  # the part and its weight
    assert "Tender" in text  # the milestone, in the visitor's language
    child = page(client, trees).content.decode()
    assert "Piantati i primi alberi." in child
    assert "Carla" not in child  # who recorded it is never public


def test_staff_only_links(client, result, carla, bob, charlie, oscar):
    actions.add_link(carla, result, kind="service_change", key="s1", label="Orari nuovi", url="/x/")
    actions.add_link(
        carla, result, kind="work_item", key="w1", label="Ordine interno 7", staff_only=True
    )
    assert "Orari nuovi" in page(client, result).content.decode()
    assert "Ordine interno 7" not in page(client, result).content.decode()
    for person in (charlie, oscar):
        assert "Ordine interno 7" not in page(sign_in(client, person), result).content.decode()
    assert "Ordine interno 7" in page(sign_in(client, bob), result).content.decode()


def test_unpublished_results_are_staff_only(client, montalto, carla, rita, bob, charlie, oscar):
    draft = actions.create_result(carla, montalto, title="Bozza", is_published=False)
    assert page(client, draft).status_code == 404
    for person in (charlie, bob, oscar):
        assert page(sign_in(client, person), draft).status_code == 404
    for person in (carla, rita):
        assert page(sign_in(client, person), draft).status_code == 200
    assert "Bozza" not in Client().get("/results/montalto/").content.decode()


def test_results_of_an_internal_process_follow_the_process(
    client, montalto, carla, bob, charlie, oscar
):
    box = make_process(montalto, carla, slug="interna", audience=Audience.EMPLOYEES)
    result = actions.create_result(carla, montalto, title="Mensa interna", process=box)
    assert page(client, result).status_code == 404
    assert page(sign_in(client, charlie), result).status_code == 404
    assert page(sign_in(client, oscar), result).status_code == 404
    assert page(sign_in(client, bob), result).status_code == 200
    listing = sign_in(client, charlie).get("/results/montalto/").content.decode()
    assert "Mensa interna" not in listing


def test_an_accepted_idea_of_an_internal_box_gets_a_result_only_its_people_see(
    client, montalto, carla, bob, charlie
):
    from insieme.participation import actions as participation

    box = make_process(montalto, carla, slug="interna", audience=Audience.EMPLOYEES)
    idea = make_idea(box, bob, title="Meno carta")
    participation.answer_idea(carla, idea, kind="accepted")
    result = idea.result
    assert result.process == box and result.is_published
    assert page(sign_in(client, bob), result).status_code == 200
    assert page(sign_in(client, charlie), result).status_code == 404
    assert page(Client(), result).status_code == 404


def test_wrong_administration_or_id_is_404(client, result, lagoverde):
    assert client.get(f"/results/lago-verde/{result.pk}/").status_code == 404
    assert client.get("/results/montalto/999999/").status_code == 404
    assert client.get("/results/nowhere/").status_code == 404


def test_list_filters_marks_and_pages(client, montalto, carla, process, result):
    today = today_in(montalto)
    late = actions.create_result(
        carla, montalto, title="In ritardo", due_on=today - dt.timedelta(days=3)
    )
    body = client.get("/results/montalto/").content.decode()
    assert "New benches" in body and "In ritardo" in body
    assert "Late" in body and "On schedule" in body
    only = client.get(f"/results/montalto/?process={process.pk}").content.decode()
    assert "New benches" in only and "In ritardo" not in only
    actions.set_progress(carla, late, progress=10, status="delayed")
    delayed = client.get("/results/montalto/?status=delayed").content.decode()
    assert "In ritardo" in delayed and "New benches" not in delayed
    assert client.get("/results/montalto/?status=nothing").status_code == 400
    assert client.get("/results/montalto/?process=abc").status_code == 400
    assert client.get("/results/montalto/?page=999").status_code == 200


def test_list_reads_a_fixed_number_of_queries(client, montalto, carla, process):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/results/montalto/").status_code == 200
        return len(queries)

    actions.create_result(carla, montalto, title="Uno", process=process)
    few = count()
    for n in range(8):
        actions.create_result(carla, montalto, title=f"Altro {n}", process=process)
    assert count() == few


def test_follow_and_unfollow(client, result, charlie, carla, django_capture_on_commit_callbacks):
    url = f"/results/montalto/{result.pk}/"
    assert client.post(url + "follow/").status_code == 302  # to the login page
    assert not ResultFollow.objects.exists()
    signed = sign_in(client, charlie)
    response = signed.post(url + "follow/", follow=True)
    assert "You follow this result" in response.content.decode()
    signed.post(url + "follow/")
    assert ResultFollow.objects.filter(user=charlie, result=result).count() == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_progress(carla, result, progress=50, note="A metà strada.")
    assert [m.to for m in mail.outbox] == [[charlie.email]]
    assert "A metà strada." in mail.outbox[0].body
    assert "50%" in mail.outbox[0].subject
    signed.post(url + "unfollow/")
    assert not ResultFollow.objects.exists()
    assert signed.get(url + "follow/").status_code == 405


def test_no_follow_of_what_one_cannot_see(client, montalto, carla, charlie):
    draft = actions.create_result(carla, montalto, title="Bozza", is_published=False)
    response = sign_in(client, charlie).post(f"/results/montalto/{draft.pk}/follow/")
    assert response.status_code == 404
    assert not ResultFollow.objects.exists()


def test_idea_and_process_pages_show_the_result(client, accepted, carla):
    from insieme.results.models import Result

    result = Result.objects.get(idea=accepted)
    actions.set_progress(carla, result, progress=20)
    process = accepted.process
    idea_page = client.get(f"/participation/montalto/{process.slug}/ideas/{accepted.pk}/")
    text = idea_page.content.decode()
    assert "What happened to this idea" in text and f"/results/montalto/{result.pk}/" in text
    process_page = client.get(f"/participation/montalto/{process.slug}/").content.decode()
    assert f"/results/montalto/?process={process.pk}" in process_page
    assert f"/results/montalto/{result.pk}/" in process_page


def test_idea_without_result_has_no_panel(client, idea):
    process = idea.process
    text = client.get(f"/participation/montalto/{process.slug}/ideas/{idea.pk}/").content.decode()
    assert "What happened to this idea" not in text
