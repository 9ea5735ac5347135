"""Shared helpers for the `# expect:` fixtures and for checking quick fixes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.finding import Finding, TextEdit
from secreview_ls.engine.source import split_lines
from secreview_ls.pipeline import AnalysisResult, ProjectIndex, analyze_path, analyze_source
from secreview_ls.rules.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>[A-Za-z]+\d+(?:\s*,\s*[A-Za-z]+\d+)*)")
LABELLED_DIRS = ("rules", "taint")


def fixture_files() -> list[Path]:
    """Every Python fixture under tests/fixtures/rules and tests/fixtures/taint."""
    files: list[Path] = []
    for name in LABELLED_DIRS:
        base = FIXTURES / name
        if base.is_dir():
            files.extend(sorted(base.rglob("*.py")))
    return files


def fixture_root(path: Path) -> Path:
    """The directory a fixture is analyzed from: ``fixtures/<kind>/<group>``.

    Relative paths below it decide test context (a ``tests/`` subfolder is test code)."""
    parts = path.relative_to(FIXTURES).parts
    if len(parts) > 2:
        return FIXTURES / parts[0] / parts[1]
    return FIXTURES / parts[0]


def expected_pairs(path: Path) -> set[tuple[int, str]]:
    """(line, rule id) pairs announced by `# expect:` markers."""
    pairs: set[tuple[int, str]] = set()
    for number, line in enumerate(split_lines(path.read_text(encoding="utf-8")), start=1):
        match = EXPECT.search(line)
        if match:
            for code in re.split(r"\s*,\s*", match.group("codes").strip()):
                pairs.add((number, code.upper()))
    return pairs


def analyze_fixture(path: Path, **overrides: object) -> AnalysisResult:
    """Analyze a fixture with every rule, opt-in rules included (unless ``select`` is given), with
    a cross-module index over its group (imports between the files of a group are followed)."""
    overrides.setdefault("select", tuple(r.id for r in all_rules()))
    root = fixture_root(path)
    return analyze_path(path, Config(root=root).with_overrides(**overrides), project=ProjectIndex([root]))


def found_pairs(result: AnalysisResult, path: Path | None = None) -> set[tuple[int, str]]:
    """(line, rule id) pairs found; for a taint fixture only the rules it is about.

    Fixtures under ``rules/`` are checked against every rule. Fixtures under ``taint/``
    are checked against the taint rules plus every rule their markers name, so a taint
    fixture's safe lines need not carry markers for pattern rules it does not discuss."""
    pairs = {(f.span.start_line, f.rule_id) for f in result.findings}
    if path is None or path.relative_to(FIXTURES).parts[0] != "taint":
        return pairs
    named = {code for _, code in expected_pairs(path)}
    taint_ids = {r.id for r in all_rules() if r.taint}
    return {(line, code) for line, code in pairs if code in taint_ids or code in named}


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping text edits (code-point positions) to ``text``."""
    lines = split_lines(text, keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        if line - 1 >= len(lines):
            return len(text)
        return starts[line - 1] + col

    ordered = sorted(edits, key=lambda e: (e.span.start_line, e.span.start_col), reverse=True)
    previous_start = None
    for edit in ordered:
        begin = offset(edit.span.start_line, edit.span.start_col)
        end = offset(edit.span.end_line, edit.span.end_col)
        assert begin <= end, f"inverted edit {edit}"
        assert previous_start is None or end <= previous_start, "overlapping edits"
        text = text[:begin] + edit.new_text + text[end:]
        previous_start = begin
    return text


def taint_findings(relative: str, *, own_folder: bool = False) -> dict[int, Finding]:
    """The taint rules' findings on ``fixtures/taint/<relative>`` by line, analysed in the project of
    every taint fixture, or with ``own_folder`` in that of its first folder only."""
    base = FIXTURES / "taint"
    path = base / relative
    root = base / Path(relative).parts[0] if own_folder else base
    text = path.read_text(encoding="utf-8")
    result = analyze_source(text, str(path), Config(root=root, select=("SR8",)), project=ProjectIndex([root]))
    return {finding.span.start_line: finding for finding in result.findings}


def flow_steps(finding: Finding, *, files: bool = False) -> list[tuple]:
    """(line, note) of each step of a finding's data flow, with the step's file name if ``files``."""
    if files:
        return [(s.span.start_line, s.note, Path(s.path).name if s.path else None) for s in finding.flow]
    return [(s.span.start_line, s.note) for s in finding.flow]
