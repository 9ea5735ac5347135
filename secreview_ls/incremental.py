"""Incremental analysis of a document that is edited over and over.

A keystroke changes one function, so the work it costs should scale with that
function, not with the file. ``IncrementalAnalyzer(path, config).analyze(text)``
returns exactly what ``analyze.analyze_source(text, path, config)`` returns
(findings, suppressed findings in source order, notices, and the evidence of
each kind as a set), but:

* The document is split into **chunks**: runs of top-level statements (each
  function or class alone, small statements grouped), with the blank and
  comment lines before them. A new version is diffed line by line against the
  last one; only the chunks that overlap the change (plus their neighbours)
  are parsed again, and only if that region parses on its own, which at
  top-level boundaries means the whole module parses into the same statements.
  Unchanged chunks keep their trees; chunks below an inserted line are moved
  by rewriting their nodes' line numbers, when something is about to read them.
  The new text is compared with the last one as text, so only the changed lines
  are split again.
* Code that does not parse (mid-edit) is repaired region by region the way
  ``parse_tolerant`` repairs the whole file, when that provably gives the same
  result: the region's tolerant parse, checked against a parse with a chunk of
  context on each side (or, when the region ends inside a bracket or string,
  against the parse of everything below it; once the text above the unchanged
  chunks below parses, those chunks are taken as they are instead of parsed
  again). One broken region at a time.
* Each chunk has its own module facts (the engine's index), built once. The
  import map is the union of the chunks' imports; every query a chunk makes
  of it (``aliases.get("os")``, ``"eval" in locally_bound``...) is recorded,
  so a changed import invalidates exactly the chunks whose answers changed.
* Pattern rules run per chunk on a small module made of the chunk and the
  chunks that bind, at module level, a name the chunk uses (a constant, a
  helper, ``app``): rules that look a name up at module level see what they
  would see in the whole file. Results are cached by the texts of the chunk
  and of those context chunks and by the recorded import answers; when a
  chunk only moved, its findings move with it (unless a message mentions one
  of its line numbers, then the rules run again).
* Rules that reason about the whole module (taint analysis, and the ids in
  ``MODULE_RULES``) run on module facts combined from the chunks' facts
  (``ModuleFacts.combined``: no parse, no walk, indexes merged as queries need
  them), but the rules themselves run on every version.
* Suppressions and the pipeline's final steps (taint preference, context,
  thresholds, suppressions, de-duplication, snippet masking, fingerprints) are
  ``analyze.py``'s own functions.

Anything this cannot reproduce exactly falls back to ``analyze_source``: NUL
bytes, unpaired surrogates, a file over ``max-file-size``, syntax errors in
several places or beyond repair, a rule that raises, an import map whose union
depends on statement order. A version that cannot be chunked leaves the cache
for the next one (diffed against the last chunked version); a failure during the
analysis itself drops the cache.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import io
import itertools
import logging
import re
import time
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import analyze
from .analyze import AnalysisResult, analyze_source, module_name_for, selected_rules
from .config import Config
from .engine.facts import ModuleFacts
from .engine.finding import Finding, Fix, FlowStep, Notice, Span, TextEdit
from .engine.names import ImportMap
from .engine.source import SourceFile, parse_tolerant
from .engine.suppressions import Suppression, parse_suppressions
from .engine.taint import TaintMemo
from .rules.base import Rule, RuleContext, TextContext

# Rules whose findings depend on the whole module rather than on a chunk and the
# chunks binding the names it uses. Taint rules (``Rule.taint``) always are; SR704
# looks for an ``extraction_filter`` setting and for archive names anywhere in the module.
MODULE_RULES: frozenset[str] = frozenset({"SR704"})
GROUP_LINES = 20  # consecutive simple statements are grouped up to this many lines
MAX_EXPANSIONS = 3  # times a region that does not parse grows by one chunk each side
MAX_BROKEN_NOTICES = 8  # more syntax errors than this in one region: analyze the whole file

_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NUMBER = re.compile(r"\d+")
_MISSING = object()
_SERIALS = itertools.count(1)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_log = logging.getLogger(__name__)


def split_lines_keepends(text: str) -> list[str]:
    """Lines with terminators, split only at ``\\n``, ``\\r\\n`` and ``\\r`` (like the tokenizer)."""
    if not text:
        return []
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(True)
    lines: list[str] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _diff_lines(old_text: str, old_lines: list[str], starts: list[int], text: str) -> tuple[list[str], int, int]:
    """``text`` split like ``split_lines_keepends``, and how many lines at its start and at its
    end are those of the old version (``starts``: offset of each old line, then the length).
    Only the changed middle is split: the texts are compared, not their lines."""
    if text == old_text:
        return old_lines, len(old_lines), 0
    if not old_lines:
        return split_lines_keepends(text), 0, 0
    count = len(old_lines)
    same_start = _common_prefix(old_text, text)
    same_end = _common_suffix(old_text, text, min(len(old_text), len(text)) - same_start)
    # Old lines wholly inside the common start; one ending with "\r" (or nothing) right at
    # the change may continue differently ("\r" + "\n" is one line break).
    prefix = min(bisect.bisect_right(starts, same_start) - 1, count)
    if prefix and starts[prefix] == same_start and not old_lines[prefix - 1].endswith("\n"):
        prefix -= 1
    # Old lines wholly inside the common end, starting right after a line break of the new text.
    delta = len(text) - len(old_text)
    first = max(bisect.bisect_left(starts, len(old_text) - same_end), prefix)
    while first < count:
        at = starts[first] + delta
        before = text[at - 1] if at > 0 else "\n"
        if before == "\n" or (before == "\r" and not old_lines[first].startswith("\n")):
            break
        first += 1
    middle = split_lines_keepends(text[starts[prefix] : starts[first] + delta])
    return [*old_lines[:prefix], *middle, *old_lines[first:]], prefix, count - first


def _common_prefix(a: str, b: str, limit: int | None = None, step: int = 4096) -> int:
    """Length of the longest common prefix of ``a`` and ``b``, at most ``limit``."""
    limit = min(len(a), len(b)) if limit is None else min(limit, len(a), len(b))
    low = 0
    while low < limit:
        high = min(low + step, limit)
        if a[low:high] != b[low:high]:
            while low < high:  # the first difference is in [low, high)
                middle = (low + high) // 2
                if a[low : middle + 1] == b[low : middle + 1]:
                    low = middle + 1
                else:
                    high = middle
            return low
        low = high
    return limit


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the longest common suffix of ``a`` and ``b``, at most ``limit``."""
    return _common_prefix(a[::-1], b[::-1], limit)  # reversing is a copy: cheap beside analysis


