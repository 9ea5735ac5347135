"""The text of a sink's arguments as the sink checks read it: the command line of an argument
vector that starts a shell, the ``%r`` arguments of a constant ``%`` format, and the names a
string is built from."""

from __future__ import annotations

import ast
import re

from ..facts import ModuleFacts
from .values import Val, container_display

# Programs that run their ``-c`` argument as a shell command line, and the flags saying so.
_SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "csh", "tcsh", "busybox", "cmd", "cmd.exe",
     "powershell", "powershell.exe", "pwsh", "pwsh.exe"}
)  # fmt: skip
_COMMAND_FLAGS = frozenset({"-c", "/c", "/C", "/k", "/K", "-Command", "-command", "-lc", "-ic", "-ec", "-xc"})


def shell_line(vector: list[Val]) -> Val | None:
    """The command line of an argument vector starting a shell with ``-c`` (``["sh", "-c", line]``,
    ``["bash", "-l", "-c", line]``); None when the vector does not start a shell that way."""
    if not vector or not isinstance(vector[0].const, str):
        return None
    program = vector[0].const.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if program not in _SHELLS:
        return None
    for index in range(1, len(vector) - 1):
        flag = vector[index].const
        if not isinstance(flag, str):
            return None
        if flag in _COMMAND_FLAGS:
            return vector[index + 1]
    return None


def runs_shell(program: Val) -> bool:
    """The program is a shell: what follows is a script and its arguments, or a command line."""
    name = program.const
    return isinstance(name, str) and name.replace("\\", "/").rsplit("/", 1)[-1].lower() in _SHELLS


_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")


def repr_arguments(node: ast.Call) -> set[int]:
    """Positions of the arguments a constant ``%`` format writes with ``%r`` (``log.info("user
    %r", name)``) or as a number (``%d``, ``%.2f``): their ``repr`` escapes line breaks and
    quotes, a number has none, so they cannot forge a line."""
    if not node.args or not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return set()
    reprs, numbers, _ = written_conversions(node.args[0].value)
    return {position + 1 for position in reprs | numbers}


_NUMERIC_CONVERSIONS = frozenset("diouxXeEfFgG")
_SPECIFIERS = re.compile(r"%[-#0 +*.\d]*[hlL]?[diouxXeEfFgGcrsa%]")


def written_conversions(text: str) -> tuple[set[int], set[int], int]:
    """(positions of the ``%r`` conversions among the values a ``%`` template takes, positions of
    its number conversions (``%d``, ``%x``, ``%.2f``: a text there is a ``TypeError``), how many
    values it takes); none for a template of named conversions (one mapping: its entries may be
    written with ``%s``)."""
    if "%(" in text or "*" in "".join(_SPECIFIERS.findall(text)):
        return set(), set(), 0  # a ``*`` width or precision takes a value of its own
    reprs: set[int] = set()
    numbers: set[int] = set()
    position = 0
    for conversion in _CONVERSION.findall(text):
        if conversion == "%":
            continue
        if conversion == "r":
            reprs.add(position)
        elif conversion in _NUMERIC_CONVERSIONS:
            numbers.add(position)
        position += 1
    return reprs, numbers, position


_NUMBER_CALLS = frozenset({"int", "float", "len", "bool", "abs", "round", "ord"})


def variable_leaves(node: ast.AST) -> list[ast.Name] | None:
    """The names a string is built from (``"echo " + name``, f-strings, ``%``, ``.format``);
    None when some part is anything but a constant or a name."""
    if isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.Name):
        return [node]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1 and not node.keywords:
        if node.func.id in _NUMBER_CALLS:
            return []  # a number: no syntax of any language in its text
        if node.func.id == "str":
            return variable_leaves(node.args[0])
    parts: list[ast.AST]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        parts = [node.left, node.right]
    elif isinstance(node, (ast.Tuple, ast.List)):
        parts = list(node.elts)
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and not node.keywords
    ):
        parts = list(node.args)
    else:
        return None
    found: list[ast.Name] = []
    for part in parts:
        inner = variable_leaves(part)
        if inner is None:
            return None
        found.extend(inner)
    return found


def assigned_in_function(facts: ModuleFacts, name: ast.Name) -> list[ast.expr]:
    """The values a plain ``name = value`` gives ``name`` in the function reading it; empty when
    it is bound any other way there (a parameter, a loop, ``with ... as``) or outside a function."""
    fn = facts.enclosing_function(name)
    if fn is None or any(a.arg == name.id for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)):
        return []
    values: list[ast.expr] = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets):
            if len(node.targets) != 1:
                return []
            values.append(node.value)
        elif isinstance(node, ast.Name) and node.id == name.id and isinstance(node.ctx, ast.Store):
            if not isinstance(facts.parent(node), ast.Assign):
                return []
    return values


def shown_as_repr(node: ast.Call, args: list[Val], message: int) -> set[int]:
    """Positions of a log call's arguments written as their ``repr``: a dict, list or tuple known by
    its items, or a request model (``container_display``), given as the message with nothing to
    merge into it (``log.debug(payload)``) or merged by a constant template's ``%s`` that reads no
    mapping key (``log.info("got %s", payload)``; ``"%(name)s"`` would write an item itself)."""
    found: set[int] = set()
    positional = len(node.args)
    if any(isinstance(a, ast.Starred) for a in node.args):
        return found
    template = node.args[message] if positional > message else None
    merged = isinstance(template, ast.Constant) and isinstance(template.value, str) and "%(" not in template.value
    for index, value in enumerate(args[:positional]):
        if index < message or not container_display(value):
            continue
        if (index == message and positional == message + 1) or (index > message and merged):
            found.add(index)
    return found
