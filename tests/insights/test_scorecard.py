"""The Scorecard page: who may see it, the seventeen cells, the catalogue's indicators against
values computed here from the models, and the CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Attribute, LegalStatus, Service, Trace
from insieme.core.cells import CELLS
from insieme.core.csvsafe import neutralise
from insieme.core.models import Administration, Membership, today_in
from insieme.core.permissions import ROLE_PERMISSIONS, Perm, Role
from insieme.core.registry import Indicator, Scope, indicators
from insieme.insights import scorecard as sc
from tests.conftest import ROLE_PERSONA

STALE = {LegalStatus.EXPIRED, LegalStatus.SUPERSEDED, LegalStatus.REVIEW_OVERDUE}


def url(slug: str, **query) -> str:
    base = reverse("scorecard", kwargs={"admin_slug": slug})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def shown(content: bytes, key: str) -> tuple[str, str, str]:
    """(value, numerator, denominator) the page shows for indicator `key`."""
    html = content.decode()
    match = re.search(
        rf'<data id="value-{re.escape(key)}" value="([^"]*)"\s+data-numerator="([^"]*)"\s+'
        rf'data-denominator="([^"]*)"',
        html,
    )
    assert match, f"indicator {key} not on the page"
    return match.group(1), match.group(2), match.group(3)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_permission_matrix(role, request, persona_client, montalto):
    user = request.getfixturevalue(ROLE_PERSONA[role])
    response = persona_client(user).get(url("montalto"))
    expected = 200 if Perm.SCORECARD_READ in ROLE_PERMISSIONS[role] else 403
    assert response.status_code == expected


def test_login_required(client, montalto):
    response = client.get(url("montalto"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_other_tenant_and_citizens_get_not_found(persona_client, oscar, charlie, montalto):
    assert persona_client(oscar).get(url("montalto")).status_code == 404
    assert (
        persona_client(oscar).get(url("montalto", csv="catalog-s4-traced-fields")).status_code
        == 404
    )
    assert persona_client(charlie).get(url("montalto")).status_code == 404
    assert persona_client(oscar).get(url("nowhere")).status_code == 404


def test_region_staff_reach_hosted_administrations(persona_client, rita, montalto, lagoverde):
    client = persona_client(rita)
    assert client.get(url("montalto")).status_code == 200
    page = client.get(url("valdoro", scope="hosted"))
    assert page.status_code == 200
    assert page.context["scope_view"].choice == "hosted"
    names = {a.slug for a in page.context["scope_view"].administrations}
    assert names == {"valdoro", "montalto", "lago-verde"}
    alone = client.get(url("valdoro", scope="self"))
    assert [a.slug for a in alone.context["scope_view"].administrations] == ["valdoro"]


def test_region_opens_on_the_aggregate_of_its_municipalities(
    persona_client, rita, montalto, lagoverde
):
    """A region's Scorecard opens on itself and the administrations it hosts (issue 12, item 15:
    it opened on the region alone, which files no cases, so every figure read zero)."""
    page = persona_client(rita).get(url("valdoro"))
    assert page.context["scope_view"].choice == "hosted"
    assert {a.slug for a in page.context["scope_view"].administrations} == {
        "valdoro",
        "montalto",
        "lago-verde",
    }
    html = page.content.decode()
    assert re.search(r'id="scope-hosted" value="hosted"\s+checked', html)
    assert "scope=hosted&amp;csv=" in html
    # Anything but "self" keeps the default.
    odd = persona_client(rita).get(url("valdoro", scope="everything"))
    assert odd.context["scope_view"].choice == "hosted"


def test_municipality_offers_no_hosted_scope(persona_client, alice):
    page = persona_client(alice).get(url("montalto", scope="hosted"))
    assert page.context["scope_view"].choice == "self"
    assert b'name="scope"' not in page.content


# --- the frame ----------------------------------------------------------------------------------


def query_budget() -> int:
    """At most two queries per computation: each indicator once, and those that read a period
    once more for the period before (Indicator.period_days), over a fixed dozen for the page."""
    windowed = sum(1 for i in indicators if i.period_days)
    return 12 + 2 * (len(indicators) + windowed)


def test_all_seventeen_cells_with_plain_empty_states(
    persona_client, alice, django_assert_max_num_queries
):
    client = persona_client(alice)
    # Session, user, scope, and at most two per indicator, whatever the data.
    with django_assert_max_num_queries(query_budget()):
        response = client.get(url("montalto"))
    html = response.content.decode()
    assert html.count("<h1") == 1
    for code in CELLS:
        assert f'id="cell-{code}"' in html
    measured = {i.cell for i in indicators}
    assert html.count("No indicator yet.") == len(CELLS) - len(measured)
    assert {"T3", "T5", "S4"} <= measured
    for element in ("Data", "Interaction", "Tailoring", "Simplification"):
        assert f">{element}</h2>" in html
    assert "Benefit" in html and "Challenge" in html
    assert html.count("Not enough answers yet.") == len(CELLS)  # no staff survey round yet
    # Every cell measures something now: the placeholder of an empty cell shows nowhere.
    assert measured == set(CELLS)
    assert "It will measure:" not in html
    for indicator in indicators:
        assert str(indicator.method)[:40] in html.replace("&#x27;", "'")
    # Heading levels never skip.
    levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_empty_administration_says_nothing_to_measure(persona_client, alice):
    html = persona_client(alice).get(url("montalto")).content.decode()
    assert "Nothing to measure yet" in html
    assert "<script>" not in html and "style=" not in html


def test_page_renders_in_italian(persona_client, alice, settings):
    client = persona_client(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    response = client.get(url("montalto"))
    assert response.status_code == 200 and b'<html lang="it">' in response.content


def test_failing_indicator_is_shown_not_a_server_error(persona_client, alice, monkeypatch):
    def broken(scope):
        raise RuntimeError("boom")

    bad = Indicator(
        key="test-broken",
        cell="D1",
        title="Broken",
        method="Never works.",
        unit="share",
        compute=broken,
    )
    monkeypatch.setattr(sc, "indicators", [*indicators, bad])
    response = persona_client(alice).get(url("montalto"))
    assert response.status_code == 200
    assert b"could not be computed" in response.content


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_neutralises_formulas(persona_client, alice, montalto):
    service = catalog_actions.create_service(
        None,
        montalto,
        code="evil",
        name='=HYPERLINK("http://x.example")',
        channels=["web"],
        staff_minutes={"web": 5},
        attributes=[
            {"code": "q1", "datatype": "string", "label": "@SUM(A1)", "order": 1},
            {"code": "q2", "datatype": "number", "label": "-2+3", "order": 2},
        ],
    )
    assert service.attributes.count() == 2
    response = persona_client(alice).get(url("montalto", csv="catalog-s4-traced-fields"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Service", "Administration", "Field code", "Question"]
    assert ['\'=HYPERLINK("http://x.example")', "Comune di Montalto", "q1", "'@SUM(A1)"] in rows
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_csv_unknown_indicator_is_not_found(persona_client, alice):
    assert persona_client(alice).get(url("montalto", csv="nope")).status_code == 404


def test_neutralise_keeps_numbers_and_plain_text():
    assert neutralise(-3) == -3
    assert neutralise("Buche") == "Buche"
    for prefix in "=+-@\t\r":
        assert neutralise(prefix + "1") == "'" + prefix + "1"


# --- values against the demo -------------------------------------------------------------------


def expected_values(admin_ids: list[int]) -> dict[str, tuple[int, int]]:
    """The catalogue's indicators computed here, by walking the models in Python."""
    today = today_in(None)
    published = list(Service.objects.filter(administration_id__in=admin_ids, status="published"))
    stale = 0
    for service in published:
        traces = Trace.objects.filter(service=service, provision__isnull=False)
        if any(t.provision.status(today) in STALE for t in traces):
            stale += 1
    templated = [s for s in published if s.template_id]
    fields = Attribute.objects.filter(service__in=published, variable=True)
    traced = sum(1 for f in fields if f.traces.exists())
    return {
        "catalog-t3-stale-basis": (stale, len(published)),
        "catalog-t5-template-share": (len(templated), len(published)),
        "catalog-t5-overrides": (sum(len(s.overridden_fields) for s in templated), len(templated)),
        "catalog-s4-traced-fields": (traced, fields.count()),
    }


