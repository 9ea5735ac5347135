"""Which parameters of a function carry request data, by web framework convention.

Flask/Quart route parameters (``@app.route("/u/<name>")``, converters ``int``/``float``/``uuid``
give clean values, and so do custom converters the project registers whose ``to_python`` returns
no unchecked part of the text: ``converters.py``), FastAPI path/query/body parameters (every parameter of a route handler
that is not typed as a number, a dependency or a framework object), Django views (a first
parameter named ``request``: the other positional parameters are URL captures), and request
objects (``request: Request`` in Starlette/FastAPI, ``request`` in Django views, a first parameter
``request`` in aiohttp and Pyramid/WebOb modules: ``TaintSpec.request_parameters``). The knowledge
of names lives in ``TaintSpec``; this module only reads function signatures. ``Entries`` keeps
the entry of each function of one module.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from ..facts import ModuleFacts, subtree
from ..source import parse_quietly
from .converters import TEXT_CONVERTERS, route_converters
from .request_models import text_fields
from .spec import SinkSpec, TaintSpec

_FLASK_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_FASTAPI_SKIP_DEFAULTS = frozenset({"Depends", "Security", "BackgroundTasks"})
LITERALS = frozenset({"typing.Literal", "typing_extensions.Literal"})
ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


@dataclass
class Entry:
    """What a function receives from the framework."""

    framework: str = ""  # "flask" | "fastapi" | "django" | ""
    tainted: dict[str, str] = field(default_factory=dict)  # param name → description
    objects: dict[str, str] = field(default_factory=dict)  # param name → request kind
    returns_html: bool = False  # a Flask view: a returned string is the HTML response body
    return_sinks: tuple[SinkSpec, ...] = ()  # what the framework does with the returned value
    # FastAPI ``v = Depends(read_q)``: param name → the module function whose return value it gets
    dependencies: dict[str, str] = field(default_factory=dict)
    # tainted parameters holding a parsed JSON document (FastAPI ``filters: dict``, ``Body()``)
    documents: set[str] = field(default_factory=set)
    # tainted parameters read from a header or a cookie (FastAPI ``Header()``): no line break
    line_values: set[str] = field(default_factory=set)
    # tainted parameters FastAPI fills with a request model or a JSON container (``form: ChatForm``,
    # ``ids: list[str]``): written whole as text, each field or item shows its ``repr``
    models: set[str] = field(default_factory=set)
    # request models known field by field (``request_models.py``): param name → the fields that
    # may hold the client's text (the others hold a number, a UUID, one of an ``Enum``'s members...)
    model_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # ``@aiohttp_jinja2.template("page.html")``: the decorator, and the renderer its returned
    # context is rendered by (the template file's unescaped writes are sinks)
    template_decorator: ast.Call | None = None
    template_renderer: SinkSpec | None = None


# Entry points whose returned value is the response body (a Django view returns a response object).
BODY_RETURNING = frozenset({"flask", "fastapi", "wsgi"})
# The kind of a WSGI application's ``start_response`` parameter: calling it sends the status and
# headers (``wsgi.start_response().__call__`` sinks).
START_RESPONSE = "wsgi.start_response()"
WSGI_ENVIRON = "wsgi.environ"
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_REQUEST_NAMES = frozenset({"request", "req"})
# First parameters (after ``self``) that can make a function a framework's entry by name alone.
_ENTRY_FIRST_PARAMETERS = _REQUEST_NAMES | {"environ"}
# Django middleware hooks: called with the request and framework objects (the view function,
# its arguments, the response, an exception), never with URL captures.
_MIDDLEWARE_HOOKS = frozenset(
    {"process_view", "process_response", "process_exception", "process_template_response", "process_request"}
)


def url_rules(facts: ModuleFacts, spec: TaintSpec) -> dict[str, dict[str, str]]:
    """Views registered with ``app.add_url_rule("/x/<name>", view_func=...)``: the function's name
    (or ``class:Name`` for ``Name.as_view(...)``) → its tainted route parameters."""
    found: dict[str, dict[str, str]] = {}
    for call in facts.method_calls("add_url_rule"):
        rule = call.args[0] if call.args else None
        for kw in call.keywords:
            if kw.arg == "rule":
                rule = kw.value
        view = call.args[2] if len(call.args) > 2 else None
        for kw in call.keywords:
            if kw.arg == "view_func":
                view = kw.value
        if not (isinstance(rule, ast.Constant) and isinstance(rule.value, str)) or view is None:
            continue
        if isinstance(view, ast.Name):
            key = view.id
        elif (
            isinstance(view, ast.Call)
            and isinstance(view.func, ast.Attribute)
            and view.func.attr == "as_view"
            and isinstance(view.func.value, ast.Name)
        ):
            key = f"class:{view.func.value.id}"
        else:
            continue
        params = found.setdefault(key, {})
        for converter, name in _FLASK_PARAM.findall(rule.value):
            if not (converter and converter in spec.clean_converters):
                params[name] = f"route parameter `{name}`"
    return found


def apply_url_rules(
    entry: Entry,
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    owner: ast.ClassDef | None,
    rules: dict[str, dict[str, str]],
) -> None:
    """Route parameters of a view registered by ``add_url_rule`` (a function, or a class's HTTP methods)."""
    if entry.framework:
        return
    key = f"class:{owner.name}" if owner is not None and fn.name in _HTTP_METHODS else fn.name
    params = rules.get(key)
    if params is None or (owner is not None and key == fn.name):
        return
    entry.framework = "flask"
    entry.returns_html = True
    names = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
    for name, description in params.items():
        if name in names:
            entry.tainted[name] = description


def _imports_any(facts: ModuleFacts, prefixes: tuple[str, ...], roots: set[str] | None = None) -> bool:
    """Whether the module imports from one of the top-level modules ``prefixes`` (``roots``:
    its imported top-level modules, when known)."""
    if roots is None:
        roots = facts.imports.imported_roots()
    return any(prefix in roots for prefix in prefixes)


#: Request attributes that are the matched URL path and nothing else (no query, no host).
ROUTE_PATH_SOURCES = frozenset({"flask.request.path", "quart.request.path"})


def static_route(facts: ModuleFacts, spec: TaintSpec, node: ast.AST) -> bool:
    """``node`` is in a view whose every route is a fixed path (``@app.route("/about")``): the
    path it was reached by is one of those texts, not the client's choice."""
    function = facts.enclosing_function(node)
    if function is None:
        return False
    paths = []
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute):
            if decorator.func.attr in spec.route_decorators:
                rule = (
                    decorator.args[0]
                    if decorator.args
                    else next((kw.value for kw in decorator.keywords if kw.arg in ("rule", "path")), None)
                )
                paths.append(rule.value if isinstance(rule, ast.Constant) else None)
    return bool(paths) and all(isinstance(path, str) and "<" not in path for path in paths)


