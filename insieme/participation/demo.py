"""Demo seed of participation (order 40, after the cases): in the region and in each
municipality, a public process in each kind of phase (information, ideation, deliberation,
voting, implementation, evaluation: the one running today), an employees' idea box and a round
table with invited partner organisations; ideas from citizens, employees and partners in Italian
and English, supports (one idea past its threshold), threaded comments with an official answer,
official answers of every kind, followers; the moderators' past decisions on spam, abuse and fine
comments (with their ground truth) and one comment the spam filter holds; and, through the
actions, a reported comment waiting for the moderators, a hidden one, an evaluator with a
private note, a merge and a split, and each administration's spam filter trained.

BULK PATH. The volume (processes, phases, categories, ideas, supports, answers, comments,
follows) is generated in Python, deterministically from a random source of its own derived from
the seed (the seeds after this one draw what they drew before), and inserted with `bulk_create`:
through the actions it took twenty seconds, and the demo loads in many tests. As in the cases'
demo, the audit chain gets ONE entry for the bulk load ("participation.demo_bulk_load", with the
counts). The rows are what the actions would have written (denormalised counts, thread roots
and depths, the similar-idea signature, phases already begun marked announced). The moderators'
and staff's decisions shown on top of it go through `insieme.participation.actions`, each with
its own audit entry.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import TYPE_CHECKING

from insieme.cases.matching.signatures import case_signature
from insieme.core import audit
from insieme.core.models import PartnerMember, User
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed
from insieme.participation import actions
from insieme.participation import demo_spam as S
from insieme.participation import demo_text as T
from insieme.participation.access import eligible_partners
from insieme.participation.models import (
    Audience,
    AuthorType,
    Category,
    Comment,
    CommentFlag,
    Follow,
    Idea,
    ModerationAction,
    OfficialAnswer,
    Phase,
    PhaseKind,
    Process,
    Support,
)

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

PHASES = list(PhaseKind.values)
PHASE_DAYS = 21
ROME = zoneinfo.ZoneInfo("Europe/Rome")
RESIDENT_DOMAIN = "residenti.example"  # the cases seed's residents (insieme.cases.demo)
THRESHOLD = 10
# The moderated comments of each administration (see _Seeder.moderated).
SPAM_COMMENTS, ABUSE_COMMENTS, KEPT_COMMENTS, FINE_COMMENTS = 30, 10, 15, 80
REPORTED_SHARE = 0.6  # of the spam and abuse, what someone reported before it was hidden


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment of `day`, in office hours, Rome time."""
    return dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)), ROME)


def _phase_dates(today: dt.date, current: int) -> list[tuple[dt.date, dt.date]]:
    """Six consecutive phases of PHASE_DAYS, the `current`-th running today."""
    start = today - dt.timedelta(days=10 + current * PHASE_DAYS)
    dates = []
    for _kind in PHASES:
        dates.append((start, start + dt.timedelta(days=PHASE_DAYS - 1)))
        start += dt.timedelta(days=PHASE_DAYS)
    return dates


def _day_in(span: tuple[dt.date, dt.date], today: dt.date, rng: random.Random) -> dt.date:
    """A day of the span, up to yesterday (the demo's past)."""
    last = min(span[1], today - dt.timedelta(days=1))
    return span[0] + dt.timedelta(days=rng.randint(0, max((last - span[0]).days, 0)))


class _Plan:
    """One process and what happens in it, before anything is written."""

    def __init__(self, admin, spec, process, dates, people, texts, authors):
        self.admin, self.spec, self.process, self.dates = admin, spec, process, dates
        self.people, self.texts, self.authors = people, texts, authors
        self.categories: list[Category] = []
        self.ideas: list[Idea] = []
        self.supporters: list[list[User]] = []

    @property
    def slug(self) -> str:
        return self.spec[0]

    @property
    def current(self) -> int:
        return self.spec[1]


