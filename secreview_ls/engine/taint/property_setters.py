"""Properties with a setter: ``obj.name = v`` runs the setter, and ``obj.name`` then reads what
the getter gives back from the object the setter changed.

A store at ``obj.name`` is kept as the object's part ``.name`` (``Interpreter.assign``); a read
of the property with such a part runs the setter on the object with that part, then the getter
on what the setter left in ``self`` (both where the read is, as closures run).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from .state import Env, Frame, join_envs
from .values import Val

if TYPE_CHECKING:
    from .closures import Closures

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class PropertySetters:
    """Reads of properties stored through their setter."""

    def __init__(self, closures: Closures, depend: Callable[[FunctionNode], object]) -> None:
        self.closures = closures
        self.depend = depend  # asks a method's summary: the reader's record then changes with its code
        self._setters: dict[tuple[ast.ClassDef, str], FunctionNode | None] = {}

    def setter(self, cls: ast.ClassDef, name: str) -> FunctionNode | None:
        """The ``@name.setter`` method of ``cls`` (None when it has none)."""
        key = (cls, name)
        if key not in self._setters:
            found = None
            for item in cls.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                    for decorator in item.decorator_list:
                        if (
                            isinstance(decorator, ast.Attribute)
                            and decorator.attr == "setter"
                            and isinstance(decorator.value, ast.Name)
                            and decorator.value.id == name
                            and _two_parameters(item.args)
                        ):
                            found = item
            self._setters[key] = found
        return self._setters[key]

    def read(self, getter: FunctionNode, setter: FunctionNode, base: Val, stored: Val, fn: Frame) -> Val | None:
        """What ``obj.name`` gives back when ``stored`` went through the setter into ``base``
        (None when either method cannot be run here)."""
        if not _two_parameters(setter.args) or len(getter.args.args) != 1 or not self.closures.can_run(setter):
            return None
        self.depend(setter)
        self.depend(getter)
        self_name, value_name = (a.arg for a in setter.args.args)
        ends: list[Env] = []
        self.closures.run(setter, {self_name: base, value_name: stored}, fn, ends)
        after = join_envs(ends)
        if after is None or not self.closures.can_run(getter):
            return None
        changed = after.get(self_name, base)
        return self.closures.run(getter, {getter.args.args[0].arg: changed}, fn)


def _two_parameters(params: ast.arguments) -> bool:
    """``(self, value)``, nothing else."""
    return len(params.args) == 2 and not (
        params.vararg or params.kwarg or params.kwonlyargs or params.posonlyargs or params.defaults
    )
