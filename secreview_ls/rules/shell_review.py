"""Audit notes on shell commands the pattern rules leave out of the default report (hardening):
commands a function was handed by its caller (SR207) and commands nothing can be injected into (SR208)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.facts import argument, keyword, may_run_shell, true_constant
from ..engine.finding import Finding
from .base import HIGH, LOW, RuleContext, rule
from .caller_data import handed_in
from .command_builders import built_by_checking_builder
from .fixed_values import fixed_choice
from .injection_patterns import SHELL_CALLS, SUBPROCESS_CALLS, argv_fix, command_argument
from .judge import callee_tail, imports_module, short
from .shell_quoting import build_code, caller_command, configured_command, is_quoted, user_command


def _literal_shell_true(kw: ast.keyword) -> bool:
    """``shell=True`` spelled with the constant ``True`` itself."""
    return kw.arg == "shell" and isinstance(kw.value, ast.Constant) and kw.value.value is True


def _shell_commands(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr]]:
    """Every call that hands a command string to a shell, with that string."""
    for name, call in ctx.facts.calls_to(*SUBPROCESS_CALLS, *SHELL_CALLS):
        if name in SUBPROCESS_CALLS:
            if not may_run_shell(call):
                continue
            command = command_argument(call)
        else:
            command = argument(call, 0, "cmd") or argument(call, 0, "command")
        if command is not None:
            yield call, command
    known = {*SUBPROCESS_CALLS, *SHELL_CALLS}
    for shell_kw in ctx.facts.nodes_where(ast.keyword, _literal_shell_true):
        call = ctx.facts.parent(shell_kw)
        if not isinstance(call, ast.Call) or not call.args:
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
    scope="module",  # a command builder or a caller passing the command line may sit in any chunk
    name="shell-command-from-caller",
    cwe=78,
    severity=LOW,
    confidence=LOW,
    default_enabled=False,
    profiles=("hardening",),
    summary="A shell runs the command a function was handed by its caller or the local user's own setting "
    "(hardening profile).",
    why="A function whose contract is to run its caller's command through a shell (`def popen(cmd)`, "
    "a pager taking the user's `PAGER`, a task runner's `exec_command(cmd)`) is only as safe as its "
    "callers, and the pattern rules cannot see where the command comes from. Such calls are left "
    "out of the default report (SR201, SR202, SR203, SR206); the data-flow rule SR802 reports them "
    "where a request, a socket or another source reaches the call. This audit check lists them so "
    "a hardening review can check each caller or move to argument lists. A parameter interpolated "
    "after a fixed program (`os.system('mkdir %s' % path)`) is not the caller's command: it stays "
    "a default finding, since a `;` in the path runs more than the function promised. The local "
    "user's own settings are here too: a pager from `PAGER`, an editor from `EDITOR`, the login shell "
    "of the current user in the password database run what that user chose, with that user's rights, "
    "and so does a command built from the program's own command line (`sys.argv`, `parse_args()`, a "
    "parameter every call of which in the module passes them, as in `main(sys.argv[1:])`). "
    "So is a command a builder of the same module returns where that builder quotes its values "
    "(`shlex.quote`) or refuses one holding a character outside a safe set (`if "
    "_find_unsafe(name): return None`): the commands it joins are its callers' (a pipeline's steps, "
    "a mailcap entry); a builder that neither quotes nor checks gives no such command. Commands "
    "in build code (a module importing `setuptools` or `distutils.core`) are here as well: whoever "
    "builds the package runs its code with their own rights, and the commands are made from the "
    "project's own files and metadata. So is a program the service's configuration or the "
    "program's command line names (`config.get('postfix', 'postmap_command')`, `settings.CONVERT_BIN`, "
    "`options.converter`) given only fixed text and files the program names under a configured "
    "directory: the operator chose that command; and a command template the configuration gives, filled only "
    "with quoted or fixed values (`settings.STORAGE_HOOK % {'user': shlex.quote(user)}`).",
    bad="import os\n\ndef run_command(command):\n    return os.system(command)",
    good="import subprocess\n\ndef run_command(argv):\n    return subprocess.run(argv, check=True)",
)
def shell_command_from_caller(ctx: RuleContext) -> Iterator[Finding]:
    for call, command in _shell_commands(ctx):
        if fixed_choice(ctx, command) or is_quoted(ctx, command) or not caller_command(ctx, command):
            continue
        function = ctx.facts.enclosing_function(call)
        if user_command(ctx, command):
            where = "the local user's own setting or command line (a pager, an editor, the login shell, `sys.argv`)"
        elif configured_command(ctx, command) and not handed_in(ctx, command):
            where = "a command the operator chose (command line or configuration), given files the program names"
        elif build_code(ctx) and not handed_in(ctx, command):
            where = "a command of build code, made from the project's own files and metadata"
        elif built_by_checking_builder(ctx, command) and not handed_in(ctx, command):
            where = "a command a builder of this module made, quoting or checking the values it adds"
        else:
            where = f"what the caller of `{function.name if function else 'this function'}` hands in"
        yield shell_command_from_caller.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` runs `{short(ctx.segment(command))}` through a shell, as "
            f"{where}; check that no one else can set that text",
        )


def _shell_strings(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr, ast.keyword | None]]:
    """Calls that always run their command through a shell (``os.system``...) or say so with a
    literal ``shell=True``, with the command string and the ``shell`` keyword."""
    for name, call in ctx.facts.calls_to(*SUBPROCESS_CALLS, *SHELL_CALLS):
        if name in SUBPROCESS_CALLS:
            shell = keyword(call, "shell")
            if shell is None or not true_constant(shell.value):
                continue
            command = command_argument(call)
        else:
            shell = None
            command = argument(call, 0, "cmd") or argument(call, 0, "command")
        if command is not None:
            yield call, command, shell


@rule(
    id="SR208",
    name="shell-without-injection",
    cwe=78,
    severity=LOW,
    confidence=HIGH,
    default_enabled=False,
    profiles=("hardening",),
    fix_safety="unsafe",
    fix_note="Without the shell a missing program raises `FileNotFoundError` instead of ending with "
    "status 127, and what only a shell provides (its built-in commands on Windows, aliases, the "
    "`SHELL` environment) is gone.",
    summary="A shell runs a command nothing can be injected into: fixed, or every value quoted (hardening profile).",
    why="A command string that is a literal, one of a fixed set of constants, or built only from "
    "values quoted for the shell (`shlex.quote`, `subprocess.list2cmdline`), fixed or naming a "
    "temporary file the program made gives an attacker nothing to inject, so it is not in the "
    "default report (SR201, SR203). The shell is still an extra program between the code and the "
    "command: its parsing, its `PATH` lookup and its environment (`BASH_ENV`, `IFS`) take part in "
    "every run. A "
    "hardening review can list these calls and move them to argument lists without a shell; a "
    "fixed command without shell syntax gets that rewrite. Starting a program by name rather than "
    "by absolute path is the opt-in rule SR204.",
    bad='import subprocess\nsubprocess.run("git rev-parse HEAD", shell=True)',
    good='import subprocess\nsubprocess.run(["git", "rev-parse", "HEAD"])',
)
def shell_without_injection(ctx: RuleContext) -> Iterator[Finding]:
    for call, command, shell in _shell_strings(ctx):
        spelled = ctx.facts.spelled(call.func)
        if fixed_choice(ctx, command):
            yield shell_without_injection.finding(
                ctx,
                call,
                f"`{spelled}` runs the fixed command `{short(ctx.segment(command))}` through the shell; "
                "nothing is interpolated, but an argument list without a shell avoids it entirely",
                fix=argv_fix(ctx, call, command, shell) if shell is not None else None,
            )
        elif is_quoted(ctx, command):
            yield shell_without_injection.finding(
                ctx,
                call,
                f"`{spelled}` runs `{short(ctx.segment(command))}` through the shell; every interpolated "
                "value is quoted for the shell or fixed, but an argument list without a shell is simpler",
            )
