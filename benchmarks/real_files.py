"""Open and keystroke cost on big real files, against ``ast.parse`` (the floor) and Ruff (the peer).

For each file (by default CPython's ``_pydecimal.py``, ``tkinter/__init__.py`` and the
largest ``test/test_*.py``, all mostly one class): the CPU time of

* ``ast.parse`` of the file (the floor);
* opening it: the first ``IncrementalAnalyzer.analyze`` (what the editor's open publishes);
* a keystroke inside a method of the largest class: one character typed then removed,
  alternately, each a new version analyzed incrementally;
* Ruff on the same text (``ruff check --select S`` from stdin, one process per run, so its
  figure includes the process start: a generous peer), when ``ruff`` is installed.

Figures are CPU-time medians measured side by side in one run (the machine is shared), and
the ratios are printed. The cross-module index is the one the server builds for the file's
folder unless ``--no-project``.

    python benchmarks/real_files.py [--runs 7] [--no-project] [FILE ...]
"""

from __future__ import annotations

import argparse
import ast
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import IncrementalAnalyzer


def default_files() -> list[Path]:
    lib = Path(sysconfig.get_paths()["stdlib"])
    tests = sorted((lib / "test").glob("test_*.py"), key=lambda p: p.stat().st_size)
    return [lib / "_pydecimal.py", lib / "tkinter" / "__init__.py", *tests[-1:]]


def cpu(action: Callable[..., object], *args: object) -> float:
    """CPU seconds ``action(*args)`` takes in this process."""
    started = time.process_time()
    action(*args)
    return time.process_time() - started


def child_cpu(action: Callable[[], object]) -> float:
    """CPU seconds of the child processes ``action`` waits for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    action()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def method_line(text: str) -> int:
    """The 0-based line inside the middle method of the largest class, where the edit goes."""
    tree = ast.parse(text)
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    largest = max(classes, key=lambda c: (c.end_lineno or c.lineno) - c.lineno)
    methods = [n for n in largest.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.body]
    method = methods[len(methods) // 2]
    return method.body[-1].lineno - 1


def edited(lines: list[str], at: int, version: int) -> str:
    """The text with a harmless character added at the end of line ``at`` on odd versions."""
    if version % 2 == 0:
        return "".join(lines)
    changed = list(lines)
    changed[at] = changed[at].rstrip("\n") + "  # x\n"
    return "".join(changed)


def ruff_runner(text: str, path: Path) -> Callable[[], object] | None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        return None
    command = [ruff, "check", "--no-cache", "--select", "S", "--exit-zero", "--quiet", "--stdin-filename", str(path), "-"]
    return lambda: subprocess.run(command, input=text.encode(), capture_output=True, check=False)


def measure(path: Path, runs: int, project: ProjectIndex | None, config: Config) -> dict[str, float]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = method_line(text)
    opens, prepares, keys, floors, ruffs = [], [], [], [], []
    ruff = ruff_runner(text, path)
    for _ in range(runs):
        floors.append(cpu(ast.parse, text))
        analyzer = IncrementalAnalyzer(str(path), config, project=project)
        opens.append(cpu(analyzer.analyze, text))
        if hasattr(analyzer, "prepare"):
            prepares.append(cpu(analyzer.prepare))  # after the first publish, off the open's path
        analyzer.analyze(edited(lines, at, 1))
        for version in range(2, 6):
            current = edited(lines, at, version)
            keys.append(cpu(analyzer.analyze, current))
        if ruff is not None:
            ruffs.append(child_cpu(ruff))
    figures = {
        "lines": len(lines),
        "parse": statistics.median(floors),
        "open": statistics.median(opens),
        "key": statistics.median(keys),
        "prepare": statistics.median(prepares) if prepares else 0.0,
    }
    if ruffs:
        figures["ruff"] = statistics.median(ruffs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-project", action="store_true", help="no cross-module index")
    args = parser.parse_args()
    files = args.files or default_files()
    print(f"{'file':34} {'lines':>6} {'parse':>8} {'open':>8} {'open/parse':>10} {'key':>8} {'ruff':>8} {'key/ruff':>8}")
    for path in files:
        config = Config()
        started = time.process_time()
        project = None if args.no_project else ProjectIndex([path.parent])
        index_cpu = time.process_time() - started
        f = measure(path, args.runs, project, config)
        ruff = f.get("ruff")
        ruff_text = f"{ruff * 1e3:6.1f}ms" if ruff else "     n/a"
        ratio_text = f"{f['key'] / ruff:7.1f}x" if ruff else "n/a"
        print(
            f"{path.parent.name + '/' + path.name:34} {int(f['lines']):>6} {f['parse'] * 1e3:>6.1f}ms {f['open'] * 1e3:>6.0f}ms"
            f" {f['open'] / f['parse']:>9.1f}x {f['key'] * 1e3:>6.1f}ms"
            f" {ruff_text:>8} {ratio_text:>8}"
            f"   (caches after open {f['prepare'] * 1e3:.0f}ms, index {index_cpu:.2f}s)"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
