"""Positions at the protocol edge and the document model under incremental edits."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from secreview_ls.engine.finding import Span
from secreview_ls.lsp.document import Document
from secreview_ls.lsp.positions import (
    UTF8,
    UTF16,
    UTF32,
    position_to_code_points,
    span_to_range,
    split_lines_keepends,
    strip_eol,
    to_client_column,
)

ALPHABET = ["a", "b", "\n", "\r", "\r\n", "é", "😀", "\x0c", " ", "\u2028"]


def test_the_three_units_of_one_column() -> None:
    line = 's = "😀é"; eval(s)'
    column = line.index("eval")
    assert (
        to_client_column(line, column, UTF8),
        to_client_column(line, column, UTF16),
        to_client_column(line, column, UTF32),
    ) == (14, 11, 10)
    assert position_to_code_points([line + "\n"], types.Position(line=0, character=11), UTF16) == (0, column)
    assert position_to_code_points([line + "\n"], types.Position(line=0, character=14), UTF8) == (0, column)


def test_spans_are_clamped_to_the_document() -> None:
    lines = split_lines_keepends("x = 1\ny = 2\n")
    assert span_to_range(Span(2, 0, 2, 99), lines, UTF16).end == types.Position(line=1, character=5)
    assert span_to_range(Span(9, 0, 9, 1), lines, UTF16).start == types.Position(line=2, character=0)
    assert position_to_code_points(lines, types.Position(line=40, character=3), UTF16) == (2, 0)


def _pick(rng: random.Random, lines: list[str]) -> tuple[int, int]:
    """A valid (line, code-point column) of the document, the end of a final newline included."""
    if not lines:
        return (0, 0)
    number = rng.randint(0, len(lines))
    if number == len(lines):
        if strip_eol(lines[-1]) != lines[-1]:
            return (number, 0)
        number -= 1
    return (number, rng.randint(0, len(strip_eol(lines[number]))))


def _client(lines: list[str], point: tuple[int, int], encoding: str) -> types.Position:
    number, column = point
    if number >= len(lines):
        return types.Position(line=number, character=0)
    return types.Position(line=number, character=to_client_column(strip_eol(lines[number]), column, encoding))


@pytest.mark.parametrize("encoding", [UTF16, UTF8, UTF32])
def test_incremental_changes_match_string_splicing(encoding: str) -> None:
    rng = random.Random(encoding)
    for _ in range(400):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        document = Document("file:///x.py", text, position_codec=PositionCodec(encoding))
        for _ in range(4):
            lines = split_lines_keepends(text)
            start, end = sorted([_pick(rng, lines), _pick(rng, lines)])
            new = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 4)))
            offset_start = sum(len(x) for x in lines[: start[0]]) + start[1]
            offset_end = sum(len(x) for x in lines[: end[0]]) + end[1]
            expected = text[:offset_start] + new + text[offset_end:]
            change = types.Range(start=_client(lines, start, encoding), end=_client(lines, end, encoding))
            document.apply_change(types.TextDocumentContentChangePartial(range=change, text=new))
            assert document.source == expected
            assert document.lines == split_lines_keepends(expected)
            text = expected


def test_form_feeds_and_separators_do_not_end_lines() -> None:
    text = "a = 1\x0c\nb = '\u2028'\nc = 3\n"
    assert [strip_eol(x) for x in split_lines_keepends(text)] == ["a = 1\x0c", "b = '\u2028'", "c = 3"]
