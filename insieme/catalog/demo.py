"""Demo seed of the catalogue (order 20): the regulation register (national, regional and
municipal, with some provisions overdue for review, one expired and one superseded), the region's
shared service templates, and about thirty municipal services, mostly built on those templates,
with local deviations, responsible departments, skilled staff and traces to their legal basis.

Everything is written through `insieme.catalog.actions`; the data lives in `demo_data`. Also
records ground truth: which service comes from which template, which provisions are out of date,
and the inputs the catalogue's Scorecard indicators should find.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insieme.catalog import actions, i18n
from insieme.catalog.demo_data import (
    LOCAL,
    NATIONAL,
    PLANS,
    REGIONAL,
    SCRATCH,
    TEMPLATES,
    Question,
    RegSpec,
    ServicePlan,
    ServiceSpec,
)
from insieme.catalog.demo_english import ENGLISH
from insieme.catalog.models import LegalStatus, Provision, Service, ServiceTemplate
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

STALE = {LegalStatus.EXPIRED, LegalStatus.SUPERSEDED, LegalStatus.REVIEW_OVERDUE}


# --- regulations -----------------------------------------------------------------------------


def _create_register(ctx: DemoContext, slug: str, specs: list[RegSpec], prefix: str) -> None:
    """Create one administration's regulations; provisions land in ctx.provisions[prefix+key]."""
    admin = ctx.administrations[slug]
    created: dict[str, Any] = {}
    for spec in sorted(specs, key=lambda s: s.superseded_by is not None):
        reg = actions.create_regulation(
            ctx.actor,
            admin,
            kind=spec.kind,
            reference=spec.reference,
            title=spec.title,
            issuer=spec.issuer,
            url=spec.url,
            in_force_from=spec.in_force_from,
            review_due=spec.review_due,
            superseded_by=created.get(spec.superseded_by) if spec.superseded_by else None,
        )
        created[spec.key] = reg
        for prov in spec.provisions:
            ctx.provisions[f"{prefix}{spec.key}:{prov.article}"] = actions.create_provision(
                ctx.actor,
                reg,
                article=prov.article,
                title=prov.title,
                in_force_until=prov.in_force_until,
                review_due=prov.review_due,
            )


def create_regulations(ctx: DemoContext) -> None:
    """National, regional and each municipality's own register."""
    _create_register(ctx, "national", NATIONAL, "")
    _create_register(ctx, "region", REGIONAL, "")
    for slug, specs in LOCAL.items():
        _create_register(ctx, slug, specs, f"{slug}/")


def resolve(ctx: DemoContext, slug: str, key: str) -> Provision | None:
    """A provision key as seen from municipality `slug` (None when it has no such rule)."""
    if key.startswith("local:"):
        key = f"{slug}/{key.removeprefix('local:')}"
    return ctx.provisions.get(key)


# --- templates -------------------------------------------------------------------------------


def _rows(questions: tuple[Question, ...]) -> list[dict]:
    """Form rows for the actions, ordered 10, 20, 30…"""
    return [_row(q, (i + 1) * 10) for i, q in enumerate(questions)]


def _row(q: Question, order: int) -> dict:
    row = {
        "code": q.code,
        "datatype": q.datatype,
        "label": q.label,
        "help_text": q.help_text,
        "required": q.required,
        "order": order,
        "values": [{"key": k, "name": n} for k, n in q.values],
    }
    return row | {"translations": _row_english(row)}


# The demo's texts are Italian; each has its English in demo_english (both languages, item 9).


def _row_english(row: dict) -> dict:
    english = {f: ENGLISH[row[f]] for f in i18n.ATTRIBUTE_TEXTS if row.get(f)}
    if row.get("values"):
        english[i18n.VALUES] = {v["key"]: ENGLISH[v["name"]] for v in row["values"]}
    return {"en": english}


def _service_english(texts: dict) -> dict:
    return {"en": {f: ENGLISH[texts[f]] for f in i18n.SERVICE_TEXTS if texts.get(f)}}