class _Seeder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = random.Random(f"participation-{ctx.seed}")
        self.today = ctx.today
        residents = list(
            User.objects.filter(email__endswith="@" + RESIDENT_DOMAIN).order_by("pk")[:30]
        )
        self.citizens = [*ctx.citizens, *residents]
        self.plans: list[_Plan] = []
        self.counts = dict.fromkeys(
            ["processes", "phases", "ideas", "supports", "answers", "comments", "follows"], 0
        )

    def staff(self, slug: str, role: str) -> list[User]:
        return [m.user for m in self.ctx.staff_of(slug, role)]

    # --- planning -------------------------------------------------------------------------------

    def plan(self, admin) -> None:
        slug = admin.slug
        employees = [m.user for rows in self.ctx.staff.get(slug, {}).values() for m in rows]
        partners = list(eligible_partners(admin).order_by("name"))
        members = list(
            PartnerMember.objects.filter(organisation__in=partners)
            .select_related("user", "organisation")
            .order_by("pk")
        )
        self.partner_of = getattr(self, "partner_of", {})
        self.partner_of.update({m.user_id: m.organisation for m in members})
        member_users = [m.user for m in members]
        manager = self.staff(slug, Role.SERVICE_MANAGER)[0]
        for spec in T.PROCESSES:
            key, current, audience, title, title_en, text, text_en, _cats = spec
            if audience == Audience.PARTNERS and len(member_users) < 2:
                continue
            process = Process(
                administration=admin,
                slug=key,
                title=title,
                description=text,
                language="it",
                translations={"en": {"title": title_en, "description": text_en}},
                audience=audience,
                is_published=True,
                support_threshold=THRESHOLD if current <= 3 else None,
                created_by=manager,
            )
            dates = _phase_dates(self.today, current)
            if current <= 3:
                process.support_deadline = dates[PHASES.index(PhaseKind.VOTING)][1]
            if audience == Audience.EMPLOYEES:
                people, texts, authors = employees, T.EMPLOYEE_IDEAS, employees
            elif audience == Audience.PARTNERS:
                people, texts, authors = member_users, T.PARTNER_IDEAS, member_users
            else:  # citizens first; employees and partners join the public processes too
                people, texts = self.citizens, T.CITIZEN_IDEAS
                authors = [*self.citizens[:4], employees[-1], *member_users[:1]]
            plan = _Plan(admin, spec, process, dates, people, texts, authors)
            plan.manager = manager
            plan.partners = partners if audience == Audience.PARTNERS else []
            plan.services = (
                list(self.ctx.services.get(slug, []))[:2] if audience == Audience.PUBLIC else []
            )
            self.plans.append(plan)

    # --- the bulk load ----------------------------------------------------------------------------

    def load(self) -> None:
        now = dt.datetime.combine(self.today, dt.time(0, 0), ROME)
        Process.objects.bulk_create([p.process for p in self.plans])
        links_s = Process.services.through
        links_p = Process.invited_partners.through
        links_s.objects.bulk_create(
            [links_s(process=p.process, service=s) for p in self.plans for s in p.services]
        )
        links_p.objects.bulk_create(
            [
                links_p(process=p.process, partnerorganisation=o)
                for p in self.plans
                for o in p.partners
            ]
        )
        phases, categories = [], []
        for plan in self.plans:
            for kind, (starts, ends) in zip(PHASES, plan.dates, strict=True):
                name_it, name_en = T.PHASE_NAMES[kind]
                phases.append(
                    Phase(
                        process=plan.process,
                        kind=kind,
                        name=name_it,
                        translations={"en": {"name": name_en}},
                        starts_on=starts,
                        ends_on=ends,
                        # Begun already: nothing to announce when the hourly job first runs.
                        announced_at=dt.datetime.combine(starts, dt.time(8), ROME)
                        if starts <= self.today
                        else None,
                    )
                )
            for position, (it, en) in enumerate(plan.spec[7]):
                plan.categories.append(
                    Category(
                        process=plan.process,
                        name=it,
                        translations={"en": {"name": en}},
                        position=position,
                    )
                )
            categories += plan.categories
        Phase.objects.bulk_create(phases)
        Category.objects.bulk_create(categories)
        self.counts["processes"] = len(self.plans)
        self.counts["phases"] = len(phases)
        self.ideas()
        self.supports_and_answers(now)
        self.comments()
        self.follows()
        self.moderated()
        audit.record(
            actor=self.ctx.actor,
            action="participation.demo_bulk_load",
            object_type="participation.process",
            after={"seed": self.ctx.seed, **self.counts},
            administration=self.ctx.administrations.get("region"),
        )

    def ideas(self) -> None:
        rng, ideas = self.rng, []
        for plan in self.plans:
            if plan.current == 0:  # information: no idea yet
                continue
            ideation = plan.dates[PHASES.index(PhaseKind.IDEATION)]
            for index in range(5 if plan.current == 1 else 4):
                language, title, body = plan.texts[
                    (index + rng.randrange(len(plan.texts))) % len(plan.texts)
                ]
                author = plan.authors[index % len(plan.authors)]
                at = _moment(_day_in(ideation, self.today, rng), rng)
                author_type, partner = self.author_type(plan, author)
                idea = Idea(
                    process=plan.process,
                    title=title,
                    body=body,
                    language=language,
                    author=author,
                    author_type=author_type,
                    partner=partner,
                    show_name=rng.random() > 0.15,
                    category=plan.categories[index % len(plan.categories)],
                    match_grams=case_signature(title, body),
                    created_at=at,
                    updated_at=at,
                )
                plan.ideas.append(idea)
                ideas.append(idea)
        self.counts["ideas"] = len(ideas)
        # Supports are drawn before the ideas are written: their count is a column of the idea.
        for plan in self.plans:
            for position, idea in enumerate(plan.ideas):
                wanted = THRESHOLD + 1 if position == 0 else rng.randint(0, 5)
                people = rng.sample(plan.people, min(wanted, len(plan.people)))
                plan.supporters.append(people)
                idea.supports_count = len(people)
        self.answer_ideas()
        Idea.objects.bulk_create(ideas)

    def author_type(self, plan: _Plan, user: User):
        staff_here = any(user in rows for rows in self._employees(plan.admin.slug))
        if staff_here:
            return AuthorType.EMPLOYEE, None
        if user.pk in self.partner_of:
            return AuthorType.PARTNER, self.partner_of[user.pk]
        return AuthorType.CITIZEN, None

    def _employees(self, slug: str):
        return [[m.user for m in rows] for rows in self.ctx.staff.get(slug, {}).values()]

    def answer_ideas(self) -> None:
        """Accepted, under evaluation and rejected: the first three ideas of every process past
        deliberation, and of the employees' idea box."""
        self.answers = []
        kinds = [Idea.Answer.ACCEPTED, Idea.Answer.EVALUATING, Idea.Answer.REJECTED]
        for plan in self.plans:
            if plan.current < 2 and plan.process.audience != Audience.EMPLOYEES:
                continue
            latest = max(i.created_at for i in plan.ideas)
            day = _day_in(plan.dates[plan.current], self.today, self.rng)
            at = max(_moment(day, self.rng), latest + dt.timedelta(hours=1))
            for idea, kind in zip(plan.ideas, kinds, strict=False):
                idea.answer, idea.answered_at = kind, at
                self.answers.append(
                    OfficialAnswer(
                        idea=idea,
                        kind=kind,
                        text=T.ANSWERS[kind],
                        author=plan.manager,
                        created_at=at,
                    )
                )

    def supports_and_answers(self, now: dt.datetime) -> None:
        rows = []
        for plan in self.plans:
            voting = plan.dates[PHASES.index(PhaseKind.VOTING)]
            ideation = plan.dates[PHASES.index(PhaseKind.IDEATION)]
            span = voting if voting[0] < self.today else ideation
            for idea, people in zip(plan.ideas, plan.supporters, strict=True):
                for person in people:
                    day = max(_day_in(span, self.today, self.rng), idea.created_at.date())
                    rows.append(Support(idea=idea, user=person, created_at=_moment(day, self.rng)))
        Support.objects.bulk_create(rows)
        for answer in self.answers:
            answer.idea_id = answer.idea.pk
        OfficialAnswer.objects.bulk_create(self.answers)
        self.counts["supports"] = len(rows)
        self.counts["answers"] = len(self.answers)

    def comments(self) -> None:
        """A thread on the first idea of each process (on the process itself when it has no
        idea): two or three comments, a reply, and the administration's official answer."""
        rng, roots, replies = self.rng, [], []
        for plan in self.plans:
            target = {"idea": plan.ideas[0]} if plan.ideas else {"process": plan.process}
            start = plan.ideas[0].created_at if plan.ideas else _moment(self.today, rng)
            if not plan.ideas:
                start -= dt.timedelta(days=3)
            people = plan.people
            plan.thread = []
            for index in range(rng.randint(2, 3)):
                _lang, text = T.COMMENTS[rng.randrange(len(T.COMMENTS))]
                plan.thread.append(
                    self.comment(
                        plan, target, people[(index + 1) % len(people)], text, start, index
                    )
                )
            plan.thread.append(
                Comment(
                    administration=plan.admin,
                    **target,
                    author=plan.manager,
                    author_type=AuthorType.EMPLOYEE,
                    is_official=True,
                    body=T.OFFICIAL_COMMENT,
                    created_at=start + dt.timedelta(hours=2),
                )
            )
            roots += plan.thread
        Comment.objects.bulk_create(roots)
        for plan in self.plans:
            first = plan.thread[0]
            _lang, text = T.REPLIES[rng.randrange(len(T.REPLIES))]
            replier = next(p for p in plan.people if p.pk != first.author_id)
            reply = self.comment(
                plan,
                {"idea": first.idea} if first.idea_id else {"process": first.process},
                replier,
                text,
                first.created_at + dt.timedelta(hours=1),
                0,
            )
            reply.parent, reply.root, reply.depth = first, first, 1
            replies.append(reply)
        Comment.objects.bulk_create(replies)
        self.counts["comments"] = len(roots) + len(replies)

    def comment(self, plan: _Plan, target: dict, author: User, text: str, start, index: int):
        author_type, partner = self.author_type(plan, author)
        return Comment(
            administration=plan.admin,
            **target,
            author=author,
            author_type=author_type,
            partner=partner,
            show_name=self.rng.random() > 0.1,
            body=text,
            created_at=start + dt.timedelta(minutes=10 * (index + 1)),
        )

    def follows(self) -> None:
        rows, seen = [], set()
        for plan in self.plans:
            first = plan.people[0]
            since = dt.datetime.combine(plan.dates[0][0], dt.time(9), ROME)
            rows.append(Follow(user=first, process=plan.process, created_at=since))
            for idea in plan.ideas:
                key = (idea.author_id, idea.pk)
                if key not in seen:
                    seen.add(key)
                    rows.append(Follow(user=idea.author, idea=idea, created_at=idea.created_at))
        Follow.objects.bulk_create(rows)
        self.counts["follows"] = len(rows)

    def moderated(self) -> None:
        """The moderators' past decisions the spam filter learns from (and `make bench`
        measures it on): in each administration, spam and abuse comments they hid (most of them
        reported first), fine comments reported and kept, and fine comments nobody reported,
        spread over the threads of the public processes' ideas; and one comment the filter
        holds, waiting in the moderation queue. Its own random source, so the rest of the demo
        draws what it drew before. The ground truth is recorded under "participation_spam"."""
        rng = random.Random(f"participation-spam-{self.ctx.seed}")
        rows, flags, decisions, truth = [], [], [], {}
        for admin in {id(p.admin): p.admin for p in self.plans}.values():
            plans = [
                p
                for p in self.plans
                if p.admin.pk == admin.pk and p.ideas and p.process.audience == Audience.PUBLIC
            ]
            if not plans:
                continue
            moderators = self.staff(admin.slug, Role.ADMINISTRATOR) or [plans[0].manager]
            kinds = (
                ["spam"] * SPAM_COMMENTS
                + ["abuse"] * ABUSE_COMMENTS
                + ["kept"] * KEPT_COMMENTS
                + ["fine"] * FINE_COMMENTS
            )
            rng.shuffle(kinds)
            for kind in kinds:
                plan = rng.choice(plans)
                idea = rng.choice(plan.ideas)
                make = {"spam": S.spam, "abuse": S.abuse}.get(kind, S.fine)
                _lang, text = make(rng)
                author = rng.choice(plan.people)
                author_type, partner = self.author_type(plan, author)
                at = idea.created_at + dt.timedelta(hours=rng.randint(1, 24 * 10))
                at = min(at, dt.datetime.combine(self.today, dt.time(7), ROME))
                reporters = [p for p in plan.people if p.pk != author.pk]
                reported = kind == "kept" or (kind != "fine" and rng.random() < REPORTED_SHARE)
                n_flags = min(rng.randint(1, 3), len(reporters)) if reported else 0
                comment = Comment(
                    administration=admin,
                    idea=idea,
                    author=author,
                    author_type=author_type,
                    partner=partner,
                    show_name=rng.random() > 0.2,
                    body=text,
                    flags_count=n_flags,
                    created_at=at,
                )
                decided = at + dt.timedelta(hours=rng.randint(1, 30))
                if kind in ("spam", "abuse"):
                    comment.hidden_at, comment.hidden_by = decided, rng.choice(moderators)
                    comment.hidden_reason = S.HIDDEN_REASON[kind]
                    comment.hidden_ground = kind
                reason = CommentFlag.Reason.SPAM if kind != "abuse" else CommentFlag.Reason.ABUSE
                for reporter in rng.sample(reporters, n_flags):
                    flags.append(
                        CommentFlag(comment=comment, user=reporter, reason=reason, created_at=at)
                    )
                if kind in ("spam", "abuse", "kept"):
                    decisions.append(
                        ModerationAction(
                            administration=admin,
                            comment=comment,
                            moderator=comment.hidden_by or rng.choice(moderators),
                            kind=ModerationAction.Kind.KEPT
                            if kind == "kept"
                            else ModerationAction.Kind.HIDDEN,
                            reason=comment.hidden_reason,
                            created_at=decided,
                        )
                    )
                rows.append((kind, comment))
            plan = plans[0]
            _lang, text = S.spam(rng)
            held = Comment(
                administration=admin,
                idea=plan.ideas[0],
                author=plan.people[-1],
                author_type=self.author_type(plan, plan.people[-1])[0],
                body=text,
                held_at=dt.datetime.combine(self.today, dt.time(7), ROME),
                spam_score=0.97,
                created_at=dt.datetime.combine(self.today, dt.time(7), ROME),
            )
            decisions.append(
                ModerationAction(
                    administration=admin,
                    comment=held,
                    kind=ModerationAction.Kind.HELD,
                    reason="Score 0.97 above the filter's threshold.",
                    created_at=held.created_at,
                )
            )
            rows.append(("held", held))
        Comment.objects.bulk_create([c for _k, c in rows])
        for flag in flags:
            flag.comment_id = flag.comment.pk
        for decision in decisions:
            decision.comment_id = decision.comment.pk
        CommentFlag.objects.bulk_create(flags)
        ModerationAction.objects.bulk_create(decisions)
        for kind, comment in rows:
            truth.setdefault(kind, []).append(comment.pk)
        self.counts["comments"] += len(rows)
        self.counts["moderated"] = len(decisions)
        self.ctx.record(
            "participation_spam",
            {
                "suspect": sorted(truth.get("spam", []) + truth.get("abuse", [])),
                "fine": sorted(truth.get("kept", []) + truth.get("fine", [])),
                "held": truth.get("held", []),
            },
        )

    # --- decisions through the actions ----------------------------------------------------------

    def decisions(self) -> None:
        """In each administration: a reported comment waiting for the moderators (ideation
        process), a hidden one (deliberation process), an evaluator with a private note, a
        merge and a split (ideation process)."""
        for plan in self.plans:
            slug = plan.admin.slug
            if plan.slug == "idee-per-i-parchi":
                self.bad_comment(plan, T.FLAGGED_COMMENT, CommentFlag.Reason.SPAM)
                officers = self.staff(slug, Role.OFFICER)
                ideas = plan.ideas
                if officers and len(ideas) >= 4:
                    actions.assign_evaluator(plan.manager, ideas[1], officers[0])
                    actions.add_evaluation_note(officers[0], ideas[1], T.NOTE)
                    actions.merge_ideas(plan.manager, ideas[2], ideas[1])
                    actions.split_idea(
                        plan.manager,
                        ideas[3],
                        [{"title": t, "body": b} for t, b in T.SPLIT_PARTS],
                    )
            elif plan.slug == "mobilita-sostenibile":
                bad = self.bad_comment(plan, T.HIDDEN_COMMENT, CommentFlag.Reason.ABUSE)
                moderator = self.staff(slug, Role.ADMINISTRATOR)[0]
                actions.hide_comment(moderator, bad, T.HIDDEN_REASON)

    def bad_comment(self, plan: _Plan, text: str, reason: str) -> Comment:
        """A comment on the process's first idea, reported by two people."""
        idea = plan.ideas[0]
        author = plan.people[-1]
        comment = actions.add_comment(
            author, idea=idea, body=text, limit=False, now=idea.created_at + dt.timedelta(hours=3)
        )
        self.counts["comments"] += 1
        for reporter in [p for p in plan.people if p.pk != author.pk][:2]:
            actions.flag_comment(reporter, comment, reason)
        return comment


def run(ctx: DemoContext) -> None:
    region = ctx.administrations.get("region")
    if region is None:
        return
    seeder = _Seeder(ctx)
    for admin in [region, *ctx.municipalities]:
        seeder.plan(admin)
    seeder.load()
    seeder.decisions()
    # The spam filter, trained on the moderators' decisions planted above.
    for admin in [region, *ctx.municipalities]:
        actions.retrain_spam_filter(None, admin)
    ctx.record("participation", dict(seeder.counts))


SEED = DemoSeed(key="participation", order=40, run=run, app="participation")
