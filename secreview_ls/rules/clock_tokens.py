"""Tokens made from the clock or an object's address, for SR304 (CWE-330).

``hashlib.md5(str(time.time()).encode()).hexdigest()`` looks random but is not: whoever knows
roughly when the token was made tries the few million timestamps around that moment, and a
hash (of any strength) adds no secret. The same holds for ``id(obj)`` (a memory address) and
``uuid.uuid1()`` (the clock and the host's MAC address). Such a value is reported only where it
is hashed into a value (or, for ``uuid1``, used directly) that the ``random`` module's values are
reported for: stored under a token, session, password or key name, set as a cookie, kept in the
session or compared with what the client sent. A timestamp kept as a time (``expires``,
``created``) or hashed into a cache key is not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .base import HIGH, RuleContext
from .random_flow import RandomUse, random_use

# Values an attacker can guess or narrow down, with how a message names them.
PREDICTABLE = {
    "time.time": "the clock",
    "time.time_ns": "the clock",
    "datetime.datetime.now": "the clock",
    "datetime.datetime.utcnow": "the clock",
    "builtins.id": "a memory address",
    "uuid.uuid1": "the clock and the host's MAC address",
}
_TEXT_CALLS = frozenset({"builtins.str", "builtins.repr", "builtins.format", "builtins.int", "builtins.hex"})
_TEXT_METHODS = frozenset({"encode", "isoformat", "strftime", "timestamp"})
_DIGEST_METHODS = frozenset({"hexdigest", "digest"})


def clock_tokens(ctx: RuleContext) -> Iterator[tuple[ast.Call, str, RandomUse]]:
    """Calls of ``PREDICTABLE`` functions whose value becomes a secret: the call, what it reads,
    and the use."""
    for name, call in ctx.facts.calls_to(*PREDICTABLE):
        # ``uuid1()`` is a token as it is (its text, ``.hex``); the others once hashed
        made = call if name == "uuid.uuid1" else _hashed_value(ctx, call)
        if made is None:
            continue
        use = random_use(ctx, made)
        if use is not None and use.confidence == HIGH:
            yield call, PREDICTABLE[name], use


def _carried(ctx: RuleContext, node: ast.AST) -> ast.AST:
    """The outermost expression around ``node`` that only turns it into text or bytes
    (``str(...)``, ``f"{...}"``, ``.encode()``, ``+``)."""
    current = node
    for _ in range(8):
        parent = ctx.facts.parent(current)
        if isinstance(parent, (ast.JoinedStr, ast.FormattedValue, ast.BinOp)):
            current = parent
        elif isinstance(parent, ast.Call) and current in parent.args and ctx.facts.qualname(parent.func) in _TEXT_CALLS:
            current = parent
        elif isinstance(parent, ast.Attribute) and parent.attr in _TEXT_METHODS:
            grand = ctx.facts.parent(parent)
            if not (isinstance(grand, ast.Call) and grand.func is parent):
                break
            current = grand
        else:
            break
    return current


def _hashed_value(ctx: RuleContext, call: ast.Call) -> ast.Call | None:
    """The digest a ``hashlib`` function makes of the value (``md5(...).hexdigest()``), or None."""
    text = _carried(ctx, call)
    digest = ctx.facts.parent(text)
    if not (
        isinstance(digest, ast.Call)
        and text in digest.args
        and (ctx.facts.qualname(digest.func) or "").startswith("hashlib.")
    ):
        return None
    attribute = ctx.facts.parent(digest)
    if isinstance(attribute, ast.Attribute) and attribute.attr in _DIGEST_METHODS:
        outer = ctx.facts.parent(attribute)
        if isinstance(outer, ast.Call) and outer.func is attribute:
            return outer
    return digest
