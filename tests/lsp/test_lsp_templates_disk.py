"""A template changed on disk while not open in the editor (a checkout, another tool): the open
view naming it is analyzed again once the client reports the change, through a real server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import client_in_workspace, diagnostics, open_doc
from .test_lsp_templates import PAGE, VIEWS

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("templates-disk")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "web" / "templates" / "people").mkdir(parents=True)
    (root / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "web" / "templates" / "people" / "bio.html").write_text(PAGE, encoding="utf-8")
    return root


client = client_in_workspace("visual-studio-code")


async def test_a_template_changed_on_disk_refreshes_the_open_view(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "web" / "views.py", VIEWS)
    assert len([d for d in await diagnostics(client, uri, 1) if d.code == "SR806"]) == 1
    page = workspace / "web" / "templates" / "people" / "bio.html"
    page.write_text(PAGE.replace("|safe", ""), encoding="utf-8")
    published = len(client.published[uri])  # type: ignore[attr-defined]
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=page.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    for _ in range(400):
        history = client.published[uri]  # type: ignore[attr-defined]
        if len(history) > published:
            assert not [d for d in history[-1][1] if d.code == "SR806"], history[-1]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the view was not analyzed again after its template changed on disk")
