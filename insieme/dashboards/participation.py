"""Participation (cells I1 and I2): ideas per month by author type, with supports and comments,
and the people taking part in each co-design process, with the Scorecard's definitions
(insieme.participation.indicators). Counts only: no panel, row or CSV names a person.

Ideas and comments held for review or hidden by the moderators count for nothing (the public
never saw them); comments count when they are on a process or on one of its ideas. The service
filter selects the processes that aim to change that service; the area, department and channel
filters do not apply (ideas, supports and comments have no department or channel, and most have
no place).

Participants are counted as on the Scorecard's "Participants per process by author type": the
distinct people who proposed an idea or commented in the process in the period, by the author
type they wrote as, and then those who only supported an idea there, as employees (an active
role in one of the administrations), partner organisations' members, or citizens. Each count is
a COUNT(DISTINCT) in the database, the people already counted left out by NOT EXISTS.
"""

from __future__ import annotations

from django.db.models import Case as Choose
from django.db.models import Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.core.figures import figure
from insieme.core.models import Membership, PartnerMember
from insieme.dashboards.common import month_starts, ratio
from insieme.dashboards.panels import Panel, PanelData
from insieme.participation.models import AuthorType, Comment, Idea, Support

TYPES = [AuthorType.CITIZEN, AuthorType.EMPLOYEE, AuthorType.PARTNER]
NO_PLACE = ("area", "department", "channel")


def _period(filters, field: str = "created_at") -> Q:
    return Q(**{f"{field}__gte": filters.start, f"{field}__lt": filters.end})


def _ideas(filters):
    return Idea.objects.visible().filter(_period(filters), process__in=filters.processes())


def _comments(filters):
    """Comments on the selected processes or their ideas, shown to the public, with `p` the
    process they belong to."""
    processes = filters.processes()
    return Comment.objects.filter(
        _period(filters),
        Q(process__in=processes) | Q(process__isnull=True, idea__process__in=processes),
        administration_id__in=filters.scope.administration_ids,
        held_at__isnull=True,
        hidden_at__isnull=True,
    ).annotate(p=Coalesce("process_id", "idea__process_id"))


def _supports(filters):
    return Support.objects.filter(_period(filters), idea__process__in=filters.processes())


def ideas_per_month(filters) -> PanelData:
    """Three queries: ideas by month and author type, supports by month, comments by month."""
    zone = filters.zone

    def monthly(qs, *extra):
        return (
            qs.annotate(month=TruncMonth("created_at", tzinfo=zone))
            .values("month", *extra)
            .annotate(n=Count("id"))
            .order_by()
        )

    ideas = {
        (r["month"].date(), r["author_type"]): r["n"]
        for r in monthly(_ideas(filters), "author_type")
    }
    supports = {r["month"].date(): r["n"] for r in monthly(_supports(filters))}
    comments = {r["month"].date(): r["n"] for r in monthly(_comments(filters))}
    rows = []
    for month in month_starts(filters):
        by_type = [ideas.get((month, k), 0) for k in TYPES]
        rows.append(
            [month.strftime("%Y-%m"), *by_type, sum(by_type)]
            + [supports.get(month, 0), comments.get(month, 0)]
        )
    total = sum(r[4] for r in rows)
    if total or any(r[5] or r[6] for r in rows):
        sentence = _(
            "%(n)s ideas in the period (%(c)s by citizens, %(e)s by employees, %(p)s by partner "
            "organisations), about %(m)s a month, with %(s)s supports and %(k)s comments."
        ) % {
            "n": total,
            "c": sum(r[1] for r in rows),
            "e": sum(r[2] for r in rows),
            "p": sum(r[3] for r in rows),
            "m": figure(ratio(total, len(rows)), 1),
            "s": sum(r[5] for r in rows),
            "k": sum(r[6] for r in rows),
        }
    else:
        sentence = _("No ideas, supports or comments in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Month"),
            _("Ideas by citizens"),
            _("Ideas by employees"),
            _("Ideas by partner organisations"),
            _("All ideas"),
            _("Supports"),
            _("Comments"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "stack": True,
            "categories": [date_format(m, "YEAR_MONTH_FORMAT") for m in month_starts(filters)],
            "series": [
                {"name": _("Ideas by citizens"), "data": [r[1] for r in rows]},
                {"name": _("Ideas by employees"), "data": [r[2] for r in rows]},
                {"name": _("Ideas by partner organisations"), "data": [r[3] for r in rows]},
            ],
            "unit": "",
        },
    )


