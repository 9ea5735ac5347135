"""Part keys: how a constant subscript (``d['k']``, ``t[0]``, ``conf['s', 'k']``) names a known
part of a container. Attributes are parts too, keyed ``.name``."""

from __future__ import annotations

import ast
import re


def const_key(node: ast.expr) -> str | None:
    """The part key of a constant subscript, or None when the key is not a constant."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (str, int, bytes))
        and not isinstance(node.value, bool)
    ):
        return repr(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return repr(-node.operand.value) if isinstance(node.operand.value, int) else None
    return None


def keys_of(nodes: list[ast.expr]) -> str | None:
    """The part key for constant keys: ``'k'`` for one, ``('s','k')`` for several."""
    keys = [const_key(node) for node in nodes]
    if not keys or any(key is None for key in keys):
        return None
    return keys[0] if len(keys) == 1 else "(" + ",".join(keys) + ")"  # type: ignore[arg-type]


_CGI_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def server_entry(client_keys: dict[str, tuple[str, ...]], kind: str | None, node: ast.expr) -> bool:
    """``environ["APP_CONFIG"]`` of a WSGI environment: a constant CGI-style key the client's
    request does not fill in (``HTTP_*`` headers and the request line do), so the server's or the
    deployment's value. Keys of other shapes (``wsgi.input``, a middleware's ``routing_args``) may
    carry the request."""
    client = client_keys.get(kind or "")
    if client is None or not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    name = node.value
    if not _CGI_NAME.fullmatch(name):
        return False
    return not any(name.startswith(c) if c.endswith("_") else name == c for c in client)
