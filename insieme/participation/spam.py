"""The spam and abuse filter: a classifier per administration, trained on its own moderators'
decisions, that holds suspect comments and ideas for review.

What it learns from (`training_data`), per administration:

- *suspect* (1): comments the moderators hid as spam or abuse (`hidden_ground`);
- *fine* (0): comments reported and kept, comments held and released, and comments never hidden
  (the most recent `MAX_FINE` of them).

Comments hidden for another reason (personal data, off topic) teach it nothing: they are not
spam, but not fine either.

The model (`fit`): character n-grams (2 to 5, within words) and word unigrams and bigrams, both
TF-IDF with sublinear counts, into a logistic regression weighted for the rarer class.
Character n-grams read Italian and English alike and see through "v1agra" and "c l i c k".
The threshold is chosen on cross-validated scores of the training part (the lowest that reaches
TARGET_PRECISION, so that few fine comments wait for a moderator; else the best F0.5), and
precision and recall are then measured on a seeded held-out part (HOLDOUT) the model never saw.
The stored model is refitted on everything.

Cold start: nothing is held until the administration has MIN_SUSPECT suspect and MIN_FINE fine
decisions; `actions.retrain_spam_filter` then stores the model in the database (SpamModel), so
that every web process and worker scores with the same one. Each process keeps the unpickled
pipeline in memory and reloads it when the row's `trained_at` changes (one indexed read a
comment).
"""

from __future__ import annotations

import pickle
import threading
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from insieme.participation.models import Comment, CommentFlag, SpamModel

SUSPECT_GROUNDS = (CommentFlag.Reason.SPAM, CommentFlag.Reason.ABUSE)
MIN_SUSPECT = 10
MIN_FINE = 20
MAX_FINE = 5000
HOLDOUT = 0.25
SEED = 13
TARGET_PRECISION = 0.9


@dataclass
class Fitted:
    pipeline: Pipeline
    threshold: float
    suspect: int
    fine: int
    precision: float | None
    recall: float | None


def make_pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=1,
                    max_features=60000,
                    lowercase=True,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True
                ),
            ),
        ]
    )
    model = LogisticRegression(
        class_weight="balanced", C=4.0, max_iter=2000, solver="liblinear", random_state=SEED
    )
    return Pipeline([("features", features), ("model", model)])


def training_data(administration_id: int) -> tuple[list[str], list[int]]:
    """(texts, labels) from the administration's moderated comments (see the module's doc)."""
    comments = Comment.objects.filter(administration_id=administration_id)
    suspect = list(
        comments.filter(hidden_at__isnull=False, hidden_ground__in=SUSPECT_GROUNDS).values_list(
            "body", flat=True
        )
    )
    # Not hidden, not held, and no report waiting: never reported, or reported and kept, or
    # held and released (both leave no pending report).
    fine = list(
        comments.filter(hidden_at__isnull=True, held_at__isnull=True, pending_flags=0)
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)[:MAX_FINE]
    )
    return suspect + fine, [1] * len(suspect) + [0] * len(fine)


def enough(labels: list[int]) -> bool:
    suspect = sum(labels)
    return suspect >= MIN_SUSPECT and len(labels) - suspect >= MIN_FINE


