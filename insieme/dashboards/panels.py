"""The dashboard's panels: each a chart, the sentence that says what it shows, and the table of
the numbers behind it (the same rows the CSV holds).

A panel registers itself here (`register_panel`), so that a later panel, of this app or another,
adds itself without touching the page. `compute(filters)` runs a fixed number of grouped queries
(never one per case) and answers a PanelData.

The chart is a small description the page's script turns into an Apache ECharts option:
- {"kind": "line" | "bar", "categories": [...], "series": [{"name", "data"}], "unit": "%" | "",
  "stack": bool, "max": number | None}
- {"kind": "heatmap", "x": [...], "y": [...], "data": [[x, y, value], ...], "max": number}

A filter that cannot apply to a panel (a state of the catalogue has no channel; the staff's
workload now has no period) is named in the panel's `ignores`: its definition says so, and the
page says so beside the panel when that filter is chosen. The member filter applies everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import pgettext_lazy

from insieme.core.registry import Registry

panels = Registry("dashboard panels")

# The filters a panel may leave aside (`Panel.ignores`), as the note beside a panel names them.
FILTER_NAMES = {
    "period": pgettext_lazy("dashboard filter", "period"),
    "service": pgettext_lazy("dashboard filter", "service"),
    "area": pgettext_lazy("dashboard filter", "area"),
    "department": pgettext_lazy("dashboard filter", "department"),
    "channel": pgettext_lazy("dashboard filter", "channel"),
}


@dataclass
class PanelData:
    sentence: str
    columns: list[str]
    rows: list[list[Any]]  # raw values: numbers, dates, text; the first cell heads the row
    chart: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    title: Any  # str or lazy translation
    definition: Any  # what it counts and what it leaves out
    compute: Callable[[Any], PanelData]
    app: str = "dashboards"
    ignores: tuple[str, ...] = ()  # keys of FILTER_NAMES that do not apply to it


def register_panel(panel: Panel) -> Panel:
    return panels.register(panel.key, panel)


def ordered() -> list[Panel]:
    return sorted(panels, key=lambda p: (p.order, p.key))


def get(key: str) -> Panel | None:
    return panels.get(key) if key in panels else None


def register_builtin() -> None:
    from insieme.dashboards import (
        catalogue,
        costs,
        demand,
        participation,
        quality,
        satisfaction,
        service_levels,
        teams,
        times,
        use,
    )

    modules = (demand, use, service_levels, times, teams)
    modules += (costs, satisfaction, quality, catalogue, participation)
    for module in modules:
        for panel in module.PANELS:
            register_panel(panel)
