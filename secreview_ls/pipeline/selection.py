"""Which rules a configuration selects, and which configured codes match no rule."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..config import Config
from ..engine.finding import Notice
from ..rules import registry
from ..rules.base import Rule


def selected_rules(config: Config, path: str | Path | None = None) -> list[Rule]:
    """The rules the configuration selects (and per-file ignores keep) for ``path``.

    A profile name in ``select`` (``quality``) adds that profile's rules to what the other
    entries select; with only profile names, that is the default set."""
    ignored = set(config.ignore)
    if path is not None:
        ignored.update(config.ignored_for(path))
    profiles = registry.profile_names()
    wanted = {s for s in config.select if s in profiles}
    select = tuple(s for s in config.select if s not in profiles)
    chosen: list[Rule] = []
    for current in registry.all_rules():
        codes = {current.id, *current.bandit, *current.ruff}
        if any(c.startswith(i) for i in ignored for c in codes):
            continue
        if wanted & {name.upper() for name in current.profiles}:
            chosen.append(current)
            continue
        if select and not any(c.startswith(s) for s in select for c in codes):
            continue
        if not current.default_enabled and not any(s in codes for s in select):
            continue  # opt-in rules need their exact code (or their profile) in `select`
        chosen.append(current)
    return chosen


def unknown_rule_codes(codes: Iterable[str]) -> list[str]:
    """Codes (or prefixes) in ``codes`` that match no rule, Bandit or Ruff code."""
    known = registry.known_codes()
    profiles = registry.profile_names()
    return [c for c in codes if c.upper() not in profiles and not any(k.startswith(c.upper()) for k in known)]


def config_notices(config: Config) -> list[Notice]:
    """Problems in a valid-but-suspicious configuration (unknown rule ids)."""
    notices: list[Notice] = []
    where = str(config.source_file) if config.source_file else "configuration"
    for key, codes in (("select", config.select), ("ignore", config.ignore)):
        for code in unknown_rule_codes(codes):
            notices.append(Notice("unknown-rule", f"{where}: `{key}` names unknown rule `{code}`", None, where))
    for pattern, codes in config.per_file_ignores.items():
        for code in unknown_rule_codes(codes):
            notices.append(
                Notice("unknown-rule", f"{where}: per-file-ignores[{pattern!r}] names unknown rule `{code}`", None, where)
            )
    return notices
