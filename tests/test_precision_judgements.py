"""How the SQL, exec and weak-hash rules judge where a value comes from and what it is for."""

from __future__ import annotations

from secreview_ls.config import Config
from secreview_ls.engine.finding import Level
from secreview_ls.pipeline import analyze_source


def _findings(text: str, rule_id: str):
    return [f for f in analyze_source(text, "app/module.py", Config()).findings if f.rule_id == rule_id]


def test_sql_built_on_one_line_is_reported_where_it_runs_with_the_building_line_in_its_path() -> None:
    text = (
        "def archived(conn, year):\n"
        "    sql = 'SELECT * FROM archive WHERE year = ' + year\n"
        "    rows = conn.execute(sql)\n"
        "    return rows\n"
    )
    [finding] = _findings(text, "SR210")
    assert finding.span.start_line == 3
    assert [step.span.start_line for step in finding.flow] == [2, 3]
    assert finding.confidence == Level.LOW  # a value of unknown origin, not between quotes


def test_sql_naming_what_the_caller_hands_in_is_a_hardening_note() -> None:
    text = (
        "def archived(conn, table):\n"
        "    sql = 'SELECT * FROM ' + table\n"
        "    return conn.execute(sql)\n"
        "\n"
        "def by_year(conn, year):\n"
        "    return conn.execute('SELECT * FROM archive WHERE year = ' + year)\n"
    )
    assert [f.span.start_line for f in _findings(text, "SR210")] == [6]  # a value: data
    assert _findings(text, "SR213") == []  # a hardening note, off by default
    hardening = analyze_source(text, "app/module.py", Config(extend_select=("SR213",))).findings
    assert [(f.rule_id, f.span.start_line) for f in hardening] == [("SR213", 3), ("SR210", 6)]  # where it runs
    assert "`archived`" in hardening[0].message and "line 2" in hardening[0].message


def test_sql_naming_what_the_object_holds_says_who_chooses_it() -> None:
    text = (
        "class Sequence:\n"
        "    def __init__(self, name):\n"
        "        self._name = name\n"
        "\n"
        "    def last(self, cur):\n"
        "        return cur.execute('SELECT last_value FROM ' + self._name)\n"
    )
    [note] = analyze_source(text, "app/module.py", Config(select=("SR213",))).findings
    assert "the object holds" in note.message and "caller of `last`" not in note.message


def test_sql_names_in_a_statement_run_with_parameters_are_a_hardening_note() -> None:
    text = (
        "def page(txn, limit):\n"
        "    order = choose_order()\n"
        "    where = ' AND '.join('%s = ?' % k for k in load_keys())\n"
        "    sql = f'SELECT * FROM events WHERE {where} ORDER BY {order} LIMIT ?'\n"
        "    txn.execute(sql, [*load_values(), limit])\n"
        "\n"
        "def unbound(txn, spec):\n"
        "    txn.execute(f'SELECT * FROM events ORDER BY {sort_key()}')\n"
        "\n"
        "def valued(txn, spec, limit):\n"
        "    where = ' AND '.join(\"%s = '%s'\" % (k, v) for k, v in spec.items())\n"
        "    txn.execute(f'SELECT * FROM events WHERE {where} LIMIT ?', (limit,))\n"
    )
    assert [f.span.start_line for f in _findings(text, "SR210")] == [8, 12]
    hardening = analyze_source(text, "app/module.py", Config(extend_select=("SR213",))).findings
    notes = [f for f in hardening if f.rule_id == "SR213"]
    assert [f.span.start_line for f in notes] == [5]
    assert "run as parameters" in notes[0].message and "line 4" in notes[0].message


def test_sql_value_between_quotes_is_data_and_reported_with_confidence() -> None:
    text = "def find(cur, name):\n    cur.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
    [finding] = _findings(text, "SR210")
    assert finding.confidence == Level.HIGH


def test_sql_from_quoted_identifiers_is_not_reported() -> None:
    text = (
        "def count(connection, cursor, table):\n"
        "    qn = connection.ops.quote_name\n"
        "    cursor.execute('SELECT COUNT(*) FROM %s WHERE %s > 0' % (qn(table), qn('expires')))\n"
    )
    assert not _findings(text, "SR210")


def test_weak_hash_fed_a_password_is_high_and_a_cache_key_is_silent() -> None:
    fed = (
        "import hashlib\ndef respond(password):\n    m = hashlib.md5()\n    m.update(password)\n    return m.digest()\n"
    )
    [finding] = _findings(fed, "SR301")
    assert finding.severity == Level.HIGH and "password" in finding.message
    cache = "import hashlib\ndef lookup(body):\n    cache_key = hashlib.md5(body).hexdigest()\n    return cache_key\n"
    assert not _findings(cache, "SR301")
    unknown = "import hashlib\ndef work(body):\n    result = hashlib.md5(body).hexdigest()\n    return result\n"
    [note] = _findings(unknown, "SR301")
    assert note.confidence == Level.LOW


def test_generated_definitions_are_not_exec_findings_but_assignments_from_parameters_are() -> None:
    generated = "def make(name):\n    ns = {}\n    exec('def %s(self):\\n    return 1' % name, ns)\n    return ns\n"
    assert not _findings(generated, "SR101")
    assigned = "def make(name):\n    exec('x = %s' % name)\n"
    assert len(_findings(assigned, "SR101")) == 1
