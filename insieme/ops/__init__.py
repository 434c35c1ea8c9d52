"""Production operations: health and readiness, metrics, structured logs, start-up checks, and
the behaviour of the site when a service it uses (PostgreSQL, Redis, the broker) is away."""
