"""Co-design fixtures, built through the actions of participation, catalogue and co-design.

Montalto (tests/conftest.py) runs a public process linked to its pothole service (whose
responsible department is Roads, tests/catalog/conftest.py); charlie proposed an idea there.
Roads has an officer, olga, and a supervisor, sam; Parks an officer, pietro.
"""

from __future__ import annotations

import pytest

from insieme.codesign import actions
from insieme.core import actions as core_actions
from insieme.core.permissions import Role
from insieme.participation import actions as participation
from tests.conftest import make_staff
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)
from tests.participation.conftest import make_idea, make_process


@pytest.fixture
def process(montalto, carla, cat):
    return make_process(montalto, carla, services=[cat.pothole])


@pytest.fixture
def idea(process, charlie):
    return make_idea(process, charlie, title="Segnalare i pericoli", body="Buche pericolose.")


@pytest.fixture
def accepted(idea, carla):
    participation.answer_idea(carla, idea, kind="accepted", text="Sì")
    idea.refresh_from_db()
    return idea


@pytest.fixture
def olga(montalto, cat):
    return make_staff(
        montalto, Role.OFFICER, "olga@montalto.example", "Olga Officer", department=cat.department
    )


@pytest.fixture
def sam(montalto, cat):
    return make_staff(
        montalto, Role.SUPERVISOR, "sam@montalto.example", "Sam Super", department=cat.department
    )


@pytest.fixture
def parks(montalto):
    return core_actions.create_department(None, montalto, name="Parks", code="parks")


@pytest.fixture
def pietro(montalto, parks):
    return make_staff(
        montalto, Role.OFFICER, "pietro@montalto.example", "Pietro Parks", department=parks
    )


@pytest.fixture
def change(accepted, carla, cat):
    return actions.start_change(carla, cat.pothole, idea=accepted)


FIELD = {
    "code": "pedestrians",
    "datatype": "singlevaluelist",
    "label": "Pericolo per i pedoni?",
    "help_text": "",
    "required": True,
    "variable": True,
    "values": [{"key": "yes", "name": "Sì"}, {"key": "no", "name": "No"}],
    "translations": {"en": {"label": "Danger for pedestrians?", "values": {"yes": "Yes"}}},
}
