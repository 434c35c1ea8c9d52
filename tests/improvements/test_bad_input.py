"""Bad input gets a clear 4xx and writes nothing: unknown indicators, another administration's
process or service change, an owner who is not the administration's active staff, impossible
filters, a dropped item without a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from insieme.codesign import actions as codesign
from insieme.core import actions as core_actions
from insieme.core.models import AuditEntry, Membership
from insieme.core.permissions import Role
from insieme.improvements import actions
from insieme.improvements.models import Item
from tests.conftest import make_staff, sign_in
from tests.improvements.conftest import GAUGE_KEY

pytestmark = pytest.mark.django_db

BASE = "/staff/montalto/improvements/"


def _post(client, dario, **extra):
    data = {"title": "Nuovo", "source": "other", "owner": dario.pk, **extra}
    return sign_in(client, dario).post(BASE + "new/", data)


def _refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Item.objects.filter(title="Nuovo").exists()


def test_unknown_indicator_in_the_scorecard_link(client, montalto, dario):
    page = sign_in(client, dario).get(BASE + "new/?indicator=no-such-indicator")
    assert page.status_code == 400
    assert "No Scorecard indicator has the key “no-such-indicator”." in page.content.decode()


def test_a_malformed_scorecard_link_is_refused_also_when_posted(client, montalto, dario, gauge):
    nasty = "a\x01\x1b[31mb"
    page = sign_in(client, dario).get(BASE + "new/", {"indicator": nasty})
    assert page.status_code == 400 and "\x01" not in page.content.decode()
    fields = {"title": "Nuovo", "source": "indicator", "indicator_key": GAUGE_KEY}
    fields["owner"] = dario.pk
    url = BASE + "new/?indicator=" + GAUGE_KEY
    assert client.post(url, {**fields, "indicator": nasty}).status_code == 400
    assert not Item.objects.filter(title="Nuovo").exists()
    assert client.post(url, fields).status_code == 302  # the same, without it
    assert Item.objects.filter(title="Nuovo").exists()


def test_unknown_indicator_posted(client, montalto, dario):
    _refused(
        _post(client, dario, source="indicator", indicator_key="no-such-indicator"),
        "No Scorecard indicator has this key.",
    )


def test_indicator_kind_needs_an_indicator(client, montalto, dario):
    _refused(
        _post(client, dario, source="indicator"),
        "Choose the Scorecard indicator the item comes from.",
    )


def test_unknown_source_kind(client, montalto, dario):
    _refused(_post(client, dario, source="rumour"), "Choose where the item comes from.")


def test_a_process_of_another_administration(client, montalto, lagoverde, dario, oscar):
    from tests.participation.conftest import make_process

    theirs = make_process(lagoverde, None, slug="lago")
    _refused(_post(client, dario, process=theirs.pk), "Choose a process of this administration.")
    with pytest.raises(ValidationError):
        actions.open_item(
            dario, montalto, title="Nuovo", source="other", owner=dario, process=theirs
        )


def test_a_service_change_of_another_administration(client, montalto, lagoverde, dario, cat):
    change = codesign.start_change(None, cat.lv_service, title="Ormeggi", rationale="Perché sì.")
    _refused(
        _post(client, dario, service_change=change.pk),
        "Choose a service change proposal of this administration.",
    )
    with pytest.raises(ValidationError):
        actions.open_item(
            dario, montalto, title="Nuovo", source="other", owner=dario, service_change=change
        )


def test_an_owner_who_does_not_exist_or_is_not_our_staff(client, montalto, dario, oscar, charlie):
    message = "Choose an active member of this administration&#x27;s staff."
    _refused(_post(client, dario, owner=987654), message)
    _refused(_post(client, dario, owner=oscar.pk), message)
    _refused(_post(client, dario, owner=charlie.pk), message)
    _refused(_post(client, dario, owner="not-a-number"), "")


def test_an_owner_whose_role_ended(montalto, dario):
    gone = make_staff(montalto, Role.OFFICER, "gone@montalto.example", "Gone Officer")
    membership = Membership.objects.get(user=gone, administration=montalto)
    core_actions.update_membership(None, membership, is_active=False)
    with pytest.raises(ValidationError) as refused:
        actions.open_item(dario, montalto, title="Nuovo", source="other", owner=gone)
    assert "owner" in refused.value.message_dict


def test_impossible_filters(client, montalto, dario):
    signed = sign_in(client, dario)
    status = signed.get(BASE + "?status=exploded")
    assert status.status_code == 400
    assert "There is no such status; choose one of the list." in status.content.decode()
    source = signed.get(BASE + "?source=%E2%82%AC%24")
    assert source.status_code == 400
    assert "There is no such kind of insight" in source.content.decode()
    assert signed.get(BASE + "?page=last&status=").status_code == 200
    assert signed.get(BASE + "?page=-3").status_code == 200


def test_texts_too_long_and_empty(client, montalto, dario):
    _refused(_post(client, dario, title=""), "This field is required.")
    _refused(_post(client, dario, title="x" * 201), "")


def test_a_closed_item_keeps_its_insight(item, dario):
    actions.close_as_done(dario, item)
    with pytest.raises(ValidationError) as refused:
        actions.update_item(dario, item, indicator_key="")
    assert "indicator_key" in refused.value.message_dict
    item.refresh_from_db()
    assert item.indicator_key == GAUGE_KEY


def test_a_dropped_item_without_reason_writes_nothing(item, dario):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        actions.drop_item(dario, item, reason="   ")
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"source": "rumour"}, "No kind of insight is called “rumour”."),
        ({"source": "topic", "detail": "x" * 301}, "at most 300 characters"),
        ({"source": "topic", "detail": "a\u200bb"}, "must be plain text"),
    ],
)
def test_a_malformed_insight_link_is_refused(client, montalto, dario, query, message):
    page = sign_in(client, dario).get(BASE + "new/", query)
    assert page.status_code == 400
    assert message in page.content.decode()
