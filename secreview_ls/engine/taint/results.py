"""What a taint analysis found and noted, and the log of events the memo keeps per function."""

from __future__ import annotations

import ast

from ..evidence import SinkExamined, SourceSeen
from .memo import Event
from .summary import SinkHit, Summary
from .values import Label

_MAX_OTHER_FLOWS = 16  # the other sources kept for one sink


class Results:
    """Hits, the sources and sinks seen, cleared sinks and skipped work of one module's analysis.

    Nothing is collected while ``collecting`` is off (the pass that only computes module-level
    values). While functions are being analyzed for the memo, each finding and each answer the
    analysis depended on is also appended, in order, to the innermost recording.
    """

    def __init__(self) -> None:
        self.hits: dict[tuple[int, str], SinkHit] = {}
        self.sources_seen: dict[SourceSeen, None] = {}  # in the order seen
        self.sinks_seen: dict[SinkExamined, None] = {}
        self.cleared: dict[tuple[str, ast.AST], None] = {}  # sinks whose every variable part is harmless
        # branches a constant test never runs (statements), and those some pass did run
        self.dead: dict[tuple[ast.stmt, ...], None] = {}
        self.live: set[ast.stmt] = set()
        self.skipped: list[str] = []
        self.collecting = True
        self.recordings: list[list[Event]] = []  # events of the functions being analyzed (memo)
        self.poisoned = False  # an analysis was cut short: nothing of this run is kept

    def note_source(self, text: str, node: ast.AST) -> None:
        if not self.collecting:
            return
        seen = SourceSeen(text, getattr(node, "lineno", 1))
        self.sources_seen.setdefault(seen)
        if self.recordings:
            self.recordings[-1].append(("src", text, node, seen))

    def note_sink(self, shown: str, what: str, node: ast.AST) -> None:
        if not self.collecting:
            return
        seen = SinkExamined(shown, getattr(node, "lineno", 1), what)
        self.sinks_seen.setdefault(seen)
        if self.recordings:
            self.recordings[-1].append(("snk", shown, what, node, seen))

    def replay_run(self, run: NoteRun) -> None:
        """A run of recorded notes (``src``, ``snk``, ``clr``) noted again, outside any recording (a
        replay's own events are not kept), with the lines their nodes are on now."""
        if not self.collecting:
            return
        if not run.placed():
            run.place()
        if run.sources:
            self.sources_seen.update(run.sources)
        if run.sinks:
            self.sinks_seen.update(run.sinks)
        if run.cleared:
            self.cleared.update(run.cleared)

    def note_branch(self, statements: list[ast.stmt], dead: bool) -> None:
        """A branch of an ``if``/``while`` that a constant test skips (``dead``) or that runs."""
        if not self.collecting or not statements:
            return
        if dead:
            self.dead.setdefault(tuple(statements))
        else:
            self.live.add(statements[0])
        if self.recordings:
            self.recordings[-1].append(("brn", statements, dead))

    def unreached(self) -> list[tuple[ast.stmt, ...]]:
        """The branches no pass ran: a constant test skipped them every time."""
        return [branch for branch in self.dead if branch[0] not in self.live]

    def note_cleared(self, cls: str, node: ast.AST) -> None:
        if not self.collecting:
            return
        self.cleared.setdefault((cls, node))
        if self.recordings:
            self.recordings[-1].append(("clr", cls, node))

    def note_made_node(self, *nodes: ast.AST) -> None:
        """The function being analyzed used nodes made for the analysis (``getattr(obj, "name")``
        read as ``obj.name``, a call a scheduler makes): they are outside the tree, so their lines
        do not move with the function's when lines are inserted above; a replay of the record in
        a later version puts them back where their function now is (``Summaries._replay``).
        Each is kept with its lines of now."""
        if self.recordings:
            self.recordings[-1].append(("new", tuple((node, node.lineno, node.end_lineno) for node in nodes)))  # type: ignore[attr-defined]

    def record_hit(self, cls: str, sink: str, what: str, node: ast.AST, label: Label) -> None:
        if not self.collecting:
            return
        key = (id(node), cls)
        current = self.hits.get(key)
        if current is None or (current.label.origin.local and not label.origin.local):
            kept = [current.label, *current.others] if current is not None else []
            self.hits[key] = SinkHit(cls, sink, what, node, label, kept)
        elif len(current.others) < _MAX_OTHER_FLOWS and all(
            label.origin != seen.origin for seen in (current.label, *current.others)
        ):
            current.others.append(label)
        if self.recordings:
            self.recordings[-1].append(("hit", cls, sink, what, node, label))

    def record_summary(self, fn: ast.AST, summary: Summary | None) -> None:
        """A function's analysis asked for the summary of ``fn`` and got this."""
        if self.recordings:
            self.recordings[-1].append(("sum", fn, summary))

    def record_project_summary(self, name: str, summary: Summary | None) -> None:
        """A function's analysis asked the project for ``name`` and got this."""
        if self.recordings:
            self.recordings[-1].append(("proj", name, summary))

    def record_project_instance(self, name: str, answer: bool | None) -> None:
        """A function's analysis asked the project whether ``name`` is a method of a module-level
        instance and got this."""
        if self.recordings:
            self.recordings[-1].append(("ins", name, answer))

    def record_template(self, name: str, answer: object) -> None:
        """A function's analysis read template ``name`` and found this (a ``TemplateReading``: the
        unescaped writes through its includes and parents and every file read, or None)."""
        if self.recordings:
            self.recordings[-1].append(("tpl", name, answer))

    def record_class_text(self, node: ast.AST, text: object) -> None:
        """A function's analysis read the template text of the class attribute ``node`` names
        (``Page.TEMPLATE``, ``self.TEMPLATE``) and found this: the class body lies outside the
        function, so a replay must read it again."""
        if self.recordings:
            self.recordings[-1].append(("cat", node, text))

    def skip(self, reason: str) -> None:
        self.skipped.append(reason)

    def sorted_hits(self) -> list[SinkHit]:
        """The hits in source order."""
        return sorted(
            self.hits.values(), key=lambda h: (getattr(h.node, "lineno", 0), getattr(h.node, "col_offset", 0))
        )


