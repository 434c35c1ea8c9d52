"""The Scorecard report (issue 14): the seventeen cells as of a chosen day, as a page that
prints cleanly and as a PDF from the same template, and every indicator's series as CSV.
Readers of the Scorecard only; impossible days and formats get a 400."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from insieme.core.cells import CELLS
from insieme.core.models import today_in
from insieme.core.registry import Indicator, IndicatorResult, indicators, register_indicator

pytestmark = pytest.mark.django_db

URL = "/staff/montalto/scorecard/report/"
SERIES = URL + "series.csv"


def _day_number(scope) -> IndicatorResult:
    value = float(scope.today.toordinal() % 1000)
    return IndicatorResult(value=value, display=f"=HYPERLINK {value:.0f}")


@pytest.fixture
def dial():
    """A D4 indicator that reads a 30-day period and measures the scope's day itself; its
    display starts like a spreadsheet formula."""
    key = "test-report-dial"
    register_indicator(
        Indicator(
            key=key,
            cell="D4",
            title="=Dial",
            method="The day's number.",
            unit="days",
            compute=_day_number,
            better="higher",
            period_days=30,
        )
    )
    yield key
    indicators.unregister(key)


def test_the_page_has_the_seventeen_cells(persona_client, alice, montalto):
    page = persona_client(alice).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for code in CELLS:
        assert f'id="report-cell-{code}"' in html, code
    assert 'href="/static/reports/report.css"' in html
    assert html.count("What employees report:") == html.count("What residents say:") == 17
    assert f"as_of={today_in(montalto).isoformat()}" in html  # the download links keep the day


def test_as_of_a_past_day(persona_client, alice, dial):
    day = dt.date(2026, 3, 15)
    page = persona_client(alice).get(URL, {"as_of": day.isoformat(), "scope": "self"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{day.toordinal() % 1000}" in html
    assert f"{(day - dt.timedelta(days=30)).toordinal() % 1000}" in html  # the period before


def test_the_pdf_has_the_seventeen_cells(persona_client, alice):
    response = persona_client(alice).get(URL, {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="scorecard-montalto')
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for code, cell in CELLS.items():
        assert f"{code} · {cell.title}" in text, code


def test_the_pdf_in_italian(persona_client, alice, settings):
    client = persona_client(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    response = client.get(URL, {"format": "pdf"})
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rapporto della Scorecard" in text
    assert "Rendicontazione" in text  # T2's title in Italian


def test_the_series_as_csv(persona_client, alice, dial):
    day = dt.date(2026, 6, 30)
    response = persona_client(alice).get(SERIES, {"as_of": day.isoformat(), "points": 3})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    mine = [r for r in rows if r[0] == "test-report-dial"]
    assert [r[5] for r in mine] == ["2026-06-30", "2026-05-31", "2026-05-01"]
    assert [float(r[6]) for r in mine] == [
        float(dt.date.fromisoformat(r[5]).toordinal() % 1000) for r in mine
    ]
    assert mine[0][2] == "'=Dial"  # text that starts like a formula is kept as text
    # A state has one value, today's.
    load = [r for r in rows if r[0] == "cases-i3-load"]
    assert len(load) == 1 and load[0][4] == ""


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"as_of": "2999-01-01"}, "A report cannot be as of a day still to come."),
        ({"as_of": "1999-12-31"}, "A report can go back to"),
        ({"as_of": "31/02/2026"}, "Enter a valid date."),
        ({"scope": "everything"}, "Select a valid choice."),
        ({"format": "docx"}, "The report comes as a page (html) or as a PDF (pdf) only."),
    ],
)
def test_impossible_values_get_a_clear_400(persona_client, alice, query, message):
    page = persona_client(alice).get(URL, query)
    assert page.status_code == 400
    assert message in page.content.decode()


@pytest.mark.parametrize("points", ["0", "25", "many"])
def test_impossible_points_get_a_400(persona_client, alice, points):
    assert persona_client(alice).get(SERIES, {"points": points}).status_code == 400


def test_only_scorecard_readers(persona_client, client, bob, charlie, oscar, montalto):
    for url in (URL, SERIES):
        assert client.get(url).status_code == 302  # to the sign-in page
        assert persona_client(charlie).get(url).status_code == 404
        assert persona_client(oscar).get(url).status_code == 404  # another administration
        assert persona_client(bob).get(url).status_code in (403, 404)  # an officer


def test_the_scorecard_links_to_its_report(persona_client, alice):
    html = persona_client(alice).get("/staff/montalto/scorecard/?scope=self").content.decode()
    assert 'href="/staff/montalto/scorecard/report/?scope=self" id="scorecard-report"' in html