def demo_member(slug: str, role: str) -> Membership:
    return Membership.objects.filter(administration__slug=slug, role=role).order_by("pk")[0]


def test_region_scorecard_matches_the_demo(
    loaded_demo, persona_client, django_assert_max_num_queries
):
    region = Administration.objects.get(slug="valdoro")
    ids = [region.pk, *region.children.values_list("pk", flat=True)]
    client = persona_client(demo_member("valdoro", Role.DATA_STEWARD).user)
    with django_assert_max_num_queries(query_budget()):  # as on an empty one
        response = client.get(url("valdoro", scope="hosted"))
    assert response.status_code == 200
    expected = expected_values(ids)
    assert expected["catalog-t3-stale-basis"][0] > 0
    for key, (numerator, denominator) in expected.items():
        value, shown_num, shown_den = shown(response.content, key)
        assert (int(shown_num), int(shown_den)) == (numerator, denominator), key
        assert float(value) == pytest.approx(numerator / denominator), key


def test_municipality_scorecard_matches_the_demo_and_ground_truth(loaded_demo, persona_client):
    import json

    everything = json.loads(loaded_demo.ground_truth.read_text())
    truth = everything["catalog"]["indicator_inputs"]
    # Co-design's seed adopts a change that adds an (untraced) question to one form, and a
    # channel: two more fields of a templated service differ from its template.
    added = everything["codesign"]["fields_added"]
    overridden = everything["codesign"]["overridden_fields_added"]
    for slug in ("lago-verde", "montalto", "san-pietro-al-colle"):
        admin = Administration.objects.get(slug=slug)
        user = demo_member(slug, Role.SUPERVISOR).user
        response = persona_client(user).get(url(slug))
        expected = expected_values([admin.pk])
        for key, (numerator, denominator) in expected.items():
            _value, shown_num, shown_den = shown(response.content, key)
            assert (int(shown_num), int(shown_den)) == (numerator, denominator), (slug, key)
        inputs = truth[slug]
        assert expected["catalog-t3-stale-basis"] == (
            inputs["services_on_stale_provisions"],
            inputs["published_services"],
        )
        assert expected["catalog-s4-traced-fields"] == (
            inputs["form_fields"] - inputs["untraced_fields"],
            inputs["form_fields"] + added.get(slug, 0),
        )
        assert expected["catalog-t5-overrides"][0] == (
            inputs["overridden_fields_total"] + overridden.get(slug, 0)
        )


