"""Keystroke-to-diagnostics latency of the language server, and its memory.

Drives the real server (``python -m secreview_ls``) over stdio like an editor:
opens a generated Flask/Django-style module of 2,000 and of 10,000 lines, then
sends edits one at a time and measures from ``textDocument/didChange`` to the
``textDocument/publishDiagnostics`` carrying that version arriving at the client
(debounce set to 0, so the figures are the analysis and the protocol, nothing
else); a second figure adds the time this Python client then takes to turn the
notification's JSON into objects, which is the client's cost. Edits are a
mix of what typing does: a character inside a line, a new line, a deleted line,
and an unfinished call (a syntax error) completed by the next keystroke. Then
200 documents are opened and the server's resident memory is read from
``/proc/PID/status``. The open is also given as the server's CPU time from ``didOpen`` to the
diagnostics (read from ``/proc``, in clock ticks), which the machine's load moves less.

Side by side in the same run, ``ruff server`` (S rules selected; ``--no-ruff`` leaves it out)
gets the same open and the same edit sequence on the same module, and the ratios of the two
servers' medians and p95 are printed: wall clock (``didChange`` to ``publishDiagnostics``
arriving), and each server's CPU per edit read from ``/proc`` (clock ticks of 10 ms, so the
per-edit median and p95 are coarse; the mean is the total over the edits divided by their number).

``--project DIR`` measures memory on a real project instead: the workspace root is ``DIR``,
``--documents`` of its Python files (spread evenly over the sorted list, skipping tests and
files over 200 kB) are opened, and once every one has its diagnostics and the server has been
idle a few seconds its resident memory is read; then the same for ``ruff server`` (S rules
selected) in the same run when ``ruff`` is installed (``--no-ruff`` skips it).

    python benchmarks/lsp_latency.py [--edits 60] [--sizes 2000 10000] [--documents 200] [--no-ruff]
    python benchmarks/lsp_latency.py --project ~/src/django [--documents 200]
"""

from __future__ import annotations

import argparse
import asyncio
import keyword
import os
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import LanguageServerProtocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from lsp.realistic import generate  # noqa: E402

TIMEOUT = 120.0
RUFF_OPTIONS: dict[str, Any] = {"settings": {"lint": {"select": ["S"]}}}  # Ruff's security rules
AnyClient = TypeVar("AnyClient", bound=LanguageClient)


class TimingProtocol(LanguageServerProtocol):
    """Notes when each diagnostics notification arrives, before this client turns its JSON into
    objects (which, for hundreds of diagnostics, takes a Python client tens of milliseconds)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            params = data.get("params") or {}
            self._server.arrived.setdefault(params.get("uri"), {})[params.get("version")] = time.perf_counter()  # type: ignore[attr-defined]
        result = data.get("result")
        if isinstance(result, dict) and isinstance(result.get("capabilities"), dict):
            # Ruff's notebook selector is a shape this client cannot turn into objects; unused here.
            result["capabilities"].pop("notebookDocumentSync", None)
        return super().structure_message(data)


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("secreview-latency", "1", protocol_cls=TimingProtocol)
        self.arrived: dict[str, dict[int | None, float]] = {}
        self.published: dict[str, dict[int | None, float]] = {}
        self.waiters: dict[tuple[str, int | None], asyncio.Future[float]] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(ls: Client, params: types.PublishDiagnosticsParams) -> None:
            now = time.perf_counter()
            ls.published.setdefault(params.uri, {})[params.version] = now
            waiter = ls.waiters.pop((params.uri, params.version), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(now)

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def log_message(ls: Client, params: types.LogMessageParams) -> None:
            pass

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(ls: Client, params: types.ConfigurationParams) -> list[Any]:
            return [{"debounce": 0} for _ in params.items]

        @self.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(ls: Client, params: types.RegistrationParams) -> None:
            pass

    def expect(self, uri: str, version: int | None) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        seen = self.published.get(uri, {}).get(version)
        if seen is not None:
            future.set_result(seen)
        else:
            self.waiters[(uri, version)] = future
        return future


def change_between(old: str, new: str) -> types.TextDocumentContentChangePartial:
    """The one incremental change that turns ``old`` into ``new`` (what an editor sends)."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1

    def position(offset: int) -> types.Position:
        line = old.count("\n", 0, offset)
        start = old.rfind("\n", 0, offset) + 1
        return types.Position(line=line, character=len(old[start:offset].encode("utf-16-le")) // 2)

    return types.TextDocumentContentChangePartial(
        range=types.Range(start=position(prefix), end=position(len(old) - suffix)),
        text=new[prefix : len(new) - suffix],
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def edits_for(text: str, count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, new full text) for successive edits; each new text is the next version."""
    rng = random.Random(seed)
    versions: list[tuple[str, str]] = []
    lines = text.splitlines(True)
    bodies = [
        i
        for i, line in enumerate(lines)
        if line.startswith("    ") and line.strip() and not line.strip().startswith(("@", "def ", "class ", '"""', "#"))
    ]
    inserted: int | None = None
    while len(versions) < count:
        roll = rng.random()
        if inserted is not None and roll < 0.25:
            del lines[inserted]
            inserted = None
            versions.append(("delete line", "".join(lines)))
        elif roll < 0.2 and inserted is None:
            index = rng.choice(bodies)
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            lines.insert(index, f"{indent}log.debug('checkpoint %s', {rng.randint(1, 99)})\n")
            inserted = index
            versions.append(("new line", "".join(lines)))
        elif roll < 0.3 and inserted is None:
            index = rng.choice(bodies)
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            lines.insert(index, f"{indent}log.debug(\n")
            versions.append(("syntax error", "".join(lines)))
            lines[index] = f"{indent}log.debug('done')\n"
            inserted = index
            versions.append(("error fixed", "".join(lines)))
        else:
            index = rng.choice(bodies)
            line = lines[index]
            # Type one character into an identifier or a string: stays valid Python.
            positions = [
                match.start() + 1
                for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_]+", line)
                if not keyword.iskeyword(match.group()) and match.group() not in ("self", "cls")
            ]
            if not positions:
                continue
            where = rng.choice(positions)
            lines[index] = line[:where] + rng.choice("abcdefghij") + line[where:]
            versions.append(("type a character", "".join(lines)))
    return versions[:count]


