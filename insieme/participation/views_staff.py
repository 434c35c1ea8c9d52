"""Staff screens of participation, under /staff/<administration>/participation/:

- processes, their phases and categories (participation:process:manage);
- ideas to evaluate and answer: official answers, evaluators and their private notes, merge and
  split (participation:idea:answer, :evaluate, :merge; each form checks its own);
- moderation: reported comments, decisions, the moderation log (participation:comment:moderate).

404 outside the person's administrations, 403 where their role lacks the permission (see
insieme.participation.access). Writes go through insieme.participation.actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.catalog.models import Service
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.permissions import Perm
from insieme.participation import access, actions, display, threads
from insieme.participation.forms import (
    AnswerForm,
    CategoryForm,
    EvaluatorForm,
    MergeForm,
    ModerationForm,
    NoteForm,
    PhaseForm,
    ProcessForm,
    SplitForm,
)
from insieme.participation.models import (
    Comment,
    CommentFlag,
    EvaluationNote,
    Evaluator,
    Idea,
    ModerationAction,
    OfficialAnswer,
    Process,
)

IDEAS_PER_PAGE = 25
LOG_PER_PAGE = 50
QUEUE_SHOWN = 50


def _bound(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# --- processes, phases, categories ---------------------------------------------------------------


@login_required
@require_GET
def process_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PROCESS_MANAGE)
    processes = list(Process.objects.filter(administration=admin).order_by("-created_at", "-pk"))
    from insieme.participation.views import _process_rows

    for process in processes:
        process.administration = admin
    return render(
        request,
        "participation/staff/processes.html",
        {"administration": admin, "rows": _process_rows(processes)},
    )


def _process_form(request, admin, instance=None) -> ProcessForm:
    return ProcessForm(
        _bound(request),
        instance=instance,
        administration=admin,
        partners=access.eligible_partners(admin).order_by("name"),
        services=Service.objects.filter(administration=admin).order_by("name"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def process_new(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PROCESS_MANAGE)
    form = _process_form(request, admin)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                process = actions.create_process(request.user, admin, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The process is created: now give it its phases."))
                return redirect("staff_participation_process", admin_slug=admin.slug, pk=process.pk)
        status = 400
    return render(
        request,
        "participation/staff/process_form.html",
        {"administration": admin, "form": form, "creating": True},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, process = access.get_staff_process(request.user, admin_slug, pk)
    form = _process_form(request, admin, instance=process)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_process(request.user, process, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The process is saved."))
                return redirect("staff_participation_process", admin_slug=admin.slug, pk=process.pk)
        status = 400
    phases = list(process.phases.all())
    categories = list(process.categories.all())
    for item in [*phases, *categories]:
        item.process = process
    return render(
        request,
        "participation/staff/process_form.html",
        {
            "administration": admin,
            "process": process,
            "form": form,
            "phases": phases,
            "categories": categories,
            "public_url": reverse("participation_process", args=[admin.slug, process.slug]),
        },
        status=status,
    )


def get_scoped_child(qs, pk):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# A process's phases and categories are edited and deleted the same way: (related name, form,
# save action, delete action, template, context name, "saved" and "deleted" messages).
CHILDREN = {
    "phase": (
        "phases",
        PhaseForm,
        actions.save_phase,
        actions.delete_phase,
        "participation/staff/phase_form.html",
        lambda: _("The phase is saved."),
        lambda: _("The phase is deleted."),
    ),
    "category": (
        "categories",
        CategoryForm,
        actions.save_category,
        actions.delete_category,
        "participation/staff/category_form.html",
        lambda: _("The category is saved."),
        lambda: _("The category is deleted."),
    ),
}


def _child(request, admin_slug: str, pk: int, kind: str, child_pk: int | None):
    admin, process = access.get_staff_process(request.user, admin_slug, pk)
    child = None
    if child_pk is not None:
        child = get_scoped_child(getattr(process, CHILDREN[kind][0]).all(), child_pk)
        child.process = process
    return admin, process, child


def _child_edit(request, admin_slug: str, pk: int, kind: str, child_pk: int | None):
    _related, form_class, save, _delete, template, saved, _deleted = CHILDREN[kind]
    admin, process, child = _child(request, admin_slug, pk, kind, child_pk)
    form = form_class(_bound(request), instance=child, process=process)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(request.user, process, child, **form.changes())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, saved())
                return redirect("staff_participation_process", admin_slug=admin.slug, pk=process.pk)
        status = 400
    context = {"administration": admin, "process": process, kind: child, "form": form}
    return render(request, template, context, status=status)


def _child_delete(request, admin_slug: str, pk: int, kind: str, child_pk: int):
    admin, process, child = _child(request, admin_slug, pk, kind, child_pk)
    CHILDREN[kind][3](request.user, child)
    messages.success(request, CHILDREN[kind][6]())
    return redirect("staff_participation_process", admin_slug=admin.slug, pk=process.pk)


@login_required
@require_http_methods(["GET", "POST"])
def phase_edit(request: HttpRequest, admin_slug: str, pk: int, phase_pk: int | None = None):
    return _child_edit(request, admin_slug, pk, "phase", phase_pk)


@login_required
@require_POST
def phase_delete(request: HttpRequest, admin_slug: str, pk: int, phase_pk: int):
    return _child_delete(request, admin_slug, pk, "phase", phase_pk)


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, admin_slug: str, pk: int, category_pk: int | None = None):
    return _child_edit(request, admin_slug, pk, "category", category_pk)


@login_required
@require_POST
def category_delete(request: HttpRequest, admin_slug: str, pk: int, category_pk: int):
    return _child_delete(request, admin_slug, pk, "category", category_pk)


# --- ideas: answers, evaluation, merge and split --------------------------------------------------


@login_required
@require_GET
def idea_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Ideas of the administration's processes: those assigned to me, those awaiting an answer,
    or all of them."""
    admin = access.staff_administration(request.user, admin_slug)
    show = request.GET.get("show", "waiting")
    ideas = (
        Idea.objects.filter(process__administration=admin, state=Idea.State.OPEN)
        .select_related("process")
        .order_by("-created_at", "-pk")
    )
    if show == "mine":
        ideas = ideas.filter(evaluators__user=request.user)
    elif show == "all":
        pass
    else:
        show = "waiting"
        ideas = ideas.filter(Q(answer="") | Q(answer=Idea.Answer.EVALUATING))
    page = Paginator(ideas, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/staff/ideas.html",
        {"administration": admin, "page": page, "show": show},
    )


