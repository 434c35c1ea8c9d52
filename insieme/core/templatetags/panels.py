"""`{% page_panels "page" obj %}`: the parts other apps add to a page (core.registry.PagePanel)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from insieme.core.registry import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context, page: str, obj=None) -> str:
    request = context.get("request")
    parts = []
    for panel in panels_for(page):
        extra = panel.context(request, obj)
        if extra is None:
            continue
        parts.append(render_to_string(panel.template, {"obj": obj, **extra}, request=request))
    return mark_safe("".join(parts))  # each part is a template rendered with autoescape
