"""The state of the catalogue now: services resting on out-of-date rules (cell T3) and how far
services deviate from the templates they were built on (cell T5), with the Scorecard's
definitions (insieme.catalog.indicators) over the published services the filters select
(Filters.services).

Both describe the catalogue as it is today, not the period: the period, area and channel
filters do not apply; the service filter keeps one service, the department filter the services
that department owns.

A provision's legal state (expired, superseded, overdue for review) and its days overdue are the
catalogue's own (`Provision.status`, `Provision.days_overdue`, the dates falling back to the
regulation's), computed on the traces of the selected services: one query for the traces, not
one per service.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from insieme.catalog.indicators import STALE_STATUSES
from insieme.catalog.models import LegalStatus, Service, Trace
from insieme.core.figures import figure
from insieme.dashboards.common import pct_text, ratio, share
from insieme.dashboards.panels import Panel, PanelData

NOW_ONLY = ("period", "area", "channel")


def _stale(filters) -> dict[int, list[tuple[str, str, int]]]:
    """{service id: [(provision reference, status, days overdue), ...] most overdue first} of the
    selected services' traces to out-of-date provisions (one query)."""
    today = filters.scope.today
    found: dict[int, dict[str, tuple[str, str, int]]] = {}
    traces = Trace.objects.filter(
        service__in=filters.services(), provision__isnull=False
    ).select_related("provision__regulation")
    for trace in traces:
        provision = trace.provision
        status = provision.status(today)
        if status in STALE_STATUSES:
            found.setdefault(trace.service_id, {})[provision.reference] = (
                provision.reference,
                str(LegalStatus(status).label),
                provision.days_overdue(today),
            )
    return {sid: sorted(v.values(), key=lambda r: (-r[2], r[0])) for sid, v in found.items()}


def regulations(filters) -> PanelData:
    """Two queries: the selected published services, and their traces to provisions."""
    services = list(filters.services().values_list("id", "name", "administration__name"))
    stale = _stale(filters)
    rows = []
    for sid, name, admin_name in services:
        if sid in stale:
            worst = stale[sid][0]
            rows.append(
                [name, admin_name, worst[0], worst[1], worst[2], len(stale[sid])]
                + ["; ".join(r[0] for r in stale[sid][1:])]
            )
    rows.sort(key=lambda r: (-r[4], r[1], r[0]))
    if rows:
        worst = rows[0]
        sentence = ngettext(
            "%(n)s of the %(d)s published services (%(p)s) rests on out-of-date rules. The "
            "longest overdue is %(service)s: %(provision)s (%(status)s, %(days)s days overdue).",
            "%(n)s of the %(d)s published services (%(p)s) rest on out-of-date rules. The "
            "longest overdue is %(service)s: %(provision)s (%(status)s, %(days)s days overdue).",
            len(rows),
        ) % {
            "n": len(rows),
            "d": len(services),
            "p": pct_text(share(len(rows), len(services))),
            "service": worst[0],
            "provision": worst[2],
            "status": worst[3].lower(),
            "days": worst[4],
        }
    elif services:
        sentence = ngettext(
            "The one published service rests on no out-of-date rule.",
            "None of the %(d)s published services rests on an out-of-date rule.",
            len(services),
        ) % {"d": len(services)}
    else:
        sentence = _("No published service here.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Service"),
            _("Administration"),
            _("Most overdue provision"),
            _("Status"),
            _("Days overdue"),
            _("Out-of-date provisions"),
            _("The others"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in rows],
            "series": [{"name": _("Days overdue"), "data": [r[4] for r in rows]}],
            "unit": "",
        },
    )


def change_label(name: str) -> str:
    """A name in `Service.overridden_fields` in words: a field's name, or a question added,
    removed or changed (by its code)."""
    if name.startswith("form:+"):
        return _("question added: %(c)s") % {"c": name[6:]}
    if name.startswith("form:-"):
        return _("question removed: %(c)s") % {"c": name[6:]}
    if name.startswith("form:"):
        return _("question changed: %(c)s") % {"c": name[5:]}
    try:
        return str(capfirst(Service._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:  # a field since removed from the model: its name as stored
        return name


def templates(filters) -> PanelData:
    """One query: the selected published services with their template and their changes."""
    services = list(
        filters.services().values_list(
            "name", "administration__name", "template__name", "overridden_fields"
        )
    )
    templated = [s for s in services if s[2]]
    rows = sorted(
        (
            [name, admin_name, template, len(changed or [])]
            + [", ".join(change_label(c) for c in changed or [])]
            for name, admin_name, template, changed in templated
        ),
        key=lambda r: (-r[3], r[1], r[0]),
    )
    scratch = [
        [name, admin_name, _("(built from scratch)"), None, ""]
        for name, admin_name, template, _changed in services
        if not template
    ]
    rows += sorted(scratch, key=lambda r: (r[1], r[0]))
    changes = sum(len(s[3] or []) for s in templated)
    if templated:
        often = Counter(c for s in templated for c in s[3] or [])
        sentence = ngettext(
            "%(n)s of the %(d)s published services (%(p)s) is built on a shared template; it "
            "changes %(m)s of the template's fields and questions (%(c)s changes).",
            "%(n)s of the %(d)s published services (%(p)s) are built on shared templates; they "
            "change %(m)s of the template's fields and questions each on average (%(c)s changes).",
            len(templated),
        ) % {
            "n": len(templated),
            "d": len(services),
            "p": pct_text(share(len(templated), len(services))),
            "m": figure(ratio(changes, len(templated)), 1),
            "c": changes,
        }
        if often:
            field, times = min(often.items(), key=lambda i: (-i[1], i[0]))
            sentence += " " + _("Changed most often: %(f)s (in %(t)s of them).") % {
                "f": change_label(field).lower(),
                "t": times,
            }
    elif services:
        sentence = ngettext(
            "The one published service is not built on a shared template.",
            "None of the %(d)s published services is built on a shared template.",
            len(services),
        ) % {"d": len(services)}
    else:
        sentence = _("No published service here.")
    on_templates = [r for r in rows if r[3] is not None]
    return PanelData(
        sentence=sentence,
        columns=[
            _("Service"),
            _("Administration"),
            _("Template"),
            _("Fields and questions changed"),
            _("What changed"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "categories": [r[0] for r in on_templates],
            "series": [
                {
                    "name": _("Fields and questions changed"),
                    "data": [r[3] for r in on_templates],
                }
            ],
            "unit": "",
        },
    )


PANELS = [
    Panel(
        key="regulations",
        order=160,
        title=gettext_lazy("Services resting on out-of-date rules, now"),
        definition=gettext_lazy(
            "Now, not over the period, as the Scorecard's “Services resting on out-of-date "
            "rules”: the published services with at least one trace (of the service or of a form "
            "field) to a provision that has expired, been superseded or passed its review date, "
            "with the most overdue one. Days overdue count from the expiry date, else the review "
            "date (0 for a superseded rule with neither past). The period, area and channel "
            "filters do not apply; the department filter selects the services that department "
            "owns."
        ),
        compute=regulations,
        ignores=NOW_ONLY,
    ),
    Panel(
        key="templates",
        order=170,
        title=gettext_lazy("Deviation from templates, now"),
        definition=gettext_lazy(
            "Now, not over the period, as the Scorecard's “Services built on shared templates” "
            "and “Local changes per templated service”: each published service with the template "
            "it was built on and the template's fields and form questions it changes, adds or "
            "removes; services built from scratch are listed last. The period, area and channel "
            "filters do not apply; the department filter selects the services that department "
            "owns."
        ),
        compute=templates,
        ignores=NOW_ONLY,
    ),
]
