"""An open template shows the findings of the views rendering it: a view changed on disk (the
file watcher tells) or saved analyzes the template again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import client_in_workspace, diagnostics, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEWS = """from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/bio")
def bio():
    return render_template("bio.html", bio=request.args["bio"])
"""
SAFE_VIEWS = VIEWS.replace('request.args["bio"]', '"about us"')
PAGE = "<section>{{ bio|safe }}</section>\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("templateviews")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "bio.html").write_text(PAGE, encoding="utf-8")
    return root


client = client_in_workspace("visual-studio-code")


async def test_a_view_changed_on_disk_analyzes_the_open_template_again(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "templates" / "bio.html", PAGE, language="jinja-html")
    assert any(d.code == "SR806" for d in await diagnostics(client, uri, 1))
    views = workspace / "views.py"
    for text, shown in ((SAFE_VIEWS, False), (VIEWS, True)):
        views.write_text(text, encoding="utf-8")
        published = len(client.published[uri])  # type: ignore[attr-defined]
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=views.as_uri(), type=types.FileChangeType.Changed)]
            )
        )
        for _ in range(400):
            history = client.published[uri]  # type: ignore[attr-defined]
            if len(history) > published and any(d.code == "SR806" for d in history[-1][1]) == shown:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the template was not analyzed again: {client.published[uri]}")  # type: ignore[attr-defined]
