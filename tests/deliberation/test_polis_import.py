"""`insieme polis import DIR --process SLUG` and `insieme opinion-groups SLUG --json`: a real Pol.is
conversation moves into a process, its groups can be compared with those Pol.is published, and a
malformed export is refused with the file and the line, importing nothing."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from sklearn.metrics import adjusted_rand_score

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.deliberation.models import Conversation, Participant, Statement, Vote
from insieme.deliberation.polis_files import read_export
from tests.participation.conftest import make_process

EXPORTS = Path(__file__).resolve().parents[1] / "conformance" / "polis"
BREXIT = EXPORTS / "brexit-consensus"
# Statements that ask about the participant ("I voted Leave"), which Pol.is leaves out of its
# math; the export does not flag them (docs/decisions/001-opinion-groups.md).
BREXIT_META = "0,1,10,11,15"


@pytest.fixture
def process(montalto, carla):
    return make_process(montalto, carla, slug="brexit")


def polis_import(folder, slug="brexit", *extra) -> str:
    out = io.StringIO()
    call_command("polis", "import", str(folder), "--process", slug, *extra, stdout=out)
    return out.getvalue()


def groups_json(slug="brexit", *extra) -> dict:
    out = io.StringIO()
    call_command("opinion-groups", slug, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_brexit_moves_in_and_its_groups_match_those_pol_is_published(process):
    printed = polis_import(BREXIT, "brexit", "--meta", BREXIT_META)
    assert "50 statements, 204 participants" in printed
    export = read_export(BREXIT)
    conversation = Conversation.objects.get(process=process)
    assert conversation.math == Conversation.Math.POLIS_2017  # its last vote was in 2017
    assert Statement.objects.filter(conversation=conversation).count() == 50
    assert Statement.objects.filter(conversation=conversation, is_meta=True).count() == 5
    assert Vote.objects.filter(conversation=conversation).count() == len(export.latest_votes())
    moderated_out = Statement.objects.filter(status=Statement.Status.REJECTED)
    assert {int(s.external_id) for s in moderated_out} == set(export.moderated_out)

    groups = groups_json()
    # Pol.is ids, as in the export; only clustered participants.
    assert set(groups) <= {str(p) for p in export.groups} | {
        str(v.participant_id) for v in export.votes
    }
    common = [p for p in groups if int(p) in export.groups]
    assert len(common) >= 0.95 * len(export.groups)
    ari = adjusted_rand_score([export.groups[int(p)] for p in common], [groups[p] for p in common])
    assert ari >= 0.9, ari
    entry = AuditEntry.objects.get(action="deliberation.polis_imported")
    assert entry.after["votes"] == len(export.latest_votes())
    assert audit.verify().ok


def test_importing_the_same_export_again_changes_nothing(process):
    polis_import(BREXIT)
    counts = (Participant.objects.count(), Statement.objects.count(), Vote.objects.count())
    polis_import(BREXIT)
    assert (Participant.objects.count(), Statement.objects.count(), Vote.objects.count()) == counts


def test_participants_votes_alone_is_enough(process, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for name in ("comments.csv", "participants-votes.csv"):
        shutil.copy(BREXIT / name, folder / name)
    polis_import(folder)
    assert Vote.objects.count() == len(read_export(BREXIT).latest_votes())


def _broken_copy(tmp_path, line_no: int) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(BREXIT, folder)
    lines = (folder / "votes.csv").read_text().splitlines()
    parts = lines[line_no - 1].split(",")
    parts[-1] = "7"  # a vote is -1, 0 or 1
    lines[line_no - 1] = ",".join(parts)
    (folder / "votes.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_a_malformed_export_names_the_file_and_line_and_imports_nothing(process, tmp_path):
    folder = _broken_copy(tmp_path, 1234)
    with pytest.raises(CommandError) as raised:
        polis_import(folder)
    message = str(raised.value)
    assert "votes.csv" in message and "line 1234" in message and "Nothing imported" in message
    assert not Conversation.objects.exists() and not Vote.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="deliberation.").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--process", "nope"], "No process 'nope'"),
        (["--process", "brexit", "--meta", "a,b"], "--meta takes comment ids"),
        (["--process", "brexit", "--meta", "999"], "not in the export: 999"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(process, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("polis", "import", str(BREXIT), *args, stdout=io.StringIO())
    assert not Vote.objects.exists()


def test_a_folder_that_is_not_there(process, tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        polis_import(tmp_path / "missing")


def test_a_slug_used_by_two_administrations_needs_the_administration(process, lagoverde):
    make_process(lagoverde, None, slug="brexit")
    with pytest.raises(CommandError, match="add --administration"):
        polis_import(BREXIT)
    polis_import(BREXIT, "brexit", "--administration", "montalto")
    assert Conversation.objects.get().process == process
    assert groups_json("brexit", "--administration", "montalto")


def test_opinion_groups_of_a_process_without_a_conversation(process):
    with pytest.raises(CommandError, match="has no conversation"):
        groups_json()