def choose_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The lowest threshold whose precision reaches TARGET_PRECISION (most recall at that
    precision); else the one with the best F0.5 (precision weighs more: a fine comment held
    waits for a person)."""
    best, best_f = 0.5, -1.0
    for t in np.unique(scores):
        picked = scores >= t
        tp = int(np.sum(picked & (labels == 1)))
        if tp == 0:
            continue
        precision = tp / int(np.sum(picked))
        recall = tp / int(np.sum(labels == 1))
        if precision >= TARGET_PRECISION:
            return float(t)
        f = 1.25 * precision * recall / (0.25 * precision + recall)
        if f > best_f:
            best, best_f = float(t), f
    return best


def precision_recall(labels, predicted) -> tuple[float, float]:
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    tp = int(np.sum(predicted & (labels == 1)))
    held = int(np.sum(predicted))
    positives = int(np.sum(labels == 1))
    return (tp / held if held else 0.0), (tp / positives if positives else 0.0)


def threshold_for(texts: list[str], labels: list[int]) -> float:
    y = np.asarray(labels)
    folds = min(3, int(y.sum()), int(len(y) - y.sum()))
    if folds < 2:
        return 0.5
    scores = cross_val_predict(
        make_pipeline(),
        np.asarray(texts, dtype=object),
        y,
        cv=StratifiedKFold(folds, shuffle=True, random_state=SEED),
        method="predict_proba",
    )[:, 1]
    return choose_threshold(y, scores)


def evaluate(texts: list[str], labels: list[int], seed: int = SEED) -> dict:
    """Fit on a seeded split and measure on the held-out part: the figures `make bench`
    prints and the model row keeps. Returns precision, recall, n (held out), threshold."""
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=HOLDOUT, random_state=seed, stratify=labels
    )
    threshold = threshold_for(train_x, train_y)
    pipeline = make_pipeline().fit(train_x, train_y)
    scores = pipeline.predict_proba(test_x)[:, 1]
    precision, recall = precision_recall(test_y, scores >= threshold)
    return {
        "precision": precision,
        "recall": recall,
        "n": len(test_y),
        "threshold": threshold,
        "test_labels": list(test_y),
        "test_texts": list(test_x),
    }


def fit(texts: list[str], labels: list[int]) -> Fitted:
    """A model for these decisions (enough of them: see `enough`)."""
    measured = evaluate(texts, labels)
    threshold = threshold_for(texts, labels)
    pipeline = make_pipeline().fit(texts, labels)
    return Fitted(
        pipeline=pipeline,
        threshold=threshold,
        suspect=sum(labels),
        fine=len(labels) - sum(labels),
        precision=measured["precision"],
        recall=measured["recall"],
    )


def dumps(pipeline: Pipeline) -> bytes:
    return pickle.dumps(pipeline, protocol=pickle.HIGHEST_PROTOCOL)


SKLEARN_VERSION = sklearn.__version__

# {administration id: (trained_at, pipeline, threshold)}: this process's copy of the stored models.
_loaded: dict[int, tuple] = {}
_lock = threading.Lock()


def _model(administration_id: int):
    row = (
        SpamModel.objects.filter(administration_id=administration_id)
        .values_list("trained_at", "sklearn_version", "threshold")
        .first()
    )
    if row is None:
        return None
    trained_at, version, threshold = row
    if version != SKLEARN_VERSION:
        return None  # pickled by another scikit-learn: unused until the next training
    with _lock:
        cached = _loaded.get(administration_id)
        if cached is not None and cached[0] == trained_at:
            return cached[1], cached[2]
    blob = (
        SpamModel.objects.filter(administration_id=administration_id)
        .values_list("pipeline", flat=True)
        .first()
    )
    if blob is None:
        return None
    # The pickle comes from our own database, written by retrain_spam_filter only.
    pipeline = pickle.loads(bytes(blob))  # noqa: S301
    with _lock:
        _loaded[administration_id] = (trained_at, pipeline, threshold)
    return pipeline, threshold


def score(administration_id: int, text: str) -> float | None:
    """The model's probability that `text` is spam or abuse; None without a model."""
    model = _model(administration_id)
    if model is None:
        return None
    pipeline, _threshold = model
    return float(pipeline.predict_proba([text])[0, 1])


def verdict(administration_id: int, text: str) -> float | None:
    """The score of `text` when the administration's model holds it for review, else None
    (no model yet, or a score under the threshold)."""
    model = _model(administration_id)
    if model is None:
        return None
    pipeline, threshold = model
    value = float(pipeline.predict_proba([text])[0, 1])
    return round(value, 4) if value >= threshold else None
