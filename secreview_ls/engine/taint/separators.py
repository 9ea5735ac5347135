"""Text with its path separators replaced: ``name.replace("/", "_")`` leaves one path component,
as ``os.path.basename`` does, so what ``basename`` cleans is clean after it (a project's own
file-name function that does this is a path cleaner wherever it is called). Judged by running the
constant replacement on sample paths: the call counts when no separator survives."""

from __future__ import annotations

import ast

_SAMPLES = ("a/b", "/a/../b/", "../../etc/passwd")


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def replaced_separators(node: ast.Call) -> bool:
    """``text.replace(old, new)`` with constants that leave no ``/`` in the text."""
    if len(node.args) != 2 or node.keywords:
        return False
    old, new = _text(node.args[0]), _text(node.args[1])
    if not old or new is None:
        return False
    return all("/" not in sample.replace(old, new) for sample in _SAMPLES)
