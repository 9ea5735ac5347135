"""Template objects whose ``render()`` escapes what it writes.

A Django template renders every ``{{ variable }}`` escaped unless escaping was switched off:
``Engine(autoescape=False)``, ``Context(..., autoescape=False)``, or a template text (known
here when it is a literal) writing a variable with ``|safe`` or in ``{% autoescape off %}``.
The spec's ``escaping_templates`` maps the kinds of values that are such templates
(``get_template()``, ``Engine().from_string()``, ``Template()``...) to one kind; a call
that switches escaping off produces a kind marked ``AUTOESCAPE_OFF`` instead, which is
never one of them.
"""

from __future__ import annotations

import ast

from .spec import TaintSpec
from .templates import unescaped_names
from .values import Val

AUTOESCAPE_OFF = "(autoescape off)"


def _switches_off(call: ast.Call) -> bool:
    """``autoescape=`` anything but a literal true, or a literal template text that writes a
    variable unescaped."""
    for keyword in call.keywords:
        if keyword.arg == "autoescape" and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is True):
            return True
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return bool(unescaped_names(call.args[0].value))
    return False


def produced_kind(spec: TaintSpec, call: ast.Call, kind: str | None) -> str | None:
    """The kind of a call's result, with template kinds brought to one name."""
    if kind is None or not spec.escaping_templates:
        return kind
    if _switches_off(call):
        return kind.removesuffix("()") + AUTOESCAPE_OFF
    return spec.escaping_templates.get(kind, kind)


def escaping_render(spec: TaintSpec, call: ast.Call, receiver: Val | None, values: list[Val]) -> bool:
    """``template.render(context)`` of an escaping template with a context that keeps escaping on."""
    if receiver is None or receiver.kind is None or receiver.kind not in spec.escaping_templates.values():
        return False
    if any((value.kind or "").endswith(AUTOESCAPE_OFF) for value in values):
        return False
    return not any(isinstance(node, ast.Call) and _switches_off(node) for node in ast.walk(call) if node is not call)
