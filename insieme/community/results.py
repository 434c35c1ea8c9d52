"""What the residents' survey found: per statement (each tied to one cell), the share who agree
(4 or 5 on the scale), per area and per round, shown only where at least
settings.COMMUNITY_MIN_RESPONSES people answered.

Small groups are folded, never shown, and never derivable by subtraction (`fold`): an area with
fewer than the threshold of people goes into "other areas"; if the areas so folded are still
fewer than the threshold together, the smallest areas shown are folded too, until "other areas"
reaches the threshold or nothing but the total is left. The same rule runs again on each
statement's row with the number of answers (some people answer "don't know"), so that no
statement's figure for a group can be had as the total minus the groups shown.

For the Scorecard (`community`), each administration of the scope contributes its latest round
that has opened and reached the threshold; the statements' totals shown on their own are
pooled (a total under the threshold stays out, so that a region minus one town reveals
nothing)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from insieme.community.areas import labelled
from insieme.community.models import Round, Tally, Turnout
from insieme.community.statements import AGREE, STATEMENTS
from insieme.core.csvsafe import neutralise
from insieme.core.figures import percent
from insieme.core.registry import Scope

COMMUNITY_MIN_RESPONSES = 5  # the default; settings.COMMUNITY_MIN_RESPONSES overrides it
OTHER = "other"
ALL = "all"


def threshold() -> int:
    return max(int(getattr(settings, "COMMUNITY_MIN_RESPONSES", COMMUNITY_MIN_RESPONSES)), 1)


@dataclass
class Count:
    answers: int = 0
    agree: int = 0
    total: int = 0  # the sum of scores

    def add(self, score: int, n: int) -> None:
        self.answers += n
        self.total += score * n
        self.agree += n if score in AGREE else 0

    def merge(self, other: Count) -> None:
        self.answers += other.answers
        self.agree += other.agree
        self.total += other.total

    def shown(self) -> dict | None:
        """The figures, or None under the threshold."""
        if self.answers < threshold():
            return None
        share = self.agree / self.answers
        return {
            "answers": self.answers,
            "agree": self.agree,
            "agree_share": share,
            "agree_display": percent(share, unit="%"),
            "mean": round(self.total / self.answers, 2),
        }


def fold(counts: dict[str, int], minimum: int) -> set[str]:
    """The groups not shown on their own: those with fewer than `minimum` (but some), and, while
    these are together fewer than `minimum`, the smallest of the rest. What is left out then
    adds up to nothing or to at least `minimum`, so the total minus the groups shown reveals no
    small group."""
    folded = {k for k, n in counts.items() if 0 < n < minimum}
    rest = sorted((n, k) for k, n in counts.items() if n >= minimum)
    while rest and 0 < sum(counts[k] for k in folded) < minimum:
        folded.add(rest.pop(0)[1])
    return folded


def _people(round_: Round) -> dict[str, int]:
    return dict(Turnout.objects.filter(round=round_).values_list("area", "people"))


def _counts(round_: Round) -> dict[tuple[str, str], Count]:
    """{(area, statement): Count} in one query."""
    found: dict[tuple[str, str], Count] = {}
    rows = Tally.objects.filter(round=round_, n__gt=0).values_list(
        "area", "statement", "score", "n"
    )
    for area, code, score, n in rows:
        found.setdefault((area, code), Count()).add(score, n)
    return found


def round_results(round_: Round) -> dict:
    """One round's figures: the groups shown (areas, "other areas", all areas) and, per
    statement, each group's figures or None where they are folded or too few."""
    minimum = threshold()
    people = _people(round_)
    total = sum(people.values())
    names = dict(labelled(round_))
    folded = fold(people, minimum)
    groups = [
        {"key": k, "label": names[k], "people": people.get(k, 0), "areas": [k]}
        for k in names
        if people.get(k, 0) >= minimum and k not in folded
    ]
    if groups and folded:  # folded together, they are at least the threshold (see fold)
        groups.append(
            {
                "key": OTHER,
                "label": _("Other areas"),
                "people": sum(people[k] for k in folded),
                "areas": sorted(folded, key=list(names).index),
            }
        )
    enough = total >= minimum
    counts = _counts(round_) if enough else {}
    rows = []
    for s in STATEMENTS:
        by_group: dict[str, Count] = {}
        for g in groups:
            c = by_group.setdefault(g["key"], Count())
            for k in g["areas"]:
                c.merge(counts.get((k, s.code), Count()))
        everyone = Count()
        for (_area, code), c in counts.items():
            if code == s.code:
                everyone.merge(c)
        hidden = fold({k: c.answers for k, c in by_group.items()}, minimum)
        rows.append(
            {
                "statement": s,
                "cells": [
                    None if g["key"] in hidden else by_group[g["key"]].shown() for g in groups
                ],
                "total": everyone.shown(),
                "count": everyone,
            }
        )
    return {
        "round": round_,
        "people": total,
        "enough": enough,
        "threshold": minimum,
        "groups": groups,
        "folded": [names[k] for k in names if k in folded],
        "silent": [names[k] for k in names if not people.get(k)],
        "rows": rows,
        "overall": _overall(rows, groups),
    }


