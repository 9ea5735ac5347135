"""Settings (client configuration, pyproject.toml), multiple workspace folders, the
workspace scan with progress, and request cancellation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import CONFIG, diagnostics, is_pull, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")

CODE = """import pickle
import yaml


def restore(blob):
    return pickle.loads(blob)


def settings(text):
    return yaml.load(text)
"""


def codes(items: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in items if str(d.code).startswith("SR"))


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("multi")
    strict, relaxed = base / "strict", base / "relaxed"
    for root in (strict, relaxed):
        (root / "src").mkdir(parents=True)
        (root / "src" / "jobs.py").write_text(CODE, encoding="utf-8")
        (root / "src" / "clean.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
        (root / ".env").write_text("AWS_SECRET_ACCESS_KEY=h7Rq2vXc9LmN4pT8wZ1sB6yK3dF0gJ5aE2uQ9rWx\n", encoding="utf-8")
    (strict / "pyproject.toml").write_text("[tool.secreview]\n", encoding="utf-8")
    (relaxed / "pyproject.toml").write_text('[tool.secreview]\nignore = ["SR402"]\n', encoding="utf-8")
    return strict, relaxed


@pytest_lsp.fixture(config=CONFIG, scope="module", params=["visual-studio-code", "neovim"])
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, roots: tuple[Path, Path]):
    strict, relaxed = roots
    lsp_client.set_configuration({"secreview": {"debounce": 50}})
    await start(lsp_client, request.param, strict.parent, folders=[strict, relaxed])
    yield
    await lsp_client.shutdown_session()


async def test_multi_root_uses_each_folders_pyproject(client: LanguageClient, roots: tuple[Path, Path]) -> None:
    strict, relaxed = roots
    strict_uri = open_doc(client, strict / "src" / "jobs.py", CODE)
    relaxed_uri = open_doc(client, relaxed / "src" / "jobs.py", CODE)
    assert codes(await diagnostics(client, strict_uri, 1)) == ["SR401", "SR402"]
    assert codes(await diagnostics(client, relaxed_uri, 1)) == ["SR401"]


async def test_configuration_change_applies_without_restart(client: LanguageClient, roots: tuple[Path, Path]) -> None:
    strict, relaxed = roots
    uri = (strict / "src" / "jobs.py").as_uri()
    client.set_configuration({"secreview": {"ignore": ["SR401"], "debounce": 50}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _until(client, uri, 1, lambda c: c == ["SR402"])
    # A per-folder setting overrides the global one for that folder only.
    client.set_configuration({"ignore": ["SR402"]}, section="secreview", scope_uri=relaxed.as_uri())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _until(client, (relaxed / "src" / "jobs.py").as_uri(), 1, lambda c: c == ["SR401"])
    await _until(client, uri, 1, lambda c: c == ["SR402"])
    client.set_configuration({"secreview": {"debounce": 50}})
    client.set_configuration({}, section="secreview", scope_uri=relaxed.as_uri())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _until(client, uri, 1, lambda c: c == ["SR401", "SR402"])


async def test_pyproject_change_is_picked_up(client: LanguageClient, roots: tuple[Path, Path]) -> None:
    strict, _ = roots
    uri = (strict / "src" / "jobs.py").as_uri()
    pyproject = strict / "pyproject.toml"
    if not is_pull(client):
        assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations)  # type: ignore[attr-defined]
    pyproject.write_text('[tool.secreview]\nseverity = "high"\nignore = ["SR401"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await _until(client, uri, 1, lambda c: c == [])
    pyproject.write_text("[tool.secreview]\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await _until(client, uri, 1, lambda c: c == ["SR401", "SR402"])


async def test_scan_workspace_reports_progress(client: LanguageClient, roots: tuple[Path, Path]) -> None:
    strict, relaxed = roots
    before = set(client.progress_reports)
    summary = await asyncio.wait_for(
        client.workspace_execute_command_async(types.ExecuteCommandParams(command="secreview.scanWorkspace")), 60
    )
    assert summary["files"] >= 4 and not summary["cancelled"]  # two clean.py and two .env files; jobs.py are open
    tokens = set(client.progress_reports) - before
    assert tokens, "work-done progress was created"
    reports = client.progress_reports[tokens.pop()]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    secrets_uri = (strict / ".env").as_uri()
    if is_pull(client):
        report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
        items = {item.uri: item for item in report.items}
        assert secrets_uri in items and codes(items[secrets_uri].items)  # type: ignore[union-attr]
    else:
        assert codes(list(client.diagnostics[secrets_uri]))
        assert list(client.diagnostics[(relaxed / "src" / "clean.py").as_uri()]) == []


async def test_pull_report_is_unchanged_when_nothing_changed(client: LanguageClient, roots: tuple[Path, Path]) -> None:
    if not is_pull(client):
        pytest.skip("pull diagnostics only")
    strict, _ = roots
    uri = (strict / "src" / "jobs.py").as_uri()
    params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    first = await client.text_document_diagnostic_async(params)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport) and first.result_id
    params.previous_result_id = first.result_id
    second = await client.text_document_diagnostic_async(params)
    assert isinstance(second, types.RelatedUnchangedDocumentDiagnosticReport)
    assert second.result_id == first.result_id
    # A pushed diagnostic would be a second source for the same document.
    assert uri not in client.diagnostics


async def test_workspace_pull_waits_for_a_change(client: LanguageClient, roots: tuple[Path, Path]) -> None:
    if not is_pull(client):
        pytest.skip("pull diagnostics only")
    strict, _ = roots
    uri = (strict / "src" / "jobs.py").as_uri()
    first = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    known = [types.PreviousResultId(uri=item.uri, value=item.result_id) for item in first.items if item.result_id]
    held = asyncio.ensure_future(
        client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=known))
    )
    await asyncio.sleep(0.5)
    assert not held.done(), "nothing changed: the request is held"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=5),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(text=CODE.replace("yaml.load(", "yaml.safe_load("))
            ],
        )
    )
    report = await asyncio.wait_for(held, 20)
    changed = [item for item in report.items if isinstance(item, types.WorkspaceFullDocumentDiagnosticReport)]
    assert [item.uri for item in changed] == [uri]
    assert codes(list(changed[0].items)) == ["SR402"]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=6),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=CODE)],
        )
    )


async def test_cancelled_request_is_answered_and_server_continues(
    client: LanguageClient, roots: tuple[Path, Path]
) -> None:
    strict, _ = roots
    uri = (strict / "src" / "jobs.py").as_uri()
    client.set_configuration({"secreview": {"debounce": 3000}})
    await _reconfigure(client)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=7),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=CODE + "\n")],
        )
    )
    # A hover waits for the analysis of version 2 (3 s away): cancel it.
    future = client.protocol.send_request(
        types.TEXT_DOCUMENT_HOVER,
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=5, character=12)
        ),
    )
    await asyncio.sleep(0.2)
    assert not future.done()
    request_id = next(k for k, v in client.protocol._request_futures.items() if v is future)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=request_id))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(asyncio.wrap_future(future), 2.5)
    client.set_configuration({"secreview": {"debounce": 50}})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    items = await diagnostics(client, uri, 7)
    assert codes(items) == ["SR401", "SR402"]


async def _reconfigure(client: LanguageClient) -> None:
    """Send didChangeConfiguration and wait until the server has applied it."""
    seen = len(client.log_messages)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(200):
        if any("settings reloaded" in m.message for m in client.log_messages[seen:]):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the server did not reload its settings")


async def _until(client: LanguageClient, uri: str, version: int, accept) -> None:  # type: ignore[no-untyped-def]
    """Wait until the diagnostics of ``uri`` satisfy ``accept`` (re-analysis after a settings change)."""
    last = None
    for _ in range(200):
        if is_pull(client):
            items = await diagnostics(client, uri, version)
        else:
            items = list(client.diagnostics.get(uri, []))
        last = codes(items)
        if accept(last):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"diagnostics of {uri} stayed {last}")
