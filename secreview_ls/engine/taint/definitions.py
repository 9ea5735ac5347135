"""The definitions of one module as the taint analysis looks them up: module functions, classes,
methods with their class, functions nested in functions, ``global`` names, imported modules."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..facts import ModuleFacts
from .frameworks import handler_kind
from .spec import TaintSpec
from .state import FunctionNode

# The fields of statements (and of ``except`` and ``case`` clauses) that hold statements, in
# source order: ``handlers`` come before ``orelse`` and ``finalbody`` in a ``try``.
BLOCK_FIELDS = ("body", "cases", "handlers", "orelse", "finalbody")
COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.TryStar,
    ast.Match,
    ast.match_case,
    ast.ExceptHandler,
)

_WALKED = (*COMPOUND, ast.Global)  # the statements that define something or hold some that do

Definition = tuple[str, ast.AST, ast.AST | None]


def definitions_in(
    statement: ast.stmt, tree: ast.Module, members: dict[ast.AST, list[Definition]] | None = None
) -> list[Definition]:
    """The definitions a top-level statement makes, in source order: module functions and
    classes, methods (with their class), functions nested in functions (with the enclosing
    one), and ``global`` statements. Definitions are statements, so compound statements are
    all there is to walk. ``members``: the definitions of class-body statements from the last
    version of the document, by node (an editor's analysis gives a class whose method changed a
    new node, but keeps the nodes of its other methods)."""
    if members is None or not isinstance(statement, ast.ClassDef):
        return _walk(statement, tree, None)
    found: list[Definition] = [("class", statement, None)]
    for child in _blocks(statement):
        known = members.get(child)
        if known is None:
            known = members[child] = _walk(child, _IN_A_CLASS, None)
        found.extend((kind, node, statement if owner is _IN_A_CLASS else owner) for kind, node, owner in known)
    return found


# Stands for the class around a class-body statement whose definitions are kept on their own.
_IN_A_CLASS = ast.ClassDef(name="", bases=[], keywords=[], body=[], decorator_list=[])


def _blocks(node: ast.AST) -> list[ast.AST]:
    """The statements (and clauses) of a node's blocks that may define something, in order."""
    children: list[ast.AST] = []
    for name in BLOCK_FIELDS:
        block = getattr(node, name, None)
        if block:
            children.extend(child for child in block if isinstance(child, _WALKED))
    return children


def _walk(statement: ast.AST, parent: ast.AST, scope: ast.AST | None) -> list[Definition]:
    found: list[Definition] = []
    stack: list[tuple[ast.AST, ast.AST, ast.AST | None]] = [(statement, parent, scope)]
    while stack:
        node, parent, scope = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if isinstance(parent, ast.ClassDef):
                found.append(("method", node, parent))
            elif scope is None:
                found.append(("function", node, None))
            else:
                found.append(("nested", node, scope))
            scope = node
        elif isinstance(node, ast.ClassDef) and scope is None:
            found.append(("class", node, None))
        elif isinstance(node, ast.Global):
            found.append(("global", node, None))
        stack.extend((child, node, scope) for child in reversed(_blocks(node)))
    return found


def _definitions_indexed(facts: ModuleFacts) -> list[Definition]:
    """What ``definitions_in`` finds in every top-level statement, in the same order, read from
    the module's index (its definitions in source order, each with its parent) instead of
    walking every block of the module again."""
    found: list[Definition] = []
    for node in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global):
        if isinstance(node, ast.Global):
            found.append(("global", node, None))
            continue
        scope = facts.enclosing_function(node)
        if isinstance(node, ast.ClassDef):
            if scope is None:
                found.append(("class", node, None))
        elif isinstance(facts.parent(node), ast.ClassDef):
            found.append(("method", node, facts.parent(node)))
        elif scope is None:
            found.append(("function", node, None))
        else:
            found.append(("nested", node, scope))
    return found


def is_static(fn: FunctionNode) -> bool:
    return bool(fn.decorator_list) and any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list
    )


def is_classmethod(fn: ast.AST) -> bool:
    """``@classmethod``: a call binds the class to the first parameter, through the class too."""
    return any(isinstance(d, ast.Name) and d.id == "classmethod" for d in getattr(fn, "decorator_list", ()))


def is_property(fn: FunctionNode) -> bool:
    """``@property`` / ``@cached_property`` / ``@functools.cached_property``: read as an attribute,
    run as a call."""
    for decorator in fn.decorator_list:
        if isinstance(decorator, ast.Name) and decorator.id in ("property", "cached_property"):
            return True
        if isinstance(decorator, ast.Attribute) and decorator.attr == "cached_property":
            return True
    return False


