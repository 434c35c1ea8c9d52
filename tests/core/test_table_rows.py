"""`{% table_rows %}` draws exactly what the template loop it replaced drew, for every kind of
value the Scorecard's and the dashboards' rows hold, in both languages: localised numbers and
dates, times in the active time zone, escaped text, None, lazy translations and figures."""

from __future__ import annotations

from datetime import UTC

from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from insieme.core.figures import Figure

LOOP = Template(
    "{% for row in rows %}<tr>{% for v in row %}{% if forloop.first %}"
    '<th scope="row">{{ v }}</th>{% else %}<td>{{ v }}</td>{% endif %}{% endfor %}</tr>'
    "{% endfor %}"
)
TAG = Template("{% load tables %}{% table_rows rows %}")

values = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**9), max_value=10**9)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-(10**9)
    )
    | st.text(max_size=20)
    | st.sampled_from(["<b>x</b>", "Tom & Jerry", '"quoted"', "l'ufficio"])
    | st.builds(mark_safe, st.sampled_from(["<b>safe</b>", "a &amp; b"]))
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.just(gettext_lazy("All channels"))
    | st.builds(lambda n: Figure(f"{n} %", n), st.decimals(places=1, max_value=100, min_value=0))
)


@given(
    st.lists(st.lists(values, min_size=1, max_size=6), max_size=6),
    st.sampled_from(["en", "it"]),
)
def test_the_tag_draws_what_the_loop_drew(rows, language):
    with translation.override(language), timezone.override("Europe/Rome"):
        assert TAG.render(Context({"rows": rows})) == LOOP.render(Context({"rows": rows}))


def test_text_is_escaped():
    html = TAG.render(Context({"rows": [["<script>", "a & b"]]}))
    assert html == '<tr><th scope="row">&lt;script&gt;</th><td>a &amp; b</td></tr>'


def test_no_rows_draw_nothing():
    assert TAG.render(Context({"rows": []})) == ""


def test_without_autoescape_the_tag_leaves_text_as_the_loop_does():
    rows = [["<i>a</i>", 1234567.5, "x & y"]]
    off = "{%% autoescape off %%}%s{%% endautoescape %%}"
    loop = Template(off % LOOP.source)
    tag = Template("{% load tables %}" + off % "{% table_rows rows %}")
    with translation.override("it"):
        assert tag.render(Context({"rows": rows})) == loop.render(Context({"rows": rows}))
        assert "<i>a</i>" in tag.render(Context({"rows": rows}))
