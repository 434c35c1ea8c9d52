"""citizen_form_for: the one source of the form citizens fill, tested by property.

The questions are unsaved Attribute objects, so hypothesis runs without the database.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from insieme.catalog.forms import (
    RADIO_MAX_OPTIONS,
    citizen_form_for,
    citizen_form_from_attributes,
    parse_values,
)
from insieme.catalog.models import Attribute, Datatype

keys = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,10}", fullmatch=True)
value_lists = st.lists(keys, min_size=1, max_size=9, unique=True).map(
    lambda ks: [{"key": k, "name": f"Option {k}"} for k in ks]
)
submitted = st.one_of(st.text(max_size=20), keys)


def question(
    datatype: str,
    *,
    required: bool = True,
    values=None,
    code: str = "q",
    order: int = 1,
    variable: bool = True,
) -> Attribute:
    return Attribute(
        code=code,
        datatype=datatype,
        label=f"Question {code}",
        required=required,
        values=values or [],
        order=order,
        variable=variable,
        help_text="Some help",
    )


def form_for(*attributes, data=None):
    return citizen_form_from_attributes(attributes, data)


@settings(max_examples=200, deadline=None)
@given(values=value_lists, answer=submitted)
def test_any_accepted_single_choice_is_one_of_the_keys(values, answer):
    form = form_for(question(Datatype.SINGLEVALUELIST, values=values), data={"attr_q": answer})
    if form.is_valid():
        assert form.answers()["q"] in {v["key"] for v in values}
    else:
        assert answer not in {v["key"] for v in values}


@settings(max_examples=200, deadline=None)
@given(values=value_lists, answers=st.lists(submitted, max_size=5))
def test_any_accepted_multiple_choice_is_a_subset_of_the_keys(values, answers):
    form = form_for(
        question(Datatype.MULTIVALUELIST, values=values, required=False), data={"attr_q": answers}
    )
    keyset = {v["key"] for v in values}
    if form.is_valid():
        assert set(form.answers().get("q", [])) <= keyset
    else:
        assert not set(answers) <= keyset


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=0, max_value=6).flatmap(
        lambda places: st.decimals(
            min_value=Decimal("-999999999999"),
            max_value=Decimal("999999999999"),
            places=places,
            allow_nan=False,
            allow_infinity=False,
        )
    )
)
def test_numbers_parse(number):
    form = form_for(question(Datatype.NUMBER), data={"attr_q": str(number)})
    assert form.is_valid(), form.errors
    assert form.answers()["q"] == number


@settings(max_examples=100, deadline=None)
@given(number=st.integers(min_value=-(10**9), max_value=10**9), cents=st.integers(0, 99))
def test_italian_decimal_comma_parses(number, cents):
    with translation.override("it"):
        form = form_for(question(Datatype.NUMBER), data={"attr_q": f"{number},{cents:02d}"})
        assert form.is_valid(), form.errors
    assert form.answers()["q"] == Decimal(f"{number}.{cents:02d}")


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=30).filter(lambda t: not _is_number(t)))
def test_non_numbers_are_refused(text):
    form = form_for(question(Datatype.NUMBER, required=False), data={"attr_q": text})
    if text:  # spaces alone are not a number either
        assert not form.is_valid()
        assert "attr_q" in form.errors
    else:  # nothing sent: the optional question is left empty, which is allowed
        assert form.is_valid(), form.errors
        assert form.answers() == {}


def _is_number(text: str) -> bool:
    try:
        Decimal(text.strip().replace(",", ""))
    except Exception:  # noqa: BLE001
        return False
    return True


@settings(max_examples=100, deadline=None)
@given(
    datatype=st.sampled_from(list(Datatype)),
    blank=st.sampled_from(["", " ", "\t", None]),
    values=value_lists,
)
def test_a_required_question_left_empty_is_refused(datatype, blank, values):
    attribute = question(datatype, values=values)
    data = {} if blank is None else {"attr_q": blank}
    form = form_for(attribute, data=data)
    assert not form.is_valid()
    assert "attr_q" in form.errors


@settings(max_examples=100, deadline=None)
@given(datatype=st.sampled_from(list(Datatype)), values=value_lists)
def test_an_optional_question_may_be_left_empty(datatype, values):
    form = form_for(question(datatype, values=values, required=False), data={})
    assert form.is_valid(), form.errors
    assert form.answers() == {}


def test_each_datatype_gets_its_widget():
    values = [{"key": str(n), "name": f"n{n}"} for n in range(RADIO_MAX_OPTIONS + 1)]
    form = form_for(
        question(Datatype.STRING, code="s", order=1),
        question(Datatype.TEXT, code="t", order=2),
        question(Datatype.NUMBER, code="n", order=3),
        question(Datatype.DATETIME, code="d", order=4),
        question(Datatype.SINGLEVALUELIST, code="few", order=5, values=values[:2]),
        question(Datatype.SINGLEVALUELIST, code="many", order=6, values=values),
        question(Datatype.MULTIVALUELIST, code="m", order=7, values=values[:3]),
    )
    widgets = {name: type(field.widget) for name, field in form.fields.items()}
    assert widgets == {
        "attr_s": forms.TextInput,
        "attr_t": forms.Textarea,
        "attr_n": forms.TextInput,
        "attr_d": forms.DateTimeInput,
        "attr_few": forms.RadioSelect,
        "attr_many": forms.Select,
        "attr_m": forms.CheckboxSelectMultiple,
    }
    assert form.fields["attr_d"].widget.input_type == "datetime-local"
    assert isinstance(form.fields["attr_n"], forms.DecimalField)
    assert form.fields["attr_many"].choices[0] == ("", "Choose…")
    assert form.fields["attr_s"].help_text == "Some help"


def test_order_required_and_information_lines():
    form = form_for(
        question(Datatype.STRING, code="second", order=20, required=False),
        question(Datatype.STRING, code="info", order=15, variable=False),
        question(Datatype.STRING, code="first", order=10),
    )
    assert [e.attribute.code for e in form.entries] == ["first", "info", "second"]
    assert [e.is_information for e in form.entries] == [False, True, False]
    assert list(form.fields) == ["attr_first", "attr_second"]
    assert form.fields["attr_first"].required and not form.fields["attr_second"].required


def test_datetime_answers_are_aware():
    form = form_for(question(Datatype.DATETIME), data={"attr_q": "2024-05-06T07:08"})
    assert form.is_valid(), form.errors
    answer = form.answers()["q"]
    assert isinstance(answer, datetime) and answer.tzinfo is not None
    assert not form_for(question(Datatype.DATETIME), data={"attr_q": "yesterday"}).is_valid()


def test_read_only_form_disables_every_input():
    form = form_for(question(Datatype.STRING), question(Datatype.NUMBER, code="n", order=2))
    form.make_read_only()
    assert all(field.disabled for field in form.fields.values())
    assert "disabled" in str(form["attr_q"])


@pytest.mark.django_db
def test_citizen_form_for_a_saved_service(cat):
    form = citizen_form_for(cat.pothole, {"attr_size": "large", "attr_depth": "3"})
    assert form.is_valid(), form.errors
    assert form.answers() == {"size": "large", "depth": Decimal("3")}


@settings(max_examples=100, deadline=None)
@given(values=value_lists)
def test_value_text_round_trips(values):
    from insieme.catalog.forms import format_values

    assert parse_values(format_values(values)) == values
