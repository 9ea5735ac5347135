"""The caches for a next edit are built after a document's first result, unless other documents
wait for theirs (many opened at once): those are analyzed whole at their next version, then
prepared, with the same findings."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

from secreview_ls.lsp.server import DocState

from .inprocess import Driven

MODULE = (
    "import subprocess\n"
    "import yaml\n"
    "\n"
    "\n"
    "def load(text):\n"
    "    return yaml.load(text)\n"
    "\n"
    "\n"
    "def run(command):\n"
    "    return subprocess.run(command, shell=True)\n"
)


def _prepared(state: DocState) -> bool:
    analyzer = state.analyzer
    return analyzer is not None and not analyzer.unprepared and bool(analyzer._chunks)


async def _settled(driven: Driven, uris: list[str]) -> None:
    for uri in uris:
        await driven.published(uri, 1)
    for _ in range(200):  # the last prepare runs after its publish
        if not driven.server._analyzing():
            return
        await asyncio.sleep(0.01)


def test_a_document_opened_alone_is_prepared_after_its_first_result(tmp_path: Path) -> None:
    async def scenario() -> None:
        driven = Driven(tmp_path)
        await driven.start()
        uri = (tmp_path / "alone.py").as_uri()
        driven.open(uri, MODULE)
        await _settled(driven, [uri])
        assert _prepared(driven.server._docs[uri])

    asyncio.run(scenario())


def test_documents_opened_among_many_are_not_prepared_and_edit_to_the_same_findings(tmp_path: Path) -> None:
    async def scenario() -> None:
        driven = Driven(tmp_path)
        await driven.start()
        uris = [(tmp_path / f"module_{index}.py").as_uri() for index in range(6)]
        for uri in uris:
            driven.open(uri, MODULE)
        await _settled(driven, uris)
        states = [driven.server._docs[uri] for uri in uris]
        assert not _prepared(states[0])  # the others were waiting when its result was out
        first = await driven.published(uris[0], 1)

        # An edit to it: analyzed whole (no caches), the same findings moved one line down,
        # then its caches are built; the next edit is incremental.
        driven.replace_line(uris[0], 2, 2, "\n\n")
        second = await driven.published(uris[0], 2)
        assert [d["range"]["start"]["line"] for d in second] == [d["range"]["start"]["line"] + 1 for d in first]
        assert [d["code"] for d in second] == [d["code"] for d in first]
        await _settled(driven, [])
        assert _prepared(states[0])
        driven.replace_line(uris[0], 3, 2, "")
        third = await driven.published(uris[0], 3)
        assert third == [{**d, "data": {**d["data"], "version": 3}} for d in first]
        assert states[0].analyzer is not None and states[0].analyzer.stats.mode == "incremental"

    asyncio.run(scenario())


def test_a_prepared_document_runs_its_seeded_chunks_once_idle(tmp_path: Path) -> None:
    """The caches are seeded from the first result; the per-chunk rules run on the seeded chunks
    after that, so that a later import change runs only the chunks it concerns."""

    async def scenario() -> None:
        driven = Driven(tmp_path)
        await driven.start()
        uri = (tmp_path / "alone.py").as_uri()
        driven.open(uri, MODULE)
        await _settled(driven, [uri])
        state = driven.server._docs[uri]
        analyzer = state.analyzer
        assert analyzer is not None and _prepared(state)
        assert state.refining is not None
        await state.refining  # after ``REFINE_AFTER`` seconds without an edit
        assert not analyzer.refinable
        assert all(c.local is not None and not c.local.seeded for c in analyzer._chunks)

    asyncio.run(scenario())


def test_running_the_seeded_chunks_stops_for_a_new_version(tmp_path: Path) -> None:
    async def scenario() -> None:
        driven = Driven(tmp_path)
        await driven.start()
        uri = (tmp_path / "alone.py").as_uri()
        driven.open(uri, MODULE)
        await _settled(driven, [uri])
        state = driven.server._docs[uri]
        first = SimpleNamespace(version=1, generation=driven.server._generation)
        superseded = driven.server._superseded(state, first)  # type: ignore[arg-type]
        assert not superseded()
        driven.replace_line(uri, 2, 2, "\n\n")
        await driven.published(uri, 2)
        assert superseded()
        now = SimpleNamespace(version=2, generation=driven.server._generation)
        assert not driven.server._superseded(state, now)()  # type: ignore[arg-type]

    asyncio.run(scenario())
