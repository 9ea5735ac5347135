"""Argument judgement shared by the pattern rules.

Rules report what an argument *is*, not merely which function is called:
a command that is a fixed string differs from one built from a variable, a
mode that is a constant can be evaluated, a value assigned to ``token`` is
used for something security-relevant. These helpers answer such questions
from the module facts; what they index is kept in the rule context's cache, so
no rule re-walks the tree.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import defaultdict

from ..engine.command_line import uses_command_line_framework
from ..engine.facts import ModuleFacts
from .base import CacheKey, RuleContext

Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


# -- identifiers -------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def identifier_words(name: str) -> list[str]:
    """``apiKey`` → ``["api", "key"]``; ``DB_PASSWORD`` → ``["db", "password"]``."""
    return [w.lower() for w in _WORD.findall(name)]


def file_name_words(path: str) -> set[str]:
    """The lower-case words of a file's name without its suffix (``settings/local_dev.py`` →
    ``{"local", "dev"}``), split at underscores and hyphens."""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".py").lower()
    return set(stem.replace("-", "_").split("_"))


def target_name(node: ast.AST) -> str | None:
    """The identifier a target expression names: ``x``, ``self.x``, ``d["x"]``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    if isinstance(node, ast.Starred):
        return target_name(node.value)
    return None


def destination_names(facts: ModuleFacts, node: ast.AST) -> list[str]:
    """Names the value of ``node`` is stored under or passed as.

    Climbs through value-preserving wrappers (string building, ``str()``,
    conversions, containers) to the assignment target, keyword name, dict key,
    or — for a ``return`` — the enclosing function's name.
    """
    names: list[str] = []
    current: ast.AST = node
    for _ in range(8):
        parent = facts.parent(current)
        if parent is None:
            break
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                for element in elements:
                    name = target_name(element)
                    if name:
                        names.append(name)
            break
        if isinstance(parent, ast.keyword):
            if parent.arg:
                names.append(parent.arg)
            break
        if isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values, strict=False):
                if value is current and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    names.append(key.value)
            break
        if isinstance(parent, ast.Return):
            function = facts.enclosing_function(parent)
            if function is not None:
                names.append(function.name)
            break
        if isinstance(parent, (ast.stmt, ast.Lambda, ast.comprehension)):
            break
        current = parent
    return names


# -- constants -----------------------------------------------------------------------


class _ScopeIndex:
    """Where each name is stored; scopes are worked out only for names a rule asks about."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self.names = facts.name_uses()
        self.dynamic: set[str] = set()
        for node in facts.nodes(ast.Global, ast.Nonlocal):
            self.dynamic.update(node.names)  # type: ignore[attr-defined]
        self._params: dict[int, set[str]] = {}
        self._scopes: dict[int, ast.AST] = {}  # a store's scope, by node id (the nodes live as long as the facts)
        self._by_scope: dict[str, dict[int, list[ast.Name]]] = {}  # name → scope id → its stores there
        self._fillings: dict[str, list[tuple[ast.Name, list[ast.expr]]]] | None = None
        self.filled_static: dict[tuple[int, str], bool] = {}  # (binding scope, name) → grown only with constants

    def stores(self, scope: ast.AST, name: str) -> list[ast.Name]:
        """The stores of ``name`` in ``scope``, in source order."""
        by_scope = self._by_scope.get(name)
        if by_scope is None:
            by_scope = self._by_scope[name] = defaultdict(list)
            for node in self.names.stores(name):
                by_scope[id(self.scope_of(node))].append(node)
        return list(by_scope.get(id(scope), ()))

    def scope_of(self, node: ast.Name) -> ast.AST:
        found = self._scopes.get(id(node))
        if found is None:
            found = self._scopes[id(node)] = _scope_of(self.facts, node)
        return found

    def fillings(self, name: str) -> list[tuple[ast.Name, list[ast.expr]]]:
        """Where a container named ``name`` is grown: the receiver of each growing call or item
        store, with the values it puts in (keys included), in the whole module."""
        if self._fillings is None:
            self._fillings = _index_fillings(self.facts)
        return self._fillings.get(name, [])

    def binding_scope(self, name: ast.Name) -> ast.AST:
        """The scope whose binding of ``name`` a read of it sees: its own function's, else the
        nearest enclosing function's that binds it (class bodies skipped), else the module."""
        scope = self.scope_of(name)
        while scope is not self.facts.tree:
            if name.id in self.params(scope) or self.stores(scope, name.id):
                return scope
            scope = _scope_of(self.facts, scope)
            while isinstance(scope, ast.ClassDef):
                scope = _scope_of(self.facts, scope)
        return scope

    def params(self, scope: ast.AST) -> set[str]:
        found = self._params.get(id(scope))
        if found is None:
            found = set()
            args = getattr(scope, "args", None)
            if isinstance(args, ast.arguments):
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
                every += [a for a in (args.vararg, args.kwarg) if a is not None]
                found = {a.arg for a in every}
            self._params[id(scope)] = found
        return found


