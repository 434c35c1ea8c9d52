"""Progress of long work (the demo at a million cases, `make bench`, signature refreshes,
imports, publications): a bar with the stage, the count and the time left on a terminal, and a
plain line every few seconds when the output goes to a file or CI.

Commands switch it on for their run with `reporting(stream)`; code that does long work reports
through `stage(...)` whether or not anyone listens, so the same code is quiet in tests and under
`call_command` and talks on a terminal:

    with progress.stage("demo: cases", total=n, unit="cases") as bar:
        for chunk in chunks:
            ...
            bar.advance(len(chunk))
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

# Seconds between two lines when the output is not a terminal.
DEFAULT_INTERVAL = 5.0

_stream: TextIO | None = None
_clock: Callable[[], float] = time.monotonic


def interval() -> float:
    try:
        return max(0.1, float(os.environ.get("INSIEME_PROGRESS_INTERVAL", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


@contextlib.contextmanager
def reporting(stream: TextIO | None = None) -> Iterator[None]:
    """Report every stage started inside the block to `stream` (standard error by default):
    progress is a side channel, the command's own output stays on standard output."""
    global _stream
    previous, _stream = _stream, stream or sys.stderr
    try:
        yield
    finally:
        _stream = previous


def active() -> bool:
    return _stream is not None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty() and os.environ.get("CI", "").lower() not in ("true", "1")
    except (AttributeError, ValueError):
        return False


def duration(seconds: float) -> str:
    """'42 s', '6 min 5 s', '1 h 3 min'."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class Stage:
    """One stage of work with an optional total; see the module docstring."""

    def __init__(self, name: str, total: int | None, unit: str, stream: TextIO | None) -> None:
        self.name, self.total, self.unit = name, total, unit
        self.done = 0
        self._stream = stream
        self._bar = None
        self._started = self._last = _clock()
        if stream is None:
            return
        if _is_terminal(stream):
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, desc=name, unit=f" {unit}" if unit else "it", file=stream, leave=True
            )
        else:
            self._write(self._line(starting=True))

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._stream is not None and _clock() - self._last >= interval():
            self._write(self._line())

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._stream is not None:
            self._write(self._line(finished=True))

    def _line(self, starting: bool = False, finished: bool = False) -> str:
        elapsed = _clock() - self._started
        unit = f" {self.unit}" if self.unit else ""
        if starting:
            count = f"{self.total:,}{unit}" if self.total is not None else "started"
            return f"{self.name}: {count}" if self.total is None else f"{self.name}: 0/{count}"
        if finished:
            return f"{self.name}: done, {self.done:,}{unit} in {duration(elapsed)}"
        if not self.total:
            return f"{self.name}: {self.done:,}{unit}, {duration(elapsed)} elapsed"
        share = min(1.0, self.done / self.total)
        left = elapsed * (1 - share) / share if share > 0 else None
        estimate = f", about {duration(left)} left" if left is not None else ""
        return (
            f"{self.name}: {self.done:,}/{self.total:,}{unit} ({share:.0%}), "
            f"{duration(elapsed)} elapsed{estimate}"
        )

    def _write(self, line: str) -> None:
        self._last = _clock()
        self._stream.write(line + "\n")
        self._stream.flush()


def note(line: str) -> None:
    """A line between stages ("demo: catalogue"), when someone listens."""
    if _stream is None:
        return
    if _is_terminal(_stream):
        from tqdm import tqdm

        tqdm.write(line, file=_stream)
    else:
        _stream.write(line + "\n")
        _stream.flush()


@contextlib.contextmanager
def stage(name: str, total: int | None = None, unit: str = "") -> Iterator[Stage]:
    """A stage of work reported to the stream `reporting` set (silent when none is set)."""
    current = Stage(name, total, unit, _stream)
    try:
        yield current
    finally:
        current.close()
