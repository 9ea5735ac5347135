"""What the taint collaborators need of one another, as protocols.

The interpreter evaluates statements and expressions; the call evaluator, the sink checker,
the condition refiner, the interprocedural binder and the summary store each call back into
it for a few operations, and the interpreter hands calls and sinks to them. Typing those
links against these protocols keeps every module's imports one-way.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from .spec import SinkSpec
from .state import Env, Frame
from .values import Label, Val

if TYPE_CHECKING:
    from ..facts import ModuleFacts
    from .results import Results


class Evaluator(Protocol):
    """The interpreter, as its collaborators see it."""

    globals: Env
    calls: CallEvaluator
    facts: ModuleFacts
    results: Results

    def eval(self, node: ast.expr | None, env: Env, fn: Frame) -> Val: ...

    def lookup(self, name: str, env: Env) -> Val: ...

    def update(self, node: ast.expr, env: Env, change: Callable[[Val], Val]) -> bool: ...

    def block(self, body: list[ast.stmt], env: Env, fn: Frame, *, module_level: bool = False) -> Env | None: ...

    def make_source(self, node: ast.AST, description: str | None, *, local: bool, parameter: int = -1) -> Label: ...

    def command_line(self, label: Label, name: str, node: ast.AST) -> Label: ...


class CallEvaluator(Protocol):
    """What a call evaluates to (library models, project summaries, containers)."""

    def call(self, node: ast.Call, env: Env, fn: Frame) -> Val: ...

    def property_read(self, node: ast.Attribute, base: Val, env: Env, fn: Frame) -> Val | None:
        """``obj.name`` where ``name`` is a property of the module's class ``obj`` is: its getter's result."""
        ...

    def constant_text(self, node: ast.AST | None) -> object:
        """The developer's constant text a node names (a literal, a module-level or class constant)."""
        ...


class SinkReporter(Protocol):
    """Where a store or a returned value reaches a sink."""

    def check_store(self, target: ast.Subscript, value: Val, env: Env, fn: Frame) -> None: ...

    def check_return(self, node: ast.expr, value: Val, fn: Frame) -> None: ...

    def check_attribute(self, target: ast.Attribute, value: Val, fn: Frame) -> None: ...

    def check_returned(self, node: ast.expr, value: Val, fn: Frame, sinks: tuple[SinkSpec, ...]) -> None: ...
