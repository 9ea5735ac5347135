"""Two origins of the pieces written into SQL text that carry no outside data (SR210/211/212):

* a fragment produced *together with its bound parameters* — ``clause, args = helper(...)``
  whose ``args`` then go to the database as the parameters of an executing call
  (``cur.execute(sql % clause, args)``, ``cur.execute(sql, [user_id] + args)``). The helper
  that returns such a pair has put the values into the parameter list and only placeholders
  into the text; the helper's own body, when it formats a value into text, is reported where
  it is built.
* a constant read on an imported class — ``EventTypes.Retention``, ``Status.ACTIVE`` —
  an enum member or a namespace of constants defined in the program's own code.
"""

from __future__ import annotations

import ast

from ..engine.facts import own_nodes
from .base import RuleContext
from .judge import module_reads, name_stores

# Methods that run SQL with a separate parameter list.
_RUNNING_PREFIXES = ("execute", "executemany", "mogrify", "raw", "read_sql")
_GROWING_METHODS = frozenset({"append", "extend", "insert", "__iadd__"})
_MAX_PASSES = 4


def paired_with_parameters(ctx: RuleContext, store: ast.Name) -> bool:
    """``store`` is the first name of ``text, params = call(...)`` and ``params`` (or a list
    grown from it) is passed, as a value, to a call that runs SQL in the same function or a
    function nested in it."""
    target = ctx.facts.parent(store)
    holder = ctx.facts.parent(target) if target is not None else None
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2 and target.elts[0] is store):
        return False
    if not (isinstance(holder, ast.Assign) and holder.targets == [target] and isinstance(holder.value, ast.Call)):
        return False
    second = target.elts[1]
    if not isinstance(second, ast.Name):
        return False
    # the function's own code and the functions nested in it (``def run(txn): txn.execute(sql, args)``)
    scope = ctx.facts.enclosing_function(store)
    if scope is None:
        module_reads(ctx).add("module-level code running a statement")
    nodes = list(ast.walk(scope)) if scope is not None else own_nodes(ctx.facts.tree)
    carriers = _carriers(nodes, second.id)
    return any(_passes_as_parameters(call, carriers) for call in _running_calls(nodes))


def _carriers(nodes: list[ast.AST], name: str) -> set[str]:
    """``name`` and the names of the lists built from it (``args = [x] + name``,
    ``args.extend(name)``, ``args += name``)."""
    carriers = {name}
    for _ in range(_MAX_PASSES):
        grown = set(carriers)
        for node in nodes:
            if isinstance(node, ast.Assign) and _mentions(node.value, carriers):
                grown.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif (
                isinstance(node, ast.AugAssign)
                and isinstance(node.target, ast.Name)
                and _mentions(node.value, carriers)
            ):
                grown.add(node.target.id)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _GROWING_METHODS
                and isinstance(node.func.value, ast.Name)
                and any(_mentions(a, carriers) for a in node.args)
            ):
                grown.add(node.func.value.id)
        if grown == carriers:
            break
        carriers = grown
    return carriers


