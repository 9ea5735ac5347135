"""Whether an XML parse resolves external entities: the SAX features a function switches on and
the lxml parser a parse is given (``XMLParser(resolve_entities=...)``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..facts import ModuleFacts

_LXML_PARSERS = ("lxml.etree.XMLParser", "lxml.etree.XMLPullParser", "lxml.objectify.makeparser")
_ENTITY_FEATURES = ("external_ges", "external_pes", "external-general", "external-parameter")


def sax_entities_enabled(facts: ModuleFacts, node: ast.Call) -> bool:
    """Whether the function parsing (or the module) switches external entities on for a SAX
    parser: ``setFeature(feature_external_ges, True)`` (or the parameter-entity feature)."""
    scope: ast.AST = facts.enclosing_function(node) or facts.tree
    for call in ast.walk(scope):
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "setFeature"
            and len(call.args) == 2
        ):
            continue
        feature, flag = call.args
        named = facts.qualname(feature) or facts.spelled(feature)
        text = feature.value if isinstance(feature, ast.Constant) else named
        if not any(part in str(text) for part in _ENTITY_FEATURES):
            continue
        if not (isinstance(flag, ast.Constant) and not flag.value):
            return True
    return False


def hardened_lxml(facts: ModuleFacts) -> bool:
    """Whether the module makes an lxml parser that resolves no external entity."""
    return any(_hardened(call) for _, call in facts.calls_to(*_LXML_PARSERS))


def lxml_parser_safe(facts: ModuleFacts, parser: ast.expr) -> bool:
    """Whether the parser handed to an lxml parse resolves no external entity: the
    ``XMLParser(...)`` made in the call, or bound to the name in the function (else in the
    module); a parser made elsewhere is judged by whether the module hardens one."""
    made: list[ast.Call] = []
    if isinstance(parser, ast.Call) and facts.qualname(parser.func) in _LXML_PARSERS:
        made.append(parser)
    elif isinstance(parser, ast.Name):
        bindings = [(call, scope) for name, call, scope in _bindings(facts) if name == parser.id]
        function = facts.enclosing_function(parser)
        made = [call for call, scope in bindings if scope is function]
        made = made or [call for call, scope in bindings if scope is None]
    if not made:
        return hardened_lxml(facts)
    return all(map(_hardened, made))


def _bindings(facts: ModuleFacts) -> Iterator[tuple[str, ast.Call, ast.AST | None]]:
    """``name = etree.XMLParser(...)``: the name, the call and the function binding it."""
    for _, call in facts.calls_to(*_LXML_PARSERS):
        bound = facts.parent(call)
        if isinstance(bound, ast.Assign) and len(bound.targets) == 1 and isinstance(bound.targets[0], ast.Name):
            yield bound.targets[0].id, call, facts.enclosing_function(call)


def _hardened(call: ast.Call) -> bool:
    """``XMLParser(resolve_entities=False)`` (or lxml 5's ``"internal"``): no external entity."""
    return any(
        kw.arg == "resolve_entities" and isinstance(kw.value, ast.Constant) and kw.value.value in (False, "internal")
        for kw in call.keywords
    )
