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
