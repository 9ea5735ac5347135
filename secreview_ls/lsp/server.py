"""The language server's state: open documents, settings per folder, scheduled analyses.

Analysis runs in threads (never on the event loop), two at a time, each within a
time budget (``lsp/workers.py``): a run over budget is abandoned, its document gets a
diagnostic saying so, and the next analysis takes its place. For each document a
change cancels the pending (debounced) run; a run in progress finishes but its
result is dropped when the document has moved on, so a published result always
matches the version it names. One run per document at a time: the incremental
analyzer of a document is not shared between threads (an abandoned run's analyzer
is dropped with it).

The handlers (``lsp/handlers``) see this state only through the public methods
below: a :class:`DocumentSnapshot` of an open document, its current or latest
:class:`Published` result, and the settings, folders and client capabilities.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..pipeline import Finding, Notice, Span
from ..pipeline.collection import sweep_held
from . import analysis, transport
from .analysis import IncrementalAnalyzer, ProjectIndex
from .collector import IdleCollector
from .config_problems import ConfigDiagnostics
from .convert import ClientFeatures, DiagnosticCache, is_logged_notice
from .document import Document, DocumentWorkspace
from .notebooks import Notebooks
from .protocol import Protocol, Serialized
from .results import Published, path_for, to_published
from .settings import FolderSettings, resolve
from .snapshot import DocumentSnapshot
from .template_registration import TemplateFolders
from .workers import AnalysisThreads, BudgetExceeded

log = logging.getLogger("secreview_ls.lsp")

ANALYSIS_WORKERS = 2
CACHED_ANALYZERS = 16  # documents that keep incremental caches (the most recently analyzed)
SETTINGS_WAIT = 3.0  # seconds an analysis waits for the client's configuration at startup
BUDGET_FACTOR = 1.5  # a document's analysis is abandoned after this many times the `timeout` setting
# Seconds a document waits with no new version before its seeded chunks run (``refine``): a
# continuous typist's keystrokes never share the CPU with them.
REFINE_AFTER = 0.3
# Notebooks with Python cells are synced (LSP 3.17); their cells get diagnostics (lsp/notebooks.py).
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[types.NotebookDocumentFilterWithCells(cells=[types.NotebookCellLanguage(language="python")])]
)

T = TypeVar("T")


@dataclass
class DocState:
    uri: str
    path: str
    python: bool
    template: bool = False  # a Jinja2 / Django template file (its views' findings are shown in it)
    analyzer: IncrementalAnalyzer | None = None
    analyzer_settings: FolderSettings | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: asyncio.Task[None] | None = None
    refining: asyncio.Future[None] | None = None  # the seeded chunks' run, once the document is idle
    sleeping: bool = False
    published: Published | None = None
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    logged: frozenset[str] = frozenset()
    closed: bool = False
    changes: int = 0  # changes of other files it depends on (each one asks for a new analysis)
    analyzed_changes: int = 0  # how many of them the published result's analysis began after
    refresh: bool = False  # ask a pulling client to pull again once that analysis is published
    whole: bool = False  # analyze the next version whole (the incremental cache would not help)
    over_budget: bool = False  # an analysis ran over its budget: analyze whole from now on
    converted: DiagnosticCache = field(default_factory=DiagnosticCache)

    @property
    def dirty(self) -> bool:
        """Re-analyze even if the version did not change: another file it depends on changed
        since the analysis of the published result began (one still running does not count)."""
        return self.changes != self.analyzed_changes


@dataclass
class Job:
    """Everything a worker thread needs, captured on the event loop."""

    snapshot: DocumentSnapshot
    analyzer: IncrementalAnalyzer | None  # None: analyze the whole text
    converted: DiagnosticCache
    changes: int = 0  # the document's ``changes`` when the job was made (what its result saw)
    # The analysis result, kept until its diagnostics are out: freeing a big file's syntax tree
    # and indexes takes milliseconds, which need not come before the publish.
    held: object = None


class SecReviewServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "secreview-ls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=NOTEBOOK_SYNC,
            protocol_cls=Protocol,
        )
        self._threads = AnalysisThreads(ANALYSIS_WORKERS)
        self.exit_hook: Callable[[int], None] = self._exit_now
        self._docs: dict[str, DocState] = {}
        self._cached: OrderedDict[str, None] = OrderedDict()
        self._init_options: dict[str, Any] = {}
        self._client_config: dict[str, dict[str, Any]] = {}  # folder uri ("" = global) → section
        self._folder_settings: dict[str, FolderSettings] = {}
        self._loose_settings: dict[str, FolderSettings] = {}
        self._generation = 0
        self._pull = False
        self._settings_ready = asyncio.Event()
        self._scanned: dict[str, Published] = {}  # workspace-scan results of files that are not open
        self._projects: dict[str, ProjectIndex] = {}  # folder root → cross-module index
        self._open_texts: dict[str, str] = {}  # path → text of open documents (for the index)
        self._result_changes = 0  # counts published results (workspace/diagnostic waits on it)
        self._result_event = asyncio.Event()
        self._collector = IdleCollector(
            self._analyzing, empty=lambda: not self._docs, before_collect=self._trim_projects
        )
        self.config_diagnostics = ConfigDiagnostics()  # problems of pyproject.toml files, shown in them
        self.notebooks = Notebooks(self)  # open Jupyter notebooks (lsp/notebooks.py)
        self.template_folders = TemplateFolders()  # what the client was told of (lsp/template_registration.py)
        self._background_tasks: set[asyncio.Task[None]] = set()

    # -- client capabilities ------------------------------------------------------

    def capability(self, path: str, default: Any = None) -> Any:
        """A client capability by dotted path (``"text_document.hover.content_format"``)."""
        current: Any = self.client_capabilities
        for part in path.split("."):
            current = getattr(current, part, None)
            if current is None:
                return default
        return current

    @property
    def encoding(self) -> str:
        """The position encoding negotiated with the client."""
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or "utf-16")

    @property
    def pull(self) -> bool:
        """Whether the client pulls diagnostics (then nothing is pushed)."""
        return self._pull

    @property
    def generation(self) -> int:
        """Bumped whenever the settings change; results of an older generation are stale."""
        return self._generation

    def client_features(self) -> ClientFeatures:
        if self._pull:
            related = bool(self.capability("text_document.diagnostic.related_information", True))
            description = bool(self.capability("text_document.diagnostic.code_description_support", True))
        else:
            related = bool(self.capability("text_document.publish_diagnostics.related_information", False))
            description = bool(self.capability("text_document.publish_diagnostics.code_description_support", False))
        return ClientFeatures(related_information=related, code_description=description)

    # -- settings and folders -----------------------------------------------------

    def install_workspace(self, params: types.InitializeParams) -> None:
        """Take the client's folders, options and capabilities from ``initialize``."""
        cast(Protocol, self.protocol).use_document_workspace(params)
        options = params.initialization_options
        self._init_options = options if isinstance(options, dict) else {}
        self._pull = self.capability("text_document.diagnostic") is not None
        self.refresh_settings()

    def folders(self) -> list[tuple[str, Path]]:
        """(uri, path) of each workspace folder that is on disk; the root when there are none."""
        found: list[tuple[str, Path]] = []
        for folder in self.workspace.folders.values():
            path = to_fs_path(folder.uri)
            if path:
                found.append((folder.uri, Path(path)))
        if not found and self.workspace.root_uri:
            path = to_fs_path(self.workspace.root_uri)
            if path:
                found.append((self.workspace.root_uri, Path(path)))
        return found

    def folder_count(self) -> int:
        """Workspace folders with settings of their own."""
        return len(self._folder_settings)

    def set_client_settings(self, scope_uri: str, section: dict[str, Any]) -> None:
        """The client's ``secreview`` section for a folder (``""``: for every folder).
        Applies at the next :meth:`refresh_settings`."""
        self._client_config[scope_uri] = section

    def settings_loaded(self) -> None:
        """The client's configuration has been read (or will not be): analyses may start."""
        self._settings_ready.set()

    def refresh_settings(self) -> None:
        """Recompute every folder's settings (pyproject + client layers); bump the generation."""
        self._folder_settings = {}
        for uri, root in self.folders():
            layers = [self._init_options, self._client_config.get("", {}), self._client_config.get(uri, {})]
            settings = resolve(root, layers)
            self._folder_settings[uri] = settings
            for error in settings.errors:
                self.log_message(f"settings for {root}: {error}", types.MessageType.Warning)
        self._loose_settings = {}
        self._projects = {}
        for settings in self._folder_settings.values():
            if settings.root is not None:
                project = analysis.project_index(settings.root, self._read_for_project, settings.config)
                if project is not None:
                    self._projects[str(settings.root)] = project
        self._generation += 1

    def publish_config_problems(self) -> None:
        """Show the problems of the folders' ``pyproject.toml`` files on their lines (pushed in
        either diagnostic mode), clear fixed ones, and announce a new set of problems once."""
        problems = [p for settings in self._folder_settings.values() for p in settings.problems]
        changed, message = self.config_diagnostics.update(problems, self.encoding)
        for uri, path in changed:
            wire = self._own_wire(path) + self.config_diagnostics.wire_for(path)
            self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, Serialized({"uri": uri, "diagnostics": wire}))
        if message is not None:
            self.log_message(message, types.MessageType.Warning)
            try:
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
            except Exception:  # no transport
                pass

    def _own_wire(self, path: str) -> list[dict[str, Any]]:
        """The pushed diagnostics of an open document at ``path`` (resolved), if any."""
        if self._pull:
            return []
        for state in self._docs.values():
            if state.published is not None and _resolved(state.path) == path:
                return list(state.published.wire)
        return []

    def _read_for_project(self, path: Path) -> str | None:
        """Text of an open document for the cross-module index (None: the index reads the disk)."""
        return self._open_texts.get(str(path))

    def settings_for(self, path: str) -> FolderSettings:
        """Settings of the innermost workspace folder containing ``path``."""
        best: tuple[int, FolderSettings] | None = None
        candidate = Path(path)
        for settings in self._folder_settings.values():
            root = settings.root
            if root is None:
                continue
            try:
                candidate.relative_to(root)
            except ValueError:
                continue
            depth = len(root.parts)
            if best is None or depth > best[0]:
                best = (depth, settings)
        if best is not None:
            return best[1]
        directory = str(candidate.parent) if candidate.is_absolute() else ""
        cached = self._loose_settings.get(directory)
        if cached is None:
            start = Path(directory) if directory and Path(directory).is_dir() else None
            layers = [self._init_options, self._client_config.get("", {})]
            cached = resolve(None, layers, start=start)
            self._loose_settings[directory] = cached
        return cached

    def project_for(self, settings: FolderSettings) -> ProjectIndex | None:
        """The cross-module index of the folder ``settings`` belong to."""
        return self._projects.get(str(settings.root)) if settings.root is not None else None

    def _trim_projects(self) -> None:
        """Before a full collection: the cross-module indexes keep only their summaries."""
        for project in list(self._projects.values()):
            project.trim()

    def announce_template_folders(self) -> None:
        """Tell the client the project's template folders again if they changed (in the background)."""
        try:
            task = asyncio.get_running_loop().create_task(self.template_folders.announce(self))
        except RuntimeError:  # no running loop (an in-process test)
            return
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def is_baseline(self, path: str) -> bool:
        """Whether ``path`` is the baseline file of some workspace folder."""
        return any(
            s.baseline_path is not None and Path(path) == s.baseline_path for s in self._folder_settings.values()
        )

    def file_saved(self, path: str) -> None:
        """A Python file was saved (or changed on disk): documents that may import it are
        analyzed again, and open templates (it may be a view rendering them)."""
        if not path.endswith((".py", ".pyi")):
            return
        for project in self._projects.values():
            project.invalidate(path)
        if not self._projects:
            return
        for state in self._docs.values():
            if (state.python or state.template) and state.path != path:
                state.changes += 1
                state.refresh = state.refresh or state.template  # a pulling client would not ask again
                self.schedule(state.uri)

    def is_template(self, path: str) -> bool:
        """Whether ``path`` is a template file of its folder's project (the same answer for open
        documents and for the file watcher)."""
        return analysis.is_template_document(path, self.project_for(self.settings_for(path)))

    def template_edited(self, uri: str) -> None:
        """An open template changed: its text is what views render from now on, and the open
        Python documents naming it are analyzed again (after their debounce)."""
        state = self._docs.get(uri)
        document = self._document(uri)
        if state is None or not state.template or document is None:
            return
        self._open_texts[_resolved(state.path)] = document.source
        for project in self._projects.values():
            project.invalidate(state.path)  # helpers of other files that render it summarized it
        self._refresh_renderers(state.path)

    def template_changed_on_disk(self, path: str) -> None:
        """A template changed on disk (a checkout, another tool): unless the editor holds it open
        (its buffer is what counts then), summaries that read it are dropped and the open views
        naming it are analyzed again."""
        if any(state.template and state.path == path for state in self._docs.values()):
            return
        for project in self._projects.values():
            project.invalidate(path)
        self._refresh_renderers(path)

    def _refresh_renderers(self, template_path: str) -> None:
        """Open views naming the template, or a template that includes or extends it."""
        names: dict[str, None] = {}
        projects: list[ProjectIndex | None] = [*self._projects.values()] or [None]
        for project in projects:
            names.update(dict.fromkeys(analysis.rendered_as(template_path, project)))
        for other in list(self._docs.values()):
            if not other.python or other.closed:
                continue
            document = self._document(other.uri)
            if document is not None and analysis.names_any(document.source, names):
                other.changes += 1
                other.refresh = True
                self.schedule(other.uri)

    # -- messages -----------------------------------------------------------------

    def log_message(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        level = {
            types.MessageType.Error: logging.ERROR,
            types.MessageType.Warning: logging.WARNING,
        }.get(kind, logging.INFO)
        log.log(level, "%s", message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no transport yet (or any more)
            pass

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Protocol-level problems go to the log, not to pop-ups."""
        self.log_message(f"server error ({getattr(source, '__name__', source)}): {error}", types.MessageType.Error)

    # -- open documents: the snapshot API -----------------------------------------

    def is_open(self, uri: str) -> bool:
        """Whether ``uri`` was opened (and not closed) by the client."""
        return uri in self._docs

    def open_uris(self) -> list[str]:
        return list(self._docs)

    def open_paths(self) -> set[str]:
        return {state.path for state in self._docs.values()}

    def document_path(self, uri: str) -> str | None:
        """The path of an open document (a pseudo-path for non-file URIs)."""
        state = self._docs.get(uri)
        return state.path if state is not None else None

    def is_python(self, uri: str) -> bool:
        """Whether an open document gets every rule (not only the text rules)."""
        state = self._docs.get(uri)
        return state is not None and state.python

    def snapshot(self, uri: str) -> DocumentSnapshot | None:
        """The current version of an open document with its settings and the client's facts;
        None when it is not open. The cross-module index sees the text of Python documents as
        of their last snapshot."""
        state = self._docs.get(uri)
        document = self._document(uri)
        if state is None or document is None:
            return None
        return self._snapshot(state, document)

    def _snapshot(self, state: DocState, document: Document) -> DocumentSnapshot:
        settings = self.settings_for(state.path)
        text = document.source
        if state.python or state.template:
            self._open_texts[_resolved(state.path)] = text
        return DocumentSnapshot(
            uri=state.uri,
            path=state.path,
            python=state.python,
            template=state.template,
            text=text,
            lines=list(document.lines),
            version=document.version,
            generation=self._generation,
            settings=settings,
            project=self.project_for(settings),
            encoding=self.encoding,
            features=self.client_features(),
        )

    def _document(self, uri: str) -> Document | None:
        workspace = self.workspace
        if not isinstance(workspace, DocumentWorkspace) or not workspace.is_open(uri):
            return None
        document = workspace.get_text_document(uri)
        return document if isinstance(document, Document) else None

    def open_document(self, uri: str, language_id: str | None) -> None:
        """Start tracking a document the client opened (its text is in the workspace)."""
        path = path_for(uri)
        python = analysis.is_python_document(path, language_id)
        state = DocState(uri=uri, path=path, python=python, template=not python and self.is_template(path))
        previous = self._docs.get(uri)
        if previous is not None:
            self._forget(previous)
        self._docs[uri] = state
        self._scanned.pop(uri, None)

    def _forget(self, state: DocState) -> None:
        state.closed = True
        if state.pending is not None and state.sleeping:
            state.pending.cancel()
        for waiter in state.waiters:
            if not waiter.done():
                waiter.set_result(None)
        state.waiters.clear()
        self._cached.pop(state.uri, None)
        if not state.lock.locked():
            state.analyzer = None

    def close(self, uri: str) -> None:
        """The client closed a document: forget it and clear its pushed diagnostics."""
        state = self._docs.pop(uri, None)
        if state is not None:
            self._forget(state)
            state.published = None
            self._open_texts.pop(_resolved(state.path), None)
            for project in self._projects.values():
                project.invalidate(state.path)
            if state.template:
                self._refresh_renderers(state.path)  # the text on disk counts again
        if not self._pull:
            extra = self.config_diagnostics.wire_for(state.path) if state is not None else []
            self.protocol.notify(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, Serialized({"uri": uri, "diagnostics": extra})
            )
        self._results_changed()
        self._collector.released()

    # -- results ------------------------------------------------------------------

    async def current_result(self, uri: str) -> Published | None:
        """The result for the document's current version (analyzing it now if needed)."""
        while True:
            state = self._docs.get(uri)
            document = self._document(uri)
            if state is None or document is None or state.closed:
                return None
            current = state.published
            if (
                current is not None
                and current.version == document.version
                and current.generation == self._generation
                and not state.dirty  # another file it depends on changed: analyzed again first
            ):
                return current
            if state.pending is None or state.pending.done():
                self.schedule(uri, 0)
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            state.waiters.append(waiter)
            await waiter

    def latest_result(self, uri: str) -> Published | None:
        """The last published result, whatever its version."""
        state = self._docs.get(uri)
        if state is None:
            return self._scanned.get(uri)
        return state.published

    def scanned_result(self, uri: str) -> Published | None:
        """The workspace-scan result of a file (None when it was not scanned)."""
        return self._scanned.get(uri)

    def scanned_results(self) -> list[tuple[str, Published]]:
        """Workspace-scan results of the files that are not open."""
        return [(uri, result) for uri, result in list(self._scanned.items()) if uri not in self._docs]

    def store_scanned(self, uri: str, result: Published) -> bool:
        """Keep (and push, for a push client) the scan result of a file; False when the file was
        opened meanwhile (its live analysis wins)."""
        if uri in self._docs:
            return False
        self._scanned[uri] = result
        self._results_changed()
        if not self._pull:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=result.diagnostics)
            )
        return True

    @property
    def result_changes(self) -> int:
        """How many results were published so far (see :meth:`wait_for_results`)."""
        return self._result_changes

    async def wait_for_results(self, seen: int, timeout: float) -> None:
        """Return once a result newer than ``seen`` exists (or after ``timeout`` seconds)."""
        if self._result_changes != seen:
            return
        try:
            await asyncio.wait_for(self._result_event.wait(), timeout)
        except TimeoutError:
            pass

    def _results_changed(self) -> None:
        self._result_changes += 1
        self._result_event.set()
        self._result_event = asyncio.Event()

    # -- worker threads and the process -------------------------------------------

    async def run_in_worker(self, function: Callable[..., T], *args: Any, budget: float | None = None) -> T:
        """Run ``function(*args)`` in an analysis thread; :class:`BudgetExceeded` when it runs
        past ``budget`` seconds (it is then abandoned)."""
        return await self._threads.run(function, *args, budget=budget)

    def stop_background_work(self) -> None:
        """At shutdown: stop the running analyses and the idle garbage collection."""
        self._threads.stop()
        self._collector.stop()

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """Serve over stdin/stdout, then end the process (code 0 after ``shutdown``)."""
        self.exit_process(
            transport.run_stdio(cast(Protocol, self.protocol), stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)
        )

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client on a TCP socket, then end the process."""
        self.exit_process(transport.run_tcp(cast(Protocol, self.protocol), host, port))

    def exit_process(self, code: int) -> None:
        """End the server now (``exit``, end of input), whatever is still running."""
        log.info("exiting with code %d", code)
        self.stop_background_work()
        self.exit_hook(code)

    def _exit_now(self, code: int) -> None:
        transport.exit_process(code, self.protocol.writer)

    # -- scheduling ---------------------------------------------------------------

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Analyze ``uri`` after ``delay`` seconds (the folder's debounce when None)."""
        state = self._docs.get(uri)
        if state is None or state.closed:
            return
        if delay is None:
            delay = self.settings_for(state.path).options.debounce
        if state.pending is not None and not state.pending.done() and state.sleeping:
            state.pending.cancel()
        state.sleeping = True
        state.pending = asyncio.ensure_future(self._run_later(state, delay))

    def schedule_all(self) -> None:
        for uri in list(self._docs):
            self.schedule(uri, 0)
        self.notebooks.schedule_all()

    async def _run_later(self, state: DocState, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if not self._settings_ready.is_set():
                try:
                    await asyncio.wait_for(self._settings_ready.wait(), SETTINGS_WAIT)
                except TimeoutError:
                    self._settings_ready.set()
        except asyncio.CancelledError:
            return
        state.sleeping = False
        await self._run_now(state)

    async def _run_now(self, state: DocState) -> None:
        """Analyze the current version of a document (unless already done) and publish it."""
        try:
            await self._analyze_and_publish(state)
        finally:
            sweep_held()  # the analyses' own garbage, once the result is out (or was dropped)

    async def _analyze_and_publish(self, state: DocState) -> None:
        async with state.lock:
            if state.closed:
                return
            document = self._document(state.uri)
            if document is None:
                return
            current = state.published
            if (
                not state.dirty
                and current is not None
                and current.version == document.version
                and current.generation == self._generation
            ):
                self._wake(state)
                return
            job = self._job(state, document)
            budget = job.snapshot.settings.config.timeout * BUDGET_FACTOR
            try:
                outcome = await self.run_in_worker(run_job, job, budget=budget)
            except BudgetExceeded:
                self._abandoned(state, job, budget)
                return
            except Exception as error:  # an engine bug must not take the server down
                log.exception("analysis of %s failed", state.uri)
                self.log_message(
                    f"analysis of {state.path} failed: {type(error).__name__}: {error}", types.MessageType.Error
                )
                state.analyzer = None
                if not state.closed and document.version == job.snapshot.version:
                    # Answer whoever waits for this version (an empty result), rather than never.
                    self._publish(state, _published(job, [], []), job)
                return
            self._after_run(state, job, outcome)
            if state.closed:
                return
            if document.version != job.snapshot.version or self._generation != job.snapshot.generation:
                log.debug("dropping the stale result for %s version %s", state.uri, job.snapshot.version)
                return
            self._publish(state, outcome, job)
            job.held = None  # freed once its diagnostics are out, before the heap is frozen
            self._collector.after_analysis()
            if job.analyzer is not None and job.analyzer.unprepared:
                if self._others_waiting(state):
                    job.analyzer.release()  # its next version is analyzed whole, then prepared
                    return
                await self.run_in_worker(job.analyzer.prepare)  # the next edit's caches, once published
            if job.analyzer is not None and job.analyzer.refinable:
                state.refining = asyncio.ensure_future(self._refine_when_idle(state, job))

    async def _refine_when_idle(self, state: DocState, job: Job) -> None:
        """Once the document went ``REFINE_AFTER`` seconds without a new version, run its seeded
        chunks (``IncrementalAnalyzer.refine``): chunk by chunk, stopping as soon as a new
        version comes (which then waits for one chunk at most)."""
        superseded = self._superseded(state, job.snapshot)
        try:
            await asyncio.sleep(REFINE_AFTER)
            if superseded():
                return
            async with state.lock:
                analyzer = job.analyzer
                if analyzer is None or state.analyzer is not analyzer or superseded() or self._others_waiting(state):
                    return
                await self.run_in_worker(analyzer.refine, superseded)
        except asyncio.CancelledError:
            return
        except Exception:  # background work: a failure costs the next import change's speed only
            log.exception("running the seeded chunks of %s failed", state.uri)

    def _superseded(self, state: DocState, snapshot: DocumentSnapshot) -> Callable[[], bool]:
        """Whether another version of the document is there than the snapshot's, or other
        settings (or it closed): asked from an analysis thread between two steps of background work."""

        def superseded() -> bool:
            document = self._document(state.uri)
            return (
                state.closed
                or document is None
                or document.version != snapshot.version
                or self._generation != snapshot.generation
            )

        return superseded

    def _after_run(self, state: DocState, job: Job, outcome: Published) -> None:
        """Keep the analyzer's cache, and choose how the next version is analyzed: whole after
        a whole run that found syntax errors in several places, or after an incremental run
        that fell back for syntax errors (its cache is gone: starting it again would cost more
        than a whole analysis)."""
        self.announce_template_folders()  # the analysis may have found the project's template folders
        if job.analyzer is None:
            state.whole = state.python and sum(1 for n in outcome.notices if n.kind == "syntax-error") > 1
            return
        state.analyzer = job.analyzer
        state.whole = analysis.fell_back_for_syntax(job.analyzer)
        if state.whole:
            state.analyzer = None
        self._touch(state)

    def _abandoned(self, state: DocState, job: Job, budget: float) -> None:
        """An analysis ran over its budget: drop what its thread still holds, say so in the log
        and on the document."""
        state.analyzer = None  # the abandoned thread may still be inside it
        state.converted = DiagnosticCache()
        state.over_budget = True  # a whole analysis stops at `timeout` with what it found
        timeout = job.snapshot.settings.config.timeout
        message = (
            f"analysis stopped after {budget:g} s ({BUDGET_FACTOR:g} × the `timeout` setting of {timeout:g} s); "
            "no findings are shown for this version. Raise `timeout` to analyze this file."
        )
        self.log_message(f"{state.path}: {message}", types.MessageType.Warning)
        document = self._document(state.uri)
        if state.closed or document is None or document.version != job.snapshot.version:
            return
        notice = Notice("timeout", message, Span(1, 0, 1, 0), state.path)
        self._publish(state, _published(job, [], [notice], cache=DiagnosticCache()), job)

    def _others_waiting(self, state: DocState) -> bool:
        """Whether documents other than ``state``'s wait for an analysis (many opened at once).
        Their results come first, and the caches for a next edit (``prepare``) are not built for
        a document opened among many: most of them are never edited, and the caches of all but
        the last ``CACHED_ANALYZERS`` would be let go of soon after. The next version of such a
        document is analyzed whole (as fast as the open was), and its caches built after that."""
        return any(
            other is not state and other.pending is not None and not other.pending.done()
            for other in self._docs.values()
        )

    def _analyzing(self) -> bool:
        """Whether an analysis is running or waiting for its debounce, or a thread given up on
        has not stopped yet (what it holds is not freed before it ends); with no document open,
        whether any thread still works (the caches of a document closed meanwhile, a scan)."""
        if self._threads.abandoned > 0 or (not self._docs and self._threads.busy):
            return True
        return any(
            state.lock.locked() or (state.pending is not None and not state.pending.done())
            for state in self._docs.values()
        )

    def _job(self, state: DocState, document: Document) -> Job:
        snapshot = self._snapshot(state, document)
        if state.analyzer is None or state.analyzer_settings is not snapshot.settings:
            state.analyzer = None
            state.analyzer_settings = snapshot.settings
        if state.python and state.analyzer is None and not (state.whole or state.over_budget):
            if analysis.incremental_worthwhile(snapshot.text):
                state.analyzer = analysis.new_analyzer(snapshot)
        analyzer = state.analyzer if state.python else None
        return Job(snapshot=snapshot, analyzer=analyzer, converted=state.converted, changes=state.changes)

    def _touch(self, state: DocState) -> None:
        self._cached.pop(state.uri, None)
        self._cached[state.uri] = None
        while len(self._cached) > CACHED_ANALYZERS:
            uri, _ = self._cached.popitem(last=False)
            other = self._docs.get(uri)
            if other is not None and not other.lock.locked() and other.analyzer is not None:
                other.analyzer.release()

    def _publish(self, state: DocState, outcome: Published, job: Job) -> None:
        state.published = outcome
        state.analyzed_changes = job.changes
        logged = frozenset(n.message for n in outcome.notices if is_logged_notice(n))
        for message in sorted(logged - state.logged):
            self.log_message(f"{state.path}: {message}", types.MessageType.Info)
        state.logged = logged
        if self._pull and state.refresh:
            state.refresh = False
            if self.capability("workspace.diagnostics.refresh_support", False):
                self.workspace_diagnostic_refresh(None)  # the client would not pull an unedited view again
        if not self._pull:
            wire = outcome.wire
            if self.config_diagnostics.by_path and state.path.endswith("pyproject.toml"):
                wire = wire + self.config_diagnostics.wire_for(state.path)
            params = {"uri": state.uri, "diagnostics": wire}
            if outcome.version is not None:
                params["version"] = outcome.version
            self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, Serialized(params))
        self._wake(state)
        self._results_changed()

    def _wake(self, state: DocState) -> None:
        for waiter in state.waiters:
            if not waiter.done():
                waiter.set_result(None)
        state.waiters.clear()


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path


def run_job(job: Job) -> Published:
    """Analyze a snapshot and convert the result (runs in a worker thread)."""
    started = time.perf_counter()
    snapshot = job.snapshot
    if job.analyzer is not None:
        result = analysis.analyze_document(snapshot, job.analyzer)
    else:
        result = analysis.analyze_whole(snapshot)
    published = _published(job, result.findings, result.notices)
    published.seconds = time.perf_counter() - started
    how = job.analyzer.stats if job.analyzer is not None else "whole"
    log.info("analyzed %s v%s in %.1f ms: %s", snapshot.path, snapshot.version, published.seconds * 1000, how)
    job.held = result  # freed once published (``_run_now``)
    return published


def _published(
    job: Job, findings: list[Finding], notices: list[Notice], cache: DiagnosticCache | None = None
) -> Published:
    snapshot = job.snapshot
    return to_published(
        findings,
        notices,
        lines=snapshot.lines,
        version=snapshot.version,
        generation=snapshot.generation,
        encoding=snapshot.encoding,
        features=snapshot.features,
        cache=cache if cache is not None else job.converted,
    )
