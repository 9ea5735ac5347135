"""Framing and lifecycle against the real server over stdio: broken frames are reported and
skipped, requests out of order get the protocol's errors, and the process ends when it
should, with the code it should, at once."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from .rawclient import RawServer, diagnostics, frame, hover_params, initialize, open_document

GOOD = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"
HOVER_AT = (4, 16)  # on yaml.load


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    return tmp_path


async def serving(server: RawServer, root: Path, version: int = 1) -> None:
    """The server publishes diagnostics for a document and answers a hover on them."""
    uri = (root / "good.py").as_uri()
    await open_document(server, uri, GOOD, version)
    items = await diagnostics(server, uri, version)
    assert [d["code"] for d in items] == ["SR401"]
    answer = await server.call("textDocument/hover", hover_params(uri, *HOVER_AT))
    assert "SR401" in json.dumps(answer.get("result")), answer


async def started(root: Path) -> RawServer:
    server = await RawServer.start(cwd=root)
    await initialize(server, root)
    return server


# -- framing ---------------------------------------------------------------------------------

BROKEN_FRAMES = {
    "huge length": b"Content-Length: 99999999999\r\n\r\n{}",
    "no length": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
    + json.dumps({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}).encode(),
    "length not a number": b"Content-Length: abc\r\n\r\n" + json.dumps({"jsonrpc": "2.0", "method": "x"}).encode(),
    "garbage line": b"hello server\r\n",
    "long garbage": b"z" * 200_000,
    "not json": b"Content-Length: 9\r\n\r\n{not json",
    "short length": b"Content-Length: 5\r\n\r\n" + json.dumps({"jsonrpc": "2.0", "method": "x", "params": {}}).encode(),
}


@pytest.mark.parametrize("name", list(BROKEN_FRAMES))
async def test_a_broken_frame_is_logged_and_the_next_frame_is_served(project: Path, name: str) -> None:
    server = await started(project)
    try:
        await serving(server, project)
        await server.send_bytes(BROKEN_FRAMES[name])
        await serving(server, project, version=2)
        assert server.alive
        assert "protocol input" in server.log_text()
    finally:
        await server.stop()


async def test_lf_only_headers_are_read(project: Path) -> None:
    server = await started(project)
    try:
        body = json.dumps(
            {"jsonrpc": "2.0", "id": 500, "method": "textDocument/hover", "params": hover_params("file:///x.py", 0, 0)}
        )
        await server.send_bytes(b"Content-Length: %d\n\n%s" % (len(body), body.encode()))
        assert (await server.response(500))["result"] is None
        await serving(server, project)
    finally:
        await server.stop()


async def test_values_that_are_not_messages_are_logged_or_get_invalid_request(project: Path) -> None:
    server = await started(project)
    try:
        for value in (
            [1, 2],
            "text",
            5,
            None,
            {"id": 7, "method": "textDocument/hover"},
            {"jsonrpc": "2.0", "id": 8, "method": 3},
        ):
            await server.send(value)
        await server._until(lambda: len(server.responses) >= 2, 10, "two answers")
        assert {key: message["error"]["code"] for key, message in server.responses.items()} == {7: -32600, 8: -32600}
        await server.send_bytes(b"Content-Length: 9\r\n\r\n{not json")
        await serving(server, project)
        assert not server.null_responses  # what has no usable id is logged, not answered
        logged = server.log_text()
        for expected in ("must be a JSON object, not an array", "not a JSON-RPC 2.0 message", "is not JSON"):
            assert expected in logged
    finally:
        await server.stop()


# -- lifecycle -------------------------------------------------------------------------------


async def test_requests_before_initialize_get_server_not_initialized(project: Path) -> None:
    server = await RawServer.start(cwd=project)
    try:
        answer = await server.call("textDocument/hover", hover_params("file:///x.py", 0, 0))
        assert answer["error"]["code"] == -32002
        answer = await server.call("shutdown")
        assert answer["error"]["code"] == -32002
        await server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": "file:///x.py", "languageId": "python", "version": 1, "text": "eval(x)\n"}},
        )
        await initialize(server, project)
        assert (await server.call("initialize", {"capabilities": {}}))["error"]["code"] == -32600
        await serving(server, project)
        assert not any(
            n["params"]["uri"] == "file:///x.py"
            for n in server.notifications
            if n["method"] == "textDocument/publishDiagnostics"
        )
    finally:
        await server.stop()


async def test_requests_after_shutdown_get_invalid_request_and_exit_ends_with_0(project: Path) -> None:
    server = await started(project)
    try:
        await serving(server, project)
        assert (await server.call("shutdown"))["result"] is None
        uri = (project / "good.py").as_uri()
        answer = await server.call("textDocument/hover", hover_params(uri, *HOVER_AT))
        assert answer["error"]["code"] == -32600
        assert (await server.call("shutdown"))["error"]["code"] == -32600
        started_at = time.monotonic()
        await server.notify("exit")
        assert await server.exit_code(5) == 0
        assert time.monotonic() - started_at < 1.5
    finally:
        await server.stop()


async def test_exit_without_shutdown_ends_with_1(project: Path) -> None:
    server = await started(project)
    try:
        await serving(server, project)
        await server.send({"jsonrpc": "2.0", "method": "exit", "params": {"unexpected": [1, 2]}})
        assert await server.exit_code(5) == 1
    finally:
        await server.stop()


@pytest.mark.parametrize(("shutdown", "code"), [(False, 1), (True, 0)])
async def test_end_of_input_ends_the_process(project: Path, shutdown: bool, code: int) -> None:
    server = await started(project)
    try:
        await serving(server, project)
        if shutdown:
            await server.call("shutdown")
        await server.close_input()
        assert await server.exit_code(5) == code
    finally:
        await server.stop()


def slow_module(functions: int) -> str:
    """Many small functions: a module whose first analysis takes seconds."""
    return "".join(f"def handler_{i}(request):\n    return request.args.get('v{i}')\n\n\n" for i in range(functions))


@pytest.mark.parametrize("busy", ["analysis", "scan"])
async def test_shutdown_and_exit_end_the_process_at_once_while_work_runs(project: Path, busy: str) -> None:
    server = await RawServer.start(cwd=project)
    try:
        await initialize(server, project, {"timeout": 600})
        if busy == "analysis":
            await open_document(server, (project / "slow.py").as_uri(), slow_module(1500))
        else:
            for index in range(24):
                (project / f"module_{index}.py").write_text(slow_module(400), encoding="utf-8")
            scan = await server.request(
                "workspace/executeCommand", {"command": "secreview.scanWorkspace", "arguments": []}
            )
        await asyncio.sleep(1.5)  # well into the work
        assert server.alive
        started_at = time.monotonic()
        answer = await server.call("shutdown", timeout=5)
        assert answer.get("result", "missing") is None, answer
        await server.notify("exit")
        assert await server.exit_code(5) == 0
        assert time.monotonic() - started_at < 1.0
        if busy == "scan":
            assert scan not in server.responses or "error" in server.responses[scan] or server.responses[scan]["result"]
    finally:
        await server.stop()


async def test_frames_split_into_single_bytes_are_read(project: Path) -> None:
    server = await RawServer.start(cwd=project)
    try:
        data = frame(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"capabilities": {}, "rootUri": project.as_uri()},
            }
        )
        for index in range(len(data)):
            await server.send_bytes(data[index : index + 1])
        assert "result" in await server.response(1)
    finally:
        await server.stop()


async def test_the_tcp_transport_reads_frames_defensively_too(project: Path) -> None:
    import socket
    import subprocess
    import sys

    from secreview_ls.lsp.framing import FrameReader, Message

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "secreview_ls", "--tcp", f"127.0.0.1:{port}"], cwd=project)
    try:
        for _ in range(100):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        writer.write(b"Content-Length: 99999999999\r\n\r\n{}")
        writer.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
        await writer.drain()
        frames = FrameReader()
        answer = None
        while answer is None:
            frames.feed(await asyncio.wait_for(reader.read(65536), 20))
            while (event := frames.next_event()) is not None:
                if isinstance(event, Message) and event.data.get("id") == 1:
                    answer = event.data
        assert "capabilities" in answer["result"]
        writer.write(
            frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}) + frame({"jsonrpc": "2.0", "method": "exit"})
        )
        await writer.drain()
        assert await asyncio.get_running_loop().run_in_executor(None, process.wait, 5) == 0
    finally:
        if process.poll() is None:
            process.kill()
