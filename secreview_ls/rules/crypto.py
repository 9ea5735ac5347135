"""Cryptography (SR3xx): weak hashes, ECB, predictable randomness, short keys, TLS protocol
versions and certificate checks in the ``ssl`` module. Obsolete ciphers (SR302), where the
call itself is the finding, are a row of ``banned_calls``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..engine.evidence import Judgement
from ..engine.facts import argument, keyword, keyword_value
from ..engine.finding import Finding, Fix, Span, TextEdit
from .base import HIGH, LOW, MEDIUM, RuleContext, rule
from .clock_tokens import clock_tokens
from .digest_flow import names_by_flow
from .hash_role import fed_values, names_data_only, naming_name, random_input, strong_companion
from .judge import callee_tail, destination_names, identifier_words, int_value, security_word, static_string
from .random_flow import generator_calls, random_use

_WEAK_HASH_NAMES = frozenset({"md2", "md4", "md5", "sha", "sha1", "sha-1", "ripemd160"})
_HASHLIB_WEAK = {f"hashlib.{n}": n for n in ("md4", "md5", "sha1", "sha")}
_OTHER_WEAK_HASHES = {
    "Crypto.Hash.MD2.new": "MD2",
    "Crypto.Hash.MD4.new": "MD4",
    "Crypto.Hash.MD5.new": "MD5",
    "Crypto.Hash.SHA.new": "SHA1",
    "Crypto.Hash.SHA1.new": "SHA1",
    "Cryptodome.Hash.MD2.new": "MD2",
    "Cryptodome.Hash.MD4.new": "MD4",
    "Cryptodome.Hash.MD5.new": "MD5",
    "Cryptodome.Hash.SHA.new": "SHA1",
    "Cryptodome.Hash.SHA1.new": "SHA1",
    "cryptography.hazmat.primitives.hashes.MD5": "MD5",
    "cryptography.hazmat.primitives.hashes.SHA1": "SHA1",
}
_WEAK_CRYPT_METHODS = frozenset({"METHOD_CRYPT", "METHOD_MD5", "METHOD_BLOWFISH"})


def _security_context(ctx: RuleContext, call: ast.Call) -> str | None:
    """Why the result of ``call`` looks security-relevant: the name it is stored under,
    a name among its arguments, or the enclosing function's name."""
    for name in destination_names(ctx.facts, call):
        if security_word(name):
            return f"used for `{name}`"
    for arg in [*call.args, *(kw.value for kw in call.keywords)]:
        for inner in ast.walk(arg):
            name = inner.id if isinstance(inner, ast.Name) else getattr(inner, "attr", None)
            if isinstance(name, str) and security_word(name):
                return f"applied to `{name}`"
    parent = ctx.facts.parent(call)
    if isinstance(parent, ast.Attribute):
        for name in destination_names(ctx.facts, parent):
            if security_word(name):
                return f"stored in `{name}`"
        grand = ctx.facts.parent(parent)
        if isinstance(grand, ast.Call):
            for name in destination_names(ctx.facts, grand):
                if security_word(name):
                    return f"stored in `{name}`"
    for fed in fed_values(ctx, call):
        for inner in ast.walk(fed):
            name = inner.id if isinstance(inner, ast.Name) else getattr(inner, "attr", None)
            if isinstance(name, str) and security_word(name):
                return f"fed `{name}`"
    function = ctx.facts.enclosing_function(call)
    if function is not None and security_word(function.name):
        return f"inside `{function.name}`"
    return None


def _not_for_security_fix(ctx: RuleContext, call: ast.Call, algorithm: str) -> Fix:
    """Add ``usedforsecurity=False`` after the last argument."""
    arguments: list[ast.AST] = [*call.args, *call.keywords]
    if arguments:
        last = max(arguments, key=lambda a: (a.end_lineno or 0, a.end_col_offset or 0))
        end = ctx.span(last)
        edit = TextEdit(Span(end.end_line, end.end_col, end.end_line, end.end_col), ", usedforsecurity=False")
    else:
        span = ctx.span(call)
        edit = TextEdit(Span(span.end_line, span.end_col - 1, span.end_line, span.end_col - 1), "usedforsecurity=False")
    return Fix(f"Mark this {algorithm} use as not for security (`usedforsecurity=False`)", (edit,))


