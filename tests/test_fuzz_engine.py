"""Property tests: random and mutated source never crashes the analysis, and every
position it reports lies inside the text it was given."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secreview_ls.config import Config
from secreview_ls.engine.finding import Span
from secreview_ls.engine.source import split_lines
from secreview_ls.pipeline import analyze_source, analyze_text_file
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
TOKENS = [
    "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "==", "+", "*", "**", "'", '"', '"""', "#", "\\",
    "\n", "\t", "    ", "def ", "class ", "lambda", "import ", "from ", "yield", "await ", "async ",
    "eval(", "exec(", "os.system(", "subprocess.run(", "shell=True", "yaml.load(", "pickle.loads(",
    "f'{", "}'", "request.args", "cursor.execute(", "%s", ".format(", "if ", "else", "try:", "except:",
    "\r", "\r\n", "\x0c", "\ufeff", "é", "😀", "\u2028", "0x", "1e", "_",
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
    assert span.start_line >= 1 and span.start_col >= 0, what
    assert (span.start_line, span.start_col) <= (span.end_line, span.end_col), what
    last = max(len(lines), 1)
    for line, col in ((span.start_line, span.start_col), (span.end_line, span.end_col)):
        if line == last + 1 and col == 0:  # the position just after a final newline
            continue
        assert line <= last, f"{what}: line {line} beyond {last}"
        text = lines[line - 1] if lines else ""
        assert col <= len(text), f"{what}: column {col} beyond {len(text)} on line {line}"


def check(text: str, path: str = "fuzz/module.py") -> None:
    result = analyze_source(text, path, CONFIG)
    lines = split_lines(text)
    for finding in result.findings:
        label = f"{finding.rule_id} {finding.span}"
        assert_span_inside(finding.span, lines, label)
        assert finding.message and finding.fingerprint
        for step in finding.flow:
            if step.path in (None, path):
                assert_span_inside(step.span, lines, f"{label} flow")
        if finding.fix is not None:
            for edit in finding.fix.edits:
                assert_span_inside(edit.span, lines, f"{label} fix")
    for notice in result.notices:
        if notice.span is not None and notice.path in ("", path):
            assert_span_inside(notice.span, lines, f"notice {notice.kind}")


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
