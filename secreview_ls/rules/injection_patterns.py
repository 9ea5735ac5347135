"""Command and SQL construction patterns (SR2xx).

These rules look at how a command or query is *built*: a fixed command run
through a shell is a small risk, one assembled from variables is a large one,
and an argument list without a shell is the safe form and is not reported.
Whether the variables actually carry untrusted data is the taint rules' job
(SR8xx); where both fire on the same call the taint finding wins.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator

from ..engine.evidence import Judgement
from ..engine.facts import argument, is_built_string, keyword, may_run_shell, true_constant
from ..engine.finding import Finding, Fix, FlowStep, TextEdit
from .base import HIGH, LOW, MEDIUM, CacheKey, RuleContext, remove_keyword, rule
from .command_views import commands_beyond_view, shell_calls, shell_keyword_calls
from .fixed_values import fixed_choice
from .judge import (
    add_operands,
    callee_tail,
    destination_names,
    identifier_words,
    imports_module,
    is_static,
    module_reads,
    short,
    single_assignment,
    static_string,
)
from .sensitive_calls import QUERY_METHODS
from .shell_quoting import caller_command, is_quoted, quoted_parts
from .sql_keywords import looks_like_sql, names_sql_word
from .sql_names import names_only, names_reason, placed_values, quoted_values
from .sql_text import in_quoted_literal
from .sql_values import harmless_value as _harmless_value
from .sql_values import literal_text_and_values as _literal_text_and_values

SUBPROCESS_CALLS = (
    "subprocess.Popen",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.run",
)
SHELL_CALLS = (
    "os.system",
    "os.popen",
    "os.popen2",
    "os.popen3",
    "os.popen4",
    "popen2.popen2",
    "popen2.popen3",
    "popen2.popen4",
    "popen2.Popen3",
    "popen2.Popen4",
    "commands.getoutput",
    "commands.getstatusoutput",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "asyncio.create_subprocess_shell",
)
NO_SHELL_CALLS = (
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execlpe",
    "os.execv",
    "os.execve",
    "os.execvp",
    "os.execvpe",
    "os.spawnl",
    "os.spawnle",
    "os.spawnlp",
    "os.spawnlpe",
    "os.spawnv",
    "os.spawnve",
    "os.spawnvp",
    "os.spawnvpe",
    "os.startfile",
    "os.posix_spawn",
    "os.posix_spawnp",
    "asyncio.create_subprocess_exec",
)
_SHELL_BUILTINS = frozenset(
    "cd export source . alias unalias set unset exit type ulimit umask eval exec read wait trap shift "
    "pushd popd builtin command hash local readonly return break continue".split()
)
# Characters after which a shell string no longer means "split on spaces".
_SHELL_META = re.compile(r"[|&;<>()$`\\*?\[\]#~{}!\n\r\t]")


def command_argument(call: ast.Call) -> ast.expr | None:
    return argument(call, 0, "args")


def _without_shell(call: ast.Call) -> Judgement:
    """How a process started without a shell gets its command."""
    command = command_argument(call)
    if isinstance(command, (ast.List, ast.Tuple)):
        return Judgement.ARGUMENT_LIST
    if isinstance(command, ast.Constant) and isinstance(command.value, (str, bytes)):
        return Judgement.CONSTANT_COMMAND
    return Judgement.NO_SHELL


def shell_value(call: ast.Call) -> ast.expr | None:
    kw = keyword(call, "shell")
    return kw.value if kw is not None else None


def _describe_command(ctx: RuleContext, node: ast.expr) -> str:
    if is_built_string(node):
        return f"a command built at run time (`{short(ctx.segment(node))}`)"
    return f"the command `{short(ctx.segment(node))}`, which is not fixed in the source"


def argv_fix(ctx: RuleContext, call: ast.Call, command: ast.expr, shell_kw: ast.keyword | None) -> Fix | None:
    """Rewrite ``run("ls -l /tmp", shell=True)`` to ``run(["ls", "-l", "/tmp"])``."""
    if not (isinstance(command, ast.Constant) and isinstance(command.value, str)):
        return None
    text = command.value
    if not text.strip() or _SHELL_META.search(text):
        return None
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    if not words or words[0] in _SHELL_BUILTINS or "=" in words[0]:
        return None
    if "'" in text or '"' in text:
        return None  # keep the rewrite obviously equivalent
    edits = [TextEdit(ctx.span(command), "[" + ", ".join(_quote(w) for w in words) + "]")]
    if shell_kw is not None:
        edits.extend(remove_keyword(ctx, call, shell_kw, "").edits)
    return Fix(f"Pass the command as an argument list without a shell: `{words[0]} …`", tuple(edits))


def _quote(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


@rule(
    id="SR201",
    scope="module",  # a command builder or a caller passing the command line may sit in any chunk
    needs_module=lambda ctx: commands_beyond_view(ctx, shell_calls(ctx, SUBPROCESS_CALLS)),
    name="subprocess-shell-true",
    cwe=78,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B602", "B404"),
    ruff=("S602", "S404"),
    summary="A `subprocess` call runs its command through the shell (`shell=True`).",
    why="With `shell=True` the command string is interpreted by `/bin/sh`: `;`, `|`, `$(...)` and "
    "backticks in any interpolated value start new commands. A value such as `x; rm -rf ~` turns a "
    "file listing into arbitrary command execution. Passing an argument list without a shell sends "
    "each value to the program as one argument, whatever it contains. A command nothing can be "
    "injected into is not reported here: a fixed command string, one taken from a constant tuple, "
    "and one whose interpolated values are all quoted for the shell (`shlex.quote`, "
    "`subprocess.list2cmdline`), fixed, or names of temporary files the program made are the "
    "`hardening` note SR208, with the argument-list rewrite. "
    "A command a function was handed by its caller (`def popen(cmd)`) is the `hardening` note SR207 "
    "(the data-flow rule SR802 reports outside text reaching it); a parameter after a fixed program "
    "(`f'mkdir {path}'`) stays here.",
    bad='import subprocess\nsubprocess.run(f"convert {upload} out.png", shell=True)',
    good='import subprocess\nsubprocess.run(["convert", upload, "out.png"])',
)
def subprocess_shell_true(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*SUBPROCESS_CALLS):
        if not may_run_shell(call):
            ctx.judged(name, call, _without_shell(call))
            continue
        shell_kw = keyword(call, "shell")
        assert shell_kw is not None
        command = command_argument(call)
        if command is None:
            continue
        spelled = ctx.facts.spelled(call.func)
        static = fixed_choice(ctx, command)
        if not true_constant(shell_kw.value):
            if static or caller_command(ctx, command):
                continue
            yield subprocess_shell_true.finding(
                ctx,
                call,
                f"`{spelled}` with `shell={short(ctx.segment(shell_kw.value))}` may run "
                f"{_describe_command(ctx, command)} through the shell",
                severity=MEDIUM,
                confidence=LOW,
            )
            continue
        if static or is_quoted(ctx, command):
            continue  # SR208's hardening note: nothing can be injected
        if caller_command(ctx, command):
            continue  # SR207's audit note: the caller chooses the command
        yield subprocess_shell_true.finding(
            ctx,
            call,
            f"`{spelled}` runs {_describe_command(ctx, command)} through the shell (`shell=True`); "
            "shell metacharacters in any interpolated value run extra commands — pass an argument list",
            confidence=HIGH if is_built_string(command) else MEDIUM,
        )


@rule(
    id="SR202",
    scope="module",  # a command builder or a caller passing the command line may sit in any chunk
    needs_module=lambda ctx: commands_beyond_view(ctx, shell_keyword_calls(ctx)),
    name="shell-true-other-call",
    cwe=78,
    severity=MEDIUM,
    confidence=LOW,
    bandit=("B604",),
    ruff=("S604",),
    summary="A function other than `subprocess.*` is called with `shell=True` and a command that is "
    "not fixed in the source.",
    why="Wrappers around `subprocess` (project helpers, `invoke`, `fabric`, ...) commonly forward "
    "`shell=True` to a shell; the same injection applies to whatever command string they receive. "
    "A command passed as parts that are each fixed text or quoted with `shlex.quote` is not reported, also "
    "when local names hold such parts (`command = dump_command + (shlex.quote(name),)`).",
    bad='run_cmd(f"git log {branch}", shell=True)',
    good='run_cmd(["git", "log", branch])',
)
def shell_true_other_call(ctx: RuleContext) -> Iterator[Finding]:
    known = set(SUBPROCESS_CALLS)
    # Most keywords are passed over without looking up their call.
    for shell_kw in ctx.facts.nodes_where(ast.keyword, lambda kw: kw.arg == "shell" and true_constant(kw.value)):
        assert isinstance(shell_kw, ast.keyword)
        call = ctx.facts.parent(shell_kw)
        if not isinstance(call, ast.Call):
            continue
        name = ctx.facts.qualname(call.func)
        if name in known or (callee_tail(call) or "").startswith("assert"):
            continue
        command = call.args[0] if call.args else None
        if command is None or isinstance(command, ast.Starred) or fixed_choice(ctx, command):
            continue
        if isinstance(command, (ast.Name, ast.Attribute)) and ctx.facts.qualname(command) in known:
            continue  # functools.partial(subprocess.run, shell=True): the function, not a command
        if caller_command(ctx, command) or quoted_parts(ctx, command):
            continue
        yield shell_true_other_call.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` is called with `shell=True` and "
            f"{_describe_command(ctx, command)}; if it reaches a shell, metacharacters in it run extra commands",
            confidence=MEDIUM if is_built_string(command) else LOW,
        )


@rule(
    id="SR203",
    scope="module",  # a command builder or a caller passing the command line may sit in any chunk
    needs_module=lambda ctx: commands_beyond_view(ctx, (call for _, call in ctx.facts.calls_to(*SHELL_CALLS))),
    name="shell-command",
    cwe=78,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B605",),
    ruff=("S605",),
    summary="`os.system`, `os.popen` and similar run a command string through the shell.",
    why="These functions always hand the string to `/bin/sh`, so any interpolated value can add "
    "commands with `;`, `|` or `$(...)`. Use `subprocess.run` with an argument list instead. A "
    "fixed command, or one whose interpolated values are all quoted (also by hand: every `'` "
    "replaced by `'\"'\"'` and the value put between single quotes), fixed or temporary-file names "
    "(also a file the program opened at a path of fixed text and its process id), "
    "cannot be injected into: it is the `hardening` note SR208; a command the caller hands in is "
    "the `hardening` note SR207, also when a local name holds it with such values added "
    "(`cmd = \"%s >'%s'\" % (command, out.name)`), or a command a builder of the same module returns "
    "that quotes its values or refuses ones with characters outside a safe set (`if _find_unsafe(name): "
    "return None`); so is a command in build code (a module importing `setuptools` or "
    "`distutils.core`), made from the project's own files and metadata, or a program the service's "
    "configuration names given only files the program names under a configured directory. A local name is judged by the assignments of it "
    "that reach the call (`command = template % shlex.quote(name)` then `os.popen(command)`).",
    bad="import os\nos.system('tar xf ' + archive)",
    good="import subprocess\nsubprocess.run(['tar', 'xf', archive], check=True)",
)
def shell_command(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to(*SHELL_CALLS):
        command = argument(call, 0, "cmd") or argument(call, 0, "command")
        if command is None:
            continue
        spelled = ctx.facts.spelled(call.func)
        if fixed_choice(ctx, command) or is_quoted(ctx, command):
            continue  # SR208's hardening note: nothing can be injected
        if caller_command(ctx, command):
            continue  # SR207's audit note
        yield shell_command.finding(
            ctx,
            call,
            f"`{spelled}` runs {_describe_command(ctx, command)} through the shell; shell metacharacters "
            "in any interpolated value run extra commands — use `subprocess.run([...])`",
            confidence=HIGH if is_built_string(command) else MEDIUM,
        )


def _program_literal(ctx: RuleContext, name: str, call: ast.Call) -> tuple[str, ast.AST] | None:
    """The program a process call starts, when it is a literal: (program, node)."""
    command = argument(call, 0, "args") if name in SUBPROCESS_CALLS else None
    if name in SHELL_CALLS:
        command = argument(call, 0, "cmd") or argument(call, 0, "command")
    if name in SUBPROCESS_CALLS or name in SHELL_CALLS:
        if command is None:
            return None
        if name in SUBPROCESS_CALLS:
            executable = keyword(call, "executable")
            if executable is not None:
                return None
        if isinstance(command, (ast.List, ast.Tuple)):
            if not command.elts:
                return None
            text = static_string(ctx, command.elts[0])
            return (text, command.elts[0]) if text is not None else None
        text = static_string(ctx, command)
        if text is None:
            return None
        shell = name in SHELL_CALLS or true_constant(shell_value(call))
        if shell:
            try:
                words = [w for w in shlex.split(text) if "=" not in w]
            except ValueError:
                return None
            if not words or words[0] in _SHELL_BUILTINS:
                return None
            return words[0], command
        # Without a shell a command string is one program name on POSIX, but on Windows it is a
        # command line whose first word is looked up like any program name.
        words = text.split()
        return (words[0].strip("\"'") if words else text), command
    if name == "os.startfile":
        return None
    program = call.args[0] if call.args else None
    if name.startswith("os.spawn"):
        program = call.args[1] if len(call.args) > 1 else None
    if name.startswith("os.posix_spawn"):
        program = argument(call, 0, "path")
    if name == "asyncio.create_subprocess_exec":
        program = argument(call, 0, "program")
    text = static_string(ctx, program)
    return (text, program) if text is not None and program is not None else None


def _is_partial_path(program: str) -> bool:
    if not program or program.startswith(("/", "\\", "~")):
        return False
    if not re.fullmatch(r"[\w.+\-:\\/]+", program):
        return False  # shell syntax such as ``(less)``, not a program name
    if re.match(r"^[A-Za-z]:[\\/]", program):
        return False
    return not program.startswith(("./", "../", ".\\", "..\\"))


@rule(
    id="SR204",
    name="partial-executable-path",
    cwe=426,
    severity=LOW,
    confidence=HIGH,
    bandit=("B607",),
    ruff=("S607",),
    summary="A process is started by program name (`git`) rather than absolute path.",
    why="The program is looked up in `PATH`. Whoever controls `PATH` or a writable directory early "
    "in it (a shared machine, a CI runner, a compromised user account) decides which binary runs. "
    "Services running with privileges should use an absolute path or `shutil.which` with a fixed "
    "search path.",
    bad="import subprocess\nsubprocess.run(['git', 'pull'])",
    good="import subprocess\nsubprocess.run(['/usr/bin/git', 'pull'])",
    default_enabled=False,
)
def partial_executable_path(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*SUBPROCESS_CALLS, *SHELL_CALLS, *NO_SHELL_CALLS):
        found = _program_literal(ctx, name, call)
        if found is None:
            continue
        program, node = found
        if not _is_partial_path(program):
            continue
        yield partial_executable_path.finding(
            ctx,
            node,
            f"`{ctx.facts.spelled(call.func)}` starts `{short(program)}` by name, so the first match in "
            "`PATH` runs; use an absolute path for the executable",
        )


_WILDCARD_COMMANDS = frozenset({"chown", "chmod", "tar", "rsync", "chgrp", "zip", "7z"})


def _shell_text(ctx: RuleContext, node: ast.expr) -> str | None:
    """Literal text of a shell command, with interpolated parts replaced by a marker."""
    text = static_string(ctx, node)
    if text is not None:
        return text
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else " X " for v in node.values)  # type: ignore[misc]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return "".join(static_string(ctx, part) or " X " for part in add_operands(node))
    if isinstance(node, (ast.List, ast.Tuple)):
        return " ".join(static_string(ctx, e) or "X" for e in node.elts)
    return None


@rule(
    id="SR205",
    name="wildcard-injection",
    cwe=155,
    severity=HIGH,
    confidence=MEDIUM,
    bandit=("B609",),
    ruff=("S609",),
    summary="A shell command passes a bare `*` wildcard to `tar`, `chown`, `chmod` or `rsync`.",
    why="The shell expands `*` to the file names in the directory, and file names that start with "
    "`-` become options: a file called `--checkpoint-action=exec=sh x.sh` makes `tar cf a.tar *` "
    "run a script. Anyone who can create files in that directory controls the command.",
    bad="import os\nos.system('tar czf backup.tgz *')",
    good="import subprocess\nsubprocess.run(['tar', 'czf', 'backup.tgz', '--', *names])",
)
def wildcard_injection(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*SHELL_CALLS, *SUBPROCESS_CALLS):
        if name in SUBPROCESS_CALLS and not true_constant(shell_value(call)):
            continue
        command = command_argument(call) if name in SUBPROCESS_CALLS else (call.args[0] if call.args else None)
        if command is None:
            continue
        text = _shell_text(ctx, command)
        if not text or "*" not in text:
            continue
        for segment in re.split(r"[;&|]+", text):
            words = segment.split()
            if not words:
                continue
            program = words[0].rsplit("/", 1)[-1]
            if program == "sudo" and len(words) > 1:
                program = words[1].rsplit("/", 1)[-1]
            if program in _WILDCARD_COMMANDS and any(w.startswith("*") for w in words[1:]):
                yield wildcard_injection.finding(
                    ctx,
                    call,
                    f"`{ctx.facts.spelled(call.func)}` runs `{program}` with a bare `*` wildcard; file names "
                    "starting with `-` in that directory become options — use `--` or `./*`",
                )
                break


@rule(
    id="SR206",
    scope="module",  # a command builder or a caller passing the command line may sit in any chunk
    name="paramiko-exec-command",
    cwe=78,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B601",),
    ruff=("S601",),
    summary="A Paramiko `exec_command` runs a command string that is not fixed in the source.",
    why="`SSHClient.exec_command` hands the string to the remote user's shell, so values "
    "interpolated into it can add commands on the remote host. Quote each value with "
    "`shlex.quote` or avoid building commands from input.",
    bad="client.exec_command(f'cat {path}')",
    good="import shlex\nclient.exec_command('cat ' + shlex.quote(path))",
)
def paramiko_exec_command(ctx: RuleContext) -> Iterator[Finding]:
    if not imports_module(ctx.facts, "paramiko"):
        return
    for call in ctx.facts.method_calls("exec_command"):
        command = argument(call, 0, "command")
        if command is None or fixed_choice(ctx, command) or is_quoted(ctx, command) or caller_command(ctx, command):
            continue
        yield paramiko_exec_command.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` runs {_describe_command(ctx, command)} in the remote shell; "
            "quote interpolated values with `shlex.quote`",
            confidence=MEDIUM if is_built_string(command) else LOW,
        )


# -- SQL ---------------------------------------------------------------------------

_NAMES_SQL_WORD: CacheKey[bool] = CacheKey("the module names an SQL keyword")
_SQL_CALLS = frozenset(
    {"execute", "executemany", "executescript", "raw", "read_sql", "read_sql_query", "text", "mogrify"}
)
_IDENTIFIER_WORDS = frozenset(
    {
        "table",
        "tables",
        "column",
        "columns",
        "col",
        "cols",
        "field",
        "fields",
        "schema",
        "db",
        "sequence",
        "seq",
        "index",
    }
)


def _names_sql_word(ctx: RuleContext) -> bool:
    """``names_sql_word`` of the module's text, asked once per module."""
    return ctx.cache.get(_NAMES_SQL_WORD, lambda: names_sql_word(ctx.source.text))


