"""Applying the fixes that findings carry: text in, fixed text out.

Nothing here reads or writes a file. A face hands ``fix_text`` a document's text and a way to
analyze a text; the fixes of the findings it may apply go in by rounds::

    outcome = fix_text(text, lambda t: analyze_source(t, path, config).findings)
    outcome.text, len(outcome.fixed)

- Safe fixes only, unless ``unsafe=True`` (each rule says which its fix is: ``Rule.fix_safety``;
  a fix of a rule that says nothing counts as unsafe).
- In one round every fix whose edits neither overlap nor touch those of a fix taken before it
  is applied; the text is then analyzed again and the fixes left out (and those the new text
  offers at their place) get the next round, at most ``MAX_ROUNDS`` rounds.
- A text that does not compile is left alone, and a round whose result would not compile is
  narrowed to the fixes that keep it compiling: a fix never breaks a file.
- Line ends inside inserted text follow the line it goes into, so CRLF files stay CRLF.
"""

from __future__ import annotations

import difflib
import re
import tokenize
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from itertools import pairwise

from ..engine.finding import Finding, Fix
from ..rules import registry

#: Rounds of fixing and re-analysis before ``fix_text`` stops (fixes left over stay findings).
MAX_ROUNDS = 10

_NEWLINE = re.compile(r"\r\n|\r|\n")

Analyze = Callable[[str], Sequence[Finding]]


def fix_safety(rule_id: str) -> str:
    """ "safe" or "unsafe" for the fix of a rule's findings ("unsafe" for a rule that does not say)."""
    found = registry.get(rule_id)
    return "safe" if found is not None and found.fix_safety == "safe" else "unsafe"


def can_apply(found: Finding, *, unsafe: bool = False) -> bool:
    """Whether ``found`` carries a fix that may be applied (safe, or any with ``unsafe``)."""
    if found.fix is None or not found.fix.edits:
        return False
    return unsafe or fix_safety(found.rule_id) == "safe"


@dataclass
class FixOutcome:
    """What ``fix_text`` did: the fixed text, the findings whose fixes went in (from every
    round), the rounds run, and why the text was left alone or a fix held back (or "")."""

    text: str
    fixed: list[Finding] = field(default_factory=list)
    rounds: int = 0
    note: str = ""


# -- positions ------------------------------------------------------------------------


def line_starts(text: str) -> list[int]:
    """Offset of each line's first character (index 0 = line 1); lines end like the tokenizer's."""
    return [0, *(match.end() for match in _NEWLINE.finditer(text))]


def _offset(text: str, starts: list[int], line: int, col: int) -> int:
    if line > len(starts):
        return len(text)
    start = starts[max(line, 1) - 1]
    end = starts[line] if line < len(starts) else len(text)
    body_end = end
    while body_end > start and text[body_end - 1] in "\r\n":
        body_end -= 1
    return min(start + max(col, 0), body_end)


def _line_end(text: str, starts: list[int], line: int) -> str:
    """The terminator of ``line``, else the file's first one, else ``\\n``."""
    if 1 <= line < len(starts):
        segment = text[starts[line - 1] : starts[line]]
        return segment[len(segment.rstrip("\r\n")) :]
    first = _NEWLINE.search(text)
    return first.group() if first is not None else "\n"


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def _edits_of(text: str, starts: list[int], fix: Fix) -> list[_Edit]:
    edits = []
    for edit in fix.edits:
        span = edit.span
        start = _offset(text, starts, span.start_line, span.start_col)
        end = max(start, _offset(text, starts, span.end_line, span.end_col))
        newline = _line_end(text, starts, span.start_line)
        edits.append(_Edit(start, end, _NEWLINE.sub(newline, edit.new_text) if newline != "\n" else edit.new_text))
    return sorted(edits, key=lambda e: (e.start, e.end))


def _conflict(one: Iterable[_Edit], other: Iterable[_Edit]) -> bool:
    """Whether two fixes' edits overlap or touch (their order would then be a guess)."""
    return any(a.start <= b.end and b.start <= a.end for a in one for b in other)


