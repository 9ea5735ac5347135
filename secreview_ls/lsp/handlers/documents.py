"""Document synchronization: open, change, save, close."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from ..results import path_for
from ..server import SecReviewServer
from .workspace import reload_settings


def did_open(ls: SecReviewServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.open_document(params.text_document.uri, params.text_document.language_id)
    ls.schedule(params.text_document.uri, 0)


def did_change(ls: SecReviewServer, params: types.DidChangeTextDocumentParams) -> None:
    """The workspace has applied the edit already: analyze after the folder's debounce."""
    uri = params.text_document.uri
    if not ls.is_open(uri):
        ls.log_message(f"ignored a change to {uri}, which was never opened", types.MessageType.Warning)
        return
    ls.schedule(uri)
    ls.template_edited(uri)


def did_save(ls: SecReviewServer, params: types.DidSaveTextDocumentParams) -> None:
    """Saving ``pyproject.toml`` reloads the settings; saving a Python file re-analyzes it at
    once and the documents that may import it."""
    uri = params.text_document.uri
    path = path_for(uri)
    if Path(path).name == "pyproject.toml":
        reload_settings(ls, "pyproject.toml saved")
        return
    if ls.is_open(uri):
        ls.schedule(uri, 0)
    ls.file_saved(path)


def did_close(ls: SecReviewServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.close(params.text_document.uri)
