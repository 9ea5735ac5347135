"""The program's own command line: the words of the user who invoked it.

One recogniser for the pattern rules and the data-flow analysis. A value is read from the
command line when it is:

* ``sys.argv`` (or ``sys.orig_argv``);
* what ``parse_args()`` (``parse_known_args``, ``parse_intermixed_args``) of a command-line
  parser returns. The parser is judged by what the receiver is, per call: an
  ``argparse.ArgumentParser`` / ``optparse.OptionParser`` made in place, bound to the name (in
  the function, else the module) or to ``self.<attribute>`` in the class, a subclass of one the
  module defines, a sub-command parser (``subparsers.add_parser(...)``), what a module function
  returning one gives (also as an item of the tuple it returns: ``parser, actions = make_parsers()``)
  or a parameter of a module function every call of which in the module passes one. Any other
  receiver (Flask-RESTful's ``reqparse.RequestParser``, webargs, a parameter of a method or of a
  function the module never calls) reads something else or is unknown: not the command line;
* a parameter a command-line framework fills from the command line: a parameter declared by
  ``@click.argument`` / ``@click.option`` of a click command (``@click.command()``,
  ``@click.group()``, ``@<group>.command()`` of a ``click.Group`` or Flask's ``AppGroup``), and any parameter of a typer command
  (``@app.command()`` / ``@app.callback()`` with ``app = typer.Typer()``, ``typer.run(main)``)
  except its ``Context``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from .facts import ModuleFacts, own_nodes, parameter_names

PARSER_CLASSES = frozenset({"argparse.ArgumentParser", "optparse.OptionParser"})
PARSE_METHODS = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})
_ARGV = frozenset({"sys.argv", "sys.orig_argv"})
_CLICK_MAKERS = frozenset({"click.command", "click.group"})
_CLICK_PARAMETERS = frozenset({"click.argument", "click.option", "click.password_option"})
_CLICK_GROUPS = frozenset({"click.Group", "click.group", "flask.cli.AppGroup"})  # Flask's is a click.Group
_TYPER_APPS = frozenset({"typer.Typer"})
_APP_DECORATORS = frozenset({"command", "group", "callback"})
_CONTEXTS = frozenset({"typer.Context", "click.Context", "click.core.Context"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MAX_DEPTH = 4


_FRAMEWORK_IMPORT = re.compile(r"\b(?:import|from)\s+(?:click|typer)\b")


def may_read_command_line(text: str, mentions: Callable[[str], bool] | None = None) -> bool:
    """A cheap test on the module's text: it may read its command line. ``mentions``: whether
    the text holds a word, when something answers faster than a search of the text."""
    has = mentions if mentions is not None else text.__contains__
    return (
        has("argv")
        or any(map(has, PARSE_METHODS))
        or ((has("click") or has("typer")) and _FRAMEWORK_IMPORT.search(text) is not None)
    )


def reads_command_line(facts: ModuleFacts, node: ast.AST) -> bool:
    """``node`` is ``sys.argv`` or a command-line parser's ``parse_args()`` call."""
    if isinstance(node, ast.Attribute) and facts.qualname(node) in _ARGV:
        return True
    return is_parse_call(facts, node)


def is_parse_call(facts: ModuleFacts, node: ast.AST) -> bool:
    """``<parser>.parse_args(...)`` with ``<parser>`` a command-line parser (module docstring)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in PARSE_METHODS
        and command_line_parser(facts, node.func.value)
    )


def command_line_parser(facts: ModuleFacts, node: ast.AST, depth: int = 0) -> bool:
    """``node`` is a command-line parser: every value it can be bound to is one."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Call):
        return _makes_parser(facts, node, depth)
    if isinstance(node, _Item):
        return _returned_item(facts, node, depth)
    values = _bound_values(facts, node)
    return bool(values) and all(v is not None and command_line_parser(facts, v, depth + 1) for v in values)


