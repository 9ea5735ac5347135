"""No output of the command line prints a credential found in the scanned code: every
report format, the baseline and the review, with findings of other rules on the same lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from secret_corpus import leaked_pieces, write_project

from secreview_ls import cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_project(tmp_path)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "html", "markdown"])
def test_reports_never_print_a_credential(fmt: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli.main(
            [
                "check",
                ".",
                "id_rsa",
                "--format",
                fmt,
                "--no-progress",
                "--color",
                "always" if fmt == "text" else "never",
            ]
        )
        == 1
    )
    captured = capsys.readouterr()
    assert leaked_pieces(captured.out + captured.err) == []
    assert "SR" in captured.out


def test_every_credential_is_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The corpus is meaningful: each credential's line has a finding, and other rules fire on
    lines that hold one (TLS verification off next to a token)."""
    assert cli.main(["check", ".", "id_rsa", "--format", "text", "--no-progress"]) == 1
    out = capsys.readouterr().out
    for where in (
        "app.py:3:",
        "app.py:4:",
        "app.py:5:",
        "app.py:6:",
        "app.py:14:",
        "deploy.env:1:",
        "deploy.env:2:",
        "id_rsa:1:",
    ):
        assert where in out, where
    assert "SR" in out.split("app.py:10:", 1)[1].split("\n", 1)[0]


def test_baseline_and_review_never_print_a_credential(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["baseline", "create", ".", "id_rsa", "-o", "baseline.json"]) == 0
    assert leaked_pieces((project / "baseline.json").read_text(encoding="utf-8")) == []
    for fmt in ("text", "markdown", "json"):
        cli.main(["review", ".", "id_rsa", "--format", fmt])
        captured = capsys.readouterr()
        assert leaked_pieces(captured.out + captured.err) == [], fmt


def test_text_excerpt_is_masked_and_the_caret_stays_under_the_call(project: Path, capsys) -> None:
    assert cli.main(["check", "app.py", "--no-progress", "--color", "never", "--select", "SR5"]) == 1
    out = capsys.readouterr().out
    block = out.split("app.py:10:", 1)[1].split("\n\n", 1)[0].splitlines()
    code, caret = block[1], block[2]
    assert "…" in code and "requests.get" in code
    start = caret.index("^")
    assert code[start:].startswith("requests.get(") and len(caret.rstrip()) == len(code.rstrip())
