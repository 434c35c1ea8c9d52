"""Logging out after a sign-in with the provider ends our session and then the provider's
(OpenID Connect RP-initiated logout), which sends the browser back to our home page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user
from django.test import Client

from insieme.core import signin
from tests.conftest import sign_in as sign_in_with_password
from tests.identity.conftest import at_provider, come_back, start
from tests.identity.provider.people import CLIENT_ID

pytestmark = pytest.mark.django_db


def test_logging_out_continues_at_the_provider_and_comes_back(oidc):
    client = Client()
    at_the_provider = requests.Session()  # the same browser, as the provider sees it
    callback = at_provider(start(client), "anna", session=at_the_provider)
    assert come_back(client, callback).status_code == 302
    assert get_user(client).is_authenticated

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == oidc.url
    assert end_session.path == "/openid/end-session"
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["id_token_hint"][0].count(".") == 2
    assert not get_user(client).is_authenticated  # our session ended before we left

    back = at_the_provider.get(response["Location"], allow_redirects=False, timeout=30)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/"
    # The provider's session ended too: the next sign-in asks for the password again.
    again = at_the_provider.get(start(client), timeout=30)
    assert "/login/" in again.url
    home = client.get("/")
    assert b"You have logged out." in home.content


def test_a_password_session_logs_out_here_only(oidc, charlie):
    client = sign_in_with_password(Client(), charlie)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_without_an_end_session_endpoint_logging_out_stays_here(oidc, monkeypatch):
    from insieme.identity import config

    real = config.endpoints

    def without_end_session():
        found = real()
        return config.Endpoints(**{**found.__dict__, "end_session": ""})

    monkeypatch.setattr(config, "endpoints", without_end_session)
    client = Client()
    assert come_back(client, at_provider(start(client), "anna")).status_code == 302
    assert signin.LOGOUT_CONTINUE_KEY not in client.session
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"