@rule(
    id="SR301",
    name="weak-hash",
    cwe=328,
    scope="module",  # a helper returning a digest is judged by its callers anywhere in the module
    severity=HIGH,
    confidence=HIGH,
    bandit=("B303", "B324"),
    ruff=("S303", "S324"),
    fix_safety="unsafe",
    fix_note="The digest stays the same, but `usedforsecurity=False` declares that the hash protects "
    "nothing, which only a person who knows what the value is for can confirm: applied unread it "
    "would silence a real weak hash (a MAC, a token) that no name gave away.",
    summary="MD5, SHA-1 or another broken hash is used, or a weak `crypt` method.",
    why="Collisions for MD5 and SHA-1 can be computed cheaply, so they cannot vouch for the "
    "integrity or authenticity of data, and both are far too fast for storing passwords. Uses "
    "that are not for security (cache keys, checksums against accidental corruption) should say "
    "so with `usedforsecurity=False`, which also keeps them working on FIPS-mode systems. Results "
    "stored under security-sounding names (password, token, signature, ...) or fed such values are "
    "reported at high severity. A digest that only names or tells apart data (stored as a cache key, "
    "ETag, checksum, id, index column, file or lock name, fingerprint, Gravatar avatar address, or a change-detection name joining the algorithm and a moment "
    "such as `previous_md5`) or reshapes random bytes is not reported, "
    "nor is one a helper returns when every caller in the module stores it so, or a short helper named "
    "for its algorithm (an SQL `MD5()` function) that no caller uses for security; "
    "nor one that, followed forward through text, names and calls, is used at least once as a name "
    "(a file name, a URL path segment, a lookup, dedup or sort key, an id) and never as a check "
    "(an equality with other data, a security-sounding name, a signing or HMAC call); "
    "one whose use is not visible is a low-confidence note.",
    bad="import hashlib\npassword_hash = hashlib.md5(password.encode()).hexdigest()",
    good="import hashlib\ndigest = hashlib.sha256(data).hexdigest()\n"
    "etag = hashlib.md5(body, usedforsecurity=False).hexdigest()\n"
    "# passwords: hashlib.scrypt / argon2 / bcrypt",
)
def weak_hash(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_with_prefix("hashlib."):
        used = keyword_value(call, "usedforsecurity")
        if isinstance(used, ast.Constant) and used.value is False:
            ctx.judged(name, call, Judgement.NOT_FOR_SECURITY)
    for name, call in ctx.facts.calls_to(*_HASHLIB_WEAK, "hashlib.new"):
        if name == "hashlib.new":
            algorithm = static_string(ctx, argument(call, 0, "name"))
            if algorithm is None or algorithm.lower() not in _WEAK_HASH_NAMES:
                continue
        else:
            algorithm = _HASHLIB_WEAK[name]
        used = keyword_value(call, "usedforsecurity")
        if used is not None and not (isinstance(used, ast.Constant) and used.value):
            continue
        yield from _weak_hash_finding(ctx, call, algorithm.upper(), fixable=used is None)
    for name, call in ctx.facts.calls_to(*_OTHER_WEAK_HASHES):
        yield from _weak_hash_finding(ctx, call, _OTHER_WEAK_HASHES[name], fixable=False)
    for name, call in ctx.facts.calls_to("crypt.crypt", "crypt.mksalt"):
        method = argument(call, 1, "salt") if name == "crypt.crypt" else argument(call, 0, "method")
        method_name = ctx.facts.qualname(method) if method is not None else None
        if method_name is None or method_name.rsplit(".", 1)[-1] not in _WEAK_CRYPT_METHODS:
            continue
        yield weak_hash.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` uses `{method_name.rsplit('.', 1)[-1]}`, a weak password hashing "
            "method; use `METHOD_SHA512` or a dedicated password hash (argon2, bcrypt, scrypt)",
            severity=MEDIUM,
        )


# Attributes that describe the algorithm without hashing anything.
_HASH_METADATA = frozenset({"digest_size", "block_size", "name"})


def _weak_hash_finding(ctx: RuleContext, call: ast.Call, algorithm: str, *, fixable: bool) -> Iterator[Finding]:
    spelled = ctx.facts.spelled(call.func)
    parent = ctx.facts.parent(call)
    if not call.args and isinstance(parent, ast.Attribute) and parent.attr in _HASH_METADATA:
        return  # `sha1().digest_size`: a size, no digest of anything
    reason = _security_context(ctx, call)
    if random_input(ctx, call) and (reason is None or not reason.startswith("applied to")):
        return  # a digest of random bytes: as unpredictable as they are, whatever it is used for
    if reason is not None:
        yield weak_hash.finding(
            ctx,
            call,
            f"`{spelled}` computes {algorithm}, a broken hash, {reason}; use SHA-256 or better "
            "(for passwords: scrypt, argon2 or bcrypt)",
        )
        return
    if names_data_only(ctx, call) is not None:
        return  # a cache key, file name, id, displayed fingerprint, or random bytes reshaped
    if strong_companion(ctx, call):
        return  # a legacy digest sent next to a strong one of the same data
    if names_by_flow(ctx, call, naming_name) is not None:
        return  # followed forward, the digest only names, keys or sorts data
    yield weak_hash.finding(
        ctx,
        call,
        f"`{spelled}` computes {algorithm}, a broken hash; if this is not for security (checksums, cache "
        "keys) pass `usedforsecurity=False`, otherwise use SHA-256 or better",
        severity=MEDIUM,
        confidence=LOW,
        fix=_not_for_security_fix(ctx, call, algorithm) if fixable else None,
    )


@rule(
    id="SR303",
    name="ecb-mode",
    cwe=327,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B305",),
    ruff=("S305",),
    summary="A block cipher is used in ECB mode.",
    why="ECB encrypts equal plaintext blocks to equal ciphertext blocks, so the structure of the "
    "data shows through (the well-known 'ECB penguin'), and blocks can be cut and pasted between "
    "messages. Use an authenticated mode such as GCM.",
    bad="from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
    "Cipher(algorithms.AES(key), modes.ECB())",
    good="from cryptography.hazmat.primitives.ciphers.aead import AESGCM\nAESGCM(key).encrypt(nonce, data, None)",
)
def ecb_mode(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to("cryptography.hazmat.primitives.ciphers.modes.ECB"):
        yield ecb_mode.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` selects ECB mode, which leaks patterns in the plaintext; "
            "use GCM (or CBC/CTR with a MAC)",
        )
    for name, call in ctx.facts.calls_with_prefix("Crypto"):
        if not (name.startswith(("Crypto.Cipher.", "Cryptodome.Cipher.")) and name.endswith(".new")):
            continue
        mode = argument(call, 1, "mode")
        mode_name = ctx.facts.qualname(mode) if mode is not None else None
        if mode_name is not None and mode_name.endswith(".MODE_ECB"):
            yield ecb_mode.finding(
                ctx,
                call,
                f"`{ctx.facts.spelled(call.func)}` with `{ctx.segment(mode)}` encrypts in ECB mode, which leaks "
                "patterns in the plaintext; use `MODE_GCM`",
            )


