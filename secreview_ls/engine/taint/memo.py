"""What the taint analysis of one document keeps from one version to the next.

An editor re-analyzes a document at every keystroke, and a keystroke changes one function.
``TaintMemo`` lets ``ModuleTaint`` reuse the work of the last version for everything else:

* the facts of each scope (its calls, whether it gives a value back, whether it names a
  source), kept per function node: the incremental analyzer keeps the nodes of unchanged code;
* the framework entry of each function, and the definitions and skeleton part of each
  top-level statement (the definitions of each class-body statement too);
* a **record** of each analyzed function: its summary and the ordered events of its analysis
  (summaries it asked for and what they were, hits, notes). A function whose node, entry and
  parameter set-up are unchanged is *replayed*: each summary it asked for is asked for again,
  and as long as every answer is the same, the recorded hits are the ones a new analysis
  would make, in the same order. At the first different answer it is analyzed again.

Everything is dropped when the module's skeleton changes (imports, the names and bases of
classes and functions, module-level statements, ``global`` names, URL rules; class attributes
are not part of it, as they are not interpreted), since every function's analysis may depend
on it; a change of the module-level values drops the records.

A record stays in the line numbers of the version it was made in (its *frame*: that version's
statement anchors, taken only for a version something is kept in the lines of), so an edit that
moves lines moves no record. A replay rarely needs lines: the summaries it asks for are compared
by identity first (a callee replayed too gives back the very summary its callers recorded,
whichever lines it is in). Only what leaves a replay is moved to the current lines
(``TaintMemo.mover_for``): its hits, its summary when an analysis or the module's code asks for
it, and a recorded answer that is not the very object given now (then compared in the current
lines). A span that cannot be placed means an analysis again. Records in the lines of more than
a few versions are all moved to the current ones.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import operator
from dataclasses import dataclass, field, fields
from typing import Any

from ..finding import FlowStep, Span
from .frameworks import Entry
from .scopes import ScopeUnions
from .state import Env
from .summary import Effect, Summary
from .values import NO_CONST, Label, Origin, Val

Event = tuple[Any, ...]
# ("sum", callee node, summary or None) · ("hit", cls, sink, what, node, label)
# ("src", text, node, its SourceSeen) · ("snk", shown, what, node, its SinkExamined)
# ("clr", class, node) · ("proj", qualified name, summary or None)
# ("ins", qualified name, whether it names a method of a module-level instance, or None)
# ("tpl", template name, its ``TemplateReading``: every file read, the writes, or None)
# ("cat", attribute node, the template text of the class attribute it names, or None)
# ("new", ((node, line, end line), ...)): nodes made for the analysis were used
# (``Results.note_made_node``), on those lines when the function was on ``Record.line``


@dataclass
class Record:
    """One function's analysis: what it depended on, what it did, what it gave."""

    entry: Entry
    summarize: bool
    kind_of_self: str | None
    events: list[Event]
    summary: Summary | None
    last_line: int = 0  # the last line any span of the record is on (0: not known yet)
    frame: Frame | None = None  # the version its lines are in
    # The function's first and last lines when it was analyzed (0: not known): a node made for
    # the analysis there is a copy of one of its nodes, placed where that one was then (its
    # "new" events).
    line: int = 0
    end_line: int = 0
    # ``events`` as a replay goes through them: runs of notes as one ``NoteRun`` each (made at
    # the first replay; ``Summaries._replay_plan``)
    plan: list[Any] | None = None

    def spans_end(self) -> int:
        if not self.last_line:
            self.last_line = _last_line(self)
        return self.last_line


class Frame:
    """The lines of one version: its statement anchors, taken when first asked for. That must be
    during its run (the next version moves the nodes): what keeps lines of this version asks."""

    __slots__ = ("_anchors", "_known", "_tree")

    def __init__(self, tree: ast.Module | None, known: KnownAnchors | None = None) -> None:
        self._tree = tree
        self._known = known
        self._anchors: list[tuple[int, int, ast.stmt]] | None = None if tree is not None else []

    def anchors(self) -> list[tuple[int, int, ast.stmt]]:
        if self._anchors is None:
            if self._tree is None:
                raise Unplaceable  # closed before anything asked for its lines
            self._anchors = statement_anchors(self._tree, self._known)
            self._tree = self._known = None
        return self._anchors

    def close(self) -> None:
        """Its run is over: lines not taken by now cannot be taken."""
        self._tree = None


