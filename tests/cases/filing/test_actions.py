"""The cases write path (filing and the citizen's actions), at the level every entry point calls it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from insieme.cases import lifecycle
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import Case, CaseEvent, Follower, Rating, Status, grid_cell
from insieme.catalog import actions as catalog_actions
from insieme.core.models import AuditEntry

INSIDE = {"lat": 43.1, "lon": 11.1}  # within Montalto's square
OUTSIDE = {"lat": 45.0, "lon": 9.0}
ANSWERS = {"size": "large", "depth": "12"}


def file(cat, user, **overrides):
    kwargs = {"answers": ANSWERS, "description": "Buca profonda in via Roma", **INSIDE}
    kwargs.update(overrides)
    return filing_actions.submit_case(user, filing_actions.Filing(cat.pothole, **kwargs))


def test_filing_creates_a_case_with_reference_sla_timeline_follower_and_audit(cat, charlie):
    case, created = file(cat, charlie, form_seconds=95)
    assert created
    assert re.fullmatch(r"\d{4}-\d{6}", case.reference)
    assert case.status == Status.SUBMITTED and case.is_public
    assert case.answers == {"size": "large", "depth": "12"}
    assert (case.cell_row, case.cell_col) == grid_cell(43.1, 11.1)
    assert case.acknowledge_due_at > case.submitted_at
    assert case.resolve_due_at > case.acknowledge_due_at
    assert case.form_seconds == 95 and case.channel == "web"
    assert Follower.objects.filter(case=case, user=charlie).exists()
    assert CaseEvent.objects.filter(case=case, kind="submitted").count() == 1
    assert AuditEntry.objects.filter(action="case.submit", object_id=str(case.pk)).exists()


def test_references_are_consecutive_per_administration(cat, charlie):
    first, _ = file(cat, charlie)
    second, _ = file(cat, charlie)
    year, n1 = first.reference.split("-")
    assert second.reference == f"{year}-{int(n1) + 1:06d}"


def test_a_retried_submission_with_the_same_key_files_once(cat, charlie):
    first, created = file(cat, charlie, idempotency_key="k-1")
    again, created_again = file(cat, charlie, idempotency_key="k-1")
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (OUTSIDE, "location"),
        ({"lat": None, "lon": None, "address": ""}, "location"),
        ({"lat": 43.1, "lon": None}, "location"),
        ({"answers": {"depth": "3"}}, "size"),
        ({"answers": {"size": "huge"}}, "size"),
        ({"answers": {"size": "large", "depth": "deep"}}, "depth"),
        ({"description": "x" * 4001}, "description"),
        ({"channel": "email"}, "channel"),
    ],
)
def test_bad_input_is_refused_with_a_field_error_and_nothing_written(
    cat, charlie, overrides, field
):
    before = (Case.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        file(cat, charlie, **overrides)
    assert field in exc.value.message_dict
    assert (Case.objects.count(), AuditEntry.objects.count()) == before


def test_outside_the_boundary_says_so_plainly(cat, charlie):
    with pytest.raises(ValidationError) as exc:
        file(cat, charlie, **OUTSIDE)
    assert "outside Comune di Montalto" in exc.value.message_dict["location"][0]


def test_an_address_may_stand_in_for_the_map(cat, charlie):
    case, _ = file(cat, charlie, lat=None, lon=None, address="Via Roma 12")
    assert case.address == "Via Roma 12" and case.lat is None and case.cell_row is None


def test_anonymous_filing_only_where_the_service_allows_it(cat):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ValidationError):
        file(cat, AnonymousUser())
    catalog_actions.update_service(None, cat.pothole, anonymous_allowed=True)
    case, _ = file(cat, AnonymousUser(), contact_email="anon@example.org")
    assert case.submitted_by is None and case.contact_email == "anon@example.org"


def test_a_draft_service_takes_no_requests(cat, charlie):
    with pytest.raises(ValidationError):
        filing_actions.submit_case(
            charlie, filing_actions.Filing(cat.draft, description="x", address="Via Roma")
        )


def test_assisted_filing_needs_consent_and_records_both_people(cat, bob, charlie):
    with pytest.raises(ValidationError) as exc:
        file(cat, bob, channel="phone", on_behalf_of=charlie)
    assert "consent_noted" in exc.value.message_dict
    case, _ = file(cat, bob, channel="phone", on_behalf_of=charlie, consent_noted=True)
    assert case.submitted_by == charlie and case.filed_by == bob and case.channel == "phone"


def test_information_request_and_answer_round_trip(cat, charlie, bob):
    case, _ = file(cat, charlie)
    handling_actions.request_information(bob, case, text="How deep?", field_code="depth")
    case.refresh_from_db()
    assert case.status == Status.WAITING_CITIZEN and case.info_requests == 1
    assert not case.complete_at_submission and case.first_public_response_at is not None
    with pytest.raises(ValidationError):
        citizen_actions.provide_information(charlie, case, text="")
    citizen_actions.provide_information(charlie, case, text="About 15 cm")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.events.filter(kind="info_provided", text="About 15 cm").exists()


def test_only_the_submitter_acts_on_their_case(cat, charlie, bob):
    case, _ = file(cat, charlie)
    for call in (
        lambda: citizen_actions.withdraw_case(bob, case),
        lambda: citizen_actions.rate_case(bob, case, score=5),
        lambda: citizen_actions.provide_information(bob, case, text="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_withdraw_closes_an_open_case_once(cat, charlie):
    case, _ = file(cat, charlie)
    citizen_actions.withdraw_case(charlie, case, "Fixed by itself")
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    with pytest.raises(ValidationError):
        citizen_actions.withdraw_case(charlie, case)


def test_rating_once_resolved_one_to_five_and_only_once(cat, charlie, bob):
    case, _ = file(cat, charlie)
    with pytest.raises(ValidationError):
        citizen_actions.rate_case(charlie, case, score=4)
    handling_actions.change_status(bob, case, Status.RESOLVED, note="Filled in")
    for bad in (0, 6, "x"):
        with pytest.raises(ValidationError):
            citizen_actions.rate_case(charlie, case, score=bad)
    citizen_actions.rate_case(charlie, case, score=4, comment="Quick")
    with pytest.raises(ValidationError):
        citizen_actions.rate_case(charlie, case, score=5)
    assert Rating.objects.get(case=case).score == 4


def test_status_changes_follow_the_allowed_transitions(cat, charlie, bob):
    case, _ = file(cat, charlie)
    handling_actions.change_status(bob, case, Status.ACKNOWLEDGED)
    assert case.acknowledged_at is not None
    with pytest.raises(ValidationError):
        handling_actions.change_status(bob, case, Status.SUBMITTED)
    handling_actions.change_status(bob, case, Status.REFUSED, note="Private road")
    with pytest.raises(ValidationError):
        handling_actions.change_status(bob, case, Status.IN_PROGRESS)


def test_a_stale_version_is_refused(cat, charlie, bob):
    case, _ = file(cat, charlie)
    loaded_version = case.version
    handling_actions.change_status(bob, case, Status.ACKNOWLEDGED)
    other_view = Case.objects.get(pk=case.pk)
    other_view.version = loaded_version
    with pytest.raises(lifecycle.StaleCase):
        handling_actions.change_status(
            bob, other_view, Status.IN_PROGRESS, expected_version=loaded_version
        )


def test_me_too_follows_instead_of_filing_again(cat, charlie, carla):
    case, _ = file(cat, charlie)
    citizen_actions.follow_case(carla, case, me_too=True)
    citizen_actions.follow_case(carla, case, me_too=True)
    assert Case.objects.count() == 1
    assert case.followers.filter(user=carla, me_too=True).count() == 1
    assert case.events.filter(kind="followed").count() == 1


def test_someone_elses_idempotency_key_never_returns_their_case(cat, charlie, carla):
    file(cat, charlie, idempotency_key="k-shared")
    with pytest.raises(ValidationError):
        file(cat, carla, idempotency_key="k-shared")
    assert Case.objects.count() == 1
