"""Opinion groups by the Pol.is method, as Pol.is's own math computes them (polismath's
conversation, pca, clusters and repness namespaces), in numpy and scikit-learn only.

One update, from a vote matrix (participants x statements: +1 agree, -1 disagree, 0 pass, NaN
not seen) and the state the previous update left:

1. The matrix holds the statements that have a vote. Moderated-out statements (and "meta"
   statements, which Pol.is treats alike) keep their column but are zeroed, as Pol.is does:
   they carry no variance, yet still count in the sparsity scaling of step 3.
2. Participants "in the conversation" are those with at least min(7, number of statements)
   votes, plus those already in at the previous update (once in, always in), topped up with the
   most active voters while fewer than 15 are in.
3. PCA (2 components) of the matrix with unseen cells imputed by the statement's mean vote.
   Each participant is projected from the cells they voted, and the projection is scaled by
   sqrt(statements / cells voted), so that people who voted little are not bunched at the centre.
4. Base clusters: up to 100 k-means clusters of the in-conversation participants' projections
   (every distinct point is its own base cluster while there are no more than 100).
5. Group clusters: k-means of the base-cluster centres weighted by their sizes, for k from 2 to
   min(5, 2 + base clusters // 12); the k with the best silhouette (over the base-cluster
   centres) wins, but a new k is adopted only after it has won `k_buffer` (4) consecutive
   updates: `smooth_k`. The previous centres seed the k-means of the k in use, so groups stay
   put (and keep their numbers) from one update to the next.
6. Per group, representative statements (Pol.is's repness: agree/disagree proportions with +1/+2
   smoothing, their ratio to the rest of the groups, a one-proportion and a two-proportion
   z-test, both significant at 90 %, ranked by the product of the four, at most five, agreements
   first); consensus statements over everybody; and the group-informed consensus of each
   statement (the product over groups of the smoothed probability of agreeing).

Where Insieme departs from Pol.is, and why (docs/decisions/001-opinion-groups.md): k-means
starts from k-means++ seeds (ten restarts for the groups, one for the base clusters) instead of
the first distinct points. Pol.is starts each update from the last one's clusters; a computation
from scratch with a single start often lands in a poor optimum (on the three real exports: mean
ARI 0.46-0.82 over five seeds with one start, 0.93-0.97 with ten). The state kept between updates
is the k-smoother's, the centres of the k in use, who is in the conversation and the PCA loadings
(not the base clusters, nor the centres of every k). Ties in silhouette go to the smaller k.
Everything is deterministic from `seed`.

`POLIS_2017` reproduces the math as it ran before October 2017 (unseen votes imputed as 0, and
zeroed moderated-out cells counted as votes when deciding who is in the conversation): Pol.is's
published groups of conversations that ended before then were computed that way.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

Z90 = 1.2816  # one-sided z at 90 % confidence, as polismath.math.stats/z-sig-90?


@dataclass(frozen=True)
class Settings:
    min_votes: int = 7  # votes that bring a participant into the conversation
    greedy_n: int = 15  # top up with the most active voters while fewer are in
    base_k: int = 100
    max_k: int = 5
    k_buffer: int = 4  # consecutive wins before a new k is adopted
    group_restarts: int = 10  # k-means++ restarts of the group clustering
    pick_max: int = 5  # representative / consensus statements kept
    impute: str = "mean"  # "mean" (Pol.is since 2017-10) or "zero" (before)
    count_moderated_cells: bool = False  # Pol.is before 2017-10-31 counted zeroed cells as votes

    def __post_init__(self) -> None:
        if self.impute not in ("mean", "zero"):
            raise ValueError("impute must be 'mean' or 'zero'")
        if self.base_k < 2 or self.max_k < 2 or self.k_buffer < 1 or self.group_restarts < 1:
            raise ValueError("base_k and max_k must be at least 2, k_buffer and restarts 1")


DEFAULT = Settings()
POLIS_2017 = Settings(impute="zero", count_moderated_cells=True)


@dataclass(frozen=True)
class GroupingState:
    """What the next update needs: the k in use, the k that won the last update and how many
    consecutive updates it has won, the group centres, who is in the conversation, and the PCA
    loadings (to keep the axes' orientation). `as_json`/`from_json` for storage."""

    k: int | None = None
    candidate_k: int | None = None
    streak: int = 0
    centres: tuple[tuple[float, float], ...] = ()
    in_conversation: frozenset = frozenset()
    components: Mapping[Hashable, tuple[float, float]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "candidate_k": self.candidate_k,
            "streak": self.streak,
            "centres": [list(c) for c in self.centres],
            "in_conversation": sorted(self.in_conversation, key=_sort_key),
            "components": [[sid, a, b] for sid, (a, b) in self.components.items()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> GroupingState | None:
        if not data:
            return None
        return cls(
            k=data.get("k"),
            candidate_k=data.get("candidate_k"),
            streak=int(data.get("streak") or 0),
            centres=tuple((float(x), float(y)) for x, y in data.get("centres") or ()),
            in_conversation=frozenset(data.get("in_conversation") or ()),
            components={sid: (float(a), float(b)) for sid, a, b in data.get("components") or ()},
        )


@dataclass(frozen=True)
class RepresentativeStatement:
    statement_id: Hashable
    repful_for: str  # "agree" or "disagree"
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False


@dataclass(frozen=True)
class ConsensusStatement:
    statement_id: Hashable
    direction: str  # "agree" or "disagree"
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


@dataclass(frozen=True)
class BaseCluster:
    id: int
    centre: tuple[float, float]
    members: tuple[Hashable, ...]
    group: int


@dataclass(frozen=True)
class OpinionGroups:
    """The result of one update. `groups` maps each clustered participant to a group number
    (0..k-1); `coordinates` holds every voter's 2-D position; `state` goes to the next update."""

    groups: dict[Hashable, int]
    group_sizes: tuple[int, ...]
    group_centres: tuple[tuple[float, float], ...]
    coordinates: dict[Hashable, tuple[float, float]]
    base_clusters: tuple[BaseCluster, ...]
    k: int
    best_k: int | None
    silhouettes: dict[int, float]
    repness: dict[int, tuple[RepresentativeStatement, ...]]
    consensus: dict[str, tuple[ConsensusStatement, ...]]
    group_informed_consensus: dict[Hashable, float]
    state: GroupingState
    # Each voted, active statement's weight for being shown next (see `priority`).
    priorities: dict[Hashable, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON types; dictionary keys become strings, as JSON wants."""

        def stats(items):
            return [{k: _plain(v) for k, v in vars(item).items()} for item in items]

        return {
            "k": self.k,
            "best_k": self.best_k,
            "groups": {str(p): g for p, g in self.groups.items()},
            "group_sizes": list(self.group_sizes),
            "group_centres": [list(c) for c in self.group_centres],
            "coordinates": {str(p): list(xy) for p, xy in self.coordinates.items()},
            "base_clusters": [
                {"id": b.id, "centre": list(b.centre), "members": list(b.members), "group": b.group}
                for b in self.base_clusters
            ],
            "silhouettes": {str(k): s for k, s in self.silhouettes.items()},
            "repness": {str(g): stats(items) for g, items in self.repness.items()},
            "consensus": {d: stats(items) for d, items in self.consensus.items()},
            "group_informed_consensus": {
                str(s): v for s, v in self.group_informed_consensus.items()
            },
            "priorities": {str(s): v for s, v in self.priorities.items()},
            "state": self.state.as_json(),
        }


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _sort_key(value):
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))


# --- the vote matrix -----------------------------------------------------------------------


def vote_matrix(
    votes: Iterable[Sequence],
    participant_ids: Sequence[Hashable] | None = None,
    statement_ids: Sequence[Hashable] | None = None,
) -> tuple[np.ndarray, list, list]:
    """Build the matrix from (participant, statement, vote[, ...]) rows; a later row for the same
    pair replaces an earlier one (pass rows in time order). Ids default to those seen, sorted."""
    rows = [(v[0], v[1], v[2]) for v in votes]
    if participant_ids is None:
        participant_ids = sorted({r[0] for r in rows}, key=_sort_key)
    if statement_ids is None:
        statement_ids = sorted({r[1] for r in rows}, key=_sort_key)
    p_index = {p: i for i, p in enumerate(participant_ids)}
    s_index = {s: i for i, s in enumerate(statement_ids)}
    matrix = np.full((len(participant_ids), len(statement_ids)), np.nan)
    if rows:
        try:
            r = np.fromiter((p_index[p] for p, _, _ in rows), dtype=np.int64, count=len(rows))
            c = np.fromiter((s_index[s] for _, s, _ in rows), dtype=np.int64, count=len(rows))
        except KeyError as exc:
            raise ValueError(f"vote for an unknown participant or statement: {exc}") from None
        v = np.fromiter((float(x) for _, _, x in rows), dtype=float, count=len(rows))
        flat = r * len(statement_ids) + c
        # The last row of each pair wins: unique over the reversed order keeps the latest.
        _, last = np.unique(flat[::-1], return_index=True)
        keep = len(flat) - 1 - last
        matrix[r[keep], c[keep]] = v[keep]
    return matrix, list(participant_ids), list(statement_ids)


# --- statistics (polismath.math.stats / repness) --------------------------------------------


def prop_test(successes, trials):
    """Pol.is's one-proportion z-test against 1/2, with a +1 pseudo-count on both counts."""
    s = np.asarray(successes, dtype=float) + 1
    n = np.asarray(trials, dtype=float) + 1
    return 2 * np.sqrt(n) * (s / n - 0.5)


def two_prop_test(succ_in, succ_out, n_in, n_out):
    """Pol.is's two-proportion z-test (in-group vs the rest), +1 on all four counts; 0 where the
    pooled proportion is 1."""
    s1 = np.asarray(succ_in, dtype=float) + 1
    s2 = np.asarray(succ_out, dtype=float) + 1
    n1 = np.asarray(n_in, dtype=float) + 1
    n2 = np.asarray(n_out, dtype=float) + 1
    pooled = (s1 + s2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return np.where(pooled >= 1, 0.0, z)


class _Tally:
    """Boolean agree / disagree / seen matrices, summed over any set of rows."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.agree = matrix == 1
        self.disagree = matrix == -1
        self.seen = ~np.isnan(matrix)

    def rows(self, index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            self.agree[index].sum(axis=0),
            self.disagree[index].sum(axis=0),
            self.seen[index].sum(axis=0),
        )

    def groups(self, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(k x statements) agree, disagree and seen counts of the rows labelled 0..k-1."""
        per_group = [self.rows(np.flatnonzero(labels == g)) for g in range(k)]
        return tuple(np.array([c[i] for c in per_group], dtype=float) for i in range(3))


def _finalize(sid, st: dict, best_agree: bool = False) -> RepresentativeStatement:
    if st["rat"] > st["rdt"]:
        values = ("agree", st["na"], st["pa"], st["pat"], st["ra"], st["rat"])
    else:
        values = ("disagree", st["nd"], st["pd"], st["pdt"], st["rd"], st["rdt"])
    repful, n_success, p_success, p_test, repness, repness_test = values
    return RepresentativeStatement(
        statement_id=sid,
        repful_for=repful,
        n_success=int(n_success),
        n_trials=int(st["ns"]),
        p_success=float(p_success),
        p_test=float(p_test),
        repness=float(repness),
        repness_test=float(repness_test),
        best_agree=best_agree,
    )


def _metric(r: RepresentativeStatement) -> float:
    return r.repness * r.repness_test * r.p_success * r.p_test


def _beats_best_agree(st: dict, best: dict | None) -> bool:
    if st["na"] == 0 and st["nd"] == 0:
        return False
    if best is not None and best["ra"] > 1.0:
        return st["ra"] * st["rat"] * st["pa"] * st["pat"] > (
            best["ra"] * best["rat"] * best["pa"] * best["pat"]
        )
    if best is not None:
        return st["pa"] * st["pat"] > best["pa"] * best["pat"]
    return bool(st["pat"] > Z90 or (st["ra"] > 1.0 and st["pa"] > 0.5))


def select_representative(
    statement_ids: Sequence[Hashable], stats: Mapping[str, np.ndarray], pick_max: int = 5
) -> tuple[RepresentativeStatement, ...]:
    """Pol.is's select-rep-comments for one group, given per-statement arrays na, nd, ns, pa, pd,
    pat, pdt, ra, rd, rat, rdt (in statement order): the statements significant at 90 % for both
    tests of one direction, ranked by repness x test x probability x test, the best agreed one
    first, at most `pick_max`, agreements before disagreements; when none is significant, the
    best agreed (or failing that the best) statement alone."""
    sufficient: list[RepresentativeStatement] = []
    best: RepresentativeStatement | None = None
    best_agree: tuple[Hashable, dict] | None = None
    keys = ("na", "nd", "ns", "pa", "pd", "pat", "pdt", "ra", "rd", "rat", "rdt")
    for i, sid in enumerate(statement_ids):
        st = {k: float(stats[k][i]) for k in keys}
        if (st["rat"] > Z90 and st["pat"] > Z90) or (st["rdt"] > Z90 and st["pdt"] > Z90):
            sufficient.append(_finalize(sid, st))
        if not sufficient and (best is None or max(st["rat"], st["rdt"]) > best.repness_test):
            best = _finalize(sid, st)
        if _beats_best_agree(st, best_agree[1] if best_agree else None):
            best_agree = (sid, st)
    head = [_finalize(best_agree[0], best_agree[1], best_agree=True)] if best_agree else []
    if not sufficient:
        return tuple(head or ([best] if best else []))
    chosen_id = head[0].statement_id if head else None
    ranked = sorted(
        (r for r in sufficient if r.statement_id != chosen_id), key=_metric, reverse=True
    )
    picked = (head + ranked)[:pick_max]
    return tuple(
        [r for r in picked if r.repful_for == "agree"]
        + [r for r in picked if r.repful_for == "disagree"]
    )


def repness(
    matrix: np.ndarray,
    labels: np.ndarray,
    k: int,
    statement_ids: Sequence[Hashable],
    pick_max: int = 5,
    tally: _Tally | None = None,
) -> dict[int, tuple[RepresentativeStatement, ...]]:
    """Representative statements of each group. `labels` gives each row's group (-1: not
    clustered; such rows count for no group)."""
    if not k or not len(statement_ids):
        return {g: () for g in range(k)}
    na, nd, ns = (tally or _Tally(matrix)).groups(labels, k)
    na_all, nd_all, ns_all = na.sum(0), nd.sum(0), ns.sum(0)
    result = {}
    for g in range(k):
        na_r, nd_r, ns_r = na_all - na[g], nd_all - nd[g], ns_all - ns[g]
        pa = (na[g] + 1) / (ns[g] + 2)
        pd = (nd[g] + 1) / (ns[g] + 2)
        stats = {
            "na": na[g],
            "nd": nd[g],
            "ns": ns[g],
            "pa": pa,
            "pd": pd,
            "pat": prop_test(na[g], ns[g]),
            "pdt": prop_test(nd[g], ns[g]),
            "ra": pa / ((na_r + 1) / (ns_r + 2)),
            "rd": pd / ((nd_r + 1) / (ns_r + 2)),
            "rat": two_prop_test(na[g], na_r, ns[g], ns_r),
            "rdt": two_prop_test(nd[g], nd_r, ns[g], ns_r),
        }
        result[g] = select_representative(statement_ids, stats, pick_max)
    return result


def consensus(
    matrix: np.ndarray,
    statement_ids: Sequence[Hashable],
    pick_max: int = 5,
    tally: _Tally | None = None,
) -> dict[str, tuple[ConsensusStatement, ...]]:
    """Pol.is's consensus statements over all voters: smoothed probability above 1/2 and
    significant at 90 %, ranked by probability x z, at most `pick_max` per direction."""
    tally = tally or _Tally(matrix)
    na, nd, ns = (c.sum(axis=0).astype(float) for c in (tally.agree, tally.disagree, tally.seen))
    result = {}
    for direction, n in (("agree", na), ("disagree", nd)):
        p = (n + 1) / (ns + 2)
        z = prop_test(n, ns)
        ok = np.flatnonzero((p > 0.5) & (z > Z90))
        order = sorted(ok, key=lambda i: (-(p[i] * z[i]), i))[:pick_max]
        result[direction] = tuple(
            ConsensusStatement(
                statement_ids[i], direction, int(n[i]), int(ns[i]), float(p[i]), float(z[i])
            )
            for i in order
        )
    return result


def group_informed_consensus(
    matrix: np.ndarray,
    labels: np.ndarray,
    k: int,
    statement_ids: Sequence[Hashable],
    tally: _Tally | None = None,
) -> dict[Hashable, float]:
    """Per statement, the product over groups of (agrees + 1) / (seen + 2)."""
    if not k:
        return {}
    na, _, ns = (tally or _Tally(matrix)).groups(labels, k)
    values = np.prod((na + 1) / (ns + 2), axis=0)
    return {sid: float(v) for sid, v in zip(statement_ids, values, strict=True)}


# --- participants, projection, clusters -----------------------------------------------------


def in_conversation(
    counts: np.ndarray,
    participant_ids: Sequence[Hashable],
    n_statements: int,
    previous: Collection[Hashable] = (),
    settings: Settings = DEFAULT,
) -> np.ndarray:
    """Pol.is's in-conv rule, as a boolean mask over participants: at least min(7, statements)
    votes, or already in; while fewer than 15 are in, the most active others (ties: first
    listed first) join."""
    counts = np.asarray(counts)
    mask = counts >= min(settings.min_votes, n_statements)
    if previous:
        mask |= np.fromiter((p in previous for p in participant_ids), bool, len(participant_ids))
    missing = settings.greedy_n - int(mask.sum())
    if missing > 0:
        for i in np.argsort(-counts, kind="stable"):
            if missing <= 0:
                break
            if not mask[i] and counts[i] > 0:
                mask[i] = True
                missing -= 1
    return mask


def _top_eigen(gram: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The `n` largest eigenvalues and their eigenvectors (columns) of a symmetric positive
    semi-definite matrix. Small matrices: a full decomposition. Larger: subspace iteration
    (Pol.is finds its components by power iteration too) with a block of 8 vectors and a
    Rayleigh-Ritz step every 5, until the residuals fall below 1e-7 of the top eigenvalue or
    after 150 steps (where the eigenvalues are so close that the axes hardly matter)."""
    m = gram.shape[0]
    if m <= 64:
        values, vectors = np.linalg.eigh(gram)
        order = np.argsort(values)[::-1][:n]
        return values[order], vectors[:, order]
    basis = np.linalg.qr(np.random.default_rng(0).standard_normal((m, 8)))[0]
    for step in range(1, 151):
        basis = np.linalg.qr(gram @ basis)[0]
        if step % 5:
            continue
        projected = basis.T @ gram @ basis
        values, rotation = np.linalg.eigh((projected + projected.T) / 2)
        order = np.argsort(values)[::-1]
        values, basis = values[order], basis @ rotation[:, order]
        residual = np.linalg.norm(gram @ basis[:, :n] - basis[:, :n] * values[:n], axis=0)
        if (residual <= 1e-7 * max(values[0], 1e-300)).all():
            break
    return values[:n], basis[:, :n]


def principal_components(centred: np.ndarray, n: int = 2) -> np.ndarray:
    """The first `n` principal axes (rows) of a centred matrix; zero rows where the data has
    fewer dimensions (as Pol.is's wrapped-pca)."""
    rows, cols = centred.shape
    comps = np.zeros((n, cols))
    if rows == 0 or cols == 0:
        return comps
    if rows >= cols:
        gram = centred.T @ centred
        found, vectors = _top_eigen(gram, n)
        axes = vectors.T
    else:
        gram = centred @ centred.T
        found, vectors = _top_eigen(gram, n)
        axes = (centred.T @ vectors).T
        norms = np.linalg.norm(axes, axis=1)
        axes = axes / np.where(norms > 0, norms, 1)[:, None]
    scale = max(float(np.trace(gram)), 1.0)
    for i, (value, axis) in enumerate(zip(found, axes, strict=True)):
        if value > 1e-10 * scale:
            comps[i] = axis
    return comps


def _orient(comps: np.ndarray, statement_ids: Sequence[Hashable], previous: Mapping) -> None:
    """Fix each axis's sign: as the previous update's loadings where they overlap, else with the
    largest loading positive (PCA's sign is arbitrary; a flip would move every group)."""
    for i in range(comps.shape[0]):
        dot = sum(
            comps[i, j] * previous[sid][i] for j, sid in enumerate(statement_ids) if sid in previous
        )
        if abs(dot) > 1e-12:
            if dot < 0:
                comps[i] = -comps[i]
        elif comps.shape[1] and comps[i, np.argmax(np.abs(comps[i]))] < 0:
            comps[i] = -comps[i]


def project(
    rating: np.ndarray,
    settings: Settings = DEFAULT,
    previous_components: Mapping = (),
    ids=(),
    *,
    with_centre: bool = False,
):
    """PCA of the (moderation-zeroed) rating matrix and Pol.is's sparsity-aware projection:
    returns (participants x 2 coordinates, 2 x statements loadings), and the column centres
    when `with_centre`."""
    voted = ~np.isnan(rating)
    if settings.impute == "mean":
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nan_to_num(np.nanmean(rating, axis=0))
        filled = np.where(voted, rating, means)
    else:
        filled = np.where(voted, rating, 0.0)
    centre = filled.mean(axis=0) if len(filled) else np.zeros(rating.shape[1])
    comps = principal_components(filled - centre)
    del filled
    _orient(comps, ids, previous_components or {})
    deviations = np.where(voted, rating - centre, 0.0)
    coords = deviations @ comps.T
    n_votes = voted.sum(axis=1)
    coords *= np.sqrt(rating.shape[1] / np.maximum(n_votes, 1))[:, None]
    if with_centre:
        return coords, comps, centre
    return coords, comps


# --- which statement to show next (Pol.is's comment priority) ---------------------------------

META_PRIORITY = 7.0  # before squaring, as Pol.is: meta statements come early
NEWNESS_BOOST = 8.0  # a statement with no votes is shown up to 1 + 8 times as often
NEWNESS_HALF_LIFE = 5.0  # ... and that boost halves every five votes it gets


def extremity(comps: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """How far a virtual participant who agrees with one statement only, and votes on nothing
    else, lands from the centre of the opinion map (Pol.is's comment extremity): statements that
    pull people apart score high. Same projection as `project`, one vote out of n."""
    n = comps.shape[1]
    if not n:
        return np.zeros(0)
    deviation = 1.0 - centre  # the agree vote minus the statement's mean
    return np.hypot(comps[0] * deviation, comps[1] * deviation) * np.sqrt(n)


def priority(agree, disagree, total, extremity_, meta=False) -> np.ndarray:
    """Pol.is's priority for showing a statement next: agreement and engagement (not passing),
    Laplace-smoothed, times (1 + extremity), boosted while the statement is new, then squared;
    meta statements get a fixed high priority. Statements are drawn at random with these
    weights, so that every statement keeps a chance while divisive and new ones come first."""
    agree, disagree, total, extremity_ = (
        np.asarray(v, dtype=float) for v in (agree, disagree, total, extremity_)
    )
    passes = total - agree - disagree
    p_agree = (agree + 1) / (total + 2)
    p_pass = (passes + 1) / (total + 2)
    importance = p_agree * (1 - p_pass) * (1 + extremity_)
    newness = 1 + NEWNESS_BOOST * np.power(2.0, -total / NEWNESS_HALF_LIFE)
    return np.square(np.where(np.asarray(meta, dtype=bool), META_PRIORITY, importance * newness))


NEW_STATEMENT_PRIORITY = float(priority(0, 0, 0, 0.0))  # no votes, no position yet


def _sq_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, points x centres (a sum over the few dimensions: exact, and
    faster than a matrix product with an inner dimension of 2)."""
    total = np.zeros((len(points), len(centres)))
    for dim in range(points.shape[1]):
        diff = points[:, dim, None] - centres[None, :, dim]
        total += diff * diff
    return total


def _plus_plus(points: np.ndarray, k: int, weights: np.ndarray, rng) -> np.ndarray:
    """k-means++ seeding, weighted: each next centre drawn with probability weight x D^2."""
    chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
    closest = _sq_distances(points, points[chosen])[:, 0]
    for _ in range(1, k):
        mass = weights * closest
        total = mass.sum()
        if total <= 0:
            break
        nxt = int(rng.choice(len(points), p=mass / total))
        chosen.append(nxt)
        closest = np.minimum(closest, _sq_distances(points, points[nxt : nxt + 1])[:, 0])
    return points[chosen].copy()


def _lloyd(points, centres, weights, max_iter, tol=0.0):
    """Weighted Lloyd iterations until no point changes cluster or no centre moves more than
    `tol` (Pol.is stops base clusters at 0.01); an emptied cluster is moved to the point
    farthest from its centre. Returns (labels, centres, inertia)."""
    labels = None
    centres = centres.copy()
    k = len(centres)
    for _ in range(max_iter):
        dist = _sq_distances(points, centres)
        new = dist.argmin(axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        previous = centres.copy()
        mass = np.bincount(labels, weights=weights, minlength=k)
        for dim in range(points.shape[1]):
            total = np.bincount(labels, weights=weights * points[:, dim], minlength=k)
            centres[:, dim] = np.where(
                mass > 0, total / np.where(mass > 0, mass, 1), centres[:, dim]
            )
        for empty in np.flatnonzero(mass == 0):
            far = int(dist[np.arange(len(points)), labels].argmax())
            centres[empty] = points[far]
        if tol and np.sqrt(((centres - previous) ** 2).sum(axis=1)).max() < tol:
            break
    dist = _sq_distances(points, centres)
    labels = dist.argmin(axis=1)
    inertia = float((weights * dist[np.arange(len(points)), labels]).sum())
    return labels, centres, inertia


def kmeans(
    points: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
    *,
    rng: np.random.Generator,
    restarts: int = 1,
    init: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted k-means (numpy; small 2-D data does not pay scikit-learn's thread start-up):
    the lowest-inertia run of `restarts` k-means++ starts, plus `init` as a start of its own,
    kept unless a restart beats it by more than rounding. Returns (labels, centres, inertia)."""
    points = np.asarray(points, dtype=float)
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    best = None
    if init is not None:
        best = _lloyd(points, np.asarray(init, dtype=float), w, max_iter, tol)
    for _ in range(restarts):
        run = _lloyd(points, _plus_plus(points, k, w, rng), w, max_iter, tol)
        if best is None or run[2] < best[2] * (1 - 1e-9) - 1e-12:
            best = run
    return best


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient (unweighted, Euclidean; 0 for a member of a singleton), as
    Pol.is scores a clustering of the base-cluster centres."""
    k = int(labels.max()) + 1
    dist = np.sqrt(_sq_distances(points, points))
    onehot = (labels[:, None] == np.arange(k)[None, :]).astype(float)
    sums = dist @ onehot
    counts = onehot.sum(axis=0)
    idx = np.arange(len(points))
    own = counts[labels]
    a = np.where(own > 1, sums[idx, labels] / np.maximum(own - 1, 1), 0.0)
    means = sums / np.where(counts > 0, counts, 1)
    means[idx, labels] = np.inf
    means[:, counts == 0] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())


def base_clusters(points: np.ndarray, k: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(centres, label of each point): every distinct point is a cluster while there are at most
    `k`; beyond, k-means with k clusters (Pol.is's base clusters)."""
    if len(points) == 0:
        return np.zeros((0, 2)), np.zeros(0, dtype=int)
    distinct, inverse = np.unique(points, axis=0, return_inverse=True)
    if len(distinct) <= k:
        return distinct, inverse.reshape(-1)
    labels, centres, _ = kmeans(points, k, rng=np.random.default_rng(seed), max_iter=100, tol=0.01)
    used = np.unique(labels)
    remap = np.full(k, -1)
    remap[used] = np.arange(len(used))
    return centres[used], remap[labels]


def max_group_k(n_base: int, max_k: int = 5) -> int:
    """Pol.is's max-k-fn: min(max_k, 2 + base clusters // 12), and never more than the bases."""
    return min(max_k, 2 + n_base // 12, n_base)


def group_clusterings(
    centres: np.ndarray,
    weights: np.ndarray,
    settings: Settings = DEFAULT,
    seed: int = 0,
    previous_centres: Sequence[Sequence[float]] = (),
) -> dict[int, tuple[float, np.ndarray, np.ndarray]]:
    """For each candidate k: (silhouette, label per base cluster, group centres). Weighted
    k-means++ with restarts; the previous centres, when there are k of them, are one more start
    (kept unless a restart finds a lower inertia)."""
    result: dict[int, tuple[float, np.ndarray, np.ndarray]] = {}
    n = len(centres)
    previous = np.asarray(previous_centres, dtype=float).reshape(-1, 2)
    for k in range(2, max_group_k(n, settings.max_k) + 1):
        rng = np.random.default_rng([seed, k])
        labels, found, _ = kmeans(
            centres,
            k,
            weights,
            rng=rng,
            restarts=settings.group_restarts,
            init=previous if len(previous) == k else None,
        )
        used = np.unique(labels)
        if len(used) < 2:
            continue
        if len(used) < k:  # a cluster left empty: renumber the ones left
            remap = np.full(k, -1)
            remap[used] = np.arange(len(used))
            labels, found = remap[labels], found[used]
        score = 0.0 if len(used) >= n else silhouette(centres, labels)
        result[k] = (score, labels, found)
    return result


def smooth_k(
    previous: GroupingState | None,
    best_k: int,
    available: Collection[int] = (),
    buffer: int = 4,
) -> GroupingState:
    """Pol.is's k-smoother: the k with the best silhouette this update (`best_k`) extends its
    streak if it also won the previous update, else starts one; it becomes the k in use once its
    streak reaches `buffer`, or straight away when there is no k in use yet (or the one in use
    cannot be computed any more, not in `available`). Returns the previous state with k,
    candidate_k and streak updated."""
    previous = previous or GroupingState()
    streak = previous.streak + 1 if previous.candidate_k == best_k else 1
    k = previous.k
    if k is None or streak >= buffer or (available and k not in available):
        k = best_k
    return replace(previous, k=k, candidate_k=best_k, streak=streak)


def _numbering(
    centres: np.ndarray, sizes: np.ndarray, previous: Sequence[Sequence[float]]
) -> np.ndarray:
    """New number of each group: matched to the previous centres when k is unchanged (least
    total distance), else by decreasing size (ties: by position)."""
    k = len(centres)
    prev = np.asarray(previous, dtype=float).reshape(-1, 2)
    if len(prev) == k and k <= 8:
        dist = np.linalg.norm(centres[:, None, :] - prev[None, :, :], axis=2)
        best = min(
            itertools.permutations(range(k)), key=lambda p: sum(dist[i, p[i]] for i in range(k))
        )
        return np.array(best)
    order = sorted(range(k), key=lambda g: (-sizes[g], centres[g][0], centres[g][1]))
    numbers = np.empty(k, dtype=int)
    numbers[order] = np.arange(k)
    return numbers


# --- the update -------------------------------------------------------------------------------


def opinion_groups(
    matrix: np.ndarray,
    participant_ids: Sequence[Hashable],
    statement_ids: Sequence[Hashable],
    moderated_out: Collection[Hashable] = (),
    *,
    previous: GroupingState | None = None,
    settings: Settings = DEFAULT,
    seed: int = 0,
) -> OpinionGroups:
    """One update of the opinion groups (see the module's docstring). `moderated_out` holds the
    statements moderated out and the meta statements; `previous` is the last update's `state`."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape != (len(participant_ids), len(statement_ids)):
        raise ValueError("matrix must be participants x statements")
    valid = np.isnan(matrix) | np.isin(matrix, (-1.0, 0.0, 1.0))
    if not valid.all():
        raise ValueError("votes must be -1, 0, 1 or NaN")
    # Pol.is's matrix has the statements that got a vote and the people who cast one.
    voted = ~np.isnan(matrix)
    cols = np.flatnonzero(voted.any(axis=0))
    rows = np.flatnonzero(voted.any(axis=1))
    raw = matrix[np.ix_(rows, cols)]
    pids = [participant_ids[i] for i in rows]
    sids = [statement_ids[j] for j in cols]
    excluded = set(moderated_out)
    mod = np.fromiter((s in excluded for s in sids), bool, len(sids))
    rating = raw.copy()
    rating[:, mod] = 0.0

    counts = (~np.isnan(rating if settings.count_moderated_cells else raw)).sum(axis=1)
    previous_in = previous.in_conversation if previous else frozenset()
    in_conv = in_conversation(counts, pids, len(sids), previous_in, settings)

    coords, comps, centre = project(
        rating, settings, previous.components if previous else {}, sids, with_centre=True
    )
    active = ~mod
    active_ids = [s for s, keep in zip(sids, active, strict=True) if keep]
    components = {
        s: (float(comps[0, j]), float(comps[1, j])) for j, s in enumerate(sids) if active[j]
    }

    members = np.flatnonzero(in_conv)
    centres, base_labels = base_clusters(coords[members], settings.base_k, seed)
    weights = np.bincount(base_labels, minlength=len(centres)).astype(float)
    previous_centres = previous.centres if previous else ()

    clusterings = group_clusterings(centres, weights, settings, seed, previous_centres)
    silhouettes = {k: v[0] for k, v in clusterings.items()}
    if clusterings:
        best_k = min(clusterings, key=lambda k: (-clusterings[k][0], k))
        state = smooth_k(previous, best_k, clusterings.keys(), settings.k_buffer)
        _, group_of_base, group_centres = clusterings[state.k]
        k = state.k
    else:  # fewer than two distinct positions: one group (or none)
        best_k = None
        k = 1 if len(centres) else 0
        group_of_base = np.zeros(len(centres), dtype=int)
        group_centres = centres[:1].copy()
        state = replace(previous or GroupingState(), k=None, candidate_k=None, streak=0)

    sizes = np.bincount(group_of_base, weights=weights, minlength=k).astype(int)
    numbers = _numbering(group_centres, sizes, previous_centres) if k else np.zeros(0, int)
    group_of_base = numbers[group_of_base] if k else group_of_base
    ordered_centres = np.zeros((k, 2))
    ordered_centres[numbers] = group_centres
    sizes = np.bincount(group_of_base, weights=weights, minlength=k).astype(int)

    labels = np.full(len(pids), -1)
    labels[members] = group_of_base[base_labels]
    state = replace(
        state,
        centres=tuple((float(x), float(y)) for x, y in ordered_centres),
        in_conversation=frozenset(pids[i] for i in members) | frozenset(previous_in),
        components=components,
    )

    active_raw = raw[:, active]
    tally = _Tally(active_raw)
    seen = ~np.isnan(raw)
    priorities = priority(
        (raw == 1).sum(axis=0), (raw == -1).sum(axis=0), seen.sum(axis=0), extremity(comps, centre)
    )
    return OpinionGroups(
        groups={pids[i]: int(labels[i]) for i in members},
        group_sizes=tuple(int(s) for s in sizes),
        group_centres=state.centres,
        coordinates={p: (float(x), float(y)) for p, (x, y) in zip(pids, coords, strict=True)},
        base_clusters=tuple(
            BaseCluster(
                id=b,
                centre=(float(centres[b][0]), float(centres[b][1])),
                members=tuple(pids[members[i]] for i in np.flatnonzero(base_labels == b)),
                group=int(group_of_base[b]),
            )
            for b in range(len(centres))
        ),
        k=k,
        best_k=best_k,
        silhouettes=silhouettes,
        repness=repness(active_raw, labels, k, active_ids, settings.pick_max, tally),
        consensus=consensus(active_raw, active_ids, settings.pick_max, tally),
        group_informed_consensus=group_informed_consensus(active_raw, labels, k, active_ids, tally),
        priorities={
            s: float(v) for s, v, keep in zip(sids, priorities, active, strict=True) if keep
        },
        state=state,
    )


# --- planted conversations (tests, benchmark, demo) -------------------------------------------


def planted_conversation(
    n_participants: int,
    n_statements: int,
    group_shares: Sequence[float] = (0.5, 0.5),
    *,
    seed: int = 0,
    median_votes: float = 20.0,
    spread: float = 0.8,
    separation: float = 4.0,
    personal: float = 0.2,
    consensus_share: float = 0.3,
    pass_rate: float = 0.15,
) -> tuple[np.ndarray, list[int], list[int], np.ndarray]:
    """A synthetic conversation with planted opinion groups: (matrix, participant ids,
    statement ids, planted group of each participant).

    Opinions live in a plane: the groups sit evenly on the unit circle (at a random rotation),
    each participant near their group (normal scatter of `personal`). A statement has a
    direction in that plane and a lean; a participant agrees with probability
    sigmoid(`separation` x position . direction + lean). A `consensus_share` of the statements
    hardly divide (short direction, strong lean either way). Each participant votes on a random
    subset of the statements whose size is log-normal (median `median_votes`, sigma `spread`,
    at least 1), passing at `pass_rate`; the other cells are unseen (NaN)."""
    rng = np.random.default_rng(seed)
    shares = np.asarray(group_shares, dtype=float)
    shares = shares / shares.sum()
    g = len(shares)
    truth = rng.choice(g, size=n_participants, p=shares)
    angles = 2 * np.pi * np.arange(g) / g + rng.uniform(0, 2 * np.pi)
    centres = np.column_stack([np.cos(angles), np.sin(angles)]) if g > 1 else np.zeros((1, 2))
    positions = centres[truth] + rng.normal(0, personal, (n_participants, 2))
    directions = rng.standard_normal((n_statements, 2))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    lean = rng.normal(0, 0.5, n_statements)
    agreed = rng.random(n_statements) < consensus_share
    directions[agreed] *= 0.2
    lean[agreed] = np.where(rng.random(int(agreed.sum())) < 0.7, 2.0, -2.0)
    logits = separation * positions @ directions.T + lean
    p_agree = 1 / (1 + np.exp(-logits))
    n_votes = np.clip(
        np.round(rng.lognormal(math.log(median_votes), spread, n_participants)), 1, n_statements
    ).astype(int)
    # Statements seen: a random subset per participant (rank of uniform keys, vectorised).
    rank = np.argsort(np.argsort(rng.random((n_participants, n_statements)), axis=1), axis=1)
    seen = rank < n_votes[:, None]
    votes = np.where(rng.random((n_participants, n_statements)) < p_agree, 1.0, -1.0)
    votes[rng.random((n_participants, n_statements)) < pass_rate] = 0.0
    matrix = np.full((n_participants, n_statements), np.nan)
    matrix[seen] = votes[seen]
    return matrix, list(range(n_participants)), list(range(n_statements)), truth