async def latency(
    client: Client, root: Path, size: int, edits: int, seed: int, pid: int | None = None
) -> dict[str, Any]:
    text = generate(size, seed=seed)
    path = root / f"service_{size}.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    if pid is not None:
        await quiet(pid)  # the idle collection after the last document closed is over
    ticks = cpu_ticks(pid) if pid is not None else 0
    started = time.perf_counter()
    first = client.expect(uri, 1)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )
    opened = await asyncio.wait_for(first, TIMEOUT) - started
    # the server's CPU from didOpen to the diagnostics arriving (clock ticks: 10 ms steps)
    open_cpu = (cpu_ticks(pid) - ticks) / os.sysconf("SC_CLK_TCK") if pid is not None else None
    samples: dict[str, list[float]] = {}
    decoded: list[float] = []
    cpu: list[float] = []  # the server's CPU seconds per edit (clock ticks)
    tick = os.sysconf("SC_CLK_TCK")
    version = 1
    current = text
    for kind, new_text in edits_for(text, edits, seed):
        version += 1
        change = change_between(current, new_text)
        current = new_text
        waiter = client.expect(uri, version)
        ticks = cpu_ticks(pid) if pid is not None else 0
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )
        done = await asyncio.wait_for(waiter, TIMEOUT)
        samples.setdefault(kind, []).append(client.arrived[uri][version] - sent)
        decoded.append(done - sent)
        if pid is not None:
            cpu.append((cpu_ticks(pid) - ticks) / tick)
        await asyncio.sleep(0.02)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    every = [s for values in samples.values() for s in values]
    return {
        "size": size,
        "open": opened,
        "open cpu": open_cpu,
        "all": every,
        "kinds": samples,
        "decoded": decoded,
        "cpu": cpu,
    }


async def memory(client: Client, root: Path, documents: int) -> tuple[float, float]:
    pid = client._server.pid  # type: ignore[union-attr]
    before = rss_mb(pid)
    waits = []
    for index in range(documents):
        text = generate(300 + (index % 7) * 60, seed=1000 + index)
        path = root / "many" / f"module_{index:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = path.as_uri()
        waits.append(client.expect(uri, 1))
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
    await asyncio.wait_for(asyncio.gather(*waits), TIMEOUT * 4)
    await asyncio.sleep(0.5)
    return before, rss_mb(pid)


def project_files(root: Path, count: int) -> list[Path]:
    """``count`` Python files of the project, spread evenly over its sorted list (tests and
    files over 200 kB left out: an editor has application code open)."""
    files = sorted(
        path
        for path in root.rglob("*.py")
        if not {"tests", "test", ".venv", "node_modules"} & set(path.relative_to(root).parts)
        and path.stat().st_size <= 200_000
    )
    if len(files) <= count:
        return files
    step = len(files) / count
    return [files[int(index * step)] for index in range(count)]


