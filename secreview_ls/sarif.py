"""SARIF 2.1.0 output for code-scanning dashboards.

One run per scan:

- ``tool.driver``: name, version, ``informationUri`` and one reporting
  descriptor per selected rule — short and full descriptions, ``help`` as text
  and markdown (the rule's docs), ``helpUri``, tags (``security``,
  ``external/cwe/cwe-N``), ``security-severity`` (high 8.0, medium 5.0, low
  2.0), ``precision`` from the confidence, and a relationship to its CWE in
  the run's CWE taxonomy (``run.taxonomies``).
- results: ``ruleId``/``ruleIndex``, ``level``, message, a region with 1-based
  lines and 1-based columns counted in Unicode code points
  (``run.columnKind = "unicodeCodePoints"``), ``partialFingerprints``
  (``secreview/v1``: the pipeline's fingerprint, stable across unrelated
  edits), ``codeFlows`` for data-flow findings and ``fixes`` for quick fixes.
- artifact URIs are relative to ``%SRCROOT%`` (``originalUriBaseIds``), the
  project root; notices become ``invocations[0].toolExecutionNotifications``.
- a finding in a Jupyter notebook: the artifact is the ``.ipynb`` file and the region is
  where the cell's line and column are in the file's JSON text (inside the cell's
  ``source`` strings, escapes counted as written), so a viewer that opens the file lands on
  the code; ``logicalLocations`` names the cell (``cell 3``) and ``properties`` carry
  ``notebookCell`` (0-based index in the notebook's ``cells``) and ``cellRegion`` (the
  region inside the cell). When the JSON position cannot be computed the region is left
  out. Notebook findings carry no ``fixes`` (their edits are in cell coordinates).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import __version__
from .pipeline import (
    SUPPRESSION_KEY,
    Finding,
    FlowStep,
    Level,
    NotebookPositions,
    Notice,
    Rule,
    Span,
    cell_of,
    report_order,
    selected_rules,
)

if TYPE_CHECKING:
    from .pipeline import ScanResult

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://secreview.dev"
FINGERPRINT_KEY = "secreview/v1"
SRCROOT = "SRCROOT"
CWE_TAXONOMY_GUID = "FFC64C90-42B6-44CE-8BEB-F6B7DAE649E5"

LEVEL = {Level.HIGH: "error", Level.MEDIUM: "warning", Level.LOW: "note"}
SECURITY_SEVERITY = {Level.HIGH: "8.0", Level.MEDIUM: "5.0", Level.LOW: "2.0"}
PRECISION = {Level.HIGH: "high", Level.MEDIUM: "medium", Level.LOW: "low"}
NOTICE_LEVEL = {
    "internal-error": "error",
    "rule-error": "error",
    "unused-suppression": "note",
    "newer-syntax": "note",
}


class _Artifacts:
    """Artifact table of the run: one entry per file referenced, indexed by URI."""

    def __init__(self, scan: ScanResult) -> None:
        self.scan = scan
        self.items: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.notebooks: dict[str, NotebookPositions | None] = {}

    def notebook_region(self, path: str, cell: int, span: Span) -> dict[str, Any] | None:
        """The region of a cell-local ``span`` in the notebook file's JSON text."""
        if path not in self.notebooks:
            try:
                self.notebooks[path] = NotebookPositions(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                self.notebooks[path] = None
        positions = self.notebooks[path]
        if positions is None:
            return None
        start = positions.position(cell, span.start_line, span.start_col)
        end = positions.position(cell, span.end_line, span.end_col)
        if start is None or end is None:
            return None
        if end < start:
            end = start
        return {"startLine": start[0], "startColumn": start[1], "endLine": end[0], "endColumn": end[1]}

    def location(self, path: str) -> dict[str, Any]:
        rel = self.scan.relpath(path)
        if rel.startswith("/"):
            location: dict[str, Any] = {"uri": "file://" + quote(rel)}
        else:
            location = {"uri": quote(rel), "uriBaseId": SRCROOT}
        key = location["uri"]
        if key not in self.index:
            self.index[key] = len(self.items)
            artifact: dict[str, Any] = {"location": dict(location)}
            if Path(path).suffix in (".py", ".pyi", ".pyw"):
                artifact["sourceLanguage"] = "python"
            try:
                artifact["length"] = Path(path).stat().st_size
            except OSError:
                pass
            self.items.append(artifact)
        location["index"] = self.index[key]
        return location


def region(span: Span, snippet: str | None = None) -> dict[str, Any]:
    """A SARIF region (1-based lines and columns; end column exclusive)."""
    data: dict[str, Any] = {
        "startLine": max(1, span.start_line),
        "startColumn": span.start_col + 1,
        "endLine": max(span.start_line, span.end_line, 1),
        "endColumn": span.end_col + 1,
    }
    if data["endLine"] == data["startLine"] and data["endColumn"] < data["startColumn"]:
        data["endColumn"] = data["startColumn"]
    if snippet:
        data["snippet"] = {"text": snippet}
    return data


def _rule_descriptor(rule: Rule, taxa_index: dict[int, int]) -> dict[str, Any]:
    tags = ["security", rule.family]
    if rule.cwe is not None:
        tags.append(f"external/cwe/cwe-{rule.cwe}")
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _first_sentence(rule.summary)},
        "fullDescription": {"text": _plain(rule.summary)},
        "help": {"text": _help_text(rule), "markdown": rule.markdown()},
        "helpUri": rule.docs_url,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": tags,
            "precision": PRECISION[rule.confidence],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[
                LEVEL[rule.severity]
            ],
        },
    }
    if rule.bandit or rule.ruff:
        descriptor["properties"]["equivalents"] = [*rule.bandit, *rule.ruff]
    if rule.cwe is not None:
        descriptor["relationships"] = [
            {
                "target": {
                    "id": str(rule.cwe),
                    "index": taxa_index[rule.cwe],
                    "guid": _cwe_guid(rule.cwe),
                    "toolComponent": {"name": "CWE", "index": 0, "guid": CWE_TAXONOMY_GUID},
                },
                "kinds": ["superset"],
            }
        ]
    return descriptor


