"""Values the local user sets for their own process: not input from anyone else.

A program that runs the user's ``PYTHONSTARTUP`` file, pipes its output through the user's
``PAGER``, opens the user's ``EDITOR`` or reads ``~/.appname.py`` does what that user asked, with
that user's rights; whoever can change those settings can already run anything as the user. Such
values are not an injection into the program (the same reasoning as a command a function's caller
hands in, ``caller_data``): the pattern rules leave them to their ``hardening`` audit notes.

A value is *the user's own setting* when it is derived only from:

* an environment variable or configuration entry named for a per-user preference
  (``os.environ.get("PAGER")``, ``os.getenv("EDITOR")``, ``config.get_config_value("PAGER")``)
  or for the folders set for the user's session or the service's unit (``XDG_RUNTIME_DIR``,
  systemd's ``RUNTIME_DIRECTORY``, the temporary folder ``TMPDIR``);
* the user's home directory (``os.path.expanduser("~/.pythonrc.py")``, ``Path.home()``,
  ``os.environ["HOME"]``) and paths joined under it, and the login shell or home directory of the
  current user in the password database (``pwd.getpwuid(os.getuid()).pw_shell``,
  ``pwd.getpwnam(getpass.getuser())[6]``);
* a directory the code checks the current user owns (``os.stat(d).st_uid != os.getuid()``: skip
  anyone else's), and paths joined under it (``~/.app/options``, ``./.app/options`` found upward);
* the program's command line (``engine.command_line``): ``sys.argv`` and items of it, what a
  command-line parser's ``parse_args()`` returns and its attributes, a click / typer command's
  parameter, and a parameter of a module function every call of which in the module passes such a
  value (``main(sys.argv[1:])``), also text built only from these and constants (concatenation,
  ``%``, f-strings, ``.format`` of a fixed template, ``join`` with a fixed separator);
* the content of a file so named (``open(path).read()``, ``handle.read()`` of
  ``with open(path) as handle``), ``compile()`` of it, a loop over a collection of such values, a
  name or class constant bound only to them; fixed values may stand beside them (``or "less"``).

Not the user's own: every other environment variable (``DATABASE_URL`` is deployment data a
service reads, and a CGI program's environment carries request headers), request data, files
named by anything else, and the password entry of any user other than the current one.
"""

from __future__ import annotations

import ast

from ..engine.command_line import command_line_parameter, is_parse_call, reads_command_line
from ..engine.facts import parameter_names
from .base import CacheKey, RuleContext
from .fixed_values import scope_of, stored_value, stores_in
from .judge import class_attribute_value, is_static, module_reads, note_command_line_frameworks, static_string

# Environment variables and settings a user sets for their own programs.
PREFERENCES = frozenset(
    {
        "PYTHONSTARTUP",
        "PAGER",
        "MANPAGER",
        "GIT_PAGER",
        "EDITOR",
        "VISUAL",
        "GIT_EDITOR",
        "BROWSER",
        "SHELL",
        "TERMINAL",
        "HOME",
        "USERPROFILE",
        "XDG_CONFIG_HOME",
        # The user's base folders (XDG base directories; the runtime folder PAM makes for the
        # login) and those systemd makes for the service it starts (``RuntimeDirectory=`` ...).
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "XDG_RUNTIME_DIR",
        "RUNTIME_DIRECTORY",
        "STATE_DIRECTORY",
        "CACHE_DIRECTORY",
        "LOGS_DIRECTORY",
        "CONFIGURATION_DIRECTORY",
        # The folder for temporary files (``tempfile`` reads the same variables).
        "TMPDIR",
        "TEMP",
        "TMP",
    }
)
_LOOKUPS = frozenset({"get", "getenv", "get_config_value", "environ_get"})
_ENVIRONS = frozenset({"os.environ", "os.environb"})
_OPENERS = frozenset(
    {
        "builtins.open",
        "io.open",
        "io.open_code",
        "codecs.open",
        "io.TextIOWrapper",
        "builtins.compile",
        "builtins.str",
        "os.fsdecode",
        "os.path.abspath",
        "os.path.normpath",
        "os.path.realpath",
    }
)
_HOMES = frozenset({"pathlib.Path.home", "os.path.expanduser"})
_READS = frozenset({"read", "readline", "readlines", "read_text", "read_bytes", "strip", "rstrip", "split"})
_PASSWORD_FIELDS = frozenset({"pw_shell", "pw_dir"})
_CURRENT_USER = frozenset({"os.getuid", "os.geteuid", "getpass.getuser"})
_PASSWORD_LOOKUPS = frozenset({"getpwuid", "getpwnam"})
_FIXED_MODULE_VALUES = frozenset({"os.curdir", "os.sep", "os.devnull"})
_COLLECTIONS = frozenset(
    {
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "builtins.frozenset",
        "builtins.sorted",
        "builtins.reversed",
        "builtins.enumerate",
        "builtins.filter",
    }
)
_COLLECTION_CALLS = frozenset({"OrderedSet", "OrderedDict", "deque", "fromkeys"})


