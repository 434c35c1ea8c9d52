"""Property-based run of the whole REST API against its own OpenAPI schema (schemathesis).

Every operation of /api/schema/ gets a few generated requests through the WSGI app (no network),
with an API key of Montalto holding every scope, against a database with a little data. Each
response must not be a server error and must conform to the schema: documented status code,
content type, headers and body. Bounded (few examples per operation) so it runs in `make test`.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from insieme.core.models import ApiKey

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 6


@pytest.fixture
def api_schema(db, settings, charlie_case, diana_case, lv_case, make_key, montalto):
    # Generous limits: this run tests schema conformance, not the throttles.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": None, "api_user": None, "api_address": None},
    }
    settings.ALLOWED_HOSTS = ["*"]
    raw = make_key(montalto, *[scope for scope, _label in ApiKey.SCOPES])
    # The bare WSGI app closes "old" connections around each request, and inside the test's
    # transaction PostgreSQL's counts as one: keep it, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        schema.insieme_key = raw
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()  # an invalid operation in our own schema is itself a failure


def test_api_conforms_to_its_schema(api_schema):
    """One hypothesis run per operation (schemathesis' lazy pytest integration does not run
    on this pytest, so the loop is spelled out)."""
    headers = {"Authorization": f"Bearer {api_schema.insieme_key}"}
    labels = []
    for operation in operations(api_schema):
        labels.append(operation.label)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
    assert "POST /api/v1/cases/" in labels and len(labels) >= 15


# Control characters a client might send; lone surrogates only inside JSON (no URL carries them).
URL_CONTROLS = ["\x00", "a\x01b", "\x1b[31m", "x\x7f", "\x85"]
BODY_CONTROLS = [*URL_CONTROLS, "\ud800"]


def _strings(value, path=()):
    """Paths to every text inside a JSON-like value."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, (*path, index))


def _put(container, path, text):
    for step in path[:-1]:
        container = container[step]
    container[path[-1]] = text


def _poisoned_run(operation, headers: dict, poisoned: list):
    """A hypothesis run of `operation` whose generated request carries one control character."""
    label = operation.label

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        places = [("query", (k,)) for k, v in (case.query or {}).items() if isinstance(v, str)]
        places += [("path_parameters", (k,)) for k in case.path_parameters or {}]
        places += [("body", p) for p in _strings(case.body) if p]
        if not places:
            return
        where, path = data.draw(st.sampled_from(places))
        controls = BODY_CONTROLS if where == "body" else URL_CONTROLS
        _put(getattr(case, where), path, data.draw(st.sampled_from(controls)))
        poisoned.append(label)
        response = case.call(headers=headers)
        assert 400 <= response.status_code < 500, (label, where, path, response.status_code)
        assert response.json()["error"]["code"], response.text

    return run


def test_control_characters_anywhere_are_refused_in_the_api_format(api_schema):
    """Generated requests of every operation with one text (a query or path parameter, or a
    string anywhere in the JSON body) holding a control character: each is refused with a 4xx
    in the API's error shape, never accepted and never a server error."""
    headers = {"Authorization": f"Bearer {api_schema.insieme_key}"}
    poisoned: list[str] = []
    for operation in operations(api_schema):
        _poisoned_run(operation, headers, poisoned)()
    assert "POST /api/v1/cases/" in poisoned and len(set(poisoned)) >= 8
