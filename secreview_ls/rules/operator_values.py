"""Values the program's operator chooses: its own command line and configuration.

A script that fetches the URL given with ``--url``, an upload command that posts to the
repository named in the user's configuration file, or a service that runs the program its
configuration names (``config.get("postfix", "postmap_command")``, ``settings.CONVERT_BIN``) on
files it names under a configured directory (``os.path.join(config.DATA_DIR, "postfix_lmtp")``)
does what the person running or configuring it told it to. Whoever sets those values already
runs the program; they are not input from a peer. The pattern rules leave such values to their
``hardening`` notes (like a value a function's caller hands in, ``caller_data``); data-flow rules
still follow request and network data.

A value is *the operator's* when it is built only from fixed text and:

* the program's command line (``engine.command_line``): ``sys.argv`` or an item of it, the
  result of a command-line parser (``options, args = parser.parse_args()`` with ``parser`` an
  ``argparse.ArgumentParser`` or ``optparse.OptionParser``) and its attributes, a click / typer
  command's parameter;
* configuration: an item or attribute of, or a lookup (``get``, ``getint``...) in, a name or
  attribute chain named for configuration (``mta_config.get("postfix", "cmd")``,
  ``self.config["url"]``, ``django.conf.settings.CONVERT_BIN``), or of a mapping returned by a
  call named for reading it (``config = self._read_pypirc()``, ``load_config()``); a local name
  counts by what it was assigned, never by its name (``config = request.get_json()`` is request
  data);
* an attribute of ``self`` that every assignment in its class gives only such values (or
  constants; an upper-case attribute never assigned in the class is a constant by convention).

Names are followed through every assignment in their scope; a conditional or ``or`` of such
values is one too. Anything else (a parameter, request data, a fetched document) is not.
"""

from __future__ import annotations

import ast

from ..engine.command_line import command_line_parameter, is_parse_call, reads_command_line
from ..engine.facts import parameter_names
from .base import RuleContext
from .fixed_values import scope_of, stored_value, stores_in
from .judge import class_stores, identifier_words, is_static, note_command_line_frameworks

_CONFIG_WORDS = frozenset({"config", "conf", "cfg", "configuration", "settings", "ini", "pypirc", "rc"})
_LOOKUPS = frozenset(
    {"get", "getstring", "getint", "getboolean", "getpath", "get_value", "get_option", "get_config_value"}
)
_PATH_JOINS = frozenset({"os.path.join", "posixpath.join"})
_MAX_DEPTH = 6


def operator_value(ctx: RuleContext, node: ast.AST | None) -> bool:
    """``node`` is built from the operator's command line or configuration (module docstring)."""
    return node is not None and _judge(ctx, node, frozenset(), 0) == "operator"


def _combine(verdicts: list[str | None]) -> str | None:
    """Every part the operator's or fixed, at least one the operator's."""
    if any(v is None for v in verdicts):
        return None
    return "operator" if "operator" in verdicts else "fixed"


def _judge(ctx: RuleContext, node: ast.AST | None, seen: frozenset[str], depth: int) -> str | None:
    if node is None or depth > _MAX_DEPTH:
        return None
    if is_static(ctx, node):
        return "fixed"
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        return _combine([_judge(ctx, p, seen, depth + 1) for p in parts])
    if isinstance(node, ast.BinOp):
        return _combine([_judge(ctx, node.left, seen, depth + 1), _judge(ctx, node.right, seen, depth + 1)])
    if isinstance(node, ast.BoolOp):
        return _combine([_judge(ctx, v, seen, depth + 1) for v in node.values])
    if isinstance(node, ast.IfExp):
        return _combine([_judge(ctx, node.body, seen, depth + 1), _judge(ctx, node.orelse, seen, depth + 1)])
    if isinstance(node, ast.Name):
        return _name(ctx, node, seen, depth)
    if isinstance(node, ast.Subscript):
        return _container(ctx, node.value, seen, depth)
    if isinstance(node, ast.Attribute):
        return _attribute(ctx, node, seen, depth)
    if isinstance(node, ast.Call):
        return _call(ctx, node, seen, depth)
    return None


def _config_name(name: str) -> bool:
    return bool(set(identifier_words(name)) & _CONFIG_WORDS)


def _config_spelled(ctx: RuleContext, node: ast.AST) -> bool:
    """An attribute chain with a part named for configuration (``self.config``,
    ``django.conf.settings``), or rooted at an imported or global name so named (``settings``);
    a name the code assigns counts by its value, not its name."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute) and _config_name(node.attr):
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and _config_name(node.id) and not _assigned(ctx, node)


def _assigned(ctx: RuleContext, name: ast.Name) -> bool:
    scope = scope_of(ctx, name)
    return bool(stores_in(ctx, scope, name.id)) or (
        scope is not ctx.facts.tree
        and (name.id in parameter_names(scope) or bool(stores_in(ctx, ctx.facts.tree, name.id)))
    )


def _container(ctx: RuleContext, owner: ast.AST, seen: frozenset[str], depth: int) -> str | None:
    """An item of ``sys.argv``, of a parser's result or of a configuration mapping."""
    if reads_command_line(ctx.facts, owner) or _config_spelled(ctx, owner):
        return "operator"
    return _judge(ctx, owner, seen, depth + 1)


