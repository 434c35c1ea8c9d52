"""One response per signed-in person: the partial unique constraint decides, also when two
requests race (a double click); anonymous responses are not limited by it."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from insieme.surveys import actions
from insieme.surveys.models import Answer, Response, Survey
from tests.participation.test_supports import in_thread, shared_database
from tests.surveys.conftest import answers, as_values, make_service, make_survey


def test_the_constraint_allows_many_anonymous_responses_and_one_per_person(survey, charlie):
    Response.objects.create(survey=survey)
    Response.objects.create(survey=survey)
    Response.objects.create(survey=survey, user=charlie)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, user=charlie)
    assert Response.objects.filter(user=charlie).count() == 1


def test_the_action_refuses_a_second_response(survey, charlie):
    actions.submit_response(charlie, survey, as_values(answers(survey)))
    with pytest.raises(actions.AlreadyAnswered):
        actions.submit_response(charlie, survey, as_values(answers(survey)))


@pytest.mark.django_db(transaction=True)
def test_two_racing_submissions_make_one_response(montalto, carla, charlie, tmp_path):
    """Two threads, each with its own database connection, send the same person's answers at
    the same moment: one response is kept, the other request is told it answered already (no
    error, no second row, no orphan answers: two answers, the ones sent once)."""
    survey = make_survey(montalto, carla, service=make_service(montalto))
    values = as_values(answers(survey))
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def send():
        try:
            user = type(charlie).objects.get(pk=charlie.pk)
            target = Survey.objects.select_related("administration").get(pk=survey.pk)
            barrier.wait(timeout=10)
            try:
                actions.submit_response(user, target, values)
                outcomes.append("recorded")
            except actions.AlreadyAnswered:
                outcomes.append("already")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    with shared_database(tmp_path):
        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        assert sorted(outcomes) == ["already", "recorded"]
        rows, answer_rows = in_thread(
            lambda: (
                Response.objects.filter(survey_id=survey.pk).count(),
                Answer.objects.filter(response__survey_id=survey.pk).count(),
            )
        )
    assert (rows, answer_rows) == (1, 2)
