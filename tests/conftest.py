"""Shared fixtures: two administrations under one region, and named personas.

alice   administrator of Montalto          bob     officer of Montalto
carla   service manager of Montalto        dario   supervisor of Montalto
elena   data steward of Montalto           rita    service manager of the region (reaches Montalto)
oscar   administrator of Lago Verde (the other tenant)
charlie a citizen with no staff role
"""

from __future__ import annotations

import copy
import os
import warnings

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from insieme.core import actions as core_actions
from insieme.core.models import Administration, User
from insieme.core.permissions import Role

PASSWORD = "correct horse battery staple"

# No time limit per example: on a shared, loaded machine a slow example is not a failure (and
# hypothesis reports one that was slow once and fast when replayed as "flaky"). A test that
# sets its own settings keeps them.
hypothesis_settings.register_profile("insieme", deadline=None)
hypothesis_settings.load_profile("insieme")


def suite_settings(media_root) -> dict:
    """The settings every test runs with (see _fast_settings); the shared fixture data below is
    built with them too."""
    from django.conf import settings

    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": media_root,
        "INSIEME_OPENDATA_ROOT": f"{media_root}/opendata",
        "LANGUAGE_CODE": "en",
        # Scorecards computed on every page, so that a test sees its own writes at once; the
        # snapshots' own tests (tests/insights/test_snapshots.py) turn them on.
        "INSIEME_SCORECARD_MAX_AGE": 0,
    }


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
    for name, value in suite_settings(tmp_path / "media").items():
        setattr(settings, name, value)
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


# --- shared fixture data -----------------------------------------------------------------------
#
# Building the administrations, the personas and the catalogue through the actions is most of a
# typical test's setup. When a test's first fixtures (in the order pytest creates them) are some of
# SHARED, preceded only by fixtures known to write nothing and leave the clock alone, they are
# built once in an outer transaction, and every following test whose first fixtures are exactly the
# same runs in a savepoint inside it and gets deep copies of the objects as they were built (the
# rows, their order, ids on SQLite and the audit chain are those the test would have built itself,
# only their creation times are earlier, by seconds; its writes roll back with its savepoint). A
# test whose first fixtures differ closes it (rolls it back) and, if it can, opens its own;
# transactional tests, tests marked with django_db arguments and any fixture of a wider scope than
# a function defined in the tests (the demo loads) close it first. Anything the prefix rule leaves
# out is built by the fixture itself, as before. INSIEME_TEST_SHARED_DATA=0 turns this sharing off
# (not the demo's, below).

SHARED = frozenset(
    [
        "region",
        "montalto",
        "lagoverde",
        "alice",
        "bob",
        "carla",
        "dario",
        "elena",
        "rita",
        "oscar",
        "charlie",
        "cat",
    ]
)
_SHARED_MODULES = frozenset({__name__, "tests.catalog.conftest"})
# Fixtures that may come before the shared ones (those of these plugins but the _WRITERS, and the
# _HARMLESS of the tests): they write nothing, move no clock, change no setting the building reads.
_HARMLESS_PLUGINS = ("_pytest.", "pytest_django.", "xdist.", "time_machine", "anyio.")
_WRITERS = frozenset(
    [
        "admin_user",
        "admin_client",
        "django_user_model",
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    ]
)
_HARMLESS = frozenset(
    {
        (__name__, "_fast_settings"),
        (__name__, "persona_client"),
        ("tests.core.test_two_factor", "_chain"),  # verifies the chain at teardown
        ("tests.core.test_accounts", "_fresh_throttle_and_chain"),  # throttle clock, chain
        ("tests.core.test_invitations", "_fresh_throttle_and_chain"),
        ("tests.core.test_apikey_cli", "_keep_test_connection"),
        ("tests.core.test_signin_throttle", "_commits"),
        ("tests.cases.test_public_redaction", "_generous_limits"),  # rate-limit settings
        ("tests.cases.citizen.test_tracking", "_settings"),  # BASE_URL, throttle clock
        ("tests.cases.handling.test_queue", "staff_case_url"),  # ROOT_URLCONF
    }
)


