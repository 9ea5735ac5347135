"""What every analysis must keep, whatever text it is given.

Shared by the property tests (tests/test_fuzz_engine.py) and the fuzz benchmark
(benchmarks/fuzz_engine.py): no exception (raised, or caught by the pipeline and turned
into an ``internal-error``/``rule-error`` notice), every reported span inside the text, no
rule skipped because the code nests too deeply, and CPU time within a budget proportional
to the size of the text.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from secreview_ls.engine.source import parse_quietly
from secreview_ls.pipeline import AnalysisResult, Config, Span, analyze_source, split_lines

BUDGET_BASE = 0.050  # seconds
BUDGET_PER_BYTE = 20e-6  # seconds
FAILING_NOTICES = frozenset({"internal-error", "rule-error"})
CATEGORIES = ("exception", "invalid-span", "over-budget", "depth-skip", "incremental-mismatch")

Analyze = Callable[[str, str, Config], AnalysisResult]


def budget_for(text: str) -> float:
    """Seconds of CPU an analysis of ``text`` may take: 50 ms plus 20 µs per byte."""
    return BUDGET_BASE + BUDGET_PER_BYTE * len(text.encode("utf-8", "surrogatepass"))


def span_problem(span: Span, lines: list[str], what: str) -> str | None:
    """Why ``span`` (1-based lines, 0-based columns) does not lie inside ``lines``, or None."""
    if span.start_line < 1 or span.start_col < 0:
        return f"{what}: {span} starts before the text"
    if (span.start_line, span.start_col) > (span.end_line, span.end_col):
        return f"{what}: {span} ends before it starts"
    last = max(len(lines), 1)
    for line, col in ((span.start_line, span.start_col), (span.end_line, span.end_col)):
        if line == last + 1 and col == 0:  # the position just after a final newline
            continue
        if line > last:
            return f"{what}: {span} line {line} beyond the last line {last}"
        text = lines[line - 1] if lines else ""
        if col > len(text):
            return f"{what}: {span} column {col} beyond the {len(text)} characters of line {line}"
    return None


def result_problems(result: AnalysisResult, text: str, path: str) -> list[tuple[str, str]]:
    """(category, detail) for every invariant ``result`` breaks."""
    problems: list[tuple[str, str]] = []
    lines = split_lines(text)

    def span(value: Span, what: str) -> None:
        problem = span_problem(value, lines, what)
        if problem is not None:
            problems.append(("invalid-span", problem))

    for finding in result.findings:
        label = f"{finding.rule_id} {finding.span}"
        span(finding.span, label)
        if not (finding.message and finding.fingerprint):
            problems.append(("invalid-span", f"{label}: no message or fingerprint"))
        for step in finding.flow:
            if step.path in (None, path):
                span(step.span, f"{label} flow")
        if finding.fix is not None:
            for edit in finding.fix.edits:
                span(edit.span, f"{label} fix")
    for notice in result.notices:
        if notice.span is not None and notice.path in ("", path):
            span(notice.span, f"notice {notice.kind}")
        if notice.kind in FAILING_NOTICES:
            problems.append(("exception", f"{notice.kind}: {notice.message}"))
        elif notice.kind == "too-deep":
            problems.append(("depth-skip", notice.message))
        elif notice.kind == "timeout":
            problems.append(("over-budget", notice.message))
        elif notice.kind == "unparsable" and "too deep" in notice.message and parses(text):
            problems.append(("depth-skip", f"the interpreter parses it but: {notice.message}"))
    return problems


# The interpreter's limit on nesting while it builds a syntax tree shrinks with the depth of
# the Python stack at the call (three levels per frame on 3.11): the analyzer parses some 30
# frames below a caller, so the comparison parse runs that deep too.
ANALYZER_FRAMES = 40


def parses(text: str, frames: int = ANALYZER_FRAMES) -> bool:
    """Whether the interpreter itself can parse ``text`` from ``frames`` calls deep (deep
    nesting has a limit there too)."""
    if frames > 0:
        return parses(text, frames - 1)
    try:
        parse_quietly(text)
    except (SyntaxError, RecursionError, MemoryError, ValueError, OverflowError):
        return False
    return True


def refused_by_interpreter(result: AnalysisResult) -> bool:
    """Whether the analysis stopped because the interpreter cannot parse something that deep."""
    return any(n.kind == "unparsable" and "too deep" in n.message for n in result.notices)


@dataclass
class Outcome:
    """One analysis under the invariants."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    cpu: float = 0.0
    wall: float = 0.0
    budget: float = 0.0
    result: AnalysisResult | None = None
    remeasured: bool = False  # over budget on the first run


def check_analysis(text: str, path: str, config: Config, analyze: Analyze = analyze_source) -> Outcome:
    """Analyze ``text`` as ``path`` and list the invariants it breaks (never raises)."""
    outcome = Outcome(budget=budget_for(text))
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        outcome.result = analyze(text, path, config)
    except Exception:
        outcome.problems.append(("exception", traceback.format_exc(limit=-12)))
    outcome.cpu = time.process_time() - cpu
    outcome.wall = time.perf_counter() - wall
    if outcome.result is not None:
        outcome.problems += result_problems(outcome.result, text, path)
    if outcome.cpu > outcome.budget and outcome.result is not None:
        # A garbage collection of someone else's heap or a busy core can land on one run:
        # measure again, and count the faster run (a really slow input is slow twice).
        outcome.remeasured = True
        cpu = time.process_time()
        analyze(text, path, config)
        outcome.cpu = min(outcome.cpu, time.process_time() - cpu)
    if outcome.cpu > outcome.budget:
        outcome.problems.append(
            ("over-budget", f"{outcome.cpu * 1000:.1f} ms of CPU for a budget of {outcome.budget * 1000:.1f} ms")
        )
    return outcome


def comparable(result: AnalysisResult) -> list[tuple[object, ...]]:
    """What a whole-file and an incremental analysis of the same text must agree on."""
    return sorted(
        (f.rule_id, f.span.start_line, f.span.start_col, f.span.end_line, f.span.end_col, f.message, f.fingerprint)
        for f in result.findings
    )
