"""Whether a module renders only plain text with Jinja2 (release notes, man pages, e-mail
text, configuration files): HTML autoescaping matters only for HTML output.

Every template the module loads must be known: a constant template string (``from_string``,
``Template(...)``) with no HTML tag in it, or a template file whose literal name has a text
extension. A template of unknown text or name, or none at all, gives no answer.

Where the templates are not known, what the module does with the rendered text can be: written to
a file named with a non-markup extension, or handed back by a function named for a text format
(``renders_to_text_output``).
"""

from __future__ import annotations

import ast
import os
import re

from .base import RuleContext
from .judge import identifier_words, static_string

_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_TEXT_EXTENSIONS = frozenset(
    {".txt", ".text", ".rst", ".md", ".markdown", ".ini", ".cfg", ".conf", ".toml", ".yaml", ".yml", ".json",
     ".py", ".sh", ".ps1", ".sql", ".csv", ".tex", ".man", ".1", ".5", ".8", ".spec", ".service", ".eml"}
)  # fmt: skip
_STRING_LOADERS = frozenset({"from_string"})
_FILE_LOADERS = frozenset({"get_template", "select_template", "get_or_select_template"})


def renders_only_text(ctx: RuleContext) -> bool:
    """Every template the module loads is plain text (see the module docstring)."""
    seen = False
    for call in ctx.facts.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        if method in _STRING_LOADERS or (ctx.facts.qualname(func) or "") in (
            "jinja2.Template",
            "jinja2.environment.Template",
        ):
            text = static_string(ctx, call.args[0]) if call.args else None
            if text is None or _HTML_TAG.search(text):
                return False
            seen = True
        elif method in _FILE_LOADERS:
            name = static_string(ctx, call.args[0]) if call.args else None
            if name is None or not any(name.lower().endswith(ext) for ext in _TEXT_EXTENSIONS):
                return False
            seen = True
    return seen


# Words in a function or variable name that say which text format it holds (``generate_rst``).
_FORMAT_WORDS = frozenset(
    {"rst", "man", "manpage", "markdown", "md", "txt", "text", "plain", "ini", "yaml", "yml", "toml", "csv", "sql",
     "tex", "latex", "dockerfile", "makefile", "sh", "bash", "py", "python", "tac"}
)  # fmt: skip
_MARKUP_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml", ".xml", ".svg", ".php", ".jsp", ".asp", ".aspx"})
_TRIMS = frozenset({"strip", "rstrip", "lstrip", "encode"})


def renders_to_text_output(ctx: RuleContext) -> bool:
    """Every ``.render(...)`` result in the module ends where only text goes: written to a file
    whose name has an extension that is not a markup one (``buildbot.tac``, ``name.rst``),
    returned by a function or kept under a name that says its text format (``generate_rst``,
    ``man_page``). HTML served to a browser is neither."""
    renders = [
        call
        for call in ctx.facts.nodes(ast.Call)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "render"
    ]
    return bool(renders) and all(_destination(ctx, call, 0) is True for call in renders)


def _format_name(name: str) -> bool:
    return bool(set(identifier_words(name)) & _FORMAT_WORDS)


def _destination(ctx: RuleContext, node: ast.AST, depth: int) -> bool | None:
    """True: the value ends as text output; False: somewhere else; None: nowhere that decides."""
    if depth > 4:
        return False
    parent = ctx.facts.parent(node)
    if isinstance(parent, ast.Attribute) and parent.attr in _TRIMS:
        made = ctx.facts.parent(parent)
        return _destination(ctx, made, depth + 1) if isinstance(made, ast.Call) else False
    if isinstance(parent, ast.Compare):
        return None  # compared with the file's current text: decides nothing
    if isinstance(parent, ast.Return):
        function = ctx.facts.enclosing_function(parent)
        return function is not None and _format_name(function.name)
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and node in parent.args:
        return _written(ctx, parent)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            target = target.value  # results[name] = template.render(...): follow the mapping
        if not isinstance(target, ast.Name):
            return False
        if _format_name(target.id):
            return True
        return _reads_decide(ctx, parent, target.id, depth)
    return False


def _reads_decide(ctx: RuleContext, statement: ast.stmt, name: str, depth: int) -> bool:
    scope = ctx.facts.enclosing_function(statement) or ctx.facts.tree
    verdicts = [
        _destination(ctx, read, depth + 1)
        for read in ast.walk(scope)
        if isinstance(read, ast.Name) and read.id == name and isinstance(read.ctx, ast.Load)
        and read.lineno >= statement.lineno and not _stored_into(ctx, read)
    ]  # fmt: skip
    return True in verdicts and False not in verdicts


def _stored_into(ctx: RuleContext, read: ast.Name) -> bool:
    """``results`` in ``results[key] = value``: the mapping is filled, not read."""
    parent = ctx.facts.parent(read)
    return isinstance(parent, ast.Subscript) and parent.value is read and isinstance(parent.ctx, ast.Store)


def _written(ctx: RuleContext, call: ast.Call) -> bool:
    """``handle.write(text)`` on ``open(<name>, "w")``, or ``path.write_text(text)``: the file's
    name has an extension, and no markup one."""
    method = call.func
    assert isinstance(method, ast.Attribute)
    if method.attr == "write_text":
        return _plain_file_name(ctx, method.value)
    if method.attr != "write" or not isinstance(method.value, ast.Name):
        return False
    handle = method.value.id
    scope = ctx.facts.enclosing_function(call) or ctx.facts.tree
    for node in ast.walk(scope):
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
            if node.optional_vars.id == handle and isinstance(node.context_expr, ast.Call):
                opened = node.context_expr
                if ctx.facts.qualname(opened.func) in ("builtins.open", "io.open", "codecs.open") and opened.args:
                    return _plain_file_name(ctx, opened.args[0])
    return False


def _plain_file_name(ctx: RuleContext, node: ast.AST) -> bool:
    tails = _name_tails(ctx, node, 0)
    extensions = [os.path.splitext("name" + tail if tail.startswith(".") else tail)[1].lower() for tail in tails]
    return bool(tails) and all(extensions) and not set(extensions) & _MARKUP_EXTENSIONS


def _name_tails(ctx: RuleContext, node: ast.AST, depth: int) -> list[str]:
    """The constant text each way of building the file name ends with; empty when one is unknown."""
    if depth > 3:
        return []
    text = static_string(ctx, node)
    if text is not None:
        return [text]
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[-1], ast.Constant):
        return [str(node.values[-1].value)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Div)):
        return _name_tails(ctx, node.right, depth + 1)
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) == "os.path.join" and node.args:
        return _name_tails(ctx, node.args[-1], depth + 1)
    if isinstance(node, ast.Name):
        scope = ctx.facts.enclosing_function(node) or ctx.facts.tree
        tails: list[str] = []
        for store in ast.walk(scope):
            if isinstance(store, (ast.Assign, ast.AugAssign)):
                targets = store.targets if isinstance(store, ast.Assign) else [store.target]
                if any(isinstance(t, ast.Name) and t.id == node.id for t in targets):
                    found = _name_tails(ctx, store.value, depth + 1)
                    if not found:
                        return []
                    tails.extend(found)
        return tails
    return []
