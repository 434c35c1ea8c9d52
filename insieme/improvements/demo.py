"""Demo seed of the improvement backlog (order 70, after the cases 30, participation 40,
results 50, co-design 55 and the other seeds whose data the indicators read): in each
municipality, five items opened from what the loaded demo's Scorecard shows, owned by a
supervisor. Two are closed as done (their indicator measured on the day they were opened and
on the day they were closed), one is in progress, one is still open and one is dropped with a
reason; the first is linked to the municipality's first co-design process, the second to its
first service change proposal, where it has them. Everything goes through
insieme.improvements.actions, dated in the past (`now=`).

Ground truth, section "improvements": per municipality, the items opened in the last 90 days,
those done with a measured effect, and the days each took to be done, so that a test can check
that the D4 indicators reproduce them.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from insieme.codesign.models import ServiceChange
from insieme.core.models import Membership
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed
from insieme.improvements import actions, measure
from insieme.improvements.models import Source, Status
from insieme.participation.models import Process

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

ROME = zoneinfo.ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class Plan:
    """One demo item: its insight, when it was opened, and how it ends (days ago)."""

    title: str  # demo data, in the administration's language; %(subject)s from the indicator
    source: str
    indicator_key: str
    detail: str
    opened_days_ago: int
    ends: str  # "done", "dropped", "in_progress", "open"
    closed_days_ago: int = 0
    link: str = ""  # "process", "service_change"


# Demo data, in the municipalities' language (Italian), as the other seeds write theirs.
PLANS = [
    Plan(**plan)
    for plan in [
        {
            "title": "Meno richieste di integrazione: %(subject)s",
            "source": Source.INDICATOR,
            "indicator_key": "cases-t4-info-requests",
            "detail": "La Scorecard mostra molte richieste di informazioni mancanti su questo servizio.",
            "opened_days_ago": 70,
            "ends": "done",
            "closed_days_ago": 10,
            "link": "process",
        },
        {
            "title": "Aggiungere al modulo ciò che chiediamo sempre: %(subject)s",
            "source": Source.MISSING_FIELD,
            "indicator_key": "cases-s4-missing-fields",
            "detail": "Gli operatori chiedono spesso un dato che il modulo non ha.",
            "opened_days_ago": 50,
            "ends": "done",
            "closed_days_ago": 5,
            "link": "service_change",
        },
        {
            "title": "Riequilibrare il carico della squadra",
            "source": Source.OVERLOAD,
            "indicator_key": "cases-i3-overload",
            "detail": "Alcune persone sono oltre la loro capacità.",
            "opened_days_ago": 40,
            "ends": "in_progress",
        },
        {
            "title": "Rispondere per iscritto a ogni segnalazione chiusa",
            "source": Source.INDICATOR,
            "indicator_key": "cases-t2-public-answers",
            "detail": "Troppe segnalazioni si chiudono senza una risposta pubblica.",
            "opened_days_ago": 20,
            "ends": "open",
        },
        {
            "title": "Sportello telefonico il sabato mattina",
            "source": Source.OTHER,
            "indicator_key": "",
            "detail": "Proposta emersa in una riunione di servizio.",
            "opened_days_ago": 30,
            "ends": "dropped",
            "closed_days_ago": 12,
        },
    ]
]

DROP_REASON = "Non ci sono persone disponibili il sabato: riproporre con il nuovo organico."
DAYS = 90


def _moment(today: dt.date, days_ago: int) -> dt.datetime:
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10, 30), ROME)


def _owner(ctx: DemoContext, admin):
    for role in (Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.ADMINISTRATOR):
        members = ctx.staff_of(admin.slug, role)
        if members:
            return members[0].user
    membership = Membership.objects.filter(administration=admin, is_active=True).first()
    return membership.user if membership else None


def _subject(key: str, admin, day: dt.date) -> str:
    """What the indicator's first row names (a service, usually): the insight's subject."""
    found = measure.indicator(key)
    if found is None:
        return ""
    rows = found.compute(measure.scope_of(admin, day)).rows
    return str(rows[0][0])[:100] if rows and rows[0] else ""


def _seed_administration(ctx: DemoContext, admin) -> dict | None:
    owner = _owner(ctx, admin)
    if owner is None:
        return None
    today = ctx.today
    process = Process.objects.filter(administration=admin).order_by("pk").first()
    change = ServiceChange.objects.filter(administration=admin).order_by("pk").first()
    truth = {"items": 0, "opened_last_90": 0, "done_with_effect": 0, "days_to_done": []}
    for plan in PLANS:
        opened = _moment(today, plan.opened_days_ago)
        subject = _subject(plan.indicator_key, admin, opened.date()) if "%(" in plan.title else ""
        title = plan.title % {"subject": subject} if "%(" in plan.title else plan.title
        item = actions.open_item(
            None,
            admin,
            title=title.rstrip(": "),
            source=plan.source,
            indicator_key=plan.indicator_key,
            source_detail=plan.detail,
            owner=owner,
            process=process if plan.link == "process" else None,
            service_change=change if plan.link == "service_change" else None,
            now=opened,
        )
        truth["items"] += 1
        truth["opened_last_90"] += int(plan.opened_days_ago < DAYS)
        closed = _moment(today, plan.closed_days_ago)
        if plan.ends == "in_progress":
            actions.set_status(None, item, Status.IN_PROGRESS, now=_moment(today, 35))
        elif plan.ends == "dropped":
            actions.drop_item(None, item, reason=DROP_REASON, now=closed)
        elif plan.ends == "done":
            actions.close_as_done(None, item, now=closed)
            truth["done_with_effect"] += int(item.has_effect)
            if plan.closed_days_ago < DAYS:
                truth["days_to_done"].append(plan.opened_days_ago - plan.closed_days_ago)
    days = truth["days_to_done"]
    truth["median_days_to_done"] = statistics.median(days) if days else None
    return truth


def run(ctx: DemoContext) -> None:
    section = {}
    for admin in ctx.municipalities:
        truth = _seed_administration(ctx, admin)
        if truth is not None:
            section[admin.slug] = truth
    ctx.record("improvements", section)


SEED = DemoSeed(key="improvements", order=70, run=run, app="improvements")
