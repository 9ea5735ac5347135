"""Log formatters that clean every message: found in the project, and what they change."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from fixture_support import expected_pairs, found_pairs

from secreview_ls.config import Config
from secreview_ls.engine.taint import project as project_module
from secreview_ls.engine.taint.log_output import formatter_facts
from secreview_ls.pipeline import ProjectIndex, analyze_path, analyze_source

CLEANING = """
import logging

class Clean(logging.Formatter):
    def format(self, record):
        record.msg = str(record.msg).replace("\\n", "\\\\n")
        return super().format(record)
"""
DECORATING = """
import logging

class Stamp(logging.Formatter):
    def format(self, record):
        record.msg = "[app] " + str(record.msg)
        return super().format(record)
"""
VIEW = """
import logging
from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger(__name__)

@app.route("/")
def index():
    log.info(f"hello {request.args['name']}")
    return "ok"
"""


def test_facts_name_cleaning_classes_and_installed_formatters() -> None:
    installed = CLEANING + '\nhandler = logging.StreamHandler()\nhandler.setFormatter(Clean("%(message)s"))\n'
    assert formatter_facts(installed) == (frozenset({"Clean"}), frozenset({"Clean"}))
    config = 'CONFIG = {"formatters": {"x": {"()": "app.logs.Clean"}}}\n'
    assert formatter_facts(config) == (frozenset(), frozenset({"Clean"}))
    assert formatter_facts(DECORATING) == (frozenset(), frozenset())
    assert formatter_facts("def broken(:\n    Formatter") == (frozenset(), frozenset())


def _sr813_lines(root: Path) -> list[int]:
    project = ProjectIndex([root])
    result = analyze_path(root / "views.py", Config(root=root), project=project)
    return [f.span.start_line for f in result.findings if f.rule_id == "SR813"]


def test_an_installed_cleaning_formatter_clears_message_templates(tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text(VIEW, encoding="utf-8")
    (tmp_path / "logs.py").write_text(CLEANING, encoding="utf-8")
    assert _sr813_lines(tmp_path) == [10]  # defined, never installed: cleans nothing
    (tmp_path / "setup_logs.py").write_text(
        'import logging.config\nlogging.config.dictConfig({"formatters": {"f": {"()": "logs.Clean"}}})\n',
        encoding="utf-8",
    )
    assert _sr813_lines(tmp_path) == []


def test_a_decorating_formatter_cleans_nothing(tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text(VIEW, encoding="utf-8")
    (tmp_path / "logs.py").write_text(
        DECORATING + "\nhandler = logging.StreamHandler()\nhandler.setFormatter(Stamp())\n", encoding="utf-8"
    )
    assert _sr813_lines(tmp_path) == [10]


def test_the_index_forgets_the_formatter_when_a_python_file_changes(tmp_path: Path) -> None:
    logs = tmp_path / "logs.py"
    logs.write_text(CLEANING + "\nlogging.getLogger().handlers[0].setFormatter(Clean())\n", encoding="utf-8")
    project = ProjectIndex([tmp_path])
    assert project.log_cleaning_files() == (logs.resolve(),)
    logs.write_text(CLEANING, encoding="utf-8")
    project.invalidate(logs)
    assert project.log_cleaning_files() == ()


def test_a_scan_index_reads_a_file_once_for_template_folders_and_formatters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = tmp_path / "logs.py"
    logs.write_text(CLEANING + "\nlogging.getLogger().handlers[0].setFormatter(Clean())\n", encoding="utf-8")
    (tmp_path / "tpl").mkdir()
    (tmp_path / "app.py").write_text(
        'from flask import Flask\napp = Flask(__name__, template_folder="tpl")\n', encoding="utf-8"
    )
    reads: Counter[Path] = Counter()
    read_disk = project_module._read_disk
    monkeypatch.setattr(project_module, "_read_disk", lambda path: reads.update([path]) or read_disk(path))
    scan = ProjectIndex([tmp_path], stable=True)
    folders = scan.template_folders()
    assert scan.log_cleaning_files() == (logs.resolve(),)
    assert scan.log_cleaning_files(record=False) == (logs.resolve(),)
    # a file holding no formatter's words is not read again for the formatters (one that does is)
    assert reads[(tmp_path / "app.py").resolve()] == 1 and set(reads) == {
        logs.resolve(),
        (tmp_path / "app.py").resolve(),
    }
    assert folders == ProjectIndex([tmp_path]).template_folders() and (tmp_path / "tpl").resolve() in folders
    logs.write_text(CLEANING, encoding="utf-8")
    scan.invalidate(logs)
    assert scan.log_cleaning_files() == ()


LOG_PROJECTS = Path(__file__).parent / "fixtures" / "log_projects"


@pytest.mark.parametrize("project", ["formatted", "unformatted"])
def test_labelled_projects_match_their_markers(project: str) -> None:
    """Each folder is a project of its own: a formatter installed in one cleans only its files."""
    root = LOG_PROJECTS / project
    for path in sorted(root.glob("*.py")):
        result = analyze_path(path, Config(root=root, select=("SR8",)), project=ProjectIndex([root]))
        assert found_pairs(result) == expected_pairs(path), path.name


def test_the_project_is_read_for_formatters_only_once_a_log_finding_needs_it(tmp_path: Path) -> None:
    (tmp_path / "quiet.py").write_text("import logging\nlogging.info('constant')\n", encoding="utf-8")
    (tmp_path / "views.py").write_text(VIEW, encoding="utf-8")
    project = ProjectIndex([tmp_path])
    analyze_path(tmp_path / "quiet.py", Config(root=tmp_path), project=project)
    assert project.known_log_cleaning_files() is None
    analyze_path(tmp_path / "views.py", Config(root=tmp_path), project=project)
    assert project.known_log_cleaning_files() == ()


def test_a_project_file_the_compiler_warns_about_or_cannot_nest_gives_no_facts_and_no_warning() -> None:
    import warnings

    escapes = 'import logging\nPATTERN = "\\("  # no Formatter here, an invalid escape\n'
    with warnings.catch_warnings(record=True) as heard:
        warnings.simplefilter("always")
        assert formatter_facts(escapes) == (frozenset(), frozenset())
    assert heard == []
    too_deep = "formatters = " + "+".join(["1"] * 200000) + "\n"  # RecursionError in the compiler
    too_nested = "formatters = " + "-" * 200000 + "1\n"  # MemoryError: the parser's stack
    assert formatter_facts(too_deep) == formatter_facts(too_nested) == (frozenset(), frozenset())


def test_a_file_analyzed_without_a_project_reports_its_log_finding() -> None:
    """``analyze_source`` without a project index (a library caller, the fuzzer): no formatter is
    looked for, and the taint rules do not fail on the missing index."""
    result = analyze_source(VIEW, "view.py", Config())
    assert not [n for n in result.notices if n.kind == "rule-error"]
    assert any(f.cwe == 117 for f in result.findings)
