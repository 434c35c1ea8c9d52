"""Counting the ballots and choosing the funded projects (pure: no database).

The method, as the results page states it: each project's votes are the ballots that chose it
(on a ballot within the budget and on an approval ballot alike, a ballot counts once per project
it chose). Projects are ranked by votes, most first; ties go to the lower cost, then to the
order staff gave the projects. Walking down the ranking, a project is funded when its cost fits
what is left of the budget; one that does not fit is passed over, and cheaper projects below it
may still be funded ("greedy" allocation, as Decidim and CONSUL Democracy do). A project
nobody chose is never funded.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    pk: int
    cost: int
    votes: int
    position: int
    rank: int = 0
    funded: bool = False


@dataclass
class Outcome:
    rows: list[Row]
    spent: int
    remaining: int

    @property
    def funded(self) -> list[Row]:
        return [r for r in self.rows if r.funded]


def allocate(rows: list[Row], total: int) -> Outcome:
    """Rank `rows` and fund them greedily within `total` (see the module's docstring)."""
    ranked = sorted(rows, key=lambda r: (-r.votes, r.cost, r.position, r.pk))
    remaining = total
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
        row.funded = row.votes > 0 and row.cost <= remaining
        if row.funded:
            remaining -= row.cost
    return Outcome(rows=ranked, spent=total - remaining, remaining=remaining)
