"""What the taint analysis of one document keeps from one version to the next.

An editor re-analyzes a document at every keystroke, and a keystroke changes one function.
``TaintMemo`` lets ``ModuleTaint`` reuse the work of the last version for everything else:

* the facts of each scope (its calls, whether it gives a value back, whether it names a
  source), kept per function node: the incremental analyzer keeps the nodes of unchanged code;
* the framework entry of each function, and the definitions and skeleton part of each
  top-level statement;
* a **record** of each analyzed function: its summary and the ordered events of its analysis
  (summaries it asked for and what they were, hits, notes). A function whose node, entry and
  parameter set-up are unchanged is *replayed*: each summary it asked for is asked for again,
  and as long as every answer is the same, the recorded hits are the ones a new analysis
  would make, in the same order. At the first different answer it is analyzed again.

Everything is dropped when the module's skeleton changes (imports, the names and bases of
classes and functions, module-level statements, ``global`` names, URL rules; class attributes
are not part of it, as they are not interpreted), since every function's analysis may depend
on it; a change of the module-level values drops the records. Records are kept in the current version's line numbers:
when code above a function moves it, its recorded spans move with it (a span that cannot be
placed drops its record).
"""

from __future__ import annotations

import ast
import bisect
from dataclasses import dataclass, field, replace
from typing import Any

from ..finding import FlowStep, Span
from .frameworks import Entry
from .state import Env
from .summary import Effect, Summary
from .values import NO_CONST, Label, Origin, Val

Event = tuple[Any, ...]
# ("sum", callee node, summary or None) · ("hit", cls, sink, what, node, label)
# ("src", text, node) · ("snk", shown, what, node) · ("proj", qualified name, summary or None)
# ("tpl", template name, its ``TemplateReading``: every file read, the writes, or None)


@dataclass
class Record:
    """One function's analysis: what it depended on, what it did, what it gave."""

    entry: Entry
    summarize: bool
    kind_of_self: str | None
    events: list[Event]
    summary: Summary | None
    last_line: int = 0  # the last line any span of the record is on (0: not known yet)

    def spans_end(self) -> int:
        if not self.last_line:
            self.last_line = _last_line(self)
        return self.last_line


@dataclass
class TaintMemo:
    """The taint analysis of one document, kept between its versions (see the module doc)."""

    skeleton: tuple[Any, ...] | None = None
    scope_facts: dict[ast.AST, Any] = field(default_factory=dict)
    local_calls: dict[ast.AST, tuple[str, ...]] = field(default_factory=dict)
    definitions: dict[ast.AST, list[tuple[str, ast.AST, ast.AST | None]]] = field(default_factory=dict)
    shapes: dict[ast.AST, tuple[Any, ...]] = field(default_factory=dict)  # skeleton part per statement
    entries: dict[tuple[ast.AST, bool, bool], Entry] = field(default_factory=dict)
    records: dict[ast.AST, Record] = field(default_factory=dict)
    globals: Env | None = None
    anchors: list[tuple[int, int, ast.stmt]] = field(default_factory=list)
    spec: Any = None  # the spec of the last run: records made with another one are not replayed
    replayed: int = 0  # functions replayed / analyzed in the last run (for measurements)
    analyzed: int = 0

    def clear(self) -> None:
        self.skeleton = None
        self.scope_facts.clear()
        self.local_calls.clear()
        self.definitions.clear()
        self.shapes.clear()
        self.entries.clear()
        self.records.clear()
        self.globals = None
        self.anchors = []

    def begin(self, skeleton: tuple[Any, ...], tree: ast.Module, live: set[ast.AST]) -> None:
        """Start a run on a new version: keep what is still valid, moved to its new lines.
        ``live``: the module, its statements and its functions (anything else is gone)."""
        self.replayed = self.analyzed = 0
        anchors = statement_anchors(tree)
        if skeleton != self.skeleton:
            self.clear()
        else:
            self.scope_facts = {k: v for k, v in self.scope_facts.items() if k in live}
            self.local_calls = {k: v for k, v in self.local_calls.items() if k in live}
            self.definitions = {k: v for k, v in self.definitions.items() if k in live}
            self.shapes = {k: v for k, v in self.shapes.items() if k in live}
            self.entries = {k: v for k, v in self.entries.items() if k[0] in live}
            records = {fn: record for fn, record in self.records.items() if fn in live}
            mover = _Mover(self.anchors, anchors)
            if mover.first_moved is None:
                # Nothing moved. Spans in changed code need no check: they come from the function
                # itself (then unchanged) or from answers that a replay asks for again.
                self.records = records
            else:
                self.records = {}
                for fn, record in records.items():
                    if record.spans_end() < mover.first_moved:
                        self.records[fn] = record
                        continue
                    try:
                        self.records[fn] = mover.record(record)
                    except _Unplaceable:
                        continue
                if self.globals is not None:
                    try:
                        self.globals = {name: mover.val(value) for name, value in self.globals.items()}
                    except _Unplaceable:
                        self.globals = None
                        self.records = {}
        self.skeleton = skeleton
        self.anchors = anchors


