"""One self-contained HTML file: summary, chart, and every finding with its code.

No script, no external stylesheet, font or image: the page renders the same
offline and from a CI artifact. Severity filters are CSS-only checkboxes.
Everything taken from the scanned code, messages or paths is escaped, and
credentials are masked in code excerpts (a report is shared more widely than
the repository it describes).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..pipeline import Finding, Level, Notice, Redactor, cell_of, cell_source, read_source, registry, split_lines

if TYPE_CHECKING:
    from ..pipeline import ScanResult

CONTEXT_LINES = 3
LEVELS = (Level.HIGH, Level.MEDIUM, Level.LOW)
SEVERITY_COLORS = {Level.HIGH: "#c62828", Level.MEDIUM: "#d97706", Level.LOW: "#2563eb"}

#: Short names of the weaknesses the rules report (for summaries).
CWE_NAMES: dict[int, str] = {
    20: "Improper input validation",
    22: "Path traversal",
    78: "OS command injection",
    79: "Cross-site scripting",
    89: "SQL injection",
    90: "LDAP injection",
    94: "Code injection",
    95: "Eval injection",
    113: "HTTP header injection",
    117: "Log injection",
    155: "Wildcard injection",
    209: "Error message information exposure",
    215: "Debug information exposure",
    259: "Hard-coded password",
    295: "Improper certificate validation",
    319: "Cleartext transmission",
    326: "Inadequate encryption strength",
    327: "Broken or risky crypto algorithm",
    328: "Weak hash",
    330: "Insufficiently random values",
    338: "Weak PRNG",
    377: "Insecure temporary file",
    400: "Uncontrolled resource consumption",
    426: "Untrusted search path",
    489: "Active debug code",
    494: "Download without integrity check",
    501: "Trust boundary violation",
    502: "Unsafe deserialization",
    532: "Sensitive information in logs",
    601: "Open redirect",
    605: "Multiple binds to the same port",
    611: "XML external entities",
    614: "Cookie without Secure flag",
    643: "XPath injection",
    703: "Unchecked exceptional conditions",
    732: "Incorrect permission assignment",
    749: "Exposed dangerous method",
    776: "XML entity expansion",
    798: "Hard-coded credentials",
    838: "Inappropriate encoding for output context",
    918: "Server-side request forgery",
    1004: "Cookie without HttpOnly flag",
    1333: "Inefficient regular expression",
}


def cwe_label(cwe: int | None) -> str:
    if cwe is None:
        return "No CWE"
    name = CWE_NAMES.get(cwe)
    return f"CWE-{cwe} {name}" if name else f"CWE-{cwe}"


def esc(text: object) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def rich(text: str) -> str:
    """Escape ``text`` and render its `backtick` spans as ``<code>``."""
    return _CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", esc(text))


# -- source files ---------------------------------------------------------------------------


@dataclass
class SourceView:
    """A scanned file's lines with credentials masked, or nothing when it cannot be read."""

    lines: list[str] | None
    redactor: Redactor | None

    def line(self, number: int) -> str | None:
        if self.lines is None or not 1 <= number <= len(self.lines):
            return None
        return self.lines[number - 1]

    def ranges(self, number: int) -> list[tuple[int, int, str]]:
        return self.redactor.ranges(number) if self.redactor is not None else []

    def shown(self, number: int) -> str | None:
        text = self.line(number)
        if text is None or self.redactor is None:
            return text
        return self.redactor.line(number, text)


class Sources:
    """Reads each reported file once; tolerates files that moved or vanished since the scan."""

    def __init__(self, scan: ScanResult) -> None:
        self.scan = scan
        self.cache: dict[str, SourceView] = {}
        self.secret_spans: dict[str, list[Finding]] = {}
        for found in scan.findings():
            if found.cwe == 798 or "secret" in found.extra:
                self.secret_spans.setdefault(found.path, []).append(found)

    def resolve(self, path: str) -> Path:
        candidate = Path(path)
        if not candidate.is_absolute() and not candidate.exists():
            candidate = self.scan.root / candidate
        return candidate

    def get(self, path: str, cell: int | None = None) -> SourceView:
        """The source of ``path`` (of one of its cells, for a notebook), credentials masked."""
        key = path if cell is None else f"{path}\0cell {cell}"
        if key not in self.cache:
            read = read_source(self.resolve(path), self.scan.config)
            text = read.text if cell is None or read.text is None else cell_source(read.text, cell)
            if text is None:
                self.cache[key] = SourceView(None, None)
            else:
                lines = split_lines(text)
                redactor = Redactor(text, path, lines)
                for found in self.secret_spans.get(path, ()):
                    if found.span.start_line == found.span.end_line and cell_of(found.extra) == cell:
                        redactor.add(found.span.start_line, found.span.start_col, found.span.end_col)
                self.cache[key] = SourceView(lines, redactor)
        return self.cache[key]


