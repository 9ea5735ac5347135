"""``secreview merge``: combine the reports of ``check --shard K/N`` jobs into one.

    secreview merge shard-1.sarif shard-2.sarif shard-3.sarif -o secreview.sarif
    secreview merge shard-*.json -o report.json

SARIF logs become one log with one run per tool: rules and CWE taxa de-duplicated and
re-indexed, artifacts rebuilt in the order the results reference them, results in path order,
invocations merged into one (successful only if every shard's was). JSON reports become one
report with findings in path order, counts and summary recomputed. Notices every shard made
(about the configuration or the file discovery, which each shard repeats) appear once.

Merging the N shard reports of a scan gives the report of the same scan run unsharded. The
reports must all be SARIF or all be JSON reports of this tool, written by the same version;
anything else is refused. Paths in the reports are relative to the project root, so shards
checked out in different directories merge; the merged report names the first one's root.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .common import EXIT_CLEAN, UsageError

Document = dict[str, Any]
SEVERITIES = ("high", "medium", "low")


def add_merge_parser(sub: Any) -> None:
    merge = sub.add_parser(
        "merge",
        help="combine the SARIF or JSON reports of sharded scans",
        description="Combine the reports of `secreview check --shard K/N` jobs (all SARIF or all JSON) into the "
        "report of the whole scan.",
    )
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="SARIF logs or JSON reports written by check")
    merge.add_argument("--output", "-o", metavar="FILE", help="write the merged report to FILE instead of stdout")


def cmd_merge(args: argparse.Namespace) -> int:
    from ..pipeline import write_text_safely

    documents = [(name, _load(name)) for name in args.reports]
    kinds = {name: _kind(name, data) for name, data in documents}
    if len(set(kinds.values())) > 1:
        listed = ", ".join(f"{name} ({kind})" for name, kind in kinds.items())
        raise UsageError(f"cannot merge reports of different formats: {listed}; give all SARIF or all JSON reports")
    versions = {name: _versions(data) for name, data in documents}
    if len({tuple(sorted(v.items())) for v in versions.values()}) > 1:
        listed = ", ".join(
            f"{name} ({', '.join(f'{t} {v}' for t, v in sorted(found.items()))})" for name, found in versions.items()
        )
        raise UsageError(f"cannot merge reports of different tool versions: {listed}")
    merged = merge_sarif if next(iter(kinds.values())) == "SARIF" else merge_json
    try:
        combined = merged([data for _, data in documents])
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UsageError(f"a report is not shaped as secreview writes it ({type(error).__name__}: {error})") from None
    text = json.dumps(combined, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            write_text_safely(Path(args.output), text)
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
        sys.stderr.write(f"merged {len(documents)} reports into {args.output}\n")
    else:
        sys.stdout.write(text)
    return EXIT_CLEAN


def _load(name: str) -> Document:
    try:
        with open(name, encoding="utf-8") as stream:
            data = json.load(stream)
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None
    except (ValueError, RecursionError) as error:
        raise UsageError(f"{name} is not a JSON document: {error}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{name} is not a SARIF log or a JSON report of secreview")
    return data


def _kind(name: str, data: Document) -> str:
    if isinstance(data.get("runs"), list) and data.get("version") == "2.1.0":
        return "SARIF"
    tool = data.get("tool")
    if isinstance(tool, dict) and tool.get("name") == "secreview" and isinstance(data.get("findings"), list):
        return "JSON"
    raise UsageError(f"{name} is not a SARIF log or a JSON report of secreview (statistics cannot be merged)")


def _versions(data: Document) -> dict[str, str]:
    """Tool name -> version of a report (every run's driver for SARIF)."""
    if "runs" in data:
        drivers = [run.get("tool", {}).get("driver", {}) for run in data["runs"] if isinstance(run, dict)]
        return {str(d.get("name")): str(d.get("version")) for d in drivers if isinstance(d, dict)}
    tool = data.get("tool") or {}
    return {str(tool.get("name")): str(tool.get("version"))}


# -- shared -----------------------------------------------------------------------------


def _merge_notices(groups: Sequence[Sequence[Any]], path_of: Callable[[Any], str]) -> list[Any]:
    """Notices every shard made once, in the first shard's order (configuration and discovery
    notices: each shard repeats them), then the others in path order (file notices: each file
    belongs to one shard, whose order is kept for the notices of that file)."""
    if len(groups) == 1:
        return list(groups[0])
    keyed = [[json.dumps(item, sort_keys=True) for item in group] for group in groups]
    common = set(keyed[0]).intersection(*keyed[1:])
    shared = [item for item, key in zip(groups[0], keyed[0], strict=True) if key in common]
    rest = [
        item
        for group, keys in zip(groups, keyed, strict=True)
        for item, key in zip(group, keys, strict=True)
        if key not in common
    ]
    return [*shared, *sorted(rest, key=path_of)]


# -- JSON reports -----------------------------------------------------------------------


def _finding_key(finding: Document) -> tuple[str, int, int, str]:
    span = finding.get("span") or {}
    return (
        str(finding.get("path", "")),
        int(span.get("start_line", 0)),
        int(span.get("start_col", 0)),
        str(finding.get("rule_id", "")),
    )


def merge_json(reports: Sequence[Document]) -> Document:
    """One JSON report from the reports of the shards of a scan."""
    first = reports[0]
    findings = sorted((f for r in reports for f in r.get("findings", ())), key=_finding_key)
    suppressed = sorted((f for r in reports for f in r.get("suppressed", ())), key=_finding_key)
    notices = _merge_notices([r.get("notices", []) for r in reports], lambda n: str(n.get("path") or ""))
    by_severity = Counter(str(f.get("severity")) for f in findings)
    incomplete = sorted({p for r in reports for p in r.get("summary", {}).get("not_fully_analyzed", ())})
    return {
        "tool": first.get("tool"),
        "root": first.get("root"),
        "files_scanned": sum(int(r.get("files_scanned", 0)) for r in reports),
        "summary": {
            "findings": len(findings),
            "files_with_findings": len({f.get("path") for f in findings}),
            "by_severity": {level: by_severity.get(level, 0) for level in SEVERITIES},
            "not_fully_analyzed": incomplete,
            "suppressed": len(suppressed),
        },
        "findings": findings,
        "suppressed": suppressed,
        "notices": notices,
        "baseline_fixed": sorted(
            (e for r in reports for e in r.get("baseline_fixed", ())), key=lambda e: str(e.get("path", ""))
        ),
        "baseline_hidden": sum(int(r.get("baseline_hidden", 0)) for r in reports),
        "diff_hidden": sum(int(r.get("diff_hidden", 0)) for r in reports),
        "diff_unchanged_files": sum(int(r.get("diff_unchanged_files", 0)) for r in reports),
        "diff_note": next((r["diff_note"] for r in reports if r.get("diff_note")), None),
    }


# -- SARIF ------------------------------------------------------------------------------


def merge_sarif(logs: Sequence[Document]) -> Document:
    """One SARIF log from the logs of the shards of a scan: one run per tool."""
    runs_by_tool: dict[str, list[Document]] = {}
    for log in logs:
        for run in log["runs"]:
            driver = run.get("tool", {}).get("driver", {})
            runs_by_tool.setdefault(str(driver.get("name", "")), []).append(run)
    return {
        "$schema": logs[0].get("$schema"),
        "version": "2.1.0",
        "runs": [_merge_runs(runs) for runs in runs_by_tool.values()],
    }


def _merge_runs(runs: Sequence[Document]) -> Document:
    merged: Document = json.loads(json.dumps(runs[0]))  # a deep copy keeps the first run's key order
    rules = _union_by_id(r["tool"]["driver"].get("rules", []) for r in runs)
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    taxonomies = _merge_taxonomies(runs)
    taxa_index = {t.get("guid"): {taxon["id"]: i for i, taxon in enumerate(t.get("taxa", []))} for t in taxonomies}
    for rule in rules:
        for relation in rule.get("relationships", ()):
            target = relation.get("target", {})
            component = target.get("toolComponent", {}).get("guid")
            if component in taxa_index and target.get("id") in taxa_index[component]:
                target["index"] = taxa_index[component][target["id"]]
    merged["tool"]["driver"]["rules"] = rules
    if "taxonomies" in merged:
        merged["taxonomies"] = taxonomies
    results = sorted((result for run in runs for result in run.get("results", ())), key=_result_key)
    for result in results:
        if result.get("ruleId") in rule_index:
            result["ruleIndex"] = rule_index[result["ruleId"]]
    merged["results"] = results
    invocations = [inv for run in runs for inv in run.get("invocations", ())]
    notifications = _merge_notices(
        [[n for inv in run.get("invocations", ()) for n in inv.get("toolExecutionNotifications", ())] for run in runs],
        _notification_path,
    )
    if invocations:
        invocation = dict(invocations[0])
        invocation["executionSuccessful"] = all(inv.get("executionSuccessful", True) for inv in invocations)
        invocation["toolExecutionNotifications"] = notifications
        merged["invocations"] = [invocation]
    if "artifacts" in merged:
        merged["artifacts"] = _reindex_artifacts(runs, [*results, *notifications])
    return merged


def _union_by_id(groups: Iterable[Iterable[Document]]) -> list[Document]:
    table: dict[str, Document] = {}
    for group in groups:
        for item in group:
            table.setdefault(str(item["id"]), json.loads(json.dumps(item)))
    return [table[key] for key in sorted(table)]


def _merge_taxonomies(runs: Sequence[Document]) -> list[Document]:
    merged: dict[str, Document] = {}
    for run in runs:
        for taxonomy in run.get("taxonomies", ()):
            key = str(taxonomy.get("guid") or taxonomy.get("name"))
            entry = merged.setdefault(key, {**json.loads(json.dumps(taxonomy)), "taxa": []})
            entry["taxa"].extend(taxonomy.get("taxa", ()))
    for entry in merged.values():
        entry["taxa"] = sorted(_union_by_id([entry["taxa"]]), key=lambda t: _numeric(str(t["id"])))
    return list(merged.values())


def _numeric(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (1 << 62, text)


def _location(result: Document) -> Document:
    locations = result.get("locations") or [{}]
    return dict(locations[0].get("physicalLocation") or {})


def _result_key(result: Document) -> tuple[str, int, int, str]:
    physical = _location(result)
    region = physical.get("region") or {}
    uri = str((physical.get("artifactLocation") or {}).get("uri", ""))
    return (
        _unquote(uri),
        int(region.get("startLine", 0)),
        int(region.get("startColumn", 0)),
        str(result.get("ruleId", "")),
    )


def _unquote(uri: str) -> str:
    from urllib.parse import unquote

    return unquote(uri)


def _notification_path(notification: Document) -> str:
    locations = notification.get("locations") or [{}]
    artifact = (locations[0].get("physicalLocation") or {}).get("artifactLocation") or {}
    return _unquote(str(artifact.get("uri", "")))


def _reindex_artifacts(runs: Sequence[Document], referrers: Sequence[Document]) -> list[Document]:
    """The artifact table in the order ``referrers`` first name each file, with every
    ``artifactLocation.index`` pointing into it."""
    known: dict[str, Document] = {}
    for run in runs:
        for artifact in run.get("artifacts", ()):
            uri = str(artifact.get("location", {}).get("uri", ""))
            known.setdefault(uri, artifact)
    table: list[Document] = []
    index: dict[str, int] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "artifactLocation" and isinstance(value, dict) and "uri" in value:
                    uri = str(value["uri"])
                    if uri not in index:
                        index[uri] = len(table)
                        table.append(known.get(uri) or {"location": {k: v for k, v in value.items() if k != "index"}})
                    value["index"] = index[uri]
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(list(referrers))
    return table