def cpu_ticks(pid: int) -> int:
    """CPU time the process has used (user + system, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


async def quiet(pid: int, settle: float = 3.0, limit: float = 300.0) -> None:
    """Wait until the process has used no CPU for a second (work left after the last
    notification is done), then ``settle`` seconds more (the server collects garbage when idle)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    last = cpu_ticks(pid)
    while loop.time() < deadline:
        await asyncio.sleep(1.0)
        now = cpu_ticks(pid)
        if now == last:
            break
        last = now
    await asyncio.sleep(settle)


async def started_client(command: list[str], root: Path, name: str, options: dict[str, Any]) -> Client:
    """Start ``command`` and initialize it on workspace ``root`` as an editor with related
    information and versioned diagnostics would."""
    return await initialized(Client(), command, root, name, options)


async def initialized(
    client: AnyClient, command: list[str], root: Path, name: str, options: dict[str, Any]
) -> AnyClient:
    """Start ``command`` as ``client``'s server and initialize it on workspace ``root`` (the
    set-up ``started_client`` does, for a client of another class: ``soak.py``'s)."""
    await client.start_io(*command)
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(configuration=True),
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True
            )
        ),
    )
    await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=name)],
            initialization_options=options,
        )
    )
    client.initialized(types.InitializedParams())
    return client


async def project_memory(
    command: list[str], root: Path, files: list[Path], options: dict[str, Any]
) -> dict[str, float]:
    """Start ``command`` on workspace ``root``, open ``files``, wait for each one's diagnostics
    and for the server to go idle; its RSS before and after, and the seconds it took."""
    client = await started_client(command, root, root.name, options)
    pid = client._server.pid  # type: ignore[union-attr]
    await quiet(pid, settle=1.0)
    before = rss_mb(pid)
    started = time.perf_counter()
    waits = []
    for path in files:
        uri = path.as_uri()
        waits.append(client.expect(uri, 1))
        text = path.read_text(encoding="utf-8", errors="replace")
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
    await asyncio.wait_for(asyncio.gather(*waits), TIMEOUT * 10)
    published = time.perf_counter() - started
    await quiet(pid)
    after = rss_mb(pid)
    peak = peak_mb(pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"before": before, "after": after, "peak": peak, "seconds": published}


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def project_main(args: argparse.Namespace) -> None:
    root = args.project.expanduser().resolve()
    files = project_files(root, args.documents)
    lines = sum(len(path.read_text(encoding="utf-8", errors="replace").splitlines()) for path in files)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{root}: {len(files)} files opened ({lines:,} lines); load average {' '.join(load)}")
    servers = [("secreview-ls", [sys.executable, "-m", "secreview_ls"], {"debounce": 0})]
    ruff = None if args.no_ruff else ruff_executable()
    if ruff is not None:
        servers.append(("ruff server (S rules)", [ruff, "server"], RUFF_OPTIONS))
    print(f"| {'server':<22} | {'RSS ready MB':>12} | {'RSS open MB':>11} | {'peak MB':>8} | {'all published s':>15} |")
    print(f"|{'-' * 24}|{'-' * 14}|{'-' * 13}|{'-' * 10}|{'-' * 17}|")
    for label, command, options in servers:
        figures = await project_memory(command, root, files, options)
        print(
            f"| {label:<22} | {figures['before']:>12.0f} | {figures['after']:>11.0f} | {figures['peak']:>8.0f}"
            f" | {figures['seconds']:>15.1f} |"
        )
        sys.stdout.flush()


