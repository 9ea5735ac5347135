"""Lenient configuration reading: every valid key applies, each bad one is a located problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview_ls.config import ConfigError, ConfigProblem, from_mapping, load_pyproject, locate_problems
from secreview_ls.pipeline import Level, checked_configuration

TEXT = """[project]
name = "x"

[tool.secreview]
severity = "hgih"
ignore = ["SR104"]
select = [
  "SR1",
  "SR6O2",
]
severty = "low"
rule-severity = { SR210 = "hihg", SR301 = "high" }

[tool.secreview.per-file-ignores]
"scripts/*.py" = ["SR602", 3]

[tool.secreview.taint]
sourcez = []
sinks.sql = ["app.db.run"]
"""


def test_lenient_mapping_keeps_valid_keys_and_collects_each_problem() -> None:
    problems: list[ConfigProblem] = []
    config = from_mapping({"severity": "hgih", "ignore": ["sr104"], "timeout": 0, "bogus": 1}, problems=problems)
    assert config.ignore == ("SR104",) and config.severity is Level.LOW and config.timeout == 10.0
    assert [(p.key, p.severity) for p in problems] == [
        ("severity", "error"),
        ("timeout", "error"),
        ("bogus", "warning"),
    ]
    with pytest.raises(ConfigError, match="severity"):
        from_mapping({"severity": "hgih", "ignore": ["SR104"]})


def test_checked_configuration_locates_values_keys_and_rule_ids(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(TEXT)
    config, problems = checked_configuration(tmp_path)
    assert config.ignore == ("SR104",) and config.select == ("SR1", "SR6O2")
    assert config.rule_severity == {"SR301": Level.HIGH} and config.taint_sinks == {"sql": ("app.db.run",)}
    where = {(p.line + 1, p.column, p.severity) for p in problems}
    assert (5, 0, "error") in where  # severity = "hgih"
    assert (9, 2, "warning") in where  # "SR6O2" inside the multi-line select array
    assert (11, 0, "warning") in where  # severty
    assert (12, 0, "error") in where  # the inline rule-severity table
    assert (15, 0, "error") in where  # the per-file-ignores entry with a number
    assert (18, 0, "warning") in where  # taint.sourcez
    assert len(problems) == 6
    messages = " ".join(p.message for p in problems)
    assert "did you mean high" in messages and "did you mean severity" in messages and "did you mean" in messages
    # The strict reading (the command line) still stops at the first bad value.
    with pytest.raises(ConfigError):
        load_pyproject(tmp_path / "pyproject.toml")


def test_invalid_toml_is_one_problem_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.secreview]\nignore = ["SR104"\nseverity = "low"\n')
    config, problems = checked_configuration(tmp_path)
    (problem,) = problems
    assert problem.message.startswith("invalid TOML") and problem.line in (1, 2)
    assert config.ignore == ()


def test_a_key_written_nowhere_falls_back_to_the_table_header() -> None:
    text = '[tool]\nsecreview = { severity = "hgih" }\n'
    (located,) = locate_problems(text, [ConfigProblem("severity", "bad")])
    assert located.line == 1
    (unplaced,) = locate_problems("", [ConfigProblem("severity", "bad")])
    assert (unplaced.line, unplaced.column) == (0, 0)
