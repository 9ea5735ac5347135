"""Protocol fuzzing against the real server over stdio (fixed seed, fixed count).

Random and mutated JSON-RPC input (tests/lsp/protocol_frames.py): broken headers, short,
long and huge lengths, bodies that are not JSON or not objects, wrong types in every field of
the parameters of every method the server answers, unknown methods, lifecycle messages out
of order, and storms of cancellations, interleaved with valid requests. After each case the
server still publishes diagnostics and answers a hover, or it has exited with a non-zero
code at once (then a new one is started); every request it could read got an answer.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from .protocol_frames import HOVER_AT, Fuzzer, templates
from .rawclient import RawServer, diagnostics, hover_params, initialize, open_document

SEED = 20_26
CASES = 300
GOOD = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"


async def still_serving(server: RawServer, fuzzer: Fuzzer, version: int) -> None:
    await open_document(server, fuzzer.good, GOOD, version)
    items = await diagnostics(server, fuzzer.good, version, timeout=15)
    assert [d["code"] for d in items] == ["SR401"]
    answer = await server.call("textDocument/hover", hover_params(fuzzer.good, *HOVER_AT), timeout=15)
    assert "SR401" in json.dumps(answer.get("result")), answer


async def fresh_server(root: Path) -> RawServer:
    server = await RawServer.start(cwd=root)
    await initialize(server, root)
    return server


async def test_protocol_fuzz(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'fuzz'\n", encoding="utf-8")
    rng = random.Random(SEED)
    fuzzer = Fuzzer(rng, tmp_path)
    server = await fresh_server(tmp_path)
    started = time.monotonic()
    version = 0
    restarts = 0
    frames_sent = 0
    try:
        for _ in range(CASES):
            kind, frames = fuzzer.case()
            for data in frames:
                await server.send_bytes(data)
            frames_sent += len(frames)
            if kind == "shutdown":
                await server.notify("exit")
                assert await server.exit_code(2) == 0
            elif kind == "exit":
                assert await server.exit_code(2) == 1  # exit without shutdown
            if not server.alive:
                await assert_answered(server, fuzzer)
                restarts += 1
                server = await fresh_server(tmp_path)
                continue
            version += 1
            await still_serving(server, fuzzer, version)
        await assert_answered(server, fuzzer)
    finally:
        await server.stop()
    print(f"{CASES} cases, {frames_sent} frames, {fuzzer.answered} requests answered, {restarts} restarts, "
          f"{time.monotonic() - started:.1f} s: {fuzzer.kinds}")  # fmt: skip


async def assert_answered(server: RawServer, fuzzer: Fuzzer) -> None:
    """Every request the server could read has its answer (a result or an error)."""
    await server._until(lambda: all(i in server.responses for i in fuzzer.expected), 15, "answers to every request")
    for request_id in fuzzer.expected:
        server.responses.pop(request_id)
    fuzzer.answered += len(fuzzer.expected)
    fuzzer.expected.clear()


@pytest.mark.parametrize("method", [name for name, _, _ in templates("file:///a.py", "file:///b.py")])
def test_every_template_is_valid_for_its_method(method: str) -> None:
    """The unmutated templates are what the protocol expects (so mutations test wrong types)."""
    from lsprotocol import types
    from pygls.protocol import default_converter

    converter = default_converter()
    for name, is_request, params in templates("file:///a.py", "file:///b.py"):
        if name != method or name not in types.METHOD_TO_TYPES:
            continue
        message = {"jsonrpc": "2.0", "method": name, "params": params}
        if is_request:
            message["id"] = 1
        converter.structure(message, types.METHOD_TO_TYPES[name][0])
