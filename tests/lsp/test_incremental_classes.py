"""Big classes are analyzed method by method, with the results of a whole-file analysis.

A class of many methods (application code is mostly that) is cut into segments: its header,
one per method, one per run of other class-body statements. These tests edit such classes
(typing in a method, inserting and deleting lines, moving blocks from one method to another,
changing class constants a method reads through ``self``, decorators, nested classes and
functions, ``global`` names, breaking the syntax for a moment) and compare every result with
``analyze_source``: findings, suppressed findings, notices, evidence.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source
from secreview_ls.pipeline.incremental import IncrementalAnalyzer, split_lines_keepends

from .test_incremental import check_edits, summary

HEADER = '''"""Service objects."""

import hashlib
import os
import pickle
import ssl
import subprocess

import requests
import yaml
from flask import Flask, request

app = Flask(__name__)
SHELL = "sh -c"
LIMIT = 10


def helper(value):
    return subprocess.call(value, shell=True)

'''

_METHODS = (
    '''
    def run_{n}(self, arg):
        """Run the configured command."""
        command = self.COMMAND + arg
        return subprocess.call(self.COMMAND, shell=True)
''',
    """
    def digest_{n}(self, data):
        for part in range(LIMIT):
            data = hashlib.md5(data).digest()
        return data
""",
    """
    @staticmethod
    def load_{n}(text):
        def inner(blob):
            return pickle.loads(blob)
        return yaml.load(text), inner
""",
    """
    def fetch_{n}(self, url):
        context = ssl.create_default_context()
        context.check_hostname = False
        return requests.get(url, verify=False, timeout=5)  # nosec
""",
    """
    def query_{n}(self, cursor, name):
        sql = "SELECT * FROM " + self.TABLE + " WHERE name = '%s'" % name
        cursor.execute(sql)
        self.password = "hunter2-{n}"
""",
    """
    def remember_{n}(self):
        global SHELL
        SHELL = os.environ.get("SHELL", "sh")
        setattr(self, "mode_{n}", 1)
""",
    """
    @app.route("/item/{n}")
    def view_{n}(self):
        item = request.args.get("item")
        os.system("echo " + item)
        return eval(request.args["q"])
""",
    """
    class Nested{n}:
        MODE = "fast"

        def go(self, x):
            return subprocess.run(x, shell=True)
