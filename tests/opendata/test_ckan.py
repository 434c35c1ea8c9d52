"""The CKAN Action API (read subset) as CKAN clients meet it: every action under both prefixes,
by GET and by POST with a JSON body, CKAN's envelope and error shapes, paging and search, only
published datasets, no personal data, no 500 whatever is sent, and the real `ckanapi` client
reading the whole catalogue from a running server."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from urllib.parse import urlencode

import ckanapi
import pytest
import requests
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insieme.core.registry import datasets
from insieme.opendata import catalogue, ckan
from insieme.opendata.models import DatasetSetting, Publication
from tests.opendata.conftest import publish_everything

pytestmark = pytest.mark.django_db

PREFIXES = ("/api/action/", "/api/3/action/")
HELP = "http://testserver/api/3/action/help_show?name="
PERSONAL = ("Mario Rossi", "mario.rossi@example.org", "347 123", "347123", "@")


def get(client: Client, action: str, prefix: str = "/api/3/action/", /, **params):
    query = urlencode(params, doseq=True)
    return client.get(prefix + action + (f"?{query}" if query else ""))


def post(client: Client, name: str, body, prefix: str = "/api/3/action/"):
    text = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(prefix + name, text, content_type="application/json")


def result(response, name: str):
    """The result of a successful call, after checking CKAN's envelope."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json;charset=utf-8"
    body = response.json()
    assert set(body) == {"help", "success", "result"}
    assert body["help"] == HELP + name and body["success"] is True
    return body["result"]


