"""JSON Web Tokens read without checking their signature (SR310, CWE-347).

A pattern rule: the call itself turns verification off, whatever the token's origin (a token is
always something a client can forge). PyJWT's ``options={"verify_signature": False}``, the
old ``verify=False``, an accepted ``none`` algorithm, and python-jose's ``get_unverified_claims``.
Reading the unverified *header* (to choose a key by ``kid``) is not reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.finding import Finding
from .base import HIGH, RuleContext, rule

_DECODERS = frozenset(
    {"jwt.decode", "jwt.api_jwt.decode", "jwt.decode_complete", "jose.jwt.decode", "jwt.PyJWT().decode"}
)
_UNVERIFIED_CLAIMS = frozenset({"jose.jwt.get_unverified_claims", "jwt.get_unverified_claims"})


def _constant_dict(ctx: RuleContext, node: ast.expr) -> ast.Dict | None:
    """A dict literal, or a module-level name bound once to one."""
    if isinstance(node, ast.Dict):
        return node
    if isinstance(node, ast.Name):
        found: list[ast.Dict] = []
        for statement in ctx.facts.tree.body:
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in statement.targets
            ):
                if not isinstance(statement.value, ast.Dict):
                    return None
                found.append(statement.value)
        return found[0] if len(found) == 1 else None
    return None


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _why_unverified(ctx: RuleContext, call: ast.Call) -> str | None:
    for kw in call.keywords:
        if kw.arg == "verify" and _is_false(kw.value):
            return "`verify=False` skips the signature check"
        if kw.arg == "options":
            options = _constant_dict(ctx, kw.value)
            if options is None:
                continue
            for key, value in zip(options.keys, options.values, strict=False):
                if isinstance(key, ast.Constant) and key.value == "verify_signature" and _is_false(value):
                    return '`options={"verify_signature": False}` skips the signature check'
        if kw.arg == "algorithms" and isinstance(kw.value, (ast.List, ast.Tuple, ast.Set)):
            for element in kw.value.elts:
                if isinstance(element, ast.Constant) and str(element.value).lower() == "none":
                    return 'the accepted algorithm `"none"` lets an unsigned token through'
    return None


@rule(
    id="SR310",
    name="jwt-signature-not-verified",
    cwe=347,
    severity=HIGH,
    confidence=HIGH,
    summary="A JSON Web Token is decoded without verifying its signature.",
    why="The signature is what makes a token's claims (`sub`, `role`, `exp`) trustworthy: without the "
    'check, anyone can write `{"sub": "admin"}`, encode it and be believed. Decode with the key and '
    'an explicit list of the algorithms you issue (`algorithms=["HS256"]`); read unverified claims '
    "only to pick a key, never to make a decision.",
    bad='claims = jwt.decode(token, options={"verify_signature": False})\nuser = claims["sub"]',
    good='claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])\nuser = claims["sub"]',
)
def jwt_signature_not_verified(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to(*_DECODERS):
        reason = _why_unverified(ctx, call)
        if reason is not None:
            yield jwt_signature_not_verified.finding(
                ctx, call, f"`{ctx.facts.spelled(call.func)}()`: {reason}; its claims are whatever the client wrote"
            )
    for _, call in ctx.facts.calls_to(*_UNVERIFIED_CLAIMS):
        yield jwt_signature_not_verified.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}()` returns claims whose signature nobody checked; "
            "decode with the key (`jwt.decode(token, key, algorithms=[...])`)",
        )
