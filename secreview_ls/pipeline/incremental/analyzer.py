"""The incremental analyzer: successive versions of one document, analyzed chunk by chunk,
with results identical to a whole-file analysis of each version."""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from ...config import Config
from ...engine.evidence import Evidence
from ...engine.facts import CallBlocks, ModuleFacts
from ...engine.finding import Finding, Span
from ...engine.suppressions import Suppression, parse_suppressions, read_suppressions
from ...engine.taint import ProjectIndex, TaintMemo
from ...rules.base import FileCache, Rule, RuleContext, TextContext
from ...rules.taint_tables import spec_for
from ..batch import Handover, analyze_source
from ..collection import collection_paused
from ..finishing import finish_findings
from ..reading import module_name_for
from ..result import AnalysisResult
from ..running import Deadline, RerunWhole, RuleRun, budget_seconds, run_rules
from ..selection import selected_rules
from .bindings import ModuleBindings
from .chunking import MAX_BROKEN_NOTICES, rechunk
from .chunks import (
    Chunk,
    RunStats,
    WordCounts,
    combined_facts,
    ensure_facts,
    has_markers,
    ready_moves,
    tiles,
    tokenizes,
)
from .linediff import diff_lines, strip_terminator
from .local import ChunkRun, checked, context_keys, copied, reuse, seed_results, shifted_copies
from .segments import ClassUnit, settle

_log = logging.getLogger(__name__)


Visit = tuple[int, Chunk, "list[Finding] | None"]


def _visits(
    chunks: list[Chunk], pending: dict[Chunk, ChunkRun | None], wide: set[str], evidenced: list[Chunk]
) -> Callable[[str], list[Visit]]:
    """For a per-chunk rule's id, the chunks to visit in line order: every chunk it runs on
    again (cached findings None), and the others that keep findings of it (with them). Made
    once per version, so that a rule costs the chunks it has something to say about, not
    every chunk of the document. ``wide`` gets the module rules that need the whole module
    on some chunk that is not run again (``Rule.needs_module``); ``evidenced``, in line order,
    the chunks run again and those keeping evidence (what ``_evidence`` reads)."""
    again: list[Visit] = []
    kept: dict[str, list[Visit]] = {}
    for index, chunk in enumerate(chunks):
        if chunk in pending:
            again.append((index, chunk, None))
            evidenced.append(chunk)
            continue
        local = chunk.local
        assert local is not None
        wide |= local.wide
        if local.evidence:
            evidenced.append(chunk)
        for rule_id, found in local.findings.items():
            if found:
                kept.setdefault(rule_id, []).append((index, chunk, found))

    def visits(rule_id: str) -> list[Visit]:
        cached = kept.get(rule_id)
        if not cached:
            return again
        return sorted((*again, *cached), key=lambda visit: visit[0])

    return visits


