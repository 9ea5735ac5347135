"""A view renders a page that includes a part writing a request value unescaped, through a real
server: the view's diagnostic ends in the included file, the open part shows the finding at its
write, and editing the part (which the view never names) refreshes the view."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from .conftest import change_doc, client_in_workspace, diagnostics, encoding_of, offset_of, open_doc
from .test_lsp_templates import _view_shows

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEWS = """from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/bio")
def bio():
    text = request.args["bio"]
    return render_template("page.html", title="About", bio=text)
"""
LAYOUT = "<html>\n{% block main %}{% endblock %}\n</html>\n"
PAGE = '{% extends "layout.html" %}\n{% block main %}\n<h1>{{ title }}</h1>\n{% include "parts/bio.html" %}\n{% endblock %}\n'
PART = "<section>\n  {{ bio|safe }}\n</section>\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("includes")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "web" / "templates" / "parts").mkdir(parents=True)
    (root / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "web" / "templates" / "layout.html").write_text(LAYOUT, encoding="utf-8")
    (root / "web" / "templates" / "page.html").write_text(PAGE, encoding="utf-8")
    (root / "web" / "templates" / "parts" / "bio.html").write_text(PART, encoding="utf-8")
    return root


client = client_in_workspace("visual-studio-code")


async def test_the_views_diagnostic_ends_in_the_included_file(client: LanguageClient, workspace: Path) -> None:
    uri = open_doc(client, workspace / "web" / "views.py", VIEWS)
    (found,) = [d for d in await diagnostics(client, uri, 1) if d.code == "SR806"]
    assert found.range.start.line == 8  # the render call
    templates = workspace / "web" / "templates"
    related = found.related_information or []
    assert [r.location.uri for r in related][-2:] == [
        (templates / "page.html").as_uri(),
        (templates / "parts" / "bio.html").as_uri(),
    ]
    assert related[-2].location.range.start.line == 3  # the {% include %} tag
    assert related[-1].location.range.start == offset_of(PART, "{{ bio|safe }}", encoding_of(client))


async def test_the_open_included_file_shows_the_finding(client: LanguageClient, workspace: Path) -> None:
    part = workspace / "web" / "templates" / "parts" / "bio.html"
    uri = open_doc(client, part, PART, language="jinja-html")
    (found,) = [d for d in await diagnostics(client, uri, 1) if d.code == "SR806"]
    assert found.range.start == offset_of(PART, "{{ bio|safe }}", encoding_of(client))
    assert "line 9 of views.py" in found.message


async def test_editing_the_included_file_refreshes_the_view(client: LanguageClient, workspace: Path) -> None:
    views_uri = (workspace / "web" / "views.py").as_uri()
    part_uri = (workspace / "web" / "templates" / "parts" / "bio.html").as_uri()
    published = len(client.published[views_uri])  # type: ignore[attr-defined]
    change_doc(client, part_uri, 2, PART.replace("|safe", ""))  # unsaved: the buffer counts
    assert not [d for d in await diagnostics(client, part_uri, 2) if d.code == "SR806"]
    await _view_shows(client, views_uri, published, 0)
    published = len(client.published[views_uri])  # type: ignore[attr-defined]
    change_doc(client, part_uri, 3, PART)
    await _view_shows(client, views_uri, published, 1)
