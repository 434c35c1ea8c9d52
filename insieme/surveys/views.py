"""Public pages of surveys: answering a survey (a plain form that works without JavaScript), the
thank-you page, and the public results of a survey whose results are public.

Reads go through insieme.surveys.access (404 for missing and forbidden alike), the one write
through insieme.surveys.actions.submit_response. Answers that are not acceptable (an unknown
option, a number off the scale, a text too long, a required question left out) come back as a
400 with the error next to each question; a survey that takes no answers answers 409 with the
reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from insieme.catalog import i18n
from insieme.core.throttle import client_address
from insieme.core.views_errors import too_many_requests
from insieme.surveys import access, actions, results
from insieme.surveys.forms import AnswerForm
from insieme.surveys.models import Response, Survey

THANKS_SESSION_KEY = "surveys_answered"


def survey_url(survey: Survey) -> str:
    return reverse("surveys:survey", args=[survey.administration.slug, survey.pk])


def _questions(survey: Survey) -> list:
    questions = list(survey.questions.all())
    for question in questions:
        question.survey = survey
    return questions


def _answered(request: HttpRequest, survey: Survey) -> bool:
    user = request.user
    if user.is_authenticated:
        return Response.objects.filter(survey=survey, user=user).exists()
    return False


def _render(request, survey, form, *, status=200, refusal=None):
    user = request.user
    answered = _answered(request, survey)
    return render(
        request,
        "surveys/survey.html",
        {
            "survey": survey,
            "admin": survey.administration,
            "form": form,
            "refusal": refusal if refusal is not None else survey.refusal(),
            "answered": answered,
            "needs_login": not access.may_answer(user, survey),
            "login_url": f"{reverse('login')}?next={survey_url(survey)}",
            "results_url": (
                reverse("surveys:results", args=[survey.administration.slug, survey.pk])
                if survey.results_public
                else None
            ),
            "staff_url": (
                reverse("surveys:staff_survey", args=[survey.administration.slug, survey.pk])
                if access.may_manage(user, survey.administration_id)
                else None
            ),
            "required_count": sum(1 for q in form.questions if q.required),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, admin_slug, pk)
    questions = _questions(survey)
    if request.method == "GET":
        return _render(request, survey, AnswerForm(questions=questions))
    if not access.may_answer(request.user, survey):
        return redirect_to_login(survey_url(survey))
    form = AnswerForm(request.POST, questions=questions)
    refusal = survey.refusal()
    if refusal:
        return _render(request, survey, form, status=409, refusal=refusal)
    if not form.is_valid():
        return _render(request, survey, form, status=400)
    try:
        actions.submit_response(
            request.user,
            survey,
            form.raw_values(),
            language=i18n.current(getattr(request, "LANGUAGE_CODE", None)),
            client=client_address(request),
        )
    except actions.AlreadyAnswered:
        messages.info(request, _("You have answered this survey already: thank you."))
        return redirect(survey_url(survey))
    except actions.RateLimited as limited:
        return too_many_requests(request, limited.retry_after)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        if getattr(exc, "code", None) == "closed":
            return _render(request, survey, form, status=409, refusal=" ".join(exc.messages))
        form.add_action_errors(exc)
        return _render(request, survey, form, status=400)
    request.session[THANKS_SESSION_KEY] = survey.pk
    return redirect("surveys:thanks", admin_slug=survey.administration.slug, pk=survey.pk)


@require_GET
def thanks(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, admin_slug, pk)
    return render(
        request,
        "surveys/thanks.html",
        {
            "survey": survey,
            "admin": survey.administration,
            "just_answered": request.session.get(THANKS_SESSION_KEY) == survey.pk,
            "results_url": (
                reverse("surveys:results", args=[survey.administration.slug, survey.pk])
                if survey.results_public
                else None
            ),
            "back_url": results.attached_url(survey),
        },
    )


@require_GET
def public_results(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, admin_slug, pk)
    if not survey.results_public or survey.status == Survey.Status.DRAFT:
        raise Http404
    summary = results.summarise(survey, _questions(survey), public=True)
    return render(
        request,
        "surveys/results_public.html",
        {"survey": survey, "admin": survey.administration, "summary": summary},
    )