def _overall(rows: list[dict], groups: list[dict]) -> dict:
    """Each group's and the total's share agreeing over all statements, pooling only the
    figures shown (pooling a hidden one would let the pool minus the rest reveal it)."""
    pooled = {g["key"]: Count() for g in groups} | {ALL: Count()}
    for row in rows:
        for g, cell in zip(groups, row["cells"], strict=True):
            if cell:
                pooled[g["key"]].merge(Count(cell["answers"], cell["agree"]))
        if row["total"]:
            pooled[ALL].merge(Count(row["total"]["answers"], row["total"]["agree"]))
    return {
        k: (percent(c.agree / c.answers, unit="%") if c.answers else None)
        for k, c in pooled.items()
    }


def sentence(found: dict) -> str:
    """The round's results in one plain sentence."""
    if not found["enough"]:
        return _("Fewer than %(n)s residents have answered, so no result is shown yet.") % {
            "n": found["threshold"]
        }
    shown = [r for r in found["rows"] if r["total"]]
    if not shown:
        return _(
            "%(people)s residents answered, but too few answered any one statement to show it."
        ) % {"people": found["people"]}
    best = max(shown, key=lambda r: r["total"]["agree_share"])
    worst = min(shown, key=lambda r: r["total"]["agree_share"])
    return _(
        "%(people)s residents answered. Most agreed that “%(best)s” (%(best_share)s); fewest "
        "that “%(worst)s” (%(worst_share)s)."
    ) % {
        "people": found["people"],
        "best": best["statement"].text,
        "best_share": best["total"]["agree_display"],
        "worst": worst["statement"].text,
        "worst_share": worst["total"]["agree_display"],
    }


def over_time(admin, limit: int = 8) -> dict:
    """The administration's latest rounds that have opened, oldest first: per statement the
    total share agreeing, and per area the share over all statements, in each round."""
    rounds = list(Round.objects.filter(administration=admin)[:limit])[::-1]
    found = [round_results(r) for r in rounds]
    statements = [
        {"statement": s, "cells": [f["rows"][i]["total"] for f in found]}
        for i, s in enumerate(STATEMENTS)
    ]
    area_names: dict[str, str] = {}
    for r in rounds:
        area_names.update(dict(labelled(r)))
    areas = []
    for key, name in area_names.items():
        cells = []
        for f in found:
            shown = {g["key"] for g in f["groups"]}
            folded = any(key in g["areas"] for g in f["groups"] if g["key"] == OTHER)
            cells.append(
                {"share": f["overall"].get(key) if key in shown else None, "folded": folded}
            )
        areas.append({"label": name, "cells": cells})
    areas.append(
        {
            "label": _("Other areas"),
            "cells": [{"share": f["overall"].get(OTHER), "folded": False} for f in found],
        }
    )
    areas.append(
        {
            "label": _("All areas"),
            "cells": [{"share": f["overall"].get(ALL), "folded": False} for f in found],
        }
    )
    return {"rounds": found, "statements": statements, "areas": areas}


CSV_COLUMNS = [
    "round_opens_on",
    "round_closes_on",
    "group",
    "areas",
    "people",
    "statement",
    "cell",
    "answers",
    "agree",
    "agree_share",
    "mean",
]


def csv_text(found: dict) -> str:
    """One round's shown figures as CSV: one line per group and statement shown, raw numbers,
    text formula-neutralised; folded and small groups are absent, as on the page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    round_ = found["round"]
    names = dict(labelled(round_))
    columns = [
        (g["label"], "; ".join(names[k] for k in g["areas"]), g["people"]) for g in found["groups"]
    ]
    for row in found["rows"]:
        cells = list(zip(columns, row["cells"], strict=True))
        if found["enough"]:
            cells.append(((_("All areas"), "", found["people"]), row["total"]))
        for (label, areas, people), figures in cells:
            if figures is None:
                continue
            writer.writerow(
                [
                    round_.opens_on.isoformat(),
                    round_.closes_on.isoformat(),
                    neutralise(str(label)),
                    neutralise(areas),
                    people,
                    row["statement"].code,
                    row["statement"].cell,
                    figures["answers"],
                    figures["agree"],
                    round(figures["agree_share"], 4),
                    figures["mean"],
                ]
            )
    return "\ufeff" + buffer.getvalue()


def rounds_for(scope: Scope) -> list[Round]:
    """Each administration's latest round that has opened and reached the threshold."""
    counted = (
        Round.objects.filter(
            administration_id__in=scope.administration_ids, opens_on__lte=scope.today
        )
        .select_related("administration")
        .annotate(people=Sum("turnouts__people"))
        .filter(people__gte=threshold())
        .order_by("administration_id", "-opens_on", "-id")
    )
    latest: dict[int, Round] = {}
    for r in counted:
        latest.setdefault(r.administration_id, r)
    return list(latest.values())


def community(scope: Scope) -> dict[str, dict | None]:
    """{cell: what residents say, or None} for the Scorecard, over the scope's latest rounds:
    the same shape as the staff survey's perceived value."""
    rounds = rounds_for(scope)
    pooled = {s.code: Count() for s in STATEMENTS}
    for r in rounds:
        for row in round_results(r)["rows"]:
            if row["total"]:
                pooled[row["statement"].code].merge(row["count"])
    people = sum(r.people for r in rounds)
    cells: dict[str, dict | None] = {}
    for s in STATEMENTS:
        figures = pooled[s.code].shown()
        cells[s.cell] = (
            None
            if figures is None
            else {
                **figures,
                "respondents": people,
                "rounds": [
                    {
                        "administration": r.administration.slug,
                        "opens_on": r.opens_on.isoformat(),
                        "closes_on": r.closes_on.isoformat(),
                    }
                    for r in rounds
                ],
                "statements": [{"code": s.code, "text": str(s.text), **figures}],
            }
        )
    return cells
