"""Which parts of a module the taint interpreter has to run: functions that mention a source or
are framework entry points, their callers, and only those that can reach a sink at all."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .facts import source_position
from .taint_frameworks import handler_kind
from .taint_model import TaintSpec
from .taint_state import (
    STDLIB,
    FunctionNode,
)

# (spec, imported top-level modules) → sink candidates; many files share both.
_CANDIDATES: dict[tuple[int, frozenset[str]], tuple[TaintSpec, tuple[frozenset[str], frozenset[str]]]] = {}


@dataclass(frozen=True, slots=True)
class ScopeFacts:
    """What the relevance pass needs from one scope: a function's own code (not that of the
    functions defined inside it), or the module's code outside every function."""

    calls: tuple[tuple[ast.Call, str | None], ...]  # in source order, with the callee's qualified name
    gives: bool  # returns or yields a value, or stores into an attribute
    stores: bool  # stores into a subscript
    mentions_source: bool  # names a source, or calls a source method
    direct: frozenset[str]  # names called as ``f(...)`` or ``x.f(...)``
    loaded: frozenset[str]  # names read


def _callee_name(call: ast.Call) -> str | None:
    """``f`` in ``f(...)`` and in ``x.f(...)``."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


class ScopeMixin:
    """Relevance of functions to the taint analysis (mixed into ``ModuleTaint``)."""

    def _scope_facts(self, scope: ast.AST) -> ScopeFacts:
        """The facts of one scope, kept across versions of the document by the memo when the
        scope's code is unchanged (the same node)."""
        cache = self._scope_cache
        known = cache.get(scope)
        if known is None:
            if isinstance(scope, ast.Module):
                # The module's own code, statement by statement (most statements stay the same).
                parts = [
                    self._scope_facts(statement)
                    for statement in scope.body
                    if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
                ]
                known = ScopeFacts(
                    tuple(call for part in parts for call in part.calls),
                    any(part.gives for part in parts),
                    any(part.stores for part in parts),
                    any(part.mentions_source for part in parts),
                    frozenset().union(*(part.direct for part in parts)),
                    frozenset().union(*(part.loaded for part in parts)),
                )
            else:
                known = self._compute_scope_facts(scope)
            cache[scope] = known
        return known

    def _compute_scope_facts(self, scope: ast.AST) -> ScopeFacts:
        facts = self.facts
        source_names, prefixes, wanted = self._source_names()
        method_sources = self.spec.method_sources
        calls: list[ast.Call] = []
        direct: set[str] = set()
        loaded: set[str] = set()
        gives = stores = mentions = False
        is_function = isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
        stack: list[ast.AST] = [scope]
        while stack:
            node = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    # Its decorators, defaults and annotations belong to it, like its body.
                    continue
                stack.append(child)
            if isinstance(node, ast.Call):
                calls.append(node)
                callee = _callee_name(node)
                if callee is not None:
                    direct.add(callee)
                    if isinstance(node.func, ast.Attribute) and callee in method_sources:
                        mentions = True
            elif isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    loaded.add(node.id)
                if not mentions and node.id in source_names and self._names_source(node, prefixes, wanted):
                    mentions = True
            elif isinstance(node, ast.Attribute):
                if isinstance(node.ctx, ast.Store):
                    gives = True
            elif isinstance(node, ast.Subscript):
                if isinstance(node.ctx, ast.Store):
                    stores = True
            elif is_function and isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
                value = node.value
                if not (
                    isinstance(node, ast.Return)
                    and (value is None or (isinstance(value, ast.Constant) and value.value is None))
                ):
                    gives = True
        calls.sort(key=source_position)
        return ScopeFacts(
            tuple((call, facts.qualname(call.func)) for call in calls),
            gives,
            stores,
            mentions,
            frozenset(direct),
            frozenset(loaded),
        )

    def _source_names(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """Local names that may start a source (``request``, ``os``, ``input``), the dotted
        prefixes of source names, and the source names themselves."""
        if self._source_name_sets is None:
            spec = self.spec
            facts = self.facts
            everything = (*spec.attr_sources, *spec.call_sources, *spec.object_kinds)
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

    def _scopes_in_order(self) -> list[ast.AST]:
        return [self.facts.tree, *self.facts.functions]

    def _relevant(self) -> set[ast.AST]:
        """Functions (and the module body) that mention a source or are entry points."""
        facts = self.facts
        spec = self.spec
        scopes = self._scopes_in_order()
        marked = self._naming_a_source(scopes)
        handlers: dict[ast.ClassDef, bool] = {}
        for fn in facts.functions:
            cls = self.owner_class.get(fn)
            if cls is not None:
                if cls not in handlers:
                    handlers[cls] = bool(handler_kind(facts, spec, cls, self.classes))
                if handlers[cls]:
                    marked.add(fn)
                    continue
            entry = self._entry(fn, cls is not None and not self._is_static(fn))
            if entry.framework or entry.tainted or entry.objects:
                marked.add(fn)
        # Callers of functions that may hand untrusted data back (a return value, a field of ``self``).
        if marked:
            defined = set(self.module_functions) | set(self.classes)
            defined.update(fn.name for fn in self.owner_class)
            for scoped in self.nested.values():
                defined.update(scoped)
            calls = self._calls_to_defined(scopes, defined)
            gives: dict[ast.AST, bool] = {}
            for _ in range(6):
                names: set[str] = set()
                for fn in marked:
                    if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        if fn not in gives:
                            gives[fn] = self._gives_back(fn)
                        if gives[fn]:
                            names.add(fn.name)
                names |= {c.name for c in self.classes.values() if any(m in marked for m in c.body)}
                grew = False
                for name, owner in calls:
                    if name in names and owner not in marked:
                        marked.add(owner)
                        grew = True
                if not grew:
                    break
        if self.project is not None:
            for owner, name in self._calls_out(scopes):
                if owner in marked:
                    continue
                summary = self.project.function_summary(name, spec, self.path)
                if summary is not None and summary.returns_source:
                    marked.add(owner)
        return marked

    # A document analyzed version after version keeps each scope's facts (the memo), so its
    # module-wide questions are answered scope by scope. A file analyzed once answers them from
    # the module's index instead, and walks only the scopes the analysis then looks into.

    def _owner(self, node: ast.AST) -> ast.AST:
        return self.facts.enclosing_function(node) or self.facts.tree

    def _naming_a_source(self, scopes: list[ast.AST]) -> set[ast.AST]:
        """Scopes that name a source (``request.args``, ``input()``) or call a source method."""
        if self.memo is not None:
            return {scope for scope in scopes if self._scope_facts(scope).mentions_source}
        facts = self.facts
        source_names, prefixes, wanted = self._source_names()
        found: set[ast.AST] = set()
        for node in facts.nodes(ast.Name):
            if node.id in source_names and self._names_source(node, prefixes, wanted):  # type: ignore[attr-defined]
                found.add(self._owner(node))
        for call in facts.method_calls(*self.spec.method_sources):
            found.add(self._owner(call))
        return found

    def _calls_to_defined(self, scopes: list[ast.AST], defined: set[str]) -> list[tuple[str, ast.AST]]:
        """(name, calling scope) for each call of a function or class of this module."""
        if self.memo is not None:
            return [(name, owner) for owner in scopes for name in self._local_calls(owner, defined)]
        found: list[tuple[str, ast.AST]] = []
        for call in self.facts.nodes(ast.Call):
            name = self._local_callee(call, defined)  # type: ignore[arg-type]
            if name is not None:
                found.append((name, self._owner(call)))
        return found

    def _calls_out(self, scopes: list[ast.AST]) -> list[tuple[ast.AST, str]]:
        """(calling scope, qualified name) for calls into modules that may be project files."""
        if self.memo is not None:
            return [
                (owner, name)
                for owner in scopes
                for _, name in self._scope_facts(owner).calls
                if name is not None and "." in name and name.split(".")[0] not in STDLIB
            ]
        found: list[tuple[ast.AST, str]] = []
        for name in self.facts.call_names:
            if "." in name and name.split(".")[0] not in STDLIB:
                found.extend((self._owner(call), name) for _, call in self.facts.calls_to(name))
        return found

    def _local_calls(self, scope: ast.AST, defined: set[str]) -> tuple[str, ...]:
        """Names of this module's functions and classes a scope calls (``f()``, ``self.f()``,
        ``Class.f()``); kept with the scope's facts, as they change only with the skeleton."""
        known = self._local_call_cache.get(scope)
        if known is None:
            found = (self._local_callee(call, defined) for call, _ in self._scope_facts(scope).calls)
            known = self._local_call_cache[scope] = tuple(name for name in found if name is not None)
        return known

    def _local_callee(self, call: ast.Call, defined: set[str]) -> str | None:
        func = call.func
        if isinstance(func, ast.Name):
            name = func.id
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id in ("self", "cls") or func.value.id in self.classes)
        ):
            name = func.attr
        else:
            return None
        return name if name in defined else None

    def _gives_back(self, fn: FunctionNode) -> bool:
        """Whether a function returns or yields a value, or stores into an attribute."""
        return self._scope_facts(fn).gives

    @staticmethod
    def _is_static(fn: FunctionNode) -> bool:
        return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)

    def _sink_candidates(self) -> tuple[frozenset[str], frozenset[str]]:
        """Qualified names and method names a call must have to possibly be a sink."""
        if self._candidates is None:
            key = (id(self.spec), frozenset(self.imports_prefixes))
            cached = _CANDIDATES.get(key)
            if cached is not None and cached[0] is self.spec:
                self._candidates = cached[1]
                return cached[1]
            methods: set[str] = set()
            for method, sinks in self.sinks_by_method.items():
                if any(
                    not s.requires_import or any(p in self.imports_prefixes for p in s.requires_import) for s in sinks
                ):
                    methods.add(method)
            for name in self.sinks_by_name:
                root = name.split(".")[0]
                if "()" in name or (name.count(".") >= 2 and root in ("http", "tornado")):
                    if root in self.imports_prefixes:
                        methods.add(name.rsplit(".", 1)[-1])
            self._candidates = (frozenset(self.sinks_by_name), frozenset(methods))
            if len(_CANDIDATES) > 256:
                _CANDIDATES.clear()
            _CANDIDATES[key] = (self.spec, self._candidates)
        return self._candidates

    def _may_reach_sink(self, scope: ast.AST) -> bool:
        """Whether a function (or the module body) calls something that could be a sink, directly
        or through functions of this module; calls into other project files count as possible."""
        known = self._reach.get(scope)
        if known is not None:
            return known
        self._reach[scope] = True  # a cycle: assume it may
        result = self._scan_for_sinks(scope)
        self._reach[scope] = result
        return result

    def _scan_for_sinks(self, scope: ast.AST) -> bool:
        names, methods = self._sink_candidates()
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            entry = self._entry(scope, scope in self.owner_class and not self._is_static(scope))
            if entry.returns_html:
                return True
        scope_facts = self._scope_facts(scope)
        if self.spec.store_sinks and scope_facts.stores:
            return True
        for node, name in scope_facts.calls:
            func = node.func
            if name is not None and name in names:
                return True
            if isinstance(func, ast.Attribute):
                if func.attr in methods:
                    return True
                target = None
                if isinstance(func.value, ast.Name):
                    cls = self.owner_class.get(scope) if func.value.id in ("self", "cls") else None
                    cls = cls or self.classes.get(func.value.id)
                    target = self._method(cls, func.attr) if cls is not None else None
                if target is None:
                    target = self._any_method(func.attr)
                if target is not None and self._may_reach_sink(target):
                    return True
            elif isinstance(func, ast.Name):
                local = self.nested.get(scope, {}).get(func.id) or self.module_functions.get(func.id)
                if local is not None and self._may_reach_sink(local):
                    return True
                cls = self.classes.get(func.id)
                init = self._method(cls, "__init__") if cls is not None else None
                if init is not None and self._may_reach_sink(init):
                    return True
            if (
                self.project is not None
                and name is not None
                and "." in name
                and name.split(".")[0] in self.imports_prefixes
                and name.split(".")[0] not in STDLIB
            ):
                return True
        return False

    def _any_method(self, name: str) -> FunctionNode | None:
        """A method of that name on some class of this module (for ``obj.name()``)."""
        if self._methods_by_name is None:
            self._methods_by_name = {}
            for fn, _cls in self.owner_class.items():
                self._methods_by_name.setdefault(fn.name, []).append(fn)  # type: ignore[attr-defined]
        candidates = self._methods_by_name.get(name, ())
        for candidate in candidates:
            if self._may_reach_sink(candidate):
                return candidate
        return None

    def _direct_calls(self) -> set[str]:
        """Names called as ``f(...)`` or ``x.f(...)`` in this module."""
        if self._direct is None:
            direct: set[str] = set()
            if self.memo is not None:
                for scope in self._scopes_in_order():
                    direct |= self._scope_facts(scope).direct
            else:
                direct.update(
                    callee for callee in map(_callee_name, self.facts.nodes(ast.Call)) if callee is not None  # type: ignore[arg-type]
                )
            self._direct = direct
        return self._direct

    def _called_names(self) -> set[str]:
        """Names this module calls (``f(...)``, ``x.f(...)``) or passes around (``callback=f``)."""
        if self._called is None:
            called = set(self._direct_calls())
            if self.memo is not None:
                for scope in self._scopes_in_order():
                    called |= self._scope_facts(scope).loaded
            else:
                called.update(
                    node.id  # type: ignore[attr-defined]
                    for node in self.facts.nodes(ast.Name)
                    if isinstance(node.ctx, ast.Load)  # type: ignore[attr-defined]
                )
            self._called = called
        return self._called
