"""Settings, read from the environment only (twelve-factor).

Every value a deployment may change comes from an environment variable; the defaults run the whole
product on one laptop (SQLite file in the project folder, in-process work, console e-mail).
"""

import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


# --- Secrets from the environment or from files (insieme.ops) ----------------------------------
def _secret(name: str, default: str = "") -> str:
    """NAME from the environment; else the contents of the file that NAME_FILE names (Docker and
    Kubernetes secrets), surrounding white space removed; else `default`. A NAME_FILE that
    cannot be read, or is empty, stops the start with a clear error. The names that may come
    from a file are listed in insieme.ops.checks.SECRET_VARIABLES."""
    from django.core.exceptions import ImproperlyConfigured

    value = env.str(name, default="")
    if value:
        return value
    path = env.str(f"{name}_FILE", default="")
    if not path:
        return default
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ImproperlyConfigured(
            f"{name}_FILE names {path}, which cannot be read ({reason})"
        ) from None
    if not value:
        raise ImproperlyConfigured(f"{name}_FILE names {path}, which is empty")
    return value


# --- end of secrets -------------------------------------------------------------------------


def _secret_key() -> str:
    """INSIEME_SECRET_KEY (or the file INSIEME_SECRET_KEY_FILE names), else a key generated
    once and kept in var/ (never committed; INSIEME_PRODUCTION refuses it, insieme.ops.checks)."""
    key = _secret("INSIEME_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env.bool("INSIEME_DEBUG", default=False)
# Production mode: the start-up checks (insieme.ops.checks) refuse unsafe or missing settings.
PRODUCTION = env.bool("INSIEME_PRODUCTION", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "insieme.core.views_errors.csrf_failure"  # the styled 403 page


def _base_url() -> str:
    """The public address links in e-mails start with: INSIEME_BASE_URL (INSIEME_SITE_URL, its
    older name, still read); unset, the address the server was started on (`insieme serve`
    exports it), else http://HOST:PORT of the environment (127.0.0.1:8000)."""
    from urllib.parse import urlsplit

    from django.core.exceptions import ImproperlyConfigured

    url = env.str("INSIEME_BASE_URL", default="") or env.str("INSIEME_SITE_URL", default="")
    if not url:
        host = env.str("HOST", default="127.0.0.1")
        url = f"http://{f'[{host}]' if ':' in host else host}:{env.int('PORT', default=8000)}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"INSIEME_BASE_URL must be an http(s) address such as https://servizi.example.org, "
            f"not {url!r}"
        )
    return url.rstrip("/")


BASE_URL = _base_url()
SITE_URL = BASE_URL  # the older name of the same setting

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "insieme.core",
    "insieme.ops",
    "insieme.places",
    "insieme.catalog",
    "insieme.cases",
    "insieme.participation",
    "insieme.deliberation",
    "insieme.results",
    "insieme.codesign",
    "insieme.budgets",
    "insieme.surveys",
    "insieme.improvements",
    "insieme.perception",
    "insieme.dashboards",
    "insieme.topics",
    "insieme.community",
    "insieme.forecasts",
    "insieme.hotspots",
    "insieme.tailoring",
    "insieme.insights",
    "insieme.opendata",
    "insieme.privacy",
    "insieme.identity",
    "insieme.reports",
    "insieme.open311",
    "insieme.api",
    "insieme.webhooks",
    "insieme.demo",
]

MIDDLEWARE = [
    "insieme.ops.middleware.MetricsMiddleware",  # first: it times all the others
    "django.middleware.security.SecurityMiddleware",
    "insieme.ops.requestid.RequestIdMiddleware",
    "insieme.core.safe_input.MalformedRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "insieme.core.headers.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "insieme.core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "insieme.core.middleware.CurrentAdministrationMiddleware",
    # Staff sessions end when idle or too old; a session owing its second factor waits for it.
    "insieme.core.sessions.StaffSessionMiddleware",
    "insieme.core.twofactor.SecondFactorMiddleware",
]

ROOT_URLCONF = "insieme.urls"
WSGI_APPLICATION = "insieme.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "insieme" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "insieme.core.context_processors.insieme",
            ],
        },
    }
]
# Django's form renderer, with the standard widget templates written out in Python (the same
# HTML, a fraction of the time: see insieme/core/form_renderer.py).
FORM_RENDERER = "insieme.core.form_renderer.FastWidgetRenderer"