def statement_anchors(tree: ast.Module) -> list[tuple[int, int, ast.stmt]]:
    """(first line with decorators, last line, statement) of each top-level statement, in order;
    a class stands for the lines before its body, and its body's statements for themselves (an
    editor's analysis keeps the nodes of a class's unchanged methods when another one changes)."""
    anchors = []
    for statement in tree.body:
        first = _first_line(statement)
        if isinstance(statement, ast.ClassDef) and statement.body:
            body_first = _first_line(statement.body[0])
            if body_first > first:
                anchors.append((first, body_first - 1, statement))
            anchors.extend((_first_line(m), m.end_lineno or m.lineno, m) for m in statement.body)
            continue
        anchors.append((first, statement.end_lineno or statement.lineno, statement))
    return anchors


def _first_line(statement: ast.stmt) -> int:
    first = statement.lineno
    for decorator in getattr(statement, "decorator_list", ()):
        first = min(first, decorator.lineno)
    return first


class _Unplaceable(Exception):
    """A span in code that is gone or changed."""


class _Mover:
    """Moves spans of the last version to the lines of the current one, statement by statement."""

    def __init__(self, old: list[tuple[int, int, ast.stmt]], new: list[tuple[int, int, ast.stmt]]) -> None:
        current = {id(statement): first for first, _, statement in new}
        self.starts = [first for first, _, _ in old]
        self.ends = [last for _, last, _ in old]
        self.deltas: list[int | None] = []
        for first, _, statement in old:
            now = current.get(id(statement))
            self.deltas.append(None if now is None else now - first)
        moved = [first for first, delta in zip(self.starts, self.deltas, strict=True) if delta]
        self.first_moved = min(moved) if moved else None  # None: no statement moved
        self._done: dict[int, Any] = {}

    def line_delta(self, line: int) -> int:
        index = bisect.bisect_right(self.starts, line) - 1
        if index < 0 or line > self.ends[index]:
            raise _Unplaceable
        delta = self.deltas[index]
        if delta is None:
            raise _Unplaceable
        return delta

    def span(self, span: Span) -> Span:
        delta = self.line_delta(span.start_line)
        if not delta:
            return span
        return Span(span.start_line + delta, span.start_col, span.end_line + delta, span.end_col)

    def step(self, step: FlowStep) -> FlowStep:
        if step.path is not None:
            return step  # in another file
        moved = self.span(step.span)
        return step if moved is step.span else replace(step, span=moved)

    def steps(self, steps: tuple[FlowStep, ...]) -> tuple[FlowStep, ...]:
        moved = tuple(self.step(step) for step in steps)
        return steps if all(a is b for a, b in zip(moved, steps, strict=True)) else moved

    def origin(self, origin: Origin) -> Origin:
        if origin.path is not None:
            return origin
        moved = self.span(origin.span)
        return origin if moved is origin.span else replace(origin, span=moved)

    def label(self, label: Label) -> Label:
        known = self._done.get(id(label))
        if known is not None:
            return known[1]
        origin, steps = self.origin(label.origin), self.steps(label.steps)
        moved = label if origin is label.origin and steps is label.steps else Label(origin, label.cleaned, steps)
        self._done[id(label)] = (label, moved)  # the original is kept alive so its id stays unique
        return moved

    def val(self, value: Val) -> Val:
        known = self._done.get(id(value))
        if known is not None:
            return known[1]
        labels = [(lab, self.label(lab)) for lab in value.taint]
        parts = tuple((key, self.val(part)) for key, part in value.parts)
        if all(a is b for a, b in labels) and all(x[1] is y[1] for x, y in zip(parts, value.parts, strict=True)):
            moved = value
        else:
            moved = Val(frozenset(b for _, b in labels), parts, value.kind, value.const)
        self._done[id(value)] = (value, moved)
        return moved

    def summary(self, summary: Summary | None) -> Summary | None:
        if summary is None:
            return None
        return replace(
            summary,
            returns=self.val(summary.returns),
            effects=[self.effect(effect) for effect in summary.effects],
            self_out=None if summary.self_out is None else self.val(summary.self_out),
        )

    def effect(self, effect: Effect) -> Effect:
        return replace(effect, steps=self.steps(effect.steps))

    def record(self, record: Record) -> Record:
        events: list[Event] = []
        for event in record.events:
            kind = event[0]
            if kind == "sum":
                events.append(("sum", event[1], self.summary(event[2])))
            elif kind == "hit":
                events.append((*event[:5], self.label(event[5])))
            else:
                events.append(event)  # notes name a node; "proj" and "tpl" answers are other files'
        return replace(record, events=events, summary=self.summary(record.summary), last_line=0)


