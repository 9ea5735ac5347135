"""``secreview.scanWorkspace``: analyze every file of every workspace folder, with progress.

Python files get every rule, other text files (``.env``, YAML, TOML, INI...) the
text rules (``pipeline.analyze_file``). Open documents are skipped: their live
analysis is authoritative. Push clients receive diagnostics for each file;
pull clients get them from ``workspace/diagnostic`` (a refresh is requested
when the client supports it). Cancel it with ``$/cancelRequest`` or from the
progress UI.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..pipeline import AnalysisResult, analyze_file, discover_files
from . import integrations
from .convert import ClientFeatures
from .positions import split_lines_keepends

if TYPE_CHECKING:
    from .server import Published, SecReviewServer

BATCH = 8  # files per executor call


async def scan_workspace(ls: SecReviewServer) -> dict[str, Any]:
    from .server import Job, to_published, uri_for

    started = time.perf_counter()
    folders = ls.folders()
    token: str | None = None
    if ls.capability("window.work_done_progress", False):
        token = f"secreview-scan-{uuid.uuid4().hex[:12]}"
        try:
            await ls.work_done_progress.create_async(token)
        except Exception:
            token = None
    if token is not None:
        ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title="SecReview: scanning the workspace", cancellable=True, percentage=0)
        )
    loop = asyncio.get_running_loop()
    files: list[tuple[Path, Any]] = []
    for _uri, root in folders:
        settings = ls.settings_for(str(root / "__probe__.py"))
        found = await loop.run_in_executor(ls.executor, lambda r=root, s=settings: discover_files([r], s.config))
        files.extend((path, settings) for path in found.files)
    open_paths = {state.path for state in ls.docs.values()}
    files = [(p, s) for p, s in files if str(p) not in open_paths]
    total = len(files)
    findings = 0
    scanned = 0
    cancelled = False
    features = ls.client_features()
    encoding = ls.encoding
    generation = ls.generation

    def analyze_batch(batch: list[tuple[Path, Any]]) -> list[tuple[str, Published]]:
        out: list[tuple[str, Published]] = []
        for path, settings in batch:
            options: dict[str, Any] = {}
            project = ls.projects.get(str(settings.root)) if settings.root is not None else None
            if project is not None:
                options["project"] = project
            try:
                result: AnalysisResult = analyze_file(path, settings.config, project=project)
                text = path.read_text(encoding="utf-8", errors="replace") if result.findings or result.notices else ""
            except Exception as error:  # one bad file must not end the scan
                ls.log_message(f"{path}: analysis failed: {type(error).__name__}: {error}", types.MessageType.Error)
                continue
            kept = integrations.filter_findings(result.findings, str(path), text, settings)
            job = Job(
                uri=uri_for(str(path)), path=str(path), python=True, text=text, lines=split_lines_keepends(text),
                version=None, generation=generation, settings=settings, analyzer=None, encoding=encoding,
                features=features, options=options,
            )
            out.append((job.uri, to_published(job, kept, [n for n in result.notices if n.span is not None])))
        return out

    try:
        for index in range(0, total, BATCH):
            if token is not None and _progress_cancelled(ls, token):
                cancelled = True
                break
            batch = files[index : index + BATCH]
            results = await loop.run_in_executor(ls.executor, analyze_batch, batch)
            for uri, published in results:
                if uri in ls.docs:
                    continue  # opened meanwhile: the live analysis wins
                ls.scanned[uri] = published
                ls.results_changed()
                findings += len(published.findings)
                if not ls.pull:
                    ls.text_document_publish_diagnostics(
                        types.PublishDiagnosticsParams(uri=uri, diagnostics=published.diagnostics)
                    )
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


def _progress_cancelled(ls: SecReviewServer, token: str) -> bool:
    future = ls.work_done_progress.tokens.get(token)
    return future is not None and future.cancelled()


__all__ = ["ClientFeatures", "scan_workspace"]