def _apply_edits(text: str, edits: Iterable[_Edit]) -> str:
    """``text`` with non-overlapping offset edits applied."""
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[position : edit.start])
        out.append(edit.text)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> str:
    """``text`` with every fix applied; the fixes must not conflict (``choose`` picks such a set)."""
    starts = line_starts(text)
    return _apply_edits(text, [edit for fix in fixes for edit in _edits_of(text, starts, fix)])


# -- one round ------------------------------------------------------------------------


@dataclass
class _Choice:
    fixes: list[Fix]
    findings: list[Finding]
    edits: list[_Edit]
    deferred: list[Finding]


def choose(text: str, findings: Iterable[Finding]) -> _Choice:
    """The fixes of ``findings`` that go in together: one fix shared by several findings counts
    once; a fix conflicting with one earlier in the file waits (its findings are ``deferred``)."""
    starts = line_starts(text)
    groups: dict[Fix, list[Finding]] = {}
    for found in findings:
        if found.fix is not None:
            groups.setdefault(found.fix, []).append(found)
    ordered = sorted(groups.items(), key=lambda item: min((e.span.start_line, e.span.start_col) for e in item[0].edits))
    choice = _Choice([], [], [], [])
    for fix, covered in ordered:
        edits = _edits_of(text, starts, fix)
        if _conflict(edits, choice.edits) or any(a.end > b.start for a, b in pairwise(edits)):
            choice.deferred.extend(covered)
            continue
        choice.fixes.append(fix)
        choice.findings.extend(covered)
        choice.edits.extend(edits)
    return choice


def _shifted(offset: int, edits: list[_Edit]) -> int:
    """Where ``offset`` of the old text lands once ``edits`` are applied (an offset inside a
    replaced range lands at its start)."""
    delta = 0
    for edit in sorted(edits, key=lambda e: e.start):
        if offset < edit.start or (offset == edit.start and edit.end > edit.start):
            break
        if offset < edit.end:
            return edit.start + delta
        delta += len(edit.text) - (edit.end - edit.start)
    return offset + delta


