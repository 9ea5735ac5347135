"""What a document shows does not depend on which documents were opened before it, also where
a summary of another file is computed across recursion (cut short, then forgotten)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from .conftest import client_in_workspace, diagnostics, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

RULES = (
    "import os\n\n"
    "def check(value):\n    os.system(value)\n    return escalate(value)\n\n"
    "def escalate(value):\n    return check(value) or value\n"
)
FIRST = "from flask import request\nfrom rules import check\n\ndef v():\n    check(request.args['q'])\n"
SECOND = "from flask import request\nfrom rules import escalate\n\ndef v():\n    escalate(request.args['q'])\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recursive")
    for name, text in (("rules.py", RULES), ("first.py", FIRST), ("second.py", SECOND)):
        (root / name).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    return root


client = client_in_workspace("visual-studio-code")


async def test_a_flow_through_mutual_recursion_is_shown_whatever_was_opened_before(
    client: LanguageClient, workspace: Path
) -> None:
    """``check`` and ``escalate`` call each other: the summary of ``escalate`` worked out while
    ``first.py`` asked for ``check`` is cut short (it says nothing of the command it runs). The
    second document must not be analyzed with that partial summary."""
    first = open_doc(client, workspace / "first.py", FIRST)
    assert [d.range.start.line for d in await diagnostics(client, first, 1) if d.code == "SR802"] == [4]
    second = open_doc(client, workspace / "second.py", SECOND)
    assert [d.range.start.line for d in await diagnostics(client, second, 1) if d.code == "SR802"] == [4]
