"""The once-only prefill of the filing form, as citizens meet it: what a signed-in citizen finds
filled in (and what never is), the notice and the hints, what the session keeps (no values),
and the PrefillRecord each filing leaves; anonymous people, other citizens, tampered or missing
tokens and retried submissions."""

from __future__ import annotations

import json
import uuid

import pytest

from insieme.cases.models import Case
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.tailoring.models import PrefillRecord
from insieme.tailoring.prefill import PENDING, SESSION_KEY
from tests.tailoring.conftest import (
    PICKUP_URL,
    file_application,
    form_data,
    hidden,
    value_of,
)

pytestmark = pytest.mark.django_db

POTHOLE_URL = "/services/montalto/pothole/file/"
HINT_EARLIER = "From your request {}: you can change it."
HINT_PROFILE = "From your profile: you can change it."
SECRETS = ("AB123CD", "12500", "Via Roma 12", "charlie@example.org", "333 1234567")


def _signed_in(client, user):
    client.force_login(user)
    return client


def _file(client, data: dict, url: str = PICKUP_URL):
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Case.objects.latest("pk")


def _record_counts(record: PrefillRecord) -> tuple[int, int, int, int, int]:
    return record.prefillable, record.offered, record.kept, record.changed, record.cleared


# --- what is filled in --------------------------------------------------------------------------


def test_a_signed_in_citizen_finds_what_they_told_before_filled_in(client, earlier, charlie):
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    assert value_of(body, "contact_name") == "Charlie Citizen"
    assert value_of(body, "contact_email") == "charlie@example.org"
    assert value_of(body, "contact_phone") == "+39 333 1234567"
    assert value_of(body, "address") == "Via Roma 12"
    assert value_of(body, "attr_isee") == "12500.5"
    assert value_of(body, "attr_plate") == "AB123CD"
    assert 'value="up" id="id_attr_floor_1" checked' in body
    assert 'value="sofa" id="id_attr_items_0" checked' in body
    assert 'value="fridge" id="id_attr_items_1" checked' in body
    # A story and a date belong to one request: never filled in.
    assert value_of(body, "attr_when") is None
    assert "The lift is broken" not in body
    # The notice above the form, and a hint under each filled field (8 of them).
    notice = body[body.index('id="prefill-notice"') : body.index('id="filing-form"')]
    assert "8 fields are already filled in with what you told Comune di Montalto before" in notice
    assert "you can change or clear any of them" in notice
    assert f"From your request {earlier.reference}:" in notice and "From your profile:" in notice
    assert body.count(HINT_EARLIER.format(earlier.reference)) == 5
    assert body.count(HINT_PROFILE) == 3
    # The session remembers what was offered under the form's token, without any value.
    pending = client.session[SESSION_KEY]
    entry = pending[hidden(body, "token")]
    assert set(entry["fields"]) == {
        "contact_name",
        "contact_email",
        "contact_phone",
        "address",
        "attr_isee",
        "attr_plate",
        "attr_floor",
        "attr_items",
    }
    stored = json.dumps(pending)
    assert not [s for s in SECRETS if s in stored]
    # The last addresses are still offered as before.
    assert '<datalist id="last-addresses"><option value="Via Roma 12"></datalist>' in body


def test_filing_it_unchanged_records_every_field_as_kept(client, earlier, charlie):
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    case = _file(client, form_data(body))
    assert case.answers["isee"] == "12500.5" and case.answers["items"] == ["sofa", "fridge"]
    record = PrefillRecord.objects.get(case=case)
    assert _record_counts(record) == (8, 8, 8, 0, 0)
    assert record.by_source == {
        "profile": {"offered": 3, "kept": 3, "changed": 0, "cleared": 0},
        "earlier_address": {"offered": 1, "kept": 1, "changed": 0, "cleared": 0},
        "earlier_answer": {"offered": 4, "kept": 4, "changed": 0, "cleared": 0},
    }
    assert record.fields["attr_isee"] == ["earlier_answer", "kept"]
    assert (record.administration_id, record.service_id) == (
        case.administration_id,
        case.service_id,
    )
    assert record.filed_at == case.submitted_at
    assert not [s for s in SECRETS if s in json.dumps([record.fields, record.by_source])]
    assert hidden(body, "token") not in client.session[SESSION_KEY]  # the offer is used up


