"""Values that are HTML a framework rendered and escaped itself, recognised by where they come
from (for SR604/SR605, through ``safe_markup``).

- A part of docutils' ``publish_parts(...)`` output (``parts["fragment"]``, ``parts["body"]``)
  when the call's ``settings_overrides`` disable the ``raw`` directive (``"raw_enabled":
  False``): docutils escapes the text of the document it renders, and with ``raw`` off no
  directive passes markup through. With ``raw`` left on, a document can embed any HTML
  (``.. raw:: html``), so the output stays a finding.
- The field a WTForms widget renders (the ``field`` parameter of a widget class's ``__call__(self,
  field, **kwargs)`` in a module importing ``wtforms``, or a subfield a loop over it yields): its
  text (``str(subfield)``, ``f"{subfield}"``) is its own widget's escaped output, its ``label``
  renders the label text escaped, and its ``name``, ``id`` and ``short_name`` are the identifiers
  the form class declares. Its ``data`` is submitted text and stays a finding.
- A page Flask renders from a template whose name ends in an autoescaped extension (``.html``,
  ``.htm``, ``.xml``, ``.xhtml``, ``.svg``; also through a project wrapper forwarding its
  ``*args``) or from fixed template text (``render_template_string``).
- A Django form's bound field (``form["name"]``, a name bound to one) and the ``errors`` of a
  form or bound field: their string is the widget or error list rendered by the form
  machinery, which escapes values. The object must be a form (a parameter, a loop variable, a
  ``...Form(...)`` constructor's result), not a mapping of submitted text (``form =
  request.POST``, ``request.form.to_dict()``, ``cgi.FieldStorage()``).
"""

from __future__ import annotations

import ast

from ..engine.facts import keyword
from .base import RuleContext
from .judge import identifier_words, imports_module, name_stores, single_assignment, static_string
from .project_helpers import forwarded_first

_DOCUTILS_PUBLISHERS = frozenset({"docutils.core.publish_parts"})
_FORM_ERRORS = frozenset({"errors"})


def rendered_markup(ctx: RuleContext, node: ast.expr) -> bool:
    """``node`` is framework-rendered HTML (see the module docstring)."""
    if isinstance(node, ast.Subscript):
        return _docutils_part(ctx, node) or form_like(ctx, node.value)
    if isinstance(node, ast.Attribute):
        if node.attr in _WIDGET_FIELD_TEXTS and isinstance(node.value, ast.Name) and widget_field(ctx, node.value):
            return True
        return node.attr in _FORM_ERRORS and (form_like(ctx, node.value) or bound_field(ctx, node.value))
    if isinstance(node, ast.Name):
        return widget_field(ctx, node)
    return False


# What a WTForms field shows that is not submitted text: its label (rendered escaped) and the
# identifiers its form declares.
_WIDGET_FIELD_TEXTS = frozenset({"label", "name", "id", "short_name"})


def widget_field(ctx: RuleContext, node: ast.Name) -> bool:
    """``field`` of a WTForms widget's ``__call__(self, field, ...)`` (never rebound), or the
    variable of a ``for sub in field:`` loop over it."""
    if not imports_module(ctx.facts, "wtforms"):
        return False
    function = next(
        (a for a in ctx.facts.ancestors(node) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))), None
    )
    if function is None or function.name != "__call__":
        return False
    positional = [*function.args.posonlyargs, *function.args.args]
    if len(positional) < 2 or positional[1].arg != "field":
        return False
    stores = [
        inner
        for inner in ast.walk(function)
        if isinstance(inner, ast.Name) and inner.id == node.id and not isinstance(inner.ctx, ast.Load)
    ]
    if node.id == "field":
        return not stores
    loops = [
        inner
        for inner in ast.walk(function)
        if isinstance(inner, ast.For) and isinstance(inner.target, ast.Name) and inner.target.id == node.id
    ]
    return (
        len(stores) == 1
        and len(loops) == 1
        and isinstance(loops[0].iter, ast.Name)
        and loops[0].iter.id == "field"
        and not any(
            isinstance(i, ast.Name) and i.id == "field" and not isinstance(i.ctx, ast.Load) for i in ast.walk(function)
        )
    )


