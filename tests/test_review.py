"""Reviews: findings with located reasons, and for clean files what was actually checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report_support import CLEAN_API, UNIT_TEST, VIEWS, scan_project

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source, analyze_text_file
from secreview_ls.pipeline.gitdiff import ChangeSet
from secreview_ls.pipeline.scan import ScanResult
from secreview_ls.review import observations, render_review, review_file

GENERIC = ("should use", "should ", "consider", "owasp", "best practice", "make sure", "ensure that", "recommend")


def assert_not_generic(text: str) -> None:
    lowered = text.lower()
    for phrase in GENERIC:
        assert phrase not in lowered, f"generic advice {phrase!r} in:\n{text}"


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    return scan_project(tmp_path_factory.mktemp("project"))


def analyze(text: str, path: str, root: Path) -> object:
    return analyze_source(text, str(root / path), Config(root=root))


def test_vulnerable_file_lists_findings_by_severity_with_their_sources(tmp_path: Path) -> None:
    text = VIEWS + "\n\ndef make_token():\n    import random\n    token = random.random()\n    return token\n"
    result = analyze(text, "app/views.py", tmp_path)
    review = review_file(result, text, display_path="app/views.py")  # type: ignore[arg-type]
    first = review.splitlines()[0]
    assert first.startswith("## app/views.py — ") and "high" in first
    high = review.index("High:")
    assert review.index("Medium:") > high
    for found in result.findings:  # type: ignore[attr-defined]
        assert f"line {found.span.start_line}: {found.rule_id}" in review
    assert '`request.args["name"]` (line 11) reaches `conn.execute()` (line 14)' in review
    assert "SR801 sql-injection, CWE-89" in review
    assert_not_generic(review)


def test_clean_file_says_what_was_checked(tmp_path: Path) -> None:
    result = analyze(CLEAN_API, "app/api.py", tmp_path)
    assert result.findings == []  # type: ignore[attr-defined]
    review = review_file(result, CLEAN_API, display_path="app/api.py")  # type: ignore[arg-type]
    assert review.startswith("## app/api.py — no findings")
    assert 'Untrusted input read: `request.args["name"]` (line 26)' in review
    assert "Sinks examined: `conn.execute()` (line 27)" in review
    assert "`subprocess.run` called with an argument list, no shell (line 10)" in review
    assert "`requests.get` with a timeout and certificate verification on (line 14)" in review
    assert "`yaml.safe_load` (data only) (line 18)" in review
    assert "`conn.execute()` with a constant query and bound parameters (line 27)" in review
    assert "None of those inputs reaches the dangerous argument of a sink." in review
    assert_not_generic(review)


def test_clean_unit_test_review_is_specific_and_free_of_generic_advice(tmp_path: Path) -> None:
    result = analyze(UNIT_TEST, "tests/test_views.py", tmp_path)
    review = review_file(result, UNIT_TEST, display_path="tests/test_views.py")  # type: ignore[arg-type]
    assert review.startswith("## tests/test_views.py — no findings")
    assert "Test code (matches `test-paths`)" in review
    assert "1 `assert` statement (line 5): test assertions, not input validation." in review
    assert "Untrusted input read: none" in review
    assert "Sensitive calls: none" in review
    assert_not_generic(review)
    assert "SQL injection" not in review and "authentication" not in review.lower()


def test_review_from_the_editor_buffer_without_stored_facts(tmp_path: Path) -> None:
    result = analyze(CLEAN_API, "app/api.py", tmp_path)
    result.facts = None  # type: ignore[attr-defined]
    review = review_file(result, CLEAN_API)  # type: ignore[arg-type]
    assert "`subprocess.run` called with an argument list, no shell (line 10)" in review


def test_syntax_errors_are_reported_and_the_rest_is_reviewed(tmp_path: Path) -> None:
    text = "import yaml\n\ndef broken(:\n    pass\n\ndef load(b):\n    return yaml.load(b)\n"
    result = analyze(text, "app/half.py", tmp_path)
    review = review_file(result, text)  # type: ignore[arg-type]
    assert "Did not parse at line 3" in review
    assert "line 7: SR401" in review


def test_text_file_review_names_the_text_rules(tmp_path: Path) -> None:
    result = analyze_text_file("DB_PASSWORD=Pr0d-s3cret!\n", str(tmp_path / "deploy.env"), Config(root=tmp_path))
    review = review_file(result)
    assert "line 1: SR780 password-in-config, CWE-798" in review
    assert "Pr0d-s3cret" not in review
    assert "text rules: credentials and key formats" in review


def test_observations_skip_lines_that_have_findings(tmp_path: Path) -> None:
    result = analyze(VIEWS, "app/views.py", tmp_path)
    seen = observations(result)  # type: ignore[arg-type]
    flagged = {f.span.start_line for f in result.findings}  # type: ignore[attr-defined]
    assert all(o.line not in flagged for o in seen)


def test_the_review_only_repeats_what_a_rule_established(tmp_path: Path) -> None:
    text = "import yaml\n\n\ndef load(f):\n    return yaml.load(f, Loader=yaml.UnsafeLoader)\n"
    path = str(tmp_path / "app" / "conf.py")
    reported = review_file(analyze_source(text, path, Config(root=tmp_path)), text)
    assert "line 5: SR401" in reported
    ignored = review_file(analyze_source(text, path, Config(root=tmp_path, ignore=("SR401",))), text)
    assert "SR401" not in ignored
    assert "safe loader" not in ignored
    assert "`yaml.load` (line 5)" in ignored
    safe = text.replace("UnsafeLoader", "SafeLoader")
    assert "`yaml.load` with a safe loader (line 5)" in review_file(
        analyze_source(safe, path, Config(root=tmp_path)), safe
    )
    unjudged = review_file(analyze_source(safe, path, Config(root=tmp_path, ignore=("SR401",))), safe)
    assert "`yaml.load` (line 5)" in unjudged


def test_whole_scan_review(scan: ScanResult) -> None:
    review = render_review(scan)
    assert review.startswith("# Security review\n")
    findings = scan.findings()
    assert f"{len(findings)} findings in total, in 2 files" in review
    assert review.index("## app/views.py") < review.index("## deploy.env") < review.index("## Files without findings")
    assert "### app/api.py — no findings" in review and "### tests/test_views.py — no findings" in review
    assert "Pr0d-s3cret" not in review
    assert_not_generic(review)


def test_review_of_a_change_counts_findings_on_changed_lines(scan: ScanResult) -> None:
    views = next(r for r in scan.results if r.path.endswith("views.py"))
    kept = [f for f in views.findings if f.span.start_line in (14, 21)]
    changed = ChangeSet(files={Path(views.path).resolve(): frozenset({11, 12, 14, 21})}, base="origin/main")
    diff_scan = ScanResult(
        root=scan.root,
        config=scan.config,
        results=[type(views)(path=views.path, findings=kept, rules_run=views.rules_run, evidence=views.evidence)],
        files_scanned=1,
        diff_hidden=len(views.findings) - len(kept),
    )
    diff_scan.changed = changed  # type: ignore[attr-defined]
    review = render_review(diff_scan)
    assert "(files changed since `origin/main`)" in review
    assert f"{len(kept)} findings on changed lines" in review
    hidden = len(views.findings) - len(kept)
    assert f"{hidden} finding{'s' if hidden != 1 else ''} on unchanged lines" in review
    assert "Changed lines in this file: 4." in review
    assert f"## app/views.py — {len(kept)} findings on changed lines" in review
    # findings on other lines were removed, so nothing is concluded from their absence
    assert "None of those inputs" not in review and "Sensitive calls" not in review
    assert 'Untrusted input read: `request.args["name"]` (line 11)' in review


def test_change_without_findings(scan: ScanResult) -> None:
    api = next(r for r in scan.results if r.path.endswith("api.py"))
    diff_scan = ScanResult(root=scan.root, config=scan.config, results=[api], files_scanned=1)
    diff_scan.changed = ChangeSet(files={Path(api.path).resolve(): frozenset({10})}, base="HEAD~1")  # type: ignore[attr-defined]
    review = render_review(diff_scan)
    assert "No findings on changed lines." in review
    assert "### app/api.py — no findings on changed lines" in review
