"""`insieme topics compute [--administration SLUG] [--seed N]`: compute and store the topics of
each administration with text (or of one), as the nightly job does (for cron, on an installation
without a worker).

`insieme topics quality [--ground-truth FILE] [--seed N]`: on a loaded demo, how well each
municipality's topics recover the categories of the services its case texts are about
(insieme.topics.quality; FILE defaults to the demo's ground truth).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from insieme.core.models import Administration
from insieme.topics import actions, corpus, quality


class Command(BaseCommand):
    help = "Compute the topics of the free text (compute), or measure them on the demo (quality)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="Compute and store the topics.")
        compute.add_argument("--administration", default="", help="Only this administration.")
        compute.add_argument("--seed", type=int, default=actions.DEFAULT_SEED)
        measure = sub.add_parser("quality", help="Measure the topics against the demo's truth.")
        measure.add_argument("--ground-truth", default="", help="The demo's ground-truth file.")
        measure.add_argument("--seed", type=int, default=actions.DEFAULT_SEED)

    def handle(self, *args, **options):
        if options["action"] == "compute":
            self._compute(options["administration"], options["seed"])
        else:
            self._quality(options["ground_truth"], options["seed"])

    def _compute(self, slug: str, seed: int) -> None:
        admins = corpus.administrations_with_text()
        if slug:
            admins = Administration.objects.filter(slug=slug)
            if not admins.exists():
                raise CommandError(f"No administration {slug!r}.")
        for admin in admins:
            try:
                run = actions.compute(None, admin, seed=seed)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(
                f"{admin.slug}: {run.topics.count()} topics in {run.documents} texts "
                f"(seed {run.seed}, {run.seconds:.1f} s)"
            )

    def _quality(self, path: str, seed: int) -> None:
        from insieme.demo.generator import default_ground_truth_path

        file = Path(path) if path else default_ground_truth_path()
        if not file.exists():
            raise CommandError(f"No ground truth at {file}: load the demo first.")
        truth = json.loads(file.read_text()).get("topics")
        if not truth:
            raise CommandError(f"{file} has no section 'topics'.")
        now = timezone.now()
        for slug, categories in sorted(truth.items()):
            admin = Administration.objects.filter(slug=slug).first()
            if admin is None:
                continue
            found = quality.measure(admin, categories, seed, now)
            if not found["n"]:
                self.stdout.write(f"{slug}: no case to measure")
                continue
            self.stdout.write(
                f"{slug}: NMI {found['nmi']:.3f} (shuffled {found['shuffled_nmi']:.3f}), "
                f"purity {found['purity']:.3f}, {found['topics']} topics, {found['n']} cases"
            )
