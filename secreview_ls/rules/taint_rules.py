"""Injection found by data flow (SR8xx): untrusted input reaching a dangerous API.

One taint pass per file serves every rule here; each rule reports the sinks of its
class, with the path from the source in ``Finding.flow``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..engine.facts import ModuleFacts
from ..engine.finding import Finding, FlowStep, Span
from ..engine.taint import (
    ModuleTaint,
    SinkHit,
    SummaryProvider,
    TaintClass,
    TaintMemo,
    TaintSpec,
    default_project,
    sink_index,
)
from .base import LOW, MEDIUM, Rule, RuleContext, rule
from .taint_tables import TAINT_CLASSES, spec_for


@dataclass
class _Run:
    hits: list[SinkHit]
    spec: TaintSpec


_RUNS: weakref.WeakKeyDictionary[ModuleFacts, _Run] = weakref.WeakKeyDictionary()


def _project(ctx: RuleContext) -> SummaryProvider | None:
    project = ctx.options.get("project")
    if project is not None:
        return project  # type: ignore[return-value]
    config = ctx.options.get("config")
    root = getattr(config, "root", None)
    if root is None or ctx.path in ("", "<unknown>"):
        return None
    return default_project(Path(root))


def _run(ctx: RuleContext) -> _Run:
    done = _RUNS.get(ctx.facts)
    if done is not None:
        return done
    spec = spec_for(ctx.options.get("config"))
    memo = ctx.options.get("taint_memo")
    analysis = ModuleTaint(
        ctx.facts, spec, project=_project(ctx), memo=memo if isinstance(memo, TaintMemo) else None
    )
    hits = analysis.run()
    for text in analysis.sources_seen:
        ctx.note("sources", text)
    for text in analysis.sinks_seen:
        ctx.note("sinks", text)
    _note_quiet_sinks(ctx, spec, analysis.sinks_seen)
    for text in analysis.skipped:
        ctx.note("skipped", text)
    for cls, node in analysis.cleared:
        current = _RULES_BY_CLASS.get(cls)
        if current is not None:
            span = ctx.source.span(node)
            ctx.note("cleared", cleared_note(ctx.facts.spelled(node.func), span, cls, current.cwe))  # type: ignore[attr-defined]
    done = _Run(hits, spec)
    _RUNS[ctx.facts] = done
    return done


CLEARED = re.compile(r"\(line (\d+), column (\d+)\).*\(CWE-(\d+)\)$")


def cleared_note(spelled: str, span: Span, cls: str, cwe: int) -> str:
    """Evidence that every value a sink's argument is built from is harmless for its class."""
    return (
        f"`{spelled}()` (line {span.start_line}, column {span.start_col + 1}): built only from constants"
        f" and values cleaned for {cls} (CWE-{cwe})"
    )


def cleared_sinks(evidence: dict[str, list[str]]) -> set[tuple[int, int, int]]:
    """(line, 0-based column, CWE) of the sinks that ``cleared_note`` recorded."""
    found: set[tuple[int, int, int]] = set()
    for text in evidence.get("cleared", ()):
        match = CLEARED.search(text)
        if match is not None:
            found.add((int(match.group(1)), int(match.group(2)) - 1, int(match.group(3))))
    return found


def _note_quiet_sinks(ctx: RuleContext, spec: TaintSpec, seen: Iterable[str]) -> None:
    """Sinks in code no untrusted value can reach (no source in scope): examined, and quiet."""
    by_name, _ = sink_index(spec)
    seen_lines = {text.rsplit("(line ", 1)[-1].split(")", 1)[0] for text in seen}
    called = set(ctx.facts.call_names)
    for name, call in ctx.facts.calls_to(*(name for name in by_name if name in called)):
        line = str(call.lineno)
        if line in seen_lines:
            continue
        what = by_name[name][0].what
        ctx.note("sinks", f"`{ctx.facts.spelled(call.func)}()` (line {line}): {what}, no untrusted source reaches it")


def _where(step: FlowStep, current: str) -> str:
    line = f"line {step.span.start_line}"
    if step.path and step.path != current:
        return f"{line} of {Path(step.path).name}"
    return line


def _through(steps: tuple[FlowStep, ...], current: str) -> list[str]:
    """Names the value passes through, for the message (at most three)."""
    names: list[str] = []
    for step in steps[1:-1]:
        note = step.note
        if note.startswith("assigned to "):
            text = f"{note[len('assigned to ') :]} ({_where(step, current)})"
        elif note.startswith("passed to "):
            text = f"{note[len('passed to ') :]} ({_where(step, current)})"
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
    )(check)
    _RULES_BY_CLASS[row.id] = created
    return created


TAINT_RULES = tuple(_define(row) for row in TAINT_CLASSES)
