"""Request bodies read after a signature check: the signer's data, not the client's text.

A webhook handler that hands the raw body to a check of its signature as a statement
(``check_stripe_signature(payload, sig_header, secret)``, ``await verify_paypal_webhook(headers,
payload)``: the result is unused, so the check rejects by raising) goes on only with a body the
provider signed with the shared secret. In the statements after the check in the same block, the
body read again (``await request.json()``, ``request.get_json()``, ``request.body``) and the names
bound to the raw body the check was handed (``json.loads(payload)``) hold the provider's data, whose
line breaks are not the client's. A name stored again after the check is the check's no longer.
"""

from __future__ import annotations

import ast
import re

from ..facts import ModuleFacts

# A check named for a signature, an HMAC or a webhook: ``check_stripe_signature``,
# ``verify_signature``, ``verify_paypal_webhook``, ``validate_hmac``.
_CHECK = re.compile(r"_?(?:verify|check|validate|ensure|assert)_(?:\w+_)?(?:signature|sig|hmac|webhook)s?(?:_\w+)?$")
# What reads a request's body: ``request.body()``, ``request.get_json()``, ``request.data``.
_BODY_READS = frozenset({"body", "json", "get_json", "get_data", "data", "read", "text", "content", "stream"})
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _unwrapped(node: ast.expr) -> ast.expr:
    """``await x`` → ``x``; ``x.decode(...)`` / ``x.strip()`` → ``x`` (the same body as text)."""
    while True:
        if isinstance(node, ast.Await):
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("decode", "strip")
            and isinstance(node.func.value, (ast.Call, ast.Attribute, ast.Await))
        ):
            node = node.func.value
        else:
            return node


def _body_receiver(node: ast.expr) -> str | None:
    """``request`` of a read of its body (``request.get_data()``, ``await request.body()``)."""
    node = _unwrapped(node)
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute) and node.attr in _BODY_READS and isinstance(node.value, ast.Name):
        return node.value.id
    return None


def _block_after(facts: ModuleFacts, statement: ast.stmt) -> list[ast.stmt]:
    """The statements after ``statement`` in the block it belongs to."""
    parent = facts.parent(statement)
    if parent is None:
        return []
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and statement in block:
            return block[block.index(statement) + 1 :]
    return []


def _raw_bodies(function: ast.AST) -> dict[str, str]:
    """Names the function binds to a request's raw body, with that request's name."""
    found: dict[str, str] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            receiver = _body_receiver(node.value)
            if receiver is not None:
                found[node.targets[0].id] = receiver
    return found


def _stores(statement: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


# A check's name holds one of these (plain substring tests: a regular expression's alternation
# scans a big module's text several times slower).
_WORDS = ("signature", "_sig", "hmac", "webhook")


def verified_reads(facts: ModuleFacts) -> frozenset[int]:
    """Ids of the body reads and raw-body names after a signature check of the module's functions."""
    found: set[int] = set()
    # (an editor's view of a big module answers from its pieces, kept between versions)
    if not any(map(facts.source.mentions, _WORDS)):
        return frozenset()
    for call in facts.nodes_where(ast.Call, lambda c: bool(_CHECK.match(_called_name(c)))):
        statement = facts.parent(call)
        if isinstance(statement, ast.Await):
            statement = facts.parent(statement)
        if not isinstance(statement, ast.Expr):
            continue  # a check whose result is used may return False instead of raising
        function = next(
            (a for a in facts.ancestors(statement) if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef))), None
        )
        if function is None:
            continue
        bodies = _raw_bodies(function)
        receivers: set[str] = set()
        names: set[str] = set()
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            receiver = _body_receiver(argument)
            if receiver is None and isinstance(argument, ast.Name) and argument.id in bodies:
                receiver = bodies[argument.id]
                names.add(argument.id)
            if receiver is not None:
                receivers.add(receiver)
        if not receivers:
            continue
        for following in _block_after(facts, statement):
            found.update(_reads_in(following, receivers, names))
            names -= _stores(following)
            receivers -= _stores(following)
            if not receivers and not names:
                break
    return frozenset(found)


def _reads_in(statement: ast.stmt, receivers: set[str], names: set[str]) -> set[int]:
    found: set[int] = set()
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            found.add(id(node))
        elif isinstance(node, ast.Call) and _body_receiver(node) in receivers:
            found.add(id(node))
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and node.attr in _BODY_READS
            and isinstance(node.value, ast.Name)
            and node.value.id in receivers
        ):
            found.add(id(node))
        stack.extend(ast.iter_child_nodes(node))
    return found
