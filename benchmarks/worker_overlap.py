"""What the workers of a cold ``secreview check -j 2`` each work out, and how much of it twice.

    python benchmarks/worker_overlap.py [TREE] [--chunks guided|halves] [--report FILE]

Runs ``secreview check TREE --no-cache -j 2 -f json`` in this process (the workers are forked
from it, with the counting below in place) and prints, per worker: the CPU time of its chunks,
its peak RSS, the files its cross-module index parsed, and the summaries it asked of the index
(distinct file and name). Then, for the summaries both workers asked: how many one worker asked
after the other had asked it (by the wall clock of each one's first ask), and the inclusive CPU
those later first asks took (nested asks counted in each: an upper bound of what a store shared
while the scan runs could save, before its own reads and writes).

``--chunks halves`` hands each worker one contiguous half of the files (by bytes, in path order)
instead of the guided chunks: whether files kept together share more of what their worker works
out. The parent's CPU and the workers' summed CPU are printed at the end.

Run it from a folder without a ``secreview_ls/`` in it, with ``PYTHONPATH`` naming the tree to
measure.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DJANGO = Path.home() / ".cache" / "secreview" / "triage" / "Django-5.1.4"


def _halves(files: list[Path], jobs: int) -> list[list[Path]]:
    """Two contiguous runs of the files in path order, of about equal bytes."""
    ordered = sorted(files)
    sizes = [path.stat().st_size for path in ordered]
    half, taken = sum(sizes) / 2, 0
    for index, size in enumerate(sizes):
        taken += size
        if taken >= half:
            return [ordered[: index + 1], ordered[index + 1 :]]
    return [ordered]


def _instrument(folder: str, chunks: str) -> None:
    """Wrap the index's summary asks and the workers' chunks; each worker writes its tally to
    ``folder`` after each chunk (forked workers leave without running exit handlers)."""
    from secreview_ls.engine.taint import project
    from secreview_ls.pipeline import scan

    asks: dict[str, tuple[float, float]] = {}  # "path|name" → (wall at first ask, its inclusive CPU)
    summary = project.ProjectIndex._summary

    def counted(self: Any, path: Path, module: str, name: str, spec: Any) -> Any:
        wall, cpu = time.time(), time.process_time()
        try:
            return summary(self, path, module, name, spec)
        finally:
            asks.setdefault(f"{path}|{name}", (wall, time.process_time() - cpu))

    project.ProjectIndex._summary = counted  # type: ignore[method-assign]
    chunk = scan._analyze_chunk
    spent = [0.0]

    def timed_chunk(paths: list[Path]) -> Any:
        start = time.process_time()
        result = chunk(paths)
        spent[0] += time.process_time() - start
        index = scan._WORKER_STATE.get("project")
        tally = {
            "cpu": spent[0],
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "parsed": index.parsed if index is not None else 0,
            "asks": asks,
        }
        Path(folder, f"{os.getpid()}.json").write_text(json.dumps(tally))
        return result

    # Sent to the workers by reference: under the name of the function it stands for.
    timed_chunk.__module__, timed_chunk.__qualname__ = chunk.__module__, chunk.__qualname__
    scan._analyze_chunk = timed_chunk  # type: ignore[assignment]
    if chunks == "halves":
        scan._chunks = _halves  # type: ignore[assignment]


def _print(tallies: list[dict[str, Any]]) -> None:
    for number, tally in enumerate(tallies, 1):
        print(
            f"worker {number}: CPU {tally['cpu']:.2f} s, peak {tally['rss_mib']:.0f} MiB, "
            f"index parses {tally['parsed']}, summaries asked {len(tally['asks'])}"
        )
    if len(tallies) != 2:
        return
    first, second = (tally["asks"] for tally in tallies)
    both = set(first) & set(second)
    cpu = 0.0
    for key in both:
        (wall_a, cpu_a), (wall_b, cpu_b) = first[key], second[key]
        cpu += cpu_b if wall_a < wall_b else cpu_a  # the ask made after the other worker's
    print(f"asked by both: {len(both)}; inclusive CPU of the later first asks: {cpu:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, default=DJANGO)
    parser.add_argument("--chunks", choices=("guided", "halves"), default="guided")
    parser.add_argument("--report", type=Path, help="write the JSON report there")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="overlap-")
    _instrument(folder, args.chunks)
    from secreview_ls.cli import main as cli_main

    report = args.report or Path(folder, "report.json")
    command = ["check", "--no-cache", "-j", "2", "-f", "json", "--exit-zero", "-o", str(report), str(args.tree)]
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
        cli_main(command)
    wall = time.perf_counter() - start
    tallies = [json.loads(Path(name).read_text()) for name in sorted(glob.glob(os.path.join(folder, "*[0-9].json")))]
    _print(tallies)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"wall {wall:.2f} s; CPU: parent {time.process_time():.2f} s, "
        f"workers {children.ru_utime + children.ru_stime:.2f} s ({args.chunks} chunks)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
