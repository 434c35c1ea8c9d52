"""Retention: closed records past their period lose the people in them (identity, contacts,
text, exact place), the statistics stay, the audit chain still verifies; a dry run counts the
same records and changes nothing; the data steward's screen, its permissions and bad input;
the command."""

# ruff: noqa: F811 (pytest fixtures imported by name and taken as arguments)

from __future__ import annotations

import datetime as dt
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from insieme.cases.models import Case, CaseEvent, Follower, Rating
from insieme.catalog import actions as catalog_actions
from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.participation.models import Comment, Idea, Phase, Process
from insieme.privacy import actions_retention, retention
from insieme.privacy.models import Anonymised, RetentionPolicy, RetentionRun
from tests.api.conftest import INSIDE_MONTALTO, file_case, lights, lv_lights  # noqa: F401
from tests.catalog.conftest import cat  # noqa: F401 (fixture)
from tests.conftest import sign_in
from tests.privacy.test_erase import holders

NAME, EMAIL, PHONE = "Ottavio Ferraboschi", "ottavio.f@example.org", "+39 349 555 0101"
AUTHOR = "Gisella Montanari"
NOW = timezone.now()


@pytest.fixture
def bins(cat, montalto):
    return catalog_actions.create_service(
        None,
        montalto,
        code="bins",
        name="Overflowing bin",
        group="Waste",
        kind="report",
        located=True,
        anonymous_allowed=True,
        channels=["web", "api"],
        department=cat.department,
    )


def _closed(case: Case, months: int, status: str = "closed") -> Case:
    when = retention.months_ago(NOW, months) - dt.timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(status=status, closed_at=when, resolved_at=when)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def world(charlie, lights, bins, montalto, bob):
    """Requests of a citizen with an account and of an anonymous reporter, closed long ago or
    lately, open, in two services; an idea and comments of a process that ended long ago."""
    charlie.full_name = NAME
    charlie.email = EMAIL
    charlie.phone = PHONE
    charlie.save()
    text = f"Lampione spento davanti al civico 4. {NAME}, tel. {PHONE}"
    old = _closed(
        file_case(
            charlie,
            lights,
            description=text,
            contact_name=NAME,
            contact_email=EMAIL,
            contact_phone=PHONE,
        ),
        25,
    )
    CaseEvent.objects.create(
        case=old,
        kind="message",
        actor=bob,
        is_public=True,
        text=f"Gentile {NAME}, il lampione è riparato.",
        public_text=f"Gentile {NAME}, il lampione è riparato.",
        created_at=old.submitted_at,
    )
    Rating.objects.create(
        case=old, user=charlie, score=4, comment=f"Grazie, {NAME}", created_at=NOW
    )
    assert Follower.objects.filter(case=old, user=charlie).exists()  # filing follows
    anonymous = _closed(
        file_case(
            None,
            lights,
            description=f"Rifiuti. Chiamare {PHONE}",
            contact_name="Lia Nobody",
            contact_email="lia.nobody@example.org",
            contact_phone="",
        ),
        30,
        status="refused",
    )
    recent = _closed(file_case(charlie, lights, description=text), 2)
    still_open = file_case(charlie, lights, description=text)
    Case.objects.filter(pk=still_open.pk).update(
        submitted_at=NOW - dt.timedelta(days=1000), updated_at=NOW - dt.timedelta(days=1000)
    )
    other_service = _closed(file_case(charlie, bins, description=text), 25)
    author = type(charlie).objects.create_user(
        email="gisella@example.org", password="x", full_name=AUTHOR
    )
    process = Process.objects.create(
        administration=montalto, slug="piazze", title="Piazze", is_published=True
    )
    Phase.objects.create(
        process=process,
        kind="ideas",
        name="Idee",
        starts_on=dt.date(2020, 1, 1),
        ends_on=(NOW - dt.timedelta(days=1300)).date(),
    )
    idea = Idea.objects.create(
        process=process,
        title=f"Una fontana, di {AUTHOR}",
        body=f"Scrivetemi: {EMAIL}",
        author=author,
        lat=INSIDE_MONTALTO["lat"],
        lon=INSIDE_MONTALTO["lon"],
    )
    Comment.objects.create(
        administration=montalto, idea=idea, author=charlie, body=f"D'accordo. {NAME}"
    )
    # The audit log holds the reporter's contacts, as any case's creation does.
    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(old.pk)).exists()
    return {
        "old": old,
        "anonymous": anonymous,
        "recent": recent,
        "open": still_open,
        "other": other_service,
        "idea": idea,
    }


def _policies(admin, lights, default=36, own=24):
    actions_retention.set_policy(None, admin, default)
    actions_retention.set_policy(None, admin, own, service=lights)


def _stats():
    return list(
        Case.objects.values("service_id", "status", "channel")
        .annotate(n=Count("id"))
        .order_by("service_id", "status", "channel")
    )


