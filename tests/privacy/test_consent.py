"""A person gives and withdraws consent to optional processing, on /accounts/data/consents/.

Charlie (a citizen) decides about being invited to co-design (the purpose the co-design app
registers, "codesign.contact"); Carla, Montalto's service manager, runs co-design and reads the
list of people she may invite; Bob, an officer, may not. Sara consented too, but never dealt
with Montalto. Consent is opt-in: nothing is presumed, and the list only ever shows the people
whose latest decision gave consent to the words as they read now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from insieme.cases.filing import actions as filing_actions
from insieme.codesign import contacts
from insieme.core import audit, consent
from insieme.core.models import AuditEntry, User
from insieme.core.registry import consent_providers, consent_purposes
from insieme.demo.context import make_context
from insieme.privacy import actions_consent, consents, demo_consents
from insieme.privacy.models import Consent
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401  (fixture)
from tests.conftest import make_user, sign_in
from tests.participation.conftest import make_idea, make_process

KEY = "codesign.contact"
URL = reverse("privacy:consents")


def contacts_url(admin) -> str:
    return reverse("codesign:staff_contacts", args=[admin.slug])


def decide(client: Client, decision: str, purpose: str = KEY):
    return client.post(URL, {"purpose": purpose, "decision": decision})


def decisions(user) -> list[tuple[bool, int]]:
    return list(
        Consent.objects.filter(user=user, purpose=KEY)
        .order_by("decided_at", "pk")
        .values_list("granted", "version")
    )


def file_case(cat, user):  # noqa: F811 - `cat` is the fixture's value
    case, _created = filing_actions.submit_case(
        user,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description="A deep hole",
            contact_name=user.full_name,
            contact_email=user.email,
            **INSIDE_MONTALTO,
        ),
    )
    return case


@pytest.fixture
def sara(db) -> User:
    return make_user("sara@example.org", "Sara Secondcitizen")


@pytest.fixture
def bumped(monkeypatch):
    """The purpose's words changed: its version is now 2 (restored after the test)."""
    purpose = dataclasses.replace(consent_purposes.get(KEY), version=2)
    monkeypatch.setitem(consent_purposes._items, KEY, purpose)
    return purpose


# --- opt-in ------------------------------------------------------------------------------------


def test_the_codesign_app_registers_its_purpose():
    purpose = consent.purpose(KEY)
    assert purpose.app == "codesign" and purpose.version == 1
    assert str(purpose.title) and str(purpose.description)
    with pytest.raises(LookupError):
        consent.given(None, "no.such.purpose")


def test_nothing_is_presumed(charlie, persona_client):
    assert consent.given(charlie, KEY) is False
    assert consent.given(AnonymousUser(), KEY) is False
    assert consent.given(None, KEY) is False
    assert list(User.objects.filter(pk__in=consent.holders(KEY))) == []
    response = persona_client(charlie).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert str(consent.purpose(KEY).title) in page
    assert "Not given: you have not decided." in page
    assert 'value="give"' in page and 'value="withdraw"' not in page
    assert "You have not decided anything yet." in page


def test_without_a_provider_the_answer_is_no(charlie, monkeypatch):
    actions_consent.decide(charlie, charlie, KEY, True)
    assert consent.given(charlie, KEY) is True
    monkeypatch.setattr(consent_providers, "_items", {})
    assert consent.given(charlie, KEY) is False
    assert list(consent.holders(KEY)) == []


def test_a_closed_account_has_not_consented(charlie):
    actions_consent.decide(charlie, charlie, KEY, True)
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    charlie.refresh_from_db()
    assert consent.given(charlie, KEY) is False


# --- giving, withdrawing, the history ----------------------------------------------------------


def test_give(charlie, persona_client):
    client = persona_client(charlie)
    response = decide(client, "give")
    assert response.status_code == 302 and response.url == URL
    assert decisions(charlie) == [(True, 1)]
    assert consent.given(charlie, KEY) is True
    assert list(User.objects.filter(pk__in=consent.holders(KEY))) == [charlie]
    page = client.get(URL).content.decode()
    assert "your consent is recorded" in page
    assert "Given on " in page
    assert 'value="withdraw"' in page and 'value="give"' not in page


def test_withdraw(charlie, persona_client):
    client = persona_client(charlie)
    decide(client, "give")
    response = decide(client, "withdraw")
    assert response.status_code == 302
    assert decisions(charlie) == [(True, 1), (False, 1)]
    assert consent.given(charlie, KEY) is False
    assert list(consent.holders(KEY)) == []
    page = client.get(URL).content.decode()
    assert "Your consent is withdrawn" in page
    assert "Not given: withdrawn on " in page
    assert 'value="give"' in page


def test_a_second_click_writes_nothing(charlie, persona_client):
    client = persona_client(charlie)
    decide(client, "give")
    entries = AuditEntry.objects.count()
    decide(client, "give")
    assert decisions(charlie) == [(True, 1)]
    assert AuditEntry.objects.count() == entries
    assert "Nothing changed" in client.get(URL).content.decode()


