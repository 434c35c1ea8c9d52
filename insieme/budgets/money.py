"""Amounts in euro cents written for people, in the active language's number format."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats


def euro(cents: int) -> str:
    """€ 1,234.50 in English, € 1.234,50 in Italian; whole euro without decimals."""
    cents = int(cents)
    places = 0 if cents % 100 == 0 else 2
    number = formats.number_format(
        Decimal(cents) / 100, decimal_pos=places, use_l10n=True, force_grouping=True
    )
    return f"€\u00a0{number}"
