"""Staff screens of the catalogue, under /staff/<admin_slug>/.

Every view fetches through `insieme.catalog.access` (404 for other tenants, 403 for a missing
permission) and writes through `insieme.catalog.actions`; a ValidationError from an action is put
back on the form, which re-renders with the person's input (never a 500, nothing half-saved).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.catalog import actions, i18n, reports
from insieme.catalog.access import (
    get_attribute_for_user,
    get_provision_for_user,
    get_regulation_for_user,
    get_service_for_user,
    get_template_attribute_for_user,
    get_template_for_user,
    get_trace_for_user,
)
from insieme.catalog.forms import (
    AttributeForm,
    NewServiceForm,
    ProvisionForm,
    RegulationForm,
    ServiceFilterForm,
    ServiceForm,
    SkilledForm,
    TemplateAttributeForm,
    TemplateForm,
    TraceForm,
    citizen_form_for,
    initial_from_template,
    parsed_filters,
)
from insieme.catalog.models import (
    Provision,
    Regulation,
    Service,
    ServiceTemplate,
    Trace,
    search_key,
)
from insieme.catalog.sla import describe_day_type, describe_sla
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.models import Administration, today_in
from insieme.core.permissions import Perm

PAGE_SIZE = 50
ORDER_STEP = 10
GET_POST = ["GET", "POST"]


# --- shared helpers ------------------------------------------------------------------------------


def _crumbs(admin: Administration, *trail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """Breadcrumbs from the staff area down to the page (the last one has no link)."""
    return [
        (_("Staff area"), reverse("staff_home")),
        (admin.name, reverse("catalog_staff_services", args=[admin.slug])),
        *trail,
    ]


def _page(
    request: HttpRequest,
    template_name: str,
    admin: Administration,
    crumbs: list[tuple[str, str | None]],
    **context,
) -> HttpResponse:
    """Render a staff page with what every catalogue page shows (admin, breadcrumbs, rights)."""
    user = request.user
    context.update(
        admin=admin,
        section=_section(request),
        breadcrumbs=_crumbs(admin, *crumbs),
        can_write_services=has_perm(user, Perm.SERVICE_WRITE, admin),
        can_write_templates=has_perm(user, Perm.TEMPLATE_WRITE, admin),
        can_write_regulations=has_perm(user, Perm.REGULATION_WRITE, admin),
    )
    return render(request, template_name, context)


def _section(request: HttpRequest) -> str:
    """Which tab of the catalogue's navigation the page belongs to."""
    name = request.resolver_match.url_name if request.resolver_match else ""
    for key, marker in (
        ("translations", "translations"),
        ("templates", "template"),
        ("regulations", "regulation"),
        ("regulations", "provision"),
        ("legal", "legal_basis"),
    ):
        if marker in name:
            return key
    return "services"


def _data(request: HttpRequest):
    """The POST data of a form submission (even an empty one), None for a GET."""
    return request.POST if request.method == "POST" else None


def _try(form, action, *args, **kwargs):
    """Run an action; on ValidationError put its messages on `form` and return None."""
    try:
        return action(*args, **kwargs)
    except ValidationError as exc:
        form.add_action_errors(exc)
        return None


def _service_url(name: str, service: Service, *extra) -> str:
    return reverse(name, args=[service.administration.slug, service.pk, *extra])


def _services_crumb(admin: Administration) -> tuple[str, str]:
    return _("Services"), reverse("catalog_staff_services", args=[admin.slug])


def _service_crumb(service: Service) -> tuple[str, str]:
    return service.i18n.name, _service_url("catalog_service_detail", service)


# --- service list --------------------------------------------------------------------------------


