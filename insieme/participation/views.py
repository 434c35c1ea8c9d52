"""Public pages of participation: the processes of an administration, a process's landing page
(current phase, timeline, what happened to earlier input, comments), its ideas, proposing an
idea (with the similar-idea check), an idea's page (supports, official answers, co-authors,
comments), replying to and reporting comments, following.

Every write goes through `insieme.participation.actions`; every read across a permission
boundary through `insieme.participation.access` (404 for missing and for forbidden alike).
Everything works without JavaScript: actions are forms that post and come back to the page.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.catalog.models import Service
from insieme.core.access import has_perm
from insieme.core.models import today_in
from insieme.core.permissions import Perm
from insieme.core.views_errors import too_many_requests
from insieme.participation import access, actions, display, threads
from insieme.participation.forms import (
    UNANSWERED,
    CoauthorForm,
    CommentForm,
    FlagForm,
    IdeaFilterForm,
    IdeaForm,
)
from insieme.participation.models import (
    Audience,
    Coauthor,
    Comment,
    Follow,
    Idea,
    OfficialAnswer,
    Process,
    Support,
)
from insieme.participation.similar import similar_ideas

IDEAS_PER_PAGE = 20
LATEST_IDEAS = 5


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def process_url(process: Process) -> str:
    return reverse("participation_process", args=[process.administration.slug, process.slug])


def idea_url(idea: Idea) -> str:
    process = idea.process
    return reverse("participation_idea", args=[process.administration.slug, process.slug, idea.pk])


def _phases(process: Process) -> list:
    phases = list(process.phases.all())
    for phase in phases:
        phase.process = process
    return phases


def _timeline(process: Process, phases: list, today) -> tuple:
    """(current phase or None, [(phase, "past" | "current" | "upcoming")])."""
    current = process.current_phase(today, phases)
    rows = []
    for phase in phases:
        if phase is current:
            state = "current"
        elif phase.ends_on < today:
            state = "past"
        else:
            state = "upcoming"
        rows.append((phase, state))
    return current, rows


def _follows(user, **target) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(user=user, **target).exists()


# --- lists of processes -----------------------------------------------------------------------


def _process_rows(processes: list[Process]) -> list[dict]:
    """Each process with its current phase (its phases read in one query for all)."""
    by_process: dict[int, list] = {p.pk: [] for p in processes}
    from insieme.participation.models import Phase

    for phase in Phase.objects.filter(process_id__in=list(by_process)).order_by("starts_on", "pk"):
        by_process[phase.process_id].append(phase)
    rows = []
    for process in processes:
        phases = by_process[process.pk]
        for phase in phases:
            phase.process = process
        today = today_in(process.administration)
        current = process.current_phase(today, phases)
        if current is not None:
            status = "open"
        elif phases and phases[-1].ends_on < today:
            status = "closed"
        else:
            status = "upcoming"
        rows.append({"process": process, "current": current, "phases": phases, "status": status})
    return rows


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every process the visitor may see, by administration."""
    processes = list(
        access.visible_processes(request.user)
        .select_related("administration")
        .order_by("administration__name", "-created_at", "-pk")[:200]
    )
    groups: dict = {}
    for row in _process_rows(processes):
        groups.setdefault(row["process"].administration, []).append(row)
    return render(request, "participation/index.html", {"groups": list(groups.items())})


