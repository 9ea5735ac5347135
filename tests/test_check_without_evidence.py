"""A check keeps no evidence and skips, on test code, the rules whose findings test code drops:
its findings, suppressed findings and notices are those of a full analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_support import fixture_files

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source
from secreview_ls.pipeline.finishing import reported_rules
from secreview_ls.pipeline.result import AnalysisResult
from secreview_ls.pipeline.scan import scan_paths
from secreview_ls.pipeline.selection import selected_rules


def outcome(result: AnalysisResult) -> tuple[object, ...]:
    return (
        [f.to_dict() for f in result.findings],
        [f.to_dict() for f in result.suppressed],
        [n.to_dict() for n in result.notices],
        result.rules_run,
        result.is_test,
    )


@pytest.mark.parametrize("where", ["tests/test_sample.py", "pkg/sample.py"])
def test_every_fixture_gives_the_same_report_without_evidence(where: str) -> None:
    config = Config(root=None)
    for fixture in fixture_files():
        text = fixture.read_text(encoding="utf-8")
        full = analyze_source(text, where, config)
        checked = analyze_source(text, where, config, evidence=False)
        assert outcome(checked) == outcome(full), fixture.name
        assert not checked.evidence


def test_rules_test_code_drops_are_not_run_there() -> None:
    config = Config(root=None)
    rules = selected_rules(config, "tests/test_sample.py")
    kept = reported_rules(rules, config, is_test=True)
    skipped = [r for r in rules if r not in kept]
    assert skipped and all(not r.relevant_in_tests and not r.taint for r in skipped)
    assert all(r in kept for r in rules if r.relevant_in_tests or r.taint)
    # A pattern rule whose fix a taint finding of its class takes over still runs.
    taint_classes = {r.cwe for r in rules if r.taint and r.relevant_in_tests}
    assert all(r in kept for r in rules if r.fix_safety is not None and r.cwe in taint_classes)
    assert reported_rules(rules, config, is_test=False) == rules
    strict = config.with_overrides(test_code="strict")
    assert reported_rules(rules, strict, is_test=True) == rules


def test_a_fix_handed_to_a_taint_finding_in_test_code_stays(tmp_path: Path) -> None:
    text = (
        "import subprocess\nfrom flask import request\n\n\n"
        "def test_run():\n    subprocess.call(request.args['c'], shell=True)\n"
    )
    config = Config(root=None)
    full = analyze_source(text, "tests/test_run.py", config)
    checked = analyze_source(text, "tests/test_run.py", config, evidence=False)
    assert outcome(checked) == outcome(full)
    assert [f.rule_id for f in checked.findings]


def test_scan_keeps_evidence_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    for name in ("app.py", "tests/test_app.py"):
        (tmp_path / name).write_text(
            "import subprocess\nfrom flask import request\n\n\n"
            "def run():\n    subprocess.call(request.args['c'], shell=True)\n    password = 'hunter22-secret'\n",
            encoding="utf-8",
        )
    config = Config(root=tmp_path)
    reviewed = scan_paths([tmp_path], config, jobs=1)
    checked = scan_paths([tmp_path], config, jobs=1, evidence=False)
    assert [outcome(r) for r in checked.results] == [outcome(r) for r in reviewed.results]
    assert all(r.evidence for r in reviewed.results) and not any(r.evidence for r in checked.results)
