"""/api/v1/scorecard/?administration=SLUG: the Scorecard as JSON, with the page's scope rule (a
region sees itself with the administrations it hosts unless it asks for `scope=self`), its
permissions, and its titles and methods in the caller's language."""

from __future__ import annotations

import pytest

from insieme.core.cells import CELLS
from insieme.core.permissions import ROLE_PERMISSIONS, Perm
from insieme.core.registry import indicators
from tests.conftest import ROLE_PERSONA

URL = "/api/v1/scorecard/"


def test_region_sees_the_aggregate_by_default(api, rita, montalto, lagoverde):
    body = api(user=rita).get(URL, {"administration": "valdoro"}).json()
    assert body["scope"] == "hosted"
    assert set(body["administrations"]) == {"valdoro", "montalto", "lago-verde"}
    alone = api(user=rita).get(URL, {"administration": "valdoro", "scope": "self"}).json()
    assert (alone["scope"], alone["administrations"]) == ("self", ["valdoro"])


def test_every_cell_and_indicator(api, alice):
    response = api(user=alice).get(URL, {"administration": "montalto"})
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "self" and body["administrations"] == ["montalto"]
    assert [c["code"] for c in body["cells"]] == list(CELLS)
    keys = {i["key"] for c in body["cells"] for i in c["indicators"]}
    assert keys == set(indicators.keys())
    first = next(i for c in body["cells"] for i in c["indicators"])
    assert set(first) >= {"title", "method", "value", "numerator", "denominator", "display"}
    assert all(c["perceived"] is None for c in body["cells"])
    assert "rows" not in first  # the rows name people: they stay on the staff page


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_permission_matrix(role, request, api, montalto):
    user = request.getfixturevalue(ROLE_PERSONA[role])
    response = api(user=user).get(URL, {"administration": "montalto"})
    assert response.status_code == (200 if Perm.SCORECARD_READ in ROLE_PERMISSIONS[role] else 403)


def test_outsiders_and_unknown_administrations_get_not_found(api, oscar, charlie, montalto):
    for user in (oscar, charlie):
        assert api(user=user).get(URL, {"administration": "montalto"}).status_code == 404
    assert api(user=oscar).get(URL, {"administration": "nowhere"}).status_code == 404


def test_anonymous_callers_are_refused(api, montalto):
    assert api().get(URL, {"administration": "montalto"}).status_code == 401


def test_api_keys_need_the_scope_and_read_their_own_administration(
    api, make_key, montalto, lagoverde
):
    with_scope = make_key(montalto, "insights:read")
    assert api(key=with_scope).get(URL, {"administration": "montalto"}).status_code == 200
    assert api(key=with_scope).get(URL, {"administration": "lago-verde"}).status_code == 404
    without = make_key(montalto, "cases:read")
    response = api(key=without).get(URL, {"administration": "montalto"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_keys_made_with_the_old_scope_name_keep_their_access(api, make_key, montalto):
    # The scope was called scorecard:read; the issue names it insights:read (migration 0004).
    import importlib

    from django.apps import apps

    from insieme.core.models import ApiKey

    raw = make_key(montalto, "cases:read")
    ApiKey.objects.update(scopes=["cases:read", "scorecard:read"])  # as the old code saved it
    assert api(key=raw).get(URL, {"administration": "montalto"}).status_code == 403
    migration = importlib.import_module("insieme.core.migrations.0004_apikey_scope_insights_read")
    migration.rename(apps, None)
    assert ApiKey.objects.get().scopes == ["cases:read", "insights:read"]
    assert api(key=raw).get(URL, {"administration": "montalto"}).status_code == 200


def test_bad_parameters_get_a_clear_400(api, alice):
    missing = api(user=alice).get(URL)
    assert missing.status_code == 400
    assert "administration" in missing.json()["error"]["fields"]
    odd = api(user=alice).get(URL, {"administration": "montalto", "scope": "everything"})
    assert odd.status_code == 400 and "scope" in odd.json()["error"]["fields"]


def test_titles_and_methods_in_the_callers_language(api, make_key, montalto):
    """Accept-Language decides (item 9: indicator titles and methods stayed in English)."""
    key = make_key(montalto, "insights:read")
    query = {"administration": "montalto"}
    body = api(key=key).get(URL, query, HTTP_ACCEPT_LANGUAGE="it").json()
    t2 = next(c for c in body["cells"] if c["code"] == "T2")
    assert t2["title"] == "Rendicontazione"
    titles = {i["key"]: i["title"] for i in t2["indicators"]}
    assert titles["cases-t2-promises-kept"] == "Promesse pubbliche mantenute"
    method = next(i["method"] for i in t2["indicators"] if i["key"] == "cases-t2-promises-kept")
    assert method.startswith("Delle date promesse")
    english = api(key=key).get(URL, query, HTTP_ACCEPT_LANGUAGE="en").json()
    t2 = next(c for c in english["cells"] if c["code"] == "T2")
    assert t2["indicators"][2]["title"] == "Public promises kept"
