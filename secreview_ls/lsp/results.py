"""One document's analysis result as the server keeps it: findings and notices with their
diagnostics, the lines they were computed on, and a result id for pulled diagnostics."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from ..pipeline import Finding, Notice
from .analysis import split_lines_keepends
from .convert import ClientFeatures, DiagnosticCache, notice_to_diagnostic, to_json, with_version


@dataclass
class Published:
    """The analysis result of one document version, as last sent (or to be pulled)."""

    version: int | None
    generation: int
    findings: list[Finding]
    notices: list[Notice]
    made: Callable[[], list[types.Diagnostic]]  # makes ``diagnostics`` (most results are only sent)
    lines: list[str]
    result_id: str
    seconds: float = 0.0
    wire: list[dict[str, Any]] = field(default_factory=list)  # the diagnostics as JSON-ready data

    @cached_property
    def diagnostics(self) -> list[types.Diagnostic]:
        """The diagnostics as protocol objects (``wire`` is what is sent)."""
        return self.made()


def to_published(
    findings: list[Finding],
    notices: list[Notice],
    *,
    lines: list[str],
    version: int | None,
    generation: int,
    encoding: str,
    features: ClientFeatures,
    cache: DiagnosticCache | None = None,
) -> Published:
    """Convert a result to diagnostics (reusing ``cache``, the document's previous ones)."""
    converted = cache if cache is not None else DiagnosticCache()
    bases, wire = converted.convert_wire(
        findings, lines, encoding, version=version, uri_for=uri_for, lines_for=read_lines, features=features
    )
    shown: list[types.Diagnostic] = []
    for notice in notices:
        diagnostic = notice_to_diagnostic(notice, lines, encoding, features)
        if diagnostic is not None:
            shown.append(diagnostic)
            wire.append(to_json(diagnostic))
    digest = hashlib.sha1(usedforsecurity=False)
    for found in findings:
        digest.update(f"{found.rule_id}|{found.span}|{found.message}|{found.fingerprint}\n".encode("utf-8", "replace"))
    for notice in notices:
        digest.update(f"{notice.kind}|{notice.span}|{notice.message}\n".encode("utf-8", "replace"))
    return Published(
        version=version,
        generation=generation,
        findings=findings,
        notices=notices,
        made=lambda: [*with_version(bases, version), *shown],
        lines=lines,
        result_id=f"{version}:{generation}:{digest.hexdigest()[:16]}",
        wire=wire,
    )


def path_for(uri: str) -> str:
    """Filesystem path of a ``file:`` URI; otherwise a stable pseudo-path."""
    path = to_fs_path(uri)
    if path and uri.startswith("file:"):
        return path
    return unquote(uri)


@lru_cache(maxsize=4096)  # asked for every step of every data-flow path, at every version
def uri_for(path: str) -> str:
    if "://" in path or path.startswith("untitled:"):
        return path
    return from_fs_path(path) or path


def read_lines(path: str) -> list[str] | None:
    """Lines of a file on disk (for the positions of data-flow steps in other files)."""
    try:
        return split_lines_keepends(Path(path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
