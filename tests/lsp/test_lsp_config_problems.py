"""Problems of ``[tool.secreview]`` shown in the editor, through a real server over stdio: a bad
value keeps the other keys applying, each problem is a diagnostic on its line of
pyproject.toml, a new set of problems is announced once, and saving a fixed file clears them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from .rawclient import RawServer, diagnostics, initialize, open_document

APP = "import hashlib\n\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n"

BAD = """[project]
name = "demo"

[tool.secreview]
ignore = ["SR301"]
severity = "hgih"
extend-ignore = [
    "SR6O2",
]
"""

FIXED = """[project]
name = "demo"

[tool.secreview]
ignore = ["SR301"]
severity = "low"
"""


def _config_publishes(server: RawServer, uri: str) -> list[dict[str, Any]]:
    return [
        n["params"]
        for n in server.notifications
        if n.get("method") == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri
    ]


def _shown(server: RawServer) -> list[str]:
    return [n["params"]["message"] for n in server.notifications if n.get("method") == "window/showMessage"]


async def _settle(server: RawServer, seconds: float = 0.6) -> None:
    await asyncio.sleep(seconds)


@pytest.mark.asyncio
async def test_bad_value_keeps_the_other_keys_and_is_shown_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(BAD)
    app = tmp_path / "app.py"
    app.write_text(APP)
    pyproject_uri = (tmp_path / "pyproject.toml").as_uri()
    server = await RawServer.start()
    try:
        await initialize(server, tmp_path)
        # The diagnostics of pyproject.toml: an error on the severity line, a warning on the rule id.
        message = await server.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == pyproject_uri)
        found = message["params"]["diagnostics"]
        by_line = {d["range"]["start"]["line"]: d for d in found}
        assert set(by_line) == {5, 7}, found
        severity = by_line[5]
        assert severity["severity"] == 1 and severity["source"] == "secreview"
        assert "hgih" in severity["message"] and "did you mean high" in severity["message"]
        assert severity["range"]["start"]["character"] == 0 and severity["range"]["end"]["character"] == len("severity")
        rule = by_line[7]
        assert rule["severity"] == 2 and "SR6O2" in rule["message"] and "did you mean" in rule["message"]
        assert rule["range"]["start"]["character"] == 4  # on the id itself, inside the multi-line array
        # The one message for this set of problems.
        await server.notification("window/showMessage")
        assert len(_shown(server)) == 1 and "hgih" in _shown(server)[0]

        # `ignore` still applies to a Python document: no SR301 on the MD5 call.
        await open_document(server, app.as_uri(), APP)
        assert [d.get("code") for d in await diagnostics(server, app.as_uri(), 1)] == []

        # Saving pyproject.toml unchanged reloads it: no second announcement of the same problems.
        await server.notify("textDocument/didSave", {"textDocument": {"uri": pyproject_uri}})
        await _settle(server)
        assert len(_shown(server)) == 1

        # Fixed and saved: its diagnostics are cleared and `severity` applies again.
        start = len(server.notifications)
        (tmp_path / "pyproject.toml").write_text(FIXED)
        await server.notify("textDocument/didSave", {"textDocument": {"uri": pyproject_uri}})
        cleared = await server.notification(
            "textDocument/publishDiagnostics", lambda p: p["uri"] == pyproject_uri, start=start
        )
        assert cleared["params"]["diagnostics"] == []
        assert len(_shown(server)) == 1
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_watched_file_change_reloads_and_a_new_problem_is_announced(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(FIXED)
    pyproject_uri = pyproject.as_uri()
    server = await RawServer.start()
    try:
        await initialize(server, tmp_path)
        await _settle(server)
        assert _config_publishes(server, pyproject_uri) == [] and _shown(server) == []
        pyproject.write_text(FIXED + "timeuot = 3\n")
        await server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": pyproject_uri, "type": 2}]})
        message = await server.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == pyproject_uri)
        (only,) = message["params"]["diagnostics"]
        assert only["range"]["start"]["line"] == 6 and only["severity"] == 2
        assert "timeuot" in only["message"] and "did you mean timeout" in only["message"]
        await server.notification("window/showMessage")
        assert len(_shown(server)) == 1
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_an_open_pyproject_keeps_its_config_diagnostics_next_to_its_own(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(BAD)
    uri = pyproject.as_uri()
    server = await RawServer.start()
    try:
        await initialize(server, tmp_path)
        await server.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        await server.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": BAD}}
        )
        published = await diagnostics(server, uri, 1)
        assert {d["range"]["start"]["line"] for d in published if d.get("code") == "config"} == {5, 7}
    finally:
        await server.stop()


@pytest.mark.asyncio
async def test_a_pulling_client_gets_the_problems_pushed(tmp_path: Path) -> None:
    """pyproject.toml is rarely open, so nothing would pull its diagnostics: they are pushed."""
    (tmp_path / "pyproject.toml").write_text(BAD)
    uri = (tmp_path / "pyproject.toml").as_uri()
    server = await RawServer.start()
    try:
        answer = await server.call(
            "initialize",
            {
                "processId": None,
                "rootUri": tmp_path.as_uri(),
                "capabilities": {"textDocument": {"diagnostic": {"dynamicRegistration": False}}},
                "workspaceFolders": [{"uri": tmp_path.as_uri(), "name": tmp_path.name}],
            },
        )
        assert "result" in answer
        await server.notify("initialized", {})
        message = await server.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        assert {d["range"]["start"]["line"] for d in message["params"]["diagnostics"]} == {5, 7}
    finally:
        await server.stop()
