"""The "suppress on this line" action over a real server: the reason is a snippet placeholder
for clients that accept snippets in workspace edits, literal text for the others, and the
comment it writes is honoured (and, left unchanged, still needs a reason under require-reason)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source

from .conftest import CONFIG, apply_edits, capabilities, diagnostics, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

SOURCE = "import subprocess\n\n\ndef run():\n    return subprocess.call(cmd, shell=True)\n"


@pytest_lsp.fixture(config=CONFIG, scope="module", params=["snippets", "plain"])
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, project: Path):
    caps = capabilities("visual-studio-code")
    assert caps.workspace is not None and caps.workspace.workspace_edit is not None
    caps.workspace.workspace_edit.snippet_edit_support = request.param == "snippets"
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=project.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name=project.name)],
        )
    )
    lsp_client.snippets = request.param == "snippets"  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_suppress_action_leaves_room_for_the_reason(client: LanguageClient, project: Path) -> None:
    uri = open_doc(client, project / "suppress_reason.py", SOURCE)
    items = await diagnostics(client, uri, 1)
    [diagnostic] = [d for d in items if d.code == "SR201"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    suppress = next(a for a in actions if isinstance(a, types.CodeAction) and a.title == "Suppress SR201 on this line")
    assert suppress.edit is not None and suppress.edit.document_changes
    [change] = suppress.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    [edit] = change.edits
    if client.snippets:  # type: ignore[attr-defined]
        assert isinstance(edit, types.SnippetTextEdit)
        assert edit.snippet.value == "  # secreview: ignore[SR201] -- ${1:reason}"
        typed = types.TextEdit(range=edit.range, new_text="  # secreview: ignore[SR201] -- cmd is a constant")
    else:
        assert isinstance(edit, types.TextEdit) and not isinstance(edit, types.SnippetTextEdit)
        assert edit.new_text == "  # secreview: ignore[SR201] -- reason"
        typed = edit
    text = apply_edits(SOURCE, [typed], "utf-16")
    result = analyze_source(text, "app.py", Config(require_reason=True))
    assert [f.rule_id for f in result.suppressed] == ["SR201"]
    expected = [] if client.snippets else ["SR902"]  # type: ignore[attr-defined]
    assert [f.rule_id for f in result.findings] == expected


async def test_no_suppress_action_for_a_suppression_without_a_reason() -> None:
    from secreview_ls.lsp.actions import suppress_action
    from secreview_ls.pipeline import split_lines_keepends

    text = "x = compute()  # nosec\n"
    [found] = analyze_source(text, "app.py", Config(require_reason=True)).findings
    assert found.rule_id == "SR902"
    assert suppress_action(found, None, "file:///app.py", 1, split_lines_keepends(text), "utf-16", True, True) is None
