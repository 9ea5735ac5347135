"""The text rewrite behind ``--fix`` and the fix-all action (``pipeline/fixing.py``), and the
safe/unsafe labels of the catalogue."""

from __future__ import annotations

import random
import re

import pytest

from secreview_ls import cli
from secreview_ls.engine.finding import Finding, Fix, Level, Span, TextEdit
from secreview_ls.pipeline.fixing import (
    MAX_ROUNDS,
    can_apply,
    changed_region,
    choose,
    decode_for_fixing,
    fix_safety,
    fix_text,
)
from secreview_ls.rules import registry


def _finding(rule: str, line: int, start: int, end: int, new: str) -> Finding:
    span = Span(line, start, line, end)
    return Finding(rule, "message", span, Level.HIGH, Level.HIGH, None, fix=Fix("fix", (TextEdit(span, new),)))


def _call_findings(text: str) -> list[Finding]:
    """A toy analysis: ``f(`` wants to be ``g(`` (a fix spanning ``f(True``), each ``True``
    wants to be ``False``; the two fixes of ``f(True`` overlap."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("f(True"):
            found.append(_finding("SR601", number, 0, 6, "g(True"))
        found += [_finding("SR601", number, m.start(), m.end(), "False") for m in re.finditer("True", line)]
    return found


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    outcome = fix_text("f(True, True)\n", _call_findings)
    assert outcome.text == "g(False, False)\n"
    assert outcome.rounds == 2 and len(outcome.fixed) == 3


def test_later_rounds_take_the_successors_of_wanted_findings_only() -> None:
    text = "f(True, True)\nx = True\n"
    wanted = {(1, 0), (1, 2), (1, 8)}  # not the one on line 2
    outcome = fix_text(text, _call_findings, wanted=lambda f: (f.span.start_line, f.span.start_col) in wanted)
    assert outcome.text == "g(False, False)\nx = True\n"
    assert outcome.rounds == 2


def test_one_fix_shared_by_two_findings_goes_in_once() -> None:
    shared = Fix("both", (TextEdit(Span(1, 0, 1, 1), "b"), TextEdit(Span(1, 4, 1, 5), "d")))
    findings = [
        Finding("SR606", "m", Span(1, 0, 1, 1), Level.HIGH, Level.HIGH, None, fix=shared),
        Finding("SR606", "m", Span(1, 4, 1, 5), Level.HIGH, Level.HIGH, None, fix=shared),
    ]
    choice = choose("a = c\n", findings)
    assert choice.fixes == [shared] and len(choice.findings) == 2 and not choice.deferred


def test_rounds_are_bounded() -> None:
    def grows(text: str) -> list[Finding]:  # always one more fix to make
        last = text.count("\n") + 1
        return [_finding("SR601", last, 0, 0, "x = 1\n")]

    outcome = fix_text("", grows)
    assert outcome.rounds == MAX_ROUNDS
    assert outcome.text == "x = 1\n" * MAX_ROUNDS


def test_a_fix_that_would_break_compilation_is_left_out() -> None:
    text = "f(a=1, b=2)\ny = True\n"
    breaking = _finding("SR601", 1, 7, 8, "a")  # f(a=1, a=2): a repeated keyword
    fine = _finding("SR601", 2, 4, 8, "False")
    outcome = fix_text(text, lambda current: [breaking, fine] if current == text else [])
    assert outcome.text == "f(a=1, b=2)\ny = False\n"
    assert outcome.fixed == [fine]


def test_a_text_that_does_not_compile_is_left_alone() -> None:
    outcome = fix_text("def f(:\n", lambda text: [_finding("SR601", 1, 0, 3, "xyz")])
    assert outcome.text == "def f(:\n" and not outcome.fixed and "syntax error" in outcome.note


def test_inserted_newlines_follow_the_line_they_go_into() -> None:
    text = "a = 1\r\nb = 2\r\n"
    outcome = fix_text(text, lambda t: [_finding("SR601", 1, 5, 5, "\nc = 3")] if t == text else [])
    assert outcome.text == "a = 1\r\nc = 3\r\nb = 2\r\n"


def test_unsafe_fixes_only_on_request() -> None:
    unsafe = _finding("SR401", 1, 0, 1, "b")
    safe = _finding("SR601", 1, 0, 1, "b")
    assert not can_apply(unsafe) and can_apply(unsafe, unsafe=True) and can_apply(safe)
    assert fix_safety("SR999") == "unsafe"  # a rule that does not say counts as unsafe
    assert fix_text("a = 1\n", lambda t: [unsafe] if t == "a = 1\n" else []).text == "a = 1\n"


def test_changed_region_replaces_whole_lines() -> None:
    rng = random.Random(7)
    pieces = ["a", "b", "\n", "\r\n", "\r", "é"]
    for _ in range(3000):
        old = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        new = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        start, end, text = changed_region(old, new)
        assert old[:start] + text + old[end:] == new
        assert start == 0 or (old[start - 1] in "\r\n" and old[start - 1 : start + 1] != "\r\n")
        assert end in (0, len(old)) or (old[end - 1] in "\r\n" and old[end - 1 : end + 1] != "\r\n")


@pytest.mark.parametrize(
    ("data", "decodes"),
    [
        (b"x = 1\n", True),
        (b"\xef\xbb\xbfx = 1\n", True),
        (b"# coding: latin-1\nx = '\xe9'\n", True),
        (b"x = '\xe9'\n", False),  # not UTF-8 and no declaration
        (b"\xef\xbb\xbf\xef\xbb\xbfx = 1\n", False),  # a second byte-order mark
        (b"x = 1\x00\n", False),
    ],
)
def test_decoding_for_fixing_round_trips_or_refuses(data: bytes, decodes: bool) -> None:
    source = decode_for_fixing(data)
    assert (source is not None) == decodes
    if source is not None:
        assert source.encode(source.text) == data


# -- the catalogue -------------------------------------------------------------------


def test_every_fixable_rule_says_how_safe_its_fix_is_and_why() -> None:
    fixable = [r for r in registry.all_rules() if r.fixable]
    assert fixable
    for found in fixable:
        assert found.fix_safety in ("safe", "unsafe"), found.id
        assert len(found.fix_note) > 40, found.id
    assert not [r.id for r in registry.all_rules() if not r.fixable and (r.fix_safety or r.fix_note)]


def test_a_fixable_rule_without_a_reason_is_refused() -> None:
    from secreview_ls.rules.base import rule

    with pytest.raises(ValueError, match="fix_note"):
        rule(
            id="SR999",
            name="x",
            cwe=None,
            severity=Level.LOW,
            confidence=Level.LOW,
            summary="s",
            why="w",
            bad="b",
            good="g",
            fix_safety="safe",
        )(lambda ctx: [])


@pytest.mark.parametrize(("rule_id", "label"), [("SR601", "safe"), ("SR301", "unsafe"), ("SR401", "unsafe")])
def test_explain_says_whether_the_fix_is_safe(rule_id: str, label: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", rule_id]) == 0
    out = capsys.readouterr().out
    fix_section = out.split("### Fix\n", 1)[1].split("###", 1)[0]
    assert fix_section.strip().startswith(f"**{label}**")
    assert registry.get(rule_id).fix_note.split(" ")[0] in fix_section  # type: ignore[union-attr]
    assert ("--unsafe-fixes" in fix_section) == (label == "unsafe")


def test_explain_of_a_rule_without_fix_has_no_fix_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "SR102"]) == 0
    assert "### Fix" not in capsys.readouterr().out


def test_rules_json_and_markdown_carry_the_label(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert cli.main(["rules", "--format", "json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["SR601"]["fix_safety"] == "safe" and rows["SR703"]["fix_safety"] == "unsafe"
    assert rows["SR102"]["fix_safety"] is None and rows["SR102"]["fixable"] is False
    assert cli.main(["rules", "--format", "markdown"]) == 0
    table = capsys.readouterr().out
    assert re.search(r"^\| SR601 \| `flask-debug` \|.*\| safe \| on \|", table, re.MULTILINE)
    assert re.search(r"^\| SR102 \| `eval-used` \|.*\| medium \| high \|  \| on \|", table, re.MULTILINE)
