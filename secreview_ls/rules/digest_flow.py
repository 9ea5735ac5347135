"""Where a weak digest goes, for the weak-hash rule (SR301): followed forward, not judged by one name.

A digest names or keys data when, along the way the value travels through the module, it is used
at least once as a name and never as a check:

* a file name: it reaches ``os.path.join``, ``open``, ``os.rename``, ``Path(...)`` (directly or
  inside text built from it);
* a URL path segment: it is appended right after a ``/`` of a URL literal (an avatar service's
  ``//host/avatar/<md5>``), not after ``?sig=``;
* a lookup or dedup key: the key of a subscript, ``x in seen``, ``seen.add(x)``, ``d.get(x)``;
* a cache validator: sent as a response's ``ETag`` (``set_header("Etag", d)``, ``set_etag(d)``,
  ``headers["ETag"] = d``);
* a sort key: returned by a function passed as ``key=`` to ``sorted``/``sort``/``min``/``max``;
* an identifier: stored under a naming word (``installid``, a ``Message-ID-Hash`` header, a
  record's ``"key"`` entry);
* compared only with the same function's digest of other data (``self.key_hash() ==
  other.key_hash()``): telling apart the program's own values.

Text built around the digest, encodings (``b32encode``, ``hexlify``, ``.decode()``), names it is
bound to and functions returning it (through their calls in the module) are followed. A use as a
check stops the judgement: an equality with anything else (client data, a stored signature), a
security-sounding name on the way, or a call of ``hmac``/signing/verifying APIs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .base import RuleContext
from .judge import identifier_words, security_word

_DIGEST_METHODS = frozenset({"hexdigest", "digest"})
_OBJECT_METHODS = frozenset({"update", "copy"}) | _DIGEST_METHODS
_TEXT_METHODS = frozenset({"decode", "encode", "upper", "lower", "strip", "rstrip", "lstrip", "format", "hex"})
_ENCODERS = frozenset(
    {"base64.b32encode", "base64.b64encode", "base64.urlsafe_b64encode", "base64.b16encode", "binascii.hexlify",
     "binascii.b2a_hex", "builtins.str", "builtins.bytes"}
)  # fmt: skip
_PATH_CALLS = frozenset(
    {"os.path.join", "builtins.open", "io.open", "os.rename", "os.replace", "os.makedirs", "os.mkdir", "os.remove",
     "os.unlink", "os.path.exists", "os.path.isfile", "pathlib.Path", "pathlib.PurePath", "shutil.move",
     "shutil.copy", "shutil.copyfile", "shutil.rmtree"}
)  # fmt: skip
_PATH_METHODS = frozenset({"joinpath", "with_name", "with_stem", "with_suffix"})
_KEY_METHODS = frozenset({"add", "get", "setdefault", "pop", "discard", "remove", "__contains__"})
_SORTERS = frozenset({"sorted", "sort", "min", "max", "nsmallest", "nlargest", "groupby", "bisect_left", "insort"})
_CHECK_CALLS = frozenset({"compare_digest", "new", "sign", "verify", "encrypt", "decrypt", "derive", "hmac"})
_RECORD_KEYS = frozenset({"key", "id", "name"})
_MAX_DEPTH = 8


@dataclass
class _Flow:
    naming: list[str] = field(default_factory=list)
    check: bool = False
    seen: set[int] = field(default_factory=set)


def names_by_flow(ctx: RuleContext, call: ast.Call, naming: object) -> str | None:
    """Why the digest ``call`` computes only names or keys data (module docstring), else None.
    ``naming`` tells whether an identifier names data (``hash_role``'s word list)."""
    flow = _Flow()
    for value in _digest_values(ctx, call, flow):
        _follow(ctx, value, flow, naming, 0)
    if flow.check or not flow.naming:
        return None
    return flow.naming[0]


def _digest_values(ctx: RuleContext, call: ast.Call, flow: _Flow) -> list[ast.expr]:
    """The expressions holding the digest: ``md5(x).hexdigest()``, or ``h.hexdigest()`` of a hash
    object bound once (``h = md5(); h.update(x)``)."""
    parent = ctx.facts.parent(call)
    if isinstance(parent, ast.Attribute) and parent.attr in _DIGEST_METHODS:
        made = ctx.facts.parent(parent)
        return [made] if isinstance(made, ast.Call) and made.func is parent else []
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return []
    name = parent.targets[0].id
    if security_word(name):
        flow.check = True
        return []
    scope = ctx.facts.enclosing_function(call) or ctx.facts.tree
    values: list[ast.expr] = []
    for node in ast.walk(scope):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        method = ctx.facts.parent(node)
        made = ctx.facts.parent(method) if isinstance(method, ast.Attribute) else None
        if not (isinstance(method, ast.Attribute) and method.attr in _OBJECT_METHODS and isinstance(made, ast.Call)):
            flow.check = True  # the hash object itself goes elsewhere (a digestmod, a signer)
            return []
        if method.attr in _DIGEST_METHODS:
            values.append(made)
    return values


def _follow(ctx: RuleContext, node: ast.AST, flow: _Flow, naming: object, depth: int) -> None:
    if depth > _MAX_DEPTH or flow.check or id(node) in flow.seen:
        return
    flow.seen.add(id(node))
    parent = ctx.facts.parent(node)
    if parent is None:
        return
    if isinstance(parent, ast.Attribute) and parent.attr in _TEXT_METHODS:
        made = ctx.facts.parent(parent)
        if isinstance(made, ast.Call) and made.func is parent:
            _follow(ctx, made, flow, naming, depth + 1)
        return
    if isinstance(parent, ast.Call):
        _call_use(ctx, parent, node, flow, naming, depth)
    elif isinstance(parent, ast.Subscript):
        if parent.slice is node:
            flow.naming.append("a lookup key")
        elif isinstance(parent.slice, ast.Slice):
            _follow(ctx, parent, flow, naming, depth + 1)
    elif isinstance(parent, ast.Compare):
        _compare_use(ctx, parent, node, flow)
    elif isinstance(parent, (ast.BinOp, ast.JoinedStr, ast.FormattedValue, ast.Tuple, ast.List)):
        if isinstance(parent, (ast.BinOp, ast.FormattedValue)) and _url_path_segment(ctx, parent, node):
            flow.naming.append("a URL path segment")
        _follow(ctx, parent, flow, naming, depth + 1)
    elif isinstance(parent, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) and parent.elt is node:
        _follow(ctx, parent, flow, naming, depth + 1)
    elif isinstance(parent, ast.Dict) and node in parent.values:
        key = parent.keys[parent.values.index(node)]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            _stored_under(key.value, flow, naming, record=True)
    elif isinstance(parent, ast.keyword) and parent.arg:
        _stored_under(parent.arg, flow, naming)
    elif isinstance(parent, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        _assigned(ctx, parent, flow, naming, depth)
    elif isinstance(parent, ast.Return) or (isinstance(parent, ast.Lambda) and parent.body is node):
        _returned(ctx, parent, flow, naming, depth)


def _stored_under(name: str, flow: _Flow, naming: object, *, record: bool = False) -> None:
    if security_word(name):
        flow.check = True
    elif _names(name, naming) or (record and name.lower() in _RECORD_KEYS):
        flow.naming.append(f"stored as `{name}`")


def _names(name: str, naming: object) -> bool:
    """A naming word (``hash_role``'s list), or one word ending in ``id`` (``installid``, ``msgid``)."""
    if callable(naming) and naming(name):
        return True
    words = identifier_words(name)
    return len(words) == 1 and words[0].endswith(("id", "ids")) and not words[0].endswith(("valid", "valids"))


def _call_use(ctx: RuleContext, call: ast.Call, node: ast.AST, flow: _Flow, naming: object, depth: int) -> None:
    func = call.func
    qualname = ctx.facts.qualname(func) or ""
    tail = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if qualname in _PATH_CALLS or tail in _PATH_METHODS:
        flow.naming.append("a file name")
    elif qualname in _ENCODERS:
        _follow(ctx, call, flow, naming, depth + 1)
    elif tail in _KEY_METHODS and call.args and call.args[0] is node:
        flow.naming.append("a lookup key")
    elif tail == "join" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant):
        _follow(ctx, call, flow, naming, depth + 1)
    elif qualname.startswith(("hmac.", "secrets.")) or tail in _CHECK_CALLS or security_word(tail):
        flow.check = True
    elif tail == "set_etag" or any(isinstance(a, ast.Constant) and str(a.value).lower() == "etag" for a in call.args):
        flow.naming.append("an ETag")  # ``set_header("ETag", digest)``: a cache validator naming the content


def _compare_use(ctx: RuleContext, compare: ast.Compare, node: ast.AST, flow: _Flow) -> None:
    if len(compare.ops) != 1:
        flow.check = True
        return
    if isinstance(compare.ops[0], (ast.In, ast.NotIn)) and compare.left is node:
        flow.naming.append("a lookup key")
        return
    other = compare.comparators[0] if compare.left is node else compare.left
    if isinstance(compare.ops[0], (ast.Eq, ast.NotEq)) and _same_function(node, other):
        flow.naming.append("compared only with its own digest of other data")
        return
    flow.check = True


def _same_function(node: ast.AST, other: ast.AST) -> bool:
    """``self.key_hash() == other.key_hash()``: both sides are calls of the same method or function."""

    def called(expr: ast.AST) -> str | None:
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None

    name = called(node)
    return name is not None and name == called(other)


def _url_path_segment(ctx: RuleContext, parent: ast.AST, node: ast.AST) -> bool:
    """The digest follows a ``/`` of URL text: ``"//host/avatar/" + digest``, ``url += digest``
    after ``url = "https://host/avatar/"``, ``f"https://host/u/{digest}"``."""
    before: str | None = None
    if isinstance(parent, ast.FormattedValue):
        joined = ctx.facts.parent(parent)
        if not isinstance(joined, ast.JoinedStr):
            return False
        index = joined.values.index(parent)
        text = "".join(str(v.value) for v in joined.values[:index] if isinstance(v, ast.Constant))
        previous = joined.values[index - 1] if index else None
        before = text if isinstance(previous, ast.Constant) else None
    elif isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add):
        if parent.right is node:
            before = _literal_text(parent.left)
        elif parent.left is node:
            before = _augmented_prefix(ctx, parent)
    if before is None:
        return False
    return before.endswith("/") and ("//" in before or before.startswith("/")) and "?" not in before


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _augmented_prefix(ctx: RuleContext, node: ast.AST) -> str | None:
    """``url += digest + "?"`` after ``url = "//host/avatar/"``: the text the name held before."""
    statement = ctx.facts.parent(node)
    if not (isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name)):
        return None
    name = statement.target.id
    scope = ctx.facts.enclosing_function(statement) or ctx.facts.tree
    previous = [
        s
        for s in ast.walk(scope)
        if isinstance(s, (ast.Assign, ast.AugAssign))
        and s.lineno < statement.lineno
        and any(
            isinstance(t, ast.Name) and t.id == name for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
        )
    ]
    if len(previous) != 1 or not isinstance(previous[0], ast.Assign):
        return None
    return _literal_text(previous[0].value)


