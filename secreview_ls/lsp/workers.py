"""Analysis threads with a time budget each.

An analysis is CPU-bound Python; it runs off the event loop in a thread of its own. At most
``slots`` run at a time. When one outlives its budget, the caller gets
:class:`BudgetExceeded` at once and its slot is free for the next analysis, so one
pathological document never holds up the others. The thread itself is asked to stop: an
:class:`Interrupted` exception is raised inside it (``PyThreadState_SetAsyncExc``), which
takes effect at its next Python instruction; a long call into C (a regular expression, a
parse) finishes first. Its result, if any, is dropped.

Threads are daemons: a thread that is still busy never keeps the process from exiting.
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("secreview_ls.lsp")

T = TypeVar("T")

_RUNNING, _DONE, _INTERRUPTED = "running", "done", "interrupted"
_names = itertools.count(1)


class BudgetExceeded(Exception):
    """An analysis ran past its budget and was abandoned."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds


class Interrupted(BaseException):
    """Raised inside an analysis thread whose budget ran out (a BaseException, so that an
    ``except Exception`` in a rule cannot swallow it)."""


class _Job:
    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...], future: asyncio.Future[Any]) -> None:
        self.function = function
        self.args = args
        self.future = future
        self.loop = future.get_loop()
        self.lock = threading.Lock()
        self.state = _RUNNING
        self.thread_id: int | None = None
        self.started = threading.Event()

    def run(self) -> None:
        """The thread's body: every exit path, even an interruption landing late, ends here."""
        try:
            self.thread_id = threading.get_ident()
            self.started.set()
            try:
                outcome: tuple[bool, Any] = (True, self.function(*self.args))
            except Interrupted:
                return
            except BaseException as error:
                outcome = (False, error)
            with self.lock:
                if self.state != _RUNNING:
                    _clear_interruption()  # asked too late: the request may still be pending
                    return
                self.state = _DONE
            self.loop.call_soon_threadsafe(_settle, self.future, outcome)
        except Interrupted:
            pass
        except RuntimeError:  # the event loop is closed: nobody waits for this result
            pass
        finally:
            self.function = self.args = None  # type: ignore[assignment]

    def interrupt(self) -> bool:
        """Ask the thread to stop; False when it already finished."""
        self.started.wait()
        with self.lock:
            if self.state != _RUNNING:
                return False
            self.state = _INTERRUPTED
            if self.thread_id is not None:
                _raise_in(self.thread_id, Interrupted)
            return True


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.done():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _raise_in(thread_id: int, exception: type[BaseException]) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exception))


def _clear_interruption() -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)


class AnalysisThreads:
    """Runs functions in budgeted threads, ``slots`` at a time."""

    def __init__(self, slots: int, name: str = "secreview-analysis") -> None:
        self.slots = slots
        self.name = name
        self._semaphore: asyncio.Semaphore | None = None
        self._running: set[_Job] = set()
        self._abandoned: dict[_Job, tuple[threading.Thread, float]] = {}
        self._stopped = False

    @property
    def abandoned(self) -> int:
        """Threads given up on (over budget, or their caller cancelled) that have not ended yet."""
        for job, (thread, _) in list(self._abandoned.items()):
            if not thread.is_alive():
                del self._abandoned[job]
        return len(self._abandoned)

    @property
    def busy(self) -> bool:
        """Whether a thread runs a function, or one given up on has not ended yet."""
        return bool(self._running) or self.abandoned > 0

    async def run(self, function: Callable[..., T], *args: Any, budget: float | None = None) -> T:
        """``function(*args)`` in a thread; :class:`BudgetExceeded` after ``budget`` seconds."""
        if self._stopped:
            raise asyncio.CancelledError("the server is shutting down")
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        async with self._semaphore:
            future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
            job = _Job(function, args, future)
            thread = threading.Thread(target=job.run, name=f"{self.name}-{next(_names)}", daemon=True)
            self._running.add(job)
            thread.start()
            try:
                return await asyncio.wait_for(asyncio.shield(future), budget)
            except TimeoutError:
                if job.interrupt():
                    self._abandoned[job] = (thread, time.monotonic())
                    log.warning(
                        "%s: abandoned after %.1f s (%d thread(s) still stopping)", thread.name, budget, self.abandoned
                    )
                    raise BudgetExceeded(budget or 0.0) from None
                return await future  # it finished just in time
            except asyncio.CancelledError:
                if job.interrupt():
                    self._abandoned[job] = (thread, time.monotonic())  # still stopping: see ``abandoned``
                raise
            finally:
                self._running.discard(job)

    def stop(self) -> None:
        """Interrupt every running analysis (call on the event loop); later calls are refused."""
        self._stopped = True
        for job in list(self._running):
            job.interrupt()
            job.future.cancel()  # its caller gets CancelledError
