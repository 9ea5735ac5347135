"""The analysis pipeline on awkward input: aliases, broken code, newer syntax, deep nesting,
binary data, time limits."""

from __future__ import annotations

import sys

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source


def rule_lines(text: str, config: Config | None = None, path: str = "app.py") -> set[tuple[int, str]]:
    return {(f.span.start_line, f.rule_id) for f in analyze_source(text, path, config).findings}


# -- name resolution ---------------------------------------------------------------------


def test_module_alias_resolves_to_subprocess() -> None:
    text = "import subprocess as sp\n\ndef run():\n    sp.Popen(c, shell=True)\n"
    result = analyze_source(text, "app.py")
    [finding] = [f for f in result.findings if f.rule_id == "SR201"]
    assert finding.span.start_line == 4
    assert "`sp.Popen`" in finding.message  # named as spelled in the source


def test_function_alias_resolves_to_yaml_load() -> None:
    text = "from yaml import load as l\n\ndef read(s):\n    return l(s)\n"
    assert (4, "SR401") in rule_lines(text)


def test_star_import_resolves_known_module() -> None:
    text = "from os import *\n\ndef go():\n    system(x)\n"
    assert (4, "SR203") in rule_lines(text)


def test_local_function_with_the_same_name_is_not_the_library() -> None:
    text = "def system(x):\n    return x\n\nsystem(input())\n"
    assert not {r for _, r in rule_lines(text)} & {"SR203"}


def test_attribute_chain_through_submodule() -> None:
    text = "import xml.etree.ElementTree\n\ndef parse(b):\n    return xml.etree.ElementTree.fromstring(b)\n"
    assert (4, "SR413") in rule_lines(text, Config(select=("HARDENING",)))


def test_method_named_like_a_builtin_does_not_hide_the_builtin() -> None:
    text = "import sys\n\nclass Box:\n    def eval(self, t):\n        return t\n\ndef calc():\n    return eval(sys.stdin.read())\n"
    assert (8, "SR102") in rule_lines(text)


# -- broken and newer code ---------------------------------------------------------------


def test_syntax_error_keeps_findings_elsewhere() -> None:
    text = "import os\n\ndef broken(:\n    pass\n\ndef fine():\n    os.system(cmd)\nx = = 1\neval(x)\n"
    result = analyze_source(text, "app.py")
    kinds = [n.kind for n in result.notices]
    assert "syntax-error" in kinds
    lines = {(f.span.start_line, f.rule_id) for f in result.findings}
    assert (7, "SR203") in lines
    assert (9, "SR102") in lines


def test_unclosed_bracket_at_end_of_file_keeps_earlier_findings() -> None:
    text = "import pickle\n\ndef load(b):\n    return pickle.loads(b)\n\nitems = [1, 2,\n"
    result = analyze_source(text, "app.py")
    assert (4, "SR402") in {(f.span.start_line, f.rule_id) for f in result.findings}
    assert any(n.kind == "syntax-error" for n in result.notices)


PEP701 = 'import os\nname = get_name()\nprint(f"{"nested" + name}")\nos.system(name + "x")\n'


def test_pep701_fstring() -> None:
    result = analyze_source(PEP701, "app.py")
    assert (4, "SR203") in {(f.span.start_line, f.rule_id) for f in result.findings}
    if sys.version_info >= (3, 12):
        assert not [n for n in result.notices if n.kind in {"syntax-error", "newer-syntax"}]
        return
    [notice] = [n for n in result.notices if n.kind == "newer-syntax"]
    assert "3.12" in notice.message
    assert notice.span is not None and notice.span.start_line == 3


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "(" * 2000 + "1" + ")" * 2000 + "\n",
        "x = " + "[" * 2000 + "]" * 2000 + "\n",
        "x = " + "-" * 2000 + "1\n",
        "".join("    " * i + "if x:\n" for i in range(2000)) + "    " * 2000 + "pass\n",
    ],
    ids=["parentheses", "lists", "unary", "blocks"],
)
def test_deep_nesting_does_not_crash(text: str) -> None:
    result = analyze_source(text + "eval(input())\n", "deep.py")
    assert result.notices or result.findings  # reported, not raised


def test_long_string_concatenation_is_analyzed() -> None:
    text = 'import os\nq = "SELECT * FROM t WHERE a = " + ' + " + ".join(["x"] * 900) + "\nos.system(x + q)\n"
    result = analyze_source(text, "long.py")
    assert {(2, "SR210"), (3, "SR203")} <= {(f.span.start_line, f.rule_id) for f in result.findings}
    assert not result.notices


def test_nul_bytes_give_a_notice_and_no_findings() -> None:
    result = analyze_source("eval(input())\n\x00\x00binary", "blob.py")
    assert [n.kind for n in result.notices] == ["binary"]
    assert not result.findings


def test_lone_surrogates_give_a_notice_and_are_analyzed() -> None:
    result = analyze_source("s = '\udcff'\neval(load(s))\n", "odd.py")
    assert "invalid-text" in [n.kind for n in result.notices]
    assert (2, "SR102") in {(f.span.start_line, f.rule_id) for f in result.findings}


def test_oversized_file_is_skipped_with_a_notice() -> None:
    result = analyze_source("eval(input())\n" * 100, "big.py", Config(max_file_size=100))
    assert [n.kind for n in result.notices] == ["too-large"]
    assert not result.findings


def test_timeout_stops_analysis_with_a_notice() -> None:
    text = "eval(text)\n" * 50
    result = analyze_source(text, "slow.py", Config(timeout=1e-9))
    assert "timeout" in [n.kind for n in result.notices]
    relaxed = analyze_source(text, "slow.py", Config())
    assert "timeout" not in [n.kind for n in relaxed.notices]
    assert len([f for f in relaxed.findings if f.rule_id == "SR102"]) == 50


def test_positions_count_code_points_after_non_ascii_text() -> None:
    text = 'label = "héllo wörld"; eval(load(label))\n'
    [finding] = [f for f in analyze_source(text, "u.py").findings if f.rule_id == "SR102"]
    assert text[finding.span.start_col :].startswith("eval(")


def test_test_code_context_from_path() -> None:
    text = "def test_x(v):\n    assert v\n"
    root = Config().with_overrides(root=None, select=("QUALITY",))
    assert (2, "SR103") in rule_lines(text, root, "pkg/module.py")
    assert (2, "SR103") not in rule_lines(text, root, "tests/test_module.py")
    strict = root.with_overrides(test_code="strict")
    assert (2, "SR103") in rule_lines(text, strict, "tests/test_module.py")
