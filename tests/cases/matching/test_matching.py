"""Duplicate suggestions (insieme.cases.matching.signatures): who is suggested, who never is, and the score's
bounds. Fixture cases are bulk-created (the matcher only reads them)."""

from __future__ import annotations

import io
import itertools
import math
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insieme.cases.filing import actions as filing_actions
from insieme.cases.matching import signatures as matching
from insieme.cases.models import Case, Status, grid_cell
from insieme.catalog import actions as catalog_actions
from tests.catalog.conftest import cat  # noqa: F401  (fixture)

LAT, LON = 43.1, 11.1
_refs = itertools.count(1)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point `north_m` metres north and `east_m` metres east of (lat, lon)."""
    dlat = north_m / matching._DEG_LAT_M
    dlon = east_m / (matching._DEG_LAT_M * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def make_cases(*specs: dict) -> list[Case]:
    """Bulk-create cases; each spec gives service, text and optionally north/east/status/age."""
    now = timezone.now()
    rows = []
    for spec in specs:
        service = spec["service"]
        lat, lon = offset(LAT, LON, spec.get("north", 0.0), spec.get("east", 0.0))
        row, col = grid_cell(lat, lon)
        when = now - timedelta(days=spec.get("age_days", 1))
        rows.append(
            Case(
                administration_id=service.administration_id,
                service=service,
                kind=service.kind,
                reference=f"2026-{next(_refs):06d}",
                status=spec.get("status", Status.SUBMITTED),
                description=spec["text"],
                lat=lat,
                lon=lon,
                cell_row=row,
                cell_col=col,
                match_grams=matching.case_signature("", spec["text"]),
                submitted_at=when,
                updated_at=when,
            )
        )
    return Case.objects.bulk_create(rows)


def suggested(service, text, north=0.0, east=0.0, **kwargs) -> list[Case]:
    lat, lon = offset(LAT, LON, north, east)
    return [m.case for m in matching.find_duplicates(service, lat, lon, text, **kwargs)]


@pytest.fixture
def lighting(cat):  # noqa: F811
    """A related service: same group ('Roads') as the pothole service."""
    return catalog_actions.create_service(
        None,
        cat.pothole.administration,
        code="lighting",
        name="Street lighting",
        group="Roads",
        channels=["web"],
    )


def test_typo_and_case_found(cat):  # noqa: F811
    (original,) = make_cases({"service": cat.pothole, "text": "buca profonda in via Roma"})
    assert suggested(cat.pothole, "bucca profonda in via roma", north=40) == [original]


def test_english_report_finds_italian_case(cat, lighting):  # noqa: F811
    pothole, lamp = make_cases(
        {"service": cat.pothole, "text": "Grossa buca profonda in via Roma"},
        {"service": lighting, "text": "Lampione spento in via Roma da una settimana"},
    )
    assert suggested(cat.pothole, "deep pothole in via Roma", east=30)[0] == pothole
    assert suggested(lighting, "streetlight off in Roma street", east=30)[0] == lamp


def test_related_service_found_but_far_meaning_not(cat, lighting):  # noqa: F811
    (case,) = make_cases({"service": lighting, "text": "buca profonda davanti al civico 3"})
    assert suggested(cat.pothole, "buca profonda davanti al civico 3") == [case]
    # A service of another group (the registry's certificate) never matches a pothole.
    make_cases({"service": cat.draft, "text": "certificato di residenza per mio figlio"})
    assert suggested(cat.pothole, "certificato di residenza") == []


def test_same_text_two_km_away_not_found(cat):  # noqa: F811
    make_cases({"service": cat.pothole, "text": "buca profonda in via Roma", "north": 2000})
    assert suggested(cat.pothole, "buca profonda in via Roma") == []


def test_just_outside_radius_not_found_inside_found(cat):  # noqa: F811
    inside, _outside = make_cases(
        {"service": cat.pothole, "text": "buca profonda in via Roma", "east": 200},
        {"service": cat.pothole, "text": "buca profonda in via Roma", "east": -300},
    )
    assert suggested(cat.pothole, "buca profonda in via Roma") == [inside]


def test_closed_and_old_cases_not_suggested(cat):  # noqa: F811
    make_cases(
        {"service": cat.pothole, "text": "buca in via Roma", "status": Status.CLOSED},
        {"service": cat.pothole, "text": "buca in via Roma", "status": Status.RESOLVED},
        {"service": cat.pothole, "text": "buca in via Roma", "status": Status.DUPLICATE},
        {"service": cat.pothole, "text": "buca in via Roma", "age_days": 370},
    )
    assert suggested(cat.pothole, "buca in via Roma") == []


def test_a_problem_open_for_months_is_still_suggested(cat):  # noqa: F811
    """Four months open (an abandoned car nobody removed) is still the same problem; only what
    is older than MAX_AGE_DAYS (a year) drops out."""
    (old,) = make_cases({"service": cat.pothole, "text": "buca in via Roma", "age_days": 120})
    assert suggested(cat.pothole, "buca in via Roma") == [old]
    Case.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - timedelta(days=matching.MAX_AGE_DAYS + 1)
    )
    assert suggested(cat.pothole, "buca in via Roma") == []


def merge(duplicate: Case, into: Case, days_ago: float = 1.0) -> None:
    """Mark `duplicate` as merged into `into` (what actions.merge_duplicate leaves behind)."""
    Case.objects.filter(pk=duplicate.pk).update(
        status=Status.DUPLICATE,
        duplicate_of=into,
        closed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_reports_merged_into_a_case_lend_it_their_words(cat):  # noqa: F811
    """Staff merged a report worded otherwise into the first one: a third report worded like the
    merged one finds the first report, which its own words alone do not reach."""
    query = "sacchi neri lasciati davanti al cancello"
    # 15 m from the query: beyond NEAR_RADIUS_M, where only words (its own or lent) find it.
    first, merged = make_cases(
        {
            "service": cat.pothole,
            "text": "cumulo di immondizia vicino alla scuola",
            "age_days": 5,
            "north": 15.0,
        },
        {"service": cat.pothole, "text": "sacchi neri lasciati davanti al cancello", "east": 30},
    )
    assert suggested(cat.pothole, query) == [merged]  # nobody merged it yet
    merge(merged, first)
    assert suggested(cat.pothole, query) == [first]
    # Replayed before the merge, the kept case had only its own words.
    before = timezone.now() - timedelta(days=2)
    assert suggested(cat.pothole, query, as_of=before) == []
    # Merged longer ago than MERGED_MAX_AGE_DAYS: the words no longer count.
    Case.objects.filter(pk=merged.pk).update(
        submitted_at=timezone.now() - timedelta(days=matching.MERGED_MAX_AGE_DAYS + 1)
    )
    assert suggested(cat.pothole, query) == []


def test_merged_words_never_revive_a_closed_or_private_case(cat):  # noqa: F811
    query = "sacchi neri lasciati davanti al cancello"
    kept, merged, private_merged = make_cases(
        {
            "service": cat.pothole,
            "text": "cumulo di immondizia vicino alla scuola",
            "age_days": 5,
            "north": 15.0,  # beyond NEAR_RADIUS_M: found through words only
        },
        {"service": cat.pothole, "text": query, "east": 30},
        {"service": cat.pothole, "text": query, "east": 40},
    )
    merge(merged, kept)
    merge(private_merged, kept)
    Case.objects.filter(pk=private_merged.pk).update(is_public=False)
    assert suggested(cat.pothole, query) == [kept]
    Case.objects.filter(pk=kept.pk).update(status=Status.RESOLVED)
    assert suggested(cat.pothole, query) == []
    # Only the private one left: it lends nothing (its words may be personal).
    Case.objects.filter(pk=kept.pk).update(status=Status.SUBMITTED)
    Case.objects.filter(pk=merged.pk).update(is_public=False)
    assert suggested(cat.pothole, query) == []


def test_other_administration_never_suggested(cat):  # noqa: F811
    make_cases({"service": cat.lv_service, "text": "buca profonda in via Roma"})
    assert suggested(cat.pothole, "buca profonda in via Roma") == []


def test_different_problem_same_street_not_suggested(cat, lighting):  # noqa: F811
    make_cases({"service": lighting, "text": "lampione spento in via Roma"})
    assert suggested(cat.pothole, "buca profonda nell'asfalto in via Roma") == []


def test_same_service_a_few_metres_away_is_found_whatever_its_words(cat, lighting):  # noqa: F811
    """Two people at one pothole rarely use the same words: an open report of the same service
    3-4 m away is suggested though no word is shared; not beyond NEAR_RADIUS_M, not for a
    related service, not when it is closed."""
    original, lamp, closed = make_cases(
        {"service": cat.pothole, "text": "buca profonda in via Roma"},
        {"service": lighting, "text": "lampione spento", "east": 1.0},
        {"service": cat.pothole, "text": "tombino rotto", "east": -2.0, "status": Status.CLOSED},
    )
    words = "la macchina ha preso un colpo fortissimo qui"
    assert matching.text_similarity(
        matching.features(words), matching.features(original.description)
    ) < (matching.THRESHOLD / 2)  # the text alone would never find it
    found = matching.find_duplicates(cat.pothole, *offset(LAT, LON, 3.0, 2.0), words)
    assert [m.case for m in found] == [original]
    assert 3.0 < found[0].distance_m < 4.0 and found[0].score >= matching.NEAR_SCORE
    assert suggested(cat.pothole, words, north=matching.NEAR_RADIUS_M + 2) == []
    assert original not in suggested(lighting, "nessuno ha sistemato niente", north=3.0)
    assert closed not in found and lamp not in found
    # A close match in words still ranks above a mere neighbour.
    twin, neighbour = make_cases(
        {"service": cat.pothole, "text": "la macchina ha preso un colpo qui", "east": 60.0},
        {"service": cat.pothole, "text": "erba alta", "north": 60.0, "east": 62.0},
    )
    assert suggested(cat.pothole, words, north=57.0, east=61.0) == [twin, neighbour]


def test_exclude_id_and_limit(cat):  # noqa: F811
    # Eight identical reports on a circle of 200 m around the query, each more than 150 m from
    # its neighbours: eight places, so eight problems.
    ring = [(200 * math.cos(math.pi * k / 4), 200 * math.sin(math.pi * k / 4)) for k in range(8)]
    cases = make_cases(
        *[
            {"service": cat.pothole, "text": "buca profonda in via Roma", "north": n, "east": e}
            for n, e in ring
        ]
    )
    assert len(suggested(cat.pothole, "buca profonda in via Roma")) == 5
    assert len(suggested(cat.pothole, "buca profonda in via Roma", limit=2)) == 2
    assert suggested(cat.pothole, "buca profonda in via Roma", limit=0) == []
    found = suggested(cat.pothole, "buca profonda in via Roma", exclude_id=cases[0].pk, limit=10)
    assert cases[0] not in found and len(found) == 7
    # Best first: the nearest identical report leads (ties broken by distance).
    north, east = ring[2]
    assert (
        suggested(cat.pothole, "buca profonda in via Roma", north=north, east=east)[0] == (cases[2])
    )


def test_repeated_reports_point_at_the_first_one(cat):  # noqa: F811
    """Where one problem was reported again and again (nobody merged the reports yet), the
    check suggests the first report, even when a repeat is worded more like the new one."""
    first, *repeats = make_cases(
        {"service": cat.pothole, "text": "bucca profnda in via Roma", "age_days": 20},
        *[
            {"service": cat.pothole, "text": "buca profonda in via Roma", "east": 20 * k}
            for k in range(1, 6)
        ],
        {"service": cat.pothole, "text": "tombino sprofondato", "east": 30, "age_days": 30},
    )
    found = suggested(cat.pothole, "buca profonda in via Roma")
    assert found[0] == first
    assert not set(found) & set(repeats[:5])
    # Another problem at the same spot is not folded into it.
    assert suggested(cat.pothole, "tombino sprofondato")[0] == repeats[-1]


def test_no_location_no_suggestions(cat):  # noqa: F811
    make_cases({"service": cat.pothole, "text": "buca profonda in via Roma"})
    assert matching.find_duplicates(cat.pothole, None, None, "buca") == []


def test_deterministic_order(cat):  # noqa: F811
    make_cases(*[{"service": cat.pothole, "text": "buca in via Roma"} for _ in range(4)])
    first = matching.find_duplicates(cat.pothole, LAT, LON, "buca via Roma")
    again = matching.find_duplicates(cat.pothole, LAT, LON, "buca via Roma")
    assert [m.case.pk for m in first] == [m.case.pk for m in again]
    assert [m.case.pk for m in first] == sorted(m.case.pk for m in first)


TEXT = st.text(alphabet=st.sampled_from("abcdefghilmnoprstuvzàèé '"), min_size=0, max_size=60)


@given(a=TEXT, b=TEXT, distance=st.floats(0, 400), same=st.booleans())
def test_score_bounded_and_symmetric(a, b, distance, same):
    fa, fb = matching.features(a), matching.features(b)
    sim = matching.text_similarity(fa, fb)
    assert 0.0 <= sim <= 1.0 + 1e-12
    assert sim == pytest.approx(matching.text_similarity(fb, fa))
    score = matching.combined_score(sim, distance, same)
    assert 0.0 <= score <= 1.0 + 1e-12
    if fa:
        assert matching.text_similarity(fa, fa) == pytest.approx(1.0)


@given(query=TEXT, others=st.lists(TEXT, max_size=8))
def test_stored_signatures_give_the_same_similarity_as_the_texts(query, others):
    """The check scores stored signatures (hashed n-grams, vectorised); the result must equal
    the cosine of the texts' n-gram sets, for every candidate, empty texts included."""
    sims = matching.similarities(matching.signature(query), [matching.signature(t) for t in others])
    expected = [
        matching.text_similarity(matching.features(query), matching.features(t)) for t in others
    ]
    assert list(sims) == pytest.approx(expected)


