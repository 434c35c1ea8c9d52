"""The read-replica router (insieme.core.replica): inside reading_replica() reads go to the
replica where there is one, writes always to the primary; the Scorecard computes on it."""

from __future__ import annotations

import pytest
from django.db import connections

from insieme.cases.models import Case
from insieme.core.models import Administration
from insieme.core.registry import Scope
from insieme.core.replica import REPLICA, ReplicaRouter, reading_replica
from insieme.insights import snapshots

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES"),
]


def add_replica(settings):
    """A replica alias that is the default database's own connection (a replica with no lag),
    so that the test's data is there to read."""
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    connections[REPLICA] = connections["default"]


@pytest.fixture
def replica(settings):
    add_replica(settings)
    yield
    del connections[REPLICA]


def test_without_a_replica_nothing_changes(montalto):
    with reading_replica():
        assert Case.objects.all().db == "default"
    assert ReplicaRouter().allow_migrate("default", "cases") is None


def test_reads_inside_go_to_the_replica_writes_never(replica, montalto):
    assert Case.objects.all().db == "default"
    with reading_replica():
        assert Case.objects.all().db == REPLICA
        admin = Administration.objects.get(pk=montalto.pk)
        assert admin._state.db == REPLICA
        admin.name = "Comune di Montalto Alto"
        admin.save()  # a write of a row read from the replica goes to the primary
        assert Administration.objects.db_manager("default").get(pk=admin.pk).name.endswith("Alto")
    assert Case.objects.all().db == "default"  # and after the block, the primary again
    assert ReplicaRouter().allow_migrate(REPLICA, "cases") is False


def test_the_scorecard_computes_on_the_replica_with_the_same_results(
    settings, montalto, monkeypatch
):
    scope = Scope.of(montalto)
    primary = snapshots.compute_all(scope)  # no replica yet: the primary
    chosen = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        chosen.append(original(self, model, **hints))
        return chosen[-1]

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    add_replica(settings)
    try:
        on_replica = snapshots.compute_all(scope)
    finally:
        del connections[REPLICA]
    assert chosen and set(chosen) == {REPLICA}  # every read of the computation
    assert not any(failed for _r, _p, failed in on_replica.values())
    assert {k: (r.value if r else None) for k, (r, _p, _f) in on_replica.items()} == {
        k: (r.value if r else None) for k, (r, _p, _f) in primary.items()
    }
