"""Input a function keeps in module-level state and other functions read: flows across requests.

``global LAST; LAST = request.args["q"]`` in one view, ``CACHE[k] = request.form["x"]``,
``STATE.cmd = ...`` or ``ITEMS.append(request.json["c"])``, and ``os.system(LAST)`` in another
view (or a helper it calls): the client chose what the second view runs. The writers are found
by their code (``state_writers``); what they store, from the summaries of a first pass (a
function's ``globals_out``: the module-level names it stores outside data into, with their
values). A second pass then starts every other function with those names holding what was
stored, with a step at the store (``stored_state``). The module's own top-level code runs at
import, before any request, and does not see them.

Only input from a remote peer counts, and only names some function other than the storing one
reads: a name only ever given constants, or one the reader assigns before its use, stays quiet.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from ..facts import ModuleFacts, subtree
from ..finding import FlowStep, StepKind
from .arguments_out import GROWING, stored_root
from .state import FunctionNode, NodeTexts
from .summary import Summary
from .values import EMPTY, Val, join

State = dict[str, Val]  # module-level name → what functions stored there from input
# The scopes declaring ``global`` names (with those names), and the scopes storing into a part
# of each bare name (``ScopeTable.state_candidates``).
StateCandidates = tuple[dict[ast.AST, frozenset[str]], dict[str, dict[ast.AST, None]]]


def _local_names(fn: FunctionNode) -> tuple[set[str], set[str]]:
    """The names ``fn`` binds itself (assigns, parameters, imports ...) and the ones it declares
    ``global``."""
    bound: set[str] = set()
    declared: set[str] = set()
    args = fn.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if arg is not None:
            bound.add(arg.arg)
    for node in subtree(fn):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return bound - declared, declared


def _stores(fn: FunctionNode, module: frozenset[str]) -> dict[str, ast.AST]:
    """The module-level names ``fn`` stores into, each with its first store: an assignment to a
    name declared ``global``, or a store into (or growing call on) a part of a module-level name
    the function does not bind itself."""
    local, declared = _local_names(fn)
    stores: list[tuple[ast.AST, str]] = []
    for node in subtree(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            if node.id in declared:
                stores.append((node, node.id))
            continue
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            root = stored_root(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GROWING:
            root = stored_root(node.func.value)
        else:
            continue
        if isinstance(root, ast.Name) and root.id not in local and (root.id in module or root.id in declared):
            stores.append((node, root.id))
    # The stores in source order (a stable sort of the few kept is that of all the nodes, filtered).
    stores.sort(key=lambda store: (store[0].lineno, store[0].col_offset))  # type: ignore[attr-defined]
    found: dict[str, ast.AST] = {}
    for node, name in stores:
        found.setdefault(name, node)
    return found


def state_writers(
    facts: ModuleFacts, module: frozenset[str], scoped: StateCandidates | None = None
) -> dict[FunctionNode, dict[str, ast.AST]]:
    """The functions that store into module-level names (``module``, or names some function
    declares ``global``) another function reads, with those names and their first stores.

    ``scoped``: the scopes declaring ``global`` names and those storing into a part of each
    bare name (``ScopeTable.state_candidates``), kept scope by scope across versions; without
    it the module's nodes are gone through."""
    owners: set[FunctionNode] = set()
    if scoped is not None:
        declaring, storing = scoped
        names = module.union(*declaring.values())
        if not names:
            return {}
        functions = (ast.FunctionDef, ast.AsyncFunctionDef)
        owners.update(scope for scope in declaring if isinstance(scope, functions))  # type: ignore[misc]
        for name in names:
            owners.update(scope for scope in storing.get(name, ()) if isinstance(scope, functions))  # type: ignore[misc]
    else:
        declared = {name for node in facts.unordered(ast.Global) for name in node.names}  # type: ignore[attr-defined]
        names = module | declared
        if not names:
            return {}
        for node in facts.unordered(ast.Global):
            owner = facts.enclosing_function(node)
            if owner is not None:
                owners.add(owner)
        for kind in (ast.Subscript, ast.Attribute):
            for node in facts.unordered(kind):
                if isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
                    _add_owner(facts, node, node.value, names, owners)  # type: ignore[attr-defined]
        for call in facts.method_calls(*GROWING):
            _add_owner(facts, call, call.func.value, names, owners)  # type: ignore[attr-defined]
    candidates: dict[FunctionNode, dict[str, ast.AST]] = {}
    for fn in owners:
        stores = _stores(fn, frozenset(names))
        if stores:
            candidates[fn] = stores
    if not candidates:
        return {}
    _add_callers(facts, candidates)
    readers = _readers(facts, frozenset(n for stores in candidates.values() for n in stores))
    writers: dict[FunctionNode, dict[str, ast.AST]] = {}
    for fn, stores in candidates.items():
        read = {name: node for name, node in stores.items() if readers.get(name, set()) - {fn}}
        if read:
            writers[fn] = read
    return writers


