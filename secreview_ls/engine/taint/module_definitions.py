"""Other files' ``def`` statements for rules that judge a call by what the called function
returns (``escape_html(x)`` defined in ``app/text.py`` as ``return html.escape(x)``): the file
parsed once per content and kept among the last used, the function found by its dotted name."""

from __future__ import annotations

import ast
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from ..facts import ModuleFacts
from ..source import SourceFile

MAX_DEFINITION_FILES = 24
MAX_DEFINITION_BYTES = 1_500_000
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class DefinitionFiles:
    """Parsed files by path, each kept with the key of the content it was parsed from (the disk
    stamp, or the text an editor supplied); the least recently used leave first."""

    def __init__(self, max_files: int = MAX_DEFINITION_FILES, max_bytes: int = MAX_DEFINITION_BYTES):
        self._kept: OrderedDict[Path, tuple[object, ModuleFacts]] = OrderedDict()
        self._bytes = 0
        self._limits = (max_files, max_bytes)

    def facts(self, path: Path, key: object, read: Callable[[], str | None], module: str) -> ModuleFacts | None:
        """The facts of ``path`` for the content ``key`` names (``read()`` gives its text, or None
        when the file cannot be read)."""
        kept = self._kept.get(path)
        if kept is not None and kept[0] == key and kept[1].module_name == module:
            self._kept.move_to_end(path)
            return kept[1]
        self.forget(path)
        text = read()
        if text is None:
            return None
        facts = ModuleFacts(SourceFile(text, str(path)), module)
        self._kept[path] = (key, facts)
        self._bytes += len(text)
        while len(self._kept) > 1 and (len(self._kept) > self._limits[0] or self._bytes > self._limits[1]):
            self.forget(next(iter(self._kept)))
        return facts

    def forget(self, path: Path | None = None) -> None:
        """Let go of one file, or of all."""
        if path is None:
            self._kept.clear()
            self._bytes = 0
            return
        kept = self._kept.pop(path, None)
        if kept is not None:
            self._bytes -= len(kept[1].source.text)


def defined_function(tree: ast.Module, name: str) -> FunctionNode | None:
    """The ``def`` of ``func`` or ``Class.method`` at the top level of a module (the last one
    where several bind the name); None for anything else (a class, an assignment, an import)."""
    body: list[ast.stmt] = tree.body
    found: ast.stmt | None = None
    for part in name.split("."):
        found = next((n for n in reversed(body) if _binds(n, part)), None)
        if not isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return None
        body = found.body
    return found if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _binds(node: ast.stmt, name: str) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name).split(".")[0] == name for a in node.names)
    return False
