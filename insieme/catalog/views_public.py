"""The public service catalogue (no login): browse, search, and one page per service.

Only published services appear, and only what a citizen needs: description, how to file, expected
times, legal basis and the form's questions. Staff-only data (cost model, skilled staff, internal
deviation from templates, drafts) never reaches these pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from insieme.catalog import reports
from insieme.catalog.forms import CatalogueSearchForm, citizen_form_for, parsed_filters
from insieme.catalog.models import Provision, Service, search_key
from insieme.catalog.sla import describe_day_type, describe_sla
from insieme.core.models import Administration, today_in

PAGE_SIZE = 30
PUBLISHED = Service.Status.PUBLISHED


def published_services() -> QuerySet[Service]:
    """Every service a citizen may see."""
    return Service.objects.filter(status=PUBLISHED)


def search_services(qs: QuerySet[Service], text: str) -> QuerySet[Service]:
    """Services whose name, code, group, keywords or description contain every word of `text`,
    ignoring case and accents (Italian and English alike)."""
    for term in search_key(text).split():
        qs = qs.filter(search_text__contains=term)
    return qs


def _administrations_with_services() -> list[Administration]:
    published = Count("services", filter=Q(services__status=PUBLISHED))
    return list(
        Administration.objects.annotate(published=published)
        .filter(published__gt=0)
        .order_by("name")
    )


def _groups_with_counts(qs: QuerySet[Service]) -> list[dict]:
    return list(qs.exclude(group="").values("group").annotate(n=Count("id")).order_by("group"))


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    administrations = _administrations_with_services()
    by_slug = {a.slug: a for a in administrations}
    chosen = by_slug.get(request.GET.get("administration", ""))
    scope = published_services()
    if chosen is not None:
        scope = scope.filter(administration=chosen)
    groups = _groups_with_counts(scope)
    form = CatalogueSearchForm(
        request.GET or None,
        administrations=[(a.slug, a.display_name) for a in administrations],
        groups=[g["group"] for g in groups],
    )
    data = parsed_filters(form)
    results = search_services(scope, data.get("q", ""))
    if data.get("group"):
        results = results.filter(group=data["group"])
    results = results.select_related("administration").order_by(
        "administration__name", "group", "name"
    )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/public/catalogue.html",
        {
            "form": form,
            "page": page,
            "administrations": administrations,
            "chosen": chosen,
            "groups": groups,
            "searched": bool(data.get("q") or data.get("group")),
            "query": query.urlencode(),
        },
    )


@dataclass
class BasisItem:
    """A provision the service rests on, with its state and the questions it requires."""

    provision: Provision
    state: reports.LegalState
    fields: list[str] = field(default_factory=list)
    whole_service: bool = False


def legal_basis_items(service: Service, today) -> list[BasisItem]:
    """The provisions behind a service and its questions, one item per provision."""
    items: dict[int, BasisItem] = {}
    traces = (
        service.traces.filter(provision__isnull=False)
        .select_related("provision__regulation", "attribute")
        .order_by("provision__regulation__reference", "provision__article")
    )
    for trace in traces:
        item = items.get(trace.provision_id)
        if item is None:
            item = items[trace.provision_id] = BasisItem(
                trace.provision, reports.legal_state(trace.provision, today)
            )
        if trace.attribute_id:
            item.fields.append(trace.attribute.i18n.label)
        else:
            item.whole_service = True
    return list(items.values())


@require_GET
def catalogue_service(request: HttpRequest, admin_slug: str, code: str) -> HttpResponse:
    service = get_object_or_404(
        published_services()
        .select_related("administration", "department")
        .prefetch_related("attributes"),
        administration__slug=admin_slug,
        code=code,
    )
    form = citizen_form_for(service)
    form.make_read_only()
    channels = [reports.CHANNEL_LABELS.get(c, c) for c in service.channels or []]
    return render(
        request,
        "catalog/public/service.html",
        {
            "service": service,
            "admin": service.administration,
            "form": form,
            "channels": channels,
            "sla_text": describe_sla(service),
            "day_type_text": describe_day_type(service.sla_day_type),
            "basis": legal_basis_items(service, today_in(service.administration)),
        },
    )