_RANDOM_FUNCTIONS = (
    "random.random",
    "random.randrange",
    "random.randint",
    "random.choice",
    "random.choices",
    "random.uniform",
    "random.triangular",
    "random.randbytes",
    "random.sample",
    "random.getrandbits",
    "random.shuffle",
    "random.Random",
    "random.normalvariate",
    "random.gauss",
    "random.lognormvariate",
    "random.expovariate",
    "random.vonmisesvariate",
    "random.gammavariate",
    "random.betavariate",
    "random.paretovariate",
    "random.weibullvariate",
    "random.binomialvariate",
    "numpy.random.rand",
    "numpy.random.randint",
    "numpy.random.bytes",
    "numpy.random.choice",
)


@rule(
    id="SR304",
    name="insecure-random",
    cwe=330,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B311",),
    ruff=("S311",),
    summary="A `random` module value (or a draw from a `random.Random()` instance, or a hash of the "
    "clock) becomes a token, password, key, nonce, cookie or session value.",
    why="`random` is a Mersenne Twister: after observing 624 outputs an attacker can predict every "
    "future (and past) value, so tokens, reset links and passwords made with it can be guessed. Use "
    "the `secrets` module. The value is followed through the assignments of its function: it is "
    "reported where it is stored under a security-sounding name (token, password, otp, reset, ...), "
    "set as a cookie, stored in the session, passed as such a keyword, or compared for equality with "
    "request data, and at medium confidence where a function so named produces it (not when it fills "
    "a keyword parameter with another role, `instance_name=random.choice(...)`). A salt only needs "
    "to be unique (a low note); a MIME boundary or separator is not reported; shuffling, sampling and "
    "simulations are fine with `random`. A token hashed from the clock or an object's address "
    "(`md5(str(time.time()))`, `sha256(str(id(obj)))`) or made by `uuid.uuid1()` is as guessable and "
    "reported for the same uses; a timestamp kept as a time or hashed into a cache key is not.",
    bad="import random, string\nreset_token = ''.join(random.choice(string.ascii_letters) for _ in range(20))",
    good="import secrets\nreset_token = secrets.token_urlsafe(20)",
)
def insecure_random(ctx: RuleContext) -> Iterator[Finding]:
    reported: set[int] = set()  # one finding per statement: `randint` and `randrange` making one value
    draws, makers = generator_calls(ctx)
    calls = [call for _, call in ctx.facts.calls_to(*_RANDOM_FUNCTIONS) if id(call) not in makers]
    for call in calls + draws:
        use = random_use(ctx, call)
        statement = ctx.facts.enclosing_statement(call)
        if use is None or id(statement) in reported:
            continue
        reported.add(id(statement))
        yield insecure_random.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` is predictable but its result is {use.text}; use the `secrets` "
            "module (`secrets.token_urlsafe`, `secrets.choice`, `secrets.randbelow`)",
            severity=use.severity,
            confidence=use.confidence,
        )
    for call, origin, use in clock_tokens(ctx):
        statement = ctx.facts.enclosing_statement(call)
        if id(statement) in reported:
            continue
        reported.add(id(statement))
        yield insecure_random.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}()` reads {origin}, which an attacker can guess, and its value "
            f"is {use.text}{'' if origin.endswith('MAC address') else '; hashing it adds no secret'} — use "
            "`secrets.token_urlsafe()`",
            severity=use.severity,
            confidence=use.confidence,
        )


