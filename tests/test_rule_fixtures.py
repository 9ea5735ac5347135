"""Every labelled fixture yields exactly the findings its `# expect:` markers announce."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fixture_support import (
    FIXTURES,
    analyze_fixture,
    apply_edits,
    expected_pairs,
    fixture_files,
    found_pairs,
)

from secreview_ls.config import Config
from secreview_ls.rules.registry import all_rules, get

FILES = fixture_files()


def _id(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_fixture_findings_match_markers(path: Path) -> None:
    result = analyze_fixture(path)
    assert not [n for n in result.notices if n.kind in {"rule-error", "too-deep", "timeout"}], result.notices
    expected = expected_pairs(path)
    found = found_pairs(result, path)
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    messages = {(f.span.start_line, f.rule_id): f.message for f in result.findings}
    assert not missing and not unexpected, (
        f"missing (expected, not found): {missing}\n"
        f"unexpected (found, not expected): {[(p, messages[p]) for p in unexpected]}"
    )


def test_fixtures_exist_for_every_pattern_rule() -> None:
    covered = set()
    for path in FILES:
        covered.update(code for _, code in expected_pairs(path))
    pattern_rules = [r for r in all_rules() if not r.taint and r.kind == "python"]
    uncovered = [r.id for r in pattern_rules if r.id not in covered]
    assert not uncovered, f"rules without a positive fixture: {uncovered}"


def test_fixtures_have_safe_lookalikes() -> None:
    """At least a third of the code lines in the rule fixtures are unmarked (safe) lines
    that look like the vulnerable ones."""
    marked = safe = 0
    for path in (FIXTURES / "rules").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "import ", "from ", "def ", "class ", '"', "'")):
                continue
            if "# expect:" in line:
                marked += 1
            elif "(" in stripped or "=" in stripped:
                safe += 1
    assert marked > 0
    assert safe >= marked / 2, (safe, marked)


# -- test-code context ----------------------------------------------------------------

TEST_CODE = sorted((FIXTURES / "rules").glob("*/tests/*.py"))


@pytest.mark.parametrize("path", TEST_CODE, ids=_id)
def test_test_code_fixtures_are_analyzed_as_tests(path: Path) -> None:
    assert analyze_fixture(path).is_test


def test_strict_test_code_reports_assert_and_dummy_credentials() -> None:
    path = FIXTURES / "rules" / "secrets" / "tests" / "test_login.py"
    relaxed = {f.rule_id for f in analyze_fixture(path).findings}
    strict = {f.rule_id for f in analyze_fixture(path, test_code="strict").findings}
    assert not relaxed & {"SR103", "SR751", "SR752", "SR753", "SR105"}
    assert {"SR103", "SR751", "SR752", "SR753", "SR105"} <= strict


# -- quick fixes ---------------------------------------------------------------------


def _fixable_findings() -> list[tuple[Path, int, str]]:
    cases = []
    for path in FILES:
        if "rules" not in path.relative_to(FIXTURES).parts[:1]:
            continue
        for found in analyze_fixture(path).findings:
            if found.fix is not None:
                cases.append((path, found.span.start_line, found.rule_id))
    return cases


FIXABLE = _fixable_findings()


def test_every_fixable_rule_offers_a_fix_somewhere() -> None:
    offered = {rule_id for _, _, rule_id in FIXABLE}
    fixable = {r.id for r in all_rules() if r.fixable and not r.taint}
    assert fixable <= offered, f"fixable rules never offering a fix in fixtures: {sorted(fixable - offered)}"


@pytest.mark.parametrize("case", FIXABLE, ids=lambda c: f"{c[0].name}:{c[1]}:{c[2]}")
def test_fix_removes_finding_and_parses(case: tuple[Path, int, str]) -> None:
    path, line, rule_id = case
    text = path.read_text(encoding="utf-8")
    config = Config(root=path.parent, select=tuple(r.id for r in all_rules()))
    from secreview_ls.pipeline import analyze_source

    before = analyze_source(text, str(path), config)
    finding = next(f for f in before.findings if f.span.start_line == line and f.rule_id == rule_id)
    assert finding.fix is not None and finding.fix.edits
    fixed = apply_edits(text, finding.fix.edits)
    ast.parse(fixed)
    after = analyze_source(fixed, str(path), config)
    assert not [f for f in after.findings if f.rule_id == rule_id and f.span.start_line == line], (
        finding.fix.title,
        fixed.splitlines()[line - 1 : finding.span.end_line + 1],
    )
    # The rest of the file is untouched: findings of the same rule elsewhere are still there.
    elsewhere = [f for f in before.findings if f.rule_id == rule_id and f.span.start_line != line]
    assert len([f for f in after.findings if f.rule_id == rule_id]) == len(elsewhere)


def test_rule_lookup_by_foreign_codes() -> None:
    assert get("B602").id == "SR201"
    assert get("S608").id == "SR210"
    assert get("b506").id == "SR401"


def test_one_cookie_fix_turns_on_every_flag_the_call_turns_off() -> None:
    from secreview_ls.pipeline import analyze_source

    text = "def view(response, sid):\n    response.set_cookie('sid', sid, secure=False, httponly=False)\n"
    before = [f for f in analyze_source(text, "views.py", Config()).findings if f.rule_id == "SR606"]
    assert len(before) == 2
    for finding in before:
        assert finding.fix is not None and finding.fix.title == "Set `secure=True` and `httponly=True`"
        fixed = apply_edits(text, finding.fix.edits)
        assert "secure=True, httponly=True" in fixed
        assert not [f for f in analyze_source(fixed, "views.py", Config()).findings if f.rule_id == "SR606"]


def test_pattern_rules_are_quiet_in_test_code_unless_strict() -> None:
    path = FIXTURES / "rules" / "misc" / "tests" / "test_client.py"
    assert not analyze_fixture(path).findings
    strict = {f.rule_id for f in analyze_fixture(path, test_code="strict").findings}
    assert {"SR102", "SR104", "SR301", "SR304", "SR402", "SR502"} <= strict


def test_real_format_secrets_in_test_code_are_reported_at_lower_severity() -> None:
    from secreview_ls.pipeline import analyze_source

    key = "AKIA" + "Z7QF3XK2W9PLM4NB"
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "Zq8Hn2Tk4v"
    text = f'ACCESS_KEY = "{key}"\nSECRET_KEY = "{secret}"\n'
    prod = {f.rule_id: f for f in analyze_source(text, "app/settings.py", Config()).findings}
    test = {f.rule_id: f for f in analyze_source(text, "tests/test_settings.py", Config()).findings}
    assert "SR761" in prod and "SR761" in test
    assert test["SR761"].severity < prod["SR761"].severity


def test_strict_test_code_reports_served_only_taint_classes() -> None:
    path = FIXTURES / "rules" / "web" / "tests" / "test_echo_app.py"
    relaxed = {f.rule_id for f in analyze_fixture(path).findings}
    strict = {f.rule_id for f in analyze_fixture(path, test_code="strict").findings}
    assert relaxed == {"SR801"}
    assert {"SR801", "SR806", "SR807", "SR814"} <= strict
