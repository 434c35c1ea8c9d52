"""Reading through Open311: discovery, services, service definitions, requests and one request,
in both formats, with every filter and extension, JSON checked against the shared schemas."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Attachment, Case
from insieme.core import actions as core_actions
from tests.open311.conftest import (
    BASE,
    INSIDE_MONTALTO,
    PII_DESCRIPTION,
    assert_schema,
    file_request,
    parse_xml,
    png_bytes,
)

pytestmark = pytest.mark.django_db


def get(client, path: str, **params):
    query = urlencode(params, doseq=True)
    return client.get(f"{BASE}{path}" + (f"?{query}" if query else ""))


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return parse_xml(response.content)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def file(world, **overrides) -> Case:
    """A realtime request filed through the filing action, as the Open311 POST would."""
    params = {
        "answers": {"size": "large"},
        "description": "A hole.",
        "channel": "api",
        **INSIDE_MONTALTO,
    }
    params.update(overrides)
    case, _created = filing_actions.submit_case(
        None, filing_actions.Filing(world.realtime, **params)
    )
    return case


def backdate(case: Case, **fields) -> None:
    """Move a case in time (the filing action always files 'now')."""
    Case.objects.filter(pk=case.pk).update(**fields)


# --- discovery ---------------------------------------------------------------------------------


def test_discovery_json(client, db):
    response = get(client, "discovery.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "production" and endpoint["changeset"]


def test_discovery_xml(client, db):
    root = xml(get(client, "discovery.xml"))
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


# --- services ----------------------------------------------------------------------------------


def test_services_json_lists_published_api_services(client, world):
    response = get(client, "services.json", jurisdiction_id="montalto")
    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "services.json")
    codes = [s["service_code"] for s in body]
    # cat.pothole is on web and phone only; the draft is not published; Lago Verde's is elsewhere
    assert sorted(codes) == ["bulky", "road.hole", "signed"]
    hole = next(s for s in body if s["service_code"] == "road.hole")
    assert hole == {
        "service_code": "road.hole",
        "service_name": "Road hole",
        "description": "Reported through apps.",
        "metadata": True,
        "type": "realtime",
        "keywords": "road, hole",
        "group": "Roads",
    }
    assert next(s for s in body if s["service_code"] == "bulky")["type"] == "batch"


def test_services_xml(client, world):
    root = xml(get(client, "services.xml", jurisdiction_id="montalto"))
    assert root.tag == "services"
    hole = next(s for s in root.findall("service") if s.findtext("service_code") == "road.hole")
    assert hole.findtext("metadata") == "true"
    assert hole.findtext("type") == "realtime"
    bulky = next(s for s in root.findall("service") if s.findtext("service_code") == "bulky")
    assert bulky.findtext("metadata") == "false"


def test_service_definition_json(client, world):
    response = get(client, "services/road.hole.json", jurisdiction_id="montalto")
    assert response.status_code == 200
    body = response.json()
    assert_schema(body, "service-definition.json")
    assert body["service_code"] == "road.hole"
    by_code = {a["code"]: a for a in body["attributes"]}
    assert [a["code"] for a in body["attributes"]] == [
        "size",
        "kinds",
        "depth",
        "since",
        "notes",
        "warning",
    ]
    assert by_code["size"] == {
        "variable": True,
        "code": "size",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 10,
        "description": "How big is it?",
        "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
    }
    assert by_code["kinds"]["datatype"] == "multivaluelist"
    assert by_code["warning"]["variable"] is False
    assert by_code["warning"]["datatype_description"] == "Information only."


def test_service_definition_xml(client, world):
    root = xml(get(client, "services/road.hole.xml", jurisdiction_id="montalto"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "road.hole"
    size = root.find("attributes/attribute")
    assert size.findtext("code") == "size"
    assert size.findtext("required") == "true"
    assert [v.findtext("key") for v in size.findall("values/value")] == ["small", "large"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(client, world, fmt):
    response = get(client, f"services/nope.{fmt}", jurisdiction_id="montalto")
    assert response.status_code == 404
    # A service of another jurisdiction and a draft are unknown here too.
    assert get(client, f"services/lv-api.{fmt}", jurisdiction_id="montalto").status_code == 404
    assert get(client, f"services/residence.{fmt}", jurisdiction_id="montalto").status_code == 404
    if fmt == "json":
        assert response.json()[0]["code"] == 404
    else:
        assert xml(response).find("error/code").text == "404"


@pytest.mark.parametrize("path", ["services", "requests", "services/road.hole"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_jurisdiction_is_404(client, world, path, fmt):
    response = get(client, f"{path}.{fmt}", jurisdiction_id="atlantis")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json()[0]["code"] == 404
        assert "atlantis" in response.json()[0]["description"]
    else:
        assert xml(response).tag == "errors"


def test_jurisdiction_is_required_when_several_are_served(client, world):
    response = get(client, "services.json")
    assert response.status_code == 400
    assert "jurisdiction_id" in response.json()[0]["description"]


def test_jurisdiction_is_optional_when_one_is_served(client, db):
    from tests.open311.conftest import _service

    only = core_actions.create_administration(None, name="Comune Solo", slug="solo")
    _service(only, "litter", name="Litter", located=False)
    assert [s["service_code"] for s in get(client, "services.json").json()] == ["litter"]
    assert get(client, "requests.json").status_code == 200


# --- requests: the list ------------------------------------------------------------------------


def test_requests_json_shape_and_schema(client, world, bob):
    case = file(world, address="Via Roma 12", description=PII_DESCRIPTION)
    handling_actions.change_status(
        bob, case, "in_progress", note="Crew sent; call 0577 123456 for news."
    )
    response = get(client, "requests.json", jurisdiction_id="montalto")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert_schema(body, "requests.json")
    (item,) = body
    case.refresh_from_db()
    assert item["service_request_id"] == case.reference
    assert item["status"] == "open"
    assert item["service_code"] == "road.hole" and item["service_name"] == "Road hole"
    assert item["agency_responsible"] == "Roads"
    assert item["address"] == "Via Roma 12"
    assert item["lat"] == 43.123 and item["long"] == 11.123  # as precise as the public page
    assert item["media_url"] is None
    assert item["address_id"] is None and item["zipcode"] is None
    # Datetimes with the jurisdiction's offset, expected from the SLA.
    tz = case.submitted_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert item["requested_datetime"] == tz.isoformat(timespec="seconds")
    expected = dt.datetime.fromisoformat(item["expected_datetime"])
    assert abs(expected - case.resolve_due_at) < dt.timedelta(seconds=1)
    assert dt.datetime.fromisoformat(item["updated_datetime"]) >= dt.datetime.fromisoformat(
        item["requested_datetime"]
    )
    # Public notes and description are redacted, as on the public page.
    assert "0577" not in item["status_notes"] and "Crew sent" in item["status_notes"]
    assert "charlie.private@example.org" not in item["description"]
    assert "Buca enorme" in item["description"]


def test_requests_xml(client, world):
    case = file(world)
    root = xml(get(client, "requests.xml", jurisdiction_id="montalto"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id") == case.reference
    assert request.findtext("status") == "open"
    assert request.findtext("lat") == "43.123"
    assert request.find("media_url").text is None
    fields = [child.tag for child in request]
    assert fields == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]


def test_xml_escapes_text(client, world):
    file(world, description='<b>&amp;</b> "quoted" ]]> \x01 end')
    root = xml(get(client, "requests.xml", jurisdiction_id="montalto"))
    assert root.findtext("request/description") == '<b>&amp;</b> "quoted" ]]>  end'


def test_no_personal_data_in_any_output(client, world, filed_case, charlie):
    """Charlie's report (name, e-mail, phone, private answer, his reason for withdrawing it)
    and an Open311 filing with contact details: none of it appears in any read, in either
    format, with or without extensions."""
    citizen_actions.withdraw_case(charlie, filed_case, "Mario fixed it himself, the dear neighbour")
    file_request(
        client,
        world,
        email="filer@example.org",
        phone="+39 333 999 8888",
        first_name="Giulia",
        last_name="Segreta",
        **{"attribute[notes]": "my neighbour Mario Rossi fell"},
    )
    secrets = [
        "Charlie",
        "charlie",
        "347 765 4321",
        "333 123 4567",
        "RSSMRA85T10A562S",
        "Mario",
        "filer@example.org",
        "999 8888",
        "Giulia",
        "Segreta",
        "neighbour",
    ]
    for fmt in ("json", "xml"):
        for path in ("requests", f"requests/{filed_case.reference}"):
            for extensions in ("false", "true"):
                response = get(
                    client, f"{path}.{fmt}", jurisdiction_id="montalto", extensions=extensions
                )
                assert response.status_code == 200
                text = response.content.decode()
                assert not [s for s in secrets if s in text], text


def test_private_cases_never_listed(client, world):
    visible = file(world)
    hidden = file(world)
    backdate(hidden, is_public=False)  # an application: private
    assert ids(get(client, "requests.json", jurisdiction_id="montalto")) == [visible.reference]
    response = get(client, f"requests/{hidden.reference}.json", jurisdiction_id="montalto")
    assert response.status_code == 404


def test_other_jurisdictions_cases_not_listed(client, world):
    mine = file(world)
    theirs, _created = filing_actions.submit_case(
        None,
        filing_actions.Filing(
            world.lv_api, description="Litter on the shore", address="Lungolago", channel="api"
        ),
    )
    assert ids(get(client, "requests.json", jurisdiction_id="montalto")) == [mine.reference]
    assert ids(get(client, "requests.json", jurisdiction_id="lago-verde")) == [theirs.reference]
    # The same reference in the other jurisdiction is not found.
    assert theirs.reference == mine.reference
    response = get(client, "requests/2026-999999.json", jurisdiction_id="montalto")
    assert response.status_code == 404


def test_default_window_is_90_days_newest_first(client, world):
    now = timezone.now()
    recent = file(world)
    older = file(world)
    backdate(older, submitted_at=now - dt.timedelta(days=89))
    ancient = file(world)
    backdate(ancient, submitted_at=now - dt.timedelta(days=91))
    assert ids(get(client, "requests.json", jurisdiction_id="montalto")) == [
        recent.reference,
        older.reference,
    ]


def app_queries(queries) -> list[dict]:
    """The queries of the answer itself, without the rate limit's count (insieme.core.throttle)."""
    return [q for q in queries if "core_ratecounter" not in q["sql"]]