_SCOPES: CacheKey[_ScopeIndex] = CacheKey("where each name is stored")

# Methods that put items into a list, set or dict, and which of their arguments are items:
# the last one (``insert(i, x)``), the first (``append(x)``) or all (``update(xs, k=v)``).
GROWERS = {
    "append": "first",
    "add": "first",
    "insert": "last",
    "extend": "all",
    "update": "all",
    "symmetric_difference_update": "all",
    "setdefault": "all",
    "__setitem__": "all",
}
# Containers a literal makes, which code elsewhere can grow.
_MUTABLE_LITERALS = (ast.List, ast.Set, ast.Dict)


def grown_name(node: ast.AST) -> str | None:
    """The name of the container ``node`` grows, if it is a growing call or an item store of a
    plain name (``name.append(x)``, ``name[k] = v``): what ``single_assignment`` reads module-wide."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GROWERS:
        receiver = node.func.value
        return receiver.id if isinstance(receiver, ast.Name) else None
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
        return node.value.id
    return None


def _index_fillings(facts: ModuleFacts) -> dict[str, list[tuple[ast.Name, list[ast.expr]]]]:
    """Every ``name.append(x)``-like call and ``name[key] = value`` store, by ``name``."""
    found: dict[str, list[tuple[ast.Name, list[ast.expr]]]] = defaultdict(list)
    for call in facts.method_calls(*GROWERS):
        receiver = call.func.value  # type: ignore[attr-defined]
        if not isinstance(receiver, ast.Name):
            continue
        which = GROWERS[call.func.attr]  # type: ignore[attr-defined]
        items = list(call.args[-1:] if which == "last" else call.args[:1] if which == "first" else call.args)
        items += [k.value for k in call.keywords]  # ``update(k=v)``; ``**more`` is a dict, never constant here
        found[receiver.id].append((receiver, items))
    for item in facts.nodes(ast.Subscript):
        assert isinstance(item, ast.Subscript)
        if not (isinstance(item.value, ast.Name) and isinstance(item.ctx, ast.Store)):
            continue
        parent = facts.parent(item)
        targets = parent.targets if isinstance(parent, ast.Assign) else [getattr(parent, "target", None)]
        if (
            isinstance(parent, (ast.Assign, ast.AugAssign, ast.AnnAssign))
            and parent.value is not None
            and item in targets
        ):
            found[item.value.id].append((item.value, [item.slice, parent.value]))
        else:  # unpacked into, a loop target, ``with ... as``: an item of unknown value
            found[item.value.id].append((item.value, [item]))
    return found


_MODULE_READS: CacheKey[set[str]] = CacheKey("module-wide facts the judgements read")


def module_reads(ctx: RuleContext) -> set[str]:
    """What the judgements made with ``ctx`` read beyond one function and the module-level
    bindings of the names it uses (the code of the whole module, named here): where a view of
    part of a module records none, its judgements are those of the whole module."""
    return ctx.cache.get(_MODULE_READS, set)


def note_command_line_frameworks(ctx: RuleContext) -> None:
    """Record a module read where a click / typer command's parameter is looked for: the command
    may be registered anywhere in the module (``typer.run(main)``)."""
    if uses_command_line_framework(ctx.facts):
        module_reads(ctx).add("the module's click / typer commands")


def _scope_index(ctx: RuleContext) -> _ScopeIndex:
    return ctx.cache.get(_SCOPES, lambda: _ScopeIndex(ctx.facts))


def binding_scope(ctx: RuleContext, name: ast.Name) -> ast.AST:
    """The scope whose binding of ``name`` a read of it sees (``_ScopeIndex.binding_scope``)."""
    return _scope_index(ctx).binding_scope(name)


def _scope_of(facts: ModuleFacts, node: ast.AST) -> ast.AST:
    """The function, lambda or class body a name belongs to, else the module. A class's
    decorators, bases and keywords belong to the scope around it, not to the class."""
    child = node
    for ancestor in facts.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return ancestor
        if isinstance(ancestor, ast.ClassDef) and any(member is child for member in ancestor.body):
            return ancestor
        child = ancestor
    return facts.tree


def single_assignment(ctx: RuleContext, name: ast.Name) -> ast.expr | None:
    """The value of ``name`` when it is bound exactly once by a plain assignment in its
    scope (its function or class body, else the module) — e.g. a module constant
    ``CMD = "ls"``. Assignments in class bodies bind class attributes, not module names."""
    found = name_stores(ctx, name)
    if found is None or len(found[1]) != 1:
        return None
    store = found[1][0]
    parent = ctx.facts.parent(store)
    value: ast.expr | None = None
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and parent.targets[0] is store:
        value = parent.value
    elif isinstance(parent, ast.AnnAssign) and parent.value is not None:
        value = parent.value
    if isinstance(value, _MUTABLE_LITERALS) and not _grown_with_constants(ctx, found[0], name.id):
        return None  # ``_commands = []`` filled with what callers register: not what the literal says
    return value


def grown_by_calls(ctx: RuleContext, scope: ast.AST, name: str) -> list[ast.expr]:
    """The items growing calls (``name.append(x)``, ``extend``, ``insert``, ``add``, ``update``...)
    anywhere in the module put into the container ``name`` binds in ``scope`` (item stores such
    as ``name[k] = v`` left out)."""
    index = _scope_index(ctx)
    return [
        item
        for receiver, items in index.fillings(name)
        if isinstance(ctx.facts.parent(receiver), ast.Attribute) and index.binding_scope(receiver) is scope
        for item in items
    ]


def _grown_with_constants(ctx: RuleContext, scope: ast.AST, name: str) -> bool:
    """Every item any code of the module puts into the container ``name`` binds in ``scope``
    (``append``, ``extend``, ``insert``, ``add``, ``update``, ``setdefault``, ``name[k] = v``)
    is a constant — also when nothing grows it. A container that (indirectly) grows itself
    counts as grown with unknown items."""
    index = _scope_index(ctx)
    key = (id(scope), name)
    known = index.filled_static.get(key)
    if known is not None:
        return known
    index.filled_static[key] = False  # while deciding: a cycle through this container
    result = all(
        _constant_item(ctx, item)
        for receiver, items in index.fillings(name)
        if index.binding_scope(receiver) is scope
        for item in items
    )
    index.filled_static[key] = result
    return result


def _constant_item(ctx: RuleContext, node: ast.expr) -> bool:
    """An item put into a container is known: a constant, a dict of constants, items computed
    from constants only (``((ord(chr(n)), "\\u%04X" % n) for n in range(32))``), or a loop
    variable over a constant collection (``for n in ("a", "b"): names.append(n)``)."""
    if isinstance(node, ast.Dict):
        keys_known = all(k is not None and is_static(ctx, k) for k in node.keys)
        return keys_known and all(is_static(ctx, v) for v in node.values)
    if is_static(ctx, node):
        return True
    if isinstance(node, _COMPREHENSIONS):
        return _computed_from_constants(ctx, node, frozenset(), 0)
    if not isinstance(node, ast.Name):
        return False
    found = name_stores(ctx, node)
    if found is None:
        return False
    for store in found[1]:
        loop = ctx.facts.parent(store)
        if not (isinstance(loop, (ast.For, ast.AsyncFor, ast.comprehension)) and loop.target is store):
            return False
        if not is_static(ctx, loop.iter):
            return False
    return True


_COMPREHENSIONS = (ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)
# Builtins whose result is fixed by their arguments.
_PURE_BUILTINS = frozenset(
    f"builtins.{name}" for name in ("ord", "chr", "str", "int", "float", "hex", "oct", "repr", "format", "range", "len")
)


def _computed_from_constants(ctx: RuleContext, node: ast.AST | None, bound: frozenset[str], depth: int) -> bool:
    """``node`` is worked out from constants alone: literals, constant names, the targets of
    comprehensions over such values (``bound``), operators and pure builtins of them."""
    if node is None or depth > 12:
        return False
    if isinstance(node, ast.Name) and node.id in bound:
        return True
    if isinstance(node, (ast.Constant, ast.Name, ast.Attribute)):
        return is_static(ctx, node)
    deeper = depth + 1
    if isinstance(node, _COMPREHENSIONS):
        for generator in node.generators:
            if generator.is_async or not _computed_from_constants(ctx, generator.iter, bound, deeper):
                return False
            targets = [t for t in ast.walk(generator.target) if not isinstance(t, ast.expr_context)]
            if not all(isinstance(t, (ast.Name, ast.Tuple, ast.List)) for t in targets):
                return False
            bound = bound | {t.id for t in targets if isinstance(t, ast.Name)}
            if not all(_computed_from_constants(ctx, test, bound, deeper) for test in generator.ifs):
                return False
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        return all(_computed_from_constants(ctx, part, bound, deeper) for part in parts)
    if isinstance(node, ast.Call):
        if ctx.facts.qualname(node.func) not in _PURE_BUILTINS or node.keywords:
            return False
        return all(_computed_from_constants(ctx, a, bound, deeper) for a in node.args)
    if isinstance(node, ast.FormattedValue):
        return _computed_from_constants(ctx, node.value, bound, deeper) and (
            node.format_spec is None or _computed_from_constants(ctx, node.format_spec, bound, deeper)
        )
    if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.JoinedStr, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp)):
        return all(
            _computed_from_constants(ctx, child, bound, deeper)
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, (ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.expr_context))
        )
    return False


def name_stores(ctx: RuleContext, name: ast.Name) -> tuple[ast.AST, list[ast.Name]] | None:
    """The scope ``name`` resolves to (its function or class body, else the module) and every
    store of it there; None for a parameter, a ``global``/``nonlocal`` name or a name never
    stored."""
    facts = ctx.facts
    index = _scope_index(ctx)
    if name.id in index.dynamic or not index.names.is_stored(name.id):
        return None
    scope = _scope_of(facts, name)
    for _ in range(2):
        if name.id in index.params(scope):
            return None
        stores = index.stores(scope, name.id)
        if stores:
            return scope, stores
        if scope is facts.tree:
            return None
        scope = facts.tree
    return None


def static_string(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> str | None:
    """The text of a string known at analysis time: literals, literal concatenation,
    f-strings without fields, names bound once to such a string."""
    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                text = static_string(ctx, getattr(value, "value", None), depth + 1)
                if text is None or getattr(value, "format_spec", None) is not None:
                    return None
                parts.append(text)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = static_string(ctx, node.left, depth + 1)
        right = static_string(ctx, node.right, depth + 1) if left is not None else None
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        if value is not None and value is not node:
            return static_string(ctx, value, depth + 1)
    return None


def is_static(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """Known at analysis time: constants, containers of constants, strings built only
    from constants, names bound once to such values."""
    if node is None or depth > 4:
        return False
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(is_static(ctx, e, depth + 1) for e in node.elts)
    if isinstance(node, ast.JoinedStr):
        return all(
            is_static(ctx, v if isinstance(v, ast.Constant) else v.value, depth + 1)  # type: ignore[attr-defined]
            for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return is_static(ctx, node.left, depth + 1) and is_static(ctx, node.right, depth + 1)
    if isinstance(node, ast.UnaryOp):
        return is_static(ctx, node.operand, depth + 1)
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return value is not None and is_static(ctx, value, depth + 1)
    if isinstance(node, ast.Attribute):
        value = class_attribute_value(ctx, node)
        return value is not None and is_static(ctx, value, depth + 1)
    return False


def class_attribute_value(ctx: RuleContext, node: ast.Attribute) -> ast.expr | None:
    """The value of ``self.NAME`` / ``cls.NAME`` / ``Class.NAME`` read inside ``Class`` when
    the class body binds ``NAME`` exactly once and no method assigns it (a class constant)."""
    if not isinstance(node.value, ast.Name) or not isinstance(node.ctx, ast.Load):
        return None
    owner = next((a for a in ctx.facts.ancestors(node) if isinstance(a, ast.ClassDef)), None)
    if owner is None or node.value.id not in {"self", "cls", owner.name}:
        return None
    values: list[ast.expr] = []
    for statement in owner.body:
        if isinstance(statement, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == node.attr for t in statement.targets):
                if len(statement.targets) != 1:
                    return None
                values.append(statement.value)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if statement.target.id == node.attr:
                if statement.value is None:
                    return None
                values.append(statement.value)
        elif isinstance(statement, (ast.AugAssign, ast.For, ast.With, ast.If, ast.Try)):
            if any(
                isinstance(n, ast.Name) and n.id == node.attr and isinstance(n.ctx, ast.Store)
                for n in ast.walk(statement)
            ):
                return None
    if len(values) != 1:
        return None
    stores = class_stores(ctx, owner)
    if node.attr in stores.written or stores.dynamic:
        return None
    return values[0]


class ClassStores:
    """How the code of a class (its methods included) stores attributes, from one walk of it:
    asked for every ``self.NAME`` a rule judges, which would otherwise walk the class each time."""

    __slots__ = ("assigned", "augmented", "dynamic", "unpacked", "written")

    def __init__(self, owner: ast.ClassDef) -> None:
        # name → (the object stored into, the value) of each ``x.name = value``, in ``ast.walk`` order
        self.assigned: dict[str, list[tuple[ast.expr, ast.expr]]] = defaultdict(list)
        self.unpacked: set[str] = set()  # ``a, self.name = ...``
        self.augmented: set[str] = set()  # ``self.name += ...``
        self.written: set[str] = set()  # stored or deleted through any object, however
        self.dynamic = False  # ``setattr`` / ``delattr`` called
        for node in ast.walk(owner):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Attribute):
                        self.assigned[target.attr].append((target.value, node.value))
                    elif isinstance(target, (ast.Tuple, ast.List)):
                        self.unpacked.update(e.attr for e in target.elts if isinstance(e, ast.Attribute))
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute):
                self.augmented.add(node.target.attr)
            if isinstance(node, ast.Attribute):
                if not isinstance(node.ctx, ast.Load):
                    self.written.add(node.attr)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                self.dynamic = self.dynamic or node.func.id in {"setattr", "delattr"}


_CLASS_STORES: CacheKey[dict[ast.ClassDef, ClassStores]] = CacheKey("attribute stores of each class")


def class_stores(ctx: RuleContext, owner: ast.ClassDef) -> ClassStores:
    """``ClassStores`` of ``owner``, made once per analysis."""
    table = ctx.cache.get(_CLASS_STORES, dict)
    found = table.get(owner)
    if found is None:
        found = table[owner] = ClassStores(owner)
    return found


def int_value(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> int | None:
    """Evaluate an integer constant expression: literals, ``stat.S_*`` names, ``|``, ``+``,
    ``&``, and names bound once to such an expression."""
    if node is None or depth > 6:
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp):
        left = int_value(ctx, node.left, depth + 1)
        right = int_value(ctx, node.right, depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.BitOr):
            return left | right
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.BitAnd):
            return left & right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.LShift) and 0 <= right < 64:
            return left << right
        return None
    qualname = ctx.facts.qualname(node)
    if qualname is not None and qualname.startswith("stat.S_"):
        return STAT_CONSTANTS.get(qualname[5:])
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        if value is not None:
            return int_value(ctx, value, depth + 1)
    return None


STAT_CONSTANTS = {
    "S_ISUID": 0o4000,
    "S_ISGID": 0o2000,
    "S_ISVTX": 0o1000,
    "S_IRWXU": 0o700,
    "S_IRUSR": 0o400,
    "S_IWUSR": 0o200,
    "S_IXUSR": 0o100,
    "S_IRWXG": 0o070,
    "S_IRGRP": 0o040,
    "S_IWGRP": 0o020,
    "S_IXGRP": 0o010,
    "S_IRWXO": 0o007,
    "S_IROTH": 0o004,
    "S_IWOTH": 0o002,
    "S_IXOTH": 0o001,
    "S_IREAD": 0o400,
    "S_IWRITE": 0o200,
    "S_IEXEC": 0o100,
}


def imports_module(facts: ModuleFacts, *prefixes: str) -> bool:
    """Whether the module imports any module under one of ``prefixes`` (``"flask"``)."""
    for qualified in facts.imports.aliases.values():
        for prefix in prefixes:
            if qualified == prefix or qualified.startswith(prefix + "."):
                return True
    return any(m == p or m.startswith(p + ".") for m in facts.imports.star_modules for p in prefixes)


def callee_tail(call: ast.Call) -> str | None:
    """The last name of the callee: ``run`` for ``app.run(...)`` and ``run(...)``."""
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def short(text: str, limit: int = 40) -> str:
    """One-line excerpt of source text for messages."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Words that mark a value as used for something security-relevant.
