"""Template objects whose ``render()`` escapes what it writes.

A Django template renders every ``{{ variable }}`` escaped unless escaping was switched off:
``Engine(autoescape=False)``, ``Context(..., autoescape=False)``, or a template text (known
here when it is a literal) writing a variable with ``|safe`` or in ``{% autoescape off %}``.
The spec's ``escaping_templates`` maps the kinds of values that are such templates
(``get_template()``, ``Engine().from_string()``, ``Template()``...) to one kind; a call
that switches escaping off produces a kind marked ``AUTOESCAPE_OFF`` instead, which is
never one of them.

A ``Template`` built from literal text is known in more detail: its kind lists the variables
the text writes unescaped (``inline_template_kind``), and its ``render`` of a context keeps the
taint of those variables only (``inline_render``).
"""

from __future__ import annotations

import ast

from .spec import TaintSpec
from .templates import unescaped_names
from .values import EMPTY, EMPTY_TAINT, Taint, Val, bound, relabel, whole

AUTOESCAPE_OFF = "(autoescape off)"


def switches_off(call: ast.Call) -> bool:
    """``autoescape=`` anything but a literal true, or a literal template text that writes a
    variable unescaped."""
    for keyword in call.keywords:
        if keyword.arg == "autoescape" and not (
            isinstance(keyword.value, ast.Constant) and keyword.value.value is True
        ):
            return True
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return bool(unescaped_names(call.args[0].value))
    return False


def produced_kind(spec: TaintSpec, call: ast.Call, kind: str | None) -> str | None:
    """The kind of a call's result, with template kinds brought to one name."""
    if kind is None or not spec.escaping_templates:
        return kind
    if switches_off(call):
        return kind.removesuffix("()") + AUTOESCAPE_OFF
    return spec.escaping_templates.get(kind, kind)


def escaping_render(spec: TaintSpec, call: ast.Call, receiver: Val | None, values: list[Val]) -> bool:
    """``template.render(context)`` of an escaping template with a context that keeps escaping on."""
    if receiver is None or receiver.kind is None or receiver.kind not in spec.escaping_templates.values():
        return False
    if any((value.kind or "").endswith(AUTOESCAPE_OFF) for value in values):
        return False
    return not any(isinstance(node, ast.Call) and switches_off(node) for node in ast.walk(call) if node is not call)


def template_text_node(node: ast.Call) -> ast.expr | None:
    """The argument holding a template's text."""
    return node.args[0] if node.args else next((kw.value for kw in node.keywords if kw.arg == "template_string"), None)


def inline_template_kind(name: str, node: ast.Call, known: object = None) -> str:
    """The kind of a template built from text: ``name()`` when the text is a constant that escapes
    every variable, ``name()!a,b`` when it writes ``a`` and ``b`` unescaped, ``name()?`` when the
    text is not known. ``known``: the text when the caller found it elsewhere (a constant's)."""
    text = template_text_node(node)
    if isinstance(text, ast.Constant) and isinstance(text.value, str):
        known = text.value
    if not isinstance(known, str):
        return name + "()?"
    written = sorted(unescaped_names(known))
    return name + "()" + ("!" + ",".join(written) if written else "")


def inline_render(
    spec: TaintSpec, kind: str, args: list[Val], kwargs: dict[str | None, Val], escaped: frozenset[str]
) -> Val | None:
    """``Template("<p>{{ name }}</p>").render(Context({"name": v}))`` of an escaping template:
    the values come out escaped (cleaned for the ``escaped`` classes), except those of the
    variables the text writes unescaped. None when escaping is not known to be on."""
    base, marker, written = kind.partition("()")
    if base not in spec.autoescaped_templates or not marker or written.startswith("?"):
        return None
    if any((value.kind or "").endswith(AUTOESCAPE_OFF) for value in [*args, *kwargs.values()]):
        return None
    unescaped = frozenset(written.removeprefix("!").split(",")) - {""}

    def escape(labels: Taint) -> Taint:
        return relabel(labels, lambda lab: lab.cleaned_for(escaped))

    context = args[0] if args else Val(_every_label([], kwargs))
    kept: Taint = EMPTY_TAINT
    for key, part in context.parts:
        labels = whole(part)
        kept |= labels if key.strip("'\"") in unescaped or (key == "*" and unescaped) else escape(labels)
    own = context.taint | _every_label(args[1:], kwargs)
    kept |= own if unescaped else escape(own)
    return Val(bound(kept)) if kept else EMPTY


def _every_label(args: list[Val], kwargs: dict[str | None, Val]) -> Taint:
    labels = EMPTY_TAINT
    for value in [*args, *kwargs.values()]:
        labels |= whole(value)
    return labels