def _framework_of(facts: ModuleFacts, receiver: ast.expr, path: str) -> str:
    """Guess the framework of a route decorator from its receiver and the module's imports."""
    owner = _assigned_from(facts, receiver)
    if owner:
        root = owner.split(".")[0]
        if root in ("fastapi", "starlette"):
            return "fastapi"
        if root in ("flask", "quart", "sanic"):
            return "flask"
    if "<" in path:
        return "flask"
    if "{" in path:
        return "fastapi"
    flask = _imports_any(facts, ("flask", "quart"))
    fastapi = _imports_any(facts, ("fastapi", "starlette"))
    if fastapi and not flask:
        return "fastapi"
    if flask:
        return "flask"
    return ""


def _assigned_from(facts: ModuleFacts, receiver: ast.expr) -> str | None:
    """``app`` in ``app = Flask(__name__)`` → ``flask.Flask`` (module-level assignments only)."""
    if not isinstance(receiver, ast.Name):
        return None
    call = facts.assigned_call(receiver.id)
    return facts.qualname(call.func) if call is not None else None


def _annotation_names(facts: ModuleFacts, node: ast.expr | None) -> list[str]:
    """Qualified names in an annotation; ``Annotated[int, Query()]`` → ``['int']``."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            parsed = parse_quietly(node.value, mode="eval")
        except (SyntaxError, RecursionError, MemoryError, ValueError):
            return []
        if not isinstance(parsed, ast.Expression):
            return []
        node = parsed.body
    if isinstance(node, ast.Subscript):
        outer = facts.qualname(node.value) or ""
        if outer.endswith("Annotated"):
            first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return _annotation_names(facts, first)
        if outer.endswith(".Literal"):
            return [outer]  # ``Literal["asc", "desc"]``: one of the constants written there
        if outer.endswith(("Optional", "Union")):
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return [n for part in inner for n in _annotation_names(facts, part)]
        return [outer] + [
            n
            for part in (node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice])
            for n in _annotation_names(facts, part)
        ]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _annotation_names(facts, node.left) + _annotation_names(facts, node.right)
    if isinstance(node, ast.Constant) and node.value is None:
        return ["None"]
    name = facts.qualname(node)
    if name is None and isinstance(node, ast.Name):
        return [node.id]
    if name is not None and name.startswith("builtins."):
        name = name[len("builtins.") :]
    return [name] if name else []


def _positional(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    return [*fn.args.posonlyargs, *fn.args.args]


def entry_for(
    facts: ModuleFacts,
    spec: TaintSpec,
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    is_method: bool,
    *,
    roots: set[str] | None = None,
) -> Entry:
    """The framework-provided inputs of ``fn``; ``roots``: the top-level modules the module
    imports (``ModuleIndex.imported_roots``), when known."""
    entry = Entry()
    params = _positional(fn)
    own = params[1:] if is_method and params else params
    everything = [*own, *fn.args.kwonlyargs]
    for arg in everything:
        if arg.annotation is None:
            continue
        for name in _annotation_names(facts, arg.annotation):
            if name in spec.request_annotations:
                entry.objects[arg.arg] = spec.request_annotations[name]
    if spec.template_decorators:
        _template_decorator(facts, spec, fn, entry)
    for decorator in fn.decorator_list:
        if isinstance(decorator, ast.Call) and facts.qualname(decorator.func) in spec.route_functions:
            _route_captures(spec, decorator, entry)
            break
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        if decorator.func.attr in spec.error_handler_decorators and _imports_any(facts, ("flask", "quart"), roots):
            entry.framework = "flask"  # ``@app.errorhandler(404)``: answers like a view, takes no URL parameter
            entry.returns_html = True
            break
        if decorator.func.attr not in spec.route_decorators:
            continue
        path_node = decorator.args[0] if decorator.args else None
        for kw in decorator.keywords:
            if kw.arg in ("rule", "path"):
                path_node = kw.value
        path = path_node.value if isinstance(path_node, ast.Constant) and isinstance(path_node.value, str) else ""
        framework = _framework_of(facts, decorator.func.value, path)
        if framework == "flask":
            entry.framework = "flask"
            entry.returns_html = True
            for converter, name in _FLASK_PARAM.findall(path):
                if converter and converter in spec.clean_converters:
                    continue
                entry.tainted[name] = f"route parameter `{name}`"
        elif framework == "fastapi":
            entry.framework = "fastapi"
            _fastapi_params(facts, spec, fn, everything, entry)
            entry.returns_html = _html_response_class(facts, decorator)
        break
    if (
        not entry.framework
        and own
        and own[0].arg == "request"
        and _imports_any(facts, ("django", "rest_framework"), roots)
    ):
        entry.framework = "django"
        entry.objects.setdefault("request", "django.request")
        if is_method and fn.name == "process_view":
            for arg in own[2:4]:  # (request, view_func, view_args, view_kwargs)
                entry.tainted[arg.arg] = "URL parameters"
        elif _returns_a_value(fn) and not (is_method and fn.name in _MIDDLEWARE_HOOKS):
            # a view: its other parameters are captured from the URL
            objects = _used_as_objects(fn, spec.string_methods)
            for arg in own[1:]:
                if arg.arg not in objects and arg.arg not in _EXCEPTION_PARTS and arg.arg not in _VIEW_SETTINGS:
                    entry.tainted[arg.arg] = f"URL parameter `{arg.arg}`"
            if fn.args.vararg is not None:
                entry.tainted[fn.args.vararg.arg] = "URL parameters"
            if fn.args.kwarg is not None:
                entry.tainted[fn.args.kwarg.arg] = "URL parameters"
    if not entry.framework and _wsgi_application(own):
        entry.framework = "wsgi"
        entry.tainted["environ"] = "WSGI environment"
        entry.objects["environ"] = WSGI_ENVIRON  # its CGI-style server entries are no source
        entry.objects[own[1].arg] = START_RESPONSE
        if spec.wsgi_body_sinks and _declares_html(fn, own[1].arg):
            entry.return_sinks = spec.wsgi_body_sinks
    if not entry.framework and spec.resolver_modules and _imports_any(facts, spec.resolver_modules, roots):
        _graphql_arguments(facts, spec, fn, params, entry)
    if not entry.objects and own and own[0].arg in _REQUEST_NAMES:
        for root, kind in spec.request_parameters:
            if _imports_any(facts, (root,), roots):
                entry.objects[own[0].arg] = kind
                _responder_fields(spec, fn, is_method, own, kind, entry)
                break
    return entry


def _responder_fields(
    spec: TaintSpec,
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    is_method: bool,
    own: list[ast.arg],
    kind: str,
    entry: Entry,
) -> None:
    """A responder method's parameters after the framework's (``on_get(self, req, resp, name)``
    in Falcon): the fields of its route's URI template."""
    for responder_kind, prefix, given in spec.responder_captures:
        if kind == responder_kind and is_method and fn.name.startswith(prefix):
            for arg in own[given:]:
                entry.tainted.setdefault(arg.arg, f"URL parameter `{arg.arg}`")
            if fn.args.kwarg is not None:
                entry.tainted.setdefault(fn.args.kwarg.arg, "URL parameters")


