"""What a digest is used for, for the weak-hash rule (SR301).

A broken hash matters where an adversary benefits from a collision or a fast guess:
passwords, signatures, MACs, tokens, integrity checks against tampering. It does not where
the digest only names or tells apart the program's own data: cache keys, file and lock
names, ids, index columns, ETags, the address of an avatar (Gravatar's protocol names it by the
MD5 of the e-mail address), displayed fingerprints, checksums against accidental corruption — nor
where it only reshapes random bytes (``md5(os.urandom(16))``), whose unpredictability comes
from the random source, not from the hash. A digest stored under a name (a variable, attribute,
keyword or dict key) joining the algorithm and a moment (``previous_md5``, ``fetched_md5``) is a
change-detection checksum: the content's digest named for its algorithm and the moment it was taken.

A weak digest of data the same function also hashes with a strong algorithm
(``md5_digest`` next to ``sha256_digest`` of the same bytes, an upload form's legacy field) is a
compatibility companion: whoever checks integrity has the strong digest to check — unless the
code itself gives the weak one a security role (reported above this judgement).

A digest cut to its first characters and not compared (``sha1(name).hexdigest()[:6]``, also
through a local hasher only fed and cut) labels data: no check against an adversary keeps a
prefix of a weak hash.

A digest returned by a helper is judged where the helper is called in its module: a short
function named for its algorithm (``def sqlite_md5(text)``, registered as SQL's ``MD5()``)
hands the algorithm out to whoever asked for it by name, and a helper whose every caller
stores the result under a naming word (``prefix = self.generate_hash(dirs)``) names data. A
caller storing or feeding a security-sounding name, or an alias of the helper, keeps it.
"""

from __future__ import annotations

import ast
import re

from .base import RuleContext
from .judge import identifier_words, security_word, single_assignment, target_name

# Words naming what a digest is when it only identifies or names data.
_NAMING_WORDS = frozenset(
    {
        "cache",
        "cached",
        "etag",
        "etags",
        "checksum",
        "crc",
        "fingerprint",
        "fingerprints",
        "fp",
        "uid",
        "uidl",
        "uuid",
        "id",
        "ident",
        "identifier",
        "filename",
        "file",
        "path",
        "dir",
        "lock",
        "lockfile",
        "prefix",
        "suffix",
        "name",
        "label",
        "tag",
        "bucket",
        "shard",
        "partition",
        "color",
        "colour",
        "dedupe",
        "dedup",
        "version",
        "mangler",
        "slug",
        "boundary",
        "placeholder",
        "column",
        "columns",
        "index",
        "gravatar",  # Gravatar's protocol keys avatars by the MD5 of the e-mail address
        "avatar",
    }
)
# A weak algorithm's name next to a moment (``previous_md5``, ``current_md5``): a checksum of content
# kept to compare with the next fetch of it (change detection); a digest kept for a security check is
# named for that role (``signature``, ``token``), and a security word in the name keeps the finding.
_ALGORITHM_WORDS = frozenset({"md5", "sha1", "md4"})
_MOMENT_WORDS = frozenset({"previous", "prev", "current", "curr", "last", "latest", "old", "new", "fetched"})
# Names that say nothing about a digest's use: the enclosing function's name speaks instead.
_PLAIN_NAMES = frozenset({"hash", "hashed", "digest", "hexdigest", "result", "value", "hasher", "md", "sha"})
_RANDOM_SOURCES = ("os.urandom", "secrets.", "random.", "uuid.uuid4", "uuid.uuid1")


def _statement_names(ctx: RuleContext, node: ast.AST) -> list[str]:
    """Names the value of ``node`` ends up under: through any expression, comprehension or
    call around it up to its statement — the assignment targets, a ``return``'s function."""
    current: ast.AST = node
    for _ in range(12):
        parent = ctx.facts.parent(current)
        if parent is None:
            return []
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = []
            for target in targets:
                for element in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                    name = target_name(element)
                    if name:
                        names.append(name)
            return names
        if isinstance(parent, ast.Return):
            function = ctx.facts.enclosing_function(parent)
            return [function.name] if function is not None else []
        if isinstance(parent, ast.keyword):
            return [parent.arg] if parent.arg else []
        if isinstance(parent, ast.Dict) and current in parent.values:  # ``{"previous_md5": md5(x)...}``
            key = parent.keys[parent.values.index(current)]
            return [key.value] if isinstance(key, ast.Constant) and isinstance(key.value, str) else []
        if isinstance(parent, ast.stmt):
            return []
        current = parent
    return []


def _naming(name: str) -> bool:
    lowered = name.lower()
    if "not_for_security" in lowered or "notforsecurity" in lowered:
        return True
    return bool(set(identifier_words(name)) & _NAMING_WORDS)


def _change_checksum(name: str) -> bool:
    """``previous_md5``, ``fetchedMd5``: a weak digest named for its algorithm and the moment of
    the content it was taken of, kept to tell whether the content changed."""
    tokens = set(t for t in re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().split("_") if t)
    return bool(tokens & _ALGORITHM_WORDS) and bool(tokens & _MOMENT_WORDS)


