"""What the values formatted into SQL text are, for SQL string building (SR210): identifiers
quoted by the database layer, compiled SQL fragments, values written between quotes."""

from __future__ import annotations

import ast
import re

from ..engine.facts import constant_value
from .base import RuleContext
from .judge import identifier_words, single_assignment

_PREPARER_METHODS = frozenset(
    {
        "format_table",
        "format_column",
        "format_sequence",
        "format_schema",
        "format_constraint",
        "format_index",
        "format_label",
        "format_alias",
        "format_table_seq",
    }
)
_QUOTING_FUNCTIONS = frozenset(
    {
        "quote_name",
        "quote_identifier",
        "quote_name_unless_alias",
        "quote_schema",
        "quote_table",
        "quote_column",
        "quote_ident",
        "quote_identifier_if_needed",
        "quote_qualified_name",
        "quote_value",
    }
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
        if isinstance(old, str) and _ESCAPES.get(old) == new:
            return True
        # ``s.replace("'", "''").replace("\0", "")``: a further replacement adding no quote
        receiver = func.value if isinstance(func, ast.Attribute) else None
        quoteless = isinstance(new, str) and not any(q in new for q in _ESCAPES)
        return quoteless and isinstance(receiver, ast.Call) and quotes_identifier(ctx, receiver)
    return False


def names_sql_fragment(name: str) -> bool:
    """``sql``, ``inner_sql``, ``lhs_sql``, ``placeholder``: a variable whose name says it holds
    SQL text (the compiled fragment of a query builder, the placeholder a backend writes for a
    bound value); composing SQL from SQL is not injection — a fragment built from data is
    reported where it is built."""
    words = identifier_words(name)
    return bool(words) and words[-1] in ("sql", "placeholder", "placeholders")


_FIELD = re.compile(r"\{[^{}']*\}|%(?:\([^)]*\))?s")


def in_quoted_literal(text: str) -> bool:
    """Whether a field of the template sits inside a quoted SQL string literal (``'{}'``):
    the odd pieces of the text split at single quotes are inside literals."""
    pieces = text.split("'")
    return any(_FIELD.search(piece) for piece in pieces[1::2]) and len(pieces) % 2 == 1


# What SQL puts right before a value: a comparison or arithmetic operator, LIKE, LIMIT, ...
_DATA_BEFORE = re.compile(
    r"(?:[=<>+\-*/]|\|\||\b(?:LIKE|ILIKE|LIMIT|OFFSET|BETWEEN|THEN|ELSE|WHEN|IS|NOT|ESCAPE|DEFAULT))$"
)
# A parenthesised list of names right after a table: ``INSERT INTO t (a, b)``, ``CREATE TABLE t (``.
_NAME_LIST_HEAD = re.compile(r"\b(?:INTO|TABLE|EXISTS|ON|INDEX)\s+(?:[\w.\"`\[\]]+|%S|\{\s*\})\s*$")
# Parentheses that hold a column (an aggregate's argument) or a condition (grouping in a clause).
_NAME_CALL_HEAD = re.compile(r"\b(?:MAX|MIN|SUM|AVG|COUNT)\s*$")
_GROUPING_HEAD = re.compile(r"\b(?:WHERE|AND|OR|NOT|ON|HAVING|FROM|JOIN)\s*$")  # a condition, a subquery
# A comparison whose other side is a placeholder: ``? <= {}`` compares a bound value with a column.
_PLACEHOLDER_COMPARED = re.compile(r"(?:\?|%S|:\w+|\$\d+)\s*(?:=|<>|!=|<=|>=|<|>)$")
_QUALIFIER_AFTER = re.compile(r"\s*\.\s*[\w{%\"`]")
# Functions whose quoted argument is the name of a sequence or a table (a ``regclass``), not data.
_NAME_LITERAL_HEAD = re.compile(
    r"\b(?:setval|nextval|currval|pg_get_serial_sequence|to_regclass)\s*\(\s*(?:'[^']*',\s*)?'[\w.\"\s]*$",
    re.IGNORECASE,
)
_PLAIN_FIELD = re.compile(r"\{\s*\}|%s")
_CONTEXT = 4000
_KEYED_FIELD = re.compile(r"\{\s*(\w*)\s*\}|%(?:\((\w+)\))?s")


def name_slots(text: str) -> list[bool] | None:
    """For each field of an SQL template, in order: whether SQL takes a name or a fragment of
    SQL there (``FROM {}``, ``ORDER BY {}``, ``SELECT {} FROM``, ``WHERE {}``, ``INTO t ({})``,
    ``MAX({})``, ``{}.column``) rather than a value (after ``=``, ``LIKE``, ``LIMIT``, inside
    ``VALUES (...)``, ``IN (...)`` or a function's parentheses, between quotes). None when the
    fields cannot be told apart in order (named or numbered fields: see ``keyed_slots``)."""
    fields = list(_FIELD.finditer(text))
    if not all(_PLAIN_FIELD.fullmatch(field.group().strip()) for field in fields):
        return None
    return [slot_takes_name(text[: field.start()], text[field.end() :]) for field in fields]


def template_fields(text: str) -> list[tuple[int, int, str]] | None:
    """Each field of an SQL template: its span and its key (``""`` for a plain ``{}``/``%s``,
    the name or number of ``{name}``/``{0}``/``%(name)s``); None when a field has a conversion
    or format spec that is not understood."""
    fields = []
    for field in _FIELD.finditer(text):
        keyed = _KEYED_FIELD.fullmatch(field.group().strip())
        if keyed is None:
            return None
        fields.append((field.start(), field.end(), keyed.group(1) or keyed.group(2) or ""))
    return fields


def slot_takes_name(before: str, after: str) -> bool:
    """Whether the field between ``before`` and ``after`` sits where SQL takes a name or a
    fragment (see ``name_slots``)."""
    if before.count("'") % 2:
        # inside a quoted literal: a value, unless the literal names a sequence or table for a
        # function that takes one by name (``setval('{seq}', ...)``, ``pg_get_serial_sequence``)
        return bool(_NAME_LITERAL_HEAD.search(before[-200:])) and "'" not in after.split("'", 1)[0]
    if _QUALIFIER_AFTER.match(after[:64]):
        return True  # ``{}.column``: a table or alias qualifying a column
    head = before[-_CONTEXT:].rstrip().upper()  # the clause around the field, not the whole text
    if _DATA_BEFORE.search(head[-80:]):
        return bool(_PLACEHOLDER_COMPARED.search(head[-80:]))
    opened = _open_parenthesis(head)
    if opened < 0:
        return True
    outside, inside = head[max(0, opened - 200) : opened].rstrip(), head[opened + 1 :].strip()
    if inside.startswith(("SELECT ", "SELECT\n", "WITH ")):
        return True  # a subquery: the field sits in its clauses, no value before it
    first = not inside or inside == "DISTINCT"
    if _NAME_LIST_HEAD.search(outside) or _GROUPING_HEAD.search(outside):
        return True
    return first and bool(_NAME_CALL_HEAD.search(outside))


def _open_parenthesis(text: str) -> int:
    """Where the innermost parenthesis still open at the end of ``text`` starts, or -1."""
    depth, end = 0, len(text)
    while True:
        index = max(text.rfind("(", 0, end), text.rfind(")", 0, end))
        if index < 0:
            return -1
        if text[index] == ")":
            depth += 1
        elif depth == 0:
            return index
        else:
            depth -= 1
        end = index