def _graphql_arguments(
    facts: ModuleFacts, spec: TaintSpec, fn: ast.FunctionDef | ast.AsyncFunctionDef, params: list[ast.arg], entry: Entry
) -> None:
    """A GraphQL resolver's parameters holding the query's arguments: those after ``(parent, info)``
    of a ``resolve_<field>`` / ``mutate`` function, or all but ``self`` / ``root`` / ``info`` of a
    function a resolver decorator declares (``@strawberry.field``). Typed numbers stay clean."""
    decorated = any(facts.qualname(_callee(d)) in spec.resolver_decorators for d in fn.decorator_list)
    named = _resolver_name(spec, fn.name) and len(params) >= 2 and params[1].arg == "info"
    if not (decorated or named):
        return
    arguments = params[2:] if named else [a for a in params if a.arg not in _RESOLVER_CONTEXT]
    for arg in [*arguments, *fn.args.kwonlyargs]:
        if arg.arg in _RESOLVER_CONTEXT or _clean_annotation(facts, spec, arg.annotation):
            continue
        entry.tainted[arg.arg] = f"GraphQL argument `{arg.arg}`"
    if fn.args.kwarg is not None:
        entry.tainted[fn.args.kwarg.arg] = "GraphQL arguments"
    if entry.tainted:
        entry.framework = "graphql"


_RESOLVER_CONTEXT = frozenset({"self", "cls", "root", "parent", "obj", "info"})


