"""Whole-module rules that an edited document runs only where they can say something.

SR210 judges a helper method by what the class's other methods pass it and return, so it is a
whole-module rule. Those judgements are made only for strings that look like SQL; where no code
of the document builds one, the rule only describes SQL-running calls, each on its own
(``Rule.needs_module``). An edit then runs it on the edited chunk's view instead of the whole
module, and an edit that brings in such a string runs it on the whole module again. SR104 (a
multicast receiver is recognised anywhere in the module) likewise, with the any-address. Every
result equals the whole-file analysis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.finding import Finding
from secreview_ls.pipeline import analyze_source
from secreview_ls.pipeline.incremental import IncrementalAnalyzer, split_lines_keepends
from secreview_ls.rules.base import Rule, RuleContext
from secreview_ls.rules.registry import all_rules

from .test_incremental import summary

_METHOD = '''
    def lookup_{n}(self, cursor, key):
        """Find one row."""
        cursor.execute("SELECT value FROM items WHERE key = ?", (key,))
        row = cursor.fetchone()
        return self._shape(row, {n})
'''

_HELPERS = """
    def _shape(self, row, size):
        return [row] * size

    def _select(self, table):
        return self.TEMPLATE.format(table)
"""


def _module(methods: int) -> str:
    body = "".join(_METHOD.format(n=n) for n in range(methods))
    return (
        '"""Store."""\n\nimport sqlite3\n\n\nclass Store:\n    TEMPLATE = "items"\n'
        f"{body}{_HELPERS}\n\ndef connect(path):\n    return sqlite3.connect(path)\n"
    )


class _Spy:
    """A rule with its check counted: how often it saw the whole document."""

    def __init__(self, rule_id: str = "SR210") -> None:
        self.whole = 0
        self.text = ""
        base = next(r for r in all_rules() if r.id == rule_id)
        self.original = base.check
        self.rule: Rule = replace(base, check=self._check)

    def _check(self, ctx: RuleContext) -> Iterable[Finding]:
        if ctx.source.text == self.text:
            self.whole += 1
        return list(self.original(ctx))


def _analyzer(tmp_path: Path, text: str, spy: _Spy) -> tuple[IncrementalAnalyzer, str, Config]:
    path = str(tmp_path / "store.py")
    config = Config(root=tmp_path)
    rules = [spy.rule if r.id == spy.rule.id else r for r in IncrementalAnalyzer(path, config).rules]
    analyzer = IncrementalAnalyzer(path, config, rules=rules)
    spy.text = text
    analyzer.analyze(text)
    analyzer.prepare()
    return analyzer, path, config


def _same(analyzer: IncrementalAnalyzer, spy: _Spy, text: str, path: str, config: Config) -> int:
    """Analyze ``text`` incrementally and whole, compare; how often the spied rule saw the whole document."""
    spy.text = text
    before = spy.whole
    result = analyzer.analyze(text)
    seen = spy.whole - before
    assert analyzer.stats.mode == "incremental", analyzer.stats
    assert summary(result) == summary(analyze_source(text, path, config))
    return seen


def test_an_edit_where_no_code_builds_sql_text_runs_sr210_on_the_edited_method_only(tmp_path: Path) -> None:
    spy = _Spy()
    text = _module(30)
    analyzer, path, config = _analyzer(tmp_path, text, spy)
    lines = split_lines_keepends(text)
    index = next(i for i, line in enumerate(lines) if i > len(lines) // 2 and "row = cursor.fetchone()" in line)
    typed = [*lines[:index], "        cursor.arraysize = 2\n", *lines[index:]]
    for current in (typed, lines):
        assert _same(analyzer, spy, "".join(current), path, config) == 0


def test_sql_text_built_in_one_method_brings_the_whole_module_back(tmp_path: Path) -> None:
    spy = _Spy()
    text = _module(30)
    analyzer, path, config = _analyzer(tmp_path, text, spy)
    # The helper's template becomes SQL: whether its table is safe depends on every caller.
    sql = text.replace('TEMPLATE = "items"', "TEMPLATE = \"SELECT * FROM items WHERE key = '{}'\"")
    sql = sql.replace(
        "return self.TEMPLATE.format(table)", "return (\"SELECT * FROM items WHERE key = '{}'\").format(table)"
    )
    constant = sql.replace("return self._shape(row, 7)", 'return self._shape(row, 7), self._select("items")')
    tainted = constant.replace('self._select("items")', "self._select(key)")
    for current in (sql, constant, tainted, constant, text):
        assert _same(analyzer, spy, current, path, config) == (0 if current is text else 1)
    found = {f.rule_id for f in analyze_source(tainted, path, config).findings}
    assert "SR210" in found  # the caller passing a parameter made the helper's SQL a finding
    assert "SR210" not in {f.rule_id for f in analyze_source(constant, path, config).findings}


def test_an_any_address_bind_brings_sr104_back_to_the_whole_module(tmp_path: Path) -> None:
    spy = _Spy("SR104")
    text = _module(30).replace("import sqlite3\n", "import socket\nimport sqlite3\n")
    analyzer, path, config = _analyzer(tmp_path, text, spy)
    listening = text.replace(
        "return self._shape(row, 9)", 'return self._shape(row, 9), socket.socket().bind(("", 8080))'
    )
    receiving = listening.replace(
        'socket.socket().bind(("", 8080))', 'socket.socket().bind(("", 8080)), socket.IP_ADD_MEMBERSHIP'
    )
    for current in (listening, receiving, text):
        assert _same(analyzer, spy, current, path, config) == (0 if current is text else 1)
    assert "SR104" in {f.rule_id for f in analyze_source(listening, path, config).findings}


_LOOKUP = """

