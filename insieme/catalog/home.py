"""The catalogue's part of the home page: search the services, and each administration's own
services (the public catalogue filtered to it)."""

from __future__ import annotations

from django.db.models import Count, Q

from insieme.catalog.models import Service
from insieme.core.models import Administration
from insieme.core.registry import HomeSection


def search_context(request) -> dict:
    """One query: every administration with its number of published services."""
    published = Count("services", filter=Q(services__status=Service.Status.PUBLISHED))
    administrations = list(Administration.objects.annotate(published=published).order_by("name"))
    regions = [a for a in administrations if a.kind == Administration.Kind.REGION]
    return {
        # A single-region installation introduces itself as that region.
        "region": regions[0] if len(regions) == 1 else None,
        "administrations": [a for a in administrations if a.published],
    }


SEARCH = HomeSection(
    key="catalog.search",
    order=10,
    template="catalog/home/_search.html",
    context=search_context,
    app="catalog",
)