def _makes_parser(facts: ModuleFacts, call: ast.Call, depth: int) -> bool:
    """``ArgumentParser(...)``, ``MyParser(...)``, ``subparsers.add_parser(...)``, ``build_parser()``."""
    func = call.func
    if facts.qualname(func) in PARSER_CLASSES:
        return True
    if isinstance(func, ast.Attribute):
        if func.attr == "add_parser":
            return _subparsers(facts, func.value, depth + 1)
        return False
    if not isinstance(func, ast.Name):
        return False
    definition = _module_definition(facts, func.id)
    if isinstance(definition, ast.ClassDef):
        return any(_parser_class(facts, base, depth + 1) for base in definition.bases)
    if isinstance(definition, _FUNCTIONS):
        returned = [n.value for n in own_nodes(definition) if isinstance(n, ast.Return)]
        return bool(returned) and all(r is not None and command_line_parser(facts, r, depth + 1) for r in returned)
    return False


def _parser_class(facts: ModuleFacts, base: ast.AST, depth: int) -> bool:
    if facts.qualname(base) in PARSER_CLASSES:
        return True
    definition = _module_definition(facts, base.id) if isinstance(base, ast.Name) else None
    return (
        isinstance(definition, ast.ClassDef)
        and depth <= _MAX_DEPTH
        and any(_parser_class(facts, b, depth + 1) for b in definition.bases)
    )


def _subparsers(facts: ModuleFacts, node: ast.AST, depth: int) -> bool:
    """``parser.add_subparsers(...)`` of a command-line parser, made in place or bound to the name."""
    values = [node] if isinstance(node, ast.Call) else _bound_values(facts, node)
    return bool(values) and all(
        isinstance(v, ast.Call)
        and isinstance(v.func, ast.Attribute)
        and v.func.attr == "add_subparsers"
        and command_line_parser(facts, v.func.value, depth + 1)
        for v in values
    )


def _bound_values(facts: ModuleFacts, node: ast.AST) -> list[ast.AST | None]:
    """The values a name (in its function, else the module) or ``self.<attribute>`` (in the class)
    is bound to; None stands for a binding this does not follow (a loop, a starred unpacking). A
    parameter of a module function is bound to what the module's calls of it pass there."""
    if isinstance(node, ast.Name):
        function = facts.enclosing_function(node)
        if function is not None:
            found = _assigned(function, lambda t: isinstance(t, ast.Name) and t.id == node.id)
            if found:
                return found
            if node.id in parameter_names(function, starred=True):
                return _passed(facts, function, node.id)
        return _assigned(facts.tree, lambda t: isinstance(t, ast.Name) and t.id == node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        owner = next((a for a in facts.ancestors(node) if isinstance(a, ast.ClassDef)), None)
        if owner is None:
            return []
        return _assigned(owner, lambda t: _self_attribute(t, node.attr), nested=True)
    return []


def _self_attribute(target: ast.AST, attr: str) -> bool:
    return (
        isinstance(target, ast.Attribute)
        and target.attr == attr
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    )


_Accept = Callable[[ast.AST], bool]


def _assigned(scope: ast.AST, accept: _Accept, *, nested: bool = False) -> list[ast.AST | None]:
    """Values assigned in ``scope`` to targets ``accept`` takes (nested functions only with
    ``nested``: the methods of a class)."""
    found: list[ast.AST | None] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Lambda, ast.ClassDef)) or (isinstance(node, _FUNCTIONS) and not nested):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.withitem)):
            found.extend(_values_for(node, accept))
        stack.extend(ast.iter_child_nodes(node))
    return found


def _values_for(node: ast.AST, accept: _Accept) -> list[ast.AST | None]:
    targets: list[ast.AST | None]
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.withitem):
        targets = [node.optional_vars]
    else:
        targets = [node.target]  # type: ignore[attr-defined]
    found: list[ast.AST | None] = []
    for target in targets:
        if target is None:
            continue
        if accept(target):
            plain = isinstance(node, (ast.Assign, ast.AnnAssign, ast.withitem))
            found.append(_plain_value(node) if plain else None)
        elif any(accept(t) for t in ast.walk(target) if t is not target):
            found.append(_unpacked(node, target, accept))
    return found