# -- key sizes -----------------------------------------------------------------------

_EC_CURVE_BITS = {
    "SECT571K1": 571,
    "SECT571R1": 570,
    "SECP521R1": 521,
    "BrainpoolP512R1": 512,
    "SECT409K1": 409,
    "SECT409R1": 409,
    "BrainpoolP384R1": 384,
    "SECP384R1": 384,
    "SECT283K1": 283,
    "SECT283R1": 283,
    "BrainpoolP256R1": 256,
    "SECP256K1": 256,
    "SECP256R1": 256,
    "SECT233K1": 233,
    "SECT233R1": 233,
    "SECP224R1": 224,
    "SECP192R1": 192,
    "SECT163K1": 163,
    "SECT163R2": 163,
}
_KEY_GENERATORS = {
    "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key": ("RSA", 1, "key_size"),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key": ("DSA", 0, "key_size"),
    "cryptography.hazmat.primitives.asymmetric.dsa.generate_parameters": ("DSA", 0, "key_size"),
    "cryptography.hazmat.primitives.asymmetric.dh.generate_parameters": ("DH", 1, "key_size"),
    "Crypto.PublicKey.RSA.generate": ("RSA", 0, "bits"),
    "Crypto.PublicKey.DSA.generate": ("DSA", 0, "bits"),
    "Cryptodome.PublicKey.RSA.generate": ("RSA", 0, "bits"),
    "Cryptodome.PublicKey.DSA.generate": ("DSA", 0, "bits"),
    "rsa.newkeys": ("RSA", 0, "nbits"),
}
# (high-severity below, medium-severity below)
_THRESHOLDS = {"RSA": (1024, 2048), "DSA": (1024, 2048), "DH": (1024, 2048), "EC": (160, 224)}


