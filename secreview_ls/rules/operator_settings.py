"""Values the operator of a service configures: a command read from its configuration file
(``config.get("postfix", "postmap_command")``), a setting (``settings.CONVERT_BIN``), and files the
program names under a directory so configured (``os.path.join(config.DATA_DIR, "postfix_lmtp")``).

Whoever writes the configuration already chooses what the service runs: a configured program given
files the program itself names is the operator's command, not an injection (the hardening note
SR207). A value from anywhere else put into such a command stays a finding.
"""

from __future__ import annotations

import ast

from .base import RuleContext
from .fixed_values import scope_of, stored_value, stores_in
from .judge import identifier_words, is_static, parameter_names

_CONFIG_WORDS = frozenset({"config", "conf", "cfg", "settings", "configuration"})
_READS = frozenset({"get", "getint", "getboolean", "getpath", "get_value", "get_config_value"})
_PATH_JOINS = frozenset({"os.path.join", "posixpath.join"})


def _config_spelled(node: ast.AST) -> bool:
    """A name or attribute chain with a part named for configuration (``mta_config``,
    ``self.config``, ``django.conf.settings``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute) and set(identifier_words(node.attr)) & _CONFIG_WORDS:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and bool(set(identifier_words(node.id)) & _CONFIG_WORDS)


def operator_setting(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """``node`` is read from the service's configuration (see the module docstring)."""
    if node is None or depth > 4:
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _READS:
        return _config_spelled(node.func.value) and all(is_static(ctx, a) for a in node.args[:2])
    if isinstance(node, ast.Subscript):
        return _config_spelled(node.value) and is_static(ctx, node.slice)
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return _kept_setting(ctx, node, depth)
        return _config_spelled(node.value)
    if isinstance(node, ast.Name):
        stores = stores_in(ctx, scope_of(ctx, node), node.id)
        return bool(stores) and all(operator_setting(ctx, stored_value(s), depth + 1) for s in stores)
    return False


def _kept_setting(ctx: RuleContext, node: ast.Attribute, depth: int) -> bool:
    """``self.command`` where every assignment of it in the class stores a configured value."""
    owner = next((a for a in ctx.facts.ancestors(node) if isinstance(a, ast.ClassDef)), None)
    if owner is None:
        return False
    values = [
        statement.value
        for statement in ast.walk(owner)
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Attribute)
        and target.attr == node.attr
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    ]
    return bool(values) and all(operator_setting(ctx, value, depth + 1) for value in values)


def configured_file(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """A fixed file name joined under a configured directory or one the caller gives
    (``os.path.join(directory, "postfix_lmtp")``), or a loop over a list of such paths."""
    if node is None or depth > 4:
        return False
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _PATH_JOINS and node.args:
        head, rest = node.args[0], node.args[1:]
        return bool(rest) and all(is_static(ctx, part) for part in rest) and _directory(ctx, head, depth + 1)
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


def _directory(ctx: RuleContext, node: ast.AST, depth: int) -> bool:
    if operator_setting(ctx, node):
        return True
    if not isinstance(node, ast.Name):
        return False
    scope = scope_of(ctx, node)
    stores = stores_in(ctx, scope, node.id)
    is_parameter = node.id in parameter_names(scope)
    return (bool(stores) or is_parameter) and all(operator_setting(ctx, stored_value(s), depth) for s in stores)


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
