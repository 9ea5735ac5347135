"""Code execution and control-flow weaknesses (SR1xx): exec/eval, assert, bind-all,
swallowed exceptions, logging configuration listener."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..engine.evidence import Judgement
from ..engine.facts import argument, keyword
from ..engine.finding import Finding
from .base import HIGH, LOW, MEDIUM, RuleContext, rule
from .caller_data import handed_in, receives_outside_data
from .code_origin import code_origin, command_line_file, script_runner_input, typed_at_terminal
from .judge import callee_tail, identifier_words, is_static, short
from .user_settings import user_setting


def _code_argument_is_static(ctx: RuleContext, name: str, call: ast.Call) -> bool:
    code = argument(call, 0, "source") or argument(call, 0, "expression")
    if code is None:
        return not call.args and not call.keywords
    if isinstance(code, ast.Constant) and isinstance(code.value, (str, bytes)):
        ctx.judged(name, call, Judgement.LITERAL_CODE)
        return True
    return is_static(ctx, code) or code_origin(ctx, call, code) is not None


def _code(call: ast.Call) -> ast.expr | None:
    return argument(call, 0, "source") or argument(call, 0, "expression")


def _from_caller(ctx: RuleContext, call: ast.Call) -> bool:
    """The code is what the enclosing function's caller handed in, the local user's own
    start-up file or setting, an expression a debugger evaluates in the frame it inspects, what
    the user types at a terminal program, or the script a script runner was asked to run
    (SR109's audit note)."""
    code = _code(call)
    return (
        handed_in(ctx, code)
        or user_setting(ctx, code)
        or _in_inspected_frame(ctx, call)
        or typed_at_terminal(ctx, call, code)
        or script_runner_input(ctx, code)
        or command_line_file(ctx, code)
    )


_FRAME_NAMESPACES = frozenset({"f_globals", "f_locals"})


def _in_inspected_frame(ctx: RuleContext, call: ast.Call) -> bool:
    """``eval(cond, frame.f_globals, frame.f_locals)``: the code runs in the namespace of a
    running frame, which is what a debugger does with the conditions and expressions its user
    types (a breakpoint's condition, a watch expression). Not in an entry point that receives
    outside data (a route, a message callback): there the text is what a peer sent."""
    function = ctx.facts.enclosing_function(call)
    if function is not None and receives_outside_data(function):
        return False
    namespace = (
        call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "globals"), None)
    )
    return isinstance(namespace, ast.Attribute) and namespace.attr in _FRAME_NAMESPACES


