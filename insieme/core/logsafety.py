"""Keep API keys and link tokens out of logs and error reports.

Open311 clients may send `api_key` in the query string or the body. `mask_secrets` hides such
values, and anything shaped like an Insieme API key, in a line of text; the gunicorn access log
(insieme.core.gunicorn_conf) and Django's error reports (the classes below, named in settings)
pass through it. Django already hides headers and settings named like keys; it does not hide
query parameters, form fields or local variables, hence these.
"""

from __future__ import annotations

import re

from django.views.debug import ExceptionReporter as DjangoExceptionReporter
from django.views.debug import SafeExceptionReporterFilter

MASK = "[masked]"
SECRET_NAMES = r"api[_-]?key|apikey|access_token|token"  # noqa: S105 - names, not a secret
# name=value in a query string or form body, raw or percent-encoded (api_key%3D...).
_PARAM = re.compile(rf"((?:{SECRET_NAMES})(?:=|%3[dD]))[^&\s\"'<>]*", re.IGNORECASE)
# An API key wherever it appears (insieme.core.actions.API_KEY_PREFIX + 43 characters).
_KEY = re.compile(r"\bins_[A-Za-z0-9_-]{8,}")
_SECRET_FIELD = re.compile(rf"^(?:{SECRET_NAMES})$", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    if not text:
        return text
    return _KEY.sub("ins_" + MASK, _PARAM.sub(r"\1" + MASK, text))


def is_secret_field(name: str) -> bool:
    return bool(_SECRET_FIELD.match(name or ""))


class ReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus form fields and the query string that carry keys or tokens."""

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        secret = [k for k in params if is_secret_field(k)]
        if not secret:
            return params
        params = params.copy()
        for name in secret:
            params[name] = self.cleansed_substitute
        return params

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {k: mask_secrets(v) if isinstance(v, str) else v for k, v in meta.items()}


class ExceptionReporter(DjangoExceptionReporter):
    """Error reports (the page with DEBUG on, the e-mail to ADMINS) with secrets masked in the
    URL, the query parameters and anywhere else they appear (local variables, reprs)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = [
                (k, MASK if is_secret_field(k) else v) for k, v in self.request.GET.items()
            ]
            data["request_insecure_uri"] = mask_secrets(data.get("request_insecure_uri", ""))
        return data

    def get_traceback_html(self):
        return mask_secrets(str(super().get_traceback_html()))

    def get_traceback_text(self):
        return mask_secrets(str(super().get_traceback_text()))