def test_demo_csv_lists_worst_first(loaded_demo, persona_client):
    user = demo_member("valdoro", Role.ADMINISTRATOR).user
    client = persona_client(user)
    client.cookies["django_language"] = "en"  # demo staff prefer Italian; labels checked in English
    response = client.get(url("valdoro", scope="hosted", csv="catalog-t3-stale-basis"))
    rows = read_csv(response)[1:]
    days = [int(r[4]) for r in rows]
    assert days == sorted(days, reverse=True) and days[0] > 365
    statuses = {r[3] for r in rows}
    assert {"Expired", "Superseded", "Overdue for review"} <= statuses


def _figure(result) -> tuple:
    """What a cell shows of an indicator: its number and the numbers behind it."""
    return (result.value, result.numerator, result.denominator)


def test_no_two_cells_show_the_same_figure(loaded_demo):
    """Every indicator computed on the demo: two indicators of different cells never show the
    same figure (issue 12, item 15: T2's first response repeated S2's time to acknowledge)."""
    region = Administration.objects.get(slug="valdoro")
    ids = (region.pk, *region.children.values_list("pk", flat=True))
    scope = Scope(administration_ids=ids, today=today_in(region))
    seen: dict[tuple, Indicator] = {}
    for indicator in indicators:
        result = indicator.compute(scope)
        assert result.value is not None, f"{indicator.key} has nothing to show on the demo"
        figure = _figure(result)
        other = seen.get(figure)
        assert other is None or other.cell == indicator.cell, (
            f"{indicator.cell} {indicator.key} shows the figure of {other.cell} {other.key}"
        )
        seen[figure] = indicator
