"""``secreview rules`` and ``secreview explain``: the rule catalogue on the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import EXIT_CLEAN, UsageError, closest


def _rule_rows() -> list[dict[str, Any]]:
    from ..pipeline import registry

    return [
        {
            "id": r.id,
            "name": r.name,
            "cwe": r.cwe,
            "severity": str(r.severity),
            "confidence": str(r.confidence),
            "bandit": list(r.bandit),
            "ruff": list(r.ruff),
            "family": r.family,
            "kind": r.kind,
            "fixable": r.fixable,
            "fix_safety": r.fix_safety,
            "default_enabled": r.default_enabled,
            "taint": r.taint,
            "summary": r.summary,
            "help_uri": r.docs_url,
        }
        for r in registry.all_rules()
    ]


#: Widest a code column of ``secreview rules`` grows before its codes wrap onto more lines.
_CODES_WIDTH = 10


def _wrap_codes(codes: list[str]) -> list[str]:
    """Comma-separated codes in lines of at most ``_CODES_WIDTH`` characters."""
    lines: list[str] = []
    for code in codes:
        if lines and len(lines[-1]) + 1 + len(code) <= _CODES_WIDTH:
            lines[-1] += "," + code
        else:
            lines.append(code)
    return lines or ["-"]


def _rule_table(rows: list[dict[str, Any]]) -> list[str]:
    """The catalogue as a terminal table under 100 columns: FIX says whether findings carry a
    fix and whether ``--fix`` applies it (safe) or only ``--unsafe-fixes`` does (unsafe),
    ON whether the rule runs without being selected (on) or only when selected (off)."""
    headers = ("ID", "NAME", "CWE", "SEV.", "CONF.", "FIX", "ON", "BANDIT", "RUFF")
    table: list[tuple[str, ...]] = []
    for row in rows:
        bandit, ruff = _wrap_codes(row["bandit"]), _wrap_codes(row["ruff"])
        for index in range(max(len(bandit), len(ruff))):
            first = index == 0
            table.append(
                (
                    row["id"] if first else "",
                    row["name"] if first else "",
                    (f"CWE-{row['cwe']}" if row["cwe"] else "-") if first else "",
                    row["severity"] if first else "",
                    row["confidence"] if first else "",
                    (row["fix_safety"] or "-") if first else "",
                    ("on" if row["default_enabled"] else "off") if first else "",
                    bandit[index] if index < len(bandit) else "",
                    ruff[index] if index < len(ruff) else "",
                )
            )
    widths = [max(len(item) for item in column) for column in zip(headers, *table, strict=True)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (headers, *table)
    ]


def cmd_rules(args: argparse.Namespace) -> int:
    rows = _rule_rows()
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_CLEAN
    if args.format == "markdown":
        lines = [
            "| Rule | Name | CWE | Severity | Confidence | Fix | Default | Bandit | Ruff |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows:
            cwe = f"[CWE-{row['cwe']}](https://cwe.mitre.org/data/definitions/{row['cwe']}.html)" if row["cwe"] else ""
            lines.append(
                f"| {row['id']} | `{row['name']}` | {cwe} | {row['severity']} | {row['confidence']} | "
                f"{row['fix_safety'] or ''} | {'on' if row['default_enabled'] else 'off'} | "
                f"{', '.join(row['bandit'])} | {', '.join(row['ruff'])} |"
            )
        sys.stdout.write("\n".join(lines) + "\n")
        return EXIT_CLEAN
    for line in _rule_table(rows):
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"{len(rows)} rules\n")
    return EXIT_CLEAN


def cmd_explain(args: argparse.Namespace) -> int:
    from ..pipeline import registry

    wanted = args.rule.strip()
    if wanted.upper().startswith("CWE-"):
        return _explain_cwe(wanted.upper())
    found = registry.get(wanted)
    if found is None:
        by_name = {r.name: r for r in registry.all_rules()}
        found = by_name.get(wanted.lower())
    if found is None:
        codes = sorted(registry.known_codes())
        names = sorted(r.name for r in registry.all_rules())
        close = [*closest(wanted.upper(), codes, 3), *closest(wanted.lower(), names, 2)]
        hint = f" Did you mean: {', '.join(close[:5])}?" if close else " Run `secreview rules` for the catalogue."
        raise UsageError(f"unknown rule {wanted!r}.{hint}")
    sys.stdout.write(found.markdown().rstrip("\n") + "\n")
    return EXIT_CLEAN


def _explain_cwe(code: str) -> int:
    """The rules of one weakness class: id, name, default severity, whether it runs by default."""
    from ..pipeline import registry

    number = code.removeprefix("CWE-")
    rules = [r for r in registry.all_rules() if number.isdigit() and r.cwe == int(number)]
    if not rules:
        classes = sorted({f"CWE-{r.cwe}" for r in registry.all_rules() if r.cwe is not None}, key=lambda c: int(c[4:]))
        close = closest(code, classes, 3)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UsageError(f"no rule reports {code}.{hint}")
    lines = [f"{code}: https://cwe.mitre.org/data/definitions/{number}.html", ""]
    widths = [max(len(r.id) for r in rules), max(len(r.name) for r in rules)]
    for rule in rules:
        default = "" if rule.default_enabled else "  (opt-in)"
        lines.append(
            f"{rule.id.ljust(widths[0])}  {rule.name.ljust(widths[1])}  {rule.severity!s:<6}  {rule.summary}{default}"
        )
    lines += [
        "",
        f"`secreview check --select {code}` runs these rules (opt-in ones only when named by id); `secreview explain RULE` tells more.",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_CLEAN
