"""The container's HEALTHCHECK (Containerfile): GET /healthz on this container's own port.

Standard library only, and no Django start-up, since it runs every 30 seconds. The request names
a host the site accepts (the first of ALLOWED_HOSTS) and says it came over HTTPS, as the TLS
proxy in front does, so that INSIEME_HTTPS's redirect does not answer in place of the page.
Exit status 0 when /healthz answers 200, 1 otherwise (with the reason on standard error).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def host_header() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    port = os.environ.get("PORT", "8000")
    headers = {"Host": host_header(), "X-Forwarded-Proto": "https"}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - loopback
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"healthcheck: /healthz did not answer: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthcheck: /healthz answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