def test_a_run_forgets_the_people_of_records_past_their_period(world, montalto, lights):
    _policies(montalto, lights)
    assert holders(NAME, EMAIL, PHONE, AUTHOR, "lia.nobody")  # they are there before
    stats = _stats()
    run = retention.run(None, montalto, now=NOW)
    # lights has its own 24 months: the 25- and 30-month-old requests; bins follows the 36-month
    # default, so its 25-month-old one stays; recent and open ones stay.
    assert run.counts["cases"] == 2 and run.counts["by_service"] == {"lights": 2}
    assert run.counts["ideas"] == 1 and run.counts["comments"] == 1
    old = Case.objects.get(pk=world["old"].pk)
    assert old.submitted_by_id is None and old.contact_email == "" and old.address == ""
    assert NAME not in old.description and PHONE not in old.description
    assert "Lampione spento" in old.description  # the text stays, redacted
    assert (old.lat, old.lon) != (world["old"].lat, world["old"].lon)  # coarsened
    assert not CaseEvent.objects.filter(case=old, public_text__contains=NAME).exists()
    rating = Rating.objects.get(case=old)
    assert rating.user_id is None and rating.score == 4 and NAME not in rating.comment
    assert not Follower.objects.filter(case=old).exists()
    idea = Idea.objects.get(pk=world["idea"].pk)
    assert idea.author_id is None and not idea.show_name
    assert AUTHOR not in idea.title and EMAIL not in idea.body
    # Not due: untouched.
    for key in ("recent", "open", "other"):
        assert Case.objects.get(pk=world[key].pk).description == world[key].description
    # The statistics stay; the chain verifies; the log says it happened, not what was there.
    assert _stats() == stats
    result = audit.verify()
    assert result.ok, result.problems
    entry = AuditEntry.objects.get(action="privacy.retention")
    assert entry.after == {"cases": 2, "ideas": 1, "comments": 1}
    assert AuditEntry.objects.filter(action=audit.ERASED).exists()
    # Nothing of the anonymised people is left in any column but the author's own account
    # (retention forgets people in records; accounts end by their owner's erasure).
    left = holders("lia.nobody", AUTHOR)
    assert left == [f"core_user.full_name ~ {AUTHOR}"], left
    due_ids = {str(world["old"].pk), str(world["anonymous"].pk)}
    assert not any(
        NAME in str(e.before) + str(e.after) + e.object_repr
        for e in AuditEntry.objects.filter(object_type="cases.case", object_id__in=due_ids)
    )


def test_a_second_run_passes_the_anonymised_records_by(world, montalto, lights):
    _policies(montalto, lights)
    retention.run(None, montalto, now=NOW)
    again = retention.run(None, montalto, now=NOW)
    assert again.counts["cases"] == again.counts["ideas"] == again.counts["comments"] == 0
    assert Anonymised.objects.count() == 4


def test_a_dry_run_counts_the_same_and_changes_nothing(world, montalto, lights):
    _policies(montalto, lights)
    before = list(Case.objects.order_by("pk").values())
    entries = AuditEntry.objects.count()
    dry = retention.dry_run(None, montalto, now=NOW)
    assert list(Case.objects.order_by("pk").values()) == before
    assert AuditEntry.objects.count() == entries + 1  # only the record of the dry run
    assert dry.dry_run and not Anonymised.objects.exists()
    real = retention.run(None, montalto, now=NOW)
    for kind in retention.KINDS:
        assert dry.counts[kind] == real.counts[kind]
    assert dry.counts["by_service"] == real.counts["by_service"]


def test_no_policy_no_anonymisation(world, montalto):
    run = retention.run(None, montalto, now=NOW)
    assert run.counts["cases"] == run.counts["ideas"] == 0
    assert Case.objects.get(pk=world["old"].pk).contact_email == EMAIL


def test_a_service_policy_alone_leaves_participation_alone(world, montalto, lights):
    actions_retention.set_policy(None, montalto, 24, service=lights)
    run = retention.run(None, montalto, now=NOW)
    assert run.counts["cases"] == 2 and run.counts["ideas"] == run.counts["comments"] == 0


def test_no_log_line_carries_the_personal_data(world, montalto, lights, caplog):
    _policies(montalto, lights)
    with caplog.at_level(logging.DEBUG):
        retention.run(None, montalto, now=NOW)
    text = "\n".join(r.getMessage() for r in caplog.records)
    for needle in (NAME, EMAIL, PHONE, AUTHOR):
        assert needle not in text