@require_GET
def process_list(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = access.get_public_administration(admin_slug)
    processes = list(
        access.visible_processes(request.user)
        .filter(administration=admin)
        .select_related("administration")
    )
    return render(
        request,
        "participation/processes.html",
        {"admin": admin, "rows": _process_rows(processes)},
    )


# --- a process's landing page -----------------------------------------------------------------


def answer_counts(process: Process) -> list[dict]:
    """What happened to earlier input: the process's ideas by official answer, with the link
    to each list (one query)."""
    rows = (
        Idea.objects.visible()
        .filter(process=process)
        .values("state", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter = Counter()
    merged = 0
    for row in rows:
        if row["state"] != Idea.State.OPEN:
            merged += row["n"]
        else:
            counts[row["answer"] or UNANSWERED] += row["n"]
    base = reverse("participation_ideas", args=[process.administration.slug, process.slug])
    out = [
        {"label": label, "count": counts[value], "url": f"{base}?answer={value}", "key": value}
        for value, label in [
            (Idea.Answer.ACCEPTED, Idea.Answer.ACCEPTED.label),
            (Idea.Answer.EVALUATING, Idea.Answer.EVALUATING.label),
            (Idea.Answer.REJECTED, Idea.Answer.REJECTED.label),
            (UNANSWERED, _("Not answered yet")),
        ]
    ]
    out.append({"label": _("Merged into or split into other ideas"), "count": merged, "url": ""})
    return out


def _render_process(request, process: Process, *, comment_form=None, status=200) -> HttpResponse:
    today = today_in(process.administration)
    phases = _phases(process)
    current, timeline = _timeline(process, phases, today)
    services = list(
        process.services.filter(status=Service.Status.PUBLISHED).select_related("administration")
    )
    latest = list(
        Idea.objects.visible()
        .filter(process=process, state=Idea.State.OPEN)
        .select_related("author", "partner")
        .order_by("-created_at", "-pk")[:LATEST_IDEAS]
    )
    for idea in latest:
        idea.process = process
        idea.author_name = display.author_label(idea)
    page, threads = display.threads(
        process, request.user, request.GET.get("page"), process.administration
    )
    user = request.user
    comments_closed = actions.comments_closed(process, today)
    if comment_form is None and user.is_authenticated and not comments_closed:
        comment_form = CommentForm(may_answer=actions.may_answer_officially(user, process))
    return render(
        request,
        "participation/process.html",
        {
            "process": process,
            "admin": process.administration,
            "current": current,
            "timeline": timeline,
            "services": services,
            "counts": answer_counts(process),
            "latest": latest,
            "ideas_closed": actions.ideas_open(process, today),
            "comments_closed": comments_closed,
            "threads": threads,
            "page": page,
            "comment_form": comment_form,
            "following": _follows(user, process=process),
            "audience_note": process.get_audience_display()
            if process.audience != Audience.PUBLIC
            else "",
            "staff_url": reverse(
                "staff_participation_process", args=[process.administration.slug, process.pk]
            )
            if has_perm(user, Perm.PROCESS_MANAGE, process.administration_id)
            else "",
        },
        status=status,
    )


@require_GET
def process_page(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    process = access.get_process_for_user(request.user, admin_slug, process_slug)
    return _render_process(request, process)


@login_required
@require_POST
def process_follow(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    process = access.get_process_for_user(request.user, admin_slug, process_slug)
    actions.follow(request.user, process=process)
    messages.success(
        request, _("You will receive an e-mail when a new phase of this process begins.")
    )
    return redirect(process_url(process))


@login_required
@require_POST
def process_unfollow(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    process = access.get_process_for_user(request.user, admin_slug, process_slug)
    actions.unfollow(request.user, process=process)
    messages.success(request, _("You no longer follow this process."))
    return redirect(process_url(process))


def _post_comment(request, obj, *, parent=None, rerender):
    """A comment form sent, on `obj` (a process, an idea or a registered target): the comment,
    or the page again with its errors."""
    form = CommentForm(request.POST, may_answer=actions.may_answer_officially(request.user, obj))
    if form.is_valid():
        try:
            comment = actions.add_comment(
                request.user,
                target=obj,
                parent=parent,
                body=form.cleaned_data["body"],
                show_name=form.cleaned_data["show_name"],
                official=form.cleaned_data.get("official", False),
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        except actions.RateLimited as limited:
            return too_many_requests(request, limited.retry_after)
        else:
            if comment.is_held:
                messages.info(
                    request,
                    _("Thank you: your comment will be published once a moderator has read it."),
                )
            else:
                messages.success(request, _("Thank you: your comment is published."))
            return redirect(threads.url_of(obj) + "#comments")
    return rerender(form)


@login_required
@require_POST
def process_comment(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    process = access.get_process_for_user(request.user, admin_slug, process_slug)
    return _post_comment(
        request,
        process,
        rerender=lambda form: _render_process(request, process, comment_form=form, status=400),
    )


# --- ideas ------------------------------------------------------------------------------------


@require_GET
def idea_list(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    process = access.get_process_for_user(request.user, admin_slug, process_slug)
    categories = list(process.categories.all())
    for category in categories:
        category.process = process
    form = IdeaFilterForm(request.GET or None, categories=categories)
    chosen = form.values()
    shown = Q(comments__hidden_at__isnull=True, comments__held_at__isnull=True)
    ideas = (
        Idea.objects.visible()
        .filter(process=process)
        .select_related("author", "partner", "category", "merged_into")
        .annotate(comment_count=Count("comments", filter=shown))
    )
    if chosen.get("category"):
        ideas = ideas.filter(category_id=chosen["category"])
    if chosen.get("answer") == UNANSWERED:
        ideas = ideas.filter(answer="", state=Idea.State.OPEN)
    elif chosen.get("answer"):
        ideas = ideas.filter(answer=chosen["answer"])
    if chosen.get("author_type"):
        ideas = ideas.filter(author_type=chosen["author_type"])
    if chosen.get("order") == "supports":
        ideas = ideas.order_by("-supports_count", "-created_at", "-pk")
    else:
        ideas = ideas.order_by("-created_at", "-pk")
    page = Paginator(ideas, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    by_pk = {c.pk: c for c in categories}
    for idea in page.object_list:
        idea.process = process
        if idea.category_id in by_pk:
            idea.category = by_pk[idea.category_id]
        idea.author_name = display.author_label(idea)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "participation/ideas.html",
        {
            "process": process,
            "admin": process.administration,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "ideas_closed": actions.ideas_open(process),
        },
    )


def _render_new(request, process, form, *, similar=(), files_dropped=False, status=200):
    admin = process.administration
    return render(
        request,
        "participation/idea_new.html",
        {
            "process": process,
            "admin": admin,
            "form": form,
            "similar": similar,
            "files_dropped": files_dropped,
            "boundary": admin.boundary or None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    process = access.get_process_for_user(request.user, admin_slug, process_slug)
    closed = actions.ideas_open(process)
    if closed:
        messages.error(request, closed)
        return redirect(process_url(process))
    if request.method == "GET":
        return _render_new(request, process, IdeaForm(process=process))
    form = IdeaForm(request.POST, request.FILES, process=process)
    if not form.is_valid():
        return _render_new(request, process, form, status=400)
    data = form.cleaned_data
    if not data.get("checked"):
        similar = similar_ideas(process, data["title"], data["body"])
        if similar:
            for item in similar:
                item.idea.process = process
                item.url = idea_url(item.idea)
            again = IdeaForm({**request.POST.dict(), "checked": "on"}, process=process)
            again.is_valid()
            return _render_new(
                request, process, again, similar=similar, files_dropped=bool(request.FILES)
            )
    try:
        idea = actions.create_idea(
            request.user,
            process,
            title=data["title"],
            body=data["body"],
            category=data.get("category"),
            lat=data.get("lat"),
            lon=data.get("lon"),
            show_name=data.get("show_name", False),
            attachments=data.get("attachments") or [],
            language=getattr(request, "LANGUAGE_CODE", "it"),
            idempotency_key=data.get("token") or "",
        )
    except ValidationError as exc:
        _put_idea_errors(form, exc)
        return _render_new(request, process, form, status=400)
    except actions.RateLimited as limited:
        return too_many_requests(request, limited.retry_after)
    if idea.held_at is not None:
        messages.info(
            request, _("Thank you: your idea will be published once a moderator has read it.")
        )
    else:
        messages.success(request, _("Thank you: your idea is published."))
    return redirect(idea_url(idea))


def _put_idea_errors(form: IdeaForm, exc: ValidationError) -> None:
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    for key, error_list in errors.items():
        texts = [m for e in error_list for m in e.messages]
        if key == "location":
            form.add_error("lat", texts)
        elif key in form.fields and key not in ("checked", "token"):
            form.add_error(key, texts)
        else:
            form.add_error(None, texts)


def _idea_context(request, idea: Idea) -> dict:
    process = idea.process
    user = request.user
    today = today_in(process.administration)
    if idea.category_id:
        idea.category.process = process
    coauthors = list(Coauthor.objects.filter(idea=idea).select_related("user"))
    pending = next(
        (
            c
            for c in coauthors
            if user.is_authenticated and c.user_id == user.pk and not c.accepted_at
        ),
        None,
    )
    related = list(
        Idea.objects.visible()
        .filter(Q(merged_into=idea) | Q(split_from=idea) | Q(pk=idea.split_from_id))
        .order_by("pk")
        .only("pk", "title", "process_id", "merged_into_id", "split_from_id", "state")
    )
    for other in related:
        other.process = process
    page, threads = display.threads(idea, user, request.GET.get("page"), process.administration)
    comments_closed = actions.comments_closed(process, today)
    staff_url = ""
    if any(has_perm(user, p, process.administration_id) for p in access.STAFF_PERMS):
        staff_url = reverse("staff_participation_idea", args=[process.administration.slug, idea.pk])
    return {
        "idea": idea,
        "process": process,
        "admin": process.administration,
        "author_name": display.author_label(idea),
        "coauthors": [display.short_name(c.user) for c in coauthors if c.accepted_at]
        if idea.show_name
        else [],
        "pending_invitation": pending,
        "is_author": user.is_authenticated and idea.author_id == user.pk,
        "attachments": list(idea.attachments.all()),
        "supported": user.is_authenticated
        and Support.objects.filter(idea=idea, user=user).exists(),
        "supports_closed": actions.supports_closed(idea, today),
        "answers": list(OfficialAnswer.objects.filter(idea=idea)),
        "merged_from": [i for i in related if i.merged_into_id == idea.pk],
        "split_into": [i for i in related if i.split_from_id == idea.pk],
        "split_parent": next((i for i in related if i.pk == idea.split_from_id), None),
        "threads": threads,
        "page": page,
        "comments_closed": comments_closed,
        "following": _follows(user, idea=idea),
        "staff_url": staff_url,
        "place": f"{idea.lat:.5f}, {idea.lon:.5f}" if idea.lat is not None else "",
    }


def _render_idea(request, idea: Idea, *, status=200, **forms) -> HttpResponse:
    context = _idea_context(request, idea)
    user = request.user
    if user.is_authenticated and not context["comments_closed"]:
        context["comment_form"] = forms.get("comment_form") or CommentForm(
            may_answer=actions.may_answer_officially(user, idea.process)
        )
    if context["is_author"] and idea.is_open:
        context["coauthor_form"] = forms.get("coauthor_form") or CoauthorForm()
    return render(request, "participation/idea.html", context, status=status)


def _idea(request, admin_slug: str, process_slug: str, pk: int) -> Idea:
    process = access.get_process_for_user(request.user, admin_slug, process_slug)
    return access.get_idea_for_user(request.user, process, pk)


@require_GET
def idea_page(request: HttpRequest, admin_slug: str, process_slug: str, pk: int) -> HttpResponse:
    return _render_idea(request, _idea(request, admin_slug, process_slug, pk))


@login_required
@require_POST
def idea_support(request: HttpRequest, admin_slug: str, process_slug: str, pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    try:
        _support, created = actions.support_idea(request.user, idea)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Thank you: you support this idea.")
            if created
            else _("You support this idea already: each person counts once."),
        )
    return redirect(idea_url(idea))


@login_required
@require_POST
def idea_unsupport(request: HttpRequest, admin_slug: str, process_slug: str, pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    try:
        actions.withdraw_support(request.user, idea)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("You no longer support this idea."))
    return redirect(idea_url(idea))


@login_required
@require_POST
def idea_follow(request: HttpRequest, admin_slug: str, process_slug: str, pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    actions.follow(request.user, idea=idea)
    messages.success(request, _("You will receive an e-mail when the administration answers."))
    return redirect(idea_url(idea))


@login_required
@require_POST
def idea_unfollow(request: HttpRequest, admin_slug: str, process_slug: str, pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    actions.unfollow(request.user, idea=idea)
    messages.success(request, _("You no longer follow this idea."))
    return redirect(idea_url(idea))


@login_required
@require_POST
def idea_comment(request: HttpRequest, admin_slug: str, process_slug: str, pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    return _post_comment(
        request,
        idea,
        rerender=lambda form: _render_idea(request, idea, status=400, comment_form=form),
    )


@login_required
@require_POST
def idea_coauthor(request: HttpRequest, admin_slug: str, process_slug: str, pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    if idea.author_id != request.user.pk:
        raise Http404
    form = CoauthorForm(request.POST)
    if form.is_valid():
        try:
            actions.invite_coauthor(request.user, idea, form.cleaned_data["email"])
        except ValidationError as exc:
            form.add_action_errors(exc)
        except actions.RateLimited as limited:
            return too_many_requests(request, limited.retry_after)
        else:
            messages.success(
                request,
                _(
                    "If an account that can see this process uses that address, its owner was "
                    "invited: they become a co-author once they accept on this page."
                ),
            )
            return redirect(idea_url(idea))
    return _render_idea(request, idea, status=400, coauthor_form=form)


@login_required
@require_POST
def idea_coauthor_accept(request: HttpRequest, admin_slug: str, process_slug: str, pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    if not Coauthor.objects.filter(idea=idea, user=request.user).exists():
        raise Http404
    actions.accept_coauthorship(request.user, idea)
    messages.success(request, _("You are a co-author of this idea."))
    return redirect(idea_url(idea))


@require_GET
def idea_attachment(request, admin_slug: str, process_slug: str, pk: int, file_pk: int):
    idea = _idea(request, admin_slug, process_slug, pk)
    attachment = access.get_attachment_for_user(request.user, idea, file_pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=str(attachment),
    )
    public = idea.process.is_published and idea.process.audience == Audience.PUBLIC
    response["Cache-Control"] = "public, max-age=3600" if public else "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- replying to and reporting comments, threads of other apps' pages --------------------------


def _comment_context(request, comment: Comment) -> dict:
    """`comment` comes from access.get_comment_for_user (with its `subject`)."""
    obj = comment.subject
    process = obj.process if isinstance(obj, Idea) else obj if isinstance(obj, Process) else None
    return {
        "comment": display.comment_view(comment, request.user, set()),
        "back": f"{threads.url_of(obj)}#comment-{comment.pk}",
        "on": threads.title_of(obj),
        "process": process,
        "admin": comment.administration,
        "idea": obj if isinstance(obj, Idea) else None,
        "comment_pk": comment.pk,
    }


@login_required
@require_http_methods(["GET", "POST"])
def comment_reply(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    comment = access.get_comment_for_user(request.user, admin_slug, pk)
    obj = comment.subject
    context = _comment_context(request, comment)
    closed = actions.thread_closed(obj)
    if closed or comment.is_hidden or comment.depth >= Comment.MAX_DEPTH:
        context["closed"] = closed or _("This comment takes no replies.")
        status = 400 if request.method == "POST" else 200
        return render(request, "participation/comment_reply.html", context, status=status)
    if request.method == "GET":
        context["form"] = CommentForm(may_answer=actions.may_answer_officially(request.user, obj))
        return render(request, "participation/comment_reply.html", context)

    def rerender(form):
        return render(
            request, "participation/comment_reply.html", {**context, "form": form}, status=400
        )

    return _post_comment(request, obj, parent=comment, rerender=rerender)


@login_required
@require_POST
def thread_comment(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """A comment posted from the thread another app shows on its page (`{% comment_thread %}`);
    with errors, a page of its own with the form and a way back."""
    obj = threads.get_target_for_user(request.user, key, pk)

    def rerender(form):
        context = {
            "form": form,
            "back": f"{threads.url_of(obj)}#comments",
            "on": threads.title_of(obj),
        }
        return render(request, "participation/thread_comment.html", context, status=400)

    return _post_comment(request, obj, rerender=rerender)


@login_required
@require_http_methods(["GET", "POST"])
def comment_flag(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    comment = access.get_comment_for_user(request.user, admin_slug, pk)
    context = _comment_context(request, comment)
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _flag, created = actions.flag_comment(
                    request.user, comment, form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(
                    request,
                    _("Thank you: the moderators will look at this comment.")
                    if created
                    else _("You reported this comment already."),
                )
                return redirect(context["back"])
        status = 400
    return render(
        request, "participation/comment_flag.html", {**context, "form": form}, status=status
    )
