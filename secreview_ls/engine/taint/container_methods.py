"""Methods that store into or read from a container (``append``, ``update``, ``get``, ``keys``...):
what each does to the receiver, and the value it returns."""

from __future__ import annotations

import ast
from typing import Any, Protocol

from ..finding import FlowStep
from .call_data import all_taint
from .keys import const_key, keys_of, line_entry, server_entry
from .state import Env
from .values import (
    EMPTY,
    Val,
    add_to_rest,
    appended,
    cleaned,
    concatenated,
    get_part,
    inserted,
    join,
    mapping_items,
    mapping_keys,
    mapping_values,
    popped,
    sequence_elements,
    set_part,
    unordered,
    whole,
    with_step,
)


class Calls(Protocol):
    """What the container methods read of the call evaluator (``calls.Calls``)."""

    interpreter: Any
    spec: Any
    facts: Any
    line_breaks_removed: frozenset[str]


MUTATORS_ADD = frozenset({"append", "add", "appendleft", "insert", "push"})
MUTATORS_EXTEND = frozenset({"extend", "update", "extendleft", "__iadd__"})


def _is_int(key: str) -> bool:
    return key.lstrip("-").isdigit()


def container_method(
    calls: Calls,
    node: ast.Call,
    method: str,
    receiver: Val,
    args: list[Val],
    kwargs: dict[str | None, Val],
    env: Env,
) -> Val | None:
    """Methods that store into or read from a container (``append``, ``update``, ``get``...)."""
    update = calls.interpreter.update
    target = node.func.value  # type: ignore[attr-defined]
    if method == "set" and len(node.args) >= 2 and len(args) == len(node.args):
        # ``set(section, key, value)`` (configparser, caches): what is stored comes back out
        # of ``get`` with the same constant keys.
        value = args[-1]
        key = keys_of(node.args[:-1])
        if key is not None:
            update(target, env, lambda base: set_part(base, key, value))
        elif value.taint or value.parts:
            update(target, env, lambda base: add_to_rest(base, value))
        return EMPTY
    if method in ("write", "writelines") and args and receiver.kind in calls.spec.buffer_kinds:
        value = Val(whole(args[0]))
        if value.taint:
            interpreter = calls.interpreter
            text = f"written to `{interpreter.texts.text(target)}`"
            value = with_step(value, FlowStep(interpreter.texts.span(node), text, interpreter.step_path))
            update(target, env, lambda base: add_to_rest(base, value))
        return EMPTY
    if method == "append" and len(args) == 1 and not kwargs:
        value = args[0]
        operands = calls.interpreter.end_of_options
        update(target, env, lambda base: appended(base, value, operands))  # constants too: they take a position
        return EMPTY
    if method in MUTATORS_ADD and args:
        value = args[-1]
        position = const_key(node.args[0]) if method == "insert" and len(node.args) == 2 else None
        if method == "appendleft" and len(node.args) == 1:
            position = "0"
        if position is not None and _is_int(position) and inserted(receiver, int(position), value) is not None:
            update(target, env, lambda base: inserted(base, int(position), value) or unordered(base))
        elif method in ("insert", "appendleft"):
            update(target, env, lambda base: unordered(add_to_rest(base, value)))
        elif value.taint or value.parts:
            update(target, env, lambda base: add_to_rest(base, value))
        return EMPTY
    if method == "extend" and len(args) == 1 and not kwargs and sequence_elements(receiver) is not None:
        # ``cmd.extend(["--", path])``: the elements keep their order after the receiver's
        extended, operands = args[0], calls.interpreter.end_of_options
        literal = isinstance(node.args[0], (ast.List, ast.Tuple))
        update(target, env, lambda base: concatenated(base, extended, operands, literal=literal))
        return EMPTY
    if method in MUTATORS_EXTEND and (args or kwargs):
        value = Val(all_taint(None, args, kwargs))
        if value.taint:
            update(target, env, lambda base: add_to_rest(base, value))
        elif method != "update":
            update(target, env, lambda base: add_to_rest(base, EMPTY))  # positions after it unknown
        return EMPTY
    if method == "pop" and len(node.args) <= 1 and receiver.parts:
        index = const_key(node.args[0]) if node.args else "-1"
        result = popped(receiver, int(index)) if index is not None and _is_int(index) else None
        if result is not None:
            update(target, env, lambda base: (popped(base, int(index)) or (EMPTY, base))[1])  # type: ignore[arg-type]
            return result[0]
    if method == "setdefault" and node.args:
        key = const_key(node.args[0])
        if key is not None and len(args) > 1:
            current = get_part(receiver, key)
            update(target, env, lambda base: set_part(base, key, join(current, args[1])))
            return join(current, args[1])
        return None
    if method in ("get", "pop") and len(node.args) >= 2:
        stored = keys_of(node.args[:2])
        if stored is not None and receiver.part(stored) is not None:
            return get_part(receiver, stored)  # ``conf.get(section, key)``
    if method in ("get", "pop") and node.args:
        key = const_key(node.args[0])
        if server_entry(calls.spec.client_keys, receiver.kind, node.args[0]):
            return args[1] if len(args) > 1 else EMPTY  # ``environ.get("APP_CONFIG", default)``
        if key is not None:
            value = get_part(receiver, key)
            if line_entry(calls.spec.line_keys, receiver.kind, node.args[0]):
                value = cleaned(value, calls.line_breaks_removed)
            if len(args) > 1:
                value = join(value, args[1])
            if "type" in kwargs:
                type_node = next((kw.value for kw in node.keywords if kw.arg == "type"), None)
                if type_node is not None and calls.facts.qualname(type_node) in calls.spec.sanitizers:
                    return EMPTY
            return value
        # A key computed here picks an element of the receiver (or the default given):
        # the key's own text does not come back.
        default = args[1] if len(args) > 1 else EMPTY
        return join(Val(mapping_values(receiver)), default) if receiver.taint or receiver.parts else default
    if method == "pop" and not node.args:
        return Val(mapping_values(receiver))
    if method in ("remove", "sort", "reverse") and receiver.parts:
        update(target, env, unordered)  # the elements move
        return EMPTY
    if method in ("remove", "discard", "clear", "sort", "reverse"):
        return EMPTY
    if method == "keys":
        return mapping_keys(receiver)
    if method == "items":
        return mapping_items(receiver)
    if method in ("copy", "values"):
        return receiver if method == "copy" else Val(mapping_values(receiver))
    return None
