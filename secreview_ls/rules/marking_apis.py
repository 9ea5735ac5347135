"""Trust-as-HTML calls that are an API's declared purpose, not an omission.

* A template filter registered under a name that says *safe* and nothing else (Django's ``|safe``
  and ``|safeseq``, a ``|safe_list``) whose mark covers the filter's own input, bare or item
  by item (``return mark_safe(value)``, ``[mark_safe(obj) for obj in value]``): writing
  ``{{ text|safe }}`` is the template author's explicit request to skip escaping, the same act as
  ``mark_safe`` in Python. A filter that builds HTML around its input (``mark_safe("<b>%s</b>" %
  value)``) or is named otherwise stays a finding, also one whose name promises content made
  safe (``|safe_html``, ``|safe_url``: a bare mark sanitizes nothing).
* A class decorator declaring that a class's ``__str__`` returns HTML (Django's ``html_safe``,
  the ``__html__`` protocol): ``klass.__str__ = lambda self: mark_safe(klass_str(self))`` with
  ``klass_str`` the class's original ``__str__`` and ``klass.__html__`` set beside it. The
  decorated class's author makes the promise; the decorator only records it.
* A configuration attribute the object reads as HTML (``mark_safe(self.empty_value_display)``,
  ``mark_safe(self.site.empty_value_display)``): an attribute of ``self`` (or of an attribute of
  ``self``) that no code of the module stores, so it is declared where the developer subclasses
  or configures the class — source code, which the class documents as HTML. An attribute the
  module stores (``self.title = title``), or one reached through a request or its data
  (``self.request.body``), stays a finding.
* A parameter marked only when the caller opts in through a flag of the same function that says
  so and is off by default (``def flash(message, allow_html=False): if allow_html: message =
  Markup(message)``): the caller that passes ``allow_html=True`` declares its own text HTML, as
  if it called ``Markup`` itself; every other call escapes. A flag on by default, a flag named
  for something else, or a parameter rebound before the mark stays a finding.
"""

from __future__ import annotations

import ast

from ..engine.facts import parameter_names
from ..engine.names import dotted_name
from .base import RuleContext
from .judge import identifier_words, single_assignment

_FILTER_REGISTRATIONS = frozenset({"filter"})
_Function = (ast.FunctionDef, ast.AsyncFunctionDef)


def declared_marking(ctx: RuleContext, call: ast.Call, value: ast.expr) -> bool:
    """The mark is the declared purpose of the API it sits in (see the module docstring)."""
    function = next((a for a in ctx.facts.ancestors(call) if isinstance(a, (*_Function, ast.Lambda))), None)
    if isinstance(function, _Function) and _safe_named_filter(function):
        return _filter_input(ctx, function, value)
    if isinstance(function, ast.Lambda):
        return _html_str_declaration(ctx, function, value)
    return isinstance(function, _Function) and _opted_in(ctx, function, call, value)


# Words of a flag parameter that asks for its text to be taken as HTML.
_OPT_IN_WORDS = frozenset({"html", "safe", "markup", "raw", "unescaped", "trusted"})


def _opted_in(
    ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, value: ast.expr
) -> bool:
    """``if allow_html: message = Markup(message)``: see the module docstring."""
    if not isinstance(value, ast.Name) or value.id not in parameter_names(function):
        return False
    if _stored_before(function, value.id, call):
        return False
    flags = _off_by_default(function)
    child: ast.AST = call
    for ancestor in ctx.facts.ancestors(call):
        if ancestor is function:
            return False
        if isinstance(ancestor, (ast.If, ast.IfExp)) and child is not ancestor.test:
            in_body = child in ancestor.body if isinstance(ancestor, ast.If) else child is ancestor.body
            test = ancestor.test
            if in_body and isinstance(test, ast.Name) and test.id in flags and not _rebound(function, test.id):
                return True
        child = ancestor
    return False


def _off_by_default(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The parameters defaulting to ``False`` whose name asks for HTML (``allow_html``, ``safe``)."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    pairs = [*zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)]
    pairs += [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True) if default]
    return {
        arg.arg for arg, default in pairs
        if isinstance(default, ast.Constant) and default.value is False
        and _OPT_IN_WORDS & set(identifier_words(arg.arg))
    }  # fmt: skip


def _stored_before(function: ast.AST, name: str, call: ast.Call) -> bool:
    """The parameter is assigned somewhere before the mark (its own ``x = Markup(x)`` aside)."""
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
        and (n.lineno, n.col_offset) < (call.lineno, call.col_offset)
        and not (isinstance(statement, ast.Assign) and statement.value is call and n in statement.targets)
        for statement in ast.walk(function)
        for n in ast.iter_child_nodes(statement)
    )  # fmt: skip


# Links of an attribute chain that lead to a request's data rather than to configuration.
_INPUT_WORDS = frozenset(
    {
        "request",
        "req",
        "get",
        "post",
        "data",
        "body",
        "cookies",
        "headers",
        "session",
        "args",
        "form",
        "files",
        "params",
        "query",
        "content",
        "text",
        "input",
        "payload",
        "environ",
        "meta",
    }
)


