"""`insieme opinion-groups SLUG --json`: each participant's opinion group in a process's
conversation, as one JSON object {participant id: group number}. Imported participants are named
by their Pol.is id; participants left unclustered are left out."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the opinion groups of a process's conversation."

    def add_arguments(self, parser):
        parser.add_argument("process", metavar="SLUG")
        parser.add_argument("--administration", metavar="SLUG")
        parser.add_argument("--json", action="store_true", help="One JSON object (the default).")

    def handle(self, *args, **options):
        from insieme.deliberation import actions
        from insieme.deliberation.models import Conversation, Participant
        from insieme.deliberation.processes import find_process

        process = find_process(options["process"], options.get("administration"))
        conversation = Conversation.objects.filter(process=process).first()
        if conversation is None:
            raise CommandError(f"{process.slug}: this process has no conversation")
        computation = actions.compute_groups(conversation)
        groups = (computation.result or {}).get("groups", {})
        labels = dict(
            Participant.objects.filter(conversation=conversation).values_list("pk", "external_id")
        )
        out = {(labels.get(int(pk)) or f"insieme-{pk}"): group for pk, group in groups.items()}
        self.stdout.write(json.dumps(out, sort_keys=True))
