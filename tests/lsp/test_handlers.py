"""The LSP handlers called directly, with a stand-in for the server (no transport, no event
loop of pygls): each handler is a plain function of the server and the request parameters."""

from __future__ import annotations

import ast
import asyncio
import inspect
import typing
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from secreview_ls.lsp import analysis
from secreview_ls.lsp.convert import ClientFeatures
from secreview_ls.lsp.handlers import (
    COMMANDS,
    FEATURES,
    commands,
    create_server,
    diagnostics,
    documents,
    findings,
    workspace,
)
from secreview_ls.lsp.positions import UTF16, split_lines_keepends
from secreview_ls.lsp.results import Published, to_published
from secreview_ls.lsp.settings import resolve
from secreview_ls.lsp.snapshot import DocumentSnapshot

URI = "file:///project/app.py"
PATH = "/project/app.py"
SOURCE = (
    "import subprocess\nimport yaml\n\n\ndef load(f):\n    subprocess.call(cmd, shell=True)\n    return yaml.load(f)\n"
)


def snapshot_of(text: str, *, version: int = 1) -> DocumentSnapshot:
    return DocumentSnapshot(
        uri=URI,
        path=PATH,
        python=True,
        text=text,
        lines=split_lines_keepends(text),
        version=version,
        generation=1,
        settings=resolve(None, []),
        project=None,
        encoding=UTF16,
        features=ClientFeatures(),
    )


def published_for(text: str, *, version: int = 1) -> Published:
    snapshot = snapshot_of(text, version=version)
    result = analysis.analyze_document(snapshot, None)
    return to_published(
        result.findings,
        result.notices,
        lines=snapshot.lines,
        version=version,
        generation=snapshot.generation,
        encoding=snapshot.encoding,
        features=snapshot.features,
    )


class NoNotebooks:
    """No notebook is open: no URI is a notebook cell."""

    async def cell_result(self, uri: str) -> None:
        return None


class FakeServer:
    """What the handlers use of the server, recording what they ask of it."""

    def __init__(
        self,
        *,
        results: dict[str, Published] | None = None,
        scanned: dict[str, Published] | None = None,
        open_docs: dict[str, str] | None = None,
        capabilities: dict[str, Any] | None = None,
        baselines: set[str] | None = None,
        pull: bool = False,
    ) -> None:
        self.results = results or {}
        self.scanned = scanned or {}
        self.open_docs = open_docs if open_docs is not None else {URI: PATH}
        self.capabilities = capabilities or {}
        self.baselines = baselines or set()
        self.pull = pull
        self.encoding = UTF16
        self.logged: list[tuple[types.MessageType, str]] = []
        self.shown: list[types.ShowMessageParams] = []
        self.scheduled: list[tuple[str, float | None]] = []
        self.saved: list[str] = []
        self.calls: list[str] = []
        self.notebooks = NoNotebooks()

    async def current_result(self, uri: str) -> Published | None:
        return self.results.get(uri) if uri in self.open_docs else None

    def latest_result(self, uri: str) -> Published | None:
        return self.results.get(uri)

    def scanned_result(self, uri: str) -> Published | None:
        return self.scanned.get(uri)

    def capability(self, path: str, default: Any = None) -> Any:
        return self.capabilities.get(path, default)

    def is_open(self, uri: str) -> bool:
        return uri in self.open_docs

    def is_python(self, uri: str) -> bool:
        return self.open_docs.get(uri, "").endswith(".py")

    def document_path(self, uri: str) -> str | None:
        return self.open_docs.get(uri)

    def is_baseline(self, path: str) -> bool:
        return path in self.baselines

    def is_template(self, path: str) -> bool:
        return "/templates/" in path

    def log_message(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.logged.append((kind, message))

    def window_show_message(self, params: types.ShowMessageParams) -> None:
        self.shown.append(params)

    def template_edited(self, uri: str) -> None:
        self.calls.append(f"template_edited {uri}")

    def schedule(self, uri: str, delay: float | None = None) -> None:
        self.scheduled.append((uri, delay))

    def file_saved(self, path: str) -> None:
        self.saved.append(path)

    def refresh_settings(self) -> None:
        self.calls.append("refresh_settings")

    def announce_template_folders(self) -> None:
        self.calls.append("announce_template_folders")

    def schedule_all(self) -> None:
        self.calls.append("schedule_all")

    def publish_config_problems(self) -> None:
        self.calls.append("publish_config_problems")

    def workspace_diagnostic_refresh(self, params: None) -> None:
        self.calls.append("workspace_diagnostic_refresh")

    def workspace_code_lens_refresh(self, params: None) -> None:
        self.calls.append("workspace_code_lens_refresh")


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


# -- hover ------------------------------------------------------------------------------


def test_hover_describes_the_finding_under_the_cursor() -> None:
    ls = FakeServer(results={URI: published_for(SOURCE)})
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=URI), position=position(6, 14))
    hover = run(findings.hover(ls, params))
    assert hover is not None
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("**SR401**")
    assert "SR201" not in hover.contents.value
    assert hover.range == types.Range(start=position(6, 11), end=position(6, 23))


