"""The server tells the editor the project's template folders (those not named ``templates``)
through a real server, once an analysis has looked for a template: a ``secreview/templateFolders``
notification for every client, and a dynamic registration of document synchronization for their
template files when the client allows it; both again when a Python file declares another folder."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from .rawclient import RawServer, diagnostics

VIEWS = """from flask import Flask, render_template, request

app = Flask(__name__, template_folder="pages")


@app.route("/card")
def card():
    return render_template("card.html", note=request.args["note"])
"""
CARD = "<p>{{ note|safe }}</p>\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\ntemplate-dirs = ["web/tpl"]\n', encoding="utf-8")
    (tmp_path / "web" / "tpl").mkdir(parents=True)
    (tmp_path / "web" / "pages").mkdir()
    (tmp_path / "web" / "templates").mkdir()
    (tmp_path / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
    (tmp_path / "web" / "pages" / "card.html").write_text(CARD, encoding="utf-8")
    return tmp_path


async def _start(root: Path, dynamic: bool) -> RawServer:
    server = await RawServer.start(cwd=root)
    capabilities: dict[str, Any] = {
        "textDocument": {
            "publishDiagnostics": {"versionSupport": True},
            "synchronization": {"dynamicRegistration": dynamic},
        },
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}},
    }
    answer = await server.call(
        "initialize",
        {
            "processId": None,
            "rootUri": root.as_uri(),
            "capabilities": capabilities,
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "initializationOptions": {"debounce": 0},
        },
    )
    assert "result" in answer, answer
    await server.notify("initialized", {})
    views = root / "web" / "views.py"
    if views.exists():  # a view rendering a template: its analysis finds the template folders
        await server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": views.as_uri(), "languageId": "python", "version": 1, "text": VIEWS}},
        )
    return server


def _registrations(server: RawServer) -> list[dict[str, Any]]:
    return [
        registration
        for request in server.server_requests
        if request.get("method") == "client/registerCapability"
        for registration in request["params"]["registrations"]
        if registration["id"].startswith("secreview-template-folders")
    ]


async def _wait(what: str, probe: Any, timeout: float = 20.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := probe()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return found


async def test_a_client_registering_dynamically_is_sent_the_folders_template_files(project: Path) -> None:
    server = await _start(project, dynamic=True)
    try:
        told = await server.notification("secreview/templateFolders")
        folders = [str((project / "web" / name).resolve()) for name in ("pages", "tpl")]
        assert told["params"]["folders"] == folders  # not web/templates: the editors' own globs cover it
        assert f"{Path(folders[0]).as_posix()}/**/*.html" in told["params"]["patterns"]
        registered = await _wait("the registration", lambda: _registrations(server))
        assert sorted(r["method"] for r in registered) == [
            "textDocument/didChange", "textDocument/didClose", "textDocument/didOpen"
        ]  # fmt: skip
        opened = next(r for r in registered if r["method"] == "textDocument/didOpen")
        patterns = [f["pattern"] for f in opened["registerOptions"]["documentSelector"]]
        assert patterns == told["params"]["patterns"]
        # The client now sends a template of a declared folder: it shows the view's finding.
        card = project / "web" / "pages" / "card.html"
        await server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": card.as_uri(), "languageId": "html", "version": 1, "text": CARD}},
        )
        assert [d["code"] for d in await diagnostics(server, card.as_uri(), 1)] == ["SR806"]
    finally:
        await server.stop()


async def test_a_client_without_dynamic_registration_gets_the_notification_only(project: Path) -> None:
    server = await _start(project, dynamic=False)
    try:
        told = await server.notification("secreview/templateFolders")
        assert len(told["params"]["folders"]) == 2
        await asyncio.sleep(0.3)
        assert _registrations(server) == []
    finally:
        await server.stop()


async def test_a_folder_declared_later_is_announced_again(project: Path) -> None:
    server = await _start(project, dynamic=True)
    try:
        await server.notification("secreview/templateFolders")
        await _wait("the registration", lambda: _registrations(server))
        (project / "web" / "mail").mkdir()
        mailer = project / "web" / "mailer.py"
        mailer.write_text('from flask import Blueprint\n\nmail = Blueprint("mail", __name__, template_folder="mail")\n')
        start = len(server.notifications)
        await server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": mailer.as_uri(), "type": 1}]})
        told = await server.notification("secreview/templateFolders", start=start)
        assert str((project / "web" / "mail").resolve()) in told["params"]["folders"]
        unregistered = await _wait(
            "the unregistration",
            lambda: [r for r in server.server_requests if r.get("method") == "client/unregisterCapability"],
        )
        assert {u["id"] for u in unregistered[0]["params"]["unregisterations"]} == {
            r["id"] for r in _registrations(server)[:3]
        }
        await _wait("the new registration", lambda: len(_registrations(server)) == 6)
    finally:
        await server.stop()


async def test_nothing_is_said_while_every_template_folder_is_named_templates(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'plain'\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    server = await _start(tmp_path, dynamic=True)
    try:
        uri = (tmp_path / "loader.py").as_uri()
        await server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "import yaml\nyaml.load(x)\n"}},
        )
        assert [d["code"] for d in await diagnostics(server, uri, 1)] == ["SR401"]
        await asyncio.sleep(0.5)
        assert [n for n in server.notifications if n.get("method") == "secreview/templateFolders"] == []
        assert _registrations(server) == []
    finally:
        await server.stop()
