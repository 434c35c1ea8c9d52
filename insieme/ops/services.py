"""Short, bounded conversations with the services the site uses, for /readyz and /metrics: each
opens its own connection with a timeout of about a second and closes it, so a service that hangs
makes a probe or a scrape slow by that much at most, never forever."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import redis

TIMEOUT = 1.0  # seconds, to connect and for each answer
REDIS_SCHEMES = ("redis", "rediss", "unix")
# Kombu's Redis transport keeps a queue's messages in one list per priority step:
# the queue's name for priority 0, `<name>\x06\x16<step>` for the others.
KOMBU_PRIORITY_SEP = "\x06\x16"
KOMBU_PRIORITY_STEPS = (3, 6, 9)


def is_redis(url: str) -> bool:
    return urlsplit(url).scheme in REDIS_SCHEMES


def redis_client(url: str, timeout: float = TIMEOUT) -> redis.Redis:
    """A client for a Redis URL as Django's cache or Celery's broker accept it: their own query
    options (`?visibility_timeout=...`), which redis-py refuses, are left out, `db` kept."""
    parts = urlsplit(url)
    db = parse_qs(parts.query).get("db")
    query = urlencode({"db": db[0]}) if db else ""
    clean = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return redis.Redis.from_url(
        clean, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
    )


def redis_ping(url: str, timeout: float = TIMEOUT) -> None:
    client = redis_client(url, timeout)
    try:
        client.ping()
    finally:
        client.close()


def redis_queue_length(url: str, queue: str, timeout: float = TIMEOUT) -> int:
    """Messages waiting in a Celery queue on a Redis broker (every priority step's list)."""
    names = [queue] + [f"{queue}{KOMBU_PRIORITY_SEP}{step}" for step in KOMBU_PRIORITY_STEPS]
    client = redis_client(url, timeout)
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.llen(name)
        return sum(int(n) for n in pipe.execute())
    finally:
        client.close()


def broker_ping(url: str, timeout: float = TIMEOUT) -> None:
    """Raises unless the broker answers: Redis through redis-py, anything else (RabbitMQ)
    through kombu, with one attempt."""
    if is_redis(url):
        redis_ping(url, timeout)
        return
    from kombu import Connection

    with Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