@rule(
    id="SR305",
    name="weak-key-size",
    cwe=326,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B505",),
    ruff=("S505",),
    summary="An RSA/DSA/DH key shorter than 2048 bits or an elliptic curve under 224 bits is generated.",
    why="RSA-1024 and smaller, and curves of 192 bits or less, are within reach of well-funded "
    "attackers; keys generated today should stay safe for their whole lifetime. Sizes are judged "
    "by value: below 1024 bits (160 for curves) is high severity, below 2048 (224) medium.",
    bad="from cryptography.hazmat.primitives.asymmetric import rsa\n"
    "key = rsa.generate_private_key(public_exponent=65537, key_size=1024)",
    good="from cryptography.hazmat.primitives.asymmetric import rsa\n"
    "key = rsa.generate_private_key(public_exponent=65537, key_size=3072)",
)
def weak_key_size(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_KEY_GENERATORS):
        kind, position, keyword_name = _KEY_GENERATORS[name]
        size_node = argument(call, position, keyword_name)
        size = int_value(ctx, size_node)
        if size is None or size_node is None:
            continue
        yield from _judge_size(ctx, call, size_node, kind, size)
    for _, call in ctx.facts.calls_to("cryptography.hazmat.primitives.asymmetric.ec.generate_private_key"):
        curve = argument(call, 0, "curve")
        if curve is None:
            continue
        target = curve.func if isinstance(curve, ast.Call) else curve
        curve_name = ctx.facts.qualname(target)
        if curve_name is None:
            continue
        bits = _EC_CURVE_BITS.get(curve_name.rsplit(".", 1)[-1])
        if bits is not None:
            yield from _judge_size(ctx, call, curve, "EC", bits)


def _judge_size(ctx: RuleContext, call: ast.Call, node: ast.AST, kind: str, size: int) -> Iterator[Finding]:
    high, medium = _THRESHOLDS[kind]
    if size >= medium:
        return
    severity = HIGH if size < high else MEDIUM
    yield weak_key_size.finding(
        ctx,
        node,
        f"`{ctx.facts.spelled(call.func)}` generates a {size}-bit {kind} key; use at least {medium} bits"
        + (" (3072 recommended)" if kind != "EC" else " (P-256 or better)"),
        severity=severity,
    )


# -- TLS -------------------------------------------------------------------------------

_BAD_PROTOCOLS = frozenset(
    {
        "PROTOCOL_SSLv2",
        "PROTOCOL_SSLv3",
        "PROTOCOL_TLSv1",
        "PROTOCOL_TLSv1_1",
        "SSLv2_METHOD",
        "SSLv3_METHOD",
        "TLSv1_METHOD",
        "TLSv1_1_METHOD",
    }
)
_BAD_TLS_VERSIONS = frozenset({"SSLv3", "TLSv1", "TLSv1_1"})
# Every insecure protocol constant above spells one of these: an alias of one (``from ssl import
# PROTOCOL_TLSv1 as OLD``, ``OLD = ssl.PROTOCOL_TLSv1``) spells it where it is made. A module
# naming neither cannot select one, and the TLS version rules need not read its calls and defaults.
_PROTOCOL_WORDS = ("SSLv", "TLSv")


def _bad_protocol(ctx: RuleContext, node: ast.AST | None) -> str | None:
    if node is None:
        return None
    name = ctx.facts.qualname(node) or ctx.facts.spelled(node)
    last = name.rsplit(".", 1)[-1]
    return last if last in _BAD_PROTOCOLS else None


def _protocol_keyword(kw: ast.keyword) -> bool:
    return kw.arg in {"ssl_version", "method", "protocol"}


def _cert_reqs_keyword(kw: ast.keyword) -> bool:
    return kw.arg == "cert_reqs"


def _sets_version_bound(node: ast.Assign) -> bool:
    """``<context>.minimum_version = ...`` or ``.maximum_version = ...``."""
    return any(isinstance(t, ast.Attribute) and t.attr in {"minimum_version", "maximum_version"} for t in node.targets)


