"""Full garbage collections wait for a pause; the heap is frozen after each analysis."""

from __future__ import annotations

import asyncio
import gc

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
