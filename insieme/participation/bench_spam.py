"""`make bench`: the spam and abuse filter's precision and recall on held-out moderated content.

On the demo's moderated comments of each administration (the decisions its moderators took:
hidden as spam or abuse, or fine; insieme.participation.spam.training_data, exactly what the
filter trains on), a seeded split keeps HOLDOUT of them aside; the filter is trained on the rest
as `retrain_spam_filter` trains it (threshold from cross-validation) and scores the held-out
part. The figures pool the held-out parts of every administration with enough decisions.

The baseline, measured on the same held-out comments, is what a moderation queue without a
classifier does: a comment counts as caught when someone reported it.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from insieme.core.models import Administration
from insieme.core.registry import BenchLine
from insieme.participation import spam
from insieme.participation.models import Comment


def _rows(administration_id: int) -> tuple[list[str], list[int], list[bool]]:
    """(texts, labels, reported) of the administration's decisions, in training_data's order."""
    texts, labels = spam.training_data(administration_id)
    reported_texts = set(
        Comment.objects.filter(administration_id=administration_id, flags_count__gt=0).values_list(
            "body", flat=True
        )
    )
    return texts, labels, [t in reported_texts for t in texts]


def measure(seed: int = spam.SEED) -> dict:
    truth, ours, baseline = [], [], []
    for admin_id in Administration.objects.order_by("pk").values_list("pk", flat=True):
        texts, labels, reported = _rows(admin_id)
        if not spam.enough(labels):
            continue
        index = np.arange(len(texts))
        train, test = train_test_split(
            index, test_size=spam.HOLDOUT, random_state=seed, stratify=labels
        )
        train_x = [texts[i] for i in train]
        train_y = [labels[i] for i in train]
        threshold = spam.threshold_for(train_x, train_y)
        pipeline = spam.make_pipeline().fit(train_x, train_y)
        scores = pipeline.predict_proba([texts[i] for i in test])[:, 1]
        truth += [labels[i] for i in test]
        ours += list(scores >= threshold)
        baseline += [reported[i] for i in test]
    precision, recall = spam.precision_recall(truth, np.asarray(ours, dtype=bool))
    base_p, base_r = spam.precision_recall(truth, np.asarray(baseline, dtype=bool))
    return {
        "precision": precision,
        "recall": recall,
        "baseline_precision": base_p,
        "baseline_recall": base_r,
        "n": len(truth),
    }


def run(size: str) -> list[BenchLine]:
    found = measure()
    if not found["n"]:
        return []
    return [
        BenchLine(
            "comment_spam_precision",
            found["precision"],
            "ratio",
            found["n"],
            found["baseline_precision"],
        ),
        BenchLine(
            "comment_spam_recall", found["recall"], "ratio", found["n"], found["baseline_recall"]
        ),
    ]