@rule(
    id="SR101",
    name="exec-used",
    cwe=94,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B102",),
    ruff=("S102",),
    summary="`exec` runs Python code that is not fixed in the source.",
    why="`exec` compiles and runs whatever text it is given with the full power of the running "
    "program. When any part of that text comes from outside (a request, a file, a message), the "
    "author of that text can run arbitrary code. A literal string is not reported, nor code the "
    "program generates from a template that defines functions or classes (namedtuple-style code "
    "generation), nor an execution API (`run`, `runctx`, `execute`...) handing on its own "
    "parameter with the namespace to run it in (`exec(cmd, globals, locals)`), nor the program's own "
    "source (a file at a fixed place beside the module; in build code importing `setuptools` or "
    "`distutils.core`, run from the project's directory, a fixed relative path inside the "
    "project such as `pkg/_version.py`; in a Sphinx `conf.py`, also one level up such as "
    "`../pkg/__init__.py`), nor text read through `io.open_code` (a file opened to run as code, "
    "the way the interpreter opens modules and `.pth` lines), nor one of a fixed "
    "set of constants (a loop over a constant tuple, a value checked against literals, an "
    "`argparse` option with constant `choices=`). Code a function was handed by its caller (a "
    "parameter, a part of one, the file one names, what a compiling function makes of them), and "
    "an expression run in the namespace of an inspected frame (`eval(cond, frame.f_globals, "
    "frame.f_locals)`: a debugger's breakpoint condition), the script a script runner (`run_script`, "
    "`exec_file`) is asked to run, options in a folder the code checked the current user owns, "
    "what the user of a terminal program types (a read-eval loop catching `SyntaxError`, a program "
    "asking `isatty()`) and a file named on the command line "
    "are the `hardening` rule SR109: whether such "
    "text comes from outside is the data-flow rule SR803's question, which follows it from its "
    "source (a request, a socket, stdin...) through the call.",
    bad="exec(request.form['snippet'])",
    good="handlers = {'add': add, 'sub': sub}\nhandlers[request.form['op']]()  # dispatch, never run text",
)
def exec_used(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to("builtins.exec"):
        if _code_argument_is_static(ctx, name, call) or _from_caller(ctx, call):
            continue
        code = call.args[0] if call.args else call
        yield exec_used.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` runs code from `{short(ctx.segment(code))}`, which is "
            "not fixed in the source; make sure no part of it can come from outside the program",
        )


@rule(
    id="SR102",
    name="eval-used",
    cwe=94,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B307",),
    ruff=("S307",),
    summary="`eval` evaluates a Python expression that is not fixed in the source.",
    why="`eval` is not a parser for data: `__import__('os').system('id')` is a valid expression. "
    "Text that reaches `eval` from outside the program runs as code. To read Python literals "
    "(numbers, strings, lists, dicts) use `ast.literal_eval`; for JSON use `json.loads`. Constants, "
    "generated code and an execution API (`evaluate`, `runeval`...) handing on its own parameter "
    "are not reported, nor one of a fixed set of constants; an expression the caller handed in is "
    "the `hardening` rule SR109 (see SR101); text from outside reaching `eval` is SR803.",
    bad="value = eval(request.args['n'])",
    good="import ast\nvalue = ast.literal_eval(request.args['n'])",
)
def eval_used(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to("builtins.eval"):
        if _code_argument_is_static(ctx, name, call) or _from_caller(ctx, call):
            continue
        code = call.args[0] if call.args else call
        yield eval_used.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` evaluates `{short(ctx.segment(code))}` as Python; "
            "if it only needs to read literals use `ast.literal_eval`",
        )


