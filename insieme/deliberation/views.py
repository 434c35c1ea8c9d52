"""Public pages of deliberation, under a process's address
(/participation/<administration>/<process>/deliberation/):

- the conversation: its question, the next statement to vote on (agree, disagree, pass), every
  accepted statement with the person's own vote (changeable), a form to add a statement (it waits
  for a moderator), and the person's own statements still waiting or turned down;
- the report: the opinion groups as a map (an SVG drawn here) and a table, each group's
  representative statements, the consensus statements and the group-informed consensus.

Who sees a conversation is who sees its process (insieme.deliberation.access, 404 for missing and
forbidden alike). Writes go through insieme.deliberation.actions. Everything works without
JavaScript: each vote is a form that posts and comes back to the page. The report shows no
person: participants are dots, groups are letters.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insieme.catalog import i18n
from insieme.core.models import today_in
from insieme.deliberation import access, actions, opinion
from insieme.deliberation.forms import StatementForm, VoteForm
from insieme.deliberation.models import Conversation, Participant, Statement, Vote

STATEMENTS_PER_PAGE = 50
TOP_CONSENSUS = 10
MAX_DOTS = 3000  # a bigger conversation's map draws an even sample of its participants

VOTE_LABELS = {
    Vote.Value.AGREE: Vote.Value.AGREE.label,
    Vote.Value.DISAGREE: Vote.Value.DISAGREE.label,
    Vote.Value.PASS: Vote.Value.PASS.label,
}


def conversation_url(conversation: Conversation) -> str:
    process = conversation.process
    return reverse("deliberation_conversation", args=[process.administration.slug, process.slug])


def _shown(statement: Statement) -> Statement:
    """The statement's text in the visitor's language (its own text when untranslated)."""
    statement.shown = i18n.text(statement, "text")
    return statement


# --- the conversation -------------------------------------------------------------------------


def pick_next(unvoted: list[Statement], seed: str) -> Statement | None:
    """The statement to show a participant next, drawn as Pol.is draws it: at random, weighted by
    each statement's priority (opinion.priority: divisive, engaging and new statements first,
    meta statements early), so that every statement keeps a chance of being seen. The draw is
    seeded by the person and how many votes they cast, so a reload shows the same statement."""
    if not unvoted:
        return None
    weights = [
        opinion.META_PRIORITY**2
        if s.is_meta
        else (s.priority if s.priority is not None else opinion.NEW_STATEMENT_PRIORITY)
        for s in unvoted
    ]
    if not any(w > 0 for w in weights):
        return unvoted[0]
    return random.Random(seed).choices(unvoted, weights=weights)[0]


def _conversation_context(request: HttpRequest, conversation: Conversation) -> dict:
    """Everything the page shows, in a fixed number of queries whatever the number of statements
    and votes: the phases, the page of statements (count and rows), and for a signed-in person
    their participant row, their votes, their next statement and their own statements."""
    process = conversation.process
    user = request.user
    phases = list(process.phases.all())
    closed = actions.votes_closed(conversation, today_in(process.administration), phases)
    accepted = Statement.objects.filter(
        conversation=conversation, status=Statement.Status.ACCEPTED
    ).only(
        "pk",
        "conversation_id",
        "text",
        "language",
        "translations",
        "is_meta",
        "is_seed",
        "priority",
    )
    page = Paginator(accepted.order_by("pk"), STATEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [_shown(s) for s in page.object_list]
    mine: dict[int, int] = {}
    own: list[Statement] = []
    next_statement = None
    if user.is_authenticated:
        participant = Participant.objects.filter(conversation=conversation, user=user).first()
        if participant is not None:
            mine = dict(
                Vote.objects.filter(
                    participant=participant, statement__status=Statement.Status.ACCEPTED
                ).values_list("statement_id", "value")
            )
            own = [
                _shown(s)
                for s in Statement.objects.filter(author=participant)
                .exclude(status=Statement.Status.ACCEPTED)
                .order_by("-pk")
            ]
            unvoted = accepted.exclude(
                pk__in=Vote.objects.filter(participant=participant).values("statement_id")
            )
        else:
            unvoted = accepted
        next_statement = pick_next(
            list(unvoted.order_by("pk")), f"{conversation.pk}:{user.pk}:{len(mine)}"
        )
        if next_statement is not None:
            _shown(next_statement)
    for row in rows:
        value = mine.get(row.pk)
        row.my_vote = VOTE_LABELS.get(value) if value is not None else ""
        row.my_key = {1: "agree", -1: "disagree", 0: "pass"}.get(value, "")
    return {
        "conversation": conversation,
        "question": i18n.text(conversation, "question"),
        "process": process,
        "admin": process.administration,
        "closed": closed,
        "page": page,
        "statements": rows,
        "total": page.paginator.count,
        "voted": len(mine),
        "next_statement": next_statement,
        "own": own,
        "takes_statements": conversation.accepts_statements and not closed,
    }


def _render_conversation(
    request: HttpRequest,
    conversation: Conversation,
    *,
    statement_form: StatementForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _conversation_context(request, conversation)
    if request.user.is_authenticated and context["takes_statements"]:
        context["statement_form"] = statement_form or StatementForm()
    elif statement_form is not None and statement_form.errors:
        # The form is not shown (the conversation stopped taking statements): say why here.
        error = " ".join(m for errors in statement_form.errors.values() for m in errors)
    context["error"] = error
    return render(request, "deliberation/conversation.html", context, status=status)


@require_GET
def conversation_page(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, admin_slug, process_slug)
    return _render_conversation(request, conversation)


@login_required
@require_POST
def vote(request: HttpRequest, admin_slug: str, process_slug: str, pk: int) -> HttpResponse:
    """A vote from the next-statement card or from the list (which sends its page back)."""
    conversation = access.get_conversation_for_user(request.user, admin_slug, process_slug)
    statement = access.get_votable_statement(conversation, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        problem = form.errors.get("vote") or [_("A vote is agree, disagree or pass.")]
        return _render_conversation(request, conversation, error=problem[0], status=400)
    try:
        actions.cast_vote(request.user, statement, form.value)
    except ValidationError as exc:
        return _render_conversation(request, conversation, error=" ".join(exc.messages), status=400)
    messages.success(
        request, _("Your vote is recorded: %(vote)s.") % {"vote": VOTE_LABELS[form.value]}
    )
    url = conversation_url(conversation)
    if form.cleaned_data.get("page"):
        return redirect(f"{url}?page={form.cleaned_data['page']}#statement-{statement.pk}")
    return redirect(f"{url}#next")


@login_required
@require_POST
def statement_new(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, admin_slug, process_slug)
    form = StatementForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.add_statement(
                request.user,
                conversation,
                form.cleaned_data["text"],
                i18n.current(getattr(request, "LANGUAGE_CODE", None)),
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        except PermissionDenied as exc:  # the rate limit: too many statements in an hour
            form.add_error(None, str(exc))
            status = 429
        else:
            messages.success(
                request,
                _(
                    "Thank you: your statement waits for a moderator. Once accepted, everyone "
                    "can vote on it."
                ),
            )
            return redirect(conversation_url(conversation) + "#your-statements")
    return _render_conversation(request, conversation, statement_form=form, status=status)


# --- the report -------------------------------------------------------------------------------

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), each group with its own shape too,
# so that no one needs to tell colours apart.
GROUP_COLOURS = ["#0072B2", "#C44E00", "#1B7F3B", "#A2307A", "#6B5B00"]
GROUP_SHAPES = ["circle", "square", "triangle", "diamond", "cross"]
UNGROUPED_COLOUR = "#6F6F6F"
WIDTH, HEIGHT, MARGIN = 640, 400, 24


def group_letter(number: int) -> str:
    return chr(ord("A") + number) if 0 <= number < 26 else str(number + 1)


def _computation(conversation: Conversation):
    """The latest opinion groups, computed afresh when votes moved since and the latest is older
    than actions.REFRESH_EVERY_SECONDS (or when there is none yet and someone voted)."""
    latest = conversation.computations.first()
    if latest is None:
        return actions.compute_groups(conversation) if conversation.version else None
    recent = timezone.now() - dt.timedelta(seconds=actions.REFRESH_EVERY_SECONDS)
    if latest.version != conversation.version and latest.computed_at <= recent:
        return actions.compute_groups(conversation)
    return latest


def _mark(shape: str, x: float, y: float, r: float, colour: str) -> str:
    """One participant's mark: only numbers and a fixed colour go into it."""
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{colour}"/>'
    if shape == "triangle":
        points = (
            f"{x:.1f},{y - r * 1.2:.1f} {x - r * 1.1:.1f},{y + r:.1f} {x + r * 1.1:.1f},{y + r:.1f}"
        )
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        d = r * 1.3
        points = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "cross":
        return (
            f'<path d="M{x - r:.1f} {y - r:.1f}L{x + r:.1f} {y + r:.1f}M{x + r:.1f} {y - r:.1f}'
            f'L{x - r:.1f} {y + r:.1f}" stroke="{colour}" stroke-width="1.8"/>'
        )
    if shape == "ring":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="none" stroke="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}"/>'


