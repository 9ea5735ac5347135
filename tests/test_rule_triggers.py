"""Rules that declare trigger words are not run on code naming none of them, and the words
they declare are right: without any of them, the rule finds nothing and records nothing."""

from __future__ import annotations

import sysconfig
from dataclasses import replace
from pathlib import Path

import pytest

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.source import SourceFile
from secreview_ls.pipeline.running import dispatch
from secreview_ls.rules.base import RuleContext, TextContext
from secreview_ls.rules.registry import all_rules

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAMPLES = [STDLIB / "ssl.py", STDLIB / "smtplib.py", STDLIB / "http" / "client.py", STDLIB / "ftplib.py"]


def contexts(text: str, path: str) -> tuple[RuleContext, TextContext]:
    source = SourceFile(text, path)
    ctx = RuleContext(source, ModuleFacts(source, "app"))
    return ctx, TextContext(path, text, source.lines, False, ctx.cache, ctx.evidence)


def test_a_rule_is_not_run_where_none_of_its_triggers_occurs() -> None:
    calls: list[str] = []
    base = next(r for r in all_rules() if r.id == "SR309")

    def spy(ctx: RuleContext):  # type: ignore[no-untyped-def]
        calls.append(ctx.source.text)
        return []

    spying = replace(base, check=spy, triggers=("needle",))
    assert list(dispatch(spying, *contexts("x = haystack()\n", "a.py"))) == []
    assert calls == []
    assert list(dispatch(spying, *contexts("x = needle()\n", "a.py"))) == []
    assert calls == ["x = needle()\n"]
    always = replace(base, check=spy, triggers=None)
    dispatch(always, *contexts("x = 1\n", "a.py"))
    assert len(calls) == 2


def test_the_tls_rule_still_reports_through_its_triggers() -> None:
    sr309 = next(r for r in all_rules() if r.id == "SR309")
    assert sr309.triggers
    text = "import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\n"
    assert [f.rule_id for f in dispatch(sr309, *contexts(text, "a.py"))] == ["SR309"]


@pytest.mark.parametrize("rule_id", sorted(r.id for r in all_rules() if r.triggers is not None))
def test_declared_triggers_cover_every_finding(rule_id: str) -> None:
    """On each file with a trigger word, blank the lines holding one: the rule then finds
    nothing there and records no evidence (it is checked directly, not through ``dispatch``)."""
    rule = next(r for r in all_rules() if r.id == rule_id)
    assert rule.triggers
    checked = 0
    for path in [*FIXTURES, *[p for p in SAMPLES if p.is_file()]]:
        text = path.read_text(encoding="utf-8")
        if not any(word in text for word in rule.triggers):
            continue
        lines = text.splitlines(keepends=True)
        stripped = "".join(("\n" if any(word in line for word in rule.triggers) else line) for line in lines)
        if any(word in stripped for word in rule.triggers):
            continue  # a word spanning lines: not this test's case
        ctx, _ = contexts(stripped, str(path))
        assert list(rule.check(ctx)) == [], path
        assert not list(ctx.evidence), path
        checked += 1
    assert checked >= 1
