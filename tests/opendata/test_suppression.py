"""Small-count suppression on hand-made tables, and a property test over random ones: no
published count is small, and no suppressed one can be worked out from the totals."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from insieme.core.registry import Column
from insieme.opendata.anonymise import coarsen, derivable, suppress

COUNT = (Column("n", "integer", "", role="count"),)


def table(grid: list[list[int]]) -> list[dict]:
    return [
        {"service": f"s{r}", "month": f"m{c}", "n": value}
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
    ]


def hidden(rows) -> set[tuple[str, str]]:
    return {(row["service"], row["month"]) for row in rows if row["n"] is None}


def test_a_single_small_count_takes_a_partner_in_its_group():
    # One margin (per service): s0's 2 would be total - 40 - 30; the 30 goes too.
    rows = table([[2, 40, 30], [10, 10, 10]])
    blanked = suppress(rows, COUNT, [("service",)], threshold=5)
    assert hidden(rows) == {("s0", "m0"), ("s0", "m2")}
    assert blanked == 2


def test_two_small_counts_that_add_up_to_little_take_a_third():
    # 1 + 1 = 2 < 5: knowing they add up to 2 pins both at 1.
    rows = table([[1, 1, 40, 30]])
    suppress(rows, COUNT, [("service",)], threshold=5)
    assert hidden(rows) == {("s0", "m0"), ("s0", "m1"), ("s0", "m3")}


def test_zeros_are_published_and_large_counts_untouched():
    rows = table([[0, 7, 9]])
    assert suppress(rows, COUNT, [("service",)], threshold=5) == 0
    assert [r["n"] for r in rows] == [0, 7, 9]


def test_both_margins_are_protected():
    # Per service and per month: the 3's partner in its row and in its column both go, and
    # then the cell that closes the rectangle, or one of them would be derivable.
    rows = table([[3, 20, 20], [20, 20, 20], [20, 20, 20]])
    suppress(rows, COUNT, [("service",), ("month",)], threshold=5)
    shown = hidden(rows)
    assert ("s0", "m0") in shown
    for service in ("s0", "s1", "s2"):
        inside = [m for (s, m) in shown if s == service]
        assert len(inside) != 1
    for month in ("m0", "m1", "m2"):
        inside = [s for (s, m) in shown if m == month]
        assert len(inside) != 1
    assert not derivable_cells(rows, [("service",), ("month",)])


def test_parts_are_suppressed_with_their_whole_and_when_their_rest_is_small():
    columns = (
        Column("received", "integer", "", role="count"),
        Column("resolved", "integer", "", role="part", of="received"),
        Column("median", "number", "", role="statistic", of="resolved"),
    )
    rows = [
        {"k": "a", "received": 3, "resolved": 0, "median": None},  # whole small
        {"k": "b", "received": 50, "resolved": 48, "median": 2.0},  # 2 unresolved: small
        {"k": "c", "received": 50, "resolved": 30, "median": 4.5},
    ]
    suppress(rows, columns, [], threshold=5)
    assert rows[0]["received"] is None and rows[0]["resolved"] is None
    assert rows[1]["received"] == 50 and rows[1]["resolved"] is None
    assert rows[1]["median"] is None  # follows its count
    assert rows[2] == {"k": "c", "received": 50, "resolved": 30, "median": 4.5}


def test_a_bridge_between_two_protected_blocks_is_found():
    # Cells a, b (row r0) and c, d (row r1) protect each other in pairs of columns, and x
    # alone joins column m4 ... x's value is total(m4) minus what is published: derivable.
    groups = [[0, 1], [2, 3], [0, 2], [1, 3, 4], [4]]
    assert derivable(groups, {0, 1, 2, 3}) == set()
    assert derivable(groups, {0, 1, 2, 3, 4}) == {4}


def derivable_cells(rows, margins) -> set[int]:
    from insieme.opendata.anonymise import _groups

    groups = _groups(rows, margins)
    return derivable(groups, {i for i, r in enumerate(rows) if r["n"] is None})


def brute_force_determined(values, hidden_cells, groups) -> set[int]:
    """Cells whose value is the same in every solution of the totals (by linear algebra,
    independently of the implementation: least-squares null-space test via ranks)."""
    cells = sorted(hidden_cells)
    if not cells:
        return set()
    a = np.array([[1.0 if c in g else 0.0 for c in cells] for g in groups] or [[0.0] * len(cells)])
    rank = np.linalg.matrix_rank(a)
    out = set()
    for j, cell in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.add(cell)
    return out


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda r: st.integers(1, 5).flatmap(
            lambda c: st.lists(
                st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r
            )
        )
    ),
    st.integers(2, 10),
)
def test_no_small_count_shown_and_none_derivable(grid, threshold):
    rows = table(grid)
    originals = [r["n"] for r in rows]
    margins = [("service",), ("month",)]
    suppress(rows, COUNT, margins, threshold)
    for original, row in zip(originals, rows, strict=True):
        if row["n"] is not None:
            assert row["n"] == original
            assert not 0 < row["n"] < threshold
    from insieme.opendata.anonymise import _groups

    groups = _groups(rows, margins)
    hidden_cells = {i for i, r in enumerate(rows) if r["n"] is None}
    # Some cells no suppression can protect: a table of one row with known monthly totals
    # gives every cell away. Those aside, nothing hidden can be worked out.
    inevitable = brute_force_determined(originals, set(range(len(rows))), groups)
    assert brute_force_determined(originals, hidden_cells, groups) <= inevitable
    for group in groups:
        inside = [originals[i] for i in group if i in hidden_cells]
        # None, or several adding up to at least the threshold (unless the group is all hidden).
        if inside and len(inside) < len(group):
            assert len(inside) >= 2 and sum(inside) >= threshold


def test_places_move_to_their_square_and_sensitive_ones_stay_put_across_runs():
    lat, lon = 45.07123, 7.68456
    centre = coarsen(lat, lon, 250)
    near = coarsen(lat + 0.0001, lon + 0.0001, 250)
    assert centre == near  # the same square, the same point
    scattered = coarsen(lat, lon, 250, scatter_key="public-reports:7")
    assert scattered == coarsen(lat, lon, 250, scatter_key="public-reports:7")
    assert scattered != coarsen(lat, lon, 250, scatter_key="public-reports:8")
    from insieme.opendata.anonymise import cell_box

    south, west, north, east = cell_box(lat, lon, 250)
    for point in (centre, scattered):
        assert south <= point[0] <= north and west <= point[1] <= east
    assert coarsen(None, None, 250) == (None, None)


def test_every_pair_of_the_same_square_lands_together():
    points = [
        (45.0 + i * 0.0004, 7.0 + j * 0.0004) for i, j in itertools.product(range(5), range(5))
    ]
    squares = {coarsen(lat, lon, 250) for lat, lon in points}
    assert len(squares) < len(points)