@rule(
    id="SR109",
    name="code-from-caller",
    cwe=94,
    severity=LOW,
    confidence=LOW,
    default_enabled=False,
    profiles=("hardening",),
    summary="`exec` / `eval` runs code a function was handed by its caller or the local user's own "
    "start-up file (hardening profile).",
    why="A function that runs the text its caller passes (`def evaluate(expr): return eval(expr)`, a "
    "debugger's command, a REPL's line, a configuration file a caller names) is only as safe as its "
    "callers: the pattern rule cannot see where that text comes from. Such calls are left out of the "
    "default report; the data-flow rule SR803 reports them where text from a request, a socket or "
    "another source outside the program reaches the call. This audit check lists them so a "
    "hardening review can check each caller or replace the call with `ast.literal_eval` or a "
    "dispatch table. Parameters of entry points that receive outside data (routes, handlers, "
    "callbacks such as `on_message` or `dataReceived`, `do_POST`) stay SR101/SR102 findings. "
    "Code the local user set up for their own process is here too, for the same reason: a shell "
    "running the user's `PYTHONSTARTUP` file or `~/.appname.py` does what that user asked, with that "
    "user's rights (other environment variables and files stay SR101/SR102). So is an expression a "
    "debugger evaluates in the frame it inspects (`eval(cond, frame.f_globals, frame.f_locals)`): "
    "the breakpoint conditions and watch expressions its user typed. Also here: a script runner "
    "(`run_script`, `exec_file`) running the script its caller names; options read from a folder the "
    "code checked the current user owns (`os.stat(d).st_uid == os.getuid()`); what the user of a "
    "terminal program types, where the code shows it is one (a read-eval loop that catches "
    "`SyntaxError` and asks again, a program asking `sys.stdin.isatty()`; a bare `eval(input())` "
    "stays SR102); and a file named on the program's command line (`sys.argv`, `parse_args()`).",
    bad="def calculate(expression):\n    return eval(expression)",
    good="import ast\n\ndef calculate(expression):\n    return ast.literal_eval(expression)",
)
def code_from_caller(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to("builtins.exec", "builtins.eval"):
        if _code_argument_is_static(ctx, name, call) or not _from_caller(ctx, call):
            continue
        code = call.args[0] if call.args else call
        function = ctx.facts.enclosing_function(call)
        if user_setting(ctx, _code(call)):
            where = "comes from the local user's own settings, start-up files or command line"
        elif typed_at_terminal(ctx, call, _code(call)):
            where = "the user of this terminal program types"
        elif script_runner_input(ctx, _code(call)) and not handed_in(ctx, _code(call)):
            where = "is the script the caller asks this script runner to run"
        elif command_line_file(ctx, _code(call)):
            where = "is read from a file named on the program's command line"
        elif not handed_in(ctx, _code(call)):
            where = "runs in the namespace of an inspected frame (a debugger's expression)"
        else:
            where = f"the caller of `{function.name if function else 'this function'}` hands in"
        yield code_from_caller.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` runs `{short(ctx.segment(code))}`, which {where}; check that "
            "no one else can set that text",
        )


def _is_type_narrowing(test: ast.expr) -> bool:
    """``assert isinstance(x, T)`` / ``assert x is not None``: hints for type checkers."""
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id in {"isinstance", "issubclass"}:
        return True
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        return isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None
    return False


# Names whose truth is an access decision: who the caller is and what they may do.
_ACCESS_NAMES = frozenset(
    {
        "is_authenticated",
        "is_anonymous",
        "is_superuser",
        "is_staff",
        "is_admin",
        "has_perm",
        "has_perms",
        "has_permission",
        "has_object_permission",
        "has_module_perms",
        "check_password",
        "verify_password",
        "authenticate",
        "is_authorized",
        "authorized",
        "check_permission",
        "check_permissions",
        "compare_digest",
        "verify_signature",
        "check_signature",
        "verify_token",
        "check_token",
        "validate_token",
        "check_csrf",
    }
)
_REQUEST_NAMES = frozenset({"request", "req"})
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
        "user",
        "body",
        "params",
        "match_info",
        "path_params",
    }
)


_CAPABILITY_OWNERS = frozenset({"features", "feature", "capabilities", "capability", "backend", "dialect"})


_SETTINGS_OWNERS = frozenset({"config", "settings", "conf", "configuration", "options"})
# Parts of a request that the web framework itself fills in before the handler runs.
_FRAMEWORK_CONTAINERS = frozenset(
    {
        "GET",
        "POST",
        "args",
        "form",
        "values",
        "headers",
        "cookies",
        "COOKIES",
        "files",
        "FILES",
        "META",
        "query_params",
        "params",
        "match_info",
        "path_params",
    }
)


def _capability_flag(node: ast.AST) -> bool:
    """``connection.features.can_return_rows``: what a backend can do, not what a user may;
    ``hs.config.email.can_verify_email``: what the deployment is configured to do."""
    owner = node.value if isinstance(node, ast.Attribute) else None
    name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
    if name in _CAPABILITY_OWNERS:
        return True
    while isinstance(owner, ast.Attribute):
        if owner.attr in _SETTINGS_OWNERS:
            return True
        owner = owner.value
    return isinstance(owner, ast.Name) and owner.id in _SETTINGS_OWNERS


def _container_presence(test: ast.expr) -> bool:
    """``assert request.args is not None``: the framework has parsed the query string (a hint
    for type checkers), no decision on what the client sent."""
    if not (_is_type_narrowing(test) and isinstance(test, ast.Compare)):
        return False
    subject = test.left
    return (
        isinstance(subject, ast.Attribute)
        and subject.attr in _FRAMEWORK_CONTAINERS
        and isinstance(subject.value, ast.Name)
        and subject.value.id in _REQUEST_NAMES
    )


def _access_check(test: ast.expr) -> str | None:
    """What makes ``test`` an access or request-validation decision, or None."""
    if _container_presence(test):
        return None
    for node in ast.walk(test):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name is None:
            continue
        if name in _ACCESS_NAMES or (name.startswith("can_") and not _capability_flag(node)):
            return f"an access decision (`{name}`)"
        if isinstance(node, ast.Attribute) and node.attr in _REQUEST_PARTS:
            root = node.value
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name) and root.id in _REQUEST_NAMES:
                return f"a check on request data (`{root.id}.{node.attr}`)"
    return None


@rule(
    id="SR108",
    name="assert-guards-access",
    cwe=617,
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=(),
    ruff=(),
    relevant_in_tests=False,
    summary="An `assert` makes an authentication, authorization or request-validation decision.",
    why="Assertions are compiled out under `python -O` / `PYTHONOPTIMIZE`: a permission check, a "
    "password or token comparison, or a check on a request value written as `assert` stops "
    "protecting anything in such deployments, and the code after it runs for everyone. "
    "`assert request.args is not None` (a part of the request the framework fills in, asserted "
    "for type checkers) and a `can_*` flag read from a configuration object are not decisions.",
    bad="def delete(request, doc):\n    assert request.user.has_perm('docs.delete')\n    doc.delete()",
    good="def delete(request, doc):\n    if not request.user.has_perm('docs.delete'):\n"
    "        raise PermissionDenied\n    doc.delete()",
)
def assert_guards_access(ctx: RuleContext) -> Iterator[Finding]:
    for node in ctx.facts.nodes(ast.Assert):
        assert isinstance(node, ast.Assert)
        decision = _access_check(node.test)
        if decision is not None:
            yield assert_guards_access.finding(
                ctx,
                node,
                f"`assert {short(ctx.segment(node.test))}` is {decision} and is removed under `python -O`; "
                "raise an exception instead",
            )


@rule(
    id="SR103",
    name="assert-used",
    cwe=703,
    severity=LOW,
    confidence=HIGH,
    bandit=("B101",),
    ruff=("S101",),
    relevant_in_tests=False,
    default_enabled=False,
    profiles=("quality",),
    summary="`assert` in production code disappears under `python -O` (quality profile).",
    why="Assertions are compiled out when Python runs with optimisation (`-O`, `PYTHONOPTIMIZE`). "
    "Most assertions state internal invariants or narrow types, so this rule is in the `quality` "
    "profile, not the default security report; an assertion that makes an access or "
    "request-validation decision is SR108, which is on by default. "
    "Test code is not reported: assertions are how tests check.",
    bad="def withdraw(account, amount):\n    assert amount > 0\n    account.balance -= amount",
    good="def withdraw(account, amount):\n    if amount <= 0:\n        raise ValueError(amount)\n"
    "    account.balance -= amount",
)
def assert_used(ctx: RuleContext) -> Iterator[Finding]:
    for node in ctx.facts.nodes(ast.Assert):
        assert isinstance(node, ast.Assert)
        if _access_check(node.test) is not None:
            continue  # SR108's finding
        narrowing = _is_type_narrowing(node.test)
        yield assert_used.finding(
            ctx,
            node,
            f"`assert {short(ctx.segment(node.test))}` is removed under `python -O`; "
            "raise an exception if this check must hold in production",
            confidence=LOW if narrowing else None,
        )


_BIND_CALLS = frozenset(
    {
        "bind",
        "listen",
        "run",
        "run_simple",
        "run_app",
        "serve",
        "create_server",
        "start_server",
        "make_server",
        "start_http_server",
        "TCPServer",
        "UDPServer",
        "ThreadingTCPServer",
        "ThreadingUDPServer",
        "HTTPServer",
        "ThreadingHTTPServer",
        "WSGIServer",
        "SimpleXMLRPCServer",
        "TCPSite",
        "Server",
        "Config",
    }
)
_BIND_WORDS = frozenset({"host", "bind", "listen", "interface", "iface"})
# ``address=`` alone is as often a peer address (``sendto``); it counts with a local qualifier.
_ADDRESS_WORDS = frozenset({"address", "addr", "ip"})
_LOCAL_WORDS = frozenset({"bind", "listen", "local", "server", "serve", "host"})
_NOT_BIND_WORDS = frozenset({"allowed", "trusted", "proxy", "remote", "client", "peer", "target", "dest", "default"})
_ANY_ADDRESS = frozenset({"0.0.0.0", "::"})


def _bind_name(name: str) -> bool:
    words = set(identifier_words(name))
    if words & _NOT_BIND_WORDS:
        return False
    return bool(words & _BIND_WORDS or (words & _ADDRESS_WORDS and words & _LOCAL_WORDS))


_CLIENT_WORDS = frozenset({"connect", "connected", "connection", "client", "query", "resolve", "outgoing", "send"})
_MULTICAST = re.compile(
    r"joinGroup|IP_ADD_MEMBERSHIP|IPV6_JOIN_GROUP|listenMulticast|add_membership"
    r"|[\"'](?:22[4-9]|23\d)\.\d{1,3}\.\d{1,3}\.\d{1,3}[\"']|[\"']ff[0-9a-f]{2}:[0-9a-f:]*[\"']",
    re.IGNORECASE,
)


def _ephemeral_port(address: ast.Tuple) -> bool:
    """``("", 0)``: the system picks a free port — a client's local end, not a service."""
    port = address.elts[1] if len(address.elts) > 1 else None
    return isinstance(port, ast.Constant) and port.value == 0


def _multicast_receiver(ctx: RuleContext, node: ast.AST) -> bool:
    """The function (or module) joins a multicast group or names one: a multicast receiver
    binds the any-address to get the group's datagrams."""
    function = ctx.facts.enclosing_function(node)
    if function is not None:
        return bool(_MULTICAST.search(ctx.segment(function)))
    module_level = (
        statement
        for statement in ctx.facts.tree.body  # type: ignore[attr-defined]
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    )
    return any(_MULTICAST.search(ctx.segment(statement)) for statement in module_level)


def _client_call(call: ast.Call) -> bool:
    """``self._connectedProtocol(interface="::")``: the local end of an outgoing connection."""
    return bool(set(identifier_words(callee_tail(call) or "")) & _CLIENT_WORDS)


def _bind_context(ctx: RuleContext, const: ast.Constant) -> str | None:
    """How the any-address literal is used for binding, or None if it is not (or the socket
    is a client's or a multicast receiver's)."""
    node: ast.AST = const
    parent = ctx.facts.parent(node)
    if isinstance(parent, ast.Tuple):  # ("0.0.0.0", 8080)
        if _ephemeral_port(parent):
            return None
        node, parent = parent, ctx.facts.parent(parent)
    if _multicast_receiver(ctx, node):
        return None
    if isinstance(parent, ast.keyword):
        call = ctx.facts.parent(parent)
        if isinstance(call, ast.Call) and _client_call(call):
            return None
        return f"`{parent.arg}=`" if _bind_name(parent.arg or "") else None
    if isinstance(parent, ast.Call) and node in parent.args:
        tail = callee_tail(parent)
        if tail in _BIND_CALLS:
            return f"`{ctx.facts.spelled(parent.func)}`"
        return None
    if isinstance(parent, (ast.Assign, ast.AnnAssign)) and node is parent.value:
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
            if name and _bind_name(name):
                return f"`{name}`"
        return None
    if isinstance(parent, ast.arguments):
        if _is_method(ctx, parent):
            return None  # the default of a class's API: each caller chooses the interface
        params = [*parent.posonlyargs, *parent.args]
        defaults = parent.defaults
        for param, default in zip(params[len(params) - len(defaults) :], defaults, strict=False):
            if default is node and _bind_name(param.arg):
                return f"the default of `{param.arg}`"
        for param, default in zip(parent.kwonlyargs, parent.kw_defaults, strict=False):
            if default is node and _bind_name(param.arg):
                return f"the default of `{param.arg}`"
    return None


def _is_method(ctx: RuleContext, arguments: ast.arguments) -> bool:
    function = ctx.facts.parent(arguments)
    return isinstance(ctx.facts.parent(function), ast.ClassDef) if function is not None else False


@rule(
    id="SR104",
    name="bind-all-interfaces",
    cwe=605,
    scope="module",  # a multicast receiver is recognised by group names anywhere in the module
    needs_module=lambda ctx: _binds_any_address(ctx),
    severity=MEDIUM,
    confidence=MEDIUM,
    bandit=("B104",),
    ruff=("S104",),
    summary="A server binds to every network interface (`0.0.0.0` / `::`).",
    why="Binding to the any-address exposes the service on every network the host is attached "
    "to, including public ones, rather than only on the interface it is meant for. Debug servers, "
    "admin endpoints and internal services become reachable from outside. Only literals used as a "
    "bind/listen address are reported, not every occurrence of the string, and not where no service "
    "listens: a client socket's local end (port 0, an address passed to a connect/client/query "
    "call), a multicast receiver (which must bind the any-address to get the group's datagrams) or "
    "the default of a class method's parameter (a library's default; each caller chooses).",
    bad="app.run(host='0.0.0.0')",
    good="app.run(host='127.0.0.1')  # or read the address from configuration",
)
def bind_all_interfaces(ctx: RuleContext) -> Iterator[Finding]:
    for call in ctx.facts.method_calls("bind"):
        address = call.args[0] if len(call.args) == 1 else None
        if isinstance(address, ast.Tuple) and address.elts:
            host = address.elts[0]
            if isinstance(host, ast.Constant) and host.value == "" and not _ephemeral_port(address):
                if _multicast_receiver(ctx, call):
                    continue
                yield bind_all_interfaces.finding(
                    ctx,
                    host,
                    f"the empty host in `{ctx.facts.spelled(call.func)}` binds to every network interface; "
                    "bind to a specific address (e.g. 127.0.0.1) or take it from configuration",
                )
    if "0.0.0.0" not in ctx.source.text and "::" not in ctx.source.text:
        return
    for node in ctx.facts.nodes(ast.Constant):
        assert isinstance(node, ast.Constant)
        if node.value not in _ANY_ADDRESS or not isinstance(node.value, str):
            continue
        where = _bind_context(ctx, node)
        if where is None:
            continue
        yield bind_all_interfaces.finding(
            ctx,
            node,
            f"{node.value!r} as {where} binds to every network interface; "
            "bind to a specific address (e.g. 127.0.0.1) or take it from configuration",
        )


def _binds_any_address(ctx: RuleContext) -> bool:
    """Whether the code holds something SR104 reports: a ``bind`` of an empty host, or the
    any-address written as a string. Where no code of the module does, it reports nothing."""
    for call in ctx.facts.method_calls("bind"):
        address = call.args[0] if len(call.args) == 1 else None
        if isinstance(address, ast.Tuple) and address.elts:
            host = address.elts[0]
            if isinstance(host, ast.Constant) and host.value == "":
                return True
    return any(
        isinstance(node.value, str) and node.value in _ANY_ADDRESS  # type: ignore[attr-defined]
        for node in ctx.facts.nodes(ast.Constant)
    )


def _is_broad_handler(ctx: RuleContext, handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    return ctx.facts.qualname(handler.type) in {"builtins.Exception", "builtins.BaseException"}


def _only_statement(handler: ast.ExceptHandler, kind: type[ast.stmt]) -> bool:
    body = handler.body
    if len(body) != 1:
        return False
    if kind is ast.Pass and isinstance(body[0], ast.Expr):
        value = body[0].value
        return isinstance(value, ast.Constant) and value.value is Ellipsis
    return isinstance(body[0], kind)


def _handler_label(ctx: RuleContext, handler: ast.ExceptHandler) -> str:
    return "except:" if handler.type is None else f"except {ctx.segment(handler.type)}:"


@rule(
    id="SR105",
    name="try-except-pass",
    cwe=703,
    severity=LOW,
    confidence=HIGH,
    bandit=("B110",),
    ruff=("S110",),
    relevant_in_tests=False,
    default_enabled=False,
    profiles=("quality",),
    summary="A broad `except` whose only statement is `pass` hides every error (quality profile).",
    why="Swallowing all exceptions hides failed security checks, half-written files and attacks "
    "in progress: the program carries on as if the guarded code had succeeded, and nothing is "
    "logged. Catch the specific exception you expect, or at least log it.",
    bad="try:\n    verify_signature(token)\nexcept Exception:\n    pass",
    good="try:\n    cleanup(tmp)\nexcept FileNotFoundError:\n    pass  # already gone",
)
def try_except_pass(ctx: RuleContext) -> Iterator[Finding]:
    for handler in ctx.facts.nodes(ast.ExceptHandler):
        assert isinstance(handler, ast.ExceptHandler)
        if _is_broad_handler(ctx, handler) and _only_statement(handler, ast.Pass):
            yield try_except_pass.finding(
                ctx,
                handler,
                f"`{_handler_label(ctx, handler)} pass` silently discards every error raised in the `try` "
                "block; catch the specific exception expected, or log it",
            )


@rule(
    id="SR106",
    name="try-except-continue",
    cwe=703,
    severity=LOW,
    confidence=HIGH,
    bandit=("B112",),
    ruff=("S112",),
    relevant_in_tests=False,
    default_enabled=False,
    profiles=("quality",),
    summary="A broad `except` whose only statement is `continue` hides every error in a loop (quality profile).",
    why="Every failure in the loop body, including failed checks, is skipped without a trace, so "
    "partial processing looks like success.",
    bad="for item in items:\n    try:\n        check(item)\n    except Exception:\n        continue",
    good="for item in items:\n    try:\n        check(item)\n    except ValueError as error:\n"
    "        log.warning('skipping %s: %s', item, error)\n        continue",
)
def try_except_continue(ctx: RuleContext) -> Iterator[Finding]:
    for handler in ctx.facts.nodes(ast.ExceptHandler):
        assert isinstance(handler, ast.ExceptHandler)
        if _is_broad_handler(ctx, handler) and _only_statement(handler, ast.Continue):
            yield try_except_continue.finding(
                ctx,
                handler,
                f"`{_handler_label(ctx, handler)} continue` silently skips every error in the loop; "
                "catch the specific exception expected, or log it",
            )


@rule(
    id="SR107",
    name="logging-config-listen",
    cwe=94,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B612",),
    ruff=("S612",),
    summary="`logging.config.listen()` without `verify=` accepts configuration from any local process.",
    why="The listener reads logging configuration from a socket and applies it; configuration can "
    "name arbitrary classes and callables to instantiate, so anyone who can connect to the port can "
    "run code in the process. Pass a `verify` callable that checks a signature.",
    bad="import logging.config\nthread = logging.config.listen(9999)",
    good="import logging.config\nthread = logging.config.listen(9999, verify=check_hmac_signature)",
)
def logging_config_listen(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to("logging.config.listen"):
        if keyword(call, "verify") is not None or len(call.args) >= 2:
            continue
        if any(kw.arg is None for kw in call.keywords):
            continue
        yield logging_config_listen.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` without `verify=` applies logging configuration from anyone who "
            "can connect to its port, which can instantiate arbitrary callables",
        )
