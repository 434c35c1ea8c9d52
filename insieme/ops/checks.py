"""Start-up checks of the settings (Django system checks, tag "production").

`insieme serve` and `insieme worker` run them before starting and stop, with these messages and
a non-zero exit, on any error; `insieme check` shows them too. With INSIEME_PRODUCTION=true they
refuse what is unsafe or missing in production; on a laptop they say nothing, except about a
secret file that cannot be read, which is wrong anywhere. Messages are for operators, in English,
as Django's own checks are.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning

from insieme.core.hashers import OWASP_SETTINGS, meets_owasp

TAG = "production"
# The settings that may come from a file named by <NAME>_FILE (settings._secret).
SECRET_VARIABLES = (
    "INSIEME_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "INSIEME_BROKER_URL",
    "EMAIL_URL",
    "INSIEME_HEALTHZ_TOKEN",
    "INSIEME_METRICS_TOKEN",
    "INSIEME_OIDC_CLIENT_SECRET",
    "INSIEME_S3_ACCESS_KEY_ID",
    "INSIEME_S3_SECRET_ACCESS_KEY",
)
MIN_SECRET_KEY_LENGTH = 50
_NO_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "consolemail://",
    "django.core.mail.backends.dummy.EmailBackend": "a dummy backend",
    "django.core.mail.backends.locmem.EmailBackend": "memory",
}


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secret_files(app_configs=None, **kwargs) -> list:
    """Every <NAME>_FILE set must name a readable, non-empty file (in any mode)."""
    problems = []
    for name in SECRET_VARIABLES:
        path = _env(f"{name}_FILE")
        if not path:
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                empty = not handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            problems.append(
                Error(
                    f"{name}_FILE names {path}, which cannot be read ({reason}).",
                    hint="Give this process read access to the file, or correct the path.",
                    id="production.E011",
                )
            )
            continue
        if empty:
            problems.append(
                Error(f"{name}_FILE names {path}, which is empty.", id="production.E011")
            )
    return problems


def production_settings(app_configs=None, **kwargs) -> list:
    """With INSIEME_PRODUCTION=true: what production must not run with."""
    if not settings.PRODUCTION:
        return []
    problems: list = []
    add = problems.append
    if settings.DEBUG:
        add(
            Error(
                "DEBUG is on in production: error pages would show code, settings and data.",
                hint="Unset INSIEME_DEBUG (or set it to false).",
                id="production.E001",
            )
        )
    if not (_env("INSIEME_SECRET_KEY") or _env("INSIEME_SECRET_KEY_FILE")):
        add(
            Error(
                "SECRET_KEY is not given by the deployment: it is the key generated into "
                "var/secret_key on this machine.",
                hint="Set INSIEME_SECRET_KEY, or INSIEME_SECRET_KEY_FILE naming a file that "
                "holds it; the same key for every web and worker process.",
                id="production.E002",
            )
        )
    key = settings.SECRET_KEY or ""
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        add(
            Error(
                f"SECRET_KEY is too short or too plain ({len(key)} characters, "
                f"{len(set(key))} different): production needs at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters.",
                hint="Make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'",
                id="production.E003",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        add(
            Error(
                "ALLOWED_HOSTS contains '*': any Host header would be accepted, and links "
                "built from it (password reset e-mails) could point elsewhere.",
                hint="List the site's host names in ALLOWED_HOSTS, comma-separated.",
                id="production.E004",
            )
        )
    workers = _env("WEB_CONCURRENCY") or "2"
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3") and workers.isdigit() and int(workers) > 1:
        add(
            Warning(
                f"The database is SQLite while {workers} web workers are configured: they "
                "take turns at every write, and the database lives on this one machine.",
                hint="Use PostgreSQL (DATABASE_URL=postgres://...) in production.",
                id="production.W005",
            )
        )
    if not settings.REDIS_URL:
        add(
            Warning(
                "REDIS_URL is not set: each web process keeps its own cache, and the rate "
                "limits count in the database.",
                hint="Set REDIS_URL=redis://host:6379/0.",
                id="production.W006",
            )
        )
    if not settings.CELERY_BROKER_URL:
        add(
            Warning(
                "INSIEME_BROKER_URL is not set: background tasks run inside the web "
                "processes, and the periodic jobs (the SLA job) run only if cron starts them.",
                hint="Set INSIEME_BROKER_URL=redis://host:6379/1 and run `insieme worker`.",
                id="production.W007",
            )
        )
    if not (_env("INSIEME_BASE_URL") or _env("INSIEME_SITE_URL")):
        add(
            Error(
                "INSIEME_BASE_URL is not set: links in e-mails would point at the address "
                "the server listens on, not where the public reaches the site.",
                hint="Set INSIEME_BASE_URL=https://servizi.example.org.",
                id="production.E008",
            )
        )
    host = urlsplit(settings.BASE_URL).hostname or ""
    if not settings.HTTPS and not _is_loopback(host):
        add(
            Error(
                f"INSIEME_HTTPS is off while the site is reached at {settings.BASE_URL}: "
                "cookies would travel without the Secure flag, and neither HSTS nor the "
                "redirect to HTTPS would be sent.",
                hint="Serve it over HTTPS (a TLS proxy sending X-Forwarded-Proto) and set "
                "INSIEME_HTTPS=true.",
                id="production.E009",
            )
        )
    backend = _NO_MAIL_BACKENDS.get(settings.EMAIL_BACKEND)
    if backend:
        add(
            Error(
                f"E-mail goes to {backend}: notifications, password resets and invitations "
                "would never reach anyone.",
                hint="Set EMAIL_URL=smtp://user:password@host:587/?tls=True (or EMAIL_URL_FILE).",
                id="production.E010",
            )
        )
    argon2 = settings.INSIEME_ARGON2
    if not meets_owasp(argon2["MEMORY_KIB"], argon2["TIME_COST"]) or argon2["PARALLELISM"] < 1:
        add(
            Error(
                f"Passwords would be hashed with Argon2 at {argon2['MEMORY_KIB']} KiB and "
                f"{argon2['TIME_COST']} pass(es), {argon2['PARALLELISM']} lane(s): below the "
                "OWASP Password Storage Cheat Sheet's recommendation.",
                hint="Leave INSIEME_ARGON2_MEMORY_KIB, INSIEME_ARGON2_TIME_COST and "
                "INSIEME_ARGON2_PARALLELISM unset (19456 KiB, 2 passes, 1 lane), or choose one "
                "of OWASP's equivalent settings: "
                + ", ".join(f"{m} KiB x {t}" for m, t in OWASP_SETTINGS)
                + ".",
                id="production.E012",
            )
        )
    return problems
