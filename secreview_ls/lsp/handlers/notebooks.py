"""Notebook document synchronization: ``notebookDocument/didOpen``, ``didChange``, ``didClose``.

pygls has already applied the event to the workspace (the notebook and its cell text
documents) when these run; they schedule the notebook's analysis (``lsp/notebooks.py``)."""

from __future__ import annotations

from lsprotocol import types

from ..server import SecReviewServer


def did_open(ls: SecReviewServer, params: types.DidOpenNotebookDocumentParams) -> None:
    ls.notebooks.opened(params.notebook_document.uri)


def did_change(ls: SecReviewServer, params: types.DidChangeNotebookDocumentParams) -> None:
    cells = params.change.cells
    structure = cells.structure if cells is not None else None
    removed = [cell.uri for cell in (structure.did_close or [])] if structure is not None else []
    ls.notebooks.changed(params.notebook_document.uri, removed)


def did_close(ls: SecReviewServer, params: types.DidCloseNotebookDocumentParams) -> None:
    ls.notebooks.closed(params.notebook_document.uri, [cell.uri for cell in params.cell_text_documents])
