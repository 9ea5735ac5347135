"""The ``scope = "changed"`` and ``baseline`` settings: the reviewer's view of a change."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from secreview_ls.config import discover
from secreview_ls.pipeline import analyze_source

from .conftest import CONFIG, change_doc, diagnostics, open_doc, start

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

COMMITTED = """import pickle
import yaml


def load(text):
    return yaml.load(text)


def restore(blob):
    return pickle.loads(blob)
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (root / "jobs.py").write_text(COMMITTED, encoding="utf-8")
    (root / "legacy.py").write_text(COMMITTED, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "add", ".")
    git(root, "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "-m", "initial")
    return root


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient, repo: Path):
    lsp_client.set_configuration({"secreview": {"debounce": 20}})
    await start(lsp_client, "visual-studio-code", repo)
    yield
    await lsp_client.shutdown_session()


def codes(items: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in items if str(d.code).startswith("SR"))


async def reconfigure(client: LanguageClient, settings: dict[str, object]) -> None:
    client.set_configuration({"secreview": settings})
    mark = len(client.log_messages)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(200):
        if any("settings reloaded" in m.message for m in client.log_messages[mark:]):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("settings were not reloaded")


async def test_scope_changed_shows_only_findings_on_edited_lines(client: LanguageClient, repo: Path) -> None:
    await reconfigure(client, {"debounce": 20, "scope": "changed"})
    uri = open_doc(client, repo / "jobs.py", COMMITTED)
    assert codes(await diagnostics(client, uri, 1)) == []
    edited = COMMITTED + "\n\ndef run():\n    return eval(input())\n"
    change_doc(client, uri, 2, edited)
    items = await diagnostics(client, uri, 2)
    assert codes(items) == [
        f.rule_id
        for f in analyze_source(edited, str(repo / "jobs.py"), discover(repo)).findings
        if f.span.start_line > 11
    ]
    assert codes(items), "the new eval() is reported"
    await reconfigure(client, {"debounce": 20})
    for _ in range(200):  # the re-analysis under the new settings publishes version 2 again
        latest = codes(list(client.diagnostics.get(uri, [])))
        if "SR401" in latest and "SR402" in latest:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"scope = all did not bring the other findings back: {latest}")


async def test_baseline_hides_known_findings(client: LanguageClient, repo: Path) -> None:
    from secreview_ls.pipeline.baseline import entry_for

    path = repo / "legacy.py"
    known = [f for f in analyze_source(COMMITTED, str(path), discover(repo)).findings if f.rule_id == "SR402"]
    assert known
    baseline = {"tool": "secreview", "version": 1, "findings": [entry_for(f, "legacy.py") for f in known]}
    (repo / "baseline.json").write_text(json.dumps(baseline), encoding="utf-8")
    await reconfigure(client, {"debounce": 20, "baseline": "baseline.json"})
    uri = open_doc(client, path, COMMITTED)
    assert codes(await diagnostics(client, uri, 1)) == ["SR401"]
    # An edit elsewhere keeps the fingerprint, so the finding stays hidden.
    change_doc(client, uri, 2, "# header comment\n" + COMMITTED)
    assert codes(await diagnostics(client, uri, 2)) == ["SR401"]
