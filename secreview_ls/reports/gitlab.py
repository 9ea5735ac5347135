"""GitLab Code Quality report: a JSON array GitLab shows in merge requests.

Each finding is an object with ``description``, ``check_name``, ``fingerprint`` (unique in
the report), ``severity`` (``critical`` for high, ``major`` for medium, ``minor`` for low),
``categories`` and ``location`` (``path`` relative to the working directory and ``lines.begin``).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..pipeline import Finding, Level, cell_of, notebook_file_span
from .text import display_path

if TYPE_CHECKING:
    from ..pipeline import ScanResult

SEVERITY = {Level.HIGH: "critical", Level.MEDIUM: "major", Level.LOW: "minor"}


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    """One finding as a Code Quality issue."""
    description = f"{finding.rule_id}: {finding.message}"
    if finding.cwe is not None:
        description += f" (CWE-{finding.cwe})"
    lines = finding.span
    cell = cell_of(finding.extra)
    if cell is not None:  # a notebook: the lines of the .ipynb file holding the code
        description = f"cell {cell + 1}, line {finding.span.start_line}: {description}"
        lines = notebook_file_span(finding.path, cell, finding.span) or lines
    return {
        "type": "issue",
        "description": description,
        "check_name": finding.rule_id,
        "fingerprint": fingerprint,
        "severity": SEVERITY[finding.severity],
        "categories": ["Security"],
        "location": {
            "path": display_path(finding.path),
            "lines": {"begin": lines.start_line, "end": lines.end_line},
        },
    }


def _fingerprints(findings: list[Finding]) -> list[str]:
    """A unique fingerprint per finding: the stable one, numbered when it repeats in a file."""
    seen: dict[str, int] = {}
    result = []
    for finding in findings:
        base = f"{display_path(finding.path)}\0{finding.rule_id}\0{finding.fingerprint or finding.span.to_dict()}"
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.append(hashlib.sha256(f"{base}\0{count}".encode()).hexdigest()[:32])
    return result


def render(scan: ScanResult, *, color: bool = False) -> str:
    """The Code Quality JSON (``color`` is ignored)."""
    findings = scan.findings()
    items = [issue(f, fp) for f, fp in zip(findings, _fingerprints(findings), strict=True)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
