"""The ``secreview`` command line: formats, exit codes, notices, rules/explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from secreview_ls import cli

VULNERABLE = "import yaml\n\n\ndef load(data):\n    return yaml.load(data)\n"
CLEAN = "import json\n\n\ndef load(data):\n    return json.loads(data)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root (with its own pyproject.toml) as the working directory."""
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(*argv: str) -> int:
    return cli.main(list(argv))


def test_clean_tree_exits_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert run("check", ".") == 0
    out = capsys.readouterr().out
    assert "No findings; 2 files scanned" in out  # ok.py and pyproject.toml


def test_findings_exit_one_with_located_text_report(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    (project / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert run("check", ".", "--color", "never") == 1
    out = capsys.readouterr().out
    assert "bad.py:5:12: SR401 [high/high]" in out
    # the code line and a caret under the call
    lines = out.splitlines()
    code = next(i for i, line in enumerate(lines) if "return yaml.load(data)" in line)
    caret_line = lines[code + 1]
    code_text = lines[code].split("| ", 1)[1]
    caret_text = caret_line.split("| ", 1)[1]
    assert caret_text.strip() == "^" * len("yaml.load(data)")
    assert caret_text.index("^") == code_text.index("yaml.load")
    assert "fix: " in out
    assert "1 finding in 1 file (1 high); 3 files scanned" in out
    assert "\x1b[" not in out


def test_exit_zero_flag(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    assert run("check", "--exit-zero", ".") == 0
    assert "SR401" in capsys.readouterr().out


def test_color_always_and_no_color(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    (project / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    run("check", "--color", "always", ".")
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    run("check", ".")  # auto: captured stdout is not a terminal, and NO_COLOR is set
    assert "\x1b[" not in capsys.readouterr().out


def test_json_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pkg").mkdir()
    (project / "pkg" / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    assert run("check", "-f", "json", ".") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["files_scanned"] == 2
    assert data["summary"]["findings"] == 1
    assert data["summary"]["by_severity"] == {"high": 1, "medium": 0, "low": 0}
    (finding,) = data["findings"]
    assert finding["rule_id"] == "SR401"
    assert finding["path"] == "pkg/bad.py"
    assert finding["span"] == {"start_line": 5, "start_col": 11, "end_line": 5, "end_col": 26}
    assert finding["cwe"] == 502 and finding["fingerprint"]
    assert finding["fix"]["edits"][0]["new_text"] == "yaml.safe_load"


def test_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    assert run("check", "-f", "sarif", "-o", "out.sarif", ".") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-2:] == [
        "1 finding in 1 file (1 high); 2 files scanned",
        "report written to out.sarif",
    ]
    log = json.loads((project / "out.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["SR401"]


def test_severity_and_select_filters(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "m.py").write_text("import pickle\n\n\ndef f(b):\n    return pickle.loads(b)\n", encoding="utf-8")
    assert run("check", ".") == 1  # SR402 is medium severity
    capsys.readouterr()
    assert run("check", "--severity", "high", ".") == 0
    capsys.readouterr()
    assert run("check", "--select", "SR401", ".") == 0
    capsys.readouterr()
    assert run("check", "--select", "B301", ".") == 1  # Bandit code selects the same rule
    capsys.readouterr()
    assert run("check", "--ignore", "S301", ".") == 0  # Ruff code ignores it


def test_unknown_rule_in_select_is_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert run("check", "--select", "SR4O1", ".") == 2
    err = capsys.readouterr().err
    assert "unknown rule `SR4O1`" in err
    assert "did you mean" in err and "SR401" in err


def test_unknown_rule_in_config_is_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.secreview]\nignore = ["XX999"]\n', encoding="utf-8")
    (project / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert run("check", ".") == 2
    err = capsys.readouterr().err
    assert "pyproject.toml" in err and "`ignore` names unknown rule `XX999`" in err


def test_bad_config_value_is_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.secreview]\nseverity = "extreme"\n', encoding="utf-8")
    (project / "ok.py").write_text(CLEAN, encoding="utf-8")
    assert run("check", ".") == 2
    err = capsys.readouterr().err
    assert "configuration error" in err and "severity" in err


def test_invalid_toml_and_explicit_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "broken.toml").write_text("[tool.secreview\n", encoding="utf-8")
    assert run("check", "--config", "broken.toml", ".") == 2
    assert "invalid TOML" in capsys.readouterr().err
    assert run("check", "--config", "missing.toml", ".") == 2
    assert "no such file" in capsys.readouterr().err
    (project / "strict.toml").write_text('[tool.secreview]\nseverity = "high"\n', encoding="utf-8")
    (project / "m.py").write_text("import pickle\npickle.loads(b'')\n", encoding="utf-8")
    assert run("check", "--config", "strict.toml", ".") == 0


def test_usage_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", "--format", "xml", ".") == 2
    assert run("check", "--severity", "huge", ".") == 2
    assert run() == 2
    assert run("check", "does-not-exist") == 2
    assert "no such file or directory: does-not-exist" in capsys.readouterr().err


def test_bad_files_get_notices_and_scan_continues(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text("[tool.secreview]\nmax-file-size = 2000\n", encoding="utf-8")
    (project / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    (project / "binary.py").write_bytes(b"\x00\x01\x02 not python")
    (project / "latin.py").write_bytes(b"x = '\xe9\xe8'\n")  # not UTF-8, no coding cookie
    (project / "huge.py").write_text("x = 1\n" * 1000, encoding="utf-8")
    (project / "broken.py").write_text("def f(:\n    pass\nimport yaml\nyaml.load(s)\n", encoding="utf-8")
    assert run("check", "--color", "never", ".") == 3  # fails closed: three files were not analyzed
    captured = capsys.readouterr()
    assert "binary.py: binary:" in captured.err
    assert "latin.py: undecodable:" in captured.err
    assert "huge.py: too-large:" in captured.err
    assert "broken.py:1:" in captured.err and "syntax-error" in captured.err
    # findings elsewhere (and below the broken statement) are still reported
    assert "bad.py:5:12: SR401" in captured.out
    assert "broken.py:4:1: SR401" in captured.out
    assert "3 files not or only partly analyzed (1 binary, 1 too-large, 1 undecodable)" in captured.out
    assert "1 file with syntax errors" in captured.out
    assert "3 paths not fully analyzed, so not known to be clean: binary.py, huge.py, latin.py" in captured.out
    assert run("check", "--exit-zero", ".") == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode")
def test_unreadable_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = project / "secret.py"
    secret.write_text(VULNERABLE, encoding="utf-8")
    secret.chmod(0)
    try:
        assert run("check", ".") == 3
        assert "unreadable" in capsys.readouterr().err
    finally:
        secret.chmod(0o644)


def test_quiet_hides_notices(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "binary.py").write_bytes(b"\x00\x00")
    assert run("check", "-q", ".") == 3
    assert capsys.readouterr().err == ""


def test_parallel_and_serial_agree(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for index in range(30):
        body = VULNERABLE if index % 3 == 0 else CLEAN
        (project / f"m{index:02}.py").write_text(body, encoding="utf-8")
    assert run("check", "-f", "json", "--jobs", "1", ".") == 1
    serial = json.loads(capsys.readouterr().out)
    assert run("check", "-f", "json", "--jobs", "2", ".") == 1
    parallel = json.loads(capsys.readouterr().out)
    assert serial["findings"] == parallel["findings"]
    assert serial["summary"]["findings"] == 10


def test_rules_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("rules") == 0
    out = capsys.readouterr().out
    assert "SR401" in out and "yaml-unsafe-load" in out and "CWE-502" in out and "B506" in out and "S506" in out
    assert run("rules", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {row["id"]: row for row in rows}
    assert by_id["SR401"]["bandit"] == ["B506"] and by_id["SR401"]["cwe"] == 502
    assert run("rules", "--format", "markdown") == 0
    assert "| SR401 | `yaml-unsafe-load` |" in capsys.readouterr().out


def test_rules_table_fits_a_terminal_and_shows_fixes_and_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("rules") == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 100
    header = lines[0].split()
    assert header[5:7] == ["FIX", "ON"]
    by_id = {line.split()[0]: line.split() for line in lines[1:-1] if line[:2] == "SR"}
    assert by_id["SR201"][5:7] == ["-", "on"]
    assert by_id["SR208"][5:7] == ["unsafe", "off"]  # the argument-list rewrite may change behaviour
    assert by_id["SR601"][5] == "safe"  # debug=False only turns the debugger off
    assert by_id["SR101"][5] == "-"  # eval has no fix
    assert by_id["SR204"][6] == "off"  # partial executable path is opt-in


@pytest.mark.parametrize("code", ["SR401", "sr401", "B506", "S506", "yaml-unsafe-load"])
def test_explain_accepts_all_codes(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("explain", code) == 0
    out = capsys.readouterr().out
    assert out.startswith("## SR401 `yaml-unsafe-load`")
    assert "### Safe" in out


def test_explain_unknown_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("explain", "SR4011") == 2
    err = capsys.readouterr().err
    assert "unknown rule 'SR4011'" in err and "SR401" in err


def test_console_script_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "secreview_ls.cli", "check", str(tmp_path), "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"][0]["rule_id"] == "SR401"
    script = Path(sys.executable).with_name("secreview")
    if script.exists():
        done = subprocess.run(
            [str(script), "check", "--exit-zero", str(tmp_path)], capture_output=True, text=True, env=env, timeout=120
        )
        assert done.returncode == 0 and "SR401" in done.stdout


@pytest.mark.parametrize("fmt, marker", [("markdown", "SR401"), ("html", "SR401")])
def test_review_formats(fmt: str, marker: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip(f"secreview_ls.reports.{fmt}")
    (project / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    assert run("check", "-f", fmt, "-o", f"report.{fmt}", ".") == 1
    assert marker in (project / f"report.{fmt}").read_text(encoding="utf-8")


def test_review_command(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("secreview_ls.review")
    (project / "bad.py").write_text(VULNERABLE, encoding="utf-8")
    assert run("review", ".", "-o", "review.md") == 1  # the same exit codes as check
    assert "SR401" in (project / "review.md").read_text(encoding="utf-8")
    assert run("review", ".", "-o", "review.md", "--exit-zero") == 0


def test_text_report_shows_flow_and_multiline_caret(tmp_path: Path) -> None:
    from secreview_ls.config import Config
    from secreview_ls.engine.finding import Finding, FlowStep, Level, Span
    from secreview_ls.pipeline import AnalysisResult
    from secreview_ls.pipeline.scan import ScanResult
    from secreview_ls.reports.text import render

    app = tmp_path / "app.py"
    app.write_text("q = request.args['q']\ncur.execute(\n    q)\n", encoding="utf-8")
    finding = Finding(
        "SR801",
        "`request.args['q']` reaches `cur.execute`",
        Span(2, 0, 3, 6),
        Level.HIGH,
        Level.MEDIUM,
        89,
        path=str(app),
        flow=(FlowStep(Span(1, 4, 1, 21), "source"), FlowStep(Span(2, 0, 3, 6), "sink")),
    )
    scan = ScanResult(tmp_path, Config(root=tmp_path), [AnalysisResult(str(app), [finding])], files_scanned=1)
    lines = render(scan).splitlines()
    assert lines[0].endswith(":2:1: SR801 [high/medium] `request.args['q']` reaches `cur.execute` (CWE-89)")
    assert lines[1].endswith("| cur.execute(") and lines[2].endswith("| ^^^^^^^^^^^^")  # to the end of line 2
    assert lines[3].strip() == "data flow:"
    assert lines[4].strip().endswith(":1:5  source") and lines[5].strip().endswith(":2:1  sink")
