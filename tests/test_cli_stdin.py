"""``secreview check -`` with ``--stdin-filename``: standard input analyzed as one file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from secreview_ls import cli

SOURCE = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"
YAML_MESSAGE = (
    "`yaml.load` without a Loader can construct arbitrary Python objects from the input; "
    "use `yaml.safe_load` or `Loader=yaml.SafeLoader`"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str, *argv: str):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))
    code = cli.main(["check", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_stdin_text_report_shows_the_piped_code(project: Path, monkeypatch, capsys) -> None:
    # The file on disk differs: the report shows what came on standard input.
    (project / "pkg").mkdir()
    (project / "pkg" / "mod.py").write_text("x = 1\n", encoding="utf-8")
    code, out, _ = check_stdin(monkeypatch, capsys, SOURCE, "-", "--stdin-filename", "pkg/mod.py", "--color", "never")
    assert code == 1
    assert out == (
        f"pkg/mod.py:5:12: SR401 [high/high] {YAML_MESSAGE} (CWE-502)\n"
        "    5 |     return yaml.load(data)\n"
        "      |            ^^^^^^^^^^^^^^^\n"
        "      fix: Replace `yaml.load` with `yaml.safe_load` (unsafe: --fix --unsafe-fixes)\n"
        "\n"
        "1 finding in 1 file (1 high); 1 file scanned\n"
    )


def test_stdin_without_a_name(project: Path, monkeypatch, capsys) -> None:
    assert check_stdin(monkeypatch, capsys, SOURCE, "-", "-f", "concise") == (
        1,
        f"<stdin>:5:12: SR401 [high] {YAML_MESSAGE}\n1 finding in 1 file (1 high); 1 file scanned\n",
        "",
    )
    assert check_stdin(monkeypatch, capsys, "x = 1\n", "-", "-f", "concise") == (0, "No findings; 1 file scanned\n", "")


def test_stdin_follows_the_configuration_of_its_filename(project: Path, monkeypatch, capsys) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.secreview.per-file-ignores]\n"scripts/*.py" = ["SR401"]\n', encoding="utf-8"
    )
    assert check_stdin(monkeypatch, capsys, SOURCE, "-", "--stdin-filename", "scripts/x.py", "-f", "concise")[:2] == (
        0,
        "No findings; 1 file scanned\n",
    )
    code, out, _ = check_stdin(monkeypatch, capsys, SOURCE, "-", "--stdin-filename", "app/x.py", "-f", "json")
    assert code == 1
    document = json.loads(out)
    assert [(f["path"], f["rule_id"]) for f in document["findings"]] == [("app/x.py", "SR401")]


def test_stdin_baseline_and_undecodable_input(project: Path, monkeypatch, capsys) -> None:
    (project / "app.py").write_text(SOURCE, encoding="utf-8")
    assert cli.main(["baseline", "create", "app.py", "-o", "base.json"]) == 0
    capsys.readouterr()
    code, out, _ = check_stdin(
        monkeypatch, capsys, SOURCE, "-", "--stdin-filename", "app.py", "--baseline", "base.json", "-f", "concise"
    )
    assert (code, out) == (0, "No findings; 1 file scanned\n")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"x = '\xff'\n")))
    code = cli.main(["check", "-", "--stdin-filename", "bad.py", "-f", "concise"])
    captured = capsys.readouterr()
    assert code == 3
    assert captured.out == (
        "No findings; 1 file scanned\n1 file not or only partly analyzed (1 undecodable)\n"
        "1 path not fully analyzed, so not known to be clean: bad.py\n"
    )
    assert (
        captured.err == "bad.py: undecodable: cannot determine the encoding: invalid or missing encoding declaration\n"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-", "app.py"], "`-` (standard input) cannot be combined with other paths"),
        (["app.py", "--stdin-filename", "x.py"], "--stdin-filename needs `-` as the path"),
        (["-", "--diff", "HEAD"], "--diff cannot be used with `-` (standard input)"),
        (
            ["-", "-f", "html"],
            "--format html cannot report standard input (use one of: text, concise, json, sarif, github, gitlab)",
        ),
    ],
)
def test_stdin_usage_errors(project: Path, monkeypatch, capsys, argv: list[str], message: str) -> None:
    (project / "app.py").write_text(SOURCE, encoding="utf-8")
    assert check_stdin(monkeypatch, capsys, SOURCE, *argv) == (2, "", f"secreview: error: {message}\n")
