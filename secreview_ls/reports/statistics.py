"""``--statistics``: how many findings each rule made, most frequent first::

      3  SR401  yaml-load          high
      1  SR801  sql-injection      high
    4 findings

As JSON (``--format json --statistics``) the same rows are objects with ``rule``, ``name``,
``severity`` (the rule's default) and ``count``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..pipeline import registry

if TYPE_CHECKING:
    from ..pipeline import ScanResult


def rows(scan: ScanResult) -> list[dict[str, Any]]:
    """One row per rule with findings: most findings first, then by rule id."""
    counts = Counter(f.rule_id for f in scan.findings())
    result = []
    for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = registry.get(rule_id)
        result.append(
            {
                "rule": rule_id,
                "name": rule.name if rule is not None else "",
                "severity": str(rule.severity) if rule is not None else "",
                "count": count,
            }
        )
    return result


def render(scan: ScanResult, *, color: bool = False) -> str:
    """The statistics table (``color`` is ignored)."""
    table = rows(scan)
    total = sum(row["count"] for row in table)
    if not table:
        return "No findings\n"
    widths = [max(len(str(row[key])) for row in table) for key in ("count", "rule", "name")]
    lines = [
        f"{str(row['count']).rjust(widths[0])}  {row['rule'].ljust(widths[1])}  {row['name'].ljust(widths[2])}  "
        f"{row['severity']}".rstrip()
        for row in table
    ]
    lines.append(f"{total} finding{'' if total == 1 else 's'}")
    return "".join(line + "\n" for line in lines)


def render_json(scan: ScanResult, *, color: bool = False) -> str:
    """The statistics as a JSON array."""
    return json.dumps(rows(scan), indent=2) + "\n"
