"""Custom URL converters of Werkzeug/Flask routes (``<uuid_str:id>``): a converter registered by the
project (``app.url_map.converters["uuid_str"] = StrictUUIDConverter``) whose ``to_python`` returns
no part of the matched text unchecked (a number, ``str(UUID(value))``, the value only after an
allowlist held) hands the view a clean value, like the built-in ``int``/``uuid`` converters. A
converter defined elsewhere than where it is registered, or without its own ``to_python``
(the text as matched), keeps its parameters request data.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..source import parse_quietly
from .spec import ALL_CLASSES, TaintSpec
from .values import whole

# Werkzeug's own converters that hand over the matched text as it is.
TEXT_CONVERTERS = frozenset({"default", "string", "path", "any"})
_MARKER = "converters"


def registered_converters(text: str, path: str = "") -> tuple[str, ...]:
    """``name=Class`` for each converter the module registers (``….converters["name"] = Class``,
    ``….converters.update(name=Class)`` or ``.update({"name": Class})``) with a class it defines."""
    if _MARKER not in text:
        return ()
    tree = parse_quietly(text, path)
    if tree is None:
        return ()
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    return tuple(f"{name}={cls}" for name, cls in _registrations(tree) if cls in classes)


def _registrations(tree: ast.Module) -> Iterator[tuple[str, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _is_converters(target.value)
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    yield target.slice.value, node.value.id
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and _is_converters(node.func.value)
        ):
            for kw in node.keywords:
                if kw.arg is not None and isinstance(kw.value, ast.Name):
                    yield kw.arg, kw.value.id
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    for key, value in zip(arg.keys, arg.values, strict=True):
                        if isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(value, ast.Name):
                            yield key.value, value.id


def _is_converters(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == _MARKER


class CleanConverters:
    """Which custom converter names give clean values, asked of the project once per name."""

    def __init__(self, project: Any, spec: TaintSpec) -> None:
        self.project = project
        self.spec = spec
        self._known: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        if name not in self._known:
            self._known[name] = self._judge(name)
        return self._known[name]

    def _judge(self, name: str) -> bool:
        setups = getattr(self.project, "environment_setups", None)
        summary_of = getattr(self.project, "function_summary", None)
        if setups is None or summary_of is None:
            return False
        classes = [
            (file, entry.split("=", 1)[1])
            for file, entry in setups("url-converters", _MARKER, registered_converters)
            if entry.split("=", 1)[0] == name
        ]
        return bool(classes) and all(self._clean(summary_of, file, cls) for file, cls in classes)

    def _clean(self, summary_of: Callable[..., Any], file: Path, cls: str) -> bool:
        """``to_python`` of ``cls`` (defined in ``file``) returns no unchecked part of its value."""
        summary = summary_of(f"{file.stem}.{cls}.to_python", self.spec, str(file))
        if summary is None or len(summary.params) <= summary.offset:
            return False
        value = summary.offset  # the parameter after ``self``
        return all(
            ALL_CLASSES in label.cleaned
            for label in whole(summary.returns)
            if label.origin.kind == "param" and label.origin.index == value
        )


def route_converters(paths: list[str], pattern: Any) -> dict[str, set[str]]:
    """Parameter name → the converters naming it in the route ``paths`` ('' for none)."""
    found: dict[str, set[str]] = {}
    for path in paths:
        for converter, name in pattern.findall(path):
            found.setdefault(name, set()).add(converter)
    return found
