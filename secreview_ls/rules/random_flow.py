"""Where a value from the ``random`` module goes, for SR304 (CWE-330).

A ``random`` value is a weakness only when something relies on it being unguessable. This
module follows the value through the assignments of its function (``code = randint(...)``,
``text = str(code)``) to the uses that make it a secret: a name that says so (``reset_token``,
``otp``), a cookie (``set_cookie``), the session (``session["captcha"] = ...``), a comparison
with what the client sent (``if code == request.form["code"]``). Values whose only job is to
be unique (a MIME boundary, a salt) are told apart: a boundary is not reported, a salt is a
low note. A value a ``secrets`` call then draws from (the candidates ``secrets.choice`` picks the
answer among) is not judged by the enclosing function's name: the unguessable pick is made there.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from ..engine.finding import Level
from .base import HIGH, LOW, MEDIUM, RuleContext
from .judge import destination_names, identifier_words, security_word, single_assignment, target_name

# Words naming a value that only needs to differ from others, never to be secret.
_UNIQUENESS_ONLY = frozenset({"boundary", "delimiter", "multipart", "separator"})
_COOKIE_SETTERS = frozenset({"set_cookie", "set_signed_cookie"})
_CLIENT_NAMES = frozenset({"request", "req"})
_HOPS = 3
# A guess is checked by equality; ordering a random number against a request value checks no secret.
_EQUALITY = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)


@dataclass(frozen=True)
class RandomUse:
    """Why a ``random`` value matters: the message text and the finding's levels."""

    text: str
    confidence: Level
    severity: Level | None = None  # the rule's own severity unless set


def random_use(ctx: RuleContext, call: ast.Call) -> RandomUse | None:
    """What the result of ``call`` (a ``random`` function) is used for, if it must be secret."""
    scope = ctx.facts.enclosing_function(call) or ctx.facts.tree
    if _uniqueness_only(ctx, call, scope):
        return None
    for name in destination_names(ctx.facts, call):
        word = security_word(name)
        if word:
            return _judged(word, f"used for `{name}`", HIGH)
    found = _followed(ctx, call, scope)
    if found is not None:
        return found
    parent = ctx.facts.parent(call)
    if isinstance(parent, ast.keyword) and parent.arg:
        return None  # ``instance_name=random.choice(...)``: the parameter it fills says what it is for
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _feeds_secrets(ctx, call, scope):
        word = security_word(scope.name)
        if word:
            return _judged(word, f"produced inside `{scope.name}`", MEDIUM)
    return None


def _feeds_secrets(ctx: RuleContext, call: ast.Call, scope: ast.AST) -> bool:
    """The value is what a ``secrets`` call draws from (``shown = random.sample(options, n)``, then
    ``answer = secrets.choice(shown)``): the function makes its unguessable pick with the
    ``secrets`` module, and the ``random`` value only decides which candidates are offered."""
    parent = ctx.facts.parent(call)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and (ctx.facts.qualname(node.func) or "").startswith("secrets."):
            if any(isinstance(arg, ast.Name) and arg.id == name for arg in node.args):
                return True
    return False


def _judged(word: str, text: str, confidence: Level) -> RandomUse:
    if word == "salt":
        return RandomUse(
            f"{text}; a salt only needs to be unique, so this matters only if it must also be unguessable",
            LOW,
            LOW,
        )
    return RandomUse(text, confidence)


def _uniqueness_only(ctx: RuleContext, call: ast.Call, scope: ast.AST) -> bool:
    """The value is a boundary or separator: it only has to differ from the data around it."""
    names = list(destination_names(ctx.facts, call))
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        names.append(scope.name)
    return any(set(identifier_words(name)) & _UNIQUENESS_ONLY for name in names)


def _followed(ctx: RuleContext, call: ast.Call, scope: ast.AST) -> RandomUse | None:
    """Follow the value through local assignments (a few hops) to a use that needs a secret."""
    tainted: set[str] = set()
    origin = {id(call)}
    if scope is ctx.facts.tree:  # module level: the statement itself (findings depend on one statement)
        scope = ctx.facts.enclosing_statement(call) or call
    nodes = list(ast.walk(scope))

    def carries(node: ast.AST | None) -> bool:
        if node is None:
            return False
        for inner in ast.walk(node):
            if id(inner) in origin:
                return True
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load) and inner.id in tainted:
                return True
        return False

    for _ in range(_HOPS):
        before = len(tainted)
        for node in nodes:
            found = _use_at(node, carries, tainted)
            if found is not None:
                return found
        if len(tainted) == before:
            break
    return None


def _use_at(node: ast.AST, carries: Callable[[ast.AST | None], bool], tainted: set[str]) -> RandomUse | None:
    """The secret use made at ``node`` of a value ``carries`` recognises; new names it binds
    are added to ``tainted``."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and carries(node.value):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                if isinstance(element, ast.Subscript) and _is_session(element.value):
                    return RandomUse("stored in the session", HIGH)
                name = target_name(element)
                word = security_word(name) if name else None
                if word:
                    return _judged(word, f"stored in `{name}`", HIGH)
                if isinstance(element, ast.Name):
                    tainted.add(element.id)
    elif isinstance(node, ast.Call):
        func = node.func
        tail = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if tail in _COOKIE_SETTERS and any(carries(a) for a in [*node.args, *(k.value for k in node.keywords)]):
            return RandomUse("set as a cookie", HIGH)
        for kw in node.keywords:
            word = security_word(kw.arg) if kw.arg else None
            if word and carries(kw.value):
                return _judged(word, f"passed as `{kw.arg}`", HIGH)
    elif isinstance(node, ast.Compare) and all(isinstance(op, _EQUALITY) for op in node.ops):
        operands = [node.left, *node.comparators]
        if any(carries(o) for o in operands) and any(_from_client(o) for o in operands if not carries(o)):
            return RandomUse("compared with data the client sent", HIGH)
    return None


def _is_session(node: ast.AST) -> bool:
    """``session``, ``request.session``, ``flask.session``."""
    return (isinstance(node, ast.Name) and node.id == "session") or (
        isinstance(node, ast.Attribute) and node.attr == "session"
    )


def _from_client(node: ast.AST) -> bool:
    """An expression reading the request (``request.form["code"]``, ``self.request.GET``)."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id in _CLIENT_NAMES:
            return True
        if isinstance(inner, ast.Attribute) and inner.attr in _CLIENT_NAMES:
            return True
    return False


_GENERATOR_METHODS = ("random", "randrange", "randint", "choice", "choices", "sample", "getrandbits", "randbytes")


def generator_calls(ctx: RuleContext) -> tuple[list[ast.Call], set[int]]:
    """Draws from a ``random.Random`` instance (``rng = random.Random(); rng.choice(...)``, also
    ``random.Random(seed).choice(...)``): the same Mersenne Twister as the module's functions.
    Also the ids of the constructor calls drawn from (judged by their draws)."""
    found: list[ast.Call] = []
    makers: set[int] = set()
    for call in ctx.facts.method_calls(*_GENERATOR_METHODS):
        receiver = call.func.value  # type: ignore[attr-defined]
        made = single_assignment(ctx, receiver) if isinstance(receiver, ast.Name) else receiver
        if isinstance(made, ast.Call) and ctx.facts.qualname(made.func) == "random.Random":
            found.append(call)
            makers.add(id(made))
    return found, makers
