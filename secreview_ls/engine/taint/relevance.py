"""Which parts of a module the taint interpreter has to run: functions that mention a source or
are framework entry points, their callers, and only those that can reach a sink at all."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..facts import ModuleFacts
from .definitions import ModuleIndex, is_static
from .frameworks import BODY_RETURNING, Entries
from .module_state import state_writers
from .scopes import ScopeTable, into_project
from .spec import SinkSpec, TaintSpec
from .state import FunctionNode
from .summary import SummaryProvider


class KeptMarks:
    """The scopes the last version of a document marked, with what marking read of each scope
    (its signature, ``Relevance._signature``). When each scope of this version is the same node
    as the last version's, or a new node at its place whose signature is that of the node it
    replaces, and what all scopes share is the same, marking would mark the same scopes; the
    new nodes stand for the old ones. Every scope is signed, so an edit in any function (not
    only the one the last edit changed) reuses the marks."""

    def __init__(self) -> None:
        self.scopes: list[ast.AST] = []
        self.context: tuple[object, ...] | None = None
        self.marked: set[ast.AST] = set()
        self.signatures: dict[ast.AST, tuple[object, ...]] = {}
        self.reused = 0  # versions whose marking was reused (for measurements)

    def reuse(
        self, scopes: list[ast.AST], context: tuple[object, ...], signature: Callable[[ast.AST], tuple[object, ...]]
    ) -> set[ast.AST] | None:
        """The marked scopes of this version, or None when they must be worked out."""
        if self.context is None or len(scopes) != len(self.scopes) or context != self.context:
            return None
        replaced = [(old, new) for old, new in zip(self.scopes, scopes, strict=True) if old is not new]
        signatures = self.signatures
        fresh = {}
        for old, new in replaced:
            before = signatures.get(old)
            if before is None:
                return None
            now = fresh[new] = signature(new)
            if now != before:
                return None
        marked = self.marked
        for old, new in replaced:
            del signatures[old]
            if old in marked:
                marked.discard(old)
                marked.add(new)
        signatures.update(fresh)
        self.scopes = scopes
        self.reused += 1
        return set(marked)

    def keep(
        self,
        scopes: list[ast.AST],
        context: tuple[object, ...],
        marked: set[ast.AST],
        signature: Callable[[ast.AST], tuple[object, ...]],
    ) -> None:
        """Remember a version's marking, with the signature of every scope: the next edit may
        change any function. A scope the last version had, under the same shared context, keeps
        the signature it had (what it reads of itself is kept by node)."""
        known = self.signatures if context == self.context else {}
        self.signatures = {scope: known.get(scope) or signature(scope) for scope in scopes}
        self.scopes, self.context, self.marked = scopes, context, set(marked)


# (spec, imported top-level modules) → sink candidates; many files share both.
_CANDIDATES: dict[tuple[int, frozenset[str]], tuple[TaintSpec, tuple[frozenset[str], frozenset[str]]]] = {}


def clear_memo() -> None:
    """Forget the sink candidates of the import sets seen so far."""
    _CANDIDATES.clear()


class Relevance:
    """Decides which scopes of a module are worth interpreting."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        *,
        index: ModuleIndex,
        scopes: ScopeTable,
        entries: Entries,
        sinks: tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]],
        project: SummaryProvider | None,
        path: str,
    ) -> None:
        self.facts = facts
        self.spec = spec
        self.index = index
        self.scopes = scopes
        self.entries = entries
        self.sinks_by_name, self.sinks_by_method = sinks
        self.project = project
        self.path = path
        self._candidates: tuple[frozenset[str], frozenset[str]] | None = None
        self._reach: dict[ast.AST, bool] = {}
        self._methods_by_name: dict[str, list[FunctionNode]] | None = None
        self._defined_names: set[str] | None = None
        self._writers: dict[FunctionNode, dict[str, ast.AST]] | None = None

    def relevant(self, kept: KeptMarks | None = None) -> set[ast.AST]:
        """Functions (and the module body) that mention a source or are entry points.
        ``kept``: what the last version of the document marked (see ``KeptMarks``)."""
        scopes = self.scopes.all_scopes()
        marked = self._marked(scopes, kept)
        if self.project is not None:
            gives_source: dict[str, bool] = {}  # a name called from several scopes is asked once
            for owner, name in self.scopes.calls_out(scopes):
                if owner in marked:
                    continue
                answer = gives_source.get(name)
                if answer is None:
                    summary = self.project.function_summary(name, self.spec, self.path)
                    answer = gives_source[name] = summary is not None and summary.returns_source
                if answer:
                    marked.add(owner)
        return marked

    def _marked(self, scopes: list[ast.AST], kept: KeptMarks | None) -> set[ast.AST]:
        """The scopes marked from this module alone, reused from the last version when it can be."""
        if kept is None or not self.scopes.remembered:
            return self._mark(scopes)
        context = self._context()
        reused = kept.reuse(scopes, context, self._signature)
        if reused is not None:
            return reused
        marked = self._mark(scopes)
        kept.keep(scopes, context, marked, self._signature)
        return set(marked)

    def _context(self) -> tuple[object, ...]:
        """What every scope's marking depends on beyond the scope itself."""
        index = self.index
        classes = index.classes
        # A class gets a new node when one of its methods changes: classes count by name, as
        # the one of that name or not, and by their handler kind (from their bases).
        owners = tuple(
            (cls.name, classes.get(cls.name) is cls, index.handler_kind(self.spec, cls))
            for cls in dict.fromkeys(index.owner_class.values())
        )
        # Marking reads the module's calls only as whether it calls one of its own functions (an
        # entry ``called_here``): other names, typed into any function, leave the marks as they are.
        own_names = {fn.name for fn in self.facts.functions}  # type: ignore[attr-defined]
        return (
            self.spec,
            frozenset(own_names.intersection(self.scopes.called_names())),
            tuple(classes),
            owners,
            self.entries.url_rules,
            self.entries.dependencies,
        )

    def _signature(self, scope: ast.AST) -> tuple[object, ...]:
        """What marking reads of one scope: whether it names a source, what it calls, whether it
        gives a value back, and for a function its name, class, entry and class's handler kind."""
        facts = self.scopes.of(scope)
        calls = self.scopes.local_calls(scope, self._defined())
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return (type(scope), facts.mentions_source, facts.gives, calls)
        cls = self.index.owner_class.get(scope)
        is_method = cls is not None and not is_static(scope)
        owner = (cls.name, self.index.classes.get(cls.name) is cls) if cls is not None else None
        entry = self.entries.entry(scope, is_method)
        return (type(scope), scope.name, owner, is_method, entry, facts.mentions_source, facts.gives, calls)

    def _mark(self, scopes: list[ast.AST]) -> set[ast.AST]:
        facts = self.facts
        spec = self.spec
        index = self.index
        marked = self.scopes.naming_a_source(scopes)
        handlers: dict[ast.ClassDef, bool] = {}
        entries = self.entries
        for fn in facts.functions:
            cls = index.owner_class.get(fn)
            if cls is not None:
                if cls not in handlers:
                    handlers[cls] = bool(index.handler_kind(spec, cls))
                if handlers[cls]:
                    marked.add(fn)
                    continue
            is_method = cls is not None and not is_static(fn)  # ``index.is_method``
            if entries.kept is None and entries.plain(fn, is_method):
                # Most functions: no entry point, told without working out their entry (which a
                # memo keeps from one version of a document to the next: asked of it instead).
                continue
            entry = entries.entry(fn, is_method)
            if entry.framework or entry.tainted or entry.objects:
                marked.add(fn)
        if marked:
            self._mark_callers(marked, scopes)
        return marked

    def _defined(self) -> set[str]:
        """The names of this module's functions and classes, nested ones included."""
        if self._defined_names is None:
            index = self.index
            defined = set(index.module_functions) | set(index.classes)
            defined.update(fn.name for fn in index.owner_class)  # type: ignore[attr-defined]
            for scoped in index.nested.values():
                defined.update(scoped)
            self._defined_names = defined
        return self._defined_names

    def _mark_callers(self, marked: set[ast.AST], scopes: list[ast.AST]) -> None:
        """Add the callers of functions that may hand untrusted data back (a return value, a
        field of ``self``)."""
        defined = self._defined()
        index = self.index
        calling = self.scopes.callers_by_name(scopes, defined)
        known: dict[str, list[ast.AST]] = {}

        def callers(name: str) -> list[ast.AST]:
            found = known.get(name)
            if found is None:
                found = known[name] = calling(name)
            return found

        gives: dict[ast.AST, bool] = {}
        done: set[str] = set()  # names whose callers are all marked
        for _ in range(6):
            names: set[str] = set()
            for fn in marked:
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    if fn not in gives:
                        # A function nothing here calls by its name marks no caller: whether it
                        # gives a value back is not asked (a whole-module pass, for most files).
                        gives[fn] = bool(callers(fn.name)) and self.scopes.gives_back(fn)
                    if gives[fn]:
                        names.add(fn.name)
                    cls = index.owner_class.get(fn)  # a class with a marked method
                    if cls is not None and index.classes.get(cls.name) is cls:
                        names.add(cls.name)
            grew = False
            for name in names - done:
                for owner in callers(name):
                    if owner not in marked:
                        marked.add(owner)
                        grew = True
            done |= names
            if not grew:
                break

    def _sink_candidates(self) -> tuple[frozenset[str], frozenset[str]]:
        """Qualified names and method names a call must have to possibly be a sink."""
        if self._candidates is None:
            roots = self.index.imported_roots
            key = (id(self.spec), frozenset(roots))
            cached = _CANDIDATES.get(key)
            if cached is not None and cached[0] is self.spec:
                self._candidates = cached[1]
                return cached[1]
            methods: set[str] = set()
            for method, sinks in self.sinks_by_method.items():
                if any(not s.requires_import or any(p in roots for p in s.requires_import) for s in sinks):
                    methods.add(method)
            renderers = [renderer.name for renderer in self.spec.template_renderers]
            for name in (*self.sinks_by_name, *renderers):
                root = name.split(".")[0]
                if "()" in name or (name.count(".") >= 2 and root in ("http", "tornado")):
                    if root in roots:
                        methods.add(name.rsplit(".", 1)[-1])
            self._candidates = (frozenset((*self.sinks_by_name, *renderers)), frozenset(methods))
            if len(_CANDIDATES) > 256:
                _CANDIDATES.clear()
            _CANDIDATES[key] = (self.spec, self._candidates)
        return self._candidates

    def may_reach_sink(self, scope: ast.AST) -> bool:
        """Whether a function (or the module body) calls something that could be a sink, directly
        or through functions of this module; calls into other project files count as possible."""
        known = self._reach.get(scope)
        if known is not None:
            return known
        self._reach[scope] = True  # a cycle: assume it may
        # a function keeping data in module state: another function may hand it to a sink
        result = self._scan_for_sinks(scope) or self._keeps_state(scope)
        self._reach[scope] = result
        return result

    def known_to_reach(self, scope: ast.AST) -> bool:
        """Whether ``may_reach_sink(scope)`` was asked and answered yes (outside a scan in
        progress, where a scope being scanned is taken to reach one, such an answer is final)."""
        return self._reach.get(scope) is True

    def state_writers(self) -> dict[FunctionNode, dict[str, ast.AST]]:
        """The functions keeping data in module-level names other functions read, with those
        names and their first stores (``module_state.py``)."""
        if self._writers is None:
            scopes = self.scopes
            self._writers = state_writers(self.facts, scopes.module_names(), scopes.state_candidates())
        return self._writers

    def _scan_for_sinks(self, scope: ast.AST) -> bool:
        names, methods = self._sink_candidates()
        index = self.index
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            entry = self.entries.entry(scope, index.is_method(scope))
            if (entry.returns_html and self.spec.return_sinks) or entry.return_sinks or entry.template_decorator:
                return True
            if self.spec.view_body_sinks and entry.framework in BODY_RETURNING:
                return True
            if any(f"{kind}.__call__" in names for kind in entry.objects.values()):
                return True  # a framework object that is a sink when called (WSGI ``start_response``)
        scopes = self.scopes
        if (self.spec.store_sinks or self.spec.attribute_sinks) and scopes.stores_in(scope):
            return True
        for node, name in scopes.calls_of(scope):
            func = node.func
            if name is not None and name in names:
                return True
            if isinstance(func, ast.Attribute):
                if func.attr in methods:
                    return True
                target = None
                if isinstance(func.value, ast.Name):
                    cls = index.owner_class.get(scope) if func.value.id in ("self", "cls") else None
                    cls = cls or index.classes.get(func.value.id)
                    target = index.method(cls, func.attr) if cls is not None else None
                if target is None and isinstance(func.value, ast.Name):
                    target = index.module_functions.get(func.value.id)  # ``task.delay(v)``: a Celery task
                if target is None:
                    target = self._any_method(func.attr)
                if target is not None and self.may_reach_sink(target):
                    return True
            elif isinstance(func, ast.Name):
                local = index.nested.get(scope, {}).get(func.id) or index.module_functions.get(func.id)
                if local is not None and self.may_reach_sink(local):
                    return True
                cls = index.classes.get(func.id)
                init = index.method(cls, "__init__") if cls is not None else None
                if init is not None and self.may_reach_sink(init):
                    return True
            if self._passes_reaching_function(scope, node):
                return True
            if (
                self.project is not None
                and name is not None
                and into_project(name)
                and name.split(".")[0] in index.imported_roots
            ):
                return True
        return False

    def _keeps_state(self, scope: ast.AST) -> bool:
        """Whether a function stores into a module-level name another function reads."""
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        return scope in self.state_writers()

    def _passes_reaching_function(self, scope: ast.AST, node: ast.Call) -> bool:
        """A function of the module handed to a call (``pool.submit(job, v)``, ``Thread(target=job)``)
        that may reach a sink: the call may run it with its arguments."""
        for arg in (*node.args, *(kw.value for kw in node.keywords)):
            if isinstance(arg, ast.Name):
                local = self.index.nested.get(scope, {}).get(arg.id) or self.index.module_functions.get(arg.id)
                if local is not None and self.may_reach_sink(local):
                    return True
        return False

    def _any_method(self, name: str) -> FunctionNode | None:
        """A method of that name on some class of this module (for ``obj.name()``)."""
        if self._methods_by_name is None:
            self._methods_by_name = {}
            for fn in self.index.owner_class:
                self._methods_by_name.setdefault(fn.name, []).append(fn)  # type: ignore[attr-defined, arg-type]
        candidates = self._methods_by_name.get(name, ())
        for candidate in candidates:
            if self.may_reach_sink(candidate):
                return candidate
        return None
