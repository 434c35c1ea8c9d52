"""`{% table_rows rows %}`: the body rows of a data table, the first cell of each a row header.

The same HTML as the template loop it replaces
(`{% for row in rows %}<tr>{% for v in row %}…<th scope="row">{{ v }}</th>…<td>{{ v }}</td>…`),
each value localised, put in the time zone and escaped as `{{ v }}` does, but built in one
Python loop: the Scorecard and the dashboards draw thousands of cells, and a template node per
cell was most of their pages' time.
"""

from __future__ import annotations

import html
from decimal import Decimal

from django import template
from django.template.base import render_value_in_context
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def table_rows(context, rows) -> str:
    number = _number_format(context)
    parts = []
    for row in rows:
        parts.append("<tr>")
        for i, value in enumerate(row):
            kind = type(value)
            if kind is str:  # plain text (not marked safe): escaped as {{ value }} does
                text = html.escape(value) if context.autoescape else value
            elif number is not None and kind in NUMBERS:
                text = number(value)
            else:
                text = render_value_in_context(value, context)  # escaped, as {{ value }} is
            parts.append(f'<th scope="row">{text}</th>' if i == 0 else f"<td>{text}</td>")
        parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


NUMBERS = (int, float, Decimal)  # exactly these types: not bool, which localises as text


def _number_format(context):
    """What `{{ value }}` makes of a number (django.utils.formats.number_format), with the
    active language's separators looked up once for the table instead of once per cell; None
    where the context turns localisation off."""
    if context.use_l10n is False:
        return None
    lang = get_language()
    decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    done = html.escape if context.autoescape else str

    def number(value) -> str:
        return done(
            numberformat.format(value, decimal_sep, None, grouping, thousand_sep, use_l10n=True)
        )

    return number