@rule(
    id="SR306",
    name="tls-insecure-protocol",
    cwe=327,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B502",),
    ruff=("S502",),
    triggers=_PROTOCOL_WORDS,
    summary="SSL 2/3 or TLS 1.0/1.1 is selected explicitly.",
    why="These protocol versions have practical attacks (POODLE, BEAST, downgrade) and are "
    "disabled by modern clients and servers. Let the library negotiate (`ssl.PROTOCOL_TLS_CLIENT`, "
    "`create_default_context()`) and set `minimum_version = ssl.TLSVersion.TLSv1_2`.",
    bad="import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)",
    good="import ssl\nctx = ssl.create_default_context()\nctx.minimum_version = ssl.TLSVersion.TLSv1_2",
)
def tls_insecure_protocol(ctx: RuleContext) -> Iterator[Finding]:
    candidates: list[tuple[ast.Call, ast.AST]] = []
    for kw in ctx.facts.nodes_where(ast.keyword, _protocol_keyword):
        assert isinstance(kw, ast.keyword)
        call = ctx.facts.parent(kw)
        if isinstance(call, ast.Call):
            candidates.append((call, kw.value))
    for _, call in ctx.facts.calls_to("ssl.SSLContext", "OpenSSL.SSL.Context"):
        if call.args:
            candidates.append((call, call.args[0]))
    for call, candidate in candidates:
        bad = _bad_protocol(ctx, candidate)
        if bad is None:
            continue
        yield tls_insecure_protocol.finding(
            ctx,
            candidate,
            f"`{ctx.facts.spelled(call.func)}` selects `{bad}`, an insecure protocol version; "
            "negotiate TLS 1.2 or newer",
        )
    for node in ctx.facts.nodes_where(ast.Assign, _sets_version_bound):
        assert isinstance(node, ast.Assign)
        name = ctx.facts.qualname(node.value) or ""
        if name.startswith("ssl.TLSVersion.") and name.rsplit(".", 1)[-1] in _BAD_TLS_VERSIONS:
            target = next(t for t in node.targets if isinstance(t, ast.Attribute))
            if target.attr == "maximum_version" or name.endswith(("SSLv3", "TLSv1", "TLSv1_1")):
                yield tls_insecure_protocol.finding(
                    ctx,
                    node.value,
                    f"`{ctx.segment(target)} = {ctx.segment(node.value)}` allows an insecure TLS version; "
                    "use `ssl.TLSVersion.TLSv1_2` or newer",
                )


@rule(
    id="SR307",
    name="tls-insecure-default",
    cwe=327,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B503",),
    ruff=("S503",),
    triggers=_PROTOCOL_WORDS,
    summary="A function's parameter defaults to an insecure SSL/TLS protocol version.",
    why="Every caller that relies on the default gets SSL 3 / TLS 1.0 / TLS 1.1 without noticing.",
    bad="import ssl\ndef connect(host, version=ssl.PROTOCOL_TLSv1): ...",
    good="import ssl\ndef connect(host, version=ssl.PROTOCOL_TLS_CLIENT): ...",
)
def tls_insecure_default(ctx: RuleContext) -> Iterator[Finding]:
    for function in ctx.facts.functions:
        for default in [*function.args.defaults, *(d for d in function.args.kw_defaults if d is not None)]:
            if not isinstance(default, (ast.Attribute, ast.Name)):
                continue  # a literal or a call: no protocol constant (most defaults)
            bad = _bad_protocol(ctx, default)
            if bad is not None:
                yield tls_insecure_default.finding(
                    ctx,
                    default,
                    f"`{function.name}` defaults a parameter to `{bad}`, an insecure protocol version; "
                    "default to TLS 1.2 or newer",
                )


