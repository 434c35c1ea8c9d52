"""What the staff survey found: per statement and per cell, the share who agree (4 or 5 on the
scale) and the mean, shown only where at least settings.PERCEPTION_MIN_RESPONSES people took
part and as many answered (a cell or statement with fewer says so and shows nothing else).

For the Scorecard (`perceived`), each administration of the scope contributes its latest round
that has opened and reached the threshold; their answers are pooled."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from insieme.core.figures import percent
from insieme.core.registry import Scope
from insieme.perception.models import Answer, Participation, Round
from insieme.perception.statements import AGREE, STATEMENTS


def threshold() -> int:
    return max(int(getattr(settings, "PERCEPTION_MIN_RESPONSES", 5)), 1)


@dataclass
class Tally:
    answers: int = 0
    agree: int = 0
    total: int = 0  # the sum of scores

    def add(self, score: int, n: int) -> None:
        self.answers += n
        self.total += score * n
        self.agree += n if score in AGREE else 0

    def shown(self) -> dict | None:
        """The figures, or None under the threshold."""
        if self.answers < threshold():
            return None
        share = self.agree / self.answers
        return {
            "answers": self.answers,
            "agree": self.agree,
            "agree_share": share,
            "agree_display": percent(share, unit="%"),
            "mean": round(self.total / self.answers, 2),
        }


def tallies(round_ids: list[int]) -> dict[str, Tally]:
    """{statement code: Tally} over the rounds, in one grouped query."""
    found: dict[str, Tally] = defaultdict(Tally)
    rows = (
        Answer.objects.filter(round_id__in=round_ids)
        .values_list("statement", "score")
        .annotate(n=Count("id"))
        .order_by()
    )
    for code, score, n in rows:
        found[code].add(score, n)
    return found


def participants(round_: Round) -> int:
    return Participation.objects.filter(round=round_).count()


def round_results(round_: Round) -> dict:
    """The statements' and cells' figures of one round (None each under the threshold); all of
    them None while fewer than the threshold took part."""
    people = participants(round_)
    enough = people >= threshold()
    by_code = tallies([round_.pk]) if enough else {}
    return {
        "participants": people,
        "enough": enough,
        "threshold": threshold(),
        "statements": [
            {"statement": s, "figures": by_code[s.code].shown() if s.code in by_code else None}
            for s in STATEMENTS
        ],
    }


def rounds_for(scope: Scope) -> list[Round]:
    """Each administration's latest round that has opened and reached the threshold."""
    counted = (
        Round.objects.filter(
            administration_id__in=scope.administration_ids, opens_on__lte=scope.today
        )
        .select_related("administration")
        .annotate(people=Count("participations"))
        .filter(people__gte=threshold())
        .order_by("administration_id", "-opens_on", "-id")
    )
    latest: dict[int, Round] = {}
    for r in counted:
        latest.setdefault(r.administration_id, r)
    return list(latest.values())


def perceived(scope: Scope) -> dict[str, dict | None]:
    """{cell: its perceived value, or None} for the Scorecard, over the scope's latest rounds."""
    rounds = rounds_for(scope)
    by_code = tallies([r.pk for r in rounds]) if rounds else {}
    people = sum(r.people for r in rounds)
    cells: dict[str, dict | None] = {}
    for cell in dict.fromkeys(s.cell for s in STATEMENTS):
        pooled = Tally()
        statements = []
        for s in (s for s in STATEMENTS if s.cell == cell):
            tally = by_code.get(s.code, Tally())
            # Only statements shown on their own are pooled: pooling one under the threshold
            # would let the cell minus its other statement reveal it.
            if tally.shown() is not None:
                pooled.answers += tally.answers
                pooled.agree += tally.agree
                pooled.total += tally.total
            statements.append(
                {
                    "code": s.code,
                    "text": str(s.text),
                    **(tally.shown() or {"answers": tally.answers}),
                }
            )
        figures = pooled.shown()
        cells[cell] = (
            None
            if figures is None
            else {
                **figures,
                "respondents": people,
                "rounds": [
                    {
                        "administration": r.administration.slug,
                        "opens_on": r.opens_on.isoformat(),
                        "closes_on": r.closes_on.isoformat(),
                    }
                    for r in rounds
                ],
                "statements": statements,
            }
        )
    return cells
