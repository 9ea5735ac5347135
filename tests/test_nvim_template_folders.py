"""Headless Neovim with the plugin from editors/nvim and the real server: the server announces
a template folder a Flask application declares (``template_folder="pages"``), and the plugin
attaches that folder's template files, which then show the view's finding. Skipped without
``nvim`` on PATH (a failure under CI)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_nvim_e2e import PLUGIN, _require_nvim, headless_environment

DRIVER = PLUGIN / "test" / "template_folders.lua"
VIEWS = """from flask import Flask, render_template, request

app = Flask(__name__, template_folder="pages")


@app.route("/card")
def card():
    return render_template("card.html", note=request.args["note"])
"""


@pytest.fixture
def workspace() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="secreview-nvim-folders-")).resolve()
    try:
        (root / "pyproject.toml").write_text('[project]\nname = "folders"\nversion = "0"\n', encoding="utf-8")
        (root / "web" / "pages").mkdir(parents=True)
        (root / "web" / "views.py").write_text(VIEWS, encoding="utf-8")
        (root / "web" / "pages" / "card.html").write_text("<p>{{ note|safe }}</p>\n", encoding="utf-8")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_plugin_attaches_the_template_folders_the_server_announces(workspace: Path) -> None:
    _require_nvim()
    out = workspace / ".result.json"
    env = headless_environment(workspace, out)
    command = [shutil.which("nvim") or "nvim", "--headless", "--clean", "-n", "-c", f"luafile {DRIVER}"]
    subprocess.run(
        command, cwd=workspace, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=150, check=False
    )
    assert out.exists(), "nvim wrote no result"
    seen = json.loads(out.read_text(encoding="utf-8"))
    assert seen["errors"] == []
    assert f"{(workspace / 'web' / 'pages').as_posix()}/*.html" in seen["patterns"]
    assert seen["attached"] is True
    assert seen["codes"] == ["SR806"]
