"""Keeps Python's full garbage collections out of the keystroke path.

A full (generation 2) collection visits every object the server holds; with the syntax
trees and caches of a 10,000-line module in memory it takes about a quarter of a second, and
the interpreter starts one whenever enough new objects have survived: in the middle of some
analysis, which then misses its latency. So after each analysis the objects alive are
frozen (``gc.freeze()``): automatic collections only look at objects made after that.
Objects that die are still freed at once by reference counting; only reference cycles among
frozen objects wait, until the server has been idle for a moment. Then one full collection
runs, between keystrokes, and what survives is frozen again.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

IDLE_SECONDS = 2.0  # no analysis for this long: the user has paused
MIN_ANALYSES = 20  # analyses since the last full collection before another is worth it


class IdleCollector:
    """Freezes the heap after each analysis and collects fully only when the server is idle."""

    def __init__(
        self,
        busy: Callable[[], bool],
        *,
        idle_seconds: float = IDLE_SECONDS,
        min_analyses: int = MIN_ANALYSES,
    ) -> None:
        self.busy = busy
        self.idle_seconds = idle_seconds
        self.min_analyses = min_analyses
        self.analyses = 0
        self.collections = 0
        self._timer: asyncio.TimerHandle | None = None

    def after_analysis(self) -> None:
        """Call on the event loop once an analysis result is published."""
        gc.freeze()
        self.analyses += 1
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.idle_seconds, self._collect)

    def _collect(self) -> None:
        self._timer = None
        if self.analyses < self.min_analyses:
            return
        if self.busy():
            self._schedule()
            return
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self.analyses = 0
        self.collections += 1
        log.debug("idle garbage collection: %d objects in %.0f ms", found, (time.perf_counter() - started) * 1000)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
