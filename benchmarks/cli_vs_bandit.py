"""Wall time of ``secreview check`` against Bandit and the ``ast.parse`` floor, side by side.

    python benchmarks/cli_vs_bandit.py [--tree DIR] [--runs 3] [--jobs 0] [--json]

On the CPython standard library by default (the interpreter's own ``Lib``):

- ``secreview check TREE -f sarif -o /dev/null`` on all cores (``--jobs``);
- ``bandit -r -q -f json TREE`` (Bandit is single-process);
- the floor: read and ``ast.parse`` every Python file once, in one process.

Each is run ``--runs`` times; medians and ratios are printed, with the peak
RSS of the largest process of each command. One more ``secreview`` run writes
its SARIF to a temporary file, which is validated against the SARIF 2.1.0
schema (tests/data/sarif-schema-2.1.0.json).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"

# Runs a command (stdout to the file named by the first argument) and prints the peak RSS (KiB)
# of its largest process on the last stderr line.
_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "with open(sys.argv[1], 'wb') as out:\n"
    "    code = subprocess.run(sys.argv[2:], stdout=out).returncode\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.write(f'\\nPEAK_RSS_KIB={usage.ru_maxrss}\\nCPU_SECONDS={usage.ru_utime + usage.ru_stime}\\n')\n"
    "sys.exit(code)\n"
)


def scanned_files(tree: Path) -> list[Path]:
    """The files ``secreview check`` analyzes in ``tree`` (default excludes, e.g. site-packages)."""
    sys.path.insert(0, str(REPO))
    from secreview_ls.config import discover
    from secreview_ls.pipeline.discovery import discover_files

    return discover_files([tree], discover(tree)).files


def parse_floor(files: list[Path]) -> tuple[float, int]:
    """Seconds to read and parse every file once; number of files that parsed."""
    parsed = 0
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            try:
                ast.parse(path.read_bytes(), filename=str(path))
                parsed += 1
            except (SyntaxError, ValueError, OSError):
                pass
    return time.perf_counter() - start, parsed


def timed(
    command: list[str], stdout: str = os.devnull, env: dict[str, str] | None = None
) -> tuple[float, int, int, float]:
    """Wall seconds, exit code, peak RSS (KiB) and CPU seconds (all processes) of ``command``."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _RSS_WRAPPER, stdout, *command], stderr=subprocess.PIPE, text=True, check=False, env=env
    )
    elapsed = time.perf_counter() - start
    rss, cpu = 0, 0.0
    for line in done.stderr.splitlines():
        if line.startswith("PEAK_RSS_KIB="):
            rss = int(line.split("=", 1)[1])
        elif line.startswith("CPU_SECONDS="):
            cpu = float(line.split("=", 1)[1])
    return elapsed, done.returncode, rss, cpu


