"""The demo's co-design: every accepted idea a work item in its department's queue, one service
change adopted (a field and a channel added, the service equal to the proposal) and one open for
comments, in both languages; the audit chain intact."""

from __future__ import annotations

import pytest

from insieme.cases.models import Case
from insieme.codesign import snapshots
from insieme.codesign.models import ServiceChange, WorkItem
from insieme.core import audit
from insieme.participation.models import Idea


@pytest.fixture
def demo(loaded_demo):
    """The demo region, loaded once for every test that wants it (tests/demo/conftest.py)."""
    return loaded_demo


@pytest.mark.django_db
def test_every_accepted_idea_is_a_work_item(demo):
    accepted = Idea.objects.filter(answer=Idea.Answer.ACCEPTED, state=Idea.State.OPEN)
    assert accepted.exists()
    assert WorkItem.objects.count() == accepted.count()
    cases = Case.objects.filter(kind="improvement")
    assert cases.count() == accepted.count()
    assert not cases.filter(is_public=True).exists()
    assert not cases.filter(department__isnull=True).exists()


@pytest.mark.django_db
def test_one_change_adopted_and_one_open(demo):
    adopted = ServiceChange.objects.get(status=ServiceChange.Status.ADOPTED)
    opened = ServiceChange.objects.get(status=ServiceChange.Status.OPEN)
    service = adopted.service
    live = snapshots.of_service(service)
    assert "pedestrians" in [f["code"] for f in live["fields"]]
    assert len(live["channels"]) == len(adopted.base["channels"]) + 1
    assert adopted.idea is not None and adopted.adopted_by is not None
    assert adopted.translations["en"]["title"] and opened.translations["en"]["title"]
    assert opened.base == live or opened.service_id != service.pk
    assert audit.verify().ok