""",
)

SNIPPETS = (
    "        subprocess.call(self.COMMAND, shell=True)\n",
    "        self.COMMAND = input()\n",
    "        x = 1\n",
    "    COMMAND = 'ls -l'\n",
    "    TABLE = input()\n",
    "        # secreview: ignore[SR401]\n",
    "\n",
    "    def extra(self, q):\n        return eval(q)\n",
    "        data = yaml.load(open(self.PATH))\n",
    "        global LIMIT\n",
    "        value = len(\n",  # a bracket left open: where it closes is decided below
    "        text = '''\n",  # a string left open
)


def generate_classes(methods: int, seed: int) -> str:
    """A module of a few big classes, each with ``methods`` methods, class constants between them."""
    rng = random.Random(seed)
    parts = [HEADER]
    for number in range(3):
        decorator = "@dataclass_like\n" if number == 1 else ""
        parts.append(f'\n\n{decorator}class Service{number}(Base):\n    """A service."""\n\n')
        parts.append('    COMMAND = "ls"\n    TABLE = "users"\n    PATH = "/etc/app.yml"\n')
        for index in range(methods):
            parts.append(rng.choice(_METHODS).format(n=f"{number}_{index}"))
            if rng.random() < 0.15:
                parts.append(f"\n    LEVEL_{index} = {index}\n")
    parts.append("\n\ndef dataclass_like(cls):\n    return cls\n\n\nclass Base:\n    pass\n")
    return "".join(parts)


def _mutate(text: str, rng: random.Random) -> str:
    lines = split_lines_keepends(text)
    index = rng.randrange(len(lines))
    roll = rng.random()
    if roll < 0.35:
        line = lines[index]
        column = rng.randrange(len(line)) if line else 0
        lines[index] = line[:column] + rng.choice(["a", "_", " ", "(", ")", "'", "1", ":", "#"]) + line[column:]
    elif roll < 0.65:
        lines.insert(index, rng.choice(SNIPPETS))
    elif roll < 0.8:
        del lines[index]
    else:
        start = rng.randrange(len(lines))  # a block moved, often from one method into another
        block = lines[start : start + rng.randint(1, 6)]
        del lines[start : start + len(block)]
        where = rng.randrange(len(lines) + 1)
        lines[where:where] = block
    return "".join(lines)


def _check(text: str, tmp_path: Path, steps: int, seed: int, in_classes: bool) -> dict[str, int]:
    """``check_edits`` with this module's edits (code that belongs in methods and class bodies),
    or with the general ones (top-level code landing inside classes too)."""
    namespace = check_edits.__globals__
    saved = namespace["mutate"]
    if in_classes:
        namespace["mutate"] = _mutate
    try:
        # A budget no edit reaches on a loaded machine: a file over it loses rules (with a notice),
        # which a whole analysis under less load would not; speed is the benchmarks' business.
        config = Config(root=tmp_path, timeout=300.0)
        return check_edits(text, str(tmp_path / "svc.py"), config, steps=steps, seed=seed)
    finally:
        namespace["mutate"] = saved


def _opened(tmp_path: Path, methods: int, seed: int) -> tuple[IncrementalAnalyzer, str, str, Config]:
    text = generate_classes(methods, seed)
    path = str(tmp_path / "svc.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    analyzer.analyze(text)
    analyzer.prepare()
    return analyzer, text, path, config


@pytest.mark.parametrize("in_classes", [True, False])
def test_random_edits_in_big_classes(tmp_path: Path, in_classes: bool) -> None:
    modes = _check(generate_classes(20, seed=11), tmp_path, steps=15, seed=11, in_classes=in_classes)
    assert modes["incremental"] > modes["full"], modes


@pytest.mark.slow
@pytest.mark.parametrize("in_classes", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_in_big_classes_longer(tmp_path: Path, seed: int, in_classes: bool) -> None:
    modes = _check(generate_classes(40, seed=seed), tmp_path, steps=60, seed=seed, in_classes=in_classes)
    assert modes["incremental"] > modes["full"], modes


def test_an_edit_in_a_method_parses_and_reruns_that_method(tmp_path: Path) -> None:
    analyzer, text, path, config = _opened(tmp_path, 60, seed=5)
    lines = split_lines_keepends(text)
    index = next(i for i, line in enumerate(lines) if i > len(lines) // 2 and "hashlib.md5(data)" in line)
    typed = list(lines)
    typed[index] = typed[index].replace("hashlib.md5(data)", "hashlib.md5(data + b'x')")
    inserted = [*lines[:index], "            data = data * 2\n", *lines[index:]]
    for version, current in enumerate((typed, lines, typed, inserted, lines)):
        current_text = "".join(current)
        assert summary(analyzer.analyze(current_text)) == summary(analyze_source(current_text, path, config))
        stats = analyzer.stats
        assert stats.mode == "incremental", stats
        assert stats.parsed_lines < 30, stats  # the method (and its neighbour), not its class
        if version < 3:
            assert stats.rerun <= 2, stats
        else:  # a line more or less: also the chunks below whose findings name a line in their message
            assert stats.rerun < stats.chunks // 10, stats


def _first_methods(lines: list[str]) -> list[int]:
    """The line indexes of each class's first method (the segment above it is the class header)."""
    found = []
    for number, line in enumerate(lines):
        if line.startswith("class Service"):
            found.append(next(i for i in range(number, len(lines)) if lines[i].startswith("    def ")))
    return found


