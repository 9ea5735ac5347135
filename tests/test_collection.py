"""Garbage collection at file boundaries in a scan process."""

from __future__ import annotations

import gc
import threading
import weakref

from secreview_ls.pipeline.collection import collected_at_the_end


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only a collection frees it


def test_no_automatic_collection_inside_and_the_cycles_left_are_freed_at_the_end() -> None:
    assert gc.isenabled()
    try:
        with collected_at_the_end():
            assert not gc.isenabled()
            node = _Node()
            alive = weakref.ref(node)
            del node
            assert alive() is not None
        assert gc.isenabled()
        assert alive() is None
    finally:
        gc.unfreeze()


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
