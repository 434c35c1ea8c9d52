"""The role x permission matrix over every catalogue staff screen.

Expectations are derived from insieme.core.permissions.ROLE_PERMISSIONS, so the tests follow the
mapping: a Montalto role reaches a screen when it holds the screen's permission and gets 403 when
it does not; rita reaches Montalto through the region as its service manager; oscar (other tenant)
and charlie (citizen) get 404; anonymous visitors are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from insieme.core.models import AuditEntry
from insieme.core.permissions import ROLE_PERMISSIONS, Perm, Role
from tests.conftest import ROLE_PERSONA

from .conftest import Catalog

Screen = tuple[str, Callable[[Catalog], list], Perm]

# (URL name, arguments after the admin slug, permission the screen checks) — GET screens.
SCREENS: list[Screen] = [
    ("catalog_staff_services", lambda c: [], Perm.SERVICE_READ),
    ("catalog_service_create", lambda c: [], Perm.SERVICE_WRITE),
    ("catalog_service_detail", lambda c: [c.pothole.pk], Perm.SERVICE_READ),
    ("catalog_service_edit", lambda c: [c.pothole.pk], Perm.SERVICE_WRITE),
    ("catalog_service_preview", lambda c: [c.pothole.pk], Perm.SERVICE_READ),
    ("catalog_service_skilled", lambda c: [c.pothole.pk], Perm.SERVICE_WRITE),
    ("catalog_attribute_create", lambda c: [c.pothole.pk], Perm.SERVICE_WRITE),
    ("catalog_attribute_edit", lambda c: [c.pothole.pk, c.attribute.pk], Perm.SERVICE_WRITE),
    ("catalog_attribute_delete", lambda c: [c.pothole.pk, c.attribute.pk], Perm.SERVICE_WRITE),
    ("catalog_service_traces", lambda c: [c.pothole.pk], Perm.SERVICE_READ),
    ("catalog_templates", lambda c: [], Perm.SERVICE_READ),
    ("catalog_template_create", lambda c: [], Perm.TEMPLATE_WRITE),
    ("catalog_template_detail", lambda c: [c.montalto_template.pk], Perm.SERVICE_READ),
    ("catalog_template_edit", lambda c: [c.montalto_template.pk], Perm.TEMPLATE_WRITE),
    ("catalog_template_attribute_create", lambda c: [c.montalto_template.pk], Perm.TEMPLATE_WRITE),
    (
        "catalog_template_attribute_edit",
        lambda c: [c.montalto_template.pk, c.montalto_template_attr.pk],
        Perm.TEMPLATE_WRITE,
    ),
    (
        "catalog_template_attribute_delete",
        lambda c: [c.montalto_template.pk, c.montalto_template_attr.pk],
        Perm.TEMPLATE_WRITE,
    ),
    ("catalog_regulations", lambda c: [], Perm.REGULATION_READ),
    ("catalog_regulation_create", lambda c: [], Perm.REGULATION_WRITE),
    ("catalog_regulation_detail", lambda c: [c.regulation.pk], Perm.REGULATION_READ),
    ("catalog_regulation_edit", lambda c: [c.regulation.pk], Perm.REGULATION_WRITE),
    ("catalog_provision_create", lambda c: [c.regulation.pk], Perm.REGULATION_WRITE),
    ("catalog_provision_edit", lambda c: [c.regulation.pk, c.provision.pk], Perm.REGULATION_WRITE),
    ("catalog_legal_basis", lambda c: [], Perm.REGULATION_READ),
    ("catalog_translations", lambda c: [], Perm.SERVICE_READ),
]

# Writes reached by POST: (URL name, arguments, permission).
POST_SCREENS: list[Screen] = [
    (name, args, perm)
    for name, args, perm in SCREENS
    if perm in {Perm.SERVICE_WRITE, Perm.TEMPLATE_WRITE, Perm.REGULATION_WRITE}
] + [
    ("catalog_service_traces", lambda c: [c.pothole.pk], Perm.SERVICE_WRITE),
    ("catalog_trace_delete", lambda c: [c.pothole.pk, c.trace.pk], Perm.SERVICE_WRITE),
]


def _url(cat: Catalog, name: str, args: Callable[[Catalog], list]) -> str:
    return reverse(name, args=["montalto", *args(cat)])


def _expected(role: str, perm: Perm) -> int:
    return 200 if perm in ROLE_PERMISSIONS[role] else 403


def _mismatches(client, cat, screens, method, expected: Callable[[Perm], int]) -> list[str]:
    wrong = []
    for name, args, perm in screens:
        url = _url(cat, name, args)
        response = getattr(client, method)(url)
        want = expected(perm)
        if method == "post" and want == 200:
            want = response.status_code if response.status_code in (200, 302) else "200/302"
        if response.status_code != want:
            wrong.append(f"{method.upper()} {name}: {response.status_code}, expected {want}")
    return wrong


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_montalto_roles_get_what_their_role_allows(role, cat, request, persona_client):
    user = request.getfixturevalue(ROLE_PERSONA[role])
    client = persona_client(user)
    assert _mismatches(client, cat, SCREENS, "get", lambda p: _expected(role, p)) == []


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_roles_without_a_write_permission_cannot_post(role, cat, request, persona_client):
    user = request.getfixturevalue(ROLE_PERSONA[role])
    client = persona_client(user)
    refused = [s for s in POST_SCREENS if s[2] not in ROLE_PERMISSIONS[role]]
    before = AuditEntry.objects.count()
    assert _mismatches(client, cat, refused, "post", lambda p: 403) == []
    assert AuditEntry.objects.count() == before


def test_rita_reaches_montalto_as_the_regions_service_manager(cat, rita, persona_client):
    client = persona_client(rita)
    expected = lambda p: _expected(Role.SERVICE_MANAGER, p)  # noqa: E731
    assert _mismatches(client, cat, SCREENS, "get", expected) == []


@pytest.mark.parametrize("persona", ["oscar", "charlie"])
def test_other_tenant_and_citizens_get_not_found(persona, cat, request, persona_client):
    client = persona_client(request.getfixturevalue(persona))
    before = AuditEntry.objects.count()
    assert _mismatches(client, cat, SCREENS, "get", lambda p: 404) == []
    assert _mismatches(client, cat, POST_SCREENS, "post", lambda p: 404) == []
    assert AuditEntry.objects.count() == before


def test_anonymous_visitors_are_sent_to_login(cat, client):
    login = reverse("login")
    for name, args, _perm in SCREENS + POST_SCREENS:
        url = _url(cat, name, args)
        for method in ("get", "post"):
            if method == "get" and name == "catalog_trace_delete":
                continue
            response = getattr(client, method)(url)
            assert response.status_code == 302, (method, name)
            assert response["Location"].startswith(login), (method, name)


def test_every_catalogue_staff_url_is_in_the_matrix():
    from insieme.catalog.urls import urlpatterns

    staff = {p.name for p in urlpatterns if str(p.pattern).startswith("staff/")}
    covered = {name for name, _a, _p in SCREENS + POST_SCREENS}
    assert staff == covered
