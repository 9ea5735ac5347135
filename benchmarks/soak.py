"""Soak test of the language server: a long editing day against one server process.

Drives the real server (``python -m secreview_ls``) over stdio like an editor and sends
thousands of mixed edits: typing (inside identifiers, and random characters that break
the syntax), undo, line inserts and deletes, 500-line pastes (undone later), and edits to
the other open documents. Edits go out in bursts, as typing does; after each burst the
client waits for the diagnostics of the version it sent last. The server's resident memory
(``/proc/PID/status``) is sampled every ``--sample`` edits, and once more after every
document is closed. At the end, each document's last published diagnostics are compared
with those a fresh server publishes for the same final text.

Targets: RSS after warm-up flat within +10 %; back to the start level after every document
closes; identical findings.

    python benchmarks/soak.py [--edits 10000] [--sample 500] [--lines 2000] [--documents 3]

``--compare pylsp`` / ``--compare ruff`` runs the same edits against another Python language
server when it is installed (``pylsp`` or ``ruff server``), for memory only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from lsp.realistic import generate  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from lsp_latency import initialized, quiet, rss_mb  # noqa: E402

TIMEOUT = 300.0
SETTLE = 3.0  # seconds of idleness before a memory sample (the server collects garbage when idle)
QUIET_LIMIT = 120.0  # seconds to wait for the server to stop using CPU
PASTE_LINES = 500


class Client(LanguageClient):
    """Records the latest diagnostics of each document, with their version."""

    def __init__(self) -> None:
        super().__init__("secreview-soak", "1")
        self.published: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}
        self.waiters: dict[tuple[str, int | None], asyncio.Future[None]] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(ls: Client, params: types.PublishDiagnosticsParams) -> None:
            ls.published[params.uri] = (params.version, list(params.diagnostics))
            waiter = ls.waiters.pop((params.uri, params.version), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def log_message(ls: Client, params: types.LogMessageParams) -> None:
            pass

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(ls: Client, params: types.ConfigurationParams) -> list[Any]:
            return [{"debounce": 0} for _ in params.items]

        @self.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(ls: Client, params: types.RegistrationParams) -> None:
            pass

    def expect(self, uri: str, version: int | None) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        seen = self.published.get(uri)
        if seen is not None and seen[0] == version:
            future.set_result(None)
        else:
            self.waiters[(uri, version)] = future
        return future


@dataclass
class OpenDocument:
    """The client's copy of an open document and its undo stack."""

    uri: str
    lines: list[str]
    version: int = 1
    undo: list[tuple[int, int, list[str]]] = field(default_factory=list)  # (first, count, old lines)
    pasted: list[int] = field(default_factory=list)  # first lines of 500-line pastes still in

    @property
    def text(self) -> str:
        return "".join(self.lines)


def replace_lines(doc: OpenDocument, first: int, count: int, new: list[str]) -> types.TextDocumentContentChangePartial:
    """Replace ``count`` lines from ``first`` (0-based) with ``new``; the protocol change."""
    end = first + count  # every line ends with "\n": line len(lines), column 0 is the end
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=first, character=0), end=types.Position(line=end, character=0)),
        text="".join(new),
    )
    doc.lines[first:end] = new
    return change


class Editor:
    """Makes the next edit of a random mix, recording how to undo it."""

    def __init__(self, rng: random.Random, paste_source: list[str]) -> None:
        self.rng = rng
        self.paste_source = paste_source
        self.kinds: dict[str, int] = {}

    def edit(self, doc: OpenDocument) -> types.TextDocumentContentChangePartial:
        rng = self.rng
        roll = rng.random()
        if doc.pasted and roll < 0.02:
            first = doc.pasted.pop()
            return self._apply(doc, "remove a paste", first, PASTE_LINES, [], undoable=False)
        if roll < 0.03 and len(doc.pasted) < 2:
            first = self._top_level_line(doc)
            start = rng.randrange(0, max(len(self.paste_source) - PASTE_LINES, 1))
            block = self.paste_source[start : start + PASTE_LINES]
            block = [line if line.endswith("\n") else line + "\n" for line in block]
            doc.pasted = [p + len(block) if p >= first else p for p in doc.pasted]
            doc.pasted.append(first)
            doc.undo.clear()  # line numbers in the undo stack no longer hold
            return self._apply(doc, "paste 500 lines", first, 0, block, undoable=False)
        if doc.undo and roll < 0.20:
            first, count, old = doc.undo.pop()
            self.kinds["undo"] = self.kinds.get("undo", 0) + 1
            return replace_lines(doc, first, count, old)
        line = rng.randrange(len(doc.lines)) if doc.lines else 0
        if roll < 0.30:
            indent = _indent(doc.lines[line]) if doc.lines else ""
            return self._apply(doc, "insert a line", line, 0, [f"{indent}log.debug('step %s', {rng.randint(1, 99)})\n"])
        if roll < 0.38 and len(doc.lines) > 50:
            return self._apply(doc, "delete a line", line, 1, [])
        current = doc.lines[line] if doc.lines else "\n"
        body = current.rstrip("\r\n")
        where = rng.randrange(len(body) + 1)
        if roll < 0.75:
            char = rng.choice("abcdefghijklmnopqrstuvwxyz_0123456789")
            kind = "type in a word"
            words = [i for i, c in enumerate(body) if c.isalnum() or c == "_"]
            if words:
                where = rng.choice(words) + 1
        else:
            char = rng.choice("()[]{}:'\"=+-*/,.# \\")
            kind = "type anything"
        return self._apply(doc, kind, line, 1, [body[:where] + char + body[where:] + current[len(body) :]])

    def _apply(
        self, doc: OpenDocument, kind: str, first: int, count: int, new: list[str], *, undoable: bool = True
    ) -> types.TextDocumentContentChangePartial:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        old = doc.lines[first : first + count]
        change = replace_lines(doc, first, count, new)
        if undoable:
            doc.undo.append((first, len(new), old))
            del doc.undo[:-50]
        return change

    def _top_level_line(self, doc: OpenDocument) -> int:
        starts = [i for i, line in enumerate(doc.lines) if line.startswith(("def ", "class ", "@"))]
        return self.rng.choice(starts) if starts else len(doc.lines)


