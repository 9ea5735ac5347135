"""A view's request value written unescaped by a template file, through a real server: the view's
diagnostic points into the template (relatedInformation), an open template shows the same
finding at its write, and editing the template refreshes the view."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from .conftest import change_doc, client_in_workspace, diagnostics, encoding_of, offset_of, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

VIEWS = """from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/bio")
def bio():
    text = request.args["bio"]
    return render_template("people/bio.html", title="About", bio=text)
"""
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


client = client_in_workspace("visual-studio-code")


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


async def test_an_open_template_shows_the_finding_at_its_write(client: LanguageClient, workspace: Path) -> None:
    """The same finding seen from the template: on the `{{ bio|safe }}`, its path running
    through the view's file."""
    page = workspace / "web" / "templates" / "people" / "bio.html"
    uri = open_doc(client, page, PAGE, language="jinja-html")
    items = [d for d in await diagnostics(client, uri, 1) if d.code == "SR806"]
    assert len(items) == 1, items
    (found,) = items
    start = offset_of(PAGE, "{{ bio|safe }}", encoding_of(client))
    assert found.range.start == start
    assert "line 9 of views.py" in found.message
    views_uri = (workspace / "web" / "views.py").as_uri()
    related = found.related_information or []
    assert [r.location.uri for r in related] == [views_uri, views_uri, views_uri, uri]
    assert related[0].location.range.start.line == 7  # the source, in the view


async def test_editing_the_template_refreshes_the_view(client: LanguageClient, workspace: Path) -> None:
    views_uri = (workspace / "web" / "views.py").as_uri()
    page_uri = (workspace / "web" / "templates" / "people" / "bio.html").as_uri()
    published = len(client.published[views_uri])  # type: ignore[attr-defined]
    change_doc(client, page_uri, 2, PAGE.replace("|safe", ""))  # unsaved: the buffer counts
    assert not [d for d in await diagnostics(client, page_uri, 2) if d.code == "SR806"]
    await _view_shows(client, views_uri, published, 0)
    published = len(client.published[views_uri])  # type: ignore[attr-defined]
    moved = PAGE.replace("<section>\n", "<section>\n{% autoescape false %}{{ bio }}{% endautoescape %}\n")
    change_doc(client, page_uri, 3, moved)
    (found,) = [d for d in await diagnostics(client, page_uri, 3) if d.code == "SR806"]
    assert found.range.start.line == 2
    await _view_shows(client, views_uri, published, 1)
    related = next(d for d in client.published[views_uri][-1][1] if d.code == "SR806").related_information  # type: ignore[attr-defined]
    assert related[-1].location.range.start.line == 2  # the write in the edited text


async def _view_shows(client: LanguageClient, uri: str, published: int, count: int) -> None:
    """Wait for the view to be published again with ``count`` SR806 diagnostics."""
    for _ in range(400):
        history = client.published[uri]  # type: ignore[attr-defined]
        if len(history) > published and len([d for d in history[-1][1] if d.code == "SR806"]) == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the view was not analyzed again: {client.published[uri]}")  # type: ignore[attr-defined]
