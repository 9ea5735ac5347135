"""Property tests: random and mutated source never crashes the analysis, every position
it reports lies inside the text it was given, no rule gives up for depth, and the CPU time
stays within 50 ms + 20 µs per byte (tests/fuzz_support.py; benchmarks/fuzz_engine.py runs
the same checks on a million inputs)."""

from __future__ import annotations

import os
import random

import fuzz_inputs
import pytest
from fuzz_support import check_analysis, comparable, span_problem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secreview_ls.config import Config
from secreview_ls.engine.finding import Span
from secreview_ls.engine.source import split_lines
from secreview_ls.pipeline import IncrementalAnalyzer, analyze_source, analyze_text_file
from secreview_ls.rules import registry

CONFIG = Config()
# SECREVIEW_FUZZ_EXAMPLES=5000 for a deeper local search; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("SECREVIEW_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _corpus() -> list[str]:
    """Real snippets: every rule's vulnerable and safe examples, plus some tricky shapes."""
    snippets = []
    for rule in registry.all_rules():
        snippets += [rule.bad, rule.good]
    snippets += [
        "import subprocess as sp\nfrom os import system as s\n\ndef f(request):\n"
        "    cmd = request.args['c']\n    sp.run(cmd, shell=True)\n    s(f'ls {cmd}')\n",
        "class A:\n    def m(self, x):\n        return eval(x) if x else [y async for y in z]\n",
        's = "😀é"; eval(s)\n',
        "def f(\n    a,\n    b=lambda: (yield),\n):\n    '''doc'''\n    return {**a, 'k': [*b]}\n",
        "try:\n    pass\nexcept* ValueError:\n    pass\nmatch x:\n    case [1, *rest]:\n        pass\n",
        "x = 1 \\\n    + 2\nif x:\n\tpass\n",
        "@decorator\nasync def g():\n    async with a as b, c as d:\n        await b\n",
    ]
    return [s for s in snippets if s]


CORPUS = _corpus()
# The first analysis in a process loads tables and compiles patterns (~70 ms): do it before
# the budget is measured.
analyze_source(CORPUS[0], "warm/up.py", CONFIG)
TOKENS = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    "=",
    "==",
    "+",
    "*",
    "**",
    "'",
    '"',
    '"""',
    "#",
    "\\",
    "\n",
    "\t",
    "    ",
    "def ",
    "class ",
    "lambda",
    "import ",
    "from ",
    "yield",
    "await ",
    "async ",
    "eval(",
    "exec(",
    "os.system(",
    "subprocess.run(",
    "shell=True",
    "yaml.load(",
    "pickle.loads(",
    "f'{",
    "}'",
    "request.args",
    "cursor.execute(",
    "%s",
    ".format(",
    "if ",
    "else",
    "try:",
    "except:",
    "\r",
    "\r\n",
    "\x0c",
    "\ufeff",
    "é",
    "😀",
    "\u2028",
    "0x",
    "1e",
    "_",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "swap-lines", "truncate", "indent"]))
        size = len(text)
        a = draw(st.integers(0, size))
        b = draw(st.integers(a, min(size, a + 40)))
        if kind == "delete":
            text = text[:a] + text[b:]
        elif kind == "duplicate":
            text = text[:b] + text[a:b] + text[b:]
        elif kind == "insert":
            text = text[:a] + draw(st.sampled_from(TOKENS)) + text[a:]
        elif kind == "truncate":
            text = text[:a]
        elif kind == "indent":
            lines = text.split("\n")
            index = draw(st.integers(0, len(lines) - 1))
            lines[index] = draw(st.sampled_from(["  ", "\t", "        ", ""])) + lines[index].lstrip()
            text = "\n".join(lines)
        else:
            lines = text.split("\n")
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 2))
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
            text = "\n".join(lines)
    return text


token_soup = st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=60).map("".join)


def assert_span_inside(span: Span, lines: list[str], what: str) -> None:
    problem = span_problem(span, lines, what)
    assert problem is None, problem


def check(text: str, path: str = "fuzz/module.py") -> None:
    """No exception, every span inside the text, no rule skipped for depth, CPU within budget."""
    outcome = check_analysis(text, path, CONFIG)
    assert outcome.problems == [], outcome.problems


@FUZZ
@given(mutated())
def test_mutated_real_code_never_crashes(text: str) -> None:
    check(text)


@FUZZ
@given(token_soup)
def test_token_soup_never_crashes(text: str) -> None:
    check(text)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    check(text)
    result = analyze_text_file(text, "fuzz/settings.yaml", CONFIG)
    lines = split_lines(text)
    for finding in result.findings:
        assert_span_inside(finding.span, lines, finding.rule_id)


@settings(max_examples=25, deadline=None)
@given(st.integers(50, 400), st.sampled_from(["(", "[", "{", "not ", "-", "lambda: "]))
def test_deep_nesting_never_crashes(depth: int, opener: str) -> None:
    closer = {"(": ")", "[": "]", "{": "}"}.get(opener, "")
    check("x = " + opener * depth + "1" + closer * depth + "\neval(x)\n")


def test_deeply_nested_blocks() -> None:
    body = "".join("    " * i + f"if x{i}:\n" for i in range(120)) + "    " * 120 + "eval(y)\n"
    check(body)


