"""Demo seed of co-design (order 55, after participation and results): every accepted idea of
the demo becomes a work item in its department's queue (participation's demo writes its answers
in bulk, so no event made them), and in the first municipality with a linked report service, one
service change co-designed from an accepted idea and adopted (a field added to the report form, a
channel added) and one open for comments. Everything goes through insieme.codesign.actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from insieme.cases.models import Case
from insieme.catalog import actions as catalog
from insieme.catalog.models import Service, ServiceKind
from insieme.codesign import actions, snapshots
from insieme.codesign.models import IMPROVEMENT, ServiceChange, WorkItem
from insieme.core.models import CHANNEL_KEYS, Membership
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed
from insieme.participation.models import Audience, Idea

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

ADOPTED = {
    "title": "Segnalare se il pericolo riguarda i pedoni",
    "rationale": (
        "Chi ha proposto l'idea chiede di poter dire se il problema mette in pericolo chi va a "
        "piedi, e di segnalarlo anche dall'app: così le squadre danno la precedenza ai casi più "
        "urgenti."
    ),
    "en": {
        "title": "Say whether pedestrians are at risk",
        "rationale": (
            "The idea asks that people can say whether the problem puts pedestrians at risk, "
            "and report it from the app too, so that the crews handle the urgent cases first."
        ),
    },
}
FIELD = {
    "code": "pedestrians",
    "datatype": "singlevaluelist",
    "label": "Il problema è un pericolo per i pedoni?",
    "help_text": "Per esempio su un marciapiede o un attraversamento.",
    "required": False,
    "variable": True,
    "values": [{"key": "yes", "name": "Sì"}, {"key": "no", "name": "No"}],
    "translations": {
        "en": {
            "label": "Does the problem put pedestrians at risk?",
            "help_text": "For example on a pavement or a crossing.",
            "values": {"yes": "Yes", "no": "No"},
        }
    },
}
OPEN = {
    "title": "Risposte più rapide e una foto del luogo",
    "rationale": (
        "Nel processo è emerso che una settimana di attesa è troppa: proponiamo di risolvere "
        "entro dieci giorni e di chiedere quando è stato notato il problema."
    ),
    "en": {
        "title": "Faster answers and when it was seen",
        "rationale": (
            "The process found a week's wait too long: we propose resolving within ten days "
            "and asking when the problem was noticed."
        ),
    },
}
WHEN_FIELD = {
    "code": "noticed",
    "datatype": "datetime",
    "label": "Quando hai notato il problema?",
    "help_text": "",
    "required": False,
    "variable": True,
    "values": [],
    "translations": {"en": {"label": "When did you notice the problem?"}},
}


def _manager(ctx: DemoContext, slug: str):
    members = ctx.staff_of(slug, Role.SERVICE_MANAGER)
    return members[0].user if members else None


def _candidates(admins):
    """Accepted ideas of public processes linked to a report service, by administration."""
    ideas = (
        Idea.objects.filter(
            answer=Idea.Answer.ACCEPTED,
            state=Idea.State.OPEN,
            process__administration__in=admins,
            process__audience=Audience.PUBLIC,
            process__is_published=True,
        )
        .select_related("process__administration")
        .order_by("process__administration_id", "pk")
    )
    for idea in ideas:
        service = actions.target_service(idea)
        if (
            service is not None
            and service.kind == ServiceKind.REPORT
            and service.status == Service.Status.PUBLISHED
        ):
            yield idea, service


def _internal_services(admins) -> list[Service]:
    """Each administration's internal service of work items, with the officers and supervisors
    of its department skilled for it (as a service manager would set them up), so that the work
    items are assigned like any case."""
    made = []
    for admin in admins:
        service = actions.internal_service(admin)
        if not service.skilled.exists() and service.department_id:
            members = Membership.objects.filter(
                administration=admin,
                department_id=service.department_id,
                is_active=True,
                role__in=[Role.OFFICER, Role.SUPERVISOR],
            ).order_by("pk")
            if members:
                catalog.set_skilled(None, service, list(members))
        made.append(service)
    return made


def _work_items(admins) -> int:
    made = 0
    ideas = Idea.objects.filter(
        answer=Idea.Answer.ACCEPTED, state=Idea.State.OPEN, process__administration__in=admins
    ).select_related("process__administration")
    for idea in ideas.order_by("pk"):
        if not WorkItem.objects.filter(idea=idea).exists():
            actions.create_work_item(None, idea)
            made += 1
    return made


def _channel_to_add(service: Service) -> str | None:
    for channel in ("app", "phone", "email", "counter", "web"):
        if channel in CHANNEL_KEYS and channel not in service.channels:
            return channel
    return None


def _adopted_change(manager, idea: Idea, service: Service) -> ServiceChange:
    change = actions.start_change(
        manager,
        service,
        idea=idea,
        title=ADOPTED["title"],
        rationale=ADOPTED["rationale"],
        translations={"en": ADOPTED["en"]},
        language="it",
    )
    actions.save_field(manager, change, dict(FIELD))
    channel = _channel_to_add(service)
    if channel:
        proposed = snapshots.normalise(change.proposed)
        actions.set_terms(
            manager, change, channels=[*proposed["channels"], channel], sla=proposed["sla"]
        )
    actions.open_for_comments(manager, change)
    return actions.adopt(manager, change)


def _open_change(manager, idea: Idea, service: Service) -> ServiceChange:
    service.refresh_from_db()
    change = actions.start_change(
        manager,
        service,
        idea=idea,
        title=OPEN["title"],
        rationale=OPEN["rationale"],
        translations={"en": OPEN["en"]},
        language="it",
    )
    proposed = snapshots.normalise(change.proposed)
    sla = dict(proposed["sla"])
    sla["resolve_days"] = max(min(10, sla["resolve_days"] - 1), sla["acknowledge_days"], 1)
    actions.set_terms(manager, change, channels=proposed["channels"], sla=sla)
    actions.save_field(manager, change, dict(WHEN_FIELD))
    return actions.open_for_comments(manager, change)


def run(ctx: DemoContext) -> None:
    region = ctx.administrations.get("region")
    if region is None:
        return
    admins = [region, *ctx.municipalities]
    internal = _internal_services(admins)
    counts: dict = {"work_items": _work_items(admins), "adopted": 0, "open": 0}
    fields_added: dict[str, int] = {}
    overrides_added: dict[str, int] = {}
    candidates = list(_candidates(ctx.municipalities or admins))
    if candidates:
        idea, service = candidates[0]
        manager = _manager(ctx, idea.process.administration.slug)
        before = service.attributes.count(), len(service.overridden_fields or [])
        _adopted_change(manager, idea, service)
        counts["adopted"] = 1
        service.refresh_from_db()
        slug = service.administration.slug
        fields_added[slug] = service.attributes.count() - before[0]
        overrides_added[slug] = len(service.overridden_fields or []) - before[1]
        others = [
            c
            for c in candidates[1:]
            if c[0].process.administration_id == idea.process.administration_id
        ]
        second_idea, second_service = others[0] if others else (idea, service)
        _open_change(manager, second_idea, second_service)
        counts["open"] = 1
        ctx.say(
            f"Co-design: a service change adopted in {idea.process.administration.name} "
            f"(service {service.code}, from idea #{idea.pk})"
        )
    # Ground truth: what this seed changed of the catalogue and the queues after the catalogue's
    # and the cases' own truth was recorded (their tests add it).
    work_cases = Case.objects.filter(kind=IMPROVEMENT, administration__in=admins).select_related(
        "administration", "assignee"
    )
    counts["internal_services"] = [[s.administration.slug, s.code] for s in internal]
    counts["fields_added"] = fields_added
    counts["overridden_fields_added"] = overrides_added
    counts["work_item_cases"] = [
        [c.administration.slug, c.reference, c.assignee.email if c.assignee else None, c.status]
        for c in work_cases.order_by("administration_id", "reference")
    ]
    ctx.record("codesign", counts)


SEED = DemoSeed("codesign", 55, run, app="codesign")
