"""Rule selection on the command line and in configuration: CWE classes, extend-select,
extend-ignore, ``--fail-on`` and ``explain CWE-n``; exact output on a real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview_ls import cli

APP = """import subprocess
import yaml


def load(data):
    return yaml.load(data)


def run():
    subprocess.call(cmd, shell=True)
    subprocess.run(["git", "pull"])


def query(cursor, name):
    cursor.execute("SELECT * FROM t WHERE name = '%s'" % name)
"""
YAML = (
    "app.py:6:12: SR401 [high] `yaml.load` without a Loader can construct arbitrary Python objects from the input; "
    "use `yaml.safe_load` or `Loader=yaml.SafeLoader`"
)
SHELL = (
    "app.py:10:5: SR201 [high] `subprocess.call` runs the command `cmd`, which is not fixed in the source through the "
    "shell (`shell=True`); shell metacharacters in any interpolated value run extra commands — pass an argument list"
)
SQL = (
    "app.py:15:20: SR210 [medium] SQL text is built from `name` and passed to `cursor.execute`; a quote in that value "
    "changes the statement — pass values as query parameters instead"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = cli.main(["check", "app.py", "--no-progress", "--format", "concise", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines() or captured.err.splitlines()


def test_default_selection(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys) == (1, [YAML, SHELL, SQL, "3 findings in 1 file (2 high, 1 medium); 1 file scanned"])


def test_select_by_weakness_class(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "--select", "CWE-89") == (1, [SQL, "1 finding in 1 file (1 medium); 1 file scanned"])
    assert check(capsys, "--select", "cwe-78,CWE-89") == (
        1,
        [SHELL, SQL, "2 findings in 1 file (1 high, 1 medium); 1 file scanned"],
    )
    assert check(capsys, "--ignore", "CWE-502,CWE-78") == (1, [SQL, "1 finding in 1 file (1 medium); 1 file scanned"])


def test_unknown_weakness_class_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "--select", "CWE-9999") == (2, ["secreview: error: --select: unknown rule `CWE-9999`"])


def test_extend_select_adds_an_opt_in_rule_to_the_defaults(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partial = (
        "app.py:11:21: SR204 [low] `subprocess.run` starts `git` by name, so the first match in `PATH` runs; "
        "use an absolute path for the executable"
    )
    code, lines = check(capsys, "--extend-select", "SR204")
    assert (code, [line.split(" [")[0] for line in lines[:4]]) == (
        1,
        ["app.py:6:12: SR401", "app.py:10:5: SR201", "app.py:11:21: SR204", "app.py:15:20: SR210"],
    )
    assert lines[2] == partial
    (project / "pyproject.toml").write_text(
        '[tool.secreview]\nextend-select = ["SR204"]\nextend-ignore = ["CWE-502"]\n', encoding="utf-8"
    )
    assert check(capsys) == (1, [SHELL, partial, SQL, "3 findings in 1 file (1 high, 1 medium, 1 low); 1 file scanned"])
    assert check(capsys, "--extend-ignore", "SR2") == (0, ["No findings; 1 file scanned"])


def test_select_on_the_command_line_keeps_configured_extend_select(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.secreview]\nextend-select = ["SR204"]\n', encoding="utf-8")
    code, lines = check(capsys, "--select", "SR4")
    assert code == 1
    assert [line.split(" [")[0] for line in lines] == [
        "app.py:6:12: SR401",
        "app.py:11:21: SR204",
        "2 findings in 1 file (1 high, 1 low); 1 file scanned",
    ]


def test_unknown_code_in_extend_keys_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.secreview]\nextend-ignore = ["SR999"]\n', encoding="utf-8")
    code, lines = check(capsys)
    assert code == 2
    assert lines == [
        f"secreview: error: {project / 'pyproject.toml'}: `extend-ignore` names unknown rule `SR999` (did you mean SR109, SR309, SR509?)"
    ]


def test_fail_on_separates_failing_from_reporting(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "--select", "CWE-89", "--fail-on", "high") == (
        0,
        [SQL, "1 finding in 1 file (1 medium); 1 file scanned"],
    )
    assert check(capsys, "--select", "CWE-89", "--fail-on", "medium")[0] == 1
    assert check(capsys, "--fail-on", "high")[0] == 1


def test_explain_a_weakness_class(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "cwe-89"]) == 0
    assert capsys.readouterr().out == (
        "CWE-89: https://cwe.mitre.org/data/definitions/89.html\n"
        "\n"
        "SR210  sql-string-building    medium  An SQL statement is assembled from a literal and a non-constant value.\n"
        "SR211  django-extra           medium  Django `QuerySet.extra()` receives SQL that is not fixed in the source.\n"
        "SR212  django-raw-sql         medium  Django `RawSQL(...)` / `.raw(...)` receives SQL that is not fixed in "
        "the source.\n"
        "SR213  sql-names-from-caller  low     SQL text names the table, columns or clause a function was handed by "
        "its caller, or composes names of unknown origin around values run as parameters (hardening profile).  "
        "(opt-in)\n"
        "SR801  sql-injection          high    Untrusted input reaches the text of an SQL query.\n"
        "\n"
        "`secreview check --select CWE-89` runs these rules (opt-in ones only when named by id); "
        "`secreview explain RULE` tells more.\n"
    )


def test_explain_unknown_weakness_class(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "CWE-87"]) == 2
    assert capsys.readouterr().err.startswith("secreview: error: no rule reports CWE-87. Did you mean: CWE-")


def test_explain_lists_the_new_data_flow_classes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "CWE-88"]) == 0
    out = capsys.readouterr().out
    assert "SR819  argument-injection" in out
    assert cli.main(["explain", "CWE-470"]) == 0
    assert "SR820  import-from-input" in capsys.readouterr().out
    assert cli.main(["explain", "CWE-134"]) == 0
    assert "SR821  format-string-injection" in capsys.readouterr().out
    assert cli.main(["explain", "CWE-209"]) == 0
    assert "SR822  stack-trace-exposure" in capsys.readouterr().out


def test_rule_severity_overrides(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.secreview]\nseverity = "high"\n\n[tool.secreview.rule-severity]\nSR210 = "high"\nsr401 = "low"\n',
        encoding="utf-8",
    )
    assert check(capsys) == (
        1,
        [SHELL, SQL.replace("[medium]", "[high]"), "2 findings in 1 file (2 high); 1 file scanned"],
    )
    assert check(capsys, "--severity", "low") == (
        1,
        [
            YAML.replace("[high]", "[low]"),
            SHELL,
            SQL.replace("[medium]", "[high]"),
            "3 findings in 1 file (2 high, 1 low); 1 file scanned",
        ],
    )


def test_rule_severity_names_rule_ids_and_levels(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.secreview.rule-severity]\nB506 = "low"\n', encoding="utf-8")
    assert check(capsys) == (
        2,
        [
            f"secreview: error: {project / 'pyproject.toml'}: rule-severity names `B506`, which is not an SR rule id (use SR401)"
        ],
    )
    (project / "pyproject.toml").write_text('[tool.secreview.rule-severity]\nSR401 = "severe"\n', encoding="utf-8")
    assert check(capsys) == (
        2,
        [
            f"secreview: error: configuration error: {project / 'pyproject.toml'}: [tool.secreview] "
            "`rule-severity.SR401`: unknown level 'severe' "
            "(expected one of: low, medium, high)"
        ],
    )
