"""The Scorecard report: the seventeen cells as of a chosen day, as a page that prints cleanly
and as a PDF (the same template), and every indicator's series as CSV. Readers of the
Scorecard only, for the administrations they may score."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from insieme.core.access import get_administration_for_user
from insieme.core.models import today_in
from insieme.core.permissions import Perm
from insieme.insights import scorecard as sc
from insieme.insights import thresholds
from insieme.reports import pdf, series
from insieme.reports.forms import ReportForm, SeriesForm

FORMATS = ("html", "pdf")


def _scope_view(request, admin, form) -> sc.ScopeView:
    scope_view = sc.build_scope(request.user, admin, sc.parse_scope(form.cleaned_data["scope"]))
    scope_view.scope = dataclasses.replace(scope_view.scope, today=form.cleaned_data["as_of"])
    return scope_view


@never_cache
@login_required
@require_GET
def scorecard_report(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SCORECARD_READ)
    form = ReportForm(request.GET, today=today_in(admin))
    wanted = request.GET.get("format", "html")
    context = {"administration": admin, "form": form, "formats_error": ""}
    if wanted not in FORMATS:
        context["formats_error"] = True
        return render(request, "reports/report.html", context, status=400)
    if not form.is_valid():
        return render(request, "reports/report.html", context, status=400)
    scope_view = _scope_view(request, admin, form)
    elements = sc.build_elements(scope_view.scope, thresholds.for_administration(admin))
    context.update(
        scope_view=scope_view,
        elements=elements,
        cells_measured=sc.cells_with_indicators(elements),
        cells_total=sum(len(e.cells) for e in elements),
        perception_threshold=getattr(settings, "PERCEPTION_MIN_RESPONSES", 5),
        query=_query(form),
    )
    if wanted == "pdf":
        html = render_to_string("reports/report_pdf.html", context, request=request)
        response = HttpResponse(pdf.render(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{_filename(scope_view, "pdf")}"'
        return response
    return render(request, "reports/report.html", context)


@never_cache
@login_required
@require_GET
def series_csv(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SCORECARD_READ)
    form = SeriesForm(request.GET, today=today_in(admin))
    if not form.is_valid():
        context = {"administration": admin, "form": form, "formats_error": ""}
        return render(request, "reports/report.html", context, status=400)
    scope_view = _scope_view(request, admin, form)
    text = series.csv_text(scope_view.scope, form.cleaned_data["points"])
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope_view, "csv")}"'
    return response


def _query(form) -> str:
    from urllib.parse import urlencode

    return urlencode(
        {"as_of": form.cleaned_data["as_of"].isoformat(), "scope": form.cleaned_data["scope"]}
    )


def _filename(scope_view: sc.ScopeView, ext: str) -> str:
    slugs = "-".join(a.slug for a in scope_view.administrations[:1])
    return f"scorecard-{slugs}-{scope_view.choice}-{scope_view.scope.today}.{ext}"
