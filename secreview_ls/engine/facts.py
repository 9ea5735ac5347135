"""Module facts computed once per file and shared by every rule.

One iterative walk over the tree indexes nodes by type and calls by their
qualified callee name, so a rule asks ``facts.calls_to("yaml.load")`` instead
of walking the tree again.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cached_property

from .names import ImportMap, dotted_name
from .source import SourceFile

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class ModuleFacts:
    """Indexed facts about one parsed module."""

    def __init__(self, source: SourceFile, module_name: str = "") -> None:
        self.source = source
        self.tree = source.tree
        self.module_name = module_name
        self.imports = ImportMap(self.tree, module_name)
        self._by_type: dict[type[ast.AST], list[ast.AST]] = defaultdict(list)
        self._calls_by_name: dict[str, list[ast.Call]] = defaultdict(list)
        self._calls_by_attr: dict[str, list[ast.Call]] = defaultdict(list)
        self.parents: dict[ast.AST, ast.AST] = {}
        self._index()

    def _index(self) -> None:
        by_type = self._by_type
        parents = self.parents
        stack: list[ast.AST] = [self.tree]
        while stack:
            node = stack.pop()
            by_type[type(node)].append(node)
            for child in ast.iter_child_nodes(node):
                parents[child] = node
                stack.append(child)
        for call in by_type.get(ast.Call, ()):
            assert isinstance(call, ast.Call)
            name = self.imports.qualname(call.func)
            if name is not None:
                self._calls_by_name[name].append(call)
            if isinstance(call.func, ast.Attribute):
                self._calls_by_attr[call.func.attr].append(call)
        for nodes in by_type.values():
            nodes.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))

    # -- queries ---------------------------------------------------------------

    def nodes(self, *types: type[ast.AST]) -> list[ast.AST]:
        """All nodes of the given types in source order."""
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        found: list[ast.AST] = []
        for node_type in types:
            found.extend(self._by_type.get(node_type, ()))
        found.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
        return found

    def calls_to(self, *qualnames: str) -> Iterator[tuple[str, ast.Call]]:
        """Calls whose callee resolves to one of ``qualnames`` (yields name, call)."""
        for name in qualnames:
            for call in self._calls_by_name.get(name, ()):
                yield name, call

    def calls_with_prefix(self, prefix: str) -> Iterator[tuple[str, ast.Call]]:
        """Calls whose qualified callee starts with ``prefix`` (e.g. ``"subprocess."``)."""
        for name, calls in self._calls_by_name.items():
            if name.startswith(prefix):
                for call in calls:
                    yield name, call

    def method_calls(self, *attrs: str) -> Iterator[ast.Call]:
        """Calls of the form ``<anything>.attr(...)``, whatever the receiver."""
        for attr in attrs:
            yield from self._calls_by_attr.get(attr, ())

    @property
    def call_names(self) -> Iterable[str]:
        return self._calls_by_name.keys()

    def qualname(self, node: ast.AST) -> str | None:
        return self.imports.qualname(node)

    def spelled(self, node: ast.AST) -> str:
        """How a callee is spelled in the source, for messages (``sp.Popen``)."""
        return dotted_name(node) or self.source.segment(node)

    # -- structure -------------------------------------------------------------

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
        return None

    def enclosing_statement(self, node: ast.AST) -> ast.stmt:
        current: ast.AST = node
        while not isinstance(current, ast.stmt):
            parent = self.parents.get(current)
            if parent is None:
                break
            current = parent
        assert isinstance(current, ast.stmt) or current is self.tree
        return current  # type: ignore[return-value]

    @cached_property
    def functions(self) -> list[FunctionNode]:
        return [
            n
            for n in self.nodes(ast.FunctionDef, ast.AsyncFunctionDef)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    """The keyword argument ``name`` of a call, if given explicitly."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    return kw.value if kw is not None else None


def argument(call: ast.Call, position: int, name: str | None = None) -> ast.expr | None:
    """A call argument by position or keyword name (None if absent or after ``*args``)."""
    if name is not None:
        value = keyword_value(call, name)
        if value is not None:
            return value
    if position < len(call.args):
        for arg in call.args[: position + 1]:
            if isinstance(arg, ast.Starred):
                return None
        return call.args[position]
    return None


def constant_value(node: ast.AST | None) -> object:
    """The literal value of a constant node; ``NotConstant`` otherwise."""
    if isinstance(node, ast.Constant):
        return node.value
    return NOT_CONSTANT


class _NotConstant:
    def __repr__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT = _NotConstant()


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_falsy_constant(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def is_string_literal(node: ast.AST | None) -> bool:
    """A plain string constant (no interpolation)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def is_built_string(node: ast.AST | None) -> bool:
    """A string assembled at run time: f-string with values, ``%``, ``+``, ``.format``, ``join``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return is_string_literal(node.left) or is_built_string(node.left) or (
            isinstance(node.op, ast.Add) and (is_string_literal(node.right) or is_built_string(node.right))
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in {"format", "format_map"} and is_string_literal(node.func.value):
            return True
        if node.func.attr == "join" and is_string_literal(node.func.value):
            return True
    return False