def _outermost_add(ctx: RuleContext, node: ast.BinOp) -> bool:
    parent = ctx.facts.parent(node)
    return not (isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add))


def _reaches_sql_call(ctx: RuleContext, node: ast.expr) -> tuple[str, ast.Call | None] | None:
    """The SQL-running call the built string is passed to: its name, and the call itself when
    the string reaches it through a variable (built on one line, run on another)."""
    parent = ctx.facts.parent(node)
    if isinstance(parent, ast.Call) and node in parent.args and callee_tail(parent) in _SQL_CALLS:
        return ctx.facts.spelled(parent.func), None
    if isinstance(parent, ast.keyword):
        call = ctx.facts.parent(parent)
        if isinstance(call, ast.Call) and callee_tail(call) in _SQL_CALLS:
            return ctx.facts.spelled(call.func), None
    names = destination_names(ctx.facts, node)
    if not names:
        return None
    function = ctx.facts.enclosing_function(node)
    following = [
        call
        for call in ctx.facts.method_calls(*_SQL_CALLS)
        if call.args
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id in names
        and ctx.facts.enclosing_function(call) is function
        and call.lineno >= node.lineno
    ]
    if not following:
        return None
    nearest = min(following, key=lambda call: (call.lineno, call.col_offset))
    return ctx.facts.spelled(nearest.func), nearest


