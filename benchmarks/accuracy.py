"""Precision and recall of the catalogue over the labelled fixtures.

Every Python file under ``tests/fixtures/rules`` and ``tests/fixtures/taint`` carries
``# expect: SRxxx`` markers on the lines that must produce a finding; every other line
is a negative (the fixtures are written with safe lookalikes next to the vulnerable
lines). Counting is per (line, rule) pair:

* TP — expected and found;
* FP — found but not expected;
* FN — expected but not found.

Taint fixtures are scored on the taint rules plus the rules their markers name (their
safe lines are about data flow, not about pattern rules they do not mention), exactly
as ``tests/test_rule_fixtures.py`` checks them.

Usage: ``python benchmarks/accuracy.py [--json] [--by-rule]``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixture_support import analyze_fixture, expected_pairs, fixture_files, found_pairs  # noqa: E402

from secreview_ls.rules.registry import get  # noqa: E402


def score() -> tuple[dict[str, Counter[str]], dict[str, Counter[str]], int, list[str]]:
    """Counts per CWE and per rule, the number of fixture files, and the mismatches."""
    by_cwe: dict[str, Counter[str]] = {}
    by_rule: dict[str, Counter[str]] = {}
    files = fixture_files()
    mismatches: list[str] = []
    for path in files:
        expected = expected_pairs(path)
        found = found_pairs(analyze_fixture(path), path)
        for outcome, pairs in (("tp", expected & found), ("fp", found - expected), ("fn", expected - found)):
            for line, rule_id in sorted(pairs):
                rule = get(rule_id)
                cwe = f"CWE-{rule.cwe}" if rule is not None and rule.cwe else "no CWE"
                by_cwe.setdefault(cwe, Counter())[outcome] += 1
                by_rule.setdefault(rule_id, Counter())[outcome] += 1
                if outcome != "tp":
                    mismatches.append(f"{outcome.upper()} {path.relative_to(ROOT)}:{line} {rule_id}")
    return by_cwe, by_rule, len(files), mismatches


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _row(name: str, counts: Counter[str]) -> dict[str, object]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        "name": name,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
    }


def _fmt(value: object) -> str:
    return "—" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--by-rule", action="store_true", help="also break the figures down per rule")
    args = parser.parse_args(argv)

    by_cwe, by_rule, files, mismatches = score()
    total: Counter[str] = Counter()
    for counts in by_cwe.values():
        total.update(counts)
    cwe_rows = [_row(name, by_cwe[name]) for name in sorted(by_cwe, key=lambda c: (len(c), c))]
    rule_rows = [_row(name, by_rule[name]) for name in sorted(by_rule)]
    overall = _row("overall", total)
    if args.json:
        print(
            json.dumps(
                {
                    "files": files,
                    "by_cwe": cwe_rows,
                    "by_rule": rule_rows,
                    "overall": overall,
                    "mismatches": mismatches,
                },
                indent=2,
            )
        )
        return 0
    print(f"labelled fixture files: {files}")
    sections = [("CWE", cwe_rows)] + ([("rule", rule_rows)] if args.by_rule else [])
    for title, rows in sections:
        print(f"\n{title:<10} {'TP':>5} {'FP':>5} {'FN':>5} {'precision':>10} {'recall':>8}")
        for row in [*rows, overall]:
            print(
                f"{row['name']:<10} {row['tp']:>5} {row['fp']:>5} {row['fn']:>5} "
                f"{_fmt(row['precision']):>10} {_fmt(row['recall']):>8}"
            )
    if mismatches:
        print("\nmismatches:")
        for line in mismatches:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
