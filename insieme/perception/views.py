"""Staff screens of the staff perception survey: answering the open round (any employee of the
administration), and the rounds with their results (perception:round:manage; results are also
open to those who read the Scorecard). 404 outside the person's administrations, 403 without
the permission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from insieme.core.access import get_administration_for_user, get_scoped, has_perm
from insieme.core.models import Administration, today_in
from insieme.core.permissions import Perm
from insieme.perception import actions, results
from insieme.perception.forms import RoundForm
from insieme.perception.models import Round
from insieme.perception.statements import SCALE, STATEMENTS


def _open_round(admin: Administration) -> Round | None:
    today = today_in(admin)
    return (
        Round.objects.filter(
            administration=admin, closed_early=False, opens_on__lte=today, closes_on__gte=today
        )
        .order_by("-opens_on", "-id")
        .first()
    )


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SERVICE_READ)
    if not actions.may_answer(request.user, admin):
        raise PermissionDenied(_("Only the administration's own employees answer its survey."))
    round_ = _open_round(admin)
    answered = round_ is not None and actions.has_answered(request.user, round_)
    status, error, chosen = 200, "", {}
    if request.method == "POST":
        chosen = {s.code: request.POST.get(f"s-{s.code}", "") for s in STATEMENTS}
        unknown = [k for k in request.POST if k.startswith("s-") and k[2:] not in chosen]
        try:
            if round_ is None:
                raise ValidationError(_("No round of the staff survey is open now."))
            if unknown:
                raise ValidationError(_("Unknown statement: %(code)s.") % {"code": unknown[0][:20]})
            actions.answer(request.user, round_, chosen)
        except actions.AlreadyAnswered:
            status, error, answered = 409, _("You have answered this round already."), True
        except ValidationError as exc:
            status, error = 400, _error_text(exc)
        else:
            messages.success(request, _("Thank you: your answers are recorded, without your name."))
            return redirect("perception:answer", admin_slug=admin.slug)
    return render(
        request,
        "perception/answer.html",
        {
            "administration": admin,
            "round": round_,
            "answered": answered,
            "statements": STATEMENTS,
            "scale": SCALE,
            "chosen": chosen,
            "error": error,
            "threshold": results.threshold(),
            "may_manage": has_perm(request.user, Perm.PERCEPTION_MANAGE, admin.pk),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PERCEPTION_MANAGE)
    form = RoundForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.open_round(
                    request.user,
                    admin,
                    form.cleaned_data["opens_on"],
                    form.cleaned_data["closes_on"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The round is open to the administration's employees."))
                return redirect("perception:rounds", admin_slug=admin.slug)
        status = 400
    listed = [
        {"round": r, "participants": results.participants(r), "open": r.is_open(today_in(admin))}
        for r in Round.objects.filter(administration=admin)[:40]
    ]
    return render(
        request,
        "perception/rounds.html",
        {"administration": admin, "form": form, "rounds": listed, "threshold": results.threshold()},
        status=status,
    )


@never_cache
@login_required
def round_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SCORECARD_READ)
    round_ = get_scoped(Round.objects.all(), admin, pk)
    return render(
        request,
        "perception/round.html",
        {
            "administration": admin,
            "round": round_,
            "open": round_.is_open(today_in(admin)),
            "results": results.round_results(round_),
            "may_manage": has_perm(request.user, Perm.PERCEPTION_MANAGE, admin.pk),
        },
    )


@login_required
@require_POST
def round_close(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PERCEPTION_MANAGE)
    round_ = get_scoped(Round.objects.all(), admin, pk)
    actions.close_round(request.user, round_)
    messages.success(request, _("The round is closed; no more answers are taken."))
    return redirect("perception:round", admin_slug=admin.slug, pk=round_.pk)
