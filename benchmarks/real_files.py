"""Open and keystroke cost on big real files, against ``ast.parse`` (the floor) and Ruff (the peer).

For each file (by default CPython's ``_pydecimal.py``, ``tkinter/__init__.py`` and the
largest ``test/test_*.py``, plus Django's ``db/models/query.py`` and SQLAlchemy's
``orm/session.py`` when the releases are unpacked under ``~/.cache/secreview/triage/``;
all mostly one class): the CPU time of

* ``ast.parse`` of the file (the floor);
* opening it: the first ``IncrementalAnalyzer.analyze`` (what the editor's open publishes);
* a keystroke inside a method of the largest class: a short comment typed at the end of its
  last statement then removed, alternately, each a new version analyzed incrementally
  (``--edit line``: a statement line inserted before that statement then deleted;
  ``--edit paste``: 50 lines of statements pasted there then removed; ``--edit broken``: a
  statement left unfinished there, ``value =``, a syntax error as typing makes them with an
  editor closing brackets and quotes by itself; ``--edit unclosed``: ``value = len(``, a
  bracket left open as typing without that makes them);

and, side by side in the same run, Ruff with the S rules selected:

* ``ruff server`` over stdio (the peer an editor user meets): the time from ``didOpen`` and
  from each ``didChange`` (the same edits, sent as an editor sends them) to the
  ``publishDiagnostics`` of that version, wall clock, protocol included;
* ``ruff check --select S`` from stdin, one process per run (its figure includes the
  process start), CPU time.

Like the server, the heap is frozen before each measured step (the server freezes what is
alive after each analysis), and each analysis freezes what it leaves as it ends
(``freeze_after_analyses``, as the server sets it). Figures are medians measured side by side in one run (the
machine is shared), and the ratios are printed. The cross-module index is the one the
server builds for the file's folder unless ``--no-project``. The analysis runs on the allocator
the environment chooses, as the server's does (``lsp/allocator.py``): Python's own unless
``PYTHONMALLOC=malloc`` (glibc's, 20-35 % more CPU per edit) is set.

    python benchmarks/real_files.py [--runs 7] [--no-project] [--no-ruff] [--edit key|line|paste|broken|unclosed]
        [--method middle|first] [FILE ...]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import gc
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsp_latency import change_between, cpu_ticks, started_client  # type: ignore[import-not-found]
from lsprotocol import types

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.lsp.allocator import VARIABLE
from secreview_ls.pipeline import IncrementalAnalyzer
from secreview_ls.pipeline.collection import freeze_after_analyses

TRIAGE = Path.home() / ".cache" / "secreview" / "triage"
PROJECT_FILES = ("Django-5.1.4/django/db/models/query.py", "sqlalchemy-2.0.36/lib/sqlalchemy/orm/session.py")


def default_files() -> list[Path]:
    lib = Path(sysconfig.get_paths()["stdlib"])
    tests = sorted((lib / "test").glob("test_*.py"), key=lambda p: p.stat().st_size)
    projects = [TRIAGE / name for name in PROJECT_FILES if (TRIAGE / name).is_file()]
    return [lib / "_pydecimal.py", lib / "tkinter" / "__init__.py", *tests[-1:], *projects]


def ruff_executable() -> str | None:
    return shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


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


def statement_line(text: str, where: str = "middle") -> int:
    """Like ``method_line``, for edits that insert lines: the 0-based line of the last statement
    of the middle (``where``: or the first) method of the largest class among those whose last
    statement starts its own line (not a stub's ``...`` after the signature), nearest it."""
    tree = ast.parse(text)
    lines = text.splitlines()
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    largest = max(classes, key=lambda c: (c.end_lineno or c.lineno) - c.lineno)
    methods = [n for n in largest.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.body]
    middle = len(methods) // 2 if where == "middle" else 0

    def own_line(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        last = method.body[-1]
        return not lines[last.lineno - 1][: last.col_offset].strip()

    method = min((m for m in methods if own_line(m)), key=lambda m: abs(methods.index(m) - middle))
    return method.body[-1].lineno - 1


def method_line(text: str, where: str = "middle") -> int:
    """The 0-based line inside the middle (``where``: or the first) method of the largest class,
    where the edit goes."""
    tree = ast.parse(text)
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    largest = max(classes, key=lambda c: (c.end_lineno or c.lineno) - c.lineno)
    methods = [n for n in largest.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.body]
    method = methods[len(methods) // 2 if where == "middle" else 0]
    return method.body[-1].lineno - 1


EDITS = ("key", "line", "paste", "broken", "unclosed")
UNFINISHED = {"broken": "value =", "unclosed": "value = len("}  # statements typed halfway
PASTED_LINES = 50


def edited(lines: list[str], at: int, version: int, kind: str = "key") -> str:
    """The text on even versions; on odd ones, edited at line ``at`` (the last statement of a
    method): ``key``, a comment typed at the end of the line; ``line``, a statement inserted
    before it (removed on the next version); ``paste``, 50 lines of statements inserted there;
    ``broken`` and ``unclosed``, an unfinished statement (``UNFINISHED``) inserted before it."""
    if version % 2 == 0:
        return "".join(lines)
    changed = list(lines)
    line = changed[at]
    if kind == "key":
        changed[at] = line.rstrip("\n") + "  # x\n"
        return "".join(changed)
    indent = line[: len(line) - len(line.lstrip())]
    if kind in UNFINISHED:
        return "".join([*changed[:at], f"{indent}{UNFINISHED[kind]}\n", *changed[at:]])
    count = 1 if kind == "line" else PASTED_LINES
    inserted = [f"{indent}part_{n} = len(str({n})) + {n}\n" for n in range(count)]
    return "".join([*changed[:at], *inserted, *changed[at:]])


def ruff_runner(text: str, path: Path) -> Callable[[], object] | None:
    ruff = ruff_executable()
    if ruff is None:
        return None
    command = [
        ruff,
        "check",
        "--no-cache",
        "--select",
        "S",
        "--exit-zero",
        "--quiet",
        "--stdin-filename",
        str(path),
        "-",
    ]
    return lambda: subprocess.run(command, input=text.encode(), capture_output=True, check=False)


RUFF_SERVER_OPTIONS = {"settings": {"lint": {"select": ["S"]}}}
TIMEOUT = 120.0


async def ruff_server_times(versions: list[str], path: Path) -> tuple[float, list[float], float, int]:
    """``ruff server`` on ``path``'s folder: seconds from ``didOpen`` of ``versions[0]`` to its
    diagnostics, and from each ``didChange`` to the next version to that version's (wall
    clock); the server's CPU seconds per change (its total over the changes, read from
    ``/proc``, divided by their number); and how many diagnostics the open published (S rules
    selected: not zero on files with something to say)."""
    ruff = ruff_executable()
    assert ruff is not None
    client = await started_client([ruff, "server"], path.parent, path.parent.name, RUFF_SERVER_OPTIONS)
    counts: dict[int | None, int] = {}

    protocol = client.protocol
    structure = protocol.structure_message

    def counting(data: dict[str, Any]) -> Any:
        if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            params = data.get("params") or {}
            counts[params.get("version")] = len(params.get("diagnostics") or ())
        return structure(data)

    protocol.structure_message = counting  # type: ignore[method-assign]

    uri = path.as_uri()
    waiter = client.expect(uri, 1)
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=versions[0])
        )
    )
    await asyncio.wait_for(waiter, TIMEOUT)
    opened = client.arrived[uri][1] - started
    pid = client._server.pid  # type: ignore[union-attr]
    await asyncio.sleep(0.5)
    ticks = cpu_ticks(pid)
    keys = []
    for number, (old, new) in enumerate(itertools.pairwise(versions), start=2):
        await asyncio.sleep(0.02)
        change = types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=number),
            content_changes=[change_between(old, new)],  # worked out before the clock starts
        )
        waiter = client.expect(uri, number)
        sent = time.perf_counter()
        client.text_document_did_change(change)
        await asyncio.wait_for(waiter, TIMEOUT)
        keys.append(client.arrived[uri][number] - sent)  # before this client decodes the message
    busy = (cpu_ticks(pid) - ticks) / os.sysconf("SC_CLK_TCK") / max(len(keys), 1)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return opened, keys, busy, counts.get(1, 0)


