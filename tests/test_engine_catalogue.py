"""The rule catalogue: metadata, documentation and Bandit parity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secreview_ls.rules.parity import NOT_REPORTED, RUFF_NOT_REPORTED
from secreview_ls.rules.registry import all_rules

PATTERN_FAMILIES = {
    "execution",
    "injection_patterns",
    "crypto",
    "deserialization",
    "xml",
    "network",
    "web",
    "files",
    "secrets",
    "misc",
}
PARITY_DOC = Path(__file__).resolve().parents[1] / "docs" / "bandit-parity.md"
RULES = [r for r in all_rules() if r.family in PATTERN_FAMILIES]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata_and_docs(rule) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(r"SR\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.cwe is not None and rule.cwe > 0
    for text in (rule.summary, rule.why, rule.bad, rule.good):
        assert text.strip()
    assert rule.bad.strip() != rule.good.strip()
    assert all(re.fullmatch(r"B\d{3}", code) for code in rule.bandit)
    assert all(re.fullmatch(r"S\d{3}", code) for code in rule.ruff)
    markdown = rule.markdown()
    assert rule.id in markdown and "### Vulnerable" in markdown and "### Safe" in markdown


def test_rule_names_are_unique() -> None:
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_each_bandit_code_belongs_to_one_rule() -> None:
    owners: dict[str, str] = {}
    for rule in all_rules():
        for code in (*rule.bandit, *rule.ruff):
            assert code not in owners, f"{code} claimed by {owners[code]} and {rule.id}"
            owners[code] = rule.id
    assert not set(owners) & set(NOT_REPORTED)
    assert not set(owners) & set(RUFF_NOT_REPORTED)


def _bandit_ids() -> set[str]:
    extension_loader = pytest.importorskip("bandit.core.extension_loader")
    manager = extension_loader.MANAGER
    return set(manager.plugins_by_id) | set(manager.blacklist_by_id)


def test_every_bandit_check_has_a_rule_or_a_reason() -> None:
    covered = {code for rule in all_rules() for code in rule.bandit}
    missing = sorted(_bandit_ids() - covered - set(NOT_REPORTED))
    assert not missing, f"Bandit checks with neither a rule nor a documented reason: {missing}"


def test_parity_document_lists_every_bandit_check() -> None:
    text = PARITY_DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (B\d{3}) \|[^|]*\|([^|]*)\|", text, flags=re.MULTILINE))
    assert _bandit_ids() <= set(rows)
    by_id = {r.id: r for r in all_rules()}
    for code, ours in rows.items():
        named = re.findall(r"SR\d{3}", ours)
        if code in NOT_REPORTED:
            assert not named, code
            continue
        assert named, f"{code} has no rule in the parity table"
        for rule_id in named:
            assert code in by_id[rule_id].bandit, f"table maps {code} to {rule_id}, which does not claim it"