def group_map(result: dict, groups: list[dict], label: str) -> str:
    """The opinion map as inline SVG: each participant a small mark of their group's colour and
    shape (participants not in a group yet: grey rings), each group's letter at its middle.
    Nothing in it names or numbers a person."""
    coordinates = result.get("coordinates") or {}
    group_of = result.get("groups") or {}
    keys = sorted(coordinates, key=lambda k: (len(k), k))
    if len(keys) > MAX_DOTS:
        step = len(keys) / MAX_DOTS
        keys = [keys[int(i * step)] for i in range(MAX_DOTS)]
    xs = [float(coordinates[k][0]) for k in keys] or [0.0]
    ys = [float(coordinates[k][1]) for k in keys] or [0.0]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (WIDTH - 2 * MARGIN) / (x1 - x0) if x1 > x0 else 0.0
    sy = (HEIGHT - 2 * MARGIN) / (y1 - y0) if y1 > y0 else 0.0

    def place(x: float, y: float) -> tuple[float, float]:
        px = MARGIN + (x - x0) * sx if sx else WIDTH / 2
        py = HEIGHT - MARGIN - (y - y0) * sy if sy else HEIGHT / 2
        return px, py

    marks, sums = [], {}
    for key in keys:
        x, y = place(float(coordinates[key][0]), float(coordinates[key][1]))
        number = group_of.get(key)
        if number is None or number < 0:
            marks.append(_mark("ring", x, y, 2.5, UNGROUPED_COLOUR))
            continue
        style = groups[number] if number < len(groups) else None
        colour = style["colour"] if style else UNGROUPED_COLOUR
        shape = style["shape"] if style else "circle"
        marks.append(_mark(shape, x, y, 3.0, colour))
        sx_, sy_, n = sums.get(number, (0.0, 0.0, 0))
        sums[number] = (sx_ + x, sy_ + y, n + 1)
    labels = []
    for number, (tx, ty, n) in sorted(sums.items()):
        if number < len(groups):
            labels.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" dominant-baseline="middle" '
                    'font-size="18" font-weight="700" fill="#1a1a1a" stroke="#ffffff" '
                    'stroke-width="4" paint-order="stroke">{}</text>',
                    f"{tx / n:.1f}",
                    f"{ty / n:.1f}",
                    groups[number]["name"],
                )
            )
    return format_html(
        '<svg class="opinion-map" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        '<rect x="0.5" y="0.5" width="{}" height="{}" fill="#ffffff" stroke="#8a8a8a"/>'
        "{}{}</svg>",
        label,
        WIDTH,
        HEIGHT,
        WIDTH - 1,
        HEIGHT - 1,
        mark_safe("".join(marks)),  # numbers and fixed colours only (see _mark)
        format_html_join("", "{}", ((item,) for item in labels)),
    )


