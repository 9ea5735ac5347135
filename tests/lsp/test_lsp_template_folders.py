"""Template folders not named ``templates``, through a real server: one configured in
``template-dirs`` and one a Flask application declares (``template_folder=``). A file in either
is a template document (it shows its views' findings), and the file watcher's events for it
refresh the open views."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import client_in_workspace, diagnostics, encoding_of, offset_of, open_doc
from .test_lsp_templates import _view_shows

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEWS = """from flask import Flask, render_template, request

app = Flask(__name__, template_folder="pages")


@app.route("/bio")
def bio():
    return render_template("people/bio.html", bio=request.args["bio"])


@app.route("/card")
def card():
    return render_template("card.html", note=request.args["note"])
"""
BIO = "<section>\n  {{ bio|safe }}\n</section>\n"
CARD = "<p>{{ note|safe }}</p>\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("folders")
    (root / "pyproject.toml").write_text('[tool.secreview]\ntemplate-dirs = ["web/tpl"]\n', encoding="utf-8")
    (root / "web" / "tpl" / "people").mkdir(parents=True)
    (root / "web" / "pages").mkdir()
    (root / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "web" / "tpl" / "people" / "bio.html").write_text(BIO, encoding="utf-8")
    (root / "web" / "pages" / "card.html").write_text(CARD, encoding="utf-8")
    return root


client = client_in_workspace("visual-studio-code")


async def test_templates_of_both_folders_feed_the_view(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "web" / "views.py", VIEWS)
    found = [d for d in await diagnostics(client, uri, 1) if d.code == "SR806"]
    assert sorted(d.range.start.line for d in found) == [7, 12]


async def test_a_template_of_the_configured_folder_shows_the_finding(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "web" / "tpl" / "people" / "bio.html", BIO, language="jinja-html")
    (found,) = [d for d in await diagnostics(client, uri, 1) if d.code == "SR806"]
    assert found.range.start == offset_of(BIO, "{{ bio|safe }}", encoding_of(client))


async def test_a_declared_folders_template_changed_on_disk_refreshes_the_view(
    client: LanguageClient, workspace: Path
) -> None:
    views_uri = (workspace / "web" / "views.py").as_uri()
    card = workspace / "web" / "pages" / "card.html"
    card.write_text(CARD.replace("|safe", ""), encoding="utf-8")
    published = len(client.published[views_uri])  # type: ignore[attr-defined]
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=card.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await _view_shows(client, views_uri, published, 1)  # the bio finding stays, the card one is gone