def _attribute(ctx: RuleContext, node: ast.Attribute, seen: frozenset[str], depth: int) -> str | None:
    owner = node.value
    if isinstance(owner, ast.Name) and owner.id == "self":
        return _self_attribute(ctx, node, seen, depth)
    return _container(ctx, owner, seen, depth)


def _call(ctx: RuleContext, call: ast.Call, seen: frozenset[str], depth: int) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        if is_parse_call(ctx.facts, call):
            return "operator"
        if func.attr in _LOOKUPS and _container(ctx, func.value, seen, depth) == "operator":
            return "operator"  # config.get("url"), config.get("server", "repository")
        called = func.attr
    elif isinstance(func, ast.Name):
        called = func.id
    else:
        return None
    words = identifier_words(called)
    if words[:1] in (["read"], ["load"], ["get"]) and set(words) & _CONFIG_WORDS:
        return "operator"  # self._read_pypirc(), load_config()
    if set(words) & _CONFIG_WORDS and call.args and not call.keywords:
        # external_configuration(config.mta.configuration): a configuration the operator's value names
        return _combine([_judge(ctx, a, seen, depth + 1) for a in call.args])
    if ctx.facts.qualname(func) in {"urllib.request.Request", "urllib2.Request"} and call.args:
        return _judge(ctx, call.args[0], seen, depth + 1)
    return None


def _name(ctx: RuleContext, name: ast.Name, seen: frozenset[str], depth: int) -> str | None:
    if name.id in seen:
        return "fixed"  # a loop through the name's own assignments adds nothing
    scope = scope_of(ctx, name)
    stores = stores_in(ctx, scope, name.id)
    if not stores and scope is not ctx.facts.tree:
        stores = stores_in(ctx, ctx.facts.tree, name.id)
    if not stores:
        # a click / typer command's argument; any other parameter or an unknown name is not
        note_command_line_frameworks(ctx)
        return "operator" if command_line_parameter(ctx.facts, scope, name.id) else None
    values = [stored_value(store) for store in stores]
    return _combine([_judge(ctx, value, seen | {name.id}, depth + 1) for value in values])


def _self_attribute(ctx: RuleContext, node: ast.Attribute, seen: frozenset[str], depth: int) -> str | None:
    """Every assignment of ``self.<attr>`` in the class gives it the operator's value or a constant."""
    key = "self." + node.attr
    if key in seen:
        return "fixed"
    owner = next((a for a in ctx.facts.ancestors(node) if isinstance(a, ast.ClassDef)), None)
    if owner is None:
        return None
    stores = class_stores(ctx, owner)
    if node.attr in stores.unpacked or node.attr in stores.augmented:
        return None  # unpacked from something this does not follow, or grown
    values: list[ast.AST] = []
    for target, value in stores.assigned.get(node.attr, ()):
        if not (isinstance(target, ast.Name) and target.id == "self"):
            return None
        values.append(value)
    if not values:
        # a constant by convention (``self.DEFAULT_REPOSITORY``), maybe from a base class
        return "fixed" if node.attr.isupper() else None
    return _combine([_judge(ctx, value, seen | {key}, depth + 1) for value in values])


def configured_file(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """A fixed file name joined under the operator's directory or one the caller gives
    (``os.path.join(directory, "postfix_lmtp")``), or a loop over a list of such paths."""
    if node is None or depth > 4:
        return False
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _PATH_JOINS and node.args:
        head, rest = node.args[0], node.args[1:]
        return bool(rest) and all(is_static(ctx, part) for part in rest) and _directory(ctx, head)
    if not isinstance(node, ast.Name):
        return False
    scope = scope_of(ctx, node)
    stores = stores_in(ctx, scope, node.id)
    if not stores:
        return False
    for store in stores:
        value = stored_value(store)
        if isinstance(store, ast.For):
            if not _list_of_files(ctx, value, scope, depth + 1):
                return False
        elif not configured_file(ctx, value, depth + 1):
            return False
    return True


def _directory(ctx: RuleContext, node: ast.AST) -> bool:
    """The operator's directory, or a parameter every assignment of which in the function gives
    it one (``if directory is None: directory = config.DATA_DIR``)."""
    if operator_value(ctx, node):
        return True
    if not isinstance(node, ast.Name):
        return False
    scope = scope_of(ctx, node)
    stores = stores_in(ctx, scope, node.id)
    is_parameter = node.id in parameter_names(scope)
    return (bool(stores) or is_parameter) and all(operator_value(ctx, stored_value(s)) for s in stores)


def _list_of_files(ctx: RuleContext, node: ast.AST | None, scope: ast.AST, depth: int) -> bool:
    """A name bound to a list of configured files, extended only with ``.append`` of such files."""
    if not isinstance(node, ast.Name):
        return False
    stores = stores_in(ctx, scope, node.id)
    if len(stores) != 1 or not isinstance(stored_value(stores[0]), ast.List):
        return False
    items = list(stored_value(stores[0]).elts)  # type: ignore[union-attr]
    for call in ast.walk(scope):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
        ):
            if call.func.value.id != node.id:
                continue
            if call.func.attr != "append" or len(call.args) != 1:
                return False
            items.append(call.args[0])
    return bool(items) and all(configured_file(ctx, item, depth + 1) for item in items)
