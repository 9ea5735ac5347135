"""What the taint rules cost: the CPython standard library with and without them, beside Bandit.

Three measurements per run, side by side, repeated ``--runs`` times (medians reported):

* ``all rules``    — ``analyze_path`` on every ``*.py`` file with the default configuration;
* ``no taint``     — the same with ``Config(ignore=("SR8",))``;
* ``taint only``   — ``Config(select=("SR8",))``, and ``no rules`` (parse, facts, pipeline
  only): their difference is the taint engine's own cost, with less noise than the first two;
* ``bandit``       — ``bandit -r -q <dir>`` as a subprocess (one process, report to /dev/null),
  where ``<dir>`` holds links to exactly the files we analyze (``*.py`` outside site-packages);

plus the ``ast.parse`` floor (parsing every file once). Ours runs in a single process.
Times are CPU seconds (user + system, Bandit's as a child process), so other load on the
machine disturbs them less than wall-clock time.

Usage: ``python benchmarks/taint_timing.py [--tree DIR] [--runs 3] [--bandit-runs N] [--stride 1]
[--no-bandit] [--json]``
(``--stride N`` analyzes every N-th file, for a quick look; Bandit then gets the same files).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from secreview_ls.config import Config  # noqa: E402
from secreview_ls.pipeline import analyze_path  # noqa: E402

DEFAULT_TREE = Path("/root/.pyenv/versions/3.11.7/lib/python3.11")
DEFAULT_BANDIT = ROOT / ".venv" / "bin" / "bandit"


def python_files(tree: Path, stride: int) -> list[Path]:
    files = sorted(p for p in tree.rglob("*.py") if "site-packages" not in p.parts)
    return files[::stride]


def clock() -> float:
    """CPU seconds of this process and its finished children (steadier than wall time on a busy machine)."""
    own = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + children.ru_utime + children.ru_stime


def time_ours(files: list[Path], config: Config) -> tuple[float, int]:
    start = clock()
    findings = 0
    for path in files:
        findings += len(analyze_path(path, config).findings)
    return clock() - start, findings


def time_parse(files: list[Path]) -> float:
    texts = []
    for path in files:
        try:
            texts.append(path.read_bytes())
        except OSError:
            continue
    start = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in texts:
            try:
                ast.parse(data)
            except (SyntaxError, ValueError, RecursionError):
                pass
    return clock() - start


def bandit_target(tree: Path, files: list[Path]) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    """A temporary tree of links to exactly the files we analyze (the interpreter's tree also holds
    ``site-packages``, which Bandit's own walk would include)."""
    holder = tempfile.TemporaryDirectory(prefix="taint-timing-")
    base = Path(holder.name)
    for path in files:
        target = base / path.relative_to(tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(path, target)
    return base, holder


def time_bandit(bandit: str, target: Path) -> float:
    start = clock()
    subprocess.run([bandit, "-r", "-q", str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return clock() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--bandit", default=str(DEFAULT_BANDIT) if DEFAULT_BANDIT.exists() else shutil.which("bandit"))
    parser.add_argument("--no-bandit", action="store_true")
    parser.add_argument("--bandit-runs", type=int, default=None, help="Bandit repetitions (default: --runs)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    files = python_files(args.tree, max(args.stride, 1))
    use_bandit = bool(args.bandit) and not args.no_bandit
    target, holder = bandit_target(args.tree, files) if use_bandit else (args.tree, None)
    all_rules = Config()
    without_taint = Config(ignore=("SR8",))
    taint_only = Config(select=("SR8",))
    no_rules = Config(select=("SR000",))
    samples: dict[str, list[float]] = {
        "parse": [], "all": [], "no_taint": [], "taint_only": [], "no_rules": [], "bandit": []
    }  # fmt: skip
    counts: dict[str, int] = {}
    for path in files[:20]:  # warm up: rule modules imported, caches filled
        analyze_path(path, all_rules)
    try:
        for run in range(args.runs):
            samples["parse"].append(time_parse(files))
            elapsed, counts["all"] = time_ours(files, all_rules)
            samples["all"].append(elapsed)
            elapsed, counts["no_taint"] = time_ours(files, without_taint)
            samples["no_taint"].append(elapsed)
            elapsed, counts["taint_only"] = time_ours(files, taint_only)
            samples["taint_only"].append(elapsed)
            samples["no_rules"].append(time_ours(files, no_rules)[0])
            bandit_runs = args.runs if args.bandit_runs is None else args.bandit_runs
            if use_bandit and run < bandit_runs:
                samples["bandit"].append(time_bandit(args.bandit, target))
            if not args.json:
                line = ", ".join(f"{k} {v[-1]:.2f}s" for k, v in samples.items() if v)
                print(f"run {run + 1}: {line}", file=sys.stderr)
    finally:
        if holder is not None:
            holder.cleanup()

    medians = {k: statistics.median(v) for k, v in samples.items() if v}
    taint_cost = medians["all"] - medians["no_taint"]
    engine_cost = medians["taint_only"] - medians["no_rules"]
    report = {
        "tree": str(args.tree),
        "files": len(files),
        "runs": args.runs,
        "bandit_runs": len(samples["bandit"]),
        "median_cpu_seconds": {k: round(v, 3) for k, v in medians.items()},
        "taint_seconds": round(taint_cost, 3),
        "taint_share_of_all": round(taint_cost / medians["all"], 3) if medians["all"] else None,
        "taint_vs_parse": round(taint_cost / medians["parse"], 3) if medians["parse"] else None,
        "taint_engine_seconds": round(engine_cost, 3),
        "taint_engine_vs_parse": round(engine_cost / medians["parse"], 3) if medians["parse"] else None,
        "all_vs_bandit": round(medians["all"] / medians["bandit"], 3) if "bandit" in medians else None,
        "findings": counts,
        "bandit_command": f"{args.bandit} -r -q <directory of links to the same {len(files)} files>"
        if use_bandit
        else None,
        "ours": "analyze_path per file, one process",
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{len(files)} files under {args.tree}, {args.runs} runs, median CPU seconds:")
    print(f"  ast.parse floor      {medians['parse']:8.2f} s")
    print(f"  all rules            {medians['all']:8.2f} s   ({counts['all']} findings)")
    print(f"  without taint (SR8)  {medians['no_taint']:8.2f} s   ({counts['no_taint']} findings)")
    print(
        f"  taint rules cost     {taint_cost:8.2f} s   = {report['taint_share_of_all']:.1%} of all, "
        f"{report['taint_vs_parse']:.2f}x the parse floor"
    )
    print(f"  SR8 only             {medians['taint_only']:8.2f} s   ({counts['taint_only']} findings)")
    print(f"  no rules (pipeline)  {medians['no_rules']:8.2f} s")
    print(f"  taint engine alone   {engine_cost:8.2f} s   = {report['taint_engine_vs_parse']:.2f}x the parse floor")
    if "bandit" in medians:
        print(
            f"  bandit -r -q         {medians['bandit']:8.2f} s   (all rules / bandit = {report['all_vs_bandit']:.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
