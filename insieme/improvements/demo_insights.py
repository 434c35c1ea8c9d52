"""Demo seed of the improvement items opened from the insight pages (order 90, after the
topics 85, forecasts 86 and hotspots 87 have computed theirs): in each municipality, one item
from its largest persisting hotspot, one from its largest topic and one from its latest forecast
alert, where it has them, opened in the last weeks through insieme.improvements.actions (the
hotspot's is in progress), so that the backlog and D4 show every kind of insight.

Ground truth, section "improvements_from_insights": per municipality, the items opened and the
sources, to be added to the section "improvements" of the first seed (none is done yet).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from insieme.core.registry import DemoSeed
from insieme.forecasts.models import Alert
from insieme.hotspots.models import Hotspot
from insieme.improvements import actions
from insieme.improvements.demo import _moment, _owner
from insieme.improvements.models import MAX_DETAIL, MAX_TITLE, Source, Status
from insieme.topics.models import Topic

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext


def _hotspot(admin) -> tuple[str, str] | None:
    hotspot = (
        Hotspot.objects.filter(administration=admin, run__administration=admin)
        .order_by("-run__computed_at", "rank")
        .first()
    )
    if hotspot is None:
        return None
    place = hotspot.street or f"{hotspot.lat:.5f}, {hotspot.lon:.5f}"
    return (
        f"Intervenire sul punto critico di {place}",
        f"Punto critico: {hotspot.reports} segnalazioni entro {round(hotspot.radius_m)} m da "
        f"{place}, presenti in più periodi di quattro settimane"
        + (", in crescita." if hotspot.growing else "."),
    )


def _topic(admin) -> tuple[str, str] | None:
    topic = (
        Topic.objects.filter(run__administration=admin)
        .order_by("-run__computed_at", "number")
        .first()
    )
    if topic is None:
        return None
    return (
        f"Affrontare un tema ricorrente: {topic.label}",
        f"Tema ricorrente in {topic.size} testi: {topic.label}",
    )


def _alert(admin) -> tuple[str, str] | None:
    alert = Alert.objects.filter(administration=admin).select_related("service").first()
    if alert is None:
        return None
    return (
        f"Prepararsi alla domanda di {alert.service.name}",
        f"Settimana del {alert.week:%d/%m/%Y}: {alert.actual} richieste per {alert.service.name}, "
        f"contro le {alert.expected:.0f} previste (intervallo {alert.low:.0f}-{alert.high:.0f}).",
    )


PLANS = (
    (Source.HOTSPOT, _hotspot, 14, Status.IN_PROGRESS),
    (Source.TOPIC, _topic, 9, Status.OPEN),
    (Source.FORECAST, _alert, 4, Status.OPEN),
)


def run(ctx: DemoContext) -> None:
    section = {}
    for admin in ctx.municipalities:
        owner = _owner(ctx, admin)
        if owner is None:
            continue
        opened = []
        for source, insight, days_ago, status in PLANS:
            found = insight(admin)
            if found is None:
                continue
            title, detail = found
            item = actions.open_item(
                None,
                admin,
                title=title[:MAX_TITLE],
                source=source,
                source_detail=detail[:MAX_DETAIL],
                owner=owner,
                now=_moment(ctx.today, days_ago),
            )
            if status == Status.IN_PROGRESS:
                later = _moment(ctx.today, days_ago) + dt.timedelta(days=2)
                actions.set_status(None, item, Status.IN_PROGRESS, now=later)
            opened.append(str(source))
        section[admin.slug] = {
            "items": len(opened),
            "opened_last_90": len(opened),
            "sources": opened,
        }
    ctx.record("improvements_from_insights", section)


SEED = DemoSeed(key="improvements-insights", order=90, run=run, app="improvements")