def _resolver_name(spec: TaintSpec, name: str) -> bool:
    return name.startswith("resolve_") or name in spec.resolver_names


def _callee(decorator: ast.expr) -> ast.expr:
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def _clean_annotation(facts: ModuleFacts, spec: TaintSpec, annotation: ast.expr | None) -> bool:
    """A parameter annotated with a non-text type the GraphQL library converts to (``int``)
    or the library's context object (``strawberry.Info``)."""
    if annotation is None:
        return False
    names = _annotation_names(facts, annotation)
    return bool(names) and all(n in spec.clean_annotations or n == "None" or n.endswith(".Info") for n in names)


def _url_groups(fn: ast.FunctionDef | ast.AsyncFunctionDef, entry: Entry) -> None:
    """The parameters after ``self`` of a handler method: the groups its URL pattern captured."""
    for arg in _positional(fn)[1:]:
        entry.tainted.setdefault(arg.arg, f"URL parameter `{arg.arg}`")
    if fn.args.vararg is not None:
        entry.tainted.setdefault(fn.args.vararg.arg, "URL parameters")
    if fn.args.kwarg is not None:
        entry.tainted.setdefault(fn.args.kwarg.arg, "URL parameters")


def _template_decorator(
    facts: ModuleFacts, spec: TaintSpec, fn: ast.FunctionDef | ast.AsyncFunctionDef, entry: Entry
) -> None:
    """A handler whose returned dict is the context of a template its decorator names."""
    for decorator in fn.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        renderer_name = spec.template_decorators.get(facts.qualname(decorator.func) or "")
        renderer = next((r for r in spec.template_renderers if r.name == renderer_name), None)
        if renderer is not None:
            entry.template_decorator = decorator
            entry.template_renderer = renderer
            return


def _declares_html(fn: ast.FunctionDef | ast.AsyncFunctionDef, start_response: str) -> bool:
    """The application calls ``start_response(status, headers)`` with a ``Content-Type`` header
    naming HTML, written in the call or in a list assigned in the function: its body is a page."""
    lists: dict[str, ast.expr] = {}
    calls: list[ast.Call] = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            lists[node.targets[0].id] = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == start_response:
            calls.append(node)
    for call in calls:
        headers = call.args[1] if len(call.args) > 1 else None
        if isinstance(headers, ast.Name):
            headers = lists.get(headers.id)
        if not isinstance(headers, (ast.List, ast.Tuple)):
            continue
        for header in headers.elts:
            if (
                isinstance(header, ast.Tuple)
                and len(header.elts) == 2
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in header.elts)
                and str(header.elts[0].value).lower() == "content-type"  # type: ignore[attr-defined]
                and "html" in str(header.elts[1].value).lower()  # type: ignore[attr-defined]
            ):
                return True
    return False


def _wsgi_application(own: list[ast.arg]) -> bool:
    """``def application(environ, start_response)`` (or a ``__call__`` taking them): a WSGI
    application, whose ``environ`` is the client's request (query string, headers, body)."""
    return [arg.arg for arg in own[:2]] == ["environ", "start_response"]


_STR_ATTRIBUTES = frozenset(dir(str))
# Parameters named for the parts of ``sys.exc_info()``: an error page's helper taking
# ``(request, exc_type, exc_value, tb)`` is handed a raised exception by the framework, never a
# URL capture.
_EXCEPTION_PARTS = frozenset(
    {"exc_type", "exc_value", "exc_tb", "exc_info", "etype", "evalue", "tb", "exc_traceback", "exception", "exc"}
)
# Keyword arguments a URLconf or the settings hand a Django view (``path("x/", view,
# {"template_name": ...})``, ``handler404``'s ``template_name``): the project's choice, never
# text captured from the URL.
_VIEW_SETTINGS = frozenset({"template_name", "template_engine", "extra_context", "content_type", "redirect_field_name"})


