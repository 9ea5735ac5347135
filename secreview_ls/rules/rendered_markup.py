"""Values that are HTML a framework rendered and escaped itself, recognised by where they come
from (for SR604/SR605, through ``safe_markup``).

- A part of docutils' ``publish_parts(...)`` output (``parts["fragment"]``, ``parts["body"]``)
  when the call's ``settings_overrides`` disable the ``raw`` directive (``"raw_enabled":
  False``): docutils escapes the text of the document it renders, and with ``raw`` off no
  directive passes markup through. With ``raw`` left on, a document can embed any HTML
  (``.. raw:: html``), so the output stays a finding.
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
from .judge import identifier_words, name_stores, single_assignment

_DOCUTILS_PUBLISHERS = frozenset({"docutils.core.publish_parts"})
_FORM_ERRORS = frozenset({"errors"})


def rendered_markup(ctx: RuleContext, node: ast.expr) -> bool:
    """``node`` is framework-rendered HTML (see the module docstring)."""
    if isinstance(node, ast.Subscript):
        return _docutils_part(ctx, node) or form_like(ctx, node.value)
    if isinstance(node, ast.Attribute):
        return node.attr in _FORM_ERRORS and (form_like(ctx, node.value) or bound_field(ctx, node.value))
    return False


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
