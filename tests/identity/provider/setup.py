"""Prepares the test provider's database: tables, a signing key, the people of people.py and the
client the site under test signs in as. Run with the provider's settings:

    DJANGO_SETTINGS_MODULE=tests.identity.provider.settings OP_DATA_DIR=... OP_SITE_URL=... \
        python -m tests.identity.provider.setup --redirect-uri URI [--redirect-uri URI ...] \
        --logout-uri URI

Run it again with more URIs to add them (the browser tests' live server gets its port late).
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.identity.provider.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    from tests.identity.provider.people import CLIENT_ID, CLIENT_SECRET, PASSWORD, PEOPLE

    parser = argparse.ArgumentParser()
    parser.add_argument("--redirect-uri", action="append", default=[])
    parser.add_argument("--logout-uri", action="append", default=[])
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not RSAKey.objects.exists():
        call_command("creatersakey")
    for username, person in PEOPLE.items():
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username, email=person["email"], password=PASSWORD)
    client, _created = Client.objects.get_or_create(
        client_id=CLIENT_ID,
        defaults={
            "name": "Insieme (tests)",
            "client_type": "confidential",
            "client_secret": CLIENT_SECRET,
            "jwt_alg": "RS256",
            "require_consent": True,
            "reuse_consent": False,
        },
    )
    client.response_types.set([ResponseType.objects.get(value="code")])
    client.redirect_uris = sorted({*client.redirect_uris, *args.redirect_uri})
    client.post_logout_redirect_uris = sorted({*client.post_logout_redirect_uris, *args.logout_uri})
    client.save()


if __name__ == "__main__":
    main()
