"""The HTML report: content, escaping, masking, and how Chromium renders it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_report_support import PAYLOAD, github_token, scan_project

from secreview_ls.config import Config
from secreview_ls.engine.finding import Finding, FlowStep, Level, Span
from secreview_ls.pipeline import AnalysisResult
from secreview_ls.pipeline.scan import ScanResult
from secreview_ls.reports import get_writer
from secreview_ls.reports.html import render

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    return scan_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def page(scan: ScanResult) -> str:
    return render(scan)


def test_registered_as_the_html_format(scan: ScanResult, page: str) -> None:
    assert get_writer("html")(scan, color=True) == page


def test_summary_counts_match_the_scan(scan: ScanResult, page: str) -> None:
    findings = scan.findings()
    counts = Counter(str(f.severity) for f in findings)
    shown = {attrs["data-count"] for tag, attrs in parse(page).tags if tag == "span" and attrs.get("data-count")}
    assert shown == {"total", "high", "medium", "low"}
    for key in ("high", "medium", "low"):
        assert re.search(rf'data-count="{key}">{counts[key]}<', page)
    assert re.search(rf'data-count="total">{len(findings)}<', page)
    assert f"{scan.files_scanned} files scanned" in page


def test_every_finding_is_shown_with_message_location_and_code(scan: ScanResult, page: str) -> None:
    text = "".join(parse(page).text)
    for index, found in enumerate(scan.findings(), start=1):
        assert f'id="finding-{index}"' in page
        plain_message = found.message.replace("`", "")
        assert plain_message in text
        assert f"{scan.relpath(found.path)}:{found.span.start_line}:{found.span.start_col + 1}" in text
    # the flagged range is highlighted inside the excerpt
    assert "<mark>conn.execute(query)</mark>" in page
    assert re.search(r'<span class="ln">14</span>', page)


def test_cwe_chart_has_one_bar_per_cwe_and_severity(scan: ScanResult, page: str) -> None:
    pairs = {(f.cwe, f.severity) for f in scan.findings()}
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert chart.count("<rect") == len(pairs)
    for cwe in {f.cwe for f in scan.findings()}:
        assert f"CWE-{cwe}" in chart


def test_data_flow_and_fixes_are_rendered(scan: ScanResult, page: str) -> None:
    flowing = next(f for f in scan.findings() if f.rule_id == "SR801")
    assert "Data flow" in page
    section = page[page.index(f"{flowing.rule_id}") :]
    for step in flowing.flow:
        assert f":{step.span.start_line}:{step.span.start_col + 1}" in section
    # SR401 has a quick fix: shown as a before/after diff
    assert '<span class="add">+ return yaml.safe_load(blob)' in page
    # a rule without a fix shows its documented safe pattern
    assert "Safe pattern" in page


def test_code_from_the_scanned_files_is_text_not_markup(page: str) -> None:
    tags = parse(page)
    names = [tag for tag, _ in tags.tags]
    assert "script" not in names
    assert "img" not in names
    assert "b" not in names
    assert PAYLOAD in "".join(tags.text)
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_page_is_self_contained(page: str) -> None:
    tags = parse(page)
    for tag, attrs in tags.tags:
        assert tag not in ("link", "script", "iframe", "object", "embed", "img")
        assert "src" not in attrs
        href = attrs.get("href") or ""
        assert not href or href.startswith(("#", "https://cwe.mitre.org/", "https://secreview.dev/rules/"))
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page


def test_credentials_are_masked_everywhere(page: str) -> None:
    token = github_token()
    assert token not in page
    assert token[4:16] not in page and token[-12:] not in page
    assert "Pr0d-s3cret" not in page
    assert "ghp_…" + token[-2:] in page


def test_hostile_messages_and_paths_are_escaped(tmp_path: Path) -> None:
    evil = "<img src=x onerror=alert(1)>"
    finding = Finding(
        rule_id="SR999",
        message=f"message with {evil} and `code {evil}`",
        span=Span(1, 0, 1, 3),
        severity=Level.HIGH,
        confidence=Level.LOW,
        cwe=None,
        path=str(tmp_path / f"{evil}.py"),
        flow=(FlowStep(Span(1, 0, 1, 1), f"step {evil}"),),
    )
    result = AnalysisResult(path=finding.path, findings=[finding])
    scan = ScanResult(root=tmp_path, config=Config(root=tmp_path), results=[result], files_scanned=1)
    page = render(scan)
    names = [tag for tag, _ in parse(page).tags]
    assert "img" not in names
    assert evil not in page
    assert "Source not available" in page  # the file does not exist: no crash


def test_empty_scan_says_so(tmp_path: Path) -> None:
    scan = ScanResult(root=tmp_path, config=Config(root=tmp_path), files_scanned=4)
    page = render(scan)
    assert "No findings in 4 scanned files." in page
    assert "<svg" not in page


def test_file_deleted_after_the_scan_is_tolerated(tmp_path: Path) -> None:
    scan = scan_project(tmp_path)
    (tmp_path / "app" / "views.py").unlink()
    page = render(scan)
    assert "Source not available" in page
    assert "<mark>" in page  # other files still have excerpts


# -- rendered by a real browser ------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_chromium_renders_the_report(scan: ScanResult, page: str, tmp_path: Path) -> None:
    binary = _chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required under CI (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); set CI=true to make this a failure")
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        dumped = _run_chromium(binary, Path(profile), "--dump-dom", report.as_uri())
        assert dumped.returncode == 0, dumped.stderr[-2000:]
        dom = dumped.stdout
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "report.png"
        shot.unlink(missing_ok=True)
        captured = _run_chromium(
            binary, Path(profile), f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri()
        )
        assert captured.returncode == 0, captured.stderr[-2000:]
    findings = scan.findings()
    high = sum(1 for f in findings if f.severity == Level.HIGH)
    assert f'data-count="total">{len(findings)}</span>' in dom
    assert f'data-count="high">{high}</span>' in dom
    sql = next(f for f in findings if f.rule_id == "SR801")
    assert "reaches <code>conn.execute()</code>" in dom and sql.message.startswith("`request.args")
    # the payload from the scanned code is text in the rendered DOM, never an element
    assert "<img" not in dom
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in dom
    assert "<svg" in dom and "<rect" in dom
    assert shot.exists() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
