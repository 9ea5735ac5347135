"""A pull that lands while the unedited view is being analyzed again after a template edit: the
answer waits for that analysis instead of handing back the result from before the edit.

The view has more top-level statements than the server analyzes incrementally, so each of its
analyses is a whole one taking a while (and none holds the document after publishing), and a
debounce of 0 starts it at once: a pull sent shortly after the edit arrives while it runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from secreview_ls.lsp.analysis import INCREMENTAL_MAX_STATEMENTS

from .conftest import change_doc, client_in_workspace, diagnostics, is_pull, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

FUNCTIONS = 60
LIMITS = "".join(f"LIMIT_{i} = {i}\n" for i in range(INCREMENTAL_MAX_STATEMENTS))
VIEWS = (
    "from flask import Flask, render_template, request\n\napp = Flask(__name__)\n"
    + LIMITS
    + "".join(
        f"""

@app.route("/bio{i}")
def bio{i}():
    text = request.args["bio"].strip()
    title = text.upper() if len(text) > LIMIT_{i} else "About"
    return render_template("people/bio.html", title=title, bio=text)
"""
        for i in range(FUNCTIONS)
    )
)
PAGE = "<h1>{{ title }}</h1>\n<section>{{ bio|safe }}</section>\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("templates_busy")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "web" / "templates" / "people").mkdir(parents=True)
    (root / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "web" / "templates" / "people" / "bio.html").write_text(PAGE, encoding="utf-8")
    return root


client = client_in_workspace("neovim", debounce=0)


async def test_a_pull_during_the_views_new_analysis_waits_for_it(client: LanguageClient, workspace: Path) -> None:
    assert is_pull(client)
    views_uri = open_doc(client, workspace / "web" / "views.py", VIEWS)
    assert len([d for d in await diagnostics(client, views_uri, 1) if d.code == "SR806"]) == FUNCTIONS
    page_uri = open_doc(client, workspace / "web" / "templates" / "people" / "bio.html", PAGE, language="htmldjango")
    assert [d.code for d in await diagnostics(client, page_uri, 1)] == ["SR806"]
    change_doc(client, page_uri, 2, PAGE.replace("|safe", ""))
    await asyncio.sleep(0.1)  # the view's new analysis has begun
    assert [d for d in await diagnostics(client, views_uri, 1) if d.code == "SR806"] == []
    assert await diagnostics(client, page_uri, 2) == []
