"""A real OpenID Connect provider for the tests: django-oidc-provider in a tiny Django project of
its own, run by gunicorn in a separate process on a free loopback port (tests/identity/conftest.py).

It has its own settings module (this package's settings.py), its own SQLite file in a temporary
folder, and its people and client created by `python -m tests.identity.provider.setup`. Nothing
here is imported by the process under test except `people` (plain data: who can sign in there).
"""
