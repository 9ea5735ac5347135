"""A search for forbidden characters used as an early exit cleans a value for shell commands only
when it finds every shell metacharacter."""

from __future__ import annotations

import pytest

from secreview_ls.config import Config
from secreview_ls.pipeline import analyze_source

TEMPLATE = (
    "import os, re, sys\n"
    "_unsafe = re.compile({pattern!r}).search\n"
    "def main():\n"
    "    name = os.environ['TOOL_FILE']\n"
    "    if _unsafe(name):\n"
    "        return\n"
    "    os.system('/usr/bin/file ' + name)\n"
)


def _rules(pattern: str) -> list[str]:
    return [f.rule_id for f in analyze_source(TEMPLATE.format(pattern=pattern), "app/tool.py", Config()).findings]


@pytest.mark.parametrize("pattern", [r"[^\w@+=:,./-]", r"[^A-Za-z0-9]", r"[;&|`$<>()\s'\"\\*?\[\]{}~!#]"])
def test_a_search_finding_every_shell_metacharacter_cleans_the_value(pattern: str) -> None:
    assert _rules(pattern) == []


@pytest.mark.parametrize("pattern", [r"[;&|]", r"[^\w ;]", r"\s", "(unbalanced"])
def test_a_search_missing_some_metacharacters_proves_nothing(pattern: str) -> None:
    assert _rules(pattern) == ["SR802"]


def test_the_search_must_be_an_exit() -> None:
    text = TEMPLATE.format(pattern=r"[^\w]").replace("        return\n", "        print('odd name')\n")
    assert [f.rule_id for f in analyze_source(text, "app/tool.py", Config()).findings] == ["SR802"]