def test_hover_is_plain_text_for_a_client_without_markdown_and_empty_off_findings() -> None:
    ls = FakeServer(
        results={URI: published_for(SOURCE)},
        capabilities={"text_document.hover.content_format": [types.MarkupKind.PlainText]},
    )
    identifier = types.TextDocumentIdentifier(uri=URI)
    hover = run(findings.hover(ls, types.HoverParams(text_document=identifier, position=position(5, 10))))
    assert hover is not None and hover.contents.kind == types.MarkupKind.PlainText
    assert "SR201" in hover.contents.value
    assert run(findings.hover(ls, types.HoverParams(text_document=identifier, position=position(2, 0)))) is None


# -- code actions and code lens -------------------------------------------------------------


def action_params(line: int, only: list[types.CodeActionKind] | None = None) -> types.CodeActionParams:
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(start=position(line, 0), end=position(line, 0)),
        context=types.CodeActionContext(diagnostics=[], only=only),
    )


def test_code_action_offers_the_fix_first_then_suppression_and_documentation() -> None:
    ls = FakeServer(results={URI: published_for(SOURCE, version=4)})
    actions = run(findings.code_action(ls, action_params(6)))
    assert [a.title for a in actions] == [
        "Replace `yaml.load` with `yaml.safe_load`",
        "Suppress SR401 on this line",
        f"Show documentation for SR401 ({commands.registry.get('SR401').name})",
    ]
    fix = actions[0]
    assert fix.is_preferred and fix.edit is not None
    assert fix.edit.changes is not None and fix.edit.changes[URI][0].new_text == "yaml.safe_load"
    assert fix.diagnostics is not None and fix.diagnostics[0].code == "SR401"
    assert actions[2].command is not None and actions[2].command.command == commands.SHOW_DOCUMENTATION


def test_code_action_uses_versioned_edits_when_the_client_supports_them() -> None:
    ls = FakeServer(
        results={URI: published_for(SOURCE, version=4)},
        capabilities={"workspace.workspace_edit.document_changes": True},
    )
    suppress = run(findings.code_action(ls, action_params(5)))[0]
    assert suppress.title == "Suppress SR201 on this line"
    change = suppress.edit.document_changes[0]
    assert change.text_document.version == 4
    assert change.edits[0].new_text == "  # secreview: ignore[SR201] -- reason"


def test_code_action_respects_the_only_filter_and_empty_lines() -> None:
    ls = FakeServer(results={URI: published_for(SOURCE)})
    assert run(findings.code_action(ls, action_params(6, only=[types.CodeActionKind.Refactor]))) is None
    assert run(findings.code_action(ls, action_params(6, only=[types.CodeActionKind.QuickFix]))) is not None
    assert run(findings.code_action(ls, action_params(2))) is None


def test_code_lens_counts_the_findings_of_python_documents_only() -> None:
    ls = FakeServer(
        results={URI: published_for(SOURCE)},
        open_docs={URI: PATH, "file:///project/.env": "/project/.env"},
    )
    lenses = run(findings.code_lens(ls, types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=URI))))
    assert lenses is not None and len(lenses) == 1
    assert lenses[0].command == types.Command(
        title="SecReview: 2 findings — review this file", command=commands.REVIEW_FILE, arguments=[URI]
    )
    other = types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri="file:///project/.env"))
    assert run(findings.code_lens(ls, other)) is None


def test_touches_selects_findings_on_the_cursor_line() -> None:
    span = published_for(SOURCE).findings[1].span  # yaml.load(f), line 7, columns 11-23
    assert findings.touches(span, (6, 0), (6, 0))
    assert findings.touches(span, (6, 15), (6, 15))
    assert not findings.touches(span, (5, 0), (5, 0))
    assert findings.touches(span, (5, 0), (6, 12))
    assert not findings.touches(span, (5, 0), (6, 10))


# -- pulled diagnostics -------------------------------------------------------------------------


