"""`insieme demo [--requests N] [--seed S]`: load the demo region (idempotent) and print logins."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import override_settings

from insieme.core import progress
from insieme.demo.generator import (
    DEFAULT_REQUESTS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoResult,
    load_demo,
)


class Command(BaseCommand):
    help = (
        "Load the demo region Valdoro: a region, three municipalities, staff, partners, the "
        "service catalogue and its legal basis. Deterministic from --seed; a second run changes "
        "nothing and prints the logins again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=DEFAULT_REQUESTS,
            help=f"Service requests to generate (default {DEFAULT_REQUESTS}).",
        )
        parser.add_argument(
            "--ground-truth",
            default=None,
            help="Where to write the ground truth (default var/demo/ground-truth.json).",
        )

    def handle(self, *args, **options) -> None:
        if options["requests"] < 0:
            raise CommandError("--requests must be zero or more.")
        path = Path(options["ground_truth"]) if options["ground_truth"] else None
        # Progress goes to standard error (the summary and logins stay on standard output).
        stream = getattr(self.stderr, "_out", self.stderr)  # tqdm writes the raw stream
        listening = progress.reporting(stream) if options["verbosity"] >= 1 else nullcontext()
        # The demo's people are invented: what its actions would e-mail them (answers to ideas,
        # merges, evaluators' assignments) is made and dropped, never printed among the logins
        # by the default console backend or sent to a configured mail server.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        with listening, quiet:
            result = load_demo(
                seed=options["seed"], requests=options["requests"], ground_truth=path
            )
        for line in report_lines(result):
            self.stdout.write(line)


def report_lines(result: DemoResult) -> list[str]:
    """The summary printed after a run."""
    lines = _status_lines(result)
    lines += _login_lines(result)
    return lines


def _status_lines(result: DemoResult) -> list[str]:
    c = result.counts
    if result.created:
        head = [f"Demo region loaded in {result.seconds:.1f} s (seed {result.seed})."]
    else:
        head = [
            "The demo region is already loaded; nothing was changed. "
            "(To start again, delete the database and run migrate and demo.)"
        ]
    head.append(
        f"  {c.get('administrations', 0)} administrations, {c.get('departments', 0)} departments, "
        f"{c.get('staff', 0)} staff roles, {c.get('partners', 0)} partner organisations, "
        f"{c.get('citizens', 0)} citizens"
    )
    head.append(
        f"  {c.get('regulations', 0)} regulations with {c.get('provisions', 0)} provisions, "
        f"{c.get('templates', 0)} shared templates, {c.get('services', 0)} services "
        f"({c.get('services_on_templates', 0)} on templates), {c.get('traces', 0)} traces"
    )
    if result.created:
        head.append(f"  Ground truth: {result.ground_truth_path}")
    head += [f"  {m}" for m in result.messages]
    return head


def _login_lines(result: DemoResult) -> list[str]:
    lines = ["", f"Demo logins (every account's password: {DEMO_PASSWORD})"]
    current = None
    for login in result.logins:
        if login.administration != current and login.role not in ("Citizen", "Partner"):
            current = login.administration
            lines.append(f"  {current}")
        if login.role in ("Citizen", "Partner"):
            where = f" ({login.administration})" if login.administration else ""
            lines.append(f"  {login.role + ':':<19} {login.email:<48} {login.name}{where}")
        else:
            lines.append(f"    {login.role:<17} {login.email:<48} {login.name}")
    if result.totp_key:
        lines += [
            "",
            "Administrators sign in in two steps: after the password, a code from an",
            f"authenticator app with this key (the same for every demo administrator): "
            f"{result.totp_key}",
            "or the code printed by: .venv/bin/insieme otp code EMAIL",
        ]
    if result.api_key:
        lines += [
            "",
            f"Demo API key ({result.api_key_administration}; for the demo only, "
            f"derived from the seed): {result.api_key}",
            f"  scopes: {', '.join(result.api_key_scopes)} (no personal data, no internal "
            "notes: `insieme apikey create --all-scopes` makes a key that reads them)",
        ]
    return lines
