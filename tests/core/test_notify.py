"""Templated e-mail: the subject and the text body are plain text, never HTML-escaped (a title
"all'ombra" once arrived as "all&#x27;ombra"); the HTML body escapes."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from insieme.core.notify import render_email


def _render(title: str):
    idea = SimpleNamespace(title=title)
    answer = SimpleNamespace(get_kind_display="Accepted")
    return render_email("participation_idea_answered", {"idea": idea, "answer": answer}, "en")


def test_a_subject_keeps_apostrophes_and_ampersands():
    subject, _text, _html = _render("Più panchine all'ombra & <fontane>")
    assert subject == "Idea “Più panchine all'ombra & <fontane>”: Accepted"


@given(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40))
def test_any_title_reaches_the_subject_as_written(title):
    subject, _text, _html = _render(title)
    assert " ".join(f"Idea “{title}”: Accepted".split()) == subject
