"""Staff screens of the core app: the staff home, the administration dashboard, settings,
departments, people, partners, API keys and the audit log.

Every view fetches its administration and objects through `insieme.core.access` (404 for other
tenants and unknown ids, 403 for same-tenant staff lacking the permission) and writes only through
`insieme.core.actions`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.core import actions, audit
from insieme.core.access import (
    administrations_for,
    get_administration_for_user,
    get_apikey_for_user,
    get_department_for_user,
    get_membership_for_user,
    get_partner_for_user,
    has_perm,
    permissions_by_administration,
)
from insieme.core.branding import brand_of
from insieme.core.forms_staff import (
    AdministrationSettingsForm,
    ApiKeyForm,
    AuditFilterForm,
    DepartmentForm,
    MembershipForm,
    PartnerForm,
    PartnerMemberForm,
)
from insieme.core.models import (
    Administration,
    ApiKey,
    AuditEntry,
    Department,
    Membership,
    PartnerMember,
    PartnerOrganisation,
)
from insieme.core.permissions import Perm

AUDIT_PAGE_SIZE = 25
VERIFY_PROBLEMS_SHOWN = 200

# --- helpers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A link on the administration dashboard, shown to those holding `perm` there."""

    url_name: str
    title: Any
    description: Any
    perm: Perm


SECTIONS: list[Section] = [
    Section(
        "staff_queue",
        gettext_lazy("Work queue"),
        gettext_lazy("Cases of your departments: filter, sort, assign, answer."),
        Perm.CASE_READ,
    ),
    Section(
        "staff_workload",
        gettext_lazy("Workload"),
        gettext_lazy("Open cases against capacity per person and team; overload and SLA alerts."),
        Perm.WORKLOAD_READ,
    ),
    Section(
        "staff_file_for_citizen",
        gettext_lazy("File for a citizen"),
        gettext_lazy("At the counter or on the phone: file a request on someone's behalf."),
        Perm.CASE_ASSIST,
    ),
    Section(
        "staff_replies",
        gettext_lazy("Response templates"),
        gettext_lazy("Replies staff reuse, with placeholders filled from the case."),
        Perm.RESPONSE_TEMPLATE_WRITE,
    ),
    Section(
        "staff_routing",
        gettext_lazy("Routing"),
        gettext_lazy("Areas where a service's cases go to another department."),
        Perm.ROUTING_MANAGE,
    ),
    Section(
        "staff_settings",
        gettext_lazy("Settings"),
        gettext_lazy("Name, language, time zone, boundary, branding, feature flags, holidays."),
        Perm.ADMINISTRATION_UPDATE,
    ),
    Section(
        "staff_departments",
        gettext_lazy("Departments"),
        gettext_lazy("The offices that handle cases."),
        Perm.DEPARTMENT_MANAGE,
    ),
    Section(
        "staff_people",
        gettext_lazy("People"),
        gettext_lazy("Staff roles, departments and capacities; invitations."),
        Perm.MEMBERSHIP_MANAGE,
    ),
    Section(
        "staff_partners",
        gettext_lazy("Partner organisations"),
        gettext_lazy("Associations, NGOs and companies taking part, and their members."),
        Perm.PARTNER_MANAGE,
    ),
    Section(
        "staff_apikeys",
        gettext_lazy("API keys"),
        gettext_lazy("Keys for applications using the APIs."),
        Perm.APIKEY_MANAGE,
    ),
    Section(
        "webhooks_staff_list",
        gettext_lazy("Webhooks"),
        gettext_lazy("Addresses that receive signed notices when cases change."),
        Perm.WEBHOOK_MANAGE,
    ),
    Section(
        "staff_audit",
        gettext_lazy("Audit log"),
        gettext_lazy("Who changed what, and when; verify the chain."),
        Perm.AUDIT_READ,
    ),
    Section(
        "catalog_staff_services",
        gettext_lazy("Services"),
        gettext_lazy("The services of the catalogue, their forms, SLAs and costs."),
        Perm.SERVICE_READ,
    ),
    Section(
        "catalog_templates",
        gettext_lazy("Service templates"),
        gettext_lazy("Shared templates that services are built from."),
        Perm.TEMPLATE_WRITE,
    ),
    Section(
        "catalog_regulations",
        gettext_lazy("Regulations"),
        gettext_lazy("The register of regulations and their provisions."),
        Perm.REGULATION_READ,
    ),
    Section(
        "catalog_legal_basis",
        gettext_lazy("Legal basis review"),
        gettext_lazy("Services resting on expired or overdue rules."),
        Perm.REGULATION_READ,
    ),
    Section(
        "scorecard",
        gettext_lazy("Co-production Scorecard"),
        gettext_lazy("What co-production gains and costs, cell by cell."),
        Perm.SCORECARD_READ,
    ),
]


