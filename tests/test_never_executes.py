"""The analyzer never runs the code it reviews and never opens a network connection.

A hostile repository (module-level side effects, setup.py, conftest.py, git hooks and
configuration that name programs, an odd pyproject.toml) is reviewed by the command line,
with and without ``--diff``, and by the language server, each under ``strace``: the only
programs started are Python itself and git, no internet socket is created, and none of
the repository's traps fires."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (apt-get install strace)"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

TRAPS = ("app.py", "setup.py", "conftest.py", "tests/test_app.py", "hook", "fsmonitor", "clean", "textconv", "pager")


def _hostile_repository(root: Path, marker: Path) -> Path:
    def touch(name: str) -> str:
        return f"open({str(marker / name)!r}, 'w').close()"

    root.mkdir()
    (root / "app.py").write_text(
        f"import os\n{touch('app.py')}\nos.system('touch {marker}/system')\n\n\ndef view(request):\n"
        "    return eval(request.args['q'])\n",
        encoding="utf-8",
    )
    (root / "setup.py").write_text(f"{touch('setup.py')}\nfrom setuptools import setup\nsetup()\n", encoding="utf-8")
    (root / "conftest.py").write_text(touch("conftest.py") + "\n", encoding="utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_app.py").write_text(touch("tests/test_app.py") + "\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["evil"]\nbuild-backend = "app"\n\n[tool.secreview]\nselect = []\n'
        '[tool.secreview.taint]\nsources = ["app.view"]\n',
        encoding="utf-8",
    )
    environment = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(root)}
    environment |= {"PATH": "/usr/bin:/bin", "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    environment |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.invalid"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=environment)

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "initial")
    for key, name in (
        ("core.fsmonitor", "fsmonitor"),
        ("filter.trap.clean", "clean"),
        ("diff.trap.textconv", "textconv"),
        ("core.pager", "pager"),
        ("diff.external", "external"),
    ):
        git("config", key, f"sh -c 'touch {marker}/{name}; cat'")
    (root / ".gitattributes").write_text("*.py filter=trap diff=trap\n", encoding="utf-8")
    for hook in ("pre-commit", "post-checkout", "post-index-change", "reference-transaction"):
        path = root / ".git" / "hooks" / hook
        path.write_text(f"#!/bin/sh\ntouch {marker}/hook\n", encoding="utf-8")
        path.chmod(0o755)
    with (root / "app.py").open("a", encoding="utf-8") as stream:
        stream.write("\n\ndef other(request):\n    return eval(request.form['x'])\n")
    return root


def _traced(log: Path, command: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["strace", "-f", "-qq", "-z", "-e", "trace=execve,connect,socket", "-o", str(log), *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        input=stdin,
    )


def _programs_and_sockets(log: Path) -> tuple[set[str], list[str]]:
    programs: set[str] = set()
    sockets: list[str] = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        started = re.search(r'execve\("([^"]+)"', line)
        if started:
            programs.add(str(Path(started.group(1)).resolve()))
        if re.search(r"\b(socket|connect)\(", line) and "AF_UNIX" not in line and "AF_LOCAL" not in line:
            sockets.append(line)
    return programs, sockets


def _allowed() -> set[str]:
    allowed = {str(Path(sys.executable).resolve())}
    for name in ("git",):
        found = shutil.which(name)
        if found:
            allowed.add(str(Path(found).resolve()))
    allowed.add("/usr/lib/git-core/git")
    return allowed


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, Path]:
    marker = tmp_path / "ran"
    marker.mkdir()
    return _hostile_repository(tmp_path / "repo", marker), marker


@pytest.mark.parametrize("diff", [False, True], ids=["check", "check-diff"])
def test_command_line_runs_nothing_and_connects_nowhere(
    repository: tuple[Path, Path], tmp_path: Path, diff: bool
) -> None:
    root, marker = repository
    log = tmp_path / "strace.log"
    command = [sys.executable, "-m", "secreview_ls.cli", "check", "--no-progress", "--jobs", "2", "."]
    if diff:
        command[4:4] = ["--diff", "HEAD"]
    completed = _traced(log, command, root)
    assert completed.returncode == 1, completed.stderr
    assert "app.py" in completed.stdout and "eval" in completed.stdout
    programs, sockets = _programs_and_sockets(log)
    assert programs <= _allowed(), programs - _allowed()
    if diff:
        assert any(p.endswith("/git") for p in programs)
    assert sockets == []
    assert sorted(p.name for p in marker.iterdir()) == []


def _frame(payload: str) -> str:
    return f"Content-Length: {len(payload.encode('utf-8'))}\r\n\r\n{payload}"


def test_language_server_runs_nothing_and_connects_nowhere(repository: tuple[Path, Path], tmp_path: Path) -> None:
    import json

    root, marker = repository
    uri = (root / "app.py").as_uri()
    text = (root / "app.py").read_text(encoding="utf-8")
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {},
                "workspaceFolders": [{"uri": root.as_uri(), "name": "repo"}],
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        },
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "workspace/executeCommand",
            "params": {"command": "secreview.scanWorkspace", "arguments": []},
        },
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 6, "character": 12}},
        },
    ]
    log = tmp_path / "strace.log"
    process = subprocess.Popen(
        [
            "strace",
            "-f",
            "-qq",
            "-z",
            "-e",
            "trace=execve,connect,socket",
            "-o",
            str(log),
            sys.executable,
            "-m",
            "secreview_ls",
        ],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "server.log").open("wb"),
    )
    assert process.stdin is not None and process.stdout is not None
    for message in messages:
        process.stdin.write(_frame(json.dumps(message)).encode("utf-8"))
    process.stdin.flush()
    seen = b""
    buffer = b""
    watchdog = threading.Timer(120, process.kill)  # a server that stops answering fails the test, never hangs it
    watchdog.start()
    answered: set[int] = set()
    # Read until the hover has answered and the document's eval findings were published,
    # answering the server's own requests (configuration, progress) as a client does.
    while 3 not in answered or b"request.args" not in seen:
        chunk = process.stdout.read1(65536)  # type: ignore[attr-defined]
        if not chunk:
            break
        seen += chunk
        buffer += chunk
        while b"\r\n\r\n" in buffer:
            header, rest = buffer.split(b"\r\n\r\n", 1)
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            if len(rest) < length:
                break
            message, buffer = json.loads(rest[:length]), rest[length:]
            if "method" in message and "id" in message:
                result = (
                    [None] * len(message["params"]["items"]) if message["method"] == "workspace/configuration" else None
                )
                reply = {"jsonrpc": "2.0", "id": message["id"], "result": result}
                process.stdin.write(_frame(json.dumps(reply)).encode("utf-8"))
                process.stdin.flush()
            elif "id" in message:
                answered.add(message["id"])
    watchdog.cancel()
    process.stdin.write(_frame(json.dumps({"jsonrpc": "2.0", "id": 4, "method": "shutdown"})).encode("utf-8"))
    process.stdin.write(_frame(json.dumps({"jsonrpc": "2.0", "method": "exit"})).encode("utf-8"))
    process.stdin.close()
    process.wait(timeout=60)
    assert b"publishDiagnostics" in seen and b"eval" in seen
    programs, sockets = _programs_and_sockets(log)
    assert programs <= _allowed(), programs - _allowed()
    assert sockets == []
    assert sorted(p.name for p in marker.iterdir()) == []
