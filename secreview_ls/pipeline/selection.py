"""Which rules a configuration selects, and which configured codes match no rule."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, ConfigProblem, did_you_mean, discover_checked, key_path, locate_problems
from ..engine.finding import Notice
from ..rules import registry

if TYPE_CHECKING:
    from ..rules.base import Rule


def cwe_code(code: str) -> int | None:
    """The number of a weakness class code (``CWE-89``), else None."""
    head, _, number = code.upper().partition("-")
    return int(number) if head == "CWE" and number.isdigit() else None


def matches(code: str, rule: Rule) -> bool:
    """Whether a select/ignore code names ``rule``: a prefix of its SR, Bandit or Ruff code,
    or exactly its weakness class (``CWE-89``)."""
    cwe = cwe_code(code)
    if cwe is not None:
        return rule.cwe == cwe
    return any(c.startswith(code) for c in (rule.id, *rule.bandit, *rule.ruff))


def _named_exactly(codes: Iterable[str], rule: Rule) -> bool:
    return any(c in (rule.id, *rule.bandit, *rule.ruff) for c in codes)


def selected_rules(config: Config, path: str | Path | None = None) -> list[Rule]:
    """The rules the configuration selects (and per-file ignores keep) for ``path``.

    ``select`` replaces the default set (empty: every default rule), ``extend-select`` adds to
    it; an opt-in rule runs only when one of them names its exact code. A profile name
    (``quality``, ``hardening``) in either adds that profile's rules; with only profile names
    in ``select``, the rest is the default set. ``require-reason`` adds the rule that reports
    suppressions without a reason."""
    extra = config.ignored_for(path) if path is not None else ()
    key = (
        id(registry.all_rules()),
        config.select,
        config.extend_select,
        config.ignore,
        config.extend_ignore,
        config.require_reason,
        extra,
    )
    chosen = _SELECTED.get(key)
    if chosen is None:
        chosen = _SELECTED[key] = _select(config, extra)
        if len(_SELECTED) > 256:
            _SELECTED.clear()
    return list(chosen)


# The rules chosen by each combination of the settings that choose them: a scan asks for every
# file, with the same answer for all but the files a per-file ignore names.
_SELECTED: dict[tuple[object, ...], tuple[Rule, ...]] = {}


def _select(config: Config, extra: tuple[str, ...]) -> tuple[Rule, ...]:
    ignored = {*config.ignore, *config.extend_ignore, *extra}
    profiles = registry.profile_names()
    wanted = {s.upper() for s in (*config.select, *config.extend_select) if s.upper() in profiles}
    select = tuple(s for s in config.select if s.upper() not in profiles)
    extend = tuple(s for s in config.extend_select if s.upper() not in profiles)
    if config.require_reason:
        from ..rules.misc import REASON_RULE_ID

        extend = (*extend, REASON_RULE_ID)
    chosen: list[Rule] = []
    for current in registry.all_rules():
        if any(matches(i, current) for i in ignored):
            continue
        if wanted & {name.upper() for name in current.profiles}:
            chosen.append(current)
            continue
        selected = not select or any(matches(s, current) for s in select)
        extended = any(matches(s, current) for s in extend)
        if not (selected or extended):
            continue
        if not current.default_enabled and not _named_exactly((*select, *extend), current):
            continue  # opt-in rules need their exact code (or their profile) in `select` or `extend-select`
        chosen.append(current)
    return tuple(chosen)


def rules_of_cwe(cwe: int) -> list[Rule]:
    """Every rule of a weakness class, in catalogue order."""
    return [r for r in registry.all_rules() if r.cwe == cwe]


def unknown_rule_codes(codes: Iterable[str]) -> list[str]:
    """Codes (or prefixes) in ``codes`` that match no rule, Bandit or Ruff code, nor the CWE of a rule."""
    codes = list(codes)
    if not codes:
        return []  # the rule catalogue is not loaded for nothing
    known = registry.known_codes()
    profiles = registry.profile_names()
    unknown = []
    for code in codes:
        cwe = cwe_code(code)
        if cwe is not None:
            found = bool(rules_of_cwe(cwe))
        else:
            found = code.upper() in profiles or any(k.startswith(code.upper()) for k in known)
        if not found:
            unknown.append(code)
    return unknown


def config_notices(config: Config) -> list[Notice]:
    """Problems in a valid-but-suspicious configuration (unknown rule ids)."""
    notices: list[Notice] = []
    where = str(config.source_file) if config.source_file else "configuration"
    for key, codes in (
        ("select", config.select),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
        ("extend-ignore", config.extend_ignore),
    ):
        for code in unknown_rule_codes(codes):
            notices.append(Notice("unknown-rule", f"{where}: `{key}` names unknown rule `{code}`", None, where))
    for pattern, codes in config.per_file_ignores.items():
        for code in unknown_rule_codes(codes):
            notices.append(
                Notice(
                    "unknown-rule", f"{where}: per-file-ignores[{pattern!r}] names unknown rule `{code}`", None, where
                )
            )
    return notices


def rule_id_problems(config: Config) -> list[ConfigProblem]:
    """Unknown rule ids in a configuration file, as warnings placed on the id (with the
    closest known ids): ``select``, ``ignore`` and their ``extend-`` forms,
    ``per-file-ignores`` and the keys of ``rule-severity``."""
    known = registry.known_codes()
    problems: list[ConfigProblem] = []
    for key, codes in (
        ("select", config.select),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
        ("extend-ignore", config.extend_ignore),
    ):
        for code in unknown_rule_codes(codes):
            message = f"`{key}` names unknown rule `{code}`{did_you_mean(code, known, 0.5)}"
            problems.append(ConfigProblem(key, message, "warning", value=code))
    for pattern, codes in config.per_file_ignores.items():
        for code in unknown_rule_codes(codes):
            message = f"per-file-ignores[{pattern!r}] names unknown rule `{code}`{did_you_mean(code, known, 0.5)}"
            problems.append(ConfigProblem(key_path("per-file-ignores", pattern), message, "warning", value=code))
    rule_ids = [r.id for r in registry.all_rules()]
    for rule_id in config.rule_severity:
        found = registry.get(rule_id)
        if found is None or found.id != rule_id:
            hint = f" (use {found.id})" if found is not None else did_you_mean(rule_id, rule_ids, 0.5)
            message = f"rule-severity names `{rule_id}`, which is not an SR rule id{hint}"
            problems.append(ConfigProblem(key_path("rule-severity", rule_id), message, "warning"))
    return problems


def checked_configuration(start: Path) -> tuple[Config, list[ConfigProblem]]:
    """The configuration governing ``start`` read leniently (every valid key applies), and
    every problem of its file (bad values, unknown keys, unknown rule ids) with its position."""
    config, problems = discover_checked(start)
    source = config.source_file
    unknown = rule_id_problems(config) if source is not None else []
    if source is not None and unknown:
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        problems = [*problems, *locate_problems(text, unknown, source)]
    return config, problems