def user_setting(ctx: RuleContext, node: ast.AST | None) -> bool:
    """``node`` is the local user's own setting or a file it names (see the module docstring)."""
    return _judge(ctx, node, frozenset(), 0) == "user"


def _both(verdicts: list[str | None]) -> str | None:
    """Combine the verdicts of alternatives: every one the user's or fixed, at least one the user's."""
    if any(v is None for v in verdicts) or not verdicts:
        return None
    return "user" if "user" in verdicts else "fixed"


def _judge(ctx: RuleContext, node: ast.AST | None, seen: frozenset[str], depth: int) -> str | None:
    """ "user", "fixed" or None (anything else)."""
    if node is None or depth > 14:
        return None
    if isinstance(node, ast.Constant):
        return "fixed"
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return _both([_judge(ctx, e, seen, depth + 1) for e in node.elts])
    if isinstance(node, ast.IfExp):
        return _both([_judge(ctx, node.body, seen, depth + 1), _judge(ctx, node.orelse, seen, depth + 1)])
    if isinstance(node, ast.BoolOp):
        return _both([_judge(ctx, v, seen, depth + 1) for v in node.values])
    if isinstance(node, ast.Name):
        return _name(ctx, node, seen, depth)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # ``Path.home() / ".apprc"``
        return "user" if _judge(ctx, node.left, seen, depth + 1) == "user" else None
    if isinstance(node, ast.Subscript):
        if _current_user_entry(ctx, node.value) and isinstance(node.slice, ast.Constant) and node.slice.value in (5, 6):
            return "user"  # ``entry[6]``: pw_shell (``[5]``: pw_dir)
        if _command_line(ctx, node.value, seen, depth):
            return "user"  # ``sys.argv[1]``, ``args[0]`` of ``main(sys.argv[1:])``
        return _environment(ctx, node.value, node.slice)
    if isinstance(node, (ast.JoinedStr, ast.BinOp)) and not isinstance(getattr(node, "op", None), ast.Div):
        return _built(ctx, node, seen, depth)
    if isinstance(node, ast.Attribute):
        return _attribute(ctx, node, seen, depth)
    if isinstance(node, ast.Call):
        return _call(ctx, node, seen, depth)
    return "fixed" if is_static(ctx, node) else None


def _preference(ctx: RuleContext, key: ast.AST | None) -> bool:
    text = static_string(ctx, key)
    return text is not None and text.upper() in PREFERENCES


def _environment(ctx: RuleContext, owner: ast.AST, key: ast.AST | None) -> str | None:
    """``os.environ["PAGER"]``."""
    return "user" if ctx.facts.qualname(owner) in _ENVIRONS and _preference(ctx, key) else None


def _built(ctx: RuleContext, node: ast.AST, seen: frozenset[str], depth: int) -> str | None:
    """Text built by concatenation, ``%`` or an f-string from the user's values and constants."""
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        right = node.right
        extra = list(right.elts) if isinstance(node.op, ast.Mod) and isinstance(right, ast.Tuple) else [right]
        parts = [node.left, *extra]
    else:
        return None
    return _both([_judge(ctx, part, seen, depth + 1) for part in parts])


def _command_line(ctx: RuleContext, node: ast.AST, seen: frozenset[str], depth: int) -> bool:
    """``sys.argv`` itself, or a value the module binds only to the command line."""
    if reads_command_line(ctx.facts, node):
        return True
    return isinstance(node, ast.Name) and _judge(ctx, node, seen, depth + 1) == "user"


