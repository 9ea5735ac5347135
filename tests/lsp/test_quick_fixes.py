"""Every quick fix the rules offer, applied the way the server sends it: the finding goes
away and the file still parses. Also where "suppress on this line" puts its comment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lsprotocol import types

from secreview_ls.config import Config
from secreview_ls.engine.finding import Finding, Level, Span
from secreview_ls.lsp.actions import fix_action, suppress_action
from secreview_ls.lsp.positions import UTF8, UTF16, UTF32, split_lines_keepends
from secreview_ls.pipeline import analyze_source
from secreview_ls.rules import registry

from .conftest import apply_edits, edits_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
URI = "file:///project/example.py"


def _sources() -> list[tuple[str, str]]:
    found = [
        (f"{rule.id} example", rule.bad) for rule in registry.all_rules() if rule.fixable and rule.kind == "python"
    ]
    found += [
        (str(path.relative_to(FIXTURES)), path.read_text(encoding="utf-8")) for path in sorted(FIXTURES.glob("**/*.py"))
    ]
    return found


# Every rule, opt-in and profile rules included: their fixes are offered when they are selected.
EVERY_RULE = Config(select=tuple(r.id for r in registry.all_rules()))


def _fixable(text: str, path: str) -> list[Finding]:
    return [f for f in analyze_source(text, path, EVERY_RULE).findings if f.fix is not None]


CASES = [(name, text) for name, text in _sources() if _fixable(text, "app/module.py")]


def test_every_fixable_rule_has_a_fix_somewhere() -> None:
    covered = {f.rule_id for _, text in CASES for f in _fixable(text, "app/module.py")}
    fixable = {r.id for r in registry.all_rules() if r.fixable}
    assert fixable <= covered, f"no example or fixture exercises the fix of {sorted(fixable - covered)}"


@pytest.mark.parametrize(("name", "text"), CASES, ids=[name for name, _ in CASES])
@pytest.mark.parametrize("encoding", [UTF16, UTF8, UTF32])
def test_fix_removes_the_finding_and_keeps_the_file_parsing(name: str, text: str, encoding: str) -> None:
    text = "x = '😀'\n" + text  # a wide character above the code: units matter
    parsed_before = _parses(text)
    lines = split_lines_keepends(text)
    for found in _fixable(text, "app/module.py"):
        action = fix_action(found, None, URI, 1, lines, encoding, document_changes=encoding == UTF16)
        assert action is not None and action.kind == types.CodeActionKind.QuickFix
        fixed = apply_edits(text, edits_of(action, URI), encoding)
        assert fixed != text
        if parsed_before:
            assert _parses(fixed), f"{found.rule_id} fix breaks the syntax:\n{fixed}"
        after = analyze_source(fixed, "app/module.py", EVERY_RULE)
        before_count = sum(
            1 for f in analyze_source(text, "app/module.py", EVERY_RULE).findings if f.rule_id == found.rule_id
        )
        after_count = sum(1 for f in after.findings if f.rule_id == found.rule_id)
        assert after_count < before_count, f"{found.rule_id} still reported after its fix:\n{fixed}"


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _finding(line: int, col: int, rule: str = "SR101") -> Finding:
    return Finding(rule, "message", Span(line, col, line, col + 4), Level.HIGH, Level.HIGH, 95)


@pytest.mark.parametrize(
    ("text", "line", "col", "expected"),
    [
        ("eval(x)\n", 1, 0, "eval(x)  # secreview: ignore[SR101] -- reason\n"),
        ("eval(x)  # why\n", 1, 0, "eval(x)  # why  # secreview: ignore[SR101] -- reason\n"),
        ("eval(x)  # secreview: ignore[SR102]\n", 1, 0, "eval(x)  # secreview: ignore[SR102, SR101]\n"),
        (
            'y = eval("""\n1 + 1\n""")\nz = 1\n',
            1,
            4,
            'y = eval("""\n1 + 1\n""")  # secreview: ignore[SR101] -- reason\nz = 1\n',
        ),
        ("y = eval(a) + \\\n    b\n", 1, 4, "y = eval(a) + \\\n    b  # secreview: ignore[SR101] -- reason\n"),
        ("    eval(s)   \n", 1, 4, "    eval(s)  # secreview: ignore[SR101] -- reason\n"),
        ("f = 'é'; eval(s)\n", 1, 9, "f = 'é'; eval(s)  # secreview: ignore[SR101] -- reason\n"),
    ],
)
def test_suppression_comment_placement(text: str, line: int, col: int, expected: str) -> None:
    lines = split_lines_keepends(text)
    action = suppress_action(_finding(line, col), None, URI, 1, lines, UTF16, False)
    assert action is not None
    assert apply_edits(text, edits_of(action, URI), UTF16) == expected


def test_suppression_is_honoured_by_the_pipeline() -> None:
    text = 'import subprocess\nsubprocess.call(\n    "ls " + name,\n    shell=True,\n)  # trailing\n'
    found = [f for f in analyze_source(text, "app/module.py", Config()).findings if f.rule_id.startswith("SR2")]
    assert found
    for finding in found:
        lines = split_lines_keepends(text)
        action = suppress_action(finding, None, URI, 1, lines, UTF16, False)
        assert action is not None
        text = apply_edits(text, edits_of(action, URI), UTF16)
    result = analyze_source(text, "app/module.py", Config())
    assert not [f for f in result.findings if f.rule_id.startswith("SR2")]
    assert not [n for n in result.notices if n.kind == "unused-suppression"]
    assert _parses(text)