class _Item(ast.expr):
    """The ``index``-th item of the tuple ``call`` returns (``a, b = make_parsers()``)."""

    _fields = ("call",)

    def __init__(self, call: ast.Call, index: int) -> None:
        super().__init__()
        self.call = call
        self.index = index


def _unpacked(node: ast.AST, target: ast.AST, accept: _Accept) -> ast.AST | None:
    """What a name unpacked from a plain tuple target is bound to: the item of a tuple made in
    place, or of the tuple a call returns; None when not followed (nesting, ``*rest``, a loop)."""
    value = _plain_value(node) if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
    if not isinstance(target, ast.Tuple) or value is None:
        return None
    index = next((i for i, t in enumerate(target.elts) if accept(t)), None)
    if index is None or any(isinstance(t, ast.Starred) for t in target.elts):
        return None
    if isinstance(value, ast.Tuple) and len(value.elts) == len(target.elts):
        return value.elts[index]
    return _Item(value, index) if isinstance(value, ast.Call) else None


def _returned_item(facts: ModuleFacts, item: _Item, depth: int) -> bool:
    """Every ``return`` of the module function ``item.call`` calls gives a tuple whose item at
    ``item.index`` is a command-line parser."""
    func = item.call.func
    definition = _module_definition(facts, func.id) if isinstance(func, ast.Name) else None
    if not isinstance(definition, _FUNCTIONS):
        return False
    returned = [n.value for n in own_nodes(definition) if isinstance(n, ast.Return)]
    return bool(returned) and all(
        isinstance(r, ast.Tuple)
        and len(r.elts) > item.index
        and not isinstance(r.elts[item.index], ast.Starred)
        and command_line_parser(facts, r.elts[item.index], depth + 1)
        for r in returned
    )


def _passed(facts: ModuleFacts, function: ast.AST, name: str) -> list[ast.AST | None]:
    """What the module's calls of the module function ``function`` pass as its parameter
    ``name`` (by position or keyword); None for a call whose argument is not found (``*args``,
    a default). No calls, or a method or nested function: nothing known."""
    if _module_definition(facts, function.name) is not function:  # type: ignore[attr-defined]
        return []
    args = function.args  # type: ignore[attr-defined]
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    position = positional.index(name) if name in positional else None
    calls = facts.bare_calls(function.name) if facts.indexes_bare_calls else None  # type: ignore[attr-defined]
    if calls is None:
        calls = [
            c
            for c in facts.nodes(ast.Call)
            if isinstance(c.func, ast.Name) and c.func.id == function.name  # type: ignore[attr-defined]
        ]
    found: list[ast.AST | None] = []
    for call in calls:
        if not isinstance(call.func, ast.Name):
            continue
        keyword = next((k.value for k in call.keywords if k.arg == name), None)
        if keyword is not None:
            found.append(keyword)
        elif (
            position is not None
            and position < len(call.args)
            and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1])
        ):
            found.append(call.args[position])
        else:
            found.append(None)
    return found


def _plain_value(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.withitem):
        return node.context_expr
    return getattr(node, "value", None)


def _module_definition(facts: ModuleFacts, name: str) -> ast.AST | None:
    """The module-level class or function named ``name`` (the last one defined)."""
    found = None
    for statement in facts.tree.body if isinstance(facts.tree, ast.Module) else []:
        if isinstance(statement, (ast.ClassDef, *_FUNCTIONS)) and statement.name == name:
            found = statement
    return found


# -- command-line frameworks -------------------------------------------------------------


def command_line_parameter(facts: ModuleFacts, function: ast.AST | None, name: str) -> bool:
    """``name`` is a parameter of ``function`` that click or typer fills from the command line."""
    if not isinstance(function, _FUNCTIONS) or name not in parameter_names(function, starred=True):
        return False
    if not uses_command_line_framework(facts):
        return False
    if _typer_command(facts, function):
        return not _context_parameter(facts, function, name)
    return _click_command(facts, function) and name in _click_parameters(facts, function)