def _attribute(ctx: RuleContext, node: ast.Attribute, seen: frozenset[str], depth: int) -> str | None:
    if ctx.facts.qualname(node) in _FIXED_MODULE_VALUES:
        return "fixed"
    if reads_command_line(ctx.facts, node):
        return "user"
    if isinstance(node.value, ast.Name) and _parsed_options(ctx, node.value):
        return "user"  # ``args.target`` of ``args = parser.parse_args()``
    if node.attr in _PASSWORD_FIELDS and _current_user_entry(ctx, node.value):
        return "user"
    value = class_attribute_value(ctx, node)
    return _judge(ctx, value, seen, depth + 1) if value is not None else None


def _current_user_entry(ctx: RuleContext, node: ast.AST | None) -> bool:
    """``pwd.getpwuid(os.getuid())`` / ``pwd.getpwnam(getpass.getuser())``: the password entry of
    the user running the program (the module may be held in an attribute: ``self._pwd``)."""
    if isinstance(node, ast.Name):
        stores = stores_in(ctx, scope_of(ctx, node), node.id)
        return len(stores) == 1 and _current_user_entry(ctx, getattr(stores[0], "value", None))
    if not (isinstance(node, ast.Call) and node.args and not node.keywords):
        return False
    tail = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    who = node.args[0]
    return tail in _PASSWORD_LOOKUPS and isinstance(who, ast.Call) and ctx.facts.qualname(who.func) in _CURRENT_USER


def _call(ctx: RuleContext, call: ast.Call, seen: frozenset[str], depth: int) -> str | None:
    name = ctx.facts.qualname(call.func)
    first = call.args[0] if call.args else None
    if name in _HOMES:
        text = static_string(ctx, first) if first is not None else ""
        return "user" if (text is not None and text.startswith("~")) or name == "pathlib.Path.home" else None
    if name == "os.getenv":
        return "user" if _preference(ctx, first) else None
    if name in _OPENERS:
        return _judge(ctx, first, seen, depth + 1) if first is not None else None
    if name == "os.path.join" and first is not None:
        return "user" if _judge(ctx, first, seen, depth + 1) == "user" else None  # a file in the user's home
    if name in _COLLECTIONS or (name or "").rsplit(".", 1)[-1] in _COLLECTION_CALLS:
        return _both([_judge(ctx, a, seen, depth + 1) for a in call.args if not _is_function(ctx, a)])
    if not isinstance(call.func, ast.Attribute):
        return None
    method, receiver = call.func.attr, call.func.value
    if is_parse_call(ctx.facts, call):
        return "user"  # the program's parsed command line
    if method == "format" and static_string(ctx, receiver) is not None:  # ``"tool -o {0}".format(output)``
        return _both([_judge(ctx, a, seen, depth + 1) for a in [*call.args, *(k.value for k in call.keywords)]])
    if method == "join" and len(call.args) == 1 and static_string(ctx, receiver) is not None:
        return _judge(ctx, call.args[0], seen, depth + 1)  # ``" -k ".join(keywords)``
    if method in _LOOKUPS and _preference(ctx, first):
        return "user"  # os.environ.get("PAGER"), config.get_config_value("PAGER")
    if method in _READS:
        return _judge(ctx, receiver, seen, depth + 1)
    return None


def _is_function(ctx: RuleContext, node: ast.AST) -> bool:
    """``filter(None, ...)`` / ``filter(os.path.isfile, ...)``: the predicate, not a value."""
    return (
        isinstance(node, ast.Lambda)
        or (isinstance(node, ast.Constant) and node.value is None)
        or (isinstance(node, ast.Attribute) and ctx.facts.qualname(node) is not None)
    )


_STATS = frozenset({"os.stat", "os.lstat"})


_OWNER_CHECKED: CacheKey[dict[int, tuple[ast.AST, frozenset[str]]] | None] = CacheKey(
    "names whose owner each scope compares with the current user (None: the text reads no owner id)"
)


def _owner_table(ctx: RuleContext) -> dict[int, tuple[ast.AST, frozenset[str]]] | None:
    """An empty table of the scopes' answers; None when the text never reads an owner's id (the
    text is searched once a file, not at each name asked about)."""
    text = ctx.source.text
    return {} if "st_uid" in text or "ST_UID" in text else None