def filter_services(qs: QuerySet[Service], data: dict) -> QuerySet[Service]:
    """Apply the list filters (cleaned ServiceFilterForm data) to a queryset of services."""
    for term in search_key(data.get("q") or "").split():
        qs = qs.filter(search_text__contains=term)
    if data.get("group"):
        qs = qs.filter(group=data["group"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("origin") == "template":
        qs = qs.filter(template__isnull=False)
    elif data.get("origin") == "local":
        qs = qs.filter(template__isnull=True)
    return qs


def _groups(qs: QuerySet) -> list[str]:
    return sorted(g for g in qs.values_list("group", flat=True).distinct() if g)


@login_required
@require_GET
def service_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_READ)
    base = Service.objects.filter(administration=admin)
    form = ServiceFilterForm(request.GET or None, groups=_groups(base))
    data = parsed_filters(form)
    services = reports.with_legal_basis(filter_services(base, data)).order_by("group", "name")
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = reports.service_rows(page.object_list, today_in(admin))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "catalog/staff/service_list.html",
        admin,
        [(_("Services"), None)],
        form=form,
        rows=rows,
        page=page,
        total=base.count(),
        query=query.urlencode(),
    )


# --- creating and editing a service --------------------------------------------------------------


def _chosen_template(admin: Administration, raw: str | None) -> ServiceTemplate | None:
    """The template named in ?template=, if this administration may build on it."""
    try:
        return actions.visible_templates(admin).select_related("owner").get(pk=int(raw or ""))
    except (ValueError, ServiceTemplate.DoesNotExist):
        return None


def _choose_page(request: HttpRequest, admin: Administration, error: str = "") -> HttpResponse:
    templates = actions.visible_templates(admin).select_related("owner").order_by("group", "name")
    return _page(
        request,
        "catalog/staff/service_choose.html",
        admin,
        [_services_crumb(admin), (_("New service"), None)],
        templates=templates,
        error=error,
    )


@login_required
@require_http_methods(GET_POST)
def service_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_WRITE)
    templates = actions.visible_templates(admin)
    if request.method == "POST":
        form = NewServiceForm(
            request.POST,
            administration=admin,
            templates=templates,
            source=_chosen_template(admin, request.POST.get("template")),
        )
        if form.is_valid():
            service = _try(
                form,
                actions.create_service,
                request.user,
                admin,
                template=form.cleaned_data.get("template"),
                **form.changes(),
            )
            if service is not None:
                messages.success(request, _("The service was created."))
                return redirect(_service_url("catalog_service_detail", service))
        template = form.cleaned_data.get("template")
    elif "template" in request.GET:
        template = _chosen_template(admin, request.GET.get("template"))
        if template is None:
            return _choose_page(
                request, admin, _("That template is not offered to this administration.")
            )
        form = NewServiceForm(
            initial=initial_from_template(template),
            administration=admin,
            templates=templates,
            source=template,
        )
    elif "scratch" in request.GET:
        template = None
        form = NewServiceForm(
            initial={"status": Service.Status.DRAFT}, administration=admin, templates=templates
        )
    else:
        return _choose_page(request, admin)
    return _page(
        request,
        "catalog/staff/service_form.html",
        admin,
        [_services_crumb(admin), (_("New service"), None)],
        form=form,
        template_used=template,
        creating=True,
    )


def _stale_message(current: Service, changes: dict) -> str:
    """What to tell someone whose edit lost the race, naming the fields now different."""
    differing = [
        str(Service._meta.get_field(name).verbose_name)
        for name, value in changes.items()
        if getattr(current, name) != value
    ]
    text = _(
        "Someone else saved this service while you were editing it, so your changes were "
        "not saved. The form still shows your version; submit it again to replace theirs."
    )
    if differing:
        text += " " + _("Saved values now differ from yours in: %(f)s.") % {
            "f": ", ".join(differing)
        }
    return text


def _stale_form(
    request: HttpRequest, admin: Administration, service: Service, changes: dict
) -> ServiceForm:
    """The person's input again, carrying the current version so a resubmit is deliberate."""
    current = Service.objects.get(pk=service.pk)
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = ServiceForm(data, instance=current, administration=admin)
    form.is_valid()
    form.add_error(None, _stale_message(current, changes))
    return form