def diagnostic_params(uri: str, previous: str | None = None) -> types.DocumentDiagnosticParams:
    return types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous
    )


def test_document_diagnostic_reports_full_then_unchanged() -> None:
    result = published_for(SOURCE)
    ls = FakeServer(results={URI: result}, pull=True)
    full = run(diagnostics.document_diagnostic(ls, diagnostic_params(URI)))
    assert isinstance(full, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in full.items] == ["SR201", "SR401"]
    assert full.result_id == result.result_id
    same = run(diagnostics.document_diagnostic(ls, diagnostic_params(URI, result.result_id)))
    assert same == types.RelatedUnchangedDocumentDiagnosticReport(result_id=result.result_id)


def test_document_diagnostic_falls_back_to_the_scan_and_never_answers_none() -> None:
    scanned = published_for(SOURCE)
    other = "file:///project/other.py"
    ls = FakeServer(scanned={other: scanned}, pull=True)
    from_scan = run(diagnostics.document_diagnostic(ls, diagnostic_params(other)))
    assert from_scan.result_id == scanned.result_id and len(from_scan.items) == 2
    unknown = run(diagnostics.document_diagnostic(ls, diagnostic_params("file:///project/unknown.py")))
    assert unknown == types.RelatedFullDocumentDiagnosticReport(items=[], result_id="empty")


def test_workspace_report_is_unchanged_only_for_the_same_result_id() -> None:
    result = published_for(SOURCE, version=3)
    unchanged = diagnostics.workspace_report(URI, result, {URI: result.result_id})
    assert unchanged == types.WorkspaceUnchangedDocumentDiagnosticReport(uri=URI, version=3, result_id=result.result_id)
    full = diagnostics.workspace_report(URI, result, {URI: "1:1:stale"})
    assert isinstance(full, types.WorkspaceFullDocumentDiagnosticReport) and full.items == result.diagnostics


# -- document sync and files --------------------------------------------------------------------


def test_a_change_to_a_document_never_opened_is_logged_not_analyzed() -> None:
    ls = FakeServer(open_docs={})
    params = types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
    )
    documents.did_change(ls, params)
    assert ls.scheduled == []
    assert ls.logged == [(types.MessageType.Warning, f"ignored a change to {URI}, which was never opened")]
    ls.open_docs[URI] = PATH
    documents.did_change(ls, params)
    assert ls.scheduled == [(URI, None)]  # the folder's debounce
    assert ls.calls == [f"template_edited {URI}"]  # the server refreshes views if it is a template


def test_saving_a_python_file_analyzes_it_now_and_its_importers() -> None:
    ls = FakeServer()
    documents.did_save(ls, types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI)))
    assert ls.scheduled == [(URI, 0)]
    assert ls.saved == [PATH]
    assert ls.calls == []


def test_saving_pyproject_reloads_the_settings() -> None:
    ls = FakeServer(capabilities={"workspace.code_lens.refresh_support": True})
    uri = "file:///project/pyproject.toml"
    documents.did_save(ls, types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert ls.calls == [
        "refresh_settings", "announce_template_folders", "publish_config_problems", "schedule_all",
        "workspace_code_lens_refresh",
    ]  # fmt: skip
    assert ls.logged[-1] == (types.MessageType.Info, "settings reloaded (pyproject.toml saved)")
    assert ls.saved == []


def watched(*uris: str) -> types.DidChangeWatchedFilesParams:
    return types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=uri, type=types.FileChangeType.Changed) for uri in uris]
    )


def test_watched_python_files_reanalyze_importers_and_a_baseline_reloads(monkeypatch: pytest.MonkeyPatch) -> None:
    forgotten: list[bool] = []
    monkeypatch.setattr(analysis, "forget_baselines", lambda: forgotten.append(True))
    ls = FakeServer(
        baselines={"/project/.secreview-baseline.json"},
        pull=True,
        capabilities={"workspace.diagnostics.refresh_support": True},
    )
    workspace.did_change_watched_files(ls, watched("file:///project/lib.py", "file:///project/notes.txt"))
    assert ls.saved == ["/project/lib.py"]
    assert ls.calls == ["announce_template_folders"] and forgotten == []  # code may declare template folders
    ls.calls.clear()
    workspace.did_change_watched_files(ls, watched("file:///project/.secreview-baseline.json"))
    assert forgotten == [True]
    assert ls.calls == [
        "refresh_settings", "announce_template_folders", "publish_config_problems", "schedule_all",
        "workspace_diagnostic_refresh",
    ]  # fmt: skip
    assert ls.logged[-1][1] == "settings reloaded (a configuration file changed)"


