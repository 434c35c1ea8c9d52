"""How well hotspots are found, against places where hotspots were planted (the demo's ground
truth): a planted place is found when a hotspot's centre lies within MATCH_M metres of it; a
hotspot is right when it lies that close to a planted place. Recall = planted places found /
planted places; precision = right hotspots / hotspots."""

from __future__ import annotations

from insieme.core.geo import distance_m

MATCH_M = 150.0


def _near(a, b, within: float) -> bool:
    return distance_m(a[0], a[1], b[0], b[1]) <= within


def measure(planted: dict[str, list], found: dict[str, list], within: float = MATCH_M) -> dict:
    """{"recall", "precision", "planted", "found", "matched", "right", "by_administration"} for
    points given as (lat, lon, ...) per administration slug."""
    totals = dict.fromkeys(("planted", "found", "matched", "right"), 0)
    by_admin = {}
    for slug in sorted(set(planted) | set(found)):
        mine, theirs = planted.get(slug, []), found.get(slug, [])
        counts = {
            "planted": len(mine),
            "found": len(theirs),
            "matched": sum(any(_near(p, f, within) for f in theirs) for p in mine),
            "right": sum(any(_near(f, p, within) for p in mine) for f in theirs),
        }
        by_admin[slug] = counts
        for key, value in counts.items():
            totals[key] += value
    return {
        **totals,
        "recall": round(totals["matched"] / totals["planted"], 3) if totals["planted"] else None,
        "precision": round(totals["right"] / totals["found"], 3) if totals["found"] else None,
        "match_m": within,
        "by_administration": by_admin,
    }
