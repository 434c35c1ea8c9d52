"""A real OpenID provider for the identity tests, and the steps a person takes at it.

`provider` (one per test process) runs tests/identity/provider (django-oidc-provider) with
gunicorn on a free loopback port, with its own SQLite file in a temporary folder. `oidc` points
this site at it, as INSIEME_OIDC_* would. `at_provider(...)` signs in at the provider as a
browser does (its login form, then its consent page) with `requests`, and answers the address
the provider sends the browser back to. Under CI a provider that does not start fails the run;
nothing here skips.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from insieme.identity import config
from tests.identity.provider.people import CLIENT_ID, CLIENT_SECRET, PASSWORD, PEOPLE

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_NAME = "Test ID"
CALLBACK = "http://testserver/accounts/oidc/callback/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    url: str
    env: dict
    log: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def register(self, *, redirect_uri: str, logout_uri: str) -> None:
        """Let the provider send browsers back to another address of this site (the live
        server's, whose port is chosen late)."""
        _setup(self.env, [redirect_uri], [logout_uri])


def _setup(env: dict, redirects: list[str], logouts: list[str]) -> None:
    args = [sys.executable, "-m", "tests.identity.provider.setup"]
    args += [a for uri in redirects for a in ("--redirect-uri", uri)]
    args += [a for uri in logouts for a in ("--logout-uri", uri)]
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"the test provider's setup failed:\n{done.stdout}\n{done.stderr}")


def _gunicorn_args(port: int) -> list[str]:
    import gunicorn.config

    args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    args += ["--workers", "1", "--threads", "4", "--timeout", "60"]
    if any(s.name == "control_socket_disable" for s in gunicorn.config.KNOWN_SETTINGS):
        args.append("--no-control-socket")  # two test processes must not share one socket
    return [*args, "tests.identity.provider.wsgi:application"]


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    data = tmp_path_factory.mktemp("oidc-provider")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.identity.provider.settings",
        "OP_DATA_DIR": str(data),
        "OP_SITE_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    _setup(env, [CALLBACK], ["http://testserver/"])
    log = data / "provider.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            _gunicorn_args(port), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    found = Provider(url=url, env=env, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(f"{found.issuer}/.well-known/openid-configuration", timeout=5)
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the test OpenID provider did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield found
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def oidc_options(provider: Provider, **changes) -> dict:
    return {
        "ISSUER": provider.issuer,
        "AUTHORIZATION_ENDPOINT": "",
        "TOKEN_ENDPOINT": "",
        "USERINFO_ENDPOINT": "",
        "JWKS_URI": "",
        "END_SESSION_ENDPOINT": "",
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "TOKEN_AUTH": "client_secret_post",
        "SIGN_ALGO": "RS256",
        "PROVIDER_NAME": PROVIDER_NAME,
        "SCOPES": "openid email profile",
        "FISCAL_CODE_CLAIMS": ["fiscal_number", "https://attributes.eid.gov.it/fiscal_number"],
        "BIRTH_DATE_CLAIM": "birthdate",
        "ACR_VALUES": "",
        "SECOND_FACTOR_ACR": [],
        "CREATE_ACCOUNTS": True,
        "TIMEOUT": 10.0,
        **changes,
    }


@pytest.fixture
def oidc(settings, provider):
    """This site configured to sign people in at the test provider."""
    settings.INSIEME_OIDC = oidc_options(provider)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, config.BACKEND]
    return provider


# --- a person at the provider ------------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page: their action and their inputs (name: value), and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name") and attrs.get("type") != "submit":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def _form(page: requests.Response) -> tuple[str, dict]:
    parser = _Forms()
    parser.feed(page.text)
    assert parser.forms, f"no form at {page.url}: {page.text[:500]}"
    form = parser.forms[0]
    return urljoin(page.url, form["action"]), dict(form["fields"])


def at_provider(
    authorize_url: str,
    username: str,
    *,
    allow: bool = True,
    session: requests.Session | None = None,
) -> str:
    """Sign in at the provider as `username` and answer its consent page (allow or decline);
    return the address the provider redirects the browser to (our callback)."""
    browser = session or requests.Session()
    page = browser.get(authorize_url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    if "/login/" in urlsplit(page.url).path:
        action, fields = _form(page)
        fields.update({"username": username, "password": PASSWORD})
        page = browser.post(action, data=fields, headers={"Referer": page.url}, timeout=30)
        assert page.status_code == 200, page.text[:500]
    action, fields = _form(page)
    fields["allow" if allow else "deny"] = "1"
    answer = browser.post(
        action, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def start(client, next_url: str = "") -> str:
    """Press "Sign in with ..." on this site: answer the provider's address it redirects to."""
    url = "/accounts/oidc/authenticate/" + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def come_back(client, callback_url: str):
    """The browser arrives back at our callback with what the provider gave it."""
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK, callback_url
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, username: str, *, next_url: str = "", allow: bool = True):
    """The whole journey: our button, the provider's login and consent, our callback."""
    return come_back(client, at_provider(start(client, next_url), username, allow=allow))


def person(username: str) -> dict:
    return PEOPLE[username]
