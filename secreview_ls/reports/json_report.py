"""Machine-readable JSON report.

Shape (stable keys; paths relative to ``root`` in POSIX form)::

    {
      "tool": {"name": "secreview", "version": "0.1.0"},
      "root": "/abs/project",
      "files_scanned": 120,
      "summary": {"findings": 3, "files_with_findings": 2,
                  "by_severity": {"high": 1, "medium": 2, "low": 0},
                  "not_fully_analyzed": [], "suppressed": 1},
      "findings": [Finding.to_dict() + {"rule_name", "help_uri", "cwe_uri"}],
      "suppressed": [the same for findings a suppression comment hides; each has
                     "extra": {"suppression": {"kind": "secreview"|"nosec"|"noqa", "reason"?}}],
      "notices": [Notice.to_dict()],
      "baseline_fixed": [baseline entries that can be removed],
      "baseline_hidden": 0, "diff_hidden": 0, "diff_note": null
    }

Spans keep the engine's convention: 1-based lines, 0-based code-point columns. A finding in
a Jupyter notebook (``.ipynb``) has a ``cell`` key, the 0-based index of its cell in the
notebook's ``cells`` array (markdown cells counted), and its ``span`` (and the spans of its
``flow`` steps, whose cells are in ``extra.flow_cells``) are lines and columns inside that
cell.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..pipeline import Level, cell_of, rule_label

if TYPE_CHECKING:
    from ..pipeline import Finding, ScanResult


def _item(finding: Finding, scan: ScanResult) -> dict[str, Any]:
    data = finding.to_dict()
    data["path"] = scan.relpath(finding.path)
    for step in data.get("flow", ()):
        if "path" in step:
            step["path"] = scan.relpath(step["path"])
    cell = cell_of(finding.extra)
    if cell is not None:  # a notebook: `span` is inside this cell (0-based index in `cells`)
        data["cell"] = cell
    rule = rule_label(finding.rule_id)  # not the catalogue: a run of cached results loads no rule
    if rule is not None:
        data["rule_name"] = rule.name
        data["help_uri"] = rule.docs_url
    if finding.cwe is not None:
        data["cwe_uri"] = f"https://cwe.mitre.org/data/definitions/{finding.cwe}.html"
    return data


def report_document(scan: ScanResult) -> dict[str, Any]:
    """The JSON report as a dict."""
    findings = scan.findings()
    suppressed = scan.suppressed()
    by_severity = Counter(str(f.severity) for f in findings)
    notices = []
    for notice in scan.all_notices():
        data = notice.to_dict()
        if notice.path and not notice.path.startswith("<") and notice.path != "configuration":
            data["path"] = scan.relpath(notice.path)
        notices.append(data)
    return {
        "tool": {"name": "secreview", "version": __version__},
        "root": scan.root.as_posix(),
        "files_scanned": scan.files_scanned,
        "summary": {
            "findings": len(findings),
            "files_with_findings": len({f.path for f in findings}),
            "by_severity": {str(level): by_severity.get(str(level), 0) for level in reversed(Level)},
            "not_fully_analyzed": [scan.relpath(path) for path in scan.incomplete()],
            "suppressed": len(suppressed),
        },
        "findings": [_item(finding, scan) for finding in findings],
        "suppressed": [_item(finding, scan) for finding in suppressed],
        "notices": notices,
        "baseline_fixed": list(scan.baseline_fixed),
        "baseline_hidden": scan.baseline_hidden,
        "diff_hidden": scan.diff_hidden,
        "diff_unchanged_files": scan.diff_unchanged_files,
        "diff_note": scan.diff_note,
    }


def render(scan: ScanResult, *, color: bool = False) -> str:
    """The JSON report as text (``color`` is ignored)."""
    return json.dumps(report_document(scan), indent=2, ensure_ascii=False) + "\n"
