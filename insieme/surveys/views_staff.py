"""Staff screens of surveys, under /staff/<administration>/surveys/ (surveys:survey:manage):
the list, creating and editing a survey, its questions (add, edit, move, delete: only while
nobody has answered), opening and closing it, its results and their CSV export.

404 outside the person's administrations, 403 where their role lacks the permission (see
insieme.surveys.access). Writes go through insieme.surveys.actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.catalog import i18n
from insieme.catalog.models import Service
from insieme.participation.models import Process
from insieme.surveys import access, actions, results
from insieme.surveys.forms import MoveForm, QuestionForm, StatusForm, SurveyForm
from insieme.surveys.models import Question, Survey


def _bound(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _edit_url(survey: Survey) -> str:
    return reverse("surveys:staff_survey", args=[survey.administration.slug, survey.pk])


@login_required
@require_GET
def survey_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.staff_administration(request.user, admin_slug)
    surveys = list(
        Survey.objects.filter(administration=admin)
        .select_related("process", "service")
        .annotate(n_responses=Count("responses", distinct=True))
        .order_by("-created_at", "-pk")
    )
    return render(request, "surveys/staff/list.html", {"administration": admin, "surveys": surveys})


def _survey_form(request, admin, instance=None) -> SurveyForm:
    return SurveyForm(
        _bound(request),
        instance=instance,
        administration=admin,
        processes=Process.objects.filter(administration=admin).order_by("title"),
        services=Service.objects.filter(administration=admin).order_by("name"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.staff_administration(request.user, admin_slug)
    form = _survey_form(request, admin)
    if request.method == "GET":
        for name in ("process", "service"):
            given = request.GET.get(name, "")
            if given.isascii() and given.isdigit() and len(given) < 12:
                form.initial[name] = int(given)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                survey = actions.create_survey(request.user, admin, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The survey is created: now add its questions."))
                return redirect(_edit_url(survey))
        status = 400
    return render(
        request,
        "surveys/staff/survey_form.html",
        {"administration": admin, "form": form, "creating": True},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, survey = access.get_staff_survey(request.user, admin_slug, pk)
    form = _survey_form(request, admin, instance=survey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_survey(request.user, survey, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The survey is saved."))
                return redirect(_edit_url(survey))
        status = 400
        survey.refresh_from_db()
    return _render_edit(request, admin, survey, form, status)


def _render_edit(request, admin, survey, form, status=200):
    questions = list(survey.questions.all())
    for question in questions:
        question.survey = survey
    responses = survey.responses.count()
    return render(
        request,
        "surveys/staff/survey_form.html",
        {
            "administration": admin,
            "survey": survey,
            "form": form,
            "questions": questions,
            "responses": responses,
            "locked": responses > 0,
            "next_status": sorted(actions.TRANSITIONS.get(survey.status, ())),
            "public_url": reverse("surveys:survey", args=[admin.slug, survey.pk]),
        },
        status=status,
    )


@login_required
@require_POST
def survey_status(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, survey = access.get_staff_survey(request.user, admin_slug, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose open or closed."))
        return _render_edit(request, admin, survey, _survey_form(request, admin, survey), 400)
    try:
        actions.set_status(request.user, survey, form.cleaned_data["to"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        request.method = "GET"
        return _render_edit(request, admin, survey, _survey_form(request, admin, survey), 400)
    labels = {
        Survey.Status.OPEN: _("The survey is open: people can answer it."),
        Survey.Status.CLOSED: _("The survey is closed: it takes no more answers."),
    }
    messages.success(request, labels.get(survey.status, _("The survey is saved.")))
    return redirect(_edit_url(survey))


def _question(survey: Survey, question_pk) -> Question:
    try:
        question = survey.questions.get(pk=int(question_pk))
    except (Question.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    question.survey = survey
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(
    request: HttpRequest, admin_slug: str, pk: int, question_pk: int | None = None
) -> HttpResponse:
    admin, survey = access.get_staff_survey(request.user, admin_slug, pk)
    question = _question(survey, question_pk) if question_pk else None
    form = QuestionForm(_bound(request), instance=question, survey=survey)
    if request.method == "GET" and question is None:
        kind = request.GET.get("kind", "")
        if kind in Question.Kind.values:
            form.initial["kind"] = kind
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.save_question(request.user, survey, question, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
                if question is not None:
                    question.refresh_from_db()
            else:
                messages.success(request, _("The question is saved."))
                return redirect(_edit_url(survey))
        status = 400
    return render(
        request,
        "surveys/staff/question_form.html",
        {
            "administration": admin,
            "survey": survey,
            "question": question,
            "form": form,
            "locked": survey.responses.exists(),
        },
        status=status,
    )


@login_required
@require_POST
def question_delete(
    request: HttpRequest, admin_slug: str, pk: int, question_pk: int
) -> HttpResponse:
    admin, survey = access.get_staff_survey(request.user, admin_slug, pk)
    question = _question(survey, question_pk)
    try:
        actions.delete_question(request.user, question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        request.method = "GET"
        return _render_edit(request, admin, survey, _survey_form(request, admin, survey), 409)
    messages.success(request, _("The question is deleted."))
    return redirect(_edit_url(survey))


@login_required
@require_POST
def question_move(request: HttpRequest, admin_slug: str, pk: int, question_pk: int) -> HttpResponse:
    admin, survey = access.get_staff_survey(request.user, admin_slug, pk)
    question = _question(survey, question_pk)
    form = MoveForm(request.POST)
    request.method = "GET"
    if not form.is_valid():
        messages.error(request, _("Move a question up or down."))
        return _render_edit(request, admin, survey, _survey_form(request, admin, survey), 400)
    try:
        actions.move_question(request.user, question, form.cleaned_data["direction"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render_edit(request, admin, survey, _survey_form(request, admin, survey), 409)
    return redirect(_edit_url(survey) + "#questions")


def _staff_questions(survey: Survey) -> list[Question]:
    questions = list(survey.questions.all())
    for question in questions:
        question.survey = survey
    return questions


@login_required
@require_GET
@never_cache
def survey_results(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, survey = access.get_staff_survey(request.user, admin_slug, pk)
    summary = results.summarise(survey, _staff_questions(survey), public=False)
    return render(
        request,
        "surveys/staff/results.html",
        {"administration": admin, "survey": survey, "summary": summary},
    )


@login_required
@require_GET
@never_cache
def survey_csv(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, survey = access.get_staff_survey(request.user, admin_slug, pk)
    language = i18n.current(getattr(request, "LANGUAGE_CODE", None))
    body = results.csv_text(survey, _staff_questions(survey), language)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{admin.slug}-{survey.pk}.csv"'
    return response