@rule(
    id="SR308",
    name="ssl-wrap-socket-no-version",
    cwe=327,
    severity=LOW,
    confidence=MEDIUM,
    bandit=("B504",),
    ruff=("S504",),
    summary="`ssl.wrap_socket` is called without choosing a protocol version.",
    why="`ssl.wrap_socket` (removed in Python 3.12) builds a context without hostname checking "
    "and, on old interpreters, with old protocol defaults. Use `SSLContext.wrap_socket` on a context "
    "from `ssl.create_default_context()`.",
    bad="import ssl\nssl.wrap_socket(sock)",
    good="import ssl\nssl.create_default_context().wrap_socket(sock, server_hostname=host)",
)
def ssl_wrap_socket_no_version(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to("ssl.wrap_socket"):
        if keyword(call, "ssl_version") is not None or len(call.args) >= 6:
            continue
        if any(kw.arg is None for kw in call.keywords):
            continue
        yield ssl_wrap_socket_no_version.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` without `ssl_version` and without hostname checks; use "
            "`ssl.create_default_context().wrap_socket(...)`",
        )


_OPTION_WORDS = frozenset(
    {
        "verify",
        "verified",
        "validate",
        "insecure",
        "unverified",
        "cert",
        "certs",
        "certificate",
        "certificates",
        "hostname",
        "ssl",
        "tls",
        "secure",
        "check",
    }
)


def _opted_out(ctx: RuleContext, node: ast.AST) -> bool:
    """The statement runs only under a condition on a verification option or on the server
    name (``if not validate_certs:``, ``if args.insecure:``, ``if not server_hostname:``): the
    caller's explicit choice, or nothing to check the certificate against."""
    for ancestor in ctx.facts.ancestors(node):
        if isinstance(ancestor, ast.If):
            for inner in ast.walk(ancestor.test):
                name = inner.id if isinstance(inner, ast.Name) else getattr(inner, "attr", None)
                if isinstance(name, str) and set(identifier_words(name)) & _OPTION_WORDS:
                    return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return False
    return False


def _cert_none_beside(ctx: RuleContext, node: ast.Assign, target: ast.Attribute) -> bool:
    """``ctx.verify_mode = ssl.CERT_NONE`` is set on the same object in the same block."""
    parent = ctx.facts.parent(node)
    siblings = [s for field in ("body", "orelse") for s in getattr(parent, field, [])]
    owner = ctx.segment(target.value)
    for sibling in siblings:
        if isinstance(sibling, ast.Assign) and ctx.facts.qualname(sibling.value) == "ssl.CERT_NONE":
            for other in sibling.targets:
                if (
                    isinstance(other, ast.Attribute)
                    and other.attr == "verify_mode"
                    and ctx.segment(other.value) == owner
                ):
                    return True
    return False


_OWN_VERIFIER = re.compile(
    r"match_?hostname|verify_?peer_?certs?|verify_?hostname|assert_?fingerprint|verify_?cert(?:ificate)?_?chain",
    re.IGNORECASE,
)


def _own_verifier(ctx: RuleContext) -> bool:
    """The module defines or calls its own certificate and hostname verifier
    (``match_hostname``, ``_verify_peercerts_impl``, ``assert_fingerprint``): turning
    OpenSSL's hostname check off hands the check to it."""
    functions = (f.name for f in ctx.facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef))  # type: ignore[attr-defined]
    called = (callee_tail(c) or "" for c in ctx.facts.nodes(ast.Call))  # type: ignore[arg-type]
    return any(_OWN_VERIFIER.search(name) for name in (*functions, *called))


def _initial_state(ctx: RuleContext, target: ast.Attribute) -> bool:
    """``self.check_hostname = False`` in ``__init__``: a class implementing a context sets its
    own starting values (those of the standard ``SSLContext``); its users configure it."""
    if not (isinstance(target.value, ast.Name) and target.value.id == "self"):
        return False
    function = ctx.facts.enclosing_function(target)
    return function is not None and function.name == "__init__"


_CERTIFICATE_READS = frozenset(
    {"getpeercert", "cipher", "version", "shared_ciphers", "selected_alpn_protocol", "close"}
)


def _loads_in(function: ast.AST, name: str) -> list[ast.Name]:
    return [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]


def _only_reads_certificate(ctx: RuleContext, function: ast.AST, connection: str) -> bool:
    """Every use of the TLS connection ``connection`` asks what the handshake gave: the peer's
    certificate, the cipher, the protocol version; nothing is sent or received over it."""
    for use in _loads_in(function, connection):
        parent = ctx.facts.parent(use)
        if isinstance(parent, ast.withitem):
            continue
        call = ctx.facts.parent(parent)
        if not (isinstance(parent, ast.Attribute) and parent.attr in _CERTIFICATE_READS and isinstance(call, ast.Call)):
            return False
    return True


def _certificate_inspection(ctx: RuleContext, target: ast.Attribute) -> bool:
    """A local context set to verify nothing serves only to look at the server's certificate:
    its sockets are wrapped, the certificate (or cipher, version) read, and nothing else
    happens over them (``ssock.getpeercert(binary_form=True)`` to report its expiry)."""
    if not isinstance(target.value, ast.Name):
        return False
    function = ctx.facts.enclosing_function(target)
    if function is None:
        return False
    wrapped = False
    for use in _loads_in(function, target.value.id):
        parent = ctx.facts.parent(use)
        if isinstance(parent, ast.Attribute) and isinstance(parent.ctx, ast.Store):
            continue  # another option set on the context
        call = ctx.facts.parent(parent)
        if not (isinstance(parent, ast.Attribute) and parent.attr == "wrap_socket" and isinstance(call, ast.Call)):
            return False
        holder = ctx.facts.parent(call)
        if isinstance(holder, ast.withitem) and isinstance(holder.optional_vars, ast.Name):
            connection = holder.optional_vars.id
        elif isinstance(holder, ast.Assign) and len(holder.targets) == 1 and isinstance(holder.targets[0], ast.Name):
            connection = holder.targets[0].id
        else:
            return False
        if not _only_reads_certificate(ctx, function, connection):
            return False
        wrapped = True
    return wrapped


@rule(
    id="SR309",
    name="tls-unverified-context",
    cwe=295,
    scope="module",  # a hostname verifier defined or called anywhere in the module is looked for
    triggers=("_create_unverified_context", "verify_mode", "check_hostname", "cert_reqs"),
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B323",),
    ruff=("S323",),
    summary="TLS certificate or hostname verification is switched off in the `ssl` module.",
    why="Without certificate verification anyone on the network path can impersonate the server "
    "and read or change the traffic. `ssl._create_unverified_context()`, `CERT_NONE` and "
    "`check_hostname = False` all open that door. A setting made only under a condition on a "
    "verification option (`if not validate_certs:`) or on a missing server name is the caller's "
    "explicit choice and is not reported; `check_hostname = False` next to `CERT_NONE` is one finding. "
    "Not reported either: `check_hostname = False` in a module that defines or calls its own "
    "hostname verifier (`match_hostname`, `verify_peercerts`, `assert_fingerprint`), which takes the "
    "check over, and the starting values a class implementing a context sets on `self` in `__init__`; "
    "nor a local context whose connections only read what the handshake gave (the server's "
    "certificate, to report its expiry; the cipher; the version) and send or receive nothing.",
    bad="import ssl, urllib.request\nurllib.request.urlopen(url, context=ssl._create_unverified_context())",
    good="import ssl, urllib.request\nurllib.request.urlopen(url, context=ssl.create_default_context())",
)
def tls_unverified_context(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to("ssl._create_unverified_context"):
        yield tls_unverified_context.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}()` creates a context that accepts any certificate for any host; "
            "use `ssl.create_default_context()`",
        )
    own_verifier: bool | None = None
    for node in ctx.facts.nodes(ast.Assign):
        assert isinstance(node, ast.Assign)
        value_name = ctx.facts.qualname(node.value)
        if not any(
            isinstance(t, ast.Attribute)
            and (t.attr in ("verify_mode", "check_hostname") or value_name == "ssl._create_unverified_context")
            for t in node.targets
        ):
            continue  # nothing below could report it
        if _opted_out(ctx, node):
            continue
        for target in node.targets:
            if not isinstance(target, ast.Attribute):
                continue
            if target.attr == "check_hostname" and _cert_none_beside(ctx, node, target):
                continue  # one issue: reported on the `verify_mode = CERT_NONE` line
            if _initial_state(ctx, target) or _certificate_inspection(ctx, target):
                continue
            if target.attr == "check_hostname" and own_verifier is None:
                own_verifier = _own_verifier(ctx)
            if target.attr == "check_hostname" and own_verifier:
                continue
            if value_name == "ssl._create_unverified_context":
                yield tls_unverified_context.finding(
                    ctx,
                    node,
                    f"`{ctx.segment(target)}` is set to `ssl._create_unverified_context`: every HTTPS "
                    "connection made with the default context stops verifying certificates",
                )
            elif target.attr == "verify_mode" and value_name == "ssl.CERT_NONE":
                yield tls_unverified_context.finding(
                    ctx, node, f"`{ctx.segment(target)} = {ctx.segment(node.value)}` turns off certificate verification"
                )
            elif target.attr == "check_hostname" and isinstance(node.value, ast.Constant) and node.value.value is False:
                yield tls_unverified_context.finding(
                    ctx,
                    node,
                    f"`{ctx.segment(target)} = False` accepts a valid certificate for any other host",
                )
    for kw in ctx.facts.nodes_where(ast.keyword, _cert_reqs_keyword):
        assert isinstance(kw, ast.keyword)
        call = ctx.facts.parent(kw)
        value = kw.value
        if kw.arg == "cert_reqs" and isinstance(call, ast.Call) and ctx.facts.qualname(value) == "ssl.CERT_NONE":
            yield tls_unverified_context.finding(
                ctx,
                value,
                f"`{ctx.facts.spelled(call.func)}` with `cert_reqs={ctx.segment(value)}` accepts any certificate",
            )
