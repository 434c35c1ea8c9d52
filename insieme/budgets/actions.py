"""Every write of participatory budgeting: budgets, projects, the resident register, ballots and
the results. Validate, write in one transaction with its audit entry, publish events on commit.

Ballots: one per verified participant and budget. The unique constraint (budget, voter) decides,
also when two requests race (a double click): on PostgreSQL the second insert waits for the first
transaction and meets the constraint, on SQLite writers take turns; the loser is told "you have
already voted". A ballot is final. Its audit entry says that a ballot was cast in the budget,
never what it chose (the choices are the ballot's rows, read by no public page before the
results, and then only as counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.budgets import register as reg
from insieme.budgets import tally
from insieme.budgets.models import (
    BUDGET_TEXTS,
    MAX_DESCRIPTION,
    MAX_TITLE,
    PROJECT_TEXTS,
    Ballot,
    BallotChoice,
    BallotKind,
    Budget,
    Project,
    RegisterEntry,
)
from insieme.budgets.money import euro
from insieme.budgets.verification import register_for, verification_of
from insieme.catalog import i18n
from insieme.core import audit, events
from insieme.core.access import has_perm, require_perm
from insieme.core.models import Administration, User, today_in
from insieme.core.permissions import Perm
from insieme.participation.models import Audience, Category, Idea

MAX_TOTAL_CENTS = 10**14  # a trillion euro: anything above is a typo


class AlreadyVoted(ValidationError):
    """The person has a ballot in this budget already (ballots are final)."""


# --- helpers ------------------------------------------------------------------------------------


def _person(actor) -> bool:
    return isinstance(actor, User) and actor.is_authenticated


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _check_texts(title: str, description: str) -> None:
    if not title:
        raise ValidationError({"title": _("Give a title.")})
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": _("At most %(n)d characters.") % {"n": MAX_TITLE}})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": _("At most %(n)d characters.") % {"n": MAX_DESCRIPTION}}
        )


def _check_amount(field: str, cents) -> int:
    try:
        cents = int(cents)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Give an amount in euro.")}) from exc
    if cents <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if cents > MAX_TOTAL_CENTS:
        raise ValidationError({field: _("This amount is too large.")})
    return cents


def _has_ballots(budget: Budget) -> bool:
    return Ballot.objects.filter(budget=budget).exists()


def _public(budget: Budget) -> bool:
    process = budget.process
    return budget.is_published and process.is_published and process.audience == Audience.PUBLIC


# --- budgets ------------------------------------------------------------------------------------

BUDGET_FIELDS = [
    "title",
    "description",
    "translations",
    "total_cents",
    "kind",
    "max_choices",
    "voting_opens_on",
    "voting_closes_on",
    "is_published",
]


def _clean_budget(values: dict, budget: Budget | None) -> dict:
    values["title"] = _text(values.get("title"))
    values["description"] = _text(values.get("description"))
    _check_texts(values["title"], values["description"])
    values["translations"] = i18n.checked_translations(values.get("translations"), BUDGET_TEXTS)
    values["total_cents"] = _check_amount("total_cents", values.get("total_cents"))
    if values.get("kind") not in BallotKind.values:
        raise ValidationError({"kind": _("Choose a kind of ballot.")})
    if values["kind"] == BallotKind.APPROVAL:
        n = values.get("max_choices")
        if not n or int(n) < 1:
            raise ValidationError(
                {"max_choices": _("Say how many projects an approval ballot may choose.")}
            )
        values["max_choices"] = int(n)
    else:
        values["max_choices"] = None
    opens, closes = values.get("voting_opens_on"), values.get("voting_closes_on")
    if (opens is None) != (closes is None):
        raise ValidationError(
            {
                "voting_closes_on": _(
                    "Give both voting dates, or neither (then the voting phase "
                    "of the process decides)."
                )
            }
        )
    if opens and closes and closes < opens:
        raise ValidationError({"voting_closes_on": _("Voting closes after it opens.")})
    values["is_published"] = bool(values.get("is_published"))
    if budget is not None and _has_ballots(budget):
        for name in ("total_cents", "kind", "max_choices"):
            if values[name] != getattr(budget, name):
                raise ValidationError(
                    {
                        name: _(
                            "Ballots have been cast: the total and the kind of ballot can no "
                            "longer change."
                        )
                    }
                )
    return values


def create_budget(actor, process, **values) -> Budget:
    require_perm(actor, Perm.BUDGET_MANAGE, process.administration_id)
    values = _clean_budget({k: values.get(k) for k in BUDGET_FIELDS}, None)
    with transaction.atomic():
        budget = Budget.objects.create(
            process=process,
            administration_id=process.administration_id,
            created_by=actor if _person(actor) else None,
            **values,
        )
        audit.record(
            actor=actor,
            action="budgets.budget_created",
            obj=budget,
            after=audit.snapshot(budget),
            administration=process.administration,
        )
    return budget


def update_budget(actor, budget: Budget, **values) -> Budget:
    require_perm(actor, Perm.BUDGET_MANAGE, budget.administration_id)
    if budget.results_published:
        raise ValidationError(_("The results are published: the budget can no longer change."))
    merged = {k: values.get(k, getattr(budget, k)) for k in BUDGET_FIELDS}
    values = _clean_budget(merged, budget)
    before = audit.snapshot(budget, BUDGET_FIELDS)
    after = {k: audit._jsonable(v) for k, v in values.items()}
    old, new = audit.changes(before, after)
    if not new:
        return budget
    with transaction.atomic():
        for name, value in values.items():
            setattr(budget, name, value)
        budget.save(update_fields=[*values, "updated_at"])
        audit.record(
            actor=actor,
            action="budgets.budget_updated",
            obj=budget,
            before=old,
            after=new,
            administration=budget.administration,
        )
    return budget


# --- projects -----------------------------------------------------------------------------------


def _check_project_change(budget: Budget) -> None:
    if budget.results_published:
        raise ValidationError(_("The results are published: the projects can no longer change."))
    if _has_ballots(budget):
        raise ValidationError(
            _("Ballots have been cast: the projects and their costs can no longer change.")
        )


def save_project(
    actor,
    budget: Budget,
    project: Project | None = None,
    *,
    title: str,
    cost_cents,
    description: str = "",
    translations: dict | None = None,
    idea: Idea | None = None,
    category: Category | None = None,
    lat: float | None = None,
    lon: float | None = None,
    position: int | None = None,
) -> Project:
    """A new project of the budget (project=None), or a change to one."""
    require_perm(actor, Perm.BUDGET_MANAGE, budget.administration_id)
    _check_project_change(budget)
    title, description = _text(title), _text(description)
    _check_texts(title, description)
    translations = i18n.checked_translations(translations, PROJECT_TEXTS)
    cost_cents = _check_amount("cost_cents", cost_cents)
    if cost_cents > budget.total_cents:
        raise ValidationError(
            {
                "cost_cents": _("A project cannot cost more than the whole budget (%(total)s).")
                % {"total": euro(budget.total_cents)}
            }
        )
    if idea is not None:
        if idea.process_id != budget.process_id:
            raise ValidationError({"idea": _("Choose an idea of this process.")})
        if idea.answer != Idea.Answer.ACCEPTED or idea.state != Idea.State.OPEN:
            raise ValidationError({"idea": _("Only an accepted idea becomes a project.")})
        clash = Project.objects.filter(budget=budget, idea=idea)
        if project is not None:
            clash = clash.exclude(pk=project.pk)
        if clash.exists():
            raise ValidationError({"idea": _("This idea is a project of the budget already.")})
    if category is not None and category.process_id != budget.process_id:
        raise ValidationError({"category": _("Choose a category of this process.")})
    if (lat is None) != (lon is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"lat": _("This is not a place on Earth.")})
    if position is None:
        position = (
            project.position
            if project is not None
            else Project.objects.filter(budget=budget).count() + 1
        )
    values = {
        "title": title,
        "description": description,
        "translations": translations,
        "cost_cents": cost_cents,
        "idea": idea,
        "category": category,
        "lat": lat,
        "lon": lon,
        "position": int(position),
    }
    with transaction.atomic():
        if project is None:
            project = Project.objects.create(
                budget=budget, created_by=actor if _person(actor) else None, **values
            )
            audit.record(
                actor=actor,
                action="budgets.project_created",
                obj=project,
                after=audit.snapshot(project),
                administration=budget.administration,
            )
            return project
        before = {k: audit._jsonable(getattr(project, k)) for k in values}
        after = {k: audit._jsonable(v) for k, v in values.items()}
        old, new = audit.changes(before, after)
        if new:
            for name, value in values.items():
                setattr(project, name, value)
            project.save(update_fields=list(values))
            audit.record(
                actor=actor,
                action="budgets.project_updated",
                obj=project,
                before=old,
                after=new,
                administration=budget.administration,
            )
    return project


def delete_project(actor, project: Project) -> None:
    budget = project.budget
    require_perm(actor, Perm.BUDGET_MANAGE, budget.administration_id)
    _check_project_change(budget)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="budgets.project_deleted",
            obj=project,
            before=audit.snapshot(project),
            administration=budget.administration,
        )
        project.delete()


def projects_from_ideas(actor, budget: Budget, costs: dict[int, int]) -> list[Project]:
    """One project per accepted idea of the process in `costs` ({idea id: cost in cents}),
    with the idea's title and text: the budget's staff pick the ideas and say what each costs."""
    require_perm(actor, Perm.BUDGET_MANAGE, budget.administration_id)
    if not costs:
        raise ValidationError(_("Choose at least one idea and give its cost."))
    ideas = {
        i.pk: i
        for i in Idea.objects.filter(process=budget.process, pk__in=list(costs)).select_related(
            "process"
        )
    }
    if len(ideas) != len(costs):
        raise ValidationError(_("Choose ideas of this process."))
    made = []
    with transaction.atomic():
        for idea_id, cost in costs.items():
            idea = ideas[idea_id]
            translations = {}
            made.append(
                save_project(
                    actor,
                    budget,
                    title=idea.title[:MAX_TITLE],
                    description=(idea.body or "")[:MAX_DESCRIPTION],
                    translations=translations,
                    cost_cents=cost,
                    idea=idea,
                    category=idea.category,
                    lat=idea.lat,
                    lon=idea.lon,
                )
            )
    return made


# --- the resident register ----------------------------------------------------------------------


def upload_register(actor, administration: Administration, data: bytes) -> reg.Parsed:
    """Replace the administration's register with the residents of a CSV file (see
    register.parse_csv). Nothing is stored when the file has any error; the returned `errors`
    say which lines. Stored: keyed hashes only. The audit entry records the counts."""
    require_perm(actor, Perm.REGISTER_MANAGE, administration.pk)
    register = register_for(administration)
    parsed = reg.parse_csv(data, reg.register_key(register.salt))
    if parsed.errors:
        return parsed
    with transaction.atomic():
        register = type(register).objects.select_for_update().get(pk=register.pk)
        before = {"entries": register.entries_count}
        RegisterEntry.objects.filter(register=register).delete()
        RegisterEntry.objects.bulk_create(
            [RegisterEntry(register=register, entry_hash=h) for h in sorted(parsed.hashes)],
            batch_size=5000,
        )
        register.entries_count = len(parsed.hashes)
        register.uploaded_at = timezone.now()
        register.uploaded_by = actor if _person(actor) else None
        register.save(update_fields=["entries_count", "uploaded_at", "uploaded_by"])
        audit.record(
            actor=actor,
            action="budgets.register_uploaded",
            obj=register,
            before=before,
            after={"entries": register.entries_count, "duplicates": parsed.duplicates},
            administration=administration,
        )
    return parsed


# --- ballots ------------------------------------------------------------------------------------


def voting_closed_reason(budget: Budget, today: dt.date, phases=None) -> str | None:
    """Why the budget takes no ballot on `today` (a sentence), or None while voting is open."""
    if not budget.is_published:
        return _("This budget is not published.")
    if budget.results_published:
        return _("Voting is over: the results are published.")
    state = budget.voting_state(today, phases)
    window = budget.voting_window(phases)
    if state == "unset":
        return _("The voting dates of this budget are not set yet.")
    if state == "before":
        return _("Voting opens on %(day)s.") % {"day": window[0].strftime("%d/%m/%Y")}
    if state == "closed":
        return _("Voting closed on %(day)s.") % {"day": window[1].strftime("%d/%m/%Y")}
    return None


def check_choices(budget: Budget, project_ids: Iterable, projects: list[Project] | None = None):
    """The chosen projects of the budget (a list), or ValidationError saying what is wrong:
    none chosen, a project of another budget, over the budget's total (naming the amounts),
    more projects than an approval ballot takes."""
    try:
        wanted = {int(p) for p in project_ids}
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Choose projects of this budget.")) from exc
    if not wanted:
        raise ValidationError(_("Choose at least one project."))
    if projects is None:
        projects = list(Project.objects.filter(budget=budget))
    chosen = [p for p in projects if p.pk in wanted]
    if len(chosen) != len(wanted):
        raise ValidationError(_("Choose projects of this budget only."))
    if budget.kind == BallotKind.KNAPSACK:
        cost = sum(p.cost_cents for p in chosen)
        if cost > budget.total_cents:
            raise ValidationError(
                _(
                    "Your choices cost %(cost)s, more than the budget of %(total)s: remove "
                    "projects worth at least %(over)s."
                )
                % {
                    "cost": euro(cost),
                    "total": euro(budget.total_cents),
                    "over": euro(cost - budget.total_cents),
                },
                code="over_budget",
            )
    elif budget.max_choices and len(chosen) > budget.max_choices:
        raise ValidationError(
            _("You chose %(n)d projects: this ballot takes at most %(max)d.")
            % {"n": len(chosen), "max": budget.max_choices},
            code="too_many",
        )
    return chosen


def cast_ballot(user, budget: Budget, project_ids: Iterable, *, now=None) -> Ballot:
    """Cast the person's ballot (final): voting open, the person verified in the budget's
    administration, the choices valid (check_choices); one per person and budget."""
    if not _person(user):
        raise PermissionDenied
    closed = voting_closed_reason(budget, today_in(budget.administration))
    if closed:
        raise ValidationError(closed)
    if verification_of(user, budget.administration) is None:
        raise ValidationError(
            _("Verify that you are a resident of %(admin)s before you vote.")
            % {"admin": budget.administration.display_name},
            code="not_verified",
        )
    already = _(
        "You have already voted in this budget: each person casts one ballot, and a "
        "ballot cannot be changed."
    )
    if Ballot.objects.filter(budget=budget, voter=user).exists():
        raise AlreadyVoted(already)
    chosen = check_choices(budget, project_ids)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(budget=budget, voter=user, cast_at=now or timezone.now())
            BallotChoice.objects.bulk_create(
                [BallotChoice(ballot=ballot, project=p) for p in chosen]
            )
            audit.record(
                actor=user,
                action="budgets.ballot_cast",
                obj=ballot,
                # That a ballot was cast in this budget: never what it chose.
                after={"budget": budget.pk},
                administration=budget.administration,
            )
    except IntegrityError as exc:  # the other click won the race
        raise AlreadyVoted(already) from exc
    return ballot


# --- results ------------------------------------------------------------------------------------


def count_votes(budget: Budget) -> dict[int, int]:
    """{project id: ballots that chose it}, one query."""
    rows = (
        BallotChoice.objects.filter(ballot__budget=budget)
        .values("project_id")
        .annotate(n=Count("ballot_id", distinct=True))
    )
    return {r["project_id"]: r["n"] for r in rows}


def compute_outcome(budget: Budget, projects: list[Project] | None = None) -> tally.Outcome:
    if projects is None:
        projects = list(Project.objects.filter(budget=budget))
    votes = count_votes(budget)
    rows = [
        tally.Row(pk=p.pk, cost=p.cost_cents, votes=votes.get(p.pk, 0), position=p.position)
        for p in projects
    ]
    return tally.allocate(rows, budget.total_cents)


def project_url(project: Project) -> str:
    budget = project.budget
    return (
        reverse(
            "budgets:results",
            args=[budget.administration.slug, budget.process.slug, budget.pk],
        )
        + f"#project-{project.pk}"
    )


def publish_results(actor, budget: Budget, *, now=None) -> tally.Outcome:
    """Count the ballots, fund the projects (tally.allocate), store votes, rank and funding on
    the projects, make each funded project a result ("you said, we did") and publish. Only
    after voting closed, once."""
    require_perm(actor, Perm.BUDGET_MANAGE, budget.administration_id)
    if budget.results_published:
        raise ValidationError(_("The results of this budget are published already."))
    state = budget.voting_state(today_in(budget.administration))
    if state != "closed":
        raise ValidationError(_("Results are published once voting has closed."))
    now = now or timezone.now()
    with transaction.atomic():
        budget = (
            Budget.objects.select_for_update()
            .select_related("process", "administration")
            .get(pk=budget.pk)
        )
        if budget.results_published:
            raise ValidationError(_("The results of this budget are published already."))
        projects = list(Project.objects.filter(budget=budget).select_related("idea__process"))
        outcome = compute_outcome(budget, projects)
        by_pk = {p.pk: p for p in projects}
        for row in outcome.rows:
            project = by_pk[row.pk]
            project.votes, project.rank, project.is_funded = row.votes, row.rank, row.funded
        Project.objects.bulk_update(projects, ["votes", "rank", "is_funded"])
        budget.results_published_at = now
        budget.save(update_fields=["results_published_at", "updated_at"])
        audit.record(
            actor=actor,
            action="budgets.results_published",
            obj=budget,
            after={
                "ballots": Ballot.objects.filter(budget=budget).count(),
                "funded": [r.pk for r in outcome.funded],
                "spent_cents": outcome.spent,
                "remaining_cents": outcome.remaining,
            },
            administration=budget.administration,
        )
        for row in outcome.funded:
            _result_for(actor, budget, by_pk[row.pk])
        if _public(budget):
            events.publish_on_commit(
                "budgets.results_published",
                budget.administration_id,
                {
                    "budget": budget.pk,
                    "process": budget.process.slug,
                    "administration": budget.administration.slug,
                    "total_cents": budget.total_cents,
                    "spent_cents": outcome.spent,
                    "funded_projects": [r.pk for r in outcome.funded],
                },
            )
    return outcome


def _result_for(actor, budget: Budget, project: Project) -> None:
    """The funded project as a result of the administration, linked back to the project (the
    idea's result when it came from an idea that has one)."""
    from insieme.results import actions as results

    # The results app asks for its own permission; whoever publishes the budget's results may
    # make their results (the system acts for them when their role lacks it).
    who = (
        actor
        if actor is None or has_perm(actor, Perm.RESULT_MANAGE, budget.administration_id)
        else None
    )
    project.budget = budget
    if project.idea is not None:
        result = results.result_for_idea(who, project.idea)
    else:
        result = results.create_result(
            who,
            budget.administration,
            title=project.title,
            description=project.description,
            translations=project.translations or None,
            process=budget.process,
            idea=None,
            due_on=None,
            language=budget.process.language,
        )
    results.add_link(
        who,
        result,
        kind="budget_project",
        key=f"project:{project.pk}",
        label=_("Funded by the participatory budget “%(budget)s”") % {"budget": budget.title},
        url=project_url(project),
    )
