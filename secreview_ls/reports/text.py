"""Human-readable terminal report.

One block per finding::

    app/db.py:19:5: SR801 [high/high] SQL built from `request.args['name']` reaches `cursor.execute`
       19 |     cursor.execute(query)
          |     ^^^^^^^^^^^^^^^^^^^^^
          data flow:
            app/db.py:12:12  `request.args['name']` (source)
            app/db.py:15:5   into `query`
          fix: Pass the value as a query parameter

A finding in a Jupyter notebook is placed in its cell (numbered from 1, markdown cells
counted) with the line and column inside the cell: ``analysis.ipynb:cell 3:2:5: ...``.

followed by a summary line. Paths are shown relative to the working
directory when they are inside it. Notices are not part of this report: the
command line prints them on stderr.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..pipeline import INCOMPLETE_KINDS, Finding, Level, cell_of, rule_label

if TYPE_CHECKING:
    from ..pipeline import Redactor, ScanResult

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
YELLOW = "\x1b[33m"
BLUE = "\x1b[34m"
CYAN = "\x1b[36m"
GREEN = "\x1b[32m"

SEVERITY_COLOR = {Level.HIGH: RED, Level.MEDIUM: YELLOW, Level.LOW: BLUE}
SKIP_KINDS = INCOMPLETE_KINDS


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *codes: str) -> str:
        if not self.color or not codes:
            return text
        return "".join(codes) + text + RESET


def display_path(path: str | Path) -> str:
    """``path`` relative to the working directory when inside it, else as given."""
    candidate = Path(path)
    try:
        return candidate.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return candidate.as_posix()


@dataclass
class Excerpt:
    """A source line as shown under a finding: credentials masked, caret columns mapped."""

    text: str
    start_col: int
    end_col: int | None  # None: the finding goes on past this line


class _Lines:
    """Source lines of reported files, read once each, shown with credentials masked."""

    def __init__(self, scan: ScanResult, sources: dict[str, str] | None = None) -> None:
        self.scan = scan
        self.sources = sources or {}
        self.cache: dict[str, Redactor | None] = {}
        if self.sources:
            from ..pipeline import Redactor  # loaded only when a file's lines are shown

            self.cache = {path: Redactor(text, path) for path, text in self.sources.items()}

    def excerpt(self, finding: Finding) -> Excerpt | None:
        from ..pipeline import Redactor, read_source

        path, span = finding.path, finding.span
        cell = cell_of(finding.extra)
        key = path if cell is None else f"{path}\0cell {cell}"
        if key not in self.cache:
            text = self.sources[path] if path in self.sources else read_source(Path(path), self.scan.config).text
            if cell is not None and text is not None:
                from ..pipeline import cell_source  # the notebook reader: loaded for a notebook only

                text = cell_source(text, cell)
            self.cache[key] = Redactor(text, path) if text is not None else None
        redactor = self.cache[key]
        if redactor is None or not 1 <= span.start_line <= len(redactor.lines):
            return None
        if finding.cwe == 798 and span.start_line == span.end_line:
            redactor.add(span.start_line, span.start_col, span.end_col)
        line = span.start_line
        end = redactor.column_in_masked(line, span.end_col) if span.end_line == line else None
        return Excerpt(redactor.line(line), redactor.column_in_masked(line, span.start_col), end)


def _code_excerpt(finding: Finding, excerpt: Excerpt | None, style: _Style) -> list[str]:
    if excerpt is None:
        return []
    number = str(finding.span.start_line)
    gutter = " " * max(5, len(number) + 1)
    shown = excerpt.text.rstrip()
    start = min(excerpt.start_col, len(shown))
    end = excerpt.end_col if excerpt.end_col is not None else len(shown)
    end = max(start + 1, min(end, len(shown)) if shown else start + 1)
    # Keep tabs in the padding so the caret lines up under the code.
    padding = "".join(ch if ch == "\t" else " " for ch in shown[:start])
    marker = style("^" * (end - start), SEVERITY_COLOR[finding.severity], BOLD)
    return [
        f"{number.rjust(len(gutter))} {style('|', DIM)} {shown}",
        f"{gutter} {style('|', DIM)} {padding}{marker}",
    ]


def _location(path: str, line: int, col: int, cell: int | None = None) -> str:
    where = display_path(path) if cell is None else f"{display_path(path)}:cell {cell + 1}"
    return f"{where}:{line}:{col + 1}"


def render_finding(finding: Finding, excerpt: Excerpt | None, *, color: bool = False) -> str:
    """One finding as a block of text (header, code excerpt, data flow, fix)."""
    style = _Style(color)
    sev_color = SEVERITY_COLOR[finding.severity]
    header = (
        f"{style(_location(finding.path, finding.span.start_line, finding.span.start_col, cell_of(finding.extra)), BOLD)}: "
        f"{style(finding.rule_id, sev_color, BOLD)} "
        f"[{style(str(finding.severity), sev_color)}/{finding.confidence}] {finding.message}"
    )
    if finding.cwe is not None:
        header += style(f" (CWE-{finding.cwe})", DIM)
    lines = [header, *_code_excerpt(finding, excerpt, style)]
    if finding.flow:
        lines.append("      " + style("data flow:", CYAN))
        cells = finding.extra.get("flow_cells") or [None] * len(finding.flow)
        places = [
            _location(step.path or finding.path, step.span.start_line, step.span.start_col, cell)
            for step, cell in zip(finding.flow, cells, strict=False)
        ]
        width = max(len(place) for place in places)
        for place, step in zip(places, finding.flow, strict=True):
            lines.append(f"        {style(place.ljust(width), DIM)}  {step.note}")
    if finding.fix is not None:
        lines.append("      " + style("fix:", GREEN) + f" {finding.fix.title}{_fix_label(finding.rule_id)}")
    return "\n".join(lines)


def _fix_label(rule_id: str) -> str:
    """`` (safe: --fix)`` or `` (unsafe: --fix --unsafe-fixes)``, from the rule's label."""
    rule = rule_label(rule_id)
    safety = None if rule is None else rule.fix_safety
    if safety == "safe":
        return " (safe: --fix)"
    if safety == "unsafe":
        return " (unsafe: --fix --unsafe-fixes)"
    return ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_lines(scan: ScanResult, *, color: bool = False) -> list[str]:
    """The closing summary: counts by severity, skipped files, baseline and diff effects."""
    style = _Style(color)
    findings = scan.findings()
    files_with = len({f.path for f in findings})
    by_severity = Counter(f.severity for f in findings)
    lines: list[str] = []
    if findings:
        parts = [
            style(f"{by_severity[level]} {level}", SEVERITY_COLOR[level])
            for level in (Level.HIGH, Level.MEDIUM, Level.LOW)
            if by_severity[level]
        ]
        lines.append(
            f"{style(_plural(len(findings), 'finding'), BOLD)} in {_plural(files_with, 'file')} "
            f"({', '.join(parts)}); {_plural(scan.files_scanned, 'file')} scanned"
        )
    else:
        lines.append(style(f"No findings; {_plural(scan.files_scanned, 'file')} scanned", GREEN, BOLD))
    # One count per file: a file whose rules were each skipped is still one file.
    skipped = Counter(
        kind for r in scan.results for kind in dict.fromkeys(n.kind for n in r.notices if n.kind in SKIP_KINDS)
    )
    if skipped:
        reasons = ", ".join(f"{count} {kind}" for kind, count in sorted(skipped.items()))
        files = sum(1 for r in scan.results if any(n.kind in SKIP_KINDS for n in r.notices))
        lines.append(f"{_plural(files, 'file')} not or only partly analyzed ({reasons})")
    incomplete = scan.incomplete()
    if incomplete:
        names = [display_path(path) for path in incomplete]
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        lines.append(
            style(f"{_plural(len(names), 'path')} not fully analyzed, so not known to be clean: {shown}", YELLOW, BOLD)
        )
    syntax = sum(1 for r in scan.results if any(n.kind == "syntax-error" for n in r.notices))
    if syntax:
        lines.append(f"{_plural(syntax, 'file')} with syntax errors (analyzed around the broken code)")
    if scan.baseline_hidden:
        lines.append(f"{_plural(scan.baseline_hidden, 'finding')} hidden by the baseline")
    if scan.diff_hidden:
        lines.append(f"{_plural(scan.diff_hidden, 'finding')} outside the changed lines hidden")
    if scan.diff_unchanged_files:
        lines.append(f"{_plural(scan.diff_unchanged_files, 'unchanged file')} not analyzed (--diff)")
    if scan.baseline_fixed:
        lines.append(
            f"{len(scan.baseline_fixed)} baseline "
            f"{'entry' if len(scan.baseline_fixed) == 1 else 'entries'} can be removed (no longer found):"
        )
        for entry in scan.baseline_fixed:
            lines.append(f"  {entry.get('path')}: {entry.get('rule', '?')} {entry.get('message', '')}".rstrip())
    return lines


def render(scan: ScanResult, *, color: bool = False, sources: dict[str, str] | None = None) -> str:
    """The full text report of ``scan``; ``sources`` gives the text of files not read from
    disk (standard input), by path."""
    source = _Lines(scan, sources)
    blocks = [render_finding(f, source.excerpt(f), color=color) for f in scan.findings()]
    out = "\n\n".join(blocks)
    if blocks:
        out += "\n\n"
    out += "\n".join(summary_lines(scan, color=color)) + "\n"
    return out


def render_notice_line(notice_path: str, kind: str, message: str, line: int | None, col: int | None) -> str:
    """A notice as one stderr line: ``path:line:col: kind: message``."""
    where = display_path(notice_path) if notice_path and not notice_path.startswith("<") else notice_path
    if line is not None:
        where += f":{line}:{(col or 0) + 1}"
    prefix = f"{where}: " if where else ""
    return f"{prefix}{kind}: {message}"
