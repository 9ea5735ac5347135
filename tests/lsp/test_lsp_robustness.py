"""Hostile inputs: each gets an explanation in the log and at most one diagnostic on the
document, and the server keeps answering normal requests afterwards."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import CONFIG, diagnostics, offset_of, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")

GOOD = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, project: Path):
    await start(lsp_client, "visual-studio-code", project)
    uri = open_doc(lsp_client, project / "good.py", GOOD)
    await diagnostics(lsp_client, uri, 1)
    yield
    await lsp_client.shutdown_session()


async def still_serving(client: LanguageClient, project: Path) -> None:
    """A normal request after the hostile one gets a normal answer."""
    uri = (project / "good.py").as_uri()
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=offset_of(GOOD, "yaml.load", "utf-16")
            )
        ),
        20,
    )
    assert hover is not None and "SR401" in hover.contents.value  # type: ignore[union-attr]


def logged_since(client: LanguageClient, index: int) -> str:
    return "\n".join(m.message for m in client.log_messages[index:])


@pytest.mark.parametrize(
    ("name", "text", "kind", "logged"),
    [
        ("binary.py", "\x00\x01\x02ELF\x00" * 20, "binary", ""),
        ("huge.py", "x = 1  # padding padding padding padding padding padding padding\n" * 80_000, "too-large", ""),
        ("deep_parens.py", "value = " + "(" * 2000 + "1" + ")" * 2000 + "\n", "syntax-error", ""),
        ("deep_unary.py", "value = " + "-" * 2000 + "1\n", None, ""),
        (
            "deep_blocks.py",
            "".join(" " * i + "if x:\n" for i in range(2000)) + " " * 2000 + "pass\n",
            "syntax-error",
            "too many syntax errors",
        ),
    ],
)
async def test_hostile_document(
    client: LanguageClient, project: Path, name: str, text: str, kind: str | None, logged: str
) -> None:
    mark = len(client.log_messages)
    uri = open_doc(client, project / name, text)
    items = await diagnostics(client, uri, 1)
    assert [d.code for d in items] == ([kind] if kind else [])
    if logged:
        for _ in range(50):
            if logged in logged_since(client, mark):
                break
            await asyncio.sleep(0.02)
        assert logged in logged_since(client, mark)
    await still_serving(client, project)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_unpaired_surrogates(client: LanguageClient, project: Path) -> None:
    mark = len(client.log_messages)
    text = 'name = "\ud800"\n' + GOOD
    uri = open_doc(client, project / "surrogates.py", text)
    items = await diagnostics(client, uri, 1)
    assert [d.code for d in items] == ["SR401"]
    assert items[0].range.start.line == 5
    await asyncio.sleep(0.1)
    assert "surrogate" in logged_since(client, mark)
    await still_serving(client, project)


async def test_positions_outside_the_document(client: LanguageClient, project: Path) -> None:
    uri = (project / "good.py").as_uri()
    far = types.Position(line=10_000, character=500)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=far)
    )
    assert hover is None
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=far, end=types.Position(line=20_000, character=0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions
    # An edit whose range lies past the end is clamped to the end of the document.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(start=far, end=far), text="# end\n")
            ],
        )
    )
    items = await diagnostics(client, uri, 2)
    assert [d.code for d in items] == ["SR401"]
    await still_serving(client, project)


async def test_change_to_a_document_never_opened(client: LanguageClient, project: Path) -> None:
    mark = len(client.log_messages)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=(project / "ghost.py").as_uri(), version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="eval(input())\n")],
        )
    )
    await still_serving(client, project)
    assert "never opened" in logged_since(client, mark) or "not open" in logged_since(client, mark)
    assert (project / "ghost.py").as_uri() not in client.diagnostics


async def test_malformed_messages(client: LanguageClient, project: Path) -> None:
    server = client._server
    assert server is not None and server.stdin is not None
    # Parameters that do not fit the method: answered with an error, not left hanging.
    answer: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures["malformed-1"] = answer
    payload = json.dumps(
        {"jsonrpc": "2.0", "id": "malformed-1", "method": "textDocument/hover", "params": {"textDocument": 5}}
    ).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
    await server.stdin.drain()
    with pytest.raises(Exception, match=r"(?i)invalid"):
        await asyncio.wait_for(answer, 10)
    await still_serving(client, project)
    # A body that is not JSON at all.
    body = b"{this is not json"
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    await server.stdin.drain()
    await still_serving(client, project)
    # A notification for a method nobody implements, and one with a wrong shape.
    client.protocol.notify("secreview/unknown", {"x": 1})
    payload = json.dumps(
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": None}}
    ).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
    await server.stdin.drain()
    await still_serving(client, project)