@dataclass
class TaintMemo:
    """The taint analysis of one document, kept between its versions (see the module doc)."""

    skeleton: tuple[Any, ...] | None = None
    scope_facts: dict[ast.AST, Any] = field(default_factory=dict)
    local_calls: dict[ast.AST, tuple[str, ...]] = field(default_factory=dict)
    definitions: dict[ast.AST, list[tuple[str, ast.AST, ast.AST | None]]] = field(default_factory=dict)
    member_definitions: dict[ast.AST, list[tuple[str, ast.AST, ast.AST | None]]] = field(default_factory=dict)
    handlers: dict[ast.ClassDef, str | None] = field(default_factory=dict)  # request-handler kind per class
    shapes: dict[ast.AST, tuple[Any, ...]] = field(default_factory=dict)  # skeleton part per statement
    entries: dict[tuple[ast.AST, bool, bool], Entry] = field(default_factory=dict)
    records: dict[ast.AST, Record] = field(default_factory=dict)
    globals: Env | None = None
    frame: Frame = field(default_factory=lambda: Frame(None))  # the current version's lines
    known_anchors: KnownAnchors = field(default_factory=lambda: KnownAnchors())  # the last frame's, per statement
    movers: dict[int, tuple[Frame, Mover]] = field(default_factory=dict)  # per frame, this run
    pruned_size: int = 0  # size of the node tables after they were last pruned
    spec: Any = None  # the spec of the last run: records made with another one are not replayed
    marks: Any = None  # the relevance pass's ``KeptMarks``
    # Evidence records the taint rules made from a node in the last version, by (node, what
    # else they were made from): made again only for a node that moved or is new.
    notes: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    unions: ScopeUnions = field(default_factory=ScopeUnions)  # names the scopes call or load, counted
    # The fields of each dataclass by name in the last version (None: not known), and by class node
    fields: dict[str, tuple[str, ...]] | None = None
    class_fields: dict[ast.ClassDef, tuple[str, ...] | None] = field(default_factory=dict)
    replayed: int = 0  # functions replayed / analyzed in the last run (for measurements)
    analyzed: int = 0

    def clear(self) -> None:
        self.skeleton = None
        self.scope_facts.clear()
        self.local_calls.clear()
        self.definitions.clear()
        self.member_definitions.clear()
        self.handlers.clear()
        self.shapes.clear()
        self.entries.clear()
        self.records.clear()
        self.globals = None
        self.frame = Frame(None)
        self.movers = {}
        self.pruned_size = 0
        self.marks = None
        self.notes = {}
        self.unions = ScopeUnions()  # counted from the scope facts, emptied above
        self.fields = None

    def begin(self, skeleton: tuple[Any, ...], tree: ast.Module, live: set[ast.AST]) -> None:
        """Start a run on a new version: keep what is still valid (records stay in their lines).
        ``live``: the module, its statements and its functions (anything else is gone)."""
        self.replayed = self.analyzed = 0
        last = self.frame
        last.close()
        self.frame = Frame(tree, self.known_anchors)
        self.movers = {}
        if skeleton != self.skeleton:
            self.clear()
            self.frame = Frame(tree, self.known_anchors)
        else:
            if self._tables_size() > 2 * self.pruned_size + 64:
                self._prune(live)
            self.records = {fn: record for fn, record in self.records.items() if fn in live}
            if self.globals is not None and not all(map(_plain, self.globals.values())):
                try:
                    mover = self._mover(last)
                    if mover.first_moved is not None:
                        self.globals = {name: mover.val(value)[0] for name, value in self.globals.items()}  # type: ignore[misc]
                    self.current()  # the next version moves them from these lines
                except Unplaceable:
                    self.globals = None
                    self.records = {}
            if len({id(record.frame) for record in self.records.values()}) > _MAX_FRAMES:
                self._place_all()
        self.skeleton = skeleton

    def compare_fields(self, fields: dict[str, tuple[str, ...]]) -> None:
        """The dataclasses' fields of this version: a class's generated ``__init__`` stores each
        argument as the field at its place, read by a call building one without a summary to
        compare, and such a call names the class in the code of the function making it. So the
        records of the functions calling a class whose fields changed are dropped."""
        last, self.fields = self.fields, fields
        if last is None or last == fields:
            return
        changed = {name for name in last.keys() | fields.keys() if last.get(name) != fields.get(name)}
        for fn in list(self.records):
            facts = self.scope_facts.get(fn)
            if facts is None or not changed.isdisjoint(facts.direct):
                del self.records[fn]

    def current(self) -> Frame:
        """The current version's frame, its lines taken (for something kept in them)."""
        self.frame.anchors()
        return self.frame

    def keep_globals(self, values: Env) -> None:
        """The module-level values of this version (in its lines)."""
        self.globals = values
        if not all(map(_plain, values.values())):
            self.current()

    def mover_for(self, record: Record) -> Mover | None:
        """What moves ``record``'s spans to the current lines (its methods raise ``Unplaceable``
        for a span in code that is gone or changed); None when they are in them already."""
        if record.frame is self.frame:
            return None
        mover = self._mover(record.frame)
        if mover.first_moved is None or record.spans_end() < mover.first_moved:
            record.frame = self.current()  # nothing it mentions moved
            return None
        return mover

    def _mover(self, frame: Frame | None) -> Mover:
        known = self.movers.get(id(frame))
        if known is None:
            old = frame.anchors() if frame is not None else []
            known = self.movers[id(frame)] = (frame, Mover(old, self.current().anchors()))
        return known[1]

    def _place_all(self) -> None:
        """Move every record to the current lines (the frames of old versions would pile up)."""
        for fn, record in list(self.records.items()):
            try:
                mover = self.mover_for(record)
                if mover is not None:
                    self.records[fn] = mover.record(record, self.frame)
            except Unplaceable:
                del self.records[fn]

    def _tables_size(self) -> int:
        tables = (self.scope_facts, self.local_calls, self.definitions, self.member_definitions, self.shapes)
        return sum(map(len, tables)) + len(self.entries) + len(self.handlers)

    def _prune(self, live: set[ast.AST]) -> None:
        """Forget what is kept for nodes no longer in the document. An entry for a gone node is
        never asked for again (and would still be right), so this runs only when the tables
        have doubled since the last time, not at every version."""
        self.scope_facts = {k: v for k, v in self.scope_facts.items() if k in live}
        self.local_calls = {k: v for k, v in self.local_calls.items() if k in live}
        self.definitions = {k: v for k, v in self.definitions.items() if k in live}
        self.member_definitions = {k: v for k, v in self.member_definitions.items() if k in live}
        for gone in [k for k in self.handlers if k not in live]:
            del self.handlers[gone]  # in place: the module's index, made before, fills it
        self.shapes = {k: v for k, v in self.shapes.items() if k in live}
        self.entries = {k: v for k, v in self.entries.items() if k[0] in live}
        self.pruned_size = self._tables_size()


