"""Filters applied after analysis, shared by the command line and the language server:
findings a baseline already knows, and findings on lines that did not change.

The command line filters a whole scan (``scan.scan_paths`` with ``baseline=`` /
``changed=``); the server filters one open document at a time with ``filter_document``,
comparing the unsaved buffer with a git revision and re-reading the baseline file only
when it changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.finding import Finding
from .baseline import Baseline, BaselineError, load_baseline
from .notebook_positions import notebook_file_span

if TYPE_CHECKING:
    import logging

_LOCK = threading.Lock()
_BASELINES: dict[Path, tuple[float, Baseline]] = {}
_BASELINE_ERRORS: dict[Path, str] = {}
_DIFF_CACHE: dict[tuple[str, str, int], tuple[float, set[int] | None]] = {}
_DIFF_TTL = 2.0  # seconds a buffer-vs-revision diff stays valid for the same text


def drop_known(findings: list[Finding], baseline: Baseline, relpath: str) -> list[Finding]:
    """The findings the baseline does not record for the file at ``relpath`` (root-relative, POSIX)."""
    return [f for f in findings if not baseline.is_known(f, relpath)]


def keep_changed(findings: list[Finding], is_changed: Callable[[int], bool]) -> list[Finding]:
    """The findings that start on a changed line (of the file: for a notebook finding, the
    line of the ``.ipynb`` JSON text that holds its cell's code)."""
    return [f for f in findings if is_changed(_line_in_file(f))]


def _line_in_file(found: Finding) -> int:
    cell = found.extra.get("cell")
    if not isinstance(cell, int) or isinstance(cell, bool):
        return found.span.start_line
    span = notebook_file_span(found.path, cell, found.span)
    return span.start_line if span is not None else found.span.start_line


def relative_to_root(path: str | Path, root: Path) -> str:
    """POSIX path of ``path`` relative to ``root``; absolute POSIX path when outside it."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def filter_document(
    findings: list[Finding],
    path: str,
    text: str,
    *,
    changed_since: str | None,
    baseline_path: Path | None,
    root: Path,
) -> list[Finding]:
    """One document's findings on lines changed since the revision ``changed_since`` (when
    given) and not in the baseline at ``baseline_path`` (when given and readable)."""
    if changed_since is not None and findings:
        changed = buffer_changed_lines(path, text, changed_since)
        if changed is not None:
            findings = keep_changed(findings, changed.__contains__)
    if baseline_path is not None and findings:
        baseline = cached_baseline(baseline_path)
        if baseline is not None:
            findings = drop_known(findings, baseline, relative_to_root(path, root))
    return findings


def buffer_changed_lines(path: str, text: str, rev: str) -> set[int] | None:
    """1-based lines of the buffer ``text`` that differ from the file at ``rev``; None = all new."""
    key = (path, rev, hash(text))
    now = time.monotonic()
    with _LOCK:
        cached = _DIFF_CACHE.get(key)
        if cached is not None and now - cached[0] < _DIFF_TTL:
            return cached[1]
    from .gitdiff import changed_lines_for_text, repo_root_of  # an editor's diff only: not at start

    root = repo_root_of(Path(path)) if Path(path).is_absolute() else None
    lines: set[int] | None = None
    if root is not None:
        try:
            lines = changed_lines_for_text(root, path, text, rev)
        except Exception as error:  # git missing, unknown revision...
            _log().warning("cannot compare %s with %s: %s", path, rev, error)
            lines = None
    with _LOCK:
        if len(_DIFF_CACHE) > 64:
            _DIFF_CACHE.clear()
        _DIFF_CACHE[key] = (now, lines)
    return lines


def cached_baseline(path: Path) -> Baseline | None:
    """The baseline at ``path``, re-read when the file changes; None (logged once) when unusable."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        _report(path, f"baseline {path} does not exist")
        return None
    with _LOCK:
        cached = _BASELINES.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    try:
        baseline = load_baseline(path)
    except BaselineError as error:
        _report(path, str(error))
        return None
    with _LOCK:
        _BASELINES[path] = (stamp, baseline)
        _BASELINE_ERRORS.pop(path, None)
    return baseline


def forget_baselines() -> None:
    """Drop every cached baseline (a baseline file or the settings changed)."""
    with _LOCK:
        _BASELINES.clear()
        _BASELINE_ERRORS.clear()


def _report(path: Path, message: str) -> None:
    with _LOCK:
        if _BASELINE_ERRORS.get(path) == message:
            return
        _BASELINE_ERRORS[path] = message
    _log().warning("%s", message)


def _log() -> logging.Logger:
    """This module's logger (``logging`` is imported when a warning is given, not at start)."""
    import logging

    return logging.getLogger(__name__)