class ModuleIndex:
    """Where a module's functions, classes and methods are, by name."""

    def __init__(
        self,
        facts: ModuleFacts,
        kept: dict[ast.AST, list[Definition]] | None,
        members: dict[ast.AST, list[Definition]] | None = None,
        handlers: dict[ast.ClassDef, str | None] | None = None,
    ) -> None:
        """``kept``: the definitions of each top-level statement from the last version of the
        document (a statement whose node is unchanged defines the same things); ``members``:
        those of each class-body statement; ``handlers``: the request-handler kind of each
        class (an unchanged class node has the same bases, and the imports did not change)."""
        self.facts = facts
        self._handlers: dict[ast.ClassDef, str | None] = handlers if handlers is not None else {}
        self.module_functions: dict[str, FunctionNode] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.owner_class: dict[ast.AST, ast.ClassDef] = {}
        self.nested: dict[ast.AST, dict[str, FunctionNode]] = {}
        self.global_names: set[str] = set()
        self._methods: dict[tuple[ast.ClassDef, str], FunctionNode | None] = {}
        self._members: dict[ast.ClassDef, dict[str, FunctionNode]] = {}
        if kept is None and members is None:
            self._record(_definitions_indexed(facts))
        else:
            for statement in facts.tree.body:
                found = kept.get(statement) if kept is not None else None
                if found is None:
                    found = definitions_in(statement, facts.tree, members)
                    if kept is not None:
                        kept[statement] = found
                self._record(found)
        self.imported_roots = facts.imports.imported_roots()
        self._tuple_fields: dict[str, list[str]] | None = None

    def tuple_fields(self, name: str) -> list[str] | None:
        """The fields of a module-level ``namedtuple`` class ``name`` (``tuple_fields``)."""
        if self._tuple_fields is None:
            self._tuple_fields = tuple_fields(self.facts)
        return self._tuple_fields.get(name)

    def _record(self, found: list[Definition]) -> None:
        for kind, node, owner in found:
            if kind == "function":
                self.module_functions.setdefault(node.name, node)  # type: ignore[union-attr, arg-type]
            elif kind == "class":
                self.classes.setdefault(node.name, node)  # type: ignore[union-attr, arg-type]
            elif kind == "method":
                self.owner_class[node] = owner  # type: ignore[assignment]
            elif kind == "nested":
                self.nested.setdefault(owner, {})[node.name] = node  # type: ignore[arg-type, union-attr, index]
            else:
                self.global_names.update(node.names)  # type: ignore[union-attr]

    def handler_kind(self, spec: TaintSpec, cls: ast.ClassDef) -> str | None:
        """``frameworks.handler_kind`` of a class of this module, through the classes it defines."""
        kinds = self._handlers
        if cls in kinds:
            return kinds[cls]
        kind = kinds[cls] = handler_kind(self.facts, spec, cls, self.classes)
        return kind

    def is_method(self, fn: FunctionNode) -> bool:
        """Defined in a class and bound to its instance or class (not a ``staticmethod``)."""
        return fn in self.owner_class and not is_static(fn)

    def method(self, cls: ast.ClassDef, name: str) -> FunctionNode | None:
        """The method ``name`` of a class or of its bases defined in this module."""
        key = (cls, name)
        if key not in self._methods:
            self._methods[key] = self._find_method(cls, name)
        return self._methods[key]

    def library_based(self, cls: ast.ClassDef) -> bool:
        """Whether the class or one of its bases defined in this module derives from a class of
        another module (``forms.Form``, ``serializers.Serializer``): what that base's methods do
        is not known here."""
        seen: set[str] = set()
        stack = [cls]
        while stack:
            current = stack.pop()
            if current.name in seen:
                continue
            seen.add(current.name)
            for base in current.bases:
                if isinstance(base, ast.Name) and base.id in self.classes:
                    stack.append(self.classes[base.id])
                elif not (isinstance(base, ast.Name) and base.id == "object"):
                    return True
        return False

    def _find_method(self, cls: ast.ClassDef, name: str) -> FunctionNode | None:
        seen: set[str] = set()
        stack = [cls]
        while stack:
            current = stack.pop(0)
            if current.name in seen:
                continue
            seen.add(current.name)
            item = self._defined_in(current).get(name)
            if item is not None:
                return item
            for base in current.bases:
                if isinstance(base, ast.Name) and base.id in self.classes:
                    stack.append(self.classes[base.id])
        return None

    def _defined_in(self, cls: ast.ClassDef) -> dict[str, FunctionNode]:
        """The functions of a class body by name, the first of each name (made once a class)."""
        members = self._members.get(cls)
        if members is None:
            members = self._members[cls] = {}
            for item in cls.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.setdefault(item.name, item)
        return members


