"""Benchmark of the opinion groups (insieme.deliberation.opinion) against red-dwarf, the Python
reimplementation of Pol.is's math, on the same data:

- on three real Pol.is exports (tests/conformance/polis): the Adjusted Rand Index of each one's
  groups against the groups Pol.is published (`group-id`), over the participants that both
  Pol.is and the method grouped (coverage printed), and each one's time from the list of votes
  to the groups;
- on a synthetic conversation with planted groups (10,000 participants x 500 statements, about
  28 votes each; 2,000 x 200 at BENCH_SIZE=small): the time of each, red-dwarf as the baseline.

Both methods get the same votes and the same statements left out: the moderated-out ones and
the "meta" ones, which Pol.is leaves out of its math too (the exports do not flag them, so they
are restated in META_STATEMENTS from their text). Insieme computes each export with the Pol.is
math of the time the conversation ended (`published_settings`): exports whose last vote predates
2017-10-21 were grouped by the older math, which imputed unseen votes as 0. Red-dwarf has no such
option and runs with its defaults. See docs/decisions/001-opinion-groups.md.
"""

from __future__ import annotations

import os
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from insieme.core.registry import BenchLine
from insieme.deliberation.opinion import (
    DEFAULT,
    POLIS_2017,
    Settings,
    opinion_groups,
    planted_conversation,
    vote_matrix,
)
from insieme.deliberation.polis_files import PolisExport, read_export

EXPORTS = Path(__file__).resolve().parents[2] / "tests" / "conformance" / "polis"
CONVERSATIONS = {
    "15-per-hour-seattle": "seattle",
    "brexit-consensus": "brexit",
    "scoop-hivemind.ubi": "scoop_ubi",
}
# Statements about the participant rather than opinions, which the conversations' owners marked
# "meta" (Pol.is leaves them out of the math like moderated-out ones). The exports do not carry
# the flag; restated from the text: "I voted to Leave/Remain", "I consider myself working/middle
# class", "I can speak a European language"; age, place, benefits, gender and work (32-42).
META_STATEMENTS = {
    "brexit-consensus": (0, 1, 10, 11, 15),
    "scoop-hivemind.ubi": tuple(range(32, 43)),
}
# Pol.is switched from imputing unseen votes as 0 to imputing the statement's mean, and stopped
# counting zeroed (moderated-out) cells as votes, in October 2017 (polisMath 90b5b9e, 30355e1).
MEAN_IMPUTATION_SINCE_MS = 1_508_544_000_000  # 2017-10-21T00:00:00Z
SYNTHETIC = {"small": (2_000, 200), "full": (10_000, 500)}
SHARES = (0.4, 0.3, 0.2, 0.1)
SEED = 2017
REPEAT = 3


def published_settings(export: PolisExport) -> Settings:
    """The Pol.is math that computed the export's published groups: its last update ran at the
    last vote."""
    last = export.last_vote_at
    return POLIS_2017 if last is not None and last < MEAN_IMPUTATION_SINCE_MS else DEFAULT


def _insieme(votes, statement_ids, excluded, settings: Settings) -> dict:
    matrix, pids, sids = vote_matrix(votes, statement_ids=statement_ids)
    return opinion_groups(matrix, pids, sids, excluded, settings=settings, seed=SEED).groups