def test_withdrawing_what_was_never_given_writes_nothing(charlie, persona_client):
    response = decide(persona_client(charlie), "withdraw")
    assert response.status_code == 302
    assert decisions(charlie) == []
    assert not AuditEntry.objects.filter(action=actions_consent.ACTION).exists()


def test_history_newest_first(charlie, persona_client):
    client = persona_client(charlie)
    for decision in ("give", "withdraw", "give", "withdraw"):
        decide(client, decision)
    # Two decisions in the same instant: the later row still comes first.
    Consent.objects.filter(user=charlie).update(decided_at=timezone.now())
    response = client.get(URL)
    history = [row.granted for row, _title in response.context["history"]]
    assert history == [False, True, False, True]
    assert consent.given(charlie, KEY) is False  # the latest one applies
    assert list(consent.holders(KEY)) == []
    table = response.content.decode().split('id="history-caption"')[1]
    assert re.findall(r"<td>Consent (given|withdrawn)</td>", table) == [
        "withdrawn",
        "given",
        "withdrawn",
        "given",
    ]


def test_a_decision_in_the_past_does_not_override_a_later_one(charlie):
    actions_consent.decide(charlie, charlie, KEY, True)
    actions_consent.decide(
        "insieme demo", charlie, KEY, False, at=timezone.now() - dt.timedelta(days=3)
    )
    assert consent.given(charlie, KEY) is True
    assert list(User.objects.filter(pk__in=consent.holders(KEY))) == [charlie]


# --- new words: the consent no longer applies --------------------------------------------------


def test_a_consent_to_earlier_words_is_not_in_force(charlie, persona_client, bumped):
    Consent.objects.create(user=charlie, purpose=KEY, granted=True, version=1)
    assert consent.given(charlie, KEY) is False
    assert list(consent.holders(KEY)) == []
    client = persona_client(charlie)
    page = client.get(URL).content.decode()
    assert "Not in force" in page and "earlier version of this text" in page
    assert 'value="give"' in page
    decide(client, "give")
    assert decisions(charlie) == [(True, 1), (True, 2)]
    assert consent.given(charlie, KEY) is True
    assert "Given on " in client.get(URL).content.decode()


def test_withdrawing_a_consent_to_earlier_words_is_recorded(charlie, bumped):
    Consent.objects.create(user=charlie, purpose=KEY, granted=True, version=1)
    assert actions_consent.decide(charlie, charlie, KEY, False) is not None
    assert decisions(charlie) == [(True, 1), (False, 2)]


# --- the audit log -----------------------------------------------------------------------------


def test_every_decision_is_audited_without_personal_data(charlie, persona_client):
    client = persona_client(charlie)
    decide(client, "give")
    decide(client, "withdraw")
    given, withdrawn = AuditEntry.objects.filter(action="privacy.consent").order_by("seq")
    assert given.actor == charlie and withdrawn.actor == charlie
    assert given.object_type == "privacy.consent"
    assert given.before is None
    assert given.after == {"purpose": KEY, "granted": True, "version": 1}
    assert withdrawn.before == {"purpose": KEY, "granted": True, "version": 1}
    assert withdrawn.after == {"purpose": KEY, "granted": False, "version": 1}
    for entry in (given, withdrawn):
        recorded = json.dumps([entry.before, entry.after, entry.object_repr])
        assert "charlie" not in recorded.lower() and "Citizen" not in recorded
    result = audit.verify()
    assert result.ok, result.problems


def test_only_the_person_decides(charlie, carla):
    with pytest.raises(PermissionDenied):
        actions_consent.decide(carla, charlie, KEY, True)
    assert decisions(charlie) == []


# --- who may ask, and how ----------------------------------------------------------------------


def test_sign_in_required(db):
    client = Client()
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and "next=" in response.url
    response = decide(client, "give")
    assert response.status_code == 302
    assert not Consent.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(charlie):
    client = sign_in(Client(enforce_csrf_checks=True), charlie)
    assert decide(client, "give").status_code == 403
    assert decisions(charlie) == []
    client.get(URL)  # sets the token cookie, as the page's form carries it
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"purpose": KEY, "decision": "give", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert decisions(charlie) == [(True, 1)]


@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "newsletter", "decision": "give"},
        {"purpose": KEY, "decision": "maybe"},
        {"purpose": KEY},
        {"decision": "give"},
        {},
        {"purpose": KEY + "\x00", "decision": "give"},
        {"purpose": KEY, "decision": "give\x07"},
        {"purpose": "x" * 5000, "decision": "give"},
    ],
)
def test_bad_input_is_a_400_that_writes_nothing(charlie, persona_client, data):
    response = persona_client(charlie).post(URL, data)
    assert response.status_code == 400
    assert not Consent.objects.exists()
    assert not AuditEntry.objects.filter(action="privacy.consent").exists()


