"""Input stored in a kept store (a session) and read back by other views: second-order flows.

``session["sort"] = request.form["sort"]`` in one view and ``"... ORDER BY " + session["sort"]``
in another: the client chose what the second view reads. The store is found among the hits of a
first pass (the value reached the store, so it holds input); a second pass then reads that key of
the store as the stored value, with a step at the store (``Interpreter.stored``). Only constant
keys count, and only when a function other than the one storing reads the key back (the storing
view's own later reads already see the value).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ..facts import ModuleFacts
from ..finding import FlowStep, StepKind
from .keys import const_key
from .state import NodeTexts
from .summary import SinkHit
from .values import EMPTY, Label, Val, join

Kept = dict[str, dict[str, Val]]  # base → constant key → what views store there


def kept_bases(facts: ModuleFacts, base: ast.expr, kept: frozenset[str]) -> frozenset[str]:
    """The kept stores ``base`` may be: its qualified name (``flask.session``), or the stores of
    request objects read at its attribute (``request.session``)."""
    name = facts.qualname(base)
    if name is not None and name in kept:
        return frozenset({name})
    if isinstance(base, ast.Attribute) and name is None:
        return frozenset(store for store in kept if store.endswith("." + base.attr))
    return frozenset()


def stored_values(
    facts: ModuleFacts, texts: NodeTexts, hits: Iterable[SinkHit], kept: frozenset[str], step_path: str | None
) -> Kept:
    """What the hits at stores into kept stores put there, by base and constant key."""
    found: Kept = {}
    for hit in hits:
        node = hit.node
        if not isinstance(node, ast.Subscript) or not isinstance(node.ctx, ast.Store):
            continue
        key = const_key(node.slice)
        bases = kept_bases(facts, node.value, kept) if key is not None else frozenset()
        if not bases or not _read_elsewhere(facts, node, key, bases, kept):  # type: ignore[arg-type]
            continue
        step = FlowStep.of(StepKind.ASSIGNED, texts.text(node), texts.span(node), step_path)
        label = hit.label
        steps = tuple(s for s in label.steps if s.kind is not StepKind.SINK)
        value = Val(frozenset({Label(label.origin, label.cleaned, (*steps, step))}))
        for base in bases:
            entries = found.setdefault(base, {})
            entries[key] = join(entries.get(key, EMPTY), value)  # type: ignore[index]
    return found


def _read_elsewhere(
    facts: ModuleFacts, store: ast.Subscript, key: str, bases: frozenset[str], kept: frozenset[str]
) -> bool:
    """Whether a function other than the storing one reads ``key`` of the same store."""
    owner = facts.enclosing_function(store)
    for node in facts.unordered(ast.Subscript):
        if (
            isinstance(node.ctx, ast.Load)  # type: ignore[attr-defined]
            and const_key(node.slice) == key  # type: ignore[attr-defined]
            and facts.enclosing_function(node) is not owner
            and kept_bases(facts, node.value, kept) & bases  # type: ignore[attr-defined]
        ):
            return True
    for node in facts.unordered(ast.Call):
        func = node.func  # type: ignore[attr-defined]
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "pop")
            and node.args  # type: ignore[attr-defined]
            and const_key(node.args[0]) == key  # type: ignore[attr-defined]
            and facts.enclosing_function(node) is not owner
            and kept_bases(facts, func.value, kept) & bases
        ):
            return True
    return False