def _strip(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


def is_module_rule(rule: Rule) -> bool:
    return rule.taint or rule.id in MODULE_RULES or getattr(rule, "scope", "") == "module"


# -- recorded import map --------------------------------------------------------------


class _Recorder:
    """What a chunk asked of the import map: the keys it looked up in each structure, and the
    structures it read whole. An answer can only change if one of those changed."""

    def __init__(self) -> None:
        self.keys: dict[str, set[Any]] = {"aliases": set(), "bound": set(), "star": set()}
        self.whole: set[str] = set()

    def invalidated_by(self, change: _ImportChange) -> bool:
        if self.whole & change.structures:
            return True
        return bool(self.keys["aliases"] & change.aliases or self.keys["bound"] & change.bound)


@dataclass
class _ImportChange:
    """Keys whose answers differ between two versions of the import map."""

    aliases: set[str] = field(default_factory=set)
    bound: set[str] = field(default_factory=set)
    structures: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.structures)


class _Tracked:
    recorder: _Recorder | None = None
    label = ""

    def _note(self, query: str, key: Any, answer: Any) -> None:
        recorder = self.recorder
        if recorder is not None:
            recorder.keys[self.label].add(key)

    def _note_all(self) -> None:
        recorder = self.recorder
        if recorder is not None:
            recorder.whole.add(self.label)



class _TrackedDict(dict, _Tracked):  # type: ignore[type-arg]
    label = "aliases"

    def __getitem__(self, key: Any) -> Any:
        value = dict.get(self, key, _MISSING)
        self._note("get", key, value)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, _MISSING)
        self._note("get", key, value)
        return default if value is _MISSING else value

    def __contains__(self, key: object) -> bool:
        value = dict.get(self, key, _MISSING)
        self._note("get", key, value)
        return value is not _MISSING

    def __iter__(self) -> Iterator[Any]:
        self._note_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._note_all()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._note_all()
        return dict.keys(self)

    def values(self) -> Any:
        self._note_all()
        return dict.values(self)

    def items(self) -> Any:
        self._note_all()
        return dict.items(self)




class _TrackedSet(set, _Tracked):  # type: ignore[type-arg]
    label = "bound"

    def __contains__(self, key: object) -> bool:
        found = set.__contains__(self, key)
        self._note("in", key, found)
        return found

    def __iter__(self) -> Iterator[Any]:
        self._note_all()
        return set.__iter__(self)

    def __len__(self) -> int:
        self._note_all()
        return set.__len__(self)




class _TrackedList(list, _Tracked):  # type: ignore[type-arg]
    label = "star"

    def __iter__(self) -> Iterator[Any]:
        self._note_all()
        return list.__iter__(self)

    def __reversed__(self) -> Iterator[Any]:
        self._note_all()
        return list.__reversed__(self)

    def __len__(self) -> int:
        self._note_all()
        return list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        self._note_all()
        return list.__getitem__(self, index)

    def __contains__(self, key: object) -> bool:
        self._note_all()
        return list.__contains__(self, key)




_IMPORT_FIELDS = frozenset({"aliases", "star_modules", "module_name", "locally_bound"})


