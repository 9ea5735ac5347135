"""What calls of a few builtins give: ``str``/``format``/``repr`` the argument's data as text,
``compile`` of a constant text a known value, ``dict(a=x)`` a mapping with constant keys."""

from __future__ import annotations

from .call_data import all_taint
from .values import EMPTY, EMPTY_TAINT, CompiledConstant, Val, as_text, choices


def builtin_result(name: str | None, args: list[Val], kwargs: dict[str | None, Val]) -> Val | None:
    """``str(v)`` / ``format`` / ``repr``: the argument's data; ``compile`` of a constant text: a
    known value (None: another call)."""
    if name == "builtins.compile" and args and isinstance(args[0].const, str) and not args[0].taint:
        return Val(const=CompiledConstant(args[0].const))
    if name is not None and name in ("builtins.str", "builtins.format", "builtins.repr"):
        return Val(as_text(all_taint(None, args, kwargs))) if args else EMPTY
    return None


def keyword_dict(kwargs: dict[str | None, Val]) -> Val:
    """``dict(a=x, b=y)``: a mapping with the keyword names as its constant keys, read back
    one by one like a ``{"a": x, "b": y}`` display."""
    parts: dict[str, Val] = {}
    for key, value in kwargs.items():
        if key is None:
            continue
        if value.taint or value.parts or value.kind:
            parts[repr(key)] = value
        elif choices(value.const) is not None:
            parts[repr(key)] = Val(const=value.const)
    return Val(EMPTY_TAINT, tuple(sorted(parts.items())))
