"""Every write of co-design: work items made from accepted ideas, and service change proposals
from their draft to their adoption.

Each action validates (ValidationError with field errors, nothing written), writes in one
transaction, appends its audit entry there (insieme.core.audit.record) and tells integrators on
commit. `actor` is the person acting, or None for the system itself (the listener on accepted
ideas, the demo). The catalogue changes only through insieme.catalog.actions (each step audited
there too); a case is made the way the cases' filing makes one (reference, SLA due dates, a first
timeline entry, the department's queue, automatic assignment), then handled by the cases' own
actions like any other.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from insieme.cases.handling.assignment import auto_assign
from insieme.cases.lifecycle import allocate_references, format_reference, sla_due_dates
from insieme.cases.models import Case, CaseEvent, Status
from insieme.catalog import actions as catalog
from insieme.catalog import i18n
from insieme.catalog.models import Attribute, Service, ServiceKind, Trace
from insieme.codesign import snapshots
from insieme.codesign.models import (
    CHANGE_TEXTS,
    IMPROVEMENT,
    MAX_RATIONALE,
    MAX_TITLE,
    ServiceChange,
    WorkItem,
)
from insieme.core import audit, events, notify
from insieme.core.access import require_perm
from insieme.core.models import Administration, Department, User
from insieme.core.permissions import Perm
from insieme.participation.actions import IDEA_DECIDED
from insieme.participation.models import Audience, Idea

INTERNAL_SERVICE_CODE = "improvements-from-participation"
ADOPTED_EVENT = "codesign.service_change_adopted"

# The life of a proposal: which status each may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    ServiceChange.Status.DRAFT: frozenset(
        {ServiceChange.Status.OPEN, ServiceChange.Status.WITHDRAWN}
    ),
    ServiceChange.Status.OPEN: frozenset(
        {ServiceChange.Status.ADOPTED, ServiceChange.Status.WITHDRAWN}
    ),
    ServiceChange.Status.ADOPTED: frozenset(),
    ServiceChange.Status.WITHDRAWN: frozenset(),
}


class Conflict(Exception):
    """The live service changed since the proposal's draft was made: adopting would overwrite
    someone else's change. The proposal must be started again from the service as it is."""


def _person(actor) -> bool:
    return isinstance(actor, User) and actor.is_authenticated


def _results():
    """The results app ("you said, we did"), when installed: co-design links its work items and
    adopted changes to the idea's result there."""
    try:
        from insieme.results import actions as results
    except ImportError:  # pragma: no cover - the results app is optional for co-design
        return None
    if not hasattr(results, "add_link") or not hasattr(results, "result_for_idea"):
        return None  # pragma: no cover
    return results


def idea_url(idea: Idea) -> str:
    process = idea.process
    return reverse("participation_idea", args=[process.administration.slug, process.slug, idea.pk])


def staff_case_url(case: Case) -> str:
    return reverse("staff_case", args=[case.administration.slug, case.reference])


# --- work items -------------------------------------------------------------------------------


def target_service(idea: Idea) -> Service | None:
    """The service the idea aims to change: among its process's services, the one the idea
    names (its name in any language, in the title or text), else the first."""
    services = list(idea.process.services.order_by("pk"))
    if not services:
        return None
    text = f"{idea.title} {idea.body}".casefold()
    for service in services:
        names = i18n.all_texts(service, ("name",))
        if any(name.casefold() in text for name in names if len(name) >= 4):
            return service
    return services[0]


