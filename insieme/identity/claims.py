"""What the provider says about a person, read once into a `Person`: the subject, the e-mail
address and whether the provider verified it, the name, the fiscal code and the birth date, and
the authentication context (acr). Values that are not what they claim to be (an address that is
no address, a fiscal code with a wrong check character) are dropped, never trusted."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from insieme.budgets import register as resident_register
from insieme.identity import config
from insieme.identity.errors import SignInError

log = logging.getLogger(__name__)

# SPID and CIE give the fiscal code as "TINIT-" and the code (ETSI TS 119 412-1 semantics).
_FISCAL_PREFIXES = ("TINIT-", "TINIT")
_NAME_MAX = 200
# The plain name some gateways use, and the SPID/CIE OIDC Federation's own.
DEFAULT_FISCAL_CODE_CLAIMS = ["fiscal_number", "https://attributes.eid.gov.it/fiscal_number"]


@dataclass(frozen=True)
class Person:
    issuer: str
    subject: str
    email: str  # lower case; "" when none was given or it is not an address
    email_verified: bool
    full_name: str
    fiscal_code: str  # normalised; "" when none was given or it is not one
    birth_date: dt.date | None
    assurance: str  # the id token's acr, "" when absent

    @property
    def fiscal_code_hash(self) -> str:
        return fiscal_code_hash(self.fiscal_code) if self.fiscal_code else ""


def fiscal_code_hash(code: str) -> str:
    """The keyed fingerprint of a normalised fiscal code (see models.Identity)."""
    key = hmac.new(
        str(settings.SECRET_KEY).encode(), b"insieme.identity.fiscal-code", hashlib.sha256
    ).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _verified(value) -> bool:
    # A boolean, as the standard says; some providers send the text "true".
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _email(value) -> str:
    email = _text(value).lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        log.info("identity: the provider's e-mail claim is not an address; ignored")
        return ""
    return email


def _name(claims: dict) -> str:
    name = _text(claims.get("name"))
    if not name:
        parts = [_text(claims.get("given_name")), _text(claims.get("family_name"))]
        name = " ".join(p for p in parts if p)
    name = "".join(c for c in name if c.isprintable())
    return name[:_NAME_MAX]


def _fiscal_code(claims: dict) -> str:
    for claim in config.options().get("FISCAL_CODE_CLAIMS") or DEFAULT_FISCAL_CODE_CLAIMS:
        raw = _text(claims.get(claim)).upper()
        if not raw:
            continue
        for prefix in _FISCAL_PREFIXES:
            if raw.startswith(prefix):
                raw = raw[len(prefix) :]
                break
        try:
            return resident_register.normalise_fiscal_code(raw)
        except resident_register.InvalidValue:
            log.info("identity: the provider's fiscal code claim is not a fiscal code; ignored")
            return ""
    return ""


def _birth_date(claims: dict) -> dt.date | None:
    raw = claims.get(config.options().get("BIRTH_DATE_CLAIM") or "birthdate")
    if not raw:
        return None
    try:
        return resident_register.normalise_birth_date(raw)
    except resident_register.InvalidValue:
        return None


def read(id_token: dict, userinfo: dict) -> Person:
    """The person, from the id token's claims and the userinfo answer (which wins where both
    speak, as it is the fuller source). Raises SignInError("invalid") when the two are about
    different subjects (OpenID Connect Core 1.0, section 5.3.2) or there is no subject."""
    subject = _text(id_token.get("sub"))
    if not subject:
        raise SignInError("invalid", "the id token has no subject")
    if "sub" in userinfo and _text(userinfo.get("sub")) != subject:
        raise SignInError("invalid", "userinfo is about another subject")
    claims = {**id_token, **userinfo}
    email = _email(claims.get("email"))
    return Person(
        issuer=_text(id_token.get("iss")).rstrip("/"),
        subject=subject,
        email=email,
        email_verified=bool(email) and _verified(claims.get("email_verified")),
        full_name=_name(claims),
        fiscal_code=_fiscal_code(claims),
        birth_date=_birth_date(claims),
        assurance=_text(id_token.get("acr")),
    )
