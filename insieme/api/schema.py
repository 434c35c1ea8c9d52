"""drf-spectacular's AutoSchema, taught the API's conventions so that the schema is exact:
the error shape on every error status, Retry-After on 429, and anonymous access on public reads."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from insieme.api.errors import NON_FIELD

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(help_text="Machine-readable, stable."),
                "message": serializers.CharField(help_text="For people, translated."),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    required=False,
                    help_text=f"Validation errors by request field ({NON_FIELD} for the whole "
                    "request, answers.<code> for a form question).",
                ),
            },
        )
    },
)

ERRORS_ALWAYS = ("400", "401", "403", "404", "429")
ERRORS_POST = ("409", "413", "415")


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ERRORS_ALWAYS + (ERRORS_POST if self.method == "POST" else ())
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        if "429" in responses:
            responses["429"]["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before the next request.",
                }
            }
        return responses

    def get_auth(self):
        auths = super().get_auth()
        if getattr(self.view, "public", False) and self.method == "GET" and {} not in auths:
            auths.append({})
        return auths
