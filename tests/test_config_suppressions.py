"""Inline suppressions and configuration: what gets reported, and what gets noticed."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview_ls.config import Config, ConfigError, from_mapping, load_pyproject
from secreview_ls.engine.finding import Level
from secreview_ls.pipeline import analyze_source, config_notices, selected_rules

SHELL = "import subprocess\n\ndef run():\n    subprocess.run(cmd, shell=True){comment}\n"


def ids(text: str, config: Config | None = None, path: str = "app.py") -> list[str]:
    return sorted(f.rule_id for f in analyze_source(text, path, config).findings)


def notices(text: str, config: Config | None = None) -> list[str]:
    return [n.kind for n in analyze_source(text, "app.py", config).notices]


# -- suppression comments ------------------------------------------------------------------


def test_unsuppressed_baseline() -> None:
    assert ids(SHELL.format(comment="")) == ["SR201"]


@pytest.mark.parametrize(
    "comment",
    [
        "  # nosec",
        "  # nosec B602",
        "  # nosec B602, B607",
        "  # nosec: B602 -- reviewed, cmd is a constant table entry",
        "  # noqa: S602",
        "  # noqa: E501, S602",
        "  # secreview: ignore[SR201]",
        "  # secreview: ignore",
        "  # NOSEC",
    ],
)
def test_suppression_comment_hides_the_finding(comment: str) -> None:
    result = analyze_source(SHELL.format(comment=comment), "app.py")
    assert not result.findings
    assert [f.rule_id for f in result.suppressed] == ["SR201"]
    assert "unknown-suppression" not in [n.kind for n in result.notices]


@pytest.mark.parametrize(
    "comment",
    ["  # nosec B101", "  # noqa: S101", "  # secreview: ignore[SR103]", "  # noqa", "  # noqa: E501"],
)
def test_suppression_for_another_rule_keeps_the_finding(comment: str) -> None:
    assert ids(SHELL.format(comment=comment)) == ["SR201"]


def test_suppression_on_first_line_of_multiline_statement() -> None:
    text = "import subprocess\nsubprocess.run(  # nosec B602\n    cmd,\n    shell=True,\n)\n"
    assert ids(text) == []


BUILT_SQL = (
    "def rename(cursor, name):\n    sql = \"UPDATE t SET name = '%s'\" % name{comment}\n    cursor.execute(sql)\n"
)


@pytest.mark.parametrize("comment", ["  # nosec", "  # nosec B608"])
def test_nosec_where_bandit_reports_hides_the_finding_reported_at_the_call(comment: str) -> None:
    assert ids(BUILT_SQL.format(comment="")) == ["SR210"]
    result = analyze_source(BUILT_SQL.format(comment=comment), "app.py")
    assert not result.findings
    assert "unused-suppression" not in [n.kind for n in result.notices]


@pytest.mark.parametrize("comment", ["  # secreview: ignore[SR210]", "  # nosec B602"])
def test_only_nosec_for_the_rule_reaches_the_line_that_builds_the_value(comment: str) -> None:
    assert ids(BUILT_SQL.format(comment=comment)) == ["SR210"]


def test_unknown_code_in_suppression_is_noticed() -> None:
    result = analyze_source(SHELL.format(comment="  # secreview: ignore[SR999]"), "app.py")
    assert [f.rule_id for f in result.findings] == ["SR201"]
    [notice] = [n for n in result.notices if n.kind == "unknown-suppression"]
    assert "SR999" in notice.message
    assert notice.span is not None and notice.span.start_line == 4


def test_unknown_bandit_code_in_nosec_is_noticed() -> None:
    assert "unknown-suppression" in notices(SHELL.format(comment="  # nosec B999"))


def test_unused_secreview_suppression_is_noticed() -> None:
    text = "x = 1  # secreview: ignore[SR201]\n"
    assert "unused-suppression" in notices(text)
    assert "unused-suppression" not in notices(text, Config(report_unused_suppressions=False))


def test_used_suppression_is_not_reported_unused() -> None:
    assert "unused-suppression" not in notices(SHELL.format(comment="  # secreview: ignore[SR201]"))


# -- configuration ------------------------------------------------------------------------

MIXED = (
    "import hashlib, subprocess\n"
    "def f(data):\n"
    "    subprocess.run(cmd, shell=True)\n"  # SR201 high/medium
    "    subprocess.run('/bin/ls -l', shell=True)\n"  # SR208 low/high, hardening: a fixed command
    "    return hashlib.md5(data).hexdigest()\n"  # SR301 medium/medium
    "assert True\n"  # SR103 low/high
)


def test_select_by_id_prefix_and_foreign_code() -> None:
    assert set(ids(MIXED, Config(select=("SR2",)))) == {"SR201"}
    assert set(ids(MIXED, Config(select=("B324",)))) == {"SR301"}
    assert set(ids(MIXED, Config(select=("S101",)))) == {"SR103"}


def test_ignore() -> None:
    assert "SR201" not in ids(MIXED, Config(ignore=("SR201",)))
    assert "SR301" not in ids(MIXED, Config(ignore=("B303",)))


def test_severity_and_confidence_thresholds() -> None:
    assert ids(MIXED, Config(severity=Level.HIGH)) == ["SR201"]
    assert ids(MIXED, Config(severity=Level.MEDIUM)) == ["SR201", "SR301"]
    assert ids(MIXED, Config(confidence=Level.HIGH)) == []
    assert ids(MIXED, Config(confidence=Level.HIGH, select=("hardening",))) == ["SR208"]
    assert ids(MIXED, Config(confidence=Level.HIGH, select=("QUALITY",))) == ["SR103"]


def test_per_file_ignores_and_test_paths() -> None:
    config = Config(per_file_ignores={"scripts/*.py": ("SR201",)})
    assert "SR201" not in ids(MIXED, config, "scripts/deploy.py")
    assert "SR201" in ids(MIXED, config, "app/deploy.py")
    custom = Config(test_paths=("checks/**",), select=("QUALITY",))
    assert "SR103" not in ids(MIXED, custom, "checks/module.py")
    assert "SR103" in ids(MIXED, custom, "tests/module.py")


def test_selected_rules_honour_per_file_ignores() -> None:
    config = Config(per_file_ignores={"legacy/**": ("SR2",)})
    assert not [r for r in selected_rules(config, "legacy/old.py") if r.id.startswith("SR2")]
    assert [r for r in selected_rules(config, "new.py") if r.id.startswith("SR2")]


def test_unknown_codes_in_configuration_are_noticed() -> None:
    config = from_mapping({"select": ["SR2", "SR999"], "ignore": ["B999"], "per-file-ignores": {"x/*.py": ["ZZ1"]}})
    messages = [n.message for n in config_notices(config)]
    assert len(messages) == 3
    assert any("SR999" in m for m in messages)
    assert any("B999" in m for m in messages)
    assert any("ZZ1" in m for m in messages)
    assert not config_notices(from_mapping({"select": ["SR2", "B602", "S608"]}))


def test_invalid_configuration_values_raise() -> None:
    with pytest.raises(ConfigError, match="severity"):
        from_mapping({"severity": "extreme"})
    with pytest.raises(ConfigError, match="unknown setting"):
        from_mapping({"selct": ["SR1"]})


def test_pyproject_settings_apply(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.secreview]\nignore = ["SR103"]\nseverity = "medium"\n'
        '[tool.secreview.per-file-ignores]\n"tools/*.py" = ["SR201"]\n',
        encoding="utf-8",
    )
    config = load_pyproject(tmp_path / "pyproject.toml")
    assert ids(MIXED, config, str(tmp_path / "app.py")) == ["SR201", "SR301"]
    assert ids(MIXED, config, str(tmp_path / "tools" / "x.py")) == ["SR301"]


@pytest.mark.parametrize(
    ("path", "is_test"),
    [
        ("polls/tests.py", True),
        ("tests.py", True),
        ("pkg/testing/helpers.py", True),
        ("pkg/views_tests.py", True),
        ("pkg/views.py", False),
        ("pkg/contests.py", False),
        ("pkg/testing.py", False),
        # `*` stays within one path segment: a folder named test_* does not make its files tests
        ("test_results0/app/views.py", False),
        ("pkg/test_api/views.py", False),
        ("pkg/test_api/test_views.py", True),
        ("pkg/lib/create_test_data.py", True),
        ("make_test_fixtures.py", True),
        ("pkg/test_data_views.py", True),
        ("pkg/test_data/models.py", False),
        ("pkg/latest_data.py", False),
        ("pkg/ab_testing.py", False),
        ("pretix/testutils/settings.py", True),
        ("app/test_utils/factories.py", True),
        ("app/testutils.py", False),
        ("app/utils/tests_helper.py", False),
    ],
)
def test_default_test_paths_know_django_and_testing_folders(path: str, is_test: bool) -> None:
    assert Config().is_test_path(path) is is_test
