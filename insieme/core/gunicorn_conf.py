"""gunicorn's configuration under `insieme serve` (passed as --config python:insieme.core.gunicorn_conf).

- The access log masks API keys and link tokens (`?api_key=...`, `ins_...`) wherever they appear
  in a logged field (request line, query, referer, headers).
- No `Server` header: gunicorn names itself in every answer and has no setting to stop it (its
  maintainers suggested letting the application decide, but the header is written before the
  application's own), so the one method that writes its default headers is wrapped to leave that
  line out. tests/test_platform.py checks it against a real gunicorn, so an upgrade that changes
  this method fails there rather than silently bringing the banner back.
- Each access line ends with the request's id (the X-Request-ID the application answered with,
  insieme.ops.requestid); with INSIEME_LOG_FORMAT=json, access and error lines are JSON objects,
  as the application's own are (insieme.ops.logs).
- A worker that ends is marked dead for the metrics (prometheus_client's multiprocess mode, whose
  folder `insieme serve` sets: insieme.ops.multiproc), so its in-flight gauge stops counting.
"""

from __future__ import annotations

import os
import traceback

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

from insieme.core.logsafety import MASK, mask_secrets

logger_class = "insieme.core.gunicorn_conf.MaskingLogger"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)
JSON_LOGS = os.environ.get("INSIEME_LOG_FORMAT", "text").strip().lower() == "json"

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

    def setup(self, cfg):
        super().setup(cfg)
        if JSON_LOGS:
            from insieme.ops.logs import JsonFormatter

            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not JSON_LOGS:
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        # The atoms as they are (masked): the JSON encoder does the escaping.
        atoms = self.atoms(resp, req, environ, request_time)
        path = (atoms.get("U") or "") + (f"?{atoms['q']}" if atoms.get("q") else "")
        fields = {
            "remote_addr": atoms.get("h"),
            "method": atoms.get("m"),
            "path": path,
            "status": int(atoms["s"]) if str(atoms.get("s")).isdigit() else atoms.get("s"),
            "bytes": atoms.get("B"),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "referer": atoms.get("f"),
            "user_agent": atoms.get("a"),
            "request_id": atoms.get("{x-request-id}o"),
        }
        try:
            self.access_log.info("%s %s %s", fields["method"], path, fields["status"], extra=fields)
        except Exception:  # as gunicorn's own access(): a log line never breaks a response
            self.error(traceback.format_exc())
        return None


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


_gunicorn_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [h for h in _gunicorn_default_headers(self) if not h.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
