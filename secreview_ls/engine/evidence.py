"""What the analysis examined, as typed records: the evidence a review shows when it explains
what was checked and why nothing was reported.

Rules write records into ``RuleContext.evidence``; the pipeline collects them per file
(``AnalysisResult.evidence``) and moves them with the code they describe; only the review
turns them into sentences. Every record has an integer ``line`` (1-based) and ``shifted``
returns it moved by a number of lines.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar, Union


class SinkNotReported(enum.Enum):
    """Why a sink that was examined is not reported."""

    NO_SOURCE = "no-source"  # no untrusted value is in scope where it is called


class Judgement(enum.Enum):
    """What a rule established about a sensitive call it examined and did not report."""

    ARGUMENT_LIST = "argument-list"  # a process started from an argument list, without a shell
    CONSTANT_COMMAND = "constant-command"  # a process started from a string literal, without a shell
    NO_SHELL = "no-shell"  # a process started without a shell
    LITERAL_CODE = "literal-code"  # code evaluated from a string literal
    DATA_ONLY = "data-only"  # a YAML function that handles plain data only
    SAFE_LOADER = "safe-loader"  # a YAML load with a loader that builds plain data only
    TIMEOUT = "timeout"  # an HTTP request with a timeout
    VERIFIED = "verified"  # an HTTP request that verifies certificates
    NOT_FOR_SECURITY = "not-for-security"  # a hash declared not for security (``usedforsecurity=False``)
    CONSTANT_QUERY = "constant-query"  # an SQL call whose statement is a string literal
    BOUND_PARAMETERS = "bound-parameters"  # an SQL call that passes its values as parameters


@dataclass(frozen=True, slots=True)
class SourceSeen:
    """An untrusted value read here (``description`` as the taint analysis shows it)."""

    description: str
    line: int

    def shifted(self, delta: int) -> SourceSeen:
        return SourceSeen(self.description, self.line + delta)


@dataclass(frozen=True, slots=True)
class SinkExamined:
    """A call that is a sink of a taint class (``api`` as spelled, ``what`` it does with its argument)."""

    api: str
    line: int
    what: str
    not_reported: SinkNotReported | None = None  # None: examined with untrusted values in scope

    def shifted(self, delta: int) -> SinkExamined:
        return SinkExamined(self.api, self.line + delta, self.what, self.not_reported)


@dataclass(frozen=True, slots=True)
class ClearedSink:
    """A sink whose every argument value is a constant or was cleaned for its taint class: pattern
    findings of that class's CWE starting on the call (from ``line``, 0-based ``column``, to
    ``end_line``, ``end_column``) are dropped."""

    api: str
    line: int
    column: int
    taint_class: str
    cwe: int
    end_line: int
    end_column: int

    def shifted(self, delta: int) -> ClearedSink:
        return ClearedSink(
            self.api,
            self.line + delta,
            self.column,
            self.taint_class,
            self.cwe,
            self.end_line + delta,
            self.end_column,
        )

    def covers(self, line: int, column: int) -> bool:
        """Whether a finding starting at ``line``, ``column`` starts on this call."""
        return (self.line, self.column) <= (line, column) < (self.end_line, self.end_column)


@dataclass(frozen=True, slots=True)
class UnreachedCode:
    """Lines ``line`` to ``end_line`` that never run (a branch a constant test skips): pattern
    findings of the injection weaknesses ``cwes`` starting there are dropped."""

    line: int
    end_line: int
    cwes: frozenset[int]

    def shifted(self, delta: int) -> UnreachedCode:
        return UnreachedCode(self.line + delta, self.end_line + delta, self.cwes)


@dataclass(frozen=True, slots=True)
class CallJudged:
    """A rule examined the call to ``api`` at ``line``/``column`` (0-based) and established ``judgement``."""

    api: str
    line: int
    column: int
    judgement: Judgement

    def shifted(self, delta: int) -> CallJudged:
        return CallJudged(self.api, self.line + delta, self.column, self.judgement)


@dataclass(frozen=True, slots=True)
class CallSeen:
    """A sensitive call (``api`` at ``line``/``column``, 0-based), whether or not a rule reported it."""

    api: str
    line: int
    column: int

    def shifted(self, delta: int) -> CallSeen:
        return CallSeen(self.api, self.line + delta, self.column)


@dataclass(frozen=True, slots=True)
class Skipped:
    """Part of the file an analysis did not follow, and why (``reason`` as the analysis words it)."""

    reason: str
    line: int = 0  # 0: not tied to a line

    def shifted(self, delta: int) -> Skipped:
        return Skipped(self.reason, self.line + delta) if self.line else self


Record = Union[SourceSeen, SinkExamined, ClearedSink, UnreachedCode, CallJudged, CallSeen, Skipped]  # noqa: UP007
R = TypeVar("R", SourceSeen, SinkExamined, ClearedSink, UnreachedCode, CallJudged, CallSeen, Skipped)


class Evidence:
    """The records of one analysis, in the order written, each once.

    Records are dataclasses whose hash is computed in Python at every dict insertion: records
    taken from another ``Evidence`` or from a dict (keys, in order) are copied with the hashes
    that dict keeps."""

    __slots__ = ("_records",)

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._records: dict[Record, None] = dict.fromkeys(_keyed(records))

    def add(self, record: Record) -> None:
        self._records.setdefault(record)

    def extend(self, records: Iterable[Record]) -> None:
        keyed = _keyed(records)
        if type(keyed) is dict:
            self._records.update(dict.fromkeys(keyed))  # as ``setdefault`` of each key, in order
            return
        for record in records:
            self._records.setdefault(record)

    def of(self, kind: type[R]) -> list[R]:
        """The records of one type, in the order written."""
        return [r for r in self._records if type(r) is kind]  # type: ignore[misc]

    def shifted(self, delta: int) -> Evidence:
        """The same records, ``delta`` lines further down."""
        return Evidence(r.shifted(delta) for r in self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __bool__(self) -> bool:
        return bool(self._records)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Evidence) and self._records.keys() == other._records.keys()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Evidence({list(self._records)!r})"


def _keyed(records: Iterable[Record]) -> Iterable[Record]:
    """``records`` as a dict when they are one or an ``Evidence`` (whose keys keep their hashes)."""
    return records._records if isinstance(records, Evidence) else records
