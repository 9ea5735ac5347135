"""What each scope of a module does, as far as the taint analysis cares: the calls it makes,
whether it gives a value back, whether it names a source, which names it calls and reads.

A document analyzed version after version keeps each scope's facts (the memo), so its
module-wide questions are answered scope by scope. A file analyzed once answers them from the
module's index instead, and walks only the scopes the analysis then looks into.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from operator import attrgetter

from ..facts import ModuleFacts, source_position
from .arguments_out import GROWING, changes_parameter, module_names, stored_root
from .definitions import ModuleIndex
from .spec import TaintSpec
from .state import STDLIB, FunctionNode


@dataclass(frozen=True, slots=True)
class ScopeFacts:
    """What the relevance pass needs from one scope: a function's own code (not that of the
    functions defined inside it), or the module's code outside every function."""

    calls: tuple[tuple[ast.Call, str | None], ...]  # in source order, with the callee's qualified name
    gives: bool  # returns or yields a value, or stores into an attribute
    stores: bool  # stores into a subscript, or into an attribute some attribute sink writes
    mentions_source: bool  # names a source, or calls a source method
    direct: frozenset[str]  # names called as ``f(...)`` or ``x.f(...)``
    loaded: frozenset[str]  # names read
    out: tuple[str, ...] = ()  # qualified names of ``calls`` into modules that may be project files
    declared: frozenset[str] = frozenset()  # names its ``global`` statements declare
    # bare names it stores into a part of (``X[k] = v``, ``X.a = v``) or grows (``X.append(v)``)
    roots: frozenset[str] = frozenset()


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Fields that hold a name, a number or flag, or an operator or expression context: nothing the
# scope facts look at is below them.
_LEAF_FIELDS = frozenset(
    (
        "ctx",
        "op",
        "ops",
        "id",
        "attr",
        "arg",
        "module",
        "level",
        "kind",
        "conversion",
        "is_async",
        "simple",
        "type_comment",
    )
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.alias: (), ast.Global: (), ast.Nonlocal: ()}
_POSITION = attrgetter("lineno", "col_offset")  # ``source_position`` of a node that has one
_GIVING = frozenset((ast.Return, ast.Yield, ast.YieldFrom))  # statements that may give a value back


def callee_name(call: ast.Call) -> str | None:
    """``f`` in ``f(...)`` and in ``x.f(...)``."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def into_project(name: str) -> bool:
    """Whether a call's qualified name is one into a module that may be a project file: dotted,
    and not the standard library's."""
    return "." in name and name.split(".")[0] not in STDLIB


def _calls_out(calls: tuple[tuple[ast.Call, str | None], ...]) -> tuple[str, ...]:
    """The qualified names of the calls into modules that may be project files, in order."""
    return tuple(name for _, name in calls if name is not None and into_project(name))


class ScopeUnions:
    """How many scopes of the last version call (``direct``) and call or load (``called``) each
    name, with the facts of those scopes: an edit changes a few scopes, and the module-wide
    unions follow from them. Kept by the memo with its scope facts, which hold one set of facts
    per node while it lives (it empties both together)."""

    __slots__ = ("called", "declaring", "direct", "facts", "module", "storing")

    def __init__(self) -> None:
        self.facts: dict[ast.AST, ScopeFacts] = {}
        self.direct: dict[str, int] = {}
        self.called: dict[str, int] = {}
        # The scopes with ``global`` statements, and those storing into a part of each bare name
        # (``ScopeFacts.declared`` and ``roots``): where module state may be written.
        self.declaring: dict[ast.AST, frozenset[str]] = {}
        self.storing: dict[str, dict[ast.AST, None]] = {}
        # The facts of the module's own code, with those of its statements they were made from.
        self.module: tuple[list[ScopeFacts], ScopeFacts] | None = None

    def update(self, of: Callable[[ast.AST], ScopeFacts], scopes: list[ast.AST]) -> None:
        """Count the scopes of this version: the new ones in, the gone ones out."""
        gone = dict(self.facts)
        now: dict[ast.AST, ScopeFacts] = {}
        added: list[tuple[ast.AST, ScopeFacts]] = []
        for scope in scopes:
            facts = gone.pop(scope, None)
            if facts is None:
                facts = of(scope)
                added.append((scope, facts))
            now[scope] = facts
        direct, called = dict(self.direct), dict(self.called)
        declaring, storing = self.declaring, self.storing
        for scope, facts in gone.items():
            _count(direct, facts.direct, -1)
            _count(called, facts.direct, -1)
            _count(called, facts.loaded, -1)
            declaring.pop(scope, None)
            for root in facts.roots:
                holders = storing[root]
                del holders[scope]
                if not holders:
                    del storing[root]
        for scope, facts in added:
            _count(direct, facts.direct, 1)
            _count(called, facts.direct, 1)
            _count(called, facts.loaded, 1)
            if facts.declared:
                declaring[scope] = facts.declared
            for root in facts.roots:
                storing.setdefault(root, {})[scope] = None
        self.facts, self.direct, self.called = now, direct, called


