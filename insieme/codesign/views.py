"""Public pages of co-design: a service change proposal, side by side with the service as it is,
once it is open for comments (and after its adoption), where its process is visible."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from insieme.codesign import access
from insieme.codesign.views_staff import preview_context
from insieme.participation.access import can_see_process


@require_GET
def change_page(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    change = access.get_change_for_user(request.user, admin_slug, pk)
    process = change.process
    return render(
        request,
        "codesign/change.html",
        {
            "admin": change.administration,
            "change": change,
            "process": process,
            "idea": change.idea if process is not None else None,
            "process_visible": process is not None and can_see_process(request.user, process),
            **preview_context(change),
        },
    )
