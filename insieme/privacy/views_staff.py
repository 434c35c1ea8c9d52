"""The data steward's home of data protection, /staff/<administration>/privacy/: personal data
found in free text (to review), and the requests of the people whose records the
administration holds (copies of their data, erasures), with when they were done.

Needs `privacy:data:manage` in the administration (404 outside the person's administrations,
403 without the permission)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from insieme.core.access import get_administration_for_user
from insieme.core.permissions import Perm
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
    findings = Finding.objects.filter(administration=admin)
    page = Paginator(_requests_of(admin).order_by("-created_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "privacy/staff/home.html",
        {
            "administration": admin,
            "open_findings": findings.filter(state=Finding.State.OPEN).count(),
            "all_findings": findings.count(),
            "page": page,
            "default_months": RetentionPolicy.objects.filter(
                administration=admin, service__isnull=True
            )
            .values_list("months", flat=True)
            .first(),
            "last_run": RetentionRun.objects.filter(administration=admin, dry_run=False).first(),
        },
    )