def _line_at(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1


# -- compiling ------------------------------------------------------------------------


def compiles(text: str) -> bool:
    """Whether Python compiles ``text`` (nothing runs); repeated keywords and the like count."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fixed>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _keeps_compiling(text: str, choice: _Choice) -> tuple[str, list[Finding]]:
    """The round's text and fixed findings, narrowed to fixes after which the text compiles."""
    fixed = apply_fixes(text, choice.fixes)
    if compiles(fixed):
        return fixed, choice.findings
    kept: list[Fix] = [fix for fix in choice.fixes if compiles(apply_fixes(text, [fix]))]
    while kept and not compiles(apply_fixes(text, kept)):
        kept.pop()
    fixes = set(kept)
    return apply_fixes(text, kept), [f for f in choice.findings if f.fix in fixes]


# -- the loop -------------------------------------------------------------------------


def fix_text(
    text: str,
    analyze: Analyze,
    *,
    unsafe: bool = False,
    wanted: Callable[[Finding], bool] | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> FixOutcome:
    """Apply the fixes of ``analyze(text)``'s findings by rounds (see the module docstring).

    ``wanted``: which findings of the first analysis to fix (default: every one whose fix may
    be applied, in every round); later rounds then take only the successors of the findings
    whose fixes were held back (same rule, on the line the held-back finding moved to) and the
    findings on the lines the fixes rewrote (a fix may bring out another one there)."""
    outcome = FixOutcome(text)
    if not compiles(text):
        outcome.note = "the file does not compile (syntax error); nothing was changed"
        return outcome
    current = text
    seen = {current}
    candidates = [f for f in analyze(current) if can_apply(f, unsafe=unsafe) and (wanted is None or wanted(f))]
    while candidates and outcome.rounds < max_rounds:
        choice = choose(current, candidates)
        fixed_text, fixed = _keeps_compiling(current, choice)
        if not fixed:
            outcome.note = "a fix would have broken the file; it was left out"
            break
        if fixed_text in seen:
            break  # the fixes go round in a circle
        outcome.rounds += 1
        outcome.fixed.extend(fixed)
        held_back = [*choice.deferred, *(f for f in choice.findings if f not in fixed)]
        successors, rewritten = _successors(current, fixed_text, fixed, held_back)
        current = fixed_text
        seen.add(current)
        found = [f for f in analyze(current) if can_apply(f, unsafe=unsafe)]
        if wanted is not None:
            found = [f for f in found if (f.rule_id, f.span.start_line) in successors or f.span.start_line in rewritten]
        candidates = found
    outcome.text = current
    return outcome


def _successors(
    old: str, new: str, fixed: list[Finding], held_back: list[Finding]
) -> tuple[set[tuple[str, int]], set[int]]:
    """Once the ``fixed`` findings' fixes went in: (rule, line in ``new``) of each held-back
    finding, and the lines of ``new`` the fixes wrote."""
    starts = line_starts(old)
    applied = [edit for fix in {f.fix for f in fixed if f.fix is not None} for edit in _edits_of(old, starts, fix)]
    new_starts = line_starts(new)
    moved = {
        (f.rule_id, _line_at(new_starts, _shifted(_offset(old, starts, f.span.start_line, f.span.start_col), applied)))
        for f in held_back
    }
    rewritten: set[int] = set()
    delta = 0
    for edit in sorted(applied, key=lambda e: (e.start, e.end)):
        begin = edit.start + delta
        rewritten.update(range(_line_at(new_starts, begin), _line_at(new_starts, begin + len(edit.text)) + 1))
        delta += len(edit.text) - (edit.end - edit.start)
    return moved, rewritten


# -- encodings and diffs ---------------------------------------------------------------


@dataclass(frozen=True)
class EncodedSource:
    """A source file's text and the encoding to write it back in (``utf-8-sig`` keeps a BOM)."""

    text: str
    encoding: str

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def decode_for_fixing(data: bytes) -> EncodedSource | None:
    """The text of source bytes, decoded the way Python would, or None (binary, undecodable)."""
    if b"\x00" in data:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    if text.startswith("\ufeff"):
        return None  # a second byte-order mark: writing it back exactly is not worth guessing
    if text.encode(encoding) != data:
        return None  # would not come back byte for byte
    return EncodedSource(text, encoding)


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff from ``old`` to ``new`` (``a/path`` → ``b/path``), git style, line ends kept;
    a last line without a newline is marked ``\\ No newline at end of file``."""
    lines: list[str] = []
    for line in difflib.unified_diff(
        _split_keepends(old), _split_keepends(new), fromfile=f"a/{path}", tofile=f"b/{path}"
    ):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _split_keepends(text: str) -> list[str]:
    """Lines with their terminators, split where the tokenizer splits (not at form feeds)."""
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True) if end > start]


def changed_region(old: str, new: str) -> tuple[int, int, str]:
    """The one replacement of whole lines that turns ``old`` into ``new``: ``old[start:end]``
    becomes the text returned (the lines both share at the beginning and end left out)."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    starts = line_starts(old)
    start = starts[_line_at(starts, prefix) - 1]
    end_line = _line_at(starts, len(old) - suffix)
    end = (
        len(old) - suffix
        if (len(old) - suffix) == starts[end_line - 1]
        else (starts[end_line] if end_line < len(starts) else len(old))
    )
    tail = len(old) - end
    return start, end, new[start : len(new) - tail]


def position_of(text: str, offset: int) -> tuple[int, int]:
    """1-based line and code-point column of ``offset`` in ``text``."""
    starts = line_starts(text)
    line = _line_at(starts, offset)
    return line, offset - starts[line - 1]


__all__ = [
    "MAX_ROUNDS",
    "EncodedSource",
    "FixOutcome",
    "apply_fixes",
    "can_apply",
    "changed_region",
    "choose",
    "compiles",
    "decode_for_fixing",
    "fix_safety",
    "fix_text",
    "position_of",
    "unified_diff",
]
