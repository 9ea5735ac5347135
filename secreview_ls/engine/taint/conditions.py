"""Conditions: which branch a constant test selects, and what a test proves where it holds
(an allowlist membership, a comparison with a constant, a validator that returned true)."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..facts import ModuleFacts
from .found_keys import found_keys
from .guarded_reads import guarding
from .rejections import QUOTES, SHELL_SYNTAX, rejected_characters
from .spec import (
    ABSOLUTE_REJECTED,
    FOUND_BY_KEY,
    FOUND_IN_SESSION,
    HOST_ALLOWLISTED,
    OPTIONS_REJECTED,
    PARENT_REFS_REJECTED,
    PREDICATE_HELD,
    QUOTED_ONLY,
    QUOTES_REJECTED,
    RELATIVE_ONLY,
    SHELL_SYNTAX_REJECTED,
    TEXT_ONLY,
    TaintSpec,
)
from .state import ALL, STDLIB, Env, Frame, join_envs
from .values import NO_CONST, Label, as_text, cleaned, map_labels, whole

if TYPE_CHECKING:
    from .ports import Evaluator

_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda item, container: item in container,
    ast.NotIn: lambda item, container: item not in container,
}
# Checks that a path names a file or folder that is there.
_EXISTENCE_CHECKS = frozenset(
    f"{module}.{check}"
    for module in ("os.path", "posixpath", "ntpath", "genericpath")
    for check in ("exists", "lexists", "isfile", "isdir")
)
_EXISTENCE_METHODS = frozenset({"exists", "is_file", "is_dir"})
_CLEAN_TYPES = frozenset({"builtins.int", "builtins.float", "builtins.bool", "uuid.UUID"})
# Types of paths and text: a value known to be an in-memory buffer is none of them.
_TEXT_TYPES = frozenset({"builtins.str", "builtins.bytes", "os.PathLike", "pathlib.Path", "pathlib.PurePath"})
# Conversions whose result spells the same path or text as their argument.
_SAME_TEXT = frozenset({"builtins.str", "os.fspath", "pathlib.Path", "pathlib.PurePath"})
_MAX_ALTERNATIVES = 4
_CASE_MAPPINGS = frozenset({"lower", "upper", "casefold"})
# Methods that add to a list or set in place.
_GROWING = frozenset({"append", "extend", "insert", "add", "update", "__iadd__"})
# Keyword names under which a validator takes the value it checks.
_CHECKED_KEYWORDS = frozenset({"url", "string", "value", "text", "path"})
_PREDICATE = re.compile(r"_?is_[a-z]\w*$")
# the program's own URL check (``is_safe_url(target)``, ``is_safe_redirect_url(next)``,
# ``url_is_safe(target)``, ``client.allow_redirect_uri(uri)``, ``validate_local_redirect(url, paths)``,
# ``redirect_allowed(target)``): its name
# says it vouches for where the URL leads
_URL_SAFETY = re.compile(
    r"_?(?:is_safe_(?:\w+_)?(?:url|uri|redirect|next|target|location|host)\w*|(?:is_)?(?:\w+_)?ur[li]_is_safe|is_ur[li]_safe"
    r"|(?:is_)?(?:allow(?:ed|s)?|valid(?:ate)?)_(?:\w+_)?(?:redirect|ur[li]|next|target|location)\w*"
    r"|(?:\w+_)?(?:redirect|ur[li])_(?:is_)?allowed)$"
)
# A URL prefix naming its scheme and host, the host ended by a path: ``https://api.example.com/``.
_URL_WITH_HOST = re.compile(r"^https?://[^/?#@\\]+/")
_PATH_CLASSES = frozenset(
    {"pathlib.Path", "pathlib.PurePath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "pathlib.PosixPath"}
)
_URL_PARSERS = frozenset({"urllib.parse.urlparse", "urllib.parse.urlsplit"})
# The longest common sub-path, compared by components (not ``commonprefix``, which compares text).
_COMMON_PATH = frozenset({"os.path.commonpath", "posixpath.commonpath", "ntpath.commonpath"})


class Conditions:
    """Reads tests for the interpreter, which evaluates the values they mention."""

    def __init__(self, facts: ModuleFacts, spec: TaintSpec, interpreter: Evaluator) -> None:
        self.facts = facts
        self.spec = spec
        self.interpreter = interpreter
        self.host_allowlisted = spec.cleaned_by(HOST_ALLOWLISTED)
        self.parent_refs_rejected = spec.cleaned_by(PARENT_REFS_REJECTED)
        self.quotes_rejected = spec.cleaned_by(QUOTES_REJECTED) | {QUOTED_ONLY}
        self.shell_syntax_rejected = spec.cleaned_by(SHELL_SYNTAX_REJECTED)
        self.options_rejected = spec.cleaned_by(OPTIONS_REJECTED)
        self.predicate_held = spec.cleaned_by(PREDICATE_HELD)
        self.found_by_key = spec.cleaned_by(FOUND_BY_KEY)
        self.found_in_session = spec.cleaned_by(FOUND_IN_SESSION)
        # the stores whose entries come back with the client's later requests (a session)
        self._session_bases = frozenset(
            sink.base for sink in spec.store_sinks if sink.kept and sink.cls in self.found_in_session
        )
        self._guarded_reads: dict[ast.Call, frozenset[str]] = {}

    # -- constant tests ----------------------------------------------------------------

    def static_truth(self, test: ast.expr, env: Env) -> bool | None:
        """True or False when the test is constant, None when it depends on the run."""
        if isinstance(test, ast.Constant):
            return bool(test.value)
        if isinstance(test, ast.Name):
            if test.id == "TYPE_CHECKING":
                return False
            value = env.get(test.id) or self.interpreter.globals.get(test.id)
            if value is not None and value.const is not NO_CONST and not value.taint:
                try:
                    return bool(value.const)
                except Exception:
                    return None
            return None
        if isinstance(test, ast.Attribute):
            if test.attr == "TYPE_CHECKING":
                return False
            return None
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.static_truth(test.operand, env)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            values = [self.static_truth(v, env) for v in test.values]
            if isinstance(test.op, ast.And):
                if any(v is False for v in values):
                    return False
                return True if all(v is True for v in values) else None
            if any(v is True for v in values):
                return True
            return False if all(v is False for v in values) else None
        if isinstance(test, (ast.Compare, ast.BinOp, ast.UnaryOp)):
            value = self._folded(test, env)
            if value is not NO_CONST:
                try:
                    return bool(value)
                except Exception:
                    return None
        return None

    def _folded(self, node: ast.expr, env: Env, depth: int = 0) -> object:
        """The value of arithmetic and comparisons over constants and constant variables
        (``(7 * 42) - num > 200`` with ``num = 86``), or ``NO_CONST``."""
        if depth > 20:
            return NO_CONST
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, (int, float, str, bool)) else NO_CONST
        if isinstance(node, ast.Name):
            value = self.interpreter.lookup(node.id, env)
            if value.taint or value.parts:
                return NO_CONST
            return value.const if isinstance(value.const, (int, float, str, bool)) else NO_CONST
        try:
            if isinstance(node, ast.UnaryOp):
                operand = self._folded(node.operand, env, depth + 1)
                if operand is NO_CONST:
                    return NO_CONST
                return _UNARY[type(node.op)](operand) if type(node.op) in _UNARY else NO_CONST
            if isinstance(node, ast.BinOp):
                return self._folded_binary(node, env, depth)
            if isinstance(node, ast.Call):
                return self._folded_length(node, env, depth)
            if isinstance(node, ast.Compare):
                left = self._folded(node.left, env, depth + 1)
                for op, comparator in zip(node.ops, node.comparators, strict=True):
                    right = self._folded(comparator, env, depth + 1)
                    if left is NO_CONST or right is NO_CONST or type(op) not in _COMPARE:
                        return NO_CONST
                    if not _COMPARE[type(op)](left, right):
                        return False
                    left = right
                return True
        except (ArithmeticError, TypeError, ValueError):
            return NO_CONST
        return NO_CONST

    def _folded_length(self, node: ast.Call, env: Env, depth: int) -> object:
        """``len()`` of a constant text (the builtin, not a name bound here)."""
        if (
            len(node.args) != 1
            or node.keywords
            or not isinstance(node.func, ast.Name)
            or node.func.id in env
            or self.facts.qualname(node.func) != "builtins.len"
        ):
            return NO_CONST
        text = self._folded(node.args[0], env, depth + 1)
        return len(text) if isinstance(text, str) else NO_CONST

    def _folded_binary(self, node: ast.BinOp, env: Env, depth: int) -> object:
        left = self._folded(node.left, env, depth + 1)
        right = self._folded(node.right, env, depth + 1)
        if left is NO_CONST or right is NO_CONST or type(node.op) not in _BINARY:
            return NO_CONST
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
            # Strings only join; nothing that could build a huge value.
            if not (isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str)):
                return NO_CONST
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 10**6):  # type: ignore[arg-type]
            return NO_CONST
        return _BINARY[type(node.op)](left, right)

    # -- what a test proves --------------------------------------------------------------

    def refine(self, test: ast.expr, env: Env, truth: bool, fn: Frame) -> Env:
        """Narrow the environment where ``test`` is ``truth`` (allowlists, validators)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self.refine(test.operand, env, not truth, fn)
        if isinstance(test, ast.BoolOp):
            if (isinstance(test.op, ast.And) and truth) or (isinstance(test.op, ast.Or) and not truth):
                for value in test.values:
                    env = self.refine(value, env, truth, fn)
                return env
            if len(test.values) <= _MAX_ALTERNATIVES:
                return self._refine_alternatives(test.values, env, truth, fn)
            return env
        if isinstance(test, ast.Name) and not truth:
            self.clean_path(test, env, ALL)  # a false value is empty: ``""``, ``None``, ``[]``
            return env
        if isinstance(test, ast.Name) and test.id in fn.checks:
            return self.refine(fn.checks[test.id], env, truth, fn)  # ``if url_is_safe:``
        if isinstance(test, ast.Name) and truth and test.id in fn.lookups:
            self.clean_path(fn.lookups[test.id], env, ALL)  # ``if found:`` — the key was in the table
            return env
        if isinstance(test, ast.Name) and truth and test.id in fn.found:
            self._clean_found(test.id, env, fn)  # ``if user:`` after ``user = find_user(name)``
            return env
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            self._refine_comparison(test, env, truth, fn)
            return env
        if isinstance(test, ast.Call) and not truth:
            self._clean_searched(test, env)
            self._clean_absolute_check(test, env)
        if isinstance(test, ast.Call):
            self._clean_option_check(test, env, truth)
        if isinstance(test, ast.Call) and truth and self.predicate_held:
            self._clean_predicate_arguments(test, env)
        if isinstance(test, ast.Call) and truth:
            self._clean_url_safety_check(test, env)
            self._clean_url_prefix_check(test, env)
            self._clean_existing_path(test, env)
        if isinstance(test, ast.Call) and truth:
            guard = self._guard_of(test)
            if guard is not None:
                target, classes = guard
                if target is not None:
                    self.clean_path(target, env, classes)
            name = self.facts.qualname(test.func)
            if name == "builtins.isinstance" and len(test.args) == 2:
                kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
                names = {self.facts.qualname(k) for k in kinds}
                if names and names <= _CLEAN_TYPES:
                    self.clean_path(test.args[0], env, ALL)
                elif names and names <= _TEXT_TYPES and self._buffer(test.args[0], env, fn):
                    # an in-memory buffer is never a ``str``: the branch runs for other callers
                    self.clean_path(test.args[0], env, ALL)
                elif names and names <= _TEXT_TYPES:
                    # a caller handing in a buffer never takes this branch (``_apply`` drops the flow)
                    self.clean_path(test.args[0], env, frozenset({TEXT_ONLY}))
                    # text, not a parsed document that could hold an operator
                    self.interpreter.update(test.args[0], env, lambda v: map_labels(v, _text_label))
        return env

    def _buffer(self, node: ast.expr, env: Env, fn: Frame) -> bool:
        """``node`` holds an in-memory text buffer (``io.StringIO(data)``), not a path."""
        value = self.interpreter.eval(node, dict(env), fn)
        return value.kind is not None and value.kind in self.spec.buffer_kinds

    def _refine_alternatives(self, values: list[ast.expr], env: Env, truth: bool, fn: Frame) -> Env:
        """``a and b`` is false (``a or b`` true) when the first ``k`` operands went the other
        way and operand ``k`` went this way: the environment after the test is the join of
        those cases. ``(next or html) and not is_safe(next)`` false: ``next`` is empty or safe."""
        cases: list[Env | None] = []
        for index, value in enumerate(values):
            case = dict(env)
            for earlier in values[:index]:
                case = self.refine(earlier, case, not truth, fn)
            cases.append(self.refine(value, case, truth, fn))
        return join_envs(cases) or env

    def _refine_comparison(self, test: ast.Compare, env: Env, truth: bool, fn: Frame) -> None:
        op = test.ops[0]
        left, right = test.left, test.comparators[0]
        # ``x is not None`` true (``x is None`` false): the name bound to a lookup's result holds one
        found = (
            left.id
            if isinstance(left, ast.Name)
            and isinstance(op, (ast.Is, ast.IsNot))
            and isinstance(right, ast.Constant)
            and right.value is None
            and isinstance(op, ast.IsNot) == truth
            else None
        )
        if found is not None and found in fn.lookups:
            self.clean_path(fn.lookups[found], env, ALL)
            return
        if found is not None and found in fn.found:
            self._clean_found(found, env, fn)
            return
        if isinstance(op, (ast.In, ast.NotIn)):
            if isinstance(op, ast.In) == truth and self._session_bases and self._session_data(right, env, fn):
                self.clean_path(left, env, self.found_in_session)
            if (isinstance(op, ast.In)) == truth and (
                class_constants(right, fn) or not whole(self.interpreter.eval(right, dict(env), fn))
            ):
                self.interpreter.update(left, env, lambda v: cleaned(v, ALL))
                self._clean_parsed_url(left, env, fn)
                spelled = case_mapped(left)
                if spelled is not None:
                    self.interpreter.update(spelled, env, lambda v: cleaned(v, ALL))
            elif (isinstance(op, ast.In)) != truth:
                self._clean_rejected_text(left, right, env)
        elif isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
            positive = isinstance(op, (ast.Eq, ast.Is))
            if positive == truth:
                self._clean_unchanged_by_sanitizer(left, right, env)
                self._clean_contained_path(left, right, env)
                for value, other in ((left, right), (right, left)):
                    if isinstance(other, ast.Constant) or self._program_value(other, env, fn):
                        self.clean_path(value, env, ALL)
                        spelled = case_mapped(value)
                        if spelled is not None:
                            self.clean_path(spelled, env, ALL)
                        break

    def _program_value(self, node: ast.expr, env: Env, fn: Frame) -> bool:
        """``node`` is a name, attribute, item or call whose value carries no data of the client
        or of a parameter (``request.session.get("order_id")``, ``record.token``): a value equal
        to it is that value (``if order_id == request.session.get("order_id"):``)."""
        if not isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
            return False
        labels = whole(self.interpreter.eval(node, dict(env), fn))
        if labels and self._session_bases and self._session_data(node, env, fn):
            # what the server keeps for this visitor, unless this function stored request data there
            return not any(lab.origin.kind == "source" for lab in labels)
        return not labels

    def _session_data(self, node: ast.expr, env: Env, fn: Frame) -> bool:
        """``request.session``, ``session["carts"]``, ``request.session.get("carts", {})``,
        ``session.keys()``: the session, or data read from it."""
        while True:
            if isinstance(node, ast.Subscript):
                node = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "keys", "values")
            ):
                node = node.func.value
            else:
                break
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return False
        if self.facts.qualname(node) in self._session_bases:
            return True
        if not (isinstance(node, ast.Attribute) and node.attr == "session"):
            return False  # a request's session is its ``session`` attribute: nothing else to evaluate
        return self.interpreter.eval(node, dict(env), fn).kind in self._session_bases

    def _clean_found(self, name: str, env: Env, fn: Frame) -> None:
        """A lookup by equality found its record: the keys equal stored keys and the record is the
        program's (the classes ``FOUND_BY_KEY`` cleans)."""
        if not self.found_by_key:
            return
        for key in fn.found[name]:
            self.clean_path(key, env, self.found_by_key)
        self.clean_path(ast.Name(id=name, ctx=ast.Load()), env, self.found_by_key)

    def _clean_unchanged_by_sanitizer(self, left: ast.expr, right: ast.expr, env: Env) -> None:
        """``name == os.path.basename(name)`` held (``if name != secure_filename(name): raise``):
        the value is what the sanitizer would make of it, so it is clean for the sanitizer's classes."""
        for value, call in ((left, right), (right, left)):
            if not (isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords):
                continue
            classes = self.spec.sanitizers.get(self.facts.qualname(call.func) or "")
            if classes and ast.dump(call.args[0]) == ast.dump(value):
                self.clean_path(value, env, ALL if "*" in classes else classes)
                return

    def _clean_contained_path(self, left: ast.expr, right: ast.expr, env: Env) -> None:
        """``os.path.commonpath([target, base]) == base`` held: ``target`` lies under ``base`` (the
        common path is compared component by component), so it is checked as a path, as
        ``target.is_relative_to(base)`` would be."""
        for call, base in ((left, right), (right, left)):
            if not (isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords):
                continue
            if self.facts.qualname(call.func) not in _COMMON_PATH:
                continue
            listed = call.args[0]
            if not isinstance(listed, (ast.List, ast.Tuple)) or len(listed.elts) < 2:
                continue
            spelled = ast.dump(base)
            named = next((e for e in listed.elts if ast.dump(e) == spelled), None)
            if named is None:
                continue
            guard = self.spec.guards.get(".is_relative_to")
            classes = guard[1] if guard is not None else frozenset({"path"})
            for element in listed.elts:
                if element is not named and isinstance(element, (ast.Name, ast.Attribute, ast.Subscript)):
                    self.clean_path(element, env, classes)
            return

    def _clean_searched(self, test: ast.Call, env: Env) -> None:
        """``_find_unsafe(name)`` was false: the characters it searches for are not in ``name``."""
        rejected = rejected_characters(self.facts, test)
        if rejected is None:
            return
        target, found = rejected
        if set(SHELL_SYNTAX) <= set(found):
            self.clean_path(target, env, self.shell_syntax_rejected)
        if set(QUOTES) <= set(found):
            self.clean_path(target, env, self.quotes_rejected)

    def _clean_predicate_arguments(self, test: ast.Call, env: Env) -> None:
        """``is_registered(name)`` / ``resolver._is_callback(name)`` was true: ``name`` is one the
        program knows (the classes that accept such a check, ``PREDICATE_HELD``)."""
        func = test.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if not _PREDICATE.match(called):
            return
        for argument in test.args:
            if isinstance(argument, (ast.Name, ast.Attribute, ast.Subscript)):
                self.clean_path(argument, env, self.predicate_held)

    def _clean_existing_path(self, test: ast.Call, env: Env) -> None:
        """``os.path.exists(path)`` (``isfile``, ``isdir``, ``path.is_file()``...) held: the path
        names a file that is there, a key the file system found by equality (the classes
        ``FOUND_BY_KEY`` cleans), not any text the client wrote."""
        if not self.found_by_key:
            return
        if test.args and not test.keywords and self.facts.qualname(test.func) in _EXISTENCE_CHECKS:
            self.clean_path(test.args[0], env, self.found_by_key)
        elif (
            not test.args
            and isinstance(test.func, ast.Attribute)
            and test.func.attr in _EXISTENCE_METHODS
            and isinstance(test.func.value, (ast.Name, ast.Attribute))
        ):
            self.clean_path(test.func.value, env, self.found_by_key)

    def _clean_url_safety_check(self, test: ast.Call, env: Env) -> None:
        """``is_safe_url(target)`` was true: the program's own check of the URL's host and scheme
        held, which vouches for it as an allowlisted host does (the URL is the first argument)."""
        target = self._url_safety_target(test)
        if isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
            self.clean_path(target, env, self.host_allowlisted)

    def _url_safety_target(self, test: ast.Call) -> ast.expr | None:
        func = test.func
        called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if not _URL_SAFETY.match(called):
            return None
        return test.args[0] if test.args else next((k.value for k in test.keywords if k.arg in _CHECKED_KEYWORDS), None)

    def checked(self, test: ast.Call) -> tuple[ast.expr | None, frozenset[str]] | None:
        """The value a true call ``test`` vouches for and the classes it cleans (a guard of the
        catalogue or the program's own URL check), else None."""
        guard = self._guard_of(test)
        if guard is not None and guard[0] is not None:
            return guard
        target = self._url_safety_target(test)
        return (target, self.host_allowlisted) if target is not None else None

    def guarded_read(self, call: ast.Call) -> frozenset[str]:
        """The classes cleaned for a re-read of a request value inside the branch a check of
        that value guards (``guarded_reads.py``); empty for any other call."""
        known = self._guarded_reads.get(call)
        if known is None:
            known = self._guarded_reads[call] = guarding(call, self.facts.parent, self.checked)
        return known

    def _clean_url_prefix_check(self, test: ast.Call, env: Env) -> None:
        """``url.startswith("https://api.example.com/")`` was true: every prefix fixes the scheme
        and the host (a ``/`` ends the host), so the URL goes to that host as an allowlisted one does."""
        func = test.func
        if not (isinstance(func, ast.Attribute) and func.attr == "startswith" and len(test.args) == 1):
            return
        prefix = test.args[0]
        items = prefix.elts if isinstance(prefix, ast.Tuple) else [prefix]
        if items and all(isinstance(i, ast.Constant) and _URL_WITH_HOST.match(str(i.value)) for i in items):
            self.clean_path(func.value, env, self.host_allowlisted)

    def _clean_option_check(self, test: ast.Call, env: Env, truth: bool) -> None:
        """``value.startswith("-")`` was false, or ``value.startswith(("https://", "http://"))``
        true: the value does not start with a dash, so a program never reads it as an option."""
        func = test.func
        if not (isinstance(func, ast.Attribute) and func.attr == "startswith" and len(test.args) == 1):
            return
        prefix = test.args[0]
        items = prefix.elts if isinstance(prefix, ast.Tuple) else [prefix]
        texts = [item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)]
        if len(texts) != len(items) or not texts:
            return
        if (not truth and "-" in texts) or (truth and all(text and not text.startswith("-") for text in texts)):
            self.clean_path(func.value, env, self.options_rejected)

    def _clean_absolute_check(self, test: ast.Call, env: Env) -> None:
        """``value.startswith("/")`` or ``os.path.isabs(value)`` was false: a join keeps the value
        below its folder (with ``".."`` rejected as well)."""
        func = test.func
        if isinstance(func, ast.Attribute) and func.attr == "startswith" and len(test.args) == 1:
            prefix = test.args[0]
            items = prefix.elts if isinstance(prefix, ast.Tuple) else [prefix]
            if any(isinstance(item, ast.Constant) and item.value in ("/", "\\") for item in items):
                self.clean_path(func.value, env, frozenset({ABSOLUTE_REJECTED}))
        elif self.facts.qualname(func) in ("os.path.isabs", "posixpath.isabs") and len(test.args) == 1:
            self.clean_path(test.args[0], env, frozenset({ABSOLUTE_REJECTED}))
        elif isinstance(func, ast.Attribute) and func.attr == "is_absolute" and not test.args:
            made = self._path_made_of(func.value)  # ``PurePosixPath(value).is_absolute()``
            if made is not None:
                self.clean_path(made, env, frozenset({ABSOLUTE_REJECTED}))

    def _path_made_of(self, node: ast.expr) -> ast.expr | None:
        """The one argument of a ``pathlib`` path built from it (``PurePosixPath(value)``)."""
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            if self.facts.qualname(node.func) in _PATH_CLASSES:
                return node.args[0]
        return None

    def _clean_rejected_text(self, needle: ast.expr, haystack: ast.expr, env: Env) -> None:
        """``".." in name`` or ``"'" in name`` was false: the value holds no parent reference
        (safe under a fixed directory) or no quote (cannot leave a quoted literal)."""
        if not (isinstance(needle, ast.Constant) and isinstance(needle.value, str)):
            return
        if needle.value == "..":
            # ``".." in value.split("/")``, ``".." in Path(value).parts``: no component is a parent
            components = self._components_of(haystack)
            if components is not None:
                haystack = components
        if ".." in needle.value:
            self.clean_path(haystack, env, self.parent_refs_rejected | {RELATIVE_ONLY})
        if needle.value in ("'", '"'):
            self.clean_path(haystack, env, self.quotes_rejected)

    def _components_of(self, node: ast.expr) -> ast.expr | None:
        """The value whose path components ``node`` lists: ``value.split("/")`` (or ``os.sep``; not
        a backslash, which leaves ``../`` whole on POSIX), ``Path(value).parts``; None otherwise."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split":
            separator = node.args[0] if len(node.args) == 1 and not node.keywords else None
            if (isinstance(separator, ast.Constant) and separator.value == "/") or (
                separator is not None and self.facts.qualname(separator) in ("os.sep", "posixpath.sep")
            ):
                return node.func.value
        if isinstance(node, ast.Attribute) and node.attr == "parts":
            return self._path_made_of(node.value)
        return None

    def _clean_parsed_url(self, node: ast.expr, env: Env, fn: Frame) -> None:
        """``urlparse(url).hostname in ALLOWED`` (or ``parts.netloc in ALLOWED`` after
        ``parts = urlparse(url)``) vouches for the host of ``url``."""
        current = node
        while isinstance(current, (ast.Attribute, ast.Subscript)):
            current = current.value
        if isinstance(current, ast.Name) and current is not node and current.id in fn.parsed_urls:
            classes = self.host_allowlisted
            self.interpreter.update(fn.parsed_urls[current.id], env, lambda v: cleaned(v, classes))
            return
        if isinstance(current, ast.Call) and current.args:
            name = self.facts.qualname(current.func)
            if name in _URL_PARSERS:
                classes = self.host_allowlisted
                self.interpreter.update(current.args[0], env, lambda v: cleaned(v, classes))

    def _guard_of(self, call: ast.Call) -> tuple[ast.expr | None, frozenset[str]] | None:
        guards = self.spec.guards
        name = self.facts.qualname(call.func)
        entry = guards.get(name) if name else None
        if entry is None and isinstance(call.func, ast.Attribute):
            entry = guards.get("." + call.func.attr)
            if entry is not None and name is not None and name.split(".")[0] in STDLIB and name not in guards:
                entry = None
        if entry is None:
            return self._compiled_guard(call)
        position, classes = entry
        if name in ("re.match", "re.search") and call.args:
            pattern = call.args[0]
            if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
                return None
            if not pattern.value.endswith(("$", "\\Z")):
                return None
            if name == "re.search" and not pattern.value.startswith(("^", "\\A")):
                return None
        if position == -1:
            target = call.func.value if isinstance(call.func, ast.Attribute) else None
        elif position < len(call.args):
            target = call.args[position]
        else:  # ``url_has_allowed_host_and_scheme(url=target, ...)``, ``re.fullmatch(p, string=target)``
            target = next((kw.value for kw in call.keywords if kw.arg in _CHECKED_KEYWORDS), None)
        if isinstance(target, ast.Call) and len(target.args) == 1 and not target.keywords:
            # ``str(path).startswith(...)``: the text of ``path`` is what was checked.
            if self.facts.qualname(target.func) in _SAME_TEXT:
                target = target.args[0]
        return target, classes

    def _compiled_guard(self, call: ast.Call) -> tuple[ast.expr | None, frozenset[str]] | None:
        """``PATTERN.match(value)`` (or ``.search`` with a leading ``^``) where the module binds
        ``PATTERN = re.compile(r"^...$")`` without flags: the whole value matched the pattern, as
        ``re.match`` with that text vouches for it."""
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr in ("match", "search")
            and isinstance(func.value, ast.Name)
            and len(call.args) == 1
            and not call.keywords
        ):
            return None
        made = self.facts.assigned_call(func.value.id)
        if made is None or len(made.args) != 1 or made.keywords or self.facts.qualname(made.func) != "re.compile":
            return None
        pattern = made.args[0]
        if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
            return None
        text = pattern.value
        if text.startswith("(?"):
            return None  # inline flags (``(?m)``) may let ``$`` match at any line's end
        if not text.endswith(("$", "\\Z")) or (func.attr == "search" and not text.startswith(("^", "\\A"))):
            return None
        entry = self.spec.guards.get("re.match")
        return (call.args[0], entry[1]) if entry is not None else None

    def note_lookup(self, name: str, value_node: ast.AST | None, env: Env, fn: Frame) -> None:
        """Remember ``name = TABLE.get(key)`` with a trusted table: a later ``name is None`` check
        tells whether ``key`` is one of the table's keys."""
        fn.lookups.pop(name, None)
        fn.parsed_urls.pop(name, None)
        fn.found.pop(name, None)
        for held, keys in list(fn.found.items()):
            if any(_mentions(key, name) for key in keys):
                del fn.found[held]  # a key reassigned after the lookup is no longer the one found
        keys = found_keys(value_node)
        if keys:
            fn.found[name] = keys
        if fn.checks:
            # a stored check no longer vouches for a value reassigned after it (or for a new result)
            for held in [k for k, call in fn.checks.items() if k == name or _mentions(call, name)]:
                del fn.checks[held]
        if isinstance(value_node, ast.Call) and self.checked(value_node) is not None:
            fn.checks[name] = value_node  # ``url_is_safe = url_has_allowed_host_and_scheme(url=u, ...)``
        if (
            isinstance(value_node, ast.Call)
            and value_node.args
            and self.facts.qualname(value_node.func) in _URL_PARSERS
        ):
            fn.parsed_urls[name] = value_node.args[0]
            return
        if not (
            isinstance(value_node, ast.Call)
            and isinstance(value_node.func, ast.Attribute)
            and value_node.func.attr == "get"
            and len(value_node.args) == 1
            and isinstance(value_node.args[0], (ast.Name, ast.Attribute))
        ):
            return
        receiver = value_node.func.value
        base = receiver
        while isinstance(base, ast.Attribute):
            base = base.value
        plain = isinstance(base, ast.Name)  # evaluating a name path changes nothing
        table = self.interpreter.eval(receiver, env if plain else dict(env), fn)
        if not whole(table) and table.kind is None:
            fn.lookups[name] = value_node.args[0]

    def clean_keys_found(self, node: ast.Try | ast.TryStar, env: Env, fn: Frame) -> None:
        """``handler = HANDLERS[name]`` in a ``try`` whose ``except KeyError:`` (``LookupError``)
        leaves the function (``raise``, ``return``, ``abort(404)``): where the body ran through,
        ``name`` is one of the keys of a table the program filled (not read from a source)."""
        if not any(_leaves_on_missing_key(self.facts, self.spec, handler) for handler in node.handlers):
            return
        for at, statement in enumerate(node.body):
            value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr)) else None
            if isinstance(value, ast.Call):
                value = value.func  # ``HANDLERS[name](payload)``
            if not (isinstance(value, ast.Subscript) and isinstance(value.slice, (ast.Name, ast.Attribute))):
                continue
            table = value.value
            base = table
            while isinstance(base, ast.Attribute):
                base = base.value
            if not isinstance(base, ast.Name) or _fills_missing_keys(self.facts, base.id):
                continue
            key_base = value.slice
            while isinstance(key_base, ast.Attribute):
                key_base = key_base.value
            if not isinstance(key_base, ast.Name) or any(
                _stores(later, key_base.id)
                for later in [statement.targets if isinstance(statement, ast.Assign) else [], *node.body[at + 1 :]]
            ):
                continue  # the key is rebound after the lookup
            found = self.interpreter.eval(table, dict(env), fn)
            if not whole(found) and found.kind is None:
                self.clean_path(value.slice, env, ALL)

    def clean_path(self, node: ast.expr, env: Env, classes: frozenset[str]) -> None:
        """Mark the value stored at a name / attribute / constant-key path clean for ``classes``."""
        self.interpreter.update(node, env, lambda v: cleaned(v, classes))


