"""Audit notes on shell commands the pattern rules leave out of the default report (hardening)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.facts import argument, keyword
from ..engine.finding import Finding
from .base import LOW, RuleContext, rule
from .fixed_values import fixed_choice
from .injection_patterns import SHELL_CALLS, SUBPROCESS_CALLS, command_argument
from .judge import callee_tail, imports_module, short
from .shell_quoting import caller_command, is_quoted


def _shell_commands(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr]]:
    """Every call that hands a command string to a shell, with that string."""
    for name, call in ctx.facts.calls_to(*SUBPROCESS_CALLS, *SHELL_CALLS):
        if name in SUBPROCESS_CALLS:
            shell = keyword(call, "shell")
            if shell is None or (isinstance(shell.value, ast.Constant) and not shell.value.value):
                continue
            command = command_argument(call)
        else:
            command = argument(call, 0, "cmd") or argument(call, 0, "command")
        if command is not None:
            yield call, command
    known = {*SUBPROCESS_CALLS, *SHELL_CALLS}
    for shell_kw in ctx.facts.nodes(ast.keyword):
        assert isinstance(shell_kw, ast.keyword)
        call = ctx.facts.parent(shell_kw)
        if shell_kw.arg != "shell" or not isinstance(call, ast.Call) or not call.args:
            continue
        if not (isinstance(shell_kw.value, ast.Constant) and shell_kw.value.value is True):
            continue
        if ctx.facts.qualname(call.func) not in known and not (callee_tail(call) or "").startswith("assert"):
            yield call, call.args[0]
    if imports_module(ctx.facts, "paramiko"):
        for call in ctx.facts.method_calls("exec_command"):
            command = argument(call, 0, "command")
            if command is not None:
                yield call, command


@rule(
    id="SR207",
    name="shell-command-from-caller",
    cwe=78,
    severity=LOW,
    confidence=LOW,
    default_enabled=False,
    profiles=("hardening",),
    summary="A shell runs the command a function was handed by its caller (hardening profile).",
    why="A function whose contract is to run its caller's command through a shell (`def popen(cmd)`, "
    "a pager taking the user's `PAGER`, a task runner's `exec_command(cmd)`) is only as safe as its "
    "callers, and the pattern rules cannot see where the command comes from. Such calls are left "
    "out of the default report (SR201, SR202, SR203, SR206); the data-flow rule SR802 reports them "
    "where a request, a socket or another source reaches the call. This audit check lists them so "
    "a hardening review can check each caller or move to argument lists. A parameter interpolated "
    "after a fixed program (`os.system('mkdir %s' % path)`) is not the caller's command: it stays "
    "a default finding, since a `;` in the path runs more than the function promised.",
    bad="import os\n\ndef run_command(command):\n    return os.system(command)",
    good="import subprocess\n\ndef run_command(argv):\n    return subprocess.run(argv, check=True)",
)
def shell_command_from_caller(ctx: RuleContext) -> Iterator[Finding]:
    for call, command in _shell_commands(ctx):
        if fixed_choice(ctx, command) or is_quoted(ctx, command) or not caller_command(ctx, command):
            continue
        function = ctx.facts.enclosing_function(call)
        yield shell_command_from_caller.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` runs `{short(ctx.segment(command))}` through a shell, as the "
            f"caller of `{function.name if function else 'this function'}` hands it in; check that no caller "
            "passes text from outside the program",
        )
