"""Following a process (told when a new phase begins) or an idea (told of official answers), and
the announcement of phases: once per phase, whether by the hourly job or when staff add a phase
that is running already."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail
from django.core.management import call_command

from insieme.core.models import AuditEntry, today_in
from insieme.participation import actions
from insieme.participation.models import Follow, PhaseKind
from tests.participation.conftest import idea_url, make_process, process_url


def test_follow_and_unfollow_a_process_and_an_idea(persona_client, idea, sara):
    client = persona_client(sara)
    assert client.post(process_url(idea.process) + "follow/").status_code == 302
    assert client.post(process_url(idea.process) + "follow/").status_code == 302  # once
    assert Follow.objects.filter(user=sara, process=idea.process).count() == 1
    assert "You follow this process" in client.get(process_url(idea.process)).content.decode()
    assert client.post(idea_url(idea) + "follow/").status_code == 302
    assert "You follow this idea" in client.get(idea_url(idea)).content.decode()
    assert client.post(idea_url(idea) + "unfollow/").status_code == 302
    assert client.post(process_url(idea.process) + "unfollow/").status_code == 302
    assert not Follow.objects.filter(user=sara).exists()
    audited = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"participation.followed", "participation.unfollowed"} <= audited


def test_followers_are_told_when_a_phase_begins(
    montalto, carla, sara, django_capture_on_commit_callbacks
):
    process = make_process(montalto, carla)
    actions.follow(sara, process=process)
    voting = process.phases.get(kind=PhaseKind.VOTING)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.announce_phases() == 0  # ideation was announced when it was added
    assert not mail.outbox
    start = dt.datetime.combine(voting.starts_on, dt.time(9), dt.UTC)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert actions.announce_phases() == 1
        assert actions.announce_phases() == 0  # once per phase, however often the job runs
    assert [m.to for m in mail.outbox] == [["sara@example.org"]]
    assert "Voting" in mail.outbox[0].subject and process_url(process) in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="participation.phase.started")
    assert entry.actor is None and entry.actor_label == "system"


def test_a_phase_added_while_running_is_announced_at_once(
    montalto, carla, sara, django_capture_on_commit_callbacks
):
    process = make_process(montalto, carla, phases=[PhaseKind.IDEATION], current=None)
    actions.follow(sara, process=process)
    today = today_in(montalto)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_phase(
            carla,
            process,
            kind=PhaseKind.VOTING,
            starts_on=today,
            ends_on=today + dt.timedelta(days=5),
        )
    assert [m.to for m in mail.outbox] == [["sara@example.org"]]


def test_the_command_runs_the_announcement(montalto, carla, capsys):
    make_process(montalto, carla)
    call_command("participation_phases")
    assert "0 phase(s) announced" in capsys.readouterr().out


def test_followers_who_lost_access_are_not_told(
    montalto, carla, bob, django_capture_on_commit_callbacks
):
    from insieme.core import actions as core_actions
    from insieme.core.models import Membership
    from insieme.participation.models import Audience

    box = make_process(montalto, carla, slug="cassetta", audience=Audience.EMPLOYEES)
    actions.follow(bob, process=box)
    idea = actions.create_idea(bob, box, title="Idea", body="Testo", limit=False)
    core_actions.remove_membership(None, Membership.objects.get(user=bob))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.answer_idea(carla, idea, kind="accepted")
    assert not mail.outbox  # bob left: the internal idea box is no longer his to read
