"""Demo seed of open data (order 90, after the cases, participation and catalogue seeds): each
municipality publishes every dataset the apps offer; the reports of potholes, street lighting
and green areas publish their text after redaction, abandoned waste after a moderator's
approval, and noise reports (often about a neighbour) move their places at random within the
grid square. Then every dataset is generated once, as `insieme opendata publish` does.

At scale (more than 50,000 requests) generation is left to `insieme opendata publish` and the
nightly job: the benchmark times it on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insieme.catalog.models import Service
from insieme.core.registry import DemoSeed, datasets
from insieme.opendata import actions, publish
from insieme.opendata.models import DatasetSetting, ServiceTextPolicy

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

REDACTED = ("buche-stradali", "illuminazione", "verde-pubblico")
REVIEWED = ("abbandono-rifiuti",)
SENSITIVE = ("rumore",)
GENERATE_UP_TO = 50_000


def run(ctx: DemoContext) -> None:
    for admin in ctx.municipalities:
        for service in Service.objects.filter(administration=admin):
            text = ServiceTextPolicy.Text.WITHHELD
            if service.code in REDACTED:
                text = ServiceTextPolicy.Text.REDACTED
            elif service.code in REVIEWED:
                text = ServiceTextPolicy.Text.REVIEWED
            if text != ServiceTextPolicy.Text.WITHHELD or service.code in SENSITIVE:
                actions.set_text_policy(
                    None, service, text=text, sensitive_places=service.code in SENSITIVE
                )
        for dataset in datasets:
            actions.change_state(None, admin, dataset.key, DatasetSetting.State.PUBLISHED)
    if ctx.requests > GENERATE_UP_TO:
        ctx.say("Open data: datasets published; run `insieme opendata publish` to generate them.")
        return
    made = [publish.publish(admin, ds.key) for admin in ctx.municipalities for ds in datasets]
    ctx.say(
        f"Open data: {len(made)} datasets generated for {len(ctx.municipalities)} "
        f"municipalities ({sum(p.rows for p in made)} rows); catalogue at /opendata/"
    )


SEED = DemoSeed(key="opendata", order=90, run=run, app="opendata")