def error(response, status: int, kind: str, name: str) -> dict:
    """The error of a refused call, after checking CKAN's envelope."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"help", "success", "error"}
    assert body["help"] == HELP + name and body["success"] is False
    assert body["error"]["__type"] == kind
    return body["error"]


def bare(response, status: int) -> str:
    """A request refused before its action runs: CKAN answers a bare JSON string."""
    assert response.status_code == status, response.content
    text = response.json()
    assert isinstance(text, str) and text.startswith("Bad request - ")
    return text


def names_published() -> list[str]:
    return sorted(e.name for e in catalogue.entries())


@pytest.fixture
def no_rate_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": None, "api_user": None, "api_address": None},
    }


# --- the envelope, the prefixes, the methods ---------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_action_answers_under_both_prefixes_by_get_post_and_with_a_slash(
    client, opendata, prefix
):
    calls = {
        "status_show": {},
        "package_list": {},
        "package_show": {"id": "montalto-services"},
        "package_search": {"q": "services"},
        "organization_list": {},
        "organization_show": {"id": "montalto"},
        "help_show": {"name": "package_show"},
    }
    for name, params in calls.items():
        by_get = result(get(client, name, prefix, **params), name)
        assert result(post(client, name, params, prefix), name) == by_get
        assert result(get(client, name + "/", prefix, **params), name) == by_get  # no redirect
        assert result(post(client, name + "/", params, prefix), name) == by_get
    resource = result(get(client, "package_show", id="montalto-services"), "package_show")
    wanted = resource["resources"][0]
    assert result(get(client, "resource_show", prefix, id=wanted["id"]), "resource_show") == wanted


def test_status_show(client, opendata):
    status = result(get(client, "status_show"), "status_show")
    assert status["site_url"] == "http://testserver"
    assert status["ckan_version"].startswith("2.11")
    assert status["locale_default"] == "en" and status["extensions"] == []


def test_post_needs_no_csrf_token_and_reads_forms_and_the_query_too(opendata):
    strict = Client(enforce_csrf_checks=True)
    shown = result(post(strict, "package_show", {"id": "montalto-ideas"}), "package_show")
    assert shown["name"] == "montalto-ideas"
    form = strict.post("/api/action/package_show", {"id": "montalto-ideas"})
    assert result(form, "package_show")["name"] == "montalto-ideas"
    query_only = strict.post("/api/action/package_show?id=montalto-ideas")
    assert result(query_only, "package_show")["name"] == "montalto-ideas"


def test_unknown_parameters_are_ignored(client, opendata):
    shown = get(client, "package_show", id="montalto-ideas", callback="x", colour="red")
    assert result(shown, "package_show")["name"] == "montalto-ideas"


def test_options_and_other_methods(client, opendata):
    preflight = client.options("/api/3/action/package_search")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert bare(client.put("/api/3/action/package_list"), 405)
    assert get(client, "package_list")["Access-Control-Allow-Origin"] == "*"


# --- errors ------------------------------------------------------------------------------------


def test_unknown_action_is_a_bad_request(client, opendata):
    for prefix in PREFIXES:
        text = bare(get(client, "package_frobnicate", prefix), 400)
        assert text == "Bad request - Action name not known: package_frobnicate"
    assert bare(client.get("/api/action/"), 400).endswith("Action name not known: ")


@pytest.mark.parametrize(
    "body", ["{not json", "[1, 2]", '"text"', b"\xff\xfe\x00", "[" * 5000 + "]" * 5000]
)
def test_a_body_that_is_no_json_object_is_a_json_error(client, opendata, body):
    assert bare(post(client, "package_list", body), 400).startswith("Bad request - JSON Error: ")


def test_json_too_deep_or_with_control_characters(client, opendata):
    deep: dict = {}
    for _level in range(40):
        deep = {"a": deep}
    assert "JSON Error" in bare(post(client, "package_list", deep), 400)
    assert "JSON Error" in bare(post(client, "package_show", {"id": "a\x00b"}), 400)
    form = client.post("/api/action/package_show", {"id": "a\x00b"})
    assert "control character" in bare(form, 400)


def test_a_body_over_the_limit(client, opendata, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "INSIEME_MAX_BODY_BYTES": 100}
    assert bare(post(client, "package_search", {"q": "x" * 200}), 413)


def test_not_found(client, opendata):
    for name in ("package_show", "resource_show", "organization_show"):
        found = error(get(client, name, id="nothing-here"), 404, "Not Found Error", name)
        assert found["message"] == "Not found"
    assert error(get(client, "package_show", id="x" * 5000), 404, "Not Found Error", "package_show")
    assert error(get(client, "help_show", name="nope"), 404, "Not Found Error", "help_show")


@pytest.mark.parametrize("name", ["package_show", "resource_show", "organization_show"])
def test_a_missing_id_is_a_validation_error(client, opendata, name):
    refused = error(get(client, name), 409, "Validation Error", name)
    assert refused["id"] == ["Missing value"]
    listed = error(post(client, name, {"id": ["a", "b"]}), 409, "Validation Error", name)
    assert list(listed) == ["id", "__type"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"rows": "abc"}, "rows", "Invalid integer"),
        ({"rows": "-1"}, "rows", "Must be a natural number"),
        ({"rows": "1.5"}, "rows", "Invalid integer"),
        ({"start": "-3"}, "start", "Must be a natural number"),
        ({"start": "9" * 25}, "start", "Must be at most 2147483647"),
        ({"start": "9" * 5000}, "start", "Invalid integer"),
        ({"q": ["a", "b"]}, "q", "Must be a single text value"),
    ],
)
def test_bad_search_parameters(client, opendata, params, field, message):
    refused = error(
        get(client, "package_search", **params), 409, "Validation Error", "package_search"
    )
    assert refused[field] == [message]


def test_bad_parameters_in_a_json_body(client, opendata):
    body = {"rows": True, "start": 1.5, "limit": {"a": 1}}
    refused = error(post(client, "package_search", body), 409, "Validation Error", "package_search")
    assert set(refused) == {"rows", "start", "__type"}
    refused = error(post(client, "package_list", body), 409, "Validation Error", "package_list")
    assert refused["limit"] == ["Invalid integer"]
    refused = error(
        post(client, "organization_list", {"all_fields": "maybe", "offset": -1}),
        409,
        "Validation Error",
        "organization_list",
    )
    assert set(refused) == {"all_fields", "offset", "__type"}


def test_rows_beyond_the_maximum_are_capped_as_ckan_does(client, opendata):
    found = result(get(client, "package_search", rows=10**9), "package_search")
    assert found["count"] == len(found["results"]) == len(datasets)


def test_write_actions_are_refused_as_to_an_anonymous_ckan_caller(client, opendata):
    for name in ("package_create", "package_update", "resource_delete", "organization_patch"):
        refused = error(post(client, name, {"name": "x"}), 403, "Authorization Error", name)
        assert refused["message"].startswith("Access denied")
    assert DatasetSetting.objects.count() == len(datasets)


def test_unreadable_searches(client, opendata):
    for sort in ("colour asc", "name sideways", "name asc extra"):
        refused = error(
            get(client, "package_search", sort=sort), 400, "Search Query Error", "package_search"
        )
        assert "sort" in refused["message"]
    for fq in (
        "colour:red",
        "name:a OR name:b",
        'name:"open',
        "name:",
        "tags:()",
        "title:[a TO b]",
    ):
        error(get(client, "package_search", fq=fq), 409, "Search Error", "package_search")


def test_rate_limit_shared_with_the_anonymous_rest_api(client, opendata, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": None, "api_user": None, "api_address": "3/minute"},
    }
    assert client.get("/api/v1/administrations/").status_code == 200
    assert get(client, "package_list").status_code == 200
    assert get(client, "status_show").status_code == 200
    refused = error(get(client, "package_list"), 429, "Throttled", "package_list")
    assert "try again" in refused["message"]
    assert 1 <= int(get(client, "package_list")["Retry-After"]) <= 65
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert get(other, "package_list").status_code == 200


# --- what is listed ----------------------------------------------------------------------------


def test_package_list_pages_by_name(client, opendata):
    everything = result(get(client, "package_list"), "package_list")
    assert everything == sorted(f"montalto-{d.key}" for d in datasets)
    assert result(get(client, "package_list", limit=2), "package_list") == everything[:2]
    paged = result(post(client, "package_list", {"limit": 2, "offset": 3}), "package_list")
    assert paged == everything[3:5]
    assert result(get(client, "package_list", offset=4), "package_list") == everything[4:]
    # CKAN reads limit=0 as no limit (natural_number_validator accepts 0; `if limit:` skips it).
    assert result(get(client, "package_list", limit=0), "package_list") == everything


def test_unpublished_withdrawn_and_never_generated_datasets_are_absent(client, opendata, lagoverde):
    ideas = result(get(client, "package_show", id="montalto-ideas"), "package_show")
    DatasetSetting.objects.filter(administration=opendata, dataset="ideas").update(
        state=DatasetSetting.State.DRAFT
    )
    DatasetSetting.objects.filter(administration=opendata, dataset="services").update(
        state=DatasetSetting.State.WITHDRAWN
    )
    # Published by its steward but never generated: nothing to show yet.
    DatasetSetting.objects.create(
        administration=lagoverde, dataset="services", state=DatasetSetting.State.PUBLISHED
    )
    gone = {"montalto-ideas", "montalto-services", "lago-verde-services"}
    listed = set(result(get(client, "package_list"), "package_list"))
    assert listed and not listed & gone
    found = result(get(client, "package_search", rows=1000), "package_search")
    assert {p["name"] for p in found["results"]} == listed and found["count"] == len(listed)
    for name in gone:
        error(get(client, "package_show", id=name), 404, "Not Found Error", "package_show")
    for resource in ideas["resources"]:
        refused = get(client, "resource_show", id=resource["id"])
        error(refused, 404, "Not Found Error", "resource_show")
    error(get(client, "package_show", id=ideas["id"]), 404, "Not Found Error", "package_show")
    org = result(get(client, "organization_show", id="montalto"), "organization_show")
    assert org["package_count"] == len(listed)
    org = result(get(client, "organization_show", id="lago-verde"), "organization_show")
    assert org["package_count"] == 0


# --- package_show ------------------------------------------------------------------------------


def test_package_show_by_name_or_id(client, opendata):
    by_name = result(get(client, "package_show", id="montalto-public-reports"), "package_show")
    assert by_name["id"] == str(uuid.uuid5(ckan.NAMESPACE, "package/montalto-public-reports"))
    by_id = result(get(client, "package_show", id=by_name["id"]), "package_show")
    assert by_id == by_name


def test_package_dict(client, opendata):
    entry = catalogue.entry("montalto", "public-reports")
    shown = result(get(client, "package_show", id=entry.name), "package_show")
    assert shown["name"] == entry.name and shown["type"] == "dataset"
    assert shown["state"] == "active" and shown["private"] is False
    assert shown["version"] == str(entry.publication.version)
    assert shown["url"] == "http://testserver/opendata/montalto/public-reports/"
    assert (shown["license_id"], shown["license_title"]) == ("CC-BY-4.0", entry.licence[0])
    assert shown["license_url"] == entry.licence[2]
    assert shown["organization"]["name"] == "montalto"
    assert shown["organization"]["is_organization"] is True
    assert shown["owner_org"] == shown["organization"]["id"]
    assert shown["groups"] == [] and shown["num_tags"] == len(shown["tags"]) == 3
    assert {t["name"] for t in shown["tags"]} == {str(k) for k in entry.dataset.keywords}
    extras = {e["key"]: e["value"] for e in shown["extras"]}
    assert extras["identifier"] == "c_m001:montalto-public-reports"
    assert extras["theme"].endswith("/data-theme/GOVE")
    assert extras["frequency"].endswith("/frequency/DAILY")
    modified = dt.datetime.fromisoformat(shown["metadata_modified"])
    assert modified.tzinfo is None  # CKAN's form: UTC without an offset
    assert modified == entry.publication.created_at.astimezone(dt.UTC).replace(tzinfo=None)
    assert dt.datetime.fromisoformat(shown["metadata_created"]) <= modified


def test_resources_download_what_they_describe(client, opendata):
    shown = result(get(client, "package_show", id="montalto-public-reports"), "package_show")
    formats = [r["format"] for r in shown["resources"]]
    assert formats == ["CSV", "JSON", "GeoJSON", "Parquet"]
    assert shown["num_resources"] == 4
    for position, resource in enumerate(shown["resources"]):
        assert resource["position"] == position and resource["state"] == "active"
        assert resource["package_id"] == shown["id"]
        assert resource["url"].startswith("http://testserver/opendata/montalto/public-reports/")
        download = client.get(resource["url"])
        assert download.status_code == 200
        content = b"".join(download.streaming_content)
        assert len(content) == resource["size"]
        assert hashlib.sha256(content).hexdigest() == resource["hash"]
        assert download["Content-Type"].startswith(resource["mimetype"])


def test_a_resource_keeps_its_id_when_a_new_version_replaces_its_file(client, opendata):
    before = result(get(client, "package_show", id="montalto-ideas"), "package_show")
    publication = catalogue.entry("montalto", "ideas").publication
    Publication.objects.filter(pk=publication.pk).update(version=publication.version + 1)
    after = result(get(client, "package_show", id="montalto-ideas"), "package_show")
    assert after["version"] == str(publication.version + 1)
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in before["resources"]]


def test_language_of_the_request_and_both_translations(client, opendata):
    entry = catalogue.entry("montalto", "public-reports")
    expected = {}
    for code in ("en", "it"):
        with translation.override(code):
            expected[code] = (str(entry.dataset.title), str(entry.dataset.description))
    for code in ("en", "it"):
        response = client.get(
            "/api/3/action/package_show?id=montalto-public-reports", HTTP_ACCEPT_LANGUAGE=code
        )
        shown = result(response, "package_show")
        assert (shown["title"], shown["notes"]) == expected[code]
        assert shown["title_translated"] == {c: t for c, (t, _n) in expected.items()}
        assert shown["notes_translated"] == {c: n for c, (_t, n) in expected.items()}


# --- package_search ----------------------------------------------------------------------------


def search(client, **params) -> dict:
    return result(get(client, "package_search", **params), "package_search")


def search_names(client, **params) -> list[str]:
    return [p["name"] for p in search(client, rows=1000, **params)["results"]]


def test_search_answer_shape(client, opendata):
    found = search(client)
    assert set(found) == {"count", "results", "sort", "facets", "search_facets"}
    assert found["count"] == len(datasets) and len(found["results"]) == 6
    assert found["sort"] == "score desc, metadata_modified desc"
    assert found["facets"] == {} and found["search_facets"] == {}
    shown = result(get(client, "package_show", id=found["results"][0]["name"]), "package_show")
    assert found["results"][0] == shown


def test_search_pages_with_rows_and_start(client, opendata):
    seen: list[str] = []
    for start in range(0, 8, 2):
        page = search(client, rows=2, start=start)
        assert page["count"] == len(datasets)
        seen += [p["name"] for p in page["results"]]
    assert sorted(seen) == names_published() and len(seen) == len(set(seen))
    assert search(client, start=2**31 - 1)["results"] == []
    assert search(client, rows=0) == {**search(client, rows=0), "results": []}


def test_search_free_text_in_both_languages(client, opendata):
    entry = catalogue.entry("montalto", "public-reports")
    for code in ("en", "it"):
        with translation.override(code):
            title = str(entry.dataset.title)
            keyword = str(entry.dataset.keywords[0])
        assert "montalto-public-reports" in search_names(client, q=title)
        assert "montalto-public-reports" in search_names(client, q=keyword.upper())
    assert search_names(client, q="Open311") == ["montalto-public-reports"]
    assert search_names(client, q='"public reports" montalto') == ["montalto-public-reports"]
    assert search_names(client, q="zzzznothing") == []
    assert sorted(search_names(client, q="*:*")) == names_published()
    # The best match first: the title's word weighs more than a description's.
    assert search_names(client, q="ideas", sort="score desc")[0] == "montalto-ideas"


def test_search_filters(client, opendata, lagoverde):
    publish_everything(lagoverde, ["services"])
    everyone = names_published()
    assert len(everyone) == len(datasets) + 1
    montalto = [n for n in everyone if n.startswith("montalto-")]
    assert search_names(client, fq="organization:montalto", sort="name asc") == montalto
    assert search_names(client, fq="+organization:lago-verde") == ["lago-verde-services"]
    assert search_names(client, fq="organization:nowhere") == []
    geographic = sorted(e.name for e in catalogue.entries() if e.dataset.geographic)
    assert geographic
    assert search_names(client, fq="res_format:GeoJSON", sort="name asc") == geographic
    assert search_names(client, fq='res_format:"csv"', sort="name asc") == everyone
    tagged = sorted(
        e.name for e in catalogue.entries() if "participation" in map(str, e.dataset.keywords)
    )
    assert tagged and search_names(client, fq="tags:participation", sort="name asc") == tagged
    assert search_names(client, fq="name:montalto-ideas") == ["montalto-ideas"]
    assert search_names(client, fq="name:montalto-serv*", sort="name asc") == [
        "montalto-service-fields",
        "montalto-services",
    ]
    assert search_names(
        client, fq="name:(montalto-ideas OR lago-verde-services)", sort="name asc"
    ) == [
        "lago-verde-services",
        "montalto-ideas",
    ]
    both = "organization:lago-verde AND res_format:CSV tags:*"
    assert search_names(client, fq=both) == ["lago-verde-services"]
    assert "montalto-ideas" not in search_names(client, fq="-name:montalto-ideas")
    assert search_names(client, fq="NOT organization:montalto") == ["lago-verde-services"]
    assert search_names(client, fq="capacity:public +state:active", sort="name asc") == everyone
    assert search_names(client, fq="capacity:private") == []
    combined = search_names(client, q="services", fq="organization:lago-verde")
    assert combined == ["lago-verde-services"]
    shown = result(get(client, "package_show", id="montalto-ideas"), "package_show")
    assert search_names(client, fq=f"id:{shown['id']}") == ["montalto-ideas"]
    assert search_names(client, fq=f"owner_org:{shown['owner_org']}", sort="name asc") == montalto


def test_search_by_time_as_harvesters_do(client, opendata):
    base = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    names = names_published()
    for days, name in enumerate(names):
        key = name.removeprefix("montalto-")
        Publication.objects.filter(dataset=key).update(created_at=base + dt.timedelta(days=days))
    DatasetSetting.objects.update(updated_at=base - dt.timedelta(days=30))
    since = "2026-03-03T00:00:00Z"
    assert (
        search_names(client, fq=f"metadata_modified:[{since} TO *]", sort="name asc") == names[2:]
    )
    assert (
        search_names(client, fq=f"metadata_modified:{{{since} TO *]", sort="name asc") == names[3:]
    )
    assert search_names(client, fq="metadata_modified:[* TO 2026-03-01]") == names[:1]
    assert search_names(client, fq="metadata_modified:[NOW TO *]") == []
    by_time = search_names(client, sort="metadata_modified desc")
    assert by_time == names[::-1]
    error(
        get(client, "package_search", fq="metadata_modified:yesterday"),
        409,
        "Search Error",
        "package_search",
    )
    error(
        get(client, "package_search", fq="metadata_modified:[then TO *]"),
        409,
        "Search Error",
        "package_search",
    )


def test_search_sorts(client, opendata):
    names = names_published()
    assert search_names(client, sort="name desc") == names[::-1]
    assert search_names(client, sort="name asc") == names
    titles = [p["title"] for p in search(client, rows=1000, sort="title_string asc")["results"]]
    assert titles == sorted(titles, key=str.casefold)
    assert search(client, sort="title_string desc")["sort"] == "title_string desc"
    ties = search_names(client, sort="score desc")  # no q: every score equal, then by name
    assert ties == names


def test_search_queries_do_not_grow_with_the_catalogue(
    client, opendata, lagoverde, no_rate_limit, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6) as before:
        search(client, rows=1000)
    publish_everything(lagoverde)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert search(client, rows=1000)["count"] == 2 * len(datasets)


# --- organizations -----------------------------------------------------------------------------


def test_organization_list(client, opendata, lagoverde):
    # Every administration, as CKAN lists every organization, by title.
    assert result(get(client, "organization_list"), "organization_list") == [
        "lago-verde",
        "montalto",
        "valdoro",
    ]
    by_name = result(get(client, "organization_list", sort="name desc"), "organization_list")
    assert by_name == ["valdoro", "montalto", "lago-verde"]
    busiest = get(client, "organization_list", sort="package_count desc", limit=1)
    assert result(busiest, "organization_list") == ["montalto"]
    paged = result(
        post(client, "organization_list", {"limit": 1, "offset": 1}), "organization_list"
    )
    assert paged == ["montalto"]
    chosen = post(client, "organization_list", {"organizations": ["valdoro", "montalto"]})
    assert result(chosen, "organization_list") == ["montalto", "valdoro"]
    assert result(get(client, "organization_list", q="verde"), "organization_list") == [
        "lago-verde"
    ]
    dicts = result(get(client, "organization_list", all_fields="true"), "organization_list")
    assert [(d["name"], d["package_count"]) for d in dicts] == [
        ("lago-verde", 0),
        ("montalto", len(datasets)),
        ("valdoro", 0),
    ]
    assert all(d["type"] == "organization" and d["is_organization"] for d in dicts)
    refused = error(
        get(client, "organization_list", sort="colour"),
        409,
        "Validation Error",
        "organization_list",
    )
    assert refused["message"]


def test_organization_show(client, opendata):
    shown = result(get(client, "organization_show", id="montalto"), "organization_show")
    assert shown["name"] == "montalto" and shown["title"] == "Comune di Montalto"
    assert shown["package_count"] == len(datasets) and "packages" not in shown
    assert shown["users"] == [] and shown["state"] == "active"
    by_id = result(get(client, "organization_show", id=shown["id"]), "organization_show")
    assert by_id == shown
    full = post(client, "organization_show", {"id": "montalto", "include_datasets": True})
    packages = result(full, "organization_show")["packages"]
    assert sorted(p["name"] for p in packages) == names_published()
    assert packages[0] == result(
        get(client, "package_show", id=packages[0]["name"]), "package_show"
    )


def test_resource_show(client, opendata):
    for name in names_published():
        shown = result(get(client, "package_show", id=name), "package_show")
        for resource in shown["resources"]:
            assert (
                result(get(client, "resource_show", id=resource["id"]), "resource_show") == resource
            )


def test_help_show(client, opendata):
    text = result(get(client, "help_show", name="package_search"), "help_show")
    assert "rows" in text and "fq" in text


# --- privacy -----------------------------------------------------------------------------------


def test_no_personal_data_anywhere(client, opendata, alice, charlie):
    bodies = [
        get(client, "package_search", rows=1000).content,
        get(client, "organization_list", all_fields=1).content,
        get(client, "organization_show", id="montalto", include_datasets=1).content,
        get(client, "status_show").content,
    ]
    for name in names_published():
        bodies.append(get(client, "package_show", id=name).content)
    text = b"".join(bodies).decode()
    for needle in (*PERSONAL, alice.email, charlie.full_name, alice.full_name):
        assert needle not in text


# --- whatever is sent, never a 500 ---------------------------------------------------------------

ACTION_NAMES = [*ckan.ACTIONS, "package_create", "nope", ""]
PARAMETERS = [
    "id",
    "q",
    "fq",
    "sort",
    "rows",
    "start",
    "limit",
    "offset",
    "all_fields",
    "include_datasets",
    "organizations",
    "name",
    "callback",
]
QUERY_WORDS = [
    *[
        "name:",
        "tags:",
        "organization:",
        "res_format:",
        "metadata_modified:",
        "-",
        "+",
        "(",
        ")",
        '"',
        "[",
        "]",
        "{",
        "}",
        "*",
        "?",
        "\\",
        ":",
    ],
    *["montalto", "asc", "desc", "score", "NOW", "2026-01-01", "OR", "AND", "NOT", "TO"],
    " ",
    " TO ",
    " OR ",
]
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
query_texts = st.lists(st.sampled_from(QUERY_WORDS) | st.text(max_size=6), max_size=8).map("".join)
values = json_values | query_texts
keys = st.sampled_from(PARAMETERS) | st.text(max_size=6)
ANSWERS = {200, 400, 403, 404, 409, 413}


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(ACTION_NAMES), body=st.dictionaries(keys, values, max_size=4))
def test_any_json_body_is_answered_without_a_500(client, opendata, no_rate_limit, name, body):
    response = post(client, name, body)
    assert response.status_code in ANSWERS
    json.loads(response.content)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(ACTION_NAMES),
    query=st.lists(st.tuples(keys, query_texts | st.text(max_size=10)), max_size=5),
)
def test_any_query_string_is_answered_without_a_500(client, opendata, no_rate_limit, name, query):
    response = client.get(f"/api/action/{name}?{urlencode(query)}")
    assert response.status_code in ANSWERS
    json.loads(response.content)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200), kind=st.sampled_from(["application/json", "text/plain"]))
def test_any_bytes_as_body_are_answered_without_a_500(client, opendata, no_rate_limit, body, kind):
    response = client.post("/api/action/package_search", body, content_type=kind)
    assert response.status_code in ANSWERS
    json.loads(response.content)


@settings(max_examples=500)
@given(text=query_texts)
def test_the_query_parser_answers_clauses_or_a_search_error(text):
    try:
        clauses = ckan.parse_query(text)
    except ckan.SearchError as exc:
        assert exc.status == 409 and exc.message
    else:
        assert all(c.field in ckan.FIELDS for c in clauses)


# --- the real client, against a running server -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ckanapi_reads_the_whole_catalogue(live_server, opendata, lagoverde):
    for get_only in (False, True):  # POST with JSON (its default), then GET with a query
        site = ckanapi.RemoteCKAN(live_server.url, user_agent="insieme-tests", get_only=get_only)
        _read_everything(site, live_server.url)
        with pytest.raises(ckanapi.NotFound):
            site.action.package_show(id="montalto-nothing")
        with pytest.raises(ckanapi.ValidationError):
            site.action.package_search(rows=-1)
        with pytest.raises(ckanapi.NotAuthorized):
            site.action.package_create(name="mine")
        site.close()


def _read_everything(site: ckanapi.RemoteCKAN, base: str) -> None:
    names = site.action.package_list()
    assert names == sorted(f"montalto-{d.key}" for d in datasets)
    packages = {name: site.action.package_show(id=name) for name in names}
    seen: list[str] = []
    start = 0
    while True:
        page = site.action.package_search(rows=2, start=start)
        assert page["count"] == len(names)
        if not page["results"]:
            break
        for found in page["results"]:
            assert found == packages[found["name"]]
            seen.append(found["name"])
        start += 2
    assert sorted(seen) == names and len(seen) == len(set(seen))
    assert site.action.organization_list() == ["lago-verde", "montalto", "valdoro"]
    montalto = site.action.organization_show(id="montalto", include_datasets=True)
    assert montalto["package_count"] == len(names)
    assert {p["name"] for p in montalto["packages"]} == set(names)
    assert site.action.organization_show(id="lago-verde")["package_count"] == 0
    for package in packages.values():
        assert package["organization"]["name"] == "montalto"
        for resource in package["resources"]:
            assert site.action.resource_show(id=resource["id"]) == resource
            assert resource["url"].startswith(base)
    first = packages[names[0]]["resources"][0]
    content = requests.get(first["url"], timeout=30).content
    assert hashlib.sha256(content).hexdigest() == first["hash"]
