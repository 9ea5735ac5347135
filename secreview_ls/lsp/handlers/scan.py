"""``secreview.scanWorkspace``: analyze every file of every workspace folder, with progress.

Python files get every rule, other text files (``.env``, YAML, TOML, INI...) the
text rules. Open documents are skipped: their live analysis is authoritative.
Push clients receive diagnostics for each file; pull clients get them from
``workspace/diagnostic`` (a refresh is requested when the client supports it).
Cancel it with ``$/cancelRequest`` or from the progress UI.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from ...pipeline import discover_files
from .. import analysis
from ..convert import ClientFeatures
from ..results import Published, to_published, uri_for
from ..server import SecReviewServer
from ..settings import FolderSettings

BATCH = 8  # files per worker call


@dataclass(frozen=True)
class ScanTarget:
    """A file to scan, with what its result is converted for (taken on the event loop)."""

    path: Path
    settings: FolderSettings
    project: analysis.ProjectIndex | None
    encoding: str
    features: ClientFeatures
    generation: int


async def scan_workspace(ls: SecReviewServer, *args: Any) -> dict[str, Any]:
    """Scan, report progress, keep each file's result; returns ``{files, findings, cancelled,
    seconds}``."""
    started = time.perf_counter()
    folders = ls.folders()
    token = await begin_progress(ls)
    targets = await files_to_scan(ls, folders)
    total = len(targets)
    findings = 0
    scanned = 0
    cancelled = False
    try:
        for index in range(0, total, BATCH):
            if token is not None and progress_cancelled(ls, token):
                cancelled = True
                break
            batch = targets[index : index + BATCH]
            for uri, published in await ls.run_in_worker(analyze_batch, ls, batch):
                if ls.store_scanned(uri, published):
                    findings += len(published.findings)
            scanned += len(batch)
            if token is not None:
                ls.work_done_progress.report(
                    token,
                    types.WorkDoneProgressReport(
                        message=f"{scanned}/{total} files", percentage=int(100 * scanned / max(total, 1))
                    ),
                )
    except asyncio.CancelledError:
        cancelled = True
        raise
    finally:
        seconds = time.perf_counter() - started
        summary = f"{scanned} files, {findings} findings in {seconds:.1f} s" + (" (cancelled)" if cancelled else "")
        if token is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=summary))
        ls.log_message(f"workspace scan: {summary}")
        if ls.pull and ls.capability("workspace.diagnostics.refresh_support", False):
            ls.workspace_diagnostic_refresh(None)
    return {"files": scanned, "findings": findings, "cancelled": cancelled, "seconds": round(seconds, 3)}


async def begin_progress(ls: SecReviewServer) -> str | None:
    """A work-done progress token, begun; None when the client shows no progress."""
    if not ls.capability("window.work_done_progress", False):
        return None
    token = f"secreview-scan-{uuid.uuid4().hex[:12]}"
    try:
        await ls.work_done_progress.create_async(token)
    except Exception:
        return None
    ls.work_done_progress.begin(
        token, types.WorkDoneProgressBegin(title="SecReview: scanning the workspace", cancellable=True, percentage=0)
    )
    return token


async def files_to_scan(ls: SecReviewServer, folders: list[tuple[str, Path]]) -> list[ScanTarget]:
    """The files of the workspace folders that are not open."""
    found: list[tuple[Path, FolderSettings]] = []
    for _uri, root in folders:
        settings = ls.settings_for(str(root / "__probe__.py"))
        discovered = await ls.run_in_worker(discover_files, [root], settings.config)
        found.extend((path, settings) for path in discovered.files)
    open_paths = ls.open_paths()
    encoding = ls.encoding
    features = ls.client_features()
    generation = ls.generation
    return [
        ScanTarget(path, settings, ls.project_for(settings), encoding, features, generation)
        for path, settings in found
        if str(path) not in open_paths
    ]


def analyze_batch(ls: SecReviewServer, batch: list[ScanTarget]) -> list[tuple[str, Published]]:
    """Analyze and convert a few files (runs in a worker thread); a file whose analysis fails
    is logged and skipped."""
    out: list[tuple[str, Published]] = []
    for target in batch:
        try:
            result = analysis.analyze_disk_file(target.path, target.settings, target.project)
        except Exception as error:  # one bad file must not end the scan
            ls.log_message(f"{target.path}: analysis failed: {type(error).__name__}: {error}", types.MessageType.Error)
            continue
        published = to_published(
            result.findings,
            [n for n in result.notices if n.span is not None],
            lines=analysis.split_lines_keepends(result.text),
            version=None,
            generation=target.generation,
            encoding=target.encoding,
            features=target.features,
        )
        out.append((uri_for(str(target.path)), published))
    return out


def progress_cancelled(ls: SecReviewServer, token: str) -> bool:
    future = ls.work_done_progress.tokens.get(token)
    return future is not None and future.cancelled()
