"""REST API fixtures: services open to the "api" channel, API keys, and cases filed through
insieme.cases.filing.actions (the one write path).

Montalto's roads department handles `lights` (street lights). Two officers of Montalto work in
departments: roberto in Roads (sees the lights cases), paola in Parks (does not).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from insieme.cases.filing import actions as filing_actions
from insieme.catalog import actions as catalog_actions
from insieme.core import actions as core_actions
from insieme.core.permissions import Role
from tests.conftest import make_staff, make_user, sign_in

INSIDE_MONTALTO = {"lat": 43.1234567, "lon": 11.1234567}
PII = "Lampione spento. Chiamatemi al +39 333 123 4567 o scrivete a charlie.private@example.org"


@pytest.fixture
def lights(cat, montalto):
    return catalog_actions.create_service(
        None,
        montalto,
        code="lights",
        name="Street light out",
        group="Roads",
        kind="report",
        located=True,
        anonymous_allowed=True,
        channels=["web", "app", "api"],
        department=cat.department,
        attributes=[
            {"code": "pole", "datatype": "string", "label": "Pole number", "order": 10},
            {
                "code": "colour",
                "datatype": "singlevaluelist",
                "label": "Light colour",
                "required": True,
                "order": 20,
                "values": [{"key": "white", "name": "White"}, {"key": "yellow", "name": "Yellow"}],
            },
        ],
    )


@pytest.fixture
def lv_lights(cat, lagoverde):
    return catalog_actions.create_service(
        None,
        lagoverde,
        code="lv-lights",
        name="Lago Verde lights",
        kind="report",
        located=False,
        anonymous_allowed=True,
        channels=["web", "api"],
        department=cat.lv_department,
    )


@pytest.fixture
def make_key():
    def make(admin, *scopes: str) -> str:
        _key, raw = core_actions.create_api_key(None, admin, name="app", scopes=list(scopes))
        return raw

    return make


@pytest.fixture
def api():
    """api(key=None, user=None, csrf=False) -> an APIClient with that key or session."""

    def make(key: str | None = None, user=None, csrf: bool = False) -> APIClient:
        client = APIClient(enforce_csrf_checks=csrf)
        if key:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        if user is not None:
            sign_in(client, user)
        return client

    return make


def file_case(actor, service, **extra):
    fields = {
        "answers": {"colour": "white", "pole": "P-17"},
        "description": PII,
        "address": "Via Roma 3",
        "contact_name": "Charlie Citizen",
        "contact_email": "charlie.contact@example.org",
        "contact_phone": "+39 347 765 4321",
        **INSIDE_MONTALTO,
    }
    fields.update(extra)
    case, _created = filing_actions.submit_case(actor, filing_actions.Filing(service, **fields))
    return case


@pytest.fixture
def charlie_case(lights, charlie):
    return file_case(charlie, lights)


@pytest.fixture
def diana(db):
    return make_user("diana@example.org", "Diana Citizen")


@pytest.fixture
def diana_case(lights, diana):
    return file_case(diana, lights, description="Another light is out.")


@pytest.fixture
def lv_case(lv_lights, diana):
    case, _ = filing_actions.submit_case(
        diana, filing_actions.Filing(lv_lights, description="Lake light out", address="Lungolago 1")
    )
    return case


@pytest.fixture
def roberto(cat, montalto):
    return make_staff(
        montalto,
        Role.OFFICER,
        "roberto@montalto.example",
        "Roberto Roads",
        department=cat.department,
    )


@pytest.fixture
def paola(cat, montalto):
    parks = core_actions.create_department(None, montalto, name="Parks", code="parks")
    return make_staff(
        montalto, Role.OFFICER, "paola@montalto.example", "Paola Parks", department=parks
    )