def internal_service(admin: Administration) -> Service:
    """The administration's internal, unpublished service "Improvements from participation",
    made once (through the catalogue's actions) for work items no service of the process
    owns."""
    existing = Service.objects.filter(administration=admin, code=INTERNAL_SERVICE_CODE).first()
    if existing is not None:
        return existing
    department = Department.objects.filter(administration=admin).order_by("pk").first()
    with translation.override("it"):
        name_it = _("Improvements from participation")
        description_it = _(
            "Internal: work items made from ideas accepted in participation processes."
        )
    with translation.override("en"):
        name_en = _("Improvements from participation")
        description_en = _(
            "Internal: work items made from ideas accepted in participation processes."
        )
    return catalog.create_service(
        None,
        admin,
        code=INTERNAL_SERVICE_CODE,
        name=name_it,
        description=description_it,
        language="it",
        translations={"en": {"name": name_en, "description": description_en}},
        kind=ServiceKind.APPLICATION,
        located=False,
        channels=["web"],
        status=Service.Status.DRAFT,
        department=department,
    )


def create_work_item(actor, idea: Idea, *, now: dt.datetime | None = None) -> WorkItem:
    """The case an accepted idea becomes, once: a second call answers the first's work item.

    It goes to the department responsible for the service the idea aims to change (else the
    administration's first department), private, without a citizen to contact, due by that
    service's SLA, and is assigned automatically like a filed case. `actor`: the person
    (holding participation:idea:answer) or None for the system (the listener)."""
    process = idea.process
    admin = process.administration
    require_perm(actor, Perm.IDEA_ANSWER, admin.pk)
    existing = WorkItem.objects.filter(idea=idea).select_related("case").first()
    if existing is not None:
        return existing
    if idea.answer != Idea.Answer.ACCEPTED:
        raise ValidationError(_("Only an accepted idea becomes a work item."))
    service = target_service(idea) or internal_service(admin)
    department = service.department or (
        Department.objects.filter(administration=admin).order_by("pk").first()
    )
    now = now or timezone.now()
    ack_due, resolve_due = sla_due_dates(service, now)
    url = notify.absolute_url(idea_url(idea))
    with translation.override(admin.locale or "it"):
        description = _("Accepted idea #%(n)d of the process “%(p)s”.") % {
            "n": idea.pk,
            "p": i18n.text(process, "title"),
        }
    description = f"{description}\n\n{idea.title}\n\n{idea.body}\n\n{url}"[:4000]
    case = Case(
        administration=admin,
        service=service,
        kind=IMPROVEMENT,
        is_public=False,
        title=idea.title[:200],
        description=description,
        channel="web",
        language=idea.language[:8],
        submitted_at=now,
        updated_at=now,
        acknowledge_due_at=ack_due,
        resolve_due_at=resolve_due,
        department=department,
    )
    try:
        with transaction.atomic():
            number = allocate_references(admin.pk, now.year)
            case.reference = format_reference(now.year, number)
            case.full_clean(
                exclude=[
                    "service",
                    "administration",
                    "submitted_by",
                    "filed_by",
                    "duplicate_of",
                    "decision_provision",
                    "department",
                ]
            )
            case.save()
            # The case's first timeline entry, as filing writes it (staff only: no public face).
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.SUBMITTED,
                actor=actor if _person(actor) else None,
                is_public=False,
                to_status=Status.SUBMITTED,
                data={"channel": "web", "idea": idea.pk},
                created_at=now,
            )
            item = WorkItem.objects.create(idea=idea, case=case)
            audit.record(
                actor=actor,
                action="codesign.work_item.create",
                obj=item,
                after={
                    "idea": idea.pk,
                    "case": case.pk,
                    "reference": case.reference,
                    "service": service.code,
                    "department": department.pk if department else None,
                },
                administration=admin,
            )
            _link_work_item(idea, case)
    except IntegrityError:
        existing = WorkItem.objects.filter(idea=idea).select_related("case").first()
        if existing is None:
            raise
        return existing
    auto_assign(case)
    return item


def _link_work_item(idea: Idea, case: Case) -> None:
    results = _results()
    if results is None:
        return
    results.add_link(
        None,
        results.result_for_idea(None, idea),
        kind="work_item",
        key=f"case:{case.pk}",
        label=_("Work item %(ref)s") % {"ref": case.reference},
        url=staff_case_url(case),
        staff_only=True,
    )