def lookup_{n}(conn, user):
    cursor = conn.cursor()
    cursor.execute(f"SELECT * FROM items_{n} WHERE owner = '{{user}}' AND kind = '{{Kinds.BOOK}}'")
    return cursor.fetchall()
"""


def _functions(count: int) -> str:
    body = "".join(_LOOKUP.format(n=n) for n in range(count))
    return f'"""Lookups."""\n\nfrom .kinds import Kinds\n{body}'


def test_sql_text_built_in_plain_functions_runs_sr210_on_the_edited_function_only(tmp_path: Path) -> None:
    spy = _Spy()
    text = _functions(20).replace("AND kind = '{Kinds.BOOK}'", "")
    analyzer, path, config = _analyzer(tmp_path, text, spy)
    lines = split_lines_keepends(text)
    index = next(i for i, line in enumerate(lines) if i > len(lines) // 2 and "return cursor.fetchall()" in line)
    typed = [*lines[:index], "    cursor.arraysize = 2\n", *lines[index:]]
    for current in (typed, lines):
        assert _same(analyzer, spy, "".join(current), path, config) == 0


def test_a_judgement_reading_the_whole_module_brings_sr210_back_to_it(tmp_path: Path) -> None:
    spy = _Spy()
    text = _functions(20).replace("AND kind = '{Kinds.BOOK}'", "")
    analyzer, path, config = _analyzer(tmp_path, text, spy)
    constant = text.replace("WHERE owner = '{user}'", "WHERE owner = '{Kinds.BOOK}'", 1)
    assert _same(analyzer, spy, constant, path, config) == 1  # an imported class's constant: read module-wide
    stored = constant + "\n\ndef choose(request):\n    Kinds.BOOK = request.args['kind']\n"
    assert _same(analyzer, spy, stored, path, config) == 1
    assert "SR210" in {f.rule_id for f in analyze_source(stored, path, config).findings if f.span.start_line < 10}


_JOB = """

def run_job_{n}(command):
    return subprocess.call(command, shell=True)


def report_{n}(rows):
    return subprocess.run(["lpr", "-P", "office"], input=str(rows), check=True)
"""


def _jobs(count: int) -> str:
    return '"""Jobs."""\n\nimport subprocess\n' + "".join(_JOB.format(n=n) for n in range(count))


def test_a_shell_command_in_a_plain_function_runs_the_shell_rules_on_the_edited_function_only(tmp_path: Path) -> None:
    for rule_id in ("SR201", "SR202", "SR203"):
        spy = _Spy(rule_id)
        text = _jobs(20).replace("subprocess.call(command, shell=True)", "run_shell(command, shell=True)", 3)
        text = text.replace("subprocess.call(command, shell=True)", "os.system(command)", 3)
        text = text.replace("import subprocess\n", "import os\nimport subprocess\n")
        analyzer, path, config = _analyzer(tmp_path, text, spy)
        lines = split_lines_keepends(text)
        index = next(i for i, line in enumerate(lines) if i > len(lines) // 2 and "input=str(rows)" in line)
        typed = [*lines[:index], "    rows = sorted(rows)\n", *lines[index:]]
        for current in (typed, lines):
            assert _same(analyzer, spy, "".join(current), path, config) == 0


def test_a_command_judged_by_code_elsewhere_in_the_module_brings_sr201_back_to_it(tmp_path: Path) -> None:
    """The ``choices=`` of an option may be declared in any function, and a class's methods
    decide what its attribute holds: such a judgement reads the whole module."""
    spy = _Spy("SR201")
    text = _jobs(20)
    analyzer, path, config = _analyzer(tmp_path, text, spy)
    options = text + (
        "\n\ndef declare(parser):\n    parser.add_argument('--tool', choices=['ls', 'df'])\n"
        "\n\ndef main(parser):\n    options = parser.parse_args()\n    subprocess.call(options.tool, shell=True)\n"
    )
    assert _same(analyzer, spy, options, path, config) == 1
    free = options.replace("choices=['ls', 'df']", "default='ls'")
    assert _same(analyzer, spy, free, path, config) == 1
    method = text + (
        "\n\nclass Runner:\n    def __init__(self, command):\n        self.command = command\n"
        "\n    def go(self):\n        subprocess.call(self.command, shell=True)\n"
    )
    assert _same(analyzer, spy, method, path, config) == 1
    assert _same(analyzer, spy, method.replace("self.command = command", "self.command = input()"), path, config) == 1
