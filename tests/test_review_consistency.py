"""The review never contradicts the findings, on every fixture file: nothing it calls safe (or
describes with a rule's judgement) is reported by a rule, and every reported sink appears in
the review as reported, never as a sink no untrusted value reaches."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_support import FIXTURES, analyze_fixture, fixture_files

from secreview_ls.pipeline import AnalysisResult, CallJudged, Judgement, SinkExamined, registry
from secreview_ls.review import MAX_LISTED, observations, review_file

# The rules that write each judgement: a call they judged is a call they did not report.
JUDGED_BY = {
    Judgement.ARGUMENT_LIST: ("SR201",),
    Judgement.CONSTANT_COMMAND: ("SR201",),
    Judgement.NO_SHELL: ("SR201",),
    Judgement.LITERAL_CODE: ("SR101", "SR102"),
    Judgement.DATA_ONLY: ("SR401",),
    Judgement.SAFE_LOADER: ("SR401",),
    Judgement.TIMEOUT: ("SR502",),
    Judgement.VERIFIED: ("SR501",),
    Judgement.NOT_FOR_SECURITY: ("SR301",),
    Judgement.CONSTANT_QUERY: ("SR210",),
    Judgement.BOUND_PARAMETERS: ("SR210",),
}
FILES = fixture_files()


def _analyzed(path: Path) -> AnalysisResult:
    # Strict test-code mode: nothing a rule reports is dropped for being in test code.
    return analyze_fixture(path, test_code="strict")


def _flagged(result: AnalysisResult) -> set[int]:
    return {
        line for f in [*result.findings, *result.suppressed] for line in range(f.span.start_line, f.span.end_line + 1)
    }


def test_every_judgement_has_a_judging_rule() -> None:
    assert set(JUDGED_BY) == set(Judgement)
    known = {r.id for r in registry.all_rules()}
    assert {rule_id for ids in JUDGED_BY.values() for rule_id in ids} <= known


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_the_review_of_a_fixture_agrees_with_its_findings(path: Path) -> None:
    result = _analyzed(path)
    review = review_file(result, config=None, display_path=path.name)
    reported = [*result.findings, *result.suppressed]

    # What a rule established about a call, it did not report on that call.
    for record in result.evidence.of(CallJudged):
        against = [f for f in reported if f.rule_id in JUDGED_BY[record.judgement] and f.span.start_line == record.line]
        assert not against, (record, against)

    # The calls the review describes carry no finding, and the review shows them as described.
    seen = observations(result, path.read_text(encoding="utf-8"))
    flagged = _flagged(result)
    assert not [o for o in seen if o.line in flagged]
    if "Sensitive calls without findings:" in review:
        for observation in seen[:MAX_LISTED]:
            assert observation.text() in review

    # Every reported sink is in the review as a finding, never as a sink no source reaches.
    sinks = result.evidence.of(SinkExamined)
    for found in result.findings:
        current = registry.get(found.rule_id)
        if current is None or not current.taint:
            continue
        assert f"line {found.span.start_line}: {found.rule_id}" in review
        quiet = [s for s in sinks if s.line == found.span.start_line and s.not_reported is not None]
        assert not quiet, (found.message, quiet)


def test_fixtures_exercise_every_judgement() -> None:
    judged = {record.judgement for path in FILES for record in _analyzed(path).evidence.of(CallJudged)}
    assert judged == set(Judgement)