def render_line(text: str, number: int, view: SourceView, mark: tuple[int, int] | None) -> str:
    """One source line as HTML: escaped, credentials masked, ``mark`` (columns) highlighted."""
    hidden = view.ranges(number)
    cuts = {0, len(text)}
    if mark is not None:
        cuts.update((max(0, min(mark[0], len(text))), max(0, min(mark[1], len(text)))))
    for start, end, _ in hidden:
        cuts.update((min(start, len(text)), min(end, len(text))))
    points = sorted(cuts)
    out: list[str] = []
    for start, end in pairwise(points):
        piece = text[start:end]
        cover = next((h for h in hidden if h[0] <= start and end <= h[1]), None)
        if cover is not None:
            piece = cover[2] if start == cover[0] else ""
            rendered = f'<span class="masked">{esc(piece)}</span>' if piece else ""
        else:
            rendered = esc(piece)
        if mark is not None and mark[0] <= start and end <= mark[1] and rendered:
            rendered = f"<mark>{rendered}</mark>"
        out.append(rendered)
    return "".join(out)


def excerpt(found: Finding, view: SourceView) -> str:
    """A few lines around the finding, its range highlighted; empty when the file is unreadable."""
    if view.lines is None:
        return '<p class="missing">Source not available (the file was moved or deleted since the scan).</p>'
    span = found.span
    first = max(1, span.start_line - CONTEXT_LINES)
    last = min(len(view.lines), span.end_line + CONTEXT_LINES)
    rows: list[str] = []
    for number in range(first, last + 1):
        text = view.line(number) or ""
        mark: tuple[int, int] | None = None
        if span.start_line <= number <= span.end_line:
            start = span.start_col if number == span.start_line else 0
            end = span.end_col if number == span.end_line else len(text)
            if end <= start and number == span.start_line:
                end = len(text)
            mark = (start, end)
        css = "line hl" if mark is not None else "line"
        rows.append(
            f'<span class="{css}"><span class="ln">{number}</span><span class="src">'
            f"{render_line(text, number, view, mark)}</span></span>"
        )
    return '<pre class="code">' + "".join(rows) + "</pre>"


# -- pieces ----------------------------------------------------------------------------------


def location(scan: ScanResult, path: str, line: int, col: int, cell: int | None = None) -> str:
    where = scan.relpath(path) if cell is None else f"{scan.relpath(path)}:cell {cell + 1}"
    return f"{where}:{line}:{col + 1}"


def flow_html(scan: ScanResult, found: Finding, sources: Sources) -> str:
    if not found.flow:
        return ""
    items: list[str] = []
    cells = found.extra.get("flow_cells") or [None] * len(found.flow)
    for step, cell in zip(found.flow, cells, strict=False):
        path = step.path or found.path
        view = sources.get(path, cell)
        code = view.shown(step.span.start_line)
        code_html = f'<code class="step">{esc(code.strip())}</code>' if code and code.strip() else ""
        items.append(
            f'<li><span class="loc">{esc(location(scan, path, step.span.start_line, step.span.start_col, cell))}</span>'
            f' <span class="note">{rich(step.note)}</span>{code_html}</li>'
        )
    return f'<section class="flow"><h4>Data flow</h4><ol>{"".join(items)}</ol></section>'


