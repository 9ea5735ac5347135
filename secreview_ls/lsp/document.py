"""Open documents: text kept as a list of lines, edited in place by incremental changes.

pygls' own document splits lines with ``str.splitlines`` (which also breaks at
form feeds and Unicode separators, so line numbers drift from the protocol's)
and rebuilds the whole text on every change. Here an edit splices the line list
and positions outside the document are clamped instead of failing.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from .positions import UTF16, position_to_code_points, split_lines_keepends

log = logging.getLogger(__name__)


class Document(TextDocument):
    """A text document whose lines follow the protocol's definition of a line."""

    def __init__(self, uri: str, source: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(uri, source, *args, **kwargs)
        self._lines: list[str] | None = None

    @property
    def encoding(self) -> str:
        encoding = self.position_codec.encoding
        return str(getattr(encoding, "value", encoding) or UTF16)

    @property
    def source(self) -> str:  # type: ignore[override]
        if self._source is None:
            if self._lines is not None:
                self._source = "".join(self._lines)
            else:
                return ""
        return self._source

    @property
    def lines(self) -> list[str]:  # type: ignore[override]
        if self._lines is None:
            self._lines = split_lines_keepends(self._source or "")
        return self._lines

    def set_text(self, text: str) -> None:
        self._source = text
        self._lines = None

    def apply_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        if isinstance(change, types.TextDocumentContentChangePartial) and not self._is_sync_kind_full:
            self._apply_range_change(change.range, change.text)
        else:
            self.set_text(change.text)

    def _apply_range_change(self, change_range: types.Range, text: str) -> None:
        lines = self.lines
        encoding = self.encoding
        start = position_to_code_points(lines, change_range.start, encoding)
        end = position_to_code_points(lines, change_range.end, encoding)
        if end < start:
            start, end = end, start
        start_line, start_col = start
        end_line, end_col = end
        before = lines[start_line][:start_col] if start_line < len(lines) else ""
        after = lines[end_line][end_col:] if end_line < len(lines) else ""
        replacement = split_lines_keepends(before + text + after)
        last = min(end_line, len(lines) - 1)
        lines[start_line : last + 1] = replacement
        # "\r" then "\n" across the splice is one line break: re-split the two boundaries.
        for boundary in (start_line + len(replacement), start_line):
            if 0 < boundary < len(lines) and lines[boundary - 1].endswith("\r") and lines[boundary].startswith("\n"):
                lines[boundary - 1] += "\n"
                rest = lines[boundary][1:]
                if rest:
                    lines[boundary] = rest
                else:
                    del lines[boundary]
        self._source = None


class DocumentWorkspace(Workspace):
    """The workspace with :class:`Document` documents; edits to unknown documents are logged."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return Document(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )

    def is_open(self, uri: str) -> bool:
        return unquote(uri) in self._text_documents

    def update_text_document(
        self,
        text_doc: types.VersionedTextDocumentIdentifier,
        change: types.TextDocumentContentChangeEvent,
    ) -> None:
        if not self.is_open(text_doc.uri):
            log.warning("ignoring a change to %s, which is not open (no didOpen was received)", text_doc.uri)
            return
        super().update_text_document(text_doc, change)
