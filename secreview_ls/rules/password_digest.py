"""Passwords hashed with a fast general-purpose hash (SR313).

SHA-2, SHA-3 and BLAKE2 are sound for integrity but compute billions of digests a second on a
GPU, so a stored digest of a password is guessed quickly (and without a salt, one table serves
every user). Only a digest whose data is a password (by the names it is computed from) and that
is kept or checked as one is reported: stored under a password-sounding name, returned by a
password-named function, compared with another value, or written by an SQL statement naming a
password. A digest handed on to something else (a KDF such as bcrypt pre-hashing, an HMAC key,
a cipher key, a protocol message) is not judged here. MD5 and SHA-1 are SR301's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.finding import Finding
from .base import MEDIUM, RuleContext, rule
from .hash_role import fed_values
from .judge import destination_names, identifier_words

_FAST_HASHES = frozenset(
    {"hashlib.sha224", "hashlib.sha256", "hashlib.sha384", "hashlib.sha512", "hashlib.sha3_224",
     "hashlib.sha3_256", "hashlib.sha3_384", "hashlib.sha3_512", "hashlib.blake2b", "hashlib.blake2s"}
)  # fmt: skip
_PASSWORD_WORDS = frozenset({"password", "passwords", "passwd", "pwd", "passphrase", "pw"})
# Calls that only reshape a digest or its text (the result is the same digest).
_RESHAPING = frozenset({"hexdigest", "digest", "encode", "decode", "upper", "lower", "strip", "hex"})
_COMPARES = frozenset({"hmac.compare_digest", "secrets.compare_digest"})


def _password_name(name: str) -> bool:
    return bool(_PASSWORD_WORDS & set(identifier_words(name)))


def _hashes_a_password(ctx: RuleContext, call: ast.Call) -> str | None:
    """The password-named value a hash call is given (directly or through ``update``)."""
    for data in [*call.args[:1], *fed_values(ctx, call)]:
        for inner in ast.walk(data):
            if isinstance(inner, ast.Name) and _password_name(inner.id):
                return inner.id
            if isinstance(inner, ast.Attribute) and _password_name(inner.attr):
                return inner.attr
            if isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Constant):
                key = inner.slice.value
                if isinstance(key, str) and _password_name(key):
                    return key
    return None


def _digest_expression(ctx: RuleContext, call: ast.Call) -> ast.expr:
    """The outermost expression that is still the digest: ``sha256(p).hexdigest().upper()``."""
    current: ast.expr = call
    while True:
        parent = ctx.facts.parent(current)
        if isinstance(parent, ast.Attribute) and parent.attr in _RESHAPING:
            grand = ctx.facts.parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                current = grand
                continue
        return current


def _kept_as_password(ctx: RuleContext, node: ast.expr) -> str | None:
    """How a digest expression is kept or checked as a password hash, if it is."""
    parent = ctx.facts.parent(node)
    if isinstance(parent, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in parent.ops):
        return "compared with a stored value"
    if isinstance(parent, ast.Call) and node in parent.args and ctx.facts.qualname(parent.func) in _COMPARES:
        return "compared with a stored value"
    for name in destination_names(ctx.facts, node):
        if _password_name(name):
            return f"kept as `{name}`"
    if _written_by_sql(ctx, node):
        return "written by an SQL statement naming a password"
    return None


def _written_by_sql(ctx: RuleContext, node: ast.expr) -> bool:
    """``execute("... password ...", (name, digest))``: a parameter of a statement on passwords."""
    current: ast.AST = node
    for _ in range(3):
        parent = ctx.facts.parent(current)
        if isinstance(parent, (ast.Tuple, ast.List)):
            current = parent
            continue
        if isinstance(parent, ast.Call) and current in parent.args[1:] and parent.args:
            first = parent.args[0]
            text = first.value if isinstance(first, ast.Constant) else None
            return isinstance(text, str) and "password" in text.lower()
        return False
    return False


def _uses_of_local(ctx: RuleContext, node: ast.expr) -> list[ast.Name]:
    """The reads of the local a digest is assigned to (``digest = sha256(p).hexdigest()``)."""
    parent = ctx.facts.parent(node)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return []
    name = parent.targets[0].id
    function = ctx.facts.enclosing_function(node)
    if function is None:
        return []
    return [
        inner
        for inner in ast.walk(function)
        if isinstance(inner, ast.Name) and inner.id == name and isinstance(inner.ctx, ast.Load)
    ]


_KEY_METHODS = frozenset({"get", "pop", "setdefault", "__contains__"})


def _as_key(ctx: RuleContext, use: ast.Name) -> bool:
    """A read of the digest that looks data up by it: ``d[h]``, ``h in d``, ``d.get(h)``."""
    parent = ctx.facts.parent(use)
    if isinstance(parent, ast.Subscript) and parent.slice is use:
        return True
    if (
        isinstance(parent, ast.Compare)
        and parent.left is use
        and all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops)
    ):
        return True
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr in _KEY_METHODS
        and parent.args[:1] == [use]
    )


@rule(
    id="SR313",
    name="fast-password-hash",
    cwe=916,
    severity=MEDIUM,
    confidence=MEDIUM,
    summary="A password is hashed with a fast hash (SHA-2, SHA-3, BLAKE2) and kept or checked as its hash.",
    why="General-purpose hashes are built to be fast: a GPU tries billions of SHA-256 guesses a "
    "second, so a leaked table of such digests gives up most passwords, and without a per-user "
    "salt one precomputed table serves every account. Store passwords with a slow, salted password "
    "hash (argon2, bcrypt, scrypt, `hashlib.pbkdf2_hmac` with many iterations) and check them with "
    "its verify function. Reported when the hashed data is named as a password and the digest is "
    "stored under a password-sounding name, returned by a password-named function, compared, or "
    "written by an SQL statement naming a password; a digest passed on to a KDF, an HMAC or a "
    "cipher, and digests of files, tokens or other data are not.",
    bad="import hashlib\npassword_hash = hashlib.sha256(password.encode()).hexdigest()",
    good="import hashlib, os\nsalt = os.urandom(16)\n"
    "password_hash = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)",
)
def fast_password_hash(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_FAST_HASHES):
        password = _hashes_a_password(ctx, call)
        if password is None:
            continue
        digest = _digest_expression(ctx, call)
        uses = _uses_of_local(ctx, digest)
        if uses and all(_as_key(ctx, use) for use in uses):
            continue  # a key of an in-memory lookup (a cache of checked passwords), never stored
        how = _kept_as_password(ctx, digest)
        if how is None:
            how = next((found for use in uses if (found := _kept_as_password(ctx, use))), None)
        if how is None:
            continue
        yield fast_password_hash.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` hashes `{password}` with {name.split('.')[-1].upper()}, a fast "
            f"hash, {how}; store passwords with a slow salted password hash (argon2, bcrypt, scrypt, "
            "pbkdf2_hmac)",
        )
