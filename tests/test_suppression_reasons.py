"""Suppression comments with reasons, `require-reason`, and unused Bandit `# nosec` comments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secreview_ls.cli import main
from secreview_ls.config import Config, ConfigError, from_mapping
from secreview_ls.engine.source import split_lines
from secreview_ls.engine.suppressions import parse_suppressions
from secreview_ls.pipeline import analyze_source, registry

SHELL = "import subprocess\n\ndef run():\n    subprocess.run(cmd, shell=True){comment}\n"
REQUIRE = Config(require_reason=True)


@pytest.mark.parametrize(
    ("comment", "kind", "codes", "reason"),
    [
        (
            "# secreview: ignore[SR802] -- input is an operator-only flag",
            "secreview",
            ("SR802",),
            "input is an operator-only flag",
        ),
        ("# secreview: ignore -- vetted by security review", "secreview", (), "vetted by security review"),
        ("# secreview: ignore[SR201, SR802]", "secreview", ("SR201", "SR802"), None),
        ("# secreview: ignore[SR201] --   ", "secreview", ("SR201",), None),
        ("# nosec B602, B607 -- cmd is a constant", "nosec", ("B602", "B607"), "cmd is a constant"),
        ("# nosec: B602 -- reviewed", "nosec", ("B602",), "reviewed"),
        ("# nosec", "nosec", (), None),
        ("# noqa: S602 -- constant command", "noqa", ("S602",), "constant command"),
        ("# noqa: S602", "noqa", ("S602",), None),
        ("# secreview: ignore[SR201] -- a reason  # type: ignore", "secreview", ("SR201",), "a reason"),
    ],
)
def test_every_form_parses_with_its_reason(comment: str, kind: str, codes: tuple[str, ...], reason: str | None) -> None:
    [found] = parse_suppressions(f"x = run()  {comment}\n")
    assert (found.kind, found.codes, found.reason) == (kind, codes, reason)


@pytest.mark.parametrize(
    "comment",
    [
        "  # secreview: ignore[SR201] -- cmd comes from the deployment manifest",
        "  # secreview: ignore -- cmd comes from the deployment manifest",
        "  # nosec B602 -- cmd comes from the deployment manifest",
        "  # noqa: S602 -- cmd comes from the deployment manifest",
    ],
)
def test_a_suppression_with_a_reason_still_suppresses_and_satisfies_require_reason(comment: str) -> None:
    for config in (None, REQUIRE):
        result = analyze_source(SHELL.format(comment=comment), "app.py", config)
        assert [f.rule_id for f in result.findings] == []
        assert [f.rule_id for f in result.suppressed] == ["SR201"]


@pytest.mark.parametrize(
    "comment",
    [
        "  # secreview: ignore[SR201]",
        "  # secreview: ignore",
        "  # nosec B602",
        "  # nosec",
        "  # noqa: S602",
        "  # secreview: ignore[SR201] -- reason",
    ],
)
def test_require_reason_reports_the_comment_itself(comment: str) -> None:
    text = SHELL.format(comment=comment)
    assert not analyze_source(text, "app.py").findings  # off by default
    result = analyze_source(text, "app.py", REQUIRE)
    [found] = result.findings
    assert found.rule_id == "SR902"
    column = text.splitlines()[3].index("#")
    assert (found.span.start_line, found.span.start_col) == (4, column)
    assert [f.rule_id for f in result.suppressed] == ["SR201"]  # the suppression still works
    assert ("placeholder" in found.message) == comment.endswith("-- reason")


def test_require_reason_ignores_style_noqa_and_can_be_switched_off_per_file() -> None:
    assert not analyze_source("x = 1  # noqa: E501\n", "app.py", REQUIRE).findings
    text = SHELL.format(comment="  # nosec B602")
    scoped = REQUIRE.with_overrides(per_file_ignores={"legacy/*.py": ("SR902",)})
    assert not analyze_source(text, "legacy/old.py", scoped).findings
    assert [f.rule_id for f in analyze_source(text, "app.py", scoped).findings] == ["SR902"]


def test_require_reason_setting_and_catalogue_entry() -> None:
    assert from_mapping({"require-reason": True}).require_reason is True
    with pytest.raises(ConfigError, match="require-reason"):
        from_mapping({"require-reason": "yes"})
    rule = registry.get("SR902")
    assert rule is not None and rule.name == "suppression-without-reason"
    assert not rule.default_enabled and " -- " in rule.good
    # selecting the rule by id works without the setting
    assert [
        f.rule_id
        for f in analyze_source(SHELL.format(comment="  # nosec"), "a.py", Config(extend_select=("SR902",))).findings
    ] == ["SR902"]


# -- unused Bandit comments ---------------------------------------------------------------


def _unused(text: str, config: Config | None = None) -> list[str]:
    return [n.message for n in analyze_source(text, "app.py", config).notices if n.kind == "unused-suppression"]


def test_unused_nosec_naming_a_mapped_bandit_test_is_reported() -> None:
    [message] = _unused("x = compute()  # nosec B602\n")
    assert "B602" in message and registry.get("B602").id in message
    assert not _unused("x = compute()  # nosec B602\n", Config(report_unused_suppressions=False))


@pytest.mark.parametrize(
    "text",
    [
        SHELL.format(comment="  # nosec B602"),  # used
        SHELL.format(comment="  # nosec B602, B607"),  # used by one of its codes
        "x = compute()  # nosec\n",  # bare: may be there for any Bandit test
        "assert x  # nosec B101\n",  # a Bandit test without a counterpart here
    ],
)
def test_nosec_comments_that_may_serve_bandit_are_not_reported(text: str) -> None:
    assert not _unused(text)


def test_nosec_for_a_rule_that_did_not_run_is_not_reported() -> None:
    code = registry.get("B602").id
    assert _unused("x = compute()  # nosec B602\n")
    assert not _unused("x = compute()  # nosec B602\n", Config(ignore=(code,)))


# -- reports ------------------------------------------------------------------------------


def test_require_reason_finding_in_the_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.secreview]\nrequire-reason = true\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(SHELL.format(comment="  # nosec B602"), encoding="utf-8")
    (tmp_path / "ok.py").write_text(SHELL.format(comment="  # nosec B602 -- constant"), encoding="utf-8")
    code = main(["check", str(tmp_path), "--format", "json", "--no-progress", "-j", "1"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["path"], f["rule_id"], f["span"]["start_line"]) for f in report["findings"]] == [("app.py", "SR902", 4)]


def test_require_reason_command_line_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(SHELL.format(comment="  # secreview: ignore[SR201]"), encoding="utf-8")
    assert main(["check", str(tmp_path), "--format", "concise", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path), "--format", "concise", "--no-progress", "--require-reason"]) == 1
    assert "app.py:4:38: SR902" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    [
        # lines ended by a lone CR: the tokenizer must see three lines, not one
        "import subprocess\rsubprocess.run('ls', shell=True)  # nosec B602\rx = 1  # nosec B602\r",
        # does not tokenize (an open bracket), with a form feed the tokenizer does not count as a line end
        "import subprocess\rx = (\x0c  # nosec B602\rsubprocess.run('ls', shell=True)  # nosec B602\n",
    ],
)
def test_suppression_positions_follow_the_tokenizers_lines(text: str) -> None:
    lines = split_lines(text)
    for suppression in parse_suppressions(text):
        line = lines[suppression.span.start_line - 1]
        assert suppression.span.end_col <= len(line), (suppression, line)
        assert line[suppression.span.start_col :].startswith("# nosec")
    result = analyze_source(text, "app.py", Config())
    for notice in result.notices:
        if notice.span is not None:
            assert notice.span.end_col <= len(lines[notice.span.start_line - 1]), notice
