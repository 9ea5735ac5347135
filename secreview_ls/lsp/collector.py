"""Keeps Python's full garbage collections out of the keystroke path, and memory bounded.

A full (generation 2) collection visits every object the server holds; with the syntax
trees and caches of a 10,000-line module in memory it takes about a quarter of a second, and
the interpreter starts one whenever enough new objects have survived: in the middle of some
analysis, which then misses its latency. So after each analysis the objects alive are
frozen (``gc.freeze()``): automatic collections only look at objects made after that.
Objects that die are still freed at once by reference counting; only reference cycles among
frozen objects wait for a full collection, which runs:

- when the server has been idle for a moment (between keystrokes), as soon as a few analyses
  have run since the last one, or a document was closed;
- right after an analysis is published, when there was no pause for ``MAX_INTERVAL``
  seconds or ``UNSWEPT`` objects were frozen without a collection since the last one:
  garbage that waits for a pause that never comes (typing without a break, a client that
  sends edits continuously) is what made a server grow by ~100 KB per edit. The result of
  that analysis is already out; only the next one may start later (a full collection of a
  10,000-line module's caches costs a quarter to half a second).

An edit's analysis collects the few thousand objects it made before freezing the survivors
(``pipeline.collection``), so its garbage cycles are never frozen; only analyses too big to
collect at once (whole files) freeze what they made unswept, and those objects are what is
counted. (This used to be the growth of the resident size, but after a ``malloc_trim`` the
allocator's free lists grow back by more than 10 % within 20 edits of a 10,000-line module with
no garbage waiting at all, and each of those collections stalled an edit; counting the frozen
heap itself walks all of it.)

After a full collection, what survives is frozen again and the C allocator is asked to
give free memory back to the system (``malloc_trim``, with glibc): all of it on glibc's
allocator (``PYTHONMALLOC=malloc``, ``allocator.py``), so closing documents brings the process
back down; on Python's own, what it left to ``malloc`` (objects over 512 bytes). When the last
open document closes, the analysis memo tables of the session and the interpreter's own caches
are emptied first (``pipeline.release_caches``, ``forget_interpreter_caches``) and the resident
size before and after is logged; what lives as long as the process is made before the
first document (``warmup.py``), so that it does not keep the session's arenas.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import re
import sys
import time
from collections.abc import Callable

from ..pipeline import release_caches
from ..pipeline.collection import sweep_held
from ..pipeline.collection import unswept as unswept_objects

log = logging.getLogger(__name__)

IDLE_SECONDS = 2.0  # no analysis for this long: the user has paused
MIN_ANALYSES = 20  # analyses since the last full collection before another is worth it
MAX_INTERVAL = 30.0  # seconds of analyses without a full collection before one runs anyway
UNSWEPT = 1_000_000  # objects frozen without a collection since the last full one that force one


def resident_bytes() -> int | None:
    """The process's resident size (Linux), None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _malloc_trim() -> Callable[[], None]:
    """``malloc_trim(0)`` of glibc, or nothing elsewhere. The symbol is looked up in the
    process itself (``CDLL(None)``): ``ctypes.util.find_library`` would run ``ldconfig``."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        trim = None
    if trim is None:
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]

    def release() -> None:
        trim(0)

    return release


release_free_memory = _malloc_trim()


def forget_interpreter_caches() -> None:
    """Empty the interpreter's own caches that keep objects of the session alive: the type
    attribute cache holds every attribute name looked up (up to 4,096 small strings, many
    made from the analysed text), and ``re`` keeps the patterns its functions compiled. Each is
    tiny, yet scattered over the heap each one keeps a whole page from going back to the
    system. Both refill on demand."""
    sys._clear_type_cache()
    re.purge()


class IdleCollector:
    """Freezes the heap after each analysis and collects fully when idle, or when garbage
    has waited too long (see the module docstring)."""

    def __init__(
        self,
        busy: Callable[[], bool],
        *,
        idle_seconds: float = IDLE_SECONDS,
        min_analyses: int = MIN_ANALYSES,
        max_interval: float = MAX_INTERVAL,
        unswept_limit: int = UNSWEPT,
        resident: Callable[[], int | None] = resident_bytes,
        unswept: Callable[[], int] = unswept_objects,
        empty: Callable[[], bool] = lambda: False,
        before_collect: Callable[[], None] = lambda: None,
    ) -> None:
        self.busy = busy
        self.empty = empty  # whether no document is open
        self.before_collect = before_collect  # lets go of caches kept only for speed
        self.idle_seconds = idle_seconds
        self.min_analyses = min_analyses
        self.max_interval = max_interval
        self.unswept_limit = unswept_limit
        self.resident = resident  # for the log line when the last document closes
        self.unswept = unswept  # objects frozen without a collection so far (a running total)
        self.analyses = 0
        self.collections = 0
        self.forced = 0  # collections that did not wait for a pause
        self.emptied = 0  # collections after the last document closed, with the memo tables dropped
        self._wanted = False  # a collection is due at the next pause whatever the count
        self._last = time.monotonic()
        self._swept = unswept()  # the running total at the last full collection
        self._frozen = 0  # objects this collector froze since then (made after an analysis ended)
        self._timer: asyncio.TimerHandle | None = None

    def after_analysis(self) -> None:
        """Call on the event loop once an analysis result is published."""
        sweep_held()  # an edit's garbage, collected now that its result is out
        self._frozen += gc.get_count()[0]
        gc.freeze()
        self.analyses += 1
        if self._overdue():
            self.forced += 1
            self.collect()
            return
        self._schedule()

    def released(self) -> None:
        """Call when a document was closed: what it held is freed at the next pause."""
        self._wanted = True
        self._schedule()

    def _overdue(self) -> bool:
        if self.analyses < self.min_analyses:
            return False
        if time.monotonic() - self._last > self.max_interval:
            return True
        return self.unswept() - self._swept + self._frozen > self.unswept_limit

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.idle_seconds, self._collect_when_idle)

    def _collect_when_idle(self) -> None:
        self._timer = None
        if self.analyses < self.min_analyses and not self._wanted:
            return
        if self.busy():
            self._schedule()
            return
        self.collect()

    def collect(self) -> None:
        """A full collection now; what survives is frozen again."""
        started = time.perf_counter()
        emptied = self._wanted and self.empty()
        before = self.resident() if emptied else None
        if emptied:
            release_caches()
            forget_interpreter_caches()
        self.before_collect()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        release_free_memory()
        if emptied:
            self.emptied += 1
            after = self.resident()
            if before is not None and after is not None:
                log.info(
                    "no document open: memory released, resident %.1f MB -> %.1f MB", before / 2**20, after / 2**20
                )
        self.analyses = 0
        self.collections += 1
        self._wanted = False
        self._last = time.monotonic()
        self._swept = self.unswept()
        self._frozen = 0
        log.debug("full garbage collection: %d objects in %.0f ms", found, (time.perf_counter() - started) * 1000)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