def _indent(line: str) -> str:
    body = line.rstrip("\r\n")
    return body[: len(body) - len(body.lstrip())] or "    "


async def start_server(command: list[str], root: Path) -> Client:
    return await initialized(Client(), command, root, "soak", {"debounce": 0})


async def stop_server(client: Client) -> int | None:
    try:
        await asyncio.wait_for(client.shutdown_async(None), 30)
        client.exit(None)
    except Exception as error:  # the comparison server may already be gone
        print(f"shutdown failed: {error}", file=sys.stderr)
    server = client._server
    code = None
    if server is not None:
        try:
            code = await asyncio.wait_for(server.wait(), 10)
        except TimeoutError:
            server.kill()
    await client.stop()
    return code


def open_document(client: Client, doc: OpenDocument) -> asyncio.Future[None]:
    waiter = client.expect(doc.uri, doc.version)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=doc.uri, language_id="python", version=doc.version, text=doc.text)
        )
    )
    return waiter


def send_change(client: Client, doc: OpenDocument, change: types.TextDocumentContentChangePartial) -> None:
    doc.version += 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
            content_changes=[change],
        )
    )


def comparable(diagnostics: list[types.Diagnostic]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            str(d.code),
            d.message,
            int(d.severity or 0),
            json.dumps((d.data or {}).get("fingerprint") if isinstance(d.data, dict) else None),
        )
        for d in diagnostics
    )


async def soak(args: argparse.Namespace, command: list[str], label: str, *, check: bool) -> dict[str, Any]:
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="secreview-soak-"))
    (root / "pyproject.toml").write_text("[project]\nname = 'soak'\n", encoding="utf-8")
    paste_source = generate(PASTE_LINES * 4, seed=args.seed + 7).splitlines(True)
    # The files exist before the server starts: the start level includes what the workspace
    # costs on disk, and closing the documents must come back to it.
    docs = []
    for index in range(args.documents):
        size = args.lines if index == 0 else max(args.lines // 4, 100)
        path = root / f"module_{index}.py"
        text = generate(size, seed=args.seed + index)
        path.write_text(text, encoding="utf-8")
        docs.append(OpenDocument(path.as_uri(), text.splitlines(True)))
    client = await start_server(command, root)
    pid = client._server.pid  # type: ignore[union-attr]
    # Warm-up document: every rule module is loaded and has run once.
    warm = OpenDocument((root / "warm.py").as_uri(), generate(200, seed=99).splitlines(True))
    await asyncio.wait_for(open_document(client, warm), TIMEOUT)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=warm.uri))
    )
    await quiet(pid, SETTLE, QUIET_LIMIT)
    start_rss = rss_mb(pid)
    await asyncio.wait_for(asyncio.gather(*(open_document(client, doc) for doc in docs)), TIMEOUT)
    editor = Editor(rng, paste_source)
    samples: list[tuple[int, float, int]] = [(0, rss_mb(pid), sum(len(d.lines) for d in docs))]
    print(
        f"{label}: pid {pid}; RSS {start_rss:.1f} MB when ready, {samples[0][1]:.1f} MB with {len(docs)} documents open"
    )
    sent = 0
    started = time.perf_counter()
    while sent < args.edits:
        doc = docs[0] if rng.random() < 0.8 or len(docs) == 1 else rng.choice(docs[1:])
        burst = min(rng.randint(1, 12), args.edits - sent)
        for _ in range(burst):
            send_change(client, doc, editor.edit(doc))
        sent += burst
        await asyncio.wait_for(client.expect(doc.uri, doc.version), TIMEOUT)
        if sent // args.sample != (sent - burst) // args.sample:
            await asyncio.gather(*(client.expect(d.uri, d.version) for d in docs))
            await asyncio.sleep(args.settle)
            samples.append((sent, rss_mb(pid), sum(len(d.lines) for d in docs)))
            print(
                f"  {sent:>6} edits  {samples[-1][1]:8.1f} MB  ({samples[-1][2]:,} lines open, {time.perf_counter() - started:.0f} s)"
            )
    elapsed = time.perf_counter() - started
    mismatches = 0
    if check:
        mismatches = await compare_with_fresh(args, command, root, client, docs)
    for doc in docs:
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
        )
    await quiet(pid, SETTLE, QUIET_LIMIT)
    closed_rss = rss_mb(pid)
    code = await stop_server(client)
    shutil.rmtree(root, ignore_errors=True)
    return {
        "label": label,
        "start": start_rss,
        "samples": samples,
        "closed": closed_rss,
        "seconds": elapsed,
        "kinds": editor.kinds,
        "mismatches": mismatches,
        "exit": code,
    }


