"""Values that are one of a fixed set of constants, though not a constant themselves.

``is_static`` (``judge.py``) knows values fixed in the source. A value can also be *chosen*
among constants at run time, which leaves it just as harmless as a command, code or query
text:

* a loop variable over a constant collection (``for cmd in ("ver", "cmd /c ver")``); a list,
  set or dict literal bound to a name is one only while no code of the module grows it with
  unknown items (``_commands.append(cmd)`` in a ``register`` function: ``judge.single_assignment``);
* an item of a constant collection (``COMMANDS[index]``, ``{"a": "x"}[key]``);
* a string built only from such values (``"Turtle." + name`` in a loop over constant names), a
  name every plain assignment of which is one;
* a conditional expression between such values (``"ls" if brief else "ls -l"``), a pure
  conversion of them (``b64decode(b"...").decode()``), a call of a module function whose every
  ``return`` gives one;
* a value checked against literals before use: inside ``if value in ("a", "b"):``, or after
  ``if value not in ("a", "b"): return`` / ``raise`` / ``continue`` or
  ``assert value in ("a", "b")``, with no rebinding in between;
* a command-line option parsed with ``argparse`` and ``choices=`` a constant collection.

Everything else (including every value merely *compared* somewhere) stays unknown. The store
index here (which statements bind a name in a scope) is shared with ``code_origin``.
"""

from __future__ import annotations

import ast

from .base import CacheKey, RuleContext
from .judge import expression_key, is_static, module_reads, name_stores, own_returns, single_assignment
from .reaching import reaching_values

FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)

_STORES: CacheKey[dict[int, tuple[ast.AST, dict[str, list[ast.AST]]]]] = CacheKey("statements binding each name")


def stores_in(ctx: RuleContext, scope: ast.AST, name: str) -> list[ast.AST]:
    """Statements of ``scope`` (not nested functions or classes) that bind ``name``: assignments,
    ``for`` loops, ``with ... as``. Indexed once per scope and analysis."""
    indexes = ctx.cache.get(_STORES, dict)
    entry = indexes.get(id(scope))
    if entry is None or entry[0] is not scope:
        entry = indexes[id(scope)] = (scope, _index_stores(scope))
    return entry[1].get(name, [])


def stored_value(store: ast.AST) -> ast.AST | None:
    """The value a binding from ``stores_in`` gives its name: a loop's iterable, a ``with``'s
    context expression, an assignment's value; None for ``+=`` (extended with something else)."""
    if isinstance(store, ast.For):
        return store.iter
    if isinstance(store, ast.withitem):
        return store.context_expr
    if isinstance(store, (ast.Assign, ast.AnnAssign)):
        return store.value
    return None


def _index_stores(scope: ast.AST) -> dict[str, list[ast.AST]]:
    found: dict[str, list[ast.AST]] = {}
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (*FUNCTION_TYPES, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.withitem)):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.optional_vars if isinstance(node, ast.withitem) else node.target]
            )
            # Only names stored to: ``table[key] = ...`` binds neither ``table`` nor ``key``.
            names = {
                t.id
                for target in targets
                if target
                for t in ast.walk(target)
                if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)
            }
            for bound in names:
                found.setdefault(bound, []).append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def scope_of(ctx: RuleContext, node: ast.AST) -> ast.AST:
    """The function, lambda or class body ``node`` is evaluated in, else the module."""
    for ancestor in ctx.facts.ancestors(node):
        if isinstance(ancestor, (*FUNCTION_TYPES, ast.ClassDef, ast.Lambda)):
            return ancestor
    return ctx.facts.tree


def loop_over_static(ctx: RuleContext, name: ast.Name) -> bool:
    """``name`` is only bound by ``for`` loops over constant collections."""
    stores = stores_in(ctx, scope_of(ctx, name), name.id)
    if not stores:
        return False
    for store in stores:
        if not isinstance(store, ast.For):
            return False
        iterable = store.iter
        if isinstance(iterable, ast.Name):
            bound = single_assignment(ctx, iterable)
            iterable = bound if bound is not None else iterable
        if not is_static(ctx, iterable):
            return False
    return True


