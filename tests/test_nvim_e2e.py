"""End to end in real editors: headless Neovim with the plugin from editors/nvim,
and the real language server.

Neovim runs editors/nvim/test/e2e.lua, which opens vulnerable files, waits for
the diagnostics, asks for a hover and code actions, applies the `safe_load`
quick fix and writes everything Neovim received to a JSON file. The assertions
are here, on that JSON.

Without `nvim` on PATH the test is skipped, except under CI (env CI set), where
a missing Neovim is a failure. Extra Neovim builds can be added with
SECREVIEW_E2E_NVIMS (paths separated by os.pathsep).

The same checks run against Emacs + Eglot with the snippet from
editors/emacs/secreview-eglot.el when Emacs and Eglot are installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PLUGIN = REPO / "editors" / "nvim"
DRIVER = PLUGIN / "test" / "e2e.lua"

WAIT_MS = 20_000
WATCHDOG_MS = 100_000
PROCESS_TIMEOUT_S = 150

FILES = {
    "pyproject.toml": '[project]\nname = "e2e-sample"\nversion = "0"\n',
    "app/__init__.py": "",
    "app/loader.py": 'import yaml\nyaml.load(open("x").read())\n',
    "app/shell.py": 'import subprocess\nsubprocess.call("ls -l " + folder, shell=True)\n',
    "app/clean.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
    ".env": "DEBUG=1\nDB_PASSWORD=Zq8-pr0d-Vx3!kL\n",
    "config/settings.yaml": "database:\n  user: app\n  password: 'Zq8-pr0d-Vx3!kL'\n",
}
SECRET = "Zq8-pr0d-Vx3!kL"


def _nvims() -> list[str]:
    found = []
    default = shutil.which("nvim")
    if default:
        found.append(default)
    for extra in os.environ.get("SECREVIEW_E2E_NVIMS", "").split(os.pathsep):
        if extra and extra not in found:
            found.append(extra)
    return found


def headless_environment(root: Path, out: Path) -> dict[str, str]:
    """The environment of a headless Neovim run in ``root``: a private home, the plugin of this
    checkout, the driver's result file ``out``, and ``python -m secreview_ls`` from this
    checkout (installed or not)."""
    home = root / ".nvim-home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "SECREVIEW_E2E_OUT": str(out),
        "SECREVIEW_E2E_PLUGIN": str(PLUGIN),
        "SECREVIEW_E2E_ROOT": str(root),
        "SECREVIEW_E2E_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
    }
    env.pop("VIRTUAL_ENV", None)
    return env


def _require_nvim() -> None:
    if _nvims():
        return
    if os.environ.get("CI"):
        pytest.fail("nvim is not installed, and CI is set: install Neovim (apt-get install neovim)")
    pytest.skip("nvim is not on PATH (install Neovim to run the editor end-to-end test)")


@pytest.fixture
def workspace() -> Iterator[Path]:
    # Not pytest's tmp_path: its directory names start with "test_", and a
    # path that looks like test code is analysed as test code.
    root = Path(tempfile.mkdtemp(prefix="secreview-e2e-")).resolve()
    try:
        for rel, text in FILES.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_nvim(
    nvim: str,
    root: Path,
    settings: dict[str, Any] | None = None,
    method: str | None = None,
    expect_empty: tuple[str, ...] = (),
    scenario: str = "",
) -> dict[str, Any]:
    """Runs the driver in headless Neovim; returns what it recorded."""
    home = root / ".nvim-home"  # as headless_environment sets it
    out = root / ".e2e-result.json"
    env = headless_environment(root, out)
    env.update(
        {
            "SECREVIEW_E2E_SETTINGS": json.dumps(settings or {}),
            "SECREVIEW_E2E_METHOD": method or "",
            "SECREVIEW_E2E_EXPECT_EMPTY": ",".join(expect_empty),
            "SECREVIEW_E2E_SCENARIO": scenario,
            "SECREVIEW_E2E_WAIT_MS": str(WAIT_MS),
            "SECREVIEW_E2E_WATCHDOG_MS": str(WATCHDOG_MS),
        }
    )
    cmd = [nvim, "--headless", "--clean", "-n", "-c", f"luafile {DRIVER}"]
    try:
        proc = subprocess.run(
            cmd,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PROCESS_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"nvim did not finish within {PROCESS_TIMEOUT_S} s\n{_logs(home, e.stderr)}")
    if not out.exists():
        pytest.fail(
            f"nvim wrote no result (exit {proc.returncode})\n"
            f"stdout: {proc.stdout.decode(errors='replace')[-3000:]}\n{_logs(home, proc.stderr)}"
        )
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data["_logs"] = _logs(home, proc.stderr)
    return data


def _logs(home: Path, stderr: bytes | None) -> str:
    parts = [f"nvim stderr: {(stderr or b'').decode(errors='replace')[-3000:]}"]
    for log in sorted(home.rglob("lsp.log")):
        parts.append(f"{log}:\n{log.read_text(errors='replace')[-6000:]}")
    return "\n".join(parts)


def _explain(data: dict[str, Any]) -> str:
    shown = {k: v for k, v in data.items() if k != "_logs"}
    return json.dumps(shown, indent=1)[:12000] + "\n" + data.get("_logs", "")


def _codes(diagnostics: list[dict[str, Any]]) -> set[str]:
    return {str(d.get("code")) for d in diagnostics}


def _on_line(diagnostics: list[dict[str, Any]], line: int) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d["range"]["start"]["line"] == line]


def _cases() -> list[Any]:
    cases = []
    for i, nvim in enumerate(_nvims() or ["nvim"]):
        cases.append(pytest.param(nvim, None, id="nvim" if i == 0 else f"nvim{i}"))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(("nvim", "method"), _cases())
def test_neovim_gets_diagnostics_hover_and_quick_fix(workspace: Path, nvim: str, method: str | None) -> None:
    _require_nvim()
    data = run_nvim(nvim, workspace, method=method)
    why = _explain(data)
    assert data["errors"] == [], why

    loader = data["files"]["loader.py"]
    assert loader["filetype"] == "python"
    assert Path(loader["root_dir"]) == workspace, why
    diags = loader["diagnostics"]
    assert diags, why
    assert all(d.get("source") == "secreview" for d in diags), why
    assert all(str(d.get("code", "")).startswith("SR") for d in diags), why
    # yaml.load on line 2 (0-based 1), range on the call.
    (yaml_diag,) = _on_line(diags, 1)
    assert yaml_diag["range"]["start"]["character"] == 0, why
    assert "yaml.load" in yaml_diag["message"], why
    # vim.diagnostic saw the same findings.
    assert {d["source"] for d in loader["vim_diagnostics"]} == {"secreview"}

    hover = loader["hover"]
    assert hover is not None, why
    assert hover["kind"] == "markdown", why
    assert hover["value"].strip(), why
    assert yaml_diag["code"] in hover["value"], why

    titles = [a["title"] for a in loader["code_actions"]]
    assert any(t.startswith("Replace `yaml.load` with `yaml.safe_load`") for t in titles), why
    assert any(t.startswith(f"Suppress {yaml_diag['code']}") for t in titles), why
    assert any(t.startswith(f"Show documentation for {yaml_diag['code']}") for t in titles), why
    fixes = [a for a in loader["code_actions"] if a["title"].startswith("Replace `yaml.load`")]
    assert fixes[0]["kind"] == "quickfix" and fixes[0]["has_edit"], why

    assert "yaml.safe_load(" in loader["text_after_fix"], why
    assert "yaml.load(" not in loader["text_after_fix"], why
    # After the edit the server re-analysed the buffer: the finding is gone.
    assert _on_line(loader["diagnostics_after_fix"], 1) == [], why

    shell = data["files"]["shell.py"]
    shell_line = _on_line(shell["diagnostics"], 1)
    assert shell_line, why
    assert all(d["source"] == "secreview" for d in shell_line)
    assert any("shell" in d["message"].lower() for d in shell_line), why
    assert any(a["title"].startswith("Suppress ") for a in shell["code_actions"]), why

    assert data["scan"].get("error") is None, why

    clean = data["files"]["clean.py"]
    assert clean["attached"], why
    assert clean["diagnostics"] == [], why

    # Files attached by name: the secret rules report the password, masked, on its line.
    for name, line in ((".env", 1), ("settings.yaml", 2)):
        other = data["files"][name]
        assert other["attached"], (name, why)
        on_line = _on_line(other["diagnostics"], line)
        assert [d["code"] for d in on_line] == ["SR780"], (name, why)
        assert SECRET not in json.dumps(other["diagnostics"]), (name, why)

    assert data["health"]["ok"], why
    assert "secreview-ls " in data["health"]["text"], why
    assert "can start" in data["health"]["text"], why
    assert "ok: pygls " in data["health"]["text"], why
    assert "ERROR" not in data["health"]["text"], why


@pytest.mark.slow
def test_neovim_says_why_the_server_cannot_start_and_how_to_fix_it(workspace: Path) -> None:
    """A server whose interpreter lacks pygls: a notification and :checkhealth name the
    problem and the command that fixes it, not just "client quit with exit code 1"."""
    _require_nvim()
    data = run_nvim(_nvims()[0], workspace, scenario="broken")
    why = _explain(data)
    assert data["errors"] == [], why
    (told,) = [n for n in data["notifications"] if "the server exited" in str(n["message"])]
    assert "problem: pygls>=2.1,<3: cannot import pygls" in told["message"], why
    assert f"run: {sys.executable} -m pip install -e {REPO}" in told["message"], why
    health = data["health"]["text"]
    assert data["health"]["ok"], why
    assert "ERROR" in health and "pygls>=2.1,<3: cannot import pygls" in health, health
    assert f"run: {sys.executable} -m pip install -e {REPO}" in health, health


@pytest.mark.slow
def test_neovim_settings_reach_the_server(workspace: Path) -> None:
    """`ignore` from setup({settings = ...}) silences a rule in the editor."""
    _require_nvim()
    nvim = _nvims()[0]
    first = run_nvim(nvim, workspace)
    shell_codes = _codes(_on_line(first["files"]["shell.py"]["diagnostics"], 1))
    assert shell_codes, _explain(first)

    second = run_nvim(nvim, workspace, settings={"ignore": sorted(shell_codes)}, expect_empty=("shell.py",))
    why = _explain(second)
    shell = second["files"]["shell.py"]
    assert _codes(shell.get("diagnostics") or []).isdisjoint(shell_codes), why
    # The other file's finding is still reported.
    assert _on_line(second["files"]["loader.py"]["diagnostics"], 1), why


# --- Emacs + Eglot ---------------------------------------------------------
# The snippet in editors/emacs/secreview-eglot.el (shown in editors/README.md),
# loaded unchanged by headless Emacs. Optional: skipped without Emacs/Eglot.

EMACS_SNIPPET = REPO / "editors" / "emacs" / "secreview-eglot.el"
EMACS_DRIVER = REPO / "editors" / "emacs" / "test" / "e2e.el"


def _emacs_with_eglot() -> str | None:
    emacs = shutil.which("emacs")
    if emacs is None:
        return None
    probe = subprocess.run(
        [emacs, "--batch", "--no-init-file", "--eval", "(require 'eglot)"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return emacs if probe.returncode == 0 else None


@pytest.mark.slow
def test_emacs_eglot_snippet(workspace: Path) -> None:
    emacs = _emacs_with_eglot()
    if emacs is None:
        pytest.skip("emacs with eglot is not installed (apt-get install emacs-nox elpa-eglot)")
    # The snippet runs `python3 -m secreview_ls`: make that this interpreter.
    shim = workspace / ".bin"
    shim.mkdir()
    (shim / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    (shim / "python3").chmod(0o755)
    out = workspace / ".emacs-result.json"
    env = {
        **os.environ,
        "HOME": str(workspace / ".emacs-home"),
        "PATH": os.pathsep.join([str(shim), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
        "SECREVIEW_E2E_OUT": str(out),
        "SECREVIEW_E2E_ROOT": str(workspace),
        "SECREVIEW_E2E_SNIPPET": str(EMACS_SNIPPET),
        "SECREVIEW_E2E_WAIT_MS": str(WAIT_MS),
    }
    env.pop("VIRTUAL_ENV", None)
    try:
        proc = subprocess.run(
            [emacs, "--batch", "--no-init-file", "-l", str(EMACS_DRIVER)],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PROCESS_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"emacs did not finish within {PROCESS_TIMEOUT_S} s: {(e.stderr or b'').decode(errors='replace')}")
    log = proc.stderr.decode(errors="replace")[-4000:]
    assert out.exists(), f"emacs wrote no result (exit {proc.returncode})\n{log}"
    data = json.loads(out.read_text(encoding="utf-8"))
    why = json.dumps(data, indent=1)[:8000] + "\n" + log
    assert data["errors"] == [], why
    assert data["server_command"] == ["python3", "-m", "secreview_ls"], why
    (yaml_diag,) = _on_line(data["diagnostics"], 1)
    assert yaml_diag["source"] == "secreview", why
    assert str(yaml_diag["code"]).startswith("SR"), why
    # Eglot without markdown-mode advertises plain text only; the server answers in kind.
    assert data["hover"]["kind"] in ("markdown", "plaintext") and data["hover"]["value"].strip(), why
    assert yaml_diag["code"] in data["hover"]["value"], why
    assert any(t.startswith("Replace `yaml.load` with `yaml.safe_load`") for t in data["code_action_titles"]), why
    assert "yaml.safe_load(" in data["text_after_fix"], why
    assert _on_line(data["diagnostics_after_fix"], 1) == [], why


def test_emacs_snippet_in_readme_is_the_tested_file() -> None:
    """The Eglot snippet shown in editors/README.md is the file the test above loads."""
    readme = (REPO / "editors" / "README.md").read_text(encoding="utf-8")
    block = readme.split("```elisp\n", 1)[1].split("```", 1)[0]
    snippet = EMACS_SNIPPET.read_text(encoding="utf-8")
    missing = [line for line in block.splitlines() if line.strip() and line not in snippet]
    assert missing == []
