"""Folding, Italian abbreviations, display names and house numbers (insieme.places.text)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insieme.places.text import (
    HouseNumber,
    display_name,
    fold,
    format_house_number,
    parse_house_number,
    prefix_range,
    query_words,
    split_address,
)


@pytest.mark.parametrize(
    "typed, words",
    [
        ("P.za dell'Unità d'Italia", ["piazza", "unita", "italia"]),
        ("p.zza Garibaldi", ["piazza", "garibaldi"]),
        ("v.Roma", ["via", "roma"]),
        ("V.le dei Pini", ["viale", "pini"]),
        ("C.so Vittorio Emanuele II", ["corso", "vittorio", "emanuele", "ii"]),
        ("S. Rocco", ["san", "rocco"]),
        ("l.go della Pieve", ["largo", "pieve"]),
        ("Via dei Mille", ["via", "mille"]),
    ],
)
def test_query_words_expand_abbreviations_and_drop_articles(typed, words):
    assert query_words(typed) == words


@pytest.mark.parametrize(
    "official, shown",
    [
        ("VIA DEI MILLE", "Via dei Mille"),
        ("PIAZZA DELL'UNITA' D'ITALIA", "Piazza dell'Unità d'Italia"),
        ("VIA XX SETTEMBRE", "Via XX Settembre"),
        ("CORSO VITTORIO EMANUELE II", "Corso Vittorio Emanuele II"),
        ("VIA NICOLO' TOMMASEO", "Via Nicolò Tommaseo"),
        ("Via  Roma ", "Via Roma"),
    ],
)
def test_display_name_of_official_capitals(official, shown):
    assert display_name(official) == shown


@pytest.mark.parametrize(
    "typed, street, house",
    [
        ("Via Roma 12/A", "Via Roma", HouseNumber(12, "A")),
        ("via roma 12a", "via roma", HouseNumber(12, "A")),
        ("Via Roma, 12", "Via Roma", HouseNumber(12)),
        ("Via Roma n. 12 bis", "Via Roma", HouseNumber(12, "bis")),
        ("12 Via Roma", "Via Roma", HouseNumber(12)),
        ("Via Roma", "Via Roma", None),
        ("Via 4 Novembre", "Via 4 Novembre", None),
        ("Via 4 Novembre 10", "Via 4 Novembre", HouseNumber(10)),
        ("SP 12 40", "SP 12", HouseNumber(40)),
        ("Via Roma 5/1", "Via Roma", HouseNumber(5, "1")),
    ],
)
def test_split_address(typed, street, house):
    assert split_address(typed) == (street, house)


def test_house_numbers_print_as_registers_write_them():
    assert format_house_number(12) == "12"
    assert format_house_number(12, "A") == "12/A"
    assert format_house_number(12, "bis") == "12 bis"
    assert parse_house_number("0") is None
    assert parse_house_number("12 quarantadue") is None


@given(st.text(max_size=80))
def test_fold_keeps_only_letters_digits_and_single_spaces(text):
    folded = fold(text)
    assert set(folded) <= set(string.ascii_lowercase + string.digits + " ")
    assert "  " not in folded and folded == folded.strip()


@given(st.text(max_size=80))
def test_parsers_of_typed_text_never_fail(text):
    street, house = split_address(text)
    assert isinstance(street, str)
    words = query_words(text)
    assert all(w and set(w) <= set(string.ascii_lowercase + string.digits) for w in words)
    if house is not None:
        assert house.number > 0
        assert parse_house_number(str(house)) == house


ALNUM = string.digits + string.ascii_lowercase


@given(st.text(ALNUM, min_size=1, max_size=6), st.lists(st.text(ALNUM, max_size=8), max_size=30))
def test_prefix_range_holds_exactly_the_words_with_the_prefix(prefix, words):
    low, high = prefix_range(prefix)
    in_range = {w for w in words if low <= w and (high is None or w < high)}
    assert in_range == {w for w in words if w.startswith(prefix)}
