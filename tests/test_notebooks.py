"""Jupyter notebooks on the command line: code cells analyzed as one module, IPython syntax
blanked, findings placed in their cell (text, JSON) and in the file's JSON text (SARIF)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from secreview_ls import cli
from secreview_ls.pipeline import NotebookPositions, notebook_module, python_of_cell, read_cells

FIXTURE = Path(__file__).parent / "data" / "notebooks" / "analysis.ipynb"
SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture notebook outside `tests/` (there it would be test code)."""
    shutil.copy(FIXTURE, tmp_path / "analysis.ipynb")
    (tmp_path / "app.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["check", *argv, "--no-progress", "--color", "never"])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_names_the_cell_and_the_line_in_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "analysis.ipynb")
    assert code == 1
    # Cell 1 is only magics and an import; the MD5 call is on line 3 of cell 2 (after `%%time`).
    assert "analysis.ipynb:cell 2:3:27: SR301" in out
    assert "analysis.ipynb:cell 4:2:1: SR802" in out
    assert "    3 | label = " in out  # the excerpt is the cell's line, not the JSON file's
    assert "(line 2) reaches" in out  # message lines are cell lines
    assert out.index("cell 2:3:27") < out.index("cell 4:2:1")


def test_directory_scan_includes_notebooks(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, ".", "-f", "concise")
    assert code == 1
    assert "2 files scanned" in out and "analysis.ipynb:cell 2:3:27: SR301" in out


def test_json_carries_the_cell_index_and_cell_local_span(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "analysis.ipynb", "-f", "json")
    assert code == 1
    findings = {f["rule_id"]: f for f in json.loads(out)["findings"]}
    md5 = findings["SR301"]
    assert md5["cell"] == 1 and md5["span"]["start_line"] == 3 and md5["span"]["start_col"] == 26
    injection = findings["SR802"]
    assert injection["cell"] == 3 and injection["span"]["start_line"] == 2
    assert injection["extra"]["flow_cells"] == [3] * len(injection["flow"])


def test_a_suppressed_notebook_finding_is_located_in_its_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cells = [["import pickle\n"], ["x = 1\n", "pickle.loads(blob)  # secreview: ignore[SR402] -- our own cache\n"]]
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None} for c in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "cache.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = check(capsys, "cache.ipynb", "-f", "json")
    assert code == 0
    [hidden] = json.loads(out)["suppressed"]
    assert (hidden["rule_id"], hidden["cell"], hidden["span"]["start_line"]) == ("SR402", 1, 2)
    assert hidden["extra"]["suppression"] == {"kind": "secreview", "reason": "our own cache"}


def test_sarif_region_is_in_the_notebook_json_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "analysis.ipynb", "-f", "sarif")
    assert code == 1
    document = json.loads(out)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(document))
    assert not errors, errors[:3]
    lines = (project / "analysis.ipynb").read_text(encoding="utf-8").splitlines()
    results = {r["ruleId"]: r for r in document["runs"][0]["results"]}
    md5 = results["SR301"]
    location = md5["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "analysis.ipynb"
    region = location["physicalLocation"]["region"]
    text = lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]
    assert text == "hashlib.md5(label.encode())"  # after `\"é\"` escapes on the same JSON line
    assert location["logicalLocations"] == [{"name": "cell 2", "kind": "module"}]
    assert md5["properties"]["notebookCell"] == 1 and md5["properties"]["cellRegion"]["startLine"] == 3
    injection = results["SR802"]
    region = injection["locations"][0]["physicalLocation"]["region"]
    text = lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]
    assert text == 'subprocess.call(\\"ls \\" + input(), shell=True)'
    assert "fixes" not in injection


