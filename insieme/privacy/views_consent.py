"""A person's consents, /accounts/data/consents/: each optional processing the apps declared
(insieme.core.registry.consent_purposes), where the person stands on it, a button to give or
withdraw consent, and the history of their decisions.

Only ever the signed-in person's own decisions: no identifier is in the address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from insieme.privacy import actions_consent, consents
from insieme.privacy.forms_consent import ConsentForm

HISTORY_SHOWN = 100  # the copy of the person's data holds every decision


@login_required
@require_http_methods(["GET", "POST"])
def consents_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ConsentForm(request.POST) if request.method == "POST" else None
    status = 200
    if form is not None:
        if form.is_valid():
            try:
                row = actions_consent.decide(user, user, form.cleaned_data["purpose"], form.granted)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _said(row))
                return redirect("privacy:consents")
        status = 400
    rows = list(consents.history(user)[: HISTORY_SHOWN + 1])
    return render(
        request,
        "privacy/consents.html",
        {
            "form": form,
            "states": consents.states(user),
            "history": [(row, consents.title_of(row.purpose)) for row in rows[:HISTORY_SHOWN]],
            "more": len(rows) > HISTORY_SHOWN,
        },
        status=status,
    )


def _said(row) -> str:
    if row is None:
        return _("Nothing changed: that was your decision already.")
    if row.granted:
        return _("Thank you: your consent is recorded. You may withdraw it here at any time.")
    return _("Your consent is withdrawn, from now on.")
