"""Tailoring fixtures: Montalto's located application (a bulky-waste pickup) with questions of
every datatype, and charlie's earlier application to it, filed through the action (the one
write path). dora is another citizen. The loaded demo's fixtures are here for test_demo.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from insieme.cases.filing import actions as filing_actions
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from tests.catalog.conftest import cat  # noqa: F401  (the catalogue fixture)
from tests.conftest import make_user
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)

PICKUP_URL = "/services/montalto/pickup/file/"
INSIDE = {"lat": 43.1, "lon": 11.1}  # within Montalto's square

PICKUP_ATTRIBUTES = [
    {"code": "isee", "datatype": "number", "label": "Family ISEE", "order": 1},
    {"code": "plate", "datatype": "string", "label": "Number plate", "order": 2},
    {
        "code": "floor",
        "datatype": "singlevaluelist",
        "label": "Which floor?",
        "order": 3,
        "values": [{"key": "ground", "name": "Ground floor"}, {"key": "up", "name": "Upstairs"}],
    },
    {
        "code": "items",
        "datatype": "multivaluelist",
        "label": "What is collected?",
        "order": 4,
        "values": [{"key": "sofa", "name": "Sofa"}, {"key": "fridge", "name": "Fridge"}],
    },
    {"code": "story", "datatype": "text", "label": "Anything else?", "order": 5},
    {"code": "when", "datatype": "datetime", "label": "Preferred day", "order": 6},
    {
        "code": "info",
        "datatype": "string",
        "label": "Leave items by the door.",
        "order": 7,
        "variable": False,
    },
]
EARLIER_ANSWERS = {
    "isee": "12500.5",
    "plate": "AB123CD",
    "floor": "up",
    "items": ["sofa", "fridge"],
    "story": "The lift is broken",
    "when": "2026-01-10T09:00:00+01:00",
}


@pytest.fixture
def pickup(cat):  # noqa: F811
    return catalog_actions.create_service(
        None,
        cat.pothole.administration,
        code="pickup",
        name="Bulky waste pickup",
        kind="application",
        located=True,
        channels=["web"],
        status=Service.Status.PUBLISHED,
        attributes=PICKUP_ATTRIBUTES,
    )


def file_application(user, service, address="Via Roma 12", answers=None, **extra):
    case, _created = filing_actions.submit_case(
        user,
        filing_actions.Filing(
            service,
            answers=dict(EARLIER_ANSWERS if answers is None else answers),
            address=address,
            contact_name=user.full_name,
            contact_email=user.email,
            **INSIDE,
            **extra,
        ),
    )
    return case


@pytest.fixture
def earlier(pickup, charlie):
    charlie.phone = "+39 333 1234567"
    charlie.save(update_fields=["phone"])
    return file_application(charlie, pickup)


@pytest.fixture
def dora(db):
    return make_user("dora@example.org", "Dora Dweller")


def hidden(body: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', body).group(1)


def value_of(body: str, name: str) -> str | None:
    """The value attribute of the text input `name`, or None when it has none."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    found = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return found.group(1) if found else None


class _FormReader(HTMLParser):
    """What a browser would send for the filing form as it is shown, nothing touched."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            # A browser drops the newline right after <textarea>, as Django writes it.
            text = self.data[self._textarea][-1]
            self.data[self._textarea][-1] = text[1:] if text.startswith("\n") else text
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_data(body: str) -> dict[str, list[str]]:
    """The filing form's fields as shown (csrf included), for a POST that changes nothing."""
    start = body.index('id="filing-form"')
    reader = _FormReader()
    reader.feed(body[start : body.index("</form>", start)])
    return reader.data