def test_policies_are_validated_and_audited(montalto, lagoverde, lights, lv_lights):
    from django.core.exceptions import ValidationError

    for bad in (0, 601, -3, "12"):
        with pytest.raises(ValidationError):
            actions_retention.set_policy(None, montalto, bad)
    with pytest.raises(ValidationError):
        actions_retention.set_policy(None, montalto, 12, service=lv_lights)
    actions_retention.set_policy(None, montalto, 12)
    actions_retention.set_policy(None, montalto, 18)
    assert RetentionPolicy.objects.get(administration=montalto, service=None).months == 18
    actions_retention.set_policy(None, montalto, None)
    assert not RetentionPolicy.objects.filter(administration=montalto).exists()
    actions = list(
        AuditEntry.objects.filter(action="privacy.retention_policy").values_list("after", flat=True)
    )
    assert actions == [{"months": 12}, {"months": 18}, None]


# --- the data steward's screen ---------------------------------------------------------------


def test_the_screen_answers_only_the_steward_of_the_administration(client, elena, bob, oscar):
    url = reverse("privacy:staff_retention", args=["montalto"])
    assert client.get(url).status_code == 302
    assert sign_in(client, bob).get(url).status_code == 403
    assert sign_in(client, oscar).get(url).status_code == 404
    assert sign_in(client, bob).post(url, {"action": "dry_run"}).status_code == 403
    assert sign_in(client, elena).get(url).status_code == 200


def test_the_steward_sets_periods_runs_a_dry_run_and_a_run(
    client,
    elena,
    world,
    montalto,
    lights,
    lv_lights,
):
    sign_in(client, elena)
    url = reverse("privacy:staff_retention", args=["montalto"])
    assert client.post(url, {"action": "default", "months": "36"}).status_code == 302
    saved = client.post(url, {"action": "service", "service": lights.pk, "months": "24"})
    assert saved.status_code == 302
    assert RetentionPolicy.objects.get(service=lights).months == 24
    page = client.get(url).content.decode()
    assert "24 months" in page and "36 months (default)" in page
    dry = client.post(url, {"action": "dry_run"}, follow=True)
    assert "would anonymise 2 requests, 1 ideas and 1 comments" in dry.content.decode()
    assert Case.objects.get(pk=world["old"].pk).contact_email == EMAIL
    refused = client.post(url, {"action": "run"})
    assert refused.status_code == 400 and not RetentionRun.objects.filter(dry_run=False).exists()
    done = client.post(url, {"action": "run", "understood": "on"}, follow=True)
    assert "Anonymised 2 requests, 1 ideas and 1 comments." in done.content.decode()
    assert Case.objects.get(pk=world["old"].pk).contact_email == ""
    runs = client.get(url).content.decode()
    assert "dry run" in runs and NAME not in runs and EMAIL not in runs
    # A service of another administration: 404, nothing saved.
    other = client.post(url, {"action": "service", "service": lv_lights.pk, "months": "6"})
    assert other.status_code == 404 and not RetentionPolicy.objects.filter(service=lv_lights)
    # Clearing a service's period falls back to the default.
    client.post(url, {"action": "service", "service": lights.pk, "months": ""})
    assert not RetentionPolicy.objects.filter(service=lights).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "default", "months": "0"},
        {"action": "default", "months": "601"},
        {"action": "default", "months": "abc"},
        {"action": "default", "months": "1e3"},
        {"action": "service", "service": "x", "months": "3"},
        {"action": "service", "service": "99999999999999999999", "months": "3"},
        {"action": "service", "months": "3"},
        {"action": "explode"},
        {},
    ],
)
def test_bad_input_is_a_400_with_a_message(client, elena, montalto, lights, data):
    sign_in(client, elena)
    response = client.post(reverse("privacy:staff_retention", args=["montalto"]), data)
    assert response.status_code == 400
    assert not RetentionPolicy.objects.exists()


# --- the command and the job -----------------------------------------------------------------


def test_the_command_runs_dry_and_for_real(world, montalto, lights):
    _policies(montalto, lights)
    out = StringIO()
    call_command("privacy", "retention", "--dry-run", stdout=out)
    assert "montalto: would anonymise 2 cases, 1 ideas, 1 comments" in out.getvalue()
    out = StringIO()
    call_command("privacy", "retention", "--administration", "montalto", stdout=out)
    assert "montalto: anonymised 2 cases" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("privacy", "retention", "--administration", "nowhere")


def test_the_periodic_task_runs_every_policy(world, montalto, lights):
    from insieme.privacy.tasks import retention_all

    _policies(montalto, lights, default=36, own=24)
    # The task uses the real clock: the fixture's dates are relative to it.
    assert retention_all() == 4


@given(
    when=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    months=st.integers(min_value=1, max_value=600),
)
def test_months_ago_moves_back_whole_months(when, months):
    back = retention.months_ago(when, months)
    assert (when.year * 12 + when.month) - (back.year * 12 + back.month) == months
    assert back.day <= when.day and back.time() == when.time()
    assert back < when
