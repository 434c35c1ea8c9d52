"""Figures as people read them: rounded half up (89.7 % reads 90 %, 2.5 reads 3), then written
in the active language's format. Every indicator's headline and rows use these, so that the two
never disagree."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.formats import number_format


def rounded(value: float, digits: int = 0) -> Decimal:
    """`value` rounded half up to `digits` decimals. Float noise is shed first (57 / 200 * 100
    is 28.499999999999996 as a float, and reads 29 as 28.5 does): any share of counts below a
    hundred million is at least 1e-8 away from a real half."""
    exact = Decimal(repr(float(value))).quantize(Decimal("1e-10"))
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


class Figure(str):
    """A figure as shown (localised text, with its unit) that remembers its number: pages show
    the text, CSV downloads write the number (raw, as spreadsheets read it: "-16" for "-16%",
    "2.27" for the Italian "2,27"; issue 14, item 8)."""

    number: Decimal

    def __new__(cls, text: str, number: Decimal) -> Figure:
        made = super().__new__(cls, text)
        made.number = number
        return made


def figure(value: float | None, digits: int = 1, unit: str = "", sign: bool = False) -> str:
    """A localised number rounded half up (a Figure, `unit` after it, "+" before a positive
    one with `sign`); "—" for no value."""
    if value is None:
        return "—"
    number = rounded(value, digits)
    text = number_format(number, digits)
    return Figure(("+" if sign and number > 0 else "") + text + unit, number)


def percent(share: float | None, digits: int = 0, unit: str = "") -> str:
    """A share (0..1) as a localised percentage, rounded half up (`unit` "%" to show it)."""
    return figure(None if share is None else share * 100, digits, unit)


def percent_of(numerator: int, denominator: int, digits: int = 0) -> str:
    """numerator / denominator as a localised percentage, rounded half up from the exact
    fraction (57 of 200 is 28.5 %, which a float would hold as 28.4999... and round down)."""
    exact = Fraction(numerator * 100, denominator) * 10**digits
    whole = (
        (exact + Fraction(1, 2)).__floor__()
        if exact >= 0
        else -((-exact + Fraction(1, 2)).__floor__())
    )
    return number_format(Decimal(whole).scaleb(-digits), digits)


def cases_to_move(loads: list[int], capacities: list[int]) -> int:
    """The fewest cases that must change hands for a team's open cases to be shared in
    proportion to capacity, as evenly as whole cases allow (issue 14, item 4).

    Each person's fair share is the team's cases × their capacity ÷ the team's capacity; a share
    of whole cases is that rounded down or up, the ups going first to those who already hold
    more than the rounded-down share (so no case moves needlessly). One case held by one of two
    people moves nothing; thirty held by one of two move fifteen, where a ratio of spreads
    read the same for both."""
    if len(loads) != len(capacities):
        raise ValueError("one capacity per load")
    total, room = sum(loads), sum(capacities)
    if not total or not room:
        return 0
    shares = [Fraction(total * c, room) for c in capacities]
    floors = [s.__floor__() for s in shares]
    ups = total - sum(floors)
    # Who gets one more: first who holds more than the floor (most above it first), then the
    # largest remainders; rounding up anyone else only moves a case to them.
    # A whole share has no "up": it is the share.
    order = sorted(
        (i for i in range(len(loads)) if shares[i] != floors[i]),
        key=lambda i: (loads[i] <= floors[i], -(loads[i] - floors[i]), -(shares[i] - floors[i])),
    )
    targets = list(floors)
    for i in order[:ups]:
        targets[i] += 1
    return sum(max(load - target, 0) for load, target in zip(loads, targets, strict=True))