def _static_collection(ctx: RuleContext, node: ast.AST) -> ast.AST | None:
    """The literal tuple, list, set or dict ``node`` is (or a name bound once to one), when every
    element (every value, for a dict) is a constant."""
    if isinstance(node, ast.Name):
        bound = single_assignment(ctx, node)
        node = bound if bound is not None else node
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and is_static(ctx, node):
        return node
    if isinstance(node, ast.Dict) and all(is_static(ctx, v) for v in node.values):
        return node
    return None


def fixed_choice(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """``node`` is a constant or one of a fixed set of constants (see the module docstring)."""
    if node is None or depth > 3:
        return False
    if is_static(ctx, node):
        return True
    if isinstance(node, ast.Subscript) and _static_collection(ctx, node.value) is not None:
        return True
    if isinstance(node, ast.IfExp):  # ``"x" if flag else "y"``: one of two constants
        return fixed_choice(ctx, node.body, depth + 1) and fixed_choice(ctx, node.orelse, depth + 1)
    if isinstance(node, ast.Call):
        return _fixed_call(ctx, node, depth)
    if isinstance(node, (ast.BinOp, ast.JoinedStr)):
        parts = _composed_of(node)
        return bool(parts) and all(fixed_choice(ctx, part, depth + 1) for part in parts)
    if isinstance(node, ast.Name):
        if loop_over_static(ctx, node):
            return True
        value = single_assignment(ctx, node)
        if value is not None and value is not node and fixed_choice(ctx, value, depth + 1):
            return True
        if value is None and (_every_binding_fixed(ctx, node, depth) or _reaching_fixed(ctx, node, depth)):
            return True
    return checked_against_literals(ctx, node) or argparse_choice(ctx, node)


def _composed_of(node: ast.expr) -> list[ast.expr]:
    """The values a string is built from: ``"Turtle." + name``, ``"%s.%s" % (a, b)``, ``f"{a}.{b}"``."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)] or [node]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [node.left, node.right]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return [node.left, *(node.right.elts if isinstance(node.right, ast.Tuple) else [node.right])]
    return []


def _reaching_fixed(ctx: RuleContext, node: ast.Name, depth: int) -> bool:
    """Every assignment that can reach this use is of a fixed value (``key = "A." + m`` just
    before ``eval(key)`` in a loop body, whatever ``key`` is bound to later in the function)."""
    if not isinstance(ctx.facts.enclosing_function(node), FUNCTION_TYPES):
        return False
    values = reaching_values(ctx, node, appended=True)  # ``cmd += " --flag"`` appends a fixed piece
    return bool(values) and all(v is not node and fixed_choice(ctx, v, depth + 1) for v in values or ())


def _every_binding_fixed(ctx: RuleContext, node: ast.Name, depth: int) -> bool:
    """A local name bound by several plain assignments, each of a fixed value (``key = "A." + m``
    in one loop, ``key = "B." + m`` in the next); not a parameter, global or loop target."""
    found = name_stores(ctx, node)
    if found is None or not 1 < len(found[1]) <= 4 or not isinstance(found[0], FUNCTION_TYPES):
        return False  # a module-level name bound twice may be rebound from anywhere
    for store in found[1]:
        statement = ctx.facts.parent(store)
        if not (isinstance(statement, ast.Assign) and statement.targets == [store]):
            return False
        if not fixed_choice(ctx, statement.value, depth + 1):
            return False
    return True


_PURE_FUNCTIONS = frozenset(
    {
        "base64.b64decode", "base64.b64encode", "base64.urlsafe_b64decode", "base64.urlsafe_b64encode",
        "binascii.unhexlify", "binascii.hexlify", "bytes.fromhex", "builtins.str", "builtins.bytes",
        "codecs.decode", "codecs.encode",
    }
)  # fmt: skip
_PURE_METHODS = frozenset({"decode", "encode", "strip", "lstrip", "rstrip", "lower", "upper"})


def _fixed_call(ctx: RuleContext, call: ast.Call, depth: int) -> bool:
    """A pure conversion of fixed values (``b64decode(b"...").decode()``), or a call of a
    function of the module whose every ``return`` gives a fixed value."""
    if _lookup_in_static_table(ctx, call, depth):
        return True
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    if not all(fixed_choice(ctx, argument, depth + 1) for argument in arguments):
        return False
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _PURE_METHODS:
        return fixed_choice(ctx, func.value, depth + 1)
    if ctx.facts.qualname(func) in _PURE_FUNCTIONS:
        return True
    if not isinstance(func, ast.Name):
        return False
    function = _module_function(ctx, func.id)
    return function is not None and _returns_fixed(ctx, function, depth)


def _lookup_in_static_table(ctx: RuleContext, call: ast.Call, depth: int) -> bool:
    """``COMMANDS.get(key, "true")``: an entry of a constant table, or a fixed default, whatever the key."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "get" and not call.keywords and 1 <= len(call.args) <= 2):
        return False
    if not isinstance(_static_collection(ctx, func.value), ast.Dict):
        return False
    return len(call.args) == 1 or fixed_choice(ctx, call.args[1], depth + 1)


def _module_function(ctx: RuleContext, name: str) -> ast.FunctionDef | None:
    """The module-level function ``name``, when it is defined once and never rebound."""
    tree = ctx.facts.tree
    found = [
        node
        for node in ctx.facts.nodes(ast.FunctionDef)
        if isinstance(node, ast.FunctionDef) and node.name == name and ctx.facts.parent(node) is tree
    ]
    if len(found) != 1 or stores_in(ctx, tree, name):
        return None
    return found[0]


def _returns_fixed(ctx: RuleContext, function: ast.FunctionDef, depth: int) -> bool:
    returns = own_returns(function)
    return bool(returns) and all(r.value is not None and fixed_choice(ctx, r.value, depth + 1) for r in returns)


# -- checks against literals ---------------------------------------------------------------------


def _root_name(node: ast.AST) -> ast.Name | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _membership(ctx: RuleContext, test: ast.expr, key: tuple[object, ...], inside: bool) -> bool:
    """``test`` is ``EXPR in LITERALS`` (``inside``) or ``EXPR not in LITERALS`` for the
    expression whose ``expression_key`` is ``key`` (``==`` / ``!=`` a constant count the same)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and expression_key(test.left) == key):
        return False
    op, right = test.ops[0], test.comparators[0]
    if isinstance(op, (ast.In, ast.NotIn)):
        wanted = ast.In if inside else ast.NotIn
        return isinstance(op, wanted) and _static_collection(ctx, right) is not None
    if isinstance(op, (ast.Eq, ast.NotEq)):
        wanted_eq = ast.Eq if inside else ast.NotEq
        return isinstance(op, wanted_eq) and isinstance(right, ast.Constant)
    return False


def checked_against_literals(ctx: RuleContext, node: ast.AST) -> bool:
    """``node`` is used inside ``if node in LITERALS:`` or after a statement that leaves (or
    asserts) unless it is one of them, with its name not rebound in between."""
    root = _root_name(node)
    if root is None:
        return False
    key = expression_key(node)
    child: ast.AST = node
    for ancestor in ctx.facts.ancestors(node):
        if isinstance(ancestor, (*FUNCTION_TYPES, ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(ancestor, (ast.If, ast.While)) and id(child) in _block(ctx, ancestor.body)[0]:
            if _membership(ctx, ancestor.test, key, inside=True) and not _rebound(ctx, root, ancestor, node):
                return True
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(ancestor, field, None)
            if not isinstance(statements, list):
                continue
            positions, guards = _block(ctx, statements)
            at = positions.get(id(child))
            if at is None:
                continue
            for index, earlier in guards:
                if index >= at:
                    break
                if _rejects_others(ctx, earlier, key) and not _rebound(ctx, root, earlier, node):
                    return True
        child = ancestor
    return False


_BLOCKS: CacheKey[dict[int, tuple[list[ast.stmt], dict[int, int], list[tuple[int, ast.stmt]]]]] = CacheKey(
    "statement positions and guards of each block"
)


def _block(ctx: RuleContext, statements: list[ast.stmt]) -> tuple[dict[int, int], list[tuple[int, ast.stmt]]]:
    """Where each statement of a block stands, and the statements that could reject values
    (an ``assert`` or an ``if`` without ``else`` over one comparison), indexed once per block
    so a long block is not scanned again for every use in it."""
    blocks = ctx.cache.get(_BLOCKS, dict)
    entry = blocks.get(id(statements))
    if entry is None or entry[0] is not statements:
        guards = [
            (index, statement)
            for index, statement in enumerate(statements)
            if isinstance(statement, (ast.Assert, ast.If)) and isinstance(statement.test, ast.Compare)
        ]
        entry = blocks[id(statements)] = (statements, {id(s): i for i, s in enumerate(statements)}, guards)
    return entry[1], entry[2]


def _rejects_others(ctx: RuleContext, statement: ast.stmt, key: tuple[object, ...]) -> bool:
    if isinstance(statement, ast.Assert):
        return _membership(ctx, statement.test, key, inside=True)
    return (
        isinstance(statement, ast.If)
        and not statement.orelse
        and bool(statement.body)
        and (isinstance(statement.body[-1], _EXITS) or _exits_program(statement.body[-1]))
        and _membership(ctx, statement.test, key, inside=False)
    )


def _exits_program(statement: ast.stmt) -> bool:
    """``sys.exit(...)``, ``exit(...)``, ``parser.error(...)``: the program stops there."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    func = statement.value.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in {"exit", "_exit", "error", "abort"}


def _rebound(ctx: RuleContext, root: ast.Name, guard: ast.AST, use: ast.AST) -> bool:
    """A statement between the check and the use binds the checked name again."""
    start, end = getattr(guard, "lineno", 0), getattr(use, "lineno", 0)
    for store in stores_in(ctx, scope_of(ctx, root), root.id):
        line = getattr(store, "lineno", 0)
        if start <= line < end and not (isinstance(store, ast.For) and store is guard):
            return True
    return False


# -- argparse choices ----------------------------------------------------------------------------


def _dest(call: ast.Call) -> str | None:
    """The attribute ``add_argument(...)`` stores its value under."""
    for kw in call.keywords:
        if kw.arg == "dest" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            return kw.value.value
    flags = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not flags:
        return None
    long = next((f for f in flags if f.startswith("--")), None)
    chosen = long or next((f for f in flags if not f.startswith("-")), None) or flags[0]
    return chosen.lstrip("-").replace("-", "_") or None


def argparse_choice(ctx: RuleContext, node: ast.AST) -> bool:
    """``options.cmd`` / ``options.cmd[0]`` where ``options = parser.parse_args()`` and every
    ``add_argument`` for ``cmd`` in the module restricts it with ``choices=`` constants."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
        return False
    parsed = single_assignment(ctx, node.value)
    if not (isinstance(parsed, ast.Call) and isinstance(parsed.func, ast.Attribute)):
        return False
    if parsed.func.attr not in {"parse_args", "parse_known_args"}:
        return False
    module_reads(ctx).add("the module's add_argument calls")
    declared = [call for call in ctx.facts.method_calls("add_argument") if _dest(call) == node.attr]
    if not declared:
        return False
    for call in declared:
        choices = next((kw.value for kw in call.keywords if kw.arg == "choices"), None)
        if choices is None or _static_collection(ctx, choices) is None:
            return False
    return True
