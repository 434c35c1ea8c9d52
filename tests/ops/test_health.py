"""/readyz: ready only when the database answers, every migration is applied and the Redis cache
and the broker (where configured) answer; 503 with each check's status otherwise, details only
for monitoring holding the health token; never cached, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.ops.conftest import closed_port

TOKEN = "monitoring-token-0123456789abcdef"
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def test_ready_when_the_database_answers_and_is_migrated(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations"}  # no cache, no broker configured
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["ms"], int | float) and check["ms"] >= 0
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


def test_not_ready_when_the_database_does_not_answer(client, db, settings):
    settings.HEALTHZ_TOKEN = TOKEN
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": "127.0.0.1",
            "PORT": str(closed_port()),
            "NAME": "insieme",
            "USER": "insieme",
            "PASSWORD": "secret-password",
        },
    }
    anonymous = client.get("/readyz")
    assert anonymous.status_code == 503
    body = anonymous.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["migrations"]["status"] == "skipped"
    assert "error" not in body["checks"]["database"]  # anonymous callers learn no detail
    assert "postgres" not in anonymous.content.decode().lower()

    detailed = client.get("/readyz", HTTP_X_HEALTH_TOKEN=TOKEN).json()
    assert detailed["checks"]["database"]["error"].startswith("OperationalError")
    assert "secret-password" not in str(detailed)
    wrong = client.get("/readyz", HTTP_X_HEALTH_TOKEN=TOKEN + "x").json()
    assert "error" not in wrong["checks"]["database"]


def test_not_ready_while_migrations_are_pending(client, db, settings, tmp_path):
    settings.HEALTHZ_TOKEN = TOKEN
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "new.sqlite3")},
    }
    response = client.get("/readyz", HTTP_X_HEALTH_TOKEN=TOKEN)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["migrations"]["status"] == "error"
    # The first few by name, and how many there are.
    assert "auth.0001_initial" in checks["migrations"]["pending"]
    assert len(checks["migrations"]["pending"]) == 20
    count = int(checks["migrations"]["error"].split()[0])
    assert count > 20 and checks["migrations"]["error"].endswith("not applied")


def test_the_redis_cache_is_checked_when_configured(client, db, settings, redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"]["status"] == "ok"


def test_not_ready_when_the_redis_cache_does_not_answer(client, db, settings):
    settings.HEALTHZ_TOKEN = TOKEN
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/readyz", HTTP_X_HEALTH_TOKEN=TOKEN)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["cache"]["status"] == "error"
    assert "ConnectionError" in checks["cache"]["error"]


def test_the_broker_is_checked_when_tasks_go_through_one(client, db, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert client.get("/readyz").json()["checks"]["broker"]["status"] == "ok"

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"


def test_readyz_and_metrics_answer_a_session_waiting_for_its_second_factor(client, alice):
    # alice administers: her session must give a second factor before any page but these.
    client.force_login(alice)
    assert client.get("/").status_code == 302
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
    sign_in(client, alice)
    assert client.get("/readyz").status_code == 200


def test_readyz_takes_only_get(client, db):
    assert client.post("/readyz").status_code == 405
