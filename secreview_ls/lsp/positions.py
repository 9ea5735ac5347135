"""Column units at the protocol edge.

The engine counts columns in code points; LSP positions count UTF-16 code
units unless the client negotiated UTF-8 or UTF-32. Lines end at ``\\n``,
``\\r\\n`` or ``\\r`` only (the protocol's definition, which is also the
tokenizer's), never at form feeds or Unicode line separators.
"""

from __future__ import annotations

from lsprotocol import types

from ..pipeline import Span, split_lines_keepends

UTF8 = types.PositionEncodingKind.Utf8.value
UTF16 = types.PositionEncodingKind.Utf16.value
UTF32 = types.PositionEncodingKind.Utf32.value


def strip_eol(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


def units(text: str, encoding: str) -> int:
    """Length of ``text`` in the client's code units."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def to_client_column(line: str, column: int, encoding: str) -> int:
    """Code-point ``column`` in ``line`` (without terminator) → client units."""
    column = max(0, min(column, len(line)))
    if encoding == UTF32 or line.isascii():
        return column
    return units(line[:column], encoding)


def from_client_column(line: str, character: int, encoding: str) -> int:
    """Client-unit ``character`` in ``line`` → code-point column (clamped to the line)."""
    if character <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(character, len(line))
    seen = 0
    for index, char in enumerate(line):
        if seen >= character:
            return index
        code = ord(char)
        if encoding == UTF8:
            seen += 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        else:
            seen += 2 if code >= 0x10000 else 1
    return len(line)


def span_to_range(span: Span, lines: list[str] | tuple[str, ...], encoding: str) -> types.Range:
    """Engine span (1-based lines, code-point columns) → LSP range, clamped to the document."""
    return types.Range(
        start=position_at(lines, span.start_line - 1, span.start_col, encoding),
        end=position_at(lines, span.end_line - 1, span.end_col, encoding),
    )


def position_at(lines: list[str] | tuple[str, ...], line: int, column: int, encoding: str) -> types.Position:
    """0-based ``line`` and code-point ``column`` → LSP position (clamped)."""
    if line < 0:
        return types.Position(line=0, character=0)
    if line >= len(lines):
        if not lines:
            return types.Position(line=0, character=0)
        last = lines[-1]
        if last != strip_eol(last):  # the document ends with a newline: a position on the empty last line
            return types.Position(line=len(lines), character=0)
        return types.Position(line=len(lines) - 1, character=units(last, encoding))
    text = strip_eol(lines[line])
    return types.Position(line=line, character=to_client_column(text, column, encoding))


def position_to_code_points(
    lines: list[str] | tuple[str, ...], position: types.Position, encoding: str
) -> tuple[int, int]:
    """LSP position → (0-based line, code-point column), clamped to the document."""
    if position.line < 0 or not lines:
        return 0, 0
    if position.line >= len(lines):
        last = lines[-1]
        if last != strip_eol(last):
            return len(lines), 0
        return len(lines) - 1, len(strip_eol(last))
    text = strip_eol(lines[position.line])
    return position.line, from_client_column(text, position.character, encoding)


__all__ = [
    "UTF8",
    "UTF16",
    "UTF32",
    "position_at",
    "position_to_code_points",
    "span_to_range",
    "split_lines_keepends",
    "strip_eol",
    "units",
]
