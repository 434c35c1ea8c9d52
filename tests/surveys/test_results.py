"""Results: the staff's figures (counts, shares, distribution, mean, median, the texts), the
public results (choice and scale totals only, small counts hidden, never a text), and the CSV
export (one row per response, no identity, formulas neutralised, headers in the staff member's
language)."""

from __future__ import annotations

import csv
import io

import pytest

from insieme.surveys import actions, results
from tests.conftest import make_user
from tests.surveys.conftest import answers, as_values, make_survey, qs, staff_url, survey_url


def answer(survey, user=None, **kwargs):
    return actions.submit_response(user, survey, as_values(answers(survey, **kwargs)), limit=False)


@pytest.fixture
def answered(survey):
    """12 responses: 7 web, 3 sportello, 2 telefono; scale 5×4, 4×5, 3×3."""
    plan = (
        [("web", ["tempi"], "5")] * 4
        + [("web", ["tempi", "moduli"], "4")] * 3
        + [("sportello", [], "4")] * 2
        + [("sportello", ["orari"], "3")]
        + [("telefono", [], "3")] * 2
    )
    for n, (single, multiple, scale) in enumerate(plan):
        answer(
            survey,
            single=single,
            multiple=multiple,
            scale=scale,
            text=f"testo {n}" if n < 2 else "",
        )
    return survey


def test_the_staff_figures(answered):
    summary = results.summarise(answered, qs(answered), public=False)
    assert summary.responses == 12
    single, multiple, scale, text = summary.questions
    assert [(r.key, r.count, r.share) for r in single.rows] == [
        ("web", 7, 58.3),
        ("sportello", 3, 25.0),
        ("telefono", 2, 16.7),
    ]
    assert multiple.answered == 8
    assert [(r.key, r.count, r.share) for r in multiple.rows] == [
        ("tempi", 7, 87.5),
        ("moduli", 3, 37.5),
        ("orari", 1, 12.5),
    ]
    assert [r.count for r in scale.rows] == [0, 0, 3, 5, 4]
    assert scale.mean == round((3 * 3 + 5 * 4 + 4 * 5) / 12, 2) and scale.median == 4
    assert sorted(text.texts) == ["testo 0", "testo 1"]


def test_the_staff_results_page_has_a_table_per_question_and_the_texts(
    persona_client, carla, answered
):
    page = persona_client(carla).get(staff_url(answered, "results/")).content.decode()
    assert page.count("<table") == 3 and page.count("<caption>") == 3
    assert "testo 0" in page and "Mean 4.08, median 4." in page
    assert "Answers to question 1: 12 people answered." in page


def test_public_results_hide_small_counts_and_every_text(client, montalto, carla, answered):
    assert client.get(survey_url(answered, "results/")).status_code == 404  # not public yet
    actions.update_survey(carla, answered, results_public=True)
    page = client.get(survey_url(answered, "results/")).content.decode()
    assert "testo" not in page and "Un suggerimento?" not in page
    summary = results.summarise(answered, qs(answered), public=True)
    assert len(summary.questions) == 3  # no text question
    single, multiple, scale = summary.questions
    # 3 and 2 are below 5: both hidden (and no single hidden count left to subtract).
    assert [(r.key, r.hidden, r.share) for r in single.rows] == [
        ("web", False, 58.3),
        ("sportello", True, None),
        ("telefono", True, None),
    ]
    # Multiple choices are no partition: the one small count is hidden alone.
    assert [(r.key, r.hidden) for r in multiple.rows] == [
        ("tempi", False),
        ("moduli", True),
        ("orari", True),
    ]
    # Scale: 3 is hidden, so the next smallest (4) goes too; zeros stay; no mean nor median.
    assert [(r.count, r.hidden) for r in scale.rows] == [
        (0, False),
        (0, False),
        (3, True),
        (5, False),
        (4, True),
    ]
    assert scale.mean is None and scale.median is None
    assert "fewer than 5" in page
    assert '<td class="text-end">3</td>' not in page and '<td class="text-end">2</td>' not in page
    assert "12 people have answered so far." in page


