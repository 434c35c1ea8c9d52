"""Staff screens of the core app, at the level users meet them: request in, response and rows out.

The permission tests walk every persona against every screen and derive the expected answer from
ROLE_PERMISSIONS, so they follow the mapping when it changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from insieme.core import actions
from insieme.core.models import (
    Administration,
    ApiKey,
    AuditEntry,
    Department,
    Holiday,
    Membership,
    PartnerMember,
    PartnerOrganisation,
)
from insieme.core.permissions import Perm, Role, role_has
from insieme.core.views_staff import SECTIONS
from tests.conftest import make_user, sign_in

# --- the world --------------------------------------------------------------------------------


@dataclass
class World:
    montalto: Administration
    lagoverde: Administration
    dept: Department
    bob_membership: Membership
    dario_membership: Membership
    partner: PartnerOrganisation
    key: ApiKey
    other_dept: Department
    other_membership: Membership
    other_partner: PartnerOrganisation
    other_key: ApiKey


@pytest.fixture
def world(montalto, lagoverde, alice, bob, carla, dario, elena, rita, oscar, charlie) -> World:
    dept = actions.create_department(None, montalto, name="Roads", code="roads")
    partner = actions.create_partner(None, montalto, name="Friends of the Park")
    key, _raw = actions.create_api_key(None, montalto, name="App", scopes=["services:read"])
    other_dept = actions.create_department(None, lagoverde, name="Lake", code="lake")
    other_partner = actions.create_partner(None, lagoverde, name="Lake Rowers")
    other_key, _raw = actions.create_api_key(
        None, lagoverde, name="Lake app", scopes=["services:read"]
    )
    return World(
        montalto=montalto,
        lagoverde=lagoverde,
        dept=dept,
        bob_membership=Membership.objects.get(user=bob, administration=montalto),
        dario_membership=Membership.objects.get(user=dario, administration=montalto),
        partner=partner,
        key=key,
        other_dept=other_dept,
        other_membership=Membership.objects.get(user=oscar, administration=lagoverde),
        other_partner=other_partner,
        other_key=other_key,
    )


# persona -> (role, the administration holding the membership); None: no staff role at all.
PERSONA_ROLE: dict[str, tuple[str, str] | None] = {
    "alice": (Role.ADMINISTRATOR, "montalto"),
    "bob": (Role.OFFICER, "montalto"),
    "carla": (Role.SERVICE_MANAGER, "montalto"),
    "dario": (Role.SUPERVISOR, "montalto"),
    "elena": (Role.DATA_STEWARD, "montalto"),
    "rita": (Role.SERVICE_MANAGER, "valdoro"),  # the region hosting Montalto
    "oscar": (Role.ADMINISTRATOR, "lago-verde"),
    "charlie": None,
    "anonymous": None,
}
REACHES_MONTALTO = {"montalto", "valdoro"}


def client_for(request, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        sign_in(client, request.getfixturevalue(persona))
    return client


def expected(persona: str, perm: Perm | None, allowed: int) -> int:
    """The answer a Montalto screen guarded by `perm` must give `persona` (None: any role)."""
    if persona == "anonymous":
        return 302
    held = PERSONA_ROLE[persona]
    if held is None or held[1] not in REACHES_MONTALTO:
        return 404
    role = held[0]
    return allowed if perm is None or role_has(role, perm) else 403


# --- the matrix -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    name: str
    perm: Perm | None
    args: str = ""  # attribute of World giving the object id, if any
    data: tuple = ()  # POST data (pairs) for write screens
    allowed: int = 200


def settings_data() -> tuple:
    return (
        ("name", "Comune di Montalto Alto"),
        ("ipa_code", "c_m001"),
        ("locale", "it"),
        ("timezone", "Europe/Rome"),
        ("boundary", ""),
        ("brand_name", "Montalto"),
        ("primary_colour", "#112233"),
        ("secondary_colour", "#445566"),
        ("feature_flags", '{"ideas": true}'),
        ("holidays", "2025-12-25 Christmas"),
    )


GET_SCREENS = [
    Screen("staff_admin_home", None),
    Screen("staff_settings", Perm.ADMINISTRATION_UPDATE),
    Screen("staff_departments", Perm.DEPARTMENT_MANAGE),
    Screen("staff_department_create", Perm.DEPARTMENT_MANAGE),
    Screen("staff_department_edit", Perm.DEPARTMENT_MANAGE, "dept"),
    Screen("staff_people", Perm.MEMBERSHIP_MANAGE),
    Screen("staff_membership_edit", Perm.MEMBERSHIP_MANAGE, "bob_membership"),
    Screen("staff_partners", Perm.PARTNER_MANAGE),
    Screen("staff_partner_create", Perm.PARTNER_MANAGE),
    Screen("staff_partner_edit", Perm.PARTNER_MANAGE, "partner"),
    Screen("staff_apikeys", Perm.APIKEY_MANAGE),
    Screen("staff_apikey_create", Perm.APIKEY_MANAGE),
    Screen("staff_audit", Perm.AUDIT_READ),
]

POST_SCREENS = [
    Screen("staff_settings", Perm.ADMINISTRATION_UPDATE, data=settings_data(), allowed=302),
    Screen(
        "staff_department_create",
        Perm.DEPARTMENT_MANAGE,
        data=(("name", "Parks"), ("code", "parks")),
        allowed=302,
    ),
    Screen(
        "staff_department_edit",
        Perm.DEPARTMENT_MANAGE,
        "dept",
        data=(("name", "Roads and bridges"), ("code", "roads")),
        allowed=302,
    ),
    Screen(
        "staff_membership_edit",
        Perm.MEMBERSHIP_MANAGE,
        "bob_membership",
        data=(("role", "supervisor"), ("capacity", "15"), ("is_active", "on")),
        allowed=302,
    ),
    Screen("staff_membership_remove", Perm.MEMBERSHIP_MANAGE, "dario_membership", allowed=302),
    Screen(
        "staff_partner_create",
        Perm.PARTNER_MANAGE,
        data=(("name", "Green Bikes"), ("kind", "association")),
        allowed=302,
    ),
    Screen(
        "staff_partner_edit",
        Perm.PARTNER_MANAGE,
        "partner",
        data=(("name", "Friends of the Park"), ("kind", "association")),
        allowed=302,
    ),
    Screen(
        "staff_partner_member_add",
        Perm.PARTNER_MANAGE,
        "partner",
        data=(("member-email", "charlie@example.org"),),
        allowed=302,
    ),
    Screen(
        "staff_apikey_create",
        Perm.APIKEY_MANAGE,
        data=(("name", "Harvester"), ("scopes", "opendata:read")),
        allowed=200,
    ),
    Screen("staff_apikey_revoke", Perm.APIKEY_MANAGE, "key", allowed=302),
    Screen("staff_audit_verify", Perm.AUDIT_READ, allowed=200),
]


def url_of(screen: Screen, world: World, admin: Administration | None = None) -> str:
    admin = admin or world.montalto
    args = [admin.slug]
    if screen.args:
        args.append(getattr(world, screen.args).pk)
    return reverse(screen.name, args=args)


def test_every_core_permission_has_a_screen_in_the_matrix():
    guarded = {s.perm for s in GET_SCREENS + POST_SCREENS}
    assert {p for p in Perm if p.value.startswith("core:")} <= guarded


@pytest.mark.parametrize("persona", list(PERSONA_ROLE))
@pytest.mark.parametrize("screen", GET_SCREENS, ids=lambda s: s.name)
def test_get_matrix(request, world, persona, screen):
    response = client_for(request, persona).get(url_of(screen, world))
    want = expected(persona, screen.perm, screen.allowed)
    assert response.status_code == want, (persona, screen.name)
    if want == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", list(PERSONA_ROLE))
@pytest.mark.parametrize("screen", POST_SCREENS, ids=lambda s: s.name)
def test_post_matrix(request, world, persona, screen):
    entries_before = AuditEntry.objects.count()
    response = client_for(request, persona).post(url_of(screen, world), dict(screen.data))
    want = expected(persona, screen.perm, screen.allowed)
    assert response.status_code == want, (persona, screen.name)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if persona == "anonymous" or want != screen.allowed:
        assert AuditEntry.objects.count() == entries_before, "a refused request wrote something"
    elif screen.name != "staff_audit_verify":
        assert AuditEntry.objects.count() > entries_before, "an allowed write left no audit entry"


@pytest.mark.parametrize("persona", [p for p in PERSONA_ROLE if p != "anonymous"])
def test_dashboard_links_follow_permissions(request, world, persona):
    response = client_for(request, persona).get(reverse("staff_admin_home", args=["montalto"]))
    if expected(persona, None, 200) != 200:
        assert response.status_code == 404
        return
    role = PERSONA_ROLE[persona][0]
    html = response.content.decode()
    for section in SECTIONS:
        link = f'href="{reverse(section.url_name, args=["montalto"])}"'
        assert (link in html) == role_has(role, section.perm), (persona, section.url_name)


# --- staff home and switcher ------------------------------------------------------------------


def test_staff_home_requires_login(client, db):
    response = client.get(reverse("staff_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_home_for_citizen_is_a_friendly_403(persona_client, charlie):
    response = persona_client(charlie).get(reverse("staff_home"))
    assert response.status_code == 403
    assert b"no staff role" in response.content


def test_staff_home_lists_administrations_and_roles(persona_client, world, alice, rita):
    html = persona_client(alice).get(reverse("staff_home")).content.decode()
    assert "Comune di Montalto" in html and "Administrator" in html
    assert "Lago Verde" not in html
    html = persona_client(rita).get(reverse("staff_home")).content.decode()
    for name in ("Regione Valdoro", "Comune di Montalto", "Comune di Lago Verde"):
        assert name in html
    assert "Service manager (through Regione Valdoro)" in html


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("alice", "montalto", 302),
        ("alice", "lago-verde", 404),
        ("alice", "nowhere", 404),
        ("rita", "lago-verde", 302),
        ("charlie", "montalto", 404),
        ("alice", "", 404),
    ],
)
def test_switch(request, world, persona, target, status):
    response = client_for(request, persona).get(reverse("staff_switch"), {"to": target})
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("staff_admin_home", args=[target])


# --- tenant isolation -------------------------------------------------------------------------

# (url name, World attribute of a Montalto object, of a Lago Verde object, method, POST data)
OBJECT_SCREENS = [
    ("staff_department_edit", "dept", "other_dept", "get", {}),
    ("staff_department_edit", "dept", "other_dept", "post", {"name": "Hacked", "code": "hacked"}),
    ("staff_membership_edit", "bob_membership", "other_membership", "get", {}),
    (
        "staff_membership_edit",
        "bob_membership",
        "other_membership",
        "post",
        {"role": "officer", "capacity": "1"},
    ),
    ("staff_membership_remove", "bob_membership", "other_membership", "post", {}),
    ("staff_partner_edit", "partner", "other_partner", "get", {}),
    ("staff_partner_edit", "partner", "other_partner", "post", {"name": "Hacked", "kind": "ngo"}),
    (
        "staff_partner_member_add",
        "partner",
        "other_partner",
        "post",
        {"member-email": "charlie@example.org"},
    ),
    ("staff_apikey_revoke", "key", "other_key", "post", {}),
]


@pytest.mark.parametrize(("name", "mine", "theirs", "method", "data"), OBJECT_SCREENS)
def test_oscar_never_reaches_montalto_objects(
    persona_client, world, oscar, name, mine, theirs, method, data
):
    client = persona_client(oscar)
    entries_before = AuditEntry.objects.count()
    target = getattr(world, mine).pk
    for slug in ("montalto", "lago-verde"):  # through Montalto's URLs, and by guessing the id
        response = getattr(client, method)(reverse(name, args=[slug, target]), data)
        assert response.status_code == 404, (slug, name)
    assert AuditEntry.objects.count() == entries_before


@pytest.mark.parametrize(("name", "mine", "theirs", "method", "data"), OBJECT_SCREENS)
def test_alice_cannot_act_on_lago_verde_objects(
    persona_client, world, alice, name, mine, theirs, method, data
):
    client = persona_client(alice)
    entries_before = AuditEntry.objects.count()
    target = getattr(world, theirs).pk
    for slug in ("montalto", "lago-verde"):
        response = getattr(client, method)(reverse(name, args=[slug, target]), data)
        assert response.status_code == 404, (slug, name)
    assert AuditEntry.objects.count() == entries_before


@pytest.mark.parametrize(
    "name", ["staff_departments", "staff_people", "staff_partners", "staff_apikeys", "staff_audit"]
)
def test_lists_show_only_their_own_tenant(persona_client, world, oscar, name):
    html = persona_client(oscar).get(reverse(name, args=["lago-verde"])).content.decode()
    for montalto_thing in ("Roads", "Friends of the Park", world.key.prefix, "Bob Officer"):
        assert montalto_thing not in html


def test_membership_department_must_be_of_the_same_administration(persona_client, world, alice):
    url = reverse("staff_membership_edit", args=["montalto", world.bob_membership.pk])
    response = persona_client(alice).post(
        url,
        {"role": "officer", "capacity": "5", "is_active": "on", "department": world.other_dept.pk},
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    world.bob_membership.refresh_from_db()
    assert world.bob_membership.department_id is None


def test_bad_ids_are_404(persona_client, world, alice):
    client = persona_client(alice)
    assert client.get("/staff/montalto/departments/999999/").status_code == 404
    assert client.get("/staff/nowhere/departments/").status_code == 404


# --- settings ---------------------------------------------------------------------------------


def field_errors(html: str, field: str) -> str:
    """The text of the error list Django renders for `field` (id="id_<field>_error")."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def post_settings(client: Client, **overrides) -> object:
    data = dict(settings_data())
    data.update(overrides)
    return client.post(reverse("staff_settings", args=["montalto"]), data)


