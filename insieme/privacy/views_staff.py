"""The data steward's home of data protection, /staff/<administration>/privacy/: personal data
found in free text (to review), and the requests of the people whose records the
administration holds (copies of their data, erasures), with when they were done; a request
left pending (a copy with parts that could not be gathered) is closed here, done or refused,
with a note.

Needs `privacy:data:manage` in the administration (404 outside the person's administrations,
403 without the permission)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insieme.core.access import get_administration_for_user
from insieme.core.permissions import Perm
from insieme.privacy import actions
from insieme.privacy.forms import CloseRequestForm
from insieme.privacy.models import Finding, RetentionPolicy, RetentionRun, SubjectRequest


def _requests_of(admin):
    """Requests of people with a request or an idea in the administration (a person is not
    an administration's: they are one where they have records)."""
    from insieme.cases.models import Case
    from insieme.participation.models import Idea

    people = Case.objects.filter(administration=admin, submitted_by__isnull=False).values(
        "submitted_by"
    )
    authors = Idea.objects.filter(process__administration=admin, author__isnull=False).values(
        "author"
    )
    return SubjectRequest.objects.filter(Q(user__in=people) | Q(user__in=authors))


@login_required
@require_GET
def home(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = get_administration_for_user(request.user, admin_slug, Perm.PRIVACY_MANAGE)
    return _render_home(request, admin)


@login_required
@require_POST
def close_request(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    """The steward closes a pending request (done or refused, with a note): 404 for a request
    of nobody in this administration."""
    admin = get_administration_for_user(request.user, admin_slug, Perm.PRIVACY_MANAGE)
    subject_request = _requests_of(admin).filter(pk=pk).first()
    if subject_request is None:
        raise Http404
    form = CloseRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.close_request(
                request.user,
                subject_request,
                form.cleaned_data["decision"],
                form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return _render_home(request, admin, status=400)
        messages.success(request, _("The request is closed."))
        return redirect("privacy:staff_home", admin.slug)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _render_home(request, admin, status=400)


def _render_home(request, admin, status: int = 200) -> HttpResponse:
    findings = Finding.objects.filter(administration=admin)
    page = Paginator(_requests_of(admin).order_by("-created_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    for row in page.object_list:
        row.missing, row.steward_note = _read_note(row.note)
    return render(
        request,
        "privacy/staff/home.html",
        {
            "administration": admin,
            "open_findings": findings.filter(state=Finding.State.OPEN).count(),
            "all_findings": findings.count(),
            "page": page,
            "pending": _requests_of(admin).filter(state=SubjectRequest.State.PENDING).count(),
            "close_form": CloseRequestForm(),
            "default_months": RetentionPolicy.objects.filter(
                administration=admin, service__isnull=True
            )
            .values_list("months", flat=True)
            .first(),
            "last_run": RetentionRun.objects.filter(administration=admin, dry_run=False).first(),
        },
        status=status,
    )


def _read_note(note: str) -> tuple[list, str]:
    """(titles of the parts a copy could not gather, the steward's own note) from a request's
    note, which insieme.privacy.export writes as "format: F; not gathered: k1, k2" and
    actions.close_request extends with " | <the steward's note>"."""
    from insieme.core.registry import personal_data

    automatic, _sep, steward = note.partition(" | ")
    keys = automatic.partition("not gathered: ")[2]
    titles = []
    for key in filter(None, (k.strip() for k in keys.split(","))):
        section = personal_data.get(key) if key in personal_data else None
        titles.append(section.title if section else key)
    return titles, steward