def test_default_limit_is_1000(client, world):
    """Filing 1001 cases would be slow: the page's SQL shows the cap instead."""
    cases = [file(world) for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        response = get(client, "requests.json", jurisdiction_id="montalto")
    assert len(ids(response)) == len(cases)
    assert "LIMIT 1000" in app_queries(queries)[0]["sql"]
    response = get(client, "requests.json", jurisdiction_id="montalto", page_size="1001")
    assert response.status_code == 400


def test_start_and_end_date(client, world):
    now = timezone.now()
    a, b, c = file(world), file(world), file(world)
    backdate(a, submitted_at=now - dt.timedelta(days=200))
    backdate(b, submitted_at=now - dt.timedelta(days=150))
    backdate(c, submitted_at=now - dt.timedelta(days=10))
    start = (now - dt.timedelta(days=160)).isoformat()
    end = (now - dt.timedelta(days=140)).isoformat()
    assert ids(
        get(client, "requests.json", jurisdiction_id="montalto", start_date=start, end_date=end)
    ) == [b.reference]
    # start alone: up to now; end alone: the 90 days before it
    assert ids(get(client, "requests.json", jurisdiction_id="montalto", start_date=start)) == [
        c.reference,
        b.reference,
    ]
    end_only = (now - dt.timedelta(days=120)).isoformat()
    assert ids(get(client, "requests.json", jurisdiction_id="montalto", end_date=end_only)) == [
        b.reference,
        a.reference,
    ]


def test_lenient_datetimes(client, world):
    """Microseconds, a space for the T, Z, an unencoded + (a space), or a date alone."""
    case = file(world)
    backdate(case, submitted_at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC))
    for start, end in [
        ("2026-03-01T09:59:59.999999Z", "2026-03-01T10:00:00.000001Z"),
        ("2026-03-01 10:59:00+01:00", "2026-03-01 11:01:00+01:00"),
        ("2026-03-01T10:59:00 01:00", "2026-03-01T11:01:00 01:00"),
        ("2026-03-01T10:59", "2026-03-01T11:01"),  # naive: Montalto's time (UTC+1 in March)
        ("2026-03-01", "2026-03-02"),
    ]:
        response = get(
            client, "requests.json", jurisdiction_id="montalto", start_date=start, end_date=end
        )
        assert ids(response) == [case.reference], (start, end)
    # Written by hand with an unencoded "+": the query string turns it into a space.
    response = client.get(
        f"{BASE}requests.json?jurisdiction_id=montalto&start_date=2026-03-01T10:59:00+01:00"
        "&end_date=2026-03-01T11:00:00.5+01:00"
    )
    assert ids(response) == [case.reference]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01T00:00:00Z"},
        {"start_date": "2026-02-30"},
        {"updated_after": "2026-01-01T25:00:00Z"},
        {"updated_before": "2026-01-01T10:00:00+99:00"},
        {"start_date": "0001-01-01T00:00:00+01:00"},
        {"start_date": "2026-03-02", "end_date": "2026-03-01"},
        {"status": "pending"},
        {"page": "0"},
        {"page": "two"},
        {"page_size": "-5"},
        {"page_size": "1e3"},
        {"page_size": "0"},
        {"service_request_id": ",".join(str(i) for i in range(1001))},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(client, world, params, fmt):
    response = get(client, f"requests.{fmt}", jurisdiction_id="montalto", **params)
    assert response.status_code == 400, response.content
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 400 and error["description"]
    else:
        assert xml(response).find("error/code").text == "400"