class IncrementalAnalyzer:
    """Analyze successive versions of one document; see the package docstring.

    ``IncrementalAnalyzer(path, config, project=index).analyze(text)`` returns what
    ``analyze_source(text, path, config, project=index)`` returns."""

    def __init__(
        self,
        path: str = "<unknown>",
        config: Config | None = None,
        *,
        project: ProjectIndex | None = None,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        self.path = path
        self.config = config or Config()
        self.project = project
        self.taint_memo = TaintMemo()  # the taint analysis of the last version
        self.spec = spec_for(self.config)
        self.rules = list(rules) if rules is not None else selected_rules(self.config, path)
        self.module_name = module_name_for(path, self.config.root) if path != "<unknown>" else ""
        self.is_test = self.config.is_test_path(path) if path not in ("", "<unknown>") else False
        self.module_rules = [r for r in self.rules if r.scope == "module"]
        self.stats = RunStats()
        self._bindings = ModuleBindings(self.module_name)
        self._lines: list[str] = []  # last version analyzed chunk by chunk, with terminators
        self._text = ""  # the same version's text
        self._plain: list[str] = []  # the same lines without terminators
        self._chunks: list[Chunk] = []
        self._words = WordCounts()  # the words the module view was asked for, counted over its chunks
        self._blocks = CallBlocks()  # the module view's call indexes and node lists, kept between versions
        self._fresh = True  # no cache built yet: the next version is analyzed whole
        self._unprepared: str | None = None  # a version analyzed whole whose caches are not built
        self._handover: Handover | None = None  # what that whole analysis found, rule by rule
        self._seeded = False  # some chunk's results may still be seeded (``refine``)

    @property
    def unprepared(self) -> bool:
        """Whether the last version was analyzed whole and its caches wait for ``prepare``."""
        return self._unprepared is not None

    def prepare(self) -> None:
        """Build the caches of the version last analyzed whole, so that the next edit is
        analyzed incrementally. Call it after publishing the first result (off the path from
        opening a document to its diagnostics); ``analyze`` calls it when it was not."""
        text, self._unprepared = self._unprepared, None
        handover, self._handover = self._handover, None
        if text is None:
            return
        try:
            with collection_paused():
                self._incremental(text, RunStats(mode="incremental"), handover)
                for chunk in self._chunks:
                    ready_moves(chunk)  # a line edit moves the nodes of the chunks below
        except RerunWhole:
            self.release()
        except Exception:  # a defect here must cost speed, never results
            _log.exception("building the incremental caches of %s failed", self.path)
            self.release()

    @property
    def refinable(self) -> bool:
        """Whether chunks hold results seeded from a whole analysis that ``refine`` can run."""
        return self._seeded and self._unprepared is None

    def refine(self, stop: Callable[[], bool]) -> None:
        """Run the per-chunk rules on the chunks whose results were seeded (``seed_results``), one
        chunk at a time, until ``stop()`` says a new version waits: their results then hold
        the import answers the rules needed, so that a changed import or module-level name runs
        only the chunks whose answers changed. The results themselves are the same. Call it
        after publishing a version (the chunks are that version's)."""
        if not self.refinable:
            return
        per_chunk = [r for r in self.rules if r.scope == "chunk" or r.needs_module is not None]
        plain = self._plain
        try:
            with collection_paused():
                for chunk in self._chunks:
                    local = chunk.local
                    if local is None or not local.seeded or local.base != chunk.first:
                        continue  # not seeded, or not this version's: the next analysis decides
                    if stop():
                        return
                    if local.context != context_keys(chunk):
                        continue
                    chunk_run = self._chunk_run(chunk, plain)
                    for current in per_chunk:
                        chunk_run.check(current)
                    chunk.local = chunk_run.results()
        except RerunWhole:
            pass  # a rule failed on a view: the seeded results stay, as a run would have fallen back
        except Exception:  # a defect here must cost speed, never results
            _log.exception("running the rules of %s chunk by chunk failed", self.path)
            self.release()
            return
        self._seeded = False

    def release(self) -> None:
        """Drop every cache (the next run analyzes the whole document again). The chunks'
        links to each other (context chunks, class units) are cut, so that what they hold is
        freed at once: a server freezes its heap after each analysis, and frozen cycles wait
        for a full collection (184 analyzers let go of while opening 200 files of a project
        left 49 MB of them)."""
        for chunk in self._chunks:
            chunk.context = None
            chunk.unit = None
            chunk.collapsed = None
        self._fresh = True
        self._unprepared = None
        self._handover = None
        self._seeded = False
        self.taint_memo.clear()
        self._lines = []
        self._text = ""
        self._plain = []
        self._chunks = []
        self._words = WordCounts()
        self._blocks = CallBlocks()
        self._bindings = ModuleBindings(self.module_name)

    # -- entry point ---------------------------------------------------------------

    def analyze(self, text: str) -> AnalysisResult:
        opening = self._fresh and self._unprepared is None  # analyzed whole: its result waits
        with collection_paused(sweep=not opening):
            return self._analyze(text)

    def _analyze(self, text: str) -> AnalysisResult:
        started = time.perf_counter()
        stats = RunStats(mode="incremental")
        self.stats = stats
        try:
            reason = self._ineligible(text)
            if reason:
                raise RerunWhole(reason)
            if self._fresh and self._unprepared is None:
                self._unprepared = text  # one whole-file analysis is the fastest first result
                stats.mode, stats.reason = "full", "first version"
                # Without the taint memo: the caches built next analyze other nodes (the
                # chunks'), so what the memo would keep of this tree is never reused.
                # The per-chunk rules' findings and evidence seed the caches (``seed_results``).
                handover = Handover()
                result = analyze_source(
                    text, self.path, self.config, rules=self.rules, project=self.project, handover=handover
                )
                self._handover = handover if handover.completed else None
                stats.seconds = time.perf_counter() - started
                return result
            self.prepare()
            result = self._incremental(text, stats)
        except RerunWhole as fallback:
            stats.mode, stats.reason = "full", str(fallback)
            result = self._whole(text)
        except Exception as error:  # a defect here must cost speed, never results
            _log.exception("incremental analysis of %s failed; analyzing the whole file", self.path)
            self.release()
            stats.mode, stats.reason = "full", f"internal error: {type(error).__name__}"
            result = self._whole(text)
        stats.seconds = time.perf_counter() - started
        return result

    def _whole(self, text: str) -> AnalysisResult:
        return analyze_source(
            text, self.path, self.config, rules=self.rules, project=self.project, taint_memo=self.taint_memo
        )

    def _ineligible(self, text: str) -> str:
        if "\x00" in text:
            return "NUL bytes"
        if text.isascii():  # its UTF-8 is itself: no surrogates, one byte a character
            return "over max-file-size" if len(text) > self.config.max_file_size else ""
        if len(text) * 4 > self.config.max_file_size and (
            len(text.encode("utf-8", errors="surrogatepass")) > self.config.max_file_size
        ):
            return "over max-file-size"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "unpaired surrogates"
        return ""

    def _incremental(self, text: str, stats: RunStats, handover: Handover | None = None) -> AnalysisResult:
        old_lines = self._lines
        lines, prefix, suffix = diff_lines(self._text, old_lines, None, text)
        previous = self._chunks
        chunks = rechunk(old_lines, previous, lines, prefix, suffix, self.path, stats)  # moves the chunks below
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
        self._plain = plain
        self._chunks = chunks
        self._fresh = False
        stats.chunks = len(chunks)
        try:
            return self._run(text, plain, previous, chunks, stats, handover)
        except RerunWhole:
            self.release()  # caches may be half updated: start again from the next version
            raise

    # -- analysis ---------------------------------------------------------------------

    def _run(
        self,
        text: str,
        plain: list[str],
        previous: list[Chunk],
        chunks: list[Chunk],
        stats: RunStats,
        handover: Handover | None = None,
    ) -> AnalysisResult:
        """Bring the chunks' facts and contexts up to date, then run every rule in the one
        rule loop: per-chunk rules from their cached results or again on the chunks that
        need it, whole-module rules on facts combined from the chunks'. ``handover``: a whole
        analysis of this same text, whose findings seed the chunks' results."""
        current = set(chunks)
        gone = [c for c in previous if c not in current]
        kept = set(previous)
        fresh = [c for c in chunks if c not in kept]
        self._words.follow(previous, gone, fresh, chunks)
        bindings = self._bindings
        change = bindings.update_imports(gone, fresh, chunks)
        stale = chunks if change else [c for c in chunks if c.facts is None]
        rebuilt = {c for c in stale if ensure_facts(c, bindings.imports, self.path, change)}
        self._settle_classes(chunks, rebuilt)
        changed_names = bindings.update_binders(gone, fresh)
        pending: dict[Chunk, ChunkRun | None] = {}  # chunks whose per-chunk rules run again
        for chunk in chunks:
            if chunk.context is None or (changed_names and not changed_names.isdisjoint(chunk.context_names)):
                chunk.context, chunk.context_names = bindings.context_of(chunk)
                chunk.context_key = None
            elif rebuilt and not rebuilt.isdisjoint(chunk.context):
                chunk.context_key = None
            if not reuse(chunk, change, stats):
                pending[chunk] = None
        if handover is not None and pending:
            self._seed(handover, plain, pending)
        stats.rerun = len(pending)
        module_facts = (
            combined_facts(
                text, self.path, plain, chunks, bindings.imports, tiled=True, words=self._words, blocks=self._blocks
            )
            if self.module_rules
            else None
        )
        module_evidence = Evidence()
        module_ctx = self._module_contexts(text, plain, module_facts, module_evidence)

        wide: set[str] = set()  # module rules some chunk's view says need the whole module
        evidenced: list[Chunk] = []  # chunks run again or keeping evidence, in line order
        visits = _visits(chunks, pending, wide, evidenced)
        whole: set[str] = set()  # module rules that ran on the whole module

        def produce(current: Rule) -> list[Finding]:
            if current.scope == "module" and current.needs_module is None:
                return checked(current, *module_ctx)  # type: ignore[arg-type]
            found: list[Finding] = []
            for _, chunk, cached in visits(current.id):
                if cached is not None:
                    found.extend(shifted_copies(chunk, cached))
                    continue
                chunk_run = pending[chunk]
                if chunk_run is None:
                    chunk_run = pending[chunk] = self._chunk_run(chunk, plain)
                found.extend(map(copied, chunk_run.check(current)))
            if current.scope == "module" and (
                current.id in wide or any(current.id in r.wide for r in pending.values() if r is not None)
            ):
                whole.add(current.id)  # the chunks' runs were for their caches
                return checked(current, *module_ctx)  # type: ignore[arg-type]
            return found

        run = run_rules(
            self.rules, produce, path=self.path, deadline=Deadline(budget_seconds(self.config.timeout, len(text)))
        )
        if run.completed:
            for chunk, chunk_run in pending.items():
                chunk.local = (chunk_run or self._chunk_run(chunk, plain)).results()
        evidence = self._evidence(run, evidenced, pending, module_evidence, whole)
        return self._finish(text, plain, chunks, run, evidence, module_facts)

    @staticmethod
    def _settle_classes(chunks: list[Chunk], rebuilt: set[Chunk]) -> None:
        """Classes cut into segments: nodes at their lines, class-wide keys up to date; a class
        whose text changed counts as rebuilt for the chunks that use its name."""
        units: list[ClassUnit] = []
        for chunk in chunks:
            unit = chunk.unit
            if unit is not None and chunk is unit.header:
                units.append(unit)
        for unit in units:
            settle(unit)
            if unit.changed or not rebuilt.isdisjoint(unit.segments):
                before = unit.whole_key
                unit.refresh()
                if unit.whole_key != before:
                    rebuilt.add(unit.header)

    def _seed(self, handover: Handover, plain: list[str], pending: dict[Chunk, ChunkRun | None]) -> None:
        """Give the chunks waiting for a run the results a whole analysis of the same text found
        on their lines (``seed_results``), and take them off ``pending``; a chunk that only
        parses once repaired is left to run."""
        seeded = [chunk for chunk in pending if chunk.broken is None]
        per_chunk = [r for r in self.rules if r.scope == "chunk" or r.needs_module is not None]
        for chunk, local in seed_results(handover, seeded, per_chunk, self._views(plain)):
            chunk.local = local
            del pending[chunk]
            self._seeded = True

    def _views(self, plain: list[str]) -> Callable[[Chunk], ChunkRun]:
        return lambda chunk: self._chunk_run(chunk, plain)

    def _chunk_run(self, chunk: Chunk, plain: list[str]) -> ChunkRun:
        return ChunkRun(chunk, plain, self._bindings.imports, self.path, self.is_test, self.spec, self.project)

    def _module_contexts(
        self, text: str, plain: list[str], facts: ModuleFacts | None, evidence: Evidence
    ) -> tuple[RuleContext | None, TextContext]:
        """The contexts every whole-module rule of this version shares (one taint analysis)."""
        cache = FileCache()
        text_ctx = TextContext(self.path, text, plain, self.is_test, cache, evidence)
        if facts is None:
            return None, text_ctx
        ctx = RuleContext(
            facts.source,
            facts,
            self.is_test,
            project=self.project,
            taint_spec=self.spec,
            taint_memo=self.taint_memo,
            cache=cache,
            evidence=evidence,
        )
        return ctx, text_ctx

    @staticmethod
    def _evidence(
        run: RuleRun, chunks: list[Chunk], pending: dict[Chunk, ChunkRun | None], module: Evidence, whole: set[str]
    ) -> Evidence:
        """The evidence of the rules that ran: the whole-module rules', then each chunk's
        (``chunks``: those run again and those keeping evidence, in line order)."""
        merged = Evidence(module)
        ran = set(run.ran) - whole
        for chunk in chunks:
            chunk_run = pending.get(chunk)
            if chunk in pending:
                by_rule = chunk_run.evidence if chunk_run is not None else {}
            else:
                by_rule = chunk.local.evidence  # type: ignore[union-attr]
            for rule_id, evidence in by_rule.items():
                if rule_id in ran:
                    merged.extend(evidence)
        return merged

    # -- the pipeline's last steps --------------------------------------------------------

    def _finish(
        self,
        text: str,
        plain: list[str],
        chunks: list[Chunk],
        run: RuleRun,
        evidence: Evidence,
        module_facts: ModuleFacts | None,
    ) -> AnalysisResult:
        result = AnalysisResult(path=self.path, is_test=self.is_test, rules_run=tuple(r.id for r in self.rules))
        result.evidence = evidence
        result.facts = module_facts
        for chunk in chunks:
            if chunk.broken:
                result.notices.extend(chunk.broken)
        result.notices.extend(run.notices)
        suppressions = self._suppressions(text, chunks)
        starts = [c.first for c in chunks]
        imports = self._bindings.imports

        def chunk_of(line: int) -> Chunk:
            return chunks[max(bisect.bisect_right(starts, line) - 1, 0)]

        def facts_for(findings: list[Finding]) -> ModuleFacts:
            """Facts of the chunks holding the findings (statement extents, enclosing defs)."""
            found = {id(chunk): chunk for chunk in map(chunk_of, (f.span.start_line for f in findings))}
            for chunk in list(found.values()):
                if chunk.unit is not None:
                    found.setdefault(id(chunk.unit.header), chunk.unit.header)
            holding = sorted((c for c in found.values() if c.facts is not None), key=lambda c: c.first)
            return combined_facts(text, self.path, plain, holding, imports)

        finish_findings(result, run.raw, self.config, text, plain, suppressions, facts_for)
        return result

    def _suppressions(self, text: str, chunks: list[Chunk]) -> list[Suppression]:
        # A suppression is found in a comment, which lies on one line, so a text holds one only
        # when some chunk's text matches what a suppression looks like (``read_suppressions``
        # tokenizes only such a text): with none, the whole text has none, tokenized or scanned.
        # When one does, whether the whole file tokenizes decides how it is read (tokens, or the
        # line scan that also takes a marker inside a string), so every chunk's tokenizing counts.
        marked_any = False
        for chunk in chunks:
            if chunk.suppressions is None:
                chunk.suppressions = read_suppressions(chunk.text) if has_markers(chunk.text) else ([], None)
            marked_any = marked_any or chunk.suppressions[1] is not None
        if not marked_any:
            return []
        found: list[Suppression] = []
        for chunk in chunks:
            own, clean = chunk.suppressions  # type: ignore[misc]
            if clean is None:
                clean = tokenizes(chunk.text)
                chunk.suppressions = (own, clean)
            if not clean:
                # The whole file would not tokenize either: the line-scan fallback covers all of it.
                return parse_suppressions(text)
            if not own:
                continue
            delta = chunk.first - 1
            found.extend(
                replace(
                    s, span=Span(s.span.start_line + delta, s.span.start_col, s.span.end_line + delta, s.span.end_col)
                )
                for s in own
            )  # the reason moves with the comment
        return found
