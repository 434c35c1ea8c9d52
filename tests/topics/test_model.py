"""The topic model on hand-made texts with known answers (insieme.topics.fit): two themes in
Italian and English give two topics with the expected terms, the same seed gives the same
topics, and the trend rule flags a topic whose share rose and no other."""

from __future__ import annotations

import datetime as dt

from insieme.topics import fit
from insieme.topics.fit import Document, Trend
from insieme.topics.text import fold
from tests.topics.conftest import LIGHTS, POTHOLES

NOW = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)


def docs(texts, days_ago=100, source="cases", start=0):
    return [
        Document(source, start + i, NOW - dt.timedelta(days=days_ago), text)
        for i, text in enumerate(texts)
    ]


def test_two_themes_give_two_topics_with_their_terms():
    corpus = docs(POTHOLES) + docs(LIGHTS, start=100)
    result = fit.fit(corpus, seed=1, now=NOW)
    assert result.n_topics == 2
    by_term = {}
    for number, topic in enumerate(result.topics):
        top = {term for term, _w in topic.terms[:5]}
        by_term[number] = top
    pothole_topic = next(n for n, top in by_term.items() if "buca" in top)
    light_topic = next(n for n, top in by_term.items() if "lampione" in top)
    assert pothole_topic != light_topic
    assert {"buca", "asfalto"} <= by_term[pothole_topic]
    assert {"lampione", "luce"} <= by_term[light_topic]
    # Every text lands in its theme, English ones included.
    for pk in range(len(POTHOLES)):
        assert result.dominant[("cases", pk)] == pothole_topic, POTHOLES[pk]
    for pk in range(len(LIGHTS)):
        assert result.dominant[("cases", 100 + pk)] == light_topic, LIGHTS[pk]
    assert [t.size for t in result.topics] == [10, 10]
    assert result.assigned == 20
    # Examples: up to three distinct texts per source, the most representative first.
    assert len(result.topics[0].examples) == 3


def test_stop_words_and_accents_never_become_terms():
    corpus = docs(POTHOLES) + docs(LIGHTS, start=100)
    result = fit.fit(corpus, seed=1, now=NOW)
    terms = {t for topic in result.topics for t, _w in topic.terms}
    assert not terms & {"the", "nell", "della", "strada", "via", "and"}
    assert all(t == fold(t) for t in terms)
    assert fold("Città [e-mail hidden] PERCHÉ") == "citta   perche"


def test_the_same_seed_gives_the_same_topics():
    corpus = docs(POTHOLES) + docs(LIGHTS, start=100)
    first = fit.fit(corpus, seed=5, now=NOW)
    again = fit.fit(list(corpus), seed=5, now=NOW)
    assert [t.terms for t in first.topics] == [t.terms for t in again.topics]
    assert first.dominant == again.dominant
    assert [t.examples for t in first.topics] == [t.examples for t in again.topics]


def test_a_topic_whose_share_rose_trends_and_a_steady_one_does_not():
    # Before: 40 pothole texts and 10 light texts (20% lights) over the 84 days before the
    # last 28; recent: 10 pothole texts and 15 light texts (60% lights).
    before = docs(POTHOLES * 4, days_ago=50) + docs(LIGHTS, days_ago=60, start=1000)
    recent = docs(POTHOLES, days_ago=3, start=2000) + docs(
        LIGHTS + LIGHTS[:5], days_ago=5, start=3000
    )
    result = fit.fit(before + recent, seed=1, now=NOW, n_topics=2)
    trends = {
        "lampione" in {t for t, _w in topic.terms[:5]}: fit.trend(topic.counts, result.totals)
        for topic in result.topics
    }
    lights, potholes = trends[True], trends[False]
    assert (lights.recent, lights.recent_total, lights.before, lights.before_total) == (
        15,
        25,
        10,
        50,
    )
    assert lights.rising
    assert (potholes.recent, potholes.before) == (10, 40)
    assert not potholes.rising


def test_the_trend_rule_at_its_edges():
    # 10 of 100 recent (10%) against 5% before: twice the share, five points up, ten texts.
    assert Trend(recent=10, recent_total=100, before=5, before_total=100).rising
    # Nine texts: noise, however sharp the rise.
    assert not Trend(recent=9, recent_total=20, before=0, before_total=100).rising
    # Up five points but not 1.5 times (40% -> 45%).
    assert not Trend(recent=45, recent_total=100, before=40, before_total=100).rising
    # 1.5 times but up less than five points (4% -> 8% is up four).
    assert not Trend(recent=12, recent_total=150, before=4, before_total=100).rising
    # Absent before, present now: trending.
    assert Trend(recent=12, recent_total=100, before=0, before_total=0).rising
    # Nothing written lately: no trend.
    assert not Trend(recent=0, recent_total=0, before=5, before_total=10).rising


def test_too_few_texts_give_no_topic():
    assert fit.fit(docs(["Buca"]), seed=1, now=NOW).topics == []
    assert fit.fit(docs(["the and", "della nell"]), seed=1, now=NOW).topics == []
