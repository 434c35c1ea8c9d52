"""JSON bodies only, and never larger than REST_FRAMEWORK["INSIEME_MAX_BODY_BYTES"] (413)."""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework import parsers

from insieme.api.exceptions import RequestTooLarge


def max_body_bytes() -> int:
    return int(settings.REST_FRAMEWORK.get("INSIEME_MAX_BODY_BYTES", 1_000_000))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge()
        # A body without a (truthful) length is read up to the limit and no further.
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge()
        return super().parse(io.BytesIO(data), media_type, parser_context)
