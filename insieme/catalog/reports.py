"""Read-side summaries of the catalogue used by the staff screens (and free for other readers).

Every function here reads only; none checks permissions, so callers pass querysets already scoped
by the access helpers. Functions that take many services expect them loaded with
`with_legal_basis` so that a list page costs a fixed number of queries, whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from insieme.catalog import i18n
from insieme.catalog.actions import ATTRIBUTE_FIELDS
from insieme.catalog.models import (
    PROBLEM_STATUSES,
    STATUS_SEVERITY,
    LegalStatus,
    Provision,
    Service,
    ServiceTemplate,
    Trace,
)
from insieme.core.models import CHANNELS

CHANNEL_LABELS = dict(CHANNELS)

# CSS class per legal status; the status is always written out in words next to it.
STATUS_CLASS = {
    LegalStatus.IN_FORCE: "bg-success",
    LegalStatus.NOT_YET: "bg-secondary",
    LegalStatus.REVIEW_OVERDUE: "bg-warning text-dark",
    LegalStatus.SUPERSEDED: "bg-danger",
    LegalStatus.EXPIRED: "bg-danger",
}


@dataclass(frozen=True)
class LegalState:
    """A legal status in words, with its badge class and the days overdue (0 when none)."""

    status: str
    label: str
    css: str
    days_overdue: int = 0

    @property
    def is_problem(self) -> bool:
        return self.status in PROBLEM_STATUSES


def legal_state(provision: Provision, today: date) -> LegalState:
    status = provision.status(today)
    return LegalState(
        status, str(LegalStatus(status).label), STATUS_CLASS[status], provision.days_overdue(today)
    )


def regulation_state(regulation, today: date) -> LegalState:
    status = regulation.status(today)
    return LegalState(
        status, str(LegalStatus(status).label), STATUS_CLASS[status], regulation.days_overdue(today)
    )


def worst_state(states: Iterable[LegalState]) -> LegalState | None:
    """The most severe state (expired > superseded > overdue > not yet > in force), ties broken
    by days overdue; None for no states."""
    states = list(states)
    if not states:
        return None
    return max(states, key=lambda s: (STATUS_SEVERITY[s.status], s.days_overdue))


def with_legal_basis(qs: QuerySet[Service]) -> QuerySet[Service]:
    """Services with what the list and report pages read about them, in a fixed query count."""
    return qs.select_related("template", "department").prefetch_related(
        "attributes",
        Prefetch("traces", queryset=Trace.objects.select_related("provision__regulation")),
    )


@dataclass
class ServiceRow:
    """One line of the staff service list."""

    service: Service
    questions: int
    traced: int
    legal: LegalState | None
    overridden: int

    @property
    def traced_percent(self) -> int | None:
        return round(100 * self.traced / self.questions) if self.questions else None


def traced_attribute_ids(service: Service) -> set[int]:
    """Ids of the service's form fields that have at least one trace (uses prefetched traces)."""
    return {t.attribute_id for t in service.traces.all() if t.attribute_id}


def service_row(service: Service, today: date) -> ServiceRow:
    """`questions` and `traced` count the questions citizens answer; information-only lines
    ask nothing and need no legal basis (the same rule as the S4 indicator)."""
    attributes = [a for a in service.attributes.all() if a.variable]
    traced = traced_attribute_ids(service)
    states = [legal_state(t.provision, today) for t in service.traces.all() if t.provision_id]
    return ServiceRow(
        service=service,
        questions=len(attributes),
        traced=sum(1 for a in attributes if a.pk in traced),
        legal=worst_state(states),
        overridden=len(service.overridden_fields or []) if service.template_id else 0,
    )


def service_rows(services: Iterable[Service], today: date) -> list[ServiceRow]:
    return [service_row(s, today) for s in services]


# --- legal basis report (T3) ---------------------------------------------------------------------


@dataclass
class BasisProblem:
    """One provision a service or a field rests on that is expired, superseded or overdue."""

    trace: Trace
    state: LegalState

    @property
    def field_label(self) -> str:
        attribute = self.trace.attribute
        return (
            f"{attribute.i18n.label} ({attribute.code})"
            if attribute
            else _("The service as a whole")
        )


@dataclass
class ServiceProblems:
    service: Service
    problems: list[BasisProblem] = field(default_factory=list)

    @property
    def worst(self) -> LegalState:
        return worst_state(p.state for p in self.problems)

    @property
    def max_days_overdue(self) -> int:
        return max(p.state.days_overdue for p in self.problems)


def legal_basis_problems(services: Iterable[Service], today: date) -> list[ServiceProblems]:
    """Services resting on a problem provision, most overdue first (expects with_legal_basis;
    the traces' attributes are read from the prefetched attributes)."""
    report = []
    for service in services:
        attributes = {a.pk: a for a in service.attributes.all()}
        entry = ServiceProblems(service)
        for trace in service.traces.all():
            if not trace.provision_id:
                continue
            state = legal_state(trace.provision, today)
            if state.is_problem:
                trace.attribute = attributes.get(trace.attribute_id)
                entry.problems.append(BasisProblem(trace, state))
        if entry.problems:
            entry.problems.sort(key=lambda p: -p.state.days_overdue)
            report.append(entry)
    report.sort(
        key=lambda e: (-STATUS_SEVERITY[e.worst.status], -e.max_days_overdue, e.service.name)
    )
    return report


# --- deviation from the template (T5) ------------------------------------------------------------


@dataclass(frozen=True)
class Deviation:
    """One overridden field in words: what the template says and what the service says."""

    label: str
    template_value: str
    service_value: str


