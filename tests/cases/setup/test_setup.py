"""Setup screens: reply templates and routing rules (permissions, bad input, audit, routing)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import ResponseTemplate, RoutingRule
from insieme.cases.setup import actions as actions_setup
from insieme.core import actions as core_actions
from insieme.core.models import AuditEntry
from tests.cases.conftest import INSIDE_MONTALTO
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

NEAR = {
    "type": "Polygon",
    "coordinates": [[[11.1, 43.1], [11.15, 43.1], [11.15, 43.15], [11.1, 43.15], [11.1, 43.1]]],
}


def client_for(user) -> Client:
    return sign_in(Client(), user)


MATRIX = {
    "staff_replies": {"dario": 200, "carla": 200, "rita": 200, "alice": 403, "bob": 403},
    "staff_routing": {"alice": 200, "carla": 200, "rita": 200, "dario": 403, "bob": 403},
}


@pytest.mark.parametrize("name", ["staff_replies", "staff_routing"])
@pytest.mark.parametrize(
    "persona", ["alice", "bob", "carla", "dario", "elena", "rita", "oscar", "charlie"]
)
def test_permission_matrix(request, cat, name, persona):
    user = request.getfixturevalue(persona)
    expected = MATRIX[name].get(persona, 404 if persona in ("oscar", "charlie") else 403)
    client = client_for(user)
    assert client.get(reverse(name, args=["montalto"])).status_code == expected
    create = name.replace("replies", "reply_create").replace("routing", "rule_create")
    assert client.get(reverse(create, args=["montalto"])).status_code == expected


def test_placeholders_match_the_template_context(filed_case):
    assert set(actions_setup.PLACEHOLDERS) == set(handling_actions.template_context(filed_case))


def test_create_edit_delete_a_reply_template(cat, dario):
    client = client_for(dario)
    url = reverse("staff_reply_create", args=["montalto"])
    page = client.get(url).content.decode()
    for placeholder in actions_setup.PLACEHOLDERS:
        assert f"{{{placeholder}}}" in page
    response = client.post(
        url,
        {
            "name": "Thanks",
            "service": cat.pothole.pk,
            "body": "Dear {name}, {reference} is in hand ({due_date}).",
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    template = ResponseTemplate.objects.get()
    assert (template.service, template.status) == (cat.pothole, "in_progress")
    assert AuditEntry.objects.filter(action="response_template.create").exists()
    edit = reverse("staff_reply_edit", args=["montalto", template.pk])
    response = client.post(
        edit, {"name": "Thanks", "service": "", "body": "Hello {name}", "status": ""}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.service is None and template.body == "Hello {name}"
    assert (
        client.post(reverse("staff_reply_delete", args=["montalto", template.pk])).status_code
        == 302
    )
    assert not ResponseTemplate.objects.exists()
    assert AuditEntry.objects.filter(action="response_template.delete").exists()


def test_unknown_placeholder_is_refused(cat, dario):
    response = client_for(dario).post(
        reverse("staff_reply_create", args=["montalto"]),
        {"name": "Bad", "service": "", "body": "Dear {nome}, {reference}", "status": ""},
    )
    assert response.status_code == 400
    assert "Unknown placeholder: {nome}" in response.content.decode()
    assert not ResponseTemplate.objects.exists()
    with pytest.raises(ValidationError) as exc:
        actions_setup.save_response_template(
            dario, cat.pothole.administration, service=None, name="x", body="{nope}"
        )
    assert "body" in exc.value.message_dict


def test_reply_template_bad_input(cat, dario, lagoverde):
    client = client_for(dario)
    url = reverse("staff_reply_create", args=["montalto"])
    assert client.post(url, {"name": "", "body": ""}).status_code == 400
    # a service of another administration is not a choice
    response = client.post(url, {"name": "x", "service": cat.lv_service.pk, "body": "Hi"})
    assert response.status_code == 400
    client.post(url, {"name": "Same", "service": "", "body": "Hi"})
    response = client.post(url, {"name": "Same", "service": "", "body": "Hi again"})
    assert response.status_code == 400
    assert ResponseTemplate.objects.count() == 1
    with pytest.raises(PermissionDenied):
        actions_setup.save_response_template(dario, lagoverde, service=None, name="x", body="Hello")


def test_another_administrations_template_is_not_found(cat, dario, lagoverde):
    # test setup: the other tenant's row, written directly
    template = ResponseTemplate.objects.create(administration=lagoverde, name="LV", body="Hello")
    client = client_for(dario)
    assert (
        client.get(reverse("staff_reply_edit", args=["montalto", template.pk])).status_code == 404
    )
    assert (
        client.post(reverse("staff_reply_delete", args=["montalto", template.pk])).status_code
        == 404
    )
    assert ResponseTemplate.objects.filter(pk=template.pk).exists()


def test_create_a_routing_rule_and_it_routes(cat, carla, montalto, charlie):
    lake = core_actions.create_department(None, montalto, name="Lake office", code="lake")
    client = client_for(carla)
    response = client.post(
        reverse("staff_rule_create", args=["montalto"]),
        {
            "service": cat.pothole.pk,
            "name": "Centre",
            "area": json.dumps(NEAR),
            "department": lake.pk,
            "priority": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = RoutingRule.objects.get()
    assert rule.area == NEAR and rule.department == lake and rule.priority == 10
    assert AuditEntry.objects.filter(action="routing_rule.create").exists()
    case, _c = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole, answers={"size": "small"}, description="x", **INSIDE_MONTALTO
        ),
    )
    assert case.department == lake
    edit = client.get(reverse("staff_rule_edit", args=["montalto", rule.pk]))
    assert edit.status_code == 200 and "Centre" in edit.content.decode()
    assert client.post(reverse("staff_rule_delete", args=["montalto", rule.pk])).status_code == 302
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize(
    "area,message",
    [
        ("not json", "Not valid JSON"),
        ('{"type": "Point", "coordinates": [11, 43]}', "Polygon or MultiPolygon"),
        (
            '{"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}',
            "crosses itself",
        ),
        ("", "required"),
    ],
)
def test_routing_rule_bad_area(cat, carla, area, message):
    response = client_for(carla).post(
        reverse("staff_rule_create", args=["montalto"]),
        {
            "service": cat.pothole.pk,
            "name": "Centre",
            "area": area,
            "department": cat.department.pk,
            "priority": "10",
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_routing_rule_other_administrations_department_refused(cat, carla, montalto):
    response = client_for(carla).post(
        reverse("staff_rule_create", args=["montalto"]),
        {
            "service": cat.pothole.pk,
            "name": "Centre",
            "area": json.dumps(NEAR),
            "department": cat.lv_department.pk,
            "priority": "-3",
        },
    )
    assert response.status_code == 400
    assert not RoutingRule.objects.exists()
    with pytest.raises(ValidationError) as exc:
        actions_setup.save_routing_rule(
            carla,
            montalto,
            service=cat.lv_service,
            name="x",
            area=NEAR,
            department=cat.lv_department,
        )
    assert {"service", "department"} <= set(exc.value.message_dict)