def _staff_administration(user, slug: str) -> Administration:
    """The administration `slug` when the user holds any role there (directly or through a host
    administration); Http404 otherwise, so that existence does not leak."""
    admin = Administration.objects.filter(slug=slug).first()
    if admin is None or admin.pk not in permissions_by_administration(user):
        raise Http404("No such administration")
    return admin


def _copy_errors(form: Form, exc: ValidationError) -> None:
    """Put an action's ValidationError onto `form`: per field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _attempt(form: Form, write: Callable[[], Any]) -> tuple[bool, Any]:
    """Run `write` (an action call); on ValidationError copy it onto `form`.

    Returns (ok, result of `write` or None).
    """
    try:
        return True, write()
    except ValidationError as exc:
        _copy_errors(form, exc)
        return False, None


def _bound(request: HttpRequest) -> dict | None:
    """Form data on POST, None on GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _update_if_changed(update: Callable[..., Any], actor, obj, data: dict) -> Any:
    """Call the update action `update` with only the fields that differ; skip it when none do."""
    changes = actions.changed_fields(obj, data)
    return update(actor, obj, **changes) if changes else obj


def _back_to_people(request: HttpRequest, admin: Administration, m: Membership) -> HttpResponse:
    """After changing a membership: the people list, or the staff home when the user changed
    their own membership (they may have just lost the right to see the list)."""
    if m.user_id == request.user.pk:
        return redirect("staff_home")
    return redirect("staff_people", admin_slug=admin.slug)


# --- staff home, switcher, dashboard -----------------------------------------------------------


@dataclass
class RoleLine:
    label: str
    via: Administration | None  # the host administration the role is held in, if not this one


@dataclass
class AdministrationRoles:
    administration: Administration
    roles: list[RoleLine]


def administrations_with_roles(user) -> list[AdministrationRoles]:
    """The administrations the user works in, each with the roles that give access to it: held
    there, or held in a host administration (a region reaching its municipalities)."""
    admins = {a.pk: a for a in administrations_for(user).order_by("name")}
    labels: dict[int, list[str]] = defaultdict(list)
    for m in Membership.objects.filter(user=user, is_active=True, administration_id__in=admins):
        labels[m.administration_id].append(str(m.get_role_display()))
    rows = []
    for admin in admins.values():
        roles = [RoleLine(label, None) for label in labels[admin.pk]]
        host_id, seen = admin.parent_id, {admin.pk}
        while host_id in admins and host_id not in seen:
            seen.add(host_id)
            host = admins[host_id]
            roles += [RoleLine(label, host) for label in labels[host.pk]]
            host_id = host.parent_id
        rows.append(AdministrationRoles(admin, roles))
    return rows


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """The administrations the user works in; a friendly 403 page for people with no staff role."""
    rows = administrations_with_roles(request.user)
    if not rows:
        return render(request, "core/staff/no_role.html", status=403)
    return render(request, "core/staff/home.html", {"rows": rows})


@login_required
@require_GET
def staff_switch(request: HttpRequest) -> HttpResponse:
    """Redirect to the dashboard of `?to=<slug>` if the user works there; 404 otherwise."""
    admin = _staff_administration(request.user, request.GET.get("to", ""))
    return redirect("staff_admin_home", admin_slug=admin.slug)