def _last_line(record: Record) -> int:
    """The last line of the spans in this file a record mentions."""
    last = 0

    def label(lab: Label) -> None:
        nonlocal last
        if lab.origin.path is None:
            last = max(last, lab.origin.span.end_line)
        for step in lab.steps:
            if step.path is None:
                last = max(last, step.span.end_line)

    def val(value: Val | None) -> None:
        if value is None:
            return
        for lab in value.taint:
            label(lab)
        for _, part in value.parts:
            val(part)

    def summary(found: Summary | None) -> None:
        nonlocal last
        if found is None:
            return
        val(found.returns)
        val(found.self_out)
        for effect in found.effects:
            for step in effect.steps:
                if step.path is None:
                    last = max(last, step.span.end_line)

    for event in record.events:
        if event[0] == "sum":
            summary(event[2])
        elif event[0] == "hit":
            label(event[5])
    summary(record.summary)
    return last


# -- strict comparison (labels compare without their steps; here the steps count) ------------


def same_val(a: Val | None, b: Val | None) -> bool:
    if a is b:
        return True
    if a is None or b is None:
        return False
    if a.kind != b.kind or len(a.parts) != len(b.parts) or len(a.taint) != len(b.taint):
        return False
    if (a.const is NO_CONST) != (b.const is NO_CONST) or (a.const is not NO_CONST and a.const != b.const):
        return False
    if {(lab, lab.steps) for lab in a.taint} != {(lab, lab.steps) for lab in b.taint}:
        return False
    return all(ka == kb and same_val(va, vb) for (ka, va), (kb, vb) in zip(a.parts, b.parts, strict=True))


def same_summary(a: Summary | None, b: Summary | None) -> bool:
    if a is b:
        return True
    if a is None or b is None:
        return False
    if (a.name, a.params, a.positional, a.vararg, a.kwarg, a.offset, a.path) != (
        b.name,
        b.params,
        b.positional,
        b.vararg,
        b.kwarg,
        b.offset,
        b.path,
    ):
        return False
    if len(a.effects) != len(b.effects) or any(
        x != y or x.node is not y.node for x, y in zip(a.effects, b.effects, strict=True)
    ):
        return False
    return same_val(a.returns, b.returns) and same_val(a.self_out, b.self_out)


def same_env(a: Env, b: Env) -> bool:
    return a.keys() == b.keys() and all(same_val(value, b[name]) for name, value in a.items())
