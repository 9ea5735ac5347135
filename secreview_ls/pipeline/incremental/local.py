"""The per-chunk rules on one chunk: reuse of the last results, or a run on the chunk's own view.

A chunk's view is a small module made of the chunk and the chunks that bind, at module
level, a name the chunk uses (a constant, a helper, ``app``) or grow a container of that name:
rules that look a name up at module level see what they would see in the whole file. Results are cached by the chunk's
facts and by what its context binds that it uses, and invalidated by the import-map answers
the rules depended on; when a chunk only moved, its results move with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ...engine.evidence import Evidence
from ...engine.finding import Finding
from ...engine.taint import ProjectIndex, TaintSpec
from ...rules.base import FileCache, Rule, RuleContext, TextContext
from ..running import RerunWhole, dispatch
from .chunks import Chunk, Local, RunStats, combined_facts, padded_text, shift_finding
from .imports import ImportChange, Recorder, SharedImports


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

    def results(self) -> Local:
        """What to keep for the next versions."""
        chunk = self.chunk
        moves = not any(f.message_lines for found in self.findings.values() for f in found)
        return Local(self.keys, self.recorder, chunk.first, self.findings, self.evidence, moves, frozenset(self.wide))


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
