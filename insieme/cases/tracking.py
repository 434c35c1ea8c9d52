"""Private tracking links for filers without an account (anonymous web filing, Open311 and the
REST API with an e-mail address, assisted filing for someone without an account).

A link is ``/track/<nonce>.<signature>/``: a random nonce of 128 bits (``secrets``) stored on the
case, and an HMAC-SHA256 of it under the installation's secret key (Django's ``Signer`` with a
salt of its own). Why signed rather than a random token stored only as a hash: every later
e-mail (a reply, a status change, a request for information) has to carry the link again, so
the server must be able to write it out; a hash cannot be turned back into the link, and a
token stored in clear would let anyone who reads the database (a backup, a replica) open every
case. With the signature, the database alone opens nothing, and a forged or mistyped link is
refused before the database is asked. The nonce makes each case's link unguessable and not
enumerable; a new nonce revokes it. Keys rotated with ``SECRET_KEY_FALLBACKS`` keep old links.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.urls import reverse

NONCE_BYTES = 16  # 128 bits
_SIGNER = signing.Signer(salt="insieme.cases.tracking", sep=".")


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def token_for(case) -> str:
    """The secret part of `case`'s tracking link ("" when it has none)."""
    return _SIGNER.sign(case.tracking_nonce) if case.tracking_nonce else ""


def tracking_path(case) -> str:
    """The path of `case`'s tracking page ("" when it has none)."""
    token = token_for(case)
    return reverse("case_tracking", args=[token]) if token else ""


def nonce_from(token: str) -> str | None:
    """The nonce a well-signed token carries, or None."""
    if not token or len(token) > 200:
        return None
    try:
        return _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