@login_required
@require_http_methods(GET_POST)
def service_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, admin_slug, pk, Perm.SERVICE_WRITE)
    admin = service.administration
    form = ServiceForm(_data(request), instance=service, administration=admin)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            _try(
                form,
                actions.update_service,
                request.user,
                service,
                expected_version=form.cleaned_data["version"],
                **changes,
            )
        except actions.StaleObject:
            form = _stale_form(request, admin, service, changes)
        if not form.errors:
            messages.success(request, _("The service was saved."))
            return redirect(_service_url("catalog_service_detail", service))
    return _page(
        request,
        "catalog/staff/service_form.html",
        admin,
        [_services_crumb(admin), _service_crumb(service), (_("Edit"), None)],
        form=form,
        service=service,
        template_used=service.template,
        creating=False,
    )


# --- one service: overview, questions, preview ---------------------------------------------------


@login_required
@require_GET
def service_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, admin_slug, pk, Perm.SERVICE_READ)
    admin = service.administration
    template = service.template
    row = reports.service_row(
        reports.with_legal_basis(Service.objects.filter(pk=service.pk)).get(), today_in(admin)
    )
    skilled = service.skilled.select_related("user", "department").order_by("user__full_name")
    return _page(
        request,
        "catalog/staff/service_detail.html",
        admin,
        [_services_crumb(admin), (service.i18n.name, None)],
        service=row.service,
        row=row,
        skilled=skilled,
        attributes=row.service.attributes.all(),
        deviation=reports.describe_deviation(row.service, template),
        sla_text=describe_sla(service),
        day_type_text=describe_day_type(service.sla_day_type),
        channels_text=reports.display_value("channels", service.channels),
        minutes_text=reports.display_value("staff_minutes", service.staff_minutes),
    )


def _next_order(qs: QuerySet) -> int:
    highest = qs.aggregate(m=Max("order"))["m"]
    return (highest or 0) + ORDER_STEP


@login_required
@require_http_methods(GET_POST)
def attribute_create(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, admin_slug, pk, Perm.SERVICE_WRITE)
    form = AttributeForm(
        _data(request),
        initial={"order": _next_order(service.attributes.all())},
        language=service.language,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, actions.save_attribute, request.user, service, **form.changes())
    ):
        messages.success(request, _("The question was added."))
        return redirect(_service_url("catalog_service_detail", service) + "#questions")
    return _attribute_page(request, service, form, _("New question"))


@login_required
@require_http_methods(GET_POST)
def attribute_edit(request: HttpRequest, admin_slug: str, pk: int, attr_pk: int) -> HttpResponse:
    attribute = get_attribute_for_user(
        request.user, admin_slug, attr_pk, Perm.SERVICE_WRITE, service_pk=pk
    )
    service = attribute.service
    form = AttributeForm(_data(request), instance=attribute, language=attribute.service.language)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, actions.save_attribute, request.user, service, attribute, **form.changes())
    ):
        messages.success(request, _("The question was saved."))
        return redirect(_service_url("catalog_service_detail", service) + "#questions")
    return _attribute_page(request, service, form, _("Edit question"))


def _attribute_page(request: HttpRequest, service: Service, form, title: str) -> HttpResponse:
    admin = service.administration
    return _page(
        request,
        "catalog/staff/attribute_form.html",
        admin,
        [_services_crumb(admin), _service_crumb(service), (title, None)],
        form=form,
        title=title,
        owner_name=service.i18n.name,
        cancel_url=_service_url("catalog_service_detail", service),
    )


@login_required
@require_http_methods(GET_POST)
def attribute_delete(request: HttpRequest, admin_slug: str, pk: int, attr_pk: int) -> HttpResponse:
    attribute = get_attribute_for_user(
        request.user, admin_slug, attr_pk, Perm.SERVICE_WRITE, service_pk=pk
    )
    service = attribute.service
    back = _service_url("catalog_service_detail", service)
    if request.method == "POST":
        actions.delete_attribute(request.user, attribute)
        messages.success(request, _("The question was deleted."))
        return redirect(back + "#questions")
    admin = service.administration
    return _page(
        request,
        "catalog/staff/confirm_delete.html",
        admin,
        [_services_crumb(admin), _service_crumb(service), (_("Delete question"), None)],
        title=_("Delete question"),
        object_label=attribute.i18n.label,
        cancel_url=back,
        consequence=_(
            "Its answers will no longer be asked for, and its traces to provisions are removed."
        ),
    )


