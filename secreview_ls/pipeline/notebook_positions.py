"""Where a cell's line and column are in a notebook's JSON text.

A finding in a notebook is reported at a line of a cell; a SARIF viewer opens the ``.ipynb``
file itself, so the SARIF region points into its JSON text: at the character of the cell's
``source`` string (or list of strings, one per line as Jupyter writes them) that holds that
line and column, escapes (``\\"``, ``\\n``, ``\\uXXXX``) counted as the characters they are
in the file. ``json`` gives no positions, so this module scans the text itself.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.finding import Span

NOTEBOOK_SUFFIX = ".ipynb"


def is_notebook_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() == NOTEBOOK_SUFFIX


def cell_of(finding_extra: dict[str, Any]) -> int | None:
    """The cell index a finding (or its ``extra``) carries, if it is in a notebook."""
    cell = finding_extra.get("cell")
    return cell if isinstance(cell, int) and not isinstance(cell, bool) else None


_WHITESPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_LITERAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Bad(ValueError):
    pass


@dataclass(frozen=True)
class _Node:
    kind: str  # "object", "array", "string", "literal"
    start: int
    end: int
    items: tuple[tuple[str, _Node], ...] | tuple[_Node, ...] = ()

    def get(self, key: str) -> _Node | None:
        if self.kind != "object":
            return None
        for name, node in self.items:  # type: ignore[misc]
            if name == key:
                return node
        return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def skip(self) -> None:
        self.at = _WHITESPACE.match(self.text, self.at).end()  # type: ignore[union-attr]

    def value(self) -> _Node:
        self.skip()
        start = self.at
        char = self.text[start : start + 1]
        if char == "{":
            return self._container("}", start, keyed=True)
        if char == "[":
            return self._container("]", start, keyed=False)
        if char == '"':
            end = self._string_end()
            return _Node("string", start, end)
        literal = _LITERAL.match(self.text, start)
        if literal is None:
            raise _Bad(f"unexpected character at {start}")
        self.at = literal.end()
        return _Node("literal", start, self.at)

    def _string_end(self) -> int:
        found = _STRING.match(self.text, self.at)
        if found is None:
            raise _Bad(f"unterminated string at {self.at}")
        self.at = found.end()
        return self.at

    def _container(self, close: str, start: int, *, keyed: bool) -> _Node:
        self.at += 1
        items: list = []
        self.skip()
        if self.text.startswith(close, self.at):
            self.at += 1
            return _Node("object" if keyed else "array", start, self.at, ())
        while True:
            if keyed:
                self.skip()
                key_start = self.at
                self._string_end()
                key = _decode(self.text[key_start + 1 : self.at - 1])
                self.skip()
                if not self.text.startswith(":", self.at):
                    raise _Bad(f"expected ':' at {self.at}")
                self.at += 1
                items.append((key, self.value()))
            else:
                items.append(self.value())
            self.skip()
            if self.text.startswith(",", self.at):
                self.at += 1
                continue
            if self.text.startswith(close, self.at):
                self.at += 1
                return _Node("object" if keyed else "array", start, self.at, tuple(items))
            raise _Bad(f"expected ',' or '{close}' at {self.at}")


def _characters(raw: str) -> Iterator[tuple[int, str]]:
    """(offset in ``raw``, decoded character) for each character of a JSON string's content."""
    index = 0
    while index < len(raw):
        if raw[index] != "\\":
            yield index, raw[index]
            index += 1
            continue
        kind = raw[index + 1 : index + 2]
        if kind == "u":
            unit = int(raw[index + 2 : index + 6], 16)
            width = 6
            if 0xD800 <= unit < 0xDC00 and raw[index + 6 : index + 8] == "\\u":
                low = int(raw[index + 8 : index + 12], 16)
                if 0xDC00 <= low < 0xE000:
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    width = 12
            yield index, chr(unit)
            index += width
        else:
            yield index, _ESCAPES.get(kind, kind)
            index += 2


def _decode(raw: str) -> str:
    return "".join(char for _, char in _characters(raw))


class NotebookPositions:
    """Positions of the cells' sources in one notebook's JSON text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        try:
            root = _Scanner(text).value()
        except (_Bad, RecursionError, ValueError):
            root = _Node("literal", 0, 0)
        cells = root.get("cells")
        self.cells = list(cells.items) if cells is not None and cells.kind == "array" else []

    def _strings(self, cell_index: int) -> list[_Node]:
        if not 0 <= cell_index < len(self.cells):
            return []
        cell = self.cells[cell_index]
        source = cell.get("source") if isinstance(cell, _Node) else None
        if source is None:
            return []
        if source.kind == "string":
            return [source]
        if source.kind == "array":
            return [node for node in source.items if isinstance(node, _Node) and node.kind == "string"]
        return []

    def offset(self, cell_index: int, line: int, column: int) -> int | None:
        """Offset in the text of the character at 1-based ``line`` and code-point ``column``
        of the cell's source (the end of the source when it is past it); None when the cell
        cannot be found."""
        strings = self._strings(cell_index)
        if not strings:
            return None
        current_line, current_column = 1, 0
        last = strings[-1].end - 1
        for node in strings:
            content = node.start + 1
            for at, char in _characters(self.text[content : node.end - 1]):
                if (current_line, current_column) >= (line, column):
                    return content + at
                if char == "\n":
                    current_line, current_column = current_line + 1, 0
                else:
                    current_column += 1
        return last

    def position(self, cell_index: int, line: int, column: int) -> tuple[int, int] | None:
        """1-based (line, column) in the JSON text, columns in code points (SARIF's default
        for this report)."""
        offset = self.offset(cell_index, line, column)
        if offset is None:
            return None
        row = bisect.bisect_right(self.line_starts, offset) - 1
        return row + 1, offset - self.line_starts[row] + 1


@functools.lru_cache(maxsize=32)
def _positions_of(path: str, modified: int) -> NotebookPositions | None:
    try:
        return NotebookPositions(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def notebook_file_span(path: str, cell: int, span: Span) -> Span | None:
    """A cell-local ``span`` of the notebook file at ``path`` as a span of the file's JSON text
    (1-based lines, 0-based code-point columns), or None when it cannot be placed."""
    try:
        modified = Path(path).stat().st_mtime_ns
    except OSError:
        return None
    positions = _positions_of(path, modified)
    if positions is None:
        return None
    start = positions.position(cell, span.start_line, span.start_col)
    end = positions.position(cell, span.end_line, span.end_col)
    if start is None or end is None:
        return None
    end = max(start, end)
    return Span(start[0], start[1] - 1, end[0], end[1] - 1)
