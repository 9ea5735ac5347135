"""Memory: what one edit leaves behind in the server is gone after the next, and closing a
document frees what it held."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .inprocess import Driven

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
