"""The staff work queue: /staff/<administration>/cases/.

Rows come only from `access.cases_for_staff` (department-scoped). The page reads a bounded number
of queries whatever the number of cases: one for the rows (with service, department and assignee
joined, and the pending hand-off as a subquery), none per row, and the count of the filtered set
over the same branches, which stops past COUNT_LIMIT so that it stays cheap at any size.

Bulk actions call the actions module once per case, each in its own transaction, and report what
was done and what was not possible. Saved views are personal preferences written here directly.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from insieme.cases import lifecycle
from insieme.cases.access import (
    cases_for_staff,
    count_union,
    first_ids,
    staff_case_sets,
    staff_departments,
)
from insieme.cases.handling import actions as handling_actions
from insieme.cases.handling import assignment
from insieme.cases.handling.forms_queue import (
    NOBODY,
    PAGE_SIZE,
    BulkAction,
    BulkForm,
    QueueFilterForm,
    SavedViewForm,
    case_columns,
    clean_query,
    selected_ids,
)
from insieme.cases.models import Case, Handoff, SavedView
from insieme.core.access import get_administration_for_user, has_perm
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.core.safe_input import input_refused

MAX_PAGE = 10_000
REASONS_SHOWN = 10
# Counting stops here: "more than 10,000" says enough, and a count must not read a million rows.
COUNT_LIMIT = 10_000
# Page links shown on either side of the current page (plus the first and the last).
PAGE_WINDOW = 2


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def _queue_url(admin: Administration, query: str = "") -> str:
    url = reverse("staff_queue", args=[admin.slug])
    return f"{url}?{query}" if query else url


# Beyond this many rows before the page, one OR query with an offset is cheaper than merging.
MERGE_DEPTH = 2_000


def queue_rows(user, admin: Administration, form: QueueFilterForm, page: int = 1):
    """(rows of page `page`, has_next): the cases `user` sees in `admin` through `form`'s
    filters, in the form's order, in a bounded number of queries whatever the number of cases.

    For a member of staff with departments, each branch of their view (see
    `access.staff_branches`) is read on its own and merged: an OR of the branches would read
    every open case of the administration to sort them."""
    pending = Handoff.objects.filter(case=OuterRef("pk"), state=Handoff.State.PENDING)
    start = (page - 1) * PAGE_SIZE
    sets = staff_case_sets(user, admin)
    if len(sets) <= 1 or start > MERGE_DEPTH:
        qs = form.apply(cases_for_staff(user, admin), user)
        ids = None
    else:
        column, descending = form.sort_spec()
        branches = [form.apply(qs, user) for qs in sets]
        ids = first_ids(branches, column, descending, start + PAGE_SIZE + 1)[start:]
        qs = Case.objects.filter(pk__in=ids)
    qs = (
        qs.select_related("service", "department", "assignee")
        .only(*case_columns())
        .annotate(handoff_to=Subquery(pending.values("to_department__name")[:1]))
    )
    if ids is None:
        rows = list(qs[start : start + PAGE_SIZE + 1])
    else:
        by_id = {case.pk: case for case in qs}
        rows = [by_id[pk] for pk in ids if pk in by_id]
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def queue_count(user, admin: Administration, form: QueueFilterForm) -> int:
    """How many cases `queue_rows` pages through, up to COUNT_LIMIT + 1 (more than the limit),
    counted over the same branches in a fixed number of queries."""
    sets = staff_case_sets(user, admin)
    if len(sets) <= 1:
        return count_union([form.apply(cases_for_staff(user, admin), user)], COUNT_LIMIT)
    return count_union([form.apply(qs, user) for qs in sets], COUNT_LIMIT)


def page_links(page: int, last: int | None) -> list[int | None]:
    """The page numbers to link, with None for a gap: the first, the last (when known), and
    PAGE_WINDOW pages either side of `page`."""
    end = last if last is not None else page + 1
    shown = {1, page, *range(max(1, page - PAGE_WINDOW), min(end, page + PAGE_WINDOW) + 1)}
    if last is not None:
        shown.add(last)
    links: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= end):
        if links and links[-1] is not None and number > links[-1] + 1:
            links.append(None)
        links.append(number)
    return links


def paging(page: int, shown: int, total: int, has_next: bool) -> dict:
    """What the page says about where the reader is: "1–50 of 1,234", the page links, and
    whether the count stopped at its limit."""
    capped = total > COUNT_LIMIT
    last = None if capped else max(1, -(-total // PAGE_SIZE))
    first_row = (page - 1) * PAGE_SIZE + 1
    return {
        "total": total,
        "capped": capped,
        "count_limit": COUNT_LIMIT,
        "first_row": first_row if shown else 0,
        "last_row": first_row + shown - 1 if shown else 0,
        "last_page": last,
        "links": page_links(page, last),
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if has_next else None,
    }


@login_required
@require_GET
def staff_queue(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """The cases a member of staff works from, filtered, sorted, paged; with saved views and
    bulk actions for those who handle cases."""
    user = request.user
    admin = get_administration_for_user(user, admin_slug, Perm.CASE_READ)
    departments = staff_departments(user, admin)
    form = QueueFilterForm(request.GET or None, admin=admin, departments=departments)
    page = _page_number(request.GET.get("page"))
    rows, has_next = queue_rows(user, admin, form, page)
    total = queue_count(user, admin, form)
    query = clean_query(request.GET)
    can_handle = has_perm(user, Perm.CASE_HANDLE, admin)
    bulk = None
    if can_handle:
        bulk = BulkForm(
            initial={"query": query},
            user=user,
            admin=admin,
            departments=departments,
            can_assign=has_perm(user, Perm.CASE_ASSIGN, admin),
        )
    context = {
        "administration": admin,
        "form": form,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "paging": paging(page, len(rows), total, has_next),
        "query": query,
        "page_prefix": f"?{query}&page=" if query else "?page=",
        "saved_views": SavedView.objects.filter(user=user, administration=admin),
        "save_form": SavedViewForm(),
        "bulk": bulk,
    }
    return render(request, "cases/staff/queue.html", context)


# --- saved views -------------------------------------------------------------------------------


@login_required
@require_POST
def staff_queue_view_save(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.CASE_READ)
    query = clean_query(QueryDict(request.POST.get("query", "")))
    form = SavedViewForm(request.POST)
    if form.is_valid():
        view = handling_actions.save_view(
            request.user, admin, name=form.cleaned_data["name"], query=query
        )
        messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    elif input_refused():  # malformed, not merely missing: only a forged form sends it
        raise BadRequest(" ".join(form.errors.get("name", [])))
    else:
        messages.error(request, _("Give the view a name (at most 80 characters)."))
    return HttpResponseRedirect(_queue_url(admin, query))


@login_required
@require_POST
def staff_queue_view_delete(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.CASE_READ)
    view = SavedView.objects.filter(user=request.user, administration=admin, pk=pk).first()
    if view is None:
        raise Http404
    handling_actions.delete_view(request.user, view)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return HttpResponseRedirect(_queue_url(admin))


# --- bulk actions ------------------------------------------------------------------------------


def _reason(exc: Exception) -> str:
    if isinstance(exc, lifecycle.StaleCase):
        return _("someone else changed this case meanwhile")
    if isinstance(exc, PermissionDenied):
        return _("you may not do this on this case")
    return " ".join(exc.messages)


def _perform(request: HttpRequest, form: BulkForm, case) -> None:
    """One action on one case, through the actions module (its own transaction)."""
    data = form.cleaned_data
    action = data["action"]
    if action == BulkAction.ASSIGN:
        assignee = None
        if data["assignee"] != NOBODY:
            assignee = get_user_model().objects.get(pk=int(data["assignee"]))
        assignment.assign(
            request.user, case, assignee, override_reason=data.get("override_reason") or ""
        )
    elif action == BulkAction.STATUS:
        handling_actions.change_status(
            request.user, case, data["to_status"], note=data.get("note") or ""
        )
    else:
        handling_actions.reply_with_template(request.user, case, data["template"])


def _report(request: HttpRequest, done: int, failed: list[tuple[str, str]]) -> None:
    if done:
        messages.success(
            request,
            ngettext("%(n)d case done.", "%(n)d cases done.", done) % {"n": done},
        )
    if failed:
        reasons = "; ".join(f"{ref}: {why}" for ref, why in failed[:REASONS_SHOWN])
        if len(failed) > REASONS_SHOWN:
            reasons += " …"
        messages.warning(
            request,
            ngettext(
                "%(n)d case not possible: %(reasons)s",
                "%(n)d cases not possible: %(reasons)s",
                len(failed),
            )
            % {"n": len(failed), "reasons": reasons},
        )


@login_required
@require_POST
def staff_queue_bulk(request: HttpRequest, admin_slug: str) -> HttpResponse:
    """Assign, change the status of, or reply with a template to the ticked cases. Only cases
    the user may handle are acted upon (re-read by id); any other id is ignored, and a value
    that is no id at all (only a forged form sends one) refuses the request (400)."""
    user = request.user
    admin = get_administration_for_user(user, admin_slug, Perm.CASE_HANDLE)
    departments = staff_departments(user, admin)
    form = BulkForm(
        request.POST,
        user=user,
        admin=admin,
        departments=departments,
        can_assign=has_perm(user, Perm.CASE_ASSIGN, admin),
    )
    back = HttpResponseRedirect(
        _queue_url(admin, clean_query(QueryDict(request.POST.get("query", ""))))
    )
    if not form.is_valid():
        if input_refused():  # malformed, not merely incomplete: only a forged form sends it
            raise BadRequest(_("The bulk action holds a value that cannot be read."))
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return back
    try:
        ids = selected_ids(request.POST)
    except ValidationError as exc:  # only a forged form sends these: no page to go back to
        raise BadRequest(" ".join(exc.messages)) from exc
    cases = list(
        cases_for_staff(user, admin, Perm.CASE_HANDLE)
        .filter(pk__in=ids)
        .select_related("service", "administration", "department", "assignee", "submitted_by")
        .order_by("pk")
    )
    if not cases:
        messages.warning(request, _("Tick the cases to act on first."))
        return back
    done, failed = 0, []
    for case in cases:
        try:
            _perform(request, form, case)
            done += 1
        except (ValidationError, PermissionDenied, lifecycle.StaleCase) as exc:
            failed.append((case.reference, _reason(exc)))
    _report(request, done, failed)
    return back