def bound_field(ctx: RuleContext, node: ast.expr) -> bool:
    """``form["name"]`` or a name bound once to one."""
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return isinstance(value, ast.Subscript) and form_like(ctx, value.value)
    return isinstance(node, ast.Subscript) and form_like(ctx, node.value)


def form_like(ctx: RuleContext, node: ast.expr) -> bool:
    """A name or attribute called ``form`` (``self.form``, ``bound_form``) that is not a
    mapping taken from elsewhere."""
    spelled = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    words = identifier_words(spelled)
    if not words or words[-1] != "form":
        return False
    if not isinstance(node, ast.Name):
        return True
    found = name_stores(ctx, node)
    if found is None:
        return True  # a parameter
    for store in found[1]:
        parent = ctx.facts.parent(store)
        value = parent.value if isinstance(parent, (ast.Assign, ast.AnnAssign)) else None
        if value is None:
            continue  # a loop variable, ``with ... as form``
        if not _form_constructor(ctx, value):
            return False
    return True


def _form_constructor(ctx: RuleContext, value: ast.expr) -> bool:
    """``ContactForm(request.POST)``: a call of a class named
    ``...Form`` (or ``...FormSet``) or of ``django.forms``; ``request.form.to_dict()``,
    ``dict(...)`` and ``cgi.FieldStorage()`` are mappings of submitted text."""
    if not isinstance(value, ast.Call):
        return False
    name = ctx.facts.qualname(value.func) or ctx.facts.spelled(value.func)
    last = name.rsplit(".", 1)[-1]
    return name.startswith("django.forms.") or (last.endswith(("Form", "FormSet")) and last[:1].isupper())


def _docutils_part(ctx: RuleContext, node: ast.Subscript) -> bool:
    parts = node.value
    if not isinstance(parts, ast.Name):
        return False
    value = single_assignment(ctx, parts)
    if not isinstance(value, ast.Call) or ctx.facts.qualname(value.func) not in _DOCUTILS_PUBLISHERS:
        return False
    overrides = keyword(value, "settings_overrides")
    return overrides is not None and _raw_disabled(ctx, overrides.value)


def _raw_disabled(ctx: RuleContext, node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        node = single_assignment(ctx, node) or node
    if not isinstance(node, ast.Dict):
        return False
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "raw_enabled":
            return isinstance(value, ast.Constant) and value.value in (False, 0)
    return False


# Flask renders templates with autoescaping on where the name ends with one of these (and
# templates given as text): every value the template writes is escaped unless it marks it safe.
_FLASK_RENDERERS = frozenset({"flask.render_template", "flask.templating.render_template"})
_FLASK_TEXT_RENDERERS = frozenset({"flask.render_template_string", "flask.templating.render_template_string"})
_AUTOESCAPED_EXTENSIONS = (".html", ".htm", ".xml", ".xhtml", ".svg")


def autoescaped_template(ctx: RuleContext, node: ast.Call, name: str) -> bool:
    """``render_template("page.html", ...)`` (also through a wrapper forwarding its ``*args``) or
    ``render_template_string("<p>{{ name }}</p>", ...)`` with fixed template text: Flask's Jinja
    environment escapes the values. A ``.txt`` template, a name or text chosen at run time is not
    judged here."""
    if name not in _FLASK_RENDERERS and name not in _FLASK_TEXT_RENDERERS:
        return False
    first = node.args[0] if node.args else None
    if first is None:
        first = next((k.value for k in node.keywords if k.arg in ("template_name_or_list", "source")), None)
    judged = ctx
    if isinstance(first, ast.Starred):
        forwarded = forwarded_first(ctx, first)
        if forwarded is None:
            return False
        judged, first = forwarded
    if first is None:
        return False
    text = static_string(judged, first)
    if name in _FLASK_TEXT_RENDERERS:
        return text is not None
    return text is not None and text.lower().endswith(_AUTOESCAPED_EXTENSIONS)