def _cwe_guid(cwe: int) -> str:
    """A stable GUID for a CWE taxon (derived from the taxonomy GUID and the id)."""
    import uuid

    return str(uuid.uuid5(uuid.UUID(CWE_TAXONOMY_GUID), f"CWE-{cwe}")).upper()


def _plain(markdown: str) -> str:
    return " ".join(markdown.replace("`", "").split())


def _first_sentence(text: str) -> str:
    plain = _plain(text)
    head, dot, _ = plain.partition(". ")
    return head + ("." if dot or not head.endswith(".") else "")


def _help_text(rule: Rule) -> str:
    parts = [_plain(rule.summary), "", _plain(rule.why), "", "Vulnerable:", rule.bad.strip("\n"), "", "Safe:"]
    parts.append(rule.good.strip("\n"))
    return "\n".join(parts)


def _physical(
    artifacts: _Artifacts, path: str, span: Span, snippet: str | None = None, cell: int | None = None
) -> dict[str, Any]:
    if cell is None:
        return {"artifactLocation": artifacts.location(path), "region": region(span, snippet)}
    physical: dict[str, Any] = {"artifactLocation": artifacts.location(path)}
    in_file = artifacts.notebook_region(path, cell, span)
    if in_file is not None:
        physical["region"] = in_file
    return physical


def _code_flow(finding: Finding, artifacts: _Artifacts) -> dict[str, Any]:
    steps: list[FlowStep] = list(finding.flow)
    cells = finding.extra.get("flow_cells") or [None] * len(steps)
    locations = [
        {
            "location": {
                "physicalLocation": _physical(artifacts, step.path or finding.path, step.span, cell=cell),
                "message": {"text": step.note},
            },
            "executionOrder": order,
        }
        for order, (step, cell) in enumerate(zip(steps, cells, strict=False), 1)
    ]
    return {
        "message": {"text": finding.message},
        "threadFlows": [{"locations": locations}],
    }


def _fixes(finding: Finding, artifacts: _Artifacts) -> list[dict[str, Any]]:
    if finding.fix is None or not finding.fix.edits:
        return []
    replacements = [
        {"deletedRegion": region(edit.span), "insertedContent": {"text": edit.new_text}}
        for edit in sorted(finding.fix.edits, key=lambda e: e.span)
    ]
    return [
        {
            "description": {"text": finding.fix.title},
            "artifactChanges": [{"artifactLocation": artifacts.location(finding.path), "replacements": replacements}],
        }
    ]


