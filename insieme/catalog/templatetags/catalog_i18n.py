"""`{{ service.i18n.name|marked }}`: a catalogue text in the active language, or its source text
marked with its language (for screen readers) and a note saying which language it is in."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from insieme.catalog.i18n import LocalText, language_name

register = template.Library()


@register.filter
def marked(value):
    if isinstance(value, LocalText) and value.fallback:
        return format_html(
            '<span lang="{}">{}</span> <small class="lang-fallback">({})</small>',
            value.lang,
            str(value),
            _("in %(language)s") % {"language": language_name(value.lang)},
        )
    return value


@register.filter
def lang_attr(value) -> str:
    """The language of a text shown as is (`<h1 lang="{{ s.i18n.name|lang_attr }}">`)."""
    return value.lang if isinstance(value, LocalText) else ""
