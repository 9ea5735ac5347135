"""Module facts computed once per file and shared by every rule.

One iterative walk over the tree indexes nodes by type and calls by their
qualified callee name, so a rule asks ``facts.calls_to("yaml.load")`` instead
of walking the tree again.
"""

from __future__ import annotations

import ast
import bisect
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from typing import Any

from .names import ImportMap, dotted_name
from .source import SourceFile

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


# Fields that never hold a node the index keeps: contexts and operators (shared instances),
# and names, numbers and flags.
_NOT_CHILDREN = frozenset(
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
        "name",
        "kwd_attrs",
    )
)
# Nodes whose fields never hold a node (a constant's value, an import's names, the identifiers
# of ``global``): nothing of theirs to look at.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.alias: (), ast.Global: (), ast.Nonlocal: ()}


def subtree(node: ast.AST) -> list[ast.AST]:
    """The nodes of the tree at ``node``, itself included, as ``ast.walk`` finds them (in another
    order) but for contexts and operators (instances the parser shares, which no question about a
    subtree asks for), in a list: for a question asked of every node below a function, which
    ``ast.walk``'s generators cost more than."""
    found: list[ast.AST] = []
    stack = [node]
    pop, push, add, node_type, sequence = stack.pop, stack.append, found.append, ast.AST, list
    child_fields = _CHILD_FIELDS
    while stack:
        current = pop()
        add(current)
        kind = type(current)
        fields = child_fields.get(kind)
        if fields is None:
            fields = child_fields[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
        for name in fields:
            value = getattr(current, name, None)
            if type(value) is sequence:
                for child in value:
                    if isinstance(child, node_type):
                        push(child)
            elif isinstance(value, node_type):
                push(value)
    return found


class NameUses:
    """Every ``Name`` node of a module by identifier, read (``loads``) or stored or deleted
    (``stores``). Each identifier's nodes are put in source order when first asked for."""

    __slots__ = ("_loads", "_sorted", "_stores")

    def __init__(self, loads: dict[str, list[ast.Name]], stores: dict[str, list[ast.Name]], ordered: bool) -> None:
        self._loads = loads
        self._stores = stores
        self._sorted: set[tuple[bool, str]] | None = None if ordered else set()  # None: all are in order

    def loaded(self) -> Iterable[str]:
        """The identifiers read somewhere."""
        return self._loads.keys()

    def is_stored(self, name: str) -> bool:
        return name in self._stores

    def loads(self, name: str) -> Sequence[ast.Name]:
        """The reads of ``name``, in source order."""
        return self._ordered(self._loads, False, name)

    def stores(self, name: str) -> Sequence[ast.Name]:
        """The stores and deletions of ``name``, in source order."""
        return self._ordered(self._stores, True, name)

    def any_order_loads(self, name: str) -> Sequence[ast.Name]:
        """The reads of ``name`` in no particular order (nothing sorted for a caller that
        collects them into sets)."""
        return self._loads.get(name, ())

    def _ordered(self, uses: dict[str, list[ast.Name]], stored: bool, name: str) -> Sequence[ast.Name]:
        found = uses.get(name)
        if found is None:
            return ()
        done = self._sorted
        if done is not None and len(found) > 1 and (stored, name) not in done:
            # A stable sort of one identifier's nodes keeps the order a stable sort of all the
            # names would give them (ties stay in walk order).
            done.add((stored, name))
            try:
                found.sort(key=_POSITION)
            except AttributeError:  # a node made without a position
                found.sort(key=source_position)
        return found


class _CombinedNameUses(NameUses):
    """The ``NameUses`` of several parts in source order read as one module's: an identifier's
    nodes are each part's, part after part, joined when first asked for."""

    __slots__ = ("_parts", "_stored")

    def __init__(self, parts: list[NameUses]) -> None:
        super().__init__({}, {}, True)
        self._parts = parts
        self._stored: set[str] | None = None

    def loaded(self) -> Iterable[str]:
        found: dict[str, None] = {}
        for part in self._parts:
            found.update(dict.fromkeys(part.loaded()))
        return found.keys()

    def is_stored(self, name: str) -> bool:
        if self._stored is None:
            self._stored = {stored for part in self._parts for stored in part._stores}
        return name in self._stored

    def loads(self, name: str) -> Sequence[ast.Name]:
        found = self._loads.get(name)
        if found is None:
            found = self._loads[name] = [node for part in self._parts for node in part.loads(name)]
        return found

    def any_order_loads(self, name: str) -> Sequence[ast.Name]:
        found = self._loads.get(name)  # joined in source order already
        if found is not None:
            return found
        joined: list[ast.Name] = []
        for part in self._parts:  # mostly a chunk's own index: read in place, without a call
            listed = part._loads.get(name) if type(part) is NameUses else part.any_order_loads(name)
            if listed:
                joined.extend(listed)
        return joined

    def stores(self, name: str) -> Sequence[ast.Name]:
        found = self._stores.get(name)
        if found is None:
            found = self._stores[name] = [node for part in self._parts for node in part.stores(name)]
        return found


class ModuleFacts:
    """Indexed facts about one parsed module."""

    _name_uses: NameUses | None = None
    _module_assignments: dict[str, list[ast.expr]] | None = None  # ``module_assignments``, when first asked
    # Each call's callee resolved by the walk (``qualname`` of ``call.func``), when the facts
    # built their own import map (which then never changes); None otherwise.
    _callee_names: dict[ast.AST, str | None] | None = None
    # Calls of a bare identifier (``f(...)``) by that identifier, for the facts of a whole
    # module (``__init__``); None otherwise.
    _calls_by_bare_name: dict[str, list[ast.Call]] | None = None
    _constant_tests: list[ast.If | ast.While] | None = None  # ``constant_tests``, when first asked

    def __init__(self, source: SourceFile, module_name: str = "", *, imports: ImportMap | None = None) -> None:
        self.source = source
        self.tree = source.tree
        self.module_name = module_name
        self.imports = imports if imports is not None else ImportMap(self.tree, module_name, text=source.text)
        self._nodes: dict[type[ast.AST], list[ast.AST]] = defaultdict(list)
        self._unsorted: set[type[ast.AST]] = set()
        self._calls_by_name: dict[str, list[ast.Call]] = defaultdict(list)
        self._calls_by_attr: dict[str, list[ast.Call]] = defaultdict(list)
        self._mixed: dict[tuple[type[ast.AST], ...], list[ast.AST]] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        if imports is None:
            self._callee_names = {}
        self._calls_by_bare_name = defaultdict(list)
        self._index()

    @classmethod
    def combined(
        cls,
        source: SourceFile,
        parts: Sequence[ModuleFacts],
        imports: ImportMap,
        module_name: str = "",
        *,
        starts: list[int] | None = None,
        blocks: CallBlocks | None = None,
    ) -> ModuleFacts:
        """Facts of ``source.tree``, a module whose statements are the statements of the
        parts' trees in order, answering exactly as ``ModuleFacts`` indexing that tree would.
        The parts cover disjoint line ranges in increasing order; their indexes are merged
        only as far as the queries need. ``starts``, when known, is the first line of each
        part's range (one per part): then the parts need not be read to find a node's part.
        ``blocks``: the call indexes and node lists of runs of parts kept from the last
        combination of mostly the same parts (``CallBlocks``)."""
        return _CombinedFacts(source, parts, imports, module_name, starts, blocks)

    @classmethod
    def partial(
        cls,
        source: SourceFile,
        roots: Sequence[tuple[ast.AST, ast.AST]],
        skip: Iterable[ast.AST],
        imports: ImportMap,
        module_name: str = "",
    ) -> ModuleFacts:
        """Facts indexing only the subtrees of ``roots`` (each given with its parent), walked as
        the whole tree's walk visits them, leaving out the subtrees of the nodes in ``skip``:
        a part of a larger tree (``source.tree``, indexed as well), for ``combined``."""
        facts = cls.__new__(cls)
        facts.source = source
        facts.tree = source.tree
        facts.module_name = module_name
        facts.imports = imports
        facts._nodes = defaultdict(list)
        facts._unsorted = set()
        facts._calls_by_name = defaultdict(list)
        facts._calls_by_attr = defaultdict(list)
        facts._mixed = {}
        facts.parents = {root: parent for root, parent in roots}
        facts._nodes[ast.Module].append(facts.tree)
        facts._index([root for root, _ in roots], {id(node) for node in skip})
        return facts

    def _walk(self, stack: list[ast.AST]) -> None:
        """Index every node below those on ``stack`` by type, with its parent.

        ``ast.iter_child_nodes`` spelled out (the same children in the same order): this walk
        visits every node of the file, and the generator's overhead was most of its cost.
        Contexts and operators (``Load``, ``Add``, ``Eq``...) are left out: the parser shares
        one instance of each between all the nodes using it, so it has no parent of its own,
        and no query asks for them; a third of the nodes of a typical file. A list field
        holds nodes (``None`` for a ``**`` entry's key in a ``Dict``): the identifiers some
        hold are in fields left out (``_NOT_CHILDREN``, ``_CHILD_FIELDS``)."""
        by_type = self._nodes
        parents = self.parents
        pop, push, node_type, sequence = stack.pop, stack.append, ast.AST, list
        child_fields = _CHILD_FIELDS
        # Per node type: its list's ``append`` and its child fields, found with one lookup.
        of_kind: dict[type, tuple[Callable[[ast.AST], None], tuple[str, ...]]] = {}
        while stack:
            node = pop()
            kind = type(node)
            known = of_kind.get(kind)
            if known is None:
                fields = child_fields.get(kind)
                if fields is None:
                    fields = child_fields[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
                known = of_kind[kind] = (by_type[kind].append, fields)
            add, fields = known
            add(node)
            if not fields:
                continue  # a name, a constant...: about half the nodes, no loop to start
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is sequence:
                    for child in value:
                        if child is not None:
                            parents[child] = node
                            push(child)
                elif isinstance(value, node_type):
                    parents[value] = node
                    push(value)

    def _walk_skipping(self, stack: list[ast.AST], skip: set[int]) -> None:
        """``_walk``, leaving out the subtrees of the nodes whose ids are in ``skip``."""
        by_type = self._nodes
        parents = self.parents
        pop, push, node_type = stack.pop, stack.append, ast.AST
        child_fields = _CHILD_FIELDS
        while stack:
            node = pop()
            kind = type(node)
            by_type[kind].append(node)
            fields = child_fields.get(kind)
            if fields is None:
                fields = child_fields[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
            for name in fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    for child in value:
                        if isinstance(child, node_type) and id(child) not in skip:
                            parents[child] = node
                            push(child)
                elif isinstance(value, node_type) and id(value) not in skip:
                    parents[value] = node
                    push(value)

    def _index(self, roots: list[ast.AST] | None = None, skip: set[int] | None = None) -> None:
        stack: list[ast.AST] = [self.tree] if roots is None else list(roots)
        if skip:
            self._walk_skipping(stack, skip)
        else:
            self._walk(stack)
        by_type = self._nodes
        resolve, callees, bare = self.imports.qualname, self._callee_names, self._calls_by_bare_name
        for call in by_type.get(ast.Call, ()):
            assert isinstance(call, ast.Call)
            func = call.func
            name = resolve(func)
            if callees is not None:
                callees[func] = name
            if name is not None:
                self._calls_by_name[name].append(call)
            if isinstance(func, ast.Attribute):
                self._calls_by_attr[func.attr].append(call)
            elif bare is not None and isinstance(func, ast.Name):
                bare[func.id].append(call)
        # Each list of positioned nodes is put in source order when first asked for: most
        # types (``Attribute``, ``Constant``, ``arg``...) never are, and sorting is a third of
        # the walk's cost.
        self._unsorted.update(kind for kind in by_type if "lineno" in kind._attributes)

    @property
    def _by_type(self) -> dict[type[ast.AST], list[ast.AST]]:
        """Every node by type, each list in source order."""
        for kind in list(self._unsorted):
            self._sort(kind)
        return self._nodes

    def _sort(self, kind: type[ast.AST]) -> None:
        self._unsorted.discard(kind)
        _in_source_order(self._nodes[kind])

    # -- queries ---------------------------------------------------------------

    def nodes(self, *types: type[ast.AST]) -> list[ast.AST]:
        """All nodes of the given types in source order."""
        return list(self._nodes_of(types))

    def _nodes_of(self, types: tuple[type[ast.AST], ...]) -> Sequence[ast.AST]:
        """``nodes``, not copied (for a merge)."""
        if len(types) == 1:
            return self._of_type(types[0])
        found = self._mixed.get(types)
        if found is None:
            found = self._mixed[types] = self._sorted_types(types)
        return found

    def constant_tests(self) -> list[ast.If | ast.While]:
        """The ``if`` and ``while`` statements whose test is a constant, in no particular order."""
        found = self._constant_tests
        if found is None:
            found = self._constant_tests = [
                node
                for node in (*self.unordered(ast.If), *self.unordered(ast.While))
                if isinstance(node.test, ast.Constant)  # type: ignore[attr-defined]
            ]
        return found

    def unordered(self, node_type: type[ast.AST]) -> Sequence[ast.AST]:
        """The nodes of one type in no particular order, not copied: for questions whose answer
        is a set, which need not pay for putting them in source order."""
        if node_type in self._unsorted:
            return self._nodes.get(node_type, ())
        return self._of_type(node_type)

    def nodes_where(
        self, node_type: type[ast.AST] | tuple[type[ast.AST], ...], keep: Callable[[Any], object]
    ) -> list[ast.AST]:
        """``[n for n in self.nodes(*types) if keep(n)]``, putting only the kept nodes in source
        order (filtering and a stable sort commute): for a query that wants a few nodes of
        common types, which would otherwise put every node of those types in order."""
        types = node_type if isinstance(node_type, tuple) else (node_type,)
        if not all("lineno" in kind._attributes for kind in types):
            return [node for node in self.nodes(*types) if keep(node)]
        kept = [node for kind in types for node in self.unordered(kind) if keep(node)]
        _in_source_order(kept)
        return kept

    def _of_type(self, node_type: type[ast.AST]) -> Sequence[ast.AST]:
        if node_type in self._unsorted:
            self._sort(node_type)
        return self._nodes.get(node_type, ())

    def _sorted_types(self, types: tuple[type[ast.AST], ...]) -> list[ast.AST]:
        lists = [(node_type, self._of_type(node_type)) for node_type in types]
        present = [(node_type, nodes) for node_type, nodes in lists if nodes]
        if len(present) == 1 and "lineno" in present[0][0]._attributes:
            return list(present[0][1])  # in source order already (``FunctionDef`` alone)
        found: list[ast.AST] = []
        for _, nodes in lists:
            found.extend(nodes)
        try:
            found.sort(key=_POSITION)
        except AttributeError:  # a type without positions (the key fails before anything moves)
            found.sort(key=source_position)
        return found

    def calls_to(self, *qualnames: str) -> Iterator[tuple[str, ast.Call]]:
        """Calls whose callee resolves to one of ``qualnames`` (yields name, call)."""
        for name in qualnames:
            for call in self._calls_by_name.get(name, ()):
                yield name, call

    def calls_with_prefix(self, prefix: str) -> Iterator[tuple[str, ast.Call]]:
        """Calls whose qualified callee starts with ``prefix`` (e.g. ``"subprocess."``)."""
        for name, calls in self._calls_by_name.items():
            if name.startswith(prefix):
                for call in calls:
                    yield name, call

    def method_calls(self, *attrs: str) -> Iterator[ast.Call]:
        """Calls of the form ``<anything>.attr(...)``, whatever the receiver."""
        for attr in attrs:
            yield from self._calls_by_attr.get(attr, ())

    @property
    def indexes_bare_calls(self) -> bool:
        """Whether the facts keep the calls by bare identifier (a whole module's facts; not those
        of parts of a module, nor combined ones): ``called_identifiers`` and ``bare_calls`` answer."""
        return self._calls_by_bare_name is not None

    def called_identifiers(self) -> set[str] | None:
        """The identifiers called as ``f(...)`` or ``x.f(...)``, from the walk's indexes; None
        for facts that do not keep the calls by bare identifier (``indexes_bare_calls``)."""
        bare = self._calls_by_bare_name
        if bare is None:
            return None
        return {*bare, *self._calls_by_attr}

    def bare_calls(self, name: str) -> Sequence[ast.Call] | None:
        """The calls ``name(...)`` in walk order; None as for ``called_identifiers``."""
        bare = self._calls_by_bare_name
        if bare is None:
            return None
        return bare.get(name, ())

    def name_uses(self) -> NameUses:
        """The module's names by identifier (``NameUses``): one pass over its ``Name`` nodes
        for the rules and the taint analysis that ask about one identifier, or about reads
        only, instead of a pass over all of them each."""
        if self._name_uses is None:
            self._name_uses = self._index_names()
        return self._name_uses

    def _index_names(self) -> NameUses:
        nodes, ordered = self._names_as_walked()
        loads: defaultdict[str, list[ast.Name]] = defaultdict(list)
        stores: defaultdict[str, list[ast.Name]] = defaultdict(list)
        load = ast.Load  # the parser's contexts are of these classes exactly
        for node in nodes:
            (loads if node.ctx.__class__ is load else stores)[node.id].append(node)  # type: ignore[attr-defined]
        return NameUses(dict(loads), dict(stores), ordered)

    def _names_as_walked(self) -> tuple[Sequence[ast.AST], bool]:
        """The ``Name`` nodes, and whether they are in source order already."""
        if ast.Name in self._unsorted:
            return self._nodes.get(ast.Name, ()), False
        return self._of_type(ast.Name), True

    def module_assignments(self, name: str) -> Sequence[ast.expr]:
        """The values the module-level ``name = value`` statements assign to ``name``, in order
        (one per statement); the module's statements are looked through once, on the first ask."""
        found = self._module_assignments
        if found is None:
            found = {}
            for statement in self.tree.body:
                if isinstance(statement, ast.Assign):
                    for target in dict.fromkeys(t.id for t in statement.targets if isinstance(t, ast.Name)):
                        found.setdefault(target, []).append(statement.value)
            self._module_assignments = found
        return found.get(name, ())

    def assigned_call(self, name: str) -> ast.Call | None:
        """The call of the first module-level ``name = call(...)`` (``app = Flask(__name__)``), or None."""
        return next((value for value in self.module_assignments(name) if isinstance(value, ast.Call)), None)

    @property
    def call_names(self) -> Iterable[str]:
        return self._calls_by_name.keys()

    def qualname(self, node: ast.AST) -> str | None:
        callees = self._callee_names
        if callees is not None:
            found = callees.get(node, _UNRESOLVED)
            if found is not _UNRESOLVED:
                return found  # type: ignore[return-value]
        return self.imports.qualname(node)

    def spelled(self, node: ast.AST) -> str:
        """How a callee is spelled in the source, for messages (``sp.Popen``)."""
        return dotted_name(node) or self.source.segment(node)

    # -- structure -------------------------------------------------------------

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        # ``ancestors`` spelled out: asked for many nodes of a file, the generator was most of it.
        parents = self.parents
        current = parents.get(node)
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return current
            current = parents.get(current)
        return None

    def enclosing_statement(self, node: ast.AST) -> ast.stmt:
        current: ast.AST = node
        while not isinstance(current, ast.stmt):
            parent = self.parents.get(current)
            if parent is None:
                break
            current = parent
        assert isinstance(current, ast.stmt) or current is self.tree
        return current  # type: ignore[return-value]

    @cached_property
    def functions(self) -> list[FunctionNode]:
        return [
            n
            for n in self.nodes(ast.FunctionDef, ast.AsyncFunctionDef)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]


def parameter_names(function: ast.AST, *, starred: bool = False) -> list[str]:
    """The names of a function's (or lambda's) parameters, in order, ``*args`` and ``**kwargs``
    included when ``starred``; empty for a node that has none."""
    args = getattr(function, "args", None)
    if not isinstance(args, ast.arguments):
        return []
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if starred:
        every.extend(a for a in (args.vararg, args.kwarg) if a is not None)
    return [a.arg for a in every]


def own_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of a function's (or module's) body, nested functions, lambdas and classes left out."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def source_position(node: ast.AST) -> tuple[int, int]:
    """Sort key of a node in source order: (line, column); nodes without one come first."""
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


_POSITION = operator.attrgetter("lineno", "col_offset")
_UNRESOLVED = object()  # a node whose qualified name the walk did not work out

# Keys looked up part by part before a combined index is merged whole. A module's facts ask the
# index of calls by name for hundreds of keys (merged early), that of calls by attribute for a
# handful (a merge, walking every part's keys, costs more than looking a few keys up in each part).
_PART_LOOKUPS = {"_calls_by_name": 4, "_calls_by_attr": 16}


def _merged_calls(parts: Sequence[ModuleFacts], index: str) -> defaultdict[str, list[ast.Call]]:
    """One call index of ``parts`` merged: each key's calls, last part first (keys in the order
    first met that way)."""
    merged: defaultdict[str, list[ast.Call]] = defaultdict(list)
    for part in reversed(parts):
        for key, calls in getattr(part, index).items():
            merged[key].extend(calls)
    return merged


# A part whose id falls on this many ends a run of parts (``CallBlocks``): about as many parts
# a run, ends that stay put when parts come or go elsewhere; a run is cut at ``_MAX_BLOCK``.
_BLOCK = 16
_MAX_BLOCK = 64

# A run of consecutive parts: its first part, the others, and what was merged over them (a call
# index by its name, a type's nodes by the type, several types' nodes by their tuple).
_Run = tuple["ModuleFacts", tuple["ModuleFacts", ...], dict[Any, Any]]


class CallBlocks:
    """The call indexes and per-type node lists of runs of consecutive parts of a combined
    module, kept from one combination to the next (an editor's versions of a document: all
    parts but the edited one are the same objects). Merging a version's call index or a type's
    nodes then reads the runs' merges, and the parts of a run that changed, instead of every
    part's (a part's call indexes and node lists never change once built, but for a class
    header's ``ClassDef`` list: lists holding that type are not kept). The merge is the same:
    a key's calls in each run, last part first, runs last first, is every part's last part
    first, and a key met first in a later run is met first in the parts after it; a type's
    nodes run by run are the parts' in order (reversed for a type without positions, as a
    combination takes them). Runs end after a part whose ``id`` is a multiple of ``_BLOCK`` (or
    at ``_MAX_BLOCK`` parts), so that a part coming or going changes only its own run."""

    __slots__ = ("_runs",)

    def __init__(self) -> None:
        self._runs: dict[int, _Run] = {}  # first part's id → its run

    def runs(self, parts: Sequence[ModuleFacts]) -> list[_Run]:
        """``parts`` cut into runs, those whose parts are the same objects as last time with
        what was merged over them (the others are forgotten)."""
        known = self._runs
        by_first: dict[int, _Run] = {}
        runs: list[_Run] = []
        start = 0
        count = len(parts)
        while start < count:
            end = start + 1
            while end < count and end - start < _MAX_BLOCK and (id(parts[end - 1]) >> 4) % _BLOCK:
                end += 1
            first, rest = parts[start], tuple(parts[start + 1 : end])
            run = known.get(id(first))
            if run is None or run[0] is not first or run[1] != rest:
                run = (first, rest, {})
            by_first[id(first)] = run
            runs.append(run)
            start = end
        self._runs = by_first  # the runs of the parts of this combination only
        return runs

    def merged(self, parts: Sequence[ModuleFacts], index: str) -> defaultdict[str, list[ast.Call]]:
        """One call index of ``parts`` merged (``_merged_calls``)."""
        return _calls_of_runs(self.runs(parts), index)


def _calls_of_runs(runs: list[_Run], index: str) -> defaultdict[str, list[ast.Call]]:
    """One call index merged over ``runs`` (``CallBlocks``), each run's merge kept with it."""
    indexes: list[dict[str, list[ast.Call]]] = []
    for first, rest, kept in runs:
        merged = kept.get(index)
        if merged is None:
            merged = kept[index] = dict(_merged_calls((first, *rest), index))
        indexes.append(merged)
    result: defaultdict[str, list[ast.Call]] = defaultdict(list)
    for merged in reversed(indexes):
        for key, calls in merged.items():
            result[key].extend(calls)
    return result


class _CombinedFacts(ModuleFacts):
    """``ModuleFacts.combined``: per-type lists, call indexes and parent links are taken from
    the parts when first asked for. Positioned nodes sort into the parts' order; nodes without
    a position keep the walk's order, which visits later statements first."""

    def __init__(
        self,
        source: SourceFile,
        parts: Sequence[ModuleFacts],
        imports: ImportMap,
        module_name: str,
        starts: list[int] | None = None,
        blocks: CallBlocks | None = None,
    ) -> None:
        self.source = source
        self._blocks = blocks
        self._runs: list[_Run] | None = None  # the parts cut into ``blocks``' runs, when first needed
        self.tree = source.tree
        self.module_name = module_name
        self.imports = imports
        self._parts = list(parts)
        self._types: dict[type[ast.AST], list[ast.AST]] = {ast.Module: [self.tree]}
        self._mixed = {}
        self._names: dict[str, list[ast.Call]] | None = None
        self._lookups: dict[str, int] = {"_calls_by_name": 0, "_calls_by_attr": 0}
        self._attrs: dict[str, list[ast.Call]] | None = None
        self._indexes: dict[str, list[dict[str, list[ast.Call]]]] = {}  # ``_part_indexes``
        self._merged_parents: dict[ast.AST, ast.AST] | None = None
        # First line of each located part (when first needed, or the ranges' first lines given).
        self._starts: list[int] | None = starts
        self._located: list[ModuleFacts] = self._parts if starts is not None else []

    def _names_as_walked(self) -> tuple[Sequence[ast.AST], bool]:
        return self._of_type(ast.Name), True

    def unordered(self, node_type: type[ast.AST]) -> Sequence[ast.AST]:
        return self._of_type(node_type)

    def constant_tests(self) -> list[ast.If | ast.While]:
        # Each part keeps its own answer between versions: the few statements, not every ``if``.
        found = self._constant_tests
        if found is None:
            found = self._constant_tests = [node for part in self._parts for node in part.constant_tests()]
        return found

    def _locate_parts(self) -> list[int]:
        """The first line of each part that holds statements (``_located``), in order."""
        starts: list[int] = []
        for part in self._parts:
            body = part.tree.body
            if body:
                first = body[0]
                decorators = getattr(first, "decorator_list", None)
                start = min(first.lineno, *(d.lineno for d in decorators)) if decorators else first.lineno
                starts.append(start)
                self._located.append(part)
        self._starts = starts
        return starts

    def _part_runs(self) -> list[_Run] | None:
        """The parts cut into the runs kept between combinations (``CallBlocks``), if any."""
        if self._runs is None and self._blocks is not None:
            self._runs = self._blocks.runs(self._parts)
        return self._runs

    def _of_type(self, node_type: type[ast.AST]) -> Sequence[ast.AST]:
        found = self._types.get(node_type)
        if found is None:
            found = []
            positioned = "lineno" in node_type._attributes
            runs = self._part_runs() if node_type is not ast.ClassDef else None
            if runs is not None:
                for first, rest, kept in runs if positioned else reversed(runs):
                    listed = kept.get(node_type)
                    if listed is None:
                        members = (first, *rest) if positioned else (*reversed(rest), first)
                        listed = kept[node_type] = [node for part in members for node in part._of_type(node_type)]
                    found.extend(listed)
            else:
                for part in self._parts if positioned else reversed(self._parts):
                    found.extend(part._of_type(node_type))
            self._types[node_type] = found
        return found

    def _sorted_types(self, types: tuple[type[ast.AST], ...]) -> list[ast.AST]:
        if not all("lineno" in t._attributes for t in types) or ast.Module in types:
            return super()._sorted_types(types)
        # Each part's nodes sort before the next part's: merging part by part is the same sort.
        found: list[ast.AST] = []
        runs = self._part_runs() if ast.ClassDef not in types else None
        if runs is not None:
            for first, rest, kept in runs:
                listed = kept.get(types)
                if listed is None:
                    listed = kept[types] = [node for part in (first, *rest) for node in part._nodes_of(types)]
                found.extend(listed)
            return found
        for part in self._parts:
            found.extend(part._nodes_of(types))
        return found

    @property
    def _by_type(self) -> dict[type[ast.AST], list[ast.AST]]:  # type: ignore[override]
        merged: defaultdict[type[ast.AST], list[ast.AST]] = defaultdict(list)
        for part in self._parts:
            for node_type in part._by_type:
                if node_type is not ast.Module:
                    merged[node_type] = list(self._of_type(node_type))
        merged[ast.Module] = [self.tree]
        return merged

    def calls_to(self, *qualnames: str) -> Iterator[tuple[str, ast.Call]]:
        for name in qualnames:
            for call in self._calls_keyed("_calls_by_name", name):
                yield name, call

    def method_calls(self, *attrs: str) -> Iterator[ast.Call]:
        for attr in attrs:
            yield from self._calls_keyed("_calls_by_attr", attr)

    def _calls_keyed(self, index: str, key: str) -> Sequence[ast.Call]:
        """One key of a call index: looked up in each part for the first few keys asked for,
        from the merged index after that."""
        merged = self._names if index == "_calls_by_name" else self._attrs
        if merged is None and self._lookups[index] < _PART_LOOKUPS[index]:
            self._lookups[index] += 1
            return [call for indexed in self._part_indexes(index) if key in indexed for call in indexed[key]]
        return getattr(self, index).get(key, ())

    def _part_indexes(self, index: str) -> list[dict[str, list[ast.Call]]]:
        """One call index of each part, last part first."""
        found = self._indexes.get(index)
        if found is None:
            found = self._indexes[index] = [getattr(part, index) for part in reversed(self._parts)]
        return found

    @property
    def _calls_by_name(self) -> dict[str, list[ast.Call]]:  # type: ignore[override]
        if self._names is None:
            self._names = self._merge_calls("_calls_by_name")
        return self._names

    @property
    def _calls_by_attr(self) -> dict[str, list[ast.Call]]:  # type: ignore[override]
        if self._attrs is None:
            self._attrs = self._merge_calls("_calls_by_attr")
        return self._attrs

    def _merge_calls(self, index: str) -> dict[str, list[ast.Call]]:
        runs = self._part_runs()
        if runs is not None:
            return _calls_of_runs(runs, index)
        return _merged_calls(self._parts, index)

    @property
    def parents(self) -> dict[ast.AST, ast.AST]:  # type: ignore[override]
        if self._merged_parents is None:
            merged: dict[ast.AST, ast.AST] = {}
            for part in reversed(self._parts):
                merged.update(part.parents)
            for statement in self.tree.body:
                merged[statement] = self.tree
            self._merged_parents = merged
        return self._merged_parents

    def name_uses(self) -> NameUses:
        # The parts' indexes read as one (each part keeps its own between versions), so a version
        # whose parts are mostly unchanged does not walk every name of the module again.
        if self._name_uses is None:
            self._name_uses = _CombinedNameUses([part.name_uses() for part in self._parts])
        return self._name_uses

    def _part_of(self, node: ast.AST) -> ModuleFacts | None:
        """The first part whose index holds ``node`` (the one a merged parent map would keep)."""
        line = getattr(node, "lineno", None)
        starts = self._starts if self._starts is not None else self._locate_parts()
        if line is not None and starts:
            index = bisect.bisect_right(starts, line) - 1
            if index >= 0:
                part = self._located[index]
                if node in part.parents:
                    return part
        for part in self._parts:
            if node in part.parents:
                return part
        return None

    def parent(self, node: ast.AST) -> ast.AST | None:
        if self._merged_parents is not None:
            return self._merged_parents.get(node)
        part = self._part_of(node)
        if part is None:
            return None
        found = part.parents[node]
        return self.tree if found is part.tree else found

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
        return None

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        if self._merged_parents is not None:
            yield from super().ancestors(node)
            return
        part = self._part_of(node)
        if part is None:
            return
        parents, root = part.parents, part.tree
        current = parents.get(node)
        while current is not None and current is not root:
            yield current
            current = parents.get(current)
        if current is root:
            yield self.tree

    def enclosing_statement(self, node: ast.AST) -> ast.stmt:
        current: ast.AST = node
        while not isinstance(current, ast.stmt):
            parent = self.parent(current)
            if parent is None:
                break
            current = parent
        assert isinstance(current, ast.stmt) or current is self.tree
        return current  # type: ignore[return-value]


def _in_source_order(nodes: list[ast.AST]) -> None:
    """Sort positioned nodes in place by where they start."""
    try:
        nodes.sort(key=_POSITION)
    except AttributeError:  # a node made without a position
        nodes.sort(key=source_position)


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    """The keyword argument ``name`` of a call, if given explicitly."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def true_constant(node: ast.AST | None) -> bool:
    """Whether ``node`` is a constant that is true (``shell=True``, ``shell=1``)."""
    return isinstance(node, ast.Constant) and bool(node.value)


def false_constant(node: ast.AST | None) -> bool:
    """Whether ``node`` is a constant that is false (``shell=False``, ``shell=None``)."""
    return isinstance(node, ast.Constant) and not node.value


def may_run_shell(call: ast.Call) -> bool:
    """Whether a process call passes a ``shell`` keyword that is not a false constant: a shell
    may run its command (``shell=True``, or a value known only at run time)."""
    shell_kw = keyword(call, "shell")
    return shell_kw is not None and not false_constant(shell_kw.value)


def keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    return kw.value if kw is not None else None


def argument(call: ast.Call, position: int, name: str | None = None) -> ast.expr | None:
    """A call argument by position or keyword name (None if absent or after ``*args``)."""
    if name is not None:
        value = keyword_value(call, name)
        if value is not None:
            return value
    if position < len(call.args):
        for arg in call.args[: position + 1]:
            if isinstance(arg, ast.Starred):
                return None
        return call.args[position]
    return None


def constant_value(node: ast.AST | None) -> object:
    """The literal value of a constant node; ``NotConstant`` otherwise."""
    if isinstance(node, ast.Constant):
        return node.value
    return NOT_CONSTANT


class _NotConstant:
    def __repr__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT = _NotConstant()


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_falsy_constant(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def is_string_literal(node: ast.AST | None) -> bool:
    """A plain string constant (no interpolation)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def is_built_string(node: ast.AST | None) -> bool:
    """A string assembled at run time: f-string with values, ``%``, ``+``, ``.format``, ``join``.

    Walks the operands with a stack, not recursion: ``"a" + x + "b" + ...`` nests as deep as
    the expression is long."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.JoinedStr):
            if any(isinstance(v, ast.FormattedValue) for v in current.values):
                return True
        elif isinstance(current, ast.BinOp) and isinstance(current.op, (ast.Add, ast.Mod)):
            operands = [current.left, current.right] if isinstance(current.op, ast.Add) else [current.left]
            if any(is_string_literal(operand) for operand in operands):
                return True
            pending += reversed(operands)
        elif isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            if current.func.attr in {"format", "format_map", "join"} and is_string_literal(current.func.value):
                return True
    return False