def on_idea_answered(event: events.Event) -> None:
    """Listener (in the answer's transaction): an accepted idea becomes a work item, in a
    process of any audience (an employees' idea box included)."""
    if event.type != IDEA_DECIDED or event.data.get("answer") != Idea.Answer.ACCEPTED:
        return
    idea = (
        Idea.objects.select_related("process__administration")
        .filter(pk=event.data.get("idea"), process__administration_id=event.administration_id)
        .first()
    )
    if idea is not None and idea.answer == Idea.Answer.ACCEPTED:
        create_work_item(None, idea)


# --- service change proposals -------------------------------------------------------------------


def _check_texts(title: str, rationale: str, translations) -> tuple[str, str, dict]:
    errors: dict[str, list] = {}
    title = (title or "").strip()
    rationale = (rationale or "").replace("\r\n", "\n").strip()
    if not title:
        errors["title"] = [_("Give the proposal a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("Keep the title within %(n)d characters.") % {"n": MAX_TITLE}]
    if not rationale:
        errors["rationale"] = [_("Say why the service should change.")]
    elif len(rationale) > MAX_RATIONALE:
        errors["rationale"] = [
            _("Keep the explanation within %(n)d characters.") % {"n": MAX_RATIONALE}
        ]
    problems = i18n.validate(translations, CHANGE_TEXTS)
    if problems:
        errors["translations"] = problems
    if errors:
        raise ValidationError(errors)
    return title, rationale, i18n.clean_translations(translations or {})


def start_change(
    actor,
    service: Service,
    *,
    idea: Idea | None = None,
    title: str = "",
    rationale: str = "",
    translations: dict | None = None,
    language: str | None = None,
) -> ServiceChange:
    """A draft of `service` as it is now (base and proposed alike), from an accepted idea of the
    same administration or from the service alone."""
    admin = service.administration
    require_perm(actor, Perm.SERVICE_CHANGE_PROPOSE, admin.pk)
    if service.code == INTERNAL_SERVICE_CODE:
        raise ValidationError(
            {"service": _("The internal service of work items has no form to change.")}
        )
    if idea is not None:
        if idea.process.administration_id != admin.pk:
            raise ValidationError({"idea": _("The idea belongs to another administration.")})
        if idea.answer != Idea.Answer.ACCEPTED:
            raise ValidationError({"idea": _("Only an accepted idea leads to a service change.")})
        title = title or idea.title[:MAX_TITLE]
        rationale = rationale or idea.body
        language = language or idea.language
    title, rationale, translations = _check_texts(title, rationale, translations)
    snapshot = snapshots.of_service(service)
    change = ServiceChange(
        administration=admin,
        service=service,
        idea=idea,
        process=idea.process if idea is not None else None,
        title=title,
        rationale=rationale,
        language=language if language in i18n.languages() else admin.locale or "it",
        translations=translations,
        base=snapshot,
        proposed=snapshot,
        created_by=actor if _person(actor) else None,
    )
    with transaction.atomic():
        change.save()
        audit.record(
            actor=actor,
            action="codesign.change.create",
            obj=change,
            after=audit.snapshot(
                change, fields=["service", "idea", "process", "title", "status", "base"]
            ),
            administration=admin,
        )
    return change


def _require_editable(actor, change: ServiceChange) -> None:
    require_perm(actor, Perm.SERVICE_CHANGE_PROPOSE, change.administration_id)
    if not change.is_editable:
        raise ValidationError(
            _("This proposal is %(status)s: it can no longer be changed.")
            % {"status": change.get_status_display().lower()}
        )


def update_texts(
    actor, change: ServiceChange, *, title: str, rationale: str, translations: dict | None = None
) -> ServiceChange:
    _require_editable(actor, change)
    title, rationale, translations = _check_texts(title, rationale, translations)
    before = audit.snapshot(change, fields=["title", "rationale", "translations"])
    change.title, change.rationale, change.translations = title, rationale, translations
    with transaction.atomic():
        old, new = audit.changes(
            before, audit.snapshot(change, fields=["title", "rationale", "translations"])
        )
        if not new:
            return change
        change.save(update_fields=["title", "rationale", "translations", "updated_at"])
        audit.record(
            actor=actor,
            action="codesign.change.update",
            obj=change,
            before=old,
            after=new,
            administration=change.administration,
        )
    return change


def set_proposed(actor, change: ServiceChange, proposed: dict) -> ServiceChange:
    """Replace the proposed snapshot, if the catalogue would take it for the service."""
    _require_editable(actor, change)
    snapshots.validate(proposed, change.service)
    proposed = snapshots.normalise(proposed)
    before = snapshots.normalise(change.proposed)
    if proposed == before:
        return change
    old, new = audit.changes(before, proposed)
    with transaction.atomic():
        change.proposed = proposed
        change.save(update_fields=["proposed", "updated_at"])
        audit.record(
            actor=actor,
            action="codesign.change.propose",
            obj=change,
            before=old,
            after=new,
            administration=change.administration,
        )
    return change


# The edits of the staff screen, each a new proposed snapshot passed to set_proposed.


def save_field(actor, change: ServiceChange, row: dict, *, code: str | None = None):
    """Add a question (`code` None) or change the question `code`; traces follow a new code."""
    proposed = snapshots.normalise(change.proposed)
    row = {k: row.get(k) for k in (*snapshots.FIELD_KEYS, "translations")}
    if code is None:
        if row.get("order") is None:
            row["order"] = max([f["order"] or 0 for f in proposed["fields"]] + [0]) + 10
        proposed["fields"].append(row)
    else:
        index = _field_index(proposed, code)
        proposed["fields"][index] = row
        for trace in proposed["traces"]:
            if trace["field"] == code:
                trace["field"] = str(row.get("code") or "")
    return set_proposed(actor, change, proposed)


def _field_index(proposed: dict, code: str) -> int:
    for index, row in enumerate(proposed["fields"]):
        if row["code"] == code:
            return index
    raise ValidationError({"fields": _("The proposal has no field %(c)s.") % {"c": code}})


def remove_field(actor, change: ServiceChange, code: str) -> ServiceChange:
    proposed = snapshots.normalise(change.proposed)
    del proposed["fields"][_field_index(proposed, code)]
    proposed["traces"] = [t for t in proposed["traces"] if t["field"] != code]
    return set_proposed(actor, change, proposed)


def move_field(actor, change: ServiceChange, code: str, direction: str) -> ServiceChange:
    """Swap the question's position with its neighbour's (`direction` "up" or "down")."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Move a field up or down.")})
    proposed = snapshots.normalise(change.proposed)
    fields = proposed["fields"]
    index = _field_index(proposed, code)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(fields):
        return change
    fields[index]["order"], fields[other]["order"] = fields[other]["order"], fields[index]["order"]
    return set_proposed(actor, change, proposed)


def set_terms(actor, change: ServiceChange, *, channels: list[str], sla: dict) -> ServiceChange:
    proposed = snapshots.normalise(change.proposed)
    proposed["channels"] = list(channels)
    proposed["sla"] = dict(sla)
    return set_proposed(actor, change, proposed)


def add_trace(
    actor, change: ServiceChange, *, field: str = "", provision=None, policy_need: str = ""
) -> ServiceChange:
    """Trace the service (`field` empty: its legal basis) or a field of the proposal."""
    proposed = snapshots.normalise(change.proposed)
    row = {
        "provision": getattr(provision, "pk", provision),
        "policy_need": (policy_need or "").strip(),
    }
    if field:
        proposed["traces"].append({"field": field, **row})
    else:
        proposed["legal_basis"].append(row)
    return set_proposed(actor, change, proposed)


def remove_trace(actor, change: ServiceChange, *, part: str, index: int) -> ServiceChange:
    proposed = snapshots.normalise(change.proposed)
    if part not in ("legal_basis", "traces") or not 0 <= index < len(proposed[part]):
        raise ValidationError({"trace": _("There is no such trace in the proposal.")})
    del proposed[part][index]
    return set_proposed(actor, change, proposed)


def _move(actor, change: ServiceChange, to_status: str, perm: Perm, action: str, **stamps):
    require_perm(actor, perm, change.administration_id)
    if to_status not in TRANSITIONS[change.status]:
        raise ValidationError(
            _("A proposal that is %(from)s cannot become %(to)s.")
            % {
                "from": change.get_status_display().lower(),
                "to": str(ServiceChange.Status(to_status).label).lower(),
            }
        )
    before = change.status
    with transaction.atomic():
        updated = ServiceChange.objects.filter(pk=change.pk, status=before).update(
            status=to_status, updated_at=timezone.now(), **stamps
        )
        if not updated:
            raise ValidationError(_("The proposal changed meanwhile: load the page again."))
        change.status = to_status
        for key, value in stamps.items():
            setattr(change, key, value)
        audit.record(
            actor=actor,
            action=action,
            obj=change,
            before={"status": before},
            after={"status": to_status, **audit.snapshot(change, fields=list(stamps))},
            administration=change.administration,
        )
    return change


def open_for_comments(actor, change: ServiceChange) -> ServiceChange:
    """The draft becomes public (where its process is) so that participants can comment."""
    if not snapshots.has_differences(snapshots.differences(change.base, change.proposed)):
        raise ValidationError(_("The proposal changes nothing yet: change the draft first."))
    return _move(
        actor,
        change,
        ServiceChange.Status.OPEN,
        Perm.SERVICE_CHANGE_PROPOSE,
        "codesign.change.open",
        opened_at=timezone.now(),
    )


def withdraw(actor, change: ServiceChange) -> ServiceChange:
    return _move(
        actor,
        change,
        ServiceChange.Status.WITHDRAWN,
        Perm.SERVICE_CHANGE_PROPOSE,
        "codesign.change.withdraw",
    )


def adopt(actor, change: ServiceChange) -> ServiceChange:
    """Apply the proposed snapshot to the live service through the catalogue's actions, in one
    transaction with the adoption's record: Conflict (and nothing written) when the service is
    no longer what the draft was made from."""
    require_perm(actor, Perm.SERVICE_CHANGE_ADOPT, change.administration_id)
    if ServiceChange.Status.ADOPTED not in TRANSITIONS[change.status]:
        raise ValidationError(
            _("Only a proposal open for comments can be adopted; this one is %(status)s.")
            % {"status": change.get_status_display().lower()}
        )
    proposed = snapshots.normalise(change.proposed)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=change.service_id)
        if snapshots.of_service(service) != snapshots.normalise(change.base):
            raise Conflict
        snapshots.validate(proposed, service)
        _apply(actor, service, proposed)
        now = timezone.now()
        _move(
            actor,
            change,
            ServiceChange.Status.ADOPTED,
            Perm.SERVICE_CHANGE_ADOPT,
            "codesign.change.adopt",
            adopted_at=now,
            adopted_by=actor if _person(actor) else None,
        )
        _publish_adoption(change, service)
        _link_adoption(change)
    return change


def _apply(actor, service: Service, proposed: dict) -> None:
    """Make the live service equal `proposed`, one audited catalogue action per step."""
    staff_minutes = {
        c: m for c, m in (service.staff_minutes or {}).items() if c in proposed["channels"]
    }
    catalog.update_service(
        actor,
        service,
        channels=proposed["channels"],
        sla_acknowledge_days=proposed["sla"]["acknowledge_days"],
        sla_resolve_days=proposed["sla"]["resolve_days"],
        sla_day_type=proposed["sla"]["day_type"],
        staff_minutes=staff_minutes,
    )
    wanted = {r["code"]: r for r in proposed["fields"]}
    live = {a.code: a for a in Attribute.objects.filter(service=service)}
    wanted_traces = {snapshots._trace_key(r) for r in proposed["traces"]} | {
        snapshots._trace_key({**r, "field": ""}) for r in proposed["legal_basis"]
    }
    # 1. traces the proposal drops (also those of fields it removes), then those fields
    for trace in Trace.objects.filter(service=service).select_related("attribute"):
        key = (
            trace.attribute.code if trace.attribute_id else "",
            trace.provision_id or 0,
            trace.policy_need,
        )
        if key not in wanted_traces or (trace.attribute_id and trace.attribute.code not in wanted):
            catalog.remove_trace(actor, trace)
    for code, attribute in list(live.items()):
        if code not in wanted:
            catalog.delete_attribute(actor, attribute)
            del live[code]
    # 2. kept fields that move first step aside (positions are unique at every step)
    top = max([a.order for a in live.values()] + [r["order"] for r in wanted.values()] + [0])
    for offset, (code, attribute) in enumerate(sorted(live.items()), start=1):
        if attribute.order != wanted[code]["order"]:
            catalog.save_attribute(actor, service, attribute, order=top + offset)
    # 3. kept fields take their proposed values, new fields are added
    for code, row in wanted.items():
        fields = {k: row[k] for k in (*snapshots.FIELD_KEYS, "translations")}
        if code in live:
            catalog.save_attribute(actor, service, live[code], **fields)
        else:
            live[code] = catalog.save_attribute(actor, service, None, **fields)
    # 4. traces the proposal adds
    have = {
        (t.attribute.code if t.attribute_id else "", t.provision_id or 0, t.policy_need)
        for t in Trace.objects.filter(service=service).select_related("attribute")
    }
    provisions = snapshots.provisions_by_id(proposed)
    for part in ("legal_basis", "traces"):
        for row in proposed[part]:
            code = row.get("field", "") if part == "traces" else ""
            if snapshots._trace_key({**row, "field": code}) in have:
                continue
            catalog.add_trace(
                actor,
                service,
                attribute=live[code] if code else None,
                provision=provisions.get(row["provision"]) if row["provision"] else None,
                policy_need=row["policy_need"],
            )


def public_path(change: ServiceChange) -> str:
    return reverse("codesign:change", args=[change.administration.slug, change.pk])


def _publish_adoption(change: ServiceChange, service: Service) -> None:
    process = change.process
    public_process = (
        process is not None and process.is_published and process.audience == Audience.PUBLIC
    )
    events.publish_on_commit(
        ADOPTED_EVENT,
        change.administration_id,
        {
            "change": change.pk,
            "title": change.title,
            "service_code": service.code,
            "adopted_at": change.adopted_at.isoformat(),
            "process": process.slug if public_process else None,
            "idea": change.idea_id if public_process else None,
            "url": notify.absolute_url(public_path(change)) if public_process else None,
        },
    )


def _link_adoption(change: ServiceChange) -> None:
    results = _results()
    if results is None or change.idea is None:
        return
    result = results.result_for_idea(None, change.idea)
    results.add_link(
        None,
        result,
        kind="service_change",
        key=f"service_change:{change.pk}",
        label=_("Service change adopted: %(title)s") % {"title": change.title},
        url=public_path(change),
        staff_only=False,
    )
    if hasattr(results, "set_progress"):
        _set_progress(results, result, change)


def _set_progress(results, result, change: ServiceChange) -> None:
    """A note on the idea's result; a result of its own (without parts) is at least half way
    once the service changed (the rest is the work item's, or the manager's call)."""
    note = _("The service “%(service)s” changed on %(date)s through co-design.") % {
        "service": change.service.name,
        "date": change.adopted_at.date().isoformat(),
    }
    progress = result.progress if result.children.exists() else max(result.progress, 50)
    results.set_progress(None, result, progress=progress, note=note)