DATABASES = {
    "default": env.db_url_config(
        _secret("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'insieme.sqlite3'}")
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast while the database is away (a 503 in a second, not a worker stuck for minutes):
    # connecting gives up after INSIEME_DB_CONNECT_TIMEOUT seconds (see insieme.ops.outage).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("INSIEME_DB_CONNECT_TIMEOUT", default=2)
    )
# A read replica of the default database (PostgreSQL streaming replication, say): the Scorecard,
# the dashboards and the other insight pages read from it, everything else from the primary
# (insieme.core.replica). Tests mirror it onto the default database.
if env.str("INSIEME_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("INSIEME_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["insieme.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _secret("REDIS_URL")
if REDIS_URL:
    # django-redis, because it can carry on without Redis: with IGNORE_EXCEPTIONS a cache that
    # cannot be reached reads as empty and writes go nowhere (logged), so the site keeps serving
    # from the database, slower but correct. Short timeouts keep a vanished server from holding
    # a request up. Sessions are written to the database as well (cached_db), so nobody is
    # signed out while Redis is away.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("INSIEME_REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("INSIEME_REDIS_TIMEOUT", default=1.0),
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "insieme.ops.redis"
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]


# --- Sign-in with digital identity (insieme.identity) ---
# OpenID Connect: SPID and CIE (through an OIDC gateway), Keycloak, a regional identity provider.
# On when INSIEME_OIDC_CLIENT_ID and the provider (INSIEME_OIDC_ISSUER, or its endpoints one by
# one) are set; otherwise invisible. See docs/identity.md.
INSIEME_OIDC = {
    "ISSUER": env.str("INSIEME_OIDC_ISSUER", default="").rstrip("/"),
    "AUTHORIZATION_ENDPOINT": env.str("INSIEME_OIDC_AUTHORIZATION_ENDPOINT", default=""),
    "TOKEN_ENDPOINT": env.str("INSIEME_OIDC_TOKEN_ENDPOINT", default=""),
    "USERINFO_ENDPOINT": env.str("INSIEME_OIDC_USERINFO_ENDPOINT", default=""),
    "JWKS_URI": env.str("INSIEME_OIDC_JWKS_URI", default=""),
    "END_SESSION_ENDPOINT": env.str("INSIEME_OIDC_END_SESSION_ENDPOINT", default=""),
    "CLIENT_ID": env.str("INSIEME_OIDC_CLIENT_ID", default=""),
    "CLIENT_SECRET": _secret("INSIEME_OIDC_CLIENT_SECRET"),  # or INSIEME_OIDC_CLIENT_SECRET_FILE
    "TOKEN_AUTH": env.str("INSIEME_OIDC_TOKEN_AUTH", default="client_secret_post"),
    "SIGN_ALGO": env.str("INSIEME_OIDC_SIGN_ALGO", default="RS256"),
    "PROVIDER_NAME": env.str("INSIEME_OIDC_PROVIDER_NAME", default=""),
    "SCOPES": env.str("INSIEME_OIDC_SCOPES", default="openid email profile"),
    "FISCAL_CODE_CLAIMS": env.list(
        "INSIEME_OIDC_FISCAL_CODE_CLAIM",
        default=["fiscal_number", "https://attributes.eid.gov.it/fiscal_number"],
    ),
    "BIRTH_DATE_CLAIM": env.str("INSIEME_OIDC_BIRTH_DATE_CLAIM", default="birthdate"),
    "ACR_VALUES": env.str("INSIEME_OIDC_ACR_VALUES", default=""),
    "SECOND_FACTOR_ACR": env.list("INSIEME_OIDC_SECOND_FACTOR_ACR", default=[]),
    "CREATE_ACCOUNTS": env.bool("INSIEME_OIDC_CREATE_ACCOUNTS", default=True),
    "TIMEOUT": env.float("INSIEME_OIDC_TIMEOUT", default=10.0),
}
INSIEME_OIDC_FORM_ORIGINS: list[str] = []  # where signing out continues (CSP form-action)
if INSIEME_OIDC["CLIENT_ID"] and (INSIEME_OIDC["ISSUER"] or INSIEME_OIDC["AUTHORIZATION_ENDPOINT"]):
    AUTHENTICATION_BACKENDS.append("insieme.identity.backend.IdentityBackend")
    from urllib.parse import urlsplit as _split

    for _url in (INSIEME_OIDC["ISSUER"], INSIEME_OIDC["END_SESSION_ENDPOINT"]):
        _parts = _split(_url)
        if _parts.scheme in ("http", "https") and _parts.netloc:
            INSIEME_OIDC_FORM_ORIGINS.append(f"{_parts.scheme}://{_parts.netloc}")
# --- end of sign-in with digital identity ---

# Argon2id at OWASP's recommended setting by default (insieme/core/hashers.py).
INSIEME_ARGON2 = {
    "MEMORY_KIB": env.int("INSIEME_ARGON2_MEMORY_KIB", default=19456),
    "TIME_COST": env.int("INSIEME_ARGON2_TIME_COST", default=2),
    "PARALLELISM": env.int("INSIEME_ARGON2_PARALLELISM", default=1),
}
PASSWORD_HASHERS = [
    "insieme.core.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {  # passwords of 12+ characters published in breaches (insieme/core/data/README.md)
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
        "OPTIONS": {
            "password_list_path": BASE_DIR
            / "insieme"
            / "core"
            / "data"
            / "breached-passwords.txt.gz"
        },
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Staff sessions (anyone with a role in an administration) end after this long without a request,
# and this long after signing in whatever happens; citizens' sessions keep Django's two weeks.
STAFF_SESSION_IDLE_MINUTES = env.int("INSIEME_STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("INSIEME_STAFF_SESSION_MAX_HOURS", default=12)
# Two-step sign-in (django-otp, TOTP): the name authenticator apps show; our own throttle
# (insieme.core.signin) limits wrong codes, so django-otp's per-device delays are off.
OTP_TOTP_ISSUER = env.str("INSIEME_OTP_ISSUER", default="Insieme")
OTP_TOTP_THROTTLE_FACTOR = 0
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

_EMAIL_URL = _secret("EMAIL_URL", default="consolemail://")
vars().update(env.email_url_config(_EMAIL_URL))
if _EMAIL_URL.startswith("filemail:///"):
    # django-environ drops the leading slash of filemail:///abs/path (a folder relative to the
    # working directory); the documented form names an absolute folder.
    EMAIL_FILE_PATH = "/" + _EMAIL_URL[len("filemail:///") :].lstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Insieme <no-reply@insieme.invalid>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("it", "Italiano")]
LOCALE_PATHS = [BASE_DIR / "insieme" / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("INSIEME_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS: list = [BASE_DIR / "insieme" / "static"]
_node_modules = Path(env.str("INSIEME_NODE_MODULES", default=str(BASE_DIR / "node_modules")))
# Only the parts of the npm packages that pages load: Bootstrap Italia's stylesheet, fonts, icons
# and per-component ES modules (dist/plugins; not its 1 MB bundle), and Leaflet. axe-core is read
# by the browser tests straight from node_modules.
for _prefix, _sub in [
    ("vendor/bootstrap-italia/css", "bootstrap-italia/dist/css"),
    ("vendor/bootstrap-italia/fonts", "bootstrap-italia/dist/fonts"),
    ("vendor/bootstrap-italia/svg", "bootstrap-italia/dist/svg"),
    ("vendor/bootstrap-italia/plugins", "bootstrap-italia/dist/plugins"),
    ("vendor/leaflet", "leaflet/dist"),
]:
    if (_node_modules / _sub).exists():
        STATICFILES_DIRS.append((_prefix, _node_modules / _sub))
# Built by `make assets`: the design system's stylesheet (purgecss.config.mjs) and the one
# file of Apache ECharts the dashboards load (its dist folder is 51 MB).
if (VAR_DIR / "assets").exists():
    STATICFILES_DIRS.append(("insieme/build", VAR_DIR / "assets"))
# Map tiles: a URL template such as https://tile.example.org/{z}/{x}/{y}.png; empty = no tiles
# (the map still shows the boundary and takes a point; the address field is the alternative).
INSIEME_TILE_URL = env.str("INSIEME_TILE_URL", default="")
INSIEME_TILE_ATTRIBUTION = env.str("INSIEME_TILE_ATTRIBUTION", default="")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("INSIEME_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "INSIEME_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Uploaded files in an S3-compatible object store (AWS S3, MinIO, Ceph, a cloud's own) instead of
# INSIEME_MEDIA_ROOT: on when INSIEME_S3_BUCKET is set (django-storages). Objects stay private:
# every file is served through a view that checks who asks, never by a public link.
S3_BUCKET = env.str("INSIEME_S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("INSIEME_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("INSIEME_S3_REGION", default="") or None,
            "access_key": _secret("INSIEME_S3_ACCESS_KEY_ID") or None,
            "secret_key": _secret("INSIEME_S3_SECRET_ACCESS_KEY") or None,
            "location": env.str("INSIEME_S3_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG

# Security headers. HTTPS-only flags follow INSIEME_HTTPS so the laptop demo on http still logs in.
HTTPS = env.bool("INSIEME_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env.bool("INSIEME_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Logging out continues at the identity provider (insieme.identity): a form's redirect there.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].extend(INSIEME_OIDC_FORM_ORIGINS)
if INSIEME_TILE_URL:  # map tiles are images from the tile server's origin ({s} = any subdomain)
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(INSIEME_TILE_URL.replace("{s}", "*"))
    if _tiles.scheme and _tiles.netloc:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
            f"{_tiles.scheme}://{_tiles.netloc}"
        )

# Browser features no page uses are switched off for every origin (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Monitoring that presents this token (header X-Health-Token) sees /healthz in detail.
HEALTHZ_TOKEN = _secret("INSIEME_HEALTHZ_TOKEN")
# --- Metrics (insieme.ops.metrics) -----------------------------------------------------------
# /metrics answers callers on this machine that came through no proxy, and any caller presenting
# this token (Authorization: Bearer, or X-Metrics-Token); everyone else gets a 404.
METRICS_TOKEN = _secret("INSIEME_METRICS_TOKEN")
# Where `insieme serve` (web/) and `insieme worker` (worker/) processes write their metrics.
METRICS_DIR = Path(env.str("INSIEME_METRICS_DIR", default=str(VAR_DIR / "metrics")))
# --- end of metrics ------------------------------------------------------------------------
# Error reports (the DEBUG page; 500s mailed to ADMINS, if set) mask API keys and tokens.
DEFAULT_EXCEPTION_REPORTER = "insieme.core.logsafety.ExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "insieme.core.logsafety.ReporterFilter"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Logs (insieme.ops.logs) ------------------------------------------------------------------
# Readable text by default; INSIEME_LOG_FORMAT=json writes one JSON object per line (production).
# Every line carries the request's id (X-Request-ID) or the task's, and keys and tokens masked.
LOG_FORMAT = env.str("INSIEME_LOG_FORMAT", default="text").lower()
if LOG_FORMAT not in ("text", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"INSIEME_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "insieme.ops.logs.ContextFilter"}},
    "formatters": {
        "text": {"()": "insieme.ops.logs.TextFormatter"},
        "json": {"()": "insieme.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
# --- end of logs ---------------------------------------------------------------------------

# Rate limits (insieme.core.throttle): sliding windows in a store every web process shares,
# Redis when set, else the database. Failed sign-ins per address, per account and per trusted
# browser in a window; then pauses that double, up to LOGIN_LOCKOUT_MAX seconds.
RATELIMIT_REDIS_URL = env.str("INSIEME_RATELIMIT_REDIS_URL", default=REDIS_URL)
RATELIMIT_KEY_PREFIX = env.str("INSIEME_RATELIMIT_PREFIX", default="insieme-rl")
LOGIN_RATE_LIMIT = env.int("INSIEME_LOGIN_RATE_LIMIT", default=10)
LOGIN_RATE_WINDOW = env.int("INSIEME_LOGIN_RATE_WINDOW", default=300)
LOGIN_LOCKOUT_MAX = env.int("INSIEME_LOGIN_LOCKOUT_MAX", default=3600)
# Open311 GeoReport v2: per API key (requests that carry a valid api_key) and per address.
OPEN311_RATE_KEY = env.str("INSIEME_OPEN311_RATE_KEY", default="1200/minute")
OPEN311_RATE_ADDRESS = env.str("INSIEME_OPEN311_RATE_ADDRESS", default="120/minute")
# Participation (insieme.participation): new ideas and new comments per person.
PARTICIPATION_IDEA_RATE = env.str("INSIEME_PARTICIPATION_IDEA_RATE", default="5/hour")
PARTICIPATION_COMMENT_RATE = env.str("INSIEME_PARTICIPATION_COMMENT_RATE", default="10/600s")
# Anonymous survey responses per client address.
SURVEYS_RESPONSE_RATE = env.str("INSIEME_SURVEYS_RESPONSE_RATE", default="10/hour")
# The staff survey shows results only once at least this many people have answered.
PERCEPTION_MIN_RESPONSES = env.int("INSIEME_PERCEPTION_MIN_RESPONSES", default=5)
# The Scorecard reads indicators computed at most this many seconds ago (a snapshot the worker
# refreshes every SCORECARD_REFRESH_MINUTES); 0 computes them on every page.
INSIEME_SCORECARD_MAX_AGE = env.int("INSIEME_SCORECARD_MAX_AGE", default=900)
SCORECARD_REFRESH_MINUTES = env.int("INSIEME_SCORECARD_REFRESH_MINUTES", default=5)

# Background tasks (Celery, configured from every CELERY_* name here; see insieme/celery.py).
# No broker (the default): tasks run in this process once the write has committed, so a laptop
# needs no service. A broker, redis://host:6379/0 or amqp://user:pass@host:5672//, sends them to
# `insieme worker`, which also runs the periodic jobs (beat).
CELERY_BROKER_URL = _secret("INSIEME_BROKER_URL") or env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env.str("INSIEME_TASK_QUEUE", default="insieme")
CELERY_TASK_IGNORE_RESULT = True  # tasks write to the database; nobody waits for a result
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # tasks are idempotent: one lost with its worker runs again
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is away must not hold a web request up: sending gives up quickly, the failure is
# logged (insieme.core.tasks.enqueue), and the periodic jobs pick up what no message carries.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("INSIEME_BROKER_CONNECT_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": 5.0,
    # A task a worker took and never acknowledged (the worker died) goes back to the queue after
    # this long (a pool process killed mid-task is requeued at once: reject_on_worker_lost);
    # longer than any task runs, so a slow task is not started twice while it runs.
    "visibility_timeout": env.int("INSIEME_TASK_VISIBILITY_TIMEOUT", default=1800),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # with acks_late: a task whose worker died runs again
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
SLA_TICK_MINUTES = env.int("INSIEME_SLA_TICK_MINUTES", default=5)
CELERY_BEAT_SCHEDULE = {
    "sla-tick": {
        "task": "insieme.cases.tasks.sla_tick",
        "schedule": 60.0 * SLA_TICK_MINUTES,
        # A tick nobody ran in time is dropped: the next one does the same work.
        "options": {"expires": 60.0 * SLA_TICK_MINUTES},
    },
    # SQLite's planner needs statistics as tables grow (see insieme.core.dbstats).
    "db-statistics": {
        "task": "insieme.core.tasks.refresh_db_statistics",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # Webhook deliveries due for a (re)try that no task message carries any more.
    "webhooks-deliver-due": {
        "task": "insieme.webhooks.tasks.deliver_due",
        "schedule": float(env.int("INSIEME_WEBHOOKS_DUE_SECONDS", default=60)),
        "options": {"expires": float(env.int("INSIEME_WEBHOOKS_DUE_SECONDS", default=60))},
    },
    # Open311 batch requests whose task message was lost (the broker was away).
    "open311-pending-tokens": {
        "task": "insieme.open311.tasks.file_pending",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "api-idempotency-purge": {
        "task": "insieme.api.tasks.purge_idempotency",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # Opinion groups of conversations whose votes changed since their last computation.
    "deliberation-groups": {
        "task": "insieme.deliberation.tasks.refresh_stale_groups",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # A process's phase that began today: its followers are told (once per phase).
    "participation-phases": {
        "task": "insieme.participation.tasks.announce_phases",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # Each administration's spam filter, trained again on its moderators' latest decisions.
    "participation-spam-filters": {
        "task": "insieme.participation.tasks.retrain_spam_filters",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # Every administration's weekly demand forecasts and their alerts, computed again.
    "forecasts-compute": {
        "task": "insieme.forecasts.tasks.compute_all",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # Each administration's topics in its free text, computed again on the day's texts.
    "topics-compute": {
        "task": "insieme.topics.tasks.compute_all",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # Every administration's hotspots (clusters that persist), found again nightly.
    "hotspots-compute": {
        "task": "insieme.hotspots.tasks.compute_all",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # The dashboards' rollups kept up with the cases (insieme.dashboards.rollups).
    "dashboard-rollups": {
        "task": "insieme.dashboards.tasks.refresh_rollups",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # The Scorecards people open by default, computed ahead (insieme.insights.snapshots).
    # Every administration's open datasets regenerated (a version only where content changed).
    "opendata-publish": {
        "task": "insieme.opendata.tasks.publish_all",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # Scans the free text written in the last day (and a little more) for personal data.
    "privacy-scan": {
        "task": "insieme.privacy.tasks.scan_all",
        "schedule": 86400.0,
        "kwargs": {"since_hours": 26},
        "options": {"expires": 3600.0},
    },
    # Anonymises the closed records whose retention period has passed (insieme.privacy.retention).
    "privacy-retention": {
        "task": "insieme.privacy.tasks.retention_all",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    "scorecard-snapshots": {
        "task": "insieme.insights.tasks.refresh_scorecards",
        "schedule": 60.0 * SCORECARD_REFRESH_MINUTES,
        "options": {"expires": 60.0 * SCORECARD_REFRESH_MINUTES},
    },
}
# Webhooks: auto (Celery with a broker, else a sender thread in the web process), celery,
# thread, or manual (`insieme webhooks_deliver` from cron).
WEBHOOKS_DISPATCH = env.str("INSIEME_WEBHOOKS_DISPATCH", default="auto")
# Webhook receivers on private, loopback or reserved addresses (see webhooks/targets.py).
WEBHOOKS_ALLOW_PRIVATE = env.bool("INSIEME_WEBHOOKS_ALLOW_PRIVATE", default=False)
# A delivery whose sender died is sent again once its lease ends (webhooks.delivery.lease), by
# the periodic job "webhooks-deliver-due" (every INSIEME_WEBHOOKS_DUE_SECONDS, 60).
WEBHOOKS_LEASE_SECONDS = env.int("INSIEME_WEBHOOKS_LEASE_SECONDS", default=80)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Open data (insieme.opendata) ---------------------------------------------------------------
# Where published datasets' files are written (served through the catalogue's download views).
INSIEME_OPENDATA_ROOT = Path(env.str("INSIEME_OPENDATA_ROOT", default=str(VAR_DIR / "opendata")))
# The grid, in metres, that open data coarsens places to.
INSIEME_OPENDATA_GRID_METRES = env.float("INSIEME_OPENDATA_GRID_METRES", default=250.0)

# --- REST API (Django REST framework + drf-spectacular); owned by insieme.api -------------------
# Rates are "<number>/<second|minute|hour|day>": per API key, per signed-in person, and per address
# for callers with neither. Counters live in the cache (Redis when REDIS_URL is set).
REST_FRAMEWORK: dict = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "insieme.api.auth.ApiKeyAuthentication",
        "insieme.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["insieme.api.permissions.ScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "insieme.api.throttles.ApiKeyThrottle",
        "insieme.api.throttles.UserThrottle",
        "insieme.api.throttles.AddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env.str("INSIEME_API_RATE_KEY", default="1200/minute"),
        "api_user": env.str("INSIEME_API_RATE_USER", default="300/minute"),
        "api_address": env.str("INSIEME_API_RATE_ADDRESS", default="120/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["insieme.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "insieme.api.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "insieme.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "insieme.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    # Insieme's own API settings (DRF ignores keys it does not know).
    "INSIEME_IDEMPOTENCY_HOURS": env.int("INSIEME_API_IDEMPOTENCY_HOURS", default=24),
    "INSIEME_MAX_BODY_BYTES": env.int("INSIEME_API_MAX_BODY_BYTES", default=1_000_000),
}
SPECTACULAR_SETTINGS: dict = {
    "TITLE": "Insieme REST API",
    "DESCRIPTION": "Services, forms, regulations and cases of the administrations on this "
    "installation. Public resources need no key; cases need a session or an API key "
    "(`Authorization: Bearer <key>` or `X-Api-Key`). See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's expand button (nested controls, WCAG 4.1.2).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # `<id:pk>` (insieme.core.safe_input.RowIdConverter) is a row id: a 64-bit integer.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}
    },
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "insieme.cases.models.Status",
        "ServiceKindEnum": "insieme.catalog.models.ServiceKind",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}
