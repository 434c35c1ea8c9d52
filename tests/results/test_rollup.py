"""Progress rolls up from child results: the weighted mean, stored on write, up the chain."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insieme.results import actions
from insieme.results.models import Result, Status

pytestmark = pytest.mark.django_db


def fresh(result: Result) -> Result:
    return Result.objects.get(pk=result.pk)


def test_parent_takes_the_weighted_mean(tree, carla):
    parent, trees, beds = tree
    actions.set_progress(carla, trees, progress=40)
    assert fresh(parent).progress == 30  # (40*3 + 0*1) / 4
    assert fresh(parent).status == Status.IN_PROGRESS
    actions.set_progress(carla, beds, progress=100)
    assert fresh(parent).progress == 55  # (120 + 100) / 4
    actions.set_progress(carla, trees, progress=100)
    parent = fresh(parent)
    assert parent.progress == 100 and parent.status == Status.COMPLETED
    assert parent.completed_on is not None
    actions.set_progress(carla, beds, progress=50)
    parent = fresh(parent)
    assert parent.progress == 88 and parent.status == Status.IN_PROGRESS  # 350/4 = 87.5 -> 88
    assert parent.completed_on is None


def test_roll_up_reaches_every_ancestor(montalto, carla):
    top = actions.create_result(carla, montalto, title="Top")
    middle = actions.create_result(carla, montalto, title="Middle", parent=top, weight=1)
    actions.create_result(carla, montalto, title="Other", parent=top, weight=1)
    leaf = actions.create_result(carla, montalto, title="Leaf", parent=middle)
    actions.set_progress(carla, leaf, progress=80)
    assert fresh(middle).progress == 80
    assert fresh(top).progress == 40


def test_weight_and_parent_changes_roll_up(tree, montalto, carla):
    parent, trees, beds = tree
    actions.set_progress(carla, trees, progress=100)
    assert fresh(parent).progress == 75
    actions.update_result(carla, trees, weight=1)
    assert fresh(parent).progress == 50
    other = actions.create_result(carla, montalto, title="Altro piano")
    actions.update_result(carla, trees, parent=other)
    assert fresh(parent).progress == 0  # only beds left
    assert fresh(other).progress == 100


def test_cancelled_parts_leave_the_mean(tree, carla):
    parent, trees, beds = tree
    actions.set_progress(carla, trees, progress=60)
    actions.set_progress(carla, beds, progress=0, status="cancelled")
    assert fresh(parent).progress == 60


def test_progress_by_hand_refused_on_a_parent(tree, carla):
    parent, trees, _beds = tree
    actions.set_progress(carla, trees, progress=40)
    parent = fresh(parent)
    with pytest.raises(ValidationError) as exc:
        actions.set_progress(carla, parent, progress=90)
    assert "progress" in exc.value.message_dict
    # its rolled-up value with a status or a note is fine
    actions.set_progress(carla, parent, progress=parent.progress, status="delayed", note="Piogge")
    assert fresh(parent).status == Status.DELAYED


def test_no_cycles(montalto, carla):
    a = actions.create_result(carla, montalto, title="A")
    b = actions.create_result(carla, montalto, title="B", parent=a)
    c = actions.create_result(carla, montalto, title="C", parent=b)
    with pytest.raises(ValidationError) as exc:
        actions.update_result(carla, a, parent=c)
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.update_result(carla, a, parent=a)
    with pytest.raises(ValidationError):
        actions.update_result(carla, b, parent=c)
    assert fresh(a).parent_id is None


def test_no_parent_in_another_administration(montalto, lagoverde, carla):
    mine = actions.create_result(carla, montalto, title="Mio")
    theirs = actions.create_result(None, lagoverde, title="Loro")
    with pytest.raises(ValidationError) as exc:
        actions.update_result(carla, mine, parent=theirs)
    assert "parent" in exc.value.message_dict


def weighted_mean(children: list[Result]) -> int | None:
    kept = [c for c in children if c.status != Status.CANCELLED]
    total = sum(c.weight for c in kept)
    if not total:
        return None
    return int(sum(c.progress * c.weight for c in kept) / total + 0.5)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parts=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=1000),  # weight
            st.integers(min_value=0, max_value=100),  # progress
            st.sampled_from(["left", "grandchild"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_rolled_up_progress_is_the_weighted_mean(montalto, parts):
    top = actions.create_result(None, montalto, title="Top")
    middle = actions.create_result(None, montalto, title="Middle", parent=top, weight=2)
    for weight, progress, where in parts:
        child = actions.create_result(
            None, montalto, title="Part", weight=weight, parent=top if where == "left" else middle
        )
        actions.set_progress(None, child, progress=progress)
    for node in (fresh(middle), fresh(top)):
        children = list(Result.objects.filter(parent=node))
        assert 0 <= node.progress <= 100
        expected = weighted_mean(children)
        if expected is not None:
            assert node.progress == expected
    Result.objects.filter(administration=montalto).delete()