def _staff_idea_context(request, idea: Idea, forms: dict) -> dict:
    user = request.user
    admin = idea.process.administration
    may_answer = has_perm(user, Perm.IDEA_ANSWER, admin)
    may_merge = has_perm(user, Perm.IDEA_MERGE, admin)
    evaluators = list(Evaluator.objects.filter(idea=idea).select_related("user"))
    context = {
        "administration": admin,
        "idea": idea,
        "process": idea.process,
        "author_name": display.author_label(idea),
        "answers": list(OfficialAnswer.objects.filter(idea=idea).select_related("author")),
        "evaluators": evaluators,
        "notes": list(EvaluationNote.objects.filter(idea=idea).select_related("author")),
        "may_answer": may_answer,
        "may_merge": may_merge,
        "may_note": actions.may_write_notes(user, idea),
        "public_url": reverse("participation_idea", args=[admin.slug, idea.process.slug, idea.pk]),
    }
    if idea.is_open:
        if may_answer:
            context["answer_form"] = forms.get("answer") or AnswerForm()
            context["evaluator_form"] = forms.get("evaluators") or EvaluatorForm(
                people=access.staff_evaluators(admin)
            )
        if may_merge:
            context["merge_form"] = forms.get("merge") or MergeForm()
            context["split_form"] = forms.get("split") or SplitForm()
    if context["may_note"]:
        context["note_form"] = forms.get("notes") or NoteForm()
    return context


def _render_staff_idea(request, idea: Idea, status=200, **forms) -> HttpResponse:
    return render(
        request,
        "participation/staff/idea.html",
        _staff_idea_context(request, idea, forms),
        status=status,
    )


