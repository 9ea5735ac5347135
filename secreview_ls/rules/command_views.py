"""Where the shell-command rules (SR201-SR203) can judge a chunk of an edited document on its
own: the commands they judge, and whether judging them read beyond the chunk's view."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from ..engine.facts import may_run_shell, true_constant
from .base import RuleContext
from .judge import module_reads


def shell_calls(ctx: RuleContext, names: tuple[str, ...]) -> Iterator[ast.Call]:
    """The process calls (``names``) SR201 judges the command of: a ``shell`` keyword not false."""
    for _, call in ctx.facts.calls_to(*names):
        if may_run_shell(call):
            yield call


def shell_keyword_calls(ctx: RuleContext) -> Iterator[ast.Call]:
    """The calls with a true ``shell=`` constant, whose command SR202 judges."""
    for shell_kw in ctx.facts.unordered(ast.keyword):
        if shell_kw.arg == "shell" and true_constant(shell_kw.value):  # type: ignore[attr-defined]
            call = ctx.facts.parent(shell_kw)
            if isinstance(call, ast.Call):
                yield call


def commands_beyond_view(ctx: RuleContext, calls: Iterable[ast.Call]) -> bool:
    """Whether judging these calls' commands may read beyond a view of part of the module: a
    call in a class (an attribute is judged by what the class's methods store in it) or outside
    a function (the statements around it anywhere in the module), or a judgement that recorded
    reading the whole module (``module_reads``: the module's ``add_argument`` calls, a command
    function's callers, click / typer commands; asked after the rule ran on the view). A
    command in a plain function is judged from the function and the module-level bindings of
    the names it uses, which a chunk's view holds."""
    for call in calls:
        ancestors = list(ctx.facts.ancestors(call))
        if any(isinstance(a, ast.ClassDef) for a in ancestors) or not any(
            isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef)) for a in ancestors
        ):
            return True
    return bool(module_reads(ctx))
