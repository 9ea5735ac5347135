"""Garbage collection at file boundaries during a scan.

Python's automatic collections start whenever enough new objects have survived, and each
full one visits every object the process holds (syntax trees, the cross-module index): in the
middle of a file's analysis, over and over. A scan process runs each file with automatic
collection off, then collects once what the file left behind and freezes the survivors
(``gc.freeze()``: later collections skip them), so each collection only visits what the last
file made. Objects without reference cycles are freed by reference counting as before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _owns_the_process() -> bool:
    """Whether nothing else runs in this process (a server's threads share its collector)."""
    return threading.current_thread() is threading.main_thread() and threading.active_count() == 1


@contextmanager
def collected_at_the_end() -> Iterator[None]:
    """Run the body without automatic collections, then collect once and freeze what survives;
    a no-op where collection is already off or other threads run."""
    if not gc.isenabled() or not _owns_the_process():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()