@login_required
@require_http_methods(GET_POST)
def service_preview(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    """The citizen form exactly as citizens see it. Submitting it checks the answers and saves
    nothing, so staff can try the validation."""
    service = get_service_for_user(request.user, admin_slug, pk, Perm.SERVICE_READ)
    admin = service.administration
    form = citizen_form_for(service, _data(request))
    tried_ok = request.method == "POST" and form.is_valid()
    return _page(
        request,
        "catalog/staff/service_preview.html",
        admin,
        [_services_crumb(admin), _service_crumb(service), (_("Preview"), None)],
        service=service,
        form=form,
        tried_ok=tried_ok,
        form_action=_service_url("catalog_service_preview", service),
    )


# --- traces and skilled staff --------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def service_traces(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    perm = Perm.SERVICE_WRITE if request.method == "POST" else Perm.SERVICE_READ
    service = get_service_for_user(request.user, admin_slug, pk, perm)
    admin = service.administration
    form = TraceForm(_data(request), service=service)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _try(
            form,
            actions.add_trace,
            request.user,
            service,
            attribute=data.get("attribute"),
            provision=data.get("provision"),
            policy_need=data.get("policy_need", ""),
        ):
            messages.success(request, _("The trace was added."))
            return redirect(_service_url("catalog_service_traces", service))
    return _page(
        request,
        "catalog/staff/service_traces.html",
        admin,
        [_services_crumb(admin), _service_crumb(service), (_("Traces"), None)],
        service=service,
        form=form,
        **_trace_context(service, today_in(admin)),
    )


def _trace_context(service: Service, today) -> dict:
    """Each form field with its traces (and the service's own), with legal states."""
    traces = list(service.traces.select_related("provision__regulation"))
    for trace in traces:
        trace.state = reports.legal_state(trace.provision, today) if trace.provision_id else None
    fields = []
    for attribute in service.attributes.all():
        own = [t for t in traces if t.attribute_id == attribute.pk]
        fields.append({"attribute": attribute, "traces": own})
    untraced = sum(1 for f in fields if not f["traces"] and f["attribute"].variable)
    return {
        "fields": fields,
        "service_traces": [t for t in traces if t.attribute_id is None],
        "untraced": untraced,
    }


@login_required
@require_POST
def trace_delete(request: HttpRequest, admin_slug: str, pk: int, trace_pk: int) -> HttpResponse:
    trace = get_trace_for_user(
        request.user, admin_slug, trace_pk, Perm.SERVICE_WRITE, service_pk=pk
    )
    service = trace.service
    actions.remove_trace(request.user, trace)
    messages.success(request, _("The trace was removed."))
    return redirect(_service_url("catalog_service_traces", service))


@login_required
@require_http_methods(GET_POST)
def service_skilled(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    service = get_service_for_user(request.user, admin_slug, pk, Perm.SERVICE_WRITE)
    admin = service.administration
    form = SkilledForm(
        _data(request), administration=admin, initial={"skilled": list(service.skilled.all())}
    )
    if request.method == "POST" and form.is_valid():
        _try(form, actions.set_skilled, request.user, service, list(form.cleaned_data["skilled"]))
        if not form.errors:
            messages.success(request, _("The skilled staff were saved."))
            return redirect(_service_url("catalog_service_detail", service) + "#skilled")
    return _page(
        request,
        "catalog/staff/service_skilled.html",
        admin,
        [_services_crumb(admin), _service_crumb(service), (_("Skilled staff"), None)],
        service=service,
        form=form,
    )


# --- templates -----------------------------------------------------------------------------------


def _templates_crumb(admin: Administration) -> tuple[str, str]:
    return _("Templates"), reverse("catalog_templates", args=[admin.slug])


def _template_url(name: str, admin: Administration, template: ServiceTemplate, *extra) -> str:
    return reverse(name, args=[admin.slug, template.pk, *extra])


@login_required
@require_GET
def template_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_READ)
    # distinct: the two counts join two tables, which would multiply each other's rows.
    used_here = Count("services", filter=Q(services__administration=admin), distinct=True)
    visible = (
        actions.visible_templates(admin)
        .select_related("owner")
        .annotate(used_here=used_here, questions=Count("attributes", distinct=True))
        .order_by("group", "name")
    )
    own = [t for t in visible if t.owner_id == admin.pk]
    shared = [t for t in visible if t.owner_id != admin.pk]
    return _page(
        request,
        "catalog/staff/template_list.html",
        admin,
        [(_("Templates"), None)],
        own=own,
        shared=shared,
    )


@login_required
@require_http_methods(GET_POST)
def template_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.TEMPLATE_WRITE)
    form = TemplateForm(_data(request), administration=admin)
    if request.method == "POST" and form.is_valid():
        template = _try(form, actions.create_template, request.user, admin, **form.changes())
        if template is not None:
            messages.success(request, _("The template was created."))
            return redirect(_template_url("catalog_template_detail", admin, template))
    return _page(
        request,
        "catalog/staff/template_form.html",
        admin,
        [_templates_crumb(admin), (_("New template"), None)],
        form=form,
        creating=True,
    )