def _common_fields(spec: ServiceSpec) -> dict:
    return {
        "language": "it",
        "translations": _service_english({f: getattr(spec, f) for f in i18n.SERVICE_TEXTS}),
        "code": spec.code,
        "name": spec.name,
        "description": spec.description,
        "group": spec.group,
        "keywords": spec.keywords,
        "kind": spec.kind,
        "located": spec.located,
        "channels": list(spec.channels),
        "anonymous_allowed": spec.anonymous,
        "sla_acknowledge_days": spec.ack,
        "sla_resolve_days": spec.resolve,
        "sla_day_type": spec.day_type,
        "staff_minutes": dict(spec.staff_minutes),
        "citizen_minutes": spec.citizen_minutes,
        "hourly_cost": spec.hourly_cost,
        "service_type": spec.service_type,
    }


def create_templates(ctx: DemoContext) -> None:
    """The region's shared templates."""
    for spec in TEMPLATES:
        ctx.templates[spec.code] = actions.create_template(
            ctx.actor,
            ctx.administrations["region"],
            attributes=_rows(spec.questions),
            shared=True,
            **_common_fields(spec),
        )


# --- services ----------------------------------------------------------------------------------


def _template_form(plan: ServicePlan, template: ServiceTemplate) -> list[dict] | None:
    """The template's form with the plan's local changes, or None to copy it unchanged."""
    if not (plan.add or plan.drop or plan.change):
        return None
    rows = [
        {f: getattr(a, f) for f in actions.ATTRIBUTE_FIELDS}
        | {"template_attribute": a, "translations": a.translations}
        | plan.change.get(a.code, {})
        for a in template.attributes.all()
        if a.code not in plan.drop
    ]
    for row in rows:  # a local change of a text changes its English too
        row["translations"] = _row_english(row)
    last = max((r["order"] for r in rows), default=0)
    rows += [_row(q, last + (i + 1) * 10) for i, q in enumerate(plan.add)]
    return rows


def _from_template(ctx: DemoContext, slug: str, plan: ServicePlan) -> tuple[Service, ServiceSpec]:
    spec = next(t for t in TEMPLATES if t.code == plan.template)
    template = ctx.templates[plan.template]
    texts = {f: plan.fields.get(f, getattr(template, f)) for f in i18n.SERVICE_TEXTS}
    service = actions.create_service(
        ctx.actor,
        ctx.administrations[slug],
        template=template,
        attributes=_template_form(plan, template),
        department=ctx.departments[slug][spec.department],
        translations=_service_english(texts),
        **plan.fields,
    )
    return service, spec


def _from_scratch(ctx: DemoContext, slug: str, spec: ServiceSpec) -> Service:
    return actions.create_service(
        ctx.actor,
        ctx.administrations[slug],
        attributes=_rows(spec.questions),
        department=ctx.departments[slug][spec.department],
        status=spec.status,
        **_common_fields(spec),
    )


def _trace(
    ctx: DemoContext, slug: str, service: Service, key: str | None, attribute=None
) -> Provision | None:
    """Trace the service or a field to a provision or policy need; untraced when unresolvable."""
    if not key:
        return None
    if key.startswith("need:"):
        actions.add_trace(
            ctx.actor, service, attribute=attribute, policy_need=key.removeprefix("need:")
        )
        return None
    provision = resolve(ctx, slug, key)
    if provision is not None:
        actions.add_trace(ctx.actor, service, attribute=attribute, provision=provision)
    return provision


def trace_service(
    ctx: DemoContext,
    slug: str,
    service: Service,
    basis: tuple[str, ...],
    questions: dict[str, Question],
) -> list[Provision]:
    """All traces of one service; returns the provisions it rests on."""
    used = [_trace(ctx, slug, service, key) for key in basis]
    for attribute in service.attributes.all():
        question = questions.get(attribute.code)
        used.append(_trace(ctx, slug, service, question.trace if question else None, attribute))
    return [p for p in used if p is not None]


