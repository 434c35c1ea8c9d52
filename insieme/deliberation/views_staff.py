"""Staff screens of deliberation, under a process's staff address
(/staff/<administration>/participation/<process>/deliberation/):

- the conversation: start it or change its question, translations and switches; add seed
  statements; mark statements as meta (participation:process:manage);
- the moderation queue of statements participants wrote, for one process or for the whole
  administration: accept, or reject with a reason (participation:comment:moderate).

404 outside the person's administrations, 403 where their role lacks the permission (see
insieme.deliberation.access). Writes go through insieme.deliberation.actions, which audit them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.catalog import i18n
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.permissions import Perm
from insieme.deliberation import access, actions
from insieme.deliberation.forms import (
    ConversationForm,
    MetaForm,
    ModerationForm,
    SeedStatementForm,
)
from insieme.deliberation.models import Statement

STATEMENTS_PER_PAGE = 100
QUEUE_SHOWN = 100


def _edit_url(admin_slug: str, pk: int) -> str:
    return reverse("staff_deliberation", args=[admin_slug, pk])


# --- the conversation ---------------------------------------------------------------------------


def _render_edit(
    request: HttpRequest,
    admin,
    process,
    conversation,
    *,
    form: ConversationForm | None = None,
    seed_form: SeedStatementForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    language = conversation.language if conversation else process.language
    context = {
        "administration": admin,
        "process": process,
        "conversation": conversation,
        "form": form or ConversationForm(language=language, conversation=conversation),
        "error": error,
        "may_moderate": has_perm(request.user, Perm.COMMENT_MODERATE, admin),
        "process_url": reverse("staff_participation_process", args=[admin.slug, process.pk]),
    }
    if conversation is not None:
        statements = (
            Statement.objects.filter(conversation=conversation)
            .annotate(n_votes=Count("votes"))
            .order_by("pk")
        )
        page = Paginator(statements, STATEMENTS_PER_PAGE).get_page(request.GET.get("page"))
        for statement in page.object_list:
            statement.shown = i18n.text(statement, "text")
        context.update(
            {
                "page": page,
                "pending": Statement.objects.filter(
                    conversation=conversation, status=Statement.Status.PENDING
                ).count(),
                "seed_form": seed_form or SeedStatementForm(language=conversation.language),
                "public_url": reverse("deliberation_conversation", args=[admin.slug, process.slug]),
                "report_url": reverse("deliberation_report", args=[admin.slug, process.slug]),
            }
        )
    return render(request, "deliberation/staff/conversation.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def conversation_edit(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, process, conversation = access.get_staff_conversation(request.user, admin_slug, pk)
    if request.method == "GET":
        return _render_edit(request, admin, process, conversation)
    language = conversation.language if conversation else process.language
    form = ConversationForm(request.POST, language=language, conversation=conversation)
    if form.is_valid():
        try:
            actions.save_conversation(request.user, process, **form.changes())
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request,
                _("The conversation is saved.")
                if conversation
                else _("The conversation is started: now add its first statements."),
            )
            return redirect(_edit_url(admin.slug, process.pk))
    return _render_edit(request, admin, process, conversation, form=form, status=400)


@login_required
@require_POST
def seed_new(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin, process, conversation = access.get_staff_conversation(request.user, admin_slug, pk)
    if conversation is None:
        raise Http404
    form = SeedStatementForm(request.POST, language=conversation.language)
    if form.is_valid():
        try:
            actions.add_seed_statement(
                request.user,
                conversation,
                form.cleaned_data["text"],
                translations=form.translations_changes(),
                is_meta=form.cleaned_data["is_meta"],
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The statement is added: it is open for votes."))
            return redirect(_edit_url(admin.slug, process.pk) + "#statements")
    return _render_edit(request, admin, process, conversation, seed_form=form, status=400)


@login_required
@require_POST
def statement_meta(request: HttpRequest, admin_slug: str, pk: int, statement_pk: int):
    admin, process, conversation = access.get_staff_conversation(request.user, admin_slug, pk)
    statement = access.get_staff_statement(conversation, statement_pk)
    form = MetaForm(request.POST)
    if not form.is_valid():
        return _render_edit(
            request,
            admin,
            process,
            conversation,
            error=_("Say whether the statement is about the participant."),
            status=400,
        )
    actions.set_meta(request.user, statement, form.cleaned_data["is_meta"])
    messages.success(
        request,
        _("The statement is marked as about the participant: the opinion groups leave it out.")
        if form.cleaned_data["is_meta"]
        else _("The statement counts as an opinion again."),
    )
    return redirect(_edit_url(admin.slug, process.pk) + f"#statement-{statement.pk}")


# --- moderation ---------------------------------------------------------------------------------


def _queue(request: HttpRequest, admin_slug: str, pk: int | None):
    """(administration, process or None, conversation or None, pending statements)."""
    if pk is None:
        admin = get_administration_for_user(request.user, admin_slug, Perm.COMMENT_MODERATE)
        process = conversation = None
        pending = Statement.objects.filter(conversation__process__administration=admin)
    else:
        admin, process, conversation = access.get_staff_conversation(
            request.user, admin_slug, pk, Perm.COMMENT_MODERATE
        )
        if conversation is None:
            raise Http404
        pending = Statement.objects.filter(conversation=conversation)
    pending = (
        pending.filter(status=Statement.Status.PENDING)
        .select_related("conversation__process")
        .order_by("created_at", "pk")
    )
    return admin, process, conversation, pending


def _render_queue(request, admin, process, pending, *, bound=None, status=200) -> HttpResponse:
    total = pending.count()
    rows = []
    for statement in pending[:QUEUE_SHOWN]:
        statement.shown = i18n.text(statement, "text")
        owner = statement.conversation.process
        owner.administration = admin
        form = bound if bound is not None and bound.statement_pk == statement.pk else None
        rows.append(
            {
                "statement": statement,
                "process": owner,
                "form": form or ModerationForm(auto_id=f"id_s{statement.pk}_%s"),
            }
        )
    error = ""
    if bound is not None and not any(row["form"] is bound for row in rows):
        error = " ".join(m for errors in bound.errors.values() for m in errors)
    return render(
        request,
        "deliberation/staff/moderation.html",
        {
            "administration": admin,
            "process": process,
            "rows": rows,
            "total": total,
            "shown": QUEUE_SHOWN,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def moderation(request: HttpRequest, admin_slug: str, pk: int | None = None) -> HttpResponse:
    """Statements waiting for a moderator, oldest first: one process's, or the whole
    administration's."""
    admin, process, _conversation, pending = _queue(request, admin_slug, pk)
    return _render_queue(request, admin, process, pending)


