"""The answer parser (insieme.surveys.answers): each kind of question takes what it should and
refuses the rest with a sentence, never with another exception, whatever it is sent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from insieme.surveys.answers import Parsed, parse, parse_all
from insieme.surveys.models import Question

KEYS = ["web", "sportello", "telefono"]


def question(kind, required=False, **extra):
    values = {"options": [{"key": k, "label": k.title()} for k in KEYS], **extra}
    q = Question(kind=kind, text="?", required=required, **values)
    q.pk = extra.get("pk", 1)
    return q


SINGLE = question(Question.Kind.SINGLE)
MULTIPLE = question(Question.Kind.MULTIPLE)
SCALE = question(Question.Kind.SCALE, scale_min=1, scale_max=5)
TEXT = question(Question.Kind.TEXT, max_length=20)


def refused(q, values, fragment):
    with pytest.raises(ValidationError) as exc:
        parse(q, values)
    assert fragment in " ".join(exc.value.messages)


def test_single_choice():
    assert parse(SINGLE, ["sportello"]) == Parsed(choices=("sportello",))
    assert parse(SINGLE, [" web "]) == Parsed(choices=("web",))
    assert parse(SINGLE, []) is None
    refused(SINGLE, ["fax"], "Choose one of the options given.")
    refused(SINGLE, ["web", "sportello"], "Choose only one option.")


def test_multiple_choice_keeps_the_options_order_once_each():
    assert parse(MULTIPLE, ["telefono", "web", "web"]) == Parsed(choices=("web", "telefono"))
    assert parse(MULTIPLE, ["", " "]) is None
    refused(MULTIPLE, ["web", "fax"], "Choose among the options given.")


@pytest.mark.parametrize("value", ["0", "6", "-1", "3.5", "tre", "1e1", "٣", "+", "9" * 40])
def test_scale_refuses_what_is_off_the_scale(value):
    refused(SCALE, [value], "Choose a whole number from 1 to 5.")


def test_scale_takes_whole_numbers_on_it():
    assert [parse(SCALE, [str(n)]).number for n in range(1, 6)] == [1, 2, 3, 4, 5]
    assert parse(SCALE, ["+3"]).number == 3
    refused(SCALE, ["2", "3"], "Choose a whole number from 1 to 5.")


def test_text_length_is_limited():
    assert parse(TEXT, ["a" * 20]) == Parsed(text="a" * 20)
    assert parse(TEXT, ["riga\r\nriga"]).text == "riga\nriga"
    refused(TEXT, ["a" * 21], "Write at most 20 characters (you wrote 21).")


@pytest.mark.parametrize("q", [SINGLE, MULTIPLE, SCALE, TEXT], ids=lambda q: q.kind)
def test_required_questions_need_an_answer(q):
    q = question(q.kind, required=True, scale_min=1, scale_max=5, max_length=20)
    refused(q, [], "This question needs an answer.")
    refused(q, ["   "], "This question needs an answer.")


def test_parse_all_collects_every_error_by_question():
    first = question(Question.Kind.SINGLE, required=True, pk=1)
    second = question(Question.Kind.SCALE, scale_min=1, scale_max=5, pk=2)
    third = question(Question.Kind.TEXT, max_length=5, pk=3)
    sent = {1: [], 2: ["9"], 3: ["ok"]}
    parsed, errors = parse_all([first, second, third], lambda q: sent[q.pk])
    assert parsed == {3: Parsed(text="ok")}
    assert set(errors) == {1, 2}


sent_values = st.lists(
    st.one_of(st.text(max_size=30), st.sampled_from([*KEYS, "1", "5", "0", "-3", "+2"])),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(Question.Kind.values),
    required=st.booleans(),
    values=sent_values,
    low=st.integers(0, 9),
    span=st.integers(1, 10),
    limit=st.integers(1, 40),
)
def test_whatever_is_sent_the_answer_is_valid_or_a_sentence(
    kind, required, values, low, span, limit
):
    q = question(kind, required=required, scale_min=low, scale_max=low + span, max_length=limit)
    try:
        parsed = parse(q, values)
    except ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages)
        return
    if parsed is None:
        assert not required and not any(str(v).strip() for v in values)
        return
    if kind == Question.Kind.SINGLE:
        assert len(parsed.choices) == 1 and parsed.choices[0] in KEYS
    elif kind == Question.Kind.MULTIPLE:
        assert parsed.choices and set(parsed.choices) <= set(KEYS)
        assert len(set(parsed.choices)) == len(parsed.choices)
    elif kind == Question.Kind.SCALE:
        assert low <= parsed.number <= low + span
    else:
        assert 0 < len(parsed.text) <= limit


@settings(max_examples=200, deadline=None)
@given(number=st.integers(-1000, 1000))
def test_a_scale_takes_exactly_the_numbers_between_its_ends(number):
    try:
        parsed = parse(SCALE, [str(number)])
    except ValidationError:
        assert not 1 <= number <= 5
    else:
        assert 1 <= number <= 5 and parsed.number == number


def test_a_question_of_no_known_kind_cannot_be_answered():
    odd = SimpleNamespace(kind="grid", required=False)
    with pytest.raises(ValidationError, match="cannot be answered"):
        parse(odd, ["x"])
