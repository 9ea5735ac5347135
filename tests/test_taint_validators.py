"""Validators that raise (the argument is clean after the call, in the module and across files,
also through the stored summaries), FastAPI models known field by field, and loops over a dict."""

from __future__ import annotations

from pathlib import Path

from fixture_support import flow_steps, taint_findings

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.engine.taint.summary_store import RECORD_FORMAT
from secreview_ls.pipeline import analyze_source
from secreview_ls.pipeline.incremental import IncrementalAnalyzer


def test_a_validator_called_as_a_statement_cleans_its_argument() -> None:
    found = taint_findings("sql/raising_validators.py")
    # uuid.UUID in a try that raises, re.fullmatch, an allowlist with abort(), an awaited check, a
    # method, and int() whose result is dropped: none reports; the look-alikes do (a coroutine not
    # awaited and a generator run no check at the call).
    assert set(found) == {124, 131, 138, 145, 155, 163, 173, 180, 187, 201, 208, 215}
    assert flow_steps(found[155]) == [
        (150, 'source: `request.args["slug"]`'),
        (150, "assigned to `slug`"),
        (155, "reaches `db.execute()`: SQL query"),
    ]
    # int() passed leaves digits, signs and blanks, line breaks among them: a log line still takes
    # them, and a program still reads ``-5`` as an option
    assert (found[187].rule_id, found[215].rule_id) == ("SR813", "SR819")


def test_a_validator_of_another_module_cleans_its_argument() -> None:
    found = taint_findings("sql/checked/views.py")
    assert set(found) == {24}


CHECKS = (
    "import re\n\n\ndef ensure(value):\n    if not re.fullmatch(r'[a-z]+', value):\n        raise ValueError(value)\n"
)
VIEW = (
    "import sqlite3\n"
    "from flask import request\n"
    "from checks import ensure\n\n\n"
    "def v():\n"
    "    name = request.args['name']\n"
    "    ensure(name)\n"
    "    sqlite3.connect('x').execute(\"SELECT '\" + name + \"'\")\n"
    "    other = request.args['other']\n"
    "    sqlite3.connect('x').execute(\"SELECT '\" + other + \"'\")\n"
)


class MemoryStore:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def load(self, key: str) -> bytes | None:
        return self.data.get(key)

    def save(self, key: str, data: bytes) -> None:
        self.data[key] = data


def test_what_a_validator_proves_is_kept_with_the_stored_summaries(tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text(CHECKS)
    view = tmp_path / "view.py"
    view.write_text(VIEW)
    store = MemoryStore()
    lines = []
    for _ in range(2):
        project = ProjectIndex([tmp_path], store=store, identity="test")
        result = analyze_source(VIEW, str(view), Config(select=("SR8",)), project=project)
        project.flush()
        lines.append([f.span.start_line for f in result.findings])
    assert lines == [[11], [11]]
    assert project.stored_used == 1 and project.parsed == 0
    assert RECORD_FORMAT >= 4  # records of the analysis before proven parameters are not read


def test_fastapi_model_fields_of_scalar_types_are_not_input() -> None:
    found = taint_findings("command/fastapi_model_fields.py")
    assert set(found) == {63, 71, 72, 73, 74, 82, 88, 89, 90}
    assert flow_steps(found[71])[0] == (67, "source: request parameter `job`")


def test_a_model_the_program_builds_keeps_only_its_text_fields() -> None:
    found = taint_findings("sql/built_models.py")
    assert set(found) == {41, 49, 50, 57}
    assert flow_steps(found[49])[0] == (47, 'source: `request.args["name"]`')


def test_a_loop_over_a_dict_binds_its_keys() -> None:
    found = taint_findings("sql/dict_key_loops.py")
    assert set(found) == {27, 35, 43, 45, 53}


VALIDATED = """import re
import sqlite3

from flask import Flask, request

app = Flask(__name__)


def validate(value):
    if not re.fullmatch(r"[a-z]+", value):
        raise ValueError("bad name")


@app.route("/rows")
def rows():
    name = request.args["name"]
    validate(name)
    return sqlite3.connect("x.db").execute("SELECT * FROM t WHERE n = '" + name + "'").fetchall()
"""


def test_an_edited_validator_is_seen_by_its_unchanged_caller(tmp_path: Path) -> None:
    path = str(tmp_path / "views.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    memo = analyzer.taint_memo
    lines = [[f.span.start_line for f in analyzer.analyze(VALIDATED).findings if f.rule_id == "SR801"]]
    analyzer.prepare()
    logged = VALIDATED.replace('        raise ValueError("bad name")', '        print("bad name")')
    for text in (logged, VALIDATED):
        result = analyzer.analyze(text)
        fresh = analyze_source(text, path, config)
        assert [f.span.start_line for f in result.findings] == [f.span.start_line for f in fresh.findings]
        lines.append([f.span.start_line for f in result.findings if f.rule_id == "SR801"])
    assert lines == [[], [18], []]
    assert memo is not None and memo.analyzed >= 2  # the caller too: the summary it asked changed


def test_a_validator_of_another_file_edited_is_seen_by_the_unchanged_view(tmp_path: Path) -> None:
    checks = tmp_path / "checks.py"
    checks.write_text(CHECKS)
    view = tmp_path / "view.py"
    view.write_text(VIEW)
    project = ProjectIndex([tmp_path])
    config = Config(root=tmp_path, select=("SR8",))
    analyzer = IncrementalAnalyzer(str(view), config, project=project)
    lines = [[f.span.start_line for f in analyzer.analyze(VIEW).findings]]
    analyzer.prepare()
    for text in (CHECKS.replace("raise ValueError(value)", "print(value)"), CHECKS):
        checks.write_text(text)
        project.invalidate(checks)
        result = analyzer.analyze(VIEW)
        fresh = analyze_source(VIEW, str(view), config, project=ProjectIndex([tmp_path]))
        assert [f.span.start_line for f in result.findings] == [f.span.start_line for f in fresh.findings]
        lines.append([f.span.start_line for f in result.findings])
    assert lines == [[11], [9, 11], [11]]