class KnownAnchors:
    """The anchors of each top-level statement in the last version whose lines were taken, with
    the statement's lines then: an editor's analysis keeps the nodes of unchanged code, and a
    node still on the same lines has the same anchors (a class whose body changes gets a new
    node; a moved chunk moves all its nodes, so a node whose first and last lines moved by the
    same count has its anchors moved by that count)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: dict[ast.stmt, tuple[int, int | None, list[tuple[int, int, ast.stmt]]]] = {}


def moved_by(before: tuple[int, int | None], now: tuple[int, int | None]) -> int | None:
    """The lines a node moved by, from its (first, last) lines then and now, when both moved by
    the same count (every node of a moved chunk does); None when its extent changed."""
    delta = now[0] - before[0]
    if before[1] is None or now[1] != before[1] + delta:
        return None
    return delta


def statement_anchors(tree: ast.Module, known: KnownAnchors | None = None) -> list[tuple[int, int, ast.stmt]]:
    """(first line with decorators, last line, statement) of each top-level statement, in order;
    a class stands for the lines before its body, and its body's statements for themselves (an
    editor's analysis keeps the nodes of a class's unchanged methods when another one changes).
    ``known``: the last version's, reused for statements on the same lines, and replaced."""
    if known is None:
        return [anchor for statement in tree.body for anchor in _anchors_of(statement)]
    anchors: list[tuple[int, int, ast.stmt]] = []
    last = known.parts
    parts = {}
    for statement in tree.body:
        part = last.get(statement)
        if part is None:
            part = (statement.lineno, statement.end_lineno, _anchors_of(statement))
        elif part[0] != statement.lineno or part[1] != statement.end_lineno:
            delta = moved_by((part[0], part[1]), (statement.lineno, statement.end_lineno))
            if delta is None:
                part = (statement.lineno, statement.end_lineno, _anchors_of(statement))
            else:
                part = (statement.lineno, statement.end_lineno, [(a + delta, b + delta, s) for a, b, s in part[2]])
        parts[statement] = part
        anchors.extend(part[2])
    known.parts = parts
    return anchors