def test_status_filter(client, world, bob):
    open_case = file(world)
    closed = file(world)
    handling_actions.change_status(bob, closed, "resolved", note="Filled.")
    query = {"jurisdiction_id": "montalto"}
    assert ids(get(client, "requests.json", status="open", **query)) == [open_case.reference]
    assert ids(get(client, "requests.json", status="closed", **query)) == [closed.reference]
    both = ids(get(client, "requests.json", status="open,closed", **query))
    assert sorted(both) == sorted([open_case.reference, closed.reference])
    assert ids(get(client, "requests.json", status="CLOSED", **query)) == [closed.reference]


def test_service_code_filter(client, world, cat, charlie):
    hole = file(world)
    pothole, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "small"},
            description="x",
            channel="web",
            **INSIDE_MONTALTO,
        ),
    )
    query = {"jurisdiction_id": "montalto"}
    assert ids(get(client, "requests.json", service_code="road.hole", **query)) == [hole.reference]
    assert ids(get(client, "requests.json", service_code="pothole", **query)) == [pothole.reference]
    both = ids(get(client, "requests.json", service_code="pothole,road.hole", **query))
    assert sorted(both) == sorted([hole.reference, pothole.reference])
    response = get(client, "requests.json", service_code="road.hole,nope", **query)
    assert response.status_code == 404
    assert "nope" in response.json()[0]["description"]


