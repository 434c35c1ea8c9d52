"""The Co-production Scorecard page: the seventeen cells, their indicators, CSV downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from insieme.core.access import get_administration_for_user
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.insights import scorecard as sc


@never_cache
@login_required
@require_GET
def scorecard(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """The page, or with ?csv=<indicator key> the rows of one indicator as CSV. A region sees
    itself with the administrations it hosts unless ?scope=self asks for it alone."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.SCORECARD_READ)
    scope_view = sc.build_scope(request.user, admin, sc.parse_scope(request.GET.get("scope")))
    if "csv" in request.GET:
        return _csv_download(admin, scope_view, request.GET["csv"])
    elements = sc.build_elements(scope_view.scope)
    return render(
        request,
        "insights/scorecard.html",
        {
            "administration": admin,
            "scope_view": scope_view,
            "elements": elements,
            "cells_measured": sc.cells_with_indicators(elements),
            "cells_total": sum(len(e.cells) for e in elements),
            "row_limit": sc.ROW_LIMIT,
        },
    )


def _csv_download(admin: Administration, scope_view: sc.ScopeView, key: str) -> HttpResponse:
    indicator = sc.indicator_by_key(key)
    if indicator is None:
        raise Http404("No such indicator")
    view = sc.compute(indicator, scope_view.scope)
    if view.result is None:
        raise Http404("The indicator could not be computed")
    response = HttpResponse(sc.csv_text(view.result), content_type="text/csv; charset=utf-8")
    filename = f"scorecard-{admin.slug}-{scope_view.choice}-{key}-{scope_view.scope.today}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
