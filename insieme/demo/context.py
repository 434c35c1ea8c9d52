"""The object every demo seed receives: the random source, the requested size, what earlier seeds
created, and the place to record ground truth and things to print."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Every write of the demo is audited under this label (no person performed it).
DEMO_ACTOR = "insieme demo"


@dataclass
class DemoContext:
    """Shared state of one `insieme demo` run; seeds read what earlier seeds put here.

    Keys are stable so later seeds can rely on them: `administrations` by slug (plus the aliases
    "national" and "region"), `departments[slug][logical code]` (e.g. "lavori-pubblici" resolves to
    the village's "Area Tecnica"), `staff[slug][role]` as lists of memberships, `services[slug]`.
    """

    seed: int
    rng: random.Random
    requests: int
    today: date
    password: str
    actor: str = DEMO_ACTOR
    administrations: dict[str, Any] = field(default_factory=dict)
    municipalities: list[Any] = field(default_factory=list)
    population: dict[str, int] = field(default_factory=dict)
    departments: dict[str, dict[str, Any]] = field(default_factory=dict)
    staff: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    citizens: list[Any] = field(default_factory=list)
    partners: list[Any] = field(default_factory=list)
    templates: dict[str, Any] = field(default_factory=dict)
    provisions: dict[str, Any] = field(default_factory=dict)
    services: dict[str, list[Any]] = field(default_factory=dict)
    api_key: str = ""
    ground_truth: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def record(self, section: str, value: Any) -> None:
        """Put `value` under `section` of the ground truth (a section is written once)."""
        if section in self.ground_truth:
            raise ValueError(f"ground truth section {section!r} recorded twice")
        self.ground_truth[section] = value

    def say(self, line: str) -> None:
        """A line for the summary the command prints at the end."""
        self.messages.append(line)

    def staff_of(self, slug: str, role: str) -> list[Any]:
        """Memberships of one role in one administration (empty list when none)."""
        return self.staff.get(slug, {}).get(role, [])


def make_context(seed: int, requests: int, today: date, password: str) -> DemoContext:
    """A fresh context whose random source depends on the seed only."""
    return DemoContext(
        seed=seed, rng=random.Random(seed), requests=requests, today=today, password=password
    )