def test_service_request_id_overrides_other_filters(client, world, bob):
    now = timezone.now()
    old = file(world)
    backdate(old, submitted_at=now - dt.timedelta(days=400))
    new = file(world)
    other = file(world)
    query = {"jurisdiction_id": "montalto", "status": "closed", "service_code": "nope"}
    found = ids(
        get(
            client,
            "requests.json",
            service_request_id=f"{old.reference}, {new.reference},x",
            **query,
        )
    )
    assert sorted(found) == sorted([old.reference, new.reference])
    assert other.reference not in found


def test_updated_after_and_before(client, world):
    now = timezone.now()
    stale, fresh = file(world), file(world)
    backdate(stale, updated_at=now - dt.timedelta(days=5))
    # Filtering on updated_* alone drops the default 90 days: a case filed long ago but
    # updated yesterday is found.
    backdate(
        fresh, submitted_at=now - dt.timedelta(days=300), updated_at=now - dt.timedelta(days=1)
    )
    query = {"jurisdiction_id": "montalto"}
    after = (now - dt.timedelta(days=2)).isoformat()
    assert ids(get(client, "requests.json", updated_after=after, **query)) == [fresh.reference]
    assert ids(get(client, "requests.json", updated_before=after, **query)) == [stale.reference]


def test_offsets_beyond_what_the_database_stores_are_compared_in_utc(client, world):
    """ISO 8601 allows any hh:mm offset; PostgreSQL stores at most ±15:59 (this was a 500)."""
    case = file(world)
    query = {"jurisdiction_id": "montalto"}
    response = get(client, "requests.json", updated_after="1990-06-13T16:49:58+20:27", **query)
    assert response.status_code == 200
    assert ids(response) == [case.reference]


