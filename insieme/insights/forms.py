"""The thresholds form: two numbers per indicator that has a better direction; shares are
entered as percentages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insieme.core.forms_staff import StaffForm
from insieme.core.registry import Indicator, indicators


def judged_indicators() -> list[Indicator]:
    found = [i for i in indicators if i.better in ("higher", "lower")]
    return sorted(found, key=lambda i: (i.cell[0], i.cell, i.key))


def scale(indicator: Indicator) -> float:
    """What a stored value is multiplied by to read as entered (shares as percentages)."""
    return 100.0 if indicator.unit == "share" else 1.0


class ThresholdsForm(StaffForm):
    def __init__(self, *args, current: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for indicator in judged_indicators():
            factor = scale(indicator)
            pair = current.get(indicator.key)
            bounds = {"min_value": 0, "max_value": 100} if factor == 100 else {}
            names = []
            for part, label in (
                ("realised", _("Benefit realised from")),
                ("challenge", _("Challenge present from")),
            ):
                name = f"{indicator.key}__{part}"
                self.fields[name] = forms.FloatField(
                    label=label, required=False, initial=None, **bounds
                )
                if pair is not None:
                    self.fields[name].initial = round(getattr(pair, part) * factor, 6)
                names.append(name)
            self.rows.append((indicator, factor, names))

    def pairs(self) -> list[tuple[Indicator, float | None, float | None]]:
        """(indicator, realised, challenge) as stored (shares back to fractions)."""
        out = []
        for indicator, factor, (r_name, c_name) in self.rows:
            realised, challenge = self.cleaned_data.get(r_name), self.cleaned_data.get(c_name)
            out.append(
                (
                    indicator,
                    None if realised is None else realised / factor,
                    None if challenge is None else challenge / factor,
                )
            )
        return out

    def bound_rows(self):
        return [
            (indicator, factor, [self[n] for n in names]) for indicator, factor, names in self.rows
        ]
