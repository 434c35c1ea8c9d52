"""gunicorn's configuration under `insieme serve` (passed as --config python:insieme.core.gunicorn_conf).

- The access log masks API keys and link tokens (`?api_key=...`, `ins_...`) wherever they appear
  in a logged field (request line, query, referer, headers).
- No `Server` header: gunicorn names itself in every answer and has no setting to stop it (its
  maintainers suggested letting the application decide, but the header is written before the
  application's own), so the one method that writes its default headers is wrapped to leave that
  line out. tests/test_platform.py checks it against a real gunicorn, so an upgrade that changes
  this method fails there rather than silently bringing the banner back.
"""

from __future__ import annotations

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

from insieme.core.logsafety import MASK, mask_secrets

logger_class = "insieme.core.gunicorn_conf.MaskingLogger"

_CREDENTIAL_ATOMS = frozenset(
    {"{authorization}i", "{x-api-key}i", "{http_authorization}e", "{http_x_api_key}e"}
)


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if name in _CREDENTIAL_ATOMS:
                atoms[name] = MASK
            elif isinstance(value, str):
                atoms[name] = mask_secrets(value)
        return atoms


_gunicorn_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [h for h in _gunicorn_default_headers(self) if not h.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