def test_a_question_answered_by_fewer_than_five_shows_no_figure(client, montalto, carla, service):
    survey = make_survey(montalto, carla, service=service, results_public=True)
    for _n in range(3):
        answer(survey, single="web")
    page = client.get(survey_url(survey, "results/")).content.decode()
    assert "Fewer than 5 people have answered so far." in page
    assert "Fewer than 5 people answered this question" in page
    assert "<table" not in page


def test_public_results_of_a_draft_are_not_found(client, montalto, carla, service):
    draft = make_survey(montalto, carla, service=service, open_it=False, results_public=True)
    assert client.get(survey_url(draft, "results/")).status_code == 404


def test_the_csv_export(persona_client, carla, answered):
    charlie = make_user("rosa@example.org", "Rosa Rossi")
    answer(
        answered,
        charlie,
        single="sportello",
        multiple=["moduli", "orari"],
        scale="2",
        text='=HYPERLINK("http://x")',
    )
    answer(answered, single="web", text="+39 333 1234567")
    answer(answered, single="web", text="@SUM(A1)")
    response = persona_client(carla).get(staff_url(answered, "results.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == [
        "Response",
        "Submitted at",
        "Language",
        "1. How did you use the service?",
        "2. What would you improve?",
        "3. How satisfied are you?",
        "4. A suggestion?",
    ]
    assert len(rows) == 1 + 15
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 16)]
    rosa = rows[13]
    assert rosa[3:] == ["At the counter", "Forms; Opening hours", "2", '\'=HYPERLINK("http://x")']
    assert rows[14][6] == "'+39 333 1234567" and rows[15][6] == "'@SUM(A1)"
    assert (
        "rosa" not in body.lower()
        and "Rossi" not in body
        and str(charlie.pk) not in [r[0] for r in rows[14:]]
    )
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_csv_headers_follow_the_staff_members_language(persona_client, carla, answered):
    client = persona_client(carla)
    client.cookies["django_language"] = "it"
    body = client.get(
        staff_url(answered, "results.csv"), HTTP_ACCEPT_LANGUAGE="it"
    ).content.decode()
    header = next(csv.reader(io.StringIO(body[1:])))
    assert header[3:] == [
        "1. Come hai usato il servizio?",
        "2. Che cosa miglioreresti?",
        "3. Quanto sei soddisfatto?",
        "4. Un suggerimento?",
    ]
    assert header[:3] == ["Risposta", "Inviata il", "Lingua"]
    assert "Allo sportello" in body or "Online" in body


def test_the_results_and_the_export_read_a_fixed_number_of_queries(
    django_assert_max_num_queries, persona_client, carla, answered
):
    client = persona_client(carla)
    counts = {}
    for tail in ("results/", "results.csv"):
        client.get(staff_url(answered, tail))
        with django_assert_max_num_queries(20) as done:
            client.get(staff_url(answered, tail))
        counts[tail] = len(done.captured_queries)
    for _n in range(10):
        answer(answered, single="telefono", multiple=["orari"], text="ancora")
    for tail, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(staff_url(answered, tail)).status_code == 200


def test_the_survey_list_reads_a_fixed_number_of_queries(
    django_assert_max_num_queries, persona_client, montalto, carla, service
):
    client = persona_client(carla)
    make_survey(montalto, carla, service=service)
    client.get("/staff/montalto/surveys/")
    with django_assert_max_num_queries(10) as first:
        client.get("/staff/montalto/surveys/")
    for n in range(5):
        make_survey(montalto, carla, service=service, title=f"S{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/staff/montalto/surveys/").status_code == 200


def test_the_results_pages_in_italian(client, persona_client, carla, answered):
    actions.update_survey(carla, answered, results_public=True)
    client.cookies["django_language"] = "it"
    public = client.get(survey_url(answered, "results/"), HTTP_ACCEPT_LANGUAGE="it")
    page = public.content.decode()
    assert "Risultati: Soddisfazione" in page and "meno di 5" in page
    assert "Finora hanno risposto 12 persone." in page and "Allo sportello" in page
    staff = persona_client(carla)
    staff.cookies["django_language"] = "it"
    page = staff.get(staff_url(answered, "results/"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Scarica le risposte (CSV)" in page, page[page.find("<main") :][:300]
    assert "Media 4,08, mediana 4." in page, page[page.find("Media") :][:80]