# -- commands -------------------------------------------------------------------------------------


def test_show_documentation_of_an_unknown_rule_warns() -> None:
    ls = FakeServer()
    assert run(commands.show_documentation(ls, "SR000")) is None
    assert ls.shown == [types.ShowMessageParams(type=types.MessageType.Warning, message="Unknown rule `SR000`")]


def test_show_documentation_without_show_document_support_summarizes_the_rule() -> None:
    ls = FakeServer()
    rule = commands.registry.get("B506")  # a Bandit code answers too
    assert rule is not None and rule.id == "SR401"
    markdown = run(commands.show_documentation(ls, "B506"))
    assert markdown == rule.markdown()
    assert ls.shown == [
        types.ShowMessageParams(type=types.MessageType.Info, message=f"SR401 {rule.name}: {rule.summary}")
    ]


def test_review_of_a_document_that_is_not_open_asks_to_open_it() -> None:
    class Closed(FakeServer):
        def snapshot(self, uri: str) -> None:
            return None

    ls = Closed(open_docs={})
    assert run(commands.review_file(ls, URI)) is None
    assert ls.shown[0].message == "Open the file to review it."


def test_display_path_is_relative_to_the_containing_folder() -> None:
    folders = [("file:///other", Path("/other")), ("file:///project", Path("/project"))]
    assert commands.display_path(folders, "/project/pkg/app.py") == "pkg/app.py"
    assert commands.display_path(folders, "/elsewhere/app.py") == "/elsewhere/app.py"


# -- the tables ---------------------------------------------------------------------------------------


def test_every_handler_takes_the_server_as_ls_with_annotations_that_resolve() -> None:
    # pygls passes the server only to a first parameter named `ls`, and resolves a command's
    # annotations at run time to convert its arguments.
    for _method, _options, handler in FEATURES:
        assert next(iter(inspect.signature(handler).parameters)) == "ls", handler.__qualname__
        typing.get_type_hints(handler)
    for _command, handler in COMMANDS:
        assert next(iter(inspect.signature(handler).parameters)) == "ls", handler.__qualname__
        typing.get_type_hints(handler)


def test_the_server_answers_exactly_the_tables() -> None:
    server = create_server()
    assert set(server.protocol.fm.features) == {method for method, _, _ in FEATURES}
    assert list(server.protocol.fm.commands) == [command for command, _ in COMMANDS]
    assert len({method for method, _, _ in FEATURES}) == len(FEATURES)


def test_lsp_modules_and_functions_stay_small() -> None:
    package = Path(analysis.__file__).parent
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 1000, path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno - node.lineno + 1 <= 120, f"{path}:{node.lineno} {node.name}"


# -- the server's snapshot API, without a transport ---------------------------------------------------


def test_the_server_snapshot_carries_text_version_and_folder_settings(tmp_path: Path) -> None:
    from secreview_ls.lsp.server import SecReviewServer

    async def scenario() -> None:
        (tmp_path / "pyproject.toml").write_text('[tool.secreview]\nignore = ["SR201"]\ndebounce = 40\n')
        capabilities = types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(diagnostic=types.DiagnosticClientCapabilities())
        )
        server = SecReviewServer()
        server.protocol.client_capabilities = capabilities
        server.install_workspace(
            types.InitializeParams(
                capabilities=capabilities,
                root_uri=tmp_path.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")],
            )
        )
        assert server.pull and server.folder_count() == 1
        uri = (tmp_path / "app.py").as_uri()
        assert server.snapshot(uri) is None and not server.is_open(uri)
        item = types.TextDocumentItem(uri=uri, language_id="python", version=3, text="import os\r\nx = 1\n")
        server.workspace.put_text_document(item)
        server.open_document(uri, "python")
        snapshot = server.snapshot(uri)
        assert snapshot is not None
        assert (snapshot.text, snapshot.lines, snapshot.version) == (item.text, ["import os\r\n", "x = 1\n"], 3)
        assert snapshot.python and snapshot.path == str(tmp_path / "app.py")
        assert snapshot.settings.config.ignore == ("SR201",) and snapshot.settings.options.debounce == 0.04
        assert snapshot.project is not None and snapshot.generation == server.generation
        assert server.is_python(uri) and server.open_paths() == {snapshot.path}
        server.close(uri)
        assert server.snapshot(uri) is None and server.open_uris() == []

    asyncio.run(scenario())
