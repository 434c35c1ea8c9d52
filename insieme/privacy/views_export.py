"""A signed-in person downloads their own data: as a JSON file (machine-readable, for
portability) or as a page they can read, print or save.

Only ever the person's own data: the URLs carry no id, and each part comes from the app that
holds it (insieme.privacy.export). Each download is recorded as a subject request with an
audit entry, so each is asked for by a POST (a button, with its CSRF token; a GET leads back to
the data page and writes nothing), and downloads are rate-limited per person (PRIVACY_EXPORT_RATE, "10/hour" by
default): gathering everything about someone is the heaviest read a citizen can start.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from insieme.catalog.i18n import LocalText
from insieme.core.throttle import Rate, SlidingWindow
from insieme.core.views_errors import too_many_requests
from insieme.privacy import export

EXPORTS = SlidingWindow("privacy-export")
DEFAULT_RATE = "10/hour"
EMPTY = "—"


def _rate() -> Rate:
    return Rate.parse(getattr(settings, "PRIVACY_EXPORT_RATE", DEFAULT_RATE))


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """A 429 page when the person downloaded too often lately, else None."""
    decision = EXPORTS.acquire(str(request.user.pk), _rate())
    return None if decision.allowed else too_many_requests(request, decision.retry_after)


def _private(response: HttpResponse) -> HttpResponse:
    # Everything about one person: no browser or proxy cache may keep it.
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export_json(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("privacy:my_data")
    refused = _refusal(request)
    if refused is not None:
        return refused
    now = timezone.now()
    gathered = export.sections(request.user)
    body = json.dumps(export.as_json(request.user, gathered, now), ensure_ascii=False, indent=2)
    export.record_export(request.user, "json", gathered)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"insieme-my-data-{timezone.localdate(now):%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


@login_required
@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("privacy:my_data")
    refused = _refusal(request)
    if refused is not None:
        return refused
    gathered = export.sections(request.user)
    export.record_export(request.user, "page", gathered)
    context = {
        "generated_at": timezone.now(),
        "complete": not any(s.failed for s in gathered),
        "sections": [page_section(s) for s in gathered],
    }
    return _private(render(request, "privacy/export.html", context))


# --- the readable page: each value as HTML, in the person's language ------------------------


@dataclass
class PageSection:
    """A section as the page shows it: `layout` is "fields" (one record, a definition list),
    "table" (records of plain values), "records" (records holding lists: one definition list
    each) or "empty"."""

    key: str
    title: Any
    note: Any
    failed: bool
    layout: str = "empty"
    columns: list[str] = field(default_factory=list)
    rows: list[list[SafeString]] = field(default_factory=list)
    fields: list[tuple[str, SafeString]] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)


def _plain(value: Any) -> bool:
    return not isinstance(value, dict | list | tuple)


def page_section(section: export.Section) -> PageSection:
    page = PageSection(section.key, section.title, section.note, section.failed)
    labels = section.labels
    if section.failed or not section.records:
        return page
    if section.single:
        page.layout, page.fields = "fields", _pairs(section.records, labels)
        return page
    keys = list(dict.fromkeys(k for record in section.records for k in record))
    if all(_plain(v) for record in section.records for v in record.values()):
        page.layout = "table"
        page.columns = [_label(k, labels) for k in keys]
        page.rows = [[html(record.get(k), labels) for k in keys] for record in section.records]
        return page
    page.layout = "records"
    page.records = [
        {"heading": _heading(record, n), "fields": _pairs(record, labels)}
        for n, record in enumerate(section.records, start=1)
    ]
    return page


def _label(key: str, labels: dict) -> str:
    # Keys a provider did not name are names already (a form's question, say).
    return capfirst(str(labels.get(key, key)))


def _pairs(record: dict, labels: dict) -> list[tuple[str, SafeString]]:
    return [(_label(k, labels), html(v, labels)) for k, v in record.items()]


def _heading(record: dict, number: int) -> SafeString:
    """A record's heading: its first value (a request's reference, an idea's title)."""
    first = next(iter(record.values()), None)
    if first in (None, "") or not _plain(first) or isinstance(first, bool):
        return format_html("{}", number)
    return html(first, {})


def _moment(value: dt.date | dt.datetime) -> SafeString:
    if isinstance(value, dt.datetime):
        shown = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    else:
        shown = formats.date_format(value, "DATE_FORMAT")
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)


def _text(value: str) -> SafeString:
    shown = linebreaksbr(value, autoescape=True)
    lang = getattr(value, "lang", "") if isinstance(value, LocalText) else ""
    # Texts people wrote carry their own language, whatever the page's (WCAG 3.1.2).
    return format_html('<span lang="{}">{}</span>', lang, shown) if lang else shown


def _list(items: list, labels: dict) -> SafeString:
    if all(_plain(v) for v in items):
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((html(v, labels),) for v in items))
        )
    return format_html(
        '<ul class="list-unstyled">{}</ul>',
        format_html_join("", '<li class="mb-2">{}</li>', ((html(v, labels),) for v in items)),
    )


def _definitions(record: dict, labels: dict) -> SafeString:
    return format_html(
        '<dl class="mb-0">{}</dl>',
        format_html_join("", "<dt>{}</dt><dd>{}</dd>", _pairs(record, labels)),
    )


def html(value: Any, labels: dict) -> SafeString:
    """`value` as the page shows it, escaped: dates localised, yes and no in words, lists and
    nested records as lists and definition lists, texts with their language."""
    if value is None or value == "" or value == [] or value == {}:
        return mark_safe(EMPTY)  # noqa: S308 - a constant
    if isinstance(value, bool):
        return format_html("{}", _("Yes") if value else _("No"))
    if isinstance(value, dt.date):
        return _moment(value)
    if isinstance(value, int | float):
        return format_html("{}", formats.localize(value))
    if isinstance(value, dict):
        return _definitions(value, labels)
    if isinstance(value, list | tuple):
        return _list(list(value), labels)
    if isinstance(value, str | Promise):
        return _text(value if isinstance(value, LocalText) else str(value))
    return format_html("{}", value)
