"""Input one view keeps in module-level state and another view runs: editing the storing view
alone changes what the reading view reports, incrementally as in a whole-file analysis."""

from __future__ import annotations

from pathlib import Path

from .test_incremental_regressions import replay

KEPT = (
    "import os\nimport shlex\nfrom flask import Flask, request\napp = Flask(__name__)\nLAST = 'ls'\n\n\n"
    "@app.route('/set')\ndef remember():\n    global LAST\n    LAST = request.args['c']\n    return 'ok'\n\n\n"
    "@app.route('/run')\ndef run():\n    os.system(LAST)\n    return 'ok'\n"
)
QUEUED = (
    "import sqlite3\nfrom flask import Flask, request\napp = Flask(__name__)\ndb = sqlite3.connect('a')\n"
    "PENDING = []\n\n\n"
    "@app.route('/add')\ndef add():\n    PENDING.append(request.form['name'])\n    return 'ok'\n\n\n"
    "def flush():\n    for name in PENDING:\n        db.execute('DELETE FROM t WHERE n = ' + name)\n\n\n"
    "@app.route('/flush')\ndef flush_view():\n    flush()\n    return 'done'\n"
)


def _sinks(analyzer, text: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    found = analyzer.analyze(text).findings
    return sorted((f.rule_id, f.span.start_line) for f in found if f.rule_id.startswith("SR8"))


def test_the_storing_view_quoting_its_value_quiets_the_reader(tmp_path: Path) -> None:
    quoted = KEPT.replace("LAST = request.args['c']", "LAST = shlex.quote(request.args['c'])")
    analyzer = replay(tmp_path, KEPT, quoted, KEPT)
    assert analyzer.stats.mode == "incremental"
    assert [rule for rule, _ in _sinks(analyzer, KEPT)] == ["SR802"]
    assert _sinks(analyzer, quoted) == []


def test_the_storing_view_starting_to_keep_input_makes_the_reader_report(tmp_path: Path) -> None:
    constant = KEPT.replace("LAST = request.args['c']", "LAST = 'pwd'")
    analyzer = replay(tmp_path, constant, KEPT, constant)
    assert analyzer.stats.mode == "incremental"
    assert _sinks(analyzer, constant) == []
    assert [rule for rule, _ in _sinks(analyzer, KEPT)] == ["SR802"]


def test_an_edit_to_the_reader_alone_keeps_the_stored_value(tmp_path: Path) -> None:
    moved = KEPT.replace("    os.system(LAST)\n", "    print('running')\n    os.system(LAST)\n")
    analyzer = replay(tmp_path, KEPT, moved, KEPT)
    assert analyzer.stats.mode == "incremental"
    assert _sinks(analyzer, moved) == [("SR802", 18)]


def test_a_list_filled_by_one_view_and_flushed_by_a_helper_of_another(tmp_path: Path) -> None:
    checked = QUEUED.replace("request.form['name']", "int(request.form['name'])")
    analyzer = replay(tmp_path, QUEUED, checked, QUEUED)
    assert analyzer.stats.mode == "incremental"
    assert [rule for rule, _ in _sinks(analyzer, QUEUED)] == ["SR801"]
    assert _sinks(analyzer, checked) == []
