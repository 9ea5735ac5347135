"""Garbage collection at file boundaries in a scan process."""

from __future__ import annotations

import gc
import threading
import weakref

from secreview_ls.pipeline.collection import collected_at_the_end


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only a collection frees it


def test_no_automatic_collection_inside_and_what_is_left_is_frozen_without_a_collection(monkeypatch) -> None:
    from secreview_ls.pipeline import collection

    monkeypatch.setattr(collection, "_scan_unswept", 0)
    assert gc.isenabled()
    try:
        with collected_at_the_end():
            assert not gc.isenabled()
            node = _Node()
            alive = weakref.ref(node)
            del node
        assert gc.isenabled()
        assert alive() is not None  # frozen, not collected: files leave almost no cycles
        assert gc.get_count()[0] < 50  # the file's objects are frozen: not visited again
    finally:
        gc.unfreeze()
        gc.collect()


def test_the_cycles_left_are_freed_once_the_files_made_enough_objects(monkeypatch) -> None:
    from secreview_ls.pipeline import collection

    monkeypatch.setattr(collection, "_scan_unswept", 0)
    monkeypatch.setattr(collection, "UNSWEPT_LIMIT", 1_000)
    try:
        with collected_at_the_end():
            node = _Node()
            first = weakref.ref(node)
            del node
        assert first() is not None
        with collected_at_the_end():
            kept = [[index] for index in range(2_000)]  # objects made by a second file
            node = _Node()
            second = weakref.ref(node)
            del node
        assert first() is None and second() is None  # a full collection: the frozen ones too
        assert collection._scan_unswept == 0
        assert kept
    finally:
        gc.unfreeze()
        gc.collect()


def test_collection_is_left_alone_while_other_threads_run() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with collected_at_the_end():
            assert gc.isenabled()
    finally:
        stop.set()
        other.join()


def test_an_analysis_pauses_automatic_collection_and_restores_it() -> None:
    from secreview_ls.pipeline import IncrementalAnalyzer

    seen: list[bool] = []
    analyzer = IncrementalAnalyzer("app.py")
    original = analyzer._analyze

    def spying(text: str):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return original(text)

    analyzer._analyze = spying  # type: ignore[method-assign]
    assert gc.isenabled()
    analyzer.analyze("import os\nos.system(input())\n")
    assert seen == [False]
    assert gc.isenabled()


def test_overlapping_pauses_restore_collection_only_when_the_last_ends() -> None:
    from secreview_ls.pipeline.collection import collection_paused

    first_inside = threading.Event()
    second_done = threading.Event()
    states: dict[str, bool] = {}

    def second() -> None:
        first_inside.wait()
        with collection_paused():
            pass
        states["after second"] = gc.isenabled()  # the first still runs
        second_done.set()

    other = threading.Thread(target=second)
    other.start()
    with collection_paused():
        first_inside.set()
        second_done.wait()
    other.join()
    assert states == {"after second": False}
    assert gc.isenabled()


def test_a_pause_leaves_collection_off_when_it_was_off() -> None:
    from secreview_ls.pipeline.collection import collection_paused

    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_process_that_freezes_after_analyses_gets_what_a_pause_made_frozen(monkeypatch) -> None:
    from secreview_ls.pipeline import collection
    from secreview_ls.pipeline.collection import collection_paused, freeze_after_analyses

    monkeypatch.setattr(collection, "YOUNG_COLLECTION_LIMIT", -1)  # as after a whole-file analysis
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        freeze_after_analyses()
        with collection_paused():
            node = _Node()
            alive = weakref.ref(node)
            del node
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
        gc.collect()
        assert alive() is not None  # the cycle waits for a full collection of the frozen heap
    finally:
        freeze_after_analyses(False)
        gc.unfreeze()
    gc.collect()
    assert alive() is None


def test_a_small_analysis_collects_its_own_cycles_before_freezing_the_survivors() -> None:
    from secreview_ls.pipeline.collection import collection_paused, freeze_after_analyses

    gc.collect()
    gc.freeze()
    try:
        freeze_after_analyses()
        with collection_paused():
            garbage = _Node()
            gone = weakref.ref(garbage)
            del garbage
            kept = _Node()
        assert gc.isenabled()
        assert gone() is None  # an edit's cycles are freed before the freeze
        assert gc.get_freeze_count() > 0 and alive_in_frozen(kept)
    finally:
        freeze_after_analyses(False)
        gc.unfreeze()
    gc.collect()


def alive_in_frozen(value: object) -> bool:
    """Whether ``value`` was frozen (a collection of the unfrozen heap does not see it)."""
    return not any(obj is value for obj in gc.get_objects())


def test_an_analysis_whose_result_waits_does_not_sweep_and_its_objects_are_counted() -> None:
    from secreview_ls.pipeline.collection import collection_paused, freeze_after_analyses, unswept

    gc.collect()
    gc.freeze()
    try:
        before = unswept()
        freeze_after_analyses()
        with collection_paused(), collection_paused(sweep=False):  # an edit and an open at once
            node = _Node()
            alive = weakref.ref(node)
            del node
        assert gc.isenabled()
        gc.collect()
        assert alive() is not None  # frozen unswept, for a full collection
        assert unswept() > before
    finally:
        freeze_after_analyses(False)
        gc.unfreeze()
    gc.collect()
    assert alive() is None


def test_a_held_sweep_waits_for_the_caller_then_collects_and_freezes() -> None:
    from secreview_ls.pipeline.collection import collection_paused, freeze_after_analyses, sweep_held

    gc.collect()
    gc.freeze()
    try:
        freeze_after_analyses(hold_sweeps=True)
        with collection_paused():
            garbage = _Node()
            gone = weakref.ref(garbage)
            del garbage
            kept = _Node()
        assert not gc.isenabled()  # held: no automatic collection before the result is sent
        assert gone() is not None
        sweep_held()
        assert gc.isenabled()
        assert gone() is None  # the edit's cycles are freed before the freeze
        assert alive_in_frozen(kept)
        sweep_held()  # nothing held: nothing happens
        assert gc.isenabled()
    finally:
        freeze_after_analyses(False)
        gc.enable()
        gc.unfreeze()
    gc.collect()


def test_an_analysis_starting_while_a_sweep_is_held_takes_it_over() -> None:
    from secreview_ls.pipeline.collection import collection_paused, freeze_after_analyses, sweep_held

    gc.collect()
    gc.freeze()
    try:
        freeze_after_analyses(hold_sweeps=True)
        with collection_paused():
            first = _Node()
            gone = weakref.ref(first)
            del first
        with collection_paused():
            sweep_held()  # an analysis runs: not now
            assert not gc.isenabled()
            assert gone() is not None
        assert not gc.isenabled()  # the second one's sweep is held in turn
        freeze_after_analyses(False)  # no longer held: swept at once
        assert gc.isenabled()
        assert gone() is None
    finally:
        freeze_after_analyses(False)
        gc.enable()
        gc.unfreeze()
    gc.collect()
