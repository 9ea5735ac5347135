"""The rule catalogue loads every family, and a missing family is an error."""

from __future__ import annotations

import pytest

from secreview_ls.rules import registry


def test_every_family_registers_rules() -> None:
    families = {rule.family for rule in registry.all_rules()}
    # The banned-call table's rows join the family of the API they ban.
    assert families == set(registry.FAMILIES) - {"banned_calls"}
    assert {registry.get(code).family for code in ("SR302", "SR403", "SR504", "SR703")} == {
        "crypto",
        "deserialization",
        "network",
        "files",
    }


def test_a_missing_family_is_an_error_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "FAMILIES", (*registry.FAMILIES, "no_such_family"))
    with pytest.raises(ModuleNotFoundError, match="no_such_family"):
        registry._load.__wrapped__()


def test_the_label_table_matches_the_catalogue() -> None:
    """Reports label findings from ``names.TABLE`` without loading the rules: it must say what
    the catalogue says (``python -m secreview_ls.rules.names --write``)."""
    from secreview_ls.rules import names

    expected = {rule.id: (rule.name, rule.cwe, rule.fix_safety) for rule in registry.all_rules()}
    assert names.TABLE == expected, "write it afresh: python -m secreview_ls.rules.names --write"
    for rule in registry.all_rules():
        assert names.rule_label(rule.id) == (rule.name, rule.docs_url, rule.fix_safety)


def test_a_label_not_in_the_table_comes_from_the_catalogue() -> None:
    from secreview_ls.rules import names

    found = registry.get("B506")
    assert found is not None
    assert names.rule_label("b506") == (found.name, found.docs_url, found.fix_safety)
    assert names.rule_label("SR000") is None