def test_signature_is_sorted_distinct_and_stored_on_filing(cat, charlie):  # noqa: F811
    sig = matching.signature("Buca profonda in via Roma, bucca!")
    grams = list(memoryview(sig).cast("I"))
    assert grams == sorted(set(grams)) and len(grams) == len(matching.features("buca profonda"))
    case, _created = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(
            cat.pothole,
            description="Buca profonda",
            answers={"size": "large", "depth": "12"},
            lat=LAT,
            lon=LON,
        ),
    )
    case.refresh_from_db()
    assert bytes(case.match_grams) == matching.case_signature(cat.pothole.name, "Buca profonda")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    points=st.lists(st.tuples(st.floats(-600, 600), st.floats(-600, 600)), min_size=1, max_size=12),
    north=st.floats(-300, 300),
    east=st.floats(-300, 300),
)
def test_never_farther_than_radius(cat, points, north, east):  # noqa: F811
    Case.objects.all().delete()
    make_cases(
        *[{"service": cat.pothole, "text": "buca", "north": n, "east": e} for n, e in points]
    )
    lat, lon = offset(LAT, LON, north, east)
    for m in matching.find_duplicates(cat.pothole, lat, lon, "buca", limit=20):
        assert m.distance_m <= matching.RADIUS_M
        assert matching.distance_m(lat, lon, m.case.lat, m.case.lon) <= matching.RADIUS_M + 1e-6
        assert 0.0 <= m.score <= 1.0