def test_changed_and_cleared_fields_are_counted_as_such(client, earlier, charlie):
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    data = form_data(body)
    data.update(
        attr_isee=["13000"],
        attr_plate=[""],
        attr_items=["sofa"],
        address=["Via Verdi 3"],
        contact_phone=[""],
    )
    record = PrefillRecord.objects.get(case=_file(client, data))
    assert _record_counts(record) == (8, 8, 3, 3, 2)
    assert record.fields == {
        "contact_name": ["profile", "kept"],
        "contact_email": ["profile", "kept"],
        "contact_phone": ["profile", "cleared"],
        "address": ["earlier_address", "changed"],
        "attr_isee": ["earlier_answer", "changed"],
        "attr_plate": ["earlier_answer", "cleared"],
        "attr_floor": ["earlier_answer", "kept"],
        "attr_items": ["earlier_answer", "changed"],
    }
    assert record.by_source["earlier_answer"] == {
        "offered": 4,
        "kept": 1,
        "changed": 2,
        "cleared": 1,
    }


def test_an_italian_number_kept_as_shown_counts_as_kept(client, earlier, charlie):
    client.cookies["django_language"] = "it"
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    assert value_of(body, "attr_isee") == "12500,5"
    assert "Dal tuo profilo" in body  # the hints are in Italian too
    record = PrefillRecord.objects.get(case=_file(client, form_data(body)))
    assert record.fields["attr_isee"] == ["earlier_answer", "kept"]
    assert record.kept == 8


def test_only_answers_of_the_same_code_datatype_and_choices_are_taken(client, earlier, charlie):
    # A newer application elsewhere in Montalto: "isee" is text there, and its list answers
    # are no choices of the pickup; the pickup form takes them from the older pickup case.
    canteen = catalog_actions.create_service(
        None,
        earlier.administration,
        code="canteen",
        name="School canteen",
        kind="application",
        located=False,
        channels=["web"],
        status=Service.Status.PUBLISHED,
        attributes=[
            {"code": "isee", "datatype": "string", "label": "ISEE, roughly", "order": 1},
            {
                "code": "floor",
                "datatype": "singlevaluelist",
                "label": "Canteen floor",
                "order": 2,
                "values": [{"key": "basement", "name": "Basement"}],
            },
            {"code": "plate", "datatype": "string", "label": "Car plate", "order": 3},
        ],
    )
    newer = file_application(
        charlie,
        canteen,
        address="",
        answers={"isee": "about 9000", "floor": "basement", "plate": "XY987ZW"},
    )
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    assert value_of(body, "attr_isee") == "12500.5"
    assert 'value="up" id="id_attr_floor_1" checked' in body
    assert value_of(body, "attr_plate") == "XY987ZW"  # same code and datatype: the newest
    assert value_of(body, "address") == "Via Roma 12"  # the newest application with one
    assert body.count(HINT_EARLIER.format(newer.reference)) == 1
    assert body.count(HINT_EARLIER.format(earlier.reference)) == 4


def test_reports_and_other_administrations_are_never_read(client, earlier, charlie, cat, oscar):
    # A newer report in Montalto (its place and its plate are someone else's business) ...
    cars = catalog_actions.create_service(
        None,
        earlier.administration,
        code="cars",
        name="Abandoned cars",
        kind="report",
        channels=["web"],
        status=Service.Status.PUBLISHED,
        attributes=[{"code": "plate", "datatype": "string", "label": "Plate", "order": 1}],
    )
    file_application(charlie, cars, address="Via Garibaldi 9", answers={"plate": "ZZ000ZZ"})
    # ... and a newer application to Lago Verde with other answers.
    boats = catalog_actions.create_service(
        None,
        cat.lv_service.administration,
        code="berth",
        name="Berth",
        kind="application",
        located=False,
        channels=["web"],
        status=Service.Status.PUBLISHED,
        attributes=[{"code": "isee", "datatype": "number", "label": "ISEE", "order": 1}],
    )
    file_application(charlie, boats, address="", answers={"isee": "99999"})
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    assert value_of(body, "attr_plate") == "AB123CD"
    assert value_of(body, "address") == "Via Roma 12"
    assert value_of(body, "attr_isee") == "12500.5"
    assert "ZZ000ZZ" not in body and "99999" not in body


def test_a_report_form_gets_the_contact_details_only(client, cat, charlie):
    file_application(charlie, cat.pothole, address="Via Verdi 7", answers={"size": "small"})
    body = _signed_in(client, charlie).get(POTHOLE_URL).content.decode()
    assert value_of(body, "address") is None  # the place of a new problem: the datalist only
    assert '<option value="Via Verdi 7">' in body
    assert 'id="id_attr_size_0" checked' not in body and 'id="id_attr_size_1" checked' not in body
    assert "2 fields are already filled in" in body  # name and e-mail (no phone in the profile)
    data = form_data(body)
    # Near the earlier report: "checked" says the similar reports were already seen.
    data.update(attr_size=["large"], description=["Una buca"], lat=["43.1"], lon=["11.1"])
    data["checked"] = ["on"]
    record = PrefillRecord.objects.get(case=_file(client, data, POTHOLE_URL))
    assert _record_counts(record) == (3, 2, 2, 0, 0)


