"""Data flow across files of one workspace folder, and its invalidation when the other file
changes (unsaved buffer text is what counts, once saved)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import change_doc, client_in_workspace, diagnostics, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

HELPERS = 'from flask import request\n\n\ndef search_term():\n    return request.args["q"]\n'
SAFE_HELPERS = 'def search_term():\n    return "books"\n'
VIEWS = """import sqlite3

from app.helpers import search_term


def search(conn: sqlite3.Connection):
    term = search_term()
    return conn.execute("SELECT * FROM items WHERE name = '" + term + "'").fetchall()
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crossmodule")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (root / "app" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    return root


client = client_in_workspace("visual-studio-code")


async def test_flow_through_another_file(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "app" / "views.py", VIEWS)
    items = await diagnostics(client, uri, 1)
    sql = [d for d in items if d.code == "SR801"]
    assert len(sql) == 1, items
    assert "helpers.py" in sql[0].message
    related = sql[0].related_information or []
    assert any(r.location.uri.endswith("/app/helpers.py") and r.location.range.start.line == 4 for r in related)


async def test_saving_the_other_file_updates_the_finding(client: LanguageClient, workspace: Path) -> None:
    views_uri = (workspace / "app" / "views.py").as_uri()
    helpers = workspace / "app" / "helpers.py"
    helpers_uri = open_doc(client, helpers, HELPERS)
    await diagnostics(client, helpers_uri, 1)
    change_doc(client, helpers_uri, 2, SAFE_HELPERS)
    await diagnostics(client, helpers_uri, 2)
    published = len(client.published[views_uri])  # type: ignore[attr-defined]
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=helpers_uri))
    )
    for _ in range(400):
        history = client.published[views_uri]  # type: ignore[attr-defined]
        if len(history) > published and not [d for d in history[-1][1] if d.code == "SR801"]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"views.py was not re-analyzed: {client.published[views_uri]}")  # type: ignore[attr-defined]
