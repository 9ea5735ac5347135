"""The language server's state: open documents, settings per folder, scheduled analyses.

Analysis runs in a thread pool (never on the event loop). For each document a
change cancels the pending (debounced) run; a run in progress finishes but its
result is dropped when the document has moved on, so a published result always
matches the version it names. One run per document at a time: the incremental
analyzer of a document is not shared between threads.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..pipeline import AnalysisResult, Finding, IncrementalAnalyzer, Notice, analyze_text_file, is_python_path
from . import integrations
from .collector import IdleCollector
from .convert import ClientFeatures, DiagnosticCache, is_logged_notice, notice_to_diagnostic, to_json
from .document import Document, DocumentWorkspace
from .positions import split_lines_keepends
from .settings import FolderSettings, resolve

log = logging.getLogger("secreview_ls.lsp")

ANALYSIS_WORKERS = 2
CACHED_ANALYZERS = 16  # documents that keep incremental caches (the most recently analyzed)
SETTINGS_WAIT = 3.0  # seconds an analysis waits for the client's configuration at startup


@dataclass
class Published:
    """The analysis result of one document version, as last sent (or to be pulled)."""

    version: int | None
    generation: int
    findings: list[Finding]
    notices: list[Notice]
    diagnostics: list[types.Diagnostic]
    lines: list[str]
    result_id: str
    seconds: float = 0.0
    wire: list[dict[str, Any]] = field(default_factory=list)  # the diagnostics as JSON-ready data


@dataclass
class DocState:
    uri: str
    path: str
    python: bool
    analyzer: IncrementalAnalyzer | None = None
    analyzer_settings: FolderSettings | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: asyncio.Task[None] | None = None
    sleeping: bool = False
    published: Published | None = None
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    logged: frozenset[str] = frozenset()
    closed: bool = False
    dirty: bool = False  # re-analyze even if the version did not change (another file changed)
    converted: DiagnosticCache = field(default_factory=DiagnosticCache)


@dataclass
class Job:
    """Everything a worker thread needs, captured on the event loop."""

    uri: str
    path: str
    python: bool
    text: str
    lines: list[str]
    version: int | None
    generation: int
    settings: FolderSettings
    analyzer: IncrementalAnalyzer | None
    encoding: str
    features: ClientFeatures
    options: dict[str, Any]
    converted: DiagnosticCache | None = None  # the document's diagnostics of its last version


class Protocol(LanguageServerProtocol):
    """Answers a request whose parameters do not match its method with an error, instead of
    leaving the client waiting."""

    def _serialize_message(self, data: Any) -> Any:
        params = getattr(data, "params", None)
        if isinstance(params, Serialized):
            return {"jsonrpc": data.jsonrpc, "method": data.method, "params": params.value}
        return super()._serialize_message(data)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except Exception as error:
            method = data.get("method") if isinstance(data, dict) else None
            log.error("malformed %s message: %s", method or "JSON-RPC", error)
            if isinstance(data, dict) and "id" in data and method:
                try:
                    self._send_response(
                        data["id"],
                        error=types.ResponseError(
                            code=types.ErrorCodes.InvalidParams,
                            message=f"invalid parameters for {method}: {error}",
                        ),
                    )
                except Exception:  # the id itself may be unusable
                    log.exception("cannot answer the malformed request")
            return _Ignored()


class Serialized:
    """Parameters that are JSON-ready data already (sent as they are)."""

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value


class _Ignored:
    """A message that was already answered or cannot be handled; ``handle_message`` skips it."""

    jsonrpc = "ignored"


class SecReviewServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "secreview-ls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=Protocol,
        )
        self.executor = ThreadPoolExecutor(max_workers=ANALYSIS_WORKERS, thread_name_prefix="secreview-analysis")
        self.docs: dict[str, DocState] = {}
        self.cached: OrderedDict[str, None] = OrderedDict()
        self.init_options: dict[str, Any] = {}
        self.client_config: dict[str, dict[str, Any]] = {}  # folder uri ("" = global) → section
        self.folder_settings: dict[str, FolderSettings] = {}
        self.loose_settings: dict[str, FolderSettings] = {}
        self.generation = 0
        self.pull = False
        self.settings_ready = asyncio.Event()
        self.scanned: dict[str, Published] = {}  # workspace-scan results of files that are not open
        self.projects: dict[str, Any] = {}  # folder root → cross-module index
        self.open_texts: dict[str, str] = {}  # path → text of open documents (for the index)
        self.timings: list[float] = []
        self.result_changes = 0  # counts published results (workspace/diagnostic waits on it)
        self._result_event = asyncio.Event()
        self.collector = IdleCollector(self._analyzing)

    # -- client capabilities ------------------------------------------------------

    def capability(self, path: str, default: Any = None) -> Any:
        current: Any = self.client_capabilities
        for part in path.split("."):
            current = getattr(current, part, None)
            if current is None:
                return default
        return current

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or "utf-16")

    def client_features(self) -> ClientFeatures:
        if self.pull:
            related = bool(self.capability("text_document.diagnostic.related_information", True))
            description = bool(self.capability("text_document.diagnostic.code_description_support", True))
        else:
            related = bool(self.capability("text_document.publish_diagnostics.related_information", False))
            description = bool(self.capability("text_document.publish_diagnostics.code_description_support", False))
        return ClientFeatures(related_information=related, code_description=description)

    # -- setup --------------------------------------------------------------------

    def install_workspace(self, params: types.InitializeParams) -> None:
        """Replace pygls' workspace with one whose documents follow the protocol's line model."""
        current = self.protocol._workspace
        root_uri = params.root_uri
        if root_uri is None and params.root_path is not None:
            root_uri = from_fs_path(params.root_path)
        position_encoding = current.position_encoding if current is not None else types.PositionEncodingKind.Utf16
        self.protocol._workspace = DocumentWorkspace(
            root_uri,
            types.TextDocumentSyncKind.Incremental,
            params.workspace_folders or [],
            position_encoding,
        )
        options = params.initialization_options
        self.init_options = options if isinstance(options, dict) else {}
        self.pull = self.capability("text_document.diagnostic") is not None
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

    def refresh_settings(self) -> None:
        """Recompute every folder's settings (pyproject + client layers); bump the generation."""
        self.folder_settings = {}
        for uri, root in self.folders():
            layers = [self.init_options, self.client_config.get("", {}), self.client_config.get(uri, {})]
            settings = resolve(root, layers)
            self.folder_settings[uri] = settings
            for error in settings.errors:
                self.log_message(f"settings for {root}: {error}", types.MessageType.Warning)
        self.loose_settings = {}
        self.projects = {}
        for settings in self.folder_settings.values():
            if settings.root is not None:
                project = integrations.project_index(settings.root, self._read_for_project)
                if project is not None:
                    self.projects[str(settings.root)] = project
        self.generation += 1

    def _read_for_project(self, path: Path) -> str | None:
        """Text of an open document for the cross-module index (None: the index reads the disk)."""
        return self.open_texts.get(str(path))

    def file_saved(self, path: str) -> None:
        """A Python file was saved (or changed on disk): documents that may import it are
        analyzed again."""
        if not path.endswith((".py", ".pyi")):
            return
        for project in self.projects.values():
            project.invalidate(path)
        if not self.projects:
            return
        for state in self.docs.values():
            if state.python and state.path != path:
                state.dirty = True
                self.schedule(state.uri)

    def settings_for(self, path: str) -> FolderSettings:
        """Settings of the innermost workspace folder containing ``path``."""
        best: tuple[int, FolderSettings] | None = None
        candidate = Path(path)
        for settings in self.folder_settings.values():
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
        cached = self.loose_settings.get(directory)
        if cached is None:
            start = Path(directory) if directory and Path(directory).is_dir() else None
            layers = [self.init_options, self.client_config.get("", {})]
            cached = resolve(None, layers, start=start)
            self.loose_settings[directory] = cached
        return cached

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

    # -- documents ----------------------------------------------------------------

    def document(self, uri: str) -> Document | None:
        workspace = self.workspace
        if not isinstance(workspace, DocumentWorkspace) or not workspace.is_open(uri):
            return None
        document = workspace.get_text_document(uri)
        return document if isinstance(document, Document) else None

    def open_state(self, uri: str, language_id: str | None) -> DocState:
        path = path_for(uri)
        python = is_python_path(path) or (language_id or "").lower() == "python"
        state = DocState(uri=uri, path=path, python=python)
        previous = self.docs.get(uri)
        if previous is not None:
            self.forget(previous)
        self.docs[uri] = state
        self.scanned.pop(uri, None)
        return state

    def forget(self, state: DocState) -> None:
        state.closed = True
        if state.pending is not None and state.sleeping:
            state.pending.cancel()
        for waiter in state.waiters:
            if not waiter.done():
                waiter.set_result(None)
        state.waiters.clear()
        self.cached.pop(state.uri, None)
        if not state.lock.locked():
            state.analyzer = None

    def close(self, uri: str) -> None:
        state = self.docs.pop(uri, None)
        if state is not None:
            self.forget(state)
            state.published = None
            self.open_texts.pop(_resolved(state.path), None)
            for project in self.projects.values():
                project.invalidate(state.path)
        if not self.pull:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.results_changed()

    # -- scheduling ---------------------------------------------------------------

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Analyze ``uri`` after ``delay`` seconds (the folder's debounce when None)."""
        state = self.docs.get(uri)
        if state is None or state.closed:
            return
        if delay is None:
            delay = self.settings_for(state.path).options.debounce
        if state.pending is not None and not state.pending.done() and state.sleeping:
            state.pending.cancel()
        state.sleeping = True
        state.pending = asyncio.ensure_future(self._run_later(state, delay))

    def schedule_all(self) -> None:
        for uri in list(self.docs):
            self.schedule(uri, 0)

    async def _run_later(self, state: DocState, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if not self.settings_ready.is_set():
                try:
                    await asyncio.wait_for(self.settings_ready.wait(), SETTINGS_WAIT)
                except TimeoutError:
                    self.settings_ready.set()
        except asyncio.CancelledError:
            return
        state.sleeping = False
        await self.run_now(state)

    async def run_now(self, state: DocState) -> None:
        """Analyze the current version of a document (unless already done) and publish it."""
        async with state.lock:
            if state.closed:
                return
            document = self.document(state.uri)
            if document is None:
                return
            current = state.published
            if (
                not state.dirty
                and current is not None
                and current.version == document.version
                and current.generation == self.generation
            ):
                self._wake(state)
                return
            state.dirty = False
            job = self._job(state, document)
            try:
                outcome = await asyncio.get_running_loop().run_in_executor(self.executor, run_job, job)
            except Exception as error:  # an engine bug must not take the server down
                log.exception("analysis of %s failed", state.uri)
                self.log_message(f"analysis of {state.path} failed: {type(error).__name__}: {error}", types.MessageType.Error)
                state.analyzer = None
                if not state.closed and document.version == job.version:
                    # Answer whoever waits for this version (an empty result), rather than never.
                    self._publish(state, to_published(job, [], []))
                return
            state.analyzer = job.analyzer
            self._touch(state)
            if state.closed:
                return
            if document.version != job.version or self.generation != job.generation:
                log.debug("dropping the stale result for %s version %s", state.uri, job.version)
                return
            self._publish(state, outcome)
            self.collector.after_analysis()

    def _analyzing(self) -> bool:
        """Whether an analysis is running or waiting for its debounce."""
        return any(
            state.lock.locked() or (state.pending is not None and not state.pending.done())
            for state in self.docs.values()
        )

    def _job(self, state: DocState, document: Document) -> Job:
        settings = self.settings_for(state.path)
        if state.analyzer is None or state.analyzer_settings is not settings:
            state.analyzer = None
            state.analyzer_settings = settings
        options: dict[str, Any] = {}
        project = self.projects.get(str(settings.root)) if settings.root is not None else None
        if project is not None:
            options["project"] = project
        if state.python and state.analyzer is None:
            state.analyzer = IncrementalAnalyzer(state.path, settings.config, project=project)
        text = document.source
        if state.python:
            self.open_texts[_resolved(state.path)] = text
        return Job(
            uri=state.uri,
            path=state.path,
            python=state.python,
            text=text,
            lines=list(document.lines),
            version=document.version,
            generation=self.generation,
            settings=settings,
            analyzer=state.analyzer,
            encoding=self.encoding,
            features=self.client_features(),
            options=options,
            converted=state.converted,
        )

    def _touch(self, state: DocState) -> None:
        self.cached.pop(state.uri, None)
        self.cached[state.uri] = None
        while len(self.cached) > CACHED_ANALYZERS:
            uri, _ = self.cached.popitem(last=False)
            other = self.docs.get(uri)
            if other is not None and not other.lock.locked() and other.analyzer is not None:
                other.analyzer.release()

    def _publish(self, state: DocState, outcome: Published) -> None:
        state.published = outcome
        self.timings.append(outcome.seconds)
        del self.timings[:-200]
        logged = frozenset(n.message for n in outcome.notices if is_logged_notice(n))
        for message in sorted(logged - state.logged):
            self.log_message(f"{state.path}: {message}", types.MessageType.Info)
        state.logged = logged
        if not self.pull:
            params = {"uri": state.uri, "diagnostics": outcome.wire}
            if outcome.version is not None:
                params["version"] = outcome.version
            self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, Serialized(params))
        self._wake(state)
        self.results_changed()

    def results_changed(self) -> None:
        self.result_changes += 1
        self._result_event.set()
        self._result_event = asyncio.Event()

    async def wait_for_results(self, seen: int, timeout: float) -> None:
        """Return once a result newer than ``seen`` exists (or after ``timeout`` seconds)."""
        if self.result_changes != seen:
            return
        try:
            await asyncio.wait_for(self._result_event.wait(), timeout)
        except TimeoutError:
            pass

    def _wake(self, state: DocState) -> None:
        for waiter in state.waiters:
            if not waiter.done():
                waiter.set_result(None)
        state.waiters.clear()

    async def current_result(self, uri: str) -> Published | None:
        """The result for the document's current version (analyzing it now if needed)."""
        while True:
            state = self.docs.get(uri)
            document = self.document(uri)
            if state is None or document is None or state.closed:
                return None
            current = state.published
            if current is not None and current.version == document.version and current.generation == self.generation:
                return current
            if state.pending is None or state.pending.done():
                self.schedule(uri, 0)
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            state.waiters.append(waiter)
            await waiter

    def latest_result(self, uri: str) -> Published | None:
        """The last published result, whatever its version."""
        state = self.docs.get(uri)
        if state is None:
            return self.scanned.get(uri)
        return state.published


def path_for(uri: str) -> str:
    """Filesystem path of a ``file:`` URI; otherwise a stable pseudo-path."""
    path = to_fs_path(uri)
    if path and uri.startswith("file:"):
        return path
    return unquote(uri)


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path


@lru_cache(maxsize=4096)  # asked for every step of every data-flow path, at every version
def uri_for(path: str) -> str:
    if "://" in path or path.startswith("untitled:"):
        return path
    return from_fs_path(path) or path


def run_job(job: Job) -> Published:
    """Analyze a snapshot and convert the result (runs in a worker thread)."""
    started = time.perf_counter()
    result = analyze_job(job)
    findings = integrations.filter_findings(result.findings, job.path, job.text, job.settings)
    published = to_published(job, findings, result.notices)
    published.seconds = time.perf_counter() - started
    if job.analyzer is not None:
        log.info("analyzed %s v%s in %.1f ms: %s", job.path, job.version, published.seconds * 1000, job.analyzer.stats)
    return published


def analyze_job(job: Job) -> AnalysisResult:
    if job.python:
        analyzer = job.analyzer or IncrementalAnalyzer(job.path, job.settings.config, project=job.options.get("project"))
        job.analyzer = analyzer
        return analyzer.analyze(job.text)
    return analyze_text_file(job.text, job.path, job.settings.config)


def to_published(job: Job, findings: list[Finding], notices: list[Notice], lines_for: Callable[[str], list[str] | None] | None = None) -> Published:
    converted = job.converted if job.converted is not None else DiagnosticCache()
    diagnostics, wire = converted.convert(
        findings,
        job.lines,
        job.encoding,
        version=job.version,
        uri_for=uri_for,
        lines_for=lines_for or _read_lines,
        features=job.features,
    )
    for notice in notices:
        diagnostic = notice_to_diagnostic(notice, job.lines, job.encoding, job.features)
        if diagnostic is not None:
            diagnostics.append(diagnostic)
            wire.append(to_json(diagnostic))
    digest = hashlib.sha1(usedforsecurity=False)
    for found in findings:
        digest.update(f"{found.rule_id}|{found.span}|{found.message}|{found.fingerprint}\n".encode("utf-8", "replace"))
    for notice in notices:
        digest.update(f"{notice.kind}|{notice.span}|{notice.message}\n".encode("utf-8", "replace"))
    return Published(
        version=job.version,
        generation=job.generation,
        findings=findings,
        notices=notices,
        diagnostics=diagnostics,
        lines=job.lines,
        result_id=f"{job.version}:{job.generation}:{digest.hexdigest()[:16]}",
        wire=wire,
    )


def _read_lines(path: str) -> list[str] | None:
    try:
        return split_lines_keepends(Path(path).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
