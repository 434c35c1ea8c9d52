"""The staff screens: every permission boundary (only survey managers, in their administrations
and those their region hosts), creating and editing surveys and questions, the lock once people
have answered, opening and closing (the transitions table), and their audit entries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.core.permissions import Perm, roles_with
from insieme.surveys import actions
from insieme.surveys.models import Question, Survey
from tests.surveys.conftest import answers, as_values, make_survey, qs, staff_url

PAGES = ["", "results/", "results.csv", "questions/new/"]


def test_only_service_managers_manage_surveys():
    assert roles_with(Perm.SURVEY_MANAGE) == ["service_manager"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("carla", 200),
        ("rita", 200),
        ("alice", 403),
        ("bob", 403),
        ("dario", 403),
        ("elena", 403),
        ("oscar", 404),
        ("charlie", 404),
    ],
)
def test_who_reaches_the_staff_screens(request, persona_client, survey, persona, status):
    client = persona_client(request.getfixturevalue(persona))
    for page in ["/staff/montalto/surveys/", "/staff/montalto/surveys/new/"]:
        assert client.get(page).status_code == status, page
    for tail in PAGES:
        assert client.get(staff_url(survey, tail)).status_code == status, tail
    posted = client.post(staff_url(survey, "status/"), {"to": "closed"})
    assert posted.status_code == (302 if status == 200 else status)


def test_anonymous_visitors_are_sent_to_log_in(client, survey):
    for tail in PAGES:
        response = client.get(staff_url(survey, tail))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_administrations_survey_is_not_found(persona_client, oscar, survey, lagoverde):
    assert persona_client(oscar).get(f"/staff/lagoverde/surveys/{survey.pk}/").status_code == 404


def test_actions_refuse_people_without_the_permission(survey, alice, charlie, oscar):
    for person in (alice, charlie, oscar):
        with pytest.raises(PermissionDenied):
            actions.set_status(person, survey, Survey.Status.CLOSED)
        with pytest.raises(PermissionDenied):
            actions.save_question(person, survey, kind="text", text="?")


def test_the_dashboard_links_to_surveys_for_managers_only(persona_client, montalto, carla, alice):
    assert (
        "/staff/montalto/surveys/" in persona_client(carla).get("/staff/montalto/").content.decode()
    )
    assert (
        "/staff/montalto/surveys/"
        not in persona_client(alice).get("/staff/montalto/").content.decode()
    )


def test_create_a_survey_add_questions_and_open_it(persona_client, carla, service, process):
    client = persona_client(carla)
    created = client.post(
        "/staff/montalto/surveys/new/",
        {
            "title": "Parchi",
            "description": "Tre domande",
            "title__en": "Parks",
            "process": process.pk,
            "service": service.pk,
            "audience": "anyone",
            "results_public": "on",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    survey = Survey.objects.get()
    assert (survey.process, survey.service, survey.translations) == (
        process,
        service,
        {"en": {"title": "Parks"}},
    )
    new = staff_url(survey, "questions/new/")
    first = client.post(
        new,
        {
            "kind": "single",
            "text": "Quale parco?",
            "text__en": "Which park?",
            "required": "on",
            "options_text": "Parco Nord\ncentro = Parco del Centro",
            "options__en": "North park\ncentro = Central park",
        },
    )
    assert first.status_code == 302, first.content.decode()[:3000]
    question = Question.objects.get()
    assert question.options == [
        {"key": "parco-nord", "label": "Parco Nord"},
        {"key": "centro", "label": "Parco del Centro"},
    ]
    assert question.translations["en"]["options"] == {
        "parco-nord": "North park",
        "centro": "Central park",
    }
    scale = client.post(new, {"kind": "scale", "text": "Voto", "scale_min": 0, "scale_max": 10})
    assert scale.status_code == 302
    assert client.post(staff_url(survey, "status/"), {"to": "open"}).status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    actions_done = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "surveys.survey.created",
        "surveys.question.created",
        "surveys.survey.status_changed",
    } <= actions_done
    assert audit.verify().ok


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "single", "text": "?", "options_text": "Solo una"}, "at least two options"),
        (
            {"kind": "single", "text": "?", "options_text": "a = Uno\na = Due"},
            "Two options have the key",
        ),
        (
            {"kind": "scale", "text": "?", "scale_min": 5, "scale_max": 5},
            "lowest value below its highest",
        ),
        ({"kind": "scale", "text": "?"}, "A scale needs its lowest and highest values."),
        (
            {"kind": "scale", "text": "?", "scale_min": 0, "scale_max": 99},
            "less than or equal to 10",
        ),
        ({"kind": "text", "text": "?", "max_length": 5000}, "less than or equal to 4000"),
        ({"kind": "grid", "text": "?"}, "Select a valid choice"),
        ({"kind": "text", "text": ""}, "This field is required"),
    ],
)
def test_bad_questions_are_refused_with_a_400(persona_client, carla, survey, data, message):
    before = Question.objects.count()
    response = persona_client(carla).post(staff_url(survey, "questions/new/"), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Question.objects.count() == before


def test_a_survey_needs_something_to_be_attached_to(persona_client, carla, montalto):
    response = persona_client(carla).post(
        "/staff/montalto/surveys/new/", {"title": "Orfano", "audience": "anyone"}
    )
    assert response.status_code == 400
    assert "Attach the survey to a process, to a service, or to both." in response.content.decode()
    assert not Survey.objects.exists()


def test_another_administrations_service_cannot_be_attached(carla, montalto, lagoverde):
    from tests.surveys.conftest import make_service

    theirs = make_service(lagoverde, code="boats")
    with pytest.raises(ValidationError) as exc:
        actions.create_survey(carla, montalto, title="x", service=theirs)
    assert "Choose a service of this administration." in str(exc.value)


def test_the_dates_must_be_in_order(carla, montalto, service):
    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(ValidationError, match="must close after it opens"):
        actions.create_survey(
            carla, montalto, title="x", service=service, opens_at=now, closes_at=now
        )


def test_questions_move_up_and_down_and_are_deleted(persona_client, carla, montalto, service):
    survey = make_survey(montalto, carla, service=service, open_it=False)
    first, second, third, fourth = qs(survey)
    client = persona_client(carla)
    assert (
        client.post(
            staff_url(survey, f"questions/{third.pk}/move/"), {"direction": "up"}
        ).status_code
        == 302
    )
    assert [q.pk for q in qs(survey)] == [first.pk, third.pk, second.pk, fourth.pk]
    assert (
        client.post(
            staff_url(survey, f"questions/{first.pk}/move/"), {"direction": "sideways"}
        ).status_code
        == 400
    )
    assert actions.move_question(carla, qs(survey)[0], "up") is False
    assert client.post(staff_url(survey, f"questions/{second.pk}/delete/")).status_code == 302
    assert [q.pk for q in qs(survey)] == [first.pk, third.pk, fourth.pk]
    logged = list(AuditEntry.objects.values_list("action", flat=True))
    assert "surveys.question.moved" in logged and "surveys.question.deleted" in logged


def test_no_structural_edit_once_people_have_answered(persona_client, carla, survey):
    actions.submit_response(None, survey, as_values(answers(survey)), limit=False)
    client = persona_client(carla)
    first = qs(survey)[0]
    page = client.get(staff_url(survey)).content.decode()
    assert "People have answered this survey: its questions can no longer change." in page
    assert "Add a question" not in page
    for url, data in [
        (staff_url(survey, "questions/new/"), {"kind": "text", "text": "Nuova"}),
        (
            staff_url(survey, f"questions/{first.pk}/"),
            {"kind": "single", "text": "Cambiata", "options_text": "a = A\nb = B"},
        ),
        (staff_url(survey, f"questions/{first.pk}/move/"), {"direction": "down"}),
        (staff_url(survey, f"questions/{first.pk}/delete/"), {}),
    ]:
        response = client.post(url, data)
        assert response.status_code in (400, 409), url
        assert "can no longer change" in response.content.decode()
    assert [q.text for q in qs(survey)][0] == "Come hai usato il servizio?" and len(qs(survey)) == 4
    # Closing is still allowed, and so is reopening.
    assert client.post(staff_url(survey, "status/"), {"to": "closed"}).status_code == 302
    assert client.post(staff_url(survey, "status/"), {"to": "open"}).status_code == 302


@pytest.mark.parametrize(
    ("start", "to", "ok"),
    [
        ("draft", "open", True),
        ("draft", "closed", False),
        ("open", "closed", True),
        ("open", "draft", False),
        ("closed", "open", True),
        ("closed", "draft", False),
        ("open", "open", False),
    ],
)
def test_status_transitions(carla, montalto, service, start, to, ok):
    survey = make_survey(montalto, carla, service=service, open_it=False)
    Survey.objects.filter(pk=survey.pk).update(status=start)
    survey.refresh_from_db()
    if ok:
        actions.set_status(carla, survey, to)
        survey.refresh_from_db()
        assert survey.status == to
    else:
        with pytest.raises(ValidationError):
            actions.set_status(carla, survey, to)


def test_an_empty_survey_does_not_open(persona_client, carla, montalto, service):
    survey = make_survey(montalto, carla, service=service, open_it=False, questions=[])
    response = persona_client(carla).post(staff_url(survey, "status/"), {"to": "open"})
    assert response.status_code == 400
    assert "Add at least one question before opening the survey." in response.content.decode()


def test_opening_a_public_survey_tells_integrators(carla, montalto, service):
    seen = []
    with _capture(seen.append):
        make_survey(montalto, carla, service=service)
    opened = [e for e in seen if e.type == actions.OPENED_EVENT]
    assert len(opened) == 1 and "user" not in opened[0].data
    assert opened[0].data["url"].endswith(f"/surveys/montalto/{opened[0].data['survey']}/")


class _capture:
    def __init__(self, sink):
        self.sink = sink

    def __enter__(self):
        from insieme.core import events

        self._old = list(events._recorders)
        events._recorders.append(self.sink)

    def __exit__(self, *exc):
        from insieme.core import events

        events._recorders[:] = self._old


def test_an_update_that_changes_nothing_writes_nothing(carla, survey):
    before = AuditEntry.objects.count()
    actions.update_survey(carla, survey, title=survey.title)
    assert AuditEntry.objects.count() == before
    actions.update_survey(carla, survey, title="Nuovo titolo")
    entry = AuditEntry.objects.latest("seq")
    assert entry.action == "surveys.survey.updated"
    assert entry.after == {"title": "Nuovo titolo"}


@pytest.mark.parametrize("given", ["²³", "abc", "9" * 30, "-1"])
def test_a_new_survey_ignores_odd_prefilled_links(persona_client, carla, service, given):
    response = persona_client(carla).get(f"/staff/montalto/surveys/new/?service={given}")
    assert response.status_code == 200


def test_a_new_survey_from_the_service_page_is_prefilled(persona_client, carla, service):
    page = persona_client(carla).get(f"/staff/montalto/services/{service.pk}/").content.decode()
    assert f"/staff/montalto/surveys/new/?service={service.pk}" in page
    form = persona_client(carla).get(f"/staff/montalto/surveys/new/?service={service.pk}")
    assert f'<option value="{service.pk}" selected>' in form.content.decode()
