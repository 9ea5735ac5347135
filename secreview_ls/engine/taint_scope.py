"""Which parts of a module the taint interpreter has to run: functions that mention a source or
are framework entry points, their callers, and only those that can reach a sink at all."""

from __future__ import annotations

import ast

from .taint_frameworks import handler_kind
from .taint_model import TaintSpec
from .taint_state import (
    STDLIB,
    FunctionNode,
)

# (spec, imported top-level modules) → sink candidates; many files share both.
_CANDIDATES: dict[tuple[int, frozenset[str]], tuple[TaintSpec, tuple[frozenset[str], frozenset[str]]]] = {}


class ScopeMixin:
    """Relevance of functions to the taint analysis (mixed into ``ModuleTaint``)."""

    def _relevant(self) -> set[ast.AST]:
        """Functions (and the module body) that mention a source or are entry points."""
        facts = self.facts
        spec = self.spec
        tree = facts.tree
        marked: set[ast.AST] = set()
        prefixes: set[str] = set()
        for name in (*spec.attr_sources, *spec.call_sources, *spec.object_kinds):
            parts = name.split(".")
            prefixes.update(".".join(parts[: i + 1]) for i in range(len(parts)))
        local_names = {local for local, target in facts.imports.aliases.items() if target in prefixes}
        for name in (*spec.attr_sources, *spec.call_sources, *spec.object_kinds):
            if name.startswith("builtins.") and name.count(".") == 1:
                bare = name.split(".", 1)[1]
                if bare not in facts.imports.locally_bound:
                    local_names.add(bare)
        wanted = set(spec.attr_sources) | set(spec.call_sources) | set(spec.object_kinds)

        def mark(node: ast.AST) -> None:
            marked.add(facts.enclosing_function(node) or tree)

        if local_names:
            for node in facts.nodes(ast.Name):
                if node.id not in local_names:  # type: ignore[attr-defined]
                    continue
                current: ast.AST = node
                while True:
                    name = facts.qualname(current)
                    if name in wanted:
                        mark(node)
                        break
                    parent = facts.parent(current)
                    if not isinstance(parent, ast.Attribute) or name not in prefixes:
                        break
                    current = parent
        for call in facts.method_calls(*spec.method_sources):
            mark(call)
        for fn in facts.functions:
            cls = self.owner_class.get(fn)
            if cls is not None and handler_kind(facts, spec, cls, self.classes):
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
            calls: list[tuple[str, ast.AST]] = []
            for call in facts.nodes(ast.Call):
                func = call.func  # type: ignore[attr-defined]
                if isinstance(func, ast.Name):
                    name = func.id
                elif (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and (func.value.id in ("self", "cls") or func.value.id in self.classes)
                ):
                    name = func.attr
                else:
                    continue
                if name in defined:
                    calls.append((name, facts.enclosing_function(call) or tree))
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
            for call in facts.nodes(ast.Call):
                owner = facts.enclosing_function(call) or tree
                if owner in marked:
                    continue
                name = facts.qualname(call.func)  # type: ignore[attr-defined]
                if name is None or name.split(".")[0] in STDLIB or "." not in name:
                    continue
                summary = self.project.function_summary(name, spec, self.path)
                if summary is not None and summary.returns_source:
                    marked.add(owner)
        return marked

    def _gives_back(self, fn: FunctionNode) -> bool:
        """Whether a function returns or yields a value, or stores into an attribute."""
        return fn in self._scopes()[0]

    def _scopes(self) -> tuple[set[ast.AST], dict[ast.AST, list[ast.Call]], set[ast.AST]]:
        """One pass over the module's nodes: which functions give values back, the calls of each
        scope (a function or the module), and the scopes that store into a subscript."""
        if self._scope_index is None:
            facts = self.facts
            tree = facts.tree
            gives: set[ast.AST] = set()
            for node in facts.nodes(ast.Return, ast.Yield, ast.YieldFrom):
                value = getattr(node, "value", None)
                if isinstance(node, ast.Return) and (
                    value is None or (isinstance(value, ast.Constant) and value.value is None)
                ):
                    continue
                owner = facts.enclosing_function(node)
                if owner is not None:
                    gives.add(owner)
            stores: set[ast.AST] = set()
            for node in facts.nodes(ast.Attribute, ast.Subscript):
                if isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
                    owner = facts.enclosing_function(node) or tree
                    (gives if isinstance(node, ast.Attribute) else stores).add(owner)
            calls: dict[ast.AST, list[ast.Call]] = {}
            for node in facts.nodes(ast.Call):
                calls.setdefault(facts.enclosing_function(node) or tree, []).append(node)  # type: ignore[arg-type]
            self._scope_index = (gives, calls, stores)
        return self._scope_index

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
        facts = self.facts
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            entry = self._entry(scope, scope in self.owner_class and not self._is_static(scope))
            if entry.returns_html:
                return True
        _, calls, stores = self._scopes()
        if self.spec.store_sinks and scope in stores:
            return True
        for node in calls.get(scope, ()):
            func = node.func
            name = facts.qualname(func)
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
            for call in self.facts.nodes(ast.Call):
                func = call.func  # type: ignore[attr-defined]
                if isinstance(func, ast.Name):
                    direct.add(func.id)
                elif isinstance(func, ast.Attribute):
                    direct.add(func.attr)
            self._direct = direct
        return self._direct

    def _called_names(self) -> set[str]:
        """Names this module calls (``f(...)``, ``x.f(...)``) or passes around (``callback=f``)."""
        if self._called is None:
            called: set[str] = set()
            for calls in self._scopes()[1].values():
                for call in calls:
                    func = call.func
                    if isinstance(func, ast.Name):
                        called.add(func.id)
                    elif isinstance(func, ast.Attribute):
                        called.add(func.attr)
            for node in self.facts.nodes(ast.Name):
                if isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
                    called.add(node.id)  # type: ignore[attr-defined]
            self._called = called
        return self._called