def ruff_executable() -> str | None:
    """``ruff`` next to this interpreter, else on ``PATH``."""
    return shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def row(label: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"| {label:<28} | {len(ms):>4} | {statistics.median(ms):>8.1f} | {percentile(ms, 0.95):>8.1f} | {max(ms):>8.1f} |"


async def main_async(args: argparse.Namespace) -> None:
    await run_server(args, ignore=[], label="all rules", memory_too=True)
    if args.compare_without_taint:
        await run_server(args, ignore=["SR8"], label="without the taint rules (SR8xx)", memory_too=False)


async def run_server(args: argparse.Namespace, *, ignore: list[str], label: str, memory_too: bool) -> None:
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="secreview-latency-"))
    (root / "pyproject.toml").write_text(f"[tool.secreview]\nignore = {ignore!r}\n", encoding="utf-8")
    command = [sys.executable, "-m", "secreview_ls", *(["--log-level", "info"] if args.verbose else [])]
    client = await started_client(command, root, "bench", {"debounce": 0})
    pid = client._server.pid  # type: ignore[union-attr]
    print(f"\n{label}: server pid {pid}; debounce 0 ms (the default 150 ms comes on top in an editor)")
    results = []
    for size in args.sizes:
        results.append(await latency(client, root, size, args.edits, seed=size, pid=pid))
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average {load} after the edits")
    print()
    print(f"| {'didChange → publishDiagnostics':<28} | {'n':>4} | {'median ms':>8} | {'p95 ms':>8} | {'max ms':>8} |")
    print(f"|{'-' * 30}|{'-' * 6}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for result in results:
        print(row(f"{result['size']:,} lines, all edits", result["all"]))
        for kind, values in sorted(result["kinds"].items()):
            print(row(f"  {kind}", values))
        print(row("  …then decoded by pygls", result["decoded"]))
    for result in results:
        cpu = result["open cpu"]
        print(
            f"open + first analysis of {result['size']:,} lines: {result['open'] * 1000:.0f} ms"
            + (f" (server CPU {cpu * 1000:.0f} ms)" if cpu is not None else "")
        )
    if memory_too and args.documents:
        before, after = await memory(client, root, args.documents)
        print(f"RSS: {before:.0f} MB before, {after:.0f} MB with {args.documents} open documents (300–660 lines each)")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    ruff = None if args.no_ruff or not memory_too else ruff_executable()
    if ruff is not None:
        await compare_with_ruff(ruff, root, args, results)


async def compare_with_ruff(ruff: str, root: Path, args: argparse.Namespace, ours: list[dict[str, Any]]) -> None:
    """The same open and edits of the same modules sent to ``ruff server`` (S rules), and the
    ratios of our figures to its: wall clock and server CPU per edit, median and p95."""
    client = await started_client([ruff, "server"], root, "bench", RUFF_OPTIONS)
    pid = client._server.pid  # type: ignore[union-attr]
    theirs = [await latency(client, root, size, args.edits, seed=size, pid=pid) for size in args.sizes]
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nruff server (S rules) on the same modules and edits, pid {pid}; load average {load}")
    heads = ("ours med", "Ruff med", "ratio", "ours p95", "Ruff p95", "ratio")
    print(f"| {'edit figure, ms':<28} | " + " | ".join(f"{h:>{6 if h == 'ratio' else 8}}" for h in heads) + " |")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 10}|{'-' * 8}|{'-' * 10}|{'-' * 10}|{'-' * 8}|")
    for mine, peer in zip(ours, theirs, strict=True):
        size = f"{mine['size']:,} lines"
        print(ratio_row(f"{size}, wall", mine["all"], peer["all"]))
        if mine["cpu"] and peer["cpu"]:
            print(ratio_row(f"{size}, server CPU", mine["cpu"], peer["cpu"]))
            mean_ours, mean_ruff = statistics.fmean(mine["cpu"]) * 1000, statistics.fmean(peer["cpu"]) * 1000
            mean_ratio = ratio(mean_ours, mean_ruff)
            print(f"| {'  CPU mean per edit':<28} | {mean_ours:>8.1f} | {mean_ruff:>8.1f} | {mean_ratio:>6} |")
    for mine, peer in zip(ours, theirs, strict=True):
        cpu = ""
        if peer["open cpu"] is not None:
            cpu = f"; server CPU {mine['open cpu'] * 1000:.0f} / {peer['open cpu'] * 1000:.0f} ms"
        wall = f"ours {mine['open'] * 1000:.0f} ms, Ruff {peer['open'] * 1000:.0f} ms (wall)"
        print(f"open of {mine['size']:,} lines: {wall}{cpu}")


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.1f}x" if denominator else "n/a"


def ratio_row(label: str, ours: list[float], theirs: list[float]) -> str:
    """Medians and p95 of two servers' figures (seconds) in ms, with their ratios."""
    med_a, med_b = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    p95_a, p95_b = percentile(ours, 0.95) * 1000, percentile(theirs, 0.95) * 1000
    return (
        f"| {label:<28} | {med_a:>8.1f} | {med_b:>8.1f} | {ratio(med_a, med_b):>6} |"
        f" {p95_a:>8.1f} | {p95_b:>8.1f} | {ratio(p95_a, p95_b):>6} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=60)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument(
        "--project", type=Path, help="measure memory with files of this project open (its folder is the workspace)"
    )
    parser.add_argument("--no-ruff", action="store_true", help="leave out ruff server")
    parser.add_argument("--verbose", action="store_true", help="server logs each analysis on stderr")
    parser.add_argument(
        "--compare-without-taint",
        action="store_true",
        help="a second run with the SR8xx rules ignored, to show their share",
    )
    args = parser.parse_args()
    asyncio.run(project_main(args) if args.project else main_async(args))


if __name__ == "__main__":
    main()
