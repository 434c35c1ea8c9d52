"""The links back to the idea's result, the dashboard's section, the audit trail of a
proposal's life, and the snapshot validation's robustness."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insieme.codesign import actions, snapshots
from insieme.core.models import AuditEntry
from insieme.results.models import ResultLink, ResultUpdate
from tests.codesign.conftest import FIELD


def test_the_work_item_is_linked_to_the_ideas_result_for_staff_only(accepted):
    link = ResultLink.objects.get(kind="work_item")
    case = accepted.work_item.case
    assert link.result.idea == accepted
    assert link.staff_only is True
    assert link.key == f"case:{case.pk}"
    assert link.url == f"/staff/montalto/cases/{case.reference}/"


def test_adoption_links_the_change_and_notes_progress(change, carla):
    actions.save_field(carla, change, dict(FIELD))
    actions.open_for_comments(carla, change)
    actions.adopt(carla, change)
    link = ResultLink.objects.get(kind="service_change")
    assert link.result.idea == change.idea and link.staff_only is False
    assert link.url == f"/co-design/montalto/changes/{change.pk}/"
    update = ResultUpdate.objects.filter(result=link.result).latest("pk")
    assert "through co-design" in update.note and update.progress >= 50


def test_every_step_of_a_proposal_is_audited(change, carla):
    actions.update_texts(carla, change, title="Nuovo titolo", rationale="Perché sì")
    actions.save_field(carla, change, dict(FIELD))
    actions.move_field(carla, change, "pedestrians", "up")
    actions.open_for_comments(carla, change)
    actions.withdraw(carla, change)
    entries = list(
        AuditEntry.objects.filter(object_type="codesign.servicechange").values_list(
            "action", flat=True
        )
    )
    assert entries == [
        "codesign.change.create",
        "codesign.change.update",
        "codesign.change.propose",
        "codesign.change.propose",
        "codesign.change.open",
        "codesign.change.withdraw",
    ]
    # a save that changes nothing writes nothing
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        actions.update_texts(carla, change, title="X", rationale="Y")
    assert AuditEntry.objects.count() == before


def test_the_dashboard_links_the_proposals(carla, bob, persona_client, montalto):
    assert (
        "/staff/montalto/co-design/"
        in persona_client(carla).get("/staff/montalto/").content.decode()
    )
    assert (
        "/staff/montalto/co-design/"
        not in persona_client(bob).get("/staff/montalto/").content.decode()
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
snapshot_like = st.fixed_dictionaries(
    {},
    optional={
        "channels": st.lists(st.sampled_from(["web", "app", "fax", "phone", ""]), max_size=4),
        "sla": st.fixed_dictionaries(
            {
                "acknowledge_days": st.integers(-2, 40) | st.none(),
                "resolve_days": st.integers(-2, 40) | st.none(),
                "day_type": st.sampled_from(["working", "calendar", "lunar"]),
            }
        ),
        "fields": st.lists(
            st.fixed_dictionaries(
                {
                    "code": st.text(max_size=8),
                    "datatype": st.sampled_from(["string", "singlevaluelist", "nope"]),
                    "label": st.text(max_size=10),
                    "order": st.integers(0, 50),
                },
                optional={
                    "values": json_values,
                    "translations": json_values,
                    "required": json_values,
                },
            ),
            max_size=4,
        ),
        "legal_basis": st.lists(
            st.fixed_dictionaries(
                {"provision": st.integers(0, 10**6) | st.none(), "policy_need": st.text(max_size=5)}
            ),
            max_size=3,
        ),
        "traces": st.lists(
            st.fixed_dictionaries(
                {
                    "field": st.text(max_size=5),
                    "provision": st.integers(0, 10**6) | st.none(),
                    "policy_need": st.text(max_size=5),
                }
            ),
            max_size=3,
        ),
    },
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(snapshot=snapshot_like)
def test_validation_answers_any_snapshot_with_a_validation_error_or_accepts_it(cat, snapshot):
    try:
        snapshots.validate(snapshot, cat.pothole)
    except ValidationError:
        return
    # what it accepts, the catalogue takes: every channel known, SLA in order, unique codes
    clean = snapshots.normalise(snapshot)
    assert clean["channels"] and clean["sla"]["acknowledge_days"] <= clean["sla"]["resolve_days"]
    codes = [f["code"] for f in clean["fields"]]
    assert len(codes) == len(set(codes))


def test_a_malformed_snapshot_is_refused_and_nothing_saved(change, carla):
    for bad in ({"fields": "nope"}, {"sla": {"resolve_days": "3"}}, {"traces": [{"field": 1}]}, []):
        with pytest.raises(ValidationError, match="malformed"):
            actions.set_proposed(carla, change, bad)
    change.refresh_from_db()
    assert change.proposed == change.base
