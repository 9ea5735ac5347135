"""What the arguments of a sink's call are known to hold: keyword literals, constant texts the
analysis knows, and receivers that make a method of a sink's name another API."""

from __future__ import annotations

import ast

from .values import NO_CONST, Val


def keyword_text(keyword: ast.keyword, kwargs: dict[str | None, Val]) -> str | None:
    """The text a keyword argument is known to hold: a literal, or a value the analysis knows
    is one constant string (``content_type=PROBLEM_JSON`` with ``PROBLEM_JSON = "..."``)."""
    if isinstance(keyword.value, ast.Constant):
        return str(keyword.value.value)
    value = kwargs.get(keyword.arg)
    const = value.const if value is not None else NO_CONST
    return const if isinstance(const, str) else None


def keyword_given(node: ast.Call, setting: str) -> bool:
    """``setting`` (``"allow_pickle=True"``): the call gives that keyword that literal value."""
    keyword, _, literal = setting.partition("=")
    return any(
        kw.arg == keyword and isinstance(kw.value, ast.Constant) and repr(kw.value.value) == literal
        for kw in node.keywords
    )


def other_api(func: ast.expr, receiver: Val | None, modules: tuple[str, ...]) -> bool:
    """The method is called on text (``"a, b".find(sep)``) or on an object of one of ``modules``
    (its kind's top module): not the API whose method of that name is the sink."""
    target = func.value if isinstance(func, ast.Attribute) else None
    if isinstance(target, ast.JoinedStr) or (
        isinstance(target, ast.Constant) and isinstance(target.value, (str, bytes))
    ):
        return True
    if receiver is None:
        return False
    if isinstance(receiver.const, (str, bytes)):
        return True
    return receiver.kind is not None and receiver.kind.split(".", 1)[0] in modules