def _result(finding: Finding, rule_index: dict[str, int], artifacts: _Artifacts) -> dict[str, Any]:
    cell = cell_of(finding.extra)
    location: dict[str, Any] = {
        "physicalLocation": _physical(artifacts, finding.path, finding.span, finding.snippet, cell)
    }
    if cell is not None:
        location["logicalLocations"] = [{"name": f"cell {cell + 1}", "kind": "module"}]
    data: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint} if finding.fingerprint else {},
        "properties": {"severity": str(finding.severity), "confidence": str(finding.confidence)},
    }
    if finding.rule_id in rule_index:
        data["ruleIndex"] = rule_index[finding.rule_id]
    if not data["partialFingerprints"]:
        del data["partialFingerprints"]
    if finding.cwe is not None:
        data["properties"]["cwe"] = f"CWE-{finding.cwe}"
    if cell is not None:
        data["properties"]["notebookCell"] = cell
        data["properties"]["cellRegion"] = region(finding.span)
    if finding.flow:
        data["codeFlows"] = [_code_flow(finding, artifacts)]
    fixes = _fixes(finding, artifacts) if cell is None else []
    if fixes:
        data["fixes"] = fixes
    suppression = finding.extra.get(SUPPRESSION_KEY)
    if isinstance(suppression, dict):
        # A result a comment in the source hides: SARIF viewers list it as suppressed.
        justification = {"justification": suppression["reason"]} if suppression.get("reason") else {}
        data["suppressions"] = [{"kind": "inSource", **justification}]
    return data


def _notification(notice: Notice, artifacts: _Artifacts) -> dict[str, Any]:
    data: dict[str, Any] = {
        "level": NOTICE_LEVEL.get(notice.kind, "warning"),
        "message": {"text": notice.message},
        "descriptor": {"id": notice.kind},
    }
    if notice.path and not notice.path.startswith("<") and notice.path != "configuration":
        physical: dict[str, Any] = {"artifactLocation": artifacts.location(notice.path)}
        if notice.span is not None:
            physical["region"] = region(notice.span)
        data["locations"] = [{"physicalLocation": physical}]
    return data


def _root_uri(scan: ScanResult) -> str:
    uri = scan.root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_document(scan: ScanResult) -> dict[str, Any]:
    """The SARIF log of ``scan`` as a dict."""
    findings = scan.findings()
    suppressed = scan.suppressed()
    rules = list(selected_rules(scan.config))
    known = {r.id for r in rules}
    # Findings of rules outside the selection (e.g. per-file overrides) still get a descriptor.
    from .pipeline import registry

    for finding in [*findings, *suppressed]:
        if finding.rule_id not in known:
            extra = registry.get(finding.rule_id)
            if extra is not None:
                rules.append(extra)
                known.add(extra.id)
    rules.sort(key=lambda r: r.id)
    cwes = sorted({r.cwe for r in rules if r.cwe is not None})
    taxa_index = {cwe: i for i, cwe in enumerate(cwes)}
    rule_index = {r.id: i for i, r in enumerate(rules)}
    artifacts = _Artifacts(scan)
    results = [_result(f, rule_index, artifacts) for f in sorted([*findings, *suppressed], key=report_order)]
    notifications = [_notification(n, artifacts) for n in scan.all_notices()]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "secreview",
                "fullName": "secreview security reviewer for Python",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(r, taxa_index) for r in rules],
                "supportedTaxonomies": [{"name": "CWE", "index": 0, "guid": CWE_TAXONOMY_GUID}],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not any(n.kind == "internal-error" for n in scan.notices),
                "toolExecutionNotifications": notifications,
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(scan), "description": {"text": "The project root."}}},
        "artifacts": artifacts.items,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "taxonomies": [
            {
                "name": "CWE",
                "guid": CWE_TAXONOMY_GUID,
                "organization": "MITRE",
                "informationUri": "https://cwe.mitre.org/",
                "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
                "taxa": [
                    {
                        "id": str(cwe),
                        "guid": _cwe_guid(cwe),
                        "name": f"CWE-{cwe}",
                        "helpUri": f"https://cwe.mitre.org/data/definitions/{cwe}.html",
                    }
                    for cwe in cwes
                ],
            }
        ],
    }
    if scan.diff_note:
        run["properties"] = {"diffNote": scan.diff_note}
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(scan: ScanResult, *, color: bool = False) -> str:
    """The SARIF log as JSON text (``color`` is ignored)."""
    return json.dumps(sarif_document(scan), indent=2, ensure_ascii=False) + "\n"
