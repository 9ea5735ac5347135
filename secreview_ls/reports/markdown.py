"""Compact markdown for a pull-request comment.

A summary table (severity, then weakness), then the findings grouped by file:
one line each with ``path:line`` as plain text, the rule and the message; the
data-flow path and the fix folded in ``<details>``. Text from the scanned code
is escaped so the comment cannot inject markup, and the comment stays under
the size limit of common code hosts (findings past it are counted, not shown).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from ..pipeline import Finding, cell_of, registry
from .html import CWE_NAMES, LEVELS

if TYPE_CHECKING:
    from ..pipeline import ScanResult

#: GitHub rejects comments over 65,536 characters; stay well below.
MAX_LENGTH = 60_000

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def escape_text(text: str) -> str:
    """Markdown-safe plain text: no HTML, no table breaks, no accidental emphasis or links."""
    text = re.sub(r"\s+", " ", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\|*_\[\]#~])", r"\\\1", text)


def code(text: str) -> str:
    """``text`` as an inline code span, fenced with enough backticks; HTML is inert in code spans."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def message(text: str) -> str:
    """A finding message: its `code` spans kept as code, everything else escaped."""
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(escape_text(text[last : match.start()]))
        out.append(code(match.group(2)))
        last = match.end()
    out.append(escape_text(text[last:]))
    return "".join(out)


def _cwe(cwe: int | None) -> str:
    if cwe is None:
        return "none"
    name = CWE_NAMES.get(cwe)
    return f"CWE-{cwe} {name}" if name else f"CWE-{cwe}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(scan: ScanResult, findings: list[Finding]) -> list[str]:
    by_level = Counter(f.severity for f in findings)
    files = len({f.path for f in findings})
    if findings:
        levels = ", ".join(f"{by_level[level]} {level}" for level in LEVELS if by_level[level])
        head = f"### secreview: {_plural(len(findings), 'finding')} in {_plural(files, 'file')} ({levels})"
    else:
        head = f"### secreview: no findings in {_plural(scan.files_scanned, 'scanned file')}"
    lines = [head, ""]
    notes = [f"{_plural(scan.files_scanned, 'file')} scanned"]
    if scan.diff_hidden:
        notes.append(f"{scan.diff_hidden} finding(s) outside the changed lines not shown")
    if scan.diff_note:
        notes.append(escape_text(scan.diff_note))
    if scan.baseline_hidden:
        notes.append(f"{scan.baseline_hidden} known finding(s) hidden by the baseline")
    lines += [" · ".join(notes), ""]
    if not findings:
        return lines
    lines += ["| Severity | Findings |", "|---|--:|"]
    lines += [f"| {level} | {by_level[level]} |" for level in LEVELS if by_level[level]]
    lines.append("")
    by_cwe = Counter(f.cwe for f in findings)
    lines += ["| Weakness | Findings |", "|---|--:|"]
    for cwe, count in sorted(by_cwe.items(), key=lambda item: (-item[1], item[0] or 0)):
        lines.append(f"| {escape_text(_cwe(cwe))} | {count} |")
    lines.append("")
    return lines


def finding_block(scan: ScanResult, found: Finding) -> list[str]:
    cell = cell_of(found.extra)
    where = f"{scan.relpath(found.path)}:{'' if cell is None else f'cell {cell + 1}:'}{found.span.start_line}"
    head = (
        f"- **{found.severity}** {code(where)} {code(found.rule_id)} {message(found.message)}"
        f" ({escape_text(_cwe(found.cwe))}, confidence {found.confidence})"
    )
    lines = [head]
    details: list[str] = []
    if found.flow:
        details += [f"  <details><summary>Data flow ({_plural(len(found.flow), 'step')})</summary>", ""]
        cells = found.extra.get("flow_cells") or [None] * len(found.flow)
        for number, (step, step_cell) in enumerate(zip(found.flow, cells, strict=False), start=1):
            in_cell = "" if step_cell is None else f"cell {step_cell + 1}:"
            step_where = f"{scan.relpath(step.path or found.path)}:{in_cell}{step.span.start_line}"
            details.append(f"  {number}. {code(step_where)} {message(step.note)}")
        details += ["", "  </details>"]
    fix_lines = _fix(found)
    if fix_lines:
        details += ["  <details><summary>Fix</summary>", "", *fix_lines, "", "  </details>"]
    if details:
        lines += ["", *details, ""]
    return lines


def _fix(found: Finding) -> list[str]:
    if found.fix is not None:
        lines = [f"  {message(found.fix.title)}"]
        for edit in found.fix.edits:
            if edit.new_text and "\n" not in edit.new_text:
                lines.append(f"  line {edit.span.start_line}: {code(edit.new_text)}")
        return lines
    current = registry.get(found.rule_id)
    if current is None or not current.good.strip():
        return []
    good = current.good.strip("\n")
    fence = "`" * max(3, max((len(r) for r in re.findall(r"`+", good)), default=0) + 1)
    language = "python" if current.kind == "python" else ""
    return ["  Safe pattern:", "", f"  {fence}{language}", *(f"  {line}" for line in good.splitlines()), f"  {fence}"]


def render(scan: ScanResult, *, color: bool = False) -> str:
    """The comment body (``color`` is irrelevant for markdown)."""
    findings = scan.findings()
    lines = summary(scan, findings)
    size = sum(len(line) + 1 for line in lines)
    shown = 0
    current_path: str | None = None
    for found in findings:
        entry = finding_block(scan, found)
        if found.path != current_path:
            entry = [f"#### {code(scan.relpath(found.path))}", "", *entry]
            if lines[-1] != "":
                entry.insert(0, "")
        entry_size = sum(len(line) + 1 for line in entry)
        if size + entry_size > MAX_LENGTH:
            break
        current_path = found.path
        lines += entry
        size += entry_size
        shown += 1
    if shown < len(findings):
        lines += ["", f"_{len(findings) - shown} more finding(s) not shown here; see the full report._"]
    return "\n".join(lines).rstrip() + "\n"