def _anchors_of(statement: ast.stmt) -> list[tuple[int, int, ast.stmt]]:
    """The anchors of one top-level statement (``statement_anchors``)."""
    first = _first_line(statement)
    if isinstance(statement, ast.ClassDef) and statement.body:
        body_first = _first_line(statement.body[0])
        anchors = [(first, body_first - 1, statement)] if body_first > first else []
        anchors.extend(
            [
                (_first_line(m) if m.decorator_list else m.lineno, m.end_lineno or m.lineno, m)  # type: ignore[attr-defined]
                if isinstance(m, _DECORATED)
                else (m.lineno, m.end_lineno or m.lineno, m)
                for m in statement.body
            ]
        )
        return anchors
    return [(first, statement.end_lineno or statement.lineno, statement)]


_DECORATED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MAX_FRAMES = 4  # versions whose lines records may stay in before they are all moved


def _first_line(statement: ast.stmt) -> int:
    first = statement.lineno
    for decorator in getattr(statement, "decorator_list", ()):
        first = min(first, decorator.lineno)
    return first


class Unplaceable(Exception):
    """A span in code that is gone or changed."""


class Mover:
    """Moves spans of the last version to the lines of the current one, statement by statement.

    Values, labels, spans and summaries are shared between records (a callee's summary sits in
    every caller's events): each is moved once per run, and the moved object stands for it
    everywhere, so that a record moved here still shares its callees' summaries. Each moved
    object is kept with the last line of this file its spans reach (``Record.last_line``)."""

    def __init__(self, old: list[tuple[int, int, ast.stmt]], new: list[tuple[int, int, ast.stmt]]) -> None:
        # Column by column with builtins: a big class has thousands of anchors, and this runs at
        # every version of an edit.
        starts, ends, statements = (list(column) for column in zip(*old, strict=True)) if old else ([], [], [])
        new_starts, _, new_statements = zip(*new, strict=True) if new else ((), (), ())
        current = dict(zip(map(id, new_statements), new_starts, strict=True)).get
        self.starts, self.ends = starts, ends
        self.nows: list[int | None] = list(map(current, map(id, statements)))  # None: gone
        # Anchors are in line order: the first that moved is the first whose line differs,
        # leaving out those that are gone.
        differing = itertools.compress(zip(starts, self.nows, strict=True), map(operator.ne, starts, self.nows))
        self.first_moved = next((first for first, now in differing if now is not None), None)  # None: none moved
        # id of an original → (the original, kept alive so that its id stays unique; the moved
        # object; the last line of this file its spans reach once moved)
        self._done: dict[int, tuple[Any, Any, int]] = {}

    def line_delta(self, line: int) -> int:
        index = bisect.bisect_right(self.starts, line) - 1
        if index < 0 or line > self.ends[index]:
            raise Unplaceable
        now = self.nows[index]
        if now is None:
            raise Unplaceable
        return now - self.starts[index]

    def span(self, span: Span) -> tuple[Span, int]:
        known = self._done.get(id(span))
        if known is not None:
            return known[1], known[2]
        delta = self.line_delta(span.start_line)
        moved = (
            span if not delta else Span(span.start_line + delta, span.start_col, span.end_line + delta, span.end_col)
        )
        self._done[id(span)] = (span, moved, moved.end_line)
        return moved, moved.end_line

    def steps(self, steps: tuple[FlowStep, ...]) -> tuple[tuple[FlowStep, ...], int]:
        known = self._done.get(id(steps))
        if known is not None:
            return known[1], known[2]
        last = 0
        moved: list[FlowStep] = []
        changed = False
        done = self._done
        for step in steps:
            if step.path is not None:  # in another file
                moved.append(step)
                continue
            seen = done.get(id(step))
            if seen is None:
                span, end = self.span(step.span)
                new = (
                    step
                    if span is step.span
                    else FlowStep(span, step.note, step.path, step.kind, step.name, step.detail)
                )
                seen = done[id(step)] = (step, new, end)
            if seen[2] > last:
                last = seen[2]
            changed = changed or seen[1] is not step
            moved.append(seen[1])
        result = tuple(moved) if changed else steps
        done[id(steps)] = (steps, result, last)
        return result, last

    def label(self, label: Label) -> tuple[Label, int]:
        known = self._done.get(id(label))
        if known is not None:
            return known[1], known[2]
        origin = label.origin
        last = 0
        if origin.path is None:
            span, last = self.span(origin.span)
            if span is not origin.span:
                origin = _origin_at(origin, span)
        steps, end = self.steps(label.steps)
        last = max(last, end)
        moved = label if origin is label.origin and steps is label.steps else _label_with(label, origin, steps)
        self._done[id(label)] = (label, moved, last)
        return moved, last

    def val(self, value: Val | None) -> tuple[Val | None, int]:
        if value is None:
            return None, 0
        if not value.taint and not value.parts:
            return value, 0  # nothing to move (most module-level values)
        done = self._done
        known = done.get(id(value))
        if known is not None:
            return known[1], known[2]
        last = 0
        changed = False
        labels = []
        for lab in value.taint:
            moved_label, end = self.label(lab)
            labels.append(moved_label)
            changed = changed or moved_label is not lab
            if end > last:
                last = end
        parts = []
        for key, part in value.parts:
            moved_part, end = self.val(part)
            parts.append((key, moved_part))
            changed = changed or moved_part is not part
            if end > last:
                last = end
        moved = Val(frozenset(labels), tuple(parts), value.kind, value.const) if changed else value  # type: ignore[arg-type]
        done[id(value)] = (value, moved, last)
        return moved, last

    def summary(self, summary: Summary | None) -> tuple[Summary | None, int]:
        if summary is None:
            return None, 0
        known = self._done.get(id(summary))
        if known is not None:
            return known[1], known[2]
        returns, last = self.val(summary.returns)
        self_out, end = self.val(summary.self_out)
        if end > last:
            last = end
        changed = returns is not summary.returns or self_out is not summary.self_out
        args_out: list[tuple[object, Val]] = []
        globals_out: list[tuple[object, Val]] = []
        for kept, outs in ((args_out, summary.args_out), (globals_out, summary.globals_out)):
            for index, value in outs:
                moved_value, end = self.val(value)
                kept.append((index, moved_value))  # type: ignore[arg-type]
                changed = changed or moved_value is not value
                if end > last:
                    last = end
        effects = []
        for effect in summary.effects:
            steps, end = self.steps(effect.steps)
            if end > last:
                last = end
            if steps is effect.steps:
                effects.append(effect)
            else:
                effects.append(_with_steps(effect, steps))
                changed = True
        if not changed:
            self._done[id(summary)] = (summary, summary, last)
            return summary, last
        moved = Summary(
            summary.name,
            summary.params,
            summary.positional,
            summary.vararg,
            summary.kwarg,
            summary.offset,
            returns,  # type: ignore[arg-type]
            effects,
            self_out,
            summary.path,
            tuple(args_out),  # type: ignore[arg-type]
            tuple(globals_out),  # type: ignore[arg-type]
            summary.proven,
            summary.coroutine,
        )
        self._done[id(summary)] = (summary, moved, last)
        return moved, last

    def record(self, record: Record, frame: Frame) -> Record:
        events: list[Event] = []
        last = 0
        for event in record.events:
            kind = event[0]
            if kind == "sum":
                moved, end = self.summary(event[2])
                events.append(("sum", event[1], moved))
            elif kind == "hit":
                moved, end = self.label(event[5])
                events.append((*event[:5], moved))
            else:
                events.append(event)  # notes name a node; "proj" and "tpl" answers are other files'
                continue
            last = max(last, end)
        summary, end = self.summary(record.summary)
        return Record(
            record.entry,
            record.summarize,
            record.kind_of_self,
            events,
            summary,
            max(last, end, 1),
            frame,
            record.line,
            record.end_line,
        )


