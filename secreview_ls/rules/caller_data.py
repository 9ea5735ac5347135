"""Values a function was handed by its caller, with no source of their own in sight.

``exec(code)`` inside ``def run(code)``, ``os.popen(cmd)`` inside ``def popen(cmd)``: running
what the caller passes is the function's contract, and whether that text can come from outside
the program is decided at the call sites, which the data-flow rules (SR802, SR803) follow from
their sources (request data, sockets, files named by a request...). The pattern rules cannot
know, so such a finding is an audit note (the `hardening` profile), not a default finding.

A value is *handed in* when it is a parameter of the enclosing function, or is derived only from
parameters: items, slices and attributes of one, a method's result on one (``.strip()``,
``.group(1)``, ``.read()``), the same text in another type (``to_bytes(cmd)``, ``force_str(s)``,
``map(to_bytes, argv)``), ``compile()`` of one (or of a function named for compiling:
``compile_template(handle, path)``), the content of a file one names
(``open(path).read()``), a loop variable over one, a conditional between such values, one of
them wrapped in brackets only (``f"({arg},)[0]"``), a name bound only to such values.

An attribute of ``self`` counts when every method assigning it stores a value handed in to that
method (``def __init__(self, command): self.command = command``) and the class gives it no
default: the object keeps what its constructor's caller passed. Such an attribute is the
creator's value even where it is read in an entry point (a resolver's ``__call__``).

Not handed in: ``self`` / ``cls`` themselves and their other attributes,
parameters named for outside data (``request``, ``environ``, ``data``, ``payload``...), request
parts (``.args``, ``.form``, ``.GET``...), and every parameter of an entry point that receives
outside data — a decorated route or handler, a callback (``on_message``, ``dataReceived``), an
HTTP method handler (``do_POST``), ``__call__``.
"""

from __future__ import annotations

import ast
import re

from ..engine.facts import parameter_names
from .base import RuleContext
from .fixed_values import fixed_choice, stored_value, stores_in
from .judge import identifier_words, module_reads, static_string

OUTSIDE_PARAMETERS = frozenset(
    {
        "request",
        "req",
        "environ",
        "event",
        "payload",
        "body",
        "message",
        "msg",
        "data",
        "packet",
        "datagram",
        "query",
        "form",
        "params",
        "headers",
        "cookies",
        "upload",
        "content",
    }
)
_REQUEST_PARTS = frozenset(
    {
        "GET",
        "POST",
        "args",
        "form",
        "json",
        "values",
        "headers",
        "cookies",
        "COOKIES",
        "data",
        "query_params",
        "files",
        "FILES",
        "META",
        "body",
        "params",
        "match_info",
        "path_params",
        "query_string",
        "environ",
    }
)
_HANDLER_WORDS = frozenset(
    {
        "on",
        "received",
        "receive",
        "recv",
        "callback",
        "request",
        "message",
        "view",
        "endpoint",
        "route",
        "webhook",
        "consume",
        "listener",
        "dispatch",
        "serve",
    }
)
_HTTP_METHOD = re.compile(r"do_[A-Z]+$")
_PLAIN_DECORATORS = frozenset(
    {
        "staticmethod",
        "classmethod",
        "property",
        "setter",
        "getter",
        "deleter",
        "wraps",
        "cache",
        "lru_cache",
        "cached_property",
        "contextmanager",
        "asynccontextmanager",
        "abstractmethod",
        "overload",
        "override",
        "total_ordering",
        "singledispatch",
        "register",
        "deprecated",
    }
)
_FILE_READS = frozenset({"read", "readline", "readlines", "read_text", "read_bytes"})
_DERIVING_CALLS = frozenset(
    {
        "builtins.compile",
        "builtins.str",
        "builtins.bytes",
        "os.fsdecode",
        "os.fsencode",
        "builtins.enumerate",
        "builtins.reversed",
        "builtins.sorted",
        "builtins.list",
        "builtins.tuple",
        "builtins.iter",
        "builtins.zip",
    }
)
# Helpers converting text between types (``to_bytes(cmd)``, ``force_str(s)``, ``ensure_text(x)``):
# the same text in another type.
_CONVERTER = re.compile(r"^(?:to|force|smart|ensure)_(?:bytes|text|str|native|unicode)$")
_REGEX_FUNCTIONS = frozenset({"re.match", "re.search", "re.fullmatch"})
_REGEX_METHODS = frozenset({"match", "search", "fullmatch"})


