"""`make bench`: the time to fit the topics of the demo's largest municipality (reading its
texts, TF-IDF, NMF, placing every text), against the baseline of TF-IDF vectorising alone on the
same texts, measured in the same run. n is the number of texts.

    bench topics-fit value=<seconds> unit=s baseline=<seconds> ratio=<value / baseline> n=<texts>
"""

from __future__ import annotations

import time

from django.db.models import Count
from django.utils import timezone

from insieme.core.models import Administration
from insieme.core.registry import BenchLine
from insieme.topics import corpus, fit
from insieme.topics.text import vectoriser

ROUNDS = 3


def _best(work) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def run(size: str) -> list[BenchLine]:
    admin = (
        Administration.objects.annotate(n=Count("cases"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    if admin is None:
        return []
    now = timezone.now()
    documents = corpus.documents(admin, now)
    texts = [d.text for d in documents]
    baseline = _best(lambda: vectoriser(len(texts)).fit_transform(texts))
    value = _best(lambda: fit.fit(documents, 42, now))
    print(
        f"  topics of {admin.slug}: {len(documents)} texts, fitted in {value:.2f} s "
        f"(TF-IDF alone {baseline:.2f} s)"
    )
    return [BenchLine("topics-fit", value, "s", len(documents), baseline)]
