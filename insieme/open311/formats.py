"""Open311 responses in both formats, chosen by the path suffix.

JSON: `application/json`, lists as top-level arrays. XML: `text/xml; charset=utf-8`, built with
ElementTree (which escapes text), one element per field in the spec's order, `true`/`false` for
booleans, an empty element for a missing value, and a list as repeated child elements.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils.translation import gettext as _

JSON, XML = "json", "xml"
CONTENT_TYPES = {JSON: "application/json", XML: "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# The element a list's items are written as, by the list's own name.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "errors": "error",
}

# Characters XML 1.0 cannot carry at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_format(fmt: str) -> bool:
    return fmt in CONTENT_TYPES


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _XML_INVALID.sub("", str(value))


def _append(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ET.Element, tag: str, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(tag, "item")
        for child in value:
            _append(element, item_tag, child)
    else:
        element.text = _text(value)


def xml_bytes(root: str, payload) -> bytes:
    element = ET.Element(root)
    _fill(element, root, payload)
    return XML_DECLARATION + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def json_bytes(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def render(fmt: str, payload, *, root: str, status: int = 200) -> HttpResponse:
    """`payload` as JSON, or as XML under `root` (a list's items named by ITEM_TAGS[root])."""
    body = xml_bytes(root, payload) if fmt == XML else json_bytes(payload)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by web apps of any origin
    return response


def error_response(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The spec's error list; an unknown format answers in JSON."""
    if not is_format(fmt):
        fmt = JSON
    if not descriptions:
        descriptions = [_("The request could not be processed.")]
    payload = [{"code": status, "description": str(d)} for d in descriptions]
    return render(fmt, payload, root="errors", status=status)


def bad_request_response(request, status: int, message: str) -> HttpResponse:
    """A request refused before any view ran (see insieme.core.safe_input), in the format its
    path suffix names (JSON when it names none)."""
    suffix = request.path.rsplit(".", 1)[-1].lower() if "." in request.path else JSON
    return error_response(suffix, status, [message])
