"""A bare LSP client over the real server's stdio, for tests that send what no well-behaved
client would: raw bytes, broken frames, requests out of order.

It reads the server's output with the same frame reader the server uses, keeps responses
by id and notifications in arrival order, and answers the server's own requests with
``null``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

from secreview_ls.lsp.framing import FrameReader, Message

TIMEOUT = 20.0


def frame(payload: Any) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class RawServer:
    """One server process and what it has said."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.responses: dict[Any, dict[str, Any]] = {}
        self.null_responses: list[dict[str, Any]] = []  # answers with id null (to what had no usable id)
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[dict[str, Any]] = []
        self.stderr = bytearray()
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._read_stderr())]

    @classmethod
    async def start(
        cls, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, command: list[str] | None = None
    ) -> RawServer:
        """Start ``python -m secreview_ls ARGS``, or ``command`` (another language server)."""
        argv = command if command is not None else [sys.executable, "-m", "secreview_ls", *args]
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=str(cwd) if cwd else None,
            env={**os.environ, **(env or {})},
        )
        return cls(process)

    # -- sending -------------------------------------------------------------------------

    async def send_bytes(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        await self.process.stdin.drain()

    async def send(self, payload: Any) -> None:
        await self.send_bytes(frame(payload))

    async def request(self, method: str, params: Any = None) -> int:
        """Send a request; its id (see :meth:`response`)."""
        request_id = next(self._ids)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)
        return request_id

    async def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)

    async def call(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> dict[str, Any]:
        return await self.response(await self.request(method, params), timeout)

    async def close_input(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    # -- receiving -----------------------------------------------------------------------

    async def response(self, request_id: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        await self._until(lambda: request_id in self.responses, timeout, f"no answer to request {request_id}")
        return self.responses.pop(request_id)

    async def notification(
        self, method: str, predicate: Any = None, timeout: float = TIMEOUT, start: int = 0
    ) -> dict[str, Any]:
        """The first notification of ``method`` (from index ``start``) matching ``predicate``."""

        def find() -> dict[str, Any] | None:
            for message in self.notifications[start:]:
                if message.get("method") == method and (predicate is None or predicate(message.get("params"))):
                    return message
            return None

        await self._until(lambda: find() is not None, timeout, f"no {method} notification")
        found = find()
        assert found is not None
        return found

    async def exit_code(self, timeout: float = TIMEOUT) -> int:
        return await asyncio.wait_for(self.process.wait(), timeout)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def log_text(self) -> str:
        logged = [n["params"].get("message", "") for n in self.notifications if n.get("method") == "window/logMessage"]
        return "\n".join(logged) + "\n" + self.stderr.decode("utf-8", "replace")

    async def _until(self, predicate: Any, timeout: float, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{what} within {timeout} s (server alive: {self.alive})")
            if not self.alive and not predicate():
                await asyncio.sleep(0.05)  # what was written before the exit is still being read
                if not predicate():
                    raise AssertionError(f"{what}: the server exited with {self.process.returncode}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))
            except TimeoutError:
                pass

    async def _read(self) -> None:
        assert self.process.stdout is not None
        reader = FrameReader()
        while True:
            data = await self.process.stdout.read(65536)
            if not data:
                self._changed.set()
                return
            reader.feed(data)
            while (event := reader.next_event()) is not None:
                if isinstance(event, Message) and isinstance(event.data, dict):
                    await self._dispatch(event.data)
                else:
                    raise AssertionError(f"the server wrote a bad frame: {event}")
            self._changed.set()

    async def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:
            self.server_requests.append(message)
            await self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        elif message.get("id") is None:
            self.null_responses.append(message)
        else:
            self.responses[message["id"]] = message

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while True:
            data = await self.process.stderr.read(65536)
            if not data:
                return
            self.stderr += data
            del self.stderr[: max(0, len(self.stderr) - 2_000_000)]

    async def stop(self) -> None:
        """Kill the process if it still runs and stop reading."""
        if self.alive:
            self.process.kill()
            await self.process.wait()
        for task in self._tasks:
            task.cancel()


async def initialize(server: RawServer, root: Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = await server.call(
        "initialize",
        {
            "processId": None,
            "rootUri": root.as_uri(),
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "initializationOptions": {"debounce": 0, **(options or {})},
        },
    )
    assert "result" in answer, answer
    await server.notify("initialized", {})
    return answer


async def open_document(server: RawServer, uri: str, text: str, version: int = 1) -> None:
    await server.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}}
    )


async def diagnostics(
    server: RawServer, uri: str, version: int, timeout: float = TIMEOUT, start: int = 0
) -> list[dict[str, Any]]:
    """The diagnostics published for ``uri`` at ``version``."""
    message = await server.notification(
        "textDocument/publishDiagnostics",
        lambda p: p.get("uri") == uri and p.get("version") == version,
        timeout,
        start,
    )
    return list(message["params"]["diagnostics"])


def hover_params(uri: str, line: int, character: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
