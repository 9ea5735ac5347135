"""The default test-path and exclusion patterns, matched from their written-out expression, answer
as ``pathspec`` answers for the same ``.gitignore`` lines; and matching them imports no ``pathspec``."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pathspec
import pytest

from secreview_ls.config import (
    _DEFAULT_EXPRESSIONS,
    DEFAULT_EXCLUDE,
    DEFAULT_TEST_PATHS,
    Config,
    _combined_expression,
    _matcher,
    _normalized,
)

REPO = Path(__file__).resolve().parent.parent

NAMES = (
    "tests",
    "test",
    "testing",
    "testutils",
    "test_utils",
    "tests.py",
    "test_views.py",
    "test_.py",
    "views_test.py",
    "views_tests.py",
    "make_test_data.py",
    "make_test_fixtures.py",
    "conftest.py",
    "conftest.pyc",
    "contest.py",
    "mytests",
    "tests_x",
    "latest",
    "app.py",
    ".git",
    ".venv",
    "venv",
    "myvenv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".nox",
    "build",
    "dist",
    "site-packages",
    "site_packages",
    "Tests",
    "TEST_x.py",
)


def _paths() -> list[str]:
    made = ["", "/", "./", "a.py", "./tests/a.py", "/tests/a.py", "src//tests/a.py"]
    for first, second in itertools.product(NAMES, repeat=2):
        made += [first, f"{first}/", f"{first}/{second}", f"pkg/{first}/{second}", f"./{first}/x.py"]
    for folder in ("secreview_ls", "tests", "benchmarks"):
        made += [path.relative_to(REPO).as_posix() for path in (REPO / folder).rglob("*")]
    return made


@pytest.mark.parametrize("patterns", [DEFAULT_TEST_PATHS, DEFAULT_EXCLUDE], ids=["test-paths", "exclude"])
def test_the_written_expression_answers_as_pathspec(patterns: tuple[str, ...]) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    match = _matcher(patterns)
    paths = _paths()
    assert len(paths) > 5_000
    differing = [path for path in paths if match(path) != spec.match_file(path)]
    assert differing == []
    assert any(map(match, paths)) and not all(map(match, paths))


def test_the_written_expressions_are_pathspecs_translation() -> None:
    for patterns, expression in _DEFAULT_EXPRESSIONS.items():
        assert _combined_expression(pathspec.GitIgnoreSpec.from_lines(patterns)) == expression


def test_normalized_as_pathspec_normalizes() -> None:
    from pathspec.util import normalize_file

    for path in ("", "/", "./", "/a/b", "./a/b", "a/./b", "//a", "././a", "a\\b"):
        assert _normalized(path) == normalize_file(path)


def test_other_patterns_still_match_through_pathspec() -> None:
    config = Config(test_paths=("checks/**", "!checks/keep.py"))
    assert config.is_test_path("checks/a.py")
    assert not config.is_test_path("checks/keep.py")
    assert not config.is_test_path("src/a.py")


def test_an_analysis_with_the_default_settings_imports_no_pathspec() -> None:
    code = (
        "import sys\n"
        "from secreview_ls.config import Config\n"
        "from secreview_ls.pipeline import IncrementalAnalyzer\n"
        "config = Config()\n"
        "assert config.is_test_path('pkg/tests/test_a.py') and not config.is_test_path('pkg/a.py')\n"
        "IncrementalAnalyzer('pkg/app.py', config).analyze('import os\\nos.system(input())\\n')\n"
        "print('pathspec' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.strip() == "False"
