"""Every LSP method and command the server answers, and the function that answers it.

Each handler is a module-level function whose first parameter is the server (named
``ls``: pygls passes the server only to such functions), grouped by concern:
``lifecycle``, ``documents``, ``notebooks``, ``diagnostics``, ``findings`` (hover, code actions, code
lens), ``commands``, ``scan`` and ``workspace``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsprotocol import types

from ..actions import FIX_ALL
from ..server import SecReviewServer
from . import commands, diagnostics, documents, findings, lifecycle, notebooks, scan, workspace

FEATURES: tuple[tuple[str, Any, Callable[..., Any]], ...] = (
    (types.INITIALIZE, None, lifecycle.initialize),
    (types.INITIALIZED, None, lifecycle.initialized),
    (types.SHUTDOWN, None, lifecycle.shutdown),
    (types.TEXT_DOCUMENT_DID_OPEN, None, documents.did_open),
    (types.TEXT_DOCUMENT_DID_CHANGE, None, documents.did_change),
    (types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False), documents.did_save),
    (types.TEXT_DOCUMENT_DID_CLOSE, None, documents.did_close),
    (types.NOTEBOOK_DOCUMENT_DID_OPEN, None, notebooks.did_open),
    (types.NOTEBOOK_DOCUMENT_DID_CHANGE, None, notebooks.did_change),
    (types.NOTEBOOK_DOCUMENT_DID_CLOSE, None, notebooks.did_close),
    (
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="secreview", inter_file_dependencies=True, workspace_diagnostics=True),
        diagnostics.document_diagnostic,
    ),
    (types.WORKSPACE_DIAGNOSTIC, None, diagnostics.workspace_diagnostic),
    (types.TEXT_DOCUMENT_HOVER, None, findings.hover),
    (
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL],
            resolve_provider=False,
        ),
        findings.code_action,
    ),
    (types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False), findings.code_lens),
    (types.WORKSPACE_DID_CHANGE_CONFIGURATION, None, workspace.did_change_configuration),
    (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, None, workspace.did_change_watched_files),
    (types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, None, workspace.did_change_workspace_folders),
)

COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    (commands.SHOW_DOCUMENTATION, commands.show_documentation),
    (commands.REVIEW_FILE, commands.review_file),
    (commands.SCAN_WORKSPACE, scan.scan_workspace),
)


def register(server: SecReviewServer) -> None:
    """Register every handler of the tables on ``server``."""
    for method, options, handler in FEATURES:
        server.feature(method, options)(handler)
    for command, handler in COMMANDS:
        server.command(command)(handler)


def create_server() -> SecReviewServer:
    """A new, unstarted server with every handler registered."""
    server = SecReviewServer()
    register(server)
    return server
