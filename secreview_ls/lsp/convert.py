"""Findings and notices → LSP diagnostics (positions converted to the client's units here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import attrs
from lsprotocol import types
from pygls.protocol import default_converter

from ..pipeline import Finding, Level, Notice, Span, registry
from .positions import span_to_range

SOURCE = "secreview"

SEVERITY = {
    Level.HIGH: types.DiagnosticSeverity.Error,
    Level.MEDIUM: types.DiagnosticSeverity.Warning,
    Level.LOW: types.DiagnosticSeverity.Information,
}

# Notices shown on the document (when they carry a position); the rest go to the log.
NOTICE_SEVERITY = {
    "syntax-error": types.DiagnosticSeverity.Information,
    "newer-syntax": types.DiagnosticSeverity.Information,
    "too-large": types.DiagnosticSeverity.Information,
    "timeout": types.DiagnosticSeverity.Information,
    "binary": types.DiagnosticSeverity.Information,
    "unknown-suppression": types.DiagnosticSeverity.Information,
    "unused-suppression": types.DiagnosticSeverity.Hint,
}
NOTICE_TAGS = {"unused-suppression": [types.DiagnosticTag.Unnecessary]}

LinesFor = Callable[[str], Sequence[str] | None]


@dataclass(frozen=True)
class ClientFeatures:
    """What the client can display in a diagnostic."""

    related_information: bool = True
    code_description: bool = True
    tags: bool = True


def finding_to_diagnostic(
    found: Finding,
    lines: Sequence[str],
    encoding: str,
    *,
    version: int | None,
    uri_for: Callable[[str], str],
    lines_for: LinesFor,
    features: ClientFeatures = ClientFeatures(),
) -> types.Diagnostic:
    rule = registry.get(found.rule_id)
    data: dict[str, Any] = {
        "rule": found.rule_id,
        "fingerprint": found.fingerprint,
        "version": version,
    }
    if found.fix is not None:
        data["fix"] = {
            "title": found.fix.title,
            "edits": [
                {
                    "range": _range_json(span_to_range(edit.span, lines, encoding)),
                    "newText": edit.new_text,
                }
                for edit in found.fix.edits
            ],
        }
    related: list[types.DiagnosticRelatedInformation] | None = None
    if found.flow and features.related_information:
        related = []
        for step in found.flow:
            if step.path and step.path != found.path:
                other = lines_for(step.path)
                step_range = span_to_range(step.span, other if other is not None else [], encoding)
                uri = uri_for(step.path)
            else:
                step_range = span_to_range(step.span, lines, encoding)
                uri = uri_for(found.path)
            related.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=uri, range=step_range), message=step.note
                )
            )
    description = None
    if rule is not None and features.code_description:
        description = types.CodeDescription(href=rule.docs_url)
    return types.Diagnostic(
        range=span_to_range(found.span, lines, encoding),
        message=found.message,
        severity=SEVERITY.get(found.severity, types.DiagnosticSeverity.Warning),
        code=found.rule_id,
        code_description=description,
        source=SOURCE,
        related_information=related,
        data=data,
    )


class DiagnosticCache:
    """The diagnostics of a document's last version, kept for the findings that did not change.

    Converting positions and building protocol objects is most of what publishing costs, and
    a keystroke changes few findings. An entry is keyed by everything its diagnostic is made
    of: the finding, the text of the lines its positions are on (for the column units), the
    encoding and the client's features. Each diagnostic also comes as JSON-ready data, so the
    notification does not go through the generic serializer again.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[Any, ...], tuple[types.Diagnostic, dict[str, Any]]] = {}

    def convert(
        self,
        findings: Sequence[Finding],
        lines: Sequence[str],
        encoding: str,
        *,
        version: int | None,
        uri_for: Callable[[str], str],
        lines_for: LinesFor,
        features: ClientFeatures,
    ) -> tuple[list[types.Diagnostic], list[dict[str, Any]]]:
        """Diagnostics for ``findings`` (with ``version`` in their data), objects and JSON."""
        kept: dict[tuple[Any, ...], tuple[types.Diagnostic, dict[str, Any]]] = {}
        diagnostics: list[types.Diagnostic] = []
        wire: list[dict[str, Any]] = []
        for found in findings:
            key = _cache_key(found, lines, encoding, features)
            entry = self._entries.get(key) if key is not None else None
            if entry is None:
                diagnostic = finding_to_diagnostic(
                    found, lines, encoding, version=None, uri_for=uri_for, lines_for=lines_for, features=features
                )
                entry = (diagnostic, to_json(diagnostic))
            if key is not None:
                kept[key] = entry
            diagnostic, data = entry
            diagnostics.append(attrs.evolve(diagnostic, data={**diagnostic.data, "version": version}))
            wire.append({**data, "data": {**data["data"], "version": version}})
        self._entries = kept
        return diagnostics, wire


def _cache_key(found: Finding, lines: Sequence[str], encoding: str, features: ClientFeatures) -> tuple[Any, ...] | None:
    spans = [found.span, *(edit.span for edit in (found.fix.edits if found.fix is not None else ()))]
    for step in found.flow:
        if step.path and step.path != found.path:
            return None  # positions in another file, read from disk: not kept
        spans.append(step.span)
    texts = []
    for span in spans:
        for line in (span.start_line, span.end_line):
            texts.append(lines[line - 1] if 0 < line <= len(lines) else None)
    return (
        found.rule_id,
        found.message,
        found.span,
        found.severity,
        found.fingerprint,
        found.path,
        found.fix,
        tuple(found.flow),
        tuple(texts),
        len(lines),
        encoding,
        features,
    )


_converter: Any = None


def to_json(value: Any) -> Any:
    """A protocol object as JSON-ready data (what the server would send for it)."""
    global _converter
    if _converter is None:
        _converter = default_converter()
    return _converter.unstructure(value)


def notice_to_diagnostic(
    notice: Notice, lines: Sequence[str], encoding: str, features: ClientFeatures = ClientFeatures()
) -> types.Diagnostic | None:
    """A diagnostic for a notice that has a position and is worth showing in the editor."""
    if notice.span is None or notice.kind not in NOTICE_SEVERITY:
        return None
    tags = NOTICE_TAGS.get(notice.kind) if features.tags else None
    return types.Diagnostic(
        range=span_to_range(notice.span, lines, encoding),
        message=notice.message,
        severity=NOTICE_SEVERITY[notice.kind],
        code=notice.kind,
        source=SOURCE,
        tags=tags,
        data={"notice": notice.kind},
    )


def is_logged_notice(notice: Notice) -> bool:
    """Notices that are not shown on the document go to ``window/logMessage``."""
    return notice.span is None or notice.kind not in NOTICE_SEVERITY


def _range_json(value: types.Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def range_from_json(value: Any) -> types.Range | None:
    try:
        return types.Range(
            start=types.Position(line=int(value["start"]["line"]), character=int(value["start"]["character"])),
            end=types.Position(line=int(value["end"]["line"]), character=int(value["end"]["character"])),
        )
    except (KeyError, TypeError, ValueError):
        return None


def spans_overlap_lines(span: Span, first: int, last: int) -> bool:
    """Whether ``span`` touches 1-based lines ``first..last``."""
    return span.start_line <= last and span.end_line >= first