class _SharedImports:
    """The module's import map, shared by every chunk and updated in place each run."""

    def __init__(self, module_name: str) -> None:
        self.map = ImportMap.__new__(ImportMap)
        self.aliases = _TrackedDict()
        self.bound = _TrackedSet()
        self.star = _TrackedList()
        self.map.aliases = self.aliases
        self.map.star_modules = self.star
        self.map.locally_bound = self.bound
        self.map.module_name = module_name
        self.version = 0

    def record(self, recorder: _Recorder | None) -> None:
        self.aliases.recorder = recorder
        self.bound.recorder = recorder
        self.star.recorder = recorder

    def update(self, aliases: dict[str, str], star: list[str], bound: set[str]) -> _ImportChange:
        """Replace the contents; what changed."""
        change = _ImportChange()
        old_aliases = dict(dict.items(self.aliases))
        if old_aliases != aliases:
            change.aliases = {k for k in old_aliases.keys() | aliases.keys() if old_aliases.get(k) != aliases.get(k)}
            change.structures.add("aliases")
            dict.clear(self.aliases)
            dict.update(self.aliases, aliases)
        if list(list.__iter__(self.star)) != star:
            change.structures.add("star")
            list.clear(self.star)
            list.extend(self.star, star)
        old_bound = set(set.__iter__(self.bound))
        if old_bound != bound:
            change.bound = old_bound ^ bound
            change.structures.add("bound")
            set.clear(self.bound)
            set.update(self.bound, bound)
        if change:
            self.version += 1
        return change


# -- chunks ----------------------------------------------------------------------------


@dataclass(eq=False)
class _Local:
    """Cached results of the pattern rules on one chunk."""

    context: tuple[Any, ...]  # own facts serial, then what each context chunk binds that this one uses
    recorder: _Recorder
    base: int  # the chunk's first line when these were computed
    findings: dict[str, list[Finding]]
    notes: dict[str, list[tuple[str, str]]]
    moves: bool  # findings can be moved (no message names one of the chunk's lines)


@dataclass(eq=False)
class _Chunk:
    first: int  # 1-based first line (current)
    last: int  # 1-based last line (current)
    text: str
    key: str
    module: ast.Module  # the chunk's statements, line numbers valid for ``base``
    base: int
    facts: ModuleFacts | None = None
    facts_recorder: _Recorder | None = None
    positioned: list[ast.AST] = field(default_factory=list)
    ended: list[ast.AST] = field(default_factory=list)  # the positioned nodes with an end line
    serial: int = 0  # changes whenever the facts are rebuilt
    context: list[_Chunk] | None = None  # chunks binding names this one uses
    context_key: frozenset[tuple[str, str, int]] | None = None  # what the context binds that this one uses
    names: frozenset[str] = frozenset()
    binds: frozenset[str] | None = None
    bindings: dict[str, str] = field(default_factory=dict)  # bound name → digest of its binding statements
    facts_version: int = 0  # the import map version the facts were built with
    imports: tuple[dict[str, str], list[str], set[str]] | None = None
    local: _Local | None = None
    suppressions: tuple[list[Suppression], bool] | None = None  # at ``text`` line 1; tokenized cleanly
    broken: list[Notice] | None = None  # parse notices of a chunk that only parses once repaired

    @property
    def lines(self) -> int:
        return self.last - self.first + 1


@dataclass
class RunStats:
    """How the last ``analyze`` call worked (for logs and benchmarks)."""

    mode: str = "full"  # "full" | "incremental"
    reason: str = ""
    chunks: int = 0
    parsed_lines: int = 0
    rerun: int = 0
    moved: int = 0
    broken: bool = False
    seconds: float = 0.0


class _Fallback(Exception):
    """This version cannot be analyzed incrementally with identical results."""


