"""The liberal parameter readers, as properties: every W3C spelling of a moment reads back as
that moment, and no text makes a reader fail with anything but a 400."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insieme.open311.errors import Open311Error
from insieme.open311.parsing import (
    attribute_values,
    format_datetime,
    parse_datetime,
    parse_float,
    parse_int,
    parse_list,
)

ROME = dt.timezone(dt.timedelta(hours=1))

moments = st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2200, 12, 30))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)


def _offset_text(tz: dt.tzinfo, moment: dt.datetime, sign_plus: str) -> str:
    minutes = int(tz.utcoffset(moment).total_seconds() // 60)
    sign = "-" if minutes < 0 else sign_plus
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@given(
    moment=moments,
    tz=offsets,
    separator=st.sampled_from(["T", " ", "t"]),
    plus=st.sampled_from(["+", " "]),
    zulu=st.booleans(),
)
def test_any_spelling_reads_back_as_the_same_moment(moment, tz, separator, plus, zulu):
    aware = moment.replace(tzinfo=tz)
    if zulu:
        aware = aware.astimezone(dt.UTC)
        suffix = "Z"
    else:
        suffix = _offset_text(tz, aware, plus)
    text = aware.strftime(f"%Y-%m-%d{separator}%H:%M:%S")
    if aware.microsecond:
        text += f".{aware.microsecond:06d}"
    parsed = parse_datetime(text + suffix, "start_date", ROME)
    assert parsed == aware


@given(moment=moments, tz=offsets)
def test_formatted_datetimes_read_back(moment, tz):
    aware = moment.replace(tzinfo=tz, microsecond=0)
    text = format_datetime(aware, ROME)
    assert dt.datetime.fromisoformat(text) == aware
    assert parse_datetime(text, "x", dt.UTC) == aware


@given(st.text(max_size=60))
def test_datetime_reader_fails_only_with_a_400(text):
    try:
        parsed = parse_datetime(text, "start_date", ROME)
    except Open311Error as exc:
        assert exc.status == 400 and "start_date" in exc.descriptions[0]
    else:
        assert parsed.tzinfo is not None


@given(st.text(max_size=30))
def test_number_readers_fail_only_with_a_400(text):
    for read in (
        lambda: parse_float(text, "lat", -90, 90),
        lambda: parse_int(text, "page", 1, 1000),
    ):
        try:
            value = read()
        except Open311Error as exc:
            assert exc.status == 400
        else:
            assert value == value  # not NaN


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_reader_keeps_only_finite_values_in_range(number):
    try:
        value = parse_float(repr(number), "lat", -90, 90)
    except Open311Error:
        assert not (-90 <= number <= 90)
    else:
        assert value == number


@given(st.lists(st.text(alphabet="abc-0123456789 ", min_size=0, max_size=8), max_size=20))
def test_list_reader(items):
    parsed = parse_list(",".join(items), "service_code")
    assert all(p and p == p.strip() and "," not in p for p in parsed)
    assert len(parsed) == len(set(parsed))
    assert set(parsed) == {i.strip() for i in items if i.strip()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", dt.datetime(2026, 3, 1, tzinfo=ROME)),
        ("2026-03-01T10:00", dt.datetime(2026, 3, 1, 10, tzinfo=ROME)),
        ("2026-3-1 10:00:00,5Z", dt.datetime(2026, 3, 1, 10, 0, 0, 500000, tzinfo=dt.UTC)),
        (
            "2026-03-01T10:00:00.1234567891+0530",
            dt.datetime(
                2026, 3, 1, 10, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
            ),
        ),
        ("2026-03-01T10:00:00-05", dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC)),
    ],
)
def test_datetime_examples(text, expected):
    assert parse_datetime(text, "start_date", ROME) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026",
        "01/03/2026",
        "2026-03-01T24:00",
        "2026-03-01T10:00+24:00",
        "9999-12-31T23:59-01:00",
    ],
)
def test_datetime_rejects(text):
    with pytest.raises(Open311Error):
        parse_datetime(text, "start_date", ROME)


def test_attribute_values():
    items = [
        ("attribute[size]", ["large"]),
        ("attribute[kinds][]", ["a", "b"]),
        ("attribute[kinds][]", ["c"]),
        ("attribute[empty]", [""]),
        ("attribute[]", ["x"]),
        ("attributes[size]", ["x"]),
        ("description", ["x"]),
    ]
    assert attribute_values(items) == {"size": ["large"], "kinds": ["a", "b", "c"], "empty": []}
