"""Full garbage collections wait for a pause; the heap is frozen after each analysis."""

from __future__ import annotations

import asyncio
import gc
import sys

from secreview_ls.lsp.collector import IdleCollector


def test_collects_once_idle_and_refreezes() -> None:
    async def scenario() -> IdleCollector:
        busy = [True]
        collector = IdleCollector(lambda: busy[0], idle_seconds=0.05, min_analyses=3)
        for _ in range(3):
            collector.after_analysis()
            assert gc.get_freeze_count() > 0
        await asyncio.sleep(0.15)
        assert collector.collections == 0  # still analyzing: it waits
        busy[0] = False
        await asyncio.sleep(0.15)
        return collector

    try:
        collector = asyncio.run(scenario())
        assert collector.collections == 1
        assert collector.analyses == 0
        assert gc.get_freeze_count() > 0  # what survived is frozen again
    finally:
        gc.unfreeze()


def test_few_analyses_do_not_collect() -> None:
    async def scenario() -> IdleCollector:
        collector = IdleCollector(lambda: False, idle_seconds=0.02, min_analyses=5)
        collector.after_analysis()
        await asyncio.sleep(0.1)
        collector.stop()
        return collector

    try:
        assert asyncio.run(scenario()).collections == 0
    finally:
        gc.unfreeze()


class Cycle:
    """Two objects pointing at each other, holding a large string: freed only by a full
    collection."""

    def __init__(self) -> None:
        self.other = Partner(self)
        self.payload = "x" * 200_000


class Partner:
    def __init__(self, owner: Cycle) -> None:
        self.owner = owner


def test_garbage_does_not_wait_for_a_pause_that_never_comes() -> None:
    """Each analysis drops what the previous one kept (alive, hence frozen, at the previous
    freeze). Without a pause it used to stay forever."""
    import weakref

    async def scenario() -> tuple[IdleCollector, int]:
        made: weakref.WeakSet[Cycle] = weakref.WeakSet()
        collector = IdleCollector(lambda: True, idle_seconds=60, min_analyses=5, max_interval=0.05)
        kept = Cycle()
        made.add(kept)
        for _ in range(60):
            collector.after_analysis()
            kept = Cycle()  # the previous one is now garbage, frozen
            made.add(kept)
            await asyncio.sleep(0.005)
        return collector, len(made)

    try:
        collector, alive = asyncio.run(scenario())
        assert collector.forced > 0
        assert alive < 30, alive
    finally:
        gc.unfreeze()


def test_objects_frozen_unswept_force_a_collection() -> None:
    """Analyses too big to collect at once freeze what they made unswept; past a limit (a
    running total, compared with its value at the last collection) a collection is forced."""

    async def scenario() -> IdleCollector:
        total = [0]
        collector = IdleCollector(
            lambda: True,
            idle_seconds=60,
            min_analyses=2,
            max_interval=3600,
            unswept=lambda: total[0],
            unswept_limit=10_000,
        )
        for _ in range(3):
            collector.after_analysis()
        assert collector.forced == 0
        total[0] = 20_000  # whole-file analyses froze that many objects unswept
        collector.after_analysis()
        assert collector.forced == 1
        collector.after_analysis()
        collector.after_analysis()
        assert collector.forced == 1  # counted from the last collection on
        total[0] = 31_000
        collector.after_analysis()
        assert collector.forced == 2
        collector.stop()
        return collector

    try:
        asyncio.run(scenario())
    finally:
        gc.unfreeze()


def test_closing_a_document_collects_at_the_next_pause() -> None:
    async def scenario() -> IdleCollector:
        collector = IdleCollector(lambda: False, idle_seconds=0.02, min_analyses=50)
        collector.after_analysis()
        collector.released()
        await asyncio.sleep(0.1)
        return collector

    try:
        assert asyncio.run(scenario()).collections == 1
    finally:
        gc.unfreeze()


def test_caches_kept_for_speed_are_let_go_of_before_a_collection() -> None:
    calls: list[int] = []
    collector = IdleCollector(lambda: False, before_collect=lambda: calls.append(gc.get_freeze_count()))
    try:
        gc.freeze()
        collector.collect()
        assert len(calls) == 1
        assert calls[0] > 0  # before the heap was unfrozen: what it drops is collected now
    finally:
        gc.unfreeze()


def test_the_last_close_lets_go_of_names_the_interpreter_cached() -> None:
    """The type attribute cache keeps every name looked up on a class; after the last document
    closes, those names (made from analysed text) must not pin the heap."""

    class Looked:
        pass

    name = "".join(["attribute_", "made_from_text_", str(id(Looked))])
    alone = sys.getrefcount(name)
    getattr(Looked, name, None)
    assert sys.getrefcount(name) > alone  # the interpreter's cache holds it

    async def scenario() -> IdleCollector:
        collector = IdleCollector(lambda: False, idle_seconds=0.01, empty=lambda: True)
        collector.released()
        await asyncio.sleep(0.1)
        return collector

    try:
        assert asyncio.run(scenario()).emptied == 1
        assert sys.getrefcount(name) == alone
    finally:
        gc.unfreeze()
