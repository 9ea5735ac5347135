"""The finding model shared by every rule and every output format.

Positions are stored as 1-based lines and 0-based columns counted in Unicode
code points (Python string indices). The faces convert once at their edge:
UTF-16 units for LSP, 1-based columns for SARIF and the terminal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .frozen import fast_init


class Level(enum.IntEnum):
    """Ordered severity / confidence level."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            valid = ", ".join(level.name.lower() for level in cls)
            raise ValueError(f"unknown level {text!r} (expected one of: {valid})") from None

    def __str__(self) -> str:
        return self.name.lower()


Severity = Level
Confidence = Level


@fast_init
@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A source range: 1-based lines, 0-based code-point columns, end exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    def contains(self, line: int, col: int) -> bool:
        if (line, col) < (self.start_line, self.start_col):
            return False
        return (line, col) <= (self.end_line, self.end_col)

    def to_dict(self) -> dict[str, int]:
        return {
            "start_line": self.start_line,
            "start_col": self.start_col,
            "end_line": self.end_line,
            "end_col": self.end_col,
        }

    @classmethod
    def from_dict(cls, data: dict[str, int]) -> Span:
        return cls(data["start_line"], data["start_col"], data["end_line"], data["end_col"])


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text in ``span`` with ``new_text``."""

    span: Span
    new_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"span": self.span.to_dict(), "new_text": self.new_text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextEdit:
        return cls(Span.from_dict(data["span"]), data["new_text"])


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe rewrite offered as a quick fix."""

    title: str
    edits: tuple[TextEdit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "edits": [e.to_dict() for e in self.edits]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        return cls(data["title"], tuple(TextEdit.from_dict(e) for e in data["edits"]))


class StepKind(enum.Enum):
    """What happens to the value at a step of a data-flow path."""

    SOURCE = "source"  # read from an untrusted source (``name``: how the source is shown)
    ASSIGNED = "assigned"  # stored in a variable or attribute (``name``)
    PASSED = "passed"  # passed to a function (``name``)
    PARAMETER = "parameter"  # received as parameter ``name`` of function ``detail``
    RETURNED = "returned"  # returned from function ``name``
    SINK = "sink"  # reaches the sink ``name``, which ``detail`` (e.g. "SQL query")


_STEP_NOTES = {
    StepKind.SOURCE: "source: {name}",
    StepKind.ASSIGNED: "assigned to `{name}`",
    StepKind.PASSED: "passed to `{name}()`",
    StepKind.PARAMETER: "parameter `{name}` of `{detail}()`",
    StepKind.RETURNED: "returned from `{name}()`",
    StepKind.SINK: "reaches `{name}`: {detail}",
}


@fast_init
@dataclass(frozen=True, slots=True)
class FlowStep:
    """One step of a data-flow path: where the value is and what happens there.

    ``kind`` and ``name`` say what happens in data (build steps with ``FlowStep.of``, which
    writes ``note`` from them); ``note`` is the sentence the faces show. A step built with a
    note only has no kind."""

    span: Span
    note: str
    path: str | None = None  # set when the step is in another file
    kind: StepKind | None = None
    name: str = ""
    detail: str = ""

    @classmethod
    def of(cls, kind: StepKind, name: str, span: Span, path: str | None = None, detail: str = "") -> FlowStep:
        """A step of ``kind`` with its note written from the fields."""
        return cls(span, _STEP_NOTES[kind].format(name=name, detail=detail), path, kind, name, detail)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"span": self.span.to_dict(), "note": self.note}
        if self.path is not None:
            data["path"] = self.path
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlowStep:
        return cls(Span.from_dict(data["span"]), data["note"], data.get("path"))


@dataclass(slots=True)
class Finding:
    """One located, specific, actionable security finding."""

    rule_id: str
    message: str
    span: Span
    severity: Level
    confidence: Level
    cwe: int | None
    path: str = ""
    fix: Fix | None = None
    flow: tuple[FlowStep, ...] = ()
    snippet: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""  # stable across unrelated edits; set by the pipeline
    # Lines the message names besides the span (``its secret key is on line 12``): a finding
    # whose code moves must then be made again rather than moved.
    message_lines: tuple[int, ...] = ()

    @property
    def line(self) -> int:
        return self.span.start_line

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.start_line, self.span.start_col, self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "message": self.message,
            "path": self.path,
            "span": self.span.to_dict(),
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "cwe": self.cwe,
            "snippet": self.snippet,
            "fingerprint": self.fingerprint,
        }
        if self.fix is not None:
            data["fix"] = self.fix.to_dict()
        if self.flow:
            data["flow"] = [step.to_dict() for step in self.flow]
        if self.extra:
            data["extra"] = self.extra
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule_id=data["rule_id"],
            message=data["message"],
            span=Span.from_dict(data["span"]),
            severity=Level.parse(data["severity"]),
            confidence=Level.parse(data["confidence"]),
            cwe=data.get("cwe"),
            path=data.get("path", ""),
            fix=Fix.from_dict(data["fix"]) if data.get("fix") else None,
            flow=tuple(FlowStep.from_dict(s) for s in data.get("flow", ())),
            snippet=data.get("snippet", ""),
            extra=dict(data.get("extra", {})),
            fingerprint=data.get("fingerprint", ""),
        )


#: Notice kinds that mean a file was not (fully) analyzed: its findings cannot be trusted
#: to be complete, so a gate must not read the file as clean.
INCOMPLETE_KINDS = frozenset(
    {
        "binary",
        "internal-error",
        "not-found",
        "rule-error",
        "skipped",
        "timeout",
        "too-deep",
        "too-large",
        "undecodable",
        "unparsable",
        "unreadable",
    }
)


@dataclass(frozen=True, slots=True)
class Notice:
    """A message about the analysis itself (syntax error, skipped region, bad config).

    Notices are not security findings; the faces show them as warnings/log lines.
    """

    kind: str  # e.g. "syntax-error", "newer-syntax", "unknown-rule", "too-large", "timeout"
    message: str
    span: Span | None = None
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "message": self.message, "path": self.path}
        if self.span is not None:
            data["span"] = self.span.to_dict()
        return data
