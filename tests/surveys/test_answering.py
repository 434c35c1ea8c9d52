"""Answering a survey: the page (works without JavaScript: a plain form, a fieldset and legend
per question), valid answers recorded and a thank-you page, bad answers refused with a 400 and
an error next to each question (nothing written), surveys that take no answers refusing them
with a 409 and the reason, the signed-in audience, and the per-client rate limit of anonymous
responses."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from insieme.core.models import AuditEntry
from insieme.surveys import actions
from insieme.surveys.models import Answer, Response, Survey
from tests.surveys.conftest import answers, make_survey, qs, survey_url


def main_of(page: str) -> str:
    return page.split("<main")[1].split("</main>")[0]


def html(response) -> str:
    return response.content.decode()


def test_the_page_is_a_plain_form_with_a_fieldset_per_choice_question(client, survey):
    page = html(client.get(survey_url(survey)))
    main = page.split("<main")[1].split("</main>")[0]
    assert '<form method="post"' in main and "<script" not in main
    assert page.count("<fieldset") == 3 and page.count("<legend") == 3
    q1, q2, q3, q4 = qs(survey)
    assert f'name="{q1.field_name}" value="web"' in page
    assert f'type="checkbox" name="{q2.field_name}" value="tempi"' in page
    assert "From 1 to 5: 1 = Not at all, 5 = Very much" in page
    assert f'<label for="id_{q4.field_name}"' in page and 'maxlength="50"' in page
    assert "How did you use the service?" in page and "(required)" in page
    assert "You may answer without signing in." in page


def test_an_anonymous_answer_is_recorded_and_thanked(client, survey):
    before = AuditEntry.objects.count()
    sent = client.post(
        survey_url(survey), answers(survey, multiple=["tempi", "orari"], text="Bene")
    )
    assert sent.status_code == 302 and sent["Location"] == survey_url(survey, "thanks/")
    thanks = html(client.get(sent["Location"]))
    assert "Thank you" in thanks and "Your answers to “Satisfaction” are recorded." in thanks
    response = Response.objects.get()
    assert response.user is None and response.language == "en"
    q1, q2, q3, q4 = qs(survey)
    got = {a.question_id: a for a in Answer.objects.all()}
    assert got[q1.pk].choices == ["web"]
    assert got[q2.pk].choices == ["tempi", "orari"]
    assert got[q3.pk].number == 4 and got[q4.pk].text == "Bene"
    # Responses are not audited: the log would tie people to their answers' moment and text.
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"single": "fax"}, "Choose one of the options given."),
        ({"single": ""}, "This question needs an answer."),
        ({"multiple": ["tempi", "nope"]}, "Choose among the options given."),
        ({"scale": "6"}, "Choose a whole number from 1 to 5."),
        ({"scale": "0"}, "Choose a whole number from 1 to 5."),
        ({"scale": "abc"}, "Choose a whole number from 1 to 5."),
        ({"scale": ""}, "This question needs an answer."),
        ({"text": "x" * 51}, "Write at most 50 characters (you wrote 51)."),
    ],
)
def test_bad_answers_come_back_with_a_400_and_the_error_at_the_question(
    client, survey, change, message
):
    response = client.post(survey_url(survey), answers(survey, **change))
    assert response.status_code == 400
    page = html(response).replace("&#x27;", "'")
    assert "Your answers were not sent." in page and message in page
    assert re.search(r'<ul class="errorlist" id="id_q\d+_error"><li>', page)
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_what_was_typed_is_kept_on_a_refused_form(client, survey):
    page = html(client.post(survey_url(survey), answers(survey, scale="9", text="Tienimi")))
    assert "Tienimi" in page


def test_a_control_character_is_refused_as_malformed(client, survey):
    response = client.post(survey_url(survey), answers(survey, text="ciao\x07"))
    assert response.status_code == 400 and not Response.objects.exists()


def test_a_closed_survey_refuses_answers_clearly(client, survey, carla):
    actions.set_status(carla, survey, Survey.Status.CLOSED)
    page = html(client.get(survey_url(survey)))
    assert "This survey is closed: it takes no more answers." in page and "<form" not in main_of(
        page
    )
    refused = client.post(survey_url(survey), answers(survey))
    assert refused.status_code == 409
    assert "This survey is closed" in html(refused) and not Response.objects.exists()


def test_outside_its_dates_a_survey_takes_no_answers(client, montalto, carla, service):
    now = timezone.now()
    later = make_survey(montalto, carla, service=service, opens_at=now + dt.timedelta(days=1))
    assert client.post(survey_url(later), answers(later)).status_code == 409
    assert "This survey opens on" in html(client.get(survey_url(later)))
    past = make_survey(
        montalto,
        carla,
        service=service,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now - dt.timedelta(days=1),
    )
    assert "This survey closed on" in html(client.post(survey_url(past), answers(past)))
    assert not Response.objects.exists()


def test_a_draft_is_seen_only_by_survey_managers(
    client, persona_client, montalto, carla, alice, service
):
    draft = make_survey(montalto, carla, service=service, open_it=False)
    assert client.get(survey_url(draft)).status_code == 404
    assert client.post(survey_url(draft), answers(draft)).status_code == 404
    assert persona_client(alice).get(survey_url(draft)).status_code == 404
    preview = persona_client(carla)
    assert "This survey is a draft" in html(preview.get(survey_url(draft)))
    assert preview.post(survey_url(draft), answers(draft)).status_code == 409
    assert not Response.objects.exists()


def test_signed_in_only_surveys_ask_visitors_to_log_in(
    client, persona_client, montalto, carla, service, charlie
):
    survey = make_survey(montalto, carla, service=service, audience=Survey.Audience.SIGNED_IN)
    page = html(client.get(survey_url(survey)))
    assert "Log in to answer" in page and "Send my answers" not in page
    sent = client.post(survey_url(survey), answers(survey))
    assert sent.status_code == 302 and sent["Location"].startswith("/accounts/login/")
    assert not Response.objects.exists()
    assert persona_client(charlie).post(survey_url(survey), answers(survey)).status_code == 302
    assert Response.objects.get().user == charlie


def test_a_signed_in_person_answers_once(persona_client, survey, charlie):
    client = persona_client(charlie)
    assert client.post(survey_url(survey), answers(survey)).status_code == 302
    again = client.post(survey_url(survey), answers(survey, single="telefono"), follow=True)
    assert "You have answered this survey already: thank you." in html(again)
    assert Response.objects.count() == 1
    assert Answer.objects.filter(choices=["telefono"]).count() == 0
    assert "Send my answers" not in html(client.get(survey_url(survey)))


def test_anonymous_answers_are_rate_limited_per_client(settings, client, survey):
    settings.SURVEYS_RESPONSE_RATE = "2/hour"
    assert client.post(survey_url(survey), answers(survey, scale="9")).status_code == 400  # free
    for _n in range(2):
        assert client.post(survey_url(survey), answers(survey)).status_code == 302
    refused = client.post(survey_url(survey), answers(survey))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Response.objects.count() == 2
    # Another address is not held back.
    other = client.post(survey_url(survey), answers(survey), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302 and Response.objects.count() == 3


def test_a_survey_of_a_process_follows_the_process_visibility(
    client, persona_client, montalto, carla, bob, charlie
):
    from insieme.participation.models import Audience
    from tests.participation.conftest import make_process

    box = make_process(montalto, carla, slug="cassetta", audience=Audience.EMPLOYEES)
    survey = make_survey(montalto, carla, process=box)
    assert client.get(survey_url(survey)).status_code == 404
    assert persona_client(charlie).get(survey_url(survey)).status_code == 404
    assert persona_client(bob).get(survey_url(survey)).status_code == 200


def test_unknown_and_other_administrations_surveys_are_not_found(client, survey):
    assert client.get(f"/surveys/montalto/{survey.pk + 1000}/").status_code == 404
    assert client.get(f"/surveys/lagoverde/{survey.pk}/").status_code == 404
    assert client.get(f"/surveys/montalto/{'9' * 25}/").status_code == 404


def test_the_service_and_process_pages_invite_to_open_surveys(
    client, montalto, carla, survey, process
):
    on_process = make_survey(montalto, carla, process=process, title="Percorso")
    assert "Tell us what you think" in html(client.get("/services/montalto/parks/"))
    page = html(client.get(f"/participation/montalto/{process.slug}/"))
    assert "Tell us what you think" in page and survey_url(on_process) in page
    actions.set_status(carla, on_process, Survey.Status.CLOSED)
    assert "Tell us what you think" not in html(
        client.get(f"/participation/montalto/{process.slug}/")
    )


def test_the_pages_in_italian(client, survey):
    client.cookies["django_language"] = "it"
    page = html(client.get(survey_url(survey), HTTP_ACCEPT_LANGUAGE="it"))
    assert 'lang="it"' in page and "Soddisfazione" in page and "Satisfaction" not in page
    assert "Come hai usato il servizio?" in page and "Allo sportello" in page
    assert "Invia le mie risposte" in page
    assert "Da 1 a 5: 1 = Per niente, 5 = Moltissimo" in page
    refused = html(
        client.post(survey_url(survey), answers(survey, scale="7"), HTTP_ACCEPT_LANGUAGE="it")
    )
    assert "Scegli un numero intero da 1 a 5." in refused
    sent = client.post(survey_url(survey), answers(survey), HTTP_ACCEPT_LANGUAGE="it")
    thanks = html(client.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="it"))
    assert "Grazie" in thanks
    assert Response.objects.get().language == "it"
