"""The pipeline's API (and the engine's) is imported name by name on first use: every name
listed resolves to the object of the module it comes from, the type checker's imports list the
same names from the same modules, and a command whose results all come from the result cache
does not load the analysis."""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import secreview_ls.engine as engine
import secreview_ls.pipeline as pipeline

PACKAGES = [pipeline, engine]


def imported_for_type_checking(package: object) -> dict[str, str]:
    """name -> module (relative to the package) of the ``if TYPE_CHECKING:`` imports."""
    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    found[alias.name] = "." * statement.level + (statement.module or "")
    return found


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_name_comes_from_the_module_the_type_checker_is_told(package: object) -> None:
    listed = set(package.__all__)  # type: ignore[attr-defined]
    assert imported_for_type_checking(package) == package._SOURCE  # type: ignore[attr-defined]
    assert set(package._SOURCE) == listed  # type: ignore[attr-defined]
    for name, module in package._SOURCE.items():  # type: ignore[attr-defined]
        home = importlib.import_module(module, package.__name__)  # type: ignore[attr-defined]
        expected = getattr(home, name, None) or importlib.import_module(f"{home.__name__}.{name}")
        assert getattr(package, name) is expected, name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        pipeline.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(engine, "no_such_name")


ANALYSIS_MODULES = (
    "secreview_ls.pipeline.batch",
    "secreview_ls.engine.taint",
    "secreview_ls.rules.base",
    "secreview_ls.engine.facts",
)
PROBE = """
import json, sys
from secreview_ls.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.startswith("secreview_ls"))}))
"""


def run_check(tree: Path, cache: Path) -> tuple[int, set[str]]:
    args = ["check", str(tree), "--cache-dir", str(cache), "--no-progress", "-q", "-o", os.devnull]
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data["code"], set(data["modules"])


def test_a_warm_check_of_a_clean_tree_does_not_load_the_analysis(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for index in range(3):
        (tree / f"m{index}.py").write_text(f"VALUE = {index}\n", encoding="utf-8")
    old = time.time() - 3600
    for path in tree.iterdir():
        os.utime(path, (old, old))
    cache = tmp_path / "cache"
    code, cold = run_check(tree, cache)
    assert code == 0 and set(ANALYSIS_MODULES) <= cold
    code, warm = run_check(tree, cache)
    assert code == 0
    assert not set(ANALYSIS_MODULES) & warm, sorted(set(ANALYSIS_MODULES) & warm)
    (tree / "m0.py").write_text("import yaml\nyaml.load(x)\n", encoding="utf-8")
    code, changed = run_check(tree, cache)  # a changed file loads the analysis again
    assert code == 1 and set(ANALYSIS_MODULES) <= changed


def test_a_warm_check_reporting_findings_does_not_load_the_rules(tmp_path: Path) -> None:
    """The reports label cached findings (rule name, documentation link, fix safety) without the
    rule catalogue, and print the same as the run that analyzed the files."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "load.py").write_text("import yaml\nyaml.load(x)\nimport hashlib\nhashlib.md5(b'')\n", encoding="utf-8")
    old = time.time() - 3600
    os.utime(tree / "load.py", (old, old))
    cache = tmp_path / "cache"
    reports = []
    for _ in range(2):
        for form in ("json", "text", "github"):
            report = tmp_path / f"report.{form}.{len(reports)}"
            args = ["-f", form, "-o", str(report)]
            done = subprocess.run(
                [sys.executable, "-c", PROBE, "check", str(tree), "--cache-dir", str(cache), "--no-progress", *args],
                capture_output=True,
                text=True,
                check=True,
            )
            modules = set(json.loads(done.stdout.strip().splitlines()[-1])["modules"])
            reports.append((form, report.read_text(encoding="utf-8"), modules))
    cold, warm = reports[:3], reports[3:]
    assert set(ANALYSIS_MODULES) <= cold[0][2]
    for (form, before, _), (_, after, modules) in zip(cold, warm, strict=True):
        assert after == before, form
        assert not set(ANALYSIS_MODULES) & modules, (form, sorted(set(ANALYSIS_MODULES) & modules))
    assert '"rule_name": "yaml-unsafe-load"' in warm[0][1]
