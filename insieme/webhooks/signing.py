"""The signature of a delivery: HMAC-SHA256 over "{timestamp}.{body}" with the subscription's
secret, sent as `X-Insieme-Signature: v1=<hex>` next to `X-Insieme-Timestamp` (docs/webhooks.md
shows receivers how to check it)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret
SIGNATURE_VERSION = "v1"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def encode_body(payload: dict) -> bytes:
    """The exact bytes sent and signed; receivers must verify these bytes, not a re-encoding."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"
