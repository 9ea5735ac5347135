"""Debug switches read from the environment with a default that turns debugging on: the
setting is on wherever the variable is not set (a deployment that never heard of it).

- ``debug=os.environ.get("FLASK_DEBUG", True)`` / ``os.getenv("DEBUG", "1")``: the default is
  true, and so is any non-empty text the variable holds.
- ``os.environ.get("DJANGO_DEBUG", "True") == "True"`` (also after ``.lower()``, or ``in`` a
  tuple of constants): the comparison holds for the default.
- ``bool(...)`` / ``int(...)`` / ``strtobool(...)`` around one of these.
"""

from __future__ import annotations

import ast

from .base import RuleContext

_ENV_READS = frozenset({"os.environ.get", "os.getenv"})
_WRAPPERS = frozenset({"builtins.bool", "builtins.int", "distutils.util.strtobool", "str2bool"})
_TRUE_TEXTS = frozenset({"1", "true", "yes", "on", "t", "y"})


def _env_default(ctx: RuleContext, node: ast.expr) -> ast.expr | None:
    """The default of ``os.environ.get(NAME, default)`` / ``os.getenv(NAME, default)``."""
    if not isinstance(node, ast.Call) or ctx.facts.qualname(node.func) not in _ENV_READS:
        return None
    if len(node.args) == 2:
        return node.args[1]
    return next((kw.value for kw in node.keywords if kw.arg == "default"), None)


def _default_text(ctx: RuleContext, node: ast.expr) -> str | None:
    """The text the expression has when the variable is unset (``.lower()``/``.strip()`` applied)."""
    methods: list[str] = []
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("lower", "strip", "casefold")
        and not node.args
    ):
        methods.append(node.func.attr)
        node = node.func.value
    default = _env_default(ctx, node)
    if not (isinstance(default, ast.Constant) and isinstance(default.value, str)):
        return None
    text = default.value
    for method in reversed(methods):
        text = text.strip() if method == "strip" else text.lower()
    return text


def on_by_default(ctx: RuleContext, node: ast.expr | None) -> bool:
    """Whether ``node`` is true when the environment variable it reads is not set."""
    if node is None:
        return False
    wrapped = False
    while isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        name = ctx.facts.qualname(node.func) or ctx.facts.spelled(node.func)
        if not (name in _WRAPPERS or name.rsplit(".", 1)[-1] in _WRAPPERS):
            break
        node, wrapped = node.args[0], True
    if wrapped:
        inner = _default_text(ctx, node)
        return inner is not None and inner.strip().lower() in _TRUE_TEXTS
    default = _env_default(ctx, node)
    if default is not None:
        return isinstance(default, ast.Constant) and bool(default.value) and default.value is not False
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        text = _default_text(ctx, node.left)
        right = node.comparators[0]
        if text is None:
            return False
        if isinstance(node.ops[0], ast.Eq):
            return isinstance(right, ast.Constant) and right.value == text
        if isinstance(node.ops[0], ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            return any(isinstance(e, ast.Constant) and e.value == text for e in right.elts)
    return False
