"""The Scorecard's CSV downloads write numbers raw and guard text only (issue 14, item 8): a
negative trend was written as text ("'-16%") and decimals in the page's language ("2,27")."""

from __future__ import annotations

import csv
import io

from django.utils import translation

from insieme.core.figures import figure, percent
from insieme.core.registry import IndicatorResult
from insieme.insights.scorecard import csv_text


def rows_of(result: IndicatorResult) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text(result).lstrip("\ufeff"))))


def test_figures_are_written_as_numbers_in_any_language():
    with translation.override("it"):
        cells = [
            figure(-16.3, 0, "%", sign=True),
            figure(2.268, 2),
            percent(0.5, unit="%"),
            figure(1234.5, 1),
            "=HYPERLINK(x)",
            "-esempio",
            7,
            None,
        ]
        assert cells[:4] == ["-16%", "2,27", "50%", "1234,5"]  # the page shows these
        result = IndicatorResult(value=1, display="", columns=list("abcdefgh"), rows=[cells])
        written = rows_of(result)[1]
    assert written == ["-16", "2.27", "50", "1234.5", "'=HYPERLINK(x)", "'-esempio", "7", ""]


def test_a_positive_trend_keeps_its_sign_on_the_page_only():
    shown = figure(12.4, 0, "%", sign=True)
    assert shown == "+12%"
    result = IndicatorResult(value=1, display="", columns=["t"], rows=[[shown]])
    assert rows_of(result)[1] == ["12"]