class NoteRun:
    """Consecutive recorded notes (``src``, ``snk``, ``clr``) of one record, as the keys noting
    each again in order adds to each of the dicts of ``Results`` (the evidence made then while
    its node is still on its line, else one for its line now): a replay adds them with one
    ``dict.update`` each, whose keys keep the hashes computed here (the records' hashes are
    computed in Python). The keys are those of the nodes' lines when last placed; a node on
    another line now has them made again."""

    __slots__ = ("_events", "cleared", "lined", "sinks", "sources")

    def __init__(self, events: list[Event]) -> None:
        self._events = events
        self.sources: dict[SourceSeen, None] = {}
        self.sinks: dict[SinkExamined, None] = {}
        self.cleared: dict[tuple[str, ast.AST], None] = {}
        self.lined: list[tuple[ast.AST, int]] = []  # (node, its line in the keys) of each src and snk
        self.place()

    def placed(self) -> bool:
        """Whether every node is on the line its key was made for."""
        return all(getattr(node, "lineno", 1) == line for node, line in self.lined)

    def place(self) -> None:
        """Make the keys for the nodes' current lines."""
        sources: dict[SourceSeen, None] = {}
        sinks: dict[SinkExamined, None] = {}
        cleared: dict[tuple[str, ast.AST], None] = {}
        lined: list[tuple[ast.AST, int]] = []
        for event in self._events:
            kind = event[0]
            if kind == "snk":
                node, seen = event[3], event[4]
                line = getattr(node, "lineno", 1)
                sinks.setdefault(seen if seen.line == line else SinkExamined(event[1], line, event[2]))
                lined.append((node, line))
            elif kind == "src":
                node, found = event[2], event[3]
                line = getattr(node, "lineno", 1)
                sources.setdefault(found if found.line == line else SourceSeen(event[1], line))
                lined.append((node, line))
            else:
                cleared.setdefault((event[1], event[2]))
        self.sources, self.sinks, self.cleared, self.lined = sources, sinks, cleared, lined
