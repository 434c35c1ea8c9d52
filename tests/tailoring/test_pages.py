"""Where the prefill shows and where it must not: the app has no page of its own; the public
pages of a prefilled case say nothing of it; the T1 indicators are on the Scorecard for the
staff who may read it, in English and Italian, and for no one else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.tailoring.models import PrefillRecord
from tests.tailoring.conftest import form_data

pytestmark = pytest.mark.django_db

POTHOLE_URL = "/services/montalto/pothole/file/"
T1_TITLES = (
    "Templated services with a local variant",
    "Citizens using personal preferences",
    "Form fields prefilled (once only)",
)


def test_a_prefilled_public_report_shows_nothing_of_the_prefill(client, cat, charlie):
    charlie.phone = "+39 333 1234567"
    charlie.save(update_fields=["phone"])
    client.force_login(charlie)
    data = form_data(client.get(POTHOLE_URL).content.decode())
    data.update(attr_size=["large"], description=["Buca"], lat=["43.1"], lon=["11.1"])
    assert client.post(POTHOLE_URL, data).status_code == 302
    record = PrefillRecord.objects.get()
    assert record.kept == 3
    client.logout()
    page = client.get(reverse("case_public", args=["montalto", record.case.reference]))
    assert page.status_code == 200
    body = page.content.decode()
    for private in ("charlie@example.org", "1234567", "From your profile", "prefill"):
        assert private not in body


def test_the_app_adds_no_public_address(client):
    assert client.get("/tailoring/").status_code == 404


@pytest.mark.parametrize(
    ("language", "titles"),
    [
        ("en", T1_TITLES),
        (
            "it",
            (
                "Servizi da modello con una variante locale",
                "Cittadini che usano preferenze personali",
                "Campi dei moduli precompilati (una volta sola)",
            ),
        ),
    ],
)
def test_staff_find_the_t1_indicators_on_the_scorecard(
    persona_client, alice, montalto, language, titles
):
    client = persona_client(alice)
    client.cookies["django_language"] = language
    body = client.get(reverse("scorecard", kwargs={"admin_slug": "montalto"})).content.decode()
    cell = body[body.index('id="cell-T1"') : body.index('id="cell-T2"')]
    for title in titles:
        assert title in cell


def test_citizens_and_other_tenants_do_not_reach_them(persona_client, charlie, oscar, montalto):
    url = reverse("scorecard", kwargs={"admin_slug": "montalto"})
    for outsider in (charlie, oscar):
        response = persona_client(outsider).get(url)
        assert response.status_code in (403, 404)
        assert T1_TITLES[2] not in response.content.decode()
