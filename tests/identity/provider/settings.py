"""Settings of the test OpenID provider (see this package's docstring). Everything that changes
between runs comes from the environment the tests start it with."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ["OP_DATA_DIR"])

SECRET_KEY = "test-provider-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SITE_URL = os.environ["OP_SITE_URL"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.identity.provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA / "provider.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LANGUAGE_CODE = "en"

# The provider and the site under test both run on loopback: browsers keep cookies per host, not
# per port, so the provider's cookies must not share the site's names.
SESSION_COOKIE_NAME = "provider_session"
CSRF_COOKIE_NAME = "provider_csrftoken"
LOGIN_URL = "/login/"

OIDC_USERINFO = "tests.identity.provider.claims.userinfo"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.identity.provider.claims.ItalianClaims"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.identity.provider.claims.id_token_hook"
OIDC_IDTOKEN_SUB_GENERATOR = "tests.identity.provider.claims.subject"
OIDC_IDTOKEN_EXPIRE = int(os.environ.get("OP_IDTOKEN_EXPIRE", "120"))
OIDC_SKIP_CONSENT_EXPIRE = 0