def fix_html(found: Finding, view: SourceView) -> str:
    current = registry.get(found.rule_id)
    parts: list[str] = []
    if found.fix is not None:
        parts.append(f'<p class="fix-title">{rich(found.fix.title)}</p>')
        for edit in found.fix.edits:
            span = edit.span
            before = view.shown(span.start_line) if span.start_line == span.end_line else None
            original = view.line(span.start_line) if span.start_line == span.end_line else None
            if before is not None and original is not None and "\n" not in edit.new_text and before == original:
                after = original[: span.start_col] + edit.new_text + original[span.end_col :]
                parts.append(
                    '<pre class="diff">'
                    f'<span class="del">- {esc(before.strip())}</span>'
                    f'<span class="add">+ {esc(after.strip())}</span></pre>'
                )
            else:
                lines = (
                    f"line {span.start_line}"
                    if span.start_line == span.end_line
                    else (f"lines {span.start_line}–{span.end_line}")
                )
                parts.append(
                    f'<p class="fix-where">Replace {lines} with:</p><pre class="good">{esc(edit.new_text)}</pre>'
                )
    elif current is not None and current.good.strip():
        parts.append('<p class="fix-title">Safe pattern</p>')
        parts.append(f'<pre class="good">{esc(current.good.strip())}</pre>')
    if current is not None:
        parts.append(f'<p class="doc-link"><a href="{esc(current.docs_url)}">{esc(current.id)} documentation</a></p>')
    if not parts:
        return ""
    return f'<section class="fix"><h4>Fix</h4>{"".join(parts)}</section>'


def finding_html(scan: ScanResult, found: Finding, index: int, sources: Sources) -> str:
    current = registry.get(found.rule_id)
    view = sources.get(found.path, cell_of(found.extra))
    severity = str(found.severity)
    name = f' <span class="rule-name">{esc(current.name)}</span>' if current is not None else ""
    cwe = ""
    if found.cwe is not None:
        cwe = (
            f'<a class="cwe" href="https://cwe.mitre.org/data/definitions/{found.cwe}.html">'
            f"{esc(cwe_label(found.cwe))}</a>"
        )
    where = location(scan, found.path, found.span.start_line, found.span.start_col, cell_of(found.extra))
    return (
        f'<article class="finding {severity}" id="finding-{index}">'
        '<header class="finding-head">'
        f'<span class="badge {severity}">{esc(severity)}</span>'
        f'<span class="rule">{esc(found.rule_id)}{name}</span>{cwe}'
        f'<span class="conf">confidence {esc(found.confidence)}</span>'
        f'<a class="loc" href="#finding-{index}">{esc(where)}</a>'
        "</header>"
        f'<p class="message">{rich(found.message)}</p>'
        f"{excerpt(found, view)}{flow_html(scan, found, sources)}{fix_html(found, view)}"
        "</article>"
    )


