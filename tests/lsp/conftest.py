"""Helpers for driving the real server (``python -m secreview_ls``) over stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from secreview_ls.lsp.positions import split_lines_keepends, strip_eol

TIMEOUT = 20.0


def _client() -> LanguageClient:
    """The pytest-lsp client, also recording the version of each published diagnostic set."""
    client = LanguageClient(converter_factory=default_converter)
    features = {k: v for k, v in DEFAULT_CLIENT_FEATURES.items() if k != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}
    register_lsp_features(client, features)
    client.published = {}  # type: ignore[attr-defined]
    converter = client.protocol._converter

    # lsprotocol reads any code action that has a `command` as a bare Command; a Command's
    # `command` is a string, a CodeAction's is an object.
    def action_or_command(value: Any, _: type) -> Any:
        if isinstance(value.get("command"), str):
            return converter.structure(value, types.Command)
        return converter.structure(value, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], action_or_command)  # noqa: UP007

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.setdefault(params.uri, []).append((params.version, params.diagnostics))  # type: ignore[attr-defined]

    client.registrations = []  # type: ignore[attr-defined]
    client.lens_refreshes = 0  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(ls: LanguageClient, params: None) -> None:
        ls.lens_refreshes += 1  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    return client


CONFIG = ClientServerConfig(server_command=[sys.executable, "-m", "secreview_ls"], client_factory=_client)

# Client capability sets: push + UTF-16, push + UTF-32 (preferred by Emacs), pull + UTF-8.
CLIENTS = ["visual-studio-code", "emacs", "neovim"]


def capabilities(name: str) -> types.ClientCapabilities:
    return client_capabilities(name)


def is_pull(client: LanguageClient) -> bool:
    return (
        client.capabilities is not None
        and client.capabilities.text_document is not None
        and (client.capabilities.text_document.diagnostic is not None)
    )


def encoding_of(client: LanguageClient) -> str:
    return client.encoding  # type: ignore[attr-defined,no-any-return]


async def start(
    client: LanguageClient,
    name: str,
    root: Path,
    *,
    folders: list[Path] | None = None,
    options: dict[str, Any] | None = None,
) -> types.InitializeResult:
    folders = folders or [root]
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(name),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders],
            initialization_options=options,
        )
    )
    encoding = result.capabilities.position_encoding
    client.encoding = getattr(encoding, "value", encoding) or "utf-16"  # type: ignore[attr-defined]
    return result


def client_in_workspace(name: str, **options: Any) -> Any:
    """A module-scoped ``client`` fixture: a real server started as editor ``name`` (``options``
    are its initialization options) on the module's ``workspace`` fixture folder."""

    @pytest_lsp.fixture(config=CONFIG, scope="module")
    async def client(lsp_client: LanguageClient, workspace: Path):
        await start(lsp_client, name, workspace, options=options or None)
        yield
        await lsp_client.shutdown_session()

    return client


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1, language: str = "python") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)
        )
    )
    return uri


def change_doc(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """Replace the whole text through an incremental change covering the document."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def edit_doc(client: LanguageClient, uri: str, version: int, edits: list[types.TextEdit]) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits],
        )
    )


async def diagnostics(client: LanguageClient, uri: str, version: int | None) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` at ``version``: pulled, or waited for until published."""
    if is_pull(client):
        report = await asyncio.wait_for(
            client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            ),
            TIMEOUT,
        )
        return list(report.items)  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while loop.time() < deadline:
        for published_version, items in reversed(client.published.get(uri, [])):  # type: ignore[attr-defined]
            if published_version == version:
                return list(items)
        await asyncio.sleep(0.02)
    raise AssertionError(f"no diagnostics for {uri} version {version}: {client.published.get(uri)}")  # type: ignore[attr-defined]


def offset_of(text: str, needle: str, encoding: str, nth: int = 0) -> types.Position:
    """Position of ``needle`` in ``text`` in the given encoding's units."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    before = text[:index]
    line = before.count("\n")
    column_text = before[before.rfind("\n") + 1 :]
    return types.Position(line=line, character=units(column_text, encoding))


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply LSP text edits (non-overlapping) to ``text``."""
    lines = split_lines_keepends(text)

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = strip_eol(lines[position.line])
        count = 0
        for index, char in enumerate(line):
            if count >= position.character:
                return sum(len(x) for x in lines[: position.line]) + index
            count += units(char, encoding)
        return sum(len(x) for x in lines[: position.line]) + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    if action.edit.document_changes:
        out: list[types.TextEdit] = []
        for change in action.edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            assert change.text_document.uri == uri
            out.extend(change.edits)  # type: ignore[arg-type]
        return out
    assert action.edit.changes is not None
    return list(action.edit.changes[uri])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n[tool.secreview]\n", encoding="utf-8")
    return root
