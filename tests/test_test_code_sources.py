"""Data flows from local sources in test code: the relaxed default leaves out a flow that
starts at the script's own command line, keeps one from a socket, and strict mode reports
both."""

from __future__ import annotations

from fixture_support import FIXTURES, analyze_fixture

PERF_SCRIPT = FIXTURES / "rules" / "injection" / "tests" / "perf_tables.py"


def _sql_findings(**overrides: object) -> dict[int, bool]:
    result = analyze_fixture(PERF_SCRIPT, **overrides)
    assert result.is_test
    return {f.span.start_line: bool(f.extra.get("local_source")) for f in result.findings if f.rule_id == "SR801"}


def test_relaxed_test_code_drops_flows_from_the_command_line() -> None:
    assert _sql_findings() == {23: False}


def test_strict_test_code_keeps_flows_from_the_command_line() -> None:
    assert _sql_findings(test_code="strict") == {11: True, 23: False}
