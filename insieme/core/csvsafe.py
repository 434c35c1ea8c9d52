"""CSV downloads read by spreadsheets: a text cell that starts like a formula is kept as text
(OWASP's CSV injection advice), for every app that offers a CSV."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula (or a DDE call) by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Keep a spreadsheet from reading a text cell as a formula (numbers pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
