"""Every public function of insieme.surveys.actions that changes a survey's structure appends to
the audit log in its transaction, and the hash chain stays intact; the ones that only read write
nothing. Responses are the one write left out, on purpose: an entry per response would tie a
person to the moment they answered (and the log keeps the actor), and the answers' content must
not be copied into an append-only log; the response itself is the record. The tables below must
name every public function, so that a new action cannot be added without saying how it is
audited."""

from __future__ import annotations

import inspect

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.surveys import actions
from insieme.surveys.models import Survey
from tests.core.test_audit_coverage import written_tables
from tests.surveys.conftest import answers, as_values, make_survey, qs


@pytest.fixture
def w(montalto, carla, service, survey):
    draft = make_survey(montalto, carla, service=service, open_it=False)

    class W:
        pass

    for name, value in locals().items():
        setattr(W, name, value)
    return W


WRITES = {
    "create_survey": lambda w: actions.create_survey(
        w.carla, w.montalto, title="T", service=w.service
    ),
    "update_survey": lambda w: actions.update_survey(w.carla, w.survey, title="Nuovo"),
    "set_status": lambda w: actions.set_status(w.carla, w.survey, Survey.Status.CLOSED),
    "save_question": lambda w: actions.save_question(w.carla, w.draft, kind="text", text="Altro?"),
    "delete_question": lambda w: actions.delete_question(w.carla, qs(w.draft)[0]),
    "move_question": lambda w: actions.move_question(w.carla, qs(w.draft)[1], "up"),
}
UNAUDITED = {
    "submit_response": lambda w: actions.submit_response(
        None, w.survey, as_values(answers(w.survey)), limit=False
    ),
}
READS = {
    "fill_keys": lambda w: actions.fill_keys([{"label": "Sì"}, {"key": "no", "label": "No"}]),
    "survey_path": lambda w: actions.survey_path(w.survey),
}


def test_every_action_is_named():
    public = {
        name
        for name, fn in inspect.getmembers(actions, inspect.isfunction)
        if fn.__module__ == actions.__name__ and not name.startswith("_")
    }
    assert set(WRITES) | set(READS) | set(UNAUDITED) == public


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_structural_write_appends_to_the_audit_log(w, name):
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        WRITES[name](w)
    tables = written_tables(queries.captured_queries) - {"core_auditentry"}
    assert tables, f"{name} wrote nothing"
    assert AuditEntry.objects.count() > before, f"{name} wrote {sorted(tables)} without an entry"
    assert audit.verify().ok


def test_a_response_writes_only_its_own_rows_and_no_entry(w):
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        UNAUDITED["submit_response"](w)
    assert written_tables(queries.captured_queries) == {"surveys_response", "surveys_answer"}
    assert AuditEntry.objects.count() == before


def test_a_rate_limited_response_writes_its_counter_too(w, settings):
    with CaptureQueriesContext(connection) as queries:
        actions.submit_response(None, w.survey, as_values(answers(w.survey)), client="10.0.0.1")
    assert written_tables(queries.captured_queries) <= {
        "surveys_response",
        "surveys_answer",
        "core_ratecounter",
    }


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_writes_nothing(w, name):
    with CaptureQueriesContext(connection) as queries:
        READS[name](w)
    assert not written_tables(queries.captured_queries)
