"""The Scorecard's part of the home page: its headline figures (indicators registered with
`headline=True`, aggregates that name no one) over the whole installation, with their cells.

Computed at most once an hour per language (HEADLINE_TTL): indicators read many rows, the home
page must not. Staff who may read the Scorecard get a link to the whole of it."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from insieme.core.access import permissions_by_administration
from insieme.core.cells import CELLS
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.core.registry import HomeSection, Scope, indicators
from insieme.insights import scorecard as sc
from insieme.insights import snapshots

HEADLINE_TTL = 3600
PENDING_TTL = 60  # how long the figures wait before the snapshot is looked for again


def installation_scope() -> Scope | None:
    """A single-region installation: the region and every administration it hosts; otherwise
    every administration."""
    regions = list(Administration.objects.filter(kind=Administration.Kind.REGION)[:2])
    if len(regions) == 1:
        members = [regions[0], *sc.hosted_by(regions[0])]
    else:
        members = list(Administration.objects.order_by("name"))
    if not members:
        return None
    return Scope.of(members[0], members, label=members[0].name)


def headline_figures() -> list[dict]:
    """[{key, display}] of the headline indicators, cached per language.

    Where a background worker runs and there is no snapshot yet (a new installation, a new
    indicator), the worker is asked for one and the section waits for it, a minute at a time:
    computing the figures here would hold the home page (and every visitor arriving meanwhile)
    for as long as the indicators take over all the records, many seconds at a million cases.
    Without a worker the page computes them, as the Scorecard's page does."""
    language = translation.get_language()
    key = f"home:headline-figures:{language}"
    figures = cache.get(key)
    if figures is not None:
        return figures
    scope = installation_scope()
    ttl = HEADLINE_TTL
    if scope is None:
        figures = []
    else:
        headline = [i for i in indicators if i.headline]
        # The installation's scope is one the worker keeps a snapshot of (a region with all it
        # hosts, or a single administration): read from it where there is one.
        found = snapshots.stored(scope, headline, current=True)
        if found is None and snapshots.max_age() > 0 and snapshots.worker_refreshes():
            snapshots.queue_refresh(scope, language or settings.LANGUAGE_CODE)
            figures, ttl = [], PENDING_TTL
        else:
            figures = []
            for indicator in headline:
                if found is not None:
                    result = found.results[indicator.key][0]
                else:
                    result = sc.compute(indicator, scope).result
                if result is not None and result.value is not None:
                    figures.append({"key": indicator.key, "display": result.display})
    cache.set(key, figures, ttl)
    return figures


def _scorecard_url(user) -> str:
    for admin_id, perms in permissions_by_administration(user).items():
        if Perm.SCORECARD_READ in perms:
            slug = Administration.objects.filter(pk=admin_id).values_list("slug", flat=True)
            return reverse("scorecard", args=[slug.first()])
    return ""


def figures_context(request) -> dict | None:
    figures = []
    for figure in headline_figures():
        if figure["key"] in indicators:
            indicator = indicators.get(figure["key"])
            cell = CELLS.get(indicator.cell)
            figures.append({"indicator": indicator, "cell": cell, "display": figure["display"]})
    if not figures:
        return None
    return {"figures": figures, "scorecard_url": _scorecard_url(request.user)}


FIGURES = HomeSection(
    key="insights.figures",
    order=40,
    template="insights/home/_figures.html",
    context=figures_context,
    app="insights",
)
