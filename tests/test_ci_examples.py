"""The CI examples in docs/examples/ run as written: their `secreview` commands are taken from
the YAML, the matrix variables filled in, and executed on a small project, job by job."""

from __future__ import annotations

import glob
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from secreview_ls.cli import main

yaml = pytest.importorskip("yaml")

DOCS = Path(__file__).resolve().parents[1] / "docs"
EXAMPLES = DOCS / "examples"
APP = Path(__file__).resolve().parents[1] / "examples" / "vulnerable_app"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(APP, root / "app")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    return root


def _commands(steps: list[str], variables: dict[str, str]) -> list[list[str]]:
    """The shell lines with the CI variables filled in, split into words (globs expanded later)."""
    found = []
    for line in steps:
        for name, value in variables.items():
            line = line.replace(name, value)
        assert "${{" not in line and "$CI_" not in line, f"unfilled variable in {line!r}"
        found.append(shlex.split(line))
    return found


def _run(argv: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """One line of a job: `pip install` is skipped (the package is installed here), `secreview`
    runs in this process, `python -c` in a child; anything else fails the test."""
    if argv[:2] == ["pip", "install"]:
        return 0
    monkeypatch.chdir(cwd)
    words = [w for word in argv for w in (sorted(glob.glob(word)) if "*" in word else [word])]
    if words[0] == "secreview":
        return main(words[1:])
    if words[:2] == ["python", "-c"]:
        return subprocess.run([sys.executable, *words[1:]], cwd=cwd).returncode
    raise AssertionError(f"the example runs a command this test does not know: {argv}")


def _github_runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_github_actions_matrix_example(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflow = yaml.safe_load((EXAMPLES / "github-actions-shards.yml").read_text(encoding="utf-8"))
    scan, upload = workflow["jobs"]["scan"], workflow["jobs"]["upload"]
    shards = scan["strategy"]["matrix"]["shard"]
    assert upload["needs"] == "scan"
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for shard in shards:
        variables = {"${{ matrix.shard }}": str(shard), "${{ strategy.job-total }}": str(len(shards))}
        for argv in _commands(_github_runs(scan), variables):
            assert _run(argv, project, monkeypatch) == 0
        for step in scan["steps"]:
            if step.get("uses", "").startswith("actions/upload-artifact"):
                name = step["with"]["path"].replace("${{ matrix.shard }}", str(shard))
                shutil.move(project / name, artifacts / name)
    for argv in _commands(_github_runs(upload), {}):
        assert _run(argv, artifacts, monkeypatch) == 0
    [sarif_step] = [s for s in upload["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
    merged = json.loads((artifacts / sarif_step["with"]["sarif_file"]).read_text(encoding="utf-8"))
    whole = tmp_path / "whole.sarif"
    assert main(["check", str(project), "-f", "sarif", "-o", str(whole), "--exit-zero", "-q"]) == 0
    assert merged == json.loads(whole.read_text(encoding="utf-8"))
    assert merged["runs"][0]["results"]


def test_gitlab_parallel_example(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = yaml.safe_load((EXAMPLES / "gitlab-ci-shards.yml").read_text(encoding="utf-8"))
    shard_job, report_job = pipeline["secreview-shard"], pipeline["secreview-report"]
    total = shard_job["parallel"]
    assert report_job["needs"] == ["secreview-shard"]
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    for index in range(1, total + 1):  # GitLab numbers parallel jobs from 1
        variables = {"$CI_NODE_INDEX": str(index), "$CI_NODE_TOTAL": str(total)}
        for argv in _commands(shard_job["script"], variables):
            assert _run(argv, project, monkeypatch) == 0
        for pattern in shard_job["artifacts"]["paths"]:
            for name in glob.glob(str(project / pattern)):
                shutil.move(name, artifacts / Path(name).name)
    assert len(list(artifacts.iterdir())) == total
    codes = [_run(argv, artifacts, monkeypatch) for argv in _commands(report_job["script"], {})]
    assert codes == [0, 0, 1]  # install, merge, and the gate fails: the project has findings
    merged = json.loads((artifacts / "secreview.json").read_text(encoding="utf-8"))
    whole = tmp_path / "whole.json"
    assert main(["check", str(project), "-f", "json", "-o", str(whole), "--exit-zero", "-q"]) == 0
    assert merged == json.loads(whole.read_text(encoding="utf-8"))


def test_ci_doc_shows_the_example_files_verbatim() -> None:
    text = (DOCS / "ci.md").read_text(encoding="utf-8")
    for name in ("github-actions-shards.yml", "gitlab-ci-shards.yml"):
        body = (EXAMPLES / name).read_text(encoding="utf-8")
        blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
        assert body in blocks, f"docs/ci.md does not show docs/examples/{name} as it is"
