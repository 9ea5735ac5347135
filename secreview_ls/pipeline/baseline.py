"""Baselines: accept today's findings, report only new ones.

A baseline file records each finding by its identity — the file's path
relative to the project root (POSIX) and ``Finding.fingerprint`` (rule +
enclosing definition + normalized statement + occurrence, no line numbers) —
so edits elsewhere in a file keep the baseline valid. Rule id and message are
stored beside it for people reading the file. The JSON is sorted and indented
so that it diffs well in review::

    {
      "findings": [
        {"fingerprint": "3f0c…", "message": "…", "path": "app/db.py", "reason": "…", "rule": "SR201"}
      ],
      "tool": "secreview",
      "version": 1
    }

API: ``load_baseline(path) -> Baseline``; ``Baseline.is_known(finding, relpath)``
(marks the entry as still present); ``Baseline.unmatched(paths)`` lists the
entries of those files that matched nothing (they can be removed);
``write_baseline(scan, path)`` / ``baseline_document(scan)`` create one;
``updated_baseline(old, scan, scanned)`` adds new findings and drops fixed ones while
keeping each remaining entry's fields (an optional ``reason`` string says why it is
accepted).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..engine.finding import Finding
from .report_file import write_text_safely

FORMAT_VERSION = 1
DEFAULT_BASELINE = ".secreview-baseline.json"


class ScannedFindings(Protocol):
    """What a baseline is made from: a scan's findings and its root-relative paths."""

    def findings(self) -> list[Finding]: ...

    def relpath(self, path: str | Path) -> str: ...


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a secreview baseline."""


@dataclass
class Baseline:
    """Known findings keyed by (relative path, fingerprint)."""

    entries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    source: Path | None = None
    _matched: set[tuple[str, str]] = field(default_factory=set)

    def is_known(self, finding: Finding, relpath: str) -> bool:
        """Whether ``finding`` (in the file at ``relpath``, POSIX, root-relative) is in the baseline."""
        key = (relpath, finding.fingerprint)
        if key in self.entries:
            self._matched.add(key)
            return True
        return False

    def unmatched(self, paths: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Entries not matched since the last ``reset`` (restricted to ``paths`` when given)."""
        wanted = set(paths) if paths is not None else None
        return [
            dict(entry)
            for key, entry in sorted(self.entries.items())
            if key not in self._matched and (wanted is None or key[0] in wanted)
        ]

    def reset(self) -> None:
        """Forget which entries matched (before another scan with the same baseline)."""
        self._matched.clear()

    def __len__(self) -> int:
        return len(self.entries)


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file; ``BaselineError`` with a clear message when it is unusable."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{source}: cannot read baseline: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{source}: not a valid JSON baseline: {error}") from None
    except RecursionError:
        raise BaselineError(f"{source}: not a valid JSON baseline: nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{source}: not a secreview baseline (no `findings` list)")
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise BaselineError(f"{source}: unsupported baseline version {version!r} (expected {FORMAT_VERSION})")
    baseline = Baseline(source=source)
    for index, entry in enumerate(data["findings"]):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("path"), str)
            or not isinstance(entry.get("fingerprint"), str)
        ):
            raise BaselineError(f"{source}: entry {index} needs string `path` and `fingerprint`")
        if not isinstance(entry.get("reason", ""), str):
            raise BaselineError(f"{source}: entry {index}: `reason` must be a string")
        baseline.entries[(entry["path"], entry["fingerprint"])] = entry
    return baseline


def entry_for(finding: Finding, relpath: str) -> dict[str, Any]:
    """The baseline entry recording ``finding``."""
    return {
        "fingerprint": finding.fingerprint,
        "message": finding.message,
        "path": relpath,
        "rule": finding.rule_id,
    }


def baseline_document(scan: ScannedFindings, reason: str | None = None) -> dict[str, Any]:
    """The baseline (as a JSON-ready dict) of every finding in ``scan``; ``reason`` is recorded
    on each entry when given."""
    entries = [entry_for(f, scan.relpath(f.path)) for f in scan.findings()]
    if reason:
        for entry in entries:
            entry["reason"] = reason
    return _document(entries)


def _document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    entries.sort(key=lambda e: (e["path"], e.get("rule", ""), e["fingerprint"]))
    return {"findings": entries, "tool": "secreview", "version": FORMAT_VERSION}


@dataclass
class BaselineChange:
    """A maintained baseline and what changed: entries added, kept and dropped."""

    document: dict[str, Any]
    added: int = 0
    kept: int = 0
    dropped: int = 0


def updated_baseline(
    old: Baseline, scan: ScannedFindings, scanned: Iterable[str], *, add: bool = True, reason: str | None = None
) -> BaselineChange:
    """``old`` brought up to date with ``scan``: findings it lacks are added (unless ``add`` is
    false, to prune only), entries of ``scanned`` files (root-relative) that no longer match
    are dropped, and entries of other files are kept as they are. An entry that still matches
    keeps every field it had (``reason`` and any other verdict); rule and message are refreshed."""
    in_scan = set(scanned)
    current = {(scan.relpath(f.path), f.fingerprint): f for f in scan.findings()}
    change = BaselineChange(document={})
    entries: list[dict[str, Any]] = []
    for key, entry in sorted(old.entries.items()):
        if key in current:
            entries.append({**entry, **entry_for(current[key], key[0])})
            change.kept += 1
        elif key[0] in in_scan:
            change.dropped += 1
        else:
            entries.append(dict(entry))
            change.kept += 1
    if add:
        for key, finding in current.items():
            if key not in old.entries:
                entry = entry_for(finding, key[0])
                if reason:
                    entry["reason"] = reason
                entries.append(entry)
                change.added += 1
    change.document = _document(entries)
    return change


def dumps(document: dict[str, Any]) -> str:
    """Stable, diff-friendly JSON text."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_baseline(scan: ScannedFindings, path: str | Path, reason: str | None = None) -> int:
    """Write the baseline of ``scan`` to ``path``; returns the number of entries."""
    document = baseline_document(scan, reason)
    write_text_safely(Path(path), dumps(document))
    return len(document["findings"])
