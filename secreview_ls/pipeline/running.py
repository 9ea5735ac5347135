"""The one rule loop: every analysis (whole files, text files, incremental) runs its rules here,
under one time budget and one error policy."""

from __future__ import annotations

import ast
import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from time import perf_counter as _wall_clock
from time import thread_time as _thread_clock
from typing import Any

from ..engine.finding import Finding, Notice
from ..rules.base import CacheKey, Rule, RuleContext, TextContext


class RerunWhole(Exception):
    """Raised while producing a rule's findings when the file must be analyzed as a whole
    instead (the incremental analyzer cannot reproduce what the whole-file run would give)."""


#: Files up to this many characters (about 5,000 lines) get ``timeout``; larger ones get
#: proportionally more, so that a big file under load does not lose rules to a fixed budget.
BUDGET_SCALES_FROM_CHARS = 200_000


def budget_seconds(timeout: float, size: int) -> float:
    """The time budget of a file of ``size`` characters (or bytes) under ``timeout``."""
    return timeout * max(1.0, size / BUDGET_SCALES_FROM_CHARS)


class Deadline:
    """The per-file time budget (``timeout``, see ``budget_seconds``), started when the rules
    start. It reads the clock once when made and before each rule (see below).

    The clock is the CPU time of the thread that analyzes the file, not the wall clock: on a
    busy machine (other processes, the editor's own work) a file waits longer for the processor
    without doing more work, and a wall-clock budget would then drop rules from files that are
    not slow to analyze, giving findings that change with the machine's load. The command line's
    backstop for a runaway file (``scan.HARD_TIMEOUT_FACTOR``) stays on the wall clock.

    A thread's CPU time grows no faster than the wall clock, so before each rule the thread
    clock (a system call: ~0.8 us, against ~0.06 us for the wall clock) is read only once
    ``seconds`` of wall time have gone by: the same answers, without the ~155,000 reads of a
    scan of Django (one per rule and file). A clock given in its place is read every time."""

    def __init__(self, seconds: float, clock: Callable[[], float] | None = None) -> None:
        self.seconds = seconds
        self._clock = clock if clock is not None else time.thread_time
        # Read before the thread clock: the CPU time spent since is at most the wall time since.
        self._wall_from = _wall_clock() if self._clock is _thread_clock else None
        self._at = self._clock() + seconds

    def passed(self) -> bool:
        if self._wall_from is not None and _wall_clock() - self._wall_from <= self.seconds:
            return False
        return self._clock() > self._at


@dataclass
class RuleRun:
    """What the rules produced: findings with the rule that produced them, and notices."""

    raw: list[tuple[Rule, Finding]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # ids of the rules that ran (failed ones included)
    completed: bool = True  # every rule ran (no timeout)


def dispatch(current: Rule, ctx: RuleContext | None, text_ctx: TextContext) -> Iterable[Finding]:
    """A rule's check on the context of its kind: Python rules on the module, text rules on the text."""
    if current.kind == "text" or ctx is None:
        return current.check(text_ctx)  # type: ignore[arg-type]
    triggers = current.triggers
    if triggers is not None and not any(map(ctx.source.mentions, triggers)):
        return ()  # nothing it looks for is named in the code it sees
    found = current.check(ctx)
    if current.taint:
        return found  # the taint interpreter follows only the branches a constant test can take
    # The dead branches are looked for once the rule has found something (most find nothing).
    if isinstance(found, (list, tuple)):
        if not found:
            return found
    else:
        found = iter(found)
        first = next(found, _NOTHING)
        if first is _NOTHING:
            return ()
        found = itertools.chain((first,), found)  # type: ignore[arg-type]
    dead = dead_lines(ctx)
    if not dead:
        return found
    return [f for f in found if not any(start <= f.span.start_line <= end for start, end in dead)]


_NOTHING: Any = object()


_DEAD: CacheKey[list[tuple[int, int]]] = CacheKey("lines of branches that never run")


def dead_lines(ctx: RuleContext) -> list[tuple[int, int]]:
    """Line ranges of code that never runs: the body of ``if False:`` / ``while 0:`` (any
    constant false test) and the ``else`` of ``if True:``. A pattern rule's finding there
    endangers nothing."""

    def compute() -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []  # in no particular order: only looked up
        for node in ctx.facts.constant_tests():
            assert isinstance(node.test, ast.Constant)
            if not node.test.value:
                block = node.body
            else:
                block = node.orelse if isinstance(node, ast.If) else []
            if block:
                ranges.append((block[0].lineno, block[-1].end_lineno or block[-1].lineno))
        return ranges

    return ctx.cache.get(_DEAD, compute)


def run_rules(
    rules: Sequence[Rule],
    produce: Callable[[Rule], Iterable[Finding]],
    *,
    path: str,
    deadline: Deadline,
) -> RuleRun:
    """Run ``produce(rule)`` for each rule in order until the deadline passes.

    A rule that fails costs its own findings (those it produced before failing are kept) and
    adds a notice; the other rules still run. ``RerunWhole`` is not a rule failure: it ends
    the loop and reaches the caller."""
    run = RuleRun()
    for index, current in enumerate(rules):
        if deadline.passed():
            run.notices.append(_timeout_notice(deadline.seconds, rules[index:], path))
            run.completed = False
            break
        run.ran.append(current.id)
        try:
            for found in produce(current):
                run.raw.append((current, found))
        except RerunWhole:
            raise
        except RecursionError:
            run.notices.append(Notice("too-deep", f"{current.id} skipped: the code is nested too deeply", None, path))
        except Exception as error:  # a rule bug must not hide the other rules' findings
            run.notices.append(
                Notice("rule-error", f"{current.id} failed on this file: {type(error).__name__}: {error}", None, path)
            )
    return run


def _timeout_notice(seconds: float, remaining: Sequence[Rule], path: str) -> Notice:
    return Notice(
        "timeout",
        f"analysis stopped after {seconds:g} s of CPU time (`timeout`); rules not run: "
        f"{', '.join(r.id for r in remaining)}",
        None,
        path,
    )
