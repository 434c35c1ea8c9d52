"""The one write of the topics app: computing an administration's topics and storing the run.

    compute(actor, administration, *, seed=DEFAULT_SEED, now=None) -> Run

`actor` None is the system (the periodic job, the command, the demo); a person must hold
`topics:topic:read` there. The texts are read and the model fitted before the transaction (it
may take a few seconds); the run, its topics and the audit entry are written in one transaction,
and runs beyond the KEEP latest of the administration are deleted there too.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.access import require_perm
from insieme.core.permissions import Perm
from insieme.topics import corpus, fit
from insieme.topics.models import Run, Topic

DEFAULT_SEED = 42
MAX_SEED = 2**31 - 1
KEEP = 10  # runs kept per administration (the page reads the latest)


def compute(actor, administration, *, seed: int = DEFAULT_SEED, now: datetime | None = None) -> Run:
    require_perm(actor, Perm.TOPIC_READ, administration.pk)
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": _("The seed is a whole number from 0 to 2147483647.")})
    now = now or timezone.now()
    started = time.perf_counter()
    documents = corpus.documents(administration, now)
    result = fit.fit(documents, seed, now)
    text_of = {(d.source, d.pk): d.text for d in documents}
    seconds = time.perf_counter() - started
    with transaction.atomic():
        run = Run.objects.create(
            administration=administration,
            computed_at=timezone.now(),
            texts_until=now,
            seed=seed,
            parameters=_parameters(result),
            documents=result.documents,
            assigned=result.assigned,
            totals=result.totals,
            seconds=round(seconds, 3),
        )
        Topic.objects.bulk_create(
            Topic(
                run=run,
                number=number,
                label=found.label[:300],
                terms=[list(t) for t in found.terms],
                size=found.size,
                counts=found.counts,
                examples=corpus.example_texts(found.examples, text_of),
            )
            for number, found in enumerate(result.topics, start=1)
        )
        old = Run.objects.filter(administration=administration).order_by("-computed_at", "-pk")
        stale = list(old.values_list("pk", flat=True)[KEEP:])
        if stale:
            Run.objects.filter(pk__in=stale).delete()
        audit.record(
            actor=actor,
            action="topics.computed",
            obj=run,
            after={"seed": seed, "documents": result.documents, "topics": len(result.topics)},
            administration=administration,
        )
    return run


def _parameters(result: fit.Result) -> dict:
    return {
        "method": "tf-idf + nmf",
        "topics": result.n_topics,
        "vocabulary": result.vocabulary,
        "period_days": corpus.PERIOD_DAYS,
        "recent_days": fit.RECENT_DAYS,
        "before_windows": fit.BEFORE_WINDOWS,
        "min_recent": fit.MIN_RECENT,
        "min_ratio": fit.MIN_RATIO,
        "min_rise": fit.MIN_RISE,
        "max_fit": fit.MAX_FIT,
    }
