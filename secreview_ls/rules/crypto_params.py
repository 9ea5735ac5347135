"""Fixed cipher IVs and nonces (SR311, CWE-329) and fixed password-hash salts (SR312, CWE-760).

Judged by value: the IV, nonce or salt handed to a cipher mode, an AEAD ``encrypt`` or a
password hash is reported only when it is known at analysis time (a literal, ``b"\\x00" * 16``,
``bytes(16)``, a ``"...".encode()``, a name or class attribute bound once to such a value).
Random bytes, parameters and values read back from storage (the IV kept next to the
ciphertext and read for decryption) are not constants and stay quiet.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.facts import argument
from ..engine.finding import Finding
from .base import HIGH, MEDIUM, RuleContext, rule
from .judge import class_attribute_value, is_static, single_assignment

_MODES = "cryptography.hazmat.primitives.ciphers.modes."
# callee → (position, keyword) of its IV or nonce
_IV_CALLS: dict[str, tuple[int, str]] = {
    **{_MODES + m: (0, "initialization_vector") for m in ("CBC", "OFB", "CFB", "CFB8", "GCM")},
    _MODES + "CTR": (0, "nonce"),
    "cryptography.hazmat.primitives.ciphers.algorithms.ChaCha20": (1, "nonce"),
}
_AEAD = "cryptography.hazmat.primitives.ciphers.aead."
_AEAD_CLASSES = frozenset({_AEAD + c for c in ("AESGCM", "ChaCha20Poly1305", "AESCCM", "AESOCB3")})
# PyCryptodome's ``<Cipher>.new(key, mode, iv)``: the IV is the third positional argument or a keyword
_PYCRYPTO_IV_KEYWORDS = ("iv", "nonce", "IV")

# callee → (position, keyword) of its salt
_SALT_CALLS: dict[str, tuple[int, str]] = {
    "hashlib.pbkdf2_hmac": (2, "salt"),
    "hashlib.scrypt": (-1, "salt"),
    "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC": (2, "salt"),
    "cryptography.hazmat.primitives.kdf.scrypt.Scrypt": (0, "salt"),
    "cryptography.hazmat.primitives.kdf.argon2.Argon2id": (-1, "salt"),
    "Crypto.Protocol.KDF.PBKDF2": (1, "salt"),
    "Cryptodome.Protocol.KDF.PBKDF2": (1, "salt"),
    "Crypto.Protocol.KDF.scrypt": (1, "salt"),
    "Cryptodome.Protocol.KDF.scrypt": (1, "salt"),
    "Crypto.Protocol.KDF.bcrypt": (2, "salt"),
    "Cryptodome.Protocol.KDF.bcrypt": (2, "salt"),
    "bcrypt.hashpw": (1, "salt"),
    "bcrypt.kdf": (1, "salt"),
    "argon2.low_level.hash_secret": (1, "salt"),
    "argon2.low_level.hash_secret_raw": (1, "salt"),
}


# builders whose result is fixed when their argument is (``bytes(16)``, ``unhexlify("00ff")``)
_BYTES_BUILDERS = frozenset(
    {"builtins.bytes", "builtins.bytearray", "builtins.bytes.fromhex", "binascii.unhexlify", "base64.b64decode"}
)


def constant_bytes(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """Whether ``node`` is a fixed string or bytes value: a literal (not ``None``), literal
    arithmetic (``b"\\x00" * 16``), ``bytes(16)`` / ``bytes.fromhex("...")`` /
    ``"...".encode()`` of a constant, or a name or class attribute bound once to one."""
    if node is None or depth > 4:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes))
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return value is not None and constant_bytes(ctx, value, depth + 1)
    if isinstance(node, ast.Attribute):
        value = class_attribute_value(ctx, node)
        return value is not None and constant_bytes(ctx, value, depth + 1)
    if isinstance(node, (ast.BinOp, ast.JoinedStr)):
        return is_static(ctx, node) and _has_text(node)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"encode", "fromhex", "unhexlify", "b64decode"}:
            if func.attr in {"encode"}:
                return constant_bytes(ctx, func.value, depth + 1)
            return bool(node.args) and constant_bytes(ctx, node.args[0], depth + 1)
        name = ctx.facts.qualname(func) or ""
        if name in _BYTES_BUILDERS:
            return bool(node.args) and is_static(ctx, node.args[0]) and not _contains_call(node.args[0])
    return False


def _has_text(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes)) for n in ast.walk(node))


def _contains_call(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def _receiver_class(ctx: RuleContext, receiver: ast.expr) -> str | None:
    """The class of an object built in place (``AESGCM(key).encrypt``) or bound once to a
    name (``aead = AESGCM(key)``)."""
    if isinstance(receiver, ast.Name):
        value = single_assignment(ctx, receiver)
        receiver = value if value is not None else receiver
    if isinstance(receiver, ast.Call):
        return ctx.facts.qualname(receiver.func)
    return None


def _iv_arguments(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr]]:
    """Each (call, IV-or-nonce argument) of an encryption set-up."""
    for name, call in ctx.facts.calls_to(*_IV_CALLS):
        position, keyword_name = _IV_CALLS[name]
        value = argument(call, position, keyword_name)
        if value is not None:
            yield call, value
    for call in ctx.facts.method_calls("encrypt"):
        assert isinstance(call.func, ast.Attribute)
        if _receiver_class(ctx, call.func.value) in _AEAD_CLASSES:
            value = argument(call, 0, "nonce")
            if value is not None:
                yield call, value
    for prefix in ("Crypto.Cipher.", "Cryptodome.Cipher."):
        for name, call in ctx.facts.calls_with_prefix(prefix):
            if not name.endswith(".new"):
                continue
            value = call.args[2] if len(call.args) > 2 else None
            for kw in call.keywords:
                if kw.arg in _PYCRYPTO_IV_KEYWORDS:
                    value = kw.value
            if value is not None:
                yield call, value


@rule(
    id="SR311",
    name="static-iv",
    cwe=329,
    severity=HIGH,
    confidence=HIGH,
    summary="A cipher is given a fixed IV or nonce (a literal or a module constant).",
    why="An IV or nonce must differ for every message encrypted under one key. A fixed CBC IV "
    "makes equal plaintext prefixes encrypt to equal ciphertext and lets an attacker test guesses; "
    "a repeated CTR, GCM or ChaCha20 nonce gives away the XOR of two plaintexts, and for GCM the "
    "authentication key, so messages can be forged. Generate a fresh one per message "
    "(`os.urandom(12)` for GCM, 16 bytes for CBC) and store it next to the ciphertext. Only values "
    "known at analysis time are reported: random bytes, parameters and an IV read back for "
    "decryption are not.",
    bad="import os\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
    'ciphertext = AESGCM(key).encrypt(b"\\x00" * 12, data, None)',
    good="import os\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
    "nonce = os.urandom(12)\nciphertext = nonce + AESGCM(key).encrypt(nonce, data, None)",
)
def static_iv(ctx: RuleContext) -> Iterator[Finding]:
    for call, value in _iv_arguments(ctx):
        if constant_bytes(ctx, value):
            yield static_iv.finding(
                ctx,
                value,
                f"`{ctx.facts.spelled(call.func)}` is given a fixed IV/nonce {_shown(ctx, value)}: every message "
                "under this key reuses it; generate a fresh one per message (`os.urandom`) and store it with the "
                "ciphertext",
            )


@rule(
    id="SR312",
    name="static-salt",
    cwe=760,
    severity=MEDIUM,
    confidence=HIGH,
    summary="A password hash or key derivation is given a fixed salt.",
    why="A salt makes each stored password hash unique, so one precomputed table or one guess "
    "cannot be tried against every user at once. A salt that is a literal or a module constant is "
    "the same for every password, which gives that advantage back to an attacker holding the "
    "hashes. Generate a random salt per password (`os.urandom(16)`, `bcrypt.gensalt()`) and store "
    "it with the hash. Only values known at analysis time are reported: a salt read from the stored "
    "hash to verify a password is not.",
    bad='import hashlib\ndigest = hashlib.pbkdf2_hmac("sha256", password, b"static-salt", 600_000)',
    good='import hashlib, os\nsalt = os.urandom(16)\ndigest = hashlib.pbkdf2_hmac("sha256", password, salt, 600_000)',
)
def static_salt(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_SALT_CALLS):
        position, keyword_name = _SALT_CALLS[name]
        value = argument(call, position, keyword_name) if position >= 0 else _keyword(call, keyword_name)
        if constant_bytes(ctx, value):
            assert value is not None
            yield static_salt.finding(
                ctx,
                value,
                f"`{ctx.facts.spelled(call.func)}` is given a fixed salt {_shown(ctx, value)}: every password "
                "gets the same one; generate a random salt per password and store it with the hash",
            )


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _shown(ctx: RuleContext, node: ast.AST) -> str:
    """How the message names the value: the constant's name, never the bytes themselves (a
    fixed IV or salt sits next to keys often enough that the literal stays out of reports)."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        return f"`{ctx.segment(node)}`"
    return "written as a literal"
