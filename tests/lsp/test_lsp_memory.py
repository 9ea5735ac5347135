"""Memory: what one edit leaves behind in the server is gone after the next, closing a
document frees what it held, and closing the last one releases the session's memory."""

from __future__ import annotations

import asyncio
import builtins
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from secreview_ls.lsp import allocator
from secreview_ls.lsp.collector import IDLE_SECONDS
from secreview_ls.lsp.handlers import create_server
from secreview_ls.lsp.warmup import warm_up

from .inprocess import Driven
from .rawclient import RawServer, diagnostics, initialize, open_document

GOOD = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"


def test_handled_notifications_are_not_kept(tmp_path: Path) -> None:
    async def scenario() -> None:
        driven = Driven(tmp_path)
        await driven.start()
        uri = (tmp_path / "app.py").as_uri()
        driven.open(uri, GOOD)
        for version in range(2, 202):
            driven.replace_line(uri, version, 1, f"# edit {version}\n")
        await driven.published(uri, 201)
        driven.send("textDocument/didClose", {"textDocument": {"uri": uri}})
        await asyncio.sleep(0.05)
        assert len(driven.server.protocol._request_futures) == 0

    asyncio.run(scenario())


RELEASED = "no document open: memory released"


async def test_closing_the_last_document_releases_the_session_memory(tmp_path: Path) -> None:
    """With no document left open, the server empties the analysis memo tables, collects
    and trims the heap at the next pause, and logs its resident size before and after
    (``benchmarks/soak.py`` measures how far it comes down)."""
    server = await RawServer.start("--log-level", "info", cwd=tmp_path)
    try:
        await initialize(server, tmp_path)
        uris = [(tmp_path / f"module_{index}.py").as_uri() for index in range(2)]
        for uri in uris:
            await open_document(server, uri, GOOD)
        for uri in uris:
            await diagnostics(server, uri, 1)
        await server.notify("textDocument/didClose", {"textDocument": {"uri": uris[0]}})
        await asyncio.sleep(IDLE_SECONDS + 1.5)  # collected at the pause, but a document is still open
        assert RELEASED not in server.log_text()
        await server.notify("textDocument/didClose", {"textDocument": {"uri": uris[1]}})
        await server._until(lambda: RELEASED in server.log_text(), 30, "a release after the last document closed")
        line = next(line for line in server.log_text().splitlines() if RELEASED in line)
        assert re.search(r"resident \d+\.\d MB -> \d+\.\d MB", line), line
        assert server.log_text().count(RELEASED) == 1
    finally:
        await server.stop()


def test_messages_of_a_session_generate_no_code_after_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """cattrs compiles a structuring function for each message type on first use; the server
    makes them before the first document, not in the middle of the session."""
    server = create_server()
    features = server.protocol.fm
    warm_up(features.converter, [*features.features, types.WORKSPACE_EXECUTE_COMMAND])
    compiled: list[str] = []
    real_compile = builtins.compile

    def counting(source: Any, filename: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(filename))
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", counting)
    change = {
        "jsonrpc": "2.0",
        "method": types.TEXT_DOCUMENT_DID_CHANGE,
        "params": {
            "textDocument": {"uri": "file:///a.py", "version": 2},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "x"}],
        },
    }
    for message in (change, {"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_DID_CLOSE, "params": {"textDocument": {"uri": "file:///a.py"}}}):
        assert server.protocol.structure_message(message) is not None
    hover = {"jsonrpc": "2.0", "id": 3, "method": types.TEXT_DOCUMENT_HOVER, "params": {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 0, "character": 0}}}
    assert server.protocol.structure_message(hover) is not None
    assert compiled == []


def test_the_server_restarts_itself_on_the_c_allocator_only_when_none_was_chosen(tmp_path: Path) -> None:
    python = sys.executable
    module = [python, "-X", "utf8", "-m", "secreview_ls", "--log-level", "info"]
    command = allocator.restart_command(module, {}, python, "linux")
    if not os.confstr("CS_GNU_LIBC_VERSION"):
        assert command is None  # another C library: pymalloc stays
        return
    assert command == module  # the same options and arguments
    # A launcher that puts the server's libraries on sys.path (the VS Code extension's) runs again.
    launcher = ["python3", "/ext/bundled/tool/secreview_server.py", "--log-level", "info"]
    assert allocator.restart_command(launcher, {}, python, "linux") == [python, *launcher[1:]]
    assert allocator.restart_command(module, {"PYTHONMALLOC": "pymalloc"}, python, "linux") is None
    assert allocator.restart_command(module, {}, python, "darwin") is None
    assert allocator.restart_command(module, {}, str(tmp_path / "no-python"), "linux") is None
    assert allocator.restart_command(module, {}, "", "linux") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_a_started_server_runs_on_the_c_allocator_and_answers(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONMALLOC"}
    server = await RawServer.start(cwd=tmp_path, env=environ, command=[sys.executable, "-m", "secreview_ls"])
    try:
        await initialize(server, tmp_path)
        uri = (tmp_path / "app.py").as_uri()
        await open_document(server, uri, GOOD)
        assert [d["code"] for d in await diagnostics(server, uri, 1)] == ["SR401"]
        variables = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
        chosen = [v for v in variables if v.startswith(b"PYTHONMALLOC=")]
        assert chosen == ([b"PYTHONMALLOC=malloc"] if os.confstr("CS_GNU_LIBC_VERSION") else [])
    finally:
        await server.stop()