def _django_sql_argument(ctx: RuleContext, node: ast.expr) -> bool:
    """The string is an argument of ``RawSQL(...)``, ``.objects.raw(...)`` or ``.extra(...)``."""
    current: ast.AST = node
    for _ in range(3):
        parent = ctx.facts.parent(current)
        if parent is None:
            return False
        if isinstance(parent, ast.Call):
            tail = callee_tail(parent)
            return tail == "RawSQL" or tail == "extra" or _is_manager_raw(parent)
        if not isinstance(parent, (ast.keyword, ast.List, ast.Tuple, ast.Dict)):
            return False
        current = parent
    return False


def _identifier_like(ctx: RuleContext, node: ast.expr) -> bool:
    """``self.table_name``, ``cls._meta.db_table``, ``column``: names of schema objects."""
    spelled = ctx.segment(node)
    words = set(identifier_words(spelled.rsplit(".", 1)[-1]))
    return bool(words & _IDENTIFIER_WORDS)


@rule(
    id="SR210",
    name="sql-string-building",
    scope="module",  # a helper method is judged by what the class's other methods pass it and return
    needs_module=lambda ctx: _judged_beyond_view(ctx),
    cwe=89,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B608",),
    ruff=("S608",),
    summary="An SQL statement is assembled from a literal and a non-constant value.",
    why='Formatting a value into SQL text (`f"... WHERE id = {x}"`, `%`, `+`, `.format`) lets a '
    "quote in that value end the string literal and append SQL of the attacker's choosing. Pass the "
    "values as parameters (`execute(sql, (x,))`) so the driver keeps them out of the SQL text. "
    "Numbers formatted with `%d` / `{:d}` and placeholder lists built from `?`/`%s` (also named "
    "placeholders numbered by `next()` of an `itertools.count()`, `:val_0, :val_1`) are not "
    "reported, nor are pieces gathered in `dict(...)` and formatted with `**` when each is harmless, nor are identifiers passed through the database layer's quoting function "
    "(`connection.ops.quote_name(...)`, `preparer.quote_identifier(...)`, quotes doubled with "
    "`.replace('\"', '\"\"')`, or a function of the module whose every `return` is such a piece, "
    "like `'\"' + s.replace('\"', '\"\"') + '\"'`), compiled SQL fragments (`as_sql()`, `compiler.compile(...)`, "
    "`self.process(...)`, a `render_*`/`visit_*` method inside an SQL compiler class, the SQL of a "
    "`sql, params = self.*_sql(...)` pair, also from a literal pair, a conditional of pairs or a method of "
    "the class whose every `return` is such a pair; the locals of a `visit_*`/`render_*` method of a "
    "class named `...Compiler`; the backend's clause methods `connection.ops.*_sql`/`*_prefix`/`*_suffix`; "
    "a variable named for a `placeholder`), a fragment returned together with its parameters "
    "(`clause, args = helper(...)` whose `args` go to `execute` as parameters), a database backend's "
    "feature constant (`connection.features.X`), a constant read on an imported class "
    "(`EventTypes.Retention`), names a Django model declares (`model._meta.db_table`, a field's "
    "`column` reached through `_meta`: schema the developer wrote; the tables of a model's "
    "`metadata.sorted_tables`, their columns and names), a time written by a fixed `strftime` format, a "
    "key or time column (`*id`, `*_at`, `*_when`...) of rows the program's own `SELECT` returned (text "
    "columns read back stay findings: stored text is second-order injection), a sequence or table "
    "name quoted for `setval('...')`/`nextval('...')`, what `connection.ops` methods "
    "derive from such pieces, and text, lists or mapping values composed only of such pieces, "
    "through variables and `self` attributes every assignment of which is one. A private helper "
    "is judged by its class: a method parameter every `self.helper(...)` call passes such a "
    "piece, a method whose every `return` is one; a loop over a literal collection yields such "
    "pieces, and a nested function reads them from the function around it. A piece of unknown "
    "origin keeps the finding, except where SQL takes a name or a clause (a table, a column list, "
    "`ORDER BY`, `WHERE {}`, `MAX({})`, `{}.column`) and the piece is what the caller handed in or "
    "the statement runs with a parameter list: names cannot be bound, and that is the `hardening` "
    "note SR213. A clause built in view is judged through what it is built from: "
    "`clauses.append(\"%s = '%s'\" % (k, v))` keeps the finding. SQL quoted in a raised error "
    "message is not a statement.",
    bad="cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")",
    good='cur.execute("SELECT * FROM users WHERE name = %s", (name,))',
)
def sql_string_building(ctx: RuleContext) -> Iterator[Finding]:
    _judge_queries(ctx)
    if not _names_sql_word(ctx):
        return
    for node, _text, _values, risky, quoted in _unknown_pieces(ctx):
        # A value of unknown origin is at most a low-confidence note, unless it is written
        # between quotes as an SQL string literal: then it is data and belongs in a parameter.
        confidence = LOW
        if quoted:
            confidence = HIGH
        elif names_reason(ctx, node, risky) is not None:
            continue  # SR213's audit note: names, which cannot be bound
        reached = _reaches_sql_call(ctx, node)
        sink, sink_call = reached if reached else (None, None)
        if confidence == HIGH and not sink:
            confidence = MEDIUM
        where = f" and passed to `{sink}`" if sink else ""
        flow = ()
        if sink_call is not None:  # one finding, where the statement runs, with where it was built
            flow = (
                FlowStep(ctx.span(node), f"SQL text built from `{short(ctx.segment(risky[0]))}`"),
                FlowStep(ctx.span(sink_call), f"runs in `{sink}()`"),
            )
        yield sql_string_building.finding(
            ctx,
            sink_call if sink_call is not None else node,
            f"SQL text is built from `{short(ctx.segment(risky[0]))}`"
            f"{f' (line {node.lineno})' if sink_call is not None else ''}{where}; a quote in "
            "that value changes the statement — pass values as query parameters instead",
            confidence=confidence,
            flow=flow,
            extra={"values": [short(ctx.segment(v)) for v in risky]},
            message_lines=(node.lineno,) if sink_call is not None else (),
        )