@FUZZ
@given(st.randoms(use_true_random=False), st.sampled_from(CORPUS))
def test_every_line_ending_and_bom(rng: random.Random, text: str) -> None:
    _, variant = fuzz_inputs.line_endings(rng, text)
    check(variant)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(fuzz_inputs.NESTING)), st.integers(1, 1200))
def test_every_construct_nested_deep(name: str, depth: int) -> None:
    check(fuzz_inputs.NESTING[name](depth))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from(CORPUS))
def test_incremental_edit_matches_whole_analysis(rng: random.Random, text: str) -> None:
    analyzer = IncrementalAnalyzer("fuzz/module.py", CONFIG)
    analyzer.analyze(text)
    analyzer.prepare()
    _, edited = fuzz_inputs.mutate(rng, text, 2)
    incremental = analyzer.analyze(edited)
    assert comparable(incremental) == comparable(analyze_source(edited, "fuzz/module.py", CONFIG))
    check(edited)


@pytest.mark.parametrize("name", sorted(fuzz_inputs.NESTING))
def test_each_construct_at_the_deepest_parsed_depth(name: str) -> None:
    """Every construct 1,200 deep (where the interpreter parses it): the rules judge it without
    recursion (a subscript chain reaching ``eval`` once made SR102 skip the file for depth)."""
    check(fuzz_inputs.NESTING[name](1200))


def test_many_statements_stay_within_budget() -> None:
    """3,000 ``os.system`` calls in one block: the check for an earlier guard rejecting other
    values once scanned the block again for every call (quadratic, over the CPU budget)."""
    check(fuzz_inputs.NESTING["statements"](3000))


def test_long_concatenation_is_judged_not_skipped() -> None:
    """``"a" + q + "a" + q ...`` a thousand operands deep: the SQL rule still reports it."""
    text = fuzz_inputs.NESTING["concat"](1200)
    check(text)
    result = analyze_source(text, "fuzz/module.py", CONFIG)
    assert not [n for n in result.notices if n.kind == "too-deep"]
    assert "SR210" in {f.rule_id for f in result.findings}


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_broken_line_before_a_lone_carriage_return_keeps_line_numbers(ending: str) -> None:
    """Recovering from a syntax error blanks lines; a lone \r left before a blanked "\n"
    read as one \r\n and moved every finding below up by one line."""
    lines = [
        "import os",
        "from flask import request",
        "def f():",
        "    x = g(a.b\r_c(1))",
        "    y = request.args['q']",
        "    os.system(y)",
    ]
    text = ending.join(lines) + ending
    check(text)
    result = analyze_source(text, "fuzz/module.py", CONFIG)
    plain = split_lines(text)
    found = [f for f in result.findings if f.rule_id.startswith("SR8")]
    assert found and all("os.system" in plain[f.span.start_line - 1] for f in found)


@pytest.mark.slow  # hypothesmith builds its grammar strategies slowly (minutes on a busy machine)
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_programs(data: st.DataObject) -> None:
    hypothesmith = pytest.importorskip("hypothesmith")
    check(data.draw(hypothesmith.from_grammar() | hypothesmith.from_node()))


def _recovery_case(name: str) -> str:
    if name == "broken-branch-in-elif-chain":  # the broken line is a branch's body
        lines = ["def f(x):", "    if x == 0:", "        eval(y)"]
        for i in range(1, 900):
            lines += [f"    elif x == {i}:", "        pass"]
        lines[901] = "        px == 450:"
        return "\n".join(lines) + "\n"
    if name == "broken-case-in-match":
        lines = ["match x:"] + [f"    case {i}:\n        eval(x)" for i in range(900)]
        lines[450] = "        px == 450:"
        return "\n".join(lines) + "\n"
    # decorators and no function at the end of the file (typing one)
    return "import os\nos.system(x)\n" + "".join(f"@d{i}(x)\n" for i in range(300)) + "@d300(x"


@pytest.mark.parametrize("name", ["broken-branch-in-elif-chain", "broken-case-in-match", "dangling-decorators"])
def test_syntax_error_recovery_stays_within_budget(name: str) -> None:
    """Recovery used to re-parse the whole file up to 40 times: blanking line after line below
    an "if True:" filler that could not get a body, or an already blank last line."""
    text = _recovery_case(name)
    check(text)
    result = analyze_source(text, "fuzz/module.py", CONFIG)
    assert not [n for n in result.notices if n.kind == "unparsable"], result.notices
    assert result.findings  # the rest of the file was analyzed


def test_syntax_error_on_a_respelled_line_stays_inside_it() -> None:
    """``except r, ValueError):`` is respelled ``except(r, ValueError)):`` (one character
    longer) for older interpreters; the syntax error found on it then was reported up to a
    column past the end of the line the editor has."""
    text = "def isdir(s):\n    try:\n        st = os.stat(s)\n    except r, ValueError):\n        return False\n"
    check(text)
    result = analyze_source(text, "fuzz/module.py", CONFIG)
    on_line = [n.span for n in result.notices if n.kind == "syntax-error" and n.span.start_line == 4]
    assert [span.end_col for span in on_line] == [len("    except r, ValueError):")]
