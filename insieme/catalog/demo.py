from insieme.core.registry import DemoSeed


def run(ctx) -> None:
    pass


SEED = DemoSeed(key="catalog", order=20, run=run, app="catalog")
