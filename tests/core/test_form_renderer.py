"""The form renderer writes Django's standard widget templates out in Python: its output must be
Django's, byte for byte, for any widget, value, choice and attribute."""

from __future__ import annotations

import datetime
from pathlib import Path

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override
from hypothesis import given, settings
from hypothesis import strategies as st

from insieme.core.form_renderer import FastWidgetRenderer

DJANGO = DjangoTemplates()
FAST = FastWidgetRenderer()

TEXT = st.text(alphabet=st.sampled_from(list("aZ9 <>&\"'éè€\n")), max_size=12)
LABELS = st.one_of(
    TEXT,
    TEXT.map(mark_safe),
    st.integers(-10_000, 10_000),
    st.just(gettext_lazy("Status")),
    st.decimals(places=2, allow_nan=False, allow_infinity=False, min_value=-999, max_value=999),
)
VALUES = st.one_of(st.none(), TEXT, TEXT.map(mark_safe), st.integers(-5, 5000), st.booleans())
ATTR_VALUES = st.one_of(st.booleans(), st.none(), TEXT, st.integers(0, 99), TEXT.map(mark_safe))
ATTRS = st.dictionaries(
    st.sampled_from(["id", "class", "placeholder", "required", "disabled", "data-x", "aria-x"]),
    ATTR_VALUES,
    max_size=4,
)
CHOICE_KEYS = st.one_of(TEXT, st.integers(0, 99))
FLAT = st.lists(st.tuples(CHOICE_KEYS, LABELS), max_size=6)
CHOICES = st.one_of(
    FLAT,
    st.lists(st.tuples(TEXT, FLAT), min_size=1, max_size=3),  # option groups
    st.lists(st.one_of(st.tuples(CHOICE_KEYS, LABELS), st.tuples(TEXT, FLAT)), max_size=5),
)
SIMPLE = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.HiddenInput,
    forms.PasswordInput,
    forms.DateInput,
    forms.TimeInput,
    forms.Textarea,
    forms.CheckboxInput,
    forms.FileInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
    forms.DateTimeInput,
]
MULTIPLE = [forms.Select, forms.SelectMultiple, forms.RadioSelect, forms.CheckboxSelectMultiple]


def both(widget, name, value, attrs=None) -> tuple[str, str]:
    return (
        widget.render(name, value, attrs, renderer=DJANGO),
        widget.render(name, value, attrs, renderer=FAST),
    )


@settings(max_examples=300, deadline=None)
@given(
    widget=st.sampled_from(SIMPLE),
    name=TEXT,
    value=VALUES,
    attrs=ATTRS,
    language=st.sampled_from(["en", "it"]),
)
def test_simple_widgets_render_as_django_does(widget, name, value, attrs, language):
    with override(language):
        expected, got = both(widget(attrs=attrs), name, value)
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(
    widget=st.sampled_from(MULTIPLE),
    name=TEXT,
    choices=CHOICES,
    value=st.one_of(VALUES, st.lists(st.one_of(TEXT, st.integers(0, 99)), max_size=3)),
    attrs=ATTRS,
    language=st.sampled_from(["en", "it"]),
)
def test_choice_widgets_render_as_django_does(widget, name, choices, value, attrs, language):
    with override(language):
        expected, got = both(widget(attrs=attrs, choices=choices), name, value)
    assert got == expected


def test_dates_numbers_and_the_null_boolean_select():
    for widget, value in [
        (forms.DateInput(), datetime.date(2026, 12, 7)),
        (forms.DateInput(format="%d/%m/%Y"), datetime.date(2026, 12, 7)),
        (forms.NumberInput(), 1234.5),
        (forms.NullBooleanSelect(), None),
        (forms.NullBooleanSelect(), True),
        (forms.CheckboxInput(), True),
        (forms.SplitDateTimeWidget(), datetime.datetime(2026, 12, 7, 10, 5)),
        (forms.SelectDateWidget(), datetime.date(2026, 12, 7)),
        (forms.ClearableFileInput(), None),
    ]:
        for language in ("en", "it"):
            with override(language):
                expected, got = both(widget, "when", value, {"id": "id_when"})
            assert got == expected, (widget, language)


@settings(max_examples=100, deadline=None)
@given(
    errors=st.lists(TEXT, max_size=3),
    field_id=st.one_of(st.none(), TEXT),
    error_class=st.sampled_from([None, "nonfield", "x y"]),
)
def test_error_lists_render_as_django_does(errors, field_id, error_class):
    kwargs = {"error_class": error_class, "field_id": field_id}
    expected = str(ErrorList(errors, renderer=DJANGO, **kwargs))
    got = str(ErrorList(errors, renderer=FAST, **kwargs))
    assert got == expected
    with_validation = [forms.ValidationError("<b>%(x)s</b>", params={"x": "&"})]
    assert str(ErrorList(with_validation, renderer=FAST)) == str(
        ErrorList(with_validation, renderer=DJANGO)
    )


def test_a_whole_form_renders_the_same():
    class Everything(forms.Form):
        name = forms.CharField(help_text="<i>who</i>")
        kind = forms.ChoiceField(choices=[("a", "A & B"), ("Group", [("c", "C")])])
        many = forms.MultipleChoiceField(
            choices=[(1, "one"), (2, "two")], widget=forms.CheckboxSelectMultiple
        )
        radio = forms.ChoiceField(choices=[(1, "one"), (2, "two")], widget=forms.RadioSelect)
        note = forms.CharField(widget=forms.Textarea)
        agree = forms.BooleanField()

    data = {"name": "<x>", "kind": "c", "many": ["2"], "radio": "9", "note": ""}
    expected = Everything(data, renderer=DJANGO).as_div()
    got = Everything(data, renderer=FAST).as_div()
    assert got == expected
    assert "errorlist" in got


def test_the_standard_templates_do_not_reach_the_template_engine(monkeypatch):
    calls = []

    def engine(self, template_name, context, request=None):
        calls.append(template_name)
        return ""

    monkeypatch.setattr(DjangoTemplates, "render", engine)
    renderer = FastWidgetRenderer()
    choices = [(n, f"Option {n}") for n in range(50)]
    for widget in [forms.Select(choices=choices), forms.CheckboxSelectMultiple(choices=choices)]:
        assert widget.render("x", 3, renderer=renderer).count("Option") == 50
    assert forms.TextInput().render("x", "y", renderer=renderer).startswith("<input")
    assert str(ErrorList(["bad"], renderer=renderer)) == '<ul class="errorlist"><li>bad</li></ul>'
    assert calls == []
    forms.SelectDateWidget().render("when", None, renderer=renderer)  # not written out: the engine
    assert calls


def test_a_template_directory_that_overrides_an_included_template_is_honoured(tmp_path):
    # A project's own attrs.html (included by every widget) must show: then nothing is written
    # out in Python, and the engine renders every widget.
    folder = tmp_path / "django" / "forms" / "widgets"
    folder.mkdir(parents=True)
    (folder / "attrs.html").write_text(' data-own="yes"')

    django_own = Path(forms.__file__).parent / "templates"

    class Overridden(FastWidgetRenderer):
        @cached_property
        def engine(self):
            return self.backend(
                {"APP_DIRS": True, "DIRS": [tmp_path, django_own], "NAME": "own", "OPTIONS": {}}
            )

    renderer = Overridden()
    select = forms.Select(choices=[(1, "one")]).render("x", 1, renderer=renderer)
    assert 'data-own="yes"' in select
    assert 'data-own="yes"' in forms.TextInput().render("x", "y", renderer=renderer)
