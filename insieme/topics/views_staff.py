"""Staff screens of the topics under /staff/<administration>/topics/: the latest run's topics as a
table (with a CSV download of it), filterable by source, and a topic's page with its examples and
its top terms. Reading needs `topics:topic:read` (404 outside the person's administrations, 403
without the permission); the link that opens an improvement item shows to holders of
`improvements:item:manage` only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from insieme.core.csvsafe import neutralise
from insieme.core.pii import localise
from insieme.topics import access, corpus, fit
from insieme.topics.forms import SOURCE_LABELS, SourceForm
from insieme.topics.models import Run, Topic

MAX_DETAIL = 300  # characters of the improvement item's "what the data showed"


@dataclass
class Row:
    topic: Topic
    size: int
    share: float | None
    trend: fit.Trend
    sources: list[str]
    examples: list[dict]
    improvement_url: str

    @property
    def share_pct(self) -> float | None:
        return None if self.share is None else 100 * self.share

    @property
    def recent_pct(self) -> float | None:
        share = self.trend.recent_share
        return None if share is None else 100 * share

    @property
    def before_pct(self) -> float | None:
        share = self.trend.before_share
        return None if share is None else 100 * share


def _examples(topic: Topic, sources) -> list[dict]:
    chosen = [e for e in topic.examples if e["source"] in sources]
    chosen.sort(key=lambda e: -e["score"])
    return [_shown(e) for e in chosen[: fit.EXAMPLES]]


def _shown(example: dict) -> dict:
    """An example as the page shows it: placeholders in the reader's language."""
    return {
        **example,
        "text": localise(example["text"]),
        "source_label": SOURCE_LABELS[example["source"]],
    }


def _improvement_url(admin, topic: Topic) -> str:
    detail = f"{topic.label}"[:MAX_DETAIL]
    query = urlencode({"source": "topic", "detail": detail})
    return reverse("improvements:staff_new", args=[admin.slug]) + "?" + query


def rows(admin, run: Run, sources) -> list[Row]:
    """The run's topics counted over `sources`, those with no text from them left out."""
    total = sum(run.totals[s]["all"] for s in sources)
    found = []
    for topic in run.topics.order_by("number"):
        size = sum(topic.counts[s]["all"] for s in sources)
        if not size:
            continue
        found.append(
            Row(
                topic=topic,
                size=size,
                share=size / total if total else None,
                trend=fit.trend(topic.counts, run.totals, sources),
                sources=[SOURCE_LABELS[s] for s in sources if topic.counts[s]["all"]],
                examples=_examples(topic, sources),
                improvement_url=_improvement_url(admin, topic),
            )
        )
    return found


def _context(request, admin):
    form = SourceForm(request.GET or None)
    sources = form.sources()
    run = access.latest_run(admin)
    found = rows(admin, run, sources) if run and sources else []
    return form, sources, run, found


@login_required
@require_GET
def topic_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.get_staff_administration(request.user, admin_slug)
    form, sources, run, found = _context(request, admin)
    chosen = form.cleaned_data.get("source", "") if sources and form.is_bound else ""
    return render(
        request,
        "topics/staff/list.html",
        {
            "administration": admin,
            "form": form,
            "run": run,
            "rows": found,
            "source": chosen,
            "texts": sum(run.totals[s]["all"] for s in sources) if run and sources else 0,
            "period_days": corpus.PERIOD_DAYS,
            "rule": rule(),
            "may_open_item": access.may_open_item(request.user, admin),
        },
        status=400 if sources is None else 200,
    )


def rule() -> dict:
    return {
        "days": fit.RECENT_DAYS,
        "before_days": fit.RECENT_DAYS * fit.BEFORE_WINDOWS,
        "min_recent": fit.MIN_RECENT,
        "ratio": fit.MIN_RATIO,
        "rise": round(fit.MIN_RISE * 100),
    }


CSV_COLUMNS = [
    "topic",
    "label",
    "texts",
    "share",
    "cases",
    "ideas",
    "comments",
    "recent_texts",
    "recent_share",
    "before_texts",
    "before_share",
    "trending",
    "example_1",
    "example_2",
    "example_3",
]


@login_required
@require_GET
@never_cache
def topic_csv(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.get_staff_administration(request.user, admin_slug)
    form, sources, run, found = _context(request, admin)
    if sources is None:
        return HttpResponse(
            "\n".join(str(e) for e in form.errors.get("source", [])),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in found:
        examples = [e["text"] for e in row.examples] + [""] * fit.EXAMPLES
        values = [
            row.topic.number,
            row.topic.label,
            row.size,
            row.share,
            *(row.topic.counts[s]["all"] if s in sources else 0 for s in fit.SOURCES),
            row.trend.recent,
            row.trend.recent_share,
            row.trend.before,
            row.trend.before_share,
            int(row.trend.rising),
            *examples[: fit.EXAMPLES],
        ]
        writer.writerow(["" if v is None else neutralise(v) for v in values])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    which = "-".join(sources) if len(sources) == 1 else "all"
    response["Content-Disposition"] = f'attachment; filename="topics-{admin.slug}-{which}.csv"'
    return response


@login_required
@require_GET
def topic_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, run, topic = access.get_staff_topic(request.user, admin_slug, pk)
    row = next(r for r in rows(admin, run, fit.SOURCES) if r.topic.pk == topic.pk)
    examples = sorted(topic.examples, key=lambda e: (fit.SOURCES.index(e["source"]), -e["score"]))
    return render(
        request,
        "topics/staff/detail.html",
        {
            "administration": admin,
            "run": run,
            "topic": topic,
            "row": row,
            "examples": [_shown(e) for e in examples],
            "rule": rule(),
            "may_open_item": access.may_open_item(request.user, admin),
        },
    )