def test_settings_saves_fields_and_holidays(persona_client, world, alice):
    square = '{"type": "Polygon", "coordinates": [[[11,43],[11.1,43],[11.1,43.1],[11,43]]]}'
    response = post_settings(
        persona_client(alice),
        boundary=square,
        holidays="2025-12-25 Christmas\n\n2025-08-15 Ferragosto\n",
    )
    assert response.status_code == 302
    admin = Administration.objects.get(slug="montalto")
    assert admin.name == "Comune di Montalto Alto"
    assert admin.primary_colour == "#112233"
    assert admin.feature_flags == {"ideas": True}
    assert admin.boundary["type"] == "Polygon"
    assert [(h.date, h.name) for h in Holiday.objects.filter(administration=admin)] == [
        (date(2025, 8, 15), "Ferragosto"),
        (date(2025, 12, 25), "Christmas"),
    ]
    actions_logged = set(
        AuditEntry.objects.filter(administration=admin).values_list("action", flat=True)
    )
    assert {"administration.update", "administration.holidays"} <= actions_logged
    assert "saved" in [str(m) for m in get_messages(response.wsgi_request)][0]


def test_settings_unchanged_writes_nothing(persona_client, world, alice):
    client = persona_client(alice)
    post_settings(client)
    entries = AuditEntry.objects.count()
    response = post_settings(client)
    assert response.status_code == 302
    assert AuditEntry.objects.count() == entries


