"""Template files with a client that pulls diagnostics (Neovim's capabilities, UTF-8 positions):
an open template shows its view's finding, and after the template is edited a pull of the
unedited view answers from a new analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from .conftest import (
    change_doc,
    client_in_workspace,
    diagnostics,
    encoding_of,
    is_pull,
    offset_of,
    open_doc,
)
from .test_lsp_templates import PAGE, VIEWS

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("templates_pull")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "web").mkdir()
    (root / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
    (root / "web" / "templates" / "people").mkdir(parents=True)
    (root / "web" / "templates" / "people" / "bio.html").write_text(PAGE, encoding="utf-8")
    return root


client = client_in_workspace("neovim")


async def test_a_pulled_template_and_its_view_follow_an_edit(client: LanguageClient, workspace: Path) -> None:
    assert is_pull(client) and encoding_of(client) == "utf-8"
    views_uri = open_doc(client, workspace / "web" / "views.py", VIEWS)
    assert [d.code for d in await diagnostics(client, views_uri, 1)] == ["SR806"]
    page_uri = open_doc(client, workspace / "web" / "templates" / "people" / "bio.html", PAGE, language="htmldjango")
    (found,) = await diagnostics(client, page_uri, 1)
    assert found.code == "SR806"
    assert found.range.start == offset_of(PAGE, "{{ bio|safe }}", "utf-8")  # after an emoji: 4 bytes
    change_doc(client, page_uri, 2, PAGE.replace("{{ bio|safe }}", "{{ bio }}"))
    assert await diagnostics(client, page_uri, 2) == []
    assert await diagnostics(client, views_uri, 1) == []  # the view, unedited, analyzed again
