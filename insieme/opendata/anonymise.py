"""Anonymisation of open datasets: places coarsened to a grid, free text redacted or withheld,
small counts suppressed with the cells that would reveal them.

Small-count suppression (`suppress`) works per count column:

1. primary: every count from 1 to threshold - 1 is suppressed (zeros stay: a count of none
   reveals nobody); a part (resolved of received) also when the rest of its whole is that small,
   or when its whole is suppressed;
2. secondary: the dataset names its margins, the groups of rows whose totals a reader can know
   (say, per service and per month). In every group, the suppressed cells must be none, or at
   least two adding up to at least the threshold; otherwise the smallest other cell of the group
   is suppressed too, until every group holds;
3. exactly: a suppressed cell is still derivable when the margins' equations pin it down (a
   "bridge" between two otherwise protected groups). Solving them: a cell is derivable when its
   unit vector lies in the row space of the margins' incidence matrix restricted to the
   suppressed cells, i.e. when the matrix's null space is zero on it. Each derivable cell gets a
   partner suppressed in one of its groups, and the check runs again.

Statistics (a median over the counted records) are suppressed with the count they describe.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from django.conf import settings

from insieme.core.geo import grid_cell
from insieme.core.registry import Column

_DEG_LAT_M = 111_320.0


def cell_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the grid cell of about `metres` holding the point (the
    same grid as insieme.core.geo.grid_cell)."""
    row, col = grid_cell(lat, lon, metres)
    south, north = row * metres / _DEG_LAT_M, (row + 1) * metres / _DEG_LAT_M
    band_lat = (row + 0.5) * metres / _DEG_LAT_M
    metres_per_deg_lon = _DEG_LAT_M * max(math.cos(math.radians(band_lat)), 0.01)
    west, east = col * metres / metres_per_deg_lon, (col + 1) * metres / metres_per_deg_lon
    return south, west, north, east


@functools.lru_cache(maxsize=65536)
def _centre(row: int, col: int, metres: float) -> tuple[float, float]:
    south, north = row * metres / _DEG_LAT_M, (row + 1) * metres / _DEG_LAT_M
    band_lat = (row + 0.5) * metres / _DEG_LAT_M
    metres_per_deg_lon = _DEG_LAT_M * max(math.cos(math.radians(band_lat)), 0.01)
    west, east = col * metres / metres_per_deg_lon, (col + 1) * metres / metres_per_deg_lon
    return round((south + north) / 2, 6), round((west + east) / 2, 6)


def coarsen(
    lat: float | None, lon: float | None, metres: float, *, scatter_key: str = ""
) -> tuple[float | None, float | None]:
    """The point moved to its grid cell's centre, or, with `scatter_key`, to a point within the
    cell drawn from a keyed hash of it: the same record lands on the same point in every
    version (an average over versions learns nothing), and nobody without the installation's
    secret can tell where in the cell the record was."""
    if lat is None or lon is None:
        return None, None
    if not scatter_key:
        return _centre(*grid_cell(lat, lon, metres), metres)
    south, west, north, east = cell_box(lat, lon, metres)
    if scatter_key:
        digest = hmac.new(
            settings.SECRET_KEY.encode(), scatter_key.encode(), hashlib.sha256
        ).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        v = int.from_bytes(digest[8:16], "big") / 2**64
    else:
        u = v = 0.5
    return round(south + u * (north - south), 6), round(west + v * (east - west), 6)


# --- small-count suppression -------------------------------------------------------------------


