"""Retention, /staff/<administration>/privacy/retention/: how long closed records keep
personal data (the administration's default and each service's own period), a dry run that
counts what a run would change, a run, and the past runs.

Needs `privacy:data:manage` in the administration (404 outside the person's administrations,
403 without the permission). Every change is audited (insieme.privacy.actions_retention,
insieme.privacy.retention)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from insieme.catalog.models import Service
from insieme.core.access import get_administration_for_user, get_scoped
from insieme.core.permissions import Perm
from insieme.privacy import actions_retention, retention
from insieme.privacy.forms import DefaultPolicyForm, RunForm, ServicePolicyForm
from insieme.privacy.models import RetentionPolicy, RetentionRun

RUNS_SHOWN = 20
ACTIONS = ("default", "service", "dry_run", "run")


@login_required
@require_http_methods(["GET", "POST"])
def retention_page(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PRIVACY_MANAGE)
    services = Service.objects.filter(administration=admin).order_by("code")
    forms = {"default": None, "run": None}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ACTIONS:
            messages.error(request, _("That is not an action of this page."))
            status = 400
        else:
            done, form = _post(request, admin, services, action)
            if done:
                return redirect("privacy:staff_retention", admin.slug)
            forms[action if action in forms else "run"] = form
            status = 400
    return render(
        request,
        "privacy/staff/retention.html",
        _context(admin, services, forms),
        status=status,
    )


def _post(request, admin, services, action):
    """(True, None) when done; (False, the form with its errors) otherwise."""
    if action == "default":
        form = DefaultPolicyForm(request.POST)
        if form.is_valid():
            actions_retention.set_policy(request.user, admin, form.cleaned_data["months"])
            messages.success(request, _("The default period is saved."))
            return True, None
        return False, form
    if action == "service":
        form = ServicePolicyForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return False, None
        service = get_scoped(services, admin, form.cleaned_data["service"])
        try:
            actions_retention.set_policy(
                request.user, admin, form.cleaned_data["months"], service=service
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return False, None
        messages.success(request, _("Saved for %(s)s.") % {"s": service.i18n.name})
        return True, None
    if action == "dry_run":
        run = retention.dry_run(request.user, admin)
        messages.success(request, _summary(run, dry=True))
        return True, None
    form = RunForm(request.POST)
    if not form.is_valid():
        return False, form
    run = retention.run(request.user, admin)
    messages.success(request, _summary(run, dry=False))
    return True, None


def _summary(run: RetentionRun, *, dry: bool) -> str:
    counts = {k: run.counts.get(k, 0) for k in retention.KINDS}
    if dry:
        return (
            _(
                "Dry run: a run now would anonymise %(cases)s requests, %(ideas)s ideas and "
                "%(comments)s comments. Nothing was changed."
            )
            % counts
        )
    return _("Anonymised %(cases)s requests, %(ideas)s ideas and %(comments)s comments.") % counts


def _context(admin, services, forms) -> dict:
    policies = {
        p.service_id: p.months for p in RetentionPolicy.objects.filter(administration=admin)
    }
    rows = [
        {
            "service": s,
            "months": policies.get(s.pk),
            "form": ServicePolicyForm(
                initial={"service": s.pk, "months": policies.get(s.pk)},
                auto_id=f"id_%s_{s.pk}",
            ),
        }
        for s in services
    ]
    runs = list(
        RetentionRun.objects.filter(administration=admin).select_related("actor")[:RUNS_SHOWN]
    )
    for run in runs:
        run.by_service = sorted((run.counts.get("by_service") or {}).items())
    return {
        "administration": admin,
        "default_months": policies.get(None),
        "default_form": forms["default"]
        or DefaultPolicyForm(initial={"months": policies.get(None)}),
        "run_form": forms["run"] or RunForm(),
        "rows": rows,
        "runs": runs,
        "has_policy": bool(policies),
    }