def assign_skills(ctx: DemoContext, slug: str, service: Service) -> None:
    """Officers and supervisors of the responsible department, sometimes one colleague more."""
    staff = ctx.staff_of(slug, Role.OFFICER) + ctx.staff_of(slug, Role.SUPERVISOR)
    chosen = [m for m in staff if m.department_id == service.department_id]
    others = [m for m in ctx.staff_of(slug, Role.OFFICER) if m not in chosen]
    if others and (not chosen or ctx.rng.random() < 0.3):
        chosen.append(ctx.rng.choice(others))
    actions.set_skilled(ctx.actor, service, chosen)


def create_services(ctx: DemoContext) -> list[dict]:
    """Every municipality's services; returns one ground-truth row per service."""
    truth = []
    for admin in ctx.municipalities:
        slug = admin.slug
        ctx.services[slug] = []
        built: list[tuple[Service, ServiceSpec, tuple[str, ...], dict[str, Question]]] = []
        for plan in PLANS.get(slug, []):
            service, spec = _from_template(ctx, slug, plan)
            questions = {q.code: q for q in spec.questions} | {q.code: q for q in plan.add}
            built.append((service, spec, plan.basis or spec.basis, questions))
        for spec in SCRATCH.get(slug, []):
            service = _from_scratch(ctx, slug, spec)
            built.append((service, spec, spec.basis, {q.code: q for q in spec.questions}))
        for service, _spec, basis, questions in built:
            provisions = trace_service(ctx, slug, service, basis, questions)
            assign_skills(ctx, slug, service)
            ctx.services[slug].append(service)
            truth.append(_service_truth(ctx, slug, service, provisions))
    return truth


# --- ground truth ------------------------------------------------------------------------------


def _service_truth(
    ctx: DemoContext, slug: str, service: Service, provisions: list[Provision]
) -> dict:
    stale = sorted({p.reference for p in provisions if p.status(ctx.today) in STALE})
    fields = list(service.attributes.all())
    traced = set(
        service.traces.filter(attribute__isnull=False).values_list("attribute__code", flat=True)
    )
    return {
        "administration": slug,
        "code": service.code,
        "name": service.name,
        "status": service.status,
        "template": service.template.code if service.template else None,
        "overridden_fields": list(service.overridden_fields),
        "stale_provisions": stale,
        "fields": len(fields),
        "untraced_fields": sorted(a.code for a in fields if a.code not in traced),
    }


def _provision_truth(ctx: DemoContext) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {s: [] for s in sorted(STALE)}
    for key, prov in sorted(ctx.provisions.items()):
        status = prov.status(ctx.today)
        if status in STALE:
            out[status].append(
                {
                    "key": key,
                    "reference": prov.reference,
                    "administration": prov.regulation.administration.slug,
                    "days_overdue": prov.days_overdue(ctx.today),
                }
            )
    return out


def _indicator_inputs(services: list[dict]) -> dict[str, dict]:
    """What the T3, T5 and S4 indicators should find, per municipality and over the region."""
    scopes: dict[str, list[dict]] = {"all": [s for s in services if s["status"] == "published"]}
    for s in scopes["all"]:
        scopes.setdefault(s["administration"], []).append(s)
    result = {}
    for name, rows in scopes.items():
        templated = [s for s in rows if s["template"]]
        result[name] = {
            "published_services": len(rows),
            "services_on_stale_provisions": sum(1 for s in rows if s["stale_provisions"]),
            "services_on_templates": len(templated),
            "overridden_fields_total": sum(len(s["overridden_fields"]) for s in templated),
            "form_fields": sum(s["fields"] for s in rows),
            "untraced_fields": sum(len(s["untraced_fields"]) for s in rows),
        }
    return result


def run(ctx: DemoContext) -> None:
    """Create the register, the templates and the services, then record the ground truth."""
    create_regulations(ctx)
    create_templates(ctx)
    services = create_services(ctx)
    ctx.record(
        "catalog",
        {
            "as_of": ctx.today.isoformat(),
            "templates": {code: t.name for code, t in ctx.templates.items()},
            "services": services,
            "provisions": _provision_truth(ctx),
            "indicator_inputs": _indicator_inputs(services),
        },
    )


SEED = DemoSeed(key="catalog", order=20, run=run, app="catalog")
