"""``secreview.scanWorkspace``: analyze every file of every workspace folder, with progress.

Python files get every rule, other text files (``.env``, YAML, TOML, INI...) the
text rules. Open documents are skipped: their live analysis is authoritative.
Push clients receive diagnostics for each file; pull clients get them from
``workspace/diagnostic`` (a refresh is requested when the client supports it).
Cancel it with ``$/cancelRequest`` or from the progress UI: the walk and the analysis
stop at once.

The walk is bounded (``pipeline/bounded_walk``): excludes and ``.gitignore`` honoured, pseudo
filesystems and system folders skipped, at most ``scanMaxFiles`` files (10,000 by
default; the user is told when the scan stops there). Each file's analysis has a budget
of 3 x the ``timeout`` setting, as in the command line; a file over it gets a diagnostic.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from ...pipeline import Notice, Span, find_files
from .. import analysis
from ..convert import ClientFeatures
from ..results import Published, to_published, uri_for
from ..server import SecReviewServer
from ..settings import FolderSettings
from ..workers import BudgetExceeded

BATCH = 8  # files between progress reports
HARD_TIMEOUT_FACTOR = 3.0  # a file is abandoned after this many times the `timeout` setting
CANCEL_POLL = 0.1  # seconds between looks at the progress UI's cancel button


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
    seconds, limited}`` (``limited``: why the scan stopped before the end of the folders)."""
    started = time.perf_counter()
    token = await begin_progress(ls)
    findings = 0
    scanned = 0
    limited: list[str] = []
    stop = threading.Event()
    try:
        async with watching_cancel(ls, token, stop):
            targets = await files_to_scan(ls, ls.folders(), stop, limited)
            total = len(targets)
            for target in targets:
                if stop.is_set():
                    break
                published = await analyze_target(ls, target)
                if published is not None and ls.store_scanned(uri_for(str(target.path)), published):
                    findings += len(published.findings)
                scanned += 1
                if token is not None and (scanned % BATCH == 0 or scanned == total):
                    ls.work_done_progress.report(
                        token,
                        types.WorkDoneProgressReport(
                            message=f"{scanned}/{total} files", percentage=int(100 * scanned / max(total, 1))
                        ),
                    )
    except asyncio.CancelledError:
        stop.set()
        raise
    finally:
        cancelled = stop.is_set()
        seconds = time.perf_counter() - started
        summary = f"{scanned} files, {findings} findings in {seconds:.1f} s" + (" (cancelled)" if cancelled else "")
        if limited:
            summary += "; " + "; ".join(limited)
        if token is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=summary))
        ls.log_message(f"workspace scan: {summary}")
        if limited:
            ls.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"SecReview workspace scan: {'; '.join(limited)}"
                )
            )
        if ls.pull and ls.capability("workspace.diagnostics.refresh_support", False):
            ls.workspace_diagnostic_refresh(None)
    return {
        "files": scanned,
        "findings": findings,
        "cancelled": cancelled,
        "seconds": round(seconds, 3),
        "limited": "; ".join(limited),
    }


@contextlib.asynccontextmanager
async def watching_cancel(ls: SecReviewServer, token: str | None, stop: threading.Event) -> AsyncIterator[None]:
    """Set ``stop`` as soon as the progress UI's cancel button is pressed."""

    async def watch() -> None:
        while token is not None and not stop.is_set():
            if progress_cancelled(ls, token):
                stop.set()
            await asyncio.sleep(CANCEL_POLL)

    watcher = asyncio.ensure_future(watch())
    try:
        yield
    finally:
        watcher.cancel()


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


async def files_to_scan(
    ls: SecReviewServer, folders: list[tuple[str, Path]], stop: threading.Event, limited: list[str]
) -> list[ScanTarget]:
    """The files of the workspace folders that are not open, within the walk's bounds (a
    sentence in ``limited`` for each bound reached)."""
    found: list[tuple[Path, FolderSettings]] = []
    for _uri, root in folders:
        settings = ls.settings_for(str(root / "__probe__.py"))
        room = settings.options.scan_max_files - len(found)
        if room <= 0 or stop.is_set():
            break
        walk = functools.partial(find_files, max_files=room, stop=stop.is_set)
        walked = await ls.run_in_worker(walk, root, settings.config)
        found.extend((path, settings) for path in walked.files)
        if walked.limited:
            limited.append(f"{root}: {walked.limited}")
        if walked.unreadable:
            ls.log_message(
                f"workspace scan: {walked.unreadable} folder(s) under {root} could not be read",
                types.MessageType.Warning,
            )
    open_paths = ls.open_paths()
    encoding = ls.encoding
    features = ls.client_features()
    generation = ls.generation
    return [
        ScanTarget(path, settings, ls.project_for(settings), encoding, features, generation)
        for path, settings in found
        if str(path) not in open_paths
    ]


async def analyze_target(ls: SecReviewServer, target: ScanTarget) -> Published | None:
    """One file's result (a diagnostic saying so when it ran over its budget); None when its
    analysis failed (logged)."""
    budget = target.settings.config.timeout * HARD_TIMEOUT_FACTOR
    try:
        return await ls.run_in_worker(analyze_one, target, budget=budget)
    except BudgetExceeded:
        message = f"analysis abandoned after {budget:g} s ({HARD_TIMEOUT_FACTOR:g} × the `timeout` setting); no findings reported for this file"
        ls.log_message(f"{target.path}: {message}", types.MessageType.Warning)
        notice = Notice("timeout", message, Span(1, 0, 1, 0), str(target.path))
        return convert(target, [], [notice], "")
    except Exception as error:  # one bad file must not end the scan
        ls.log_message(f"{target.path}: analysis failed: {type(error).__name__}: {error}", types.MessageType.Error)
        return None


def analyze_one(target: ScanTarget) -> Published:
    """Analyze and convert one file (runs in a worker thread)."""
    result = analysis.analyze_disk_file(target.path, target.settings, target.project)
    return convert(target, result.findings, [n for n in result.notices if n.span is not None], result.text)


def convert(target: ScanTarget, findings: list[Any], notices: list[Notice], text: str) -> Published:
    return to_published(
        findings,
        notices,
        lines=analysis.split_lines_keepends(text),
        version=None,
        generation=target.generation,
        encoding=target.encoding,
        features=target.features,
    )


def progress_cancelled(ls: SecReviewServer, token: str) -> bool:
    future = ls.work_done_progress.tokens.get(token)
    return future is not None and future.cancelled()
