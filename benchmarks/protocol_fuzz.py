"""Send the same hostile JSON-RPC frames to several Python language servers and count what
each one survives.

The frames come from the protocol fuzz test's generator (tests/lsp/protocol_frames.py),
drawn from one seed, so every server gets the same cases in the same order: broken headers,
short/long/huge Content-Length, bodies that are not JSON or not objects, wrong parameter
types, unknown methods, lifecycle messages out of order, cancel storms. After each case the
client checks that the server still publishes diagnostics for a document it reopens and
answers a hover. A server that exits is restarted; one that stops answering (10 s) is
killed and restarted.

    python benchmarks/protocol_fuzz.py [--cases 300] [--seed 2026] [--server ruff ...]

Servers: ours (``python -m secreview_ls``), Ruff's (``ruff server``) and pylsp
(``python-lsp-server``) when installed next to this interpreter or on PATH. Per server it
prints: cases and frames sent, cases survived, cases after which it published no
diagnostics but still answered, exits with a non-zero code (crashes, or refusals by exiting),
exits it was asked for (``shutdown``/``exit`` cases), and hangs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from lsp.protocol_frames import HOVER_AT, Fuzzer  # noqa: E402
from lsp.rawclient import RawServer, hover_params  # noqa: E402

PROBE = "import os\nimport yaml\n\n\ndef load(text):\n    return yaml.load(text)\n"
PROBE_TIMEOUT = 10.0
SEND_TIMEOUT = 5.0


def commands() -> dict[str, list[str] | None]:
    """Each server's command line, or None when it is not installed."""
    here = Path(sys.executable).parent

    def find(name: str) -> str | None:
        local = here / name
        return str(local) if local.exists() else shutil.which(name)

    ruff, pylsp = find("ruff"), find("pylsp")
    return {
        "secreview-ls": [sys.executable, "-m", "secreview_ls"],
        "ruff": [ruff, "server"] if ruff else None,
        "pylsp": [pylsp] if pylsp else None,
    }


async def start(command: list[str], root: Path) -> RawServer:
    server = await RawServer.start(cwd=root, command=command)
    params: dict[str, Any] = {
        "processId": None,
        "rootUri": root.as_uri(),
        "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}, "hover": {}}},
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        "initializationOptions": {"debounce": 0},
    }
    answer = await server.call("initialize", params, timeout=60)
    if "result" not in answer:
        raise RuntimeError(f"{command}: initialize failed: {answer}")
    await server.notify("initialized", {})
    return server


async def probe(server: RawServer, uri: str, version: int) -> str:
    """'survived', 'no-diagnostics' (answered the hover only), or 'hung'/'exited'."""
    start = len(server.notifications)
    try:
        await server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        document = {"uri": uri, "languageId": "python", "version": version, "text": PROBE}
        await server.notify("textDocument/didOpen", {"textDocument": document})
        answered = await server.call("textDocument/hover", hover_params(uri, *HOVER_AT), timeout=PROBE_TIMEOUT)
        if "result" not in answered and "error" not in answered:
            return "hung"
        await server.notification(
            "textDocument/publishDiagnostics",
            lambda p: isinstance(p, dict) and p.get("uri") == uri and p.get("version") in (None, version),
            PROBE_TIMEOUT,
            start,
        )
        return "survived"
    except (BrokenPipeError, ConnectionResetError):
        return "exited"
    except AssertionError as error:
        if not server.alive:
            return "exited"
        return "no-diagnostics" if "publishDiagnostics" in str(error) else "hung"


async def send(server: RawServer, frames: list[bytes]) -> bool:
    """Write the frames; False when the server stopped reading (a full pipe) or is gone."""
    try:
        for data in frames:
            await asyncio.wait_for(server.send_bytes(data), SEND_TIMEOUT)
    except (BrokenPipeError, ConnectionResetError):
        return True  # gone: seen below as an exit
    except TimeoutError:
        return False
    return True


async def fuzz_server(name: str, command: list[str], cases: int, seed: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix=f"protocol-fuzz-{name}-"))
    (root / "pyproject.toml").write_text("[project]\nname = 'fuzz'\n", encoding="utf-8")
    fuzzer = Fuzzer(random.Random(seed), root)
    counts: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()  # the kind of case after which a server exited non-zero or hung
    server = await start(command, root)
    started = time.monotonic()
    version = 2_000_000  # above any version the fuzzed frames give the document
    for _ in range(cases):
        kind, frames = fuzzer.case()
        counts["cases"] += 1
        counts["frames"] += len(frames)
        reading = await send(server, frames)
        asked = kind in ("shutdown", "exit")
        if kind == "shutdown" and reading:
            await send(server, [b'Content-Length: 33\r\n\r\n{"jsonrpc":"2.0","method":"exit"}'])
        if asked:
            try:
                await server.exit_code(3)
            except TimeoutError:
                pass
        version += 1
        outcome = (
            "hung" if not reading else ("exited" if not server.alive else await probe(server, fuzzer.good, version))
        )
        if outcome == "exited":
            code = await server.exit_code(5)
            outcome = "exited as asked" if asked else ("exited non-zero" if code != 0 else "exited zero, unasked")
        counts[outcome] += 1
        if outcome in ("hung", "exited non-zero", "exited zero, unasked", "no-diagnostics"):
            by_kind[f"{outcome} after {kind}"] += 1
        if outcome != "survived" and outcome != "no-diagnostics":
            await server.stop()
            server = await start(command, root)
        fuzzer.expected.clear()
    await server.stop()
    shutil.rmtree(root, ignore_errors=True)
    return {"server": name, "counts": counts, "by_kind": by_kind, "seconds": time.monotonic() - started}


COLUMNS = [
    "cases",
    "frames",
    "survived",
    "no-diagnostics",
    "exited non-zero",
    "exited zero, unasked",
    "exited as asked",
    "hung",
]


def print_table(results: list[dict[str, Any]]) -> None:
    print("\n| server | " + " | ".join(COLUMNS) + " | seconds |")
    print("|---|" + "---:|" * (len(COLUMNS) + 1))
    for result in results:
        cells = " | ".join(f"{result['counts'].get(c, 0):,}" for c in COLUMNS)
        print(f"| {result['server']} | {cells} | {result['seconds']:.0f} |")
    for result in results:
        if result["by_kind"]:
            print(f"{result['server']}: " + ", ".join(f"{k}: {n}" for k, n in sorted(result["by_kind"].items())))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--server", action="append", choices=["secreview-ls", "ruff", "pylsp"], help="default: every installed one"
    )
    args = parser.parse_args()
    results = []
    for name, command in commands().items():
        if args.server and name not in args.server:
            continue
        if command is None:
            print(f"{name}: not installed, skipped")
            continue
        print(f"{name}: {' '.join(command)} ...", flush=True)
        results.append(asyncio.run(fuzz_server(name, command, args.cases, args.seed)))
        print_table(results[-1:])
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
