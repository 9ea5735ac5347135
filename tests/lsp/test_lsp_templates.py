"""A view's request value written unescaped by a template file, through a real server: the view's
diagnostic points into the template (relatedInformation)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from .conftest import CONFIG, diagnostics, encoding_of, offset_of, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEWS = '''from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/bio")
def bio():
    text = request.args["bio"]
    return render_template("people/bio.html", title="About", bio=text)
'''
PAGE = "<h1>{{ title }}</h1>\n<section>\n  😀 {{ bio|safe }}\n</section>\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("templates")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "web").mkdir()
    (root / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "web" / "templates" / "people").mkdir(parents=True)
    (root / "web" / "templates" / "people" / "bio.html").write_text(PAGE, encoding="utf-8")
    return root


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, workspace: Path):
    await start(lsp_client, "visual-studio-code", workspace)
    yield
    await lsp_client.shutdown_session()


async def test_the_views_diagnostic_points_into_the_template(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "web" / "views.py", VIEWS)
    items = [d for d in await diagnostics(client, uri, 1) if d.code == "SR806"]
    assert len(items) == 1, items
    (found,) = items
    assert found.range.start.line == 8  # the render call
    assert "bio.html" in found.message
    template_uri = (workspace / "web" / "templates" / "people" / "bio.html").as_uri()
    related = found.related_information or []
    assert [r.location.uri for r in related] == [uri, uri, uri, template_uri]
    last = related[-1]
    start = offset_of(PAGE, "{{ bio|safe }}", encoding_of(client))
    assert last.location.range.start == start  # after an emoji: the client's units
    assert last.location.range.end.character == start.character + len("{{ bio|safe }}")
    assert "{{ bio|safe }}" in last.message
