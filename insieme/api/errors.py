"""One JSON shape for every error the API answers:

    {"error": {"code": "validation_error", "message": "...", "fields": {"description": ["..."]}}}

`code` is machine-readable and stable; `message` is for people (translated); `fields` appears
on validation errors only, keyed by request field ("answers.<code>" for a form question,
"non_field_errors" for the request as a whole).
"""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from insieme.api.exceptions import Conflict, RequestTooLarge  # noqa: F401 (re-exported)

NON_FIELD = "non_field_errors"

CODES = {
    exceptions.ParseError: "parse_error",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "validation_error",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as {"a.b": ["message", ...]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), inner)
        else:
            items = value if isinstance(value, list) else [value]
            out.setdefault(prefix or NON_FIELD, []).extend(str(v) for v in items)

    walk("", detail)
    return out


def django_validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if key == "__all__" else key): list(messages)
            for key, messages in exc.message_dict.items()
        }
    return {NON_FIELD: list(exc.messages)}


def validation_response(fields: dict[str, list[str]]) -> Response:
    first = next(iter(fields.values()), [""])
    message = first[0] if len(fields) == 1 and first else _("The request has invalid fields.")
    return Response(
        error_body("validation_error", message, fields), status=status.HTTP_400_BAD_REQUEST
    )


def _code_of(exc: exceptions.APIException) -> str:
    for cls in type(exc).__mro__:
        if cls in CODES:
            return CODES[cls]
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else "error"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return validation_response(django_validation_fields(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(_("You do not have permission to do this."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = validation_response(fields).data
        return response
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        response["Retry-After"] = str(wait)
        message = _("Too many requests; try again in %(n)d seconds.") % {"n": wait}
    else:
        detail = exc.detail
        message = str(detail if not isinstance(detail, list | dict) else _flatten(detail))
    response.data = error_body(_code_of(exc), message)
    return response


def bad_request_response(request, status: int, message: str) -> JsonResponse:
    """A request refused before any view ran (see insieme.core.safe_input), in the API's shape."""
    return JsonResponse(error_body("bad_request", message), status=status)


@csrf_exempt  # it only ever answers 404; the CSRF page would be HTML
def not_found(request, *args, **kwargs):
    """Unknown URLs under /api/v1/ answer in the API's shape, not with the site's HTML page.

    This catch-all would hide Django's APPEND_SLASH redirect, so it redirects GETs itself."""
    if not request.path.endswith("/") and request.method in ("GET", "HEAD"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)
