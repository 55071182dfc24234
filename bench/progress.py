"""Progress of a long load: done / total, rate and time left.

On a terminal one line updates in place (at most five times a second); into a file or a pipe (a log, CI) a plain
line is written every `interval` seconds and when the phase ends, so the log stays readable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Bar:
    def __init__(self, progress: Progress, label: str, total: int):
        self.progress, self.label, self.total = progress, label, total
        self.done = 0
        self.started = self.shown = progress.clock()

    def line(self) -> str:
        elapsed = self.progress.clock() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        share = self.done / self.total if self.total else 1.0
        text = f"{self.label} {self.done:,}/{self.total:,} ({share:.0%}) {rate:,.0f}/s"
        if self.done >= self.total:
            return f"{text}, done in {_clock(elapsed)}"
        left = (self.total - self.done) / rate if rate else None
        return f"{text}, ETA {_clock(left) if left is not None else '?'}"

    def advance(self, n: int) -> None:
        self.done += n
        now = self.progress.clock()
        wait = 0.2 if self.progress.tty else self.progress.interval
        if self.done < self.total and now - self.shown >= wait:  # the last line is close()'s
            self.shown = now
            self.progress.show(self.line(), final=False)

    def close(self) -> None:
        self.progress.show(self.line(), final=True)


class Progress:
    """`write=None` shows nothing (tests); `bars=False` only the phases' lines. `write` gets text with its own line
    ends and should flush; `tty` says whether it reaches a terminal."""

    def __init__(
        self,
        write: Callable[[str], None] | None = None,
        *,
        tty: bool = False,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        bars: bool = True,
    ):
        self.write = write
        self.tty = tty and write is not None
        self.interval = interval
        self.clock = clock
        self.bars = bars and write is not None
        self._open_line = False

    @classmethod
    def to(cls, stream: TextIO, **options) -> Progress:
        def write(text: str) -> None:
            stream.write(text)
            stream.flush()

        return cls(write, tty=stream.isatty(), **options)

    def _write(self, text: str) -> None:
        self.write(text)

    def log(self, message: str) -> None:
        if self.write is None:
            return
        if self._open_line:
            self._write("\n")
            self._open_line = False
        self._write(message + "\n")

    def show(self, line: str, *, final: bool) -> None:
        if not self.bars:
            return
        if self.tty:
            self._write("\r" + line + "\x1b[K" + ("\n" if final else ""))
            self._open_line = not final
        else:
            self._write(line + "\n")

    def bar(self, label: str, total: int) -> Bar:
        return Bar(self, label, total)
