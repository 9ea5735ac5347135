"""Functions passed as values: a sink or a function of the module given to a helper that calls
it (``apply(os.system, v)``), or mapped over items (``map(cursor.execute, queries)``,
``pool.map(os.system, commands)``).

A helper of the module given such a function runs where it is called, its parameters bound to
the arguments; the parameter holding the function stands for it, so that its call in the body
is a call of the function passed (``fn(v)`` is ``os.system(v)``). A function mapped over items is
called with what the items hold.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from .deferred import made_call
from .factories import Factories
from .state import Env, Frame
from .values import Val

if TYPE_CHECKING:
    from .ports import Evaluator
    from .sinks import SinkChecker

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
CallRunner = Callable[[ast.Call, Env, Frame], Val]

CALLBACK_KIND = "callback@"
_NUMBERS = itertools.count()
# Methods of pools and executors applying a function to each item of an iterable.
_MAPPING_METHODS = frozenset({"map", "imap", "imap_unordered", "map_async"})
# A helper larger than this (in syntax nodes) is not run at its calls.
_MAX_NODES = 300


class Callbacks:
    """Follows functions passed to helpers of the module and mapped over items."""

    def __init__(
        self,
        interpreter: Evaluator,
        module_functions: dict[str, FunctionNode],
        sinks: SinkChecker,
        depend: Callable[[FunctionNode], object],
    ) -> None:
        self.interpreter = interpreter
        self.depend = depend  # asks a function's summary: the caller's record then changes with its code
        self.closures = interpreter.closures  # type: ignore[attr-defined]
        self.factories = Factories(interpreter, self.closures)
        self.module_functions = module_functions
        self.sink_names = frozenset(sinks.sinks_by_name)
        self.sink_methods = frozenset(sinks.sinks_by_method)
        self._passed: dict[str, ast.expr] = {}  # kind of a parameter's value → the function passed
        self._kinds: dict[ast.expr, str] = {}
        self._made: dict[tuple[int, str], ast.Call] = {}
        self._calls_of: dict[ast.AST, frozenset[str]] = {}

    def call(self, node: ast.Call, env: Env, fn: Frame, run: CallRunner) -> Val | None:
        """The value of ``node`` when it calls a function passed to the helper being run (``fn(v)``),
        a helper of the module given a function (``apply(os.system, v)``), or a function a factory
        of the module made (``make(a)(b)``, ``run = make(a)`` then ``run(b)``); None for any other
        call. ``run`` evaluates a call made here."""
        func = node.func
        if isinstance(func, ast.Call):
            factory = self._factory(func, env, fn)
            if factory is None:
                return None
            self.depend(factory)
            return self.factories.call(node, func, factory, env, fn)
        if not isinstance(func, ast.Name):
            return None
        made = self.passed_call(node, env)
        if made is None and func.id in env and env[func.id].is_empty:
            made = self.factories.assigned_call(node, fn.node)
            if made is not None and self._factory(made.func, env, fn) is None:  # type: ignore[arg-type]
                made = None
        if made is not None:
            self.interpreter.results.note_made_node(made)  # a sink found in a made call is placed by its lines
            return run(made, env, fn)
        if func.id in env or not node.args:
            return None
        target = fn.local_defs.get(func.id) or self.module_functions.get(func.id)
        if target is None or target.decorator_list:
            return None
        return self.run_helper(node, target, env, fn)

    def _factory(self, call: ast.Call, env: Env, fn: Frame) -> FunctionNode | None:
        """The function of the module ``call`` calls when it returns a function it defines."""
        if not isinstance(call.func, ast.Name) or call.func.id in env:
            return None
        factory = fn.local_defs.get(call.func.id) or self.module_functions.get(call.func.id)
        return factory if factory is not None and self.factories.made_function(factory) is not None else None

    def function_passed(self, node: ast.expr, env: Env) -> bool:
        """``node`` names a sink (``os.system``, ``cursor.execute``) or a function of the module,
        not a value of the caller."""
        if isinstance(node, ast.Name):
            if node.id in env or node.id in self.interpreter.globals:
                return False
            return node.id in self.module_functions or self.interpreter.facts.qualname(node) in self.sink_names
        if isinstance(node, ast.Attribute):
            return self.interpreter.facts.qualname(node) in self.sink_names or node.attr in self.sink_methods
        return False

    def passed_call(self, node: ast.Call, env: Env) -> ast.Call | None:
        """``fn(v)`` in a helper run with ``fn`` bound to a function passed: the call of that
        function (one node per call and function)."""
        if not isinstance(node.func, ast.Name):
            return None
        value = env.get(node.func.id)
        kind = value.kind if value is not None else None
        if kind is None or not kind.startswith(CALLBACK_KIND) or kind not in self._passed:
            return None
        key = (id(node), kind)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = made_call(node, self._passed[kind], list(node.args), list(node.keywords))
        return made

    def run_helper(self, node: ast.Call, target: FunctionNode, env: Env, fn: Frame) -> Val | None:
        """The value of ``helper(fn, v)``, a function of the module calling a parameter given a
        function (``fn``), run here; None when no such function is passed or the call is not
        bound simply (``*args``, ``**kwargs``, keyword-only parameters)."""
        params = target.args
        called = self._called_names(target)
        if not any(a.arg in called for a in params.args):
            return None  # most helpers: calls none of their parameters
        if params.vararg or params.kwarg or params.kwonlyargs or params.posonlyargs:
            return None
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return None
        names = [a.arg for a in params.args]
        given: dict[str, ast.expr] = dict(zip(names, node.args, strict=False))
        if len(node.args) > len(names):
            return None
        for keyword in node.keywords:
            if keyword.arg not in names or keyword.arg in given:
                return None
            given[keyword.arg] = keyword.value
        passed = {name: value for name, value in given.items() if name in called and self.function_passed(value, env)}
        if not passed or not self.closures.can_run(target):
            return None
        self.depend(target)
        evaluate = self.interpreter.eval
        local: Env = {}
        defaults = dict(zip(names[len(names) - len(params.defaults) :], params.defaults, strict=True))
        for name in names:
            if name in passed:
                kind = self._kinds.get(passed[name])
                if kind is None:  # a number of this process: a value kept from another analysis finds no function
                    kind = self._kinds[passed[name]] = f"{CALLBACK_KIND}{next(_NUMBERS)}"
                    self._passed[kind] = passed[name]
                local[name] = Val(kind=kind)
                receiver = passed[name].value if isinstance(passed[name], ast.Attribute) else None
                if isinstance(receiver, ast.Name) and receiver.id in env and receiver.id not in names:
                    local[receiver.id] = env[receiver.id]  # ``cursor.execute``: the caller's cursor
            elif name in given:
                local[name] = evaluate(given[name], env, fn)
            elif name in defaults:
                local[name] = evaluate(defaults[name], env, fn)
            else:
                return None
        return self.closures.run(target, local, fn)

    def _called_names(self, target: ast.AST) -> frozenset[str]:
        """Names the body calls (``fn(...)``); none for a body longer than ``_MAX_NODES``."""
        found = self._calls_of.get(target)
        if found is None:
            names: set[str] = set()
            for count, child in enumerate(ast.walk(target)):
                if count > _MAX_NODES:
                    names.clear()
                    break
                if isinstance(child, ast.Call) and isinstance(child.func, ast.Name):
                    names.add(child.func.id)
            found = self._calls_of[target] = frozenset(names)
        return found

    def mapped_call(self, node: ast.Call, name: str | None, env: Env) -> ast.Call | None:
        """``function(items)`` for ``map(function, items)`` or ``pool.map(function, items)`` of a
        sink function (one node per call): the function is called with what the items hold."""
        func = node.func
        mapping = name == "builtins.map" or (
            name is None and isinstance(func, ast.Attribute) and func.attr in _MAPPING_METHODS
        )
        if not mapping or len(node.args) < 2 or any(isinstance(a, ast.Starred) for a in node.args):
            return None
        function = node.args[0]
        if isinstance(function, ast.Name) and function.id in self.module_functions:
            return None  # a function of the module: followed by its summary
        if not self.function_passed(function, env):
            return None
        key = (id(node), "map")
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = made_call(node, function, list(node.args[1:]), [])
        self.interpreter.results.note_made_node(made)
        return made