def _swatch(group: dict) -> str:
    """The group's mark for the table and the lists, hidden from screen readers (the letter
    says it)."""
    return format_html(
        '<svg class="group-swatch" aria-hidden="true" focusable="false" width="14" height="14" '
        'viewBox="0 0 14 14">{}</svg>',
        mark_safe(_mark(group["shape"], 7, 7, 5, group["colour"])),  # see _mark
    )


def _tally(conversation: Conversation, statement_ids: set[int], group_of: dict) -> dict:
    """{(statement, group): [agree, disagree, voted]} over the grouped participants' current
    votes on these statements (one query)."""
    counts: dict[tuple[int, int], list[int]] = {}
    if not statement_ids:
        return counts
    rows = Vote.objects.filter(
        conversation=conversation, statement_id__in=statement_ids
    ).values_list("participant_id", "statement_id", "value")
    for participant_id, statement_id, value in rows.iterator(chunk_size=5000):
        number = group_of.get(str(participant_id))
        if number is None or number < 0:
            continue
        cell = counts.setdefault((statement_id, number), [0, 0, 0])
        cell[2] += 1
        if value == 1:
            cell[0] += 1
        elif value == -1:
            cell[1] += 1
    return counts


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def report_context(conversation: Conversation, computation) -> dict:
    """The report's groups, statements and map from one computation; no person is named."""
    result = (computation.result if computation else None) or {}
    sizes = [int(s) for s in result.get("group_sizes") or []]
    grouped = sum(sizes)
    groups = [
        {
            "number": number,
            "letter": group_letter(number),
            "name": _("Group %(letter)s") % {"letter": group_letter(number)},
            "size": size,
            "share": _percent(size, grouped) or 0,
            "colour": GROUP_COLOURS[number % len(GROUP_COLOURS)],
            "shape": GROUP_SHAPES[number % len(GROUP_SHAPES)],
        }
        for number, size in enumerate(sizes)
    ]
    for group in groups:
        group["swatch"] = _swatch(group)
    repness = result.get("repness") or {}
    consensus = result.get("consensus") or {}
    informed = result.get("group_informed_consensus") or {}
    top = sorted(informed.items(), key=lambda kv: (-float(kv[1]), int(kv[0])))[:TOP_CONSENSUS]
    wanted = {int(r["statement_id"]) for items in repness.values() for r in items}
    wanted |= {int(c["statement_id"]) for items in consensus.values() for c in items}
    wanted |= {int(sid) for sid, _value in top}
    texts = {
        s.pk: _shown(s)
        for s in Statement.objects.filter(
            conversation=conversation, pk__in=wanted, status=Statement.Status.ACCEPTED
        ).only("pk", "text", "language", "translations", "is_meta")
    }
    group_of = {k: int(v) for k, v in (result.get("groups") or {}).items()}
    rep_ids = {int(r["statement_id"]) for items in repness.values() for r in items}
    tally = _tally(conversation, rep_ids & set(texts), group_of)
    for group in groups:
        items = []
        for rep in repness.get(str(group["number"])) or []:
            statement = texts.get(int(rep["statement_id"]))
            if statement is None:
                continue
            column = 0 if rep["repful_for"] == "agree" else 1
            mine = tally.get((statement.pk, group["number"]), [0, 0, 0])
            others = [
                sum(tally.get((statement.pk, g["number"]), [0, 0, 0])[i] for g in groups) - mine[i]
                for i in range(3)
            ]
            items.append(
                {
                    "statement": statement,
                    "agree": rep["repful_for"] == "agree",
                    "direction": Vote.Value.AGREE.label
                    if rep["repful_for"] == "agree"
                    else Vote.Value.DISAGREE.label,
                    "group_share": _percent(mine[column], mine[2]),
                    "group_voted": mine[2],
                    "others_share": _percent(others[column], others[2]),
                    "others_voted": others[2],
                }
            )
        group["representative"] = items
    agreed = []
    for direction in ("agree", "disagree"):
        for item in consensus.get(direction) or []:
            statement = texts.get(int(item["statement_id"]))
            if statement is not None:
                agreed.append(
                    {
                        "statement": statement,
                        "agree": direction == "agree",
                        "direction": Vote.Value.AGREE.label
                        if direction == "agree"
                        else Vote.Value.DISAGREE.label,
                        "share": _percent(int(item["n_success"]), int(item["n_trials"])),
                        "voted": int(item["n_trials"]),
                    }
                )
    ranking = [
        {"statement": texts[int(sid)], "score": round(float(value) * 100)}
        for sid, value in top
        if int(sid) in texts
    ]
    context = {
        "computation": computation,
        "groups": groups,
        "grouped": grouped,
        "consensus": agreed,
        "ranking": ranking,
    }
    if groups:
        summary = "; ".join(
            _("%(name)s: %(size)d participants (%(share)d%%)")
            % {"name": g["name"], "size": g["size"], "share": g["share"]}
            for g in groups
        )
        label = _(
            "Map of the opinion groups: %(grouped)d participants in %(k)d groups. %(summary)s. "
            "Each mark is a participant; people who voted alike are close together."
        ) % {"grouped": grouped, "k": len(groups), "summary": summary}
        context["map"] = group_map(result, groups, label)
        context["sampled"] = len(result.get("coordinates") or {}) > MAX_DOTS
    return context


@require_GET
def report(request: HttpRequest, admin_slug: str, process_slug: str) -> HttpResponse:
    conversation = access.get_conversation_for_user(request.user, admin_slug, process_slug)
    computation = _computation(conversation)
    process = conversation.process
    context = report_context(conversation, computation)
    context.update(
        {
            "conversation": conversation,
            "question": i18n.text(conversation, "question"),
            "process": process,
            "admin": process.administration,
            "max_dots": MAX_DOTS,
        }
    )
    return render(request, "deliberation/report.html", context)
