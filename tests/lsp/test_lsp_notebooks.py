"""Jupyter notebooks through a real server over stdio (LSP 3.17 notebook synchronization):
the code cells are analyzed as one module and each cell gets its diagnostics on its own URI,
at cell-local positions."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from .rawclient import RawServer

CELL_1 = "%matplotlib inline\n!pip install requests\nimport subprocess\n"
CELL_2 = "# a comment\ncommand = input()\nsubprocess.call(command, shell=True)\n"
CELL_3 = "import hashlib\nhashlib.md5(b'x').hexdigest()\n"


def cell_uri(notebook: Path, n: int) -> str:
    return f"vscode-notebook-cell:{notebook.as_posix()}#W{n}sZmlsZQ%3D%3D"


async def start(root: Path, pull: bool = False) -> RawServer:
    server = await RawServer.start()
    text_document: dict[str, Any] = {"publishDiagnostics": {"versionSupport": True}}
    if pull:
        text_document["diagnostic"] = {"dynamicRegistration": False}
    answer = await server.call(
        "initialize",
        {
            "processId": None,
            "rootUri": root.as_uri(),
            "capabilities": {"textDocument": text_document, "notebookDocument": {"synchronization": {}}},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "initializationOptions": {"debounce": 0},
        },
    )
    sync = answer["result"]["capabilities"].get("notebookDocumentSync")
    assert sync and sync["notebookSelector"][0]["cells"] == [{"language": "python"}], answer
    await server.notify("initialized", {})
    return server


async def open_notebook(server: RawServer, notebook: Path, cells: list[tuple[str, int, str]]) -> None:
    """cells: (uri, kind (1 markup, 2 code), text)."""
    await server.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": notebook.as_uri(),
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [{"kind": kind, "document": uri} for uri, kind, _ in cells],
            },
            "cellTextDocuments": [
                {"uri": uri, "languageId": "python" if kind == 2 else "markdown", "version": 1, "text": text}
                for uri, kind, text in cells
            ],
        },
    )


async def published(server: RawServer, uri: str, start: int = 0) -> list[dict[str, Any]]:
    message = await server.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == uri, start=start)
    return list(message["params"]["diagnostics"])


@pytest.mark.asyncio
async def test_notebook_cells_get_their_own_diagnostics(tmp_path: Path) -> None:
    notebook = tmp_path / "analysis.ipynb"
    uris = [cell_uri(notebook, n) for n in range(4)]
    server = await start(tmp_path)
    try:
        await open_notebook(
            server,
            notebook,
            [
                (uris[0], 2, CELL_1),
                (uris[1], 1, "# Notes\nnot python: `x = ?`\n"),
                (uris[2], 2, CELL_2),
                (uris[3], 2, CELL_3),
            ],
        )
        second = await published(server, uris[2])
        (injection,) = [d for d in second if d["code"] == "SR802"]
        # `subprocess` comes from cell 1, `command` from this cell: one module, cell-local lines.
        assert injection["range"]["start"] == {"line": 2, "character": 0}
        assert "line 2" in injection["message"] and "line 3" in injection["message"]
        related = injection.get("relatedInformation") or []
        assert all(r["location"]["uri"] == uris[2] for r in related)
        third = await published(server, uris[3])
        assert [(d["code"], d["range"]["start"]["line"]) for d in third] == [("SR301", 1)]
        first = await published(server, uris[0])
        assert first == []  # the magics are not parsed: no syntax error
        assert not [n for n in server.notifications if n["params"].get("uri") == uris[1]]  # markdown cell

        # Editing cell 3 to drop the MD5 call clears its diagnostic; the others stay.
        start_at = len(server.notifications)
        await server.notify(
            "notebookDocument/didChange",
            {
                "notebookDocument": {"uri": notebook.as_uri(), "version": 2},
                "change": {
                    "cells": {
                        "textContent": [
                            {
                                "document": {"uri": uris[3], "version": 2},
                                "changes": [
                                    {
                                        "range": {
                                            "start": {"line": 1, "character": 0},
                                            "end": {"line": 2, "character": 0},
                                        },
                                        "text": "",
                                    }
                                ],
                            }
                        ]
                    }
                },
            },
        )
        assert await published(server, uris[3], start=start_at) == []

        # Closing the notebook clears every cell.
        start_at = len(server.notifications)
        await server.notify(
            "notebookDocument/didClose",
            {"notebookDocument": {"uri": notebook.as_uri()}, "cellTextDocuments": [{"uri": u} for u in uris]},
        )
        assert await published(server, uris[2], start=start_at) == []
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_a_pulling_client_gets_cell_diagnostics(tmp_path: Path) -> None:
    notebook = tmp_path / "pulled.ipynb"
    uris = [cell_uri(notebook, n) for n in range(2)]
    server = await start(tmp_path, pull=True)
    try:
        await open_notebook(server, notebook, [(uris[0], 2, CELL_1), (uris[1], 2, CELL_2)])
        answer = await server.call("textDocument/diagnostic", {"textDocument": {"uri": uris[1]}})
        report = answer["result"]
        assert report["kind"] == "full"
        assert [(d["code"], d["range"]["start"]["line"]) for d in report["items"]] == [("SR802", 2)]
        again = await server.call(
            "textDocument/diagnostic", {"textDocument": {"uri": uris[1]}, "previousResultId": report["resultId"]}
        )
        assert again["result"]["kind"] == "unchanged"
        await asyncio.sleep(0.2)
        assert not [n for n in server.notifications if n.get("method") == "textDocument/publishDiagnostics"]
    finally:
        await server.stop()
