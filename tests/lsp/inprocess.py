"""A server driven in this process through its protocol (no pipes): messages in with
``Protocol.receive``, everything it writes kept, for tests that look inside the server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from secreview_ls.lsp.framing import FrameReader, Message
from secreview_ls.lsp.handlers import create_server
from secreview_ls.lsp.server import SecReviewServer


class Capture:
    """The server's output, decoded."""

    def __init__(self) -> None:
        self.reader = FrameReader()
        self.messages: list[dict[str, Any]] = []

    def write(self, data: bytes) -> None:
        self.reader.feed(data)
        while (event := self.reader.next_event()) is not None:
            assert isinstance(event, Message)
            self.messages.append(event.data)

    def close(self) -> None:
        pass

    def published(self, uri: str) -> list[dict[str, Any]]:
        return [
            m["params"]
            for m in self.messages
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        ]


class Driven:
    def __init__(self, root: Path, options: dict[str, Any] | None = None) -> None:
        self.server: SecReviewServer = create_server()
        self.output = Capture()
        self.server.protocol.set_writer(self.output)
        self.exit_codes: list[int] = []
        self.server.exit_hook = self.exit_codes.append
        self.root = root
        self.options = {"debounce": 0, **(options or {})}
        self._ids = 0

    def send(self, method: str, params: Any = None, *, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        request_id = None
        if request:
            self._ids += 1
            request_id = message["id"] = self._ids
        self.server.protocol.receive(json.loads(json.dumps(message)))  # as if read from the transport
        return request_id

    async def start(self) -> None:
        self.send(
            "initialize",
            {"capabilities": {}, "rootUri": self.root.as_uri(), "initializationOptions": self.options},
            request=True,
        )
        self.send("initialized", {})
        await asyncio.sleep(0.05)

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.send(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}},
        )

    def replace_line(self, uri: str, version: int, line: int, text: str) -> None:
        span = {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}}
        self.send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": span, "text": text}]},
        )

    async def published(self, uri: str, version: int, timeout: float = 30) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for params in reversed(self.output.published(uri)):
                if params.get("version") == version:
                    return list(params["diagnostics"])
            await asyncio.sleep(0.01)
        raise AssertionError(f"no diagnostics for {uri} version {version}")
