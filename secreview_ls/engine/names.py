"""Name resolution: map local spellings to fully qualified names.

``import subprocess as sp; sp.Popen`` resolves to ``subprocess.Popen``,
``from yaml import load as l; l`` to ``yaml.load``, and a bare name bound by
``from os import *`` to ``os.<name>`` when ``os`` is a module we know.
Resolution is flow-insensitive over the whole module (imports inside
functions count too), which matches how such code is written in practice.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import unicodedata
from collections.abc import Container, Iterable, Iterator

from .known_modules import STAR_EXPORTS

BUILTIN_NAMES = frozenset(dir(builtins))


class ImportMap:
    """Local name → qualified name, built from a module's import statements."""

    def __init__(
        self, tree: ast.Module, module_name: str = "", *, text: str | None = None, assigned: bool = True
    ) -> None:
        """``text``: the source ``tree`` was parsed from, if known; it lets the search for
        the bindings of a name skip the statements that do not spell it. ``assigned=False``
        leaves out the assigned aliases (``run = os.system``): a part of a module cannot judge
        them, since a binding anywhere in the module undoes one."""
        self.aliases: dict[str, str] = {}
        self.star_modules: list[str] = []
        self.module_name = module_name
        self.locally_bound: set[str] = set()
        self._collect(tree, text)
        self._collect_module_bindings(tree)
        if assigned:
            self._collect_assigned_aliases(tree, text)

    def _collect(self, tree: ast.Module, text: str | None = None) -> None:
        # Only the statements whose lines spell ``import`` can hold one (``text``: see
        # ``_nodes_spelling``); leaving the others out keeps the imports' relative order.
        lines = None if text is None or "\r" in text else _lines_spelling(text, ("import",))
        for node in _statements_breadth_first(tree, lines):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.aliases.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom):
                base = self._absolute_module(node)
                for alias in node.names:
                    if alias.name == "*":
                        if base:
                            self.star_modules.append(base)
                        continue
                    local = alias.asname or alias.name
                    self.aliases[local] = f"{base}.{alias.name}" if base else alias.name

    def _collect_module_bindings(self, tree: ast.Module) -> None:
        """Names bound at module level (a module-level ``def eval`` shadows the builtin;
        a method called ``eval`` does not)."""
        pending: list[ast.stmt] = list(tree.body)
        while pending:
            statement = pending.pop()
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.locally_bound.add(statement.name)
                continue
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    self.locally_bound.add(node.id)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    break

    def _collect_assigned_aliases(self, tree: ast.Module, text: str | None = None) -> None:
        """Module-level names bound once to an imported callable: ``run = os.system``,
        ``shell = functools.partial(subprocess.run, shell=True)`` call what they name. A name
        bound anywhere else in the module (a local, a parameter, a second assignment) is not one;
        a method or class attribute of that name binds an attribute of its class, not the name."""
        candidates = alias_candidates(tree)
        if not candidates:
            return
        found = self.assigned_aliases(candidates, None)
        if found:
            counts = count_bindings(_nodes_spelling(tree, found, text), found)
            self.aliases.update(self.assigned_aliases(candidates, counts))

    def assigned_aliases(self, candidates: list[tuple[str, ast.expr]], counts: dict[str, int] | None) -> dict[str, str]:
        """What each candidate (``alias_candidates``) names, resolved by this map's imports, for
        the names ``counts`` (``count_bindings`` of the whole module) says are bound once (all
        candidates without ``counts``)."""
        found: dict[str, str] = {}
        for name, value in candidates:
            if name in self.aliases:
                continue
            if isinstance(value, ast.Call) and value.args and self.qualname(value.func) == "functools.partial":
                value = value.args[0]
            resolved = self.qualname(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
            if resolved is not None and "." in resolved and not resolved.startswith("builtins."):
                found[name] = resolved
        if counts is None:
            return found
        return {name: resolved for name, resolved in found.items() if counts.get(name) == 1}

    def _absolute_module(self, node: ast.ImportFrom) -> str:
        module = node.module or ""
        if not node.level:
            return module
        package = self.module_name.split(".")
        # A module's own package is its name minus the last part.
        parts = package[: max(len(package) - node.level, 0)]
        if module:
            parts.append(module)
        return ".".join(p for p in parts if p)

    def imported_roots(self) -> set[str]:
        """The top-level modules the imports name (``os`` for ``from os import path``)."""
        return {target.split(".")[0] for target in self.aliases.values()}

    def resolve_name(self, name: str) -> str | None:
        """Qualified name for a bare identifier, or None if it is a plain local."""
        found = self.aliases.get(name)
        if found is not None:
            return found
        for module in reversed(self.star_modules):
            if name in STAR_EXPORTS.get(module, ()):
                return f"{module}.{name}"
        if name in BUILTIN_NAMES and name not in self.locally_bound:
            return f"builtins.{name}"
        return None

    def qualname(self, node: ast.AST) -> str | None:
        """Qualified dotted name of a Name/Attribute chain, or None."""
        # The chain's base is looked at first: most chains start at a local (``self.x.y``),
        # and then the attributes need not be collected. ``get_client().execute`` → the
        # call's result is unknown: None (method rules match on the attribute tail instead).
        current = node
        while isinstance(current, ast.Attribute):
            current = current.value
        if not isinstance(current, ast.Name):
            return None
        base = self.resolve_name(current.id)
        if base is None or current is node:
            return base
        parts: list[str] = []
        current = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        parts.append(base)
        return ".".join(reversed(parts))


def alias_candidates(tree: ast.Module) -> list[tuple[str, ast.expr]]:
    """Module-level assignments of one name (``run = os.system``), with the value: the
    statements that may make an assigned alias."""
    return [
        (statement.targets[0].id, statement.value)
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ]


def count_bindings(
    nodes: Iterable[ast.AST], wanted: Container[str] | None = None, members: set[int] | None = None
) -> dict[str, int]:
    """How strongly ``nodes`` (each before its children) bind each name (of ``wanted``): an
    assignment 1, a parameter or definition 2. What a class body binds directly (its methods
    and attributes; ``members``: ids of such nodes known beforehand) binds the class's
    attribute, not the name."""
    members = set() if members is None else members
    bound: dict[str, int] = {}
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            members.update(map(id, class_body_bindings(node.body)))
        if id(node) in members:
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            name, weight = node.id, 1
        elif isinstance(node, ast.arg):
            name, weight = node.arg, 2
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name, weight = node.name, 2
        else:
            continue
        if wanted is None or name in wanted:
            bound[name] = bound.get(name, 0) + weight
    return bound


def class_body_bindings(body: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """The definitions and plain assignment targets directly in a class body."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield statement
        elif isinstance(statement, ast.Assign):
            yield from (t for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            yield statement.target


def _nodes_spelling(tree: ast.Module, names: Iterable[str], text: str | None) -> Iterator[ast.AST]:
    """The nodes of ``tree`` (in no particular order), leaving out statements whose lines do
    not contain any of ``names``: a node naming one (a ``Name``, an ``arg``, a definition)
    lies on such a line. Without ``text``, or with line ends other than ``\\n``, every node."""
    lines = None if text is None or "\r" in text else _lines_spelling(text, names)
    if lines is None:
        yield from ast.walk(tree)
        return
    stack: list[ast.AST] = [tree]
    pop, push, node_type, statement, sequence = stack.pop, stack.append, ast.AST, ast.stmt, list
    fields_of = _BINDING_FIELDS
    while stack:
        node = pop()
        yield node
        kind = type(node)
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
        # ``ast.iter_child_nodes``, without its generator and without the contexts, operators
        # and constants (no binding among them).
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is sequence:
                for child in value:
                    if isinstance(child, node_type) and not (
                        isinstance(child, statement) and not _touches(child, lines)
                    ):
                        push(child)
            elif isinstance(value, node_type) and not (isinstance(value, statement) and not _touches(value, lines)):
                push(value)


# Fields that hold no node ``count_bindings`` looks at: contexts, operators, identifiers, flags.
_LEAF_FIELDS = frozenset(("ctx", "op", "ops", "id", "attr", "arg", "module", "level", "kind", "conversion"))
_BINDING_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.alias: (), ast.Global: (), ast.Nonlocal: ()}


def _lines_spelling(text: str, names: Iterable[str]) -> list[int]:
    """The 1-based numbers of the lines of ``text`` containing one of ``names`` (an identifier
    is read in its NFKC form, so the text is searched in that form). One ``str.find`` sweep per
    name: a name sits within one line, so the lines are those a search for any of them finds."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    starts: list[int] = []
    for name in set(names):
        step = len(name) or 1
        at = text.find(name)
        while at != -1:
            starts.append(at)
            at = text.find(name, at + step)
    starts.sort()
    found: list[int] = []
    line, at = 1, 0
    for start in starts:
        line += text.count("\n", at, start)
        at = start
        if not found or found[-1] != line:
            found.append(line)
    return found


def _touches(statement: ast.stmt, lines: list[int]) -> bool:
    """Whether one of the sorted ``lines`` falls within the statement (its decorators included)."""
    start = statement.lineno
    for decorator in getattr(statement, "decorator_list", ()):
        start = min(start, decorator.lineno)
    index = bisect.bisect_left(lines, start)
    return index < len(lines) and lines[index] <= (statement.end_lineno or start)


_BLOCK_FIELDS = frozenset(("body", "orelse", "finalbody", "handlers", "cases"))


def _statements_breadth_first(tree: ast.Module, lines: list[int] | None = None) -> list[ast.AST]:
    """The statements of ``tree`` (with the ``except`` and ``case`` clauses that hold some) in
    the order ``ast.walk`` visits them. Statements sit only in these blocks, never inside an
    expression, so leaving the expressions out keeps their relative order and skips most nodes.
    With ``lines`` (sorted line numbers), a statement none of whose lines is one of them is left
    out with everything inside it."""
    found: list[ast.AST] = []
    level: list[ast.AST] = [tree]
    while level:
        below: list[ast.AST] = []
        for node in level:
            for name in node._fields:  # in the order ``ast.walk`` takes them
                if name in _BLOCK_FIELDS:
                    below.extend(getattr(node, name, None) or ())
        if lines is not None:
            below = [node for node in below if not hasattr(node, "lineno") or _touches(node, lines)]  # type: ignore[arg-type]
        found.extend(below)
        level = below
    return found


def dotted_name(node: ast.AST) -> str | None:
    """Spelling of a Name/Attribute chain as written (``a.b.c``), unresolved."""
    parts: list[str] = []
    current = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        parts.append(current.id)
        return ".".join(reversed(parts))
    return None


def spelled_as_class(word: str) -> bool:
    """``Books``, ``CalibreDB``: a name capitalised as a class, not a constant like ``URL``."""
    return word[:1].isupper() and not word.isupper()
