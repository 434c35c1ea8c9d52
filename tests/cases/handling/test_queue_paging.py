"""The work queue's pages and filters as a reader meets them: counts ("Cases 1–50 of 60"), page
links with rel and aria-current, a count that stops at its limit, every status filter selecting
exactly its status, and no filter offered twice. The citizen's own list (My requests) is held to
the same rule: each state it offers selects exactly what it says."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from insieme.cases.handling import views_queue
from insieme.cases.models import OPEN_STATUSES, Case, Status
from tests.cases.handling.test_queue import URL, make_cases, olga, refs, roads, staff_case_url  # noqa: F401


def _heading(response) -> str:
    match = re.search(r'<h2 class="h5" id="queue-count">(.*?)</h2>', response.content.decode())
    return match.group(1) if match else ""


def test_counts_and_page_links(persona_client, cat, olga):  # noqa: F811
    make_cases(cat.pothole, 120)
    client = persona_client(olga)
    first = client.get(URL, {"sort": "reference"})
    assert _heading(first) == "Cases 1–50 of 120"
    html = first.content.decode()
    assert 'aria-current="page" href="?sort=reference&amp;page=1#queue-results"' in html
    assert 'rel="next" href="?sort=reference&amp;page=2#queue-results"' in html
    assert 'href="?sort=reference&amp;page=3#queue-results"' in html  # the last page
    assert 'rel="prev"' not in html
    second = client.get(URL, {"sort": "reference", "page": "2"})
    assert _heading(second) == "Cases 51–100 of 120"
    assert 'rel="prev" href="?sort=reference&amp;page=1#queue-results"' in second.content.decode()
    last = client.get(URL, {"sort": "reference", "page": "3"})
    assert _heading(last) == "Cases 101–120 of 120"
    assert 'rel="next"' not in last.content.decode()
    assert len(refs(last)) == 20
    beyond = client.get(URL, {"page": "9"})
    assert _heading(beyond) == "No cases on this page; 120 cases in all"


def test_count_stops_at_its_limit(persona_client, cat, olga, monkeypatch):  # noqa: F811
    make_cases(cat.pothole, 60)
    monkeypatch.setattr(views_queue, "COUNT_LIMIT", 20)
    response = persona_client(olga).get(URL)
    assert _heading(response) == "Cases 1–50 of more than 20"
    assert 'rel="next"' in response.content.decode()


def test_count_follows_the_filters_and_the_officers_branches(persona_client, cat, olga):  # noqa: F811
    make_cases(cat.pothole, 3, status=Status.RESOLVED)
    make_cases(cat.pothole, 4)
    assert _heading(persona_client(olga).get(URL)) == "Cases 1–4 of 4"
    assert _heading(persona_client(olga).get(URL, {"status": "resolved"})) == "Cases 1–3 of 3"


def test_page_links_window():
    assert views_queue.page_links(1, 1) == [1]
    assert views_queue.page_links(1, 3) == [1, 2, 3]
    assert views_queue.page_links(10, 30) == [1, None, 8, 9, 10, 11, 12, None, 30]
    assert views_queue.page_links(4, None) == [1, 2, 3, 4, 5]  # last page unknown


def test_each_status_filter_selects_exactly_that_status(persona_client, cat, olga):  # noqa: F811
    for status in Status:
        make_cases(cat.pothole, 2, status=status)
    client = persona_client(olga)
    shown = {}
    for status in Status:
        listed = refs(client.get(URL, {"status": status.value}))
        shown[status.value] = set(
            Case.objects.filter(reference__in=listed).values_list("status", flat=True)
        )
        assert len(listed) == 2, status
    assert shown == {status.value: {status.value} for status in Status}
    # No status ticked: the open ones, and only those.
    listed = refs(client.get(URL))
    assert set(Case.objects.filter(reference__in=listed).values_list("status", flat=True)) == {
        s.value for s in OPEN_STATUSES
    }
    # Two ticked: exactly those two.
    listed = refs(client.get(URL, {"status": ["closed", "refused"]}))
    assert set(Case.objects.filter(reference__in=listed).values_list("status", flat=True)) == {
        "closed",
        "refused",
    }


def test_old_waiting_links_still_mean_that_status(persona_client, cat, olga):  # noqa: F811
    (waiting,) = make_cases(cat.pothole, status=Status.WAITING_CITIZEN)
    make_cases(cat.pothole)
    response = persona_client(olga).get(URL, {"waiting": "on"})
    assert refs(response) == [waiting.reference]
    assert re.search(r'value="waiting_citizen"[^>]*checked', response.content.decode())


def _filter_labels(html: str) -> list[str]:
    start = html.index('class="queue-filters')
    form = html[start : html.index("</form>", start)]
    texts = re.findall(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>", form, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", t).strip() for t in texts]


@pytest.mark.parametrize("language", ["en", "it"])
def test_no_filter_is_offered_twice(persona_client, cat, olga, language):  # noqa: F811
    client = persona_client(olga)
    client.cookies["django_language"] = language
    with translation.override(language):
        html = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    labels = _filter_labels(html)
    assert len(labels) > 10
    assert len(labels) == len(set(labels)), sorted(lab for lab in labels if labels.count(lab) > 1)


# --- My requests: the citizen's own list --------------------------------------------------------


def test_my_requests_state_filters_select_exactly_what_they_say(persona_client, cat, charlie):
    cases = {}
    for status in Status:
        (case,) = make_cases(cat.pothole, status=status, submitted_by=charlie)
        cases[status.value] = case
    client = persona_client(charlie)
    form_html = client.get(reverse("my_requests")).content.decode()
    select = form_html[
        form_html.index('name="state"') : form_html.index(
            "</select>", form_html.index('name="state"')
        )
    ]
    offered = re.findall(r'<option value="([a-z_]+)"', select)
    assert offered == ["open", "resolved", "closed", "refused", "duplicate"]
    for state in offered:
        html = client.get(reverse("my_requests"), {"state": state}).content.decode()
        listed = {s for s, case in cases.items() if case.reference in html}
        expected = {s.value for s in OPEN_STATUSES} if state == "open" else {state}
        assert listed == expected, state