@login_required
@require_GET
def template_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, admin_slug, pk, Perm.SERVICE_READ)
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_READ)
    services = template.services.filter(administration=admin).order_by("name")
    return _page(
        request,
        "catalog/staff/template_detail.html",
        admin,
        [_templates_crumb(admin), (template.i18n.name, None)],
        template=template,
        attributes=template.attributes.all(),
        services=services,
        owned=template.owner_id == admin.pk,
        sla_text=describe_sla(template),
    )


@login_required
@require_http_methods(GET_POST)
def template_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, admin_slug, pk, Perm.TEMPLATE_WRITE)
    admin = template.owner
    form = TemplateForm(_data(request), instance=template, administration=admin)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, actions.update_template, request.user, template, **form.changes())
    ):
        messages.success(request, _("The template was saved."))
        return redirect(_template_url("catalog_template_detail", admin, template))
    return _page(
        request,
        "catalog/staff/template_form.html",
        admin,
        [
            _templates_crumb(admin),
            (template.i18n.name, _template_url("catalog_template_detail", admin, template)),
            (_("Edit"), None),
        ],
        form=form,
        template=template,
        creating=False,
    )


@login_required
@require_http_methods(GET_POST)
def template_attribute_create(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    template = get_template_for_user(request.user, admin_slug, pk, Perm.TEMPLATE_WRITE)
    form = TemplateAttributeForm(
        _data(request),
        initial={"order": _next_order(template.attributes.all())},
        language=template.language,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, actions.save_template_attribute, request.user, template, **form.changes())
    ):
        messages.success(request, _("The question was added."))
        return redirect(_template_url("catalog_template_detail", template.owner, template))
    return _template_attribute_page(request, template, form, _("New question"))


@login_required
@require_http_methods(GET_POST)
def template_attribute_edit(
    request: HttpRequest, admin_slug: str, pk: int, attr_pk: int
) -> HttpResponse:
    attribute = get_template_attribute_for_user(
        request.user, admin_slug, pk, attr_pk, Perm.TEMPLATE_WRITE
    )
    template = attribute.template
    form = TemplateAttributeForm(_data(request), instance=attribute, language=template.language)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(
            form,
            actions.save_template_attribute,
            request.user,
            template,
            attribute,
            **form.changes(),
        )
    ):
        messages.success(request, _("The question was saved."))
        return redirect(_template_url("catalog_template_detail", template.owner, template))
    return _template_attribute_page(request, template, form, _("Edit question"))


def _template_attribute_page(
    request: HttpRequest, template: ServiceTemplate, form, title: str
) -> HttpResponse:
    admin = template.owner
    back = _template_url("catalog_template_detail", admin, template)
    return _page(
        request,
        "catalog/staff/attribute_form.html",
        admin,
        [_templates_crumb(admin), (template.i18n.name, back), (title, None)],
        form=form,
        title=title,
        owner_name=template.i18n.name,
        cancel_url=back,
    )