# The whole demo (tests/demo/conftest.py) is loaded the same way: before the transaction of a test
# that wants `loaded_demo`; kept for the next tests that want it, wherever they are (the tests that
# want it run one after the other: pytest_collection_modifyitems); rolled back for any other test,
# of its module too. (Keeping it for the rest of the module, as a module-scoped fixture would,
# leaked the demo into a test that did not want it whenever xdist gave a worker a demo test and
# then a later test of the same module: the second test's own region met the demo's.)
_DEMO = ("loaded_demo",)


def current_demo():
    if _Shared.key != _DEMO:
        raise RuntimeError("the demo is loaded before the test's transaction (tests/conftest.py)")
    return _Shared.built["loaded_demo"]


def _open_demo(request) -> None:
    from django.core import mail
    from django.core.cache import cache

    from tests.demo.conftest import load_demo

    folder = request.config._tmp_path_factory.mktemp("demo")
    with request.getfixturevalue("django_db_blocker").unblock():
        if connection.in_atomic_block:
            raise RuntimeError("the demo cannot load inside another transaction")
        atomic = transaction.atomic()
        atomic.__enter__()
        _Shared.atomic = atomic
        _add_final_rollback(request)
        sent = len(getattr(mail, "outbox", []))
        try:
            demo = load_demo(folder)
        except BaseException:
            _close_shared()
            raise
        # As when the load came before the test's settings: no e-mail of it in the test's
        # outbox, nothing of it in the cache.
        del getattr(mail, "outbox", [])[sent:]
        cache.clear()
    _Shared.key, _Shared.built = _DEMO, {"loaded_demo": demo}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the transactional tests (the browser tests among them) first, then the others, with
    the tests that want the loaded demo one after the other where the first of them comes, so
    that one load serves them all.

    Transactional tests first: a transactional test that came after a test of the shared data
    in the same process found the shared transaction gone from the connection and failed at
    set-up, and every test after it on that worker failed too (CI, once, on PostgreSQL). xdist
    hands each worker its tests in this order, so on every worker they come first too."""
    transactional = [i for i in items if _transactional(i)]
    if transactional:
        ids = {id(i) for i in transactional}
        items[:] = transactional + [i for i in items if id(i) not in ids]
    moved = [i for i in items if "loaded_demo" in getattr(i, "fixturenames", ())]
    moved = [i for i in moved if not _transactional(i)]
    if len({i.module for i in moved}) < 2:
        return
    first, ids = items.index(moved[0]), {id(i) for i in moved}
    rest = [i for i in items if id(i) not in ids]
    items[:] = rest[:first] + moved + rest[first:]


class _Shared:
    key: tuple[str, ...] = ()  # the fixtures built in the open outer transaction, in order
    atomic = None
    built: dict = {}
    item = None  # the test the open transaction serves now
    copies: dict | None = None
    media = None
    finalizer_added = False


def _origin(fixturedef) -> tuple[str, str]:
    return getattr(fixturedef.func, "__module__", "") or "", fixturedef.argname


def _is_shared(fixturedef) -> bool:
    return fixturedef.argname in SHARED and _origin(fixturedef)[0] in _SHARED_MODULES


def _is_harmless(fixturedef) -> bool:
    module, name = _origin(fixturedef)
    if name in _WRITERS:
        return False
    if name.startswith("django_db_modify_db_settings") or name == "django_db_setup":
        return True
    if getattr(fixturedef.func, "__name__", "") == "get_direct_param_fixture_func":
        return True  # a value of @pytest.mark.parametrize
    return (module, name) in _HARMLESS or module.startswith(_HARMLESS_PLUGINS)


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames)
    )


def _shared_prefix(item) -> dict:
    """The SHARED fixtures pytest creates first for `item` ({name: fixturedef} in creation
    order) before any fixture not known to be harmless; empty when the test cannot share."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.args or marker.kwargs):
        return {}
    if _transactional(item):
        return {}
    defs = item._fixtureinfo.name2fixturedefs
    prefix: dict = {}
    seen: set = set()

    class Stop(Exception):
        pass

    def visit(name: str, index: int = -1) -> None:
        fixturedefs = defs.get(name)
        if not fixturedefs or -index > len(fixturedefs):
            return  # `request` and the like
        if (name, index) in seen:
            return
        fixturedef = fixturedefs[index]
        for arg in fixturedef.argnames:
            visit(arg, index - 1 if arg == name else -1)
        seen.add((name, index))
        if _is_shared(fixturedef):
            prefix[name] = fixturedef
        elif not _is_harmless(fixturedef):
            raise Stop

    try:
        for name in item.fixturenames:
            visit(name)
    except Stop:
        pass
    return prefix


