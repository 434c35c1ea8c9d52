"""Personal data never reaches public output: a report filed with IBANs, card numbers, fiscal
codes, obfuscated e-mail addresses, dates of birth and the filer's own name, through each entry
point (the web form, Open311 POST, the REST API), and staff's public texts about it (replies,
status notes, information requests), are read back from every public output: the public case
page, Open311 `requests` and `requests/{id}` in JSON and XML, and the public REST API. Staff and
the filer still read what was written.

The identifiers come from the generators of tests/core/test_pii.py (check digits computed from
their specifications).
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insieme.cases import redact
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.matching import actions as matching_actions
from insieme.cases.models import Attachment, Case, CaseEvent, Status
from insieme.catalog.models import Service
from insieme.core import actions as core_actions
from insieme.core.pii import NAME
from tests.cases.conftest import INSIDE_MONTALTO
from tests.cases.filing.test_filing import form_fields
from tests.conftest import make_user
from tests.core.test_pii import birth_dates, cards, fiscal_codes, ibans, obfuscated_emails, written

pytestmark = pytest.mark.django_db

OPEN311 = "/open311/v2/"
_numbers = itertools.count(1)


@dataclass
class Intake:
    service: Service
    key: str  # open311:write and cases:write


@pytest.fixture(autouse=True)
def _generous_limits(settings):  # the pytest-django fixture (hypothesis' `settings` is global)
    """Hypothesis files a hundred reports from one address: past Open311's and the API's limits."""
    settings.OPEN311_RATE_ADDRESS = settings.OPEN311_RATE_KEY = "100000/minute"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute"
        ),
    }


@pytest.fixture
def intake(cat, montalto) -> Intake:
    service = cat.pothole
    Service.objects.filter(pk=service.pk).update(
        channels=["web", "app", "api"], anonymous_allowed=True
    )
    service.refresh_from_db()
    _row, key = core_actions.create_api_key(
        None, montalto, name="App", scopes=["open311:write", "cases:write", "cases:read"]
    )
    return Intake(service, key)


# --- what a probe reads ------------------------------------------------------------------------


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def slug(text: str) -> str:
    return re.sub(r"[^a-z]+", "-", fold(text))


def compact(text: str) -> str:
    return "".join(c for c in text if c.isalnum()).upper()


def public_outputs(case: Case) -> dict[str, str]:
    """Every public output that shows `case`, as text (entities and escapes decoded)."""
    anonymous = Client()
    ref = case.reference
    pages = {
        "page": f"/cases/montalto/{ref}/",
        "open311 one json": f"{OPEN311}requests/{ref}.json?jurisdiction_id=montalto&extensions=true",
        "open311 one xml": f"{OPEN311}requests/{ref}.xml?jurisdiction_id=montalto&extensions=true",
        "open311 list json": f"{OPEN311}requests.json?jurisdiction_id=montalto&extensions=true",
        "open311 list xml": f"{OPEN311}requests.xml?jurisdiction_id=montalto",
        "api one": f"/api/v1/public-cases/montalto/{ref}/",
        "api events": f"/api/v1/public-cases/montalto/{ref}/events/",
        "api attachments": f"/api/v1/public-cases/montalto/{ref}/attachments/",
        "api list": "/api/v1/public-cases/?administration=montalto",
    }
    out = {}
    for name, url in pages.items():
        response = anonymous.get(url)
        assert response.status_code == 200, (name, response.status_code)
        body = response.content.decode()
        if "json" in response["Content-Type"]:
            body = json.dumps(response.json(), ensure_ascii=False)
        out[name] = html.unescape(body)
    return out


@dataclass
class Secrets:
    """Personal data written into a report, as written, and how to find it in any spelling."""

    written: list[str]
    identifiers: list[str]  # compact, upper case
    names: list[str]  # surnames; must not appear in any case or accent form


def assert_hidden(outputs: dict[str, str], secrets: Secrets) -> None:
    for where, body in outputs.items():
        for text in secrets.written:
            assert text not in body, (where, text)
        packed = compact(body)
        for identifier in secrets.identifiers:
            assert identifier not in packed, (where, identifier)
        folded = fold(body)
        for name in secrets.names:
            assert fold(name) not in folded, (where, name)


# --- filing through each entry point -----------------------------------------------------------


def file_on_the_web(intake: Intake, description: str, first: str, last: str, address: str):
    filer = make_user(f"filer{next(_numbers)}@example.org", f"{first} {last}")
    client = Client()
    client.force_login(filer)
    url = f"/services/montalto/{intake.service.code}/file/"
    data = {
        **form_fields(client, url),
        "attr_size": "large",
        "description": description,
        "lat": str(INSIDE_MONTALTO["lat"]),
        "lon": str(INSIDE_MONTALTO["lon"]),
        "address": address,
        "checked": "on",  # the reports nearby were shown already
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.filter(submitted_by=filer).latest("pk")


def file_through_open311(intake: Intake, description: str, first: str, last: str, address: str):
    response = Client().post(
        f"{OPEN311}requests.json",
        {
            "jurisdiction_id": "montalto",
            "api_key": intake.key,
            "service_code": intake.service.code,
            "lat": str(INSIDE_MONTALTO["lat"]),
            "long": str(INSIDE_MONTALTO["lon"]),
            "attribute[size]": "large",
            "description": description,
            "first_name": first,
            "last_name": last,
            "email": "filer@example.org",
            "address_string": address,
            "media_url": f"https://photos.example/{slug(first)}.{slug(last)}/hole.jpg",
        },
    )
    assert response.status_code == 200, response.content
    reference = response.json()[0]["service_request_id"]
    return Case.objects.get(administration__slug="montalto", reference=reference)


def file_through_the_api(intake: Intake, description: str, first: str, last: str, address: str):
    response = Client().post(
        "/api/v1/cases/",
        {
            "service": intake.service.pk,
            "description": description,
            "answers": {"size": "large"},
            "address": address,
            "contact_name": f"{first} {last}",
            **INSIDE_MONTALTO,
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {intake.key}",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(administration__slug="montalto", reference=response.json()["reference"])


ENTRY_POINTS = {
    "web": file_on_the_web,
    "open311": file_through_open311,
    "api": file_through_the_api,
}
FIRST = ["Giulia", "Nicolò", "Zoë", "Anna Maria", "Pietro"]
LAST = ["Bellavista", "D'Ambrosio", "Lo Cascio", "Ferraguti", "Zanardelli"]


@st.composite
def reports(draw) -> tuple[str, str, str, str, Secrets]:
    """(description, first name, surname, address, the secrets in them)."""
    first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
    iban, card, code = draw(ibans()), draw(cards()), draw(fiscal_codes())
    iban_text = draw(written(iban, first_cut=2))
    card_text, code_text = draw(written(card)), draw(written(code, separators=" .-"))
    email = draw(obfuscated_emails())
    birth = draw(birth_dates())
    cue = draw(st.sampled_from(["nato il", "nata a Roma il", "data di nascita:", "born on"]))
    name_text = draw(st.sampled_from([f"{first} {last}", f"{last.upper()} {first.upper()}"]))
    description = (
        f"Buca profonda davanti al civico 12. IBAN {iban_text}, carta {card_text}, "
        f"CF {code_text}, scrivete a {email}, {cue} {birth}. Firmato: {name_text}."
    )
    address = f"Via Roma 12, presso {first} {last}"
    secrets = Secrets(
        written=[iban_text, card_text, code_text, email, birth, name_text],
        identifiers=[iban, card, code],
        names=[last],
    )
    return description, first, last, address, secrets


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(report=reports(), entry=st.sampled_from(sorted(ENTRY_POINTS)))
def test_personal_data_filed_anywhere_never_reaches_public_output(intake, report, entry):
    cache.clear()  # each example files once more: rate limits are not what is tested here
    description, first, last, address, secrets = report
    case = ENTRY_POINTS[entry](intake, description, first, last, address)
    assert case.description.startswith("Buca profonda") and case.is_public
    outputs = public_outputs(case)
    assert_hidden(outputs, secrets)
    assert "Buca profonda davanti al civico 12" in outputs["page"]
    assert "Via Roma 12" in outputs["api one"]
    # Staff read what was written.
    stored = Case.objects.get(pk=case.pk)
    assert stored.description.startswith(description.strip())  # Open311 adds the media_url
    assert stored.address == address


# --- staff's public texts, "me too", merged reports --------------------------------------------


@pytest.fixture
def carlotta(db):
    return make_user("carlotta@example.org", "Carlotta Bergamaschi")


@pytest.fixture
def report(intake, carlotta):
    case, _ = filing_actions.submit_case(
        carlotta,
        filing_actions.Filing(
            intake.service,
            answers={"size": "large"},
            description="Buca enorme. Sono Carlotta Bergamaschi, nata il 12/03/1961.",
            address="Via Roma 12 (citofono Bergamaschi)",
            contact_name="Carlotta Bergamaschi",
            **INSIDE_MONTALTO,
        ),
    )
    return case


def test_staff_public_texts_are_redacted_and_staff_see_them_whole(report, bob, persona_client):
    iban = "IT60 X054 2811 1010 0000 0123 456"
    handling_actions.change_status(
        bob, report, Status.ACKNOWLEDGED, note="Gentile Carlotta Bergamaschi, visto."
    )
    handling_actions.reply(bob, report, f"Gentile sig.ra Bergamaschi, rimborso sull'IBAN {iban}.")
    handling_actions.request_information(
        bob, Case.objects.get(pk=report.pk), text="Carlotta, ci scriva a ufficio (at) comune.it"
    )
    handling_actions.reply(
        bob, report, "Nota interna: Carlotta Bergamaschi è un habitué.", public=False
    )
    outputs = public_outputs(report)
    assert_hidden(
        outputs,
        Secrets(
            written=[iban, "ufficio (at) comune.it", "12/03/1961", "habitué"],
            identifiers=[compact(iban)],
            names=["Bergamaschi"],
        ),
    )
    assert "Gentile [name hidden], visto." in outputs["api events"]
    assert "Via Roma 12" in outputs["page"]
    staff = persona_client(bob).get(f"/staff/montalto/cases/{report.reference}/")
    staff_page = html.unescape(staff.content.decode())
    assert "Carlotta Bergamaschi, nata il 12/03/1961" in staff_page
    assert iban in staff_page and "Carlotta Bergamaschi è un habitué" in staff_page
    mine = persona_client(report.submitted_by).get(f"/my/requests/montalto/{report.reference}/")
    assert "nata il 12/03/1961" in html.unescape(mine.content.decode())


def test_italian_readers_see_italian_placeholders(report):
    page = Client().get(f"/cases/montalto/{report.reference}/", HTTP_ACCEPT_LANGUAGE="it")
    body = html.unescape(page.content.decode())
    assert "[nome nascosto]" in body and "[data di nascita nascosta]" in body
    assert "Bergamaschi" not in body


def test_names_of_people_who_said_me_too_and_of_merged_reports_are_masked(report, intake, bob):
    neighbour = make_user("nina@example.org", "Nina Vicinato")
    citizen_actions.follow_case(neighbour, report, me_too=True)
    duplicate, _ = filing_actions.submit_case(
        None,
        filing_actions.Filing(
            intake.service,
            answers={"size": "small"},
            description="Stessa buca.",
            contact_name="Osvaldo Doppione",
            **INSIDE_MONTALTO,
        ),
    )
    handling_actions.reply(bob, duplicate, "Grazie Osvaldo Doppione, la uniamo all'altra.")
    matching_actions.merge_duplicate(bob, duplicate, report)
    handling_actions.reply(
        bob, report, "Grazie a Nina Vicinato e a Osvaldo Doppione per le segnalazioni."
    )
    outputs = public_outputs(report)
    assert_hidden(outputs, Secrets(written=[], identifiers=[], names=["Vicinato", "Doppione"]))
    assert "Grazie [name hidden], la uniamo" in outputs["api events"]  # moved with its copy


def test_followers_other_than_the_filer_are_mailed_the_public_copy(
    report, bob, django_capture_on_commit_callbacks, mailoutbox
):
    neighbour = make_user("nina@example.org", "Nina Vicinato")
    citizen_actions.follow_case(neighbour, report, me_too=True)
    with django_capture_on_commit_callbacks(execute=True):
        handling_actions.reply(bob, report, "Gentile Carlotta Bergamaschi, arriviamo domani.")
    by_recipient = {m.to[0]: m.body for m in mailoutbox}
    assert (
        "Gentile Carlotta Bergamaschi, arriviamo domani." in by_recipient[report.submitted_by.email]
    )
    assert "Gentile [name hidden], arriviamo domani." in by_recipient["nina@example.org"]
    assert "Bergamaschi" not in by_recipient["nina@example.org"]


def test_public_attachment_names_are_redacted(report, settings, tmp_path):
    from django.core.files.base import ContentFile

    attachment = Attachment(
        case=report, content_type="application/pdf", size=4, is_public=True, original_name=""
    )
    attachment.original_name = "Carlotta Bergamaschi RSSMRA85T10A562S.pdf"
    attachment.created_at = report.submitted_at
    attachment.file.save("doc.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    outputs = public_outputs(report)
    assert_hidden(
        outputs, Secrets(written=[], identifiers=["RSSMRA85T10A562S"], names=["Bergamaschi"])
    )
    assert "[name hidden] [tax code hidden].pdf" in outputs["api attachments"]
    download = Client().get(f"/cases/montalto/{report.reference}/attachments/{attachment.pk}/")
    assert "Bergamaschi" not in download["Content-Disposition"]
    assert "RSSMRA85T10A562S" not in download["Content-Disposition"]


def test_innocent_text_reaches_the_public_unchanged(intake, charlie):
    innocent = (
        "Buca in via Roma 12, davanti al civico 14/B. Come la pratica 2026-000098: il 05/03/2026 "
        "era larga 1.5 m; danni per € 1.250,00 e un preventivo di 30.000.000 €."
    )
    case, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            intake.service,
            answers={"size": "large"},
            description=innocent,
            address="Via Roma 12, 00100",
            **INSIDE_MONTALTO,
        ),
    )
    outputs = public_outputs(case)
    for where in ("page", "open311 one json", "open311 one xml", "api one"):
        assert innocent in outputs[where], where
        assert "Via Roma 12, 00100" in outputs[where], where


# --- stored copies -----------------------------------------------------------------------------


def test_refresh_recomputes_every_public_copy(report, bob):
    """After a change of the rules (here: copies emptied as if written by an older release),
    `insieme redact_public` computes them again; the originals are untouched."""
    handling_actions.reply(bob, report, "Gentile Carlotta Bergamaschi, ok.")
    Case.objects.update(public_description="", public_address="")
    CaseEvent.objects.update(public_text="")
    out = io.StringIO()
    call_command("redact_public", stdout=out)
    assert re.search(r"\d+ public texts recomputed", out.getvalue())
    case = Case.objects.get(pk=report.pk)
    assert case.public_description == f"Buca enorme. Sono {NAME}, nata il [date of birth hidden]."
    assert case.public_address == f"Via Roma 12 (citofono {NAME})"
    assert case.description.startswith("Buca enorme. Sono Carlotta Bergamaschi")
    reply = CaseEvent.objects.get(case=report, kind=CaseEvent.Kind.PUBLIC_REPLY)
    assert reply.public_text == f"Gentile {NAME}, ok."
    assert redact.case_names(report) == {"Carlotta Bergamaschi"}


def test_a_withdrawal_reason_stays_with_the_filer(report, carlotta):
    """Only staff's words are public texts: the public timeline says the request was withdrawn,
    the reason is the filer's (the REST API showed it, redacted)."""
    citizen_actions.withdraw_case(carlotta, report, "Ho risolto da me con il vicino di casa")
    outputs = public_outputs(report)
    for where, body in outputs.items():
        assert "vicino di casa" not in body, where
    assert '"kind": "withdrawn"' in outputs["api events"]