@pytest.mark.parametrize(
    ("typed", "contained"),
    [
        ("value =", True),  # unfinished, brackets closed (as an editor closing them by itself leaves it)
        ("value = self.", True),
        ("if value", True),
        ("value = len(", True),  # an open bracket: the tolerant parse to the end of the file decides
    ],
)
def test_a_statement_typed_halfway_in_a_method_reparses_that_method(
    tmp_path: Path, typed: str, contained: bool
) -> None:
    """Code mid-edit in a method of a big class is repaired in that method's segment alone when
    the whole file's tolerant parse repairs it there, with the same notices and findings."""
    analyzer, text, path, config = _opened(tmp_path, 60, seed=5)
    lines = split_lines_keepends(text)
    methods = [i for i, line in enumerate(lines) if line.startswith("    def ")]
    first = _first_methods(lines)
    # The middle method, the last one, the first of a class and of a decorated class (under the header).
    for index in (methods[len(methods) // 2] + 2, methods[-1] + 2, first[0] + 2, first[1] + 2):
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        broken = "".join([*lines[:index], f"{indent}{typed}\n", *lines[index:]])
        for current in (broken, text):
            result = analyzer.analyze(current)
            assert summary(result) == summary(analyze_source(current, path, config))
            assert analyzer.stats.mode == "incremental", analyzer.stats
            if current is broken:
                assert any(n.kind == "syntax-error" for n in result.notices)
                assert (analyzer.stats.parsed_lines < 30) == contained, analyzer.stats


@pytest.mark.parametrize("where", ["middle", "first", "first-decorated"])
@pytest.mark.parametrize(
    "typed",
    [
        ["value = len(", "value = len(da", "value = len(data", "value = len(data)"],
        ["value = '''", "value = '''x", "value = '''x'''"],  # none below: open to the end of the file
        ["value = 'abc", "value = 'abc'"],
        ["items = [len(data),", "items = [len(data), 2]"],
    ],
)
def test_an_open_bracket_or_string_in_a_method_keeps_its_class_in_segments(
    tmp_path: Path, typed: list[str], where: str
) -> None:
    """Code left inside a bracket or string in a method is repaired in that method's segment (the
    tolerant parse to the end of the file decides where it closes): the class stays cut into
    segments, other methods are not parsed again, notices and findings are the whole file's. In
    a class's first method too, under its header (a decorated class's: decorators above it)."""
    analyzer, text, path, config = _opened(tmp_path, 60, seed=5)
    lines = split_lines_keepends(text)
    methods = [i for i, line in enumerate(lines) if line.startswith("    def ")]
    first = _first_methods(lines)
    start = {"middle": methods[len(methods) // 2], "first": first[0], "first-decorated": first[1]}[where]
    if where == "first-decorated":
        assert "@dataclass_like\n" in lines[start - 12 : start]
    index = start + 2
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    key = "".join([*lines[:index], lines[index].rstrip("\n") + "  # x\n", *lines[index + 1 :]])
    analyzer.analyze(key)
    segmented = analyzer.stats.chunks
    assert segmented > 3 * 60, analyzer.stats  # every method of the three classes is a chunk of its own
    versions = ["".join([*lines[:index], f"{indent}{t}\n", *lines[index:]]) for t in typed]
    for current in (*versions, text):
        result = analyzer.analyze(current)
        assert summary(result) == summary(analyze_source(current, path, config))
        stats = analyzer.stats
        assert stats.mode == "incremental", stats
        assert stats.chunks == segmented, stats
        assert stats.parsed_lines < 30, stats
    assert any(n.kind == "syntax-error" for n in analyzer.analyze(versions[0]).notices)


def test_a_line_inserted_above_an_open_bracket_in_another_method(tmp_path: Path) -> None:
    """A line inserted in one method while a bracket is left open in a method below parses the
    methods from there to the open bracket again: the class stays in segments, results the
    whole file's; the bracket closed in the same version, then the text as it was."""
    analyzer, text, path, config = _opened(tmp_path, 60, seed=5)
    lines = split_lines_keepends(text)
    methods = [i for i, line in enumerate(lines) if line.startswith("    def ")]
    index = methods[len(methods) // 2] + 2
    above = methods[len(methods) // 2 - 2] + 2
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    opened = [*lines[:index], f"{indent}value = len(\n", *lines[index:]]
    inserted = [*opened[:above], f"{indent}count = 1\n", *opened[above:]]
    closed = [
        *lines[:above],
        f"{indent}count = 1\n",
        *lines[above:index],
        f"{indent}value = len(data)\n",
        *lines[index:],
    ]
    for version, current in enumerate((opened, inserted, closed, lines)):
        current_text = "".join(current)
        result = analyzer.analyze(current_text)
        assert summary(result) == summary(analyze_source(current_text, path, config))
        stats = analyzer.stats
        assert stats.mode == "incremental", stats
        assert stats.chunks > 3 * 60, stats
        if version < 2:
            assert any(n.kind == "syntax-error" for n in result.notices)
        assert stats.parsed_lines < index - above + 40, stats


def test_a_class_constant_read_through_self_reruns_the_methods(tmp_path: Path) -> None:
    analyzer, text, path, config = _opened(tmp_path, 30, seed=6)
    for before, after in (('COMMAND = "ls"', "COMMAND = input()"), ("COMMAND = input()", 'COMMAND = "ls"')):
        text = text.replace(before, after, 1)
        assert summary(analyzer.analyze(text)) == summary(analyze_source(text, path, config))
        assert analyzer.stats.mode == "incremental"
    lines = split_lines_keepends(text)
    index = next(i for i, line in enumerate(lines) if "def digest_0_" in line)
    # A method of the first class starts storing the constant: reading it is no longer constant.
    lines.insert(index + 2, "        self.COMMAND = data\n")
    edited = "".join(lines)
    assert summary(analyzer.analyze(edited)) == summary(analyze_source(edited, path, config))
    assert analyzer.stats.mode == "incremental"


def test_moving_a_method_body_line_to_another_method(tmp_path: Path) -> None:
    analyzer, text, path, config = _opened(tmp_path, 30, seed=7)
    lines = split_lines_keepends(text)
    source = next(i for i, line in enumerate(lines) if "return subprocess.call(self.COMMAND, shell=True)" in line)
    target = next(i for i, line in enumerate(lines) if i > source + 10 and "return data" in line)
    moved = lines.pop(source)
    lines.insert(target - 1, moved)
    edited = "".join(lines)
    assert summary(analyzer.analyze(edited)) == summary(analyze_source(edited, path, config))
    assert analyzer.stats.mode == "incremental"


def test_a_name_imported_as_different_modules_stays_incremental(tmp_path: Path) -> None:
    text = (
        "import yaml\nfrom typing import IO\n\n\ndef first(text):\n    from io import IO\n    return IO(text)\n\n\n"
        "def second(text):\n    return yaml.load(text)\n\n\ndef third(stream: IO):\n    import pickle as IO\n"
        "    return IO.loads(stream.read())\n"
    )
    path = str(tmp_path / "mixed.py")
    config = Config(root=tmp_path)
    analyzer = IncrementalAnalyzer(path, config)
    analyzer.analyze(text)
    analyzer.prepare()
    versions = [
        text.replace("yaml.load(text)", "yaml.load(text, Loader=None)"),  # no import of the name changes
        text.replace("    import pickle as IO\n", "    import marshal as IO\n"),  # the whole map's answer changes
        text.replace("    from io import IO\n", "    pass\n"),
        text,
    ]
    for current in versions:
        assert summary(analyzer.analyze(current)) == summary(analyze_source(current, path, config))
        assert analyzer.stats.mode == "incremental", analyzer.stats


def _segment_first(lines: list[str], index: int) -> int:
    """0-based first line of the segment holding line ``index`` (a one-line class-level
    statement or a line of a method's body): the line after the last statement above it and
    its decorators (blank lines above go with it)."""
    at = index if lines[index][4] != " " else next(i for i in range(index, 0, -1) if lines[i].startswith("    def "))
    while lines[at - 1].startswith("    @"):
        at -= 1
    while not lines[at - 1].strip():
        at -= 1
    return at


def test_typing_in_the_last_line_of_a_method_parses_that_method_only(tmp_path: Path) -> None:
    analyzer, text, path, config = _opened(tmp_path, 40, seed=5)
    lines = split_lines_keepends(text)
    index = next(
        i
        for i in range(len(lines) // 2, len(lines) - 2)
        if lines[i].startswith("        return") and not lines[i + 1].strip() and lines[i + 2].startswith("    def ")
    )
    typed = list(lines)
    typed[index] = typed[index].rstrip("\n") + "  # note\n"
    for current in (typed, lines):
        current_text = "".join(current)
        assert summary(analyzer.analyze(current_text)) == summary(analyze_source(current_text, path, config))
        assert analyzer.stats.mode == "incremental", analyzer.stats
        assert analyzer.stats.parsed_lines == index - _segment_first(lines, index) + 1, analyzer.stats


@pytest.mark.parametrize(
    "edit",
    [
        lambda line: "    @staticmethod\n",  # now decorates the next method, across the blank line
        lambda line: line.rstrip("\n") + " + (\n",  # a bracket the next method's lines would close
        lambda line: line.rstrip("\n") + " \\\n",  # a line continued onto the next one
        lambda line: "    LEVEL = 1\n",  # a class-level statement of its own
        lambda line: "x = 1\n",  # ends the class: the next method no longer parses
        lambda line: line.replace("return", "return '''"),  # a string left open
    ],
)
def test_the_last_line_of_a_method_edited_to_reach_the_next_one(tmp_path: Path, edit) -> None:
    """Only the edited method is parsed again at first; edits that join it to what follows
    fail alone there, and the region grows to a whole-file result."""
    analyzer, text, path, config = _opened(tmp_path, 30, seed=5)
    lines = split_lines_keepends(text)
    index = next(
        i
        for i in range(len(lines) // 2, len(lines) - 2)
        if lines[i].startswith("        return") and not lines[i + 1].strip() and lines[i + 2].startswith("    def ")
    )
    edited = list(lines)
    edited[index] = edit(lines[index])
    for current in (edited, lines):
        current_text = "".join(current)
        assert summary(analyzer.analyze(current_text)) == summary(analyze_source(current_text, path, config))


def test_a_class_constant_indented_into_the_method_above(tmp_path: Path) -> None:
    """A one-line segment pushed to the indentation of a method body joins that method: the
    segment alone would parse inside a class wrapper, so its indentation is checked."""
    analyzer, text, path, config = _opened(tmp_path, 30, seed=5)
    lines = split_lines_keepends(text)
    index = next(i for i, line in enumerate(lines) if line.startswith("    LEVEL_"))
    assert lines[index - 2].startswith("        ")  # the method above ends there
    edited = list(lines)
    edited[index] = "    " + lines[index]
    for current in (edited, lines):
        current_text = "".join(current)
        assert summary(analyzer.analyze(current_text)) == summary(analyze_source(current_text, path, config))
        assert analyzer.stats.mode == "incremental", analyzer.stats


def test_the_last_line_of_a_function_turned_into_a_decorator_of_the_next_class(tmp_path: Path) -> None:
    analyzer, text, path, config = _opened(tmp_path, 30, seed=5)
    for current in (text.replace("    return subprocess.call(value, shell=True)\n", "@dataclass_like\n"), text):
        assert summary(analyzer.analyze(current)) == summary(analyze_source(current, path, config))


@pytest.mark.parametrize("replacement", [None, "x = 1\n", "    @staticmethod\n", "        return (\n"])
def test_the_last_line_of_a_class_typed_in_or_edited_out_of_it(tmp_path: Path, replacement: str | None) -> None:
    """Typing in the last line of a class's last method parses that method, not the class and
    the statement below; a line that leaves the class or reaches below it grows the region."""
    analyzer, text, path, config = _opened(tmp_path, 30, seed=5)
    lines = split_lines_keepends(text)
    index = next(i for i, line in enumerate(lines) if line.startswith("@dataclass_like")) - 1
    while not lines[index].strip():
        index -= 1
    edited = list(lines)
    edited[index] = replacement or lines[index].rstrip("\n") + "  # note\n"
    for current in (edited, lines):
        current_text = "".join(current)
        assert summary(analyzer.analyze(current_text)) == summary(analyze_source(current_text, path, config))
        if replacement is None:
            assert analyzer.stats.mode == "incremental", analyzer.stats
            assert analyzer.stats.parsed_lines == index - _segment_first(lines, index) + 1, analyzer.stats