def test_paging(client, world):
    cases = [file(world) for _ in range(5)]
    newest_first = [c.reference for c in reversed(cases)]
    query = {"jurisdiction_id": "montalto", "page_size": "2"}
    assert ids(get(client, "requests.json", **query)) == newest_first[:2]
    assert ids(get(client, "requests.json", page="2", **query)) == newest_first[2:4]
    assert ids(get(client, "requests.json", page="3", **query)) == newest_first[4:]
    assert ids(get(client, "requests.json", page="4", **query)) == []


def test_extensions_add_attributes_and_public_notes(client, world, bob):
    case = file(
        world,
        answers={
            "size": "large",
            "kinds": ["asphalt", "drain"],
            "depth": "12.5",
            "notes": "call me on 333 1234567",
        },
    )
    handling_actions.change_status(bob, case, "in_progress", note="Crew on the way.")
    handling_actions.reply(bob, case, "Internal: the crew is short-staffed.", public=False)
    plain = get(client, "requests.json", jurisdiction_id="montalto").json()[0]
    assert "extended_attributes" not in plain
    response = get(client, "requests.json", jurisdiction_id="montalto", extensions="true")
    body = response.json()
    assert_schema(body, "requests.json")
    extended = body[0]["extended_attributes"]
    assert extended["channel"] == "api"
    answers = {a["code"]: a for a in extended["attributes"]}
    assert answers["kinds"]["values"] == [
        {"key": "asphalt", "name": "Asphalt"},
        {"key": "drain", "name": "Drain"},
    ]
    assert answers["size"]["values"] == [{"key": "large", "name": "Large"}]
    assert answers["depth"]["value"] == "12.5"
    assert "notes" not in answers  # free text may carry personal data
    notes = extended["notes"]
    assert [n["type"] for n in notes] == ["submitted", "status"]
    assert notes[1]["description"] == "Crew on the way." and notes[1]["status"] == "in_progress"
    assert "short-staffed" not in response.content.decode()
    root = xml(get(client, "requests.xml", jurisdiction_id="montalto", extensions="1"))
    kinds = [
        a
        for a in root.findall("request/extended_attributes/attributes/attribute")
        if a.findtext("code") == "kinds"
    ][0]
    assert [v.findtext("key") for v in kinds.findall("values/value")] == ["asphalt", "drain"]
    assert len(root.findall("request/extended_attributes/notes/note")) == 2