_CLI_FRAMEWORKS = frozenset({"click", "typer"})


def uses_command_line_framework(facts: ModuleFacts) -> bool:
    """Whether the module imports click or typer."""
    return not _CLI_FRAMEWORKS.isdisjoint(facts.imports.imported_roots())


def _click_command(facts: ModuleFacts, function: ast.AST) -> bool:
    """Decorated ``@click.command()`` / ``@click.group()`` / ``@<click group>.command()``."""
    for decorator in function.decorator_list:  # type: ignore[attr-defined]
        maker = decorator.func if isinstance(decorator, ast.Call) else decorator
        if facts.qualname(maker) in _CLICK_MAKERS:
            return True
        if isinstance(maker, ast.Attribute) and maker.attr in _APP_DECORATORS and _click_group(facts, maker.value):
            return True
    return False


def _click_group(facts: ModuleFacts, node: ast.AST, depth: int = 0) -> bool:
    """``click.group()`` in place, a module function decorated as a click group (or command
    group of one), or a name bound to ``click.Group(...)``."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Call):
        return facts.qualname(node.func) in _CLICK_GROUPS
    if not isinstance(node, ast.Name):
        return False
    definition = _module_definition(facts, node.id)
    if isinstance(definition, _FUNCTIONS):
        return _click_command(facts, definition)
    values = _assigned(facts.tree, lambda t: isinstance(t, ast.Name) and t.id == node.id)
    return bool(values) and all(v is not None and _click_group(facts, v, depth + 1) for v in values)


def _click_parameters(facts: ModuleFacts, function: ast.AST) -> set[str]:
    """The parameter names the function's ``@click.argument`` / ``@click.option`` declare."""
    names: set[str] = set()
    for decorator in function.decorator_list:  # type: ignore[attr-defined]
        if isinstance(decorator, ast.Call) and facts.qualname(decorator.func) in _CLICK_PARAMETERS:
            declared = _click_name(decorator) or ("password" if not decorator.args else None)
            if declared is not None:
                names.add(declared)
    return names


def _click_name(call: ast.Call) -> str | None:
    """The parameter name click derives from the declarations (``"--dry-run"`` is ``dry_run``;
    a bare identifier names it; else the option with the longest prefix)."""
    declarations = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not declarations:
        return None
    for text in declarations:
        if text.isidentifier():
            return text.lower()
    options = [part.strip() for text in declarations for part in text.split("/")[:1]]
    longest = max(options, key=lambda o: len(o) - len(o.lstrip("-")))
    return longest.lstrip("-").replace("-", "_").lower() or None


def _typer_command(facts: ModuleFacts, function: ast.AST) -> bool:
    """``@app.command()`` / ``@app.callback()`` with ``app = typer.Typer()``, or ``typer.run(function)``."""
    for decorator in function.decorator_list:  # type: ignore[attr-defined]
        maker = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(maker, ast.Attribute) and maker.attr in _APP_DECORATORS and _typer_app(facts, maker.value):
            return True
    name = function.name  # type: ignore[attr-defined]
    return any(
        call.args and isinstance(call.args[0], ast.Name) and call.args[0].id == name
        for _, call in facts.calls_to("typer.run")
    )


def _typer_app(facts: ModuleFacts, node: ast.AST) -> bool:
    if not isinstance(node, ast.Name):
        return False
    values = _assigned(facts.tree, lambda t: isinstance(t, ast.Name) and t.id == node.id)
    return bool(values) and all(isinstance(v, ast.Call) and facts.qualname(v.func) in _TYPER_APPS for v in values)


def _context_parameter(facts: ModuleFacts, function: ast.AST, name: str) -> bool:
    """The parameter typer fills with its ``Context`` (annotated so)."""
    args = function.args  # type: ignore[attr-defined]
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        if arg.arg == name:
            return arg.annotation is not None and facts.qualname(arg.annotation) in _CONTEXTS
    return False
