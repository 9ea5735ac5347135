"""The server's use of the review, git-diff, baseline and cross-module modules.

Each is optional at run time: a missing module or a failing git call is logged
once and the feature is skipped, never the analysis.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from ..engine.finding import Finding
from .settings import FolderSettings

log = logging.getLogger("secreview_ls.lsp")

_BASELINES: dict[Path, tuple[float, Any]] = {}
_BASELINE_ERRORS: dict[Path, str] = {}
_LOCK = threading.Lock()
_DIFF_CACHE: dict[tuple[str, str, int], tuple[float, set[int] | None]] = {}
_DIFF_TTL = 2.0  # seconds a buffer-vs-revision diff stays valid for the same text


def filter_findings(findings: list[Finding], path: str, text: str, settings: FolderSettings) -> list[Finding]:
    """Apply the ``scope`` and ``baseline`` settings to one document's findings."""
    if settings.options.scope == "changed" and findings:
        changed = changed_lines(path, text, settings)
        if changed is not None:
            findings = [f for f in findings if f.span.start_line in changed]
    baseline_path = settings.baseline_path
    if baseline_path is not None and findings:
        baseline = load_baseline(baseline_path)
        if baseline is not None:
            root = settings.config.root or settings.root or Path(path).parent
            relpath = _relative(path, root)
            findings = [f for f in findings if not baseline.is_known(f, relpath)]
    return findings


def changed_lines(path: str, text: str, settings: FolderSettings) -> set[int] | None:
    """1-based lines of the buffer that differ from the file at ``diffBase``; None = all new."""
    try:
        from .. import gitdiff
    except ImportError:
        log.warning("scope = changed needs secreview_ls.gitdiff, which is not available")
        return None
    key = (path, settings.options.diff_base, hash(text))
    now = time.monotonic()
    with _LOCK:
        cached = _DIFF_CACHE.get(key)
        if cached is not None and now - cached[0] < _DIFF_TTL:
            return cached[1]
    root = gitdiff.repo_root_of(Path(path)) if Path(path).is_absolute() else None
    lines: set[int] | None = None
    if root is not None:
        try:
            lines = gitdiff.changed_lines_for_text(root, path, text, settings.options.diff_base)
        except Exception as error:  # git missing, unknown revision...
            log.warning("cannot compare %s with %s: %s", path, settings.options.diff_base, error)
            lines = None
    with _LOCK:
        if len(_DIFF_CACHE) > 64:
            _DIFF_CACHE.clear()
        _DIFF_CACHE[key] = (now, lines)
    return lines


def load_baseline(path: Path) -> Any | None:
    """The baseline at ``path`` (re-read when the file changes); None when unusable."""
    try:
        from ..baseline import BaselineError
        from ..baseline import load_baseline as load
    except ImportError:
        log.warning("baseline needs secreview_ls.baseline, which is not available")
        return None
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
        baseline = load(path)
    except BaselineError as error:
        _report(path, str(error))
        return None
    with _LOCK:
        _BASELINES[path] = (stamp, baseline)
        _BASELINE_ERRORS.pop(path, None)
    return baseline


def forget_baselines() -> None:
    with _LOCK:
        _BASELINES.clear()
        _BASELINE_ERRORS.clear()


def _report(path: Path, message: str) -> None:
    with _LOCK:
        if _BASELINE_ERRORS.get(path) == message:
            return
        _BASELINE_ERRORS[path] = message
    log.warning("%s", message)


def _relative(path: str, root: Path) -> str:
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def project_index(root: Path, read: Any) -> Any | None:
    """A cross-module index for a workspace folder, if the engine provides one."""
    try:
        from ..engine.taint import ProjectIndex
    except ImportError:
        return None
    try:
        return ProjectIndex([root], read=read)
    except Exception as error:
        log.warning("cross-module index for %s unavailable: %s", root, error)
        return None


def review_text(result: Any, text: str, settings: FolderSettings, display_path: str) -> str | None:
    """The review of one open document, if the review module is available."""
    try:
        from ..review import review_file
    except ImportError:
        return None
    filtered = None
    if settings.options.scope == "changed":
        filtered = "on changed lines"
    elif settings.baseline_path is not None:
        filtered = "not in the baseline"
    return review_file(result, text, config=settings.config, display_path=display_path, filtered=filtered)
