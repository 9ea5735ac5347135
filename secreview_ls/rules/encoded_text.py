"""Text encoded and decoded back with fixed arguments, for the safe-markup judgement (SR604, SR605).

``text.encode("ascii", "xmlcharrefreplace").decode()`` gives the text's characters, some of them as
character references or dropped, never markup the text did not hold: the decoding undoes no escape
sequence when its charset maps bytes to the characters they encode.
"""

from __future__ import annotations

import ast

from .base import RuleContext
from .judge import is_static

# Charsets whose decoding maps bytes to the characters they encode: no escape sequences undone
# (``unicode_escape`` would turn a ``\u003c`` of the text into ``<``).
_PLAIN_CHARSETS = frozenset(
    {"utf-8", "utf8", "ascii", "us-ascii", "latin-1", "latin1", "iso-8859-1", "utf-16", "utf-32"}
)


def _static_arguments(ctx: RuleContext, call: ast.Call) -> bool:
    return all(is_static(ctx, a) for a in call.args) and all(is_static(ctx, k.value) for k in call.keywords)


def _plain_decoding(ctx: RuleContext, call: ast.Call) -> bool:
    """``.decode()``, ``.decode("ascii")``, ``.decode(encoding="utf-8", errors="replace")``."""
    if not _static_arguments(ctx, call):
        return False
    encoding = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "encoding"), None)
    if encoding is None:
        return True
    return isinstance(encoding, ast.Constant) and str(encoding.value).lower() in _PLAIN_CHARSETS


def round_tripped(ctx: RuleContext, node: ast.Call) -> ast.expr | None:
    """The text of ``text.encode(...).decode(...)`` (fixed arguments, a plain charset), else None."""
    func, receiver = node.func, node.func.value if isinstance(node.func, ast.Attribute) else None
    if not (isinstance(func, ast.Attribute) and func.attr == "decode" and isinstance(receiver, ast.Call)):
        return None
    encoded = receiver.func
    if not (isinstance(encoded, ast.Attribute) and encoded.attr == "encode"):
        return None
    if not _plain_decoding(ctx, node) or not _static_arguments(ctx, receiver):
        return None
    return encoded.value