def test_settings_form_shows_current_values(persona_client, world, alice):
    actions.set_holidays(None, world.montalto, [(date(2025, 1, 6), "Epiphany")])
    html = persona_client(alice).get(reverse("staff_settings", args=["montalto"])).content.decode()
    assert "2025-01-06 Epiphany" in html
    assert "Polygon" in html  # the boundary from the fixture
    assert "Europe/Rome" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("boundary", "{not json", "not valid JSON"),
        ("boundary", '{"type": "Point", "coordinates": [11, 43]}', "Polygon or MultiPolygon"),
        (
            "boundary",
            '{"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}',
            "crosses itself",
        ),
        ("primary_colour", "blue", "#RRGGBB"),
        ("secondary_colour", "#12345", "#RRGGBB"),
        ("timezone", "Europe/Atlantis", "Unknown time zone"),
        ("feature_flags", "[1, 2]", "must be a JSON object"),
        ("holidays", "2025-12-25 Christmas\n25/12/2025 Natale", "Line 2"),
        ("holidays", "2025-12-25 Christmas\n\n2025-12-25 Natale", "Line 3"),
        ("holidays", "2025-12-25", "Line 1"),
        ("ipa_code", "bad code!", "Letters, digits"),
    ],
)
def test_settings_bad_input(persona_client, world, alice, field, value, message):
    before = Administration.objects.get(slug="montalto")
    entries = AuditEntry.objects.count()
    response = post_settings(persona_client(alice), **{field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in field_errors(html, field)
    assert 'role="alert"' in html
    assert "Comune di Montalto Alto" in html  # the other input is kept
    assert AuditEntry.objects.count() == entries
    after = Administration.objects.get(slug="montalto")
    assert (after.name, after.timezone, after.boundary) == (
        before.name,
        before.timezone,
        before.boundary,
    )
    assert not Holiday.objects.filter(administration=after).exists()


# --- departments ------------------------------------------------------------------------------


def test_department_create_and_edit(persona_client, world, alice):
    client = persona_client(alice)
    response = client.post(
        reverse("staff_department_create", args=["montalto"]),
        {"name": "Parks", "code": "parks", "email": "parks@montalto.example"},
    )
    assert response.status_code == 302
    parks = Department.objects.get(administration=world.montalto, code="parks")
    response = client.post(
        reverse("staff_department_edit", args=["montalto", parks.pk]),
        {"name": "Parks and gardens", "code": "parks"},
    )
    assert response.status_code == 302
    parks.refresh_from_db()
    assert parks.name == "Parks and gardens"
    entry = AuditEntry.objects.filter(action="department.update").latest("seq")
    assert entry.before["name"] == "Parks" and entry.after["name"] == "Parks and gardens"
    listing = client.get(reverse("staff_departments", args=["montalto"])).content.decode()
    assert "Parks and gardens" in listing and "<caption>" in listing


def test_duplicate_department_code(persona_client, world, alice):
    client = persona_client(alice)
    response = client.post(
        reverse("staff_department_create", args=["montalto"]),
        {"name": "Roads again", "code": "roads"},
    )
    assert response.status_code == 200
    assert b"already uses this code" in response.content
    assert b'value="Roads again"' in response.content
    assert Department.objects.filter(administration=world.montalto).count() == 1
    parks = actions.create_department(None, world.montalto, name="Parks", code="parks")
    response = client.post(
        reverse("staff_department_edit", args=["montalto", parks.pk]),
        {"name": "Parks", "code": "roads"},
    )
    assert response.status_code == 200
    assert b"already uses this code" in response.content
    # The same code in another administration is fine.
    response = client.post(
        reverse("staff_department_create", args=["montalto"]),
        {"name": "Lake office", "code": "lake"},
    )
    assert response.status_code == 302


# --- people -----------------------------------------------------------------------------------


def test_people_list_and_edit(persona_client, world, alice):
    client = persona_client(alice)
    html = client.get(reverse("staff_people", args=["montalto"])).content.decode()
    assert "Bob Officer" in html and "Carla Manager" in html and "Oscar" not in html
    assert reverse("invitation_create", args=["montalto"]) in html
    url = reverse("staff_membership_edit", args=["montalto", world.bob_membership.pk])
    response = client.post(
        url,
        {
            "role": "supervisor",
            "department": world.dept.pk,
            "capacity": "12",
            "job_title": "Road inspector",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    m = Membership.objects.get(pk=world.bob_membership.pk)
    assert (m.role, m.department_id, m.capacity, m.job_title, m.is_active) == (
        "supervisor",
        world.dept.pk,
        12,
        "Road inspector",
        True,
    )


def test_people_edit_bad_capacity_keeps_input(persona_client, world, alice):
    url = reverse("staff_membership_edit", args=["montalto", world.bob_membership.pk])
    response = persona_client(alice).post(
        url, {"role": "officer", "capacity": "-3", "job_title": "Clerk"}
    )
    assert response.status_code == 200
    assert b'value="Clerk"' in response.content
    assert b'aria-invalid="true"' in response.content


def test_remove_membership(persona_client, world, alice):
    url = reverse("staff_membership_remove", args=["montalto", world.dario_membership.pk])
    assert persona_client(alice).get(url).status_code == 405
    response = persona_client(alice).post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=world.dario_membership.pk).exists()


def test_last_administrator_cannot_be_removed_or_demoted(persona_client, world, alice):
    client = persona_client(alice)
    mine = Membership.objects.get(user=alice, administration=world.montalto)
    response = client.post(reverse("staff_membership_remove", args=["montalto", mine.pk]))
    assert response.status_code == 302
    assert Membership.objects.filter(pk=mine.pk).exists()
    assert "last" in str(list(get_messages(response.wsgi_request))[0])
    edit = reverse("staff_membership_edit", args=["montalto", mine.pk])
    for data in (
        {"role": "officer", "capacity": "20", "is_active": "on"},
        {"role": "administrator", "capacity": "20"},
    ):
        response = client.post(edit, data)
        assert response.status_code == 200
        assert b"last active administrator" in response.content
    mine.refresh_from_db()
    assert (mine.role, mine.is_active) == ("administrator", True)


def test_an_administrator_can_step_down_when_another_exists(persona_client, world, alice):
    second = make_user("zoe@montalto.example", "Zoe Admin")
    actions.add_membership(None, world.montalto, second, role=Role.ADMINISTRATOR)
    mine = Membership.objects.get(user=alice, administration=world.montalto)
    response = persona_client(alice).post(
        reverse("staff_membership_remove", args=["montalto", mine.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_home")
    assert not Membership.objects.filter(pk=mine.pk).exists()


# --- partners ---------------------------------------------------------------------------------


def test_partner_create_edit_and_members(persona_client, world, alice, charlie):
    client = persona_client(alice)
    response = client.post(
        reverse("staff_partner_create", args=["montalto"]),
        {"name": "Green Bikes", "kind": "association", "website": "https://bikes.example"},
    )
    org = PartnerOrganisation.objects.get(administration=world.montalto, name="Green Bikes")
    assert response["Location"] == reverse("staff_partner_edit", args=["montalto", org.pk])
    add = reverse("staff_partner_member_add", args=["montalto", org.pk])
    response = client.post(
        add, {"member-email": "Charlie@Example.org", "member-is_representative": "on"}
    )
    assert response.status_code == 302
    assert PartnerMember.objects.get(organisation=org, user=charlie).is_representative
    html = client.get(reverse("staff_partner_edit", args=["montalto", org.pk])).content.decode()
    assert "Charlie Citizen" in html
    response = client.post(add, {"member-email": "charlie@example.org"})
    assert response.status_code == 200
    assert b"already a member" in response.content


def test_partner_member_unknown_email(persona_client, world, alice):
    add = reverse("staff_partner_member_add", args=["montalto", world.partner.pk])
    response = persona_client(alice).post(add, {"member-email": "nobody@example.org"})
    assert response.status_code == 200
    assert b"No account uses this e-mail address" in response.content
    assert b'value="nobody@example.org"' in response.content
    assert not PartnerMember.objects.exists()


def test_duplicate_partner_name(persona_client, world, alice):
    response = persona_client(alice).post(
        reverse("staff_partner_create", args=["montalto"]),
        {"name": "friends of the park", "kind": "ngo"},
    )
    assert response.status_code == 200
    assert b"already has this name" in response.content


# --- API keys ---------------------------------------------------------------------------------


def test_apikey_shown_once_and_stored_hashed(persona_client, world, alice):
    from django.db import connection

    client = persona_client(alice)
    response = client.post(
        reverse("staff_apikey_create", args=["montalto"]),
        {"name": "Harvester", "scopes": ["opendata:read", "cases:read"]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    key = ApiKey.objects.get(name="Harvester")
    raw = response.context["raw_key"]
    assert raw in response.content.decode()
    assert key.key_hash == ApiKey.hash_secret(raw)
    assert key.scopes == ["cases:read", "opendata:read"]
    assert raw[4:12] == key.prefix
    # Never again: not on the list, not on the form, nowhere in the database.
    for url in (
        reverse("staff_apikeys", args=["montalto"]),
        reverse("staff_apikey_create", args=["montalto"]),
    ):
        assert raw not in client.get(url).content.decode()
    secret_part = raw[12:]
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cur.fetchall():
                assert secret_part not in repr(row), f"raw key found in {table}"


def test_apikey_last_used_and_revocation(persona_client, world, alice):
    client = persona_client(alice)
    response = client.post(
        reverse("staff_apikey_create", args=["montalto"]),
        {"name": "Mobile", "scopes": ["cases:write"]},
    )
    raw = response.context["raw_key"]
    key = ApiKey.objects.get(name="Mobile")
    assert key.last_used_at is None
    assert actions.authenticate_api_key(raw).pk == key.pk
    key.refresh_from_db()
    assert key.last_used_at is not None
    revoke = reverse("staff_apikey_revoke", args=["montalto", key.pk])
    assert client.get(revoke).status_code == 405
    first = client.post(revoke)
    second = client.post(revoke)
    assert first.status_code == second.status_code == 302
    assert "already revoked" in str(list(get_messages(second.wsgi_request))[-1])
    assert AuditEntry.objects.filter(action="apikey.revoke", object_id=str(key.pk)).count() == 1
    assert actions.authenticate_api_key(raw) is None
    html = client.get(reverse("staff_apikeys", args=["montalto"])).content.decode()
    assert "Revoked" in html


def test_apikey_form_errors(persona_client, world, alice):
    response = persona_client(alice).post(
        reverse("staff_apikey_create", args=["montalto"]), {"name": "No scopes"}
    )
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b'value="No scopes"' in response.content
    assert not ApiKey.objects.filter(name="No scopes").exists()
    response = persona_client(alice).post(
        reverse("staff_apikey_create", args=["montalto"]), {"name": "Bad", "scopes": ["root:all"]}
    )
    assert response.status_code == 200
    assert not ApiKey.objects.filter(name="Bad").exists()


# --- markup -----------------------------------------------------------------------------------


@pytest.mark.parametrize("screen", GET_SCREENS, ids=lambda s: s.name)
def test_pages_are_accessible_in_shape(persona_client, world, alice, screen):
    html = persona_client(alice).get(url_of(screen, world)).content.decode()
    assert html.count("<h1") == 1
    assert 'class="breadcrumb"' in html
    assert "<script>" not in html and "style=" not in html
    if "<table" in html:
        assert "<caption>" in html and 'scope="col"' in html


# --- no N+1 on list pages -----------------------------------------------------------------------


def add_rows(world: World, n: int, start: int) -> None:
    """n more departments, people, partners (with a member), keys and audit entries in Montalto."""
    for i in range(start, start + n):
        dept = actions.create_department(None, world.montalto, name=f"D{i}", code=f"d{i}")
        person = make_user(f"p{i}@montalto.example", f"Person {i}")
        actions.add_membership(None, world.montalto, person, role=Role.OFFICER, department=dept)
        org = actions.create_partner(None, world.montalto, name=f"Org {i}")
        actions.add_partner_member(None, org, person)
        actions.create_api_key(None, world.montalto, name=f"K{i}", scopes=["services:read"])


@pytest.mark.parametrize(
    "name",
    ["staff_departments", "staff_people", "staff_partners", "staff_apikeys", "staff_audit"],
)
def test_list_pages_query_count_does_not_grow(persona_client, world, alice, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = persona_client(alice)
    url = reverse(name, args=["montalto"])
    add_rows(world, 2, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_rows(world, 6, 2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
