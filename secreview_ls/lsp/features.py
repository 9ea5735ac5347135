"""LSP handlers: document sync, diagnostics (push or pull), hover, code actions, code lens,
commands, configuration and file watching."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..pipeline import AnalysisResult, Finding, Span, registry
from . import integrations
from .actions import SHOW_DOCUMENTATION, documentation_action, fix_action, suppress_action
from .hover import finding_markdown
from .positions import position_to_code_points, span_to_range
from .scan import scan_workspace
from .server import SecReviewServer, analyze_job, path_for
from .settings import settings_section

log = logging.getLogger("secreview_ls.lsp")

SCAN_WORKSPACE = "secreview.scanWorkspace"
REVIEW_FILE = "secreview.reviewFile"
WATCH_ID = "secreview-watch-config"
CONFIG_REGISTRATION_ID = "secreview-configuration"
LENS_TIMEOUT = 5.0
WORKSPACE_POLL = 60.0  # seconds an unchanged workspace/diagnostic request is held


def create_server() -> SecReviewServer:
    server = SecReviewServer()
    _register(server)
    return server


def _register(server: SecReviewServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: SecReviewServer, params: types.InitializeParams) -> None:
        ls.install_workspace(params)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: SecReviewServer, params: types.InitializedParams) -> None:
        try:
            await _register_dynamic(ls)
            await _fetch_configuration(ls)
        finally:
            ls.settings_ready.set()
        ls.log_message(
            f"secreview-ls {ls.version} ready ({'pull' if ls.pull else 'push'} diagnostics, "
            f"{ls.encoding} positions, {len(ls.folder_settings)} workspace folder(s))"
        )

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: SecReviewServer, params: None) -> None:
        ls.executor.shutdown(wait=False, cancel_futures=True)
        ls.collector.stop()

    # -- document lifecycle ------------------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SecReviewServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open_state(params.text_document.uri, params.text_document.language_id)
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SecReviewServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri not in ls.docs:
            ls.log_message(f"ignored a change to {uri}, which was never opened", types.MessageType.Warning)
            return
        ls.schedule(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: SecReviewServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = path_for(uri)
        if Path(path).name == "pyproject.toml":
            _reload(ls, "pyproject.toml saved")
            return
        if uri in ls.docs:
            ls.schedule(uri, 0)
        ls.file_saved(path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SecReviewServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    # -- diagnostics (pull) ------------------------------------------------------------

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="secreview", inter_file_dependencies=True, workspace_diagnostics=True),
    )
    async def document_diagnostic(ls: SecReviewServer, params: types.DocumentDiagnosticParams) -> Any:
        uri = params.text_document.uri
        result = await ls.current_result(uri)
        if result is None:
            scanned = ls.scanned.get(uri)
            if scanned is None:
                return types.RelatedFullDocumentDiagnosticReport(items=[], result_id="empty")
            result = scanned
        if params.previous_result_id == result.result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result.result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=result.diagnostics, result_id=result.result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(ls: SecReviewServer, params: types.WorkspaceDiagnosticParams) -> Any:
        previous = {p.uri: p.value for p in params.previous_result_ids or []}
        deadline = asyncio.get_running_loop().time() + WORKSPACE_POLL
        while True:
            changes = ls.result_changes
            items: list[Any] = []
            for uri in list(ls.docs):
                result = await ls.current_result(uri)
                if result is not None:
                    items.append(_workspace_report(uri, result, previous))
            for uri, result in list(ls.scanned.items()):
                if uri not in ls.docs:
                    items.append(_workspace_report(uri, result, previous))
            fresh = any(isinstance(item, types.WorkspaceFullDocumentDiagnosticReport) for item in items)
            remaining = deadline - asyncio.get_running_loop().time()
            if fresh or not previous or remaining <= 0:
                return types.WorkspaceDiagnosticReport(items=items)
            # Nothing new for a client that already has everything: hold the request until a
            # result changes (the client re-sends it as soon as it is answered).
            await ls.wait_for_results(changes, remaining)

    # -- hover, code actions, code lens --------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: SecReviewServer, params: types.HoverParams) -> types.Hover | None:
        result = await ls.current_result(params.text_document.uri)
        if result is None:
            return None
        line, column = position_to_code_points(result.lines, params.position, ls.encoding)
        hits = [f for f in result.findings if f.span.contains(line + 1, column)]
        if not hits:
            return None
        hits.sort(key=lambda f: (-int(f.severity), _span_size(f.span)))
        path = ls.docs[params.text_document.uri].path if params.text_document.uri in ls.docs else ""
        value = "\n\n---\n\n".join(finding_markdown(f, current_path=path) for f in hits[:3])
        kind = types.MarkupKind.Markdown
        formats = ls.capability("text_document.hover.content_format") or []
        if formats and types.MarkupKind.Markdown not in formats:
            kind = types.MarkupKind.PlainText
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value=value),
            range=span_to_range(hits[0].span, result.lines, ls.encoding),
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
    )
    async def code_action(ls: SecReviewServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        result = await ls.current_result(uri)
        if result is None:
            return None
        only = params.context.only
        if only and not any(types.CodeActionKind.QuickFix.value.startswith(k.value if hasattr(k, "value") else str(k)) for k in only):
            return None
        first = position_to_code_points(result.lines, params.range.start, ls.encoding)
        last = position_to_code_points(result.lines, params.range.end, ls.encoding)
        document_changes = bool(ls.capability("workspace.workspace_edit.document_changes", False))
        by_fingerprint = {}
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            if diagnostic.source == "secreview" and data.get("fingerprint"):
                by_fingerprint[data["fingerprint"]] = diagnostic
        diagnostics = {d.data.get("fingerprint"): d for d in result.diagnostics if isinstance(d.data, dict)}
        actions: list[types.CodeAction] = []
        fixes: list[types.CodeAction] = []
        for found in result.findings:
            if not _touches(found.span, first, last) and found.fingerprint not in by_fingerprint:
                continue
            diagnostic = by_fingerprint.get(found.fingerprint) or diagnostics.get(found.fingerprint)
            for maker, bucket in ((fix_action, fixes), (suppress_action, actions)):
                action = maker(found, diagnostic, uri, result.version, result.lines, ls.encoding, document_changes)
                if action is not None:
                    bucket.append(action)
            documentation = documentation_action(found, diagnostic)
            if documentation is not None and all(a.title != documentation.title for a in actions):
                actions.append(documentation)
        return [*fixes, *actions] or None

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls: SecReviewServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
        uri = params.text_document.uri
        state = ls.docs.get(uri)
        if state is None or not state.python:
            return None
        try:
            result = await asyncio.wait_for(ls.current_result(uri), LENS_TIMEOUT)
        except TimeoutError:
            result = ls.latest_result(uri)
        if result is None:
            return None
        count = len(result.findings)
        title = f"SecReview: {count} finding{'s' if count != 1 else ''} — review this file"
        return [
            types.CodeLens(
                range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
                command=types.Command(title=title, command=REVIEW_FILE, arguments=[uri]),
            )
        ]

    # -- commands -------------------------------------------------------------------------

    @server.command(SHOW_DOCUMENTATION)
    async def show_documentation(ls: SecReviewServer, *args: Any) -> str | None:
        code = str(args[0]) if args else ""
        rule = registry.get(code)
        if rule is None:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"Unknown rule `{code}`"))
            return None
        markdown = rule.markdown()
        shown = False
        if ls.capability("window.show_document.support", False):
            # The rule's documentation ships with the tool: open it as a markdown document.
            try:
                path = _docs_file(rule.id, markdown)
                result = await ls.window_show_document_async(
                    types.ShowDocumentParams(uri=path.as_uri(), external=False, take_focus=True)
                )
                shown = bool(getattr(result, "success", False))
            except Exception as error:  # the client may refuse; the text is still returned
                log.info("showDocument failed: %s", error)
        if not shown:
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Info, message=f"{rule.id} {rule.name}: {rule.summary}")
            )
        return markdown

    @server.command(REVIEW_FILE)
    async def review_file(ls: SecReviewServer, *args: Any) -> str | None:
        uri = str(args[0]) if args else ""
        state = ls.docs.get(uri)
        document = ls.document(uri)
        if state is None or document is None:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message="Open the file to review it."))
            return None
        job = ls._job(state, document)
        job.analyzer = None  # a full run: the review also reports what was examined
        loop = asyncio.get_running_loop()

        def work() -> str | None:
            result: AnalysisResult = analyze_job(job)
            result.findings = integrations.filter_findings(result.findings, job.path, job.text, job.settings)
            return integrations.review_text(result, job.text, job.settings, _display_path(ls, job.path))

        text = await loop.run_in_executor(ls.executor, work)
        if text is None:
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message="The review is not available in this installation.")
            )
            return None
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
        return text

    @server.command(SCAN_WORKSPACE)
    async def scan(ls: SecReviewServer, *args: Any) -> dict[str, Any]:
        return await scan_workspace(ls)

    # -- configuration and files --------------------------------------------------------

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: SecReviewServer, params: types.DidChangeConfigurationParams) -> None:
        section = settings_section(params.settings) if params.settings is not None else {}
        if section:
            ls.client_config[""] = section
        await _fetch_configuration(ls)
        _reload(ls, "configuration changed")

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: SecReviewServer, params: types.DidChangeWatchedFilesParams) -> None:
        reload = False
        for change in params.changes:
            path = path_for(change.uri)
            name = Path(path).name
            if name == "pyproject.toml":
                reload = True
            elif any(s.baseline_path is not None and Path(path) == s.baseline_path for s in ls.folder_settings.values()):
                reload = True
            elif path.endswith(".py"):
                ls.file_saved(path)
        if reload:
            integrations.forget_baselines()
            _reload(ls, "a configuration file changed")

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(ls: SecReviewServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        await _fetch_configuration(ls)
        _reload(ls, "workspace folders changed")


def _reload(ls: SecReviewServer, reason: str) -> None:
    ls.refresh_settings()
    ls.log_message(f"settings reloaded ({reason})")
    ls.schedule_all()
    if ls.pull and ls.capability("workspace.diagnostics.refresh_support", False):
        ls.workspace_diagnostic_refresh(None)
    if ls.capability("workspace.code_lens.refresh_support", False):
        ls.workspace_code_lens_refresh(None)


async def _fetch_configuration(ls: SecReviewServer) -> None:
    """Ask the client for the ``secreview`` section, globally and per folder."""
    if not ls.capability("workspace.configuration", False):
        ls.refresh_settings()
        return
    folders = ls.folders()
    items = [types.ConfigurationItem(section="secreview")]
    items += [types.ConfigurationItem(scope_uri=uri, section="secreview") for uri, _ in folders]
    try:
        answers = await asyncio.wait_for(
            ls.workspace_configuration_async(types.ConfigurationParams(items=items)), 5.0
        )
    except Exception as error:
        ls.log_message(f"workspace/configuration failed: {error}", types.MessageType.Warning)
        ls.refresh_settings()
        return
    answers = list(answers or [])
    if answers:
        ls.client_config[""] = settings_section(answers[0]) if isinstance(answers[0], dict) else {}
    for (uri, _), answer in zip(folders, answers[1:], strict=False):
        ls.client_config[uri] = settings_section(answer) if isinstance(answer, dict) else {}
    ls.refresh_settings()


async def _register_dynamic(ls: SecReviewServer) -> None:
    registrations: list[types.Registration] = []
    if ls.capability("workspace.did_change_watched_files.dynamic_registration", False):
        watchers = [
            types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
            types.FileSystemWatcher(glob_pattern="**/*.py"),
            types.FileSystemWatcher(glob_pattern="**/.secreview-baseline.json"),
        ]
        registrations.append(
            types.Registration(
                id=WATCH_ID,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
        )
    if ls.capability("workspace.did_change_configuration.dynamic_registration", False):
        registrations.append(
            types.Registration(id=CONFIG_REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_CONFIGURATION)
        )
    if not registrations:
        return
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(types.RegistrationParams(registrations=registrations)), 5.0
        )
    except Exception as error:
        ls.log_message(f"client/registerCapability failed: {error}", types.MessageType.Warning)


def _workspace_report(uri: str, result: Any, previous: dict[str, str]) -> Any:
    if previous.get(uri) == result.result_id:
        return types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, version=result.version, result_id=result.result_id)
    return types.WorkspaceFullDocumentDiagnosticReport(
        uri=uri, version=result.version, items=result.diagnostics, result_id=result.result_id
    )


def _touches(span: Span, first: tuple[int, int], last: tuple[int, int]) -> bool:
    start = (span.start_line - 1, span.start_col)
    end = (span.end_line - 1, span.end_col)
    if first == last:
        return start <= first <= end or span.start_line - 1 == first[0]
    return start <= last and first <= end


def _span_size(span: Span) -> tuple[int, int]:
    return (span.end_line - span.start_line, span.end_col - span.start_col)


def _display_path(ls: SecReviewServer, path: str) -> str:
    for _, root in ls.folders():
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            continue
    return path


_DOCS_DIRECTORY: list[Path] = []


def _docs_file(rule_id: str, markdown: str) -> Path:
    """The rule's documentation as a markdown file the editor can open, in a private
    directory created once per server process."""
    import tempfile

    if not _DOCS_DIRECTORY:
        _DOCS_DIRECTORY.append(Path(tempfile.mkdtemp(prefix="secreview-docs-")))
    path = _DOCS_DIRECTORY[0] / f"{rule_id}.md"
    path.write_text(markdown, encoding="utf-8")
    return path


def new_token() -> str:
    return f"secreview-{uuid.uuid4().hex[:12]}"


__all__ = ["REVIEW_FILE", "SCAN_WORKSPACE", "Finding", "create_server", "new_token"]
