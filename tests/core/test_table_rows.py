"""`{% table_rows %}` draws exactly what the template loop it replaced drew, for every kind of
value the Scorecard's and the dashboards' rows hold, in both languages: localised numbers and
dates, times in the active time zone, escaped text, None, lazy translations and figures."""

from __future__ import annotations

from datetime import UTC

from django.template import Context, Template
from django.utils import timezone, translation
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
    | st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-(10**9)
    )
    | st.text(max_size=20)
    | st.sampled_from(["<b>x</b>", "Tom & Jerry", '"quoted"', "l'ufficio"])
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
