"""The dashboards page and its CSV downloads.

Reading needs `dashboards:dashboard:read` in the administration (404 outside the person's
administrations, 403 without the permission). A region sees the administrations it hosts with
it (those where the person may read dashboards), together or one at a time. Every filter comes
from the query string; an impossible value (an unknown or foreign id, a period that ends before
it starts or spans more than three years, a date outside the calendar, a control character)
answers 400 with the page and the field's message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.csvsafe import neutralise
from insieme.core.permissions import Perm
from insieme.core.replica import reading_replica
from insieme.dashboards import filters as dash_filters
from insieme.dashboards import panels, rollups
from insieme.dashboards.panels import Panel, PanelData

FORMATS = ("", "html", "csv")
NOT_FILTERS = ("format", "panel")
# The filters the map of hotspots reads too, under the same names.
HOTSPOT_FILTERS = ("start", "end", "service", "department", "channel")


@dataclass
class PanelView:
    panel: Panel
    data: PanelData
    csv_url: str
    own_csv_url: str
    ignored: list[str] = field(default_factory=list)  # filters chosen that do not apply to it

    @property
    def ignored_text(self) -> str:
        return ", ".join(self.ignored)

    @property
    def shown_rows(self) -> list[list[str]]:
        return [[_shown(v) for v in row] for row in self.data.rows]

    @property
    def chart_id(self) -> str:
        return f"chart-{self.panel.key}"


def _shown(value) -> str:
    return "—" if value is None else str(localize(value))


def _raw(value):
    """A CSV cell: numbers and dates as spreadsheets read them, text kept from formulas."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def _filters(request: HttpRequest, admin_slug: str):
    """(administration, bound form, Filters or None when the form refuses the query)."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.DASHBOARD_READ)
    members = dash_filters.members_for(request.user, admin)
    form = dash_filters.FilterForm(
        request.GET, members=members, areas=dash_filters.areas_of([a.pk for a in members])
    )
    if not form.is_valid():
        return admin, form, None
    try:
        filters = dash_filters.build(form, admin)
    except ValidationError as exc:
        form.add_error(None, exc)
        return admin, form, None
    return admin, form, rollups.prepare(filters)  # the rollups brought up to date, if they serve


def _chosen(request: HttpRequest) -> set[str]:
    """The filters the query string sets (`start` or `end` set the period)."""
    chosen = {name for name in panels.FILTER_NAMES if name != "period" and request.GET.get(name)}
    if request.GET.get("start") or request.GET.get("end"):
        chosen.add("period")
    return chosen


def _hotspots_url(request: HttpRequest, admin) -> str:
    """The map of hotspots with the filters it shares with the dashboards ("" without the
    permission to read it)."""
    if not has_perm(request.user, Perm.HOTSPOT_READ, admin):
        return ""
    shared = {k: v for k in HOTSPOT_FILTERS if (v := request.GET.get(k))}
    url = reverse("hotspots:staff_map", args=[admin.slug])
    return url + (f"?{urlencode(shared)}" if shared else "")


def _query(request: HttpRequest, **extra) -> str:
    params = request.GET.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    params.update(extra)
    return params.urlencode()


def _csv(admin, filters, panel: Panel) -> HttpResponse:
    with reading_replica():  # only reads: a replica may serve them
        data = panel.compute(filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(str(c)) for c in data.columns])
    for row in data.rows:
        writer.writerow([_raw(v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"dashboard-{admin.slug}-{panel.key}-{filters.first_day}-{filters.last_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _refused(request, admin, form, message: str = "") -> HttpResponse:
    return render(
        request,
        "dashboards/page.html",
        {"administration": admin, "form": form, "views": [], "message": message},
        status=400,
    )


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin, form, filters = _filters(request, admin_slug)
    wanted = request.GET.get("format", "")
    if filters is None:
        return _refused(request, admin, form)
    if wanted not in FORMATS:
        return _refused(request, admin, form, _("Ask for the page or for format=csv."))
    if wanted == "csv":
        panel = panels.get(request.GET.get("panel", ""))
        if panel is None:
            return _refused(request, admin, form, _("There is no such panel: choose one below."))
        return _csv(admin, filters, panel)
    own = reverse("dashboards:page", args=[admin.slug])
    views = []
    chosen = _chosen(request)
    for panel in panels.ordered():
        csv_url = f"{own}?{_query(request, format='csv', panel=panel.key)}"
        panel_url = reverse("dashboards:panel_csv", args=[admin.slug, panel.key])
        query = _query(request)
        ignored = [str(panels.FILTER_NAMES[f]) for f in panel.ignores if f in chosen]
        with reading_replica():  # only reads: a replica may serve them
            data = panel.compute(filters)
        views.append(
            PanelView(
                panel,
                data,
                csv_url,
                panel_url + (f"?{query}" if query else ""),
                ignored,
            )
        )
    return render(
        request,
        "dashboards/page.html",
        {
            "administration": admin,
            "form": form,
            "filters": filters,
            "members": form.members,
            "views": views,
            "hotspots_url": _hotspots_url(request, admin),
        },
    )


@never_cache
@login_required
@require_GET
def panel_csv(request: HttpRequest, admin_slug: str, key: str) -> HttpResponse:
    """One panel's figures as CSV at its own address, with the page's filters."""
    admin, form, filters = _filters(request, admin_slug)
    panel = panels.get(key)
    if panel is None:
        raise Http404("No such panel")
    if filters is None:
        return _refused(request, admin, form)
    return _csv(admin, filters, panel)
