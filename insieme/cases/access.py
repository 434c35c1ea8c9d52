"""Reads of cases across a permission boundary (404 for missing and for forbidden alike)."""

from __future__ import annotations

from django.http import Http404

from insieme.cases.models import Case


def get_case_for_submitter(user, admin_slug: str, reference: str) -> Case:
    """A case the signed-in person filed (or had filed for them)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    case = (
        Case.objects.select_related("service", "administration")
        .filter(administration__slug=admin_slug, reference=reference, submitted_by=user)
        .first()
    )
    if case is None:
        raise Http404
    return case


def get_public_case(admin_slug: str, reference: str) -> Case:
    """A public case as anyone may see it (callers must show no personal data)."""
    case = (
        Case.objects.select_related("service", "administration")
        .filter(administration__slug=admin_slug, reference=reference, is_public=True)
        .exclude(status="submitted", duplicate_of__isnull=False)
        .first()
    )
    if case is None:
        raise Http404
    return case