@login_required
@require_http_methods(GET_POST)
def template_attribute_delete(
    request: HttpRequest, admin_slug: str, pk: int, attr_pk: int
) -> HttpResponse:
    attribute = get_template_attribute_for_user(
        request.user, admin_slug, pk, attr_pk, Perm.TEMPLATE_WRITE
    )
    template = attribute.template
    admin = template.owner
    back = _template_url("catalog_template_detail", admin, template)
    if request.method == "POST":
        actions.delete_template_attribute(request.user, attribute)
        messages.success(request, _("The question was deleted."))
        return redirect(back)
    return _page(
        request,
        "catalog/staff/confirm_delete.html",
        admin,
        [_templates_crumb(admin), (template.i18n.name, back), (_("Delete question"), None)],
        title=_("Delete question"),
        object_label=attribute.i18n.label,
        cancel_url=back,
        consequence=_(
            "Services built on this template keep their own copy; they will "
            "show it as a local addition."
        ),
    )


# --- regulation register -------------------------------------------------------------------------


def _regulations_crumb(admin: Administration) -> tuple[str, str]:
    return _("Regulations"), reverse("catalog_regulations", args=[admin.slug])


def _regulation_url(name: str, admin: Administration, regulation: Regulation, *extra) -> str:
    return reverse(name, args=[admin.slug, regulation.pk, *extra])


def _with_states(regulations, today) -> list[Regulation]:
    regulations = list(regulations)
    for regulation in regulations:
        regulation.state = reports.regulation_state(regulation, today)
    return regulations


@login_required
@require_GET
def regulation_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.REGULATION_READ)
    today = today_in(admin)
    visible = (
        actions.visible_regulations(admin)
        .select_related("administration")
        .annotate(provision_count=Count("provisions"))
        .order_by("administration__name", "reference")
    )
    regulations = _with_states(visible, today)
    own = [r for r in regulations if r.administration_id == admin.pk]
    hosts: dict[int, dict] = {}
    for r in regulations:
        if r.administration_id != admin.pk:
            hosts.setdefault(r.administration_id, {"owner": r.administration, "items": []})
            hosts[r.administration_id]["items"].append(r)
    return _page(
        request,
        "catalog/staff/regulation_list.html",
        admin,
        [(_("Regulations"), None)],
        own=own,
        hosts=list(hosts.values()),
    )


@login_required
@require_http_methods(GET_POST)
def regulation_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.REGULATION_WRITE)
    form = RegulationForm(_data(request), administration=admin)
    if request.method == "POST" and form.is_valid():
        regulation = _try(form, actions.create_regulation, request.user, admin, **form.changes())
        if regulation is not None:
            messages.success(request, _("The regulation was added to the register."))
            return redirect(_regulation_url("catalog_regulation_detail", admin, regulation))
    return _page(
        request,
        "catalog/staff/regulation_form.html",
        admin,
        [_regulations_crumb(admin), (_("New regulation"), None)],
        form=form,
        title=_("New regulation"),
        cancel_url=reverse("catalog_regulations", args=[admin.slug]),
    )


@login_required
@require_GET
def regulation_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    regulation = get_regulation_for_user(request.user, admin_slug, pk, Perm.REGULATION_READ)
    admin = get_administration_for_user(request.user, admin_slug, Perm.REGULATION_READ)
    today = today_in(admin)
    # Only this administration's services: a host's provision may also carry other tenants'.
    here = Trace.objects.filter(service__administration=admin).select_related(
        "service", "attribute"
    )
    provisions = list(
        regulation.provisions.select_related("regulation", "superseded_by").prefetch_related(
            Prefetch("traces", queryset=here)
        )
    )
    for provision in provisions:
        provision.state = reports.legal_state(provision, today)
    return _page(
        request,
        "catalog/staff/regulation_detail.html",
        admin,
        [_regulations_crumb(admin), (regulation.reference, None)],
        regulation=regulation,
        state=reports.regulation_state(regulation, today),
        provisions=provisions,
        owned=regulation.administration_id == admin.pk,
    )


