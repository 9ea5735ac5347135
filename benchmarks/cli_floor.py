"""``secreview check`` cold and warm against the single-process parse floor, Ruff and Bandit.

    python benchmarks/cli_floor.py [--tree DIR ...] [--runs 3] [--jobs 2] [--json]

For each tree (by default the running Python's ``Lib`` and Django 5.1.4 unpacked under
``~/.cache/secreview/triage``), in one run, side by side:

- floor: read and ``ast.parse`` every file ``secreview check`` analyzes, in this process;
- cold: ``secreview check TREE --no-cache -j JOBS -f json`` (wall and CPU of all processes);
- summaries: ``secreview check`` after deleting the result cache of an earlier run but not its
  summary cache: every file analyzed again, the modules they import not parsed again;
- warm: a second ``secreview check`` with the result and summary caches of a first run;
- ``ruff check --select S --no-cache TREE`` and, when installed, ``bandit -r -q TREE`` (in
  the first ``--bandit-runs`` runs only: it takes minutes on the standard library).

secreview's modules are compiled to bytecode first, as an installed package has them (an
editable install under ``PYTHONDONTWRITEBYTECODE`` would compile every module at each start);
``--no-bytecode`` leaves them as they are. Each is run ``--runs`` times; medians, ratios to the floor (wall) and the peak RSS of the
largest process of each command are printed. The JSON reports of cold, summaries and warm are
compared: the findings must be the same.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import json
import os
import statistics
import sys
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

from cli_vs_bandit import scanned_files, timed, tool  # the same scan set, timing and tool lookup

DJANGO = Path.home() / ".cache" / "secreview" / "triage" / "Django-5.1.4"


def parse_floor(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds to read and parse every file once in this process."""
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            try:
                ast.parse(path.read_bytes(), filename=str(path))
            except (SyntaxError, ValueError, OSError):
                pass
    return time.perf_counter() - start, time.process_time() - cpu


def compile_package() -> None:
    """Write the bytecode of the ``secreview_ls`` that ``python -m secreview_ls.cli`` imports."""
    import secreview_ls

    compileall.compile_dir(Path(secreview_ls.__file__).parent, quiet=1)


def secreview(tree: Path, jobs: int, *extra: str) -> list[str]:
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
        *extra,
    ]


def findings_of(report: Path) -> list[object]:
    """The findings of a JSON report, in a form that compares across runs."""
    data = json.loads(report.read_text(encoding="utf-8"))
    return data.get("findings", data) if isinstance(data, dict) else data


def measure(tree: Path, runs: int, jobs: int, bandit_runs: int) -> dict[str, object]:
    files = scanned_files(tree)
    parse_floor(files)  # the page cache warmed, untimed
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    rss: dict[str, int] = {}
    same: list[bool] = []
    ruff, bandit = tool("ruff"), tool("bandit") if bandit_runs else None

    def record(name: str, figures: tuple[float, int, int, float]) -> None:
        elapsed, _code, peak, used = figures
        wall.setdefault(name, []).append(elapsed)
        cpu.setdefault(name, []).append(used)
        rss[name] = max(rss.get(name, 0), peak)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        env = {**os.environ, "SECREVIEW_CACHE_DIR": str(folder / "unused")}
        for index in range(runs):
            floor_wall, floor_cpu = parse_floor(files)
            wall.setdefault("parse floor", []).append(floor_wall)
            cpu.setdefault("parse floor", []).append(floor_cpu)
            rss["parse floor"] = 0
            cache = folder / f"cache-{index}"
            reports = {name: folder / f"{name}-{index}.json" for name in ("cold", "first", "summaries", "warm")}
            record("cold", timed(secreview(tree, jobs, "--no-cache"), str(reports["cold"]), env))
            timed(secreview(tree, jobs, "--cache-dir", str(cache)), str(reports["first"]), env)
            summary_cache = (cache / "summaries").is_dir()
            if summary_cache:
                for results in cache.glob("results-*.json"):
                    results.unlink()
                record(
                    "summaries", timed(secreview(tree, jobs, "--cache-dir", str(cache)), str(reports["summaries"]), env)
                )
            record("warm", timed(secreview(tree, jobs, "--cache-dir", str(cache)), str(reports["warm"]), env))
            cold = findings_of(reports["cold"])
            compared = ("first", "summaries", "warm") if summary_cache else ("first", "warm")
            same.append(all(findings_of(reports[name]) == cold for name in compared))
            if ruff is not None:
                record("ruff", timed([ruff, "check", "--select", "S", "--no-cache", "--exit-zero", "-q", str(tree)]))
            if bandit is not None and index < bandit_runs:
                record("bandit", timed([bandit, "-r", "-q", "-f", "json", "-x", "site-packages", str(tree)]))
            print(
                f"{tree.name} run {index + 1}: "
                + ", ".join(f"{k} {v[index]:.2f}s" for k, v in wall.items() if len(v) > index),
                file=sys.stderr,
            )
    medians = {name: statistics.median(values) for name, values in wall.items()}
    floor = medians["parse floor"]
    return {
        "tree": str(tree),
        "files": len(files),
        "median_wall": medians,
        "median_cpu": {name: statistics.median(values) for name, values in cpu.items()},
        "wall_over_floor": {name: value / floor for name, value in medians.items()},
        "warm_over_cold": medians["warm"] / medians["cold"],
        "peak_rss_mib": {name: round(kib / 1024, 1) for name, kib in rss.items()},
        "all_wall": wall,
        "same_findings": same,
    }


def show(figures: dict[str, object]) -> None:
    wall, cpu, rss = figures["median_wall"], figures["median_cpu"], figures["peak_rss_mib"]
    ratio = figures["wall_over_floor"]
    print(f"\n{figures['tree']} ({figures['files']} files)")
    print(f"{'command':<14}{'wall s':>9}{'x floor':>9}{'CPU s':>9}{'peak MiB':>10}   wall s per run")
    for name, value in wall.items():  # type: ignore[union-attr]
        runs = " ".join(f"{v:.2f}" for v in figures["all_wall"][name])  # type: ignore[index]
        peak = rss.get(name) or "-"  # type: ignore[union-attr]
        print(f"{name:<14}{value:>9.2f}{ratio[name]:>9.2f}{cpu[name]:>9.2f}{peak:>10}   {runs}")  # type: ignore[index]
    print(
        f"warm / cold: {figures['warm_over_cold']:.1%}; same findings cold, first, summaries, warm: "
        f"{figures['same_findings']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, action="append", help="a tree to check (repeatable)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="secreview workers")
    parser.add_argument("--bandit-runs", type=int, default=1, help="runs that time Bandit too (0: none)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-bytecode", action="store_true", help="do not compile secreview's modules first")
    args = parser.parse_args(argv)
    if not args.no_bytecode:
        compile_package()
    trees = args.tree or [Path(sysconfig.get_paths()["stdlib"]), DJANGO]
    missing = [str(tree) for tree in trees if not tree.is_dir()]
    if missing:  # Django is fetched by ``benchmarks/triage/triage.py fetch``; any tree can be given
        parser.error(f"no such folder: {', '.join(missing)} (fetch it, or name the trees with --tree)")
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    every = [measure(tree.resolve(), args.runs, args.jobs, args.bandit_runs) for tree in trees]
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    if args.json:
        print(json.dumps(every, indent=2))
    else:
        for figures in every:
            show(figures)
    return 0 if all(all(f["same_findings"]) for f in every) else 1  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