def _unknown_pieces(
    ctx: RuleContext,
) -> Iterator[tuple[ast.expr, str, list[ast.expr], list[ast.expr], bool]]:
    """SQL texts built from values of unknown origin (Django's own SQL arguments left to
    SR211/SR212): each with its text, its values, the unknown ones, and whether one of them is
    written between quotes as an SQL string literal (data, not a name)."""
    for node, text, values in _sql_texts(ctx):
        risky = [v for v in values if not _harmless_value(ctx, v)]
        if not risky or _django_sql_argument(ctx, node):
            continue
        between_quotes = quoted_values(ctx, node)
        if between_quotes is None:
            quoted = in_quoted_literal(text) and not all(_identifier_like(ctx, v) for v in risky)
        else:  # only a value of unknown origin between quotes is data
            quoted = any(v in risky and not _identifier_like(ctx, v) for v in between_quotes)
        yield node, text, values, risky, quoted


@rule(
    id="SR213",
    name="sql-names-from-caller",
    scope="module",
    needs_module=lambda ctx: _builds_sql_text(ctx),
    cwe=89,
    severity=LOW,
    confidence=LOW,
    default_enabled=False,
    profiles=("hardening",),
    summary="SQL text names the table, columns or clause a function was handed by its caller, or "
    "composes names of unknown origin around values run as parameters (hardening profile).",
    why="A data-access helper that writes its caller's table name, column list, sort key or "
    '`WHERE` clause into the statement (`def count(cur, table): cur.execute(f"SELECT count(*) '
    'FROM {table}")`) does what it is asked: names cannot be passed as query parameters, and the '
    "pattern rules cannot see where its callers get them. Such statements are left out of the "
    "default report (SR210); the data-flow rule SR801 reports them where request data reaches the "
    "query. This audit note lists them so a hardening review can check each caller, or the "
    "helper can check the name against the known tables and columns (or quote it with the "
    "driver's identifier quoting). The same holds for names and clauses of any origin in a statement "
    "that runs its values as parameters (`execute(sql, args)`: a storage layer's `INSERT INTO {table} "
    "({columns}) VALUES (?, ?)`, `WHERE {clauses}` of `col = ?` pieces): the code binds its values, and "
    "only the names are left to check. It is reported where the statement runs. Values (after `=`, in "
    "`VALUES (...)`, `LIMIT`, between quotes, also inside a clause the code builds) stay SR210.",
    bad='def count(cur, table):\n    cur.execute(f"SELECT count(*) FROM {table}")',
    good='TABLES = {"users", "orders"}\n\ndef count(cur, table):\n    if table not in TABLES:\n'
    '        raise ValueError(table)\n    cur.execute(f"SELECT count(*) FROM {table}")',
)
def sql_names_from_caller(ctx: RuleContext) -> Iterator[Finding]:
    if not _names_sql_word(ctx):
        return
    for call, sql in _raw_sql_names(ctx):
        yield sql_names_from_caller.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` puts names of unknown origin into `{short(ctx.segment(sql))}`, where "
            "SQL takes a name, beside its parameter list; check they can only be known tables and columns",
        )
    for node, _text, _values, risky, quoted in _unknown_pieces(ctx):
        reason = None if quoted else names_reason(ctx, node, risky)
        if reason is None:
            continue
        function = ctx.facts.enclosing_function(node)
        piece = short(ctx.segment(risky[0]))
        reached = _reaches_sql_call(ctx, node)
        sink_call = reached[1] if reached else None
        if reason == "caller":
            chooser = (
                "the object holds (whoever constructs it chooses it)"
                if _on_self(risky[0])
                else f"the caller of `{function.name if function else 'this function'}` hands in"
            )
            message = (
                f"SQL text names `{piece}`, which {chooser}; check each caller passes a known name, "
                "or check it here against the known tables and columns"
            )
        else:
            message = (
                f"SQL text puts `{piece}` where SQL takes a name or a clause, in a statement whose values run as "
                "parameters; check it can only be a known table, column or clause"
            )
        yield sql_names_from_caller.finding(
            ctx,
            sink_call if sink_call is not None else node,  # where the statement runs
            message + (f" (built on line {node.lineno})" if sink_call is not None else ""),
            message_lines=(node.lineno,) if sink_call is not None else (),
        )


_SQL_TEXTS: CacheKey[list[tuple[ast.expr, str, list[ast.expr]]]] = CacheKey("strings built as SQL text")


def _sql_texts(ctx: RuleContext) -> list[tuple[ast.expr, str, list[ast.expr]]]:
    """Strings built at run time whose literal text looks like SQL: each with that text and the
    values put into it (found once per analysis, for the rules that judge them)."""
    return ctx.cache.get(_SQL_TEXTS, lambda: list(_find_sql_texts(ctx)))


def _find_sql_texts(ctx: RuleContext) -> Iterator[tuple[ast.expr, str, list[ast.expr]]]:
    candidates: list[ast.expr] = []
    for node in ctx.facts.nodes(ast.JoinedStr):
        assert isinstance(node, ast.JoinedStr)
        parent = ctx.facts.parent(node)
        if isinstance(parent, ast.FormattedValue) or (isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add)):
            continue
        candidates.append(node)
    for node in ctx.facts.nodes(ast.BinOp):
        assert isinstance(node, ast.BinOp)
        if isinstance(node.op, ast.Mod) or (isinstance(node.op, ast.Add) and _outermost_add(ctx, node)):
            candidates.append(node)
    candidates.extend(ctx.facts.method_calls("format", "replace"))
    for node in candidates:
        if _error_message(ctx, node):
            continue
        parts = _literal_text_and_values(ctx, node)
        if parts is None:
            continue
        text, values = parts
        if values and looks_like_sql(text):
            yield node, text, values


def _error_message(ctx: RuleContext, node: ast.expr) -> bool:
    """``raise Error(TEMPLATE % {...})``: text that quotes SQL for the reader of an error
    message; nothing runs it."""
    call = ctx.facts.parent(node)
    raised = ctx.facts.parent(call) if isinstance(call, ast.Call) else None
    return isinstance(raised, ast.Raise) and raised.exc is call and node in call.args


def _judged_beyond_view(ctx: RuleContext) -> bool:
    """Whether SR210's judgements on this code may read beyond a view of part of the module:
    SQL text built in a class (a helper method is judged by what the class's other methods pass
    it and return) or outside a function (statements around it anywhere in the module), or a
    judgement that recorded reading the whole module (``module_reads``; asked after the rule
    ran on the view). Text built in a plain function is judged from the function and the
    module-level bindings of the names it uses, which a chunk's view holds."""
    for node, _text, _values in _sql_texts(ctx):
        ancestors = list(ctx.facts.ancestors(node))
        if any(isinstance(a, ast.ClassDef) for a in ancestors) or not any(
            isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef)) for a in ancestors
        ):
            return True
    return bool(module_reads(ctx))


def _builds_sql_text(ctx: RuleContext) -> bool:
    """Whether the code builds a string that looks like SQL from a literal and a value. Where
    no code of the module does, SR210 only describes the SQL-running calls (each on its own),
    so it need not run on the whole module: the judgements that read the class's other
    methods are made only for such strings."""
    return next(iter(_sql_texts(ctx)), None) is not None


def _judge_queries(ctx: RuleContext) -> None:
    """What SQL-running calls pass: a constant statement, values as parameters. A statement
    built in the call itself is this rule's to report, not to describe."""
    for call in ctx.facts.method_calls(*QUERY_METHODS):
        if not isinstance(call.func, ast.Attribute):
            continue
        api = f"{ctx.facts.spelled(call.func)}()"
        first = call.args[0] if call.args else None
        if first is not None and is_built_string(first):
            continue
        if isinstance(first, ast.Constant) and isinstance(first.value, (str, bytes)):
            ctx.judged(api, call, Judgement.CONSTANT_QUERY)
        if len(call.args) > 1 or any(kw.arg in ("params", "parameters", "args") for kw in call.keywords):
            ctx.judged(api, call, Judgement.BOUND_PARAMETERS)


# -- Django ------------------------------------------------------------------------

_EXTRA_POSITIONS = ("select", "where", "params", "tables", "order_by", "select_params")


def _extra_is_unsafe(ctx: RuleContext, call: ast.Call) -> ast.expr | None:
    given: dict[str, ast.expr] = {}
    for index, arg in enumerate(call.args[: len(_EXTRA_POSITIONS)]):
        given[_EXTRA_POSITIONS[index]] = arg
    for kw in call.keywords:
        if kw.arg:
            given[kw.arg] = kw.value
    for key in ("where", "tables"):
        value = given.get(key)
        if value is None:
            continue
        if isinstance(value, (ast.List, ast.Tuple)):
            for item in value.elts:
                if static_string(ctx, item) is None and not _harmless_value(ctx, item):
                    return item
        elif not _harmless_value(ctx, value):
            return value
    # The keys of ``select`` are aliases, which Django quotes itself; the values are SQL.
    select = given.get("select")
    if isinstance(select, ast.Dict):
        for item in select.values:
            if static_string(ctx, item) is None and not _harmless_value(ctx, item):
                return item
    elif isinstance(select, ast.DictComp):
        if not _harmless_value(ctx, select.value):
            return select.value
    elif select is not None and not _harmless_value(ctx, select):
        return select
    return None


@rule(
    id="SR211",
    name="django-extra",
    scope="module",  # a helper method is judged by what the class's other methods pass it and return
    cwe=89,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B610",),
    ruff=("S610",),
    summary="Django `QuerySet.extra()` receives SQL that is not fixed in the source.",
    why="`extra(where=..., select=..., tables=...)` pastes its strings into the query verbatim; "
    "values formatted into them are SQL injection. Keep the SQL fragments literal and pass values "
    "through `params=`, or use query expressions. Fragments composed only of identifiers quoted by "
    "the database layer (`connection.ops.quote_name(...)`), placeholders, numbers and compiled SQL are "
    "not reported, nor are the keys of `select=` (aliases, which Django quotes).",
    bad="User.objects.extra(where=[f\"name = '{name}'\"])",
    good='User.objects.extra(where=["name = %s"], params=[name])',
)
def django_extra(ctx: RuleContext) -> Iterator[Finding]:
    if not imports_module(ctx.facts, "django"):
        return
    for call in ctx.facts.method_calls("extra"):
        if not call.args and not any(kw.arg in _EXTRA_POSITIONS for kw in call.keywords):
            continue
        unsafe = _extra_is_unsafe(ctx, call)
        if unsafe is None:
            continue
        yield django_extra.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` puts `{short(ctx.segment(unsafe))}` into the SQL text; keep "
            "fragments literal and pass values with `params=`",
        )


