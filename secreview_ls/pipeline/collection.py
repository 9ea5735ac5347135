"""Garbage collection at file boundaries during a scan.

Python's automatic collections start whenever enough new objects have survived, and each
full one visits every object the process holds (syntax trees, the cross-module index): in the
middle of a file's analysis, over and over. A scan process runs each file with automatic
collection off, then freezes what the file left behind (``gc.freeze()``: collections skip
frozen objects). Objects without reference cycles are freed by reference counting as before.

An analysis leaves almost no garbage cycles (it empties what it made: ``ModuleTaint.release``):
collecting after every file found 1,249 unreachable objects in all over Django's 2,846 files,
for 0.7 s of the 11 s the files took, spent visiting the objects still alive. So a file's
leftovers are frozen without a collection, and a full one (frozen objects included) runs only
once the files have made ``UNSWEPT_LIMIT`` objects (net) since the last: what cycles there are
wait for it, a bounded amount.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _owns_the_process() -> bool:
    """Whether nothing else runs in this process (a server's threads share its collector)."""
    return threading.current_thread() is threading.main_thread() and threading.active_count() == 1


#: Objects (net) files may make between two full collections in a scan process: about Django's
#: whole scan; a full collection then visits every live object (a few hundred thousand, 0.1 s).
UNSWEPT_LIMIT = 4_000_000
_scan_unswept = 0  # objects (net) frozen by ``collected_at_the_end`` since its last collection


@contextmanager
def collected_at_the_end() -> Iterator[None]:
    """Run the body without automatic collections, then freeze what survives; every
    ``UNSWEPT_LIMIT`` objects made, collect everything first (the frozen objects too). A no-op
    where collection is already off or other threads run."""
    global _scan_unswept
    if not gc.isenabled() or not _owns_the_process():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _scan_unswept += gc.get_count()[0]
        if _scan_unswept >= UNSWEPT_LIMIT:
            _scan_unswept = 0
            gc.unfreeze()
            gc.collect()
        gc.freeze()
        gc.enable()


_pause_lock = threading.Lock()
_pauses = 0  # analyses running with automatic collection paused
_resume = False  # whether the first of them found it on
_freeze_on_resume = False  # see ``freeze_after_analyses``
# Objects (net) made since the last freeze up to which the last analysis collects them before
# freezing: an edit's analysis makes a few thousand (a collection of them costs 1-3 ms and frees
# the reference cycles its per-version taint state leaves); a whole-file one makes hundreds of
# thousands, whose collection would cost a tenth of the open.
YOUNG_COLLECTION_LIMIT = 50_000
_unswept = 0  # objects the analyses froze without collecting them first (see ``unswept``)


def freeze_after_analyses(on: bool = True, *, hold_sweeps: bool = False) -> None:
    """Make the last of concurrent analyses freeze what is alive (``gc.freeze()``) as it turns
    automatic collection back on. Otherwise the first allocation after that starts a collection
    of the young generation, which holds everything the analysis made (its syntax tree and
    indexes): a tenth of the open of a big file, before its result is out. When the analyses
    made few objects (an edit's, ``YOUNG_COLLECTION_LIMIT``) and none opened a document, those
    are collected first (only they: the rest is frozen), so that their garbage cycles are not
    frozen with the survivors.
    Only for a process that freezes after each analysis anyway and collects fully on its own
    schedule, such as the language server (``lsp.collector``); elsewhere the frozen cycles of
    big analyses would never be freed.

    ``hold_sweeps``: that collection (and the freeze) waits for :func:`sweep_held`, collection
    staying off until then, so that a caller can send the result first (the server calls it once
    the diagnostics are out); a next analysis starting before that takes the held objects over
    (collected or counted when it ends)."""
    global _freeze_on_resume, _hold_sweeps
    _freeze_on_resume = on
    _hold_sweeps = on and hold_sweeps
    if not _hold_sweeps:
        sweep_held()


def unswept() -> int:
    """How many objects (net) analyses froze without collecting them first, since the process
    started: those over ``YOUNG_COLLECTION_LIMIT``. Garbage among them waits for a full
    collection; a collector compares this count with its value at its last one."""
    return _unswept


_unhurried = True  # no analysis of the current pause asked to skip the sweep
_hold_sweeps = False  # see ``freeze_after_analyses``
_held = False  # an analysis's sweep waits for ``sweep_held`` (automatic collection is off for it)


@contextmanager
def collection_paused(*, sweep: bool = True) -> Iterator[None]:
    """Run the body without automatic collections: an analysis makes a whole syntax tree and
    its indexes, and the collections their allocations would start (each one visiting every
    young object, the tree included) cost a third of a big file's analysis. Concurrent
    analyses (the language server's threads) share the pause; the last one to finish turns
    collection back on if the first found it on. What they leave is collected afterwards,
    when the caller collects (the server when idle, a scan at file boundaries); objects
    without reference cycles are freed by reference counting as before. ``sweep=False``: an
    analysis whose result waits (a document's open) does not collect what it made as it ends
    (see ``freeze_after_analyses``)."""
    global _pauses, _resume, _unhurried, _held
    with _pause_lock:
        if _pauses == 0:
            if _held:  # collection is off for a sweep still waiting: this pause takes it over
                _held, _resume = False, True
            else:
                _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
        _unhurried = _unhurried and sweep
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0:
                swept, _unhurried = _unhurried, True
                if _resume:
                    _resume_collection(swept)


def _resume_collection(swept: bool) -> None:
    """The last analysis of a pause ended (``collection_paused``): turn collection back on,
    freezing (``freeze_after_analyses``) what the analyses made, collected first when they made
    few objects and none skipped the sweep; or hold that sweep for ``sweep_held``."""
    global _unswept, _held
    if _freeze_on_resume:
        made = gc.get_count()[0]
        if swept and made <= YOUNG_COLLECTION_LIMIT:
            if _hold_sweeps:
                _held = True  # collection stays off until ``sweep_held``
                return
            gc.collect()  # what is not frozen: what the analyses made
        else:
            _unswept += made
        gc.freeze()
    gc.enable()


def sweep_held() -> None:
    """Collect what the last analyses made, freeze the survivors and turn automatic collection
    back on, when their sweep was held (``freeze_after_analyses(hold_sweeps=True)``) and no
    analysis runs; otherwise nothing."""
    global _held
    with _pause_lock:
        if not _held or _pauses:
            return
        _held = False
        gc.collect()
        gc.freeze()
        gc.enable()