def _add_root(roots: set[str], base: ast.expr) -> None:
    """Add the bare name ``base`` is a part of (``X`` of ``X.a[k]``), if any."""
    root = stored_root(base)
    if isinstance(root, ast.Name):
        roots.add(root.id)


def _same_parts(last: list[ScopeFacts], now: list[ScopeFacts]) -> bool:
    return len(last) == len(now) and all(a is b or a == b for a, b in zip(last, now, strict=True))


def _count(counts: dict[str, int], names: frozenset[str], step: int) -> None:
    for name in names:
        left = counts.get(name, 0) + step
        if left:
            counts[name] = left
        else:
            del counts[name]


class ScopeTable:
    """The facts of each scope of a module, and the module-wide questions built on them."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        index: ModuleIndex,
        *,
        kept: tuple[dict[ast.AST, ScopeFacts], dict[ast.AST, tuple[str, ...]]] | None,
    ) -> None:
        """``kept``: the memo's scope facts and local calls (per scope node), or None for a file
        analyzed once."""
        self.facts = facts
        self.spec = spec
        self.index = index
        self.remembered = kept is not None
        self._scope_cache: dict[ast.AST, ScopeFacts] = kept[0] if kept is not None else {}
        self._local_call_cache: dict[ast.AST, tuple[str, ...]] = kept[1] if kept is not None else {}
        self._source_name_sets: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None
        self._sink_attrs = frozenset(sink.attr for sink in spec.attribute_sinks)  # stores that are sinks
        self._direct: AbstractSet[str] | None = None
        self._called: AbstractSet[str] | None = None
        self._unions: ScopeUnions | None = None  # the memo's counts (``keep_in``)
        self._counts_current = False
        self._giving: set[ast.AST] | None = None
        self._assigned_names: frozenset[str] | None = None  # names the module's top-level statements assign
        self._calls_by_scope: dict[ast.AST, list[ast.Call]] | None = None  # ``calls_of``'s
        self._named_calls: dict[ast.AST, tuple[tuple[ast.Call, str | None], ...]] = {}
        self._storing: set[ast.AST] | None = None  # scopes that store (``ScopeFacts.stores``)
        self._every: list[ScopeFacts] | None = None  # ``of`` each scope, for the module-wide unions

    def keep_in(
        self,
        scope_facts: dict[ast.AST, ScopeFacts],
        local_calls: dict[ast.AST, tuple[str, ...]],
        unions: ScopeUnions | None = None,
    ) -> None:
        """Use the memo's tables (after it dropped what the new version no longer has)."""
        self._scope_cache = scope_facts
        self._local_call_cache = local_calls
        self._every = None
        self._unions, self._counts_current = unions, False
        self._direct = self._called = None

    def all_scopes(self) -> list[ast.AST]:
        """The module and its functions, in source order."""
        return [self.facts.tree, *self.facts.functions]

    def of(self, scope: ast.AST) -> ScopeFacts:
        """The facts of one scope, kept across versions of the document by the memo when the
        scope's code is unchanged (the same node)."""
        cache = self._scope_cache
        known = cache.get(scope)
        if known is None:
            if isinstance(scope, ast.Module):
                known = self._module_facts(scope)
            else:
                known = self._compute(scope)
            cache[scope] = known
        return known

    def _module_facts(self, module: ast.Module) -> ScopeFacts:
        """The module's own code, statement by statement (most statements stay the same); the
        last version's when each part is (a new module node each version, the same statements)."""
        parts = [
            self.of(statement)
            for statement in module.body
            if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        unions = self._unions
        if unions is not None and unions.module is not None and _same_parts(unions.module[0], parts):
            return unions.module[1]
        known = ScopeFacts(
            tuple(call for part in parts for call in part.calls),
            any(part.gives for part in parts),
            any(part.stores for part in parts),
            any(part.mentions_source for part in parts),
            frozenset().union(*(part.direct for part in parts)),
            frozenset().union(*(part.loaded for part in parts)),
            tuple(name for part in parts for name in part.out),
            frozenset().union(*(part.declared for part in parts)),
            frozenset().union(*(part.roots for part in parts)),
        )
        if unions is not None:
            unions.module = (parts, known)
        return known

    def _compute(self, scope: ast.AST) -> ScopeFacts:
        facts = self.facts
        source_names, prefixes, wanted = self._source_names()
        method_sources = self.spec.method_sources
        sink_attrs = self._sink_attrs
        calls: list[ast.Call] = []
        direct: set[str] = set()
        loaded: set[str] = set()
        declared: set[str] = set()
        roots: set[str] = set()
        gives = stores = mentions = False
        is_function = isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
        # Node classes as locals, compared by identity (the parser makes no subclasses of them).
        node_class, function_classes, child_fields = ast.AST, _FUNCTIONS, _CHILD_FIELDS
        call_class, name_class, attribute_class, subscript_class = ast.Call, ast.Name, ast.Attribute, ast.Subscript
        load, store, giving = ast.Load, ast.Store, _GIVING
        stack: list[ast.AST] = [scope]
        push = stack.append
        pop = stack.pop
        while stack:
            node = pop()
            # The children ``ast.iter_child_nodes`` gives, in its order, without its overhead
            # and without the contexts and operators (leaves that matter to nothing here);
            # a nested function's decorators, defaults and annotations belong to it, like its body.
            kind = type(node)
            fields = child_fields.get(kind)
            if fields is None:
                fields = child_fields[kind] = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for child in value:
                        if isinstance(child, node_class) and not isinstance(child, function_classes):
                            push(child)
                elif isinstance(value, node_class) and not isinstance(value, function_classes):
                    push(value)
            if kind is call_class:
                calls.append(node)  # type: ignore[arg-type]
                func = node.func  # type: ignore[attr-defined]
                func_class = type(func)
                if func_class is name_class:
                    direct.add(func.id)
                elif func_class is attribute_class:
                    direct.add(func.attr)
                    if func.attr in GROWING:
                        _add_root(roots, func.value)
                    if func.attr in method_sources:
                        mentions = True
                    if func.attr == "__init__":
                        gives = True  # ``super().__init__(v)`` may store ``v`` on this object
                    elif (
                        is_function
                        and not gives
                        and func.attr in GROWING
                        and changes_parameter(scope, func.value, self.module_names())
                    ):
                        gives = True  # ``items.append(v)``: the caller's list holds ``v``
            elif kind is name_class:
                if type(node.ctx) is load:  # type: ignore[attr-defined]
                    loaded.add(node.id)  # type: ignore[attr-defined]
                if not mentions and node.id in source_names and self._names_source(node, prefixes, wanted):  # type: ignore[attr-defined]
                    mentions = True
            elif kind is attribute_class:
                if type(node.ctx) is store:  # type: ignore[attr-defined]
                    gives = True
                    stores = stores or node.attr in sink_attrs  # type: ignore[attr-defined]
                    _add_root(roots, node.value)  # type: ignore[attr-defined]
            elif kind is subscript_class:
                if type(node.ctx) is store:  # type: ignore[attr-defined]
                    stores = True
                    _add_root(roots, node.value)  # type: ignore[attr-defined]
                    if is_function and not gives and changes_parameter(scope, node.value, self.module_names()):  # type: ignore[attr-defined]
                        gives = True  # ``options[k] = v``: the caller's mapping holds ``v``
            elif kind is ast.Global:
                gives = True  # stores into module-level names the caller reads after the call
                declared.update(node.names)  # type: ignore[attr-defined]
            elif is_function and kind in giving:
                value = node.value  # type: ignore[attr-defined]
                if not (
                    kind is ast.Return and (value is None or (isinstance(value, ast.Constant) and value.value is None))
                ):
                    gives = True
        calls.sort(key=source_position)
        named = tuple((call, facts.qualname(call.func)) for call in calls)
        return ScopeFacts(
            named,
            gives,
            stores,
            mentions,
            frozenset(direct),
            frozenset(loaded),
            _calls_out(named),
            frozenset(declared),
            frozenset(roots),
        )

    def _indexed(self, scope: ast.AST) -> bool:
        """Whether ``calls_of`` and ``stores_in`` answer for ``scope`` from the module's index: the
        facts of a whole module analyzed once, for a scope whose facts were not worked out."""
        return not self.remembered and scope not in self._scope_cache and self.facts.indexes_bare_calls

    def calls_of(self, scope: ast.AST) -> tuple[tuple[ast.Call, str | None], ...]:
        """``of(scope).calls``. A file analyzed once groups the module's calls by scope once (the
        sink reachability asks about a few dozen scopes, and walking each costs more)."""
        if not self._indexed(scope):
            return self.of(scope).calls
        named = self._named_calls.get(scope)
        if named is None:
            grouped = self._calls_by_scope
            if grouped is None:
                grouped = self._calls_by_scope = self._calls_grouped()
            calls = grouped.get(scope, [])
            try:
                calls.sort(key=_POSITION)
            except AttributeError:  # a call made without a position
                calls.sort(key=source_position)
            qualname = self.facts.qualname
            named = self._named_calls[scope] = tuple((call, qualname(call.func)) for call in calls)
        return named

    def stores_in(self, scope: ast.AST) -> bool:
        """``of(scope).stores``, from the module's index as ``calls_of``."""
        if not self._indexed(scope):
            return self.of(scope).stores
        if self._storing is None:
            self._storing = self._storing_scopes()
        return scope in self._storing

    def state_candidates(self) -> tuple[dict[ast.AST, frozenset[str]], dict[str, dict[ast.AST, None]]] | None:
        """The scopes with ``global`` statements (with the names they declare) and the scopes
        storing into a part of each bare name, from the scope facts (``module_state``'s
        candidate writers); None when they are not remembered (a file analyzed once answers
        from the module's index)."""
        if not self.remembered:
            return None
        unions = self._counted()
        if unions is not None:
            return unions.declaring, unions.storing
        declaring: dict[ast.AST, frozenset[str]] = {}
        storing: dict[str, dict[ast.AST, None]] = {}
        for scope in self.all_scopes():
            facts = self.of(scope)
            if facts.declared:
                declaring[scope] = facts.declared
            for root in facts.roots:
                storing.setdefault(root, {})[scope] = None
        return declaring, storing

    def _calls_grouped(self) -> dict[ast.AST, list[ast.Call]]:
        """Every call by scope (a function's own code, decorators and defaults included; the
        module's code outside functions), in the module walk's order: put in source order, the
        calls ``_compute`` finds walking a scope, in its order (a stable sort of a walk's order,
        which the module's walk shares)."""
        facts = self.facts
        tree, owner_of = facts.tree, facts.enclosing_function
        grouped: dict[ast.AST, list[ast.Call]] = {}
        for call in facts.unordered(ast.Call):
            owner = owner_of(call) or tree
            found = grouped.get(owner)
            if found is None:
                grouped[owner] = [call]  # type: ignore[list-item]
            else:
                found.append(call)  # type: ignore[arg-type]
        return grouped

    def _storing_scopes(self) -> set[ast.AST]:
        """The scopes ``_compute`` finds storing: into a subscript, or into an attribute some
        attribute sink writes."""
        facts = self.facts
        tree, owner_of, store, sink_attrs = facts.tree, facts.enclosing_function, ast.Store, self._sink_attrs
        found: set[ast.AST] = set()
        for node in facts.unordered(ast.Subscript):
            if type(node.ctx) is store:  # type: ignore[attr-defined]
                found.add(owner_of(node) or tree)
        if sink_attrs:
            for node in facts.unordered(ast.Attribute):
                if type(node.ctx) is store and node.attr in sink_attrs:  # type: ignore[attr-defined]
                    found.add(owner_of(node) or tree)
        return found

    def _source_names(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Local names that may start a source (``request``, ``os``, ``input``), the dotted
        prefixes of source names, and the source names themselves."""
        if self._source_name_sets is None:
            spec = self.spec
            facts = self.facts
            everything = (*spec.attr_sources, *spec.call_sources, *spec.file_sources, *spec.object_kinds)
            prefixes: set[str] = set()
            for name in everything:
                parts = name.split(".")
                prefixes.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            local_names = {local for local, target in facts.imports.aliases.items() if target in prefixes}
            for name in everything:
                if name.startswith("builtins.") and name.count(".") == 1:
                    bare = name.split(".", 1)[1]
                    if bare not in facts.imports.locally_bound:
                        local_names.add(bare)
            self._source_name_sets = (frozenset(local_names), frozenset(prefixes), frozenset(everything))
        return self._source_name_sets

    def _names_source(self, node: ast.Name, prefixes: frozenset[str], wanted: frozenset[str]) -> bool:
        """Whether ``node`` starts a source expression (``request`` in ``request.args``)."""
        facts = self.facts
        current: ast.AST = node
        while True:
            name = facts.qualname(current)
            if name in wanted:
                return True
            parent = facts.parent(current)
            if not isinstance(parent, ast.Attribute) or name not in prefixes:
                return False
            current = parent

    def _owner(self, node: ast.AST) -> ast.AST:
        return self.facts.enclosing_function(node) or self.facts.tree

    def naming_a_source(self, scopes: list[ast.AST]) -> set[ast.AST]:
        """Scopes that name a source (``request.args``, ``input()``) or call a source method."""
        if self.remembered:
            cache = self._scope_cache
            return {scope for scope in scopes if (cache.get(scope) or self.of(scope)).mentions_source}
        facts = self.facts
        source_names, prefixes, wanted = self._source_names()
        found: set[ast.AST] = set()
        uses = facts.name_uses()
        named = [node for name in source_names for node in (*uses.loads(name), *uses.stores(name))]
        named.sort(key=source_position)  # the order a walk over every name meets them
        for node in named:
            if self._names_source(node, prefixes, wanted):
                found.add(self._owner(node))
        for call in facts.method_calls(*self.spec.method_sources):
            found.add(self._owner(call))
        return found

    def calls_to_defined(self, scopes: list[ast.AST], defined: set[str]) -> list[tuple[str, ast.AST]]:
        """(name, calling scope) for each call of a function or class of this module."""
        if self.remembered:
            return [(name, owner) for owner in scopes for name in self._local_calls(owner, defined)]
        facts, local_callee = self.facts, self._local_callee
        if not facts.indexes_bare_calls:
            named = [(call, name) for call in facts.unordered(ast.Call) if (name := local_callee(call, defined))]
        else:
            # Looked up by name: ``name(...)`` and ``x.name(...)`` (``local_callee`` judges the latter).
            named = []
            for name in defined:
                named.extend((call, name) for call in facts.bare_calls(name) or ())
                named.extend((call, name) for call in facts.method_calls(name) if local_callee(call, defined))
        # In source order, as ``nodes_where`` gives them: no two such calls start at the same
        # place (a call that starts where another does calls what that one gives back).
        named.sort(key=lambda pair: source_position(pair[0]))
        return [(name, self._owner(call)) for call, name in named]

    def callers_by_name(self, scopes: list[ast.AST], defined: set[str]) -> Callable[[str], list[ast.AST]]:
        """The scopes calling one function or class of this module (each call's scope, in the
        order of the calls), asked name by name. The facts of a whole module look the calls
        of that one name up by name when asked: the relevance pass asks only about the names
        of the functions it marked, a few of the module's. Otherwise (a memo's scope tables,
        the facts of parts) every call is gone through once, as ``calls_to_defined`` does."""
        facts = self.facts
        if self.remembered or not facts.indexes_bare_calls:
            callers: dict[str, list[ast.AST]] = {}
            for name, owner in self.calls_to_defined(scopes, defined):
                callers.setdefault(name, []).append(owner)
            return lambda name: callers.get(name, [])
        local_callee, owner_of = self._local_callee, self._owner

        def calling(name: str) -> list[ast.AST]:
            if name not in defined:
                return []
            calls = [
                *(facts.bare_calls(name) or ()),
                *(c for c in facts.method_calls(name) if local_callee(c, defined)),
            ]
            calls.sort(key=source_position)
            return [owner_of(call) for call in calls]

        return calling

    def calls_out(self, scopes: list[ast.AST]) -> list[tuple[ast.AST, str]]:
        """(calling scope, qualified name) for calls into modules that may be project files."""
        if self.remembered:
            return [(owner, name) for owner in scopes for name in self.of(owner).out]
        found: list[tuple[ast.AST, str]] = []
        for name in self.facts.call_names:
            if into_project(name):
                found.extend((self._owner(call), name) for _, call in self.facts.calls_to(name))
        return found

    def local_calls(self, scope: ast.AST, defined: set[str]) -> tuple[str, ...]:
        """``_local_calls`` (below), for the relevance pass's signatures."""
        return self._local_calls(scope, defined)

    def _local_calls(self, scope: ast.AST, defined: set[str]) -> tuple[str, ...]:
        """Names of this module's functions and classes a scope calls (``f()``, ``self.f()``,
        ``Class.f()``); kept with the scope's facts, as they change only with the skeleton."""
        known = self._local_call_cache.get(scope)
        if known is None:
            found = (self._local_callee(call, defined) for call, _ in self.of(scope).calls)
            known = self._local_call_cache[scope] = tuple(name for name in found if name is not None)
        return known

    def _local_callee(self, call: ast.Call, defined: set[str]) -> str | None:
        func = call.func
        if isinstance(func, ast.Name):
            name = func.id
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id in ("self", "cls") or func.value.id in self.index.classes)
        ):
            name = func.attr
        else:
            return None
        return name if name in defined else None

    def module_names(self) -> frozenset[str]:
        """The names the module's top-level statements assign (``arguments_out.module_names``)."""
        if self._assigned_names is None:
            self._assigned_names = module_names(self.facts.tree)
        return self._assigned_names

    def gives_back(self, fn: FunctionNode) -> bool:
        """Whether a function returns or yields a value, or stores into an attribute."""
        if self.remembered or fn in self._scope_cache:
            return self.of(fn).gives
        if self._giving is None:
            self._giving = self._functions_giving()
        return fn in self._giving

    def _functions_giving(self) -> set[ast.AST]:
        """The functions whose own code (as ``of`` reads it: not that of the functions defined
        inside) gives a value back, found from the module's index: a file analyzed once asks
        this of every function it marks, and most never need the rest of their facts."""
        facts = self.facts
        found: set[ast.AST] = set()
        for node in facts.unordered(ast.Attribute):
            # a store, or a base's ``__init__`` run on this object (it may store what it is given)
            if isinstance(node.ctx, ast.Store) or node.attr == "__init__":  # type: ignore[attr-defined]
                owner = facts.enclosing_function(node)
                if owner is not None:
                    found.add(owner)
        for node in facts.unordered(ast.Global):
            owner = facts.enclosing_function(node)
            if owner is not None:
                found.add(owner)
        for node in facts.unordered(ast.Subscript):
            if isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
                owner = facts.enclosing_function(node)
                if (
                    owner is not None
                    and owner not in found
                    and changes_parameter(owner, node.value, self.module_names())
                ):  # type: ignore[attr-defined]
                    found.add(owner)
        for node in facts.method_calls(*GROWING):  # the calls ``x.append(...)``..., from the index
            func = node.func  # type: ignore[attr-defined]
            if isinstance(func, ast.Attribute):
                owner = facts.enclosing_function(node)
                if (
                    owner is not None
                    and owner not in found
                    and changes_parameter(owner, func.value, self.module_names())
                ):
                    found.add(owner)
        for node in (*facts.unordered(ast.Return), *facts.unordered(ast.Yield), *facts.unordered(ast.YieldFrom)):
            value = node.value  # type: ignore[attr-defined]
            if isinstance(node, ast.Return) and (
                value is None or (isinstance(value, ast.Constant) and value.value is None)
            ):
                continue
            owner = facts.enclosing_function(node)
            if owner is not None:
                found.add(owner)
        return found

    def _every_scope(self) -> list[ScopeFacts]:
        """The facts of every scope (asked once for both module-wide unions)."""
        if self._every is None:
            self._every = list(map(self.of, self.all_scopes()))
        return self._every

    def _counted(self) -> ScopeUnions | None:
        """The memo's counts of the names the scopes call or load, brought to this version."""
        unions = self._unions
        if unions is not None and not self._counts_current:
            unions.update(self.of, self.all_scopes())
            self._counts_current = True
        return unions

    def direct_calls(self) -> AbstractSet[str]:
        """Names called as ``f(...)`` or ``x.f(...)`` in this module."""
        if self._direct is None:
            direct: AbstractSet[str] = set()
            unions = self._counted()
            if unions is not None:
                direct = unions.direct.keys()
            elif self.remembered:
                direct = direct.union(*[scope.direct for scope in self._every_scope()])
            else:
                indexed = self.facts.called_identifiers()
                direct.update(  # type: ignore[attr-defined]
                    indexed
                    if indexed is not None
                    else (
                        callee
                        for callee in map(callee_name, self.facts.unordered(ast.Call))
                        if callee is not None  # type: ignore[arg-type]
                    )
                )
            self._direct = direct
        return self._direct

    def called_names(self) -> AbstractSet[str]:
        """Names this module calls (``f(...)``, ``x.f(...)``) or passes around (``callback=f``)."""
        if self._called is None:
            unions = self._counted()
            if unions is not None:
                self._called = unions.called.keys()
                return self._called
            called = set(self.direct_calls())
            if self.remembered:
                called.update(*[scope.loaded for scope in self._every_scope()])
            else:
                called.update(self.facts.name_uses().loaded())
            self._called = called
        return self._called
