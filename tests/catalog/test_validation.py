"""Every validation rule of the catalogue answers with a clear message and saves nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.catalog import actions

from .conftest import counts, service_post_data


def _url(name: str, *args) -> str:
    return reverse(name, args=["montalto", *args])


def _refused(response, *fragments: str) -> None:
    """A re-rendered form (200) with an error summary naming each fragment."""
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body
    for fragment in fragments:
        assert fragment in body, fragment


@pytest.fixture
def carla_client(carla, persona_client):
    return persona_client(carla)


# --- services ------------------------------------------------------------------------------------


SERVICE_CASES = {
    "duplicate code": ({"code": "pothole"}, "already has a service with the code pothole"),
    "no channel": ({"channels": [], "minutes_web": ""}, "at least one channel"),
    "acknowledge zero": ({"sla_acknowledge_days": "0"}, "at least one day"),
    "resolve negative": ({"sla_resolve_days": "-3"}, "at least one day"),
    "acknowledge after resolve": (
        {"sla_acknowledge_days": "20", "sla_resolve_days": "5"},
        "Acknowledging cannot take longer than resolving",
    ),
    "sla not a number": ({"sla_resolve_days": "ten"}, "Enter a whole number"),
    "minutes for a channel not offered": ({"minutes_phone": "8"}, "Phone is not offered"),
    "negative minutes": ({"minutes_web": "-1"}, "greater than or equal to 0"),
    "bad code": ({"code": "no spaces here"}, "Use letters, digits"),
    "missing name": ({"name": ""}, "This field is required"),
    "unknown channel": ({"channels": ["web", "pigeon"]}, "Select a valid choice"),
    "department of another tenant": ({"department": "LV"}, "Choose a department of this"),
    "negative hourly cost": ({"hourly_cost": "-5"}, "greater than or equal to 0"),
}


@pytest.mark.parametrize("case", list(SERVICE_CASES))
def test_new_service_errors(case, cat, carla_client):
    overrides, message = SERVICE_CASES[case]
    if overrides.get("department") == "LV":
        overrides = {**overrides, "department": str(cat.lv_department.pk)}
    before = counts()
    response = carla_client.post(_url("catalog_service_create"), service_post_data(**overrides))
    _refused(response, message)
    assert counts() == before


@pytest.mark.parametrize(
    "case",
    [
        "duplicate code",
        "acknowledge after resolve",
        "minutes for a channel not offered",
        "no channel",
    ],
)
def test_service_edit_errors(case, cat, carla_client):
    overrides, message = SERVICE_CASES[case]
    if case == "duplicate code":
        overrides = {"code": "residence"}
        message = "already has a service with the code residence"
    if case == "minutes for a channel not offered":
        overrides = {"channels": ["web"]}  # phone unticked, its 17 minutes still filled in
    data = service_post_data(cat.pothole, **overrides)
    before, version = counts(), cat.pothole.version
    response = carla_client.post(_url("catalog_service_edit", cat.pothole.pk), data)
    _refused(response, message)
    assert counts() == before
    cat.pothole.refresh_from_db()
    assert cat.pothole.version == version


def test_a_template_not_offered_is_refused(cat, carla_client):
    for template in (cat.lv_template, cat.private_region_template):
        before = counts()
        data = service_post_data(template=str(template.pk), code="other")
        response = carla_client.post(_url("catalog_service_create"), data)
        _refused(response, "That template is not offered to this administration")
        assert counts() == before


def test_choosing_a_template_not_offered_shows_the_chooser_with_an_error(cat, carla_client):
    response = carla_client.get(_url("catalog_service_create") + f"?template={cat.lv_template.pk}")
    _refused(response, "That template is not offered to this administration")
    response = carla_client.get(_url("catalog_service_create") + "?template=nonsense")
    _refused(response, "not offered")


def test_the_action_refuses_a_template_not_offered(cat, carla):
    with pytest.raises(actions.ValidationError) as exc:
        actions.create_service(carla, cat.pothole.administration, template=cat.lv_template)
    assert "template" in exc.value.message_dict


def test_a_stale_or_missing_version_is_refused(cat, carla_client):
    data = service_post_data(cat.pothole, name="Changed")
    data.pop("version")
    before = counts()
    response = carla_client.post(_url("catalog_service_edit", cat.pothole.pk), data)
    _refused(response, "This form is out of date")
    assert counts() == before


# --- questions -----------------------------------------------------------------------------------


def _question(**overrides) -> dict:
    data = {
        "label": "Colour of the bin",
        "code": "colour",
        "datatype": "string",
        "help_text": "",
        "required": "on",
        "variable": "on",
        "order": "99",
        "values": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


QUESTION_CASES = {
    "list without values": ({"datatype": "singlevaluelist"}, "needs at least one value"),
    "multi list without values": (
        {"datatype": "multivaluelist", "values": "\n  \n"},
        "needs at least one value",
    ),
    "values on a string": ({"values": "a | A"}, "Only list questions take values"),
    "line without a bar": (
        {"datatype": "singlevaluelist", "values": "a | A\nb B"},
        "Line 2: write the key, a vertical bar and the name",
    ),
    "empty name": (
        {"datatype": "singlevaluelist", "values": "a |"},
        "Line 1: both the key and the name are needed",
    ),
    "duplicate value key": (
        {"datatype": "singlevaluelist", "values": "a | A\na | Again"},
        "Line 2: the key “a” is already used on line 1",
    ),
    "bad value key": ({"datatype": "singlevaluelist", "values": "a b | A"}, "may use only letters"),
    "duplicate code": ({"code": "size"}, "Two questions share the code size"),
    "duplicate order": ({"order": "10"}, "Two questions share the position 10"),
    "bad code": ({"code": "two words"}, "Use letters, digits"),
    "unknown datatype": ({"datatype": "colour"}, "Select a valid choice"),
    "order not a number": ({"order": "first"}, "Enter a whole number"),
}


@pytest.mark.parametrize("case", list(QUESTION_CASES))
def test_new_question_errors(case, cat, carla_client):
    overrides, message = QUESTION_CASES[case]
    before = counts()
    response = carla_client.post(
        _url("catalog_attribute_create", cat.pothole.pk), _question(**overrides)
    )
    _refused(response, message)
    assert counts() == before


def test_editing_a_question_onto_another_code_or_position_is_refused(cat, carla_client):
    depth = cat.pothole.attributes.get(code="depth")
    url = _url("catalog_attribute_edit", cat.pothole.pk, depth.pk)
    for overrides, message in [
        ({"code": "size", "order": "20"}, "share the code size"),
        ({"code": "depth", "order": "10"}, "share the position 10"),
    ]:
        response = carla_client.post(url, _question(datatype="number", **overrides))
        _refused(response, message)
    depth.refresh_from_db()
    assert (depth.code, depth.order) == ("depth", 20)


@pytest.mark.parametrize("case", ["list without values", "duplicate code", "duplicate order"])
def test_template_question_errors(case, cat, carla_client):
    overrides, message = QUESTION_CASES[case]
    if case == "duplicate code":
        overrides, message = {"code": "when"}, "share the code when"
    elif case == "duplicate order":
        overrides, message = {"order": "10"}, "share the position 10"
    before = counts()
    response = carla_client.post(
        _url("catalog_template_attribute_create", cat.montalto_template.pk), _question(**overrides)
    )
    _refused(response, message)
    assert counts() == before


# --- templates -----------------------------------------------------------------------------------


def test_template_errors(cat, carla_client):
    cases = [
        ({"code": "m-tpl"}, "already has a template with the code m-tpl"),
        ({"sla_acknowledge_days": "9", "sla_resolve_days": "3"}, "cannot take longer"),
        ({"minutes_email": "3"}, "E-mail is not offered"),
    ]
    for overrides, message in cases:
        data = service_post_data(**{"code": "tpl-2", **overrides})
        before = counts()
        response = carla_client.post(_url("catalog_template_create"), data)
        _refused(response, message)
        assert counts() == before


# --- regulations and provisions ------------------------------------------------------------------


def _regulation(**overrides) -> dict:
    data = {
        "kind": "local",
        "reference": "Reg. 9/2024",
        "title": "Waste",
        "issuer": "",
        "url": "",
        "in_force_from": "",
        "in_force_until": "",
        "review_due": "",
        "superseded_by": "",
    }
    data.update(overrides)
    return data


REGULATION_CASES = {
    "expires before in force": (
        {"in_force_from": "2024-05-01", "in_force_until": "2024-01-01"},
        "It cannot expire before it comes into force",
    ),
    "duplicate reference": (
        {"reference": "Reg. 1/2020"},
        "already has a regulation with the reference Reg. 1/2020",
    ),
    "superseded by another tenant's": ({"superseded_by": "LV"}, "Choose a regulation of this"),
    "bad date": ({"review_due": "31/02/2024"}, "Enter a valid date"),
    "bad link": ({"url": "not a link at all"}, "Enter a valid URL"),
    "missing title": ({"title": ""}, "This field is required"),
}


@pytest.mark.parametrize("case", list(REGULATION_CASES))
def test_regulation_errors(case, cat, carla_client):
    overrides, message = REGULATION_CASES[case]
    if overrides.get("superseded_by") == "LV":
        overrides = {"superseded_by": str(cat.lv_regulation.pk)}
    before = counts()
    response = carla_client.post(_url("catalog_regulation_create"), _regulation(**overrides))
    _refused(response, message)
    assert counts() == before


def _provision(**overrides) -> dict:
    data = {
        "article": "art. 7",
        "title": "Fees",
        "summary": "",
        "url": "",
        "in_force_from": "",
        "in_force_until": "",
        "review_due": "",
        "superseded_by": "",
    }
    data.update(overrides)
    return data


PROVISION_CASES = {
    "in force after it expires": (
        {"in_force_from": "2023-03-01", "in_force_until": "2022-12-31"},
        "It cannot expire before it comes into force",
    ),
    "duplicate article": ({"article": "art. 1"}, "already has a provision art. 1"),
    "superseded by another tenant's": ({"superseded_by": "LV"}, "Choose a provision of this"),
}


@pytest.mark.parametrize("case", list(PROVISION_CASES))
def test_provision_errors(case, cat, carla_client):
    overrides, message = PROVISION_CASES[case]
    if overrides.get("superseded_by") == "LV":
        overrides = {"superseded_by": str(cat.lv_provision.pk)}
    before = counts()
    response = carla_client.post(
        _url("catalog_provision_create", cat.regulation.pk), _provision(**overrides)
    )
    _refused(response, message)
    assert counts() == before


def test_editing_a_provision_to_expire_before_it_starts_is_refused(cat, carla_client):
    url = _url("catalog_provision_edit", cat.regulation.pk, cat.provision.pk)
    response = carla_client.post(
        url, _provision(article="art. 1", in_force_from="2024-01-02", in_force_until="2024-01-01")
    )
    _refused(response, "It cannot expire before it comes into force")
    cat.provision.refresh_from_db()
    assert cat.provision.in_force_until is None


def test_actions_refuse_cross_tenant_supersession(cat, carla):
    with pytest.raises(actions.ValidationError) as exc:
        actions.update_regulation(carla, cat.regulation, superseded_by=cat.lv_regulation)
    assert "superseded_by" in exc.value.message_dict
    with pytest.raises(actions.ValidationError):
        actions.update_provision(carla, cat.provision, superseded_by=cat.lv_provision)


# --- traces --------------------------------------------------------------------------------------


def test_trace_errors(cat, carla_client):
    url = _url("catalog_service_traces", cat.pothole.pk)
    notes = cat.pothole.attributes.get(code="notes")
    cases = [
        (
            {"attribute": str(notes.pk), "provision": "", "policy_need": "  "},
            "Choose the provision that requires it, or state the policy need",
        ),
        (
            {"attribute": "", "provision": str(cat.lv_provision.pk), "policy_need": ""},
            "not in this administration&#x27;s register",
        ),
        (
            {"attribute": str(cat.lv_attribute.pk), "provision": str(cat.provision.pk)},
            "Choose a field of this service",
        ),
        (
            {"attribute": str(cat.attribute.pk), "provision": str(cat.region_provision.pk)},
            "traced to that provision already",
        ),
    ]
    for data, message in cases:
        before = counts()
        _refused(carla_client.post(url, data), message)
        assert counts() == before


def test_the_trace_action_refuses_another_tenants_provision(cat, carla):
    with pytest.raises(actions.ValidationError) as exc:
        actions.add_trace(carla, cat.pothole, provision=cat.lv_provision)
    assert "provision" in exc.value.message_dict
    with pytest.raises(actions.ValidationError):
        actions.add_trace(carla, cat.pothole, policy_need="")
    with pytest.raises(actions.ValidationError):
        actions.add_trace(carla, cat.pothole, attribute=cat.lv_attribute, policy_need="x")


# --- skilled staff -------------------------------------------------------------------------------


def test_skilled_staff_must_belong_to_the_administration(cat, carla, oscar, carla_client):
    outsider = oscar.memberships.get()
    before = counts()
    response = carla_client.post(
        _url("catalog_service_skilled", cat.pothole.pk), {"skilled": [str(outsider.pk)]}
    )
    _refused(response, "Only active staff of this administration")
    assert counts() == before
    with pytest.raises(actions.ValidationError):
        actions.set_skilled(carla, cat.pothole, [outsider])