class _View(SourceFile):
    """A SourceFile over given lines and tree (no parsing)."""

    def __init__(self, text: str, path: str, lines: list[str], tree: ast.Module) -> None:
        self.text = text
        self.path = path
        self.lines = lines
        self.tree = tree
        self.notices = []
        self.blanked_lines = frozenset()


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
        self._imports = _SharedImports(self.module_name)
        self._lines: list[str] = []  # last version analyzed chunk by chunk, with terminators
        self._text = ""  # the same version's text
        self._starts: list[int] = [0]  # offset in it of each line's start, and its length
        self._plain: list[str] = []  # the same lines without terminators
        self._chunks: list[_Chunk] = []
        self._binders: dict[str, set[_Chunk]] = {}  # name → chunks binding it at module level
        self._alias_uses: dict[str, dict[str, int]] = {}  # imported name → target → chunks importing it so
        self._bound_uses: dict[str, int] = {}  # name bound at module level → chunks binding it
        self._star_chunks: list[_Chunk] = []  # chunks with star imports

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
        self._imports = _SharedImports(self.module_name)

    # -- entry point ---------------------------------------------------------------

    def analyze(self, text: str) -> AnalysisResult:
        started = time.perf_counter()
        stats = RunStats(mode="incremental")
        self.stats = stats
        try:
            reason = self._ineligible(text)
            if reason:
                raise _Fallback(reason)
            result = self._incremental(text, stats)
        except _Fallback as fallback:
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

    # -- chunking --------------------------------------------------------------------

    def _incremental(self, text: str, stats: RunStats) -> AnalysisResult:
        old_lines = self._lines
        lines, prefix, suffix = _diff_lines(self._text, old_lines, self._starts, text)
        previous = self._chunks
        chunks = self._rechunk(lines, prefix, suffix, stats)  # moves the chunks below the edit
        problem = ""
        if not _tiles(chunks, len(lines)):
            problem = "internal: chunks do not cover the document line by line"
        elif sum(len(c.broken) for c in chunks if c.broken) > MAX_BROKEN_NOTICES:
            problem = "too many syntax errors"
        elif previous and sum(1 for c in chunks if c.broken is not None) > 1:
            problem = "syntax errors in several places"  # which one the parser reports first depends on the file
        if problem:
            self.release()
            raise _Fallback(problem)
        if self._chunks and len(self._plain) == len(old_lines):
            changed = [_strip(line) for line in lines[prefix : len(lines) - suffix]]
            plain = [*self._plain[:prefix], *changed, *self._plain[len(old_lines) - suffix :]]
        else:
            plain = [_strip(line) for line in lines]
        self._lines = lines
        self._text = text
        self._starts = list(itertools.accumulate(map(len, lines), initial=0))
        self._plain = plain
        self._chunks = chunks
        stats.chunks = len(chunks)
        try:
            return self._run(text, plain, previous, chunks, stats)
        except _Fallback:
            self.release()  # caches may be half updated: start again from the next version
            raise

    def _rechunk(self, lines: list[str], prefix: int, suffix: int, stats: RunStats) -> list[_Chunk]:
        old_lines, old = self._lines, self._chunks
        if not old:
            stats.parsed_lines = len(lines)
            made = self._parse_region(lines, 1, len(lines), {})
            if made is None:
                made = self._broken_document(lines)
                stats.broken = True
            return made
        delta = len(lines) - len(old_lines)
        if prefix == len(old_lines) == len(lines):
            return old
        # Old chunks touching the changed lines, one line of margin each side (0-based).
        low = max(prefix - 1, 0)
        high = min(len(old_lines) - suffix, len(old_lines) - 1)
        starts = [c.first for c in old]
        first_index = max(bisect.bisect_right(starts, low + 1) - 1, 0)
        last_index = max(bisect.bisect_right(starts, high + 1) - 1, first_index)
        # A broken chunk below the edit has line numbers in its notices: parse it again.
        while delta and last_index + 1 < len(old) and any(c.broken is not None for c in old[last_index + 1 :]):
            last_index += 1
        failed: list[tuple[int, int]] = []
        made: list[_Chunk] | None = None
        for attempt in range(MAX_EXPANSIONS + 1):
            if attempt == MAX_EXPANSIONS:
                first_index, last_index = 0, len(old) - 1
            region_first = old[first_index].first
            region_last = old[last_index].last + delta
            reusable = {c.key: c for c in old[first_index : last_index + 1] if c.broken is None}
            stats.parsed_lines = max(region_last - region_first + 1, 0)
            made = self._parse_region(lines, region_first, region_last, reusable)
            if made is not None:
                break
            failed.append((first_index, last_index))
            if len(failed) == 2:
                # Mid-edit code: parse the broken region tolerantly on its own, if that gives
                # what the whole file's tolerant parse would.
                for first_index, last_index in failed:
                    made = self._broken_region(lines, old, first_index, last_index, delta)
                    if made is not None:
                        stats.broken = True
                        break
                if made is not None:
                    break
                first_index, last_index = failed[-1]
            if first_index == 0 and last_index == len(old) - 1:
                break
            first_index = max(first_index - 1, 0)
            last_index = min(last_index + 1, len(old) - 1)
        if made is None:
            raise _Fallback("syntax error")
        assert made is not None
        moved = old[last_index + 1 :]
        if delta:
            for chunk in moved:
                chunk.first += delta
                chunk.last += delta
        return [*old[:first_index], *made, *moved]

    def _broken_document(self, lines: list[str]) -> list[_Chunk]:
        """Chunks for a whole document that does not parse, from the tolerant parse of all of
        it (exactly the pipeline's parse); chunks holding a repaired line carry its notices."""
        parsed = parse_tolerant("".join(lines), self.path)
        if any(n.span is None for n in parsed.notices) or len(parsed.notices) > MAX_BROKEN_NOTICES:
            raise _Fallback("syntax errors")
        chunks: list[_Chunk] = []
        for first, last, statements in _group(parsed.tree.body, 1, len(lines), lines):
            text = "".join(lines[first - 1 : last])
            notices = [n for n in parsed.notices if n.span is not None and first <= n.span.start_line <= last]
            repaired = notices or any(first <= line <= last for line in parsed.blanked_lines)
            digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
            chunk = _Chunk(first, last, text, ("broken:" if repaired else "") + digest, ast.Module(body=statements, type_ignores=[]), base=first)
            if repaired:
                chunk.broken = notices
            chunks.append(chunk)
        if [n for c in chunks for n in c.broken or ()] != parsed.notices:
            raise _Fallback("syntax errors out of order")
        return chunks

    def _broken_region(
        self, lines: list[str], old: list[_Chunk], first_index: int, last_index: int, delta: int
    ) -> list[_Chunk] | None:
        """One chunk for a region that does not parse, repaired as ``parse_tolerant`` repairs
        it, when the same parse of the region with a chunk of context on each side blanks
        nothing outside the region and reports nothing else."""
        first = old[first_index].first
        last = old[last_index].last + delta
        if last < first:
            return None
        text = "".join(lines[first - 1 : last])
        if not _tokenizes(text):
            # An open bracket or string may close anywhere below: parse from here to the end.
            return self._open_region(lines, old, first_index, first, last, last_index, delta, text)
        alone = parse_tolerant("\n" * (first - 1) + text, self.path)
        if any(n.kind == "unparsable" for n in alone.notices) or len(alone.notices) > MAX_BROKEN_NOTICES:
            return None
        before = old[first_index - 1] if first_index > 0 else None
        after = old[last_index + 1] if last_index + 1 < len(old) else None
        window_first = before.first if before is not None else first
        window_last = after.last + delta if after is not None else last
        window = parse_tolerant("\n" * (window_first - 1) + "".join(lines[window_first - 1 : window_last]), self.path)
        if window.notices != alone.notices or window.blanked_lines != alone.blanked_lines:
            return None
        body = window.tree.body
        count_before = len(before.module.body) if before is not None else 0
        count_after = len(after.module.body) if after is not None else 0
        if len(body) != count_before + len(alone.tree.body) + count_after:
            return None
        middle = body[count_before : len(body) - count_after]
        if any(ast.dump(a, include_attributes=True) != ast.dump(b, include_attributes=True) for a, b in zip(middle, alone.tree.body, strict=True)):
            return None
        for neighbour, statements in ((before, body[:count_before]), (after, body[len(body) - count_after :])):
            if neighbour is not None and any(
                ast.dump(a) != ast.dump(b) for a, b in zip(statements, neighbour.module.body, strict=True)
            ):
                return None
        key = "broken:" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        chunk = _Chunk(first, last, text, key, alone.tree, base=first)
        chunk.broken = list(alone.notices)
        return [chunk]

    def _open_region(
        self,
        lines: list[str],
        old: list[_Chunk],
        first_index: int,
        first: int,
        last: int,
        last_index: int,
        delta: int,
        text: str,
    ) -> list[_Chunk] | None:
        """A broken region that ends inside a bracket or string: the tolerant parse of the file
        from the chunk before the region to its end decides, accepted when it repairs only
        the region, leaves the chunk before as it was and keeps every statement below in
        its place (so the chunks around are unchanged)."""
        before = old[first_index - 1] if first_index > 0 else None
        start = before.first if before is not None else first
        below_chunks = old[last_index + 1 :]
        below = [(statement, chunk.first - chunk.base) for chunk in below_chunks for statement in chunk.module.body]
        # The chunks below parsed as top-level statements and are unchanged: once the text
        # above them parses, the whole parses into its statements followed by theirs, so
        # only attempts that fail need the text below (an open bracket may close there).
        tail = "".join(lines[last:]) if all(c.broken is None for c in below_chunks) else ""
        stitched = False

        def parse(current: str, path: str) -> ast.Module:
            nonlocal stitched
            stitched = False
            if tail and current.endswith(tail):
                head = current[: len(current) - len(tail)]
                tree = _parse(head) if head.endswith("\n") else None
                if tree is not None:
                    stitched = True
                    return ast.Module(body=[*tree.body, *(s for s, _ in below)], type_ignores=[])
            return ast.parse(current, filename=path, type_comments=False)

        rest = parse_tolerant("\n" * (start - 1) + "".join(lines[start - 1 :]), self.path, parse=parse)
        if any(n.span is None or not first <= n.span.start_line <= last for n in rest.notices):
            return None
        if len(rest.notices) > MAX_BROKEN_NOTICES or any(not first <= line <= last for line in rest.blanked_lines):
            return None
        above = before.module.body if before is not None else []
        body = rest.tree.body
        if len(body) < len(above) + len(below):
            return None
        if any(ast.dump(a) != ast.dump(b) for a, b in zip(body[: len(above)], above, strict=True)):
            return None
        own = body[len(above) : len(body) - len(below)]
        if not stitched:
            for node, (statement, shift) in zip(body[len(body) - len(below) :], below, strict=True):
                if _outline(node, 0) != _outline(statement, shift + delta):
                    return None
        if any((node.end_lineno or node.lineno) > last or node.lineno < first for node in own):
            return None
        key = "broken:" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        chunk = _Chunk(first, last, text, key, ast.Module(body=own, type_ignores=[]), base=first)
        chunk.broken = list(rest.notices)
        return [chunk]

    def _parse_region(
        self, lines: list[str], first: int, last: int, reusable: dict[str, _Chunk]
    ) -> list[_Chunk] | None:
        """Chunks for lines first..last (1-based), or None when the region does not parse alone."""
        if last < first:
            return []
        region = "".join(lines[first - 1 : last])
        tree = _parse(region)
        if tree is None:
            return None
        groups = _group(tree.body, first, last, lines)
        chunks: list[_Chunk] = []
        for group_first, group_last, statements in groups:
            text = "".join(lines[group_first - 1 : group_last])
            key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
            old = reusable.pop(key, None)
            if old is not None:
                old.first, old.last = group_first, group_last
                chunks.append(old)
                continue
            module = ast.Module(body=statements, type_ignores=[])
            # The region was parsed from line 1: its nodes sit (first - 1) lines too high.
            chunks.append(_Chunk(group_first, group_last, text, key, module, base=group_first - (first - 1)))
        return chunks

    # -- analysis ---------------------------------------------------------------------

    def _run(
        self, text: str, plain: list[str], previous: list[_Chunk], chunks: list[_Chunk], stats: RunStats
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

    def _update_imports(self, gone: list[_Chunk], fresh: list[_Chunk]) -> _ImportChange:
        """Merge the chunks' imports into the shared map (counting, per name, the chunks that
        import or bind it, so only the chunks that came and went are looked at); what changed."""
        for chunk in fresh:
            if chunk.imports is None:
                own = ImportMap(chunk.module, self.module_name)
                if set(vars(own)) != _IMPORT_FIELDS:
                    raise _Fallback("the import map has fields this analyzer does not merge")
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
                raise _Fallback(f"`{name}` is imported as different modules in different places")
            aliases[name] = next(iter(targets))
        if len(self._star_chunks) > 1:
            raise _Fallback("star imports in several places")
        star = list(self._star_chunks[0].imports[1]) if self._star_chunks else []  # type: ignore[index]
        return self._imports.update(aliases, star, set(self._bound_uses))

    def _ensure_facts(self, chunk: _Chunk, imports_changed: _ImportChange) -> bool:
        """Chunk facts valid for the current import map; whether they were built now. Their
        nodes stay where they were: ``_place`` moves them to the chunk's lines when needed."""
        if chunk.facts is not None and imports_changed and chunk.facts_recorder is not None:
            if chunk.facts_recorder.invalidated_by(imports_changed):
                chunk.facts = None
        if chunk.facts is not None:
            return False
        recorder = _Recorder()
        self._imports.record(recorder)
        try:
            view = _View("", self.path, [], chunk.module)
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
            chunk.names = _free_names(chunk.facts)
            lines = split_lines_keepends(chunk.text) if chunk.broken is None else None
            chunk.bindings = _module_bindings(chunk.module, lines, chunk.base)
            chunk.binds = frozenset(chunk.bindings)
        return True

    @staticmethod
    def _place(chunk: _Chunk) -> None:
        """Move the chunk's nodes to its current lines."""
        delta = chunk.first - chunk.base
        if not delta:
            return
        for node in chunk.positioned:
            node.lineno += delta  # type: ignore[attr-defined]
        for node in chunk.ended:
            node.end_lineno += delta  # type: ignore[attr-defined]
        chunk.base = chunk.first

    def _local_results(self, chunk: _Chunk, plain: list[str], imports_changed: _ImportChange, stats: RunStats) -> _Local:
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
                local.findings = {rid: [_shift(f, delta) for f in found] for rid, found in local.findings.items()}
                local.base = chunk.first
                return local
        stats.rerun += 1
        chunk.local = self._run_local(chunk, context, keys, plain)
        return chunk.local

    def _run_local(self, chunk: _Chunk, context: list[_Chunk], keys: tuple[Any, ...], plain: list[str]) -> _Local:
        members = sorted([chunk, *context], key=lambda c: c.first)  # contexts are sorted at each use
        for member in members:
            self._place(member)
        padding = [""] * len(plain)
        for member in members:
            padding[member.first - 1 : member.last] = plain[member.first - 1 : member.last]
        root = ast.Module(body=[s for m in members for s in m.module.body], type_ignores=[])
        source = _View(_padded_text(members), self.path, padding, root)
        parts = [m.facts for m in members if m.facts is not None]
        facts = ModuleFacts.combined(source, parts, self._imports.map, self.module_name)
        own_text = "\n" * (chunk.first - 1) + chunk.text
        own_plain = [""] * (chunk.first - 1) + plain[chunk.first - 1 : chunk.last]
        recorder = _Recorder()
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
        return _Local(keys, recorder, chunk.first, findings, notes, moves)

    def _module_facts(self, text: str, plain: list[str], chunks: list[_Chunk]) -> ModuleFacts:
        for chunk in chunks:
            self._place(chunk)
        root = ast.Module(body=[s for c in chunks for s in c.module.body], type_ignores=[])
        source = _View(text, self.path, plain, root)
        parts = [c.facts for c in chunks if c.facts is not None]
        return ModuleFacts.combined(source, parts, self._imports.map, self.module_name)

    # -- the pipeline's last steps --------------------------------------------------------

    def _finish(
        self,
        text: str,
        plain: list[str],
        chunks: list[_Chunk],
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

        def chunk_of(line: int) -> _Chunk:
            return chunks[max(bisect.bisect_right(starts, line) - 1, 0)]

        def facts_for(findings: list[Finding]) -> ModuleFacts:
            """Facts of the chunks holding the findings (statement extents, enclosing defs)."""
            found = {id(chunk): chunk for chunk in map(chunk_of, (f.span.start_line for f in findings))}
            holding = sorted((c for c in found.values() if c.facts is not None), key=lambda c: c.first)
            for chunk in holding:
                self._place(chunk)
            root = ast.Module(body=[s for c in holding for s in c.module.body], type_ignores=[])
            parts = [c.facts for c in holding if c.facts is not None]
            return ModuleFacts.combined(_View(text, self.path, plain, root), parts, self._imports.map, self.module_name)

        analyze.finish_findings(result, raw, config, text, plain, suppressions, facts_for)
        return result

    def _suppressions(self, text: str, chunks: list[_Chunk]) -> list[Suppression]:
        # No marker spans a line break, so the text holds one exactly when some chunk does.
        found: list[Suppression] = []
        for chunk in chunks:
            if chunk.suppressions is None:
                marked = _has_markers(chunk.text)
                chunk.suppressions = (parse_suppressions(chunk.text) if marked else [], not marked or _tokenizes(chunk.text))
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


# -- helpers -------------------------------------------------------------------------


def _outline(statement: ast.stmt, shift: int) -> tuple[Any, ...]:
    """Type, place and decorators of a top-level statement (``shift`` added to its lines)."""
    decorators = tuple(
        (d.lineno + shift, d.col_offset, (d.end_lineno or d.lineno) + shift, d.end_col_offset)
        for d in getattr(statement, "decorator_list", ())
    )
    return (
        type(statement),
        statement.lineno + shift,
        statement.col_offset,
        (statement.end_lineno or statement.lineno) + shift,
        statement.end_col_offset,
        decorators,
    )


def _tiles(chunks: list[_Chunk], line_count: int) -> bool:
    """Whether the chunks cover lines 1..line_count exactly, in order."""
    expected = 1
    for chunk in chunks:
        if chunk.first != expected or chunk.last < chunk.first - 1:
            return False
        expected = chunk.last + 1
    return expected == line_count + 1 or (not chunks and line_count == 0)


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, RecursionError, MemoryError, ValueError, OverflowError):
        return None


def _group(body: list[ast.stmt], first: int, last: int, lines: list[str]) -> list[tuple[int, int, list[ast.stmt]]]:
    """Split a region's statements (line numbers relative to ``first``) into chunks of whole lines."""
    if not body:
        return [(first, last, [])]
    offset = first - 1
    groups: list[tuple[int, int, list[ast.stmt]]] = []
    current: list[ast.stmt] = []
    current_first = first
    previous_end = first - 1
    for statement in body:
        start = _relative_first_line(statement, lines, offset, previous_end)
        if current and start > previous_end:
            big = isinstance(statement, _DEFS) or isinstance(current[-1], _DEFS)
            if big or previous_end - current_first + 1 >= GROUP_LINES:
                groups.append((current_first, previous_end, current))
                current, current_first = [], previous_end + 1
        current.append(statement)
        previous_end = max(previous_end, (statement.end_lineno or statement.lineno) + offset)
    groups.append((current_first, last, current))
    return groups


def _relative_first_line(statement: ast.stmt, lines: list[str], offset: int, previous_end: int) -> int:
    """Absolute first line of a statement whose node line numbers are relative to ``offset``."""
    first = statement.lineno + offset
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        first = min(first, *(d.lineno + offset for d in decorators))
        while first - 1 > previous_end and not lines[first - 1].lstrip().startswith("@"):
            first -= 1
    return first


def _free_names(facts: ModuleFacts) -> frozenset[str]:
    """Names the chunk may look up at module level: every name used outside functions, and
    inside a function (or lambda) the names it neither assigns nor takes as a parameter."""
    scopes: dict[int, set[str]] = {}
    names = facts.nodes(ast.Name)

    def scope_of(node: ast.AST) -> ast.AST | None:
        for ancestor in facts.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return ancestor
        return None

    placed = [(node, scope_of(node)) for node in names]
    for node, scope in placed:
        if scope is not None and isinstance(node.ctx, (ast.Store, ast.Del)):  # type: ignore[attr-defined]
            scopes.setdefault(id(scope), set()).add(node.id)  # type: ignore[attr-defined]
    for function in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
        arguments = function.args  # type: ignore[attr-defined]
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        scopes.setdefault(id(function), set()).update(a.arg for a in every if a is not None)
    free = {node.id for node, scope in placed if scope is None or node.id not in scopes.get(id(scope), ())}  # type: ignore[attr-defined]
    for declaration in facts.nodes(ast.Global, ast.Nonlocal):
        free.update(declaration.names)  # type: ignore[attr-defined]
    return frozenset(free)


def _module_bindings(module: ast.Module, lines: list[str] | None, base: int) -> dict[str, str]:
    """Names bound at module level — assignments outside functions and class bodies, defs,
    classes, imports, names declared ``global`` — each with a digest of the statements that
    bind it: a top-level statement, or the class-body statement declaring a name ``global``.
    A statement is digested by its text (``lines``: the chunk's lines, the first numbered
    ``base``), which fixes its tree, or else by its tree."""
    owners: dict[str, list[ast.AST]] = {}

    def add(name: str, owner: ast.AST) -> None:
        found = owners.setdefault(name, [])
        if all(o is not owner for o in found):
            found.append(owner)

    def walk(root: ast.AST, owner: ast.AST) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                add(node.name, owner)
                stack.extend(node.decorator_list)
                stack.extend(node.args.defaults)
                stack.extend(d for d in node.args.kw_defaults if d is not None)
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Global):
                        for name in inner.names:
                            add(name, owner)
                continue
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, ast.Global):
                for name in node.names:
                    add(name, owner)
                continue
            if isinstance(node, ast.ClassDef):
                add(node.name, owner)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    add((alias.asname or alias.name).split(".")[0], owner)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                add(node.id, owner)
            stack.extend(ast.iter_child_nodes(node))

    for statement in module.body:
        if isinstance(statement, ast.ClassDef):
            add(statement.name, statement)
            for part in (*statement.decorator_list, *statement.bases, *statement.keywords):
                walk(part, statement)
            for member in statement.body:
                for inner in ast.walk(member):
                    if isinstance(inner, ast.Global):
                        for name in inner.names:
                            add(name, member)
        else:
            walk(statement, statement)
    dumps: dict[int, str] = {}
    digests: dict[str, str] = {}
    for name, found in owners.items():
        parts = []
        for owner in found:
            text = dumps.get(id(owner))
            if text is None:
                text = dumps[id(owner)] = _statement_text(owner, lines, base) if lines is not None else ast.dump(owner)
            parts.append(text)
        digests[name] = hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return digests


