"""Inline suppression comments.

Three spellings are understood:

* ``# nosec`` and ``# nosec B602, B603`` — Bandit's syntax, so code bases
  that already carry Bandit suppressions keep them; our own rule ids work too;
* ``# noqa: S602`` — Ruff/flake8-bandit codes (a bare ``# noqa`` is left to
  the tools it was written for and suppresses nothing here);
* ``# secreview: ignore[SR101, SR302]`` or ``# secreview: ignore`` — our own.

Any of them may end with a reason after `` -- ``:
``# secreview: ignore[SR802] -- the command is an operator-only flag``. The reason is kept
on the suppression (``Suppression.reason``); a configuration can require one.

This module only parses comments; mapping codes to rules happens in the
analysis pipeline, which knows the catalogue.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from .finding import Span
from .source import split_lines

_NOSEC = re.compile(r"#\s*nosec\b(?P<rest>[^#]*)", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_OWN = re.compile(r"#\s*secreview\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")
_REASON = re.compile(r"^\s*--(?P<reason>.*)$")


@dataclass(frozen=True, slots=True)
class Suppression:
    """One suppression comment: its kind, the codes it names (empty = all), and where it is."""

    kind: str  # "nosec" | "noqa" | "secreview"
    codes: tuple[str, ...]
    span: Span
    reason: str | None = None  # the text after ` -- `, stripped; None when absent or empty

    @property
    def line(self) -> int:
        return self.span.start_line


def _tokenized_comments(text: str) -> list[tuple[int, int, str]] | None:
    """(line, code-point column, text) of each comment, from the tokens; None when the text
    does not tokenize (it may be mid-edit)."""
    found: list[tuple[int, int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.start[1], token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        return None
    return found


def _scanned_comments(text: str) -> list[tuple[int, int, str]]:
    """The comments a line scan finds: from the first ``#`` of each line."""
    found: list[tuple[int, int, str]] = []
    for number, line in enumerate(split_lines(text), start=1):
        if "#" not in line:
            continue
        index = line.find("#")
        found.append((number, index, line[index:]))
    return found


def parse_suppressions(text: str) -> list[Suppression]:
    """All suppression comments in ``text``."""
    return read_suppressions(text)[0]


def read_suppressions(text: str) -> tuple[list[Suppression], bool | None]:
    """All suppression comments in ``text``, and whether it tokenizes (None: not tokenized, as
    no comment in it can be one). Comments are read from the tokens, or by a line scan when the
    text does not tokenize."""
    if not (_OWN.search(text) or _NOSEC.search(text) or _NOQA.search(text)):
        # A comment is part of the text: no match in the text, none in a comment. Tokenizing
        # (pure Python) costs more than the parse on a file with a few bare noqa comments.
        return [], None
    comments = _tokenized_comments(text)
    clean = comments is not None
    result: list[Suppression] = []
    for line, col, comment in comments if comments is not None else _scanned_comments(text):
        match = _OWN.search(comment)
        if match:
            codes = tuple(c.upper() for c in _CODE.findall(match.group("codes") or ""))
            span = Span(line, col + match.start(), line, col + match.end())
            result.append(Suppression("secreview", codes, span, _reason(comment[match.end() :])))
            continue
        match = _NOSEC.search(comment)
        if match:
            head, dashes, tail = match.group("rest").partition("--")
            codes = tuple(c.upper() for c in _CODE.findall(head))
            span = Span(line, col + match.start(), line, col + match.end())
            result.append(Suppression("nosec", codes, span, _reason(dashes + tail)))
            continue
        match = _NOQA.search(comment)
        if match:
            codes = tuple(c.upper() for c in _CODE.findall(match.group("codes")))
            span = Span(line, col + match.start(), line, col + match.end())
            result.append(Suppression("noqa", codes, span, _reason(comment[match.end() :])))
    return result, clean


def _reason(rest: str) -> str | None:
    """The reason in what follows a suppression's codes: `` -- text`` (up to another ``#``)."""
    match = _REASON.match(rest)
    if match is None:
        return None
    reason = match.group("reason").split(" #")[0].strip()
    return reason or None
