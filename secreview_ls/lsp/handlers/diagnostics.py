"""Pulled diagnostics: ``textDocument/diagnostic`` and ``workspace/diagnostic``."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from ..results import Published
from ..server import SecReviewServer

WORKSPACE_POLL = 60.0  # seconds an unchanged workspace/diagnostic request is held

DocumentReport = types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport
WorkspaceReport = types.WorkspaceFullDocumentDiagnosticReport | types.WorkspaceUnchangedDocumentDiagnosticReport


async def document_diagnostic(ls: SecReviewServer, params: types.DocumentDiagnosticParams) -> DocumentReport:
    """The report for an open document's current version (a scanned file's when it is not
    open); always a report, empty when nothing is known."""
    uri = params.text_document.uri
    cell = await ls.notebooks.cell_result(uri)  # a notebook cell: the notebook's analysis
    if cell is not None:
        if params.previous_result_id == cell.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=cell.result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=cell.diagnostics, result_id=cell.result_id)
    result = await ls.current_result(uri)
    if result is None:
        result = ls.scanned_result(uri)
        if result is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[], result_id="empty")
    if params.previous_result_id == result.result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result.result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=result.diagnostics, result_id=result.result_id)


async def workspace_diagnostic(
    ls: SecReviewServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    """Reports for open documents and scanned files. When the client already has every
    result, the request is held until one changes (the client re-sends it as soon as it is
    answered), for at most ``WORKSPACE_POLL`` seconds."""
    previous = {p.uri: p.value for p in params.previous_result_ids or []}
    deadline = asyncio.get_running_loop().time() + WORKSPACE_POLL
    while True:
        changes = ls.result_changes
        items: list[WorkspaceReport] = []
        for uri in ls.open_uris():
            result = await ls.current_result(uri)
            if result is not None:
                items.append(workspace_report(uri, result, previous))
        for uri, result in ls.scanned_results():
            items.append(workspace_report(uri, result, previous))
        fresh = any(isinstance(item, types.WorkspaceFullDocumentDiagnosticReport) for item in items)
        remaining = deadline - asyncio.get_running_loop().time()
        if fresh or not previous or remaining <= 0:
            return types.WorkspaceDiagnosticReport(items=items)
        await ls.wait_for_results(changes, remaining)


def workspace_report(uri: str, result: Published, previous: dict[str, str]) -> WorkspaceReport:
    """Unchanged when the client's previous result id is this result's, full otherwise."""
    if previous.get(uri) == result.result_id:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(
            uri=uri, version=result.version, result_id=result.result_id
        )
    return types.WorkspaceFullDocumentDiagnosticReport(
        uri=uri, version=result.version, items=result.diagnostics, result_id=result.result_id
    )