def test_as_of_replays_the_past(cat):  # noqa: F811
    """A case closed since, or filed after the moment, is judged as it stood then."""
    now = timezone.now()
    closed, later = make_cases(
        {"service": cat.pothole, "text": "buca profonda in via Roma", "age_days": 10},
        {"service": cat.pothole, "text": "buca profonda in via Roma", "age_days": 1},
    )
    Case.objects.filter(pk=closed.pk).update(
        status=Status.CLOSED, closed_at=now - timedelta(days=3)
    )
    assert suggested(cat.pothole, "buca profonda in via Roma") == [later]
    five_days_ago = now - timedelta(days=5)
    assert suggested(cat.pothole, "buca profonda", as_of=five_days_ago) == [closed]
    assert suggested(cat.pothole, "buca profonda", as_of=now - timedelta(days=2)) == []
    assert suggested(cat.pothole, "buca profonda", as_of=now - timedelta(hours=12)) == [later]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A capitalised kind of place followed by a name is a place: dropped like "via Roma".
        ("In Parco delle Rimembranze i bidoni traboccano", ["bidone", "pieno"]),
        ("Giardini Margherita: erba alta", ["erba", "alta"]),
        # In lower case, or followed by a common noun, it is the thing itself.
        ("Erba altissima nel parco in Parco delle Rimembranze", ["erba", "alta", "parco"]),
        ("Parco giochi rotto", ["parco", "giochi", "guasto"]),
        # "on and off" is flickering, not "off" (out of order).
        (
            "Lamp keeps switching on and off",
            ["lampione", "keeps", "intermittente", "intermittente"],
        ),
        ("The lamp is off", ["lampione", "guasto"]),
        # Contact details say who, not what.
        ("Buca. Scrivetemi a mario.rossi@example.org o 333 123 4567", ["buca", "scrivetemi"]),
        ("Buca, codice fiscale RSSMRA85T10A562S", ["buca", "codice", "fiscale"]),
    ],
)
def test_words_drop_place_names_and_read_phrases(text, expected):
    assert matching.words(text) == expected


def test_signatures_recomputed_by_command(cat):  # noqa: F811
    """After the text analysis changes, `insieme match_signatures` rewrites every located case's
    stored signature (here made stale by hand); unlocated cases keep none."""
    from django.core.management import call_command

    located, unlocated = make_cases(
        {"service": cat.pothole, "text": "Buca in Parco delle Rimembranze"},
        {"service": cat.pothole, "text": "buca"},
    )
    Case.objects.filter(pk=located.pk).update(match_grams=matching.signature("stale text"))
    Case.objects.filter(pk=unlocated.pk).update(lat=None, lon=None, match_grams=b"")
    call_command("match_signatures", stdout=io.StringIO())
    located.refresh_from_db()
    unlocated.refresh_from_db()
    assert bytes(located.match_grams) == matching.case_signature("", located.description)
    assert bytes(located.match_grams) == matching.signature("buca")
    assert bytes(unlocated.match_grams) == b""


@given(st.text(max_size=40))
def test_fold_matches_unicode_decomposition(text):
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    expected = "".join(c for c in decomposed if not unicodedata.combining(c))
    assert matching.fold(text, lower=False) == expected
    assert matching.fold(text) == expected.lower()
