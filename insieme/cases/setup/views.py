"""Setup screens of case handling: reply templates (RESPONSE_TEMPLATE_WRITE) and routing rules
(ROUTING_MANAGE). Writes go through `insieme.cases.setup.actions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.cases.models import ResponseTemplate, RoutingRule
from insieme.cases.setup import actions as actions_setup
from insieme.cases.setup.forms import ResponseTemplateForm, RoutingRuleForm
from insieme.core.access import get_administration_for_user, get_scoped
from insieme.core.permissions import Perm


def _placeholders() -> list[tuple[str, str]]:
    return [
        ("reference", _("the case's reference, e.g. 2026-000123")),
        ("service", _("the service's name")),
        ("administration", _("the administration's name")),
        ("name", _("the citizen's name (empty when they gave none)")),
        ("status", _("the case's status")),
        (
            "due_date",
            _(
                "the date the case is due to be resolved, as of the moment you reply (moved on by "
                "any pause while the citizen was asked; once passed, counted again from today)"
            ),
        ),
        ("officer", _("your name, as the person sending the reply")),
        ("address", _("the address of the case")),
    ]


# --- reply templates ---------------------------------------------------------------------------


@login_required
@require_GET
def replies(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.RESPONSE_TEMPLATE_WRITE)
    templates = ResponseTemplate.objects.filter(administration=admin).select_related("service")
    return render(
        request,
        "cases/staff/setup_replies.html",
        {"administration": admin, "templates": templates.order_by("service__name", "name")},
    )


def _reply_form(request, admin, template: ResponseTemplate | None) -> HttpResponse:
    form = ResponseTemplateForm(
        request.POST if request.method == "POST" else None,
        administration=admin,
        instance=template,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions_setup.save_response_template(
                request.user,
                admin,
                template,
                service=data["service"],
                name=data["name"],
                body=data["body"],
                status=data["status"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Reply “%(name)s” saved.") % {"name": saved.name})
            return redirect("staff_replies", admin_slug=admin.slug)
    return render(
        request,
        "cases/staff/setup_reply_form.html",
        {
            "administration": admin,
            "form": form,
            "template": template,
            "placeholders": _placeholders(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.RESPONSE_TEMPLATE_WRITE)
    return _reply_form(request, admin, None)


@login_required
@require_http_methods(["GET", "POST"])
def reply_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.RESPONSE_TEMPLATE_WRITE)
    return _reply_form(
        request,
        admin,
        get_scoped(ResponseTemplate.objects.select_related("administration"), admin, pk),
    )


@login_required
@require_POST
def reply_delete(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.RESPONSE_TEMPLATE_WRITE)
    template = get_scoped(ResponseTemplate.objects.select_related("administration"), admin, pk)
    actions_setup.delete_response_template(request.user, template)
    messages.success(request, _("Reply “%(name)s” deleted.") % {"name": template.name})
    return redirect("staff_replies", admin_slug=admin.slug)


# --- routing rules -----------------------------------------------------------------------------


@login_required
@require_GET
def routing(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.ROUTING_MANAGE)
    rules = RoutingRule.objects.filter(administration=admin).select_related("service", "department")
    return render(
        request,
        "cases/staff/setup_routing.html",
        {"administration": admin, "rules": rules.order_by("service__name", "priority", "pk")},
    )


def _rule_form(request, admin, rule: RoutingRule | None) -> HttpResponse:
    form = RoutingRuleForm(
        request.POST if request.method == "POST" else None, administration=admin, instance=rule
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions_setup.save_routing_rule(
                request.user,
                admin,
                rule,
                service=data["service"],
                name=data["name"],
                area=data["area"],
                department=data["department"],
                priority=data["priority"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("Routing rule “%(name)s” saved.") % {"name": saved.name})
            return redirect("staff_routing", admin_slug=admin.slug)
    return render(
        request,
        "cases/staff/setup_rule_form.html",
        {"administration": admin, "form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.ROUTING_MANAGE)
    return _rule_form(request, admin, None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.ROUTING_MANAGE)
    return _rule_form(
        request, admin, get_scoped(RoutingRule.objects.select_related("administration"), admin, pk)
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.ROUTING_MANAGE)
    rule = get_scoped(RoutingRule.objects.select_related("administration"), admin, pk)
    actions_setup.delete_routing_rule(request.user, rule)
    messages.success(request, _("Routing rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("staff_routing", admin_slug=admin.slug)
