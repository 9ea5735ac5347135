"""A workspace scan is bounded: the walk honours excludes and .gitignore, skips pseudo
filesystems and system folders, stops at a file cap and says so, and ends at once when
cancelled or when the server exits, even with the filesystem root as workspace folder."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline.bounded_walk import find_files, pseudo_mounts

from .rawclient import RawServer, diagnostics, open_document

GOOD = "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"


# -- the walk ---------------------------------------------------------------------------------


def tree(root: Path) -> None:
    for relative in ("app.py", "pkg/mod.py", "pkg/deep/x.py", "build/gen.py", "ignored/skip.py", "notes.txt", ".env"):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")
    (root / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    (root / ".git").mkdir()


def names(root: Path, files: list[Path]) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in files)


def test_the_walk_honours_excludes_and_gitignore(tmp_path: Path) -> None:
    tree(tmp_path)
    found = find_files(tmp_path, Config(root=tmp_path), skip_mounts=frozenset())
    assert names(tmp_path, found.files) == [".env", "app.py", "pkg/deep/x.py", "pkg/mod.py"]
    assert not found.limited and not found.cancelled


def test_the_walk_stops_at_the_cap_and_says_so(tmp_path: Path) -> None:
    tree(tmp_path)
    found = find_files(tmp_path, Config(root=tmp_path), max_files=2, skip_mounts=frozenset())
    assert len(found.files) == 2
    assert "2 files" in found.limited and "scanMaxFiles" in found.limited


def test_the_walk_stops_when_asked(tmp_path: Path) -> None:
    tree(tmp_path)
    asked = []

    def stop() -> bool:
        asked.append(True)
        return len(asked) > 2

    found = find_files(tmp_path, Config(root=tmp_path), stop=stop, skip_mounts=frozenset())
    assert found.cancelled and len(found.files) < 4


def test_the_walk_skips_pseudo_filesystems(tmp_path: Path) -> None:
    tree(tmp_path)
    found = find_files(tmp_path, Config(root=tmp_path), skip_mounts=frozenset({str((tmp_path / "pkg").resolve())}))
    assert names(tmp_path, found.files) == [".env", "app.py"]


def test_pseudo_mounts_are_read_from_the_mount_table(tmp_path: Path) -> None:
    table = tmp_path / "mounts"
    table.write_text(
        "proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0\n/dev/sda1 / ext4 rw 0 0\n"
        "tmpfs /run tmpfs rw 0 0\nproc /mnt/with\\040space proc rw 0 0\n",
        encoding="utf-8",
    )
    assert pseudo_mounts(str(table)) == {"/proc", "/sys", "/mnt/with space"}


# -- end to end -------------------------------------------------------------------------------


async def filesystem_root_server(project: Path, options: dict[str, object]) -> RawServer:
    server = await RawServer.start(cwd=project)
    answer = await server.call(
        "initialize",
        {
            "processId": None,
            "rootUri": "file:///",
            "capabilities": {"window": {"workDoneProgress": True}},
            "workspaceFolders": [{"uri": "file:///", "name": "root"}],
            "initializationOptions": {"debounce": 0, **options},
        },
    )
    assert "result" in answer
    await server.notify("initialized", {})
    return server


async def test_a_scan_of_the_filesystem_root_stops_at_the_cap_and_says_so(tmp_path: Path) -> None:
    server = await filesystem_root_server(tmp_path, {"scanMaxFiles": 40})
    try:
        started = time.monotonic()
        answer = await server.call("workspace/executeCommand", {"command": "secreview.scanWorkspace"}, timeout=60)
        result = answer["result"]
        assert result["files"] <= 40 and "40 files" in result["limited"], result
        assert time.monotonic() - started < 60
        shown = [n["params"]["message"] for n in server.notifications if n["method"] == "window/showMessage"]
        assert any("scanMaxFiles" in message for message in shown), shown
        scanned = [n["params"]["uri"] for n in server.notifications if n["method"] == "textDocument/publishDiagnostics"]
        assert not any(uri.startswith(("file:///proc/", "file:///sys/", "file:///dev/")) for uri in scanned)
    finally:
        await server.stop()


@pytest.mark.parametrize("how", ["cancel request", "progress cancel", "exit"])
async def test_a_scan_of_the_filesystem_root_ends_at_once(tmp_path: Path, how: str) -> None:
    server = await filesystem_root_server(tmp_path, {"scanMaxFiles": 10_000_000})
    try:
        scan = await server.request("workspace/executeCommand", {"command": "secreview.scanWorkspace"})
        await asyncio.sleep(2.0)  # walking / or analyzing what it found
        assert scan not in server.responses
        started = time.monotonic()
        if how == "exit":
            await server.call("shutdown", timeout=5)
            await server.notify("exit")
            assert await server.exit_code(5) == 0
            assert time.monotonic() - started < 1.0
            return
        if how == "cancel request":
            await server.notify("$/cancelRequest", {"id": scan})
        else:
            created = next(r for r in server.server_requests if r["method"] == "window/workDoneProgress/create")
            await server.notify("window/workDoneProgress/cancel", {"token": created["params"]["token"]})
        answer = await server.response(scan, timeout=5)
        assert time.monotonic() - started < 2.0
        assert "error" in answer or answer["result"]["cancelled"], answer
        uri = (tmp_path / "good.py").as_uri()
        await open_document(server, uri, GOOD)
        assert [d["code"] for d in await diagnostics(server, uri, 1, timeout=10)] == ["SR401"]
    finally:
        await server.stop()
