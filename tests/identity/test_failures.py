"""A sign-in with the provider that does not succeed gets a clear page, never a 500: a refused
consent, an expired or forged token, a callback this browser did not start (or used already), a
provider that is down or answers with an error. Failed callbacks are rate-limited like failed
passwords."""

from __future__ import annotations

import datetime as dt
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import get_user
from django.test import Client

from insieme.core.models import User
from insieme.identity.backend import IdentityBackend
from insieme.identity.models import Identity
from tests.identity.conftest import at_provider, come_back, sign_in, start

pytestmark = pytest.mark.django_db


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed


def _reason(response) -> str:
    text = response.content.decode()
    marker = 'data-reason="'
    assert marker in text, text[:800]
    return text.split(marker, 1)[1].split('"', 1)[0]


def _anonymous(client: Client) -> bool:
    return not get_user(client).is_authenticated


def test_a_refused_consent_says_so_and_signs_nobody_in(oidc):
    client = Client()
    response = sign_in(client, "anna", allow=False)
    assert response.status_code == 403
    assert _reason(response) == "refused"
    assert b"You did not allow Test ID to share your details" in response.content
    assert b"Log in with your e-mail address and password" in response.content
    assert _anonymous(client)
    assert not Identity.objects.exists()


def test_an_expired_id_token_is_refused(oidc):
    client = Client()
    callback = at_provider(start(client), "anna")
    # The provider's id tokens live 120 s; the callback reaches us 5 minutes late by our clock
    # (a slow network, or clocks apart): past the token's expiry and its 60 s of leeway.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=True):
        response = come_back(client, callback)
    assert response.status_code == 400
    assert _reason(response) == "expired"
    assert b"The sign-in took too long and has expired" in response.content
    assert _anonymous(client)
    assert not User.objects.filter(email="anna.neri@example.org").exists()


def test_a_forged_id_token_is_refused(oidc, monkeypatch):
    real = IdentityBackend.get_token

    def tampered(self, payload):
        answer = real(self, payload)
        head, body, signature = answer["id_token"].split(".")
        answer["id_token"] = ".".join([head, body, signature[::-1]])
        return answer

    monkeypatch.setattr(IdentityBackend, "get_token", tampered)
    client = Client()
    response = sign_in(client, "anna")
    assert response.status_code == 400
    assert _reason(response) == "invalid"
    assert _anonymous(client)


def test_a_token_for_another_client_is_refused(oidc, monkeypatch):
    """The id token's audience must be our client id (the library leaves it unchecked)."""
    real = IdentityBackend._verify_jws

    def as_another_client(self, payload, key):
        self.OIDC_RP_CLIENT_ID = "someone-else"  # after the code was exchanged as ourselves
        return real(self, payload, key)

    monkeypatch.setattr(IdentityBackend, "_verify_jws", as_another_client)
    client = Client()
    response = sign_in(client, "anna")
    assert response.status_code == 400
    assert _reason(response) == "invalid"


def test_a_code_the_provider_does_not_know_is_an_expired_sign_in(oidc):
    client = Client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/accounts/oidc/callback/?code=not-a-real-code&state={state}")
    assert response.status_code == 400
    assert _reason(response) == "expired"


def test_a_callback_this_browser_did_not_start_is_refused(oidc):
    callback = at_provider(start(Client()), "anna")  # started in another browser
    client = Client()
    response = come_back(client, callback)
    assert response.status_code == 400
    assert _reason(response) == "state"
    assert b"started in another browser or window" in response.content
    assert _anonymous(client)


def test_a_callback_is_used_once(oidc):
    client = Client()
    callback = at_provider(start(client), "anna")
    assert come_back(client, callback).status_code == 302
    client.post("/accounts/logout/")
    again = come_back(client, callback)
    assert again.status_code == 400
    assert _reason(again) == "state"


def test_a_sign_in_left_too_long_at_the_provider_expires(oidc):
    client = Client()
    authorize = start(client)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20)
    callback = at_provider(authorize, "anna")
    with time_machine.travel(later, tick=True):
        response = come_back(client, callback)
    assert response.status_code == 400
    assert _reason(response) == "expired"


def test_a_provider_that_is_down_at_the_start(oidc, settings):
    settings.INSIEME_OIDC = {**settings.INSIEME_OIDC, "ISSUER": _closed_port_url() + "/openid"}
    response = Client().get("/accounts/oidc/authenticate/")
    assert response.status_code == 503
    assert _reason(response) == "unavailable"
    assert b"Test ID is not answering at the moment" in response.content


def test_a_provider_that_goes_down_before_the_callback(oidc, settings):
    client = Client()
    callback = at_provider(start(client), "anna")
    down = _closed_port_url()
    settings.INSIEME_OIDC = {**settings.INSIEME_OIDC, "TOKEN_ENDPOINT": down + "/openid/token"}
    response = come_back(client, callback)
    assert response.status_code == 503
    assert _reason(response) == "unavailable"
    assert _anonymous(client)


def test_a_provider_that_refuses_our_client(oidc, settings):
    settings.INSIEME_OIDC = {**settings.INSIEME_OIDC, "CLIENT_SECRET": "wrong"}
    client = Client()
    response = sign_in(client, "anna")
    assert response.status_code == 502
    assert _reason(response) == "provider"
    assert b"Test ID did not complete the sign-in" in response.content


def test_an_error_from_the_provider_is_told(oidc):
    client = Client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/accounts/oidc/callback/?error=server_error&state={state}")
    assert response.status_code == 502
    assert _reason(response) == "provider"


def test_a_missing_or_garbled_callback_is_told(oidc):
    client = Client()
    for query in ("", "?code=x", "?state=%ff", "?code=&state=", "?error=access_denied"):
        response = client.get("/accounts/oidc/callback/" + query)
        assert response.status_code in (400, 403), query
        assert _reason(response) in {"state", "refused"}
    # A control character is refused before any view (insieme.core.safe_input).
    assert client.get("/accounts/oidc/callback/?state=%00").status_code == 400


def test_failed_callbacks_are_rate_limited_per_address(oidc, settings):
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert client.get("/accounts/oidc/callback/?code=x&state=forged").status_code == 400
    response = client.get("/accounts/oidc/callback/?code=x&state=forged")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_refused_consents_do_not_use_up_the_tries(oidc, settings):
    settings.LOGIN_RATE_LIMIT = 2
    client = Client()
    for _ in range(3):
        assert sign_in(client, "anna", allow=False).status_code == 403
    assert sign_in(client, "anna").status_code == 302


def test_the_failure_page_speaks_italian(oidc):
    client = Client(headers={"accept-language": "it"})
    response = client.get("/accounts/oidc/callback/?code=x&state=forged")
    assert response.status_code == 400
    assert b'<html lang="it">' in response.content
