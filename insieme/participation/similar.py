"""The similar-idea check shown before an idea is filed: the duplicate matcher of cases
(insieme.cases.matching.signatures) applied to ideas.

Each idea stores the matcher's signature of its title and body (`Idea.match_grams`, the same
`case_signature` a case stores): Italian and English function words dropped, a bilingual
lexicon of civic words mapped to one form, place names left out, character 3-5-grams. The check
compares a new text's signature with those of the process's open ideas in one vectorised pass
(`similarities`, the cosine of the binary n-gram vectors) and keeps those reaching the matcher's
THRESHOLD. Ideas have no place or service to weigh, so the text's similarity is the score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insieme.cases.matching.signatures import THRESHOLD, case_signature, similarities
from insieme.participation.models import Idea, Process

SHOWN = 5


@dataclass
class Similar:
    idea: Idea
    score: float


def similar_ideas(
    process: Process, title: str, body: str, *, exclude_id: int | None = None, limit: int = SHOWN
) -> list[Similar]:
    """Up to `limit` open ideas of the process whose text is like (title, body), best first;
    ties by the older idea (the one others repeat)."""
    query = case_signature(title, body)
    if not query or limit <= 0:
        return []
    rows = Idea.objects.visible().filter(process=process, state=Idea.State.OPEN)
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    rows = list(rows.values_list("pk", "match_grams"))
    if not rows:
        return []
    scores = similarities(query, [grams for _pk, grams in rows])
    ids = np.fromiter((pk for pk, _grams in rows), dtype=np.int64, count=len(rows))
    keep = np.flatnonzero(scores >= THRESHOLD)
    ranked = keep[np.lexsort((ids[keep], -scores[keep]))][:limit]
    found = Idea.objects.select_related("category").in_bulk([int(ids[i]) for i in ranked])
    return [Similar(found[int(ids[i])], round(float(scores[i]), 6)) for i in ranked]
