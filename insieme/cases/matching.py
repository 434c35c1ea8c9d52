"""Duplicate suggestions: open cases of the same or a related service, nearby, with similar text.

FIRST VERSION (to be replaced by the real matcher): grid prefilter + difflib similarity.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from insieme.cases.models import OPEN_STATUSES, Case, grid_cell


@dataclass
class Match:
    case: Case
    score: float
    distance_m: float


def _distance_m(lat1, lon1, lat2, lon2) -> float:
    dy = (lat2 - lat1) * 111_320.0
    dx = (lon2 - lon1) * 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def find_duplicates(
    service,
    lat: float | None,
    lon: float | None,
    text: str,
    *,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Match]:
    """Up to `limit` likely duplicates of a new report, best first."""
    if lat is None or lon is None:
        return []
    row, col = grid_cell(lat, lon)
    since = timezone.now() - timedelta(days=90)
    qs = Case.objects.filter(
        administration_id=service.administration_id,
        status__in=OPEN_STATUSES,
        cell_row__range=(row - 1, row + 1),
        cell_col__range=(col - 1, col + 1),
        submitted_at__gte=since,
        is_public=True,
    ).select_related("service")
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    matches = []
    for case in qs[:500]:
        distance = _distance_m(lat, lon, case.lat, case.lon)
        if distance > 250:
            continue
        text_score = difflib.SequenceMatcher(None, text.lower(), case.description.lower()).ratio()
        score = (
            0.5 * text_score + 0.3 * (case.service_id == service.id) + 0.2 * (1 - distance / 250)
        )
        matches.append(Match(case, score, distance))
    matches.sort(key=lambda m: m.score, reverse=True)
    return [m for m in matches if m.score >= 0.45][:limit]