def _returns_a_value(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A view returns its response; a helper taking the request that returns nothing
    (``login(request, user)``) is not a view."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
    return False


def _used_as_objects(fn: ast.FunctionDef | ast.AsyncFunctionDef, text_methods: frozenset[str]) -> set[str]:
    """Names the function calls or reads attributes of other than text methods: a parameter
    used as ``user._meta`` or ``view_func(...)`` is an object the caller passed, not text
    captured from the URL."""
    found: set[str] = set()
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.attr not in text_methods
            and node.attr not in _STR_ATTRIBUTES
        ):
            found.add(node.value.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found.add(node.func.id)
    return found


def _route_path(facts: ModuleFacts, spec: TaintSpec, decorator: ast.expr) -> str:
    """The path of a route decorator (``@bp.route("/x/<id>")``, ``@route(path=...)``); '' otherwise."""
    if not isinstance(decorator, ast.Call):
        return ""
    if facts.qualname(decorator.func) in spec.route_functions:
        keywords = ("path",)
    elif isinstance(decorator.func, ast.Attribute) and decorator.func.attr in spec.route_decorators:
        keywords = ("rule", "path")
    else:
        return ""
    path_node = decorator.args[0] if decorator.args else None
    for kw in decorator.keywords:
        if kw.arg in keywords:
            path_node = kw.value
    return path_node.value if isinstance(path_node, ast.Constant) and isinstance(path_node.value, str) else ""


def _route_captures(spec: TaintSpec, decorator: ast.Call, entry: Entry) -> None:
    """``@route("/hello/<name>")`` of a module-level route function: Flask-like captures."""
    path_node = decorator.args[0] if decorator.args else None
    for kw in decorator.keywords:
        if kw.arg == "path":
            path_node = kw.value
    path = path_node.value if isinstance(path_node, ast.Constant) and isinstance(path_node.value, str) else ""
    entry.framework = "flask"
    entry.returns_html = True
    for converter, name in _FLASK_PARAM.findall(path):
        if not (converter and converter in spec.clean_converters):
            entry.tainted[name] = f"route parameter `{name}`"


def _fastapi_params(
    facts: ModuleFacts,
    spec: TaintSpec,
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    params: list[ast.arg],
    entry: Entry,
) -> None:
    positional = _positional(fn)
    defaults: dict[str, ast.expr] = {}
    for arg, default in zip(positional[len(positional) - len(fn.args.defaults) :], fn.args.defaults, strict=False):
        defaults[arg.arg] = default
    for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=False):
        if default is not None:
            defaults[arg.arg] = default
    enums = enum_classes(facts)
    nodes = {node.name: node for node in facts.nodes(ast.ClassDef) if isinstance(node, ast.ClassDef)}
    classes = set(nodes) - enums
    for arg in params:
        if arg.arg in entry.objects or arg.arg in ("self", "cls"):
            continue
        default = defaults.get(arg.arg)
        if isinstance(default, ast.Call):
            callee = (facts.qualname(default.func) or "").rsplit(".", 1)[-1]
            if callee in _FASTAPI_SKIP_DEFAULTS:
                provider = _dependency_function(default)
                if provider is not None:
                    entry.dependencies[arg.arg] = provider
                continue
        names = [n for n in _annotation_names(facts, arg.annotation) if n != "None"]
        if any(_is_dependency(facts, arg.annotation) for _ in (0,)):
            continue
        if names and all(_constant_choice(spec, n, enums) for n in names):
            continue
        if any(n.rsplit(".", 1)[-1] in _FASTAPI_SKIP_DEFAULTS for n in names):
            continue
        entry.tainted[arg.arg] = f"request parameter `{arg.arg}`"
        if _header_parameter(facts, arg.annotation, default):
            entry.line_values.add(arg.arg)
        if _document_parameter(facts, spec, arg.annotation, names, default):
            entry.documents.add(arg.arg)
        if _model_parameter(facts, arg.annotation, names, classes):
            entry.models.add(arg.arg)
            model = nodes.get(names[0]) if len(names) == 1 and names[0] in classes else None
            known = None if model is None else text_fields(facts, model, nodes, scalar_field(facts, spec, enums))
            if known is not None:
                entry.model_fields[arg.arg] = known


# Containers whose text is the ``repr`` of each item (``str(["a\\nb"])`` is ``['a\\nb']``).
_REPR_CONTAINERS = frozenset(
    {"dict", "list", "set", "frozenset", "tuple", "Dict", "List", "Set", "FrozenSet", "Tuple", "Mapping", "Sequence"}
)
# Modules whose classes are values FastAPI reads as text or a scalar (``pydantic.HttpUrl``,
# ``datetime.date``, ``starlette`` and ``fastapi`` markers), not request models.
_TEXT_CLASS_MODULES = frozenset({"typing", "typing_extensions", "pydantic", "fastapi", "starlette", "annotated_types"})


def _model_parameter(facts: ModuleFacts, annotation: ast.expr | None, names: list[str], classes: set[str]) -> bool:
    """A FastAPI parameter annotated with a request model or a JSON container: a class the module
    defines (not an ``Enum``), a class imported from the application's own modules (a pydantic
    model; FastAPI accepts no other class as a body), or ``dict`` / ``list[...]`` and their kin.
    Written whole as text (``f"{form}"``, ``str(form)``), pydantic models and containers show each
    field or item as its ``repr``."""
    if annotation is None or not names:
        return False
    outer = names[0]
    if outer.endswith("Annotated"):
        return False
    if outer.rsplit(".", 1)[-1] in _REPR_CONTAINERS and outer.split(".", 1)[0] in ("builtins", "typing", outer):
        return True
    if len(names) != 1:
        return False
    if outer in classes:
        return True
    module, _, last = outer.rpartition(".")
    top = module.split(".", 1)[0]
    return bool(module) and last[:1].isupper() and top not in _TEXT_CLASS_MODULES and top not in sys.stdlib_module_names


def _constant_choice(spec: TaintSpec, name: str, enums: frozenset[str]) -> bool:
    """An annotation FastAPI validates the value against so that no text of the client's own is
    left: a number, a UUID, a date (the table), one of the constants of a ``Literal``, or a member
    of an ``Enum`` the module defines (its value is the class's constant)."""
    return name in spec.clean_annotations or name in LITERALS or name in enums


