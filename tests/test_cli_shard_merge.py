"""`check --shard K/N` and `secreview merge`: N shard reports merged equal the unsharded report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_sarif import assert_valid, validator  # noqa: F401  (the SARIF schema validator fixture)

from secreview_ls.cli import main
from secreview_ls.pipeline import Shard, discover_files, load_pyproject, shard_of

FIXTURES = Path(__file__).parent / "fixtures"
SHARDS = 3


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rule and taint fixtures (cross-module flows included) as a project of their own."""
    root = tmp_path_factory.mktemp("sharded") / "project"
    shutil.copytree(FIXTURES / "taint", root / "taint")
    shutil.copytree(FIXTURES / "rules", root / "rules")
    (root / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    return root


def _check(root: Path, out: Path, *extra: str) -> int:
    return main(["check", str(root), "--no-progress", "-q", "-j", "1", "--exit-zero", "-o", str(out), *extra])


@pytest.fixture(scope="module")
def reports(tree: Path) -> dict[str, tuple[Path, list[Path]]]:
    """For SARIF and JSON: the unsharded report and the N shard reports (written outside the tree)."""
    out = tree.parent / "reports"
    out.mkdir()
    made: dict[str, tuple[Path, list[Path]]] = {}
    for fmt in ("sarif", "json"):
        whole = out / f"whole.{fmt}"
        assert _check(tree, whole, "-f", fmt) == 0
        parts = []
        for index in range(1, SHARDS + 1):
            part = out / f"shard-{index}.{fmt}"
            assert _check(tree, part, "-f", fmt, "--shard", f"{index}/{SHARDS}") == 0
            parts.append(part)
        made[fmt] = (whole, parts)
    return made


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _merge(parts: list[Path], out: Path) -> dict:
    assert main(["merge", *map(str, parts), "-o", str(out)]) == 0
    return _load(out)


def test_shards_partition_the_files(tree: Path) -> None:
    config = load_pyproject(tree / "pyproject.toml")
    files = [p.relative_to(tree).as_posix() for p in discover_files([tree], config).files]
    owners = {path: [k for k in range(1, SHARDS + 1) if Shard(k, SHARDS).owns(path)] for path in files}
    assert all(len(found) == 1 for found in owners.values())
    assert {found[0] for found in owners.values()} == set(range(1, SHARDS + 1))  # no shard is empty here


def test_the_split_does_not_depend_on_the_process() -> None:
    paths = ["app/views.py", "pkg/__init__.py", "é/ü.py", "a.py"]
    script = "import sys; from secreview_ls.pipeline import shard_of; print([shard_of(p, 7) for p in sys.argv[1:]])"
    seen = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, *paths], capture_output=True, text=True, env=env, check=True
        )
        seen.add(done.stdout.strip())
    assert seen == {str([shard_of(p, 7) for p in paths])}


def test_merged_sarif_equals_the_unsharded_log(reports, tmp_path: Path, validator) -> None:  # noqa: F811
    whole, parts = reports["sarif"]
    merged = _merge(parts, tmp_path / "merged.sarif")
    assert_valid(validator, merged)
    expected = _load(whole)
    assert merged == expected
    results = expected["runs"][0]["results"]
    counts = [len(_load(p)["runs"][0]["results"]) for p in parts]
    assert all(counts) and sum(counts) == len(results)


def test_merged_json_equals_the_unsharded_report(reports, tmp_path: Path) -> None:
    whole, parts = reports["json"]
    merged = _merge(parts, tmp_path / "merged.json")
    assert merged == _load(whole)
    assert merged["files_scanned"] == sum(_load(p)["files_scanned"] for p in parts)


def test_cross_module_flows_are_found_by_the_shard_that_owns_the_sink(reports) -> None:
    whole, parts = reports["json"]
    crossing = [
        f
        for f in _load(whole)["findings"]
        if any(step.get("path") not in (None, f["path"]) for step in f.get("flow", ()))
    ]
    # Flows whose source file lies in another shard than the sink's: the index reads every file.
    other_shard = [
        f
        for f in crossing
        if any(shard_of(step["path"], SHARDS) != shard_of(f["path"], SHARDS) for step in f["flow"] if "path" in step)
    ]
    assert other_shard, "the fixture set should hold a flow across shards"
    for finding in other_shard:
        owner = parts[shard_of(finding["path"], SHARDS) - 1]
        assert finding in _load(owner)["findings"]


def test_merge_refuses_mixed_formats_and_foreign_files(
    reports, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif = reports["sarif"][1][0]
    report = reports["json"][1][0]
    assert main(["merge", str(sarif), str(report)]) == 2
    error = capsys.readouterr().err
    assert "different formats" in error and "(SARIF)" in error and "(JSON)" in error
    other = tmp_path / "other.json"
    other.write_text('[{"rule": "SR201", "count": 1}]', encoding="utf-8")
    assert main(["merge", str(report), str(other)]) == 2
    assert "not a SARIF log or a JSON report" in capsys.readouterr().err
    assert main(["merge", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2"])
def test_bad_shard_values_are_usage_errors(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path), f"--shard={value}"]) == 2
    assert "--shard" in capsys.readouterr().err


def test_merge_refuses_reports_of_different_versions(
    reports, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = reports["json"][1][:2]
    older = _load(second)
    older["tool"]["version"] = "0.0.1"
    changed = tmp_path / "older.json"
    changed.write_text(json.dumps(older), encoding="utf-8")
    assert main(["merge", str(first), str(changed)]) == 2
    assert "different tool versions" in capsys.readouterr().err


def test_merging_one_report_gives_it_back(reports, tmp_path: Path) -> None:
    for fmt in ("sarif", "json"):
        whole, _ = reports[fmt]
        assert _merge([whole], tmp_path / f"again.{fmt}") == _load(whole)


def test_merge_reports_a_malformed_report_without_a_traceback(
    reports, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _load(reports["sarif"][1][0])
    broken["runs"][0]["results"] = [{"ruleId": "SR201", "locations": "nowhere"}]
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(broken), encoding="utf-8")
    assert main(["merge", str(path), str(reports["sarif"][1][1])]) == 2
    assert "not shaped as secreview writes it" in capsys.readouterr().err


def test_shard_does_not_apply_to_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-", "--stdin-filename", "app.py", "--shard", "1/2"]) == 2
    assert "does not apply to standard input" in capsys.readouterr().err