def naming_name(name: str) -> bool:
    """``name`` only names data (a cache key, file name, id, ...): see ``_NAMING_WORDS``."""
    return _naming(name)


def random_input(ctx: RuleContext, call: ast.Call) -> bool:
    """An argument is built from a random source: directly, through names the enclosing
    function binds (``s = ...; s += os.urandom(8)``), or through a module alias of one
    (``_randombytes = os.urandom``). Hashing adds nothing to, and takes nothing from, the
    unpredictability of random bytes."""
    return any(_from_random(ctx, arg, 0) for arg in call.args)


def _from_random(ctx: RuleContext, node: ast.AST, depth: int) -> bool:
    if depth > 3:
        return False
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and _is_random_source(ctx, inner.func):
            return True
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
            scope = ctx.facts.enclosing_function(inner) or ctx.facts.tree
            for value in _bound_values(scope, inner.id):
                if _from_random(ctx, value, depth + 1):
                    return True
    return False


def _is_random_source(ctx: RuleContext, func: ast.AST) -> bool:
    qualname = ctx.facts.qualname(func) or ""
    if qualname.startswith(_RANDOM_SOURCES):
        return True
    if isinstance(func, ast.Name):
        alias = single_assignment(ctx, func)
        return alias is not None and (ctx.facts.qualname(alias) or "").startswith(_RANDOM_SOURCES)
    return False


def _bound_values(scope: ast.AST, name: str) -> list[ast.AST]:
    values: list[ast.AST] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append(node.value)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            values.append(node.value)
    return values


def names_data_only(ctx: RuleContext, call: ast.Call) -> str | None:
    """Why the digest computed by ``call`` has no security role, or None when it may have one.
    Only called once no security-sounding name was found around the call."""
    if any(kw.arg == "usedforsecurity" for kw in call.keywords):
        return None  # declared for security
    names = _statement_names(ctx, call)
    for name in names:
        if security_word(name):
            return None
        if _naming(name) or _change_checksum(name):
            return f"names data (`{name}`)"
    returned_by = _returning_function(ctx, call)
    if returned_by is not None:
        reason = _provided_by_name(ctx, returned_by, call) or _callers_name_data(ctx, returned_by)
        if reason is not None:
            return reason
    if _shortened(ctx, call):
        return "shortened to a label"
    if any(name.lower().strip("_") not in _PLAIN_NAMES and len(name) > 2 for name in names):
        return None  # stored under a name of its own, which says nothing either way
    function = ctx.facts.enclosing_function(call)
    if function is not None and _naming(function.name):
        return f"names data (inside `{function.name}`)"
    return None


def _shortened(ctx: RuleContext, call: ast.Call) -> bool:
    """The digest's text is cut to its first characters (``sha1(name).hexdigest()[:6]``, a long
    value's prefix plus ``digest[: width // 2]``) and not compared with anything: a few characters
    of a digest label data (a container name, a column that must fit); no check against an
    adversary keeps only a prefix of a weak hash. The hasher may be kept under a local name first
    (``h = md5(name); n = int(h.hexdigest()[:8], 16)``) when that name is only fed and cut."""
    parent = ctx.facts.parent(call)
    if isinstance(parent, ast.Attribute):
        return _cut_digest(ctx, parent)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    scope = ctx.facts.enclosing_function(call) or ctx.facts.tree
    cut = False
    for node in ast.walk(scope):
        if not isinstance(node, ast.Name) or node.id != name:
            continue
        if not isinstance(node.ctx, ast.Load):
            if node is not parent.targets[0]:
                return False  # bound again: what it holds later is not this hasher
            continue
        use = ctx.facts.parent(node)
        if not isinstance(use, ast.Attribute):
            return False
        if use.attr == "update" and isinstance(ctx.facts.parent(use), ast.Call):
            continue
        if not _cut_digest(ctx, use):
            return False
        cut = True
    return cut


def _cut_digest(ctx: RuleContext, method: ast.Attribute) -> bool:
    """``<hasher>.hexdigest()[:n]`` (or ``.digest()``), the prefix not compared."""
    if method.attr not in ("hexdigest", "digest"):
        return False
    made = ctx.facts.parent(method)
    cut = ctx.facts.parent(made) if isinstance(made, ast.Call) and made.func is method else None
    if not (isinstance(cut, ast.Subscript) and cut.value is made and isinstance(cut.slice, ast.Slice)):
        return False
    window = cut.slice
    starts_at_zero = window.lower is None or (isinstance(window.lower, ast.Constant) and window.lower.value == 0)
    if window.upper is None or not starts_at_zero or window.step is not None:
        return False
    return not isinstance(ctx.facts.parent(cut), ast.Compare)


_ALGORITHM_WORDS = frozenset({"md4", "md5", "sha", "sha1", "sha0", "ripemd", "ripemd160"})