def _statement_text(statement: ast.AST, lines: list[str], base: int) -> str:
    """The whole lines of a statement, decorators included (``lines[0]`` is line ``base``)."""
    first = statement.lineno  # type: ignore[attr-defined]
    for decorator in getattr(statement, "decorator_list", ()):
        first = min(first, decorator.lineno)
    last = statement.end_lineno or first  # type: ignore[attr-defined]
    return "".join(lines[first - base : last - base + 1])


def _padded_text(members: list[_Chunk]) -> str:
    """The members' text at their lines, every other line empty."""
    pieces: list[str] = []
    line = 1
    for member in members:
        if member.first > line:
            pieces.append("\n" * (member.first - line))
        pieces.append(member.text)
        line = member.last + 1
    return "".join(pieces)


def _checked(current: Rule, ctx: RuleContext | TextContext) -> list[Finding]:
    try:
        return list(current.check(ctx))  # type: ignore[arg-type]
    except Exception as error:  # the full pipeline reports it, with the findings before it
        raise _Fallback(f"{current.id} raised {type(error).__name__}") from error


def _mentions_lines(found: Finding, first: int, last: int) -> bool:
    texts = [found.message, *(step.note for step in found.flow)]
    if found.extra:
        texts.append(repr(found.extra))
    return any(_numbers_in(text, first, last) for text in texts)