def tool(name: str) -> str | None:
    """The command ``name`` installed beside this Python, else on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def bandit_command() -> list[str] | None:
    found = tool("bandit")
    return [found] if found else None


def secreview_command(tree: Path, jobs: int, output: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "secreview_ls.cli",
        "check",
        str(tree),
        "-f",
        "sarif",
        "-o",
        output,
        "--exit-zero",
        "--no-progress",
        "-q",
        "--jobs",
        str(jobs),
    ]


def validate_sarif(path: Path) -> tuple[bool, str, dict]:
    import jsonschema

    document = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = list(validator.iter_errors(document))
    run = document["runs"][0]
    facts = {
        "results": len(run["results"]),
        "rules": len(run["tool"]["driver"]["rules"]),
        "notifications": len(run["invocations"][0]["toolExecutionNotifications"]),
    }
    if errors:
        first = errors[0]
        return False, f"{len(errors)} schema errors, first: {list(first.path)}: {first.message}", facts
    return True, "valid against the SARIF 2.1.0 schema", facts


def _bandit_facts(report: Path) -> dict[str, int]:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        "results": len(data.get("results", [])),
        "files": len([k for k in data.get("metrics", {}) if k != "_totals"]),
        "errors": len(data.get("errors", [])),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="secreview workers (0: all cores)")
    parser.add_argument("--no-bandit", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    every = scanned_files(tree)
    files = [p for p in every if p.suffix == ".py"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"tree: {tree} ({len(every)} files for secreview, {len(files)} of them .py), {cores} cores, {args.runs} runs",
        file=sys.stderr,
    )

    parse_floor(files)  # warm the page cache, untimed
    times: dict[str, list[float]] = {"ast.parse floor": [], "secreview": [], "bandit": []}
    cpu: dict[str, list[float]] = {"ast.parse floor": [], "secreview": [], "bandit": []}
    rss: dict[str, int] = {}
    bandit = None if args.no_bandit else bandit_command()
    bandit_out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    bandit_facts: dict[str, int] = {}
    parsed = 0
    for index in range(args.runs):
        cpu_before = time.process_time()
        floor, parsed = parse_floor(files)
        times["ast.parse floor"].append(floor)
        cpu["ast.parse floor"].append(time.process_time() - cpu_before)
        elapsed, code, peak, used = timed(secreview_command(tree, args.jobs, os.devnull))
        if code != 0:
            print(f"secreview exited {code}", file=sys.stderr)
            return 1
        times["secreview"].append(elapsed)
        cpu["secreview"].append(used)
        rss["secreview"] = max(rss.get("secreview", 0), peak)
        if bandit is not None:
            # Bandit gets the same tree without site-packages (secreview's default exclude).
            elapsed, code, peak, used = timed(
                [*bandit, "-r", "-q", "-f", "json", "-x", "site-packages", str(tree)], bandit_out
            )
            if code not in (0, 1):
                print(f"bandit exited {code}", file=sys.stderr)
                bandit = None
            else:
                times["bandit"].append(elapsed)
                cpu["bandit"].append(used)
                rss["bandit"] = max(rss.get("bandit", 0), peak)
                bandit_facts = _bandit_facts(Path(bandit_out))
        print(f"run {index + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items() if v), file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        sarif_path = Path(tmp) / "stdlib.sarif"
        subprocess.run(secreview_command(tree, args.jobs, str(sarif_path)), check=True)
        valid, verdict, facts = validate_sarif(sarif_path)

    medians = {name: statistics.median(values) for name, values in times.items() if values}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items() if values}
    floor = medians["ast.parse floor"]
    figures = {
        "tree": str(tree),
        "python_files": len(files),
        "parsed_files": parsed,
        "cores": cores,
        "runs": args.runs,
        "median_seconds": medians,
        "median_cpu_seconds": cpu_medians,
        "all_seconds": times,
        "ratio_to_parse_floor": {name: value / floor for name, value in medians.items()},
        "peak_rss_mib": {name: round(kib / 1024, 1) for name, kib in rss.items()},
        "sarif": {"valid": valid, "verdict": verdict, **facts},
        "secreview_files": len(every),
        "bandit": bandit_facts,
    }
    os.unlink(bandit_out)
    if "bandit" in medians:
        figures["bandit_over_secreview"] = medians["bandit"] / medians["secreview"]
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"\n{'command':<18}{'median s':>10}{'x floor':>10}{'CPU s':>10}{'peak RSS MiB':>14}   wall s per run")
        for name, value in medians.items():
            peak = figures["peak_rss_mib"].get(name)
            runs = " ".join(f"{v:.2f}" for v in times[name])
            print(
                f"{name:<18}{value:>10.2f}{value / floor:>10.1f}{cpu_medians[name]:>10.1f}"
                f"{peak if peak is not None else '-':>14}   {runs}"
            )
        if "bandit" in medians:
            print(
                f"\nsecreview is {figures['bandit_over_secreview']:.2f}x the speed of bandit "
                f"(bandit median / secreview median)"
            )
        print(
            f"SARIF of the tree: {verdict}; {facts['results']} results, {facts['rules']} rules, "
            f"{facts['notifications']} notifications"
        )
        if bandit_facts:
            print(
                f"bandit: {bandit_facts.get('files')} files, {bandit_facts.get('results')} results, "
                f"{bandit_facts.get('errors')} errors; secreview: {len(every)} files "
                f"({len(files)} .py, {parsed} parse)"
            )
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