def _assigned(ctx: RuleContext, statement: ast.stmt, flow: _Flow, naming: object, depth: int) -> None:
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]  # type: ignore[attr-defined]
    for target in targets:
        if isinstance(target, ast.Name):
            _stored_under(target.id, flow, naming)
            scope = ctx.facts.enclosing_function(statement) or ctx.facts.tree
            for read in ast.walk(scope):
                if (
                    isinstance(read, ast.Name)
                    and read.id == target.id
                    and isinstance(read.ctx, ast.Load)
                    and read.lineno >= statement.lineno
                ):
                    _follow(ctx, read, flow, naming, depth + 1)
        elif isinstance(target, ast.Attribute):
            _stored_under(target.attr, flow, naming)
        elif isinstance(target, ast.Subscript):
            key = target.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                _stored_under(key.value, flow, naming, record=True)


def _returned(ctx: RuleContext, statement: ast.AST, flow: _Flow, naming: object, depth: int) -> None:
    """A returned digest is followed to the function's calls in the module; a function passed as
    ``key=`` to a sort orders data by it."""
    function: ast.AST | None = (
        statement if isinstance(statement, ast.Lambda) else ctx.facts.enclosing_function(statement)
    )
    if function is None:
        return
    if isinstance(function, ast.Lambda):
        holder = ctx.facts.parent(function)
        if isinstance(holder, ast.keyword) and holder.arg == "key":
            flow.naming.append("a sort key")
        return
    name = function.name  # type: ignore[attr-defined]
    if security_word(name):
        flow.check = True
        return
    for reference in ctx.facts.nodes(ast.Name, ast.Attribute):
        spelled = reference.id if isinstance(reference, ast.Name) else reference.attr  # type: ignore[attr-defined]
        if spelled != name or isinstance(getattr(reference, "ctx", None), ast.Store):
            continue
        holder = ctx.facts.parent(reference)
        if isinstance(holder, ast.Call) and holder.func is reference:
            _follow(ctx, holder, flow, naming, depth + 1)
        elif isinstance(holder, ast.keyword) and holder.arg == "key":
            sorter = ctx.facts.parent(holder)
            func = sorter.func if isinstance(sorter, ast.Call) else None
            tail = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if tail in _SORTERS:
                flow.naming.append("a sort key")