def test_media_url_is_the_first_public_image(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("hole.png", png_bytes(), content_type="image/png")
    case = file(world, attachments=[photo])
    # Filed attachments are private until staff publish them.
    assert get(client, "requests.json", jurisdiction_id="montalto").json()[0]["media_url"] is None
    attachment = Attachment.objects.get(case=case)
    Attachment.objects.filter(pk=attachment.pk).update(is_public=True)
    body = get(client, "requests.json", jurisdiction_id="montalto").json()
    assert_schema(body, "requests.json")
    url = body[0]["media_url"]
    assert url == f"http://testserver/cases/montalto/{case.reference}/attachments/{attachment.pk}/"
    download = client.get(url.removeprefix("http://testserver"))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


def test_requests_list_is_two_queries(client, world, bob):
    """Two queries for a page, however many rows, notes and photos it holds: the rows, and the
    names of their services in the active language."""
    for _ in range(6):
        case = file(world)
        handling_actions.change_status(bob, case, "in_progress", note="On it.")
    with CaptureQueriesContext(connection) as queries:
        response = get(client, "requests.json", jurisdiction_id="montalto", page_size="50")
    assert len(response.json()) == 6
    assert len(app_queries(queries)) == 2, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        get(client, "requests.json", jurisdiction_id="montalto", extensions="true")
    # the page, the services' names, the cases' answers, the form fields, the notes
    assert len(app_queries(queries)) <= 5


def test_requests_name_their_services_in_the_language_asked_for(client, world):
    world.realtime.language = "en"
    world.realtime.translations = {"it": {"name": "Buca nella strada"}}
    world.realtime.save(update_fields=["language", "translations"])
    world.batch.language = "en"
    world.batch.save(update_fields=["language"])
    file(world)
    filing_actions.submit_case(
        None,
        filing_actions.Filing(
            world.batch, answers={}, description="A sofa.", channel="api", **INSIDE_MONTALTO
        ),
    )
    english = get(client, "requests.json", jurisdiction_id="montalto", locale="en").json()
    italian = get(client, "requests.json", jurisdiction_id="montalto", locale="it").json()
    assert [r["service_name"] for r in english] == ["Bulky waste", "Road hole"]
    # Translated where there is a translation, as written where there is none.
    assert [r["service_name"] for r in italian] == ["Bulky waste", "Buca nella strada"]


# --- requests/{id} -----------------------------------------------------------------------------


def test_one_request_json_and_xml(client, world):
    case = file(world)
    file(world)
    response = get(client, f"requests/{case.reference}.json", jurisdiction_id="montalto")
    body = response.json()
    assert_schema(body, "requests.json")
    assert_schema(body[0], "request.json")
    assert [r["service_request_id"] for r in body] == [case.reference]
    root = xml(get(client, f"requests/{case.reference}.xml", jurisdiction_id="montalto"))
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [case.reference]


def test_one_request_outside_the_default_window(client, world):
    case = file(world)
    backdate(case, submitted_at=timezone.now() - dt.timedelta(days=500))
    response = get(client, f"requests/{case.reference}.json", jurisdiction_id="montalto")
    assert ids(response) == [case.reference]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_is_404(client, world, fmt):
    response = get(client, f"requests/2026-000404.{fmt}", jurisdiction_id="montalto")
    assert response.status_code == 404


# --- formats and stray paths -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["services.html", "requests.csv", "discovery.yaml", "services/road.hole.txt"]
)
def test_unknown_format_is_400_in_json(client, world, path):
    response = get(client, path, jurisdiction_id="montalto")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()[0]["code"] == 400


@pytest.mark.parametrize("path", ["nothing.xml", "services/a/b.xml", "requests", "tokens/.json"])
def test_stray_paths_are_404_never_html(client, db, path):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("text/html")


def test_base_url_answers_in_error_format(client, db):
    response = client.get(BASE)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["services.json", "discovery.xml", "requests/2026-000001.json"])
def test_wrong_method_is_400(client, world, path):
    response = client.post(f"{BASE}{path}", {"jurisdiction_id": "montalto"})
    assert response.status_code == 400
    assert response["Content-Type"] != "text/html"
