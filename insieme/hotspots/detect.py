"""Finding hotspots: places where reports cluster again and again, not once.

The method, in three steps (numbers are `Params`, see docs/hotspots.md):

1. **Clusters per period.** The window is cut into `periods` periods of `period_days` days
   (the newest ends where the window ends). In each period, DBSCAN (scikit-learn, haversine
   metric on latitude and longitude) groups the reports: a report with at least `min_reports`
   reports (itself included) within `radius_m` metres is a core of a cluster; clusters are
   the cores and the reports they reach. Reports in no cluster are noise: a single report
   is never a cluster.
2. **Persistence.** The clusters of all periods are linked by their centres: clusters whose
   centres lie within `link_m` metres of each other, in whatever period, describe the same
   place (DBSCAN again, on the centres, with one sample enough: connected components). A
   place is a **hotspot** when it held a cluster in at least `min_periods` of the `periods`
   periods; a one-off burst, however large, is one period and is dropped.
3. **Measures.** A hotspot's centre is the mean of its clusters' reports; its radius the
   distance to the farthest of them (at least 10 m). Every report of the window within that radius
   (of the nearest hotspot, where two overlap) is counted in it, period by period, noise
   included, so that a period where the place fell just short of a cluster still shows its
   reports. It is **growing** when the least-squares line through its counts per period
   rises, over the window, by at least `GROWTH_SHARE` of its mean count.

Pure computation on arrays: no database here (insieme.hotspots.actions loads and stores).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import DBSCAN

EARTH_RADIUS_M = 6_371_008.8
GROWTH_SHARE = 0.25


@dataclass(frozen=True)
class Params:
    """What a hotspot is. The defaults: a cluster is 4 reports or more within 75 m of one of
    its reports, in a four-week period; a hotspot is a place with a cluster in at least 4 of
    the last 6 periods (about half a year). They were chosen on the demo (docs/hotspots.md)."""

    period_days: int = 28
    periods: int = 6  # n: periods looked at
    min_periods: int = 4  # k: periods a place must hold a cluster in
    radius_m: float = 75.0
    min_reports: int = 4
    link_m: float = 150.0

    def problems(self) -> list[str]:
        """What makes these parameters impossible (empty when they are fine)."""
        found = []
        if not 1 <= self.period_days <= 366:
            found.append("period_days must be between 1 and 366")
        if not 1 <= self.periods <= 60:
            found.append("periods must be between 1 and 60")
        if not 1 <= self.min_periods <= self.periods:
            found.append("min_periods must be between 1 and periods")
        if not 10 <= self.radius_m <= 5000 or not 10 <= self.link_m <= 5000:
            found.append("radius_m and link_m must be between 10 and 5000 metres")
        if not 2 <= self.min_reports <= 10_000:
            found.append("min_reports must be between 2 and 10000")
        return found


@dataclass
class Found:
    """One hotspot: where it is, and the indices (into the input arrays) of its reports."""

    lat: float
    lon: float
    radius_m: float
    periods_present: list[int]  # period indices (0 the oldest) where it held a cluster
    members: np.ndarray = field(repr=False)  # indices of the reports counted in it
    counts: list[int] = field(default_factory=list)  # reports per period, oldest first
    slope: float = 0.0  # reports per period, least squares
    growing: bool = False

    @property
    def reports(self) -> int:
        return int(sum(self.counts))


@dataclass
class Detection:
    hotspots: list[Found]
    clusters: int  # clusters found over all periods, persistent or not


def _radians(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.radians(np.column_stack([lat, lon]))


def _clusters(coords: np.ndarray, radius_m: float, min_samples: int) -> np.ndarray:
    """DBSCAN labels (-1 noise) of points given in radians."""
    model = DBSCAN(
        eps=radius_m / EARTH_RADIUS_M,
        min_samples=min_samples,
        metric="haversine",
        algorithm="ball_tree",
    )
    return model.fit(coords).labels_


def _metres(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distances in metres from one point (equirectangular: exact enough within a town)."""
    dy = np.radians(lat - lat0)
    dx = np.radians(lon - lon0) * np.cos(np.radians((lat + lat0) / 2))
    return np.hypot(dx, dy) * EARTH_RADIUS_M


def growth(counts: list[int]) -> tuple[float, bool]:
    """(slope in reports per period, growing?) of counts per period, oldest first."""
    if len(counts) < 2:
        return 0.0, False
    y = np.asarray(counts, dtype=float)
    slope = float(np.polyfit(np.arange(len(y)), y, 1)[0])
    rise = slope * (len(y) - 1)
    return slope, bool(slope > 0 and rise >= GROWTH_SHARE * max(y.mean(), 1e-9))


def detect(lat, lon, period, params: Params = Params()) -> Detection:
    """Hotspots among reports at (`lat`, `lon`) (degrees) filed in `period` (0 the oldest,
    params.periods - 1 the newest; other values are ignored). Ordered by reports, most first."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    period = np.asarray(period, dtype=int)
    centres, cluster_period, cluster_members = [], [], []
    for p in range(params.periods):
        idx = np.flatnonzero(period == p)
        if len(idx) < params.min_reports:
            continue
        labels = _clusters(_radians(lat[idx], lon[idx]), params.radius_m, params.min_reports)
        for label in range(labels.max() + 1):
            members = idx[labels == label]
            centres.append((lat[members].mean(), lon[members].mean()))
            cluster_period.append(p)
            cluster_members.append(members)
    if not centres:
        return Detection([], 0)
    centre_array = np.asarray(centres)
    places = _clusters(_radians(centre_array[:, 0], centre_array[:, 1]), params.link_m, 1)
    cluster_period = np.asarray(cluster_period)
    found = []
    for place in range(places.max() + 1):
        chosen = np.flatnonzero(places == place)
        present = sorted(set(cluster_period[chosen].tolist()))
        if len(present) < params.min_periods:
            continue
        members = np.concatenate([cluster_members[c] for c in chosen])
        c_lat, c_lon = float(lat[members].mean()), float(lon[members].mean())
        spread = _metres(c_lat, c_lon, lat[members], lon[members])
        radius = float(max(spread.max(), 10.0))
        found.append(Found(c_lat, c_lon, radius, present, members))
    _count(found, lat, lon, period, params)
    found.sort(key=lambda f: (-f.reports, f.lat, f.lon))
    return Detection(found, len(centres))


def _count(found: list[Found], lat, lon, period, params: Params) -> None:
    """Give every report of the window within a hotspot's radius to the nearest such hotspot,
    then count each hotspot's reports per period."""
    if not found:
        return
    in_window = (period >= 0) & (period < params.periods)
    best = np.full(len(lat), np.inf)
    owner = np.full(len(lat), -1)
    for i, spot in enumerate(found):
        d = _metres(spot.lat, spot.lon, lat, lon)
        closer = in_window & (d <= spot.radius_m) & (d < best)
        best[closer], owner[closer] = d[closer], i
    for i, spot in enumerate(found):
        spot.members = np.flatnonzero(owner == i)
        spot.counts = np.bincount(period[spot.members], minlength=params.periods).tolist()
        spot.slope, spot.growing = growth(spot.counts)
