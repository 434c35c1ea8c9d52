"""Assisted digital: an officer files on a citizen's behalf through the same form, recorded with
its channel, the officer as filer, the citizen as submitter and their consent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from insieme.cases.models import Case, Channel
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from tests.cases.conftest import INSIDE_MONTALTO
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    return sign_in(Client(), user)


def form_url(code="pothole"):
    return reverse("staff_file_for_citizen_form", args=["montalto", code])


def post_data(**extra) -> dict:
    data = {
        "citizen_email": "",
        "channel": "phone",
        "consent_noted": "on",
        "attr_size": "large",
        "description": "Buca davanti al mercato",
        "lat": str(INSIDE_MONTALTO["lat"]),
        "lon": str(INSIDE_MONTALTO["lon"]),
        "address": "Piazza del Mercato",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    "persona,status",
    [
        ("bob", 200),
        ("dario", 200),
        ("alice", 403),
        ("carla", 403),
        ("elena", 403),
        ("rita", 403),
        ("oscar", 404),
        ("charlie", 404),
    ],
)
def test_permission_matrix(request, cat, charlie, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("staff_file_for_citizen", args=["montalto"])).status_code == status
    assert client.get(form_url()).status_code == status
    assert client.post(form_url(), post_data(citizen_email="charlie@example.org")).status_code in (
        (302,) if status == 200 else (status,)
    )


def test_the_form_is_the_citizens_form(cat, bob):
    html = client_for(bob).get(form_url()).content.decode()
    assert "How big is the pothole?" in html  # the service's own question
    assert "Describe the problem or your request" in html  # the filing form's own field
    assert "The citizen consented to my filing on their behalf" in html
    listing = client_for(bob).get(reverse("staff_file_for_citizen", args=["montalto"]))
    assert cat.pothole.name in listing.content.decode()


def test_file_for_a_citizen_with_an_account(cat, bob, charlie):
    client = client_for(bob)
    response = client.post(form_url(), post_data(citizen_email="Charlie@Example.org"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.PHONE
    assert case.submitted_by == charlie and case.filed_by == bob and case.consent_noted
    assert case.contact_name == charlie.full_name and case.contact_email == charlie.email
    assert case.answers["size"] == "large"
    assert case.form_seconds is None
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert case.reference in confirmation.content.decode()
    # only the officer who filed sees the confirmation
    assert client_for(charlie).get(response["Location"]).status_code == 404


def test_refused_without_consent(cat, bob, charlie):
    response = client_for(bob).post(
        form_url(), post_data(citizen_email=charlie.email, consent_noted=None)
    )
    assert response.status_code == 400
    assert "nothing is filed on their behalf without their consent" in response.content.decode()
    assert not Case.objects.exists()


def test_unknown_account_and_missing_name(cat, bob):
    client = client_for(bob)
    response = client.post(form_url(), post_data(citizen_email="nobody@example.org"))
    assert response.status_code == 400 and "Nobody has an account" in response.content.decode()
    response = client.post(form_url(), post_data())
    assert response.status_code == 400 and "Write the citizen" in response.content.decode()
    assert not Case.objects.exists()


def test_bad_answers_and_channel_keep_the_form(cat, bob, charlie):
    client = client_for(bob)
    response = client.post(form_url(), post_data(citizen_email=charlie.email, attr_size=None))
    assert response.status_code == 400
    assert "Buca davanti al mercato" in response.content.decode()  # nothing typed is lost
    # the pothole service is offered by phone, not at the counter
    response = client.post(form_url(), post_data(citizen_email=charlie.email, channel="counter"))
    assert response.status_code == 400
    response = client.post(form_url(), post_data(citizen_email=charlie.email, lat="200"))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_file_for_someone_without_an_account(cat, bob):
    response = client_for(bob).post(
        form_url(), post_data(contact_name="Maria Rossi", contact_phone="+39 0577 123456")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.PHONE and case.consent_noted
    assert case.contact_name == "Maria Rossi"


def test_without_an_account_the_officer_is_the_filer_not_the_submitter(cat, bob):
    client_for(bob).post(form_url(), post_data(contact_name="Maria Rossi"))
    case = Case.objects.get()
    assert case.submitted_by is None and case.filed_by == bob


def test_idempotent_resubmission(cat, bob, charlie):
    client = client_for(bob)
    token = "0f" * 16
    first = client.post(form_url(), post_data(citizen_email=charlie.email, token=token))
    second = client.post(form_url(), post_data(citizen_email=charlie.email, token=token))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_services_not_offered_at_counter_or_phone_are_not_found(cat, bob):
    catalog_actions.create_service(
        None,
        cat.pothole.administration,
        code="web-only",
        name="Web only",
        channels=["web"],
        status=Service.Status.PUBLISHED,
    )
    client = client_for(bob)
    assert client.get(form_url("web-only")).status_code == 404
    assert client.get(form_url("residence")).status_code == 404  # a draft
    assert client.get(form_url("boats")).status_code == 404  # another administration's
    listing = client.get(reverse("staff_file_for_citizen", args=["montalto"])).content.decode()
    assert "Web only" not in listing


def test_open_the_case_only_for_who_may_open_it(cat, bob, montalto):
    """An officer of Parks files a pothole report (Roads' service): the confirmation gives the
    reference and says who handles it, without a link that would answer 404; an officer who
    sees every department's cases gets the link, and it opens the case."""
    from insieme.core import actions as core_actions
    from insieme.core.permissions import Role
    from tests.conftest import make_staff

    parks = core_actions.create_department(None, montalto, name="Parks", code="parks")
    pia = make_staff(montalto, Role.OFFICER, "pia@montalto.example", "Pia Parks", department=parks)
    client = client_for(pia)
    response = client.post(form_url(), post_data(contact_name="Ada Rossi"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.department == cat.department  # routed to Roads
    page = client.get(response["Location"]).content.decode()
    staff_url = reverse("staff_case", args=["montalto", case.reference])
    assert case.reference in page
    assert "Open the case" not in page and staff_url not in page
    assert "The request was sent to Roads, which will handle it" in page
    assert client.get(staff_url).status_code == 404  # what the link used to lead to

    client = client_for(bob)  # no department: sees every case of Montalto
    response = client.post(form_url(), post_data(contact_name="Ada Rossi", description="Altra"))
    other = Case.objects.exclude(pk=case.pk).get()
    page = client.get(response["Location"]).content.decode()
    assert "Open the case" in page
    assert client.get(reverse("staff_case", args=["montalto", other.reference])).status_code == 200
