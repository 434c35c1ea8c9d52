"""The demo's participation: in the region and each municipality a process in every kind of
phase, an employees' idea box, ideas from every kind of author in both languages, supports (one
past its threshold), comments with an official answer, a reported and a hidden one, official
answers of every kind, an evaluation note, a merge and a split; the audit chain intact; the same
seed gives the same content."""

from __future__ import annotations

import pytest

from insieme.core import audit
from insieme.core.models import Administration, today_in
from insieme.participation.models import (
    Audience,
    Comment,
    EvaluationNote,
    Idea,
    ModerationAction,
    PhaseKind,
    Process,
)


@pytest.fixture
def demo(loaded_demo):
    """The demo region, loaded once for every test that wants it (tests/demo/conftest.py)."""
    return loaded_demo


def test_every_administration_has_processes_in_every_phase(demo, db):
    for admin in Administration.objects.filter(
        slug__in=["valdoro", "lago-verde", "montalto", "san-pietro-al-colle"]
    ):
        processes = list(Process.objects.filter(administration=admin).prefetch_related("phases"))
        today = today_in(admin)
        running = {p.current_phase(today).kind for p in processes if p.audience == Audience.PUBLIC}
        assert running == set(PhaseKind.values), admin.slug
        assert any(p.audience == Audience.EMPLOYEES for p in processes), admin.slug


def test_content_of_every_kind(demo, db):
    ideas = Idea.objects.all()
    assert set(ideas.values_list("author_type", flat=True)) == {"citizen", "employee", "partner"}
    assert {"it", "en"} <= set(ideas.values_list("language", flat=True))
    assert {"accepted", "evaluating", "rejected"} <= set(ideas.values_list("answer", flat=True))
    assert ideas.filter(supports_count__gt=10).exists()
    assert ideas.filter(state="merged").exists() and ideas.filter(state="split").exists()
    assert Comment.objects.filter(is_official=True).exists()
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Comment.objects.filter(hidden_at__isnull=False).exists()
    assert Comment.objects.filter(pending_flags__gt=0, hidden_at__isnull=True).exists()
    assert ModerationAction.objects.filter(kind="hidden").exists()
    assert EvaluationNote.objects.exists()
    assert audit.verify().ok


def test_moderated_comments_teach_the_filter_and_the_bench_measures_it(demo, db):
    """Each administration has spam and abuse its moderators hid, fine comments, one held
    comment and a trained filter; the benchmark beats flagging by reports alone."""
    from insieme.participation import bench_spam, spam
    from insieme.participation.models import SpamModel

    admins = Administration.objects.filter(
        slug__in=["valdoro", "lago-verde", "montalto", "san-pietro-al-colle"]
    )
    for admin in admins:
        texts, labels = spam.training_data(admin.pk)
        assert spam.enough(labels), admin.slug
        assert Comment.objects.filter(administration=admin, held_at__isnull=False).count() == 1
    assert SpamModel.objects.filter(administration__in=admins).count() == 4
    found = bench_spam.measure()
    assert found["n"] >= 100
    assert found["precision"] >= 0.8 and found["recall"] >= 0.8
    assert found["recall"] > found["baseline_recall"]
    lines = [line.format() for line in bench_spam.run("small")]
    assert lines[0].startswith("bench comment_spam_precision value=")
    assert lines[1].startswith("bench comment_spam_recall value=") and "unit=ratio" in lines[1]
