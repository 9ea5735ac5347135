"""The markdown report for pull-request comments."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from test_report_support import github_token, scan_project

from secreview_ls.config import Config
from secreview_ls.engine.finding import Finding, FlowStep, Level, Span
from secreview_ls.pipeline import AnalysisResult
from secreview_ls.pipeline.scan import ScanResult
from secreview_ls.reports import get_writer
from secreview_ls.reports.markdown import MAX_LENGTH, code, escape_text, message, render


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    return scan_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def comment(scan: ScanResult) -> str:
    return render(scan)


def test_registered_as_the_markdown_format(scan: ScanResult, comment: str) -> None:
    assert get_writer("markdown")(scan) == comment


def test_summary_table_counts(scan: ScanResult, comment: str) -> None:
    findings = scan.findings()
    counts = Counter(str(f.severity) for f in findings)
    files = len({f.path for f in findings})
    assert comment.startswith(f"### secreview: {len(findings)} findings in {files} files")
    for level, count in counts.items():
        assert f"| {level} | {count} |" in comment
    for cwe, count in Counter(f.cwe for f in findings).items():
        assert re.search(rf"\| CWE-{cwe}[^|]* \| {count} \|", comment)


def test_findings_grouped_by_file_with_plain_locations(scan: ScanResult, comment: str) -> None:
    headings = re.findall(r"^#### `([^`]+)`$", comment, flags=re.MULTILINE)
    assert headings == ["app/views.py", "deploy.env"]
    for found in scan.findings():
        assert f"`{scan.relpath(found.path)}:{found.span.start_line}` `{found.rule_id}`" in comment
    assert "](" not in comment  # locations are text, not links


def test_data_flow_folded_in_details(scan: ScanResult, comment: str) -> None:
    flowing = next(f for f in scan.findings() if f.rule_id == "SR801")
    assert f"<details><summary>Data flow ({len(flowing.flow)} steps)</summary>" in comment
    assert comment.count("<details>") == comment.count("</details>")
    for number, step in enumerate(flowing.flow, start=1):
        assert f"{number}. `app/views.py:{step.span.start_line}`" in comment


def test_credentials_are_masked(comment: str) -> None:
    token = github_token()
    assert token not in comment and token[4:16] not in comment
    assert "Pr0d-s3cret" not in comment


def test_markup_in_messages_is_inert() -> None:
    assert escape_text("<script>alert(1)</script> | *x*") == r"&lt;script&gt;alert(1)&lt;/script&gt; \| \*x\*"
    assert message("call `a<b>` with <img src=x>") == "call `a<b>` with &lt;img src=x&gt;"
    assert code("uses `ticks`") == "`` uses `ticks` ``"


def _finding(path: str, line: int, text: str = "`eval` on request data") -> Finding:
    return Finding(
        rule_id="SR101",
        message=text,
        span=Span(line, 0, line, 4),
        severity=Level.MEDIUM,
        confidence=Level.HIGH,
        cwe=95,
        path=path,
        flow=(FlowStep(Span(line, 0, line, 1), "source: `request.args`"),),
    )


def test_hostile_message_does_not_inject_html(tmp_path: Path) -> None:
    path = str(tmp_path / "a.py")
    evil = _finding(path, 1, "x <img src=x onerror=alert(1)> </details><script>y</script>")
    scan = ScanResult(tmp_path, Config(root=tmp_path), [AnalysisResult(path, [evil])], files_scanned=1)
    out = render(scan)
    assert "<img" not in out and "<script" not in out
    assert out.count("<details>") == out.count("</details>")


def test_long_reports_stay_under_the_comment_limit(tmp_path: Path) -> None:
    path = str(tmp_path / "big.py")
    findings = [_finding(path, n, "`eval` on request data " + "x" * 200) for n in range(1, 2001)]
    scan = ScanResult(tmp_path, Config(root=tmp_path), [AnalysisResult(path, findings)], files_scanned=1)
    out = render(scan)
    assert len(out) <= MAX_LENGTH + 200
    hidden = re.search(r"_(\d+) more finding\(s\) not shown here", out)
    assert hidden is not None
    assert int(hidden.group(1)) + out.count("- **medium**") == 2000


def test_no_findings(tmp_path: Path) -> None:
    scan = ScanResult(tmp_path, Config(root=tmp_path), files_scanned=3)
    assert render(scan).startswith("### secreview: no findings in 3 scanned files")
