"""Long work shows its progress: a bar on a terminal, a line every few seconds elsewhere, and
nothing when nobody listens (tests, `call_command(verbosity=0)`)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from insieme.core import progress
from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(progress, "_clock", clock)
    monkeypatch.delenv("INSIEME_PROGRESS_INTERVAL", raising=False)
    return clock


def test_lines_every_interval_with_count_share_and_time_left(clock):
    out = io.StringIO()
    with progress.reporting(out), progress.stage("demo: cases", total=1000, unit="cases") as bar:
        bar.advance(100)  # at once: no line yet
        clock.now += 5
        bar.advance(150)  # 250 in 5 s: 750 left at that pace is 15 s
        clock.now += 1
        bar.advance(10)  # one second later: too soon for another line
        clock.now += 30
        bar.advance(740)
    lines = out.getvalue().splitlines()
    assert lines == [
        "demo: cases: 0/1,000 cases",
        "demo: cases: 250/1,000 cases (25%), 5 s elapsed, about 15 s left",
        "demo: cases: 1,000/1,000 cases (100%), 36 s elapsed, about 0 s left",
        "demo: cases: done, 1,000 cases in 36 s",
    ]


def test_interval_from_the_environment(clock, monkeypatch):
    monkeypatch.setenv("INSIEME_PROGRESS_INTERVAL", "60")
    out = io.StringIO()
    with progress.reporting(out), progress.stage("signatures", total=10) as bar:
        clock.now += 30
        bar.advance(5)
    assert out.getvalue().splitlines() == ["signatures: 0/10", "signatures: done, 5 in 30 s"]


def test_a_stage_without_a_total_counts_and_times(clock):
    out = io.StringIO()
    with progress.reporting(out), progress.stage("import", unit="rows") as bar:
        clock.now += 7
        bar.advance(12_345)
        clock.now += 3700
    assert out.getvalue().splitlines() == [
        "import: started",
        "import: 12,345 rows, 7 s elapsed",
        "import: done, 12,345 rows in 1 h 1 min",
    ]


def test_a_terminal_gets_a_bar(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    out = Terminal()
    with progress.reporting(out), progress.stage("demo: cases", total=200, unit="cases") as bar:
        bar.advance(50)
        progress.note("a line between")
    text = out.getvalue()
    assert "\r" in text and "demo: cases" in text and "/200" in text
    assert "a line between" in text


def test_ci_gets_lines_even_on_a_terminal(monkeypatch, clock):
    monkeypatch.setenv("CI", "true")
    out = Terminal()
    with progress.reporting(out), progress.stage("x", total=2) as bar:
        bar.advance(2)
    assert "\r" not in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "x: done, 2 in 0 s"


def test_silent_when_nobody_listens(capsys):
    assert not progress.active()
    with progress.stage("quiet", total=3) as bar:
        bar.advance(3)
    progress.note("nobody hears this")
    assert capsys.readouterr() == ("", "")


@pytest.mark.django_db
def test_the_demo_command_reports_its_stages_on_standard_error(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "demo", requests=60, ground_truth=str(tmp_path / "truth.json"), stdout=out, stderr=err
    )
    lines = err.getvalue().splitlines()
    assert any(line.startswith("demo: cases (") for line in lines)
    assert "demo: cases: 0/60 cases" in lines
    assert any(line.startswith("demo: cases: done, 60 cases in ") for line in lines)
    assert lines[-1] == "demo: planner statistics"
    assert "demo:" not in out.getvalue()  # the summary stays apart
    quiet = io.StringIO()
    call_command("demo", requests=60, verbosity=0, stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


def test_match_signatures_reports_progress(loaded_demo):  # noqa: F811
    err = io.StringIO()
    call_command("match_signatures", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("case signatures: 0/")
    assert lines[-1].startswith("case signatures: done, ")
