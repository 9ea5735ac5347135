"""Values escaped for a single-quoted shell word and placed between single quotes.

Inside ``'...'`` the shell treats every character literally except ``'`` itself. A value whose
every ``'`` is replaced by ``'"'"'`` or ``'\\''`` (close the quotes, add a quoted quote, reopen)
and which is then put between single quotes in the command is one shell word, whatever it
contains: the hand-written equivalent of ``shlex.quote``."""

from __future__ import annotations

import ast
import re

from .base import RuleContext
from .judge import add_operands, single_assignment, static_string

_ESCAPED_QUOTES = frozenset({"'\"'\"'", "'\\''"})
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
_BRACE_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


def single_quoted_values(ctx: RuleContext, node: ast.expr) -> list[ast.expr]:
    """The interpolated values of a built command that are escaped for single quotes and sit
    between single quotes in the command's fixed text."""
    slots = _slots(ctx, node)
    return [value for before, value, after in slots if _between_quotes(before, after) and _escaped(ctx, value)]


def _slots(ctx: RuleContext, node: ast.expr) -> list[tuple[str, ast.expr, str]]:
    """Each interpolated value with all the fixed text before it and the fixed text right after
    it; empty when the fixed text is not known."""
    pieces: list[str | ast.expr] = []
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                pieces.append(part.value)
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None and part.conversion == -1:
                pieces.append(part.value)
            else:
                return []
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for operand in add_operands(node):
            text = static_string(ctx, operand)
            pieces.append(text if text is not None else operand)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = static_string(ctx, node.left)
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        if template is None or any(isinstance(v, ast.Starred) for v in values):
            return []
        pieces = _fill(template, _PERCENT_FIELD, "%%", values)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = static_string(ctx, node.func.value)
        if template is None or node.keywords:
            return []
        pieces = _fill(template, _BRACE_FIELD, None, list(node.args))
    return _with_context(pieces)


def _fill(template: str, field: re.Pattern[str], literal: str | None, values: list[ast.expr]) -> list[str | ast.expr]:
    """Fixed text and values in order; empty when the fields are not plain positional ones."""
    pieces: list[str | ast.expr] = []
    position = 0
    remaining = list(values)
    for match in field.finditer(template):
        pieces.append(template[position : match.start()])
        position = match.end()
        text = match.group()
        if text == literal or text in ("{{", "}}"):
            pieces.append(text[0])
            continue
        if text.startswith("%(") or (text.strip("{}") not in ("", "0") and field is _BRACE_FIELD):
            return []
        if not remaining:
            return []
        pieces.append(remaining.pop(0))
    pieces.append(template[position:])
    return pieces if not remaining else []


def _with_context(pieces: list[str | ast.expr]) -> list[tuple[str, ast.expr, str]]:
    slots: list[tuple[str, ast.expr, str]] = []
    before = ""
    for index, piece in enumerate(pieces):
        if isinstance(piece, str):
            before += piece
            continue
        following = pieces[index + 1] if index + 1 < len(pieces) else ""
        slots.append((before, piece, following if isinstance(following, str) else ""))
        before += "\0"
    return slots


def _between_quotes(before: str, after: str) -> bool:
    """The value opens right after a single quote that starts a quoted word and is closed by
    the next character."""
    return before.endswith("'") and after.startswith("'") and _quote_opened(before)


def _quote_opened(text: str) -> bool:
    """Whether the last ``'`` of ``text`` opens a single-quoted word (outside double quotes)."""
    in_single = in_double = False
    for character in text:
        if in_single:
            in_single = character != "'"
        elif character == "'" and not in_double:
            in_single = True
        elif character == '"':
            in_double = not in_double
    return in_single


def _escaped(ctx: RuleContext, node: ast.expr) -> bool:
    """``value.replace("'", "'\\"'\\"'")`` (or ``'\\''``), directly or through a name bound once."""
    if isinstance(node, ast.Name):
        bound = single_assignment(ctx, node)
        node = bound if bound is not None else node
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace"):
        return False
    if len(node.args) != 2 or node.keywords:
        return False
    old, new = (static_string(ctx, arg) for arg in node.args)
    return old == "'" and new in _ESCAPED_QUOTES