# Class decorators that write an ``__init__`` storing its arguments as the annotated fields.
FIELD_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "attrs"})


def generated_fields(cls: ast.ClassDef) -> list[str] | None:
    """The fields of a ``@dataclass`` (or ``attrs``) class or a ``typing.NamedTuple`` in the order
    ``__init__`` takes them; None for another class."""
    if any(
        (base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")) == "NamedTuple"
        for base in cls.bases
    ):
        return _annotated_fields(cls)
    for decorator in cls.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        named = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        spelled_attr_s = (
            isinstance(target, ast.Attribute) and named == "s" and getattr(target.value, "id", "") == "attr"
        )
        if named in FIELD_DECORATORS or spelled_attr_s:
            return _annotated_fields(cls)
    return None


# Bases whose ``__init__`` takes each annotated field by keyword and stores it as given.
MODEL_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel"})


_ALIASES = frozenset({"alias", "validation_alias"})


def model_fields(
    cls: ast.ClassDef, classes: dict[str, ast.ClassDef], qualname: Callable[[ast.expr], str | None]
) -> list[str] | None:
    """The fields of a pydantic model defined in the module (its own and its bases' in the
    module), which its ``__init__`` stores by keyword; None for another class, or for a model
    that could store otherwise: one with its own ``__init__``, a validator or serializer (any
    decorated method), a field taking a keyword of another name (an alias), or a configuration
    (``model_config``, ``class Config``) that may keep extra keywords or change what it keeps."""
    fields: list[str] = []
    seen: set[str] = set()
    current: ast.ClassDef | None = cls
    while current is not None and current.name not in seen:
        seen.add(current.name)
        for statement in current.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                statement.decorator_list or statement.name in ("__init__", "__setattr__", "__getattr__")
            ):
                return None
            if isinstance(statement, ast.ClassDef) or (
                isinstance(statement, (ast.Assign, ast.AnnAssign))
                and any(isinstance(t, ast.Name) and t.id == "model_config" for t in _targets_of(statement))
            ):
                return None
            if any(isinstance(n, ast.keyword) and n.arg in _ALIASES for n in ast.walk(statement)):
                return None  # ``Field(alias="fileId")``: the field takes a keyword of another name
        fields += [name for name in _annotated_fields(current) if name not in fields]
        if len(current.bases) != 1 or current.keywords:
            return None
        base = current.bases[0]
        if isinstance(base, ast.Name) and base.id in classes:
            current = classes[base.id]
        elif qualname(base) in MODEL_BASES:
            return fields
        else:
            return None
    return None


def _targets_of(statement: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return statement.targets if isinstance(statement, ast.Assign) else [statement.target]


def _annotated_fields(cls: ast.ClassDef) -> list[str]:
    return [
        statement.target.id
        for statement in cls.body
        if isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and "ClassVar" not in ast.dump(statement.annotation)
    ]


def tuple_fields(facts: ModuleFacts) -> dict[str, list[str]]:
    """Module-level ``Pair = namedtuple("Pair", "fixed user")`` (also a list of names, or
    ``typing.NamedTuple("Pair", [("fixed", str), ...])``): the fields of each such class."""
    found: dict[str, list[str]] = {}
    for statement in facts.tree.body:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
            and len(statement.value.args) >= 2
            and facts.qualname(statement.value.func) in ("collections.namedtuple", "typing.NamedTuple")
        ):
            continue
        given = statement.value.args[1]
        names: list[object] = []
        if isinstance(given, ast.Constant) and isinstance(given.value, str):
            names = list(given.value.replace(",", " ").split())
        elif isinstance(given, (ast.List, ast.Tuple)):
            for element in given.elts:
                if isinstance(element, (ast.Tuple, ast.List)) and element.elts:
                    element = element.elts[0]
                names.append(element.value if isinstance(element, ast.Constant) else None)
        if names and all(isinstance(n, str) and n.isidentifier() for n in names):
            found[statement.targets[0].id] = [str(n) for n in names]
    return found
