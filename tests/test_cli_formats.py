"""``check --format concise|github|gitlab`` and ``--statistics``: exact output on a real file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from secreview_ls import cli
from secreview_ls.pipeline import Finding, Level, Span
from secreview_ls.reports import github

APP = """import subprocess
import yaml


def load(data):
    return yaml.load(data)


def run():
    subprocess.call(cmd, shell=True)
    return yaml.load(cmd)
"""
YAML_MESSAGE = (
    "`yaml.load` without a Loader can construct arbitrary Python objects from the input; "
    "use `yaml.safe_load` or `Loader=yaml.SafeLoader`"
)
SHELL_MESSAGE = (
    "`subprocess.call` runs the command `cmd`, which is not fixed in the source through the shell "
    "(`shell=True`); shell metacharacters in any interpolated value run extra commands — pass an argument list"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(["check", "app.py", "--no-progress", *argv])
    return code, capsys.readouterr().out


def test_concise_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "--format", "concise") == (
        1,
        (
            f"app.py:6:12: SR401 [high] {YAML_MESSAGE}\n"
            f"app.py:10:5: SR201 [high] {SHELL_MESSAGE}\n"
            f"app.py:11:12: SR401 [high] {YAML_MESSAGE}\n"
            "3 findings in 1 file (3 high); 1 file scanned\n"
        ),
    )


def test_github_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "--format", "github") == (
        1,
        (
            "::error file=app.py,line=6,endLine=6,col=12,endColumn=27,"
            f"title=SR401 yaml-unsafe-load (CWE-502)::{YAML_MESSAGE}\n"
            "::error file=app.py,line=10,endLine=10,col=5,endColumn=37,"
            f"title=SR201 subprocess-shell-true (CWE-78)::{SHELL_MESSAGE}\n"
            "::error file=app.py,line=11,endLine=11,col=12,endColumn=26,"
            f"title=SR401 yaml-unsafe-load (CWE-502)::{YAML_MESSAGE}\n"
        ),
    )


# The workflow-command syntax: ``::name key=value,key=value::data``, where data escapes
# % CR LF and property values also : and ,.
COMMAND = re.compile(r"^::(error|warning|notice) ((?:[A-Za-z]+=[^,:\r\n]*)(?:,[A-Za-z]+=[^,:\r\n]*)*)::([^\r\n]*)$")


def unescape(text: str) -> str:
    for escaped, raw in (("%3A", ":"), ("%2C", ","), ("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def test_github_annotations_follow_the_workflow_command_syntax() -> None:
    message = "100% sure:\r\nline two, with: colons %0A"
    finding = Finding(
        rule_id="SR801",
        message=message,
        span=Span(3, 4, 3, 9),
        severity=Level.MEDIUM,
        confidence=Level.HIGH,
        cwe=89,
        path="/elsewhere/we,ird:name%.py",
    )
    line = github.annotation(finding)
    assert line == (
        "::warning file=/elsewhere/we%2Cird%3Aname%25.py,line=3,endLine=3,col=5,endColumn=10,"
        "title=SR801 sql-injection (CWE-89)::100%25 sure:%0D%0Aline two, with: colons %250A"
    )
    match = COMMAND.match(line)
    assert match is not None
    assert unescape(match.group(3)) == message
    properties = dict(item.split("=", 1) for item in match.group(2).split(","))
    assert unescape(properties["file"]) == "/elsewhere/we,ird:name%.py"
    assert unescape(properties["title"]) == "SR801 sql-injection (CWE-89)"


def test_github_format_warns_about_files_not_fully_analyzed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_bytes(b"x = '\xff\xfe'\n")
    code, out = check(capsys, "--format", "github")
    assert code == 3
    assert out == "::warning file=app.py,title=secreview::not fully analyzed (undecodable), so not known to be clean\n"


def test_gitlab_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, "--format", "gitlab")
    assert code == 1
    issues = json.loads(out)
    fingerprints = [issue.pop("fingerprint") for issue in issues]
    assert len(set(fingerprints)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", fp) for fp in fingerprints)

    def issue(rule: str, cwe: int, message: str, line: int) -> dict[str, object]:
        return {
            "type": "issue",
            "description": f"{rule}: {message} (CWE-{cwe})",
            "check_name": rule,
            "severity": "critical",
            "categories": ["Security"],
            "location": {"path": "app.py", "lines": {"begin": line, "end": line}},
        }

    assert issues == [
        issue("SR401", 502, YAML_MESSAGE, 6),
        issue("SR201", 78, SHELL_MESSAGE, 10),
        issue("SR401", 502, YAML_MESSAGE, 11),
    ]
    # the same code gives the same fingerprints on the next run
    assert [i["fingerprint"] for i in json.loads(check(capsys, "--format", "gitlab")[1])] == fingerprints


def test_gitlab_format_without_findings_is_an_empty_array(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "app.py").write_text("x = 1\n", encoding="utf-8")
    assert check(capsys, "--format", "gitlab") == (0, "[]\n")


def test_statistics(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "--statistics") == (
        1,
        ("2  SR401  yaml-unsafe-load       high\n1  SR201  subprocess-shell-true  high\n3 findings\n"),
    )
    assert check(capsys, "--statistics", "--format", "json") == (
        1,
        json.dumps(
            [
                {"rule": "SR401", "name": "yaml-unsafe-load", "severity": "high", "count": 2},
                {"rule": "SR201", "name": "subprocess-shell-true", "severity": "high", "count": 1},
            ],
            indent=2,
        )
        + "\n",
    )


def test_statistics_in_other_formats_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "app.py", "--statistics", "--format", "sarif"]) == 2
    assert capsys.readouterr().err == "secreview: error: --statistics is written as text or json, not sarif\n"


def test_check_help_groups_options_and_names_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for heading in ("report:", "exit status:", "scan:"):
        assert heading in text
    assert (
        "text (default), concise (one line per finding), json, sarif, github (workflow-command annotations), "
        "gitlab (Code Quality JSON), html, markdown"
    ) in text
    assert (
        "Exit status: 0 nothing reported, 1 findings reported (see --fail-on), 2 usage or configuration error" in text
    )