@login_required
@require_POST
def moderate(request: HttpRequest, admin_slug: str, pk: int, statement_pk: int) -> HttpResponse:
    """Accept a statement, or reject it with a reason; back to the queue it was decided from
    (`queue=all` for the administration's)."""
    admin, process, conversation = access.get_staff_conversation(
        request.user, admin_slug, pk, Perm.COMMENT_MODERATE
    )
    statement = access.get_staff_statement(conversation, statement_pk)
    everything = request.POST.get("queue") == "all"
    form = ModerationForm(request.POST, auto_id=f"id_s{statement.pk}_%s")
    form.statement_pk = statement.pk
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            actions.moderate_statement(
                request.user, statement, accept=accept, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(
                request,
                _("The statement is accepted: it is open for votes.")
                if accept
                else _("The statement is rejected; the reason is kept in the audit log."),
            )
            if everything:
                return redirect("staff_deliberation_moderation_all", admin_slug=admin.slug)
            return redirect("staff_deliberation_moderation", admin_slug=admin.slug, pk=process.pk)
    if everything:
        _admin, _process, _conv, pending = _queue(request, admin_slug, None)
        return _render_queue(request, admin, None, pending, bound=form, status=400)
    _admin, _process, _conv, pending = _queue(request, admin_slug, process.pk)
    return _render_queue(request, admin, process, pending, bound=form, status=400)
