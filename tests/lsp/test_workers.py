"""Budgeted analysis threads: a run over budget is abandoned and its thread stopped, and the
other runs go on."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from secreview_ls.lsp.workers import AnalysisThreads, BudgetExceeded


def spin(flag: dict[str, bool]) -> None:
    """Pure Python that never returns unless interrupted."""
    flag["started"] = True
    count = 0
    while True:
        count += 1
        flag["finally"] = False
        try:
            count += 1
        finally:
            flag["finally"] = True


def add(a: int, b: int) -> int:
    return a + b


def fail() -> None:
    raise ValueError("engine bug")


async def wait_until(predicate, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


def test_results_exceptions_and_budgets() -> None:
    async def scenario() -> None:
        threads = AnalysisThreads(2)
        assert await threads.run(add, 2, 3, budget=5) == 5
        with pytest.raises(ValueError, match="engine bug"):
            await threads.run(fail, budget=5)
        flag: dict[str, bool] = {}
        before = threading.active_count()
        started = time.monotonic()
        with pytest.raises(BudgetExceeded):
            await threads.run(spin, flag, budget=0.3)
        assert time.monotonic() - started < 2
        assert flag["started"]
        # The abandoned thread is stopped, not left spinning.
        assert await wait_until(lambda: threads.abandoned == 0)
        assert await wait_until(lambda: threading.active_count() <= before)

    asyncio.run(scenario())


def test_runs_over_budget_do_not_hold_the_slots() -> None:
    async def scenario() -> None:
        threads = AnalysisThreads(2)
        flags: list[dict[str, bool]] = [{}, {}, {}]
        stuck = [asyncio.ensure_future(threads.run(spin, flag, budget=0.5)) for flag in flags]
        await asyncio.sleep(0.05)
        started = time.monotonic()
        # Two slots, three runs over budget: a quick run still ends within about two budgets.
        assert await threads.run(add, 1, 1, budget=5) == 2
        assert time.monotonic() - started < 3
        for task in stuck:
            with pytest.raises(BudgetExceeded):
                await task
        assert await wait_until(lambda: threads.abandoned == 0)

    asyncio.run(scenario())


def test_stop_interrupts_running_work_and_refuses_more() -> None:
    async def scenario() -> None:
        threads = AnalysisThreads(2)
        flag: dict[str, bool] = {}
        task = asyncio.ensure_future(threads.run(spin, flag))
        await wait_until(lambda: flag.get("started", False))
        threads.stop()
        with pytest.raises(asyncio.CancelledError):
            await task  # its caller is told...
        with pytest.raises(asyncio.CancelledError):
            await threads.run(add, 1, 2)  # ...and nothing new starts

    asyncio.run(scenario())


def test_a_cancelled_caller_stops_its_thread() -> None:
    async def scenario() -> None:
        threads = AnalysisThreads(1)
        flag: dict[str, bool] = {}
        before = threading.active_count()
        task = asyncio.ensure_future(threads.run(spin, flag))
        await wait_until(lambda: flag.get("started", False))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await wait_until(lambda: threading.active_count() <= before)
        assert await threads.run(add, 2, 2, budget=5) == 4

    asyncio.run(scenario())


def test_a_cancelled_run_counts_as_stopping_until_its_thread_ends() -> None:
    """An interruption lands between bytecodes: a thread inside a long C call (a parse, here a
    sleep) goes on after its caller was cancelled, holding what it made. It is counted with the
    threads given up on until it ends (the server frees memory only when none is left)."""

    def sleep_then_spin(flag: dict[str, bool]) -> None:
        flag["started"] = True
        time.sleep(0.6)
        spin(flag)

    async def scenario() -> None:
        threads = AnalysisThreads(1)
        flag: dict[str, bool] = {}
        task = asyncio.ensure_future(threads.run(sleep_then_spin, flag))
        await wait_until(lambda: flag.get("started", False))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert threads.abandoned == 1
        assert await wait_until(lambda: threads.abandoned == 0)

    asyncio.run(scenario())
