"""The rule catalogue: every family module registers its rules on import."""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Rule

FAMILIES = (
    "execution",
    "injection_patterns",
    "shell_review",
    "crypto",
    "jwt_verification",
    "crypto_params",
    "password_digest",
    "mac_compare",
    "cors",
    "deserialization",
    "xml",
    "network",
    "web",
    "files",
    "secrets",
    "logged_secrets",
    "provider_secrets",
    "misc",
    "regex_backtracking",
    "banned_calls",
    "taint_rules",
)


@cache
def _load() -> tuple[Rule, ...]:
    """Import every family (a missing one is an error: the catalogue ships whole)."""
    from .base import RULES

    for family in FAMILIES:
        importlib.import_module(f"{__package__}.{family}")
    return tuple(sorted(RULES, key=lambda r: r.id))


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by id."""
    return _load()


@cache
def _by_code() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for current in all_rules():
        table[current.id] = current
    return table


def get(rule_id: str) -> Rule | None:
    """A rule by its id (``SR401``), or by a Bandit (``B506``) or Ruff (``S506``) code."""
    code = rule_id.upper()
    found = _by_code().get(code)
    if found is not None:
        return found
    for current in all_rules():
        if code in current.bandit or code in current.ruff:
            return current
    return None


@cache
def known_codes() -> frozenset[str]:
    """All rule ids plus the Bandit and Ruff codes they answer to."""
    from .parity import NOT_REPORTED, RUFF_NOT_REPORTED

    codes: set[str] = set()
    for current in all_rules():
        codes.add(current.id)
        codes.update(current.bandit)
        codes.update(current.ruff)
    # Bandit/Ruff codes with no counterpart here are still valid in nosec / noqa comments.
    codes.update(NOT_REPORTED)
    codes.update(RUFF_NOT_REPORTED)
    return frozenset(codes)


@cache
def profile_names() -> frozenset[str]:
    """The names of the rule profiles (``quality``), upper-cased as ``select`` holds them."""
    return frozenset(name.upper() for current in all_rules() for name in current.profiles)
