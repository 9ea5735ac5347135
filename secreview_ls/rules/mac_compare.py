"""A message authentication code compared with ``==`` (SR314).

``==`` on strings and bytes stops at the first byte that differs, so the time a check takes
tells how much of a guessed MAC was right; an attacker who can time many requests forges the
code byte by byte. Only a value the module computes as an HMAC is judged (``hmac.new``,
``hmac.HMAC``, ``hmac.digest``, the ``cryptography`` HMAC's ``finalize()``), directly or through
a name bound once, and only when it is compared with something that is not a literal: a plain
hash of data (a checksum against accidental corruption) holds no secret, a comparison with a
fixed value is a known-answer check, and a keyed BLAKE2 serves as often as a keyed hash for
cache keys and pseudonyms, compared with the module's own stored values, as it does as a MAC.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.finding import Finding
from .base import HIGH, MEDIUM, Fix, RuleContext, TextEdit, rule
from .judge import single_assignment

_MAC_MAKERS = frozenset({"hmac.new", "hmac.HMAC", "cryptography.hazmat.primitives.hmac.HMAC"})
_MAC_FUNCTIONS = frozenset({"hmac.digest"})
_DIGEST_METHODS = frozenset({"digest", "hexdigest", "finalize"})
# Methods and functions that only re-encode a digest (the result leaks the same way).
_RESHAPING_METHODS = frozenset({"hex", "lower", "upper", "encode", "decode", "strip", "rstrip", "lstrip"})
_RESHAPING_FUNCTIONS = frozenset(
    {"str", "bytes", "base64.b64encode", "base64.urlsafe_b64encode", "base64.b16encode", "binascii.hexlify",
     "binascii.b2a_hex"}
)  # fmt: skip
_DEPTH = 4  # names followed through single assignments


def _mac_object(ctx: RuleContext, node: ast.expr, depth: int = 0) -> str | None:
    """The API making ``node`` when it is a keyed MAC object (``hmac.new(key, msg, sha256)``)."""
    if isinstance(node, ast.Name) and depth < _DEPTH:
        value = single_assignment(ctx, node)
        return _mac_object(ctx, value, depth + 1) if value is not None else None
    if not isinstance(node, ast.Call):
        return None
    name = ctx.facts.qualname(node.func)
    return name if name in _MAC_MAKERS else None


def _mac_value(ctx: RuleContext, node: ast.expr, depth: int = 0) -> str | None:
    """The API computing ``node`` when it is the digest of a keyed MAC (or a re-encoding of one)."""
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node) if depth < _DEPTH else None
        return _mac_value(ctx, value, depth + 1) if value is not None else None
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute):
        if func.attr in _DIGEST_METHODS and not node.args:
            return _mac_object(ctx, func.value, depth)
        if func.attr in _RESHAPING_METHODS:
            return _mac_value(ctx, func.value, depth)
    name = ctx.facts.qualname(func)
    if name in _MAC_FUNCTIONS:
        return name
    if name in _RESHAPING_FUNCTIONS and node.args:
        return _mac_value(ctx, node.args[0], depth)
    return None


def _fixed(node: ast.expr) -> bool:
    """A literal (or a literal re-encoded): a known-answer check, not a secret compared."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
        node = node.func.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fromhex":
        return all(isinstance(a, ast.Constant) for a in node.args)
    return isinstance(node, ast.Constant)


def _fix(ctx: RuleContext, compare: ast.Compare) -> Fix | None:
    """``hmac.compare_digest(a, b)`` for ``a == b`` (``not ...`` for ``!=``), when ``hmac`` is
    imported under its own name."""
    if ctx.facts.qualname(ast.Name(id="hmac", ctx=ast.Load())) != "hmac":
        return None
    left, right = ctx.segment(compare.left), ctx.segment(compare.comparators[0])
    if not left or not right:
        return None
    negated = "not " if isinstance(compare.ops[0], ast.NotEq) else ""
    text = f"{negated}hmac.compare_digest({left}, {right})"
    return Fix(f"Compare in constant time: `{text}`", (TextEdit(ctx.span(compare), text),))


@rule(
    id="SR314",
    name="mac-compared-with-equals",
    cwe=208,
    severity=MEDIUM,
    confidence=HIGH,
    summary="A message authentication code (HMAC) is checked with `==` or `!=` instead of a constant-time comparison.",
    why="`==` on strings and bytes returns at the first byte that differs, so how long a check takes "
    "tells an attacker how many leading bytes of a guessed signature were right; timing many "
    "requests, they forge a valid MAC for a message of their choice one byte at a time, without "
    "the key. Compare MACs, signatures and other secrets with `hmac.compare_digest(a, b)`, whose "
    "time does not depend on where the values differ. Reported when one side of `==`/`!=` is "
    "computed in the module as a keyed MAC (`hmac.new(...).hexdigest()`, `hmac.digest(...)`, the "
    "`cryptography` HMAC's `finalize()`, also through a name bound once or a "
    "re-encoding such as `.hex()` or `base64.b64encode`) and the other side is not a literal. A plain "
    "hash (a checksum of a download) holds no secret and is not reported, nor a comparison with a "
    "fixed value (a known-answer test). A keyed BLAKE2 is not judged: it serves as often "
    "as a keyed hash of cache entries, compared with the program's own stored values.",
    bad="import hmac, hashlib\n"
    "expected = hmac.new(key, body, hashlib.sha256).hexdigest()\n"
    "if expected != request.headers['X-Signature']:\n    abort(403)",
    good="import hmac, hashlib\n"
    "expected = hmac.new(key, body, hashlib.sha256).hexdigest()\n"
    "if not hmac.compare_digest(expected, request.headers['X-Signature']):\n    abort(403)",
    fix_safety="unsafe",
    fix_note="`hmac.compare_digest` raises `TypeError` where `==` returned False: for a `str` holding "
    "non-ASCII characters, or a `str` compared with `bytes`; check what the other side can hold.",
    triggers=("hmac", "HMAC"),
)
def mac_compared_with_equals(ctx: RuleContext) -> Iterator[Finding]:
    for compare in ctx.facts.nodes(ast.Compare):
        assert isinstance(compare, ast.Compare)
        if len(compare.ops) != 1 or not isinstance(compare.ops[0], (ast.Eq, ast.NotEq)):
            continue
        left, right = compare.left, compare.comparators[0]
        api = _mac_value(ctx, left)
        other = right
        if api is None:
            api, other = _mac_value(ctx, right), left
        if api is None or _fixed(other):
            continue
        operator = "==" if isinstance(compare.ops[0], ast.Eq) else "!="
        yield mac_compared_with_equals.finding(
            ctx,
            compare,
            f"a MAC made by `{api}` is compared with `{operator}`, which takes longer the more leading "
            "bytes match: timing the check lets an attacker forge the MAC byte by byte; use "
            "`hmac.compare_digest`",
            fix=_fix(ctx, compare),
        )