def measure(
    path: Path,
    runs: int,
    project: ProjectIndex | None,
    config: Config,
    *,
    ruff_too: bool,
    kind: str = "key",
    where: str = "middle",
) -> dict[str, float]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = method_line(text, where) if kind == "key" else statement_line(text, where)
    opens, prepares, keys, floors, ruffs = [], [], [], [], []
    ruff = ruff_runner(text, path) if ruff_too else None
    for _ in range(runs):
        gc.collect()
        gc.freeze()  # as the server does after each analysis
        floors.append(cpu(ast.parse, text))
        analyzer = IncrementalAnalyzer(str(path), config, project=project)
        opens.append(cpu(analyzer.analyze, text))
        if hasattr(analyzer, "prepare"):
            prepares.append(cpu(analyzer.prepare))  # after the first publish, off the open's path
        analyzer.analyze(edited(lines, at, 1, kind))
        for version in range(2, 6):
            current = edited(lines, at, version, kind)
            gc.freeze()
            keys.append(cpu(analyzer.analyze, current))
        if ruff is not None:
            ruffs.append(child_cpu(ruff))
        del analyzer
        gc.unfreeze()
    figures = {
        "lines": len(lines),
        "parse": statistics.median(floors),
        "open": statistics.median(opens),
        "key": statistics.median(keys),
        "prepare": statistics.median(prepares) if prepares else 0.0,
    }
    if ruffs:
        figures["ruff"] = statistics.median(ruffs)
    if ruff is not None:
        versions = [edited(lines, at, version, kind) for version in range(4 * runs + 2)]
        opened, server_keys, busy, published = asyncio.run(ruff_server_times(versions, path))
        figures["server open"] = opened
        figures["server key"] = statistics.median(server_keys)
        figures["server key cpu"] = busy
        figures["server diagnostics"] = published
    return figures


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1e3:.1f}ms"


