"""The DCAT-AP catalogue (/opendata/catalog.ttl|.jsonld) and each dataset's own description
(/opendata/<administration>/<dataset>.ttl|.jsonld), public like the data they describe.

Errors answer in plain text: a harvester reads the reason, not a styled page."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from insieme.opendata import catalogue, dcat

# Harvesters poll; a few minutes' staleness costs nothing and spares rebuilding the graph.
CACHE_SECONDS = 300


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _rdf(graph, fmt: str) -> HttpResponse:
    response = HttpResponse(dcat.serialize(graph, fmt), content_type=dcat.CONTENT_TYPES[fmt])
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_safe
def catalog(request, fmt):
    found = catalogue.entries()
    try:
        page = dcat.parse_page(request.GET.get("page"), len(found))
    except dcat.PageError as error:
        return _plain(str(error), error.status)
    return _rdf(dcat.catalogue_graph(found, page, dcat.Site.of_request(request), fmt), fmt)


@require_safe
def dataset(request, admin_slug, key, fmt):
    entry = catalogue.entry(admin_slug, key)
    if entry is None:
        message = _("No published dataset %(administration)s/%(dataset)s.")
        return _plain(message % {"administration": admin_slug, "dataset": key}, 404)
    return _rdf(dcat.dataset_graph(entry, dcat.Site.of_request(request)), fmt)