_MISSING_KEY = frozenset({"KeyError", "LookupError", "builtins.KeyError", "builtins.LookupError"})


# Mappings whose ``[key]`` makes up a value for a key they lack instead of raising.
_FILLING_MAPPINGS = frozenset({"collections.defaultdict", "collections.Counter"})


def _fills_missing_keys(facts: ModuleFacts, name: str) -> bool:
    made = facts.assigned_call(name)
    return made is not None and facts.qualname(made.func) in _FILLING_MAPPINGS


def _stores(node: ast.AST | list[ast.expr], name: str) -> bool:
    """``name`` is bound anywhere in ``node`` (an assignment, a loop, a ``with ... as``)."""
    nodes = node if isinstance(node, list) else [node]
    return any(
        isinstance(inner, ast.Name) and inner.id == name and isinstance(inner.ctx, ast.Store)
        for top in nodes
        for inner in ast.walk(top)
    )


def _leaves_on_missing_key(facts: ModuleFacts, spec: TaintSpec, handler: ast.ExceptHandler) -> bool:
    """``except KeyError:`` (or ``LookupError``, also in a tuple) whose body ends by leaving:
    ``raise``, ``return``, ``continue``, ``break`` or a call that never returns."""
    caught = handler.type
    kinds = caught.elts if isinstance(caught, ast.Tuple) else [caught] if caught is not None else []
    if not any(isinstance(k, ast.Name) and k.id in _MISSING_KEY for k in kinds):
        return False
    if not handler.body:
        return False
    last = handler.body[-1]
    if isinstance(last, (ast.Raise, ast.Return, ast.Continue, ast.Break)):
        return True
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and facts.qualname(last.value.func) in spec.noreturn
    )


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _text_label(label: Label) -> Label:
    """The label of a value known to be text (``isinstance(v, str)`` held)."""
    return next(iter(as_text(frozenset({label}))))


