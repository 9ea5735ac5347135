"""Injection found by data flow (SR8xx): untrusted input reaching a dangerous API.

One taint pass per file serves every rule here; each rule reports the sinks of its
class, with the path from the source in ``Finding.flow``. The pass also records what it
examined (sources, sinks, cleared sinks, what it skipped) as evidence records.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..engine.evidence import ClearedSink, SinkExamined, SinkNotReported, Skipped, UnreachedCode
from ..engine.finding import Finding, FlowStep, StepKind
from ..engine.taint import (
    ModuleTaint,
    SinkHit,
    TaintClass,
    TaintSpec,
    sink_index,
)
from ..engine.taint.memo import moved_by
from .admin_views import ADMIN_CONFIGURED, read_in_admin_view
from .base import LOW, MEDIUM, CacheKey, Rule, RuleContext, rule
from .taint_tables import TAINT_CLASSES, spec_for, with_cleaned_log_messages
from .taint_traces import TRACE
from .trace_guards import developers_only


@dataclass
class _Run:
    hits: list[SinkHit]
    spec: TaintSpec


_RUN: CacheKey[_Run] = CacheKey("taint analysis of the module")


def _run(ctx: RuleContext) -> _Run:
    """The module's taint analysis, run once per context and shared by every taint rule."""
    return ctx.cache.get(_RUN, lambda: _analyze(ctx))


def _analyze(ctx: RuleContext) -> _Run:
    spec = ctx.taint_spec if ctx.taint_spec is not None else spec_for(None)
    known = getattr(ctx.project, "known_log_cleaning_files", None)
    cleaners = known() if known is not None else ()
    analysis = _taint(ctx, with_cleaned_log_messages(spec) if cleaners else spec)
    hits = analysis.run()
    logged = any(hit.cls == "log" for hit in hits)
    project = ctx.project  # None: a file analyzed on its own (no project to read formatters from)
    if cleaners is None and logged and project is not None and project.log_cleaning_files():
        # a log finding to judge: the first one in the project looks for a cleaning formatter
        analysis = _taint(ctx, with_cleaned_log_messages(spec))
        hits = analysis.run()
    elif project is not None and (cleaners or (cleaners is not None and logged)):
        # The result depends on the formatters: a log finding a new one would clear, or the
        # cleaned messages (a formatter removed would report them). A result without a log
        # finding and without a formatter stays the same whatever formatter comes.
        project.log_cleaning_files()
    spec = analysis.spec
    ctx.evidence.extend(analysis.sources_seen)
    ctx.evidence.extend(analysis.sinks_seen)
    notes = _Notes(ctx)
    _note_quiet_sinks(ctx, spec, {sink.line for sink in analysis.sinks_seen}, notes)
    ctx.evidence.extend(Skipped(reason) for reason in analysis.skipped)
    for cls, node in analysis.cleared:
        current = _RULES_BY_CLASS.get(cls)
        if current is not None and current.cwe is not None:
            ctx.evidence.add(notes.get(node, (cls, current.cwe), _cleared_sink))
    notes.keep()
    unreached = analysis.unreached
    if unreached:
        cwes = frozenset(r.cwe for r in _RULES_BY_CLASS.values() if r.cwe is not None)
        for branch in unreached:
            end = getattr(branch[-1], "end_lineno", None) or branch[-1].lineno
            ctx.evidence.add(UnreachedCode(branch[0].lineno, end, cwes))
    if ctx.taint_memo is None:
        analysis.release(facts=False)  # nothing keeps it: freed now, not by a cycle collection
    return _Run(hits, spec)


def _taint(ctx: RuleContext, spec: TaintSpec) -> ModuleTaint:
    if ctx.taint_memo is not None and ctx.taint_memo.spec is not spec:
        ctx.taint_memo.clear()  # the project's log formatter came or went: nothing recorded holds
        ctx.taint_memo.spec = spec
    return ModuleTaint(ctx.facts, spec, project=ctx.project, memo=ctx.taint_memo)


def _note_quiet_sinks(ctx: RuleContext, spec: TaintSpec, seen_lines: set[int], notes: _Notes) -> None:
    """Sinks in code no untrusted value can reach (no source in scope): examined, and quiet."""
    by_name, _ = sink_index(spec)
    called = set(ctx.facts.call_names)
    for name, call in ctx.facts.calls_to(*(name for name in by_name if name in called)):
        if call.lineno in seen_lines:
            continue
        ctx.evidence.add(notes.get(call, (name, by_name[name][0].what), _quiet_sink))


def _quiet_sink(ctx: RuleContext, call: ast.AST, made_from: tuple[Any, ...]) -> SinkExamined:
    _, what = made_from
    api = f"{ctx.facts.spelled(call.func)}()"  # type: ignore[attr-defined]
    return SinkExamined(api, call.lineno, what, SinkNotReported.NO_SOURCE)  # type: ignore[attr-defined]