@login_required
@require_GET
def idea_page(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    idea = access.get_staff_idea(request.user, admin_slug, pk)
    return _render_staff_idea(request, idea)


@login_required
@require_POST
def idea_act(request: HttpRequest, admin_slug: str, pk: int, what: str) -> HttpResponse:
    """One form of the staff idea page: answer, evaluators, evaluator-remove, notes, merge,
    split."""
    idea = access.get_staff_idea(request.user, admin_slug, pk)
    admin = idea.process.administration
    back = redirect("staff_participation_idea", admin_slug=admin.slug, pk=idea.pk)
    if what == "evaluator-remove":
        if not has_perm(request.user, Perm.IDEA_ANSWER, admin):
            raise PermissionDenied
        given = request.POST.get("evaluator", "")
        found = None
        if given.isascii() and given.isdigit() and len(given) < 19:
            found = (
                Evaluator.objects.filter(idea=idea, pk=int(given)).select_related("user").first()
            )
        if found is None:
            raise Http404
        actions.remove_evaluator(request.user, idea, found.user)
        messages.success(request, _("The evaluator is removed."))
        return back
    handlers = {
        "answer": (
            lambda: AnswerForm(request.POST),
            lambda f: actions.answer_idea(
                request.user, idea, kind=f.cleaned_data["kind"], text=f.cleaned_data["text"]
            ),
            _("The answer is published; supporters and followers are told by e-mail."),
        ),
        "evaluators": (
            lambda: EvaluatorForm(request.POST, people=access.staff_evaluators(admin)),
            lambda f: actions.assign_evaluator(request.user, idea, f.cleaned_data["user"]),
            _("The evaluator is assigned."),
        ),
        "notes": (
            lambda: NoteForm(request.POST),
            lambda f: actions.add_evaluation_note(request.user, idea, f.cleaned_data["text"]),
            _("The note is saved (staff only)."),
        ),
        "merge": (
            lambda: MergeForm(request.POST),
            lambda f: actions.merge_ideas(request.user, idea, _merge_target(idea, f)),
            _("The idea is merged: both ideas link to each other."),
        ),
        "split": (
            lambda: SplitForm(request.POST),
            lambda f: actions.split_idea(request.user, idea, f.parts()),
            _("The idea is split: each part links to it."),
        ),
    }
    if what not in handlers:
        raise Http404
    make, act, done = handlers[what]
    form = make()
    if form.is_valid():
        try:
            act(form)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, done)
            return back
    return _render_staff_idea(request, idea, status=400, **{what: form})


def _merge_target(idea: Idea, form: MergeForm) -> Idea | None:
    target = (
        Idea.objects.filter(process_id=idea.process_id, pk=form.cleaned_data["into"])
        .select_related("process__administration")
        .first()
    )
    if target is None:
        raise ValidationError({"into": _("No idea of this process has that number.")})
    return target


# --- moderation -----------------------------------------------------------------------------------