async def compare_with_fresh(
    args: argparse.Namespace, command: list[str], root: Path, client: Client, docs: list[OpenDocument]
) -> int:
    """Documents whose last diagnostics differ from a fresh server's for the same text."""
    fresh = await start_server(command, root)
    mismatches = 0
    try:
        for doc in docs:
            version, items = client.published[doc.uri]
            assert version == doc.version, (doc.uri, version, doc.version)
            again = OpenDocument(doc.uri, list(doc.lines), version=doc.version)
            await asyncio.wait_for(open_document(fresh, again), TIMEOUT)
            expected = fresh.published[doc.uri][1]
            if comparable(items) != comparable(expected):
                mismatches += 1
                got, want = set(comparable(items)), set(comparable(expected))
                print(f"  MISMATCH {doc.uri}: {len(got - want)} extra, {len(want - got)} missing")
                for row in sorted(got - want)[:5]:
                    print(f"    extra   {row}")
                for row in sorted(want - got)[:5]:
                    print(f"    missing {row}")
            else:
                print(
                    f"  {Path(doc.uri).name}: {len(items)} diagnostics, identical to a fresh analysis ({len(doc.lines):,} lines)"
                )
    finally:
        await stop_server(fresh)
    return mismatches


def report(result: dict[str, Any], warmup: int) -> bool:
    samples = result["samples"]
    after = [rss for edits, rss, _ in samples if edits >= warmup]
    base = after[0] if after else float("nan")
    peak = max(after) if after else float("nan")
    growth = (peak / base - 1) * 100 if after else float("nan")
    back = result["closed"] / result["start"] * 100 - 100
    print(f"\n{result['label']}: {sum(result['kinds'].values())} edits in {result['seconds']:.0f} s: {result['kinds']}")
    print("| edits | RSS MB | lines open |")
    print("|------:|-------:|-----------:|")
    for edits, rss, lines in samples:
        print(f"| {edits:>5} | {rss:6.1f} | {lines:>10,} |")
    print(
        f"RSS when ready {result['start']:.1f} MB; after warm-up ({warmup} edits) {base:.1f} MB, peak {peak:.1f} MB "
        f"({growth:+.1f} %); after closing every document {result['closed']:.1f} MB ({back:+.1f} % of ready)"
    )
    print(
        f"findings identical to a fresh analysis: {'yes' if result['mismatches'] == 0 else 'NO'}; exit code {result['exit']}"
    )
    return growth <= 10 and back <= 10 and result["mismatches"] == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=500, help="edits between memory samples")
    parser.add_argument("--lines", type=int, default=2000, help="lines of the main document (the others get a quarter)")
    parser.add_argument("--documents", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1000, help="edits before RSS must stay flat")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--settle", type=float, default=SETTLE, help="idle seconds before each sample (0: typing never pauses)"
    )
    parser.add_argument("--compare", choices=["pylsp", "ruff"], action="append", default=[])
    args = parser.parse_args()
    ok = report(
        asyncio.run(soak(args, [sys.executable, "-m", "secreview_ls"], "secreview-ls", check=True)), args.warmup
    )
    for other in args.compare:
        command = ["pylsp"] if other == "pylsp" else ["ruff", "server"]
        if shutil.which(command[0]) is None:
            print(f"\n{other}: not installed, skipped")
            continue
        report(asyncio.run(soak(args, command, other, check=False)), args.warmup)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