def _close_shared(*, final: bool = False) -> None:
    if _Shared.atomic is None:
        return
    atomic, _Shared.atomic = _Shared.atomic, None
    _Shared.key, _Shared.built, _Shared.item, _Shared.copies = (), {}, None, None
    if not connection.in_atomic_block or connection.atomic_blocks[-1] is not atomic:
        if final:
            # Every test is over, and each database test was checked to leave the blocks under
            # its own as they were (pytest_runtest_teardown). Twice in CI, at the end of a
            # worker's run, the shared transaction was found not innermost all the same, after
            # the session's other fixtures had ended: nothing a test can see. Said, not raised;
            # the connection is closed, and the test database goes with it.
            warnings.warn(
                "at the end of the run the shared fixture data's transaction was not the "
                f"innermost ({len(connection.atomic_blocks)} atomic block(s) open, "
                f"in_atomic_block={connection.in_atomic_block})",
                stacklevel=1,
            )
            connection.close()
            return
        raise RuntimeError("the shared fixture data's transaction is not the innermost one")
    transaction.set_rollback(True)
    atomic.__exit__(None, None, None)


def _open_shared(fixturedefs: dict, request) -> None:
    """Build `fixturedefs` (in order) in the outer transaction: all of them in a new one, or,
    when the open one holds the first of them, the rest on top of it."""
    blocker = request.getfixturevalue("django_db_blocker")
    if _Shared.media is None:
        _Shared.media = request.config._tmp_path_factory.mktemp("shared-media")
    key = tuple(fixturedefs)
    with blocker.unblock():
        extending = _Shared.atomic is not None
        if extending:
            if connection.atomic_blocks[-1:] != [_Shared.atomic]:
                raise RuntimeError("the shared fixture data's transaction is not the innermost")
            atomic, built = _Shared.atomic, dict(_Shared.built)
            todo = key[len(_Shared.key) :]
        elif connection.in_atomic_block:  # a module's demo load is open: stay out of it
            return
        else:
            atomic, built, todo = transaction.atomic(), {}, key
            atomic.__enter__()
        try:
            from django.core.cache import cache

            with override_settings(**suite_settings(_Shared.media)):
                cache.clear()
                for name in todo:
                    fixturedef = fixturedefs[name]
                    built[name] = fixturedef.func(**{a: built.get(a) for a in fixturedef.argnames})
        except Exception:
            _Shared.atomic = atomic
            _close_shared()
            return  # the fixtures will build (and fail) in the test itself
    _Shared.atomic, _Shared.key, _Shared.built = atomic, key, built
    _add_final_rollback(request)


