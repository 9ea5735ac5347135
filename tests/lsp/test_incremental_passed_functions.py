"""Helpers run where they are called (a function given a sink, a factory's function, a property
setter): editing the helper alone changes what its callers report, incrementally too."""

from __future__ import annotations

from pathlib import Path

from .test_incremental_regressions import replay

HELPER = (
    "import os\nimport shlex\nfrom flask import Flask, request\napp = Flask(__name__)\n\n\n"
    "def apply(action, value):\n    return action(value)\n\n\n"
    "@app.route('/a')\ndef view():\n    apply(os.system, request.args['c'])\n    return 'ok'\n"
)
FACTORY = (
    "import os\nimport shlex\nfrom flask import Flask, request\napp = Flask(__name__)\n\n\n"
    "def make(program):\n    def job(argument):\n        return os.system(program + argument)\n\n    return job\n\n\n"
    "@app.route('/a')\ndef view():\n    make('ping ')(request.args['c'])\n    return 'ok'\n"
)
SETTER = (
    "import sqlite3\nfrom flask import Flask, request\napp = Flask(__name__)\ndb = sqlite3.connect('a')\n\n\n"
    "class Filter:\n    @property\n    def name(self):\n        return self._name\n\n"
    "    @name.setter\n    def name(self, value):\n        self._name = value\n\n\n"
    "@app.route('/a')\ndef view():\n    chosen = Filter()\n    chosen.name = request.args['n']\n"
    "    db.execute('SELECT * FROM t WHERE n = ' + chosen.name)\n    return 'ok'\n"
)


def _rules(analyzer, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.rule_id for f in analyzer.analyze(text).findings if f.rule_id.startswith("SR8"))


def test_a_helper_given_a_sink_quoting_its_value_is_followed_after_the_edit(tmp_path: Path) -> None:
    quoted = HELPER.replace("action(value)", "action(shlex.quote(value))")
    analyzer = replay(tmp_path, HELPER, quoted, HELPER)
    assert analyzer.stats.mode == "incremental"
    assert _rules(analyzer, HELPER) == ["SR802"]
    assert _rules(analyzer, quoted) == []


def test_a_factory_whose_function_quotes_its_argument_after_the_edit(tmp_path: Path) -> None:
    quoted = FACTORY.replace("program + argument", "program + shlex.quote(argument)")
    analyzer = replay(tmp_path, FACTORY, quoted, FACTORY)
    assert analyzer.stats.mode == "incremental"
    assert _rules(analyzer, FACTORY) == ["SR802"]
    assert _rules(analyzer, quoted) == []


def test_a_setter_that_starts_checking_its_value(tmp_path: Path) -> None:
    checked = SETTER.replace("self._name = value", "self._name = value if value.isdigit() else '0'")
    analyzer = replay(tmp_path, SETTER, checked, SETTER)
    assert analyzer.stats.mode == "incremental"
    assert _rules(analyzer, SETTER) == ["SR801"]
    assert _rules(analyzer, checked) == []
