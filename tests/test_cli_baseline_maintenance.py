"""``baseline update`` / ``baseline prune`` and the ``reason`` of baseline entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secreview_ls import cli

YAML_LOAD = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"
PICKLE_LOAD = "import pickle\n\n\ndef load(data):\n    return pickle.loads(data)\n"
SHELL = "import subprocess\n\n\ndef run():\n    subprocess.call(cmd, shell=True)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "a.py").write_text(YAML_LOAD, encoding="utf-8")
    (tmp_path / "b.py").write_text(PICKLE_LOAD, encoding="utf-8")
    (tmp_path / "d.py").write_text(YAML_LOAD.replace("load(data)", "load(text)"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def entries(project: Path) -> list[tuple[str, str, str | None]]:
    data = json.loads((project / ".secreview-baseline.json").read_text(encoding="utf-8"))
    return [(e["path"], e["rule"], e.get("reason")) for e in data["findings"]]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main([*argv, "--no-progress"])
    return code, capsys.readouterr().err


def test_create_records_a_reason(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "baseline", "create", ".", "--reason", "legacy loaders") == (
        0,
        "wrote 3 baseline entries to .secreview-baseline.json\n",
    )
    assert entries(project) == [
        ("a.py", "SR401", "legacy loaders"),
        ("b.py", "SR402", "legacy loaders"),
        ("d.py", "SR401", "legacy loaders"),
    ]


def test_prune_drops_fixed_and_deleted_and_adds_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "baseline", "create", ".", "--reason", "legacy")
    (project / "b.py").write_text("import json\n", encoding="utf-8")
    (project / "d.py").unlink()
    (project / "c.py").write_text(SHELL, encoding="utf-8")
    assert run(capsys, "baseline", "prune", ".") == (0, ".secreview-baseline.json: kept 1, dropped 2 (fixed)\n")
    assert entries(project) == [("a.py", "SR401", "legacy")]


def test_update_adds_new_keeps_verdicts_and_leaves_unscanned_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "baseline", "create", ".")
    document = json.loads((project / ".secreview-baseline.json").read_text(encoding="utf-8"))
    document["findings"][0]["reason"] = "input is a trusted fixture"
    document["findings"][0]["reviewed-by"] = "ops"
    (project / ".secreview-baseline.json").write_text(json.dumps(document), encoding="utf-8")
    (project / "b.py").write_text("import json\n", encoding="utf-8")
    (project / "c.py").write_text(SHELL, encoding="utf-8")
    # Only a.py, b.py and c.py are scanned: d.py's entry stays as it is.
    assert run(capsys, "baseline", "update", "a.py", "b.py", "c.py", "--reason", "operator-only tool") == (
        0,
        ".secreview-baseline.json: added 1, kept 2, dropped 1 (fixed)\n",
    )
    assert entries(project) == [
        ("a.py", "SR401", "input is a trusted fixture"),
        ("c.py", "SR201", "operator-only tool"),
        ("d.py", "SR401", None),
    ]
    data = json.loads((project / ".secreview-baseline.json").read_text(encoding="utf-8"))
    assert data["findings"][0]["reviewed-by"] == "ops"
    assert cli.main(["check", ".", "--baseline", ".secreview-baseline.json", "--no-progress", "-f", "concise"]) == 0


def test_reason_must_be_a_string(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".secreview-baseline.json").write_text(
        json.dumps(
            {"findings": [{"path": "a.py", "fingerprint": "x", "reason": 3}], "tool": "secreview", "version": 1}
        ),
        encoding="utf-8",
    )
    assert run(capsys, "baseline", "update", ".") == (
        2,
        "secreview: error: .secreview-baseline.json: entry 0: `reason` must be a string\n",
    )
