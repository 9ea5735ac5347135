"""``secreview check --watch``: check once, then re-check files as they change.

The files the scan covers are polled every ``POLL_SECONDS`` (modification time and size;
no file-system notification library is needed). When some changed, the tree is checked again
through the result cache, so only the changed files and the files whose analysis used them
(callers of an edited module) are analyzed; the findings of the changed files, and of files
whose findings changed, are printed (with ``--no-cache``, the changed files alone are analyzed
again, with a fresh cross-module index), then the summary of the changed files and of the whole
project. The screen is cleared before each round only when standard output is a terminal.
Ctrl-C stops watching with exit status 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from .common import EXIT_CLEAN, UsageError

POLL_SECONDS = 0.5
CLEAR_SCREEN = "\x1b[2J\x1b[H"
WATCH_FORMATS = ("text", "concise")

Snapshot = dict[Path, tuple[int, int]]


def check_watch_arguments(args: argparse.Namespace) -> None:
    """Refuse the options that do not make sense for a report printed over and over."""
    if args.format not in WATCH_FORMATS:
        raise UsageError(f"--watch prints {' or '.join(WATCH_FORMATS)} reports, not {args.format}")
    for option, given in (
        ("--output", args.output),
        ("--statistics", args.statistics),
        ("--diff", args.diff),
        ("--shard", getattr(args, "shard", None)),
    ):
        if given:
            raise UsageError(f"--watch cannot be combined with {option}")
    if "-" in args.paths:
        raise UsageError("--watch watches files, not standard input")


def watch(
    args: argparse.Namespace,
    config: Any,
    run_scan: Callable[[argparse.Namespace], Any],
    show_notices: Callable[[Any], None],
    writer: Callable[..., str],
    *,
    color: bool,
    out: IO[str] | None = None,
    interval: float = POLL_SECONDS,
) -> int:
    """Run the first check, then poll; returns the exit status (0 after Ctrl-C)."""
    out = out or sys.stdout
    tty = _isatty(out)
    try:
        scan = run_scan(args)
        show_notices(scan)
        results = {result.path: result for result in scan.results}
        previous = _snapshot(_files(args, config))
        _write(out, writer(scan, color=color))
        _write(out, f"watching {len(previous)} files for changes (Ctrl-C to stop)\n")
        while True:
            time.sleep(interval)
            current = _snapshot(_files(args, config))
            changed = sorted(p for p, state in current.items() if previous.get(p) != state)
            removed = [p for p in previous if p not in current]
            previous = current
            if not changed and not removed:
                continue
            for path in removed:
                results.pop(str(path), None)
            if getattr(args, "no_cache", True):
                part = run_scan(_only(args, changed)) if changed else replace(scan, results=[], files_scanned=0)
                for result in part.results:
                    results[result.path] = result
            else:  # the whole tree through the result cache: callers of an edited module too
                part, results = _through_the_cache(run_scan(args), results, changed)
            show_notices(part)
            whole = replace(
                scan, results=sorted(results.values(), key=lambda r: r.path), files_scanned=len(results), notices=[]
            )
            if tty:
                out.write(CLEAR_SCREEN)
            _write(out, _round(part, whole, changed, removed, writer, color))
    except KeyboardInterrupt:
        sys.stderr.write("secreview: stopped watching\n")
        return EXIT_CLEAN


def _through_the_cache(fresh: Any, before: dict[str, Any], changed: Sequence[Path]) -> tuple[Any, dict[str, Any]]:
    """The files to show from a whole-tree scan: the changed ones and those whose findings
    changed (a caller of an edited module); and the new results of every file."""
    results = {result.path: result for result in fresh.results}
    edited = {str(path) for path in changed}

    def seen(result: Any) -> list[tuple[str, int, int, str]]:
        return (
            []
            if result is None
            else [(f.rule_id, f.span.start_line, f.span.start_col, f.message) for f in result.findings]
        )

    shown = [r for path, r in sorted(results.items()) if path in edited or seen(r) != seen(before.get(path))]
    return replace(fresh, results=shown, files_scanned=len(shown)), results


def _round(
    part: Any, whole: Any, changed: Sequence[Path], removed: Sequence[Path], writer: Callable[..., str], color: bool
) -> str:
    from ..reports.text import summary_lines

    names = [whole.relpath(p) for p in changed] + [f"{whole.relpath(p)} (removed)" for p in removed]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    lines = [f"[{time.strftime('%H:%M:%S')}] changed: {shown}", ""]
    if changed:
        lines.append(writer(part, color=color).rstrip("\n"))
    lines.append("in the whole project: " + summary_lines(whole, color=color)[0])
    return "\n".join(lines) + "\n"


def _files(args: argparse.Namespace, config: Any) -> list[Path]:
    from ..pipeline import discover_files

    found = discover_files(
        [Path(p) for p in args.paths if Path(p).exists()],
        config,
        gitignore=not args.no_gitignore,
        exclude=args.exclude,
        force_exclude=args.force_exclude,
    )
    return list(found.files)


def _snapshot(files: Sequence[Path]) -> Snapshot:
    states: Snapshot = {}
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        states[path] = (info.st_mtime_ns, info.st_size)
    return states


def _only(args: argparse.Namespace, files: Sequence[Path]) -> argparse.Namespace:
    """``args`` narrowed to ``files`` (already discovered, so excludes were applied)."""
    narrowed = argparse.Namespace(**vars(args))
    narrowed.paths = [str(p) for p in files]
    narrowed.no_progress = True
    return narrowed


def _write(out: IO[str], text: str) -> None:
    out.write(text)
    out.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
