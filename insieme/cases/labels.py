"""What an information request names (CaseEvent.field_code), in words, for staff and citizens.

A request names one of the form's questions by its code, a document (``document`` or
``document:<name>``), or something the form does not ask (``other:<name>``) — the last kind feeds
the S4 indicator of fields staff need and the form lacks.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

DOCUMENT = "document"
OTHER = "other"


def lacks_a_field(code: str) -> bool:
    """Whether a request asked for something the form has no question for: a document or an
    ``other:`` need (what the S4 indicator counts)."""
    kind = (code or "").partition(":")[0]
    return kind in (DOCUMENT, OTHER)


def asked_label(code: str, labels: dict[str, str]) -> str:
    """What an information request named, in words; `labels` maps question codes to labels."""
    if not code:
        return ""
    if code in labels:
        return labels[code]
    kind, _sep, name = code.partition(":")
    if kind == DOCUMENT:
        return _("A document: %(name)s") % {"name": name} if name else _("A document")
    if kind == OTHER:
        return _("Not asked by the form: %(name)s") % {"name": name}
    return code
