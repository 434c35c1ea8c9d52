"""The report as PDF, rendered by WeasyPrint (a maintained HTML-to-PDF library that follows
print CSS, so the PDF and the printed page come from the same template and stylesheet). It
fetches nothing: the stylesheet is passed in, and any other URL in the page is refused."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders

STYLESHEET = "reports/report.css"


class NothingFetched(ValueError):
    pass


def _refuse(url: str, *args, **kwargs):
    raise NothingFetched(f"the report fetches nothing: {url[:80]}")


def render(html: str) -> bytes:
    from weasyprint import CSS, HTML

    css = Path(finders.find(STYLESHEET)).read_text(encoding="utf-8")
    document = HTML(string=html, url_fetcher=_refuse)
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=_refuse)])