# -- moved copies ----------------------------------------------------------------------------
# An origin or a label below an edit is copied with its span moved. Their constructors hash
# their fields again; a move changes only lines, which stay out of the hashes
# (``Origin.__post_init__``), so a copy keeps the hash and sets its slots directly. Their sort
# keys hold lines: a copy's is made again when asked for.


def _slot_setters(cls: type, names: tuple[str, ...]) -> list[Any]:
    """The setters of ``cls``'s slots ``names``, which must be all its fields, in order (a field
    added to the class must be copied here too)."""
    if tuple(f.name for f in fields(cls)) != names:
        raise TypeError(f"{cls.__name__}: its fields changed, copy them in memo.py")
    return [cls.__dict__[name].__set__ for name in names]


(
    _ORIGIN_KIND,
    _ORIGIN_TEXT,
    _ORIGIN_SPAN,
    _ORIGIN_PATH,
    _ORIGIN_LOCAL,
    _ORIGIN_INDEX,
    _ORIGIN_ACCESS,
    _ORIGIN_HASH,
    _ORIGIN_ORDER,
) = _slot_setters(Origin, ("kind", "text", "span", "path", "local", "index", "access", "_hash", "_order"))
_LABEL_ORIGIN, _LABEL_CLEANED, _LABEL_STEPS, _LABEL_HASH, _LABEL_ORDER = _slot_setters(
    Label, ("origin", "cleaned", "steps", "_hash", "_order")
)
_new = object.__new__


