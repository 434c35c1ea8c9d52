"""The resident register's pure parts: normalising a fiscal code and a birth date, the keyed hash
that is all the database keeps, and the CSV parser of the administration's upload.

The hash: HMAC-SHA256 over "<FISCAL CODE>|<YYYY-MM-DD>", under a key that is itself
HMAC-SHA256(SECRET_KEY, "insieme.budgets.register:" + the register's salt). Without the
SECRET_KEY the stored hashes cannot be tested against guessed fiscal codes (a fiscal code is
derived from name, birth date and place, so an unkeyed hash would be easy to reverse), and the
salt makes two administrations' hashes of one person unrelated. Changing the SECRET_KEY makes
every register and verification unmatchable: upload the register again then.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 500_000
MAX_ERRORS = 20

# A person's fiscal code: 16 characters (letters; digits, or letters standing for digits where
# codes of homonyms are changed), the last a check character; or the 11 digits of a provisional one.
_PERSONAL = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)
_PROVISIONAL = re.compile(r"^[0-9]{11}$")
_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            2,
            4,
            18,
            20,
            11,
            3,
            6,
            8,
            12,
            14,
            16,
            10,
            22,
            25,
            24,
            23,
        ],
        strict=True,
    )
)


def _even(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A")


def check_character(first15: str) -> str:
    """The check character of a 16-character fiscal code, from its first 15."""
    total = sum(_ODD[c] if i % 2 == 0 else _even(c) for i, c in enumerate(first15))
    return chr(ord("A") + total % 26)


class InvalidValue(ValueError):
    """A value the register cannot take; its message says why, for a person to read."""


def normalise_fiscal_code(value: str) -> str:
    """The fiscal code in upper case without spaces, dots or dashes; InvalidValue when it is not
    one (wrong length, wrong shape, or a check character that does not match: a typo)."""
    text = unicodedata.normalize("NFKC", str(value or "")).upper()
    text = "".join(c for c in text if not (c.isspace() or c in ".-_/"))
    if _PROVISIONAL.match(text):
        return text
    if len(text) != 16:
        raise InvalidValue(_("A fiscal code has 16 characters (or 11 digits)."))
    if not _PERSONAL.match(text):
        raise InvalidValue(_("This is not the shape of a fiscal code."))
    if check_character(text[:15]) != text[15]:
        raise InvalidValue(
            _("The last character of this fiscal code does not match: check for a typo.")
        )
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def normalise_birth_date(value) -> dt.date:
    """A birth date from a date, or text as YYYY-MM-DD or DD/MM/YYYY (also with - or .)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = unicodedata.normalize("NFKC", str(value or "")).strip()
        day = None
        for fmt in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            raise InvalidValue(_("Write the birth date as YYYY-MM-DD or DD/MM/YYYY."))
    if day.year < 1880 or day > dt.date.today():
        raise InvalidValue(_("This birth date is not possible."))
    return day


def register_key(salt: str) -> bytes:
    secret = str(settings.SECRET_KEY).encode()
    return hmac.new(secret, f"insieme.budgets.register:{salt}".encode(), hashlib.sha256).digest()


def identity_hash(key: bytes, fiscal_code: str, birth_date) -> str:
    """The keyed hash of one resident (raises InvalidValue for a value that is not one)."""
    code = normalise_fiscal_code(fiscal_code)
    day = normalise_birth_date(birth_date)
    return hmac.new(key, f"{code}|{day.isoformat()}".encode(), hashlib.sha256).hexdigest()


# --- the CSV upload ------------------------------------------------------------------------------

CODE_HEADERS = {"fiscal_code", "codice_fiscale", "cf", "codicefiscale", "fiscalcode"}
DATE_HEADERS = {"birth_date", "data_nascita", "data_di_nascita", "datanascita", "birthdate"}


@dataclass
class Parsed:
    hashes: set[str] = field(default_factory=set)
    rows: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _header(name: str) -> str:
    return unicodedata.normalize("NFKC", name or "").strip().lower().replace(" ", "_")


def parse_csv(data: bytes, key: bytes) -> Parsed:
    """The hashes of a register CSV: a header row naming the fiscal code and birth date columns
    (fiscal_code/codice_fiscale, birth_date/data_nascita; other columns are ignored and never
    read), then one resident a line, separated by commas or semicolons, UTF-8 (a byte order mark
    is fine). Errors name the line; the caller stores nothing when there is any."""
    out = Parsed()
    if len(data) > MAX_UPLOAD_BYTES:
        out.errors.append(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
        return out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        out.errors.append(_("The file is not UTF-8 text: save it as CSV UTF-8."))
        return out
    if "\x00" in text:
        out.errors.append(_("The file is not a CSV text file."))
        return out
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header:
        out.errors.append(_("The file is empty."))
        return out
    names = [_header(h) for h in header]
    code_at = next((i for i, n in enumerate(names) if n in CODE_HEADERS), None)
    date_at = next((i for i, n in enumerate(names) if n in DATE_HEADERS), None)
    if code_at is None or date_at is None:
        out.errors.append(
            _("Line 1: the first line must name the columns fiscal_code and birth_date.")
        )
        return out
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(out.errors) >= MAX_ERRORS:
                break
            if out.rows >= MAX_ROWS:
                out.errors.append(_("The file has more than %(n)d residents.") % {"n": MAX_ROWS})
                break
            if max(code_at, date_at) >= len(row):
                out.errors.append(_("Line %(line)d: a column is missing.") % {"line": line})
                continue
            try:
                digest = identity_hash(key, row[code_at], row[date_at])
            except InvalidValue as exc:
                out.errors.append(
                    _("Line %(line)d: %(problem)s") % {"line": line, "problem": str(exc)}
                )
                continue
            out.rows += 1
            if digest in out.hashes:
                out.duplicates += 1
            out.hashes.add(digest)
    except csv.Error:
        out.errors.append(_("Line %(line)d: the line is not valid CSV.") % {"line": line + 1})
    if not out.errors and not out.hashes:
        out.errors.append(_("The file lists no resident."))
    return out