def participants(filters) -> PanelData:
    """Four queries: ideas and their authors, comments and their new authors, supports and
    their new supporters, per process and type; and the processes' titles and administrations."""
    ideas = _ideas(filters)
    comments = _comments(filters)
    author = Q(author__isnull=False)
    counts: dict[int, dict[str, int]] = {}

    def add(process_id: int, key: str, n: int) -> None:
        found = counts.setdefault(process_id, {})
        found[key] = found.get(key, 0) + n

    for r in (
        ideas.values("process_id", "author_type")
        .annotate(n=Count("id"), people=Count("author_id", distinct=True, filter=author))
        .order_by()
    ):
        add(r["process_id"], "ideas", r["n"])
        add(r["process_id"], r["author_type"], r["people"])
    proposed_as = ideas.filter(
        process_id=OuterRef("p"),
        author_id=OuterRef("author_id"),
        author_type=OuterRef("author_type"),
    )
    for r in (
        comments.values("p", "author_type")
        .annotate(
            n=Count("id"),
            people=Count("author_id", distinct=True, filter=author & ~Exists(proposed_as)),
        )
        .order_by()
    ):
        add(r["p"], "comments", r["n"])
        add(r["p"], r["author_type"], r["people"])
    wrote = Exists(
        ideas.filter(
            author__isnull=False,
            process_id=OuterRef("idea__process_id"),
            author_id=OuterRef("user_id"),
        )
    ) | Exists(
        comments.filter(
            author__isnull=False, p=OuterRef("idea__process_id"), author_id=OuterRef("user_id")
        )
    )
    staff = Membership.objects.filter(
        user_id=OuterRef("user_id"),
        administration_id__in=filters.scope.administration_ids,
        is_active=True,
    )
    kind = Choose(
        When(Exists(staff), then=Value(AuthorType.EMPLOYEE.value)),
        When(
            Exists(PartnerMember.objects.filter(user_id=OuterRef("user_id"))),
            then=Value(AuthorType.PARTNER.value),
        ),
        default=Value(AuthorType.CITIZEN.value),
    )
    for r in (
        _supports(filters)
        .annotate(kind=kind, process_id=F("idea__process_id"))
        .values("process_id", "kind")
        .annotate(n=Count("id"), people=Count("user_id", distinct=True, filter=~wrote))
        .order_by()
    ):
        add(r["process_id"], "supports", r["n"])
        add(r["process_id"], r["kind"], r["people"])
    names = {
        pk: (title, admin_name)
        for pk, title, admin_name in filters.processes()
        .filter(pk__in=list(counts))
        .values_list("pk", "title", "administration__name")
    }
    rows = []
    for pid in sorted(counts, key=lambda p: (names.get(p, ("", "")), p)):
        c = counts[pid]
        people = [c.get(k, 0) for k in TYPES]
        rows.append(
            [*names.get(pid, ("", "")), c.get("ideas", 0), c.get("supports", 0)]
            + [c.get("comments", 0), *people, sum(people)]
        )
    people = sum(r[8] for r in rows)
    active = sum(1 for r in rows if r[8])
    if rows:
        sentence = _(
            "Counting each person once per process, %(n)s took part in %(p)s processes in the "
            "period, %(m)s per process: %(c)s citizens, %(e)s employees and %(o)s members of "
            "partner organisations."
        ) % {
            "n": people,
            "p": active,
            "m": figure(ratio(people, active), 1),
            "c": sum(r[5] for r in rows),
            "e": sum(r[6] for r in rows),
            "o": sum(r[7] for r in rows),
        }
    else:
        sentence = _("Nobody took part in a process in the period.")
    return PanelData(
        sentence=sentence,
        columns=[
            _("Process"),
            _("Administration"),
            _("Ideas"),
            _("Supports"),
            _("Comments"),
            _("Citizens"),
            _("Employees"),
            _("Partner organisations' members"),
            _("All people"),
        ],
        rows=rows,
        chart={
            "kind": "bar",
            "stack": True,
            "categories": [r[0] for r in rows],
            "series": [
                {"name": _("Citizens"), "data": [r[5] for r in rows]},
                {"name": _("Employees"), "data": [r[6] for r in rows]},
                {
                    "name": _("Partner organisations' members"),
                    "data": [r[7] for r in rows],
                },
            ],
            "unit": "",
        },
    )


PANELS = [
    Panel(
        key="ideas-monthly",
        order=180,
        title=gettext_lazy("Ideas, supports and comments per month"),
        definition=gettext_lazy(
            "Ideas proposed in the period per calendar month (in the administration's time "
            "zone; the first and last months may be partial) by the type their authors wrote as, "
            "as the Scorecard's “Ideas per month by author type”, with the supports given and "
            "the comments written on processes and their ideas. Ideas and comments held for "
            "review or hidden are left out. The service filter selects the processes that aim to "
            "change that service; the area, department and channel filters do not apply."
        ),
        compute=ideas_per_month,
        ignores=NO_PLACE,
    ),
    Panel(
        key="participants",
        order=190,
        title=gettext_lazy("People taking part in each process"),
        definition=gettext_lazy(
            "As the Scorecard's “Participants per process by author type”: the distinct people "
            "who proposed an idea, commented or supported an idea in each process in the "
            "period, counted once per process and type: the type they wrote as, and for those "
            "who only supported, employee (a role in the administration), partner "
            "organisation's member or citizen. Counts only, no names. Held and hidden ideas and "
            "comments are left out. The service filter selects the processes that aim to change "
            "that service; the area, department and channel filters do not apply."
        ),
        compute=participants,
        ignores=NO_PLACE,
    ),
]