SECURITY_WORDS = frozenset(
    {
        "token",
        "tokens",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "secrets",
        "nonce",
        "salt",
        "otp",
        "totp",
        "hotp",
        "csrf",
        "xsrf",
        "sessionid",
        "sid",
        "auth",
        "authentication",
        "apikey",
        "iv",
        "pin",
        "captcha",
        "credential",
        "credentials",
        "signature",
        "hmac",
        "cookie",
        "challenge",
        "reset",
        "verification",
        "activation",
        "invite",
    }
)
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "priv",
        "signing",
        "sign",
        "encryption",
        "crypt",
        "crypto",
        "access",
        "aes",
        "session",
        "hmac",
        "master",
        "shared",
        "auth",
        "client",
        "license",
        "activation",
    }
)


def security_word(name: str) -> str | None:
    """The security-relevant word in an identifier (``reset_token`` → ``token``), if any.

    ``key`` counts only with a qualifier (``api_key``, ``secret_key``), so ``sort_key``
    and ``cache_key`` do not."""
    words = identifier_words(name)
    for word in words:
        if word in SECURITY_WORDS:
            return word
    for first, second in itertools.pairwise(words):
        if first + second in SECURITY_WORDS:  # session_id → sessionid
            return first + second
    if ("key" in words or "keys" in words) and set(words) & _KEY_QUALIFIERS:
        return "key"
    return None


def own_returns(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return] | None:
    """The ``return`` statements of a function's body (nested functions, lambdas and classes left
    out), or None when it is a generator (what a call gives is then not what it returns)."""
    returns: list[ast.Return] = []
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return None
        if isinstance(node, ast.Return):
            returns.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return returns


def add_operands(node: ast.expr) -> list[ast.expr]:
    """Operands of ``a + b + c`` in order (iterative: long chains are deep trees)."""
    operands: list[ast.expr] = []
    stack: list[ast.expr] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            stack.append(current.right)
            stack.append(current.left)
        else:
            operands.append(current)
    return operands


def expression_key(node: ast.AST) -> tuple[object, ...]:
    """A key equal for two expressions written alike (formatting aside), like ``ast.dump`` but
    without recursion: input-controlled chains (``a['k']['k']...``) can be thousands deep."""
    return tuple(
        (
            type(each).__name__,
            tuple((name, value) for name, value in ast.iter_fields(each) if not isinstance(value, (ast.AST, list))),
            sum(1 for _ in ast.iter_child_nodes(each)),
        )
        for each in ast.walk(node)
    )
