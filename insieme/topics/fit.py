"""The topic model, apart from the database: texts in, topics out (TF-IDF + NMF).

`fit(documents, seed)` vectorises the texts (insieme.topics.text), factorises the TF-IDF matrix
with non-negative matrix factorisation (scikit-learn's NMF, initialised by NNDSVDa with the
seed: the same texts and seed give the same topics) and gives each text to the topic that weighs
most in it. When there are more than MAX_FIT texts the model is fitted on a seeded sample of
MAX_FIT of them and every text is then placed with it, so that counts stay exact.

The number of topics is fixed by the data's size: round(sqrt(n / 10)), at least MIN_TOPICS and
at most MAX_TOPICS (a handful of texts gets two topics, a few thousand the maximum), and never
more than the vocabulary allows.

Each topic is labelled with its TOP_LABEL heaviest terms; its examples are the texts where it
weighs most relative to the text's other topics (ties: the heavier weight), one per distinct text.

`trend` is the rule for "trending" (see its docstring); it reads counts, so the page can apply it
to one source's counts as well as to all of them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sklearn.decomposition import NMF

from insieme.topics.text import vectoriser

SOURCES = ("cases", "ideas", "comments")
MIN_TOPICS, MAX_TOPICS = 2, 12
MAX_FIT = 20_000
TOP_TERMS = 10  # terms kept with their weights (the detail page)
TOP_LABEL = 4  # terms in a topic's label
EXAMPLES = 3  # examples per source

# Trending (see `trend`).
RECENT_DAYS = 28
BEFORE_WINDOWS = 3  # the recent window is compared with the 3 windows before it (84 days)
MIN_RECENT = 10
MIN_RATIO = 1.5
MIN_RISE = 0.05


@dataclass(frozen=True)
class Document:
    source: str  # one of SOURCES
    pk: int
    at: datetime
    text: str


@dataclass
class Found:
    """One topic: terms with weights, and counts of its texts by source and window."""

    terms: list[tuple[str, float]]
    size: int = 0
    counts: dict = field(default_factory=dict)  # {source: {"all": n, "recent": n, "before": n}}
    examples: list[tuple[str, int, float]] = field(default_factory=list)  # (source, pk, score)

    @property
    def label(self) -> str:
        return ", ".join(term for term, _weight in self.terms[:TOP_LABEL])


@dataclass
class Result:
    topics: list[Found]
    documents: int
    assigned: int
    n_topics: int
    totals: dict  # {source: {"all": n, "recent": n, "before": n}}, every text (topic or none)
    vocabulary: int
    dominant: dict = field(default_factory=dict)  # {(source, pk): topic index in `topics`}


def topic_count(n_documents: int) -> int:
    return max(MIN_TOPICS, min(MAX_TOPICS, round(math.sqrt(n_documents / 10))))


def _window(at: datetime, now: datetime) -> str:
    recent_from = now - timedelta(days=RECENT_DAYS)
    if recent_from <= at < now:
        return "recent"
    if recent_from - timedelta(days=RECENT_DAYS * BEFORE_WINDOWS) <= at < recent_from:
        return "before"
    return ""


def _empty_counts() -> dict:
    return {s: {"all": 0, "recent": 0, "before": 0} for s in SOURCES}


def fit(documents: list[Document], seed: int, now: datetime, n_topics: int | None = None) -> Result:
    """Topics of `documents` (see the module docstring); `now` ends the recent window."""
    totals = _empty_counts()
    for doc in documents:
        _count(totals, doc, now)
    empty = Result([], len(documents), 0, 0, totals, 0)
    if len(documents) < MIN_TOPICS:
        return empty
    rng = np.random.default_rng(seed)
    fit_on = np.arange(len(documents))
    if len(documents) > MAX_FIT:
        fit_on = np.sort(rng.choice(len(documents), MAX_FIT, replace=False))
    vec = vectoriser(len(fit_on))
    try:
        x_fit = vec.fit_transform([documents[i].text for i in fit_on])
    except ValueError:  # no term left (every word a stop word, or no text)
        return empty
    k = min(n_topics or topic_count(len(documents)), x_fit.shape[1], x_fit.shape[0])
    if k < MIN_TOPICS:
        return empty
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500, tol=1e-4)
    nmf.fit(x_fit)
    x_all = x_fit if len(fit_on) == len(documents) else vec.transform([d.text for d in documents])
    weights = nmf.transform(x_all)
    terms = vec.get_feature_names_out()
    found = [
        Found(
            terms=[
                (str(terms[j]), round(float(row[j]), 4))
                for j in np.argsort(-row)[:TOP_TERMS]
                if row[j] > 0
            ],
            counts=_empty_counts(),
        )
        for row in nmf.components_
    ]
    dominant: dict = {}
    best = weights.argmax(axis=1)
    strength = weights.sum(axis=1)
    for i, doc in enumerate(documents):
        if strength[i] <= 0:
            continue  # no term of the vocabulary: no topic
        topic = found[best[i]]
        topic.size += 1
        _count(topic.counts, doc, now)
        dominant[(doc.source, doc.pk)] = int(best[i])
    _examples(found, documents, weights, best, strength)
    order = sorted(range(k), key=lambda t: (-found[t].size, t))
    renumber = {old: new for new, old in enumerate(order)}
    return Result(
        topics=[found[t] for t in order if found[t].size],
        documents=len(documents),
        assigned=sum(t.size for t in found),
        n_topics=k,
        totals=totals,
        vocabulary=len(terms),
        dominant={key: renumber[t] for key, t in dominant.items()},
    )


def _count(counts: dict, doc: Document, now: datetime) -> None:
    row = counts[doc.source]
    row["all"] += 1
    window = _window(doc.at, now)
    if window:
        row[window] += 1


def _examples(found, documents, weights, best, strength) -> None:
    """Per topic and source, the EXAMPLES texts where the topic weighs most, relative to the
    text's other topics (then by weight); a text repeated word for word counts once."""
    share = np.divide(
        weights, strength[:, None], out=np.zeros_like(weights), where=strength[:, None] > 0
    )
    for t, topic in enumerate(found):
        members = np.flatnonzero(best == t)
        ranked = members[np.lexsort((-weights[members, t], -share[members, t]))]
        seen: set[str] = set()
        taken: Counter = Counter()
        for i in ranked:
            doc = documents[i]
            key = " ".join(doc.text.lower().split())
            if taken[doc.source] >= EXAMPLES or key in seen:
                continue
            seen.add(key)
            taken[doc.source] += 1
            topic.examples.append((doc.source, doc.pk, round(float(share[i, t]), 4)))
            if all(taken[s] >= EXAMPLES for s in SOURCES):
                break


