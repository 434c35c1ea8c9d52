"""What sign-in with a digital identity adds to the accounts' pages: the button on the login page,
and the identities linked to the account on the account page. Both are absent when no provider
is configured."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from insieme.core.registry import PagePanel
from insieme.identity import config
from insieme.identity.models import Identity


def _start_url(next_url: str) -> str:
    url = reverse("identity:authenticate")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def login_panel(request, next_url) -> dict | None:
    if not config.enabled():
        return None
    return {"provider": config.provider_name(), "start_url": _start_url(next_url or "")}


def account_panel(request, user) -> dict | None:
    if not config.enabled() or request is None or not request.user.is_authenticated:
        return None
    identities = list(
        Identity.objects.filter(user=request.user).only("issuer", "linked_at", "last_used_at")
    )
    return {
        "provider": config.provider_name(),
        "identities": identities,
        "start_url": _start_url(reverse("account")),
    }


LOGIN_PANEL = PagePanel(
    key="identity.login",
    page="core.login",
    order=10,
    template="identity/_login_panel.html",
    context=login_panel,
    app="identity",
)

ACCOUNT_PANEL = PagePanel(
    key="identity.account",
    page="core.account",
    order=5,
    template="identity/_account_panel.html",
    context=account_panel,
    app="identity",
)
