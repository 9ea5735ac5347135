"""Shell command strings whose interpolated values cannot add commands: each is quoted for the
shell, one of a fixed set of constants, or the name of a temporary file the program made; and
commands that are what a function's caller handed in or the local user's own setting, such as
``PAGER`` (the hardening note SR207)."""

from __future__ import annotations

import ast

from .base import RuleContext
from .caller_data import handed_in
from .command_builders import built_by_checking_builder
from .fixed_values import fixed_choice, scope_of, stores_in
from .judge import add_operands, imports_module, single_assignment, static_string
from .operator_values import configured_file, operator_value
from .reaching import reaching_values
from .single_quotes import single_quoted_values
from .user_settings import user_setting

_QUOTING = frozenset({"shlex.quote", "pipes.quote", "shlex.join", "subprocess.list2cmdline"})
_TEMP_FILES = frozenset({"tempfile.mkstemp", "tempfile.mktemp", "tempfile.NamedTemporaryFile"})
_TEMP_DIRECTORIES = frozenset({"tempfile.TemporaryDirectory", "tempfile.mkdtemp"})
_OPENS = frozenset({"builtins.open", "io.open"})
_NUMBERS = frozenset({"os.getpid", "os.getppid", "builtins.int", "builtins.len", "time.time", "time.monotonic"})


def is_quoted(ctx: RuleContext, node: ast.expr, *, nested: bool = False) -> bool:
    """A built string whose every interpolated value is quoted for the shell (``shlex.quote``,
    ``subprocess.list2cmdline``...), one of a fixed set of constants, or the name of a temporary
    file the program created (``mkstemp``, ``NamedTemporaryFile``, a file it opened at a path of fixed
    text and numbers such as the process id), or escaped for single quotes
    and placed between them (``"'%s'" % path.replace("'", "'\\"'\\"'")``). A local name counts when
    every assignment of it that reaches the use is such a string (``command = template %
    shlex.quote(filename)`` then ``os.popen(command)``), or ``shlex.join(parts)`` of parts led by a fixed program."""
    if _joined_with_fixed_program(ctx, node):
        return True
    if isinstance(node, ast.Name) and not nested:
        stores = stores_in(ctx, scope_of(ctx, node), node.id)  # indexed: no walk back for every call
        if not any(isinstance(s, ast.Assign) and is_quoted(ctx, s.value, nested=True) for s in stores):
            return False
        built = reaching_values(ctx, node)
        return bool(built) and all(is_quoted(ctx, value, nested=True) for value in built)
    values = interpolated_values(node)
    if not values or fixed_choice(ctx, node):
        return False
    escaped = {id(value) for value in single_quoted_values(ctx, node)}
    return all(id(v) in escaped or _harmless(ctx, v) for v in values)


def _joined_with_fixed_program(ctx: RuleContext, node: ast.expr) -> bool:
    """``shlex.join(["git", "log", author])`` (also through names bound once): every part is
    quoted, and the program the shell runs is fixed text."""
    if isinstance(node, ast.Name):
        bound = single_assignment(ctx, node)
        node = bound if bound is not None else node
    if not (isinstance(node, ast.Call) and ctx.facts.qualname(node.func) == "shlex.join" and len(node.args) == 1):
        return False
    parts = node.args[0]
    if isinstance(parts, ast.Name):
        bound = single_assignment(ctx, parts)
        parts = bound if bound is not None else parts
    return isinstance(parts, (ast.List, ast.Tuple)) and bool(parts.elts) and fixed_choice(ctx, parts.elts[0])


def _quoting_call(ctx: RuleContext, node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        bound = single_assignment(ctx, node)
        node = bound if bound is not None else node
    return isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _QUOTING


def _temp_file_name(ctx: RuleContext, node: ast.expr) -> bool:
    """``name`` from ``fd, name = tempfile.mkstemp()``, ``handle.name`` of a ``NamedTemporaryFile``,
    a fixed file name joined under a temporary directory: every binding of the name in its scope
    is such a value."""
    if isinstance(node, ast.Attribute) and node.attr == "name":
        node = node.value
    if not isinstance(node, ast.Name):
        return False
    stores = stores_in(ctx, scope_of(ctx, node), node.id)
    made = 0
    for store in stores:
        value = store.context_expr if isinstance(store, ast.withitem) else getattr(store, "value", None)
        if _closing_itself(ctx, value, node.id):
            continue  # ``with contextlib.closing(fp) as fp``: the same file object
        made += 1
        if not (isinstance(value, ast.Call) and ctx.facts.qualname(value.func) in _TEMP_FILES):
            if not _in_temp_directory(ctx, value) and not _opened_at_program_path(ctx, value):
                return False
    return made > 0


def _closing_itself(ctx: RuleContext, value: ast.AST | None, name: str) -> bool:
    return (
        isinstance(value, ast.Call) and ctx.facts.qualname(value.func) == "contextlib.closing"
        and len(value.args) == 1 and isinstance(value.args[0], ast.Name) and value.args[0].id == name
    )  # fmt: skip


def _opened_at_program_path(ctx: RuleContext, value: ast.AST | None) -> bool:
    """``open("/tmp/_tool.%s" % os.getpid(), "w+b")``: a file the program opened at a path made
    only of fixed text and numbers (a fall-back for a temporary file)."""
    if not (isinstance(value, ast.Call) and ctx.facts.qualname(value.func) in _OPENS and value.args):
        return False
    path = value.args[0]
    if static_string(ctx, path) is not None:
        return True
    if isinstance(path, ast.BinOp) and isinstance(path.op, ast.Mod) and static_string(ctx, path.left) is not None:
        parts = path.right.elts if isinstance(path.right, ast.Tuple) else [path.right]
    elif isinstance(path, ast.JoinedStr):
        parts = [v.value for v in path.values if isinstance(v, ast.FormattedValue)]
    else:
        return False
    return all(_number(ctx, part) for part in parts)


def _number(ctx: RuleContext, node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float))
    return isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _NUMBERS


