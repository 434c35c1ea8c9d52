"""Service change proposals: drafts from an accepted idea or a service, edited within the
catalogue's rules, previewed side by side, opened for comments, adopted (or refused when the
service changed meanwhile) or withdrawn; who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from insieme.catalog import actions as catalog
from insieme.codesign import actions, snapshots
from insieme.codesign.models import ServiceChange
from insieme.core import audit, events
from insieme.core.models import AuditEntry
from insieme.participation.models import Audience
from tests.codesign.conftest import FIELD
from tests.participation.conftest import make_idea, make_process

STAFF = "/staff/montalto/co-design/"


def url(change, what=""):
    return f"{STAFF}{change.pk}/{what + '/' if what else ''}"


def public_url(change):
    return f"/co-design/montalto/changes/{change.pk}/"


def test_a_draft_starts_as_the_service_is(change, cat, carla):
    assert change.status == ServiceChange.Status.DRAFT
    assert change.base == change.proposed == snapshots.of_service(cat.pothole)
    assert [f["code"] for f in change.base["fields"]] == ["size", "depth", "notes", "safety"]
    assert change.base["channels"] == ["web", "phone"]
    assert change.base["legal_basis"] == [{"provision": cat.provision.pk, "policy_need": ""}]
    assert {
        "field": "size",
        "provision": cat.region_provision.pk,
        "policy_need": "",
    } in change.base["traces"]
    assert change.process == change.idea.process and change.created_by == carla
    assert AuditEntry.objects.filter(action="codesign.change.create").count() == 1


def test_a_draft_from_a_page(accepted, cat, carla, persona_client):
    client = persona_client(carla)
    form = client.get(f"{STAFF}new/?idea={accepted.pk}").content.decode()
    assert accepted.title in form
    response = client.post(
        f"{STAFF}new/",
        {
            "idea": accepted.pk,
            "service": cat.pothole.pk,
            "title": "Nuovo campo",
            "rationale": "Perché serve",
            "title__en": "New field",
            "rationale__en": "Because",
        },
    )
    change = ServiceChange.objects.get()
    assert response.status_code == 302 and response["Location"] == url(change)
    assert change.idea == accepted and change.translations == {
        "en": {"title": "New field", "rationale": "Because"}
    }


def test_starting_refuses_bad_input(accepted, idea, cat, carla, persona_client):
    client = persona_client(carla)
    response = client.post(
        f"{STAFF}new/", {"service": cat.pothole.pk, "title": "", "rationale": ""}
    )
    assert response.status_code == 400
    assert not ServiceChange.objects.exists()
    # another tenant's service is no choice
    response = client.post(
        f"{STAFF}new/", {"service": cat.lv_service.pk, "title": "T", "rationale": "R"}
    )
    assert response.status_code == 400
    assert not ServiceChange.objects.exists()


def test_only_an_accepted_idea_leads_to_a_change(montalto, carla, charlie, cat, process):
    idea = make_idea(process, charlie, title="Altro")
    with pytest.raises(ValidationError, match="accepted"):
        actions.start_change(carla, cat.pothole, idea=idea)


def test_editing_the_proposal(change, cat, carla, persona_client):
    client = persona_client(carla)
    data = {
        "label": FIELD["label"],
        "code": "pedestrians",
        "datatype": "singlevaluelist",
        "help_text": "",
        "required": "on",
        "variable": "on",
        "order": 25,
        "values": "yes | Sì\nno | No",
        "label__en": "Danger for pedestrians?",
        "help_text__en": "",
        "values__en": "yes | Yes",
    }
    assert client.post(url(change, "fields/new"), data).status_code == 302
    assert (
        client.post(
            url(change, "field-move"), {"code": "pedestrians", "direction": "up"}
        ).status_code
        == 302
    )
    assert client.post(url(change, "field-remove"), {"code": "notes"}).status_code == 302
    terms = {
        "channels": ["web", "phone", "app"],
        "acknowledge_days": 1,
        "resolve_days": 10,
        "day_type": "calendar",
    }
    assert client.post(url(change, "terms"), terms).status_code == 302
    assert (
        client.post(
            url(change, "trace-add"), {"field": "pedestrians", "provision": cat.provision.pk}
        ).status_code
        == 302
    )
    assert (
        client.post(url(change, "trace-add"), {"field": "", "policy_need": "Sicurezza"}).status_code
        == 302
    )
    change.refresh_from_db()
    fields = change.proposed["fields"]
    assert [f["code"] for f in fields] == ["size", "pedestrians", "depth", "safety"]
    assert fields[1]["translations"] == {
        "en": {"label": "Danger for pedestrians?", "values": {"yes": "Yes"}}
    }
    assert change.proposed["channels"] == ["web", "app", "phone"]
    assert change.proposed["sla"] == {
        "acknowledge_days": 1,
        "resolve_days": 10,
        "day_type": "calendar",
    }
    assert {
        "field": "pedestrians",
        "provision": cat.provision.pk,
        "policy_need": "",
    } in change.proposed["traces"]
    assert {"provision": None, "policy_need": "Sicurezza"} in change.proposed["legal_basis"]
    # the service itself has not changed
    assert snapshots.of_service(cat.pothole) == change.base
    # the editor and the preview show the differences
    page = client.get(url(change)).content.decode()
    assert "pedestrians" in page and "Sicurezza" in page
    preview = client.get(url(change, "preview")).content.decode()
    assert "Pericolo per i pedoni?" in preview and "proposed-" in preview and "now-" in preview


@pytest.mark.parametrize(
    ("what", "data", "message"),
    [
        (
            "terms",
            {"channels": ["web"], "acknowledge_days": 9, "resolve_days": 3, "day_type": "working"},
            "Acknowledging cannot take longer than resolving.",
        ),
        (
            "terms",
            {"acknowledge_days": 1, "resolve_days": 3, "day_type": "working"},
            "This field is required.",
        ),
        (
            "terms",
            {"channels": ["fax"], "acknowledge_days": 1, "resolve_days": 3, "day_type": "working"},
            "Select a valid choice.",
        ),
        (
            "terms",
            {
                "channels": ["web"],
                "acknowledge_days": "x",
                "resolve_days": 3,
                "day_type": "working",
            },
            "Enter a whole number.",
        ),
        ("trace-add", {"field": "size", "provision": ""}, "Choose the provision that requires it"),
        ("trace-add", {"field": "nope", "policy_need": "x"}, "Select a valid choice."),
        (
            "trace-remove",
            {"part": "traces", "index": "99"},
            "There is no such trace in the proposal.",
        ),
        (
            "trace-remove",
            {"part": "traces", "index": "-1"},
            "There is no such trace in the proposal.",
        ),
        ("field-move", {"code": "size", "direction": "sideways"}, "Move a field up or down."),
        ("field-remove", {"code": "nope"}, "The proposal has no field nope."),
        ("adopt", {}, "Only a proposal open for comments can be adopted"),
    ],
)
def test_bad_input_is_refused_with_a_reason(change, carla, persona_client, what, data, message):
    before = dict(change.proposed)
    response = persona_client(carla).post(url(change, what), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    change.refresh_from_db()
    assert change.proposed == before and change.status == "draft"


def test_another_tenants_provision_cannot_be_traced(change, cat, carla, persona_client):
    response = persona_client(carla).post(
        url(change, "trace-add"), {"field": "", "provision": cat.lv_provision.pk}
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError, match="register"):
        actions.add_trace(carla, change, provision=cat.lv_provision)


def test_a_field_the_catalogue_would_refuse_cannot_be_saved(change, carla, persona_client):
    client = persona_client(carla)
    base = {"label": "Q", "datatype": "string", "order": 50, "help_text": ""}
    # a code already used
    response = client.post(url(change, "fields/new"), {**base, "code": "size"})
    assert response.status_code == 400 and "share the code size" in response.content.decode()
    # a position already used
    response = client.post(url(change, "fields/new"), {**base, "code": "x", "order": 10})
    assert response.status_code == 400 and "share the position 10" in response.content.decode()
    # a list without values
    response = client.post(
        url(change, "fields/new"), {**base, "code": "x", "datatype": "singlevaluelist"}
    )
    assert response.status_code == 400
    # a bad code
    response = client.post(url(change, "fields/new"), {**base, "code": "no spaces"})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        actions.save_field(carla, change, {**FIELD, "values": []})
    change.refresh_from_db()
    assert change.proposed == change.base


def test_unknown_actions_and_fields_are_404(change, carla, persona_client):
    client = persona_client(carla)
    assert client.post(url(change, "explode")).status_code == 404
    assert client.get(url(change, "field/nope")).status_code == 404
    assert client.get(f"{STAFF}999999/").status_code == 404


def _open(change, carla):
    actions.save_field(carla, change, dict(FIELD))
    return actions.open_for_comments(carla, change)


def test_nothing_to_open_without_a_difference(change, carla):
    with pytest.raises(ValidationError, match="changes nothing"):
        actions.open_for_comments(carla, change)


def test_adoption_applies_exactly_the_snapshot(
    change, cat, carla, persona_client, django_capture_on_commit_callbacks
):
    proposed = snapshots.normalise(change.proposed)
    proposed["fields"] = [f for f in proposed["fields"] if f["code"] != "notes"]
    size = next(f for f in proposed["fields"] if f["code"] == "size")
    depth = next(f for f in proposed["fields"] if f["code"] == "depth")
    size["order"], depth["order"] = depth["order"], size["order"]  # swap positions
    depth["label"] = "Quanto è profonda?"
    depth["required"] = True
    proposed["fields"].append({**FIELD, "order": 5})
    proposed["channels"] = ["web", "app"]  # phone removed, app added
    proposed["sla"] = {"acknowledge_days": 1, "resolve_days": 7, "day_type": "calendar"}
    proposed["legal_basis"] = [{"provision": cat.overdue_provision.pk, "policy_need": ""}]
    proposed["traces"] = [
        {"field": "pedestrians", "provision": cat.provision.pk, "policy_need": ""},
        {"field": "size", "provision": cat.region_provision.pk, "policy_need": ""},
        {"field": "safety", "provision": None, "policy_need": "Sicurezza stradale"},
    ]
    actions.set_proposed(carla, change, proposed)
    actions.open_for_comments(carla, change)
    seen = []
    events.listen(seen.append)
    try:
        before = AuditEntry.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = persona_client(carla).post(url(change, "adopt"))
    finally:
        events._listeners.remove(seen.append)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/montalto/services/{cat.pothole.pk}/"
    service = cat.pothole.__class__.objects.get(pk=cat.pothole.pk)
    assert snapshots.of_service(service) == snapshots.normalise(proposed)
    assert service.staff_minutes == {"web": 12}  # the phone's minutes went with the phone
    change.refresh_from_db()
    assert change.status == "adopted" and change.adopted_by == carla and change.adopted_at
    added = AuditEntry.objects.filter(seq__gt=before).values_list("action", flat=True)
    assert {
        "service.update",
        "service.attribute_save",
        "service.attribute_delete",
        "trace.create",
        "trace.delete",
        "codesign.change.adopt",
    } <= set(added)
    assert audit.verify().ok
    adopted = [e for e in seen if e.type == "codesign.service_change_adopted"]
    assert len(adopted) == 1 and adopted[0].data["service_code"] == "pothole"
    assert adopted[0].data["idea"] == change.idea_id


def test_adoption_refuses_when_the_service_changed(change, cat, carla, persona_client):
    _open(change, carla)
    catalog.update_service(None, cat.pothole, sla_resolve_days=20)
    response = persona_client(carla).post(url(change, "adopt"))
    assert response.status_code == 409
    assert "The service changed since this draft was made" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "open"
    assert not cat.pothole.attributes.filter(code="pedestrians").exists()
    with pytest.raises(actions.Conflict):
        actions.adopt(carla, change)


def test_withdrawn_is_final(change, carla, persona_client):
    assert persona_client(carla).post(url(change, "withdraw")).status_code == 302
    change.refresh_from_db()
    assert change.status == "withdrawn"
    with pytest.raises(ValidationError):
        actions.open_for_comments(carla, change)
    with pytest.raises(ValidationError):
        actions.save_field(carla, change, dict(FIELD))
    assert persona_client(carla).get(url(change, "fields/new")).status_code == 404


# --- who may do what ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "dario", "elena"])
def test_staff_without_the_permission_read_but_do_not_write(
    change, persona, persona_client, request
):
    user = request.getfixturevalue(persona)
    client = persona_client(user)
    assert client.get(url(change)).status_code == 200
    assert client.get(url(change, "preview")).status_code == 200
    assert client.get(STAFF).status_code == 200
    assert client.get(f"{STAFF}new/").status_code == 403
    assert client.post(url(change, "field-remove"), {"code": "size"}).status_code == 403
    assert client.get(url(change, "fields/new")).status_code == 403
    assert client.post(url(change, "open")).status_code == 403
    assert client.post(url(change, "adopt")).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.remove_field(user, change, "size")


@pytest.mark.parametrize("persona", ["oscar", "charlie"])
def test_outsiders_get_404_on_staff_screens(change, persona, persona_client, request):
    client = persona_client(request.getfixturevalue(persona))
    for path in (STAFF, url(change), url(change, "preview"), f"{STAFF}new/"):
        assert client.get(path).status_code == 404
    assert client.post(url(change, "adopt")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(change, client):
    assert client.get(url(change)).status_code == 302
    assert client.post(url(change, "adopt")).status_code == 302


def test_the_regional_service_manager_works_on_hosted_municipalities(change, rita):
    actions.save_field(rita, change, dict(FIELD))
    assert actions.open_for_comments(rita, change).status == "open"


def test_adopting_needs_its_own_permission(change, carla, bob):
    _open(change, carla)
    with pytest.raises(PermissionDenied):
        actions.adopt(bob, change)


# --- the public ----------------------------------------------------------------------------------


def test_the_public_sees_a_proposal_once_open(change, carla, client, charlie, persona_client):
    assert client.get(public_url(change)).status_code == 404
    _open(change, carla)
    page = client.get(public_url(change))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pericolo per i pedoni?" in html
    assert "Carla" not in html  # who made it stays on the staff side
    process_page = client.get(f"/participation/montalto/{change.process.slug}/").content.decode()
    assert public_url(change) in process_page
    idea_page = client.get(f"/participation/montalto/{change.process.slug}/ideas/{change.idea_id}/")
    assert public_url(change) in idea_page.content.decode()
    assert persona_client(charlie).get(public_url(change)).status_code == 200


def test_the_public_never_sees_a_withdrawn_or_other_tenants_proposal(change, carla, client):
    _open(change, carla)
    assert client.get(f"/co-design/lagoverde/changes/{change.pk}/").status_code == 404
    actions.withdraw(carla, change)
    assert client.get(public_url(change)).status_code == 404


def test_proposals_of_an_internal_idea_box_stay_with_staff(
    montalto, carla, bob, cat, client, persona_client, charlie, oscar
):
    from insieme.participation import actions as participation

    box = make_process(
        montalto, carla, slug="cassetta", audience=Audience.EMPLOYEES, services=[cat.pothole]
    )
    idea = make_idea(box, bob, title="Un campo in più")
    participation.answer_idea(carla, idea, kind="accepted")
    change = actions.start_change(carla, cat.pothole, idea=idea)
    _open(change, carla)
    assert client.get(public_url(change)).status_code == 404
    assert persona_client(charlie).get(public_url(change)).status_code == 404
    assert persona_client(oscar).get(public_url(change)).status_code == 404
    assert persona_client(bob).get(public_url(change)).status_code == 200


def test_the_service_pages_link_back_after_adoption(change, cat, carla, client, persona_client):
    _open(change, carla)
    actions.adopt(carla, change)
    html = client.get("/services/montalto/pothole/").content.decode()
    assert "through co-design" in html
    assert f"/participation/montalto/{change.process.slug}/" in html
    assert f"/ideas/{change.idea_id}/" in html
    assert public_url(change) in html
    staff = (
        persona_client(carla).get(f"/staff/montalto/services/{cat.pothole.pk}/").content.decode()
    )
    assert "through co-design" in staff and url(change) in staff


def test_the_staff_list_reads_a_fixed_number_of_queries(
    accepted, cat, carla, persona_client, django_assert_max_num_queries
):
    for n in range(6):
        actions.start_change(carla, cat.pothole, idea=accepted, title=f"Proposta {n}")
    client = persona_client(carla)
    client.get(STAFF)
    with django_assert_max_num_queries(12):
        page = client.get(STAFF)
    assert page.content.decode().count("Proposta ") == 6


def test_the_public_page_speaks_italian(change, carla, client):
    _open(change, carla)
    html = client.get(public_url(change), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Come proposto" in html and "Il servizio oggi" in html
    assert "Pericolo per i pedoni?" in html
