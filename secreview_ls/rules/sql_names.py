"""Whether the pieces of unknown origin written into SQL text are names or values (SR210/SR213).

SQL takes a NAME or a FRAGMENT in some places of a statement — a table, a column list, an
``ORDER BY`` key, a ``WHERE`` clause — and a VALUE in others (``sql_text.slot_takes_name``).
A value belongs in a query parameter; a name cannot be bound, so for a name of unknown origin
the question is not "bind it" (SR210) but "is it one the program knows" (the `hardening` note
SR213). A piece of unknown origin in a name slot is such a name when

* the statement runs with a parameter list (every SQL-running call the text reaches passes
  one, ``execute(sql, args)``): the code binds its values, and what it composes around them
  are names and clauses, whatever their origin — or
* it is what the enclosing function's caller handed in (``caller_data.handed_in``).

A piece built in view — a local name, a join, a conditional, a list of clauses grown in the
function, a string built from a template — is judged through what it is built from: a value of
its own text (after ``=``, between quotes...) must be harmless (``sql_values``), its names are
judged the same way. ``clauses.append("%s = '%s'" % (key, value))`` keeps SR210.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..engine.facts import own_nodes
from .base import RuleContext
from .caller_data import handed_in
from .judge import callee_tail, destination_names, name_stores, static_string
from .sql_pairs import paired_with_parameters
from .sql_text import slot_takes_name, template_fields
from .sql_values import harmless_value, literal_text_and_values

Leaf = Callable[[ast.expr], bool]
_RUNNING_PREFIXES = ("execute", "executemany", "mogrify")
_PARAMETER_KEYWORDS = frozenset({"params", "parameters", "args", "vars", "argslist"})
_GROWING = frozenset({"append", "extend", "insert"})
_MAX_DEPTH = 6


def names_reason(ctx: RuleContext, node: ast.expr, risky: list[ast.expr]) -> str | None:
    """``"caller"`` or ``"parameters"`` when every value of unknown origin in the SQL text
    ``node`` sits in a name slot and is a name (see the module docstring), else None."""
    placed = placed_values(ctx, node)
    if placed is None:
        return None
    slots: dict[int, bool] = {}
    for value, takes_name in placed:
        slots[id(value)] = slots.get(id(value), True) and takes_name
    if not all(slots.get(id(value), False) for value in risky):
        return None
    if all(names_only(ctx, value, _caller_leaf(ctx)) for value in risky):
        return "caller"
    if runs_with_parameters(ctx, node) and all(names_only(ctx, value, _any_leaf) for value in risky):
        return "parameters"
    return None


def _caller_leaf(ctx: RuleContext) -> Leaf:
    return lambda node: handed_in(ctx, node)


def _any_leaf(node: ast.expr) -> bool:
    return True


# -- where each value sits ---------------------------------------------------------


def quoted_values(ctx: RuleContext, node: ast.expr) -> list[ast.expr] | None:
    """The values of unknown text written between quotes as an SQL string literal (``'{}'``),
    or None when a field cannot be matched with its value."""
    placed = _placed(ctx, node)
    return None if placed is None else [value for value, _, quoted in placed if quoted]


def placed_values(ctx: RuleContext, node: ast.expr) -> list[tuple[ast.expr, bool]] | None:
    """Each value of unknown text in a string built from a template, with whether SQL takes
    a name there (see ``_placed``)."""
    placed = _placed(ctx, node)
    return None if placed is None else [(value, takes_name) for value, takes_name, _ in placed]


def _placed(ctx: RuleContext, node: ast.expr) -> list[tuple[ast.expr, bool, bool]] | None:
    """Each value of unknown text in a string built from a template, with whether SQL takes
    a name there. Values of fixed text (a constant, a choice between constants:
    ``"MAX" if up else "MIN"``) are written into the text first, so ``%(agg)s(%(id)s)`` is
    read as ``MAX(%(id)s)``. None when a field cannot be matched with its value."""
    parts = literal_text_and_values(ctx, node)
    if parts is None:
        return None
    text, values = parts
    fields = template_fields(text)
    lookup = _field_values(node, values)
    if fields is None or lookup is None:
        return None
    composed: list[str] = []
    open_values: list[ast.expr] = []
    last, position = 0, 0
    for start, end, key in fields:
        if key == "":
            key, position = str(position), position + 1
        value = lookup.get(key)
        if value is None:
            return None
        fixed = _fixed_text(ctx, value)
        composed.append(text[last:start])
        composed.append(fixed if fixed is not None else "\0")
        if fixed is None:
            open_values.append(value)
        last = end
    composed.append(text[last:])
    full = "".join(composed)
    marks = [index for index, char in enumerate(full) if char == "\0"]
    placed = []
    for value, mark in zip(open_values, marks, strict=True):
        before, after = full[:mark].replace("\0", "x"), full[mark + 1 :].replace("\0", "x")
        placed.append((value, slot_takes_name(before, after), before.count("'") % 2 == 1))
    return placed


def _field_values(node: ast.expr, values: list[ast.expr]) -> dict[str, ast.expr] | None:
    """The value of each field: plain fields by position (``"0"``, ``"1"``...), named and
    numbered ones by key."""
    lookup = {str(index): value for index, value in enumerate(values)}
    if isinstance(node, ast.BinOp) and isinstance(node.right, ast.Dict):
        lookup = {}
        for key, value in zip(node.right.keys, node.right.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return None
            lookup[key.value] = value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        lookup.update({kw.arg: kw.value for kw in node.keywords if kw.arg is not None})
    return lookup


def _fixed_text(ctx: RuleContext, value: ast.expr) -> str | None:
    """The text of a constant, or of the first of a choice between constants."""
    if isinstance(value, ast.IfExp):
        body, orelse = _fixed_text(ctx, value.body), _fixed_text(ctx, value.orelse)
        return body if body is not None and orelse is not None else None
    return static_string(ctx, value)


# -- what a piece is built from ----------------------------------------------------


def names_only(
    ctx: RuleContext, piece: ast.expr, leaf: Leaf, depth: int = 0, seen: frozenset[str] = frozenset()
) -> bool:
    """``piece`` puts no value of its own into the SQL text: it is harmless, or every piece it
    is built from in view is a name or harmless, and what it is built from out of view passes
    ``leaf`` (see the module docstring)."""
    if harmless_value(ctx, piece):
        return True
    if depth > _MAX_DEPTH:
        return False
    deeper = depth + 1
    if isinstance(piece, ast.IfExp):
        return all(names_only(ctx, branch, leaf, deeper, seen) for branch in (piece.body, piece.orelse))
    if isinstance(piece, (ast.List, ast.Tuple, ast.Set)):
        return all(names_only(ctx, item, leaf, deeper, seen) for item in piece.elts)
    if isinstance(piece, ast.Starred):
        return names_only(ctx, piece.value, leaf, deeper, seen)
    if isinstance(piece, ast.Dict):  # joined, a mapping gives its keys
        return all(
            names_only(ctx, item, leaf, deeper, seen)
            for item in (key if key is not None else value for key, value in zip(piece.keys, piece.values, strict=True))
        )
    if isinstance(piece, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        return names_only(ctx, piece.elt, leaf, deeper, seen)
    if _joins(ctx, piece):
        return names_only(ctx, piece.args[0], leaf, deeper, seen)  # type: ignore[attr-defined]
    if isinstance(piece, ast.Name):
        return _name_names_only(ctx, piece, leaf, deeper, seen)
    if isinstance(piece, (ast.JoinedStr, ast.BinOp)) or _formats(piece):
        placed = placed_values(ctx, piece)
        if placed is None:
            return isinstance(piece, ast.BinOp) and not _is_text(ctx, piece) and leaf(piece)
        return all(
            harmless_value(ctx, value) or (takes_name and names_only(ctx, value, leaf, deeper, seen))
            for value, takes_name in placed
        )
    return leaf(piece)


def _joins(ctx: RuleContext, node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
        and len(node.args) == 1 and not node.keywords and static_string(ctx, node.func.value) is not None
    )  # fmt: skip


def _formats(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _is_text(ctx: RuleContext, node: ast.BinOp) -> bool:
    return isinstance(node.op, ast.Mod) or any(
        static_string(ctx, side) is not None or isinstance(side, ast.JoinedStr) for side in (node.left, node.right)
    )


def _name_names_only(ctx: RuleContext, name: ast.Name, leaf: Leaf, depth: int, seen: frozenset[str]) -> bool:
    """Every binding of the name in its scope, and every item put into it (``append``,
    ``extend``, ``insert``), is a name; a parameter (or a name of an enclosing function)
    passes ``leaf``."""
    if name.id in seen:
        return True  # ``where += " AND x = ?"``: the other bindings judge it
    found = name_stores(ctx, name)
    if found is None:
        return leaf(name)
    scope, stores = found
    inner = seen | {name.id}
    if not all(_store_names_only(ctx, store, leaf, depth, inner) for store in stores):
        return False
    for node in own_nodes(scope):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _GROWING
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name.id
            and node.args
        ):
            item = node.args[-1] if node.func.attr == "insert" else node.args[0]
            if not names_only(ctx, item, leaf, depth, inner):
                return False
    return True


def _store_names_only(ctx: RuleContext, store: ast.Name, leaf: Leaf, depth: int, seen: frozenset[str]) -> bool:
    parent = ctx.facts.parent(store)
    if isinstance(parent, ast.Assign) and parent.targets == [store]:
        return names_only(ctx, parent.value, leaf, depth, seen)
    if isinstance(parent, (ast.AnnAssign, ast.AugAssign)) and parent.value is not None:
        if isinstance(parent, ast.AugAssign) and not isinstance(parent.op, ast.Add):
            return False
        return names_only(ctx, parent.value, leaf, depth, seen)
    holder = ctx.facts.parent(parent) if isinstance(parent, ast.Tuple) else parent
    target = parent if isinstance(parent, ast.Tuple) else store
    if isinstance(holder, (ast.For, ast.AsyncFor, ast.comprehension)) and holder.target is target:
        return harmless_value(ctx, holder.iter) or leaf(holder.iter)  # a name iterated from ...
    if isinstance(holder, ast.Assign) and holder.targets == [target] and target is not store:
        return paired_with_parameters(ctx, store) or leaf(holder.value)  # ``keys, vals = zip(...)``
    return False


# -- how the statement runs --------------------------------------------------------


def runs_with_parameters(ctx: RuleContext, node: ast.expr) -> bool:
    """Every SQL-running call the text ``node`` reaches — as its first argument, or through
    the names it is stored under in its function — passes a parameter list, and there is one."""
    calls = _running_calls(ctx, node)
    return bool(calls) and all(_passes_parameters(call) for call in calls)


def _running_calls(ctx: RuleContext, node: ast.expr) -> list[ast.Call]:
    parent = ctx.facts.parent(node)
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
        return [parent] if _runs_sql(parent) else []
    names = set(destination_names(ctx.facts, node))
    if not names:
        return []
    scope = ctx.facts.enclosing_function(node) or ctx.facts.tree
    return [  # also in a nested function that runs it (``def f(txn): txn.execute(sql, args)``)
        call for call in ast.walk(scope)
        if isinstance(call, ast.Call) and _runs_sql(call) and call.args and call.lineno >= node.lineno
        and any(isinstance(inner, ast.Name) and inner.id in names for inner in ast.walk(call.args[0]))
    ]  # fmt: skip


def _runs_sql(call: ast.Call) -> bool:
    return (callee_tail(call) or "").startswith(_RUNNING_PREFIXES)


def _passes_parameters(call: ast.Call) -> bool:
    given = [*call.args[1:2], *(kw.value for kw in call.keywords if kw.arg in _PARAMETER_KEYWORDS)]
    return any(not _nothing(value) for value in given)


def _nothing(value: ast.expr) -> bool:
    """``None``, ``()``, ``[]``, ``{}``: a parameter list that binds nothing."""
    if isinstance(value, ast.Constant):
        return value.value is None
    if isinstance(value, (ast.Tuple, ast.List)):
        return not value.elts
    return isinstance(value, ast.Dict) and not value.keys