def _owner_checked(ctx: RuleContext, scope: ast.AST, name: str) -> bool:
    """``os.stat(name).st_uid`` (or ``[stat.ST_UID]``) is compared with ``os.getuid()`` in the scope:
    the code makes sure the directory belongs to the user running it."""
    table = ctx.cache.get(_OWNER_CHECKED, lambda: _owner_table(ctx))
    if table is None:
        return False
    entry = table.get(id(scope))
    if entry is None or entry[0] is not scope:
        entry = table[id(scope)] = (scope, _owner_checked_names(ctx, scope))
    return name in entry[1]


def _owner_checked_names(ctx: RuleContext, scope: ast.AST) -> frozenset[str]:
    """The names whose owner the scope compares with the current user's id (one walk per scope)."""
    found: set[str] = set()
    for compare in (n for n in ast.walk(scope) if isinstance(n, ast.Compare) and len(n.comparators) == 1):
        sides = (compare.left, compare.comparators[0])
        if any(isinstance(s, ast.Call) and ctx.facts.qualname(s.func) in _CURRENT_USER for s in sides):
            found.update(owner for s in sides if (owner := _stat_owner(ctx, s)) is not None)
    return frozenset(found)


def _stat_owner(ctx: RuleContext, node: ast.AST) -> str | None:
    """The name in ``os.stat(name).st_uid`` / ``os.stat(name)[stat.ST_UID]``, else None."""
    if isinstance(node, ast.Attribute) and node.attr == "st_uid":
        node = node.value
    elif isinstance(node, ast.Subscript) and (
        ctx.facts.qualname(node.slice) == "stat.ST_UID"
        or (isinstance(node.slice, ast.Constant) and node.slice.value == 4)
    ):
        node = node.value
    else:
        return None
    if (
        isinstance(node, ast.Call)
        and ctx.facts.qualname(node.func) in _STATS
        and node.args
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def _name(ctx: RuleContext, name: ast.Name, seen: frozenset[str], depth: int) -> str | None:
    if name.id in seen:
        return "fixed"  # ``line = line.strip()``: judged by its other bindings
    scope = scope_of(ctx, name)
    if _owner_checked(ctx, scope, name.id):
        return "user"
    stores = stores_in(ctx, scope, name.id)
    if not stores and scope is not ctx.facts.tree and name.id not in parameter_names(scope, starred=True):
        stores = stores_in(ctx, ctx.facts.tree, name.id)  # a module-level name read in a function
    if not stores:
        note_command_line_frameworks(ctx)
        if command_line_parameter(ctx.facts, scope, name.id):
            return "user"  # a click / typer command's argument
        return "user" if _command_line_parameter(ctx, scope, name.id, seen, depth) else None
    inner = seen | {name.id}
    verdicts: list[str | None] = []
    for store in stores:
        verdicts.append(_judge(ctx, stored_value(store), inner, depth + 1))
    return _both(verdicts)


def _parsed_options(ctx: RuleContext, name: ast.Name) -> bool:
    """``name`` is bound only to what ``parse_args()`` returns (``args = parser.parse_args()``,
    ``(options, args) = parser.parse_args()``)."""
    stores = stores_in(ctx, scope_of(ctx, name), name.id)
    if not stores:
        stores = stores_in(ctx, ctx.facts.tree, name.id)
    return bool(stores) and all(
        (value := stored_value(store)) is not None and is_parse_call(ctx.facts, value) for store in stores
    )


def _command_line_parameter(ctx: RuleContext, function: ast.AST, name: str, seen: frozenset[str], depth: int) -> bool:
    """``name`` is a parameter of a module-level function that the module calls, and every such
    call passes the command line for it (``main(sys.argv[1:])``, ``backup(args.target)``)."""
    if (
        not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        or ctx.facts.parent(function) is not ctx.facts.tree
    ):
        return False
    positional = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if name not in positional or depth > 10:
        return False
    index = positional.index(name)
    module_reads(ctx).add("the calls of a module function")
    calls = [
        node
        for node in ctx.facts.nodes(ast.Call)
        if isinstance(node.func, ast.Name) and node.func.id == function.name  # type: ignore[attr-defined]
    ]
    if not calls:
        return False
    for call in calls:
        passed = call.args[index] if index < len(call.args) else None  # type: ignore[attr-defined]
        if passed is None or isinstance(passed, ast.Starred):
            return False
        if _judge(ctx, passed, seen | {name}, depth + 2) != "user":
            return False
    return True
