"""Jupyter notebooks in the editor (LSP 3.17 notebook document synchronization).

The client sends ``notebookDocument/didOpen|didChange|didClose`` with the notebook's cells
as text documents (pygls keeps them in the workspace). The code cells, in notebook order,
are analyzed as one module (``pipeline.analyze_cells``: IPython magics blanked, names
followed from cell to cell) after the folder's debounce, in an analysis thread; each
finding and notice is mapped back to its cell and published on the cell's URI with
cell-local positions (pushed, or answered to ``textDocument/diagnostic`` for a cell when
the client pulls). Data-flow steps in other cells are left out of the related
information (their cell is named in the message instead).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from lsprotocol import types

from ..pipeline import Cell, Finding, split_lines_keepends
from . import analysis
from .convert import ClientFeatures, finding_to_diagnostic, notice_to_diagnostic, to_json
from .protocol import Serialized
from .results import path_for
from .settings import FolderSettings


class Host(Protocol):
    """What the notebooks use of the server (``SecReviewServer``)."""

    workspace: Any
    protocol: Any

    @property
    def generation(self) -> int: ...
    @property
    def pull(self) -> bool: ...
    @property
    def encoding(self) -> str: ...
    def settings_for(self, path: str) -> FolderSettings: ...
    def project_for(self, settings: FolderSettings) -> Any: ...
    def client_features(self) -> ClientFeatures: ...
    async def run_in_worker(self, function: Any, *args: Any, budget: float | None = None) -> Any: ...
    def log_message(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None: ...


log = logging.getLogger("secreview_ls.lsp")

BUDGET_FACTOR = 1.5  # as for documents: abandoned after this many times `timeout`


@dataclass
class CellResult:
    diagnostics: list[types.Diagnostic]
    wire: list[dict[str, Any]]
    result_id: str


@dataclass
class NotebookState:
    uri: str
    pending: asyncio.Task[None] | None = None
    results: dict[str, CellResult] = field(default_factory=dict)  # cell uri -> its diagnostics
    analyzed: tuple[int, int] | None = None  # (notebook version, settings generation) of `results`
    waiters: list[asyncio.Future[None]] = field(default_factory=list)


@dataclass(frozen=True)
class CellText:
    uri: str
    code: bool
    text: str
    version: int | None


class Notebooks:
    """The open notebooks of one server, their scheduled analyses and their results."""

    def __init__(self, server: Host) -> None:
        self.server = server
        self.open: dict[str, NotebookState] = {}

    # -- events -------------------------------------------------------------------

    def opened(self, uri: str) -> None:
        self.open[uri] = NotebookState(uri)
        self.schedule(uri, 0)

    def changed(self, uri: str, removed_cells: list[str]) -> None:
        state = self.open.get(uri)
        if state is None:
            return
        for cell_uri in removed_cells:
            if state.results.pop(cell_uri, None) is not None:
                self._push(cell_uri, [], None)
        self.schedule(uri)

    def closed(self, uri: str, cells: list[str]) -> None:
        state = self.open.pop(uri, None)
        if state is None:
            return
        if state.pending is not None:
            state.pending.cancel()
        self._wake(state)
        for cell_uri in {*cells, *state.results}:
            self._push(cell_uri, [], None)

    def schedule_all(self) -> None:
        for uri in list(self.open):
            self.schedule(uri, 0)

    def schedule(self, uri: str, delay: float | None = None) -> None:
        state = self.open.get(uri)
        if state is None:
            return
        if delay is None:
            delay = self.server.settings_for(path_for(uri)).options.debounce
        if state.pending is not None and not state.pending.done():
            state.pending.cancel()
        state.pending = asyncio.ensure_future(self._run_later(state, delay))

    # -- pulled diagnostics -------------------------------------------------------

    def notebook_of_cell(self, cell_uri: str) -> str | None:
        notebook = self.server.workspace.get_notebook_document(cell_uri=cell_uri)
        return notebook.uri if notebook is not None and notebook.uri in self.open else None

    async def cell_result(self, cell_uri: str) -> CellResult | None:
        """The diagnostics of a cell for the notebook's current version (waiting for them)."""
        uri = self.notebook_of_cell(cell_uri)
        if uri is None:
            return None
        for _ in range(20):  # each round waits for one analysis; a notebook typed into keeps moving
            state = self.open.get(uri)
            if state is None:
                return None
            if state.analyzed == self._version(uri):
                return state.results.get(cell_uri, CellResult([], [], "empty"))
            if state.pending is None or state.pending.done():
                self.schedule(uri, 0)
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            state.waiters.append(waiter)
            await waiter
        state = self.open.get(uri)
        return state.results.get(cell_uri) if state is not None else None

    # -- analysis -----------------------------------------------------------------

    def _version(self, uri: str) -> tuple[int, int]:
        notebook = self.server.workspace.get_notebook_document(notebook_uri=uri)
        return (notebook.version if notebook is not None else -1, self.server.generation)

    def _cells(self, uri: str) -> list[CellText]:
        workspace = self.server.workspace
        notebook = workspace.get_notebook_document(notebook_uri=uri)
        if notebook is None:
            return []
        cells = []
        for cell in notebook.cells:
            document = workspace.get_text_document(cell.document)
            language = (getattr(document, "language_id", None) or "python").lower()
            code = cell.kind == types.NotebookCellKind.Code and language == "python"
            cells.append(CellText(cell.document, code, document.source, document.version))
        return cells

    async def _run_later(self, state: NotebookState, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return
        await self._run_now(state)

    async def _run_now(self, state: NotebookState) -> None:
        version = self._version(state.uri)
        cells = self._cells(state.uri)
        path = path_for(state.uri)
        settings = self.server.settings_for(path)
        project = self.server.project_for(settings)
        encoding = self.server.encoding
        features = self.server.client_features()
        budget = settings.config.timeout * BUDGET_FACTOR
        try:
            results = await self.server.run_in_worker(
                analyze_notebook_cells, cells, path, settings, project, encoding, features, budget=budget
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:  # an engine bug or a run over budget must not take the server down
            self.server.log_message(
                f"analysis of {path} failed: {type(error).__name__}: {error}", types.MessageType.Warning
            )
            results = {}
        if self.open.get(state.uri) is not state or self._version(state.uri) != version:
            return  # closed or changed meanwhile: the next run publishes
        previous = state.results
        state.results = results
        state.analyzed = version
        if not self.server.pull:
            versions = {cell.uri: cell.version for cell in cells}
            for cell_uri in {*previous, *results}:
                current = results.get(cell_uri)
                if (
                    current is None
                    or previous.get(cell_uri) is None
                    or current.result_id != previous[cell_uri].result_id
                ):
                    self._push(cell_uri, current.wire if current is not None else [], versions.get(cell_uri))
        self._wake(state)

    def _push(self, cell_uri: str, wire: list[dict[str, Any]], version: int | None) -> None:
        if self.server.pull:
            return
        params: dict[str, Any] = {"uri": cell_uri, "diagnostics": wire}
        if version is not None:
            params["version"] = version
        self.server.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, Serialized(params))

    def _wake(self, state: NotebookState) -> None:
        for waiter in state.waiters:
            if not waiter.done():
                waiter.set_result(None)
        state.waiters.clear()


def analyze_notebook_cells(
    cells: list[CellText],
    path: str,
    settings: FolderSettings,
    project: analysis.ProjectIndex | None,
    encoding: str,
    features: ClientFeatures,
) -> dict[str, CellResult]:
    """Analyze the code cells as one module; diagnostics by cell URI (runs in a worker thread)."""
    pipeline_cells = [Cell(index, "code" if cell.code else "markdown", cell.text) for index, cell in enumerate(cells)]
    mapped = analysis.analyze_notebook(pipeline_cells, path, settings, project)
    out: dict[str, CellResult] = {}
    for index, cell in enumerate(cells):
        if not cell.code:
            continue
        findings, notices = mapped.get(index, ([], []))
        lines = split_lines_keepends(cell.text)
        diagnostics = [
            finding_to_diagnostic(
                _same_cell_flow(found, index),
                lines,
                encoding,
                version=cell.version,
                uri_for=lambda _path, uri=cell.uri: uri,
                lines_for=lambda _path: None,
                features=features,
            )
            for found in findings
        ]
        for notice in notices:
            diagnostic = notice_to_diagnostic(notice, lines, encoding, features)
            if diagnostic is not None:
                diagnostics.append(diagnostic)
        wire = [to_json(d) for d in diagnostics]
        digest = hashlib.sha1(repr(wire).encode("utf-8", "replace"), usedforsecurity=False).hexdigest()[:16]
        out[cell.uri] = CellResult(diagnostics, wire, f"{cell.version}:{digest}")
    return out


def _same_cell_flow(found: Finding, cell_index: int) -> Finding:
    """The finding with only the data-flow steps of its own cell (positions are cell-local)."""
    cells = found.extra.get("flow_cells")
    if not found.flow or not cells:
        return found
    flow = tuple(step for step, cell in zip(found.flow, cells, strict=False) if cell == cell_index)
    return replace(found, flow=flow)
