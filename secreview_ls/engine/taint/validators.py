"""Validators: functions that prove an argument harmless or raise.

``validate_name(name)`` used as a statement, whose body raises unless ``re.fullmatch(P, name)``
held (``name in ALLOWED``, ``uuid.UUID(name)`` parsed), leaves ``name`` clean in the caller for
the rest of the block, as the same check written there would. A summary keeps, by parameter
position, the classes the parameter's whole value is clean for at every ``return`` and at the
end of the body (``proven_parameters``); a parameter the function rebinds proves nothing about
the caller's value; a coroutine's proves it only where the call is awaited (its body runs
then), a generator's never. A call whose result is dropped and that raises unless its argument has a
form (``int(value)``, ``uuid.UUID(value)``) proves that form (``form_checked``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..facts import ModuleFacts
from .spec import ABSOLUTE_REJECTED, LINE_BREAKS_REMOVED, OPTIONS_REJECTED, QUOTED_ONLY, RELATIVE_ONLY, TaintSpec
from .state import Env, Frame, FunctionNode
from .values import Val, cleaned, whole

if TYPE_CHECKING:
    from .ports import Evaluator

# Marks that qualify the classes beside them and so travel with them to the caller.
_QUALIFYING = frozenset({QUOTED_ONLY, RELATIVE_ONLY, ABSOLUTE_REJECTED})

# Calls that raise unless their argument spells a number or a UUID: what passes holds digits,
# hex digits, signs, ``_``, ``-``, braces, ``urn:uuid:`` and surrounding blanks, line breaks among
# them (``int(" 7\n")`` is 7), so it stays dangerous where a line break is, or a leading ``-``
# (``-5`` an option of the program it is handed to).
_FORM_CHECKS = frozenset({"builtins.int", "uuid.UUID"})


def evaluated(
    interpreter: Evaluator, node: ast.expr, env: Env, fn: Frame, *, dropped_by: TaintSpec | None = None
) -> Val:
    """The value of a statement's expression, the call it makes whole marked on the frame while it
    runs (a validator's summary cleans that call's arguments, ``interprocedural.py``). With
    ``dropped_by`` (the result is dropped), ``int(v)`` / ``uuid.UUID(v)`` clean ``v`` after it."""
    awaited = isinstance(node, ast.Await)
    inner = node.value if isinstance(node, ast.Await) else node
    fn.statement_call = inner if isinstance(inner, ast.Call) else None
    fn.statement_awaited = awaited
    try:
        value = interpreter.eval(node, env, fn)
    finally:
        fn.statement_call = None
    checked = form_checked(interpreter.facts, dropped_by, node) if dropped_by is not None else None
    if checked is not None:
        interpreter.update(checked[0], env, lambda old: cleaned(old, checked[1]))
    return value


def may_validate(fn: FunctionNode, facts: ModuleFacts, spec: TaintSpec) -> bool:
    """A function with parameters that may leave by raising (``raise``, ``abort(400)``): only
    such a function can prove its argument on every way it returns."""
    args = fn.args
    if not (args.posonlyargs or args.args or args.kwonlyargs):
        return False
    for node in ast.walk(fn):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and facts.qualname(node.func) in spec.noreturn:
            return True
    return False


def proven_parameters(
    fn: FunctionNode, params: dict[int, str], exits: Iterable[Env | None], skip: str | None
) -> tuple[tuple[int, frozenset[str]], ...]:
    """The parameters whose own label is cleaned at every normal exit, with those classes."""
    ends = [end for end in exits if end is not None]
    if not ends or any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in ast.walk(fn)):
        return ()  # a generator's body runs only as it is iterated, not at the call
    rebound = _rebound(fn)
    proven = []
    for index, name in params.items():
        if name == skip or name in rebound:
            continue
        classes: frozenset[str] | None = None
        for end in ends:
            value = end.get(name)
            own = [
                lab.cleaned
                for lab in (whole(value) if value is not None else ())
                if lab.origin.kind == "param" and lab.origin.index == index and not lab.origin.access
            ]
            if not own:
                classes = frozenset()
                break
            held = frozenset.intersection(*own)
            classes = held if classes is None else classes & held
            if not classes:
                break
        kept = frozenset(c for c in classes or () if not c.startswith("~") or c in _QUALIFYING)
        if kept - _QUALIFYING:
            proven.append((index, kept))
    return tuple(proven)


def _rebound(fn: FunctionNode) -> set[str]:
    """Names the function stores into (assignments, loops, ``with ... as``, ``del``)."""
    return {
        node.id for node in ast.walk(fn) if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del))
    }


def form_checked(facts: ModuleFacts, spec: TaintSpec, call: ast.expr) -> tuple[ast.expr, frozenset[str]] | None:
    """``int(value)`` / ``uuid.UUID(value)`` whose result is dropped: the value it checked and
    the classes passing it cleans (every class but those a line break or a leading ``-`` harms)."""
    if not isinstance(call, ast.Call) or len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
        return None
    if facts.qualname(call.func) not in _FORM_CHECKS:
        return None
    return call.args[0], spec.class_ids - spec.cleaned_by(LINE_BREAKS_REMOVED) - spec.cleaned_by(OPTIONS_REJECTED)