def scalar_field(facts: ModuleFacts, spec: TaintSpec, enums: frozenset[str]) -> Callable[[ast.expr | None], bool]:
    """Whether a model field's annotation holds no text of the client's own (``_constant_choice``,
    a bare container excepted: its items may be text)."""

    def scalar(annotation: ast.expr | None) -> bool:
        names = [n for n in _annotation_names(facts, annotation) if n != "None"]
        return bool(names) and all(n not in _CONTAINER_ANNOTATIONS and _constant_choice(spec, n, enums) for n in names)

    return scalar


_CONTAINER_ANNOTATIONS = frozenset({"list", "typing.List"})


def enum_classes(facts: ModuleFacts) -> frozenset[str]:
    """Names of the module's classes derived from ``enum.Enum`` (directly, through another of the
    module's classes, or with a ``str``/``int`` mix-in)."""
    classes = {node.name: node for node in facts.nodes(ast.ClassDef) if isinstance(node, ast.ClassDef)}
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, node in classes.items():
            if name in found:
                continue
            for base in node.bases:
                qualified = facts.qualname(base)
                local = base.id if isinstance(base, ast.Name) and qualified is None else None
                if qualified in ENUM_BASES or (local is not None and local in found):
                    found.add(name)
                    changed = True
                    break
    return frozenset(found)


def _header_parameter(facts: ModuleFacts, annotation: ast.expr | None, default: ast.expr | None) -> bool:
    """A FastAPI parameter given ``Header()`` or ``Cookie()`` (as its default or in ``Annotated``):
    a header's value, which holds no line break."""
    marks = [default]
    if isinstance(annotation, ast.Subscript) and (facts.qualname(annotation.value) or "").endswith("Annotated"):
        if isinstance(annotation.slice, ast.Tuple):
            marks.extend(annotation.slice.elts[1:])
    return any(
        isinstance(mark, ast.Call) and (facts.qualname(mark.func) or "").rsplit(".", 1)[-1] in ("Header", "Cookie")
        for mark in marks
    )


def _document_parameter(
    facts: ModuleFacts, spec: TaintSpec, annotation: ast.expr | None, names: list[str], default: ast.expr | None
) -> bool:
    """A FastAPI parameter the client fills with a JSON value that may be an object: annotated
    as a mapping (``dict``, ``dict[str, Any]``, ``list[dict]``), or marked as the body
    (``= Body()``, ``Annotated[Any, Body()]``) with no annotation or ``Any``: not a scalar or model."""
    named = [name.removeprefix("builtins.") for name in names]
    if any(name in spec.document_annotations for name in named):
        return True  # ``dict``, ``dict[str, Any]``, ``list[dict]``: objects are expected
    markers = [default] if isinstance(default, ast.Call) else []
    if isinstance(annotation, ast.Subscript) and (facts.qualname(annotation.value) or "").endswith("Annotated"):
        if isinstance(annotation.slice, ast.Tuple):
            markers.extend(m for m in annotation.slice.elts[1:] if isinstance(m, ast.Call))
    if not any(facts.qualname(m.func) in spec.document_markers for m in markers):  # type: ignore[attr-defined]
        return False
    return all(name == "typing.Any" for name in named)  # no annotation, or ``Any``


def _html_response_class(facts: ModuleFacts, decorator: ast.Call) -> bool:
    """``@app.get("/x", response_class=HTMLResponse)``: the returned string is the HTML body."""
    for kw in decorator.keywords:
        if kw.arg == "response_class":
            return (facts.qualname(kw.value) or "").endswith("HTMLResponse")
    return False


def _dependency_function(call: ast.Call) -> str | None:
    """``Depends(read_q)``: the name of the function FastAPI calls for the value."""
    target = call.args[0] if call.args else next((kw.value for kw in call.keywords if kw.arg == "dependency"), None)
    return target.id if isinstance(target, ast.Name) else None


def dependency_functions(facts: ModuleFacts) -> set[str]:
    """Names of the functions a module hands to ``Depends(...)`` / ``Security(...)``: FastAPI calls
    them with request parameters, as it calls a route."""
    names: set[str] = set()
    for call in facts.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        callee = (facts.qualname(call.func) or "").rsplit(".", 1)[-1]
        if callee in ("Depends", "Security"):
            provider = _dependency_function(call)
            if provider is not None:
                names.add(provider)
    return names


def _is_dependency(facts: ModuleFacts, annotation: ast.expr | None) -> bool:
    """``Annotated[Session, Depends(get_db)]``."""
    if not isinstance(annotation, ast.Subscript) or not isinstance(annotation.slice, ast.Tuple):
        return False
    for extra in annotation.slice.elts[1:]:
        if isinstance(extra, ast.Call):
            callee = (facts.qualname(extra.func) or "").rsplit(".", 1)[-1]
            if callee in _FASTAPI_SKIP_DEFAULTS:
                return True
    return False


def handler_kind(
    facts: ModuleFacts, spec: TaintSpec, cls: ast.ClassDef, classes: dict[str, ast.ClassDef]
) -> str | None:
    """The request-handler kind of a class (``http.server.BaseHTTPRequestHandler`` subclasses ...)."""
    return next((spec.handler_bases[name] for name in _bases(facts, cls, classes) if name in spec.handler_bases), None)


