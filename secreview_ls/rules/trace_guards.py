"""Tracebacks shown only to developers or administrators: branches that a debug setting or an
administrator check opens.

``if app.debug:`` / ``if settings.DEBUG:`` / ``if config.get("SHOW_STACKTRACE"):`` /
``if current_user.is_admin:`` (and the ``else`` of their negation, the rest of a block after
``if not app.debug: return ...``, either arm of a conditional expression) run for a developer's
own server or for the site's administrators, who may see the traceback. A flow whose source,
sink or any other step (here or in a helper module) lies in such a branch is not a stack trace
exposed to clients.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ..engine.finding import FlowStep
from .base import CacheKey, RuleContext
from .judge import identifier_words

# Words of a test that only holds on a developer's server or for an administrator.
_PRIVILEGED = frozenset(
    {"debug", "debugging", "develop", "development", "dev", "testing", "stacktrace", "traceback", "tracebacks",
     "admin", "administrator", "superuser", "superadmin", "staff", "sysadmin"}
)  # fmt: skip
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)

# A region: (start line, start column, end line, end column), end exclusive.
Region = tuple[int, int, int, int]
_REGIONS: CacheKey[tuple[Region, ...]] = CacheKey("branches only developers or administrators reach")
_OTHER_REGIONS: CacheKey[dict[str, tuple[Region, ...]]] = CacheKey("such branches of other project files")


def privileged_test(test: ast.expr) -> bool:
    """Whether a condition names a debug/development setting or an administrator check."""
    for node in ast.walk(test):
        if isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 40:
            text = node.value
        else:
            continue
        if _PRIVILEGED.intersection(identifier_words(text)):
            return True
    return False


def _negated(test: ast.expr) -> bool:
    return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)


def _region(nodes: list[ast.stmt] | list[ast.expr]) -> Region | None:
    if not nodes:
        return None
    first, last = nodes[0], nodes[-1]
    end_line = last.end_lineno or last.lineno
    end_col = last.end_col_offset if last.end_col_offset is not None else 10**6
    return (first.lineno, first.col_offset, end_line, end_col)


def _exits(body: list[ast.stmt]) -> bool:
    if not body:
        return False
    last = body[-1]
    if isinstance(last, _EXITS):
        return True
    return isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and _called(last.value) == "abort"


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _regions(tree: ast.AST) -> tuple[Region, ...]:
    found: list[Region] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.IfExp)) and privileged_test(node.test):
            negated = _negated(node.test)
            if isinstance(node, ast.IfExp):
                chosen: list[ast.expr] = [node.orelse if negated else node.body]
                region = _region(chosen)
            else:
                region = _region(node.orelse if negated else node.body)
            if region is not None:
                found.append(region)
        for block in ("body", "orelse", "finalbody"):
            statements = getattr(node, block, None)
            if not isinstance(statements, list):
                continue
            for index, statement in enumerate(statements):
                if (
                    isinstance(statement, ast.If)
                    and _negated(statement.test)
                    and privileged_test(statement.test)
                    and _exits(statement.body)
                ):
                    rest = _region(statements[index + 1 :])  # ``if not app.debug: return "error"``
                    if rest is not None:
                        found.append(rest)
    return tuple(found)


def _inside(step: FlowStep, region: Region) -> bool:
    span = step.span
    start = (span.start_line, span.start_col)
    return (region[0], region[1]) <= start < (region[2], region[3])


def _regions_of(ctx: RuleContext, path: str | None) -> tuple[Region, ...]:
    """The guarded branches of this file, or of another project file a step of the flow is in
    (a helper module: its summary already made this file depend on it)."""
    if path is None or path == ctx.path:
        return ctx.cache.get(_REGIONS, lambda: _regions(ctx.facts.tree))
    known = ctx.cache.get(_OTHER_REGIONS, dict)
    if path not in known:
        read = getattr(ctx.project, "text_of", None)  # a project index reads its files
        text = read(Path(path)) if read is not None else None
        try:
            known[path] = _regions(ast.parse(text)) if text is not None else ()
        except (SyntaxError, ValueError):
            known[path] = ()
    return known[path]


def developers_only(ctx: RuleContext, steps: tuple[FlowStep, ...]) -> bool:
    """Some step of the flow lies in a branch only developers or administrators reach."""
    return any(any(_inside(step, region) for region in _regions_of(ctx, step.path)) for step in steps)
