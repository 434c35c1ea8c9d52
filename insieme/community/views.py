"""The residents' community survey: the public page where a signed-in resident answers the open
round (not the administration's own staff), and the staff screens of rounds and results
(results for those who read the Scorecard; opening and closing rounds with
community:round:manage). Staff screens answer 404 outside the person's administrations and 403
without the permission; the public page 404 for an unknown administration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.community import actions, results
from insieme.community.areas import labelled
from insieme.community.forms import RoundForm
from insieme.community.models import Round
from insieme.community.statements import SCALE, STATEMENTS, THEMES
from insieme.core.access import get_administration_for_user, get_scoped, has_perm
from insieme.core.models import Administration, today_in
from insieme.core.permissions import Perm

MAX_FIELD = 60


def _open_round(admin: Administration) -> Round | None:
    today = today_in(admin)
    return (
        Round.objects.filter(
            administration=admin, closed_early=False, opens_on__lte=today, closes_on__gte=today
        )
        .order_by("-opens_on", "-id")
        .first()
    )


def _themes() -> list[tuple[str, list]]:
    return [(label, [s for s in STATEMENTS if s.theme == key]) for key, label in THEMES.items()]


def _posted(request: HttpRequest) -> tuple[str, dict[str, str]]:
    """The area and the answers as posted; unknown or oversized fields raise ValidationError."""
    chosen = {s.code: request.POST.get(f"s-{s.code}", "") for s in STATEMENTS}
    unknown = [k for k in request.POST if k.startswith("s-") and k[2:] not in chosen]
    if unknown:
        raise ValidationError(_("Unknown statement: %(code)s.") % {"code": unknown[0][:20]})
    area = request.POST.get("area", "")
    if len(area) > MAX_FIELD or any(len(v) > MAX_FIELD for v in chosen.values()):
        raise ValidationError(_("An answer is too long."))
    return area, chosen


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = Administration.objects.filter(slug=admin_slug).first()
    if admin is None:
        raise Http404("No such administration")
    user = request.user
    if request.method == "POST" and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    round_ = _open_round(admin)
    staff = user.is_authenticated and actions.is_staff_of(user, admin)
    answered = round_ is not None and user.is_authenticated and actions.has_answered(user, round_)
    status, error, chosen, area = 200, "", {}, ""
    if request.method == "POST":
        try:
            if staff:
                raise PermissionDenied
            if round_ is None:
                raise ValidationError(_("No round of the community survey is open now."))
            area, chosen = _posted(request)
            actions.answer(user, round_, area, chosen)
        except PermissionDenied:
            status = 403
        except actions.AlreadyAnswered:
            status, error, answered = 409, _("You have answered this round already."), True
        except ValidationError as exc:
            status, error = 400, " ".join(exc.messages)
        else:
            messages.success(request, _("Thank you: your answers are counted, without your name."))
            return redirect("community:survey", admin_slug=admin.slug)
    return render(
        request,
        "community/survey.html",
        {
            "admin": admin,
            "round": round_,
            "areas": labelled(round_) if round_ else [],
            "answered": answered,
            "staff": staff,
            "themes": _themes(),
            "scale": SCALE,
            "chosen": chosen,
            "area": area,
            "error": error,
            "threshold": results.threshold(),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SCORECARD_READ)
    may_manage = has_perm(request.user, Perm.COMMUNITY_MANAGE, admin.pk)
    form = RoundForm(request.POST or None) if may_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
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
                messages.success(request, _("The round is open to residents."))
                return redirect("community:rounds", admin_slug=admin.slug)
        status = 400
    return render(
        request,
        "community/rounds.html",
        {
            "administration": admin,
            "form": form,
            "today": today_in(admin),
            "trend": results.over_time(admin),
            "threshold": results.threshold(),
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def round_detail(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SCORECARD_READ)
    round_ = get_scoped(Round.objects.all(), admin, pk)
    found = results.round_results(round_)
    return render(
        request,
        "community/round.html",
        {
            "administration": admin,
            "round": round_,
            "open": round_.is_open(today_in(admin)),
            "results": found,
            "sentence": results.sentence(found),
            "may_manage": has_perm(request.user, Perm.COMMUNITY_MANAGE, admin.pk),
        },
    )


@never_cache
@login_required
@require_GET
def round_csv(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.SCORECARD_READ)
    round_ = get_scoped(Round.objects.all(), admin, pk)
    response = HttpResponse(
        results.csv_text(results.round_results(round_)), content_type="text/csv; charset=utf-8"
    )
    filename = f"community-survey-{admin.slug}-{round_.opens_on}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def round_close(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.COMMUNITY_MANAGE)
    round_ = get_scoped(Round.objects.all(), admin, pk)
    actions.close_round(request.user, round_)
    messages.success(request, _("The round is closed; no more answers are taken."))
    return redirect("community:round", admin_slug=admin.slug, pk=round_.pk)