def case_mapped(node: ast.expr) -> ast.expr | None:
    """The value under ``value.lower()`` (``upper``, ``casefold``, chained): a case mapping changes
    letters only, so a value whose mapped spelling is a listed constant holds the constant's
    characters in some letter case, and nothing else (no line break, quote or separator).
    None when ``node`` is no case mapping."""
    inner = node
    while (
        isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Attribute)
        and inner.func.attr in _CASE_MAPPINGS
        and not inner.args
        and not inner.keywords
    ):
        inner = inner.func.value
    return None if inner is node else inner


def class_constants(node: ast.expr, fn: Frame) -> bool:
    """``self.ALLOWED`` (or ``cls.ALLOWED``) of a method whose class assigns ``ALLOWED`` once, in
    its body, a literal collection of constants (``frozenset({"a", "b"})``), and never on an
    instance: the collection is the program's, whatever the receiver's other data."""
    if not (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in (fn.self_name, "cls")
        and fn.cls is not None
    ):
        return False
    assigned = [
        statement.value
        for statement in fn.cls.body
        if isinstance(statement, (ast.Assign, ast.AnnAssign))
        and statement.value is not None
        and any(isinstance(t, ast.Name) and t.id == node.attr for t in _targets(statement))
    ]
    if len(assigned) != 1 or not _constant_collection(assigned[0]):
        return False
    for inner in ast.walk(fn.cls):
        if isinstance(inner, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and any(
            isinstance(target, ast.Attribute) and target.attr == node.attr for target in _targets(inner)
        ):
            return False  # ``self.ALLOWED = ...`` on an instance
        if (
            isinstance(inner, ast.Attribute)
            and inner.attr in _GROWING
            and isinstance(inner.value, ast.Attribute)
            and inner.value.attr == node.attr
        ):
            return False  # ``self.ALLOWED.append(...)`` grows it
    return True


def _targets(statement: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[ast.expr]:
    return list(statement.targets) if isinstance(statement, ast.Assign) else [statement.target]


def _constant_collection(node: ast.expr) -> bool:
    """A set, list, tuple or dict literal of constants, or ``frozenset``/``set``/``tuple`` of one."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set", "tuple")
        and len(node.args) == 1
        and not node.keywords
    ):
        node = node.args[0]
    if isinstance(node, ast.Dict):
        return all(isinstance(key, ast.Constant) for key in node.keys)
    return isinstance(node, (ast.Set, ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) for e in node.elts)