def display_value(field_name: str, value) -> str:
    """A service field's value in words (channels and minutes by channel label)."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field_name == "channels":
        return ", ".join(str(CHANNEL_LABELS.get(c, c)) for c in value or []) or "—"
    if field_name == "staff_minutes":
        items = sorted((value or {}).items())
        return ", ".join(f"{CHANNEL_LABELS.get(c, c)}: {m}" for c, m in items) or "—"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value) if value not in (None, "") else "—"


def _choice_display(model_field, value) -> str:
    """A choice by its label; anything else (lists and mappings too) by display_value."""
    if model_field.choices and isinstance(value, str | int | bool):
        choices = dict(model_field.flatchoices)
        if value in choices:
            return str(choices[value])
    return display_value(model_field.name, value)


def describe_deviation(service: Service, template: ServiceTemplate | None) -> list[Deviation]:
    """service.overridden_fields in words (template and service values side by side)."""
    if template is None:
        return []
    t_attrs = {a.code: a for a in template.attributes.all()}
    s_attrs = {a.code: a for a in service.attributes.all()}
    rows = []
    for name in service.overridden_fields or []:
        if name.startswith("form:"):
            rows.append(_form_deviation(name[len("form:") :], t_attrs, s_attrs))
            continue
        model_field = Service._meta.get_field(name)
        rows.append(
            Deviation(
                str(capfirst(model_field.verbose_name)),
                _choice_display(model_field, getattr(template, name)),
                _choice_display(model_field, getattr(service, name)),
            )
        )
    return rows


def _form_deviation(code: str, t_attrs: dict, s_attrs: dict) -> Deviation:
    if code.startswith("+"):
        code = code[1:]
        label = s_attrs[code].label if code in s_attrs else code
        return Deviation(_("Question added: %(c)s") % {"c": code}, "—", label)
    if code.startswith("-"):
        code = code[1:]
        label = t_attrs[code].label if code in t_attrs else code
        return Deviation(_("Question removed: %(c)s") % {"c": code}, label, "—")
    t_attr, s_attr = t_attrs.get(code), s_attrs.get(code)
    if t_attr is None or s_attr is None:
        return Deviation(_("Question changed: %(c)s") % {"c": code}, "—", "—")
    names = [n for n in ATTRIBUTE_FIELDS if getattr(t_attr, n) != getattr(s_attr, n)]
    return Deviation(
        _("Question changed: %(c)s") % {"c": code},
        _attribute_summary(t_attr, names),
        _attribute_summary(s_attr, names),
    )


def _attribute_summary(attribute, names: list[str]) -> str:
    parts = []
    for name in names:
        model_field = attribute._meta.get_field(name)
        value = getattr(attribute, name)
        if name == "values":
            shown = ", ".join(str(v.get("name", v.get("key", ""))) for v in value or []) or "—"
        else:
            shown = _choice_display(model_field, value)
        parts.append(f"{capfirst(model_field.verbose_name)}: {shown}")
    return "; ".join(parts)


# --- translations missing ----------------------------------------------------------------------


@dataclass
class TranslationGap:
    """One template, service or question with texts not yet translated into a language."""

    kind: str  # "service", "template", "question"
    title: str  # what it is, in the active language (its source text where untranslated)
    owner: str  # the service or template a question belongs to ("" for those themselves)
    fields: list[str]  # the texts missing, in words
    url: str  # where to fill them in (the edit page, or the detail page for readers)


def _field_words(fields: list[str], model) -> list[str]:
    words = []
    for name in fields:
        if name == i18n.VALUES:
            words.append(_("names of the list values"))
        else:
            words.append(str(model._meta.get_field(name).verbose_name))
    return words


def missing_translations(
    admin, services, templates, can_edit_services: bool, can_edit_templates: bool
) -> dict[str, list[TranslationGap]]:
    """{language: gaps} over the administration's services and its own templates, each with
    its questions: what is written in one language but not yet in `language`. Services and
    templates come with their attributes prefetched."""
    from django.urls import reverse

    out: dict[str, list[TranslationGap]] = {}
    for language in i18n.languages():
        gaps: list[TranslationGap] = []
        for kind, rows, can_edit, edit, detail, q_edit in (
            (
                "service",
                services,
                can_edit_services,
                "catalog_service_edit",
                "catalog_service_detail",
                "catalog_attribute_edit",
            ),
            (
                "template",
                templates,
                can_edit_templates,
                "catalog_template_edit",
                "catalog_template_detail",
                "catalog_template_attribute_edit",
            ),
        ):
            for obj in rows:
                name = obj.i18n.name
                fields = i18n.missing(obj, i18n.SERVICE_TEXTS, language)
                if fields:
                    gaps.append(
                        TranslationGap(
                            kind,
                            name,
                            "",
                            _field_words(fields, type(obj)),
                            reverse(edit if can_edit else detail, args=[admin.slug, obj.pk]),
                        )
                    )
                for attribute in obj.attributes.all():
                    fields = i18n.missing(attribute, i18n.ATTRIBUTE_TEXTS, language)
                    if fields:
                        url = (
                            reverse(q_edit, args=[admin.slug, obj.pk, attribute.pk])
                            if can_edit
                            else reverse(detail, args=[admin.slug, obj.pk])
                        )
                        gaps.append(
                            TranslationGap(
                                "question",
                                attribute.i18n.label,
                                name,
                                _field_words(fields, type(attribute)),
                                url,
                            )
                        )
        out[language] = gaps
    return out
