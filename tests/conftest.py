"""Shared fixtures: two administrations under one region, and named personas.

alice   administrator of Montalto          bob     officer of Montalto
carla   service manager of Montalto        dario   supervisor of Montalto
elena   data steward of Montalto           rita    service manager of the region (reaches Montalto)
oscar   administrator of Lago Verde (the other tenant)
charlie a citizen with no staff role
"""

from __future__ import annotations

import pytest
from django.test import Client

from insieme.core import actions as core_actions
from insieme.core.models import Administration, User
from insieme.core.permissions import Role

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path, worker_id):
    from django.core.cache import cache

    from insieme.core import background, throttle

    cache.clear()  # cached aggregates (the home page's) belong to one test
    # Rate-limit counters: the database store's rows go with each test's transaction; a Redis
    # store (REDIS_URL set) gets a prefix of its own per test process, emptied before each test.
    settings.RATELIMIT_KEY_PREFIX = f"insieme-test-{worker_id}"
    if settings.RATELIMIT_REDIS_URL:
        throttle.store().clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    yield
    background.worker.wait_idle()  # no e-mail of this test lands in the next one's outbox


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[11.0, 43.0], [11.2, 43.0], [11.2, 43.2], [11.0, 43.2], [11.0, 43.0]]],
}


@pytest.fixture
def region(db) -> Administration:
    return core_actions.create_administration(
        None, name="Regione Valdoro", slug="valdoro", kind=Administration.Kind.REGION
    )


@pytest.fixture
def montalto(region) -> Administration:
    return core_actions.create_administration(
        None,
        name="Comune di Montalto",
        slug="montalto",
        kind=Administration.Kind.MUNICIPALITY,
        parent=region,
        boundary=SQUARE,
    )


@pytest.fixture
def lagoverde(region) -> Administration:
    return core_actions.create_administration(
        None,
        name="Comune di Lago Verde",
        slug="lago-verde",
        kind=Administration.Kind.MUNICIPALITY,
        parent=region,
    )


def make_user(email: str, name: str, **extra) -> User:
    return core_actions.create_user(
        None, email=email, full_name=name, password=PASSWORD, verified=True, **extra
    )


def make_staff(admin: Administration, role: str, email: str, name: str, **extra) -> User:
    user = make_user(email, name)
    core_actions.add_membership(None, admin, user, role=role, **extra)
    return user


@pytest.fixture
def alice(montalto):
    return make_staff(montalto, Role.ADMINISTRATOR, "alice@montalto.example", "Alice Admin")


@pytest.fixture
def bob(montalto):
    return make_staff(montalto, Role.OFFICER, "bob@montalto.example", "Bob Officer")


@pytest.fixture
def carla(montalto):
    return make_staff(montalto, Role.SERVICE_MANAGER, "carla@montalto.example", "Carla Manager")


@pytest.fixture
def dario(montalto):
    return make_staff(montalto, Role.SUPERVISOR, "dario@montalto.example", "Dario Supervisor")


@pytest.fixture
def elena(montalto):
    return make_staff(montalto, Role.DATA_STEWARD, "elena@montalto.example", "Elena Steward")


@pytest.fixture
def rita(region, montalto):
    return make_staff(region, Role.SERVICE_MANAGER, "rita@valdoro.example", "Rita Region")


@pytest.fixture
def oscar(lagoverde):
    return make_staff(lagoverde, Role.ADMINISTRATOR, "oscar@lagoverde.example", "Oscar Other")


@pytest.fixture
def charlie(db):
    return make_user("charlie@example.org", "Charlie Citizen")


def give_authenticator(user: User):
    """A confirmed TOTP device for `user`, as the set-up page leaves one (test data)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)


def fresh_code(device) -> str:
    """A code the device accepts now: the current one, or the next if this one was used (a
    person would wait for the app to show the next; django-otp accepts one step ahead)."""
    from insieme.core import twofactor

    # Steps counted as django-otp counts them, drift included: a set-up code typed just after the
    # app moved on is accepted one step back and leaves drift -1 (and last_t one step lower).
    at = twofactor.clock()
    step = int((at - device.t0) // device.step) + device.drift
    if device.last_t >= step:
        at += (device.last_t - step + 1) * device.step
    return twofactor.current_code(device, at)


def sign_in(client: Client, user: User) -> Client:
    """Sign `client` in as `user`, both steps: force_login for the password, then, for people who
    must give a second factor (administrators, anyone who turned it on), mark the session
    verified by their authenticator app (given one if they have none), as django_otp.login does
    after a right code. The code pages themselves are tested in tests/core/test_two_factor.py
    and in the browser tests, through the real forms."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from insieme.core import twofactor

    client.force_login(user)
    if twofactor.required(user):
        device = twofactor.totp_device(user) or give_authenticator(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def persona_client():
    """persona_client(user) -> a Client signed in as that user (second factor included)."""

    def make(user: User) -> Client:
        return sign_in(Client(), user)

    return make


ROLE_PERSONA = {
    Role.ADMINISTRATOR: "alice",
    Role.OFFICER: "bob",
    Role.SERVICE_MANAGER: "carla",
    Role.SUPERVISOR: "dario",
    Role.DATA_STEWARD: "elena",
}


# The catalogue fixture (three administrations' services, templates and registers) is shared by
# the catalogue, cases and browser tests.
from tests.catalog.conftest import cat  # noqa: E402, F401