@login_required
@require_GET
def moderation(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Held content first (what the spam filter kept from the public, highest score first),
    then reported comments waiting for a decision, most reported first."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.COMMENT_MODERATE)
    related = ("administration", "author", "partner", "idea__process", "process")
    held = list(
        Comment.objects.filter(administration=admin, held_at__isnull=False)
        .select_related(*related)
        .order_by("-spam_score", "held_at", "pk")[:QUEUE_SHOWN]
    )
    held_ideas = list(
        Idea.objects.filter(process__administration=admin, held_at__isnull=False)
        .select_related("process__administration", "author", "partner")
        .order_by("-spam_score", "held_at", "pk")[:QUEUE_SHOWN]
    )
    waiting = list(
        Comment.objects.filter(
            administration=admin,
            pending_flags__gt=0,
            hidden_at__isnull=True,
            held_at__isnull=True,
        )
        .select_related(*related)
        .order_by("-pending_flags", "created_at")[:QUEUE_SHOWN]
    )
    reasons: dict[int, dict] = {}
    for comment_id, reason in CommentFlag.objects.filter(
        comment_id__in=[c.pk for c in waiting]
    ).values_list("comment_id", "reason"):
        counts = reasons.setdefault(comment_id, {})
        label = CommentFlag.Reason(reason).label
        counts[label] = counts.get(label, 0) + 1
    links = _target_links(held + waiting)

    def row(c: Comment) -> dict:
        return {
            "comment": c,
            "author": display.author_label(c),
            "official_for": display.official_label(c, admin),
            "reasons": sorted(reasons.get(c.pk, {}).items()),
            "target": links[c.pk],
        }

    return render(
        request,
        "participation/staff/moderation.html",
        {
            "administration": admin,
            "held": [row(c) for c in held],
            "held_ideas": [
                {"idea": i, "author": display.author_label(i), "url": actions.idea_path(i)}
                for i in held_ideas
            ],
            "rows": [row(c) for c in waiting],
        },
    )


def _target_links(comments: list[Comment]) -> dict[int, tuple[str, str]]:
    """{comment id: (title, public URL of the comment)} of what each comment is on; one query
    per kind of registered target."""
    on = threads.subjects(comments)
    out = {}
    for c in comments:
        obj = on.get(c.pk)
        if obj is None:
            out[c.pk] = (_("(no longer available)"), "")
        else:
            out[c.pk] = (threads.title_of(obj), f"{threads.url_of(obj)}#comment-{c.pk}")
    return out


@login_required
@require_GET
def moderation_log(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Every decision of the moderators, newest first (the reason, never a hidden text)."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.COMMENT_MODERATE)
    entries = ModerationAction.objects.filter(administration=admin).select_related("moderator")
    page = Paginator(entries, LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/staff/moderation_log.html",
        {"administration": admin, "page": page},
    )


def _decision(request, admin, decide):
    """A moderator's decision form: (form, redirect once decided, else None). `decide(action,
    reason, cleaned data)` calls the action; its ValidationErrors go back on the form."""
    form = ModerationForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decide(data["action"], data["reason"], data)
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The decision is recorded in the moderation log."))
            return form, redirect("staff_participation_moderation", admin_slug=admin.slug)
    return form, None


@login_required
@require_http_methods(["GET", "POST"])
def comment_decision(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    comment = access.get_staff_comment(request.user, admin_slug, pk)
    admin = comment.administration

    def decide(act: str, reason: str, data: dict) -> None:
        if act == "hide":
            actions.hide_comment(request.user, comment, reason, ground=data["ground"])
        else:
            {
                "keep": actions.keep_comment,
                "restore": actions.restore_comment,
                "release": actions.release_comment,
            }[act](request.user, comment, reason)

    form, done = _decision(request, admin, decide)
    if done is not None:
        return done
    flags = list(CommentFlag.objects.filter(comment=comment).values_list("reason", flat=True))
    # The moderators read a held or hidden comment's text: that is what they decide on.
    view = display.comment_view(comment, request.user, set(), admin)
    return render(
        request,
        "participation/staff/comment.html",
        {
            "administration": admin,
            "comment": view,
            "raw": comment,
            "author": display.author_label(comment),
            "official_for": display.official_label(comment, admin),
            "flags": [CommentFlag.Reason(r).label for r in flags],
            "target": _target_links([comment])[comment.pk],
            "history": list(comment.moderation_actions.select_related("moderator")),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_decision(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    """Release or hide an idea the spam filter held."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.COMMENT_MODERATE)
    try:
        idea = (
            Idea.objects.select_related("process__administration", "author", "partner")
            .filter(process__administration=admin)
            .get(pk=int(pk))
        )
    except (Idea.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc

    def decide(act: str, reason: str, data: dict) -> None:
        if act == "release":
            actions.release_idea(request.user, idea, reason)
        elif act == "hide":
            actions.hide_idea(request.user, idea, reason)
        else:
            raise ValidationError(_("Release the idea or hide it."))

    form, done = _decision(request, admin, decide)
    if done is not None:
        return done
    return render(
        request,
        "participation/staff/idea_decision.html",
        {
            "administration": admin,
            "idea": idea,
            "author": display.author_label(idea),
            "url": actions.idea_path(idea),
            "history": list(idea.moderation_actions.select_related("moderator")),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