def _decorator_name(decorator: ast.expr) -> str:
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def receives_outside_data(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """An entry point whose parameters are what a client or peer sent."""
    name = function.name
    if name == "__call__" or _HTTP_METHOD.match(name):
        return True
    words = identifier_words(name)
    if words and (words[0] == "on" or set(words) & _HANDLER_WORDS):
        return True
    return any(_decorator_name(d) not in _PLAIN_DECORATORS for d in function.decorator_list)


def _parameters(function: ast.AST) -> set[str]:
    return set(parameter_names(function, starred=True)) - {"self", "cls"} - OUTSIDE_PARAMETERS


def handed_in(ctx: RuleContext, node: ast.AST | None) -> bool:
    """``node`` is derived only from the enclosing function's parameters (see the module docstring)."""
    function = ctx.facts.enclosing_function(node) if node is not None else None
    if function is None:
        return False
    if receives_outside_data(function):
        # An entry point's parameters are outside data, but an attribute the object kept from
        # its constructor (``self.arg`` read in ``__call__``) is still what its creator passed.
        return isinstance(node, ast.Attribute) and _is_self_attribute(node) and _kept_from_caller(ctx, node, 0)
    return _derived(ctx, node, function, frozenset(), 0)


def _is_self_attribute(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == "self"


def _derived(ctx: RuleContext, node: ast.AST | None, function: ast.AST, seen: frozenset[str], depth: int) -> bool:
    if node is None or depth > 8:
        return False
    if isinstance(node, ast.Name):
        return _name_derived(ctx, node, function, seen, depth)
    if isinstance(node, ast.Attribute):
        if node.attr in _REQUEST_PARTS:
            return False
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return _kept_from_caller(ctx, node, depth)
        return _derived(ctx, node.value, function, seen, depth + 1)
    if isinstance(node, ast.Subscript):
        return _derived(ctx, node.value, function, seen, depth + 1)
    if isinstance(node, ast.Starred):
        return _derived(ctx, node.value, function, seen, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.right, ast.Constant):
        # ``line + "\n"``: the parameter with a constant suffix (a constant *prefix* is a
        # template the function wrote: ``"mkdir " + path`` promises ``mkdir``).
        return _derived(ctx, node.left, function, seen, depth + 1)
    if isinstance(node, ast.Call):
        return _call_derived(ctx, node, function, seen, depth)
    if isinstance(node, ast.IfExp):
        return all(_derived(ctx, v, function, seen, depth + 1) for v in (node.body, node.orelse))
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return _led_by_derived(ctx, node, function, seen, depth)
    return False


def _led_by_derived(ctx: RuleContext, node: ast.expr, function: ast.AST, seen: frozenset[str], depth: int) -> bool:
    """``f"{cmd} >{LOG}"`` / ``"%s > /dev/null" % cmd``: the parameter first, then only fixed
    text and constants (a fixed *prefix* is a template the function wrote, see ``_derived``)."""
    if isinstance(node, ast.JoinedStr):
        values = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
        if len(values) == 1 and _only_punctuation(node):  # ``f"({arg},)[0]"``: the caller's text in brackets
            return _derived(ctx, values[0], function, seen, depth + 1)
        if not node.values or not isinstance(node.values[0], ast.FormattedValue):
            return False
        values = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        template = static_string(ctx, node.left)
        if template is None or not template.startswith("%s"):
            return False
        values = list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
    else:
        return False
    return _derived(ctx, values[0], function, seen, depth + 1) and all(fixed_choice(ctx, v) for v in values[1:])


def _only_punctuation(node: ast.JoinedStr) -> bool:
    """Every fixed part is brackets, commas, digits and blanks around one value: it names no
    program or attribute."""
    text = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    return not re.search(r"[A-Za-z_;&|$`<>]", text)


def _call_derived(ctx: RuleContext, call: ast.Call, function: ast.AST, seen: frozenset[str], depth: int) -> bool:
    name = ctx.facts.qualname(call.func)
    if name in _DERIVING_CALLS or _compiler(call) or _converter(call.func):
        return bool(call.args) and _derived(ctx, call.args[0], function, seen, depth + 1)
    if name == "builtins.map" and len(call.args) == 2 and _converter(call.args[0]):
        return _derived(ctx, call.args[1], function, seen, depth + 1)  # ``map(to_bytes, argv)``
    if name in {"builtins.open", "io.open", "io.open_code", "codecs.open", "io.TextIOWrapper"}:
        return bool(call.args) and _derived(ctx, call.args[0], function, seen, depth + 1)
    if name in {"os.path.join", "os.path.expanduser", "os.path.abspath", "pathlib.Path"}:
        parts = [a for a in call.args if not isinstance(a, ast.Constant)]
        return bool(parts) and all(_derived(ctx, a, function, seen, depth + 1) for a in parts)
    if name in _REGEX_FUNCTIONS or (isinstance(call.func, ast.Attribute) and call.func.attr in _REGEX_METHODS):
        text = call.args[1] if name in _REGEX_FUNCTIONS and len(call.args) > 1 else call.args[0] if call.args else None
        if _derived(ctx, text, function, seen, depth + 1):
            return True  # ``re.match(pattern, text).group(1)``: a part of the parameter
    if isinstance(call.func, ast.Attribute) and call.func.attr == "join" and static_string(ctx, call.func.value):
        return len(call.args) == 1 and _derived(ctx, call.args[0], function, seen, depth + 1)  # " ".join(argv)
    if isinstance(call.func, ast.Attribute) and not call.func.attr.startswith("recv"):
        receiver = call.func.value
        if call.func.attr in _FILE_READS or name is None or not name.startswith(("os.", "sys.", "subprocess.")):
            return _derived(ctx, receiver, function, seen, depth + 1)
    return False


def _converter(func: ast.expr) -> bool:
    """A helper named for converting text between types (``to_bytes``, ``force_str``)."""
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return bool(_CONVERTER.match(name))


def _compiler(call: ast.Call) -> bool:
    """A function named for compiling (``compile_template(f, path)``, ``compile_command(src)``):
    its result is the code of the source it is handed, in another form."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return "compile" in identifier_words(name)


def _name_derived(ctx: RuleContext, name: ast.Name, function: ast.AST, seen: frozenset[str], depth: int) -> bool:
    if name.id in seen:
        return True  # ``line = line[1:]``: the value rebound to a part of itself
    stores = stores_in(ctx, function, name.id)
    if not stores:
        return name.id in _parameters(function)
    if name.id in {"self", "cls"} or (name.id in OUTSIDE_PARAMETERS and name.id in parameter_names(function)):
        return False
    inner = seen | {name.id}
    return all(_derived(ctx, stored_value(store), function, inner, depth + 1) for store in stores)


def _kept_from_caller(ctx: RuleContext, node: ast.Attribute, depth: int) -> bool:
    """``self.command`` where every method assigning it stores what its own caller handed in
    (``def __init__(self, command): self.command = command``), and the class body gives it no
    default: the object keeps its constructor's argument."""
    owner = next((a for a in ctx.facts.ancestors(node) if isinstance(a, ast.ClassDef)), None)
    if owner is None:
        return False
    module_reads(ctx).add("the methods of a class")
    stored: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.expr]] = []
    declared = False
    for member in owner.body:
        if not isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if isinstance(member, ast.AnnAssign) and member.value is None:
                declared = declared or (isinstance(member.target, ast.Name) and member.target.id == node.attr)
                continue  # ``arg: str``: an annotation binds nothing (in a data class, a constructor argument)
            if any(isinstance(t, ast.Name) and t.id == node.attr for t in ast.walk(member)):
                return False  # a class-level default or another binding
            continue
        for inner in ast.walk(member):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "setattr":
                return False
            if not isinstance(inner, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                continue
            targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
            for target in targets:
                hits = [
                    t
                    for t in ast.walk(target)
                    if isinstance(t, ast.Attribute)
                    and t.attr == node.attr
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                ]
                if not hits:
                    continue
                if target is not hits[0] or isinstance(inner, ast.AugAssign) or inner.value is None:
                    return False
                stored.append((member, inner.value))
    if not stored:
        return declared and _data_class(owner)
    return all(
        not receives_outside_data(method) and _derived(ctx, value, method, frozenset(), depth + 1)
        for method, value in stored
    )


_DATA_CLASS_DECORATORS = frozenset({"dataclass", "s", "attrs", "define", "frozen", "mutable"})
_DATA_CLASS_BASES = frozenset({"NamedTuple", "BaseModel"})


def _data_class(owner: ast.ClassDef) -> bool:
    """``@dataclass``, ``@attr.s(auto_attribs=True)``, ``@attrs.define``, a ``NamedTuple`` or a
    pydantic model: the fields the class body annotates are its constructor's arguments."""
    if any(_decorator_name(d) in _DATA_CLASS_DECORATORS for d in owner.decorator_list):
        return True
    return any(_decorator_name(base) in _DATA_CLASS_BASES for base in owner.bases)
