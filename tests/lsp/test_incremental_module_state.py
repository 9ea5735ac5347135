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


def test_a_view_starting_to_declare_the_name_global_becomes_a_writer(tmp_path: Path) -> None:
    """The writers are found from each function's own facts, kept while the function is
    unchanged: a ``global`` statement typed into a view that only had a local of that name."""
    local = KEPT.replace("    global LAST\n", "")
    analyzer = replay(tmp_path, local, KEPT, local, KEPT)
    assert analyzer.stats.mode == "incremental"
    assert _sinks(analyzer, local) == []
    assert [rule for rule, _ in _sinks(analyzer, KEPT)] == ["SR802"]


def test_a_view_starting_to_fill_the_list_becomes_a_writer(tmp_path: Path) -> None:
    idle = QUEUED.replace("    PENDING.append(request.form['name'])\n", "    print(request.form['name'])\n")
    analyzer = replay(tmp_path, idle, QUEUED, idle)
    assert analyzer.stats.mode == "incremental"
    assert _sinks(analyzer, idle) == []
    assert [rule for rule, _ in _sinks(analyzer, QUEUED)] == ["SR801"]


def test_a_store_into_a_name_becomes_a_writer_once_the_name_is_module_level(tmp_path: Path) -> None:
    """The storing function is unchanged; the module-level assignment that makes its name
    module state comes and goes in another part of the file."""
    stored = (
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\n\n"
        "@app.route('/set')\ndef remember():\n    SETTINGS['cmd'] = request.args['c']\n    return 'ok'\n\n\n"
        "def run_it():\n    os.system(SETTINGS['cmd'])\n\n\n"
        "@app.route('/run')\ndef run():\n    run_it()\n    return 'ok'\n"
    )
    module_level = stored.replace("app = Flask(__name__)\n", "app = Flask(__name__)\nSETTINGS = {}\n")
    analyzer = replay(tmp_path, stored, module_level, stored, module_level)
    assert analyzer.stats.mode == "incremental"
    assert [rule for rule, _ in _sinks(analyzer, module_level)] == ["SR802"]


def test_a_nested_function_storing_into_module_state_is_a_writer(tmp_path: Path) -> None:
    nested = KEPT.replace(
        "def remember():\n    global LAST\n    LAST = request.args['c']\n",
        "def remember():\n    def keep(value):\n        global LAST\n        LAST = value\n    keep(request.args['c'])\n",
    )
    plain = nested.replace("        global LAST\n", "")
    replay(tmp_path, plain, nested, plain, nested)