def _groups(rows: list[dict], margins: Iterable[tuple[str, ...]]) -> list[list[int]]:
    """Each margin's groups of row indexes (rows equal on the margin's columns)."""
    groups = []
    for margin in margins:
        by_key: dict[tuple, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            by_key[tuple(row.get(name) for name in margin)].append(i)
        groups.extend(by_key.values())
    return groups


def derivable(groups: list[list[int]], hidden: set[int]) -> set[int]:
    """The hidden cells whose values the groups' totals determine (see the module's step 3)."""
    if not hidden:
        return set()
    cells = sorted(hidden)
    column = {cell: j for j, cell in enumerate(cells)}
    touched = [g for g in groups if any(i in hidden for i in g)]
    if not touched:
        return set()  # no total holds any of them
    matrix = np.zeros((len(touched), len(cells)))
    for r, group in enumerate(touched):
        for i in group:
            if i in hidden:
                matrix[r, column[i]] = 1.0
    # e_j lies in the row space exactly when its projection onto it is itself: with Q an
    # orthonormal basis of the row space (the first `rank` right singular vectors), when the
    # squared norm of Q's column j is 1.
    _, singular, vh = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > 1e-9).sum())
    weight = (vh[:rank] ** 2).sum(axis=0)
    free = weight < 1 - 1e-9
    return {cells[j] for j in range(len(cells)) if not free[j]}


def _suppress_column(
    values: list[int | None],
    primary: set[int],
    groups: list[list[int]],
    threshold: int,
) -> set[int]:
    """The cells of one count column to suppress: `primary` and what protects it."""
    hidden = set(primary)
    if not hidden:
        return hidden
    member_of: dict[int, list[list[int]]] = defaultdict(list)
    for group in groups:
        for i in group:
            member_of[i].append(group)

    def partner(group: list[int]) -> int | None:
        """The smallest cell of the group not yet suppressed (a non-zero one first)."""
        open_cells = [i for i in group if i not in hidden and values[i] is not None]
        if not open_cells:
            return None
        return min(open_cells, key=lambda i: (values[i] == 0, values[i], i))

    while True:
        changed = False
        for group in groups:
            inside = [i for i in group if i in hidden]
            if not inside:
                continue
            total = sum(values[i] or 0 for i in inside)
            while len(inside) == 1 or total < threshold:
                extra = partner(group)
                if extra is None:
                    break
                hidden.add(extra)
                inside.append(extra)
                total += values[extra] or 0
                changed = True
        # The exact check, once the groups' rule holds.
        if not changed:
            exposed = derivable(groups, hidden) if groups else set()
            for cell in sorted(exposed):
                for group in member_of.get(cell, []):
                    extra = partner(group)
                    if extra is not None:
                        hidden.add(extra)
                        changed = True
                        break
                if changed:
                    break
        if not changed:
            return hidden


def suppress(
    rows: list[dict], columns: Iterable[Column], margins: Iterable[tuple[str, ...]], threshold: int
) -> int:
    """Blank (None) the counts of `rows` that are small or would reveal a small one, in place;
    returns how many cells were blanked."""
    columns = list(columns)
    groups = _groups(rows, margins)
    blanked = 0
    hidden_by_column: dict[str, set[int]] = {}
    # Wholes before their parts: a part follows its whole's suppression.
    ordered = [c for c in columns if c.role == "count"] + [c for c in columns if c.role == "part"]
    for col in ordered:
        values = [row.get(col.name) for row in rows]
        primary = {i for i, v in enumerate(values) if v is not None and 0 < v < threshold}
        if col.role == "part":
            whole = [row.get(col.of) for row in rows]
            whole_hidden = hidden_by_column.get(col.of, set())
            for i, v in enumerate(values):
                if v is None or whole[i] is None:
                    continue
                if i in whole_hidden or 0 < whole[i] - v < threshold:
                    primary.add(i)
        hidden = _suppress_column(values, primary, groups, threshold)
        hidden_by_column[col.name] = hidden
    for col in columns:
        if col.role == "statistic":
            hidden_by_column[col.name] = set(hidden_by_column.get(col.of, set()))
    for name, hidden in hidden_by_column.items():
        for i in hidden:
            if rows[i].get(name) is not None:
                blanked += 1
            rows[i][name] = None
    return blanked