def configured_attribute(ctx: RuleContext, value: ast.expr) -> bool:
    """``self.empty_value_display`` / ``self.site.empty_value_display``, never stored by the
    module's code (see the module docstring)."""
    links: list[str] = []
    node: ast.expr = value
    while isinstance(node, ast.Attribute):
        links.append(node.attr)
        node = node.value
    if not (isinstance(node, ast.Name) and node.id in ("self", "cls")) or not 1 <= len(links) <= 2:
        return False
    if any(word in _INPUT_WORDS for link in links for word in identifier_words(link.lower())):
        return False
    if _declared_field(ctx, value, links[-1]):
        return False  # a field of the record the object is (``file = FileField()``): stored data
    for other in ctx.facts.nodes(ast.Attribute, ast.Call):
        if isinstance(other, ast.Attribute) and other.attr == links[0] and not isinstance(other.ctx, ast.Load):
            return False  # the module stores it: judged by what it stores (not here)
        if isinstance(other, ast.Call) and isinstance(other.func, ast.Name) and other.func.id == "setattr":
            return False
    return True


_FIELD_MAKERS = frozenset({"Column", "mapped_column", "relationship"})


def _declared_field(ctx: RuleContext, value: ast.expr, name: str) -> bool:
    """A class enclosing ``value`` declares ``name`` as a field of its records: a class-level
    assignment from an ORM field constructor (``name = StringField()``, ``bio = Column(Text)``)."""
    for scope in ctx.facts.ancestors(value):
        if not isinstance(scope, ast.ClassDef):
            continue
        for stmt in scope.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
            target = stmt.target if isinstance(stmt, ast.AnnAssign) else target
            made = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
            if not (isinstance(target, ast.Name) and target.id == name and isinstance(made, ast.Call)):
                continue
            maker = (dotted_name(made.func) or "").rsplit(".", 1)[-1]
            if maker.endswith("Field") or maker in _FIELD_MAKERS:
                return not _numeric_field(maker, made)
    return False


_NUMERIC_TYPES = ("Integer", "BigInteger", "SmallInteger", "Float", "Numeric", "Decimal", "Boolean", "Date",
                  "DateTime", "Time", "Int", "Long", "PositiveInteger", "PositiveSmallInteger", "Auto", "BigAuto")  # fmt: skip


def _numeric_field(maker: str, made: ast.Call) -> bool:
    """A field holding numbers, truth values or dates (``IntegerField()``, ``Column(Float)``): no markup."""
    if maker.endswith("Field"):
        return maker.removesuffix("Field") in _NUMERIC_TYPES
    kind = made.args[0] if made.args else None
    kind = kind.func if isinstance(kind, ast.Call) else kind
    return kind is not None and (dotted_name(kind) or "").rsplit(".", 1)[-1] in _NUMERIC_TYPES


def _safe_named_filter(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``@register.filter`` (any form) on a function whose registered name has the word *safe*."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if not (isinstance(target, ast.Attribute) and target.attr in _FILTER_REGISTRATIONS):
            continue
        name = function.name
        if isinstance(decorator, ast.Call):
            given = [*decorator.args[:1], *(kw.value for kw in decorator.keywords if kw.arg == "name")]
            for node in given:
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    name = node.value
        return _names_the_mark(name)
    return False


# What may follow *safe* in a filter's name: the kind of input it marks item by item.
_COLLECTIONS = frozenset({"", "seq", "list", "items", "each"})


def _names_the_mark(name: str) -> bool:
    """``safe``, ``safeseq``, ``safe_list``: the name says *mark as safe* and nothing else. A name
    adding a kind of content (``safe_html``, ``safe_url``) promises a value made safe, which a bare
    mark does not deliver: that stays a finding."""
    words = identifier_words(name)
    if not words or not words[0].startswith("safe"):
        return False
    rest = words[0][len("safe") :] + "".join(words[1:])
    return rest in _COLLECTIONS


def _filter_input(ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef, value: ast.expr) -> bool:
    """``value`` is the filter's first parameter, or the target of a comprehension over it."""
    names = parameter_names(function)
    if not names or not isinstance(value, ast.Name):
        return False
    first = names[0]
    if value.id == first:
        return single_assignment(ctx, value) is None and not _rebound(function, first)
    for ancestor in ctx.facts.ancestors(value):
        if isinstance(ancestor, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return any(
                isinstance(g.target, ast.Name) and g.target.id == value.id
                and isinstance(g.iter, ast.Name) and g.iter.id == first
                for g in ancestor.generators
            ) and not _rebound(function, first)  # fmt: skip
        if ancestor is function:
            break
    return False


def _rebound(function: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for n in ast.walk(function))


def _html_str_declaration(ctx: RuleContext, lam: ast.Lambda, value: ast.expr) -> bool:
    """``K.__str__ = lambda self: mark_safe(original(self))`` where ``original = K.__str__`` and
    the same function sets ``K.__html__``."""
    assign = ctx.facts.parent(lam)
    if not (isinstance(assign, ast.Assign) and len(assign.targets) == 1):
        return False
    target = assign.targets[0]
    if not (isinstance(target, ast.Attribute) and target.attr == "__str__"):
        return False
    owner = dotted_name(target.value)
    if not owner or not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name):
        return False
    scope = ctx.facts.enclosing_function(assign)
    if scope is None or value.func.id in parameter_names(lam):
        return False
    bindings = [
        n for n in ast.walk(scope)
        if isinstance(n, ast.Name) and n.id == value.func.id and isinstance(n.ctx, ast.Store)
    ]  # fmt: skip
    parent = ctx.facts.parent(bindings[0]) if len(bindings) == 1 else None
    original = parent.value if isinstance(parent, ast.Assign) and parent.targets == bindings else None
    if not (
        isinstance(original, ast.Attribute) and original.attr == "__str__" and dotted_name(original.value) == owner
    ):
        return False
    return any(
        isinstance(n, ast.Assign)
        and any(
            isinstance(t, ast.Attribute) and t.attr == "__html__" and dotted_name(t.value) == owner for t in n.targets
        )
        for n in ast.walk(scope)
    )