# Django's data classes (by their public and their defining module's names): not views.
_DJANGO_DATA_CLASSES = frozenset(
    {"django.db.models.Model", "django.db.models.base.Model", "django.db.models.Manager",
     "django.db.models.manager.Manager", "django.db.models.QuerySet", "django.db.models.query.QuerySet",
     "django.forms.Form", "django.forms.forms.Form", "django.forms.ModelForm", "django.forms.models.ModelForm",
     "django.forms.BaseForm", "django.forms.forms.BaseForm"}
)  # fmt: skip


# Django's admin classes: their methods receive the request and the program's own objects (the
# selected records of an action's ``queryset``, the edited ``obj`` and ``form``); of the
# parameters after the request only those the admin's URL patterns capture are request text.
_DJANGO_ADMIN_CLASSES = frozenset(
    {"django.contrib.admin.ModelAdmin", "django.contrib.admin.options.ModelAdmin",
     "django.contrib.admin.options.BaseModelAdmin", "django.contrib.admin.options.InlineModelAdmin",
     "django.contrib.admin.TabularInline", "django.contrib.admin.options.TabularInline",
     "django.contrib.admin.StackedInline", "django.contrib.admin.options.StackedInline",
     "django.contrib.admin.AdminSite", "django.contrib.admin.sites.AdminSite"}
)  # fmt: skip
_ADMIN_URL_CAPTURES = frozenset({"object_id", "app_label"})


