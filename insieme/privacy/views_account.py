"""A person's own data, /accounts/data/: a copy of everything the platform holds about them
(readable and as JSON), the requests they made, and erasing their account.

Only ever the signed-in person's own data: no identifier is in the address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from insieme.core.registry import PagePanel
from insieme.privacy import erase
from insieme.privacy.forms import EraseForm
from insieme.privacy.models import SubjectRequest


def _staff(user) -> bool:
    try:
        erase.check_erasable(user)
    except ValidationError:
        return True
    return False


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff = _staff(user)
    form = EraseForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if not staff and form.is_valid():
            erase.erase_account(user, user)
            logout(request)
            messages.success(
                request,
                _("Your account is erased. What you wrote stays without your name or contacts."),
            )
            return redirect("home")
        status = 400
    return render(
        request,
        "privacy/my_data.html",
        {
            "form": form,
            "staff": staff,
            "requests": SubjectRequest.objects.filter(user=user)[:20],
        },
        status=status,
    )


def _account_panel(request, user):
    return {} if request is not None and request.user.is_authenticated else None


ACCOUNT_PANEL = PagePanel(
    key="privacy.account",
    page="core.account",
    order=10,
    template="privacy/_account_panel.html",
    context=_account_panel,
    app="privacy",
)
