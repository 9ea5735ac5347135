"""The incremental analyzer: successive versions of one document, analyzed chunk by chunk."""

from __future__ import annotations

import ast
import bisect
import itertools
import logging
import re
import time
from collections.abc import Sequence
from typing import Any

from ...config import Config
from ...engine.facts import ModuleFacts
from ...engine.finding import Finding, Span
from ...engine.names import ImportMap
from ...engine.suppressions import Suppression, parse_suppressions
from ...engine.taint_memo import TaintMemo
from ...rules.base import Rule, RuleContext, TextContext
from ..batch import analyze_source
from ..finishing import finish_findings
from ..reading import module_name_for
from ..result import AnalysisResult
from ..running import RerunWhole
from ..selection import selected_rules
from .chunking import MAX_BROKEN_NOTICES, rechunk
from .chunks import (
    Chunk,
    Local,
    RunStats,
    View,
    free_names,
    has_markers,
    module_bindings,
    padded_text,
    shift_finding,
    tiles,
    tokenizes,
)
from .imports import IMPORT_FIELDS, ImportChange, Recorder, SharedImports
from .linediff import diff_lines, split_lines_keepends, strip_terminator

# Rules whose findings depend on the whole module rather than on a chunk and the
# chunks binding the names it uses. Taint rules (``Rule.taint``) always are; SR704
# looks for an ``extraction_filter`` setting and for archive names anywhere in the module.
MODULE_RULES: frozenset[str] = frozenset({"SR704"})

_NUMBER = re.compile(r"\d+")
_SERIALS = itertools.count(1)
_log = logging.getLogger(__name__)


def is_module_rule(rule: Rule) -> bool:
    return rule.taint or rule.id in MODULE_RULES or getattr(rule, "scope", "") == "module"


