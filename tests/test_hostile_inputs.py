"""Inputs built to slow the analyzer down or shift its positions: each stays fast and exact."""

from __future__ import annotations

import sys
import time
import warnings

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source

#: Far above what these inputs need now, far below what they cost with a backtracking search.
BUDGET_SECONDS = 5.0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("x = " + "[" * 100_000 + "\n", id="line-of-brackets"),
        pytest.param("def f" + "[a = b" * 30_000 + "\n", id="type-parameter-default-lookalike"),
        pytest.param("api_key = '" + "[a" * 100_000 + "'\n", id="secret-named-string-of-brackets"),
        pytest.param("password = '" + "[a-b" * 50_000 + "'\n", id="secret-named-character-classes"),
    ],
)
@pytest.mark.slow
def test_pathological_lines_are_analyzed_quickly(text: str) -> None:
    started = time.process_time()
    analyze_source(text, "slow.py", Config())
    assert time.process_time() - started < BUDGET_SECONDS


def test_regex_lookalike_values_still_are_not_secrets() -> None:
    source = 'PASSWORD_PATTERN = "[a-z0-9]{12,}"\nTOKEN_RE = r"\\d{6}"\n'
    assert [f.rule_id for f in analyze_source(source, "patterns.py", Config()).findings] == []


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_findings_after_a_repaired_syntax_error_keep_their_line(newline: str) -> None:
    lines = ["import os", "def broken(:", "    pass", "", "os.system(input())"]
    result = analyze_source(newline.join(lines) + newline, "broken.py", Config())
    assert [(f.rule_id, f.span.start_line, f.snippet) for f in result.findings if f.cwe == 78] == [
        (result.findings[0].rule_id, 5, "os.system(input())")
    ]
    assert [n.span.start_line for n in result.notices if n.kind == "syntax-error" and n.span] == [2]


def test_syntax_warnings_of_the_analyzed_code_are_not_printed() -> None:
    broken_many = "".join(f"x{i} = 'a\\d' (\n" for i in range(300)) + "y = '\\d'\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        analyze_source("path = '\\d'\nif x is 1: pass\n", "w.py", Config())
        analyze_source(broken_many, "many.py", Config())


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="the interpreter parses PEP 758 itself")
def test_except_without_brackets_is_analyzed_in_its_older_spelling() -> None:
    source = (
        "import os\n\ntry:\n    os.system(input())\nexcept ValueError, TypeError:\n"
        "    os.system(input())\nelse:\n    pass\nos.system(input())\n"
    )
    result = analyze_source(source, "pep758.py", Config())
    assert [f.span.start_line for f in result.findings if f.cwe == 78] == [4, 6, 9]
    (notice,) = result.notices
    assert notice.kind == "newer-syntax" and notice.span is not None and notice.span.start_line == 5
    assert "Python 3.14+" in notice.message and "older spelling" in notice.message


def _deep_route(padding: str) -> str:
    return (
        "import requests\nfrom flask import Flask, request\napp = Flask(__name__)\n\n"
        f"{padding}\n\n"
        '@app.route("/fetch")\ndef fetch():\n    url = request.args["url"]\n'
        "    return requests.get(url, timeout=5).text\n"
    )


@pytest.mark.parametrize(
    "padding",
    [
        pytest.param("BIG = " + " + ".join(["'a'"] * 1000), id="1000-term-concatenation"),
        pytest.param(
            "def pick(v):\n    if v == 0:\n        return 0\n"
            + "".join(f"    elif v == {i}:\n        return {i}\n" for i in range(1, 500)),
            id="500-branch-elif-chain",
        ),
        pytest.param(
            "def build(v):\n    return " + " + ".join(["v"] * 1500) + "\n",
            id="1500-term-concatenation-in-a-function",
        ),
    ],
)
@pytest.mark.slow
def test_deep_code_elsewhere_does_not_switch_the_taint_rules_off(padding: str) -> None:
    result = analyze_source(_deep_route(padding), "deep.py", Config())
    assert [f.rule_id for f in result.findings if f.cwe == 918] == ["SR805"]
    assert [n.kind for n in result.notices] == []