def test_invalid_notebook_is_a_notice_and_an_incomplete_scan(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    code, _, err = check(capsys, "broken.ipynb")
    assert code == 3
    assert "broken.ipynb" in err and "not a Jupyter notebook" in err
    (project / "list.ipynb").write_text("[1, 2]", encoding="utf-8")
    assert check(capsys, "list.ipynb")[0] == 3


def test_magics_are_blanked_and_python_is_kept() -> None:
    source = (
        "%load_ext autoreload\n!ls -la\nfiles = !ls\nx = %env HOME\nvalue?\n??value\n"
        "if (a\n    != b):\n    y = (1\n%2)\nz = '%d' % 3\n%time f(\\\n  2)\nw = 1"
    )
    kept = python_of_cell(source).split("\n")
    assert kept[:6] == [""] * 6
    assert kept[6:11] == ["if (a", "    != b):", "    y = (1", "%2)", "z = '%d' % 3"]
    assert kept[11:] == ["", "", "w = 1"]
    assert python_of_cell("%%bash\nrm -rf /\n") == "\n\n"
    assert python_of_cell("%%capture out\nimport os\n") == "\nimport os\n"


def test_cells_join_into_one_module_with_lines_mapping_back() -> None:
    cells = read_cells(FIXTURE.read_text(encoding="utf-8"))
    module = notebook_module(cells)
    assert [c.index for c in module.code_cells] == [0, 1, 3]  # the markdown cell is left out
    lines = module.text.split("\n")
    assert lines[2] == "import subprocess" and lines[0] == "" and lines[3] == ""
    assert module.locate(7) == (cells[1], 3)
    assert lines[6].startswith("label = ")


def test_positions_in_a_single_string_source() -> None:
    text = json.dumps({"cells": [{"cell_type": "code", "source": 'a = 1\nb = "\u00e9" + c\n'}]})
    positions = NotebookPositions(text)
    line, column = positions.position(0, 2, 8)  # `+` on line 2 of the cell
    assert line == 1 and text[column - 1] == "+"
    assert positions.position(5, 1, 0) is None
    assert NotebookPositions("not json").position(0, 1, 0) is None


def test_other_formats_name_the_cell(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (project / "analysis.ipynb").read_text(encoding="utf-8").splitlines()
    code, out, _ = check(capsys, "analysis.ipynb", "-f", "github")
    assert code == 1
    (md5,) = [line for line in out.splitlines() if "SR301" in line]
    assert "::cell 2, line 3: " in md5
    line = int(md5.split("line=")[1].split(",")[0])
    assert "hashlib.md5(label.encode())" in lines[line - 1]  # the .ipynb line holding the code
    _, out, _ = check(capsys, "analysis.ipynb", "-f", "gitlab")
    issue = next(i for i in json.loads(out) if i["check_name"] == "SR301")
    assert issue["location"]["lines"]["begin"] == line and issue["description"].startswith("cell 2, line 3: ")
    _, out, _ = check(capsys, "analysis.ipynb", "-f", "markdown")
    assert "`analysis.ipynb:cell 2:3` `SR301`" in out
    _, out, _ = check(capsys, "analysis.ipynb", "-f", "html")
    assert "analysis.ipynb:cell 4:2:1" in out and "%%time" in out  # the excerpt is the cell's source


def test_standard_input_named_as_a_notebook(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    data = (project / "analysis.ipynb").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = cli.main(["check", "-", "--stdin-filename", "piped.ipynb", "-f", "concise", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1 and "piped.ipynb:cell 2:3:27: SR301" in out


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_keeps_the_notebook_findings_on_changed_json_lines(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    for key, value in {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CEILING_DIRECTORIES": str(project.parent),
    }.items():
        monkeypatch.setenv(key, value)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)

    notebook = project / "analysis.ipynb"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    data["cells"][3]["source"][1] = 'subprocess.call("echo " + input(), shell=True)\n'
    original = json.loads(FIXTURE.read_text(encoding="utf-8"))
    original["cells"][3]["source"][1] = "print()\n"  # the committed notebook has no injection
    notebook.write_text(json.dumps(original, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "initial")
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = check(capsys, "analysis.ipynb", "-f", "concise", "--diff", "HEAD")
    assert code == 1
    assert "cell 4:2:1: SR802" in out and "SR301" not in out  # the MD5 line of cell 2 did not change