def base_names(facts: ModuleFacts, cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> set[str]:
    """The qualified names of a class's bases, through the bases defined in the module."""
    return set(_bases(facts, cls, classes))


def _bases(facts: ModuleFacts, cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> Iterator[str]:
    """The qualified names of a class's bases, depth first through the bases defined in the module
    (each class visited once, so a cycle of names ends)."""
    seen: set[str] = set()
    stack = [cls]
    while stack:
        current = stack.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        for base in current.bases:
            name = facts.qualname(base)
            if name is not None:
                yield name
            if isinstance(base, ast.Name) and base.id in classes:
                stack.append(classes[base.id])


class Entries:
    """The framework entry of each function of one module, computed once (and kept by the memo
    across versions of a document, keyed by the function's node)."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        *,
        owner_class: dict[ast.AST, ast.ClassDef],
        imported_roots: set[str],
        called_directly: Callable[[], AbstractSet[str]],
        kept: dict[tuple[ast.AST, bool, bool], Entry] | None,
        clean_converter: Callable[[str], bool] | None = None,
    ) -> None:
        self.facts = facts
        self.clean_converter = clean_converter  # a custom URL converter's name → it gives clean values
        self.spec = spec
        self.owner_class = owner_class
        self.called_directly = called_directly
        self.kept = kept
        self.url_rules = url_rules(facts, spec) if "flask" in imported_roots else {}
        self.dependencies = dependency_functions(facts) if "fastapi" in imported_roots else set()
        self.imported_roots = imported_roots
        self._entries: dict[tuple[ast.AST, bool], Entry] = {}
        self._classes: dict[str, ast.ClassDef] | None = None  # the classes with a method, by name
        self._risky_names: dict[str, bool] = {}  # identifier → may an annotation naming it be a request's
        self._returning_methods = frozenset(method for _, method, _ in spec.method_return_sinks)

    def keep_in(self, kept: dict[tuple[ast.AST, bool, bool], Entry]) -> None:
        """Use the memo's table (after it dropped what the new version no longer has)."""
        self.kept = kept

    def entry(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> Entry:
        key = (fn, is_method)
        known = self._entries.get(key)
        if known is None:
            direct = self._called_here(fn, is_method)
            if self.kept is None:
                known = self._compute(fn, is_method, direct)
            else:
                known = self.kept.get((fn, is_method, direct))
                if known is None:
                    known = self.kept[(fn, is_method, direct)] = self._compute(fn, is_method, direct)
            self._entries[key] = known
        return known

    def _called_here(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> bool:
        """Whether the module calls ``fn`` itself. The ``get`` / ``post`` ... of a class derived
        from another (a view) is the framework's to call: ``params.get(...)`` or
        ``requests.post(...)`` elsewhere do not call it, ``self.get(...)`` in its class does."""
        owner = self.owner_class.get(fn)
        if not (is_method and owner is not None and owner.bases and fn.name in _HTTP_METHODS):
            return fn.name in self.called_directly()
        first = min([owner.lineno, *(d.lineno for d in owner.decorator_list)])
        last = owner.end_lineno or owner.lineno
        return any(
            isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in ("self", "cls")
            and first <= call.lineno <= last
            for call in self.facts.method_calls(fn.name)
        )

    def _compute(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool, called_here: bool) -> Entry:
        entry = entry_for(self.facts, self.spec, fn, is_method, roots=self.imported_roots)
        if entry.framework == "django" and entry.tainted and called_here:
            entry.tainted = {}  # a helper taking the request, called with values of this module
        if entry.framework == "django" and entry.tainted and is_method:
            bases = self._owner_bases(fn)
            if not bases.isdisjoint(_DJANGO_DATA_CLASSES):
                entry.tainted = {}  # a model's or a form's method the program calls with its own values
            elif not bases.isdisjoint(_DJANGO_ADMIN_CLASSES) and not self._routed_by_its_class(fn):
                entry.tainted = {name: why for name, why in entry.tainted.items() if name in _ADMIN_URL_CAPTURES}
        if entry.framework == "flask" and entry.tainted and self.clean_converter is not None:
            self._drop_clean_converted(fn, entry)
        if self.url_rules:
            apply_url_rules(entry, fn, self.owner_class.get(fn), self.url_rules)
        if not entry.framework and not is_method and fn.name in self.dependencies:
            entry.framework = "fastapi"  # a dependency: FastAPI fills its parameters from the request
            _fastapi_params(self.facts, self.spec, fn, [*_positional(fn), *fn.args.kwonlyargs], entry)
        owner = self.owner_class.get(fn)
        if is_method and owner is not None and fn.name in _HTTP_METHODS and self.spec.capturing_handlers:
            if handler_kind(self.facts, self.spec, owner, self._method_classes()) in self.spec.capturing_handlers:
                _url_groups(fn, entry)
        if is_method and owner is not None and fn.name in self._returning_methods:
            bases = base_names(self.facts, owner, self._method_classes())
            entry.return_sinks = tuple(
                sink for base, method, sink in self.spec.method_return_sinks if method == fn.name and base in bases
            )
        return entry

    def _owner_bases(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        """The qualified base names of the class ``fn`` is a method of. A Django model, manager,
        query set or form is never routed to by URL patterns (its parameters after a ``request``
        are the program's arguments), nor is an admin class beyond its URL captures."""
        owner = self.owner_class.get(fn)
        if owner is None or not owner.bases:
            return set()
        return base_names(self.facts, owner, self._method_classes())

    def _routed_by_its_class(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Whether ``fn``'s class hands ``self.<fn>`` on as a value (an admin's ``get_urls`` routing
        a pattern to it): then its parameters are that pattern's captures."""
        owner = self.owner_class.get(fn)
        assert owner is not None
        called = {id(call.func) for call in self.facts.method_calls(fn.name)}
        return any(
            isinstance(node, ast.Attribute)
            and node.attr == fn.name
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
            and id(node) not in called
            for node in subtree(owner)
        )

    def _drop_clean_converted(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, entry: Entry) -> None:
        """Route parameters that every route of ``fn`` converts with a custom converter of the
        project giving clean values (``converters.py``) are no request text."""
        assert self.clean_converter is not None
        paths = [path for decorator in fn.decorator_list if (path := _route_path(self.facts, self.spec, decorator))]
        for name, used in route_converters(paths, _FLASK_PARAM).items():
            if name in entry.tainted and all(
                converter and converter not in TEXT_CONVERTERS and self.clean_converter(converter) for converter in used
            ):
                del entry.tainted[name]

    def plain(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> bool:
        """Whether ``entry(fn, is_method)`` surely has no framework, tainted parameter or request
        object, told without making it: no decorator, no route registered by ``add_url_rule``,
        not a FastAPI dependency nor an HTTP method, a first parameter not named for a request
        or a WSGI environment, and no annotation that could name a request class."""
        if fn.decorator_list or self.url_rules:
            return False
        if fn.name in (_HTTP_METHODS if is_method else self.dependencies):
            return False
        if self.spec.resolver_modules and (fn.name.startswith("resolve_") or fn.name in self.spec.resolver_names):
            return False
        params = _positional(fn)
        own = params[1:] if is_method and params else params
        if own and own[0].arg in _ENTRY_FIRST_PARAMETERS:
            return False
        for arg in own:
            if arg.annotation is not None and self._may_name_request(arg.annotation):
                return False
        for arg in fn.args.kwonlyargs:
            if arg.annotation is not None and self._may_name_request(arg.annotation):
                return False
        return True

    def _may_name_request(self, annotation: ast.expr) -> bool:
        """Whether ``_annotation_names`` of ``annotation`` could give a request annotation: it holds
        a string (a forward reference, parsed there) or a name that resolves to such a class or to
        a module above one (every name it gives is made from one of its names)."""
        stack: list[ast.AST] = [annotation]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Name):
                risky = self._risky_names.get(node.id)
                if risky is None:
                    risky = self._risky_names[node.id] = self._names_request(node.id)
                if risky:
                    return True
            elif isinstance(node, ast.Constant):
                if isinstance(node.value, str):
                    return True
            else:
                stack.extend(ast.iter_child_nodes(node))
        return False

    def _names_request(self, name: str) -> bool:
        targets = self.spec.request_annotations
        resolved = self.facts.imports.resolve_name(name)
        if resolved is None:
            return name in targets
        candidates = [resolved]
        if resolved.startswith("builtins."):
            candidates.append(resolved[len("builtins.") :])
        return any(t == c or t.startswith(c + ".") for t in targets for c in candidates)

    def _method_classes(self) -> dict[str, ast.ClassDef]:
        """The classes that have a method, by name (the last of a name wins), made once."""
        if self._classes is None:
            self._classes = {cls.name: cls for cls in self.owner_class.values()}
        return self._classes
