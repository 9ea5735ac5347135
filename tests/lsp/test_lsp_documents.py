"""Document lifecycle, diagnostics, hover, code actions and code lens over three client
capability sets: VS Code (push, UTF-16), Emacs (push, UTF-32) and Neovim 0.11 (pull, UTF-8)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from secreview_ls.config import discover
from secreview_ls.pipeline import analyze_source, analyze_text_file
from secreview_ls.rules import registry

from .conftest import (
    CLIENTS,
    CONFIG,
    apply_edits,
    change_doc,
    diagnostics,
    edit_doc,
    edits_of,
    encoding_of,
    is_pull,
    offset_of,
    open_doc,
    start,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

SOURCE = """import subprocess
import yaml

GREETING = "Grüß dich 😀"


def load(text):
    banner = "😀é"; data = yaml.load(text)  # a comment
    return data


def run():
    return subprocess.call(cmd, shell=True)


def fine(values):
    return sorted(values)
"""


@pytest_lsp.fixture(config=CONFIG, scope="module", params=CLIENTS)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, project: Path):
    await start(lsp_client, request.param, project)
    yield
    await lsp_client.shutdown_session()


def by_code(items: list[types.Diagnostic], code: str) -> list[types.Diagnostic]:
    return [d for d in items if d.code == code]


async def test_open_reports_located_findings(client: LanguageClient, project: Path) -> None:
    path = project / "pkg" / "open_doc.py"
    uri = open_doc(client, path, SOURCE)
    items = await diagnostics(client, uri, 1)
    yaml_diag = by_code(items, "SR401")
    assert len(yaml_diag) == 1
    diag = yaml_diag[0]
    encoding = encoding_of(client)
    # The range is in the negotiated units: the line holds an emoji and an accented letter.
    assert diag.range.start == offset_of(SOURCE, "yaml.load(text)", encoding)
    end = offset_of(SOURCE, "  # a comment", encoding)
    assert diag.range.end == end
    assert diag.source == "secreview"
    assert diag.severity == types.DiagnosticSeverity.Error
    assert "yaml.load" in diag.message
    if diag.code_description is not None:
        assert diag.code_description.href == registry.get("SR401").docs_url  # type: ignore[union-attr]
    assert isinstance(diag.data, dict) and diag.data["rule"] == "SR401" and diag.data["fingerprint"]
    assert diag.data["fix"]["edits"], "the yaml fix travels with the diagnostic"
    # Same findings as the pipeline for this file.
    expected = analyze_source(SOURCE, str(path), discover(project))
    assert sorted(d.code for d in items if d.code.startswith("SR")) == sorted(f.rule_id for f in expected.findings)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_edits_publish_only_the_current_version(client: LanguageClient, project: Path) -> None:
    path = project / "edits.py"
    text = SOURCE
    uri = open_doc(client, path, text)
    await diagnostics(client, uri, 1)
    versions = []
    for version in range(2, 8):
        text = text.replace("def fine(", f"def fine{version}(")
        if version == 5:
            text = text.replace("yaml.load(text)", "yaml.safe_load(text)")
        change_doc(client, uri, version, text)
        versions.append(version)
    items = await diagnostics(client, uri, 7)
    assert not by_code(items, "SR401")
    assert by_code(items, "SR201")
    if not is_pull(client):
        published = [v for v, _ in client.published[uri]]  # type: ignore[attr-defined]
        assert published == sorted(published), "never an older version after a newer one"
        assert set(published) <= {1, *versions}
    # An incremental edit in the middle of a line: put the unsafe call back.
    encoding = encoding_of(client)
    start_pos = offset_of(text, "yaml.safe_load", encoding)
    end_pos = types.Position(line=start_pos.line, character=start_pos.character + len("yaml.safe_load"))
    edit_doc(client, uri, 8, [types.TextEdit(range=types.Range(start=start_pos, end=end_pos), new_text="yaml.load")])
    items = await diagnostics(client, uri, 8)
    assert len(by_code(items, "SR401")) == 1
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_hover_on_finding_and_elsewhere(client: LanguageClient, project: Path) -> None:
    uri = open_doc(client, project / "hover.py", SOURCE)
    await diagnostics(client, uri, 1)
    encoding = encoding_of(client)
    on_call = offset_of(SOURCE, "shell=True", encoding)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=on_call)
    )
    assert hover is not None
    value = hover.contents.value  # type: ignore[union-attr]
    assert "SR201" in value and "CWE-78" in value and "cwe.mitre.org" in value
    assert "secreview: ignore[SR201]" in value
    assert "### Safe" in value
    nowhere = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=offset_of(SOURCE, "sorted", encoding)
        )
    )
    assert nowhere is None
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def _actions(
    client: LanguageClient, uri: str, items: list[types.Diagnostic], code: str
) -> list[types.CodeAction]:
    diag = by_code(items, code)[0]
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    assert result is not None
    return [a for a in result if isinstance(a, types.CodeAction)]


async def test_code_actions_fix_suppress_and_document(client: LanguageClient, project: Path) -> None:
    encoding = encoding_of(client)
    uri = open_doc(client, project / "actions.py", SOURCE)
    items = await diagnostics(client, uri, 1)
    actions = await _actions(client, uri, items, "SR401")
    titles = [a.title for a in actions]
    assert any("safe_load" in t for t in titles), titles
    assert "Suppress SR401 on this line" in titles
    assert any(t.startswith("Show documentation for SR401") for t in titles), titles

    # The fix: applied, re-analyzed, gone; the file still parses.
    fix = next(a for a in actions if "safe_load" in a.title)
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    fixed = apply_edits(SOURCE, edits_of(fix, uri), encoding)
    ast.parse(fixed)
    assert "yaml.safe_load(text)" in fixed
    change_doc(client, uri, 2, fixed)
    items = await diagnostics(client, uri, 2)
    assert not by_code(items, "SR401")

    # Suppress: the comment goes after the existing one; the finding is suppressed, not "unused".
    actions = await _actions(client, uri, items, "SR201")
    suppress = next(a for a in actions if a.title == "Suppress SR201 on this line")
    suppressed = apply_edits(fixed, edits_of(suppress, uri), encoding)
    assert "return subprocess.call(cmd, shell=True)  # secreview: ignore[SR201] -- reason\n" in suppressed
    ast.parse(suppressed)
    change_doc(client, uri, 3, suppressed)
    items = await diagnostics(client, uri, 3)
    assert not by_code(items, "SR201") and not by_code(items, "unused-suppression")

    # Documentation: a command the client runs; it returns the rule's markdown.
    documentation = next(a for a in actions if a.title.startswith("Show documentation for SR201"))
    assert documentation.command is not None
    text = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=documentation.command.command, arguments=documentation.command.arguments)
    )
    assert isinstance(text, str) and "SR201" in text and "### Vulnerable" in text
    if client.capabilities.window and client.capabilities.window.show_document:  # type: ignore[union-attr]
        shown = client.shown_documents[-1]
        assert shown.uri.endswith("SR201.md") and Path(shown.uri.removeprefix("file://")).read_text().startswith(
            "## SR201"
        )
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_code_lens_and_review(client: LanguageClient, project: Path) -> None:
    uri = open_doc(client, project / "lens.py", SOURCE)
    items = await diagnostics(client, uri, 1)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert lenses and lenses[0].range.start.line == 0
    count = len([d for d in items if str(d.code).startswith("SR")])
    assert lenses[0].command is not None
    assert lenses[0].command.title == f"SecReview: {count} findings — review this file"
    review = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=lenses[0].command.command, arguments=lenses[0].command.arguments)
    )
    assert isinstance(review, str) and "lens.py" in review and "SR201" in review
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_close_clears_diagnostics(client: LanguageClient, project: Path) -> None:
    uri = open_doc(client, project / "closing.py", SOURCE)
    assert await diagnostics(client, uri, 1)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    if is_pull(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert list(report.items) == []  # type: ignore[union-attr]
    else:
        assert await diagnostics(client, uri, None) == []
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=7, character=30)
        )
    )
    assert hover is None


async def test_text_files_get_the_text_rules(client: LanguageClient, project: Path) -> None:
    text = "DATABASE_URL=postgres://app@db/app\nGITHUB_TOKEN=ghp_8fK2LmQ9xR4tV7wB1nC5dE3gH6jS0aZ2pY4u\n"
    uri = open_doc(client, project / "deploy.env", text, language="dotenv")
    items = await diagnostics(client, uri, 1)
    assert by_code(items, "SR762")
    want = analyze_text_file(text, str(project / "deploy.env"), discover(project))
    assert sorted(d.code for d in items if str(d.code).startswith("SR")) == sorted(f.rule_id for f in want.findings)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
