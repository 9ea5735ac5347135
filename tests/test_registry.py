"""The rule catalogue loads every family, and a missing family is an error."""

from __future__ import annotations

import pytest

from secreview_ls.rules import registry


def test_every_family_registers_rules() -> None:
    families = {rule.family for rule in registry.all_rules()}
    # The banned-call table's rows join the family of the API they ban.
    assert families == set(registry.FAMILIES) - {"banned_calls"}
    assert {registry.get(code).family for code in ("SR302", "SR403", "SR504", "SR703")} == {
        "crypto", "deserialization", "network", "files",
    }


def test_a_missing_family_is_an_error_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "FAMILIES", (*registry.FAMILIES, "no_such_family"))
    with pytest.raises(ModuleNotFoundError, match="no_such_family"):
        registry._load.__wrapped__()