def _cleared_sink(ctx: RuleContext, node: ast.AST, made_from: tuple[Any, ...]) -> ClearedSink:
    cls, cwe = made_from
    span = ctx.source.span(node)
    api = f"{ctx.facts.spelled(node.func)}()"  # type: ignore[attr-defined]
    return ClearedSink(api, span.start_line, span.start_col, cls, cwe, span.end_line, span.end_col)


class _Notes:
    """Evidence records made from nodes, taken from the last version's when the document's
    taint memo kept one made from the same node (and the same other inputs) on the same lines
    (an unchanged node keeps its text, so all but its lines are the same), or moved by the lines
    the node moved (all of a moved chunk's nodes move by the same count)."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        memo = ctx.taint_memo
        self.kept: dict[tuple[Any, ...], Any] | None = memo.notes if memo is not None else None
        self.made: dict[tuple[Any, ...], Any] = {}  # this version's, for the next one

    def keep(self) -> None:
        """Keep this version's records (only them: those of gone nodes are dropped)."""
        if self.ctx.taint_memo is not None:
            self.ctx.taint_memo.notes = self.made

    def get(
        self,
        node: ast.AST,
        made_from: tuple[Any, ...],
        make: Callable[[RuleContext, ast.AST, tuple[Any, ...]], Any],
    ) -> Any:
        kept = self.kept
        if kept is None:
            return make(self.ctx, node, made_from)
        key = (node, *made_from)
        lines = (node.lineno, node.end_lineno)  # type: ignore[attr-defined]
        found = kept.get(key)
        if found is None:
            found = (lines, make(self.ctx, node, made_from))
        elif found[0] != lines:
            delta = moved_by(found[0], lines)
            if delta is not None:
                found = (lines, found[1].shifted(delta))  # the node moved whole, with its chunk
            else:
                found = (lines, make(self.ctx, node, made_from))
        self.made[key] = found
        return found[1]


# -- messages -------------------------------------------------------------------------------


def _where(step: FlowStep, current: str) -> str:
    line = f"line {step.span.start_line}"
    if step.path and step.path != current:
        return f"{line} of {Path(step.path).name}"
    return line


def _through(steps: tuple[FlowStep, ...], current: str) -> list[str]:
    """Names the value passes through, for the message (at most three)."""
    names: list[str] = []
    for step in steps[1:-1]:
        if step.kind is StepKind.ASSIGNED:
            text = f"`{step.name}` ({_where(step, current)})"
        elif step.kind is StepKind.PASSED:
            text = f"`{step.name}()` ({_where(step, current)})"
        else:
            continue
        if text not in names:
            names.append(text)
    if len(names) > 3:
        names = [*names[:2], names[-1]]
    return names


def message_for(hit: SinkHit, title: str, current: str) -> str:
    steps = hit.label.steps
    source = hit.label.origin
    source_step = steps[0] if steps else None
    sink_step = steps[-1] if steps else None
    where_source = _where(source_step, current) if source_step else f"line {source.span.start_line}"
    where_sink = _where(sink_step, current) if sink_step else "?"
    text = f"{source.text} ({where_source}) reaches `{hit.sink}` ({where_sink})"
    through = _through(steps, current)
    if through:
        text += " through " + ", ".join(through)
    return f"{text}: {title}"


def _checker(cls: str, title: str) -> Callable[[RuleContext], Iterator[Finding]]:
    def check(ctx: RuleContext) -> Iterator[Finding]:
        run = _run(ctx)
        current = _RULES_BY_CLASS.get(cls)
        if current is None:
            return
        for hit in run.hits:
            if hit.cls != cls:
                continue
            if cls in ADMIN_CONFIGURED and read_in_admin_view(ctx, hit.label.origin):
                # another flow to the sink may start where anyone can send it
                other = next((lab for lab in hit.others if not read_in_admin_view(ctx, lab.origin)), None)
                if other is None:
                    continue
                hit = replace(hit, label=other)
            if cls == TRACE and developers_only(ctx, hit.label.steps):
                continue
            local = hit.local
            yield current.finding(
                ctx,
                hit.node,
                message_for(hit, title, ctx.path),
                severity=MEDIUM if local else None,
                confidence=LOW if local else None,
                flow=hit.label.steps,
                extra={"taint_class": cls, "source": hit.label.origin.text, "local_source": local},
            )

    return check


_RULES_BY_CLASS: dict[str, Rule] = {}


def _define(row: TaintClass) -> Rule:
    """The rule reporting one taint class, from its row of the taint tables."""
    check = _checker(row.id, row.title)
    check.__module__ = __name__
    check.__name__ = row.rule_name.replace("-", "_")
    created = rule(
        id=row.rule_id,
        name=row.rule_name,
        cwe=row.cwe,
        severity=row.severity,
        confidence=row.confidence,
        summary=row.summary,
        why=row.why,
        bad=row.bad,
        good=row.good,
        taint=True,
        relevant_in_tests=not row.served_only,
    )(check)
    _RULES_BY_CLASS[row.id] = created
    return created


TAINT_RULES = tuple(_define(row) for row in TAINT_CLASSES)