@dataclass(frozen=True)
class Trend:
    recent: int
    recent_total: int
    before: int
    before_total: int

    @property
    def recent_share(self) -> float | None:
        return self.recent / self.recent_total if self.recent_total else None

    @property
    def before_share(self) -> float | None:
        return self.before / self.before_total if self.before_total else None

    @property
    def rising(self) -> bool:
        """Trending: at least MIN_RECENT texts in the last RECENT_DAYS days, and the topic's share
        of those days' texts at least MIN_RATIO times its share in the BEFORE_WINDOWS windows
        before, and up by at least MIN_RISE (five percentage points). A topic absent before
        trends when the other two hold."""
        now, then = self.recent_share, self.before_share or 0.0
        if now is None or self.recent < MIN_RECENT:
            return False
        return now >= MIN_RATIO * then and now - then >= MIN_RISE


def trend(counts: dict, totals: dict, sources=SOURCES) -> Trend:
    """The trend of a topic's `counts` against `totals` (both {source: {window: n}}), over
    `sources`."""
    return Trend(
        recent=sum(counts[s]["recent"] for s in sources),
        recent_total=sum(totals[s]["recent"] for s in sources),
        before=sum(counts[s]["before"] for s in sources),
        before_total=sum(totals[s]["before"] for s in sources),
    )
