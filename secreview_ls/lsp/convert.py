"""Findings and notices → LSP diagnostics (positions converted to the client's units here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from ..engine.finding import Finding, Level, Notice, Span
from ..rules import registry
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
