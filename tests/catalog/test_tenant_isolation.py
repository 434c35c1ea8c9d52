"""Tenant isolation: another administration's catalogue is never reachable through this one's
URLs, even by guessing ids, whatever the person's role; and the access helpers say so."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from insieme.catalog import access
from insieme.core.permissions import Perm, Role
from tests.conftest import make_staff

from .conftest import Catalog, counts, service_post_data


def _foreign_urls(slug: str, c: Catalog, own: str) -> list[tuple[str, str]]:
    """(method, URL) pairs that put the *other* tenant's ids into `slug`'s URLs."""
    if own == "montalto":  # Lago Verde's objects through Montalto's URLs
        service, attribute, trace = c.lv_service, c.lv_attribute, c.lv_trace
        template, regulation, provision = c.lv_template, c.lv_regulation, c.lv_provision
    else:  # Montalto's objects through Lago Verde's URLs
        service, attribute, trace = c.pothole, c.attribute, c.trace
        template, regulation, provision = c.montalto_template, c.regulation, c.provision
    t_attr = template.attributes.first()

    def u(name, *args):
        return reverse(name, args=[slug, *args])

    urls = [
        ("get", u("catalog_service_detail", service.pk)),
        ("get", u("catalog_service_edit", service.pk)),
        ("post", u("catalog_service_edit", service.pk)),
        ("get", u("catalog_service_preview", service.pk)),
        ("get", u("catalog_service_traces", service.pk)),
        ("post", u("catalog_service_traces", service.pk)),
        ("get", u("catalog_service_skilled", service.pk)),
        ("post", u("catalog_service_skilled", service.pk)),
        ("get", u("catalog_attribute_create", service.pk)),
        ("post", u("catalog_attribute_create", service.pk)),
        ("get", u("catalog_attribute_edit", service.pk, attribute.pk)),
        ("post", u("catalog_attribute_delete", service.pk, attribute.pk)),
        ("post", u("catalog_trace_delete", service.pk, trace.pk)),
        ("get", u("catalog_template_detail", template.pk)),
        ("get", u("catalog_template_edit", template.pk)),
        ("post", u("catalog_template_edit", template.pk)),
        ("get", u("catalog_regulation_detail", regulation.pk)),
        ("post", u("catalog_regulation_edit", regulation.pk)),
        ("post", u("catalog_provision_create", regulation.pk)),
        ("get", u("catalog_provision_edit", regulation.pk, provision.pk)),
        ("post", u("catalog_provision_edit", regulation.pk, provision.pk)),
    ]
    if t_attr is not None:
        urls.append(("post", u("catalog_template_attribute_delete", template.pk, t_attr.pk)))
    # Mixed ids: this tenant's service with the other tenant's question or trace.
    mine = c.pothole if own == "montalto" else c.lv_service
    urls += [
        ("get", u("catalog_attribute_edit", mine.pk, attribute.pk)),
        ("post", u("catalog_trace_delete", mine.pk, trace.pk)),
    ]
    return urls


def _leaks(client, urls) -> list[str]:
    return [
        f"{m} {url}: {r.status_code}"
        for m, url in urls
        if (r := getattr(client, m)(url, service_post_data() if m == "post" else None)).status_code
        != 404
    ]


def test_montalto_staff_never_reach_lago_verde_objects(cat, carla, persona_client):
    before = counts()
    assert _leaks(persona_client(carla), _foreign_urls("montalto", cat, "montalto")) == []
    assert counts() == before


def test_lago_verde_staff_never_reach_montalto_objects(cat, lagoverde, persona_client):
    # A service manager there, so that a refusal can only come from the tenant boundary.
    lucia = make_staff(lagoverde, Role.SERVICE_MANAGER, "lucia@lagoverde.example", "Lucia")
    before = counts()
    assert _leaks(persona_client(lucia), _foreign_urls("lago-verde", cat, "lago-verde")) == []
    assert counts() == before


def test_rita_cannot_cross_between_hosted_municipalities_either(cat, rita, persona_client):
    """The region reaches both municipalities, but each only through its own URLs."""
    before = counts()
    assert _leaks(persona_client(rita), _foreign_urls("montalto", cat, "montalto")) == []
    assert counts() == before


def test_another_tenants_list_pages_are_not_found(cat, carla, persona_client):
    client = persona_client(carla)
    for name in [
        "catalog_staff_services",
        "catalog_templates",
        "catalog_regulations",
        "catalog_legal_basis",
        "catalog_service_create",
    ]:
        assert client.get(reverse(name, args=["lago-verde"])).status_code == 404, name
        assert client.get(reverse(name, args=["valdoro"])).status_code == 404, name


def test_lists_never_show_another_tenants_rows(cat, carla, persona_client):
    client = persona_client(carla)
    pages = [
        "catalog_staff_services",
        "catalog_templates",
        "catalog_regulations",
        "catalog_legal_basis",
    ]
    for name in pages:
        body = client.get(reverse(name, args=["montalto"])).content.decode()
        for foreign in ["Boat mooring permit", "Lago Verde boats", "LV 1/2021", "Lakes"]:
            assert foreign not in body, (name, foreign)


# --- the helpers themselves -----------------------------------------------------------------------


HELPERS = [
    (access.get_service_for_user, "pothole", "lv_service", Perm.SERVICE_READ),
    (access.get_template_for_user, "montalto_template", "lv_template", Perm.SERVICE_READ),
    (access.get_regulation_for_user, "regulation", "lv_regulation", Perm.REGULATION_READ),
    (access.get_provision_for_user, "provision", "lv_provision", Perm.REGULATION_READ),
    (access.get_attribute_for_user, "attribute", "lv_attribute", Perm.SERVICE_READ),
    (access.get_trace_for_user, "trace", "lv_trace", Perm.SERVICE_READ),
]


@pytest.mark.parametrize(
    ("helper", "own", "foreign", "perm"), HELPERS, ids=[h[0].__name__ for h in HELPERS]
)
def test_access_helpers(helper, own, foreign, perm, cat, montalto, bob, oscar, charlie):
    mine, theirs = getattr(cat, own), getattr(cat, foreign)
    assert helper(bob, montalto, mine.pk, perm) == mine
    assert helper(bob, "montalto", str(mine.pk), perm) == mine
    for pk in (theirs.pk, 999_999, "abc", None):
        with pytest.raises(Http404):
            helper(bob, montalto, pk, perm)
    for outsider in (oscar, charlie):
        with pytest.raises(Http404):
            helper(outsider, montalto, mine.pk, perm)
    write = {Perm.SERVICE_READ: Perm.SERVICE_WRITE, Perm.REGULATION_READ: Perm.REGULATION_WRITE}[
        perm
    ]
    with pytest.raises(PermissionDenied):
        helper(bob, montalto, mine.pk, write)


def test_hosts_rows_are_readable_but_not_writable_here(cat, montalto, carla):
    assert (
        access.get_template_for_user(carla, montalto, cat.region_template.pk, Perm.SERVICE_READ)
        == cat.region_template
    )
    assert (
        access.get_regulation_for_user(
            carla, montalto, cat.region_regulation.pk, Perm.REGULATION_READ
        )
        == cat.region_regulation
    )
    for helper, obj, perm in [
        (access.get_template_for_user, cat.region_template, Perm.TEMPLATE_WRITE),
        (access.get_template_for_user, cat.private_region_template, Perm.SERVICE_READ),
        (access.get_regulation_for_user, cat.region_regulation, Perm.REGULATION_WRITE),
        (access.get_provision_for_user, cat.region_provision, Perm.REGULATION_WRITE),
    ]:
        with pytest.raises(Http404):
            helper(carla, montalto, obj.pk, perm)


def test_url_narrowing_ids_must_match(cat, montalto, carla):
    with pytest.raises(Http404):
        access.get_attribute_for_user(
            carla, montalto, cat.attribute.pk, Perm.SERVICE_READ, service_pk=cat.draft.pk
        )
    with pytest.raises(Http404):
        access.get_provision_for_user(
            carla,
            montalto,
            cat.overdue_provision.pk,
            Perm.REGULATION_READ,
            regulation_pk=cat.region_regulation.pk,
        )
    with pytest.raises(Http404):
        access.get_template_attribute_for_user(
            carla,
            montalto,
            cat.region_template.pk,
            cat.montalto_template_attr.pk,
            Perm.SERVICE_READ,
        )
