"""``source.fixAll.secreview`` through the real server over stdio, for the three client
capability sets: advertised, offered for ``only=["source.fixAll"]``, one edit with every safe
fix (and no unsafe one), the edit applied and re-analyzed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import CLIENTS, CONFIG, apply_edits, change_doc, diagnostics, edits_of, encoding_of, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIX_ALL = "source.fixAll.secreview"

SOURCE = (
    "import yaml\r\n"
    "from flask import Flask\r\n"
    "from werkzeug.serving import run_simple\r\n"
    "\r\n"
    'GREETING = "Grüß dich 😀"\r\n'
    "app = Flask(__name__)\r\n"
    "\r\n"
    "\r\n"
    "def main(text):\r\n"
    '    banner = "😀"; app.run(debug=True)  # local only\r\n'
    "    data = yaml.load(text)\r\n"
    '    run_simple("127.0.0.1", 5000, app, use_debugger=True, use_evalex=True)\r\n'
    "    return data\r\n"
)

FIXED = (
    "import yaml\r\n"
    "from flask import Flask\r\n"
    "from werkzeug.serving import run_simple\r\n"
    "\r\n"
    'GREETING = "Grüß dich 😀"\r\n'
    "app = Flask(__name__)\r\n"
    "\r\n"
    "\r\n"
    "def main(text):\r\n"
    '    banner = "😀"; app.run(debug=False)  # local only\r\n'
    "    data = yaml.load(text)\r\n"
    '    run_simple("127.0.0.1", 5000, app, use_debugger=False, use_evalex=False)\r\n'
    "    return data\r\n"
)


@pytest_lsp.fixture(config=CONFIG, scope="module", params=CLIENTS)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, project: Path):
    result = await start(lsp_client, request.param, project)
    lsp_client.advertised = result.capabilities.code_action_provider  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _code_actions(
    client: LanguageClient,
    uri: str,
    text: str,
    only: list[str] | None,
    trigger: types.CodeActionTriggerKind = types.CodeActionTriggerKind.Automatic,
) -> list[types.CodeAction]:
    lines = text.split("\n")
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=len(lines), character=0)
            ),
            context=types.CodeActionContext(diagnostics=[], only=only, trigger_kind=trigger),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def test_the_kind_is_advertised(client: LanguageClient) -> None:
    provider = client.advertised  # type: ignore[attr-defined]
    assert isinstance(provider, types.CodeActionOptions)
    kinds = [getattr(k, "value", k) for k in provider.code_action_kinds or []]
    assert FIX_ALL in kinds and "quickfix" in kinds


async def test_fix_all_applies_every_safe_fix_in_one_edit(client: LanguageClient, project: Path) -> None:
    uri = open_doc(client, project / "fix_all.py", SOURCE)
    before = await diagnostics(client, uri, 1)
    assert sorted(d.code for d in before if str(d.code).startswith("SR")) == ["SR401", "SR601", "SR601"]

    actions = await _code_actions(client, uri, SOURCE, ["source.fixAll"])
    assert [(a.title, a.kind) for a in actions] == [("Fix all safe secreview findings", FIX_ALL)]
    edits = edits_of(actions[0], uri)
    assert len(edits) == 1
    fixed = apply_edits(SOURCE, edits, encoding_of(client))
    # CRLF kept, yaml.load (an unsafe fix) untouched; use_evalex, reported only once use_debugger
    # is off, fixed in a second round
    assert fixed == FIXED
    ast.parse(fixed)

    change_doc(client, uri, 2, fixed)
    after = await diagnostics(client, uri, 2)
    assert [d.code for d in after if str(d.code).startswith("SR")] == ["SR401"]
    assert await _code_actions(client, uri, fixed, ["source.fixAll"]) == []  # nothing safe left to fix
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


AUTOMATIC, INVOKED = types.CodeActionTriggerKind.Automatic, types.CodeActionTriggerKind.Invoked


@pytest.mark.parametrize(
    ("only", "trigger", "offered"),
    [
        (["source"], AUTOMATIC, True),
        ([FIX_ALL], AUTOMATIC, True),
        (["quickfix"], INVOKED, False),
        (["source.organizeImports"], INVOKED, False),
        (None, INVOKED, True),  # a code-action menu the user opened
        (None, AUTOMATIC, False),  # a light bulb following the cursor: no analysis at each move
    ],
)
async def test_the_only_filter_decides(
    client: LanguageClient, project: Path, only: list[str] | None, trigger: types.CodeActionTriggerKind, offered: bool
) -> None:
    name = f"only_{(only or ['none'])[0].replace('.', '_')}_{trigger.value}.py"
    uri = open_doc(client, project / name, SOURCE)
    await diagnostics(client, uri, 1)
    actions = await _code_actions(client, uri, SOURCE, only, trigger)
    assert any(a.kind == FIX_ALL for a in actions) == offered
    if only == ["quickfix"]:
        assert actions and all(a.kind == types.CodeActionKind.QuickFix for a in actions)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
