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

    A finding whose positions all lie inside the document is keyed by its lines counted from
    its own first line: a line inserted or deleted above it moves its diagnostic by as many
    lines (the same line texts give the same columns) instead of converting it again.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[Any, ...], tuple[types.Diagnostic, dict[str, Any], int]] = {}

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
        bases, wire = self.convert_wire(
            findings, lines, encoding, version=version, uri_for=uri_for, lines_for=lines_for, features=features
        )
        return with_version(bases, version), wire

    def convert_wire(
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
        """``convert``'s JSON, and its objects without the version in their data (what
        :func:`with_version` makes them when they are asked for: most versions are only sent)."""
        kept: dict[tuple[Any, ...], tuple[types.Diagnostic, dict[str, Any], int]] = {}
        diagnostics: list[types.Diagnostic] = []
        wire: list[dict[str, Any]] = []
        for found in findings:
            key, anchor = _cache_key(found, lines, encoding, features)
            entry = self._entries.get(key) if key is not None else None
            if entry is None:
                diagnostic = finding_to_diagnostic(
                    found, lines, encoding, version=None, uri_for=uri_for, lines_for=lines_for, features=features
                )
                entry = (diagnostic, to_json(diagnostic), anchor)
            elif entry[2] != anchor:
                entry = (*_moved(entry[0], entry[1], anchor - entry[2]), anchor)
            if key is not None:
                kept[key] = entry
            diagnostic, data, _ = entry
            diagnostics.append(diagnostic)
            wire.append({**data, "data": {**data["data"], "version": version}})
        self._entries = kept
        return diagnostics, wire


def with_version(diagnostics: Sequence[types.Diagnostic], version: int | None) -> list[types.Diagnostic]:
    """Copies of cached diagnostics with ``version`` in their data."""
    return [attrs.evolve(d, data={**d.data, "version": version}) for d in diagnostics]


def _cache_key(
    found: Finding, lines: Sequence[str], encoding: str, features: ClientFeatures
) -> tuple[tuple[Any, ...] | None, int]:
    """The key of a finding's diagnostic, and the line its lines are counted from (0: from the
    top, for a finding with a position outside the document, which is clamped to its end)."""
    spans = [found.span, *(edit.span for edit in (found.fix.edits if found.fix is not None else ()))]
    for step in found.flow:
        if step.path and step.path != found.path:
            return None, 0  # positions in another file, read from disk: not kept
        spans.append(step.span)
    count = len(lines)
    texts = []
    inside = True
    for span in spans:
        for line in (span.start_line, span.end_line):
            if 0 < line <= count:
                texts.append(lines[line - 1])
            else:
                texts.append(None)
                inside = False
    anchor = found.span.start_line if inside else 0

    def rel(span: Span) -> tuple[int, int, int, int]:
        return (span.start_line - anchor, span.start_col, span.end_line - anchor, span.end_col)

    fix = found.fix
    return (
        found.rule_id,
        found.message,
        rel(found.span),
        found.severity,
        found.fingerprint,
        found.path,
        None if fix is None else (fix.title, tuple((rel(e.span), e.new_text) for e in fix.edits)),
        tuple((rel(step.span), step.note, step.path) for step in found.flow),
        tuple(texts),
        None if inside else count,
        encoding,
        features,
    ), anchor


def _moved(diagnostic: types.Diagnostic, data: dict[str, Any], delta: int) -> tuple[types.Diagnostic, dict[str, Any]]:
    """A diagnostic (and its JSON) with every range ``delta`` lines further down: its own, its
    related steps' (all in its document) and its fix's edits'."""
    related = diagnostic.related_information
    if related:
        related = [
            attrs.evolve(r, location=attrs.evolve(r.location, range=_shifted(r.location.range, delta))) for r in related
        ]
    own = diagnostic.data
    if "fix" in own:
        own = {**own, "fix": _fix_moved(own["fix"], delta)}
    moved = attrs.evolve(diagnostic, range=_shifted(diagnostic.range, delta), related_information=related, data=own)
    json = {**data, "range": _json_shifted(data["range"], delta)}
    if "relatedInformation" in data:
        json["relatedInformation"] = [
            {**r, "location": {**r["location"], "range": _json_shifted(r["location"]["range"], delta)}}
            for r in data["relatedInformation"]
        ]
    if "fix" in data["data"]:
        json["data"] = {**data["data"], "fix": _fix_moved(data["data"]["fix"], delta)}
    return moved, json


def _shifted(value: types.Range, delta: int) -> types.Range:
    return types.Range(
        start=types.Position(line=value.start.line + delta, character=value.start.character),
        end=types.Position(line=value.end.line + delta, character=value.end.character),
    )


def _json_shifted(value: dict[str, dict[str, int]], delta: int) -> dict[str, dict[str, int]]:
    return {
        "start": {**value["start"], "line": value["start"]["line"] + delta},
        "end": {**value["end"], "line": value["end"]["line"] + delta},
    }


def _fix_moved(fix: dict[str, Any], delta: int) -> dict[str, Any]:
    return {**fix, "edits": [{**edit, "range": _json_shifted(edit["range"], delta)} for edit in fix["edits"]]}


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
