"""A log formatter that cleans every message, written or removed in another file of the workspace
(the file watcher tells): the open documents' log findings follow."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import client_in_workspace, diagnostics, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEW = """import logging

from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger(__name__)


@app.route("/")
def index():
    log.info(f"hello {request.args['name']}")
    return "ok"
"""
CLEANING = """import logging


class Clean(logging.Formatter):
    def format(self, record):
        record.msg = str(record.msg).replace("\\n", "\\\\n")
        return super().format(record)


logging.getLogger().handlers[0].setFormatter(Clean())
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logformatters")
    (root / "views.py").write_text(VIEW, encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    return root


client = client_in_workspace("visual-studio-code")


async def _until(client: LanguageClient, uri: str, published: int, logged: bool) -> None:
    for _ in range(400):
        history = client.published[uri]  # type: ignore[attr-defined]
        if len(history) > published and any(d.code == "SR813" for d in history[-1][1]) == logged:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"views.py was not analyzed again: {client.published[uri]}")  # type: ignore[attr-defined]


async def test_a_formatter_file_created_and_deleted_on_disk(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "views.py", VIEW)
    assert any(d.code == "SR813" for d in await diagnostics(client, uri, 1))
    logs = workspace / "logs.py"
    for change, logged in ((types.FileChangeType.Created, False), (types.FileChangeType.Deleted, True)):
        if change == types.FileChangeType.Created:
            logs.write_text(CLEANING, encoding="utf-8")
        else:
            logs.unlink()
        published = len(client.published[uri])  # type: ignore[attr-defined]
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=logs.as_uri(), type=change)])
        )
        await _until(client, uri, published, logged)
