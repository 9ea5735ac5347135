"""A short, factual review of each file, built only from what the analysis saw.

``review_file(result, text)`` answers "what is wrong here, and if nothing, what
was actually checked?" for one file (the language server shows it for the open
document); ``render_review(scan)`` does it for a whole scan (``secreview
review``). Every sentence is about the code at hand: the findings with their
location, rule and concrete API or source; when there are none, the untrusted
sources found, the sinks examined, the sensitive calls seen and what the rules
that examined them established, whether the file is test code, and what did not
parse. Nothing is said that the analysis did not establish: this module only puts
the analysis's evidence records into words and judges no call itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .pipeline import (
    AnalysisResult,
    CallJudged,
    CodeSeen,
    Config,
    Finding,
    Judgement,
    Level,
    SinkExamined,
    SinkNotReported,
    SourceSeen,
    code_seen,
    is_python_path,
    read_source,
    registry,
)

if TYPE_CHECKING:
    from .pipeline import ScanResult

LEVELS = (Level.HIGH, Level.MEDIUM, Level.LOW)
MAX_LISTED = 8
FULL_CLEAN_REVIEWS = 10  # above this many clean files, one line each
SYNTAX_KINDS = frozenset({"syntax-error", "newer-syntax"})
SKIP_KINDS = frozenset({"too-large", "binary", "undecodable", "unreadable", "internal-error", "too-deep", "timeout"})

# How a process gets its command, in the order of precedence when several were recorded.
_PROCESS = (
    (Judgement.ARGUMENT_LIST, "called with an argument list, no shell"),
    (Judgement.CONSTANT_COMMAND, "called with a constant command"),
    (Judgement.NO_SHELL, "called without a shell"),
)
_SINGLE = {
    Judgement.LITERAL_CODE: "on a string literal",
    Judgement.DATA_ONLY: "(data only)",
    Judgement.SAFE_LOADER: "with a safe loader",
    Judgement.NOT_FOR_SECURITY: "with `usedforsecurity=False`",
}
_REQUEST = ((Judgement.TIMEOUT, "a timeout"), (Judgement.VERIFIED, "certificate verification on"))
_QUERY = ((Judgement.CONSTANT_QUERY, "a constant query"), (Judgement.BOUND_PARAMETERS, "bound parameters"))
_NOT_REPORTED = {SinkNotReported.NO_SOURCE: "no untrusted source reaches it"}


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _listing(items: list[str], limit: int = MAX_LISTED) -> str:
    shown = items[:limit]
    text = "; ".join(shown)
    if len(items) > limit:
        text += f"; and {len(items) - limit} more"
    return text


# -- what the analysis saw, in words ---------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """A sensitive call no rule reported, and what the rules that examined it established."""

    line: int
    api: str
    judgements: frozenset[Judgement] = frozenset()

    @property
    def judgement(self) -> str:
        """What the rules established, in words ("" when they established nothing to say)."""
        return describe(self.judgements)

    def text(self) -> str:
        detail = f" {self.judgement}" if self.judgement else ""
        return f"`{self.api}`{detail} (line {self.line})"


def describe(judgements: Iterable[Judgement]) -> str:
    """The words for what rules established about one call."""
    found = set(judgements)
    for judgement, words in _PROCESS:
        if judgement in found:
            return words
    for judgement, words in _SINGLE.items():
        if judgement in found:
            return words
    request = [words for judgement, words in _REQUEST if judgement in found]
    if request:
        return "with " + " and ".join(request)
    query = [words for judgement, words in _QUERY if judgement in found]
    if query:
        return "with " + " and ".join(query)
    return ""


def source_text(source: SourceSeen) -> str:
    return f"{source.description} (line {source.line})"


def sink_text(sink: SinkExamined) -> str:
    text = f"`{sink.api}` (line {sink.line}): {sink.what}"
    if sink.not_reported is not None:
        text += f", {_NOT_REPORTED[sink.not_reported]}"
    return text


def observations(
    result: AnalysisResult, text: str | None = None, config: Config | None = None, *, seen: CodeSeen | None = None
) -> list[Observation]:
    """Sensitive calls on lines without a finding (suppressed ones count), with what the rules
    that examined them established (their ``CallJudged`` evidence)."""
    seen = seen or code_seen(result, text, config)
    if seen is None:
        return []
    flagged = {
        line for f in [*result.findings, *result.suppressed] for line in range(f.span.start_line, f.span.end_line + 1)
    }
    judged: dict[tuple[int, int, str], set[Judgement]] = {}
    for record in result.evidence.of(CallJudged):
        judged.setdefault((record.line, record.column, record.api), set()).add(record.judgement)
    return [
        Observation(call.line, call.api, frozenset(judged.get((call.line, call.column, call.api), ())))
        for call in seen.calls
        if call.line not in flagged
    ]


# -- one file ----------------------------------------------------------------------------------


def _finding_line(found: Finding) -> str:
    current = registry.get(found.rule_id)
    name = f" {current.name}" if current is not None else ""
    cwe = f", CWE-{found.cwe}" if found.cwe is not None else ""
    message = found.message.rstrip(".")
    confidence = f" (confidence {found.confidence})" if found.confidence < Level.MEDIUM else ""
    return f"- line {found.span.start_line}: {found.rule_id}{name}{cwe} — {message}{confidence}"


def _families(rule_ids: Iterable[str]) -> list[str]:
    families: list[str] = []
    for rule_id in rule_ids:
        current = registry.get(rule_id)
        if current is not None and current.family not in families:
            families.append(current.family)
    return families


def _evidence_lines(result: AnalysisResult, seen: CodeSeen | None, python: bool, filtered: bool) -> list[str]:
    """What the analysis saw. When findings were filtered out (diff, baseline), nothing is
    concluded from their absence: only the inputs and sinks are listed."""
    lines: list[str] = []
    sources = [source_text(s) for s in result.evidence.of(SourceSeen)]
    sinks = [sink_text(s) for s in result.evidence.of(SinkExamined)]
    taint_ran = any((current := registry.get(r)) is not None and current.taint for r in result.rules_run)
    if python and taint_ran:
        if sources:
            lines.append(f"- Untrusted input read: {_listing(sources)}.")
        else:
            lines.append("- Untrusted input read: none (no taint source of the configuration is read here).")
        if sinks:
            lines.append(f"- Sinks examined: {_listing(sinks)}.")
        tainted = [f for f in result.findings if _is_taint(f)]
        if sources and sinks and not tainted and not filtered:
            lines.append("- None of those inputs reaches the dangerous argument of a sink.")
    if seen is not None and result.is_test:
        asserts = seen.asserts
        if asserts:
            where = ", ".join(str(n) for n in asserts[:MAX_LISTED]) + (", …" if len(asserts) > MAX_LISTED else "")
            lines.append(
                f"- {_plural(len(asserts), '`assert` statement')} (line{'s' if len(asserts) > 1 else ''} {where}): "
                "test assertions, not input validation."
            )
    if seen is not None and not filtered:
        calls = observations(result, seen=seen)
        if calls:
            lines.append(f"- Sensitive calls without findings: {_listing([o.text() for o in calls])}.")
        elif python and not result.findings:
            lines.append(
                "- Sensitive calls: none (no subprocess, eval/exec, deserialization, XML, HTTP, hashing, "
                "SQL execute or template calls)."
            )
    return lines


def _taint_examined(result: AnalysisResult) -> bool:
    """Whether the taint analysis left evidence (what it read, examined, cleared or skipped)."""
    return any(not isinstance(record, CallJudged) for record in result.evidence)


def _is_taint(found: Finding) -> bool:
    current = registry.get(found.rule_id)
    return bool(current is not None and current.taint)


def _context_lines(result: AnalysisResult, config: Config | None) -> list[str]:
    lines: list[str] = []
    if result.is_test:
        mode = config.test_code if config is not None else "relaxed"
        if mode == "relaxed":
            skipped = [
                f"{current.id} {current.name}"
                for rule_id in result.rules_run
                if (current := registry.get(rule_id)) is not None and not current.relevant_in_tests
            ]
            if skipped:
                examples = ", ".join(skipped[:3]) + (", …" if len(skipped) > 3 else "")
                lines.append(
                    f"- Test code (matches `test-paths`): {_plural(len(skipped), 'rule')} for production-only "
                    f"concerns do not report here ({examples})."
                )
            else:
                lines.append("- Test code (matches `test-paths`).")
        else:
            lines.append('- Test code (matches `test-paths`), analyzed like production code (`test-code = "strict"`).')
    for notice in result.notices:
        if notice.kind in SYNTAX_KINDS:
            where = f"line {notice.span.start_line}: " if notice.span is not None else ""
            lines.append(f"- Did not parse at {where}{notice.message}; the rest of the file was analyzed.")
        elif notice.kind in SKIP_KINDS:
            lines.append(f"- Not analyzed: {notice.message}.")
    if result.suppressed:
        where = ", ".join(f"{f.rule_id} line {f.span.start_line}" for f in result.suppressed[:MAX_LISTED])
        more = f", and {len(result.suppressed) - MAX_LISTED} more" if len(result.suppressed) > MAX_LISTED else ""
        lines.append(f"- Suppressed by comments: {where}{more}.")
    return lines


def review_file(
    result: AnalysisResult,
    text: str | None = None,
    *,
    config: Config | None = None,
    display_path: str | None = None,
    changed_lines: int | None = None,
    heading: str = "##",
    filtered: str | None = None,
) -> str:
    """A short review of one analyzed file.

    ``text`` is the file's content when the caller has it (the editor buffer);
    otherwise facts are taken from ``result.facts`` or the file on disk.
    ``filtered`` says which findings the result still holds when some were
    removed after analysis (``"on changed lines"``, ``"not in the baseline"``).
    """
    shown = display_path or result.path
    findings = sorted(result.findings, key=lambda f: (-f.severity, f.span.start_line, f.rule_id))
    python = is_python_path(result.path) or result.path in ("", "<unknown>")
    skipped = [n for n in result.notices if n.kind in SKIP_KINDS]
    lines: list[str] = []
    if findings:
        counts = Counter(f.severity for f in findings)
        levels = ", ".join(f"{counts[level]} {level}" for level in LEVELS if counts[level])
        scope = f" {filtered}" if filtered else ""
        lines.append(f"{heading} {shown} — {_plural(len(findings), 'finding')}{scope} ({levels})")
    elif skipped and not result.rules_run:
        lines.append(f"{heading} {shown} — not analyzed")
    else:
        lines.append(f"{heading} {shown} — no findings{f' {filtered}' if filtered else ''}")
    lines.append("")
    if changed_lines is not None:
        lines.append(f"Changed lines in this file: {changed_lines}.")
        lines.append("")
    for level in LEVELS:
        group = [f for f in findings if f.severity == level]
        if group:
            lines.append(f"{str(level).capitalize()}:")
            lines.extend(_finding_line(f) for f in group)
            lines.append("")
    seen = code_seen(result, text, config) if not skipped else None
    details = _context_lines(result, config)
    if not findings or _taint_examined(result):
        details += _evidence_lines(result, seen, python, filtered is not None) if not skipped else []
    if result.rules_run:
        families = _families(result.rules_run)
        kind = "" if python else " (text rules: credentials and key formats)"
        details.append(
            f"- Checked with {_plural(len(result.rules_run), 'rule')}{kind} in "
            f"{_plural(len(families), 'family', 'families')}: {', '.join(families)}."
        )
    if details:
        lines.append("What was checked:" if not findings else "Also checked:")
        lines.extend(details)
    return "\n".join(lines).rstrip() + "\n"


# -- a whole scan ----------------------------------------------------------------------------


def _changed_lines(scan: ScanResult, path: str) -> int | None:
    changed: Any = getattr(scan, "changed", None)
    if changed is None:
        return None
    lines = changed.lines_for(path)
    if lines is None:
        try:
            read = read_source(Path(path), scan.config)
        except OSError:
            return None
        return len(read.text.splitlines()) if read.text is not None else None
    return len(lines)


def _clean_summary(result: AnalysisResult, scan: ScanResult) -> str:
    """One line for a file without findings (large scans)."""
    parts: list[str] = []
    if result.is_test:
        parts.append("test code")
    skipped = [n for n in result.notices if n.kind in SKIP_KINDS]
    if skipped:
        parts.append(f"not analyzed: {skipped[0].message}")
    sources = result.evidence.of(SourceSeen)
    sinks = result.evidence.of(SinkExamined)
    if sources:
        parts.append(_plural(len(sources), "untrusted input"))
    if sinks:
        parts.append(_plural(len(sinks), "sink") + " examined")
    if any(n.kind in SYNTAX_KINDS for n in result.notices):
        parts.append("partly unparsable")
    if result.suppressed:
        parts.append(_plural(len(result.suppressed), "suppressed finding"))
    detail = f" ({'; '.join(parts)})" if parts else ""
    return f"- {scan.relpath(result.path)}{detail}"


def render_review(scan: ScanResult) -> str:
    """The review of every scanned file: files with findings first, then the clean ones briefly."""
    findings = scan.findings()
    changed = getattr(scan, "changed", None)
    unchanged_files = int(getattr(scan, "diff_unchanged_files", 0) or 0)
    diff_mode = changed is not None or scan.diff_hidden > 0 or unchanged_files > 0
    counts = Counter(f.severity for f in findings)
    files_with = [r for r in scan.results if r.findings]
    clean = [r for r in scan.results if not r.findings]
    lines = ["# Security review", ""]
    scope = f"{_plural(scan.files_scanned, 'file')} analyzed"
    base = getattr(changed, "base", None) or getattr(scan, "diff_base", None)
    if diff_mode:
        scope += f" (files changed since `{base}`)" if base else " (changed files only)"
    lines.append(scope + ".")
    if findings:
        levels = ", ".join(f"{counts[level]} {level}" for level in LEVELS if counts[level])
        where = "on changed lines" if diff_mode else "in total"
        lines.append(f"{_plural(len(findings), 'finding')} {where}, in {_plural(len(files_with), 'file')}: {levels}.")
    elif diff_mode:
        lines.append("No findings on changed lines.")
    else:
        lines.append("No findings.")
    if diff_mode and scan.diff_hidden:
        lines.append(
            f"{_plural(scan.diff_hidden, 'finding')} on unchanged lines of these files "
            f"{'is' if scan.diff_hidden == 1 else 'are'} not part of this review."
        )
    if unchanged_files:
        lines.append(
            f"{_plural(unchanged_files, 'file')} without changes {'was' if unchanged_files == 1 else 'were'} "
            "not analyzed."
        )
    if scan.diff_note:
        lines.append(f"Note: {scan.diff_note}")
    if scan.baseline_hidden:
        lines.append(f"{_plural(scan.baseline_hidden, 'known finding')} from the baseline left out.")
    lines.append("")
    filtered = "on changed lines" if diff_mode else ("not in the baseline" if scan.baseline_hidden else None)
    for result in files_with:
        lines.append(
            review_file(
                result,
                config=scan.config,
                display_path=scan.relpath(result.path),
                changed_lines=_changed_lines(scan, result.path) if changed is not None else None,
                filtered=filtered,
            )
        )
    if clean:
        lines.append(f"## Files without findings ({len(clean)})")
        lines.append("")
        if len(clean) <= FULL_CLEAN_REVIEWS:
            for result in clean:
                lines.append(
                    review_file(
                        result,
                        config=scan.config,
                        display_path=scan.relpath(result.path),
                        heading="###",
                        filtered=filtered,
                    )
                )
        else:
            lines.extend(_clean_summary(result, scan) for result in clean)
            lines.append("")
    notices = list(scan.notices)
    if notices:
        lines.append("## Scan notices")
        lines.append("")
        lines.extend(f"- {n.message}" for n in notices)
    return "\n".join(lines).rstrip() + "\n"