def ratio(numerator: float, denominator: float | None) -> str:
    return "n/a" if not denominator else f"{numerator / denominator:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-project", action="store_true", help="no cross-module index")
    parser.add_argument("--no-ruff", action="store_true", help="leave out Ruff (server and command line)")
    parser.add_argument(
        "--edit",
        choices=EDITS,
        default="key",
        help="the change measured (column key): a comment typed at the end of a line (key), a statement line"
        f" inserted and deleted (line), {PASTED_LINES} lines of statements pasted and removed (paste), an"
        " unfinished statement inserted and removed: `value =` (broken), `value = len(` (unclosed)",
    )
    parser.add_argument(
        "--method",
        choices=("middle", "first"),
        default="middle",
        help="the method of the largest class edited: the middle one, or the first (below the class header)",
    )
    args = parser.parse_args()
    freeze_after_analyses()  # as the server does
    files = args.files or default_files()
    ruff_too = not args.no_ruff and ruff_executable() is not None
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "n/a"
    print(
        f"CPU medians of {args.runs} runs; Ruff's server: its CPU per change (mean, srv cpu), and the wall clock"
        f" from didChange (srv wall, median) or didOpen (srv open) to publishDiagnostics; edit: {args.edit} in the {args.method} method; allocator {os.environ.get(VARIABLE) or 'pymalloc'}; load {load}"
    )
    columns = (
        "lines",
        "parse",
        "open",
        "open/parse",
        "key",
        "srv cpu",
        "key/srv",
        "srv wall",
        "srv open",
        "ruff cli",
        "key/cli",
    )
    print(f"{'file':34} " + " ".join(f"{c:>10}" for c in columns))
    for path in files:
        config = Config()
        started = time.process_time()
        project = None if args.no_project else ProjectIndex([path.parent])
        index_cpu = time.process_time() - started
        f = measure(path, args.runs, project, config, ruff_too=ruff_too, kind=args.edit, where=args.method)
        cells = (
            str(int(f["lines"])),
            ms(f["parse"]),
            ms(f["open"]),
            ratio(f["open"], f["parse"]),
            ms(f["key"]),
            ms(f.get("server key cpu")),
            ratio(f["key"], f.get("server key cpu")),
            ms(f.get("server key")),
            ms(f.get("server open")),
            ms(f.get("ruff")),
            ratio(f["key"], f.get("ruff")),
        )
        print(
            f"{path.parent.name + '/' + path.name:34} "
            + " ".join(f"{c:>10}" for c in cells)
            + f"   (caches after open {f['prepare'] * 1e3:.0f}ms, index {index_cpu:.2f}s"
            + (f", Ruff's server published {int(f['server diagnostics'])} diagnostics on open)" if ruff_too else ")")
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
