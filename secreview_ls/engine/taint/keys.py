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
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    return server_key(client_keys, kind, node.value)


def server_key(client_keys: dict[str, tuple[str, ...]], kind: str | None, name: str) -> bool:
    """``server_entry`` for the key's text."""
    client = client_keys.get(kind or "")
    if client is None or not _CGI_NAME.fullmatch(name):
        return False
    return not _listed(client, name)


def _listed(keys: tuple[str, ...], name: str) -> bool:
    return any(name.startswith(k) if k.endswith("_") else name == k for k in keys)


def key_text(key: str) -> str | None:
    """The text of a constant string key as parts spell it (``"'REQUEST_METHOD'"``)."""
    if len(key) < 2 or key[0] not in "'\"" or key[-1] != key[0]:
        return None
    try:
        value = ast.literal_eval(key)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def line_entry(line_keys: dict[str, tuple[str, ...]], kind: str | None, node: ast.expr) -> bool:
    """``environ["REQUEST_METHOD"]``: a constant key whose value the server cut out of one line of
    the request (the request line, a header line), so it holds no line break."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    return line_key(line_keys, kind, node.value)


def line_key(line_keys: dict[str, tuple[str, ...]], kind: str | None, name: str) -> bool:
    """``line_entry`` for the key's text."""
    keys = line_keys.get(kind or "")
    return keys is not None and _listed(keys, name)