@login_required
@require_GET
def staff_admin_home(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Dashboard: a link to every section the user's permissions allow in this administration."""
    admin = _staff_administration(request.user, admin_slug)
    sections = [s for s in SECTIONS if has_perm(request.user, s.perm, admin)]
    return render(
        request, "core/staff/admin_home.html", {"administration": admin, "sections": sections}
    )


# --- settings ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_settings(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.ADMINISTRATION_UPDATE)
    form = AdministrationSettingsForm(
        _bound(request),
        request.FILES if request.method == "POST" else None,
        initial=AdministrationSettingsForm.initial_for(admin),
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            lambda: actions.save_administration_settings(
                request.user,
                admin,
                changes=form.settings_changes(),
                holidays=form.cleaned_data["holidays"],
                logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data["remove_logo"],
            ),
        )
        if ok:
            messages.success(request, _("The settings are saved."))
            for text in branding_notes(brand_of(admin)):
                messages.warning(request, text)
            return redirect("staff_settings", admin_slug=admin.slug)
    brand = brand_of(admin)
    return render(
        request,
        "core/staff/settings.html",
        {"administration": admin, "form": form, "brand_settings": brand},
    )


def branding_notes(brand) -> list[str]:
    """What the public pages show instead of a colour that white text cannot be read on."""
    notes = []
    for label, colour in ((_("primary"), brand.primary), (_("secondary"), brand.secondary)):
        if colour.adjusted:
            notes.append(
                _(
                    "White text on the %(which)s colour %(chosen)s would be hard to read: the "
                    "public pages use the darker %(applied)s (contrast %(ratio)s:1, at least "
                    "4.5:1 is needed)."
                )
                % {
                    "which": label,
                    "chosen": colour.chosen,
                    "applied": colour.applied,
                    "ratio": f"{colour.ratio:.1f}",
                }
            )
    return notes


# --- departments -------------------------------------------------------------------------------


@login_required
@require_GET
def staff_departments(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.DEPARTMENT_MANAGE)
    departments = Department.objects.filter(administration=admin).annotate(
        people=Count("memberships")
    )
    return render(
        request,
        "core/staff/departments.html",
        {"administration": admin, "departments": departments},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_department_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.DEPARTMENT_MANAGE)
    form = DepartmentForm(_bound(request), administration=admin)
    if request.method == "POST" and form.is_valid():
        ok, dept = _attempt(
            form, lambda: actions.create_department(request.user, admin, **form.cleaned_data)
        )
        if ok:
            messages.success(request, _("Department “%(name)s” created.") % {"name": dept.name})
            return redirect("staff_departments", admin_slug=admin.slug)
    return render(
        request,
        "core/staff/department_form.html",
        {"administration": admin, "form": form, "department": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_department_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.DEPARTMENT_MANAGE)
    dept = get_department_for_user(request.user, admin, pk, Perm.DEPARTMENT_MANAGE)
    form = DepartmentForm(_bound(request), administration=admin, instance=dept)
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            lambda: _update_if_changed(
                actions.update_department, request.user, dept, form.cleaned_data
            ),
        )
        if ok:
            messages.success(request, _("Department “%(name)s” saved.") % {"name": dept.name})
            return redirect("staff_departments", admin_slug=admin.slug)
        dept.refresh_from_db()
    return render(
        request,
        "core/staff/department_form.html",
        {"administration": admin, "form": form, "department": dept},
    )


# --- people ------------------------------------------------------------------------------------


@login_required
@require_GET
def staff_people(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.MEMBERSHIP_MANAGE)
    memberships = (
        Membership.objects.filter(administration=admin)
        .select_related("user", "department")
        .order_by("user__full_name", "role")
    )
    return render(
        request, "core/staff/people.html", {"administration": admin, "memberships": memberships}
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_membership_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.MEMBERSHIP_MANAGE)
    membership = get_membership_for_user(request.user, admin, pk, Perm.MEMBERSHIP_MANAGE)
    form = MembershipForm(_bound(request), membership=membership)
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form, lambda: actions.update_membership(request.user, membership, **form.cleaned_data)
        )
        if ok:
            messages.success(
                request, _("%(name)s's role is saved.") % {"name": membership.user.full_name}
            )
            return _back_to_people(request, admin, membership)
    return render(
        request,
        "core/staff/membership_form.html",
        {"administration": admin, "form": form, "membership": membership},
    )