def _in_temp_directory(ctx: RuleContext, value: ast.AST | None) -> bool:
    """``os.path.join(tempdir, "pydoc.out")`` where ``tempdir`` is a directory the program made
    (``TemporaryDirectory()``, ``mkdtemp()``) and the file name is fixed."""
    if not (isinstance(value, ast.Call) and ctx.facts.qualname(value.func) == "os.path.join" and value.args):
        return False
    directory, rest = value.args[0], value.args[1:]
    if not (isinstance(directory, ast.Name) and rest and all(fixed_choice(ctx, part) for part in rest)):
        return False
    stores = stores_in(ctx, scope_of(ctx, directory), directory.id)
    for store in stores:
        made = store.context_expr if isinstance(store, ast.withitem) else getattr(store, "value", None)
        if not (isinstance(made, ast.Call) and ctx.facts.qualname(made.func) in _TEMP_DIRECTORIES):
            return False
    return bool(stores)


def interpolated_values(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        found: list[ast.expr] = []
        for side in add_operands(node):
            if isinstance(side, ast.Constant):
                continue
            inner = interpolated_values(side) if isinstance(side, ast.JoinedStr) else []
            found.extend(inner if inner or isinstance(side, ast.JoinedStr) else [side])
        return found
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        right = node.right
        return list(right.elts) if isinstance(right, ast.Tuple) else [right]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return [*node.args, *(kw.value for kw in node.keywords)]
    return []


def _head_and_rest(ctx: RuleContext, node: ast.expr) -> tuple[ast.expr, list[ast.expr]] | None:
    """The value a built command string starts with (the program it runs) and the other
    interpolated values, when the string starts with an interpolated value."""
    if isinstance(node, ast.JoinedStr):
        fields = [v for v in node.values if not (isinstance(v, ast.Constant) and not str(v.value).strip())]
        if fields and isinstance(fields[0], ast.FormattedValue):
            values = interpolated_values(node)
            return values[0], values[1:]
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        operands = add_operands(node)
        if isinstance(operands[0], (ast.Constant, ast.JoinedStr)):
            return None
        values = interpolated_values(node)
        return (values[0], values[1:]) if values else None
    template: str | None = None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = static_string(ctx, node.left)
        starts = template is not None and template.lstrip().startswith(("%s", "%("))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = static_string(ctx, node.func.value)
        starts = template is not None and template.lstrip().startswith(("{}", "{0}")) and bool(node.args)
    else:
        return None
    values = interpolated_values(node)
    return (values[0], values[1:]) if starts and values else None


def _harmless(ctx: RuleContext, node: ast.expr) -> bool:
    return _quoting_call(ctx, node) or fixed_choice(ctx, node) or _temp_file_name(ctx, node) or _converted(ctx, node)


_CONVERSIONS = frozenset({"builtins.int", "builtins.float", "builtins.len"})


def _converted(ctx: RuleContext, node: ast.expr) -> bool:
    """``int(value)``, or a local name bound once to it (``pid = int(request.args["pid"])``): a
    number, which holds no shell syntax."""
    if isinstance(node, ast.Name):
        bound = single_assignment(ctx, node)
        node = bound if bound is not None else node
    return isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _CONVERSIONS


def caller_command(ctx: RuleContext, node: ast.expr | None, depth: int = 0) -> bool:
    """The command is what the enclosing function's caller handed in (``caller_data``): the
    whole string, or the program at its head with every other value quoted, fixed or a
    temporary file's name (``cmd + ' ' + shlex.quote(path)``), also through a local name every
    assignment of which is such a command. A parameter interpolated
    after a fixed program (``"mkdir %s" % path``) is not: the function promised that program."""
    if node is None:
        return False
    if _chosen(ctx, node) or build_code(ctx):
        return True
    if isinstance(node, ast.Name) and depth < 2:
        values = _assigned_values(ctx, node)  # ``cmd = "%s >'%s'" % (command, out.name)`` in each branch
        return bool(values) and all(caller_command(ctx, v, depth + 1) for v in values)
    if _configured_template(ctx, node):
        return True
    split = _head_and_rest(ctx, node)
    if split is None:
        return False
    head, rest = split
    if operator_value(ctx, head):  # a configured program given files the program names
        return all(_harmless(ctx, v) or configured_file(ctx, v) for v in rest)
    return _chosen(ctx, head) and all(_harmless(ctx, v) for v in rest)


def _configured_template(ctx: RuleContext, node: ast.expr) -> bool:
    """``self._hook % {"user": shlex.quote(user)}``: a command template the operator's
    configuration gives, filled only with quoted or fixed values — the operator wrote the command."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template: ast.expr = node.left
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = node.func.value
    else:
        return False
    values = interpolated_values(node)
    if len(values) == 1 and isinstance(values[0], ast.Dict):
        values = [value for value in values[0].values if value is not None]
    return operator_value(ctx, template) and all(_harmless(ctx, value) for value in values)


def _assigned_values(ctx: RuleContext, name: ast.Name) -> list[ast.expr]:
    """The values of every binding of ``name`` in its scope, when each is a plain assignment to
    the name alone (empty otherwise: a loop variable, a tuple target, ``+=``, a parameter)."""
    values: list[ast.expr] = []
    for store in stores_in(ctx, scope_of(ctx, name), name.id):
        if isinstance(store, ast.Assign) and len(store.targets) == 1 and isinstance(store.targets[0], ast.Name):
            values.append(store.value)
        else:
            return []
    return values


def configured_command(ctx: RuleContext, node: ast.expr) -> bool:
    """The command, or the program at its head, is read from the service's configuration."""
    if operator_value(ctx, node):
        return True
    if isinstance(node, ast.Name):
        return any(configured_command(ctx, v) for v in _assigned_values(ctx, node))
    split = _head_and_rest(ctx, node)
    return split is not None and operator_value(ctx, split[0])


def build_code(ctx: RuleContext) -> bool:
    """The module is build code (it imports ``setuptools`` or ``distutils.core``): the person
    building runs the project's own code with their own rights, and its commands are made from the
    project's own files and metadata (a spec file's path, the distribution's name)."""
    return imports_module(ctx.facts, "setuptools", "distutils.core")


def user_command(ctx: RuleContext, node: ast.expr) -> bool:
    """The command (or the program at its head, the rest harmless) is the local user's own setting."""
    if user_setting(ctx, node):
        return True
    split = _head_and_rest(ctx, node)
    return split is not None and user_setting(ctx, split[0]) and all(_harmless(ctx, v) for v in split[1])


def _chosen(ctx: RuleContext, node: ast.expr) -> bool:
    """Handed in by the caller, the local user's own setting (``PAGER``, the login shell), or
    what a command builder of the module that quotes or checks its values returns."""
    return (
        handed_in(ctx, node)
        or user_setting(ctx, node)
        or built_by_checking_builder(ctx, node)
        or operator_value(ctx, node)
    )


_SEQUENCES = frozenset({"builtins.tuple", "builtins.list"})
_MAX_NAMES = 3  # names followed to the parts they are bound to


def quoted_parts(ctx: RuleContext, node: ast.expr, *, names: int = 0) -> bool:
    """A command handed over as parts, each fixed text or quoted for the shell (``("sqlite3",
    shlex.quote(path), ">", shlex.quote(out))``, ``tuple(shlex.quote(p) for p in argv)``, such
    tuples added together or chosen by a condition): a wrapper joining them for the shell gets a
    command line no value can add a command to. A local name bound once to such parts counts
    (``command = dump_command + ("--clean",)`` with ``dump_command`` such a tuple too)."""
    if isinstance(node, ast.Name):
        bound = single_assignment(ctx, node) if names < _MAX_NAMES else None
        return bound is not None and quoted_parts(ctx, bound, names=names + 1)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_fixed_or_quoted(ctx, part) for part in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return quoted_parts(ctx, node.left, names=names) and quoted_parts(ctx, node.right, names=names)
    if isinstance(node, ast.IfExp):
        return quoted_parts(ctx, node.body, names=names) and quoted_parts(ctx, node.orelse, names=names)
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _SEQUENCES and len(node.args) == 1:
        return not node.keywords and quoted_parts(ctx, node.args[0], names=names)
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return _quoting_call(ctx, node.elt)
    return False


def _fixed_or_quoted(ctx: RuleContext, part: ast.expr) -> bool:
    if isinstance(part, ast.Constant) and isinstance(part.value, str):
        return True
    return isinstance(part, ast.Call) and ctx.facts.qualname(part.func) in _QUOTING
