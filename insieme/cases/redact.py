"""A simple redaction of personal data in free text shown publicly (D3: PII detection).

Masks e-mail addresses, phone numbers (Italian landlines and mobiles, and any number written with
an international prefix) and Italian tax codes (codice fiscale, omocodia variants included). It is
a safety net for public pages, not a guarantee: names and addresses in prose are left alone.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

EMAIL_RE = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# 6 letters (surname, name), year (2), month letter, day (2), town (letter + 3), check letter;
# digits may be replaced by LMNPQRSTUV when two people would share a code (omocodia).
_D = "[0-9LMNPQRSTUV]"
TAX_CODE_RE = re.compile(
    rf"(?<![A-Za-z0-9])[A-Z]{{6}}{_D}{{2}}[ABCDEHLMPRST]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z](?![A-Za-z0-9])",
    re.IGNORECASE,
)

# A candidate: an optional + or 00 prefix, then digits with single spaces, dots, dashes, slashes
# or brackets between them (never a line break).
PHONE_CANDIDATE_RE = re.compile(
    r"(?<![\w+])(?:\+|\(\+)?\(?\d(?:(?:[ .\-/]|\) ?| ?\()?\d)+\)?(?!\w)"
)
PHONE_MIN_DIGITS = 8
LANDLINE_MIN_DIGITS = 6  # Italian landlines: 0 and the area code, 6 to 11 digits in all
PHONE_MAX_DIGITS = 15


def _looks_like_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    minimum = LANDLINE_MIN_DIGITS if digits.startswith("0") else PHONE_MIN_DIGITS
    if not minimum <= len(digits) <= PHONE_MAX_DIGITS:
        return False
    stripped = candidate.lstrip("(")
    if stripped.startswith("+") or digits.startswith("00"):
        return True
    # Italian numbers: landlines start with 0, mobiles with 3. Dates (2026-01-31) and case
    # references (2026-000123) start with 1 or 2 and are kept.
    return digits[0] in "03"


def redact(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and tax codes replaced by a placeholder."""
    if not text:
        return text
    text = EMAIL_RE.sub(lambda m: _("[e-mail hidden]"), text)
    text = TAX_CODE_RE.sub(lambda m: _("[tax code hidden]"), text)

    def phone(match: re.Match) -> str:
        return _("[phone hidden]") if _looks_like_phone(match.group(0)) else match.group(0)

    return PHONE_CANDIDATE_RE.sub(phone, text)


def strip(text: str) -> str:
    """`text` without its e-mail addresses, phone numbers and tax codes (a space for each): what
    the duplicate check compares, where contact details are noise, not the problem. Each pattern
    runs only where a cheap test says it may match (this runs for every case the demo loads)."""
    if not text:
        return text
    if "@" in text:
        text = EMAIL_RE.sub(" ", text)
    if _SIXTEEN.search(text):
        text = TAX_CODE_RE.sub(" ", text)
    if _DIGIT.search(text):
        text = PHONE_CANDIDATE_RE.sub(_strip_phone, text)
    return text


# A tax code is 16 letters and digits in a row (case folded as TAX_CODE_RE folds it).
_SIXTEEN = re.compile(r"[A-Z0-9]{16}", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def _strip_phone(match: re.Match) -> str:
    return " " if _looks_like_phone(match.group(0)) else match.group(0)
