"""The command line never destroys what it reviews and fails with a message, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from secreview_ls import cli

VULNERABLE = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(VULNERABLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "app.py", "-o", "app.py"],
        ["check", ".", "-o", "app.py", "-f", "json"],
        ["check", ".", "--output", "./sub/../app.py"],
        ["baseline", "create", "app.py", "-o", "app.py"],
        ["review", ".", "-o", "app.py"],
    ],
)
def test_output_that_is_a_scanned_file_is_refused(
    argv: list[str], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "sub").mkdir()
    assert cli.main(argv) == 2
    assert "refusing to write to" in capsys.readouterr().err
    assert (project / "app.py").read_text(encoding="utf-8") == VULNERABLE


def test_output_through_a_symlink_to_a_scanned_file_is_refused(project: Path, capsys) -> None:
    (project / "report.txt").symlink_to(project / "app.py")
    assert cli.main(["check", "app.py", "-o", "report.txt"]) == 2
    assert (project / "app.py").read_text(encoding="utf-8") == VULNERABLE


def test_report_replaces_an_older_report_and_keeps_its_mode(project: Path) -> None:
    old = project / "report.json"
    old.write_text("old", encoding="utf-8")
    old.chmod(0o640)
    assert cli.main(["check", "app.py", "-f", "json", "-o", "report.json"]) == 1
    assert json.loads(old.read_text(encoding="utf-8"))["summary"]["findings"] == 1
    assert old.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.iterdir()) == ["app.py", "pyproject.toml", "report.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_full_disk_is_a_clear_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "app.py", "-o", "/dev/full"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    with open("/dev/full", "w", encoding="utf-8") as full:
        completed = subprocess.run(
            [sys.executable, "-m", "secreview_ls.cli", "check", "app.py"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert completed.returncode == 2
    assert "cannot write the report to standard output" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_deeply_nested_baseline_and_config_are_usage_errors(project: Path, capsys) -> None:
    (project / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert cli.main(["check", "app.py", "--baseline", "deep.json"]) == 2
    assert "nested too deeply" in capsys.readouterr().err
    (project / "deep.toml").write_text(
        "[tool.secreview]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8"
    )
    assert cli.main(["check", "app.py", "--config", "deep.toml"]) == 2
    assert "nested too deeply" in capsys.readouterr().err


def test_configuration_in_the_tree_is_not_replaced(project: Path, capsys) -> None:
    assert cli.main(["check", ".", "-f", "json", "-o", "pyproject.toml"]) == 2
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == "[tool.secreview]\n"


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_an_earlier_report_in_the_scanned_tree_is_replaced(fmt: str, project: Path) -> None:
    target = project / "report.json"
    assert cli.main(["check", ".", "-f", fmt, "-o", str(target)]) == 1
    first = json.loads(target.read_text(encoding="utf-8"))
    assert cli.main(["check", ".", "-f", fmt, "-o", str(target)]) == 1
    second = json.loads(target.read_text(encoding="utf-8"))
    count = (lambda doc: doc["summary"]["findings"]) if fmt == "json" else (lambda doc: len(doc["runs"][0]["results"]))
    assert count(first) == count(second) == 1
    assert cli.main(["baseline", "create", "."]) == 0
    assert cli.main(["baseline", "create", "."]) == 0


def test_files_that_could_not_be_analyzed_fail_closed(project: Path, capsys, monkeypatch) -> None:
    """Unreadable folders, dangling links and timed-out files are listed, exit 3."""
    (project / "app.py").write_text("import json\n", encoding="utf-8")
    (project / "locked").mkdir()
    (project / "locked" / "hidden.py").write_text(VULNERABLE, encoding="utf-8")
    (project / "gone.py").symlink_to(project / "missing.py")
    real_scandir = os.scandir

    def scandir(path):  # root reads any folder whatever its mode: refuse this one by hand
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert cli.main(["check", ".", "--color", "never", "--no-progress"]) == 3
    captured = capsys.readouterr()
    assert "locked: unreadable: cannot list this directory (Permission denied)" in captured.err
    assert "not fully analyzed, so not known to be clean: locked" in captured.out
    assert cli.main(["check", "gone.py", "--no-progress"]) == 3
    assert cli.main(["check", "gone.py", "--no-progress", "--exit-zero"]) == 0
    capsys.readouterr()
    assert cli.main(["check", ".", "-f", "json", "--no-progress", "--exit-zero"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["not_fully_analyzed"] == ["locked"]


def test_a_timed_out_file_fails_closed(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text("[tool.secreview]\ntimeout = 0.000001\n", encoding="utf-8")
    assert cli.main(["check", "app.py", "--no-progress", "--color", "never"]) == 3
    assert "timeout" in capsys.readouterr().err


def test_a_file_whose_rules_all_time_out_counts_once(project: Path, capsys) -> None:
    (project / "pyproject.toml").write_text("[tool.secreview]\ntimeout = 0.000001\n", encoding="utf-8")
    assert cli.main(["check", "app.py", "--no-progress", "--color", "never"]) == 3
    out = capsys.readouterr().out
    assert "1 file not or only partly analyzed (1 timeout)" in out


@pytest.mark.parametrize("output", ["report.sarif", "../elsewhere/report.json"])
def test_an_existing_report_no_walk_would_pick_is_replaced_without_a_second_walk(
    output: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import secreview_ls.pipeline as pipeline

    (project.parent / "elsewhere").mkdir(exist_ok=True)
    (project / output).write_text("old", encoding="utf-8")

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scanned tree was walked to check the output path")

    monkeypatch.setattr(pipeline, "discover_files", no_walk)
    assert cli.main(["check", ".", "-f", "json", "-o", output]) == 1
    assert json.loads((project / output).read_text(encoding="utf-8"))["summary"]["findings"] == 1
