"""Which names of a project file have a summary to compute, and what it imports (kept by
``ProjectIndex`` per file content, and in the summary store): a name the file does not define
needs no new parse once the file has left the files kept parsed."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..facts import ModuleFacts
from .definitions import ModuleIndex, is_classmethod
from .module_instances import module_instances
from .template_values import asked_value

if TYPE_CHECKING:
    from .analysis import ModuleTaint


@dataclass(frozen=True)
class FileNames:
    """Which names of a file have a summary to compute, and what it imports: a name it does not
    define needs no new parse once the file has left the kept ones."""

    functions: frozenset[str]
    methods: dict[str, frozenset[str]]  # class → methods, those of its bases in the file included
    aliases: dict[str, str]
    instances: dict[str, str] = field(default_factory=dict)  # module-level instance → its class
    # ``Class.method`` of the ``classmethod``s among ``methods``: called through the class, the
    # call binds their first parameter (``cls``) all the same
    classmethods: frozenset[str] = frozenset()

    @classmethod
    def of(cls, taint: ModuleTaint) -> FileNames:
        return cls.made(taint.index, taint.facts)

    @classmethod
    def made(cls, index: ModuleIndex, facts: ModuleFacts) -> FileNames:
        """The names of a parsed module (its ``ModuleIndex``), without analyzing it."""
        methods: dict[str, frozenset[str]] = {}
        classmethods: set[str] = set()
        for name, node in index.classes.items():
            found: set[str] = set()
            seen: set[str] = set()
            stack = [node]
            while stack:  # the classes ``ModuleIndex.method`` looks through
                current = stack.pop()
                if current.name in seen:
                    continue
                seen.add(current.name)
                for item in current.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name not in found:
                        found.add(item.name)
                        if is_classmethod(item):
                            classmethods.add(f"{name}.{item.name}")
                stack.extend(
                    index.classes[base.id]
                    for base in current.bases
                    if isinstance(base, ast.Name) and base.id in index.classes
                )
            methods[name] = frozenset(found)
        return cls(
            frozenset(index.module_functions),
            methods,
            dict(facts.imports.aliases),
            module_instances(index, facts),
            frozenset(classmethods),
        )

    def defines(self, name: str) -> bool:
        """Whether ``ModuleTaint.summary_named(name)`` may find a function (or a value: asked of
        the parsed file, ``template_values.py``)."""
        if asked_value(name) is not None:
            return True
        if "." not in name:
            return name in self.functions
        class_name, method_name = name.split(".", 1)
        if method_name == "__init__":
            return class_name in self.methods  # one of its own, or the one it gets by default
        return method_name in self.methods.get(class_name, ())

    def reexport(self, name: str, module: str = "") -> str | None:
        """``pkg.mod.name`` when ``name`` (or its first part) is imported from another module;
        ``pkg.mod.Class.method`` for ``instance.method`` of a module-level instance of a class
        (of ``module`` itself, or imported)."""
        head, *rest = name.split(".")
        made = self.instances.get(head)
        if made is not None and len(rest) == 1:
            return f"{module}.{made}.{rest[0]}" if made in self.methods and module else f"{made}.{rest[0]}"
        target = self.aliases.get(head)
        return ".".join([target, *rest]) if target is not None and target != head else None
