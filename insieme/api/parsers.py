"""JSON bodies only, and never larger than REST_FRAMEWORK["INSIEME_MAX_BODY_BYTES"] (413),
nested deeper than safe_input.MAX_JSON_DEPTH or holding a control character (400, naming where)."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from insieme.api.exceptions import RequestTooLarge
from insieme.core.safe_input import json_problem


def max_body_bytes() -> int:
    return int(settings.REST_FRAMEWORK.get("INSIEME_MAX_BODY_BYTES", 1_000_000))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge()
        # A body without a (truthful) length is read up to the limit and no further.
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge()
        try:
            parsed = super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError as exc:  # deeper than Python's own decoder goes
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from exc
        problem = json_problem(parsed)
        if problem is not None:
            path, message = problem
            if not path:
                raise exceptions.ParseError(message)
            raise exceptions.ValidationError({path: [message]})
        return parsed