def _mentions(node: ast.AST, names: set[str]) -> bool:
    """A name of ``names`` is in ``node`` as a value, not formatted into text."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, (ast.JoinedStr, ast.FormattedValue)):
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"format", "join"}:
        return False
    return any(_mentions(child, names) for child in ast.iter_child_nodes(node))


def _running_calls(nodes: list[ast.AST]) -> list[ast.Call]:
    return [
        node
        for node in nodes
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.startswith(_RUNNING_PREFIXES)
    ]


def _passes_as_parameters(call: ast.Call, carriers: set[str]) -> bool:
    values = [*call.args[1:], *(k.value for k in call.keywords)]
    if call.args and isinstance(call.args[0], ast.Starred):
        values.append(call.args[0])
    return any(_mentions(value, carriers) for value in values)


def imported_class_constant(ctx: RuleContext, node: ast.Attribute) -> bool:
    """``EventTypes.Retention``, ``Entry._meta.db_table``: an attribute read (not called, not
    assigned) on a class imported from the program's own modules — a name spelled in CapWords
    and bound by an import. Enum members, constant namespaces and a model's metadata hold
    values fixed in code."""
    if isinstance(node.value, ast.Attribute):
        return isinstance(node.ctx, ast.Load) and imported_class_constant(ctx, node.value)
    base = node.value
    if not (isinstance(base, ast.Name) and isinstance(node.ctx, ast.Load)):
        return False
    name = base.id
    if not (name[:1].isupper() and any(c.islower() for c in name)):
        return False  # CapWords: a class, not a CONSTANT or a module alias
    imports = ctx.facts.imports
    if name not in imports.aliases or name in imports.locally_bound:
        return False
    parent = ctx.facts.parent(node)
    if isinstance(parent, ast.Call) and parent.func is node:
        return False
    module_reads(ctx).add("stores of an imported class's attributes")
    return not any(
        isinstance(other, ast.Attribute)
        and other.attr == node.attr
        and isinstance(other.value, ast.Name)
        and other.value.id == name
        and not isinstance(other.ctx, ast.Load)
        for other in ctx.facts.nodes(ast.Attribute)
    )


# SQLAlchemy schema objects of the program's own models: the tables of a ``MetaData``, their
# columns and keys, and the names of those.
_TABLE_COLLECTIONS = frozenset({"sorted_tables", "tables"})
_COLUMN_COLLECTIONS = frozenset({"columns", "c", "primary_key", "foreign_keys", "indexes", "constraints"})
_SCHEMA_NAMES = frozenset({"name", "key", "fullname", "schema"})
_ORDERING_CALLS = frozenset({"reversed", "sorted", "list", "tuple"})


def declared_schema_name(ctx: RuleContext, node: ast.expr) -> bool:
    """``table``, ``column.name`` where ``for table in Model.metadata.sorted_tables`` and ``for
    column in table.primary_key``: a table or column the program's own models declare (written
    into SQL they are their names, schema the developer wrote, not data)."""
    if isinstance(node, ast.Attribute) and node.attr in _SCHEMA_NAMES:
        return _schema_object(ctx, node.value, 0)
    return isinstance(node, ast.Name) and _schema_object(ctx, node, 0)


def _schema_object(ctx: RuleContext, node: ast.expr, depth: int) -> bool:
    """A table or column reached from a model's ``metadata``."""
    if depth > 4 or not isinstance(node, ast.Name):
        return False
    found = name_stores(ctx, node)
    if found is None:
        return False
    for store in found[1]:
        parent = ctx.facts.parent(store)
        if isinstance(parent, (ast.For, ast.comprehension)) and parent.target is store:
            if not _schema_collection(ctx, parent.iter, depth + 1):
                return False
        elif isinstance(parent, ast.Assign) and parent.targets == [store]:
            if not _schema_collection(ctx, parent.value, depth + 1) and not _schema_object_value(
                ctx, parent.value, depth
            ):
                return False
        else:
            return False
    return True


def _schema_object_value(ctx: RuleContext, value: ast.expr, depth: int) -> bool:
    return isinstance(value, ast.Name) and _schema_object(ctx, value, depth + 1)


def _schema_collection(ctx: RuleContext, node: ast.expr, depth: int) -> bool:
    """``Model.metadata.sorted_tables``, ``reversed(...)`` of one, ``table.primary_key`` of a
    schema table, or a name bound to such a collection."""
    if depth > 6:
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _ORDERING_CALLS:
        return len(node.args) == 1 and _schema_collection(ctx, node.args[0], depth + 1)
    if isinstance(node, ast.Attribute):
        if node.attr in _TABLE_COLLECTIONS:
            holder = node.value
            return isinstance(holder, ast.Attribute) and holder.attr == "metadata" and isinstance(holder.ctx, ast.Load)
        if node.attr in _COLUMN_COLLECTIONS:
            return _schema_object(ctx, node.value, depth + 1) if isinstance(node.value, ast.Name) else False
        return False
    if isinstance(node, ast.Name):
        found = name_stores(ctx, node)
        if found is None:
            return False
        for store in found[1]:
            parent = ctx.facts.parent(store)
            if not (
                isinstance(parent, ast.Assign)
                and parent.targets == [store]
                and _schema_collection(ctx, parent.value, depth + 1)
            ):
                return False
        return True
    return False
