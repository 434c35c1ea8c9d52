"""The staff screens at the level people use them: request in, page and database state out."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insieme.catalog import actions
from insieme.catalog.models import Attribute, Provision, Regulation, Service, ServiceTemplate
from insieme.core.models import AuditEntry

from .conftest import SERVICE_FIELDS, counts, service_post_data


def _url(name: str, *args) -> str:
    return reverse(name, args=["montalto", *args])


@pytest.fixture
def carla_client(carla, persona_client):
    return persona_client(carla)


# --- creating services ---------------------------------------------------------------------------


def test_create_from_a_template_records_the_local_variation(cat, carla_client):
    template = cat.region_template
    page = carla_client.get(_url("catalog_service_create") + f"?template={template.pk}")
    assert page.status_code == 200
    assert 'value="Pothole"' in page.content.decode()
    data = service_post_data(
        **{
            "template": str(template.pk),
            "code": "pothole-2",
            "name": "Buche stradali",
            "group": "Roads",
            "keywords": SERVICE_FIELDS["keywords"],
            "description": template.description,
            "channels": ["web", "phone"],
            "minutes_web": "12",
            "minutes_phone": "17",
            "sla_resolve_days": "20",
            "sla_acknowledge_days": "2",
        }
    )
    audit_before = AuditEntry.objects.count()
    response = carla_client.post(_url("catalog_service_create"), data)
    service = Service.objects.get(administration__slug="montalto", code="pothole-2")
    assert response.status_code == 302
    assert response["Location"] == _url("catalog_service_detail", service.pk)
    assert service.template == template
    assert sorted(service.overridden_fields) == ["name", "sla_resolve_days"]
    assert [a.code for a in service.attributes.all()] == ["size", "depth", "notes", "safety"]
    created = AuditEntry.objects.filter(seq__gt=audit_before, action="service.create")
    assert list(created.values_list("object_id", flat=True)) == [str(service.pk)]
    detail = carla_client.get(response["Location"]).content.decode()
    assert "Deviation from the template" in detail
    assert "Buche stradali" in detail and "Days to resolve" in detail


def test_create_from_scratch(cat, carla_client):
    response = carla_client.get(_url("catalog_service_create") + "?scratch=1")
    assert response.status_code == 200
    data = service_post_data(code="graffiti", name="Graffiti", department=str(cat.department.pk))
    response = carla_client.post(_url("catalog_service_create"), data)
    assert response.status_code == 302
    service = Service.objects.get(code="graffiti")
    assert service.template is None and service.overridden_fields == []
    assert service.department == cat.department
    assert service.staff_minutes == {"web": 5}
    assert service.status == Service.Status.DRAFT
    assert AuditEntry.objects.filter(action="service.create", object_id=str(service.pk)).exists()


def test_the_chooser_lists_only_templates_offered_here(cat, carla_client):
    body = carla_client.get(_url("catalog_service_create")).content.decode()
    assert "Pothole" in body and "Montalto noise" in body
    assert "Lago Verde boats" not in body and "Regional grant" not in body


# --- editing, with optimistic concurrency --------------------------------------------------------


def test_edit_saves_and_records_deviation(cat, carla_client):
    data = service_post_data(cat.pothole, name="Buche", channels=["web"], minutes_phone="")
    response = carla_client.post(_url("catalog_service_edit", cat.pothole.pk), data)
    assert response.status_code == 302
    cat.pothole.refresh_from_db()
    assert cat.pothole.name == "Buche"
    assert cat.pothole.channels == ["web"]
    assert cat.pothole.staff_minutes == {"web": 12}
    assert set(cat.pothole.overridden_fields) == {"name", "channels", "staff_minutes"}
    entry = AuditEntry.objects.filter(action="service.update").latest("seq")
    assert entry.before["name"] == "Pothole" and entry.after["name"] == "Buche"


def test_a_concurrent_edit_is_not_overwritten(cat, carla, rita, persona_client):
    carla_client, rita_client = persona_client(carla), persona_client(rita)
    url = _url("catalog_service_edit", cat.pothole.pk)
    loaded = service_post_data(cat.pothole)  # both open the form at the same version
    assert rita_client.post(url, {**loaded, "name": "Rita's name"}).status_code == 302
    response = carla_client.post(url, {**loaded, "name": "Carla's name"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this service while you were editing it" in body
    assert body.split("Saved values now differ from yours in:")[1].startswith(" name.")
    cat.pothole.refresh_from_db()
    assert cat.pothole.name == "Rita's name"
    version = re.search(r'name="version" value="(\d+)"', body).group(1)
    assert int(version) == cat.pothole.version
    again = carla_client.post(url, {**loaded, "name": "Carla's name", "version": version})
    assert again.status_code == 302
    cat.pothole.refresh_from_db()
    assert cat.pothole.name == "Carla's name"


# --- questions -----------------------------------------------------------------------------------


def test_add_edit_and_delete_a_question(cat, carla_client):
    service = cat.pothole
    page = carla_client.get(_url("catalog_attribute_create", service.pk)).content.decode()
    assert 'name="order" value="50"' in page  # the next free position
    data = {
        "label": "Which lane?",
        "code": "lane",
        "datatype": "singlevaluelist",
        "help_text": "",
        "required": "on",
        "variable": "on",
        "order": "50",
        "values": "left | Left lane\n\nright | Right lane\n",
    }
    response = carla_client.post(_url("catalog_attribute_create", service.pk), data)
    assert response.status_code == 302
    lane = service.attributes.get(code="lane")
    assert lane.values == [
        {"key": "left", "name": "Left lane"},
        {"key": "right", "name": "Right lane"},
    ]
    service.refresh_from_db()
    assert "form:+lane" in service.overridden_fields

    edit_url = _url("catalog_attribute_edit", service.pk, lane.pk)
    assert "left | Left lane" in carla_client.get(edit_url).content.decode()
    data["values"] = "left | Left\nright | Right\nmiddle | Middle"
    assert carla_client.post(edit_url, data).status_code == 302
    lane.refresh_from_db()
    assert [v["key"] for v in lane.values] == ["left", "right", "middle"]

    delete_url = _url("catalog_attribute_delete", service.pk, lane.pk)
    assert "Which lane?" in carla_client.get(delete_url).content.decode()
    assert carla_client.post(delete_url).status_code == 302
    assert not Attribute.objects.filter(pk=lane.pk).exists()
    service.refresh_from_db()
    assert "form:+lane" not in service.overridden_fields


def test_removing_a_template_question_is_a_deviation(cat, carla_client):
    notes = cat.pothole.attributes.get(code="notes")
    carla_client.post(_url("catalog_attribute_delete", cat.pothole.pk, notes.pk))
    cat.pothole.refresh_from_db()
    assert cat.pothole.overridden_fields == ["form:-notes"]
    body = carla_client.get(_url("catalog_service_detail", cat.pothole.pk)).content.decode()
    assert "Question removed: notes" in body


# --- preview -------------------------------------------------------------------------------------


def test_preview_renders_every_question_as_citizens_see_it(cat, carla_client):
    body = carla_client.get(_url("catalog_service_preview", cat.pothole.pk)).content.decode()
    assert body.count("<h1>") == 1
    for attribute in cat.pothole.attributes.all():
        assert attribute.label in body
    assert 'type="radio" name="attr_size" value="small"' in body
    assert 'name="attr_depth"' in body and 'inputmode="decimal"' in body
    assert "<textarea" in body
    assert 'name="attr_safety"' not in body  # information only: shown, not asked
    assert "Good to know" in body


def test_preview_checks_answers_without_saving(cat, carla_client):
    url = _url("catalog_service_preview", cat.pothole.pk)
    before = counts()
    body = carla_client.post(url, {"attr_depth": "deep"}).content.decode()
    assert 'role="alert"' in body and "This field is required" in body
    assert "Enter a number" in body
    body = carla_client.post(url, {"attr_size": "large", "attr_depth": "12.5"}).content.decode()
    assert "These answers are valid" in body
    carla_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    italian = carla_client.post(url, {"attr_size": "large", "attr_depth": "12,5"})
    assert 'lang="it"' in italian.content.decode()
    assert 'role="alert"' not in italian.content.decode()  # "12,5" is a number in Italian
    assert counts() == before


def test_preview_is_readable_by_an_officer(cat, bob, persona_client):
    response = persona_client(bob).get(_url("catalog_service_preview", cat.pothole.pk))
    assert response.status_code == 200


# --- traces --------------------------------------------------------------------------------------


def test_traces_page_marks_untraced_fields_in_words(cat, carla_client):
    body = carla_client.get(_url("catalog_service_traces", cat.pothole.pk)).content.decode()
    assert body.count("Not traced: no provision or policy need recorded") == 1  # notes
    assert "1 question is not traced" in body
    assert "Information only" in body  # safety asks nothing
    assert "L.R. 12/2019 art. 5" in body and "Expired" in body
    assert "Overdue for review" in body


def test_add_and_remove_traces(cat, carla_client):
    url = _url("catalog_service_traces", cat.pothole.pk)
    notes = cat.pothole.attributes.get(code="notes")
    response = carla_client.post(
        url,
        {
            "attribute": str(notes.pk),
            "provision": "",
            "policy_need": "Crews need context before going out",
        },
    )
    assert response.status_code == 302
    trace = notes.traces.get()
    assert trace.policy_need == "Crews need context before going out"
    response = carla_client.post(
        url, {"attribute": "", "provision": str(cat.region_provision.pk), "policy_need": ""}
    )
    assert response.status_code == 302  # a host's provision is allowed
    body = carla_client.get(url).content.decode()
    assert "0 questions are not traced" in body
    delete = _url("catalog_trace_delete", cat.pothole.pk, trace.pk)
    assert carla_client.post(delete).status_code == 302
    assert not notes.traces.exists()
    assert carla_client.get(delete).status_code == 405


# --- skilled staff -------------------------------------------------------------------------------


def test_set_skilled_staff(cat, carla, bob, carla_client):
    bob_membership = bob.memberships.get()
    url = _url("catalog_service_skilled", cat.pothole.pk)
    assert "Bob Officer" in carla_client.get(url).content.decode()
    assert carla_client.post(url, {"skilled": [str(bob_membership.pk)]}).status_code == 302
    assert list(cat.pothole.skilled.all()) == [bob_membership]
    detail = carla_client.get(_url("catalog_service_detail", cat.pothole.pk)).content.decode()
    assert "Bob Officer" in detail
    assert carla_client.post(url, {}).status_code == 302
    assert not cat.pothole.skilled.exists()


# --- templates -----------------------------------------------------------------------------------


def test_templates_list_own_and_shared(cat, carla_client):
    body = carla_client.get(_url("catalog_templates")).content.decode()
    assert "Montalto noise" in body and "Pothole" in body
    assert "Lago Verde boats" not in body and "Regional grant" not in body


def test_create_and_edit_a_template_and_its_questions(cat, carla_client):
    data = service_post_data(code="bins", name="Bins", shared="on")
    response = carla_client.post(_url("catalog_template_create"), data)
    assert response.status_code == 302
    template = ServiceTemplate.objects.get(code="bins", owner__slug="montalto")
    response = carla_client.post(
        _url("catalog_template_attribute_create", template.pk),
        {
            "label": "Which bin?",
            "code": "bin",
            "datatype": "multivaluelist",
            "order": "10",
            "values": "paper | Paper\nglass | Glass",
            "variable": "on",
        },
    )
    assert response.status_code == 302
    attribute = template.attributes.get()
    assert attribute.datatype == "multivaluelist"
    response = carla_client.post(
        _url("catalog_template_edit", template.pk),
        service_post_data(code="bins", name="Bins and more"),
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Bins and more" and template.shared is False
    url = _url("catalog_template_attribute_delete", template.pk, attribute.pk)
    assert carla_client.post(url).status_code == 302
    assert not template.attributes.exists()


def test_a_template_change_updates_the_deviation_of_services(cat, rita, persona_client):
    client = persona_client(rita)
    url = reverse("catalog_template_edit", args=["valdoro", cat.region_template.pk])
    data = service_post_data(cat.region_template, name="Road hole")
    assert client.post(url, data).status_code == 302
    cat.pothole.refresh_from_db()
    assert cat.pothole.overridden_fields == ["name"]


def test_a_hosts_template_is_read_only_here(cat, carla_client):
    url = _url("catalog_template_detail", cat.region_template.pk)
    body = carla_client.get(url).content.decode()
    assert "Pothole" in body and "Edit template" not in body
    assert (
        carla_client.get(_url("catalog_template_edit", cat.region_template.pk)).status_code == 404
    )


# --- regulations ---------------------------------------------------------------------------------


def test_register_shows_own_and_hosts_registers(cat, carla_client):
    body = carla_client.get(_url("catalog_regulations")).content.decode()
    assert "Reg. 1/2020" in body and "L.R. 12/2019" in body
    assert "read only, from a host administration" in body
    assert "LV 1/2021" not in body


def test_create_and_edit_regulations_and_provisions(cat, carla_client):
    response = carla_client.post(
        _url("catalog_regulation_create"),
        {
            "kind": "local",
            "reference": "Reg. 3/2024",
            "title": "Waste",
            "issuer": "Council",
            "url": "https://example.org/r3",
            "in_force_from": "2024-01-01",
            "in_force_until": "",
            "review_due": "2030-01-01",
            "superseded_by": "",
        },
    )
    assert response.status_code == 302
    regulation = Regulation.objects.get(reference="Reg. 3/2024")
    response = carla_client.post(
        _url("catalog_provision_create", regulation.pk),
        {
            "article": "art. 2",
            "title": "Bins",
            "summary": "",
            "url": "",
            "in_force_from": "",
            "in_force_until": "",
            "review_due": "",
            "superseded_by": "",
        },
    )
    assert response.status_code == 302
    provision = regulation.provisions.get()
    response = carla_client.post(
        _url("catalog_provision_edit", regulation.pk, provision.pk),
        {
            "article": "art. 2",
            "title": "Bins and sacks",
            "summary": "",
            "url": "",
            "in_force_from": "",
            "in_force_until": "",
            "review_due": "",
            "superseded_by": str(cat.provision.pk),
        },
    )
    assert response.status_code == 302
    provision.refresh_from_db()
    assert provision.title == "Bins and sacks" and provision.superseded_by == cat.provision
    response = carla_client.post(
        _url("catalog_regulation_edit", regulation.pk),
        {
            "kind": "local",
            "reference": "Reg. 3/2024",
            "title": "Waste rules",
            "issuer": "",
            "url": "",
            "in_force_from": "",
            "in_force_until": "",
            "review_due": "",
            "superseded_by": str(cat.region_regulation.pk),
        },
    )
    assert response.status_code == 302
    regulation.refresh_from_db()
    assert regulation.superseded_by == cat.region_regulation
    assert {
        "regulation.create",
        "provision.create",
        "provision.update",
        "regulation.update",
    } <= set(AuditEntry.objects.values_list("action", flat=True))


def test_host_regulation_detail_shows_only_this_administrations_services(cat, carla_client):
    body = carla_client.get(
        _url("catalog_regulation_detail", cat.region_regulation.pk)
    ).content.decode()
    assert "Pothole" in body
    assert "Boat mooring permit" not in body
    assert "shown read only" in body
    assert (
        carla_client.get(_url("catalog_regulation_edit", cat.region_regulation.pk)).status_code
        == 404
    )
    assert (
        carla_client.get(_url("catalog_provision_create", cat.region_regulation.pk)).status_code
        == 404
    )


# --- legal basis report --------------------------------------------------------------------------


def test_legal_basis_lists_expired_and_overdue_with_days(cat, carla_client):
    body = carla_client.get(_url("catalog_legal_basis")).content.decode()
    assert "1 of 2 services rests on a provision" in body
    assert "L.R. 12/2019 art. 5" in body and "Expired" in body
    assert "Reg. 1/2020 art. 2" in body and "Overdue for review" in body
    assert "Reg. 1/2020 art. 1" not in body  # in force
    expired = cat.region_provision
    from insieme.core.models import today_in

    days = (today_in(cat.pothole.administration) - expired.in_force_until).days
    assert f"<td>{days}</td>" in body
    assert body.index("art. 5") < body.index("art. 2")  # most severe first


def test_legal_basis_counts_a_superseded_provision(cat, carla_client):
    newer = actions.create_provision(None, cat.regulation, article="art. 1-bis", title="New")
    actions.update_provision(None, cat.provision, superseded_by=newer)
    body = carla_client.get(_url("catalog_legal_basis")).content.decode()
    assert "Superseded" in body and "The service as a whole" in body


# --- the service list ----------------------------------------------------------------------------


def test_service_list_filters(cat, carla_client):
    url = _url("catalog_staff_services")
    body = carla_client.get(url).content.decode()
    assert "Pothole" in body and "Certificato di residenza" in body
    assert "Template: Pothole" in body and "Local" in body
    assert "2 of 3 (67%)" in body and "Expired" in body
    for query, shown, hidden in [
        ("?q=CITTA", "Certificato", "Pothole"),
        ("?q=buche", "Pothole", "Certificato"),
        ("?status=draft", "Certificato", "Template: Pothole"),
        ("?origin=template", "Template: Pothole", "Certificato"),
        ("?group=Registry", "Certificato", "Template: Pothole"),
    ]:
        body = carla_client.get(url + query).content.decode()
        assert shown in body and hidden not in body, query
    assert carla_client.get(url + "?status=nonsense&page=99").status_code == 200


def test_service_list_query_count_does_not_grow_with_services(cat, carla, carla_client):
    url = _url("catalog_staff_services")
    carla_client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert carla_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(8):
        service = actions.create_service(
            None, cat.pothole.administration, template=cat.region_template, code=f"p{n}"
        )
        actions.add_trace(
            None, service, attribute=service.attributes.first(), provision=cat.overdue_provision
        )
    assert queries() == few


@pytest.mark.parametrize(
    "name", ["catalog_legal_basis", "catalog_regulations", "catalog_templates"]
)
def test_report_pages_query_count_does_not_grow(name, cat, carla_client):
    url = _url(name)
    carla_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        carla_client.get(url)
    few = len(ctx.captured_queries)
    for n in range(5):
        service = actions.create_service(
            None, cat.pothole.administration, template=cat.region_template, code=f"q{n}"
        )
        actions.add_trace(None, service, provision=cat.region_provision)
        regulation = actions.create_regulation(
            None, cat.pothole.administration, reference=f"Reg. {n}/2030", title="More"
        )
        actions.create_provision(None, regulation, article="art. 1")
        actions.create_template(
            None, cat.pothole.administration, code=f"t{n}", name="T", channels=["web"]
        )
    with CaptureQueriesContext(connection) as ctx:
        carla_client.get(url)
    assert len(ctx.captured_queries) == few


def test_each_staff_page_has_one_h1_and_labelled_tables(cat, carla_client):
    pages = [
        _url("catalog_staff_services"),
        _url("catalog_service_detail", cat.pothole.pk),
        _url("catalog_service_edit", cat.pothole.pk),
        _url("catalog_templates"),
        _url("catalog_regulations"),
        _url("catalog_legal_basis"),
        _url("catalog_service_traces", cat.pothole.pk),
        _url("catalog_regulation_detail", cat.regulation.pk),
    ]
    for url in pages:
        body = carla_client.get(url).content.decode()
        assert body.count("<h1") == 1, url
        assert body.count("<table") == body.count("<caption>"), url
        assert "<th>" not in body, url  # every header cell has a scope
        assert 'style="' not in body and "<script>" not in body, url
        assert 'class="breadcrumb"' in body, url


def test_provision_model_keeps_its_status(cat):
    from datetime import date

    assert cat.region_provision.status(date(2024, 1, 1)) == "expired"
    assert cat.overdue_provision.status(date(2024, 1, 1)) == "review_overdue"
    assert cat.provision.status(date(2024, 1, 1)) == "in_force"
    assert Provision.objects.count() == 4
