"""How well the topics recover what the demo's texts are about (its ground truth).

The demo writes, for each case of a municipality, the catalogue group (category) of the service
whose problems its text describes (section "topics" of the ground truth; a planted duplicate
describes its original's problem, whatever service it was filed under). `measure` fits the
topics of that municipality and compares each case's dominant topic with that category:
normalised mutual information (NMI, 0 = unrelated, 1 = the same partition) and purity (the share
of cases whose topic's most common category is theirs). The baseline is the same NMI with the
categories shuffled among the cases (seeded): what a model that found nothing would score.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from insieme.cases.models import Case
from insieme.topics import corpus
from insieme.topics.fit import fit


def measure(administration, categories: dict[str, str], seed: int, now: datetime) -> dict:
    """{"nmi", "purity", "shuffled_nmi", "n", "topics"} over the cases of `administration` named
    in `categories` ({case reference: category})."""
    documents = corpus.documents(administration, now)
    result = fit(documents, seed, now)
    reference_of = dict(
        Case.objects.filter(administration=administration).values_list("pk", "reference")
    )
    truth, found = [], []
    for (source, pk), topic in result.dominant.items():
        category = categories.get(reference_of.get(pk, "")) if source == "cases" else None
        if category:
            truth.append(category)
            found.append(topic)
    if not truth:
        return {"nmi": None, "purity": None, "shuffled_nmi": None, "n": 0, "topics": 0}
    shuffled = list(np.random.default_rng(seed).permutation(truth))
    by_topic: dict[int, Counter] = defaultdict(Counter)
    for category, topic in zip(truth, found, strict=True):
        by_topic[topic][category] += 1
    return {
        "nmi": float(normalized_mutual_info_score(truth, found)),
        "purity": sum(c.most_common(1)[0][1] for c in by_topic.values()) / len(truth),
        "shuffled_nmi": float(normalized_mutual_info_score(shuffled, found)),
        "n": len(truth),
        "topics": len(result.topics),
    }