def _returning_function(ctx: RuleContext, call: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function whose ``return`` statement hands back the digest ``call`` computes."""
    current: ast.AST = call
    for _ in range(6):
        parent = ctx.facts.parent(current)
        if isinstance(parent, ast.Return):
            function = ctx.facts.enclosing_function(parent)
            return function if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if parent is None or isinstance(parent, ast.stmt):
            return None
        current = parent
    return None


def _provided_by_name(ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> str | None:
    """``def sqlite_md5(text): return md5(text.encode()).hexdigest()``: a short function named
    for the algorithm hands it out to callers who asked for it by name (an SQL ``MD5()``
    function, a protocol's digest helper); the use, if any, is theirs."""
    algorithms = set(re.findall(r"[a-z]+\d*", function.name.lower())) & _ALGORITHM_WORDS
    if not algorithms:
        return None
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) > 3 or not _registered_by_name(ctx, function, algorithms) or _a_caller_secures(ctx, function):
        return None
    return f"provides the algorithm by name (`{function.name}`)"


def _registered_by_name(
    ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef, algorithms: set[str]
) -> bool:
    """The helper is handed over only together with its algorithm's name
    (``create_function("MD5", 1, sqlite_md5)``) or called directly: whoever uses it asked for
    that algorithm. Stored as a value anywhere else (``digest_method = staticmethod(sha1)``),
    its use is not visible here."""
    handed = False
    for reference in ctx.facts.nodes(ast.Name):
        assert isinstance(reference, ast.Name)
        if reference.id != function.name or not isinstance(reference.ctx, ast.Load):
            continue
        parent = ctx.facts.parent(reference)
        if isinstance(parent, ast.Call) and parent.func is reference:
            continue
        named = isinstance(parent, ast.Call) and any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.lower() in algorithms
            for a in parent.args
        )
        if not named:
            return False
        handed = True
    return handed


def _calls_of(ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Call]:
    found = []
    for caller in ctx.facts.nodes(ast.Call):
        assert isinstance(caller, ast.Call)
        func = caller.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if called == function.name:
            found.append(caller)
    return found


def _a_caller_secures(ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A call of the helper in its module stores the digest under a security-sounding name or
    feeds it one (``token = md5_hex(secret)``)."""
    for reference in ctx.facts.nodes(ast.Name):
        assert isinstance(reference, ast.Name)
        parent = ctx.facts.parent(reference)
        if reference.id == function.name and isinstance(parent, ast.Assign) and parent.value is reference:
            return True  # aliased (``hash_utf8 = md5_utf8``): its use goes on under another name
    for caller in _calls_of(ctx, function):
        if any(security_word(name) for name in _statement_names(ctx, caller)):
            return True
        for arg in caller.args:
            if isinstance(arg, ast.Name) and security_word(arg.id):
                return True
    return False


def _callers_name_data(ctx: RuleContext, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """Every call of the helper in its module stores the digest under a name that only names
    data (``prefix = self.generate_hash(items)``), none under a security-sounding one."""
    found: str | None = None
    for caller in _calls_of(ctx, function):
        names = _statement_names(ctx, caller)
        if not names or any(security_word(name) for name in names):
            return None
        naming = next((name for name in names if _naming(name)), None)
        if naming is None:
            return None
        found = found or f"names data (its callers store it as `{naming}`)"
    return found


def fed_values(ctx: RuleContext, call: ast.Call) -> list[ast.expr]:
    """What ``h = md5()`` is fed later in the same function: the arguments of ``h.update(...)``."""
    names = _statement_names(ctx, call)
    parent = ctx.facts.parent(call)
    if not names or not isinstance(parent, ast.Assign):
        return []
    function = ctx.facts.enclosing_function(call) or ctx.facts.tree
    fed: list[ast.expr] = []
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in names
        ):
            fed.extend(node.args)
    return fed


_STRONG_HASHES = frozenset(
    {"hashlib.sha256", "hashlib.sha384", "hashlib.sha512", "hashlib.sha3_256", "hashlib.sha3_384",
     "hashlib.sha3_512", "hashlib.blake2b", "hashlib.blake2s"}
)  # fmt: skip


def strong_companion(ctx: RuleContext, call: ast.Call) -> bool:
    """The enclosing function also hashes the same data with SHA-256 or better."""
    function = ctx.facts.enclosing_function(call)
    if function is None or not call.args or any(k.arg == "usedforsecurity" for k in call.keywords):
        return False  # ``usedforsecurity=True`` says the weak digest has a security role
    data = ast.dump(call.args[0])
    for other in ast.walk(function):
        if other is call or not isinstance(other, ast.Call) or not other.args:
            continue
        name = ctx.facts.qualname(other.func) or ""
        strong = name in _STRONG_HASHES or (
            name == "hashlib.new" and isinstance(other.args[0], ast.Constant)
            and str(other.args[0].value).lower().replace("-", "") in {"sha256", "sha384", "sha512"}
        )  # fmt: skip
        if not strong:
            continue
        fed = other.args[1] if name == "hashlib.new" and len(other.args) > 1 else other.args[0]
        if ast.dump(fed) == data:
            return True
    return False