def test_a_place_chosen_on_the_map_wins_over_the_earlier_address(client, earlier, charlie):
    body = _signed_in(client, charlie).get(PICKUP_URL + "?address=Via+Dante+1").content.decode()
    assert value_of(body, "address") == "Via Dante 1"
    entry = client.session[SESSION_KEY][hidden(body, "token")]
    assert "address" not in entry["fields"]
    record = PrefillRecord.objects.get(case=_file(client, form_data(body)))
    assert _record_counts(record) == (8, 7, 7, 0, 0)


# --- who gets what ------------------------------------------------------------------------------


def test_anonymous_people_get_nothing_filled_in_and_leave_no_record(client, cat, earlier):
    catalog_actions.create_service(
        None,
        earlier.administration,
        code="graffiti",
        name="Graffiti",
        kind="report",
        channels=["web"],
        status=Service.Status.PUBLISHED,
        anonymous_allowed=True,
    )
    url = "/services/montalto/graffiti/file/"
    body = client.get(url).content.decode()
    assert 'id="prefill-notice"' not in body and "prefill-hint" not in body
    assert value_of(body, "contact_name") is None
    assert SESSION_KEY not in client.session
    data = form_data(body)
    data.update(description=["Scritte sul muro"], lat=["43.1"], lon=["11.1"])
    case = _file(client, data, url)
    assert case.submitted_by is None
    assert not PrefillRecord.objects.exists()
    # A form that requires an account sends them to log in, with nothing of anyone's.
    response = client.get(PICKUP_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_citizen_never_finds_someone_elses_data(client, earlier, charlie, dora):
    body = _signed_in(client, dora).get(PICKUP_URL).content.decode()
    assert not [s for s in SECRETS if s in body]
    assert value_of(body, "contact_name") == "Dora Dweller"
    assert value_of(body, "address") is None and value_of(body, "attr_isee") is None
    assert "2 fields are already filled in" in body
    assert earlier.reference not in body
    record = PrefillRecord.objects.get(case=_file(client, form_data(body) | {"address": ["X 1"]}))
    assert _record_counts(record) == (8, 2, 2, 0, 0)


# --- tokens -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "garbage", "unknown", "another_person", "other_form"])
def test_a_tampered_or_missing_token_files_and_records_nothing_wrong(
    client, earlier, charlie, dora, kind
):
    other = None
    if kind == "another_person":
        from django.test import Client

        other = hidden(_signed_in(Client(), dora).get(PICKUP_URL).content.decode(), "token")
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    if kind == "other_form":  # an offer this session got for the pothole form
        other = hidden(client.get(POTHOLE_URL).content.decode(), "token")
    tokens = {
        "missing": [],
        "garbage": ["<script>not-a-token</script>"],
        "unknown": [uuid.uuid4().hex],
        "another_person": [other],
        "other_form": [other],
    }
    data = form_data(body) | {"token": tokens[kind]}
    case = _file(client, data)
    assert case.submitted_by == charlie
    assert not PrefillRecord.objects.exists()


def test_a_retried_submission_records_once(client, earlier, charlie):
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    data = form_data(body)
    first = _file(client, data)
    again = _file(client, data)
    assert first.pk == again.pk
    assert PrefillRecord.objects.filter(case=first).count() == 1


def test_the_session_remembers_a_few_forms_only(client, earlier, charlie):
    _signed_in(client, charlie)
    bodies = [client.get(PICKUP_URL).content.decode() for _ in range(PENDING + 2)]
    pending = client.session[SESSION_KEY]
    assert list(pending) == [hidden(b, "token") for b in bodies[-PENDING:]]
    _file(client, form_data(bodies[0]))  # forgotten: files, records nothing
    assert not PrefillRecord.objects.exists()
    case = _file(client, form_data(bodies[-1]))
    assert PrefillRecord.objects.get().case == case


def test_a_form_shown_again_keeps_the_hints_of_fields_still_as_offered(client, earlier, charlie):
    body = _signed_in(client, charlie).get(PICKUP_URL).content.decode()
    data = form_data(body) | {"contact_email": ["not-an-address"], "attr_plate": ["NEW1"]}
    response = client.post(PICKUP_URL, data)
    assert response.status_code == 400
    again = response.content.decode()
    assert "6 fields are already filled in" in again
    assert again.count(HINT_EARLIER.format(earlier.reference)) == 4  # not the plate
    assert again.count(HINT_PROFILE) == 2  # not the e-mail in error
    fixed = form_data(again) | {"contact_email": ["charlie@example.org"]}
    record = PrefillRecord.objects.get(case=_file(client, fixed))
    assert _record_counts(record) == (8, 8, 7, 1, 0)
    assert record.fields["attr_plate"] == ["earlier_answer", "changed"]
