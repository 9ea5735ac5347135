"""The server's use of the pipeline's filters, the cross-module index and the review.

Filtering (``scope = "changed"``, ``baseline``) is the pipeline's, shared with the
command line; this module only reads the folder settings that drive it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..pipeline import Finding, ProjectIndex, filter_document
from ..pipeline import forget_baselines as forget_baselines
from ..review import review_file
from .settings import FolderSettings

log = logging.getLogger("secreview_ls.lsp")


def filter_findings(findings: list[Finding], path: str, text: str, settings: FolderSettings) -> list[Finding]:
    """Apply the ``scope`` and ``baseline`` settings to one document's findings."""
    return filter_document(
        findings,
        path,
        text,
        changed_since=settings.options.diff_base if settings.options.scope == "changed" else None,
        baseline_path=settings.baseline_path,
        root=settings.config.root or settings.root or Path(path).parent,
    )


def project_index(root: Path, read: Any) -> ProjectIndex | None:
    """A cross-module index for a workspace folder."""
    try:
        return ProjectIndex([root], read=read)
    except Exception as error:
        log.warning("cross-module index for %s unavailable: %s", root, error)
        return None


def review_text(result: Any, text: str, settings: FolderSettings, display_path: str) -> str | None:
    """The review of one open document."""
    filtered = None
    if settings.options.scope == "changed":
        filtered = "on changed lines"
    elif settings.baseline_path is not None:
        filtered = "not in the baseline"
    return review_file(result, text, config=settings.config, display_path=display_path, filtered=filtered)
