"""The per-chunk rules on one chunk: reuse of the last results, or a run on the chunk's own view.

A chunk's view is a small module made of the chunk and the chunks that bind, at module
level, a name the chunk uses (a constant, a helper, ``app``) or grow a container of that name:
rules that look a name up at module level see what they would see in the whole file. Results are cached by the chunk's
facts and by what its context binds that it uses, and invalidated by the import-map answers
the rules depended on; when a chunk only moved, its results move with it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from ...engine.evidence import Evidence
from ...engine.finding import Finding
from ...engine.taint import ProjectIndex, TaintSpec
from ...rules.base import FileCache, Rule, RuleContext, TextContext
from ..batch import Handover
from ..running import RerunWhole, dispatch
from .chunks import Chunk, Local, RunStats, combined_facts, padded_text, shift_finding
from .imports import ImportChange, Recorder, SharedImports

# A seeded chunk's rules were not asked what they need of the import map: any change of it
# runs them again (then recorded).
_EVERY_STRUCTURE = frozenset({"aliases", "bound", "star"})


def context_keys(chunk: Chunk) -> tuple[Any, ...]:
    """What the chunk's per-chunk results depend on besides the import map: its own facts,
    and the statements of its context binding the names it uses. Counted, not a set: a second
    chunk binding a name with the same statement makes the name bound twice (no longer a
    constant, say)."""
    unit = chunk.unit
    if chunk.context_key is None:
        names = chunk.context_names
        chunk.context_key = tuple(
            sorted(
                (n, c.bindings[n], c.facts_version)
                for c in chunk.context or ()
                if unit is None or c.unit is not unit  # the own class is in the class key
                for n in names & c.binds  # type: ignore[operator]
            )
        )
    if unit is None:
        return (chunk.serial, chunk.context_key)
    # A segment sees its class's header and other non-method segments, and a rule reading a
    # class constant checks that no statement of the class stores that attribute.
    return (chunk.serial, chunk.context_key, unit.class_key())


def copied(found: Finding) -> Finding:
    """A copy of a kept finding for this version's result: the pipeline's last steps set its
    snippet, message, fix and fingerprint from this version's text (credentials masked in the
    message, say), which must not leak into what the next version reuses."""
    return replace(found, extra=dict(found.extra))


def shifted_copies(chunk: Chunk, cached: list[Finding]) -> Iterable[Finding]:
    """``copied`` of each of a chunk's kept findings, at the chunk's lines."""
    shift = chunk.local.shift if chunk.local is not None else 0
    if shift:
        return [shift_finding(f, shift) for f in cached]  # a new finding, its ``extra`` copied
    return list(map(copied, cached))


def view_members(chunk: Chunk) -> list[Chunk]:
    """The chunks a chunk's per-chunk rules see: itself, its context and, for a segment of a
    class in either, that class's header and other non-method segments (a rule looks into a
    class from outside only through what its class body binds)."""
    members = {chunk, *(chunk.context or ())}
    for member in list(members):
        if member.unit is not None:
            members.update(member.unit.context())
    return sorted(members, key=lambda c: c.first)


def reuse(chunk: Chunk, change: ImportChange, stats: RunStats) -> bool:
    """Whether the chunk's cached results hold for this version (moved with the chunk if it moved)."""
    keys = context_keys(chunk)
    local = chunk.local
    if local is None or local.context != keys or (change and local.recorder.invalidated_by(change)):
        return False
    if local.base == chunk.first:
        return True
    if not local.moves:
        return False
    stats.moved += 1
    delta = chunk.first - local.base
    if local.findings:  # moved when copied (``shifted_copies``)
        local.shift += delta
    if local.evidence:
        local.evidence = {rid: evidence.shifted(delta) for rid, evidence in local.evidence.items()}
    local.base = chunk.first
    return True


class ChunkRun:
    """The per-chunk rules running again on one chunk: its view, and what each rule found there."""

    def __init__(
        self,
        chunk: Chunk,
        plain: list[str],
        imports: SharedImports,
        path: str,
        is_test: bool,
        spec: TaintSpec | None,
        project: ProjectIndex | None,
    ) -> None:
        self.chunk = chunk
        self.keys = context_keys(chunk)
        members = view_members(chunk)
        padding = [""] * len(plain)
        for member in members:
            padding[member.first - 1 : member.last] = plain[member.first - 1 : member.last]
        self.facts = combined_facts(padded_text(members), path, padding, members, imports, tiled=True)
        self.own_text = "\n" * (chunk.first - 1) + chunk.text
        self.own_plain = [""] * (chunk.first - 1) + plain[chunk.first - 1 : chunk.last]
        self.imports = imports
        self.path = path
        self.is_test = is_test
        self.spec = spec
        self.project = project
        self.cache = FileCache()
        self.recorder = Recorder()
        self.findings: dict[str, list[Finding]] = {}
        self.evidence: dict[str, Evidence] = {}
        self.wide: set[str] = set()  # module rules whose ``needs_module`` held on this view

    def check(self, current: Rule) -> list[Finding]:
        """``current``'s findings on this chunk (recorded with the import answers they needed)."""
        triggers = current.triggers
        if (
            triggers is not None
            and current.needs_module is None
            and current.kind != "text"
            and not any(map(self.facts.source.mentions, triggers))
        ):
            return []  # what ``dispatch`` answers, with nothing asked or written: no context made
        evidence = Evidence()
        ctx = RuleContext(
            self.facts.source,
            self.facts,
            self.is_test,
            project=self.project,
            taint_spec=self.spec,
            cache=self.cache,
            evidence=evidence,
        )
        text_ctx = TextContext(self.path, self.own_text, self.own_plain, self.is_test, self.cache, evidence)
        self.imports.record(self.recorder)
        try:
            found = checked(current, ctx, text_ctx)
            if current.needs_module is not None and _needs_module(current, ctx):
                self.wide.add(current.id)
        finally:
            self.imports.record(None)
        chunk = self.chunk
        kept = [f for f in found if chunk.first <= f.span.start_line <= chunk.last]
        if kept:
            self.findings[current.id] = kept
        own = Evidence(r for r in evidence if chunk.first <= r.line <= chunk.last)
        if own:
            self.evidence[current.id] = own
        return kept

    def test(self, current: Rule) -> bool | None:
        """``current.needs_module`` on this view before any rule ran on it, or None when the
        test reads the view's cache (what the rules ran on the view left there counts)."""
        probe = _Probe()
        ctx = RuleContext(
            self.facts.source,
            self.facts,
            self.is_test,
            project=self.project,
            taint_spec=self.spec,
            cache=probe,
            evidence=Evidence(),
        )
        self.imports.record(self.recorder)
        try:
            answer = _needs_module(current, ctx)
        except _Asked:
            return None
        finally:
            self.imports.record(None)
        return None if probe.asked else answer

    def results(self) -> Local:
        """What to keep for the next versions."""
        chunk = self.chunk
        moves = not any(f.message_lines for found in self.findings.values() for f in found)
        return Local(self.keys, self.recorder, chunk.first, self.findings, self.evidence, moves, frozenset(self.wide))


