"""What the relevance pass's questions to the project index cost in a serial scan.

The relevance pass marks a function for interpretation when a project function it calls
returns a source; to know, it asks that function's summary (``Relevance.relevant``). This
runs ``secreview check TREE --no-cache -j 1`` in this process with those asks counted and
timed (CPU of this process), and prints:

- how many asks there were, how many named a project file, how many distinct functions
  and files they named, how many were answered yes (and by which functions);
- the CPU spent inside the asks (summaries worked out for them, with what they asked in
  turn; a summary worked out for an ask is kept and may serve the interpretation later) and
  the share of it taken by the costliest 10 / 100 / 500 functions asked;
- the modules parsed for them.

``--answer-no`` answers every ask "no" without asking (an experiment, not a sound change: a
function calling one that returns a source is then left out): with ``--report FILE`` its
findings can be compared with a normal run's.

    python benchmarks/relevance_asks.py [--answer-no] [--report FILE] [TREE]

Run it from a folder without a ``secreview_ls/`` in it, with ``PYTHONPATH`` naming the tree to
measure.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DJANGO = Path.home() / ".cache" / "secreview" / "triage" / "Django-5.1.4"


class _Counting:
    """Stands for the project index in ``Relevance.relevant``: counts and times each ask."""

    def __init__(self, project: Any, tally: _Tally) -> None:
        self.project = project
        self.tally = tally

    def function_summary(self, qualname: str, spec: Any, from_path: str) -> Any:
        tally = self.tally
        target = self.project._target(qualname, from_path)
        key = (str(target[0][0]), target[1]) if target is not None else None
        tally.asks += 1
        if key is not None:
            tally.count[key] += 1
        if tally.answer_no:
            return None
        parsed, start = self.project.parsed, time.process_time()
        summary = self.project.function_summary(qualname, spec, from_path)
        if key is not None:
            tally.cpu[key] += time.process_time() - start
            tally.parsed += self.project.parsed - parsed
            if summary is not None and summary.returns_source:
                tally.yes[key] += 1
        return summary


class _Tally:
    def __init__(self, answer_no: bool) -> None:
        self.answer_no = answer_no
        self.asks = 0
        self.parsed = 0
        self.cpu: collections.Counter[tuple[str, str]] = collections.Counter()
        self.count: collections.Counter[tuple[str, str]] = collections.Counter()
        self.yes: collections.Counter[tuple[str, str]] = collections.Counter()


def _counted(tally: _Tally) -> None:
    """Route the relevance pass's asks through ``_Counting``."""
    from secreview_ls.engine.taint import relevance

    original = relevance.Relevance.relevant

    def relevant(self: Any, kept: Any = None) -> Any:
        if self.project is not None and not isinstance(self.project, _Counting):
            self.project = _Counting(self.project, tally)
        return original(self, kept)

    relevance.Relevance.relevant = relevant  # type: ignore[method-assign]


def _print(tally: _Tally, total_cpu: float, tree: Path) -> None:
    named = sum(tally.count.values())
    files = {path for path, _ in tally.count}
    print(
        f"asks: {tally.asks:,}; naming a project file: {named:,} ({len(tally.count):,} functions, {len(files)} files)"
    )
    if tally.answer_no:
        print(f"every ask answered no; CPU of the run {total_cpu:.2f} s")
        return
    print(f"answered yes: {sum(tally.yes.values())} ({len(tally.yes)} functions)")
    for (path, name), times in tally.yes.most_common():
        print(f"  {times:4d}  {os.path.relpath(path, tree)}  {name}")
    spent = sum(tally.cpu.values())
    print(f"CPU inside the asks: {spent:.2f} s of {total_cpu:.2f} s ({spent / total_cpu:.1%}); parses: {tally.parsed}")
    ranked = [cpu for _, cpu in tally.cpu.most_common()]
    for top in (10, 100, 500):
        print(f"  the costliest {top}: {sum(ranked[:top]) / spent:.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, default=DJANGO)
    parser.add_argument("--answer-no", action="store_true", help="answer every ask no (an experiment)")
    parser.add_argument("--report", type=Path, help="write the JSON report there")
    args = parser.parse_args()
    tally = _Tally(args.answer_no)
    _counted(tally)
    from secreview_ls.cli import main as cli_main

    report = args.report or Path(tempfile.mkstemp(suffix=".json")[1])
    command = ["check", "--no-cache", "-j", "1", "-f", "json", "-o", str(report), str(args.tree)]
    start = time.process_time()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
        cli_main(command)
    _print(tally, time.process_time() - start, args.tree.resolve())
    if args.report is None:
        report.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