def test_bad_input_says_what_is_wrong(charlie, persona_client):
    response = persona_client(charlie).post(URL, {"purpose": "newsletter", "decision": "give"})
    assert "This site does not ask consent for that." in response.content.decode()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(charlie, persona_client, method):
    assert getattr(persona_client(charlie), method)(URL).status_code == 405


def test_the_data_page_links_to_the_consents(charlie, persona_client):
    page = persona_client(charlie).get(reverse("privacy:my_data")).content.decode()
    assert f'href="{URL}"' in page


# --- the processing it gates: inviting people to co-design -------------------------------------


def listed(client, admin) -> list[str]:
    response = client.get(contacts_url(admin))
    assert response.status_code == 200
    return [person.full_name for person, _reach in response.context["people"]]


def test_only_people_who_agreed_are_listed_for_co_design(
    cat,  # noqa: F811
    montalto,
    carla,
    charlie,
    sara,
    persona_client,
):
    file_case(cat, charlie)
    staff = persona_client(carla)
    assert listed(staff, montalto) == []  # a request is no consent
    actions_consent.decide(sara, sara, KEY, True)  # agreed, but never dealt with Montalto
    actions_consent.decide(charlie, charlie, KEY, True)
    assert listed(staff, montalto) == ["Charlie Citizen"]
    page = staff.get(contacts_url(montalto)).content.decode()
    assert "charlie@example.org" in page and "sara@example.org" not in page
    actions_consent.decide(charlie, charlie, KEY, False)
    assert listed(staff, montalto) == []


def test_an_idea_counts_as_dealing_with_the_administration(montalto, carla, charlie):
    make_idea(make_process(montalto, carla), charlie)
    actions_consent.decide(charlie, charlie, KEY, True)
    assert list(contacts.people(montalto)) == [charlie]


def test_new_words_take_people_off_the_list(cat, montalto, carla, charlie, bumped):  # noqa: F811
    file_case(cat, charlie)
    Consent.objects.create(user=charlie, purpose=KEY, granted=True, version=1)
    assert list(contacts.people(montalto)) == []


def test_the_text_message_channel_shows_the_phone(cat, montalto, charlie):  # noqa: F811
    file_case(cat, charlie)
    User.objects.filter(pk=charlie.pk).update(contact_channel="sms", phone="+39 055 1234567")
    actions_consent.decide(charlie, charlie, KEY, True)
    (person,) = contacts.people(montalto)
    assert contacts.reach(person) == "+39 055 1234567"


def test_the_list_is_for_those_who_run_co_design(montalto, bob, oscar, charlie, persona_client):
    assert persona_client(bob).get(contacts_url(montalto)).status_code == 403
    assert persona_client(oscar).get(contacts_url(montalto)).status_code == 404
    assert persona_client(charlie).get(contacts_url(montalto)).status_code == 404


def test_the_co_design_page_links_to_the_list(montalto, carla, persona_client):
    page = persona_client(carla).get(reverse("codesign:staff_changes", args=[montalto.slug]))
    assert contacts_url(montalto) in page.content.decode()


# --- the copy of the person's data -------------------------------------------------------------


def test_the_copy_of_the_data_holds_every_decision(charlie, persona_client):
    client = persona_client(charlie)
    decide(client, "give")
    decide(client, "withdraw")
    data = json.loads(client.post(reverse("privacy:export_json")).content)
    (section,) = [s for s in data["sections"] if s["key"] == "consents"]
    assert [(r["purpose"], r["granted"], r["version"]) for r in section["records"]] == [
        (KEY, True, 1),
        (KEY, False, 1),
    ]


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_records_consents_and_withdrawals(db):
    people = [make_user(f"p{i}@posta.example", f"Person {i}") for i in range(20)]
    ctx = make_context(seed=3, requests=0, today=timezone.localdate(), password="")
    ctx.citizens = people
    demo_consents.run(ctx)
    truth = ctx.ground_truth["consents"][KEY]
    rows = Consent.objects.filter(purpose=KEY)
    assert truth["given"] == rows.filter(granted=True).count() > 0
    assert truth["withdrawn"] == rows.filter(granted=False).count() > 0
    assert truth["in_force"] == len(consent.holders(KEY))
    assert truth["given"] < len(people)  # part of them only
    for withdrawal in rows.filter(granted=False):
        gave = rows.get(user=withdrawal.user, granted=True)
        assert gave.decided_at < withdrawal.decided_at < timezone.now()
    assert AuditEntry.objects.filter(action="privacy.consent").count() == rows.count()
    assert audit.verify().ok
    again = make_context(seed=3, requests=0, today=timezone.localdate(), password="")
    again.citizens = people
    demo_consents.run(again)  # a second run changes nothing
    assert Consent.objects.count() == rows.count()


def test_the_page_lists_every_registered_purpose(charlie):
    assert [s.purpose.key for s in consents.states(charlie)] == consent_purposes.keys()
