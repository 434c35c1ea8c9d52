"""Where webhooks may go: not into the server's own network, unless the operator allows it.

A subscription's URL names a host that Insieme's server will connect to, so whoever may manage
subscriptions could otherwise make the server POST to its own private network (a database's
admin port, a cloud metadata address): server-side request forgery. Two checks:

- when a URL is saved, a literal private, loopback, link-local or reserved address, or
  ``localhost``, is refused with a message (`private_host`);
- when a delivery connects, the address the host name resolved to is checked on the open socket,
  before anything is sent (`create_connection`): a public name that resolves, or starts to
  resolve, to an internal address is refused too, and the attempt's log says why.

``INSIEME_WEBHOOKS_ALLOW_PRIVATE=true`` (setting ``WEBHOOKS_ALLOW_PRIVATE``) lifts both, for a
receiver on the same machine or network (development, an internal integration).
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings


class BlockedAddress(OSError):
    """The receiver's address is inside a private network and such targets are not allowed."""


def allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def public_ip(address: str) -> bool:
    """The address is reachable on the public internet (not private, loopback, link-local,
    shared, reserved or multicast; an IPv4 address written as IPv6 is judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def private_host(host: str) -> bool:
    """`host` (a URL's host part) names this machine or a private network by itself: localhost,
    or a literal address that is not public. Names are not resolved here (see the module)."""
    host = (host or "").strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not public_ip(host)
    except ValueError:
        return False


def create_connection(address, *args, **kwargs) -> socket.socket:
    """socket.create_connection, then the peer's address checked before the socket is used."""
    sock = socket.create_connection(address, *args, **kwargs)
    if allowed():
        return sock
    try:
        peer = sock.getpeername()[0]
        if not public_ip(peer):
            raise BlockedAddress(
                f"refused to send to {peer}: a private or reserved address "
                "(INSIEME_WEBHOOKS_ALLOW_PRIVATE allows it)"
            )
    except BaseException:
        sock.close()
        raise
    return sock
