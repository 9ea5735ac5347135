"""What the arguments of a sink's call are known to hold: keyword literals, constant texts the
analysis knows, receivers that make a method of a sink's name another API, and objects (not text)
a sink turns into a URL itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from ..facts import ModuleFacts
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


def request_object(kind: str | None) -> bool:
    """An object an API client's ``execute`` sends (``client.execute(OrdersGetRequest(order_id))``):
    made by a class named ``...Request``, it is a request to a web API, not SQL text."""
    if not kind or not kind.endswith("Request()"):
        return False
    word = kind[: -len("()")].rsplit(".", 1)[-1]
    return word[:1].isupper() and word != "Request"


def model_object(value: Val) -> bool:
    """An object rather than text: the record a ``save()`` returned (a model form's or a
    serializer's), or a value known only by attributes the program set on it."""
    if value.kind is not None and value.kind.endswith(".save()"):
        return True
    return bool(value.parts) and not value.taint and all(key.startswith(".") for key, _ in value.parts)


@dataclass(frozen=True)
class Formatter:
    """A ``string.Formatter``: whether its ``get_field`` follows attributes and items of a field
    (``{user.__class__}``), as the base class does."""

    get_field_reads: bool


def _reads_fields(cls: ast.ClassDef) -> bool:
    """The class keeps the base ``get_field`` (or calls it, or ``getattr``): a field name's
    ``.attribute`` and ``[item]`` parts are followed. An own ``get_field`` that looks the whole
    name up (``return self.context[name], name``) reads nothing else."""
    own = next(
        (n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "get_field"),
        None,
    )
    if own is None:
        return True
    for node in ast.walk(own):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "get_field":
                return True
            if isinstance(func, ast.Name) and func.id in ("getattr", "eval"):
                return True
    return False


def formatter_of(facts: ModuleFacts, kind: str | None) -> Formatter | None:
    """An instance of ``string.Formatter`` or of a class of the module derived from it."""
    if kind == "string.Formatter()":
        return Formatter(get_field_reads=True)
    if not kind or not kind.startswith("class:"):
        return None
    name = kind[len("class:") :]
    for node in facts.tree.body:
        if (
            isinstance(node, ast.ClassDef)
            and node.name == name
            and any(facts.qualname(base) == "string.Formatter" for base in node.bases)
        ):
            return Formatter(get_field_reads=_reads_fields(node))
    return None


def receiver_argument(
    facts: ModuleFacts, mode: str, node: ast.Call, receiver: Val, args: list[Val]
) -> Iterator[tuple[ast.AST, Val, bool]]:
    """The receiver checked as a sink's value, or for a ``string.Formatter`` (``Formatter().format(
    template, **objects)``) its first argument, the template."""
    formatter = formatter_of(facts, receiver.kind) if mode == "with-arguments" else None
    if formatter is None:
        yield node.func, receiver, False
        return
    own = receiver.kind != "string.Formatter()"  # a subclass may hold the objects itself
    if (
        formatter.get_field_reads
        and node.args
        and not isinstance(node.args[0], ast.Starred)
        and (own or node.keywords or len(node.args) > 1)
    ):
        yield node.args[0], args[0], False