def _add_final_rollback(request) -> None:
    """Roll the outer transaction back before the test database goes."""
    if _Shared.finalizer_added:
        return
    blocker = request.getfixturevalue("django_db_blocker")

    def close() -> None:
        with blocker.unblock():
            _close_shared(final=True)

    request._get_active_fixturedef("django_db_setup").addfinalizer(close)
    _Shared.finalizer_added = True


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.scope != "function":
        external = _origin(fixturedef)[0].startswith(_HARMLESS_PLUGINS)
        if _Shared.atomic is not None and (not external or fixturedef.argname == "live_server"):
            with request.getfixturevalue("django_db_blocker").unblock():
                _close_shared()
        return None
    if fixturedef.argname == "_django_db_helper":
        item = request.node
        if "loaded_demo" in item.fixturenames and not _transactional(item):
            if _Shared.key != _DEMO:
                with request.getfixturevalue("django_db_blocker").unblock():
                    _close_shared()
                _open_demo(request)
            _Shared.item = None
            return None
        sharing = os.environ.get("INSIEME_TEST_SHARED_DATA", "1") != "0"
        prefix = _shared_prefix(item) if sharing else {}
        key = tuple(prefix)
        if key != _Shared.key or not key:
            if not key or key[: len(_Shared.key)] != _Shared.key:
                with request.getfixturevalue("django_db_blocker").unblock():
                    _close_shared()
            if key:
                _open_shared(prefix, request)  # or build the rest of it on top
        elif connection.atomic_blocks[-1:] != [_Shared.atomic]:
            raise RuntimeError("the shared fixture data's transaction is not the innermost one")
        _Shared.item, _Shared.copies = (item if _Shared.key else None), None
        return None
    if (
        _Shared.item is not None
        and _Shared.item is request.node
        and fixturedef.argname in _Shared.key
        and _is_shared(fixturedef)
    ):
        if _Shared.copies is None:
            _Shared.copies = copy.deepcopy(_Shared.built)
        value = _Shared.copies[fixturedef.argname]
        fixturedef.cached_result = (value, fixturedef.cache_key(request), None)
        return value
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Note the connection's open transactions once a database test is set up (its own last)."""
    result = yield
    if "_django_db_helper" in item.fixturenames and not _transactional(item):
        item._insieme_atomics = list(connection.atomic_blocks)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a database test, the transactions open under its own must be left as they were (or
    closed, a module's as it ends). Django's atomic closes whichever block is innermost, so one
    left open by the test (a generator suspended inside `transaction.atomic()`, freed later)
    silently takes the place of the test's own; the damage then surfaced tests later, at the end
    of a worker's run, named after an innocent test (CI, once). Here it is named after the test
    that did it."""
    result = yield
    before = getattr(item, "_insieme_atomics", None)
    if before:
        after = list(connection.atomic_blocks)
        outer = before[:-1]
        if len(after) > len(outer) or any(a is not b for a, b in zip(after, outer, strict=False)):
            raise RuntimeError(
                f"{item.nodeid} left a transaction open: {len(after)} atomic block(s) after it, "
                f"{len(outer)} under its own before it"
            )
    return result


# The catalogue fixture (three administrations' services, templates and registers) is shared by
# the catalogue, cases and browser tests.
from tests.catalog.conftest import cat  # noqa: E402, F401


@pytest.fixture
def migrated_sqlite(tmp_path, tmp_path_factory, worker_id) -> str:
    """A DATABASE_URL for a subprocess: a copy of an SQLite file the migrations made once for
    the whole run (the pytest-xdist workers share it, under a lock), so that each test starting
    `insieme serve` does not spend half a minute migrating."""
    import fcntl
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    # This run's folder: under pytest-xdist each worker has its own inside it; without xdist the
    # base folder is the run's (its parent holds earlier runs, migrated with older code).
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    template = shared / "migrated.sqlite3"
    with open(shared / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}.part"}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            exe = Path(sys.executable).with_name("insieme")
            subprocess.run([str(exe), "migrate", "--verbosity", "0"], env=env, check=True)
            Path(f"{template}.part").rename(template)
    copy_path = tmp_path / "serve.sqlite3"
    shutil.copyfile(template, copy_path)
    return f"sqlite:///{copy_path}"
