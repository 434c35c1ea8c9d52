"""Demo seed of the core app: administrations, departments, people, partners (filled below)."""

from insieme.core.registry import DemoSeed


def run(ctx) -> None:  # replaced by the demo generator work
    pass


SEED = DemoSeed(key="core", order=10, run=run, app="core")
