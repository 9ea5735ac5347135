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
from .realistic import generate

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
            "contentChanges": [
                {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "x"}
            ],
        },
    }
    for message in (
        change,
        {
            "jsonrpc": "2.0",
            "method": types.TEXT_DOCUMENT_DID_CLOSE,
            "params": {"textDocument": {"uri": "file:///a.py"}},
        },
    ):
        assert server.protocol.structure_message(message) is not None
    hover = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": types.TEXT_DOCUMENT_HOVER,
        "params": {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 0, "character": 0}},
    }
    assert server.protocol.structure_message(hover) is not None
    assert compiled == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("chosen", [None, "malloc"])
async def test_a_started_server_runs_on_the_allocator_its_environment_chose(tmp_path: Path, chosen: str | None) -> None:
    """Python's own by default (no start again on another), glibc's with ``PYTHONMALLOC=malloc``."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONMALLOC"}
    if chosen is not None:
        environ["PYTHONMALLOC"] = chosen
    server = await RawServer.start(cwd=tmp_path, env=environ, command=[sys.executable, "-m", "secreview_ls"])
    try:
        await initialize(server, tmp_path)
        uri = (tmp_path / "app.py").as_uri()
        await open_document(server, uri, GOOD)
        assert [d["code"] for d in await diagnostics(server, uri, 1)] == ["SR401"]
        variables = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
        assert [v for v in variables if v.startswith(b"PYTHONMALLOC=")] == (
            [] if chosen is None else [f"PYTHONMALLOC={chosen}".encode()]
        )
    finally:
        await server.stop()


RESIDENT_AFTER = re.compile(r"no document open: memory released, resident \d+\.\d MB -> (\d+\.\d) MB")


def _change(uri: str, version: int, first: int, last: int, text: str) -> dict[str, Any]:
    span = {"start": {"line": first, "character": 0}, "end": {"line": last, "character": 0}}
    return {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": span, "text": text}]}


async def _edit_and_close(server: RawServer, root: Path, round_number: int) -> None:
    """One editing round: three documents opened, typed into in bursts (an edit arrives while
    the previous one is still analyzed; some break the syntax), given a 500-line paste that
    is removed again, then all closed."""
    texts = {
        f"module_{index}.py": generate(800 if index == 0 else 300, seed=round_number * 10 + index) for index in range(3)
    }
    paste = "".join(generate(600, seed=99).splitlines(True)[:500])
    for name, text in texts.items():
        await open_document(server, (root / name).as_uri(), text)
    for name, text in texts.items():
        uri = (root / name).as_uri()
        lines = len(text.splitlines())
        version = 1
        for step in range(12):
            line = (step * 37) % lines
            version += 1
            typed = f"x_{step} = ({step}\n" if step % 3 == 0 else f"x_{step} = {step}\n"
            await server.notify("textDocument/didChange", _change(uri, version, line, line, typed))
        for first, last, inserted in ((0, 0, paste), (0, 500, "")):
            version += 1
            await server.notify("textDocument/didChange", _change(uri, version, first, last, inserted))
        await diagnostics(server, uri, version)
    for name in texts:
        await server.notify("textDocument/didClose", {"textDocument": {"uri": (root / name).as_uri()}})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the server logs its resident size on Linux")
async def test_memory_comes_back_to_the_start_level_after_every_document_closed(tmp_path: Path) -> None:
    """Through a real server on glibc's allocator (``PYTHONMALLOC=malloc``, the choice of memory
    over speed, ``allocator.py``): after each of several rounds of
    opening, editing and closing documents, the resident size logged once the last one
    closed is within a few MB of the size after the first document closed (the start level:
    everything an analysis needs made once), and it does not creep up round over round.
    With glibc's arena per analysis thread it stayed ~4-6 MB higher after one round and kept
    growing (``allocator.one_arena``)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    environ["PYTHONMALLOC"] = "malloc"
    server = await RawServer.start(
        cwd=tmp_path, env=environ, command=[sys.executable, "-m", "secreview_ls", "--log-level", "info"]
    )
    try:
        await initialize(server, tmp_path)

        async def released(count: int) -> float:
            await server._until(
                lambda: len(RESIDENT_AFTER.findall(server.log_text())) >= count, 120, f"release number {count}"
            )
            return float(RESIDENT_AFTER.findall(server.log_text())[count - 1])

        warm = (tmp_path / "warm.py").as_uri()
        await open_document(server, warm, generate(200, seed=5))
        await diagnostics(server, warm, 1)
        await server.notify("textDocument/didClose", {"textDocument": {"uri": warm}})
        start = await released(1)
        after = []
        for round_number in range(1, 4):
            await _edit_and_close(server, tmp_path, round_number)
            after.append(await released(round_number + 1))
        assert max(after) <= start + 2.5, (start, after)
        assert after[-1] <= after[0] + 1.5, (start, after)
    finally:
        await server.stop()


def test_an_arena_limit_chosen_in_the_environment_is_kept() -> None:
    assert allocator.arena_limit_chosen({"MALLOC_ARENA_MAX": "4"})
    assert allocator.arena_limit_chosen({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0:glibc.malloc.arena_max=2"})
    assert not allocator.arena_limit_chosen({"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"})
    assert not allocator.arena_limit_chosen({})
