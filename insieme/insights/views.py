"""The Co-production Scorecard page: the seventeen cells, their indicators, CSV downloads."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.core.replica import reading_replica
from insieme.insights import scorecard as sc
from insieme.insights import thresholds
from insieme.insights.forms import ThresholdsForm


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
    elements = sc.build_elements(
        scope_view.scope, thresholds.for_administration(admin), current=True
    )
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
            "computed_at": timezone.localtime(elements.computed_at, scope_view.scope.zone),
            "figures_day": elements.day,
            "stale": elements.stale,
            # Where pages read snapshots (insieme.insights.snapshots), how often they are renewed.
            "refresh_minutes": settings.SCORECARD_REFRESH_MINUTES
            if settings.INSIEME_SCORECARD_MAX_AGE > 0
            else 0,
            "perception_threshold": getattr(settings, "PERCEPTION_MIN_RESPONSES", 5),
            "survey_url": _survey_url(admin),
            "improvement_url": _improvement_url(request.user, admin),
            "thresholds_url": reverse("scorecard_thresholds", args=[admin.slug])
            if has_perm(request.user, Perm.THRESHOLD_MANAGE, admin.pk)
            else "",
        },
    )


def _survey_url(admin: Administration) -> str:
    """The staff survey's page, where an app provides it (the perception app)."""
    try:
        return reverse("perception:answer", args=[admin.slug])
    except NoReverseMatch:
        return ""


def _improvement_url(user, admin: Administration) -> str:
    """Where an indicator becomes an improvement item (the improvements app), for those who may
    open one here."""
    if not has_perm(user, Perm.IMPROVEMENT_MANAGE, admin.pk):
        return ""
    try:
        return reverse("improvements:staff_new", args=[admin.slug])
    except NoReverseMatch:
        return ""


def _csv_download(admin: Administration, scope_view: sc.ScopeView, key: str) -> HttpResponse:
    indicator = sc.indicator_by_key(key)
    if indicator is None:
        raise Http404("No such indicator")
    with reading_replica():
        view = sc.compute(indicator, scope_view.scope)
    if view.result is None:
        raise Http404("The indicator could not be computed")
    response = HttpResponse(sc.csv_text(view.result), content_type="text/csv; charset=utf-8")
    filename = f"scorecard-{admin.slug}-{scope_view.choice}-{key}-{scope_view.scope.today}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def threshold_settings(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Where the administration draws its lines: benefit realised / challenge present per
    indicator. Each changed row is set on its own; a row that does not hold is shown with its
    error and the others are kept."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.THRESHOLD_MANAGE)
    current = thresholds.for_administration(admin)
    form = ThresholdsForm(request.POST if request.method == "POST" else None, current=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            failed = False
            for indicator, realised, challenge in form.pairs():
                pair = current.get(indicator.key)
                if pair is None and realised is None and challenge is None:
                    continue
                try:
                    thresholds.set_threshold(
                        request.user, admin, indicator.key, realised, challenge
                    )
                except ValidationError as exc:
                    failed = True
                    form.add_error(f"{indicator.key}__realised", exc)
            if not failed:
                messages.success(request, _("The thresholds are saved."))
                return redirect("scorecard_thresholds", admin_slug=admin.slug)
        status = 400
    return render(
        request,
        "insights/thresholds.html",
        {"administration": admin, "form": form},
        status=status,
    )