def cwe_chart(findings: list[Finding]) -> str:
    """Horizontal stacked bars (high/medium/low) per CWE, as inline SVG."""
    counts: dict[int | None, Counter[Level]] = {}
    for found in findings:
        counts.setdefault(found.cwe, Counter())[found.severity] += 1
    rows = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0] or 0))
    if not rows:
        return ""
    label_width, bar_width, row_height, gap = 300, 380, 22, 8
    top = max(sum(c.values()) for _, c in rows)
    height = len(rows) * (row_height + gap) + gap
    width = label_width + bar_width + 50
    parts = [
        f'<svg class="chart" role="img" aria-label="Findings by CWE" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for row, (cwe, by_level) in enumerate(rows):
        y = gap + row * (row_height + gap)
        label = cwe_label(cwe)
        if len(label) > 40:
            label = label[:39] + "…"
        parts.append(
            f'<text x="{label_width - 10}" y="{y + row_height * 0.72:.1f}" text-anchor="end" '
            f'class="chart-label">{esc(label)}</text>'
        )
        x = float(label_width)
        for level in LEVELS:
            count = by_level[level]
            if not count:
                continue
            w = bar_width * count / top
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_height}" rx="3" '
                f'fill="{SEVERITY_COLORS[level]}"><title>{esc(f"{count} {level}")}</title></rect>'
            )
            x += w
        total = sum(by_level.values())
        parts.append(f'<text x="{x + 6:.1f}" y="{y + row_height * 0.72:.1f}" class="chart-count">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def summary_html(scan: ScanResult, findings: list[Finding]) -> str:
    by_level = Counter(f.severity for f in findings)
    files = len({f.path for f in findings})
    cards = [
        f'<div class="card total"><span class="count" data-count="total">{len(findings)}</span>'
        f'<span class="what">finding{"" if len(findings) == 1 else "s"} in {files} file{"" if files == 1 else "s"}'
        "</span></div>"
    ]
    for level in LEVELS:
        cards.append(
            f'<div class="card {level}"><span class="count" data-count="{level}">{by_level[level]}</span>'
            f'<span class="what level">{esc(level)}</span></div>'
        )
    notes: list[str] = [f"{scan.files_scanned} file{'' if scan.files_scanned == 1 else 's'} scanned"]
    if scan.baseline_hidden:
        notes.append(f"{scan.baseline_hidden} known finding(s) hidden by the baseline")
    if scan.diff_hidden:
        notes.append(f"{scan.diff_hidden} finding(s) outside the changed lines hidden")
    if scan.diff_note:
        notes.append(scan.diff_note)
    chart = cwe_chart(findings)
    chart_html = f'<section class="by-cwe"><h2>By weakness</h2>{chart}</section>' if chart else ""
    return (
        f'<section class="summary"><div class="cards">{"".join(cards)}</div>'
        f'<p class="scan-notes">{esc(" · ".join(notes))}</p></section>{chart_html}'
    )


def files_table(scan: ScanResult, grouped: dict[str, list[Finding]], anchors: dict[str, str]) -> str:
    if not grouped:
        return ""
    rows: list[str] = []
    for path, items in grouped.items():
        counts = Counter(f.severity for f in items)
        cells = "".join(f'<td class="num {level}">{counts[level] or ""}</td>' for level in LEVELS)
        rows.append(f'<tr><td><a href="#{anchors[path]}">{esc(scan.relpath(path))}</a></td>{cells}</tr>')
    head = "".join(f'<th class="num">{esc(level)}</th>' for level in LEVELS)
    return (
        '<section class="files"><h2>Files</h2><table><thead><tr><th>File</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def notices_html(notices: list[Notice], scan: ScanResult) -> str:
    if not notices:
        return ""
    items = []
    for notice in notices:
        where = ""
        if notice.path:
            where = scan.relpath(notice.path) if notice.path not in ("configuration",) else notice.path
            if notice.span is not None:
                where += f":{notice.span.start_line}"
            where = f'<span class="loc">{esc(where)}</span> '
        items.append(f'<li>{where}<span class="kind">{esc(notice.kind)}</span> {rich(notice.message)}</li>')
    return (
        f'<details class="notices"><summary>{len(notices)} analysis notice{"" if len(notices) == 1 else "s"} '
        f"(skipped files, syntax errors, configuration)</summary><ul>{''.join(items)}</ul></details>"
    )


# -- page ------------------------------------------------------------------------------------

STYLE = """
:root{--high:#c62828;--medium:#d97706;--low:#2563eb;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;
--bg:#ffffff;--panel:#f6f8fa;--mark:#fff1a8;--code:#0d1117}
*{box-sizing:border-box}
body{margin:0;background:var(--panel);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 12px}h4{margin:14px 0 6px;font-size:14px;
text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.sub{color:var(--muted);margin:0 0 18px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:12px 18px;min-width:130px;
border-top:4px solid var(--muted)}
.card.high{border-top-color:var(--high)}.card.medium{border-top-color:var(--medium)}.card.low{border-top-color:var(--low)}
.card .count{display:block;font-size:30px;font-weight:700;line-height:1.1}
.card .what{color:var(--muted)}.card .what.level{text-transform:capitalize}
.scan-notes{color:var(--muted);margin:10px 0 0}
section.by-cwe,section.files{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:4px 18px 14px;
margin-top:18px}
.chart{max-width:100%;height:auto}.chart-label{font-size:13px;fill:var(--fg)}.chart-count{font-size:13px;
font-weight:600;fill:var(--fg)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line)}
th.num,td.num{text-align:right;width:80px;text-transform:capitalize}
td.high{color:var(--high);font-weight:600}td.medium{color:var(--medium);font-weight:600}td.low{color:var(--low)}
.filters{margin:22px 0 0;color:var(--muted)}.filters label{margin-right:14px;cursor:pointer}
.file-head{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:16px;margin:30px 0 10px;
word-break:break-all}
.finding{background:var(--bg);border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:8px;
padding:12px 16px;margin:12px 0}
.finding.high{border-left-color:var(--high)}.finding.medium{border-left-color:var(--medium)}
.finding.low{border-left-color:var(--low)}
.finding-head{display:flex;flex-wrap:wrap;gap:10px;align-items:center;font-size:13px}
.badge{color:#fff;border-radius:999px;padding:1px 10px;font-weight:700;text-transform:uppercase;font-size:11px;
letter-spacing:.05em}
.badge.high{background:var(--high)}.badge.medium{background:var(--medium)}.badge.low{background:var(--low)}
.rule{font-weight:700}.rule-name{font-weight:400;color:var(--muted)}
.cwe{color:var(--muted)}.conf{color:var(--muted)}.loc{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
color:var(--muted);margin-left:auto;text-decoration:none}
.message{font-size:15px;margin:8px 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;background:#eff1f3;
border-radius:4px;padding:1px 4px}
pre{margin:6px 0;overflow-x:auto;border-radius:6px;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
tab-size:4}
pre.code{background:#fbfbfc;border:1px solid var(--line);padding:6px 0}
.line{display:block;padding:0 12px 0 0;white-space:pre}.line.hl{background:#fff8e1}
.ln{display:inline-block;width:52px;padding-right:12px;text-align:right;color:#8c959f;user-select:none}
mark{background:var(--mark);color:inherit;border-bottom:2px solid var(--medium);border-radius:2px}
.finding.high mark{border-bottom-color:var(--high)}.finding.low mark{border-bottom-color:var(--low)}
.masked{color:var(--muted);font-style:italic}
.flow ol{margin:4px 0;padding-left:22px}.flow li{margin:4px 0}.flow code.step{display:block;margin-top:2px;
white-space:pre-wrap;background:#f6f8fa;border:1px solid var(--line)}
pre.good{background:#f0faf3;border:1px solid #b7e1c1;padding:8px 12px}
pre.diff{border:1px solid var(--line);padding:6px 0}pre.diff span{display:block;padding:0 12px;white-space:pre}
.del{background:#ffebe9}.add{background:#e6ffec}
.fix-title{margin:4px 0;font-weight:600}.doc-link{margin:6px 0 0;font-size:13px}
.missing{color:var(--muted);font-style:italic}
.notices{margin-top:28px;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px 16px}
.notices summary{cursor:pointer;color:var(--muted)}.kind{font-weight:600}
.empty{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:18px;font-size:16px}
footer{color:var(--muted);font-size:12px;margin-top:36px}
body:has(#show-high:not(:checked)) .finding.high,body:has(#show-medium:not(:checked)) .finding.medium,
body:has(#show-low:not(:checked)) .finding.low{display:none}
@media print{.filters{display:none}body{background:#fff}.finding{break-inside:avoid}}
"""


def render(scan: ScanResult, *, color: bool = False) -> str:
    """The whole report as one HTML document (``color`` is irrelevant here)."""
    findings = scan.findings()
    sources = Sources(scan)
    grouped: dict[str, list[Finding]] = {}
    for found in findings:
        grouped.setdefault(found.path, []).append(found)
    anchors = {path: f"file-{index}" for index, path in enumerate(grouped, start=1)}
    body: list[str] = [
        "<header><h1>Security review</h1>",
        f'<p class="sub">{esc(scan.root)} · secreview {esc(__version__)}</p></header>',
        summary_html(scan, findings),
        files_table(scan, grouped, anchors),
    ]
    if findings:
        body.append(
            '<div class="filters">Show: '
            + "".join(
                f'<label><input type="checkbox" id="show-{level}" checked> {esc(str(level).capitalize())}</label>'
                for level in LEVELS
            )
            + "</div>"
        )
        index = 0
        for path, items in grouped.items():
            body.append(
                f'<h3 class="file-head" id="{anchors[path]}">{esc(scan.relpath(path))} '
                f'<span class="rule-name">({len(items)})</span></h3>'
            )
            for found in items:
                index += 1
                body.append(finding_html(scan, found, index, sources))
    else:
        body.append(
            f'<p class="empty">No findings in {scan.files_scanned} scanned '
            f"file{'' if scan.files_scanned == 1 else 's'}.</p>"
        )
    body.append(notices_html(scan.all_notices(), scan))
    body.append(f"<footer>secreview {esc(__version__)} · {len(registry.all_rules())} rules</footer>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">'
        f"<title>secreview: {len(findings)} finding{'' if len(findings) == 1 else 's'}</title>"
        f"<style>{STYLE}</style></head><body><main>{''.join(body)}</main></body></html>\n"
    )