@login_required
@require_POST
def staff_membership_remove(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.MEMBERSHIP_MANAGE)
    membership = get_membership_for_user(request.user, admin, pk, Perm.MEMBERSHIP_MANAGE)
    try:
        actions.remove_membership(request.user, membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff_membership_edit", admin_slug=admin.slug, pk=membership.pk)
    messages.success(
        request,
        _("%(name)s no longer holds the role %(role)s.")
        % {"name": membership.user.full_name, "role": membership.get_role_display()},
    )
    return _back_to_people(request, admin, membership)


# --- partner organisations ---------------------------------------------------------------------


@login_required
@require_GET
def staff_partners(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PARTNER_MANAGE)
    partners = PartnerOrganisation.objects.filter(administration=admin).annotate(
        member_count=Count("members")
    )
    return render(
        request, "core/staff/partners.html", {"administration": admin, "partners": partners}
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_partner_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PARTNER_MANAGE)
    form = PartnerForm(_bound(request), administration=admin)
    if request.method == "POST" and form.is_valid():
        ok, org = _attempt(
            form, lambda: actions.create_partner(request.user, admin, **form.cleaned_data)
        )
        if ok:
            messages.success(
                request, _("Partner organisation “%(name)s” added.") % {"name": org.name}
            )
            return redirect("staff_partner_edit", admin_slug=admin.slug, pk=org.pk)
    return render(
        request,
        "core/staff/partner_form.html",
        {"administration": admin, "form": form, "partner": None},
    )


def _partner_page(
    request: HttpRequest,
    admin: Administration,
    org: PartnerOrganisation,
    form: Form,
    member_form: Form,
    status: int = 200,
) -> HttpResponse:
    members = (
        PartnerMember.objects.filter(organisation=org)
        .select_related("user")
        .order_by("user__full_name")
    )
    return render(
        request,
        "core/staff/partner_form.html",
        {
            "administration": admin,
            "partner": org,
            "form": form,
            "member_form": member_form,
            "members": members,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_partner_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PARTNER_MANAGE)
    org = get_partner_for_user(request.user, admin, pk, Perm.PARTNER_MANAGE)
    form = PartnerForm(_bound(request), administration=admin, instance=org)
    if request.method == "POST" and form.is_valid():
        ok, _result = _attempt(
            form,
            lambda: _update_if_changed(
                actions.update_partner, request.user, org, form.cleaned_data
            ),
        )
        if ok:
            messages.success(
                request, _("Partner organisation “%(name)s” saved.") % {"name": org.name}
            )
            return redirect("staff_partners", admin_slug=admin.slug)
        org.refresh_from_db()
    return _partner_page(request, admin, org, form, PartnerMemberForm(prefix="member"))


@login_required
@require_POST
def staff_partner_member_add(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PARTNER_MANAGE)
    org = get_partner_for_user(request.user, admin, pk, Perm.PARTNER_MANAGE)
    member_form = PartnerMemberForm(request.POST, prefix="member")
    if member_form.is_valid():
        ok, member = _attempt(
            member_form,
            lambda: actions.add_partner_member_by_email(
                request.user,
                org,
                member_form.cleaned_data["email"],
                is_representative=member_form.cleaned_data["is_representative"],
            ),
        )
        if ok:
            messages.success(
                request,
                _("%(name)s is now a member of “%(org)s”.")
                % {"name": member.user.full_name, "org": org.name},
            )
            return redirect("staff_partner_edit", admin_slug=admin.slug, pk=org.pk)
    form = PartnerForm(administration=admin, instance=org)
    return _partner_page(request, admin, org, form, member_form)


# --- API keys ----------------------------------------------------------------------------------


@login_required
@require_GET
def staff_apikeys(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.APIKEY_MANAGE)
    keys = ApiKey.objects.filter(administration=admin).select_related("created_by")
    return render(
        request,
        "core/staff/apikeys.html",
        {
            "administration": admin,
            "keys": keys,
            "scope_labels": dict(ApiKey.SCOPES),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_apikey_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Create a key. The raw key is rendered in the POST's own response, never stored, never
    shown again (not even through the session)."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.APIKEY_MANAGE)
    form = ApiKeyForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        ok, result = _attempt(
            form,
            lambda: actions.create_api_key(
                request.user,
                admin,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            ),
        )
        if ok:
            key, raw = result
            return render(
                request,
                "core/staff/apikey_created.html",
                {"administration": admin, "key": key, "raw_key": raw},
            )
    return render(request, "core/staff/apikey_form.html", {"administration": admin, "form": form})


@login_required
@require_POST
def staff_apikey_revoke(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.APIKEY_MANAGE)
    key = get_apikey_for_user(request.user, admin, pk, Perm.APIKEY_MANAGE)
    if key.revoked_at is not None:
        messages.info(request, _("The key “%(name)s” was already revoked.") % {"name": key.name})
    else:
        actions.revoke_api_key(request.user, key)
        messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("staff_apikeys", admin_slug=admin.slug)


# --- audit log ---------------------------------------------------------------------------------


@dataclass
class DiffLine:
    field: str
    before: str | None
    after: str | None


def _show(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:299] + "…"


def audit_diff(entry: AuditEntry) -> list[DiffLine]:
    """The fields an entry's before/after differ in (all of them for a creation or deletion)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    if entry.before is not None and not isinstance(entry.before, dict):
        before = {"value": entry.before}
    if entry.after is not None and not isinstance(entry.after, dict):
        after = {"value": entry.after}
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        lines.append(
            DiffLine(
                name, _show(old) if name in before else None, _show(new) if name in after else None
            )
        )
    return lines


@login_required
@require_GET
def staff_audit(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """This administration's audit entries, newest first, filterable by action, paginated."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.AUDIT_READ)
    entries = AuditEntry.objects.filter(administration=admin).order_by("-seq")
    known = list(
        AuditEntry.objects.filter(administration=admin)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    form = AuditFilterForm(request.GET or None, actions=known)
    chosen = form.cleaned_data["action"] if form.is_bound and form.is_valid() else ""
    if chosen:
        entries = entries.filter(action=chosen)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, audit_diff(entry)) for entry in page.object_list]
    return render(
        request,
        "core/staff/audit.html",
        {
            "administration": admin,
            "form": form,
            "page": page,
            "rows": rows,
            "chosen": chosen,
        },
    )


@never_cache
@login_required
@require_POST
def staff_audit_verify(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Verify the whole chain (it is one chain for the installation) and show the result."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.AUDIT_READ)
    result = audit.verify()
    return render(
        request,
        "core/staff/audit_verify.html",
        {
            "administration": admin,
            "result": result,
            "problems": result.problems[:VERIFY_PROBLEMS_SHOWN],
            "more": max(0, len(result.problems) - VERIFY_PROBLEMS_SHOWN),
        },
    )
