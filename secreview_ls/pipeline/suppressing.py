"""Suppression comments: which findings they hide, and which of them are unknown or unused."""

from __future__ import annotations

import ast
import dataclasses

from ..config import Config
from ..engine.facts import ModuleFacts
from ..engine.finding import Finding, Notice
from ..engine.suppressions import Suppression
from ..rules import registry
from ..rules.misc import REASON_RULE_ID
from ..rules.parity import NOT_REPORTED
from .selection import selected_rules

#: The key of a suppressed finding's ``extra`` that says which comment hid it: ``kind``
#: (``secreview``, ``nosec`` or ``noqa``) and, when the comment gives one, ``reason``.
SUPPRESSION_KEY = "suppression"


def _described(suppression: Suppression) -> dict[str, object]:
    described: dict[str, object] = {"kind": suppression.kind}
    if suppression.reason:
        described["reason"] = suppression.reason
    return described


def suppression_matches(suppression: Suppression, found: Finding) -> bool:
    if found.rule_id == REASON_RULE_ID:
        return False  # a comment cannot silence the finding about itself: it needs its reason
    if not suppression.codes:
        return suppression.kind != "noqa"
    current = registry.get(found.rule_id)
    codes = {found.rule_id}
    if current is not None:
        codes.update(current.bandit if suppression.kind != "noqa" else ())
        codes.update(current.ruff)
    return any(code in codes for code in suppression.codes)


def apply_suppressions(
    findings: list[Finding],
    suppressions: list[Suppression],
    facts: ModuleFacts | None,
    config: Config,
    path: str,
) -> tuple[list[Finding], list[Finding], list[Notice]]:
    """(kept, suppressed, notices about the suppression comments themselves)."""
    if not suppressions:
        return findings, [], []
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        by_line.setdefault(suppression.line, []).append(suppression)
    statement_lines = statement_extents(facts) if facts is not None else {}
    used: set[Suppression] = set()
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for found in findings:
        lines = set(range(found.span.start_line, found.span.end_line + 1))
        extent = statement_lines.get(found.span.start_line)
        if extent is not None:
            lines.update(range(extent[0], extent[1] + 1))
        bandit_lines = _bandit_located_lines(found)
        hit = None
        for line in sorted(lines | bandit_lines):
            for suppression in by_line.get(line, ()):
                if (line in lines or suppression.kind == "nosec") and suppression_matches(suppression, found):
                    hit = suppression
                    break
            if hit:
                break
        if hit is None:
            kept.append(found)
        else:
            used.add(hit)
            suppressed.append(dataclasses.replace(found, extra={**found.extra, SUPPRESSION_KEY: _described(hit)}))
    return kept, suppressed, _comment_notices(suppressions, used, config, path)


def _bandit_located_lines(found: Finding) -> set[int]:
    """Where Bandit reports what ``found`` reports: a rule with a Bandit counterpart may put its
    finding on the call that runs the value (``cursor.execute(sql)``) while Bandit puts its on
    the line that builds it (``sql = "..." % name``), so a ``# nosec`` written for Bandit there
    keeps working: the lines of the finding's own flow in the same file."""
    current = registry.get(found.rule_id)
    if current is None or not current.bandit:
        return set()
    return {step.span.start_line for step in found.flow if step.path is None}


def _comment_notices(
    suppressions: list[Suppression], used: set[Suppression], config: Config, path: str
) -> list[Notice]:
    notices: list[Notice] = []
    known = registry.known_codes()
    running: set[str] | None = None
    for suppression in suppressions:
        unknown = [c for c in suppression.codes if c not in known]
        if suppression.kind == "noqa":
            unknown = [c for c in unknown if c.startswith("S") and c[1:].isdigit()]
        if unknown:
            notices.append(
                Notice(
                    "unknown-suppression",
                    f"suppression names unknown rule {', '.join(unknown)}",
                    suppression.span,
                    path,
                )
            )
        elif config.report_unused_suppressions and suppression not in used:
            if suppression.kind == "nosec" and running is None:
                running = {rule.id for rule in selected_rules(config, path)}
            if not _checkable(suppression, running or set()):
                continue
            notices.append(Notice("unused-suppression", _unused_message(suppression), suppression.span, path))
    return notices


def _checkable(suppression: Suppression, running: set[str]) -> bool:
    """Whether an unused ``suppression`` can be told apart from one written for another tool:
    always for our own comments; for ``# nosec`` only when every Bandit test it names maps to
    one of our rules and that rule ran on the file (a bare ``# nosec``, or one naming a test
    without a counterpart here or a rule switched off, may be there for Bandit alone)."""
    if suppression.kind == "secreview":
        return True
    if suppression.kind != "nosec" or not suppression.codes:
        return False
    for code in suppression.codes:
        current = registry.get(code)
        if code in NOT_REPORTED or current is None or current.id not in running:
            return False
    return True


def _unused_message(suppression: Suppression) -> str:
    if suppression.kind == "nosec":
        named = ", ".join(suppression.codes)
        mapped = ", ".join(sorted({rule.id for c in suppression.codes if (rule := registry.get(c)) is not None}))
        return f"`# nosec {named}` matches no finding on this line (checked as {mapped})"
    return "suppression comment matches no finding on this line"


def statement_extents(facts: ModuleFacts) -> dict[int, tuple[int, int]]:
    """Map each line to the (first, last) line of the simple statement that covers it."""
    extents: dict[int, tuple[int, int]] = {}
    for node in facts.nodes(ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Call):
        first = getattr(node, "lineno", None)
        last = getattr(node, "end_lineno", None)
        if first is None or last is None or first == last:
            continue
        for line in range(first, last + 1):
            current = extents.get(line)
            if current is None or (last - first) > (current[1] - current[0]):
                extents[line] = (first, last)
    return extents
