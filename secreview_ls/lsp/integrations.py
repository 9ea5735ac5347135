"""The server's use of the pipeline's filters.

Filtering (``scope = "changed"``, ``baseline``) is the pipeline's, shared with the
command line; this module only reads the folder settings that drive it.
"""

from __future__ import annotations

from pathlib import Path

from ..pipeline import Finding, filter_document
from ..pipeline import forget_baselines as forget_baselines
from .settings import FolderSettings


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