@login_required
@require_http_methods(GET_POST)
def regulation_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    regulation = get_regulation_for_user(request.user, admin_slug, pk, Perm.REGULATION_WRITE)
    admin = regulation.administration
    back = _regulation_url("catalog_regulation_detail", admin, regulation)
    form = RegulationForm(_data(request), instance=regulation, administration=admin)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, actions.update_regulation, request.user, regulation, **form.changes())
    ):
        messages.success(request, _("The regulation was saved."))
        return redirect(back)
    return _page(
        request,
        "catalog/staff/regulation_form.html",
        admin,
        [_regulations_crumb(admin), (regulation.reference, back), (_("Edit"), None)],
        form=form,
        title=_("Edit regulation"),
        cancel_url=back,
    )


@login_required
@require_http_methods(GET_POST)
def provision_create(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    regulation = get_regulation_for_user(request.user, admin_slug, pk, Perm.REGULATION_WRITE)
    admin = regulation.administration
    form = ProvisionForm(_data(request), administration=admin)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, actions.create_provision, request.user, regulation, **form.changes())
    ):
        messages.success(request, _("The provision was added."))
        return redirect(_regulation_url("catalog_regulation_detail", admin, regulation))
    return _provision_page(request, regulation, form, _("New provision"))


@login_required
@require_http_methods(GET_POST)
def provision_edit(request: HttpRequest, admin_slug: str, pk: int, prov_pk: int) -> HttpResponse:
    provision: Provision = get_provision_for_user(
        request.user, admin_slug, prov_pk, Perm.REGULATION_WRITE, regulation_pk=pk
    )
    regulation = provision.regulation
    admin = regulation.administration
    form = ProvisionForm(_data(request), instance=provision, administration=admin)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, actions.update_provision, request.user, provision, **form.changes())
    ):
        messages.success(request, _("The provision was saved."))
        return redirect(_regulation_url("catalog_regulation_detail", admin, regulation))
    return _provision_page(request, regulation, form, _("Edit provision"))


def _provision_page(request: HttpRequest, regulation: Regulation, form, title: str) -> HttpResponse:
    admin = regulation.administration
    back = _regulation_url("catalog_regulation_detail", admin, regulation)
    return _page(
        request,
        "catalog/staff/regulation_form.html",
        admin,
        [_regulations_crumb(admin), (regulation.reference, back), (title, None)],
        form=form,
        title=title,
        cancel_url=back,
        regulation=regulation,
    )


# --- legal basis report (T3) ---------------------------------------------------------------------


@login_required
@require_GET
def legal_basis(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.REGULATION_READ)
    today = today_in(admin)
    services = reports.with_legal_basis(
        Service.objects.filter(administration=admin).exclude(status=Service.Status.RETIRED)
    )
    report = reports.legal_basis_problems(services, today)
    return _page(
        request,
        "catalog/staff/legal_basis.html",
        admin,
        [(_("Legal basis"), None)],
        report=report,
        today=today,
        total=len(services),
    )


# --- translations ------------------------------------------------------------------------------


@login_required
@require_GET
def translations(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """What the administration's services and own templates have written in one language but
    not yet in another, per language, with links to fill it in."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_READ)
    services = (
        Service.objects.filter(administration=admin)
        .exclude(status=Service.Status.RETIRED)
        .prefetch_related("attributes")
        .order_by("name")
    )
    templates = ServiceTemplate.objects.filter(owner=admin).prefetch_related("attributes")
    gaps = reports.missing_translations(
        admin,
        list(services),
        list(templates.order_by("name")),
        can_edit_services=has_perm(request.user, Perm.SERVICE_WRITE, admin),
        can_edit_templates=has_perm(request.user, Perm.TEMPLATE_WRITE, admin),
    )
    languages = [
        {"code": code, "name": i18n.language_name(code), "gaps": rows}
        for code, rows in gaps.items()
    ]
    return _page(
        request,
        "catalog/staff/translations.html",
        admin,
        [(_("Translations"), None)],
        by_language=languages,
    )
