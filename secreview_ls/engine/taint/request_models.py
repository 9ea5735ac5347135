"""Request models known field by field: a pydantic class the module defines, whose every field is
declared in its body (or a base of the module's, known the same way).

FastAPI validates a request body against such a model: a field typed as a number, a boolean, a
UUID, a member of an ``Enum`` or one of a ``Literal``'s constants holds no text of the client's
own, whatever the client sent; a ``str`` field (or one of a type not known here) holds it. A model
that lets in fields it does not declare (``extra="allow"``) or reads as attributes what its own
code computes (a ``property``) is not known field by field: the parameter stays input whole.
The program building such a model (``Job(count=c, name=n)``, ``Job(**data)``) gets the same
validation: each text field holds what it was given, the others nothing (``text_fields`` applied
in ``interprocedural.py`` to what ``definitions.model_fields`` says each keyword fills).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..facts import ModuleFacts

_MODEL_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
_COMPUTED = frozenset({"property", "cached_property", "computed_field"})
_MAX_BASES = 8


def text_fields(
    facts: ModuleFacts,
    cls: ast.ClassDef,
    classes: dict[str, ast.ClassDef],
    scalar: Callable[[ast.expr | None], bool],
) -> tuple[str, ...] | None:
    """The fields of a model that may hold the client's text (``scalar`` tells an annotation
    whose value holds none); None when the model is not known field by field."""
    fields: dict[str, bool] = {}
    chain = _model_chain(facts, cls, classes)
    if chain is None:
        return None
    for model in reversed(chain):  # a subclass's declaration of a field replaces its base's
        for statement in model.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                name = statement.target.id
                if name == "model_config" or _class_var(facts, statement.annotation):
                    continue
                fields[name] = not scalar(statement.annotation)
    return tuple(sorted(name for name, text in fields.items() if text))


def _model_chain(facts: ModuleFacts, cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> list[ast.ClassDef] | None:
    """``cls`` and the module's classes it derives from, down to ``pydantic.BaseModel``; None when
    a base is another module's, or a class of the chain is not plain."""
    chain: list[ast.ClassDef] = []
    current: ast.ClassDef | None = cls
    while current is not None:
        if len(chain) >= _MAX_BASES or current in chain or not _plain_model(current):
            return None
        chain.append(current)
        if len(current.bases) != 1:
            return None
        base = current.bases[0]
        if facts.qualname(base) in _MODEL_BASES:
            return chain
        current = classes.get(base.id) if isinstance(base, ast.Name) else None
    return None


def _plain_model(cls: ast.ClassDef) -> bool:
    """No extra fields let in, no attribute computed by the model's code."""
    if any(keyword.arg == "extra" for keyword in cls.keywords):
        return False
    for node in ast.walk(cls):
        if isinstance(node, ast.Constant) and node.value == "allow":
            return False
        if isinstance(node, ast.Attribute) and node.attr == "allow":
            return False  # ``Extra.allow``
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _decorator_name(d) in _COMPUTED for d in node.decorator_list
        ):
            return False
        if isinstance(node, ast.FunctionDef) and node.name in ("__getattr__", "__getattribute__", "__init__"):
            return False
    return True


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _class_var(facts: ModuleFacts, annotation: ast.expr) -> bool:
    """``ClassVar[...]``: an attribute of the class, not a field the request fills."""
    outer = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (facts.qualname(outer) or "").endswith("ClassVar")