@rule(
    id="SR212",
    name="django-raw-sql",
    scope="module",  # a helper method is judged by what the class's other methods pass it and return
    cwe=89,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B611",),
    ruff=("S611",),
    summary="Django `RawSQL(...)` / `.raw(...)` receives SQL that is not fixed in the source.",
    why="The SQL string is sent as written; values formatted into it are SQL injection. Keep the "
    "SQL literal with `%s` placeholders and pass the values as `params`. SQL composed only of "
    "quoted identifiers, placeholders, numbers and compiled fragments (`sql, params = "
    "compiler.compile(node)`) is not reported. `RawSQL(text, params)` whose text puts pieces of unknown "
    'origin only where SQL takes a name (`"%s.%s" % (qn(table), col)`, `SELECT {column} FROM`) runs its '
    "values as parameters: names cannot be bound, and such text is the `hardening` note SR213.",
    bad='from django.db.models.expressions import RawSQL\nqs.annotate(v=RawSQL(f"select {col}", []))',
    good='from django.db.models.expressions import RawSQL\nqs.annotate(v=RawSQL("select x from t where id = %s", [pk]))',
)
def django_raw_sql(ctx: RuleContext) -> Iterator[Finding]:
    if not imports_module(ctx.facts, "django"):
        return
    calls: list[ast.Call] = [
        c for _, c in ctx.facts.calls_to("django.db.models.expressions.RawSQL", "django.db.models.RawSQL")
    ]
    calls.extend(c for c in ctx.facts.method_calls("raw") if _is_manager_raw(c))
    for call in calls:
        sql = argument(call, 0, "sql") if callee_tail(call) == "RawSQL" else argument(call, 0, "raw_query")
        if sql is None or static_string(ctx, sql) is not None or _harmless_value(ctx, sql):
            continue  # constant SQL, or SQL composed of quoted names, placeholders and compiled fragments
        if isinstance(sql, ast.Name) and _bound_to_static(ctx, sql):
            continue
        if callee_tail(call) == "RawSQL" and argument(call, 1, "params") is not None and _names_around_params(ctx, sql):
            continue  # ``RawSQL("%s.%s" % (qn(table), col), [])``: names, its values are the params
        yield django_raw_sql.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` runs SQL from `{short(ctx.segment(sql))}`, which is not fixed "
            "in the source; keep the SQL literal and pass values as params",
            confidence=MEDIUM if is_built_string(sql) else LOW,
        )


def _raw_sql_names(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr]]:
    """``RawSQL(text, params)`` calls whose text SR212 leaves to SR213: names of unknown origin
    around a parameter list."""
    if not imports_module(ctx.facts, "django"):
        return
    for _, call in ctx.facts.calls_to("django.db.models.expressions.RawSQL", "django.db.models.RawSQL"):
        sql = argument(call, 0, "sql")
        if (
            sql is not None
            and argument(call, 1, "params") is not None
            and not _harmless_value(ctx, sql)
            and _names_around_params(ctx, sql)
        ):
            yield call, sql


def _names_around_params(ctx: RuleContext, sql: ast.expr) -> bool:
    """SQL text built here whose every piece of unknown origin sits where SQL takes a name
    (``{}.column``, ``ORDER BY {}``) and holds no value of its own: the statement's values go
    in its parameter list, and names cannot be bound (the `hardening` note's class, SR213)."""
    parts = _literal_text_and_values(ctx, sql) if is_built_string(sql) else None
    if parts is None:
        return False
    placed = placed_values(ctx, sql)
    if placed is None:
        return False
    risky = [value for value in parts[1] if not _harmless_value(ctx, value)]
    in_name_slot = {id(value) for value, takes_name in placed if takes_name}
    return all(id(value) in in_name_slot and names_only(ctx, value, lambda _: True) for value in risky)


def _is_manager_raw(call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and func.value.attr == "objects"


def _bound_to_static(ctx: RuleContext, name: ast.Name) -> bool:
    value = single_assignment(ctx, name)
    return value is not None and is_static(ctx, value)


def _on_self(node: ast.AST) -> bool:
    """``node`` reads an attribute of the method's own object (``self._table``)."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