def _add_callers(facts: ModuleFacts, candidates: dict[FunctionNode, dict[str, ast.AST]]) -> None:
    """Count as storing what a module-level function it calls by name stores (``remember(v)``
    keeping ``v`` in a ``global``), the call standing for the store; a few levels deep."""
    by_name = {fn.name: fn for fn in facts.tree.body if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if not by_name:
        return
    # The calls by the bare name of such a function, in the module's order, picked out once.
    named = [
        call
        for call in facts.unordered(ast.Call)
        if isinstance(call.func, ast.Name) and call.func.id in by_name  # type: ignore[attr-defined]
    ]
    for _ in range(3):
        grew = False
        for call in named:
            callee = by_name[call.func.id]  # type: ignore[attr-defined]
            stores = candidates.get(callee)
            caller = facts.enclosing_function(call) if stores else None
            if caller is None or caller is callee:
                continue
            known = candidates.setdefault(caller, {})
            for name in stores:  # type: ignore[union-attr]
                if name not in known:
                    known[name] = call
                    grew = True
        if not grew:
            return


def _add_owner(facts: ModuleFacts, node: ast.AST, base: ast.expr, names: set[str], owners: set[FunctionNode]) -> None:
    root = stored_root(base)
    if isinstance(root, ast.Name) and root.id in names:
        owner = facts.enclosing_function(node)
        if owner is not None:
            owners.add(owner)


def _readers(facts: ModuleFacts, names: frozenset[str]) -> dict[str, set[FunctionNode]]:
    """The functions that read each of ``names`` (a load of the bare name inside a function),
    from the module's reads by identifier (kept part by part between versions), not a pass over
    every ``Name`` node."""
    found: dict[str, set[FunctionNode]] = {}
    uses = facts.name_uses()
    for name in names:
        for node in uses.any_order_loads(name):
            owner = facts.enclosing_function(node)
            if owner is not None:
                found.setdefault(name, set()).add(owner)
    return found


def state_readers(facts: ModuleFacts, state: State) -> set[FunctionNode]:
    """The functions that read a name of ``state`` and do not bind it themselves."""
    found: set[FunctionNode] = set()
    for name, owners in _readers(facts, frozenset(state)).items():
        for fn in owners:
            local, _ = _local_names(fn)
            if name not in local:
                found.add(fn)
    return found


def stored_state(
    writers: dict[FunctionNode, dict[str, ast.AST]],
    summary_of: Callable[[FunctionNode], Summary | None],
    texts: NodeTexts,
) -> tuple[State, frozenset[FlowStep]]:
    """What the writers' summaries say they store from remote input into module-level names,
    with a step at each store; and those steps (a hit through one of them is a flow through
    module state)."""
    state: State = {}
    steps: set[FlowStep] = set()
    for fn, stores in writers.items():
        summary = summary_of(fn)
        if summary is None:
            continue
        for name, value in summary.globals_out:
            store = stores.get(name)
            if store is None:
                continue
            step = FlowStep.of(StepKind.ASSIGNED, name, texts.span(store))
            kept = _remote(value, step)
            if kept is not None:
                steps.add(step)
                state[name] = join(state.get(name, EMPTY), kept)
    return state, frozenset(steps)


def _remote(value: Val, step: FlowStep) -> Val | None:
    """``value`` with only its labels from remote input (a parameter's or a local source's are
    dropped), each with ``step`` added; None when none is left."""
    taint = frozenset(
        label.with_step(step) for label in value.taint if label.origin.kind != "param" and not label.origin.local
    )
    parts = []
    for key, part in value.parts:
        kept = _remote(part, step)
        if kept is not None:
            parts.append((key, kept))
    if not taint and not parts:
        return None
    return Val(taint, tuple(parts), value.kind)


def through_state(steps: Iterable[FlowStep], state_steps: frozenset[FlowStep]) -> bool:
    """Whether a path goes through one of the module-state stores."""
    return any(step in state_steps for step in steps)
