"""The progress bar of ``secreview check`` on a terminal.

One line on stderr, redrawn in place: ``[#####-----] 12/40 files  ETA 8s``. It appears as
soon as the number of files is known (``0/N``), moves with each analyzed file, and adds an
estimate of the time left once a few files are done. It is drawn only when stderr is a
terminal and neither ``--quiet`` nor ``--no-progress`` is given, so redirected output and
CI logs never contain it; the line is erased when the scan ends.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from typing import IO

ETA_AFTER_FILES = 3  # files done before the time left is estimated
ETA_AFTER_SECONDS = 0.5  # and seconds elapsed (a first burst of cached files says little)
REDRAW_INTERVAL = 0.05  # seconds between two redraws (the first and the last are always drawn)


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress_for(args: argparse.Namespace, stream: IO[str]) -> ProgressBar | None:
    """A progress bar on ``stream`` when it is a terminal and the user did not turn it off."""
    if getattr(args, "no_progress", False) or getattr(args, "quiet", False) or not is_terminal(stream):
        return None
    return ProgressBar(stream)


def format_duration(seconds: float) -> str:
    """``8s``, ``1m05s``, ``2h03m``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class ProgressBar:
    """Call it with ``(done, total)``; :meth:`close` erases the line."""

    def __init__(
        self,
        stream: IO[str],
        *,
        width: int = 30,
        clock: Callable[[], float] = time.monotonic,
        columns: int | None = None,
    ) -> None:
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.width = width
        self.columns = columns if columns is not None else shutil.get_terminal_size((80, 24)).columns
        self.last_draw: float | None = None
        self.last_line = ""
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        final = done >= total
        if self.last_draw is not None and not final and now - self.last_draw < REDRAW_INTERVAL:
            return
        self.last_draw = now
        self._draw(self.line(done, total, now - self.start))

    def line(self, done: int, total: int, elapsed: float) -> str:
        """The text of the bar for ``done`` of ``total`` files after ``elapsed`` seconds."""
        filled = int(self.width * done / total) if total else self.width
        text = f"[{'#' * filled}{'-' * (self.width - filled)}] {done}/{total} files"
        if 0 < done < total and done >= ETA_AFTER_FILES and elapsed >= ETA_AFTER_SECONDS:
            text += f"  ETA {format_duration(elapsed / done * (total - done))}"
        return text[: max(10, self.columns - 1)]  # never wrap: a wrapped line cannot be redrawn

    def _draw(self, text: str) -> None:
        padding = " " * max(0, len(self.last_line) - len(text))  # erase the end of a longer line
        self.stream.write(f"\r{text}{padding}")
        self.stream.flush()
        self.last_line = text
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * len(self.last_line) + "\r")
            self.stream.flush()
            self.drawn = False
