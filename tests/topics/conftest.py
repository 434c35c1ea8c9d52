"""Topics fixtures: cases filed through insieme.cases.filing.actions.submit_case and ideas through
insieme.participation.actions (the write paths), then a run computed with
insieme.topics.actions.compute.

Montalto's texts hold two clearly different themes, potholes and street lights, in Italian and
English; one report carries an e-mail address and a phone number in its text.
"""

from __future__ import annotations

import pytest

from insieme.cases.filing import actions as filing_actions
from insieme.topics import actions
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401 (fixture)
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)
from tests.participation.conftest import make_idea, make_process

POTHOLES = [
    "Buca profonda sulla strada, pericolosa per le moto",
    "Una buca enorme nell'asfalto, le moto rischiano di cadere",
    "Deep pothole in the asphalt, dangerous for motorbikes",
    "Buca nell'asfalto davanti alla scuola, profonda e pericolosa",
    "Huge pothole in the asphalt, motorbikes will fall",
    "Asfalto rotto e buca profonda sulla provinciale",
    "Buca pericolosa nell'asfalto vicino al ponte",
    "Pothole in the asphalt near the bridge, deep and dangerous",
    "Le moto cadono nella buca profonda dell'asfalto",
    "Buca enorme: asfalto sprofondato, pericolosa",
]
LIGHTS = [
    "Lampione spento da giorni, la strada è al buio",
    "Il lampione lampeggia e la luce si spegne di notte",
    "Street lamp out, the light is dark at night",
    "Lampione rotto: nessuna luce nel parcheggio di notte",
    "The street lamp keeps flickering, no light at night",
    "Luce del lampione spenta, di notte è tutto buio",
    "Lampione guasto, buio completo di notte",
    "Lamp post dark at night, the light does not work",
    "La luce del lampione non si accende la notte",
    "Lampione spento e luce assente, buio pesto di notte",
]
PRIVATE_EMAIL = "mario.rossi.private@example.org"
PRIVATE_PHONE = "+39 333 765 4321"
WITH_PII = f"Lampione spento di notte, buio. Scrivete a {PRIVATE_EMAIL} o chiamate {PRIVATE_PHONE}"


def file_report(cat, charlie, text: str):  # noqa: F811
    case, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "large"}, description=text, **INSIDE_MONTALTO
        ),
    )
    return case


@pytest.fixture
def texts(cat, charlie, montalto, carla):  # noqa: F811
    """Montalto's cases on both themes, one with personal data, and two ideas about lights."""
    for text in [*POTHOLES, *LIGHTS, WITH_PII]:
        file_report(cat, charlie, text)
    process = make_process(montalto, carla)
    make_idea(
        process, charlie, title="Più lampioni", body="Lampioni accesi di notte nel parco buio"
    )
    make_idea(process, charlie, title="Luce nel parco", body="Più luce di notte: lampione nuovo")
    return montalto


@pytest.fixture
def run(texts):
    return actions.compute(None, texts, seed=7)


__all__ = ["make_idea", "make_process"]