def _numbers_in(text: str, first: int, last: int) -> bool:
    """Whether ``text`` contains a number between ``first`` and ``last`` (a line reference?)."""
    return any(first <= int(match.group()) <= last for match in _NUMBER.finditer(text))


def _has_markers(text: str) -> bool:
    """Whether ``text`` may hold a suppression comment (the same test ``parse_suppressions`` makes)."""
    lowered = text.lower()
    return "nosec" in lowered or "noqa" in lowered or "secreview" in lowered


def _shift_span(span: Span, delta: int) -> Span:
    return Span(span.start_line + delta, span.start_col, span.end_line + delta, span.end_col)


def _shift(found: Finding, delta: int) -> Finding:
    fix = found.fix
    if fix is not None:
        fix = Fix(fix.title, tuple(TextEdit(_shift_span(e.span, delta), e.new_text) for e in fix.edits))
    flow = tuple(
        step if step.path else FlowStep(_shift_span(step.span, delta), step.note, step.path) for step in found.flow
    )
    return replace(found, span=_shift_span(found.span, delta), fix=fix, flow=flow, extra=dict(found.extra))


def _tokenizes(text: str) -> bool:
    try:
        for _ in tokenize.generate_tokens(io.StringIO(text).readline):
            pass
    except (tokenize.TokenError, SyntaxError, ValueError):
        return False
    return True


__all__ = ["MODULE_RULES", "IncrementalAnalyzer", "Notice", "RunStats", "split_lines_keepends"]