def _origin_at(origin: Origin, span: Span) -> Origin:
    """``origin`` with its span moved to ``span`` (the same hash: only its lines changed)."""
    moved = _new(Origin)
    _ORIGIN_KIND(moved, origin.kind)
    _ORIGIN_TEXT(moved, origin.text)
    _ORIGIN_SPAN(moved, span)
    _ORIGIN_PATH(moved, origin.path)
    _ORIGIN_LOCAL(moved, origin.local)
    _ORIGIN_INDEX(moved, origin.index)
    _ORIGIN_ACCESS(moved, origin.access)
    _ORIGIN_HASH(moved, origin._hash)
    _ORIGIN_ORDER(moved, None)
    return moved


def _label_with(label: Label, origin: Origin, steps: tuple[FlowStep, ...]) -> Label:
    """``label`` with its origin and steps moved (the same hash: its origin's is the same)."""
    moved = _new(Label)
    _LABEL_ORIGIN(moved, origin)
    _LABEL_CLEANED(moved, label.cleaned)
    _LABEL_STEPS(moved, steps)
    _LABEL_HASH(moved, label._hash)
    _LABEL_ORDER(moved, None if origin is not label.origin else label._order)
    return moved


def _with_steps(effect: Effect, steps: tuple[FlowStep, ...]) -> Effect:
    return Effect(
        effect.index,
        effect.access,
        effect.cls,
        effect.sink,
        effect.what,
        effect.cleaned,
        steps,
        effect.path,
        effect.node,
        effect.remote_only,
        effect.switched_by,
    )


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
        for _, value in (*found.args_out, *found.globals_out):
            val(value)
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


def without_lines(summary: Summary | None) -> bool:
    """No span in it: its lines cannot tell it from another summary."""
    return summary is None or (
        not summary.effects
        and _plain(summary.returns)
        and _plain(summary.self_out)
        and all(_plain(value) for _, value in (*summary.args_out, *summary.globals_out))
    )


def _plain(value: Val | None) -> bool:
    return value is None or (not value.taint and all(_plain(part) for _, part in value.parts))


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
    for outs_a, outs_b in ((a.args_out, b.args_out), (a.globals_out, b.globals_out)):
        if len(outs_a) != len(outs_b) or any(
            i != j or not same_val(x, y)
            for (i, x), (j, y) in zip(outs_a, outs_b, strict=True)  # type: ignore[arg-type]
        ):
            return False
    if a.proven != b.proven or a.coroutine != b.coroutine:
        return False
    return same_val(a.returns, b.returns) and same_val(a.self_out, b.self_out)


def same_env(a: Env, b: Env) -> bool:
    return a.keys() == b.keys() and all(same_val(value, b[name]) for name, value in a.items())
