"""``workspace/executeCommand``: rule documentation and the review of one file."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types

from ...pipeline import registry
from .. import analysis
from ..actions import SHOW_DOCUMENTATION
from ..server import SecReviewServer

log = logging.getLogger("secreview_ls.lsp")

REVIEW_FILE = "secreview.reviewFile"
SCAN_WORKSPACE = "secreview.scanWorkspace"

__all__ = ["REVIEW_FILE", "SCAN_WORKSPACE", "SHOW_DOCUMENTATION", "review_file", "show_documentation"]


async def show_documentation(ls: SecReviewServer, *args: Any) -> str | None:
    """Open a rule's documentation (argument: rule id) as a markdown document when the client
    can show documents, else summarize it in a message; returns the markdown."""
    code = str(args[0]) if args else ""
    rule = registry.get(code)
    if rule is None:
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"Unknown rule `{code}`")
        )
        return None
    markdown = rule.markdown()
    shown = False
    if ls.capability("window.show_document.support", False):
        try:
            path = docs_file(rule.id, markdown)
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


async def review_file(ls: SecReviewServer, *args: Any) -> str | None:
    """The review of an open document (argument: its URI), shown as a message and returned."""
    uri = str(args[0]) if args else ""
    snapshot = ls.snapshot(uri)
    if snapshot is None:
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message="Open the file to review it.")
        )
        return None
    text = await ls.run_in_worker(analysis.review_document, snapshot, display_path(ls.folders(), snapshot.path))
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
    return text


def display_path(folders: list[tuple[str, Path]], path: str) -> str:
    """``path`` relative to the first workspace folder containing it (as is otherwise)."""
    for _, root in folders:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            continue
    return path


_DOCS_DIRECTORY: list[Path] = []


def docs_file(rule_id: str, markdown: str) -> Path:
    """The rule's documentation as a markdown file the editor can open, in a private
    directory created once per server process."""
    if not _DOCS_DIRECTORY:
        _DOCS_DIRECTORY.append(Path(tempfile.mkdtemp(prefix="secreview-docs-")))
    path = _DOCS_DIRECTORY[0] / f"{rule_id}.md"
    path.write_text(markdown, encoding="utf-8")
    return path