class IncrementalAnalyzer:
    """Analyze successive versions of one document; see the module docstring."""

    def __init__(
        self,
        path: str = "<unknown>",
        config: Config | None = None,
        *,
        options: dict[str, Any] | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        self.path = path
        self.config = config or Config()
        self.options = dict(options or {})
        self.options.setdefault("taint_memo", TaintMemo())  # the taint analysis of the last version
        self.rules = list(rules) if rules is not None else selected_rules(self.config, path)
        self.module_name = module_name_for(path, self.config.root) if path != "<unknown>" else ""
        self.is_test = self.config.is_test_path(path) if path not in ("", "<unknown>") else False
        self.local_rules = [r for r in self.rules if not is_module_rule(r)]
        self.module_rules = [r for r in self.rules if is_module_rule(r)]
        self.stats = RunStats()
        self._imports = SharedImports(self.module_name)
        self._lines: list[str] = []  # last version analyzed chunk by chunk, with terminators
        self._text = ""  # the same version's text
        self._starts: list[int] = [0]  # offset in it of each line's start, and its length
        self._plain: list[str] = []  # the same lines without terminators
        self._chunks: list[Chunk] = []
        self._binders: dict[str, set[Chunk]] = {}  # name → chunks binding it at module level
        self._alias_uses: dict[str, dict[str, int]] = {}  # imported name → target → chunks importing it so
        self._bound_uses: dict[str, int] = {}  # name bound at module level → chunks binding it
        self._star_chunks: list[Chunk] = []  # chunks with star imports

    def release(self) -> None:
        """Drop every cache (the next run analyzes the whole document again)."""
        memo = self.options.get("taint_memo")
        if isinstance(memo, TaintMemo):
            memo.clear()
        self._lines = []
        self._text = ""
        self._starts = [0]
        self._plain = []
        self._chunks = []
        self._binders = {}
        self._alias_uses = {}
        self._bound_uses = {}
        self._star_chunks = []
        self._imports = SharedImports(self.module_name)

    # -- entry point ---------------------------------------------------------------

    def analyze(self, text: str) -> AnalysisResult:
        started = time.perf_counter()
        stats = RunStats(mode="incremental")
        self.stats = stats
        try:
            reason = self._ineligible(text)
            if reason:
                raise RerunWhole(reason)
            result = self._incremental(text, stats)
        except RerunWhole as fallback:
            stats.mode, stats.reason = "full", str(fallback)
            result = analyze_source(text, self.path, self.config, rules=self.rules, options=self.options)
        except Exception as error:  # a defect here must cost speed, never results
            _log.exception("incremental analysis of %s failed; analyzing the whole file", self.path)
            self.release()
            stats.mode, stats.reason = "full", f"internal error: {type(error).__name__}"
            result = analyze_source(text, self.path, self.config, rules=self.rules, options=self.options)
        stats.seconds = time.perf_counter() - started
        return result

    def _ineligible(self, text: str) -> str:
        if "\x00" in text:
            return "NUL bytes"
        if len(text) * 4 > self.config.max_file_size and (
            len(text.encode("utf-8", errors="surrogatepass")) > self.config.max_file_size
        ):
            return "over max-file-size"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "unpaired surrogates"
        return ""

    def _incremental(self, text: str, stats: RunStats) -> AnalysisResult:
        old_lines = self._lines
        lines, prefix, suffix = diff_lines(self._text, old_lines, self._starts, text)
        previous = self._chunks
        chunks = rechunk(old_lines, self._chunks, lines, prefix, suffix, self.path, stats)  # moves the chunks below the edit
        problem = ""
        if not tiles(chunks, len(lines)):
            problem = "internal: chunks do not cover the document line by line"
        elif sum(len(c.broken) for c in chunks if c.broken) > MAX_BROKEN_NOTICES:
            problem = "too many syntax errors"
        elif previous and sum(1 for c in chunks if c.broken is not None) > 1:
            problem = "syntax errors in several places"  # which one the parser reports first depends on the file
        if problem:
            self.release()
            raise RerunWhole(problem)
        if self._chunks and len(self._plain) == len(old_lines):
            changed = [strip_terminator(line) for line in lines[prefix : len(lines) - suffix]]
            plain = [*self._plain[:prefix], *changed, *self._plain[len(old_lines) - suffix :]]
        else:
            plain = [strip_terminator(line) for line in lines]
        self._lines = lines
        self._text = text
        self._starts = list(itertools.accumulate(map(len, lines), initial=0))
        self._plain = plain
        self._chunks = chunks
        stats.chunks = len(chunks)
        try:
            return self._run(text, plain, previous, chunks, stats)
        except RerunWhole:
            self.release()  # caches may be half updated: start again from the next version
            raise


    # -- analysis ---------------------------------------------------------------------

    def _run(
        self, text: str, plain: list[str], previous: list[Chunk], chunks: list[Chunk], stats: RunStats
    ) -> AnalysisResult:
        current = set(chunks)
        gone = [c for c in previous if c not in current]
        kept = set(previous)
        fresh = [c for c in chunks if c not in kept]
        imports_changed = self._update_imports(gone, fresh)
        stale = chunks if imports_changed else [c for c in chunks if c.facts is None]
        rebuilt = {c for c in stale if self._ensure_facts(c, imports_changed)}
        # Which chunks bind which module-level names; contexts change only through these names.
        changed_names: set[str] = set()
        for chunk in gone:
            for name in chunk.binds or ():
                holders = self._binders.get(name)
                if holders is not None:
                    holders.discard(chunk)
            changed_names.update(chunk.binds or ())
        for chunk in fresh:
            for name in chunk.binds or ():
                self._binders.setdefault(name, set()).add(chunk)
            changed_names.update(chunk.binds or ())
        by_rule: dict[str, list[Finding]] = {r.id: [] for r in self.rules}
        notes_by_rule: dict[str, list[tuple[str, str]]] = {r.id: [] for r in self.rules}
        for chunk in chunks:
            if chunk.context is None or (changed_names and not changed_names.isdisjoint(chunk.names)):
                members = {d for n in chunk.names for d in self._binders.get(n, ())}
                members.discard(chunk)
                chunk.context = sorted(members, key=lambda c: c.first)
                chunk.context_key = None
            elif rebuilt and not rebuilt.isdisjoint(chunk.context):
                chunk.context_key = None
            local = chunk.local
            if (
                local is None
                or imports_changed
                or local.base != chunk.first
                or local.context[0] != chunk.serial
                or local.context[1] is not chunk.context_key
            ):
                local = self._local_results(chunk, plain, imports_changed, stats)
            for rule_id, found in local.findings.items():
                by_rule[rule_id].extend(found)
            for rule_id, notes in local.notes.items():
                notes_by_rule[rule_id].extend(notes)
        module_facts: ModuleFacts | None = None
        if self.module_rules:
            module_facts = self._module_facts(text, plain, chunks)
            options = self._options()
            for current in self.module_rules:
                evidence: dict[str, list[str]] = {}
                if current.kind == "text":
                    found = _checked(current, TextContext(self.path, text, plain, self.is_test, options, evidence))
                else:
                    ctx = RuleContext(
                        source=module_facts.source, facts=module_facts, is_test=self.is_test, options=options, evidence=evidence
                    )
                    found = _checked(current, ctx)
                by_rule[current.id] = found
                notes_by_rule[current.id] = [(k, v) for k, items in evidence.items() for v in items]
        raw: list[tuple[Rule, Finding]] = []
        evidence_all: dict[str, list[str]] = {}
        for current in self.rules:
            raw.extend((current, found) for found in by_rule[current.id])
            for kind, note in notes_by_rule[current.id]:
                items = evidence_all.setdefault(kind, [])
                if note not in items:
                    items.append(note)
        return self._finish(text, plain, chunks, raw, evidence_all, module_facts)

    def _options(self) -> dict[str, Any]:
        options = dict(self.options)
        options.setdefault("config", self.config)
        return options

    def _update_imports(self, gone: list[Chunk], fresh: list[Chunk]) -> ImportChange:
        """Merge the chunks' imports into the shared map (counting, per name, the chunks that
        import or bind it, so only the chunks that came and went are looked at); what changed."""
        for chunk in fresh:
            if chunk.imports is None:
                own = ImportMap(chunk.module, self.module_name)
                if set(vars(own)) != IMPORT_FIELDS:
                    raise RerunWhole("the import map has fields this analyzer does not merge")
                chunk.imports = (own.aliases, own.star_modules, own.locally_bound)
        for chunk, step in itertools.chain(((c, -1) for c in gone), ((c, 1) for c in fresh)):
            own_aliases, own_star, own_bound = chunk.imports  # type: ignore[misc]
            for name, target in own_aliases.items():
                targets = self._alias_uses.setdefault(name, {})
                targets[target] = targets.get(target, 0) + step
                if not targets[target]:
                    del targets[target]
                    if not targets:
                        del self._alias_uses[name]
            for name in own_bound:
                count = self._bound_uses.get(name, 0) + step
                if count:
                    self._bound_uses[name] = count
                else:
                    del self._bound_uses[name]
            if own_star:
                if step > 0:
                    self._star_chunks.append(chunk)
                else:
                    self._star_chunks.remove(chunk)
        aliases: dict[str, str] = {}
        for name, targets in self._alias_uses.items():
            if len(targets) > 1:
                raise RerunWhole(f"`{name}` is imported as different modules in different places")
            aliases[name] = next(iter(targets))
        if len(self._star_chunks) > 1:
            raise RerunWhole("star imports in several places")
        star = list(self._star_chunks[0].imports[1]) if self._star_chunks else []  # type: ignore[index]
        return self._imports.update(aliases, star, set(self._bound_uses))

    def _ensure_facts(self, chunk: Chunk, imports_changed: ImportChange) -> bool:
        """Chunk facts valid for the current import map; whether they were built now. Their
        nodes stay where they were: ``_place`` moves them to the chunk's lines when needed."""
        if chunk.facts is not None and imports_changed and chunk.facts_recorder is not None:
            if chunk.facts_recorder.invalidated_by(imports_changed):
                chunk.facts = None
        if chunk.facts is not None:
            return False
        recorder = Recorder()
        self._imports.record(recorder)
        try:
            view = View("", self.path, [], chunk.module)
            chunk.facts = ModuleFacts(view, self.module_name, imports=self._imports.map)
        finally:
            self._imports.record(None)
        chunk.facts_recorder = recorder
        chunk.serial = next(_SERIALS)
        chunk.facts_version = self._imports.version
        chunk.positioned = [
            node for nodes in chunk.facts._by_type.values() for node in nodes if "lineno" in node._attributes
        ]
        chunk.ended = [node for node in chunk.positioned if getattr(node, "end_lineno", None) is not None]
        if chunk.binds is None:
            chunk.names = free_names(chunk.facts)
            lines = split_lines_keepends(chunk.text) if chunk.broken is None else None
            chunk.bindings = module_bindings(chunk.module, lines, chunk.base)
            chunk.binds = frozenset(chunk.bindings)
        return True

    @staticmethod
    def _place(chunk: Chunk) -> None:
        """Move the chunk's nodes to its current lines."""
        delta = chunk.first - chunk.base
        if not delta:
            return
        for node in chunk.positioned:
            node.lineno += delta  # type: ignore[attr-defined]
        for node in chunk.ended:
            node.end_lineno += delta  # type: ignore[attr-defined]
        chunk.base = chunk.first

    def _local_results(self, chunk: Chunk, plain: list[str], imports_changed: ImportChange, stats: RunStats) -> Local:
        context = chunk.context or []
        if chunk.context_key is None:
            # A context chunk matters through the statements binding the names this chunk uses.
            names = chunk.names
            chunk.context_key = frozenset(
                (n, c.bindings[n], c.facts_version) for c in context for n in names & c.binds  # type: ignore[operator]
            )
        keys = (chunk.serial, chunk.context_key)
        local = chunk.local
        if (
            local is not None
            and local.context == keys
            and not (imports_changed and local.recorder.invalidated_by(imports_changed))
        ):
            if local.base == chunk.first:
                return local
            if local.moves:
                stats.moved += 1
                delta = chunk.first - local.base
                local.findings = {rid: [shift_finding(f, delta) for f in found] for rid, found in local.findings.items()}
                local.base = chunk.first
                return local
        stats.rerun += 1
        chunk.local = self._run_local(chunk, context, keys, plain)
        return chunk.local

    def _run_local(self, chunk: Chunk, context: list[Chunk], keys: tuple[Any, ...], plain: list[str]) -> Local:
        members = sorted([chunk, *context], key=lambda c: c.first)  # contexts are sorted at each use
        for member in members:
            self._place(member)
        padding = [""] * len(plain)
        for member in members:
            padding[member.first - 1 : member.last] = plain[member.first - 1 : member.last]
        root = ast.Module(body=[s for m in members for s in m.module.body], type_ignores=[])
        source = View(padded_text(members), self.path, padding, root)
        parts = [m.facts for m in members if m.facts is not None]
        facts = ModuleFacts.combined(source, parts, self._imports.map, self.module_name)
        own_text = "\n" * (chunk.first - 1) + chunk.text
        own_plain = [""] * (chunk.first - 1) + plain[chunk.first - 1 : chunk.last]
        recorder = Recorder()
        findings: dict[str, list[Finding]] = {}
        notes: dict[str, list[tuple[str, str]]] = {}
        options = self._options()
        self._imports.record(recorder)
        try:
            for current in self.local_rules:
                evidence: dict[str, list[str]] = {}
                if current.kind == "text":
                    found = _checked(current, TextContext(self.path, own_text, own_plain, self.is_test, options, evidence))
                else:
                    ctx = RuleContext(source=source, facts=facts, is_test=self.is_test, options=options, evidence=evidence)
                    found = _checked(current, ctx)
                kept = [f for f in found if chunk.first <= f.span.start_line <= chunk.last]
                if kept:
                    findings[current.id] = kept
                if evidence:
                    notes[current.id] = [(k, v) for k, items in evidence.items() for v in items]
        finally:
            self._imports.record(None)
        texts = [note for items in notes.values() for _, note in items]
        moves = not any(_mentions_lines(f, chunk.first, chunk.last) for found in findings.values() for f in found)
        moves = moves and not any(_numbers_in(t, chunk.first, chunk.last) for t in texts)
        return Local(keys, recorder, chunk.first, findings, notes, moves)

    def _module_facts(self, text: str, plain: list[str], chunks: list[Chunk]) -> ModuleFacts:
        for chunk in chunks:
            self._place(chunk)
        root = ast.Module(body=[s for c in chunks for s in c.module.body], type_ignores=[])
        source = View(text, self.path, plain, root)
        parts = [c.facts for c in chunks if c.facts is not None]
        return ModuleFacts.combined(source, parts, self._imports.map, self.module_name)

    # -- the pipeline's last steps --------------------------------------------------------

    def _finish(
        self,
        text: str,
        plain: list[str],
        chunks: list[Chunk],
        raw: list[tuple[Rule, Finding]],
        evidence: dict[str, list[str]],
        module_facts: ModuleFacts | None,
    ) -> AnalysisResult:
        config = self.config
        result = AnalysisResult(path=self.path, is_test=self.is_test, rules_run=tuple(r.id for r in self.rules))
        result.evidence = evidence
        result.facts = module_facts
        for chunk in chunks:
            if chunk.broken:
                result.notices.extend(chunk.broken)
        suppressions = self._suppressions(text, chunks)
        starts = [c.first for c in chunks]

        def chunk_of(line: int) -> Chunk:
            return chunks[max(bisect.bisect_right(starts, line) - 1, 0)]

        def facts_for(findings: list[Finding]) -> ModuleFacts:
            """Facts of the chunks holding the findings (statement extents, enclosing defs)."""
            found = {id(chunk): chunk for chunk in map(chunk_of, (f.span.start_line for f in findings))}
            holding = sorted((c for c in found.values() if c.facts is not None), key=lambda c: c.first)
            for chunk in holding:
                self._place(chunk)
            root = ast.Module(body=[s for c in holding for s in c.module.body], type_ignores=[])
            parts = [c.facts for c in holding if c.facts is not None]
            return ModuleFacts.combined(View(text, self.path, plain, root), parts, self._imports.map, self.module_name)

        finish_findings(result, raw, config, text, plain, suppressions, facts_for)
        return result

    def _suppressions(self, text: str, chunks: list[Chunk]) -> list[Suppression]:
        # No marker spans a line break, so the text holds one exactly when some chunk does.
        found: list[Suppression] = []
        for chunk in chunks:
            if chunk.suppressions is None:
                marked = has_markers(chunk.text)
                chunk.suppressions = (parse_suppressions(chunk.text) if marked else [], not marked or tokenizes(chunk.text))
            own, clean = chunk.suppressions
            if not clean:
                # The whole file would not tokenize either: the line-scan fallback covers all of it.
                return parse_suppressions(text)
            delta = chunk.first - 1
            found.extend(
                Suppression(s.kind, s.codes, Span(s.span.start_line + delta, s.span.start_col, s.span.end_line + delta, s.span.end_col))
                for s in own
            )
        return found


def _checked(current: Rule, ctx: RuleContext | TextContext) -> list[Finding]:
    try:
        return list(current.check(ctx))  # type: ignore[arg-type]
    except Exception as error:  # the full pipeline reports it, with the findings before it
        raise RerunWhole(f"{current.id} raised {type(error).__name__}") from error


def _mentions_lines(found: Finding, first: int, last: int) -> bool:
    texts = [found.message, *(step.note for step in found.flow)]
    if found.extra:
        texts.append(repr(found.extra))
    return any(_numbers_in(text, first, last) for text in texts)


def _numbers_in(text: str, first: int, last: int) -> bool:
    """Whether ``text`` contains a number between ``first`` and ``last`` (a line reference?)."""
    return any(first <= int(match.group()) <= last for match in _NUMBER.finditer(text))
