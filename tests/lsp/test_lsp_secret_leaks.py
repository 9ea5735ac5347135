"""The server never sends a credential found in a document back to the editor: not in a
diagnostic (message, related information, data), a hover, a code lens, a code action title
or the review command's text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from secret_corpus import leaked_pieces, write_project

from .conftest import CONFIG, diagnostics, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def secrets_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("secrets"))


@pytest_lsp.fixture(config=CONFIG, scope="module", params=["visual-studio-code", "neovim"])
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, secrets_project: Path):
    await start(lsp_client, request.param, secrets_project)
    yield
    await lsp_client.shutdown_session()


def _dump(value: object) -> str:
    from pygls.protocol import default_converter

    return json.dumps(default_converter().unstructure(value))


@pytest.mark.parametrize(("name", "language"), [("app.py", "python"), ("deploy.env", "dotenv")])
async def test_nothing_the_server_sends_holds_a_credential(
    client: LanguageClient, secrets_project: Path, name: str, language: str
) -> None:
    path = secrets_project / name
    text = path.read_text(encoding="utf-8")
    uri = open_doc(client, path, text, language=language)
    items = await diagnostics(client, uri, 1)
    assert len([d for d in items if str(d.code).startswith("SR")]) >= 2
    sent: list[object] = [items]
    document = types.TextDocumentIdentifier(uri=uri)
    for item in items:
        sent.append(
            await client.text_document_hover_async(types.HoverParams(text_document=document, position=item.range.start))
        )
        sent.append(
            await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=document, range=item.range, context=types.CodeActionContext(diagnostics=[item])
                )
            )
        )
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(text_document=document))
    sent.append(lenses)
    if lenses and lenses[0].command is not None:
        sent.append(
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=lenses[0].command.command, arguments=lenses[0].command.arguments)
            )
        )
    shown = _dump(sent)
    assert "SR" in shown
    assert leaked_pieces(shown) == []
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=document))