def seed_results(
    handover: Handover, chunks: list[Chunk], rules: list[Rule], view: Callable[[Chunk], ChunkRun]
) -> Iterator[tuple[Chunk, Local]]:
    """Each chunk's cached results (``chunks``: placed, in line order) from a whole analysis of
    the same text, instead of running every per-chunk rule on every chunk's view.

    ``rules``: those that run per chunk, in their order (scope "chunk", and the whole-module
    rules that declare ``needs_module``). A rule that runs per chunk finds on a chunk's view
    what it finds on the chunk's lines in the whole module (what makes incremental results
    equal whole ones), so its findings and evidence are the whole run's on those lines. What
    the whole run cannot tell is found on the view or kept conservative:

    * whether a ``needs_module`` test holds on the view: asked there before any rule ran; a
      test that reads what the rules left in the view's cache (``module_reads``) is asked,
      as a run asks it, after the rules up to it ran on the view (those rules' results are
      then that run's);
    * the import answers the seeded rules needed: not known, so any change of the import map
      runs the chunk again (then recorded)."""
    starts = [chunk.first for chunk in chunks]
    found: list[dict[str, list[Finding]]] = [{} for _ in chunks]
    evidence: list[dict[str, Evidence]] = [{} for _ in chunks]

    def index_of(line: int) -> int:
        index = bisect.bisect_right(starts, line) - 1
        return index if index >= 0 and line <= chunks[index].last else -1

    for current in rules:
        for finding in handover.findings.get(current.id, ()):
            index = index_of(finding.span.start_line)
            if index >= 0:
                found[index].setdefault(current.id, []).append(finding)
        for record in handover.evidence.get(current.id, ()):
            index = index_of(record.line)
            if index >= 0:
                evidence[index].setdefault(current.id, Evidence()).add(record)
    for chunk, own, records in zip(chunks, found, evidence, strict=True):
        run = view(chunk)
        # The rules run on the view: those up to the last test that reads the cache (the tests
        # of the rules among them are asked by their runs).
        head = 0
        tested: list[str] = []
        for index in range(len(rules) - 1, -1, -1):
            if rules[index].needs_module is not None:
                answer = run.test(rules[index])
                if answer is None:
                    head = index + 1
                    break
                if answer:
                    tested.append(rules[index].id)
        for current in rules[:head]:
            own.pop(current.id, None)
            records.pop(current.id, None)
            run.check(current)
        own.update(run.findings)
        records.update(run.evidence)
        recorder = run.recorder
        recorder.whole |= _EVERY_STRUCTURE
        moves = not any(f.message_lines for kept in own.values() for f in kept)
        wide = frozenset((*run.wide, *tested))
        yield chunk, Local(run.keys, recorder, chunk.first, own, records, moves, wide, seeded=True)


class _Asked(BaseException):
    """A test asked the view's cache for something (no ``except Exception`` of a rule's stops it)."""


class _Probe(FileCache):
    """A cache that stops whoever asks it for anything (``_Asked``), and notes that it was asked."""

    __slots__ = ("asked",)

    def __init__(self) -> None:
        super().__init__()
        self.asked = False

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        self.asked = True
        raise _Asked(key)


def _needs_module(current: Rule, ctx: RuleContext) -> bool:
    """``current.needs_module`` on a chunk's view; a failure makes the whole file run again."""
    assert current.needs_module is not None
    try:
        return current.needs_module(ctx)
    except Exception as error:
        raise RerunWhole(f"{current.id} raised {type(error).__name__}") from error


def checked(current: Rule, ctx: RuleContext, text_ctx: TextContext) -> list[Finding]:
    """The rule's findings; a rule that fails makes the whole file run again (the whole-file
    analysis reports the failure, with the findings made before it)."""
    try:
        return list(dispatch(current, ctx, text_ctx))
    except Exception as error:
        raise RerunWhole(f"{current.id} raised {type(error).__name__}") from error
