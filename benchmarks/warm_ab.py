"""A warm ``secreview check`` (nothing changed since the last run) of this checkout against
another version of secreview, interleaved in one run.

    python benchmarks/warm_ab.py --base DIR [--tree DIR ...] [--runs 7] [--jobs 2]

``--base`` is a folder holding another version's ``secreview_ls`` package (for example
``git archive REV secreview_ls | tar -x -C DIR``), imported through ``PYTHONPATH``; so is
``--this`` (by default this checkout; a copy keeps the figures steady while the code is edited).
For each tree (by default the running Python's ``Lib`` and Django 5.1.4 under
``~/.cache/secreview/triage``), each version first fills a result cache of its own, then
both are run ``--runs`` times in turn on their warm cache. Medians of wall and CPU seconds are
printed with the load average, and the JSON reports of the two versions must hold the same
findings.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import sys
import sysconfig
import tempfile
from pathlib import Path

from cli_floor import DJANGO, compile_package, findings_of
from cli_vs_bandit import timed

REPO = Path(__file__).resolve().parents[1]


def command(tree: Path, jobs: int, cache: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "secreview_ls.cli",
        "check",
        str(tree),
        "-f",
        "json",
        "--exit-zero",
        "--no-progress",
        "-q",
        "--jobs",
        str(jobs),
        "--cache-dir",
        str(cache),
    ]


def measure(tree: Path, base: Path, this: Path, runs: int, jobs: int) -> dict[str, object]:
    versions = {"base": base, "this": this}
    wall: dict[str, list[float]] = {name: [] for name in versions}
    cpu: dict[str, list[float]] = {name: [] for name in versions}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        envs = {name: {**os.environ, "PYTHONPATH": str(where)} for name, where in versions.items()}
        reports = {name: folder / f"{name}.json" for name in versions}
        for name in versions:  # fill each version's cache (its first run analyzes every file)
            timed(command(tree, jobs, folder / f"cache-{name}"), str(reports[name]), envs[name])
        for _ in range(runs):
            for name in versions:
                elapsed, _code, _rss, used = timed(
                    command(tree, jobs, folder / f"cache-{name}"), str(reports[name]), envs[name]
                )
                wall[name].append(elapsed)
                cpu[name].append(used)
        same = findings_of(reports["base"]) == findings_of(reports["this"])
    return {
        "tree": str(tree),
        "median_wall": {name: statistics.median(values) for name, values in wall.items()},
        "median_cpu": {name: statistics.median(values) for name, values in cpu.items()},
        "all_wall": wall,
        "same_findings": same,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="folder holding the other version's secreview_ls")
    parser.add_argument("--this", type=Path, default=REPO, help="folder holding the version measured (this checkout)")
    parser.add_argument("--tree", type=Path, action="append", help="a tree to check (repeatable)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    compile_package()
    for version in (args.base, args.this):
        compileall.compile_dir(version / "secreview_ls", quiet=1)
    trees = args.tree or [Path(sysconfig.get_paths()["stdlib"]), DJANGO]
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    every = [measure(tree.resolve(), args.base.resolve(), args.this.resolve(), args.runs, args.jobs) for tree in trees]
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    if args.json:
        print(json.dumps(every, indent=2))
    for figures in every:
        wall, cpu = figures["median_wall"], figures["median_cpu"]
        print(f"\n{figures['tree']}: warm, medians of {args.runs} runs; same findings: {figures['same_findings']}")
        for name in ("base", "this"):
            runs = " ".join(f"{v:.2f}" for v in figures["all_wall"][name])  # type: ignore[index]
            print(f"  {name:<5} wall {wall[name]:.3f} s  CPU {cpu[name]:.3f} s   ({runs})")  # type: ignore[index]
    return 0 if all(f["same_findings"] for f in every) else 1


if __name__ == "__main__":
    sys.exit(main())
