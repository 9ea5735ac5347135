"""What the values formatted into SQL text are, for SQL string building (SR210): identifiers
quoted by the database layer, compiled SQL fragments, values written between quotes."""

from __future__ import annotations

import ast
import re

from ..engine.facts import constant_value
from .base import RuleContext
from .judge import identifier_words, single_assignment

_PREPARER_METHODS = frozenset(
    {"format_table", "format_column", "format_sequence", "format_schema", "format_constraint",
     "format_index", "format_label", "format_alias", "format_table_seq"}
)
_QUOTING_FUNCTIONS = frozenset(
    {"quote_name", "quote_identifier", "quote_name_unless_alias", "quote_schema", "quote_table", "quote_column",
     "quote_ident", "quote_identifier_if_needed", "quote_qualified_name", "quote_value"}
)
_ESCAPES = {"'": "''", '"': '""', "`": "``", "]": "]]"}


def quotes_identifier(ctx: RuleContext, call: ast.Call) -> bool:
    """``connection.ops.quote_name(x)``, ``preparer.quote_identifier(x)``, ``qn(x)`` (bound to
    a quoting function), ``preparer.format_table(t)``, ``x.replace("'", "''")``: the value is
    quoted or escaped for the SQL text it goes into."""
    func: ast.AST = call.func
    if isinstance(func, ast.Name):
        bound = single_assignment(ctx, func)
        func = bound if isinstance(bound, ast.Attribute) else func
    tail = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if tail in _QUOTING_FUNCTIONS or tail.endswith("quote_name") or tail in _PREPARER_METHODS:
        return True
    if tail == "quote" and isinstance(func, ast.Attribute):
        return bool(set(identifier_words(ctx.segment(func.value))) & {"preparer", "dialect", "ops"})
    if tail == "replace" and len(call.args) == 2:
        old, new = (constant_value(a) for a in call.args)
        return isinstance(old, str) and _ESCAPES.get(old) == new
    return False


def names_sql_fragment(name: str) -> bool:
    """``sql``, ``inner_sql``, ``lhs_sql``: a variable whose name says it holds SQL text (the
    compiled fragment of a query builder); composing SQL from SQL is not injection — a
    fragment built from data is reported where it is built."""
    words = identifier_words(name)
    return bool(words) and words[-1] == "sql"


_FIELD = re.compile(r"\{[^{}']*\}|%(?:\([^)]*\))?s")


def in_quoted_literal(text: str) -> bool:
    """Whether a field of the template sits inside a quoted SQL string literal (``'{}'``):
    the odd pieces of the text split at single quotes are inside literals."""
    pieces = text.split("'")
    return any(_FIELD.search(piece) for piece in pieces[1::2]) and len(pieces) % 2 == 1