def _red_dwarf():
    """red-dwarf's run_pipeline, or None where it is not installed (it is a dev dependency)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from reddwarf.implementations.polis import run_pipeline
    except ImportError:
        return None

    def run(votes, statement_ids, excluded) -> dict:
        records = [
            {"participant_id": p, "statement_id": s, "vote": v, "modified": i}
            for i, (p, s, v) in enumerate(votes)
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = run_pipeline(
                votes=records, mod_out_statement_ids=list(excluded), random_state=SEED
            )
        labels = result.participants_df["cluster_id"].dropna()
        return {p: int(g) for p, g in labels.items()}

    return run


def _timed(repeat: int, fn, *args):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - started)
    return best, result


def _agreement(found: dict, published: dict) -> tuple[float, int, int]:
    """(ARI, participants compared, groups found among them)."""
    common = [p for p in found if p in published]
    if not common:
        return 0.0, 0, 0
    labels = [found[p] for p in common]
    ari = adjusted_rand_score([published[p] for p in common], labels)
    return float(ari), len(common), len(set(labels))


def run(size: str) -> list[BenchLine]:
    red_dwarf = _red_dwarf()
    lines: list[BenchLine] = []
    ours_ari, theirs_ari = [], []
    if not EXPORTS.is_dir():
        print(f"  opinion groups: no Pol.is exports at {EXPORTS}; real-data figures skipped")
    else:
        print("  opinion groups vs the groups Pol.is published (ARI; coverage; k found/published)")
        for folder, slug in CONVERSATIONS.items():
            export = read_export(EXPORTS / folder)
            votes = [(v.participant_id, v.comment_id, v.vote) for v in export.latest_votes()]
            sids = sorted(c.id for c in export.comments)
            excluded = set(export.moderated_out) | set(META_STATEMENTS.get(folder, ()))
            settings = published_settings(export)
            seconds, found = _timed(REPEAT, _insieme, votes, sids, excluded, settings)
            ari, covered, k = _agreement(found, export.groups)
            current_ari = _agreement(_insieme(votes, sids, excluded, DEFAULT), export.groups)[0]
            ours_ari.append(ari)
            k_published = len(set(export.groups.values()))
            era = "2017 math" if settings is POLIS_2017 else "current math"
            print(
                f"    {folder}: Insieme {ari:.3f} ({covered}/{len(export.groups)}; k {k}/"
                f"{k_published}; {era}; {current_ari:.3f} with the current math) "
                f"in {seconds * 1e3:.0f} ms",
                end="",
            )
            baseline_ari = baseline_ms = None
            if red_dwarf:
                rd_seconds, rd_found = _timed(REPEAT, red_dwarf, votes, sids, excluded)
                baseline_ari, rd_covered, rd_k = _agreement(rd_found, export.groups)
                baseline_ms = rd_seconds * 1e3
                theirs_ari.append(baseline_ari)
                print(
                    f"; red-dwarf {baseline_ari:.3f} ({rd_covered}/{len(export.groups)}; "
                    f"k {rd_k}) in {baseline_ms:.0f} ms",
                    end="",
                )
            print()
            lines.append(BenchLine(f"opinion_ari_{slug}", ari, "ari", covered, baseline_ari))
            lines.append(
                BenchLine(f"opinion_time_{slug}", seconds * 1e3, "ms", len(votes), baseline_ms)
            )
        mean_ours = statistics.fmean(ours_ari)
        mean_theirs = statistics.fmean(theirs_ari) if theirs_ari else None
        print(
            f"    mean ARI: Insieme {mean_ours:.3f}"
            + (f", red-dwarf {mean_theirs:.3f}" if mean_theirs is not None else "")
        )
        lines.append(BenchLine("opinion_ari_mean", mean_ours, "ari", len(ours_ari), mean_theirs))

    n, m = SYNTHETIC.get(size, SYNTHETIC["full"])
    matrix, pids, sids, truth = planted_conversation(n, m, SHARES, seed=SEED)
    rows, cols = np.nonzero(~np.isnan(matrix))
    votes = [(int(r), int(c), int(matrix[r, c])) for r, c in zip(rows, cols, strict=True)]
    seconds, found = _timed(1, _insieme, votes, sids, (), DEFAULT)
    planted = {p: int(truth[p]) for p in pids}
    ari = _agreement(found, planted)[0]
    report = (
        f"  synthetic conversation: n={n} participants x {m} statements, {len(votes)} votes, "
        f"{len(SHARES)} planted groups: Insieme {seconds:.2f} s (ARI {ari:.3f} vs planted)"
    )
    baseline = None
    if red_dwarf:
        baseline, rd_found = _timed(1, red_dwarf, votes, sids, ())
        report += f", red-dwarf {baseline:.2f} s (ARI {_agreement(rd_found, planted)[0]:.3f})"
    else:
        report += "; red-dwarf not installed (pip install -e '.[dev]'): no baseline"
    print(report)
    lines.append(BenchLine("opinion_time_synthetic", seconds, "s", n, baseline))
    return lines


if __name__ == "__main__":
    for line in run(os.environ.get("BENCH_SIZE", "full")):
        print(line.format())
