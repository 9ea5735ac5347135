"""Problems of ``pyproject.toml`` files shown in the editor.

Each problem of a workspace folder's ``[tool.secreview]`` (a bad value, an unknown key, an
unknown rule id) becomes a diagnostic on its line of the file (source ``secreview``; Error
for a value that is left out, Warning for an unknown key or rule id), and a new set of
problems is announced once with ``window/showMessage``. The diagnostics are pushed whatever
the diagnostic mode (the file is rarely open, so nothing would pull them), and merged into
the file's own diagnostics when it is open and analyzed (a push replaces a file's set).
Fixed problems disappear at the next reload (saving the file, a watched-file change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..pipeline import ConfigProblem, split_lines_keepends
from .convert import to_json
from .positions import position_at, strip_eol
from .results import uri_for

SOURCE = "secreview"


@dataclass
class ConfigDiagnostics:
    """The diagnostics of configuration files, by resolved path, and what was announced."""

    by_path: dict[str, tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)  # path -> (uri, wire)
    announced: frozenset[str] = frozenset()

    def wire_for(self, path: str) -> list[dict[str, Any]]:
        """The configuration diagnostics of ``path`` (to append to its own)."""
        entry = self.by_path.get(_resolved(path))
        return list(entry[1]) if entry is not None else []

    def update(self, problems: list[ConfigProblem], encoding: str) -> tuple[list[tuple[str, str]], str | None]:
        """Take the current problems; return the (uri, path) whose diagnostics changed and the
        message to show (None when this set of problems was already announced or is empty)."""
        grouped: dict[str, list[ConfigProblem]] = {}
        for problem in problems:
            if problem.path is not None:
                grouped.setdefault(_resolved(str(problem.path)), []).append(problem)
        previous = self.by_path
        current: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        for path, found in grouped.items():
            lines = _read_lines(path)
            unique = list(dict.fromkeys(found))
            current[path] = (uri_for(path), [to_json(to_diagnostic(p, lines, encoding)) for p in unique])
        self.by_path = current
        changed = [(entry[0], path) for path, entry in current.items() if previous.get(path) != entry]
        changed += [(entry[0], path) for path, entry in previous.items() if path not in current]
        described = frozenset(p.describe() for p in problems if p.path is not None)
        message = None
        if described and described != self.announced:
            message = announcement(sorted(described), any(p.severity == "error" for p in problems))
        self.announced = described
        return changed, message


def to_diagnostic(problem: ConfigProblem, lines: list[str], encoding: str) -> types.Diagnostic:
    line = min(problem.line, max(len(lines) - 1, 0))
    end_column = problem.end_column
    if end_column <= problem.column:
        end_column = len(strip_eol(lines[line])) if lines else 0
    start = position_at(lines, line, problem.column, encoding)
    end = position_at(lines, line, max(end_column, problem.column), encoding)
    severity = types.DiagnosticSeverity.Error if problem.severity == "error" else types.DiagnosticSeverity.Warning
    suffix = " (left out; the other settings apply)" if problem.severity == "error" and problem.key else ""
    return types.Diagnostic(
        range=types.Range(start=start, end=end),
        message=f"[tool.secreview] {problem.message}{suffix}",
        severity=severity,
        source=SOURCE,
        code="config",
    )


def announcement(described: list[str], errors: bool) -> str:
    head = "secreview: configuration problem" + ("s" if len(described) > 1 else "")
    tail = "" if not errors else " Invalid values are left out; the other settings apply."
    shown = "; ".join(described[:3]) + (f"; and {len(described) - 3} more" if len(described) > 3 else "")
    return f"{head}: {shown}.{tail}"


def _read_lines(path: str) -> list[str]:
    try:
        return split_lines_keepends(Path(path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path
