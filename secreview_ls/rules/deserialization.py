"""Deserialization of data that can construct arbitrary objects (CWE-502): YAML loaders,
pickle and its relatives, ``marshal``; each judged by where the bytes come from."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.command_line import may_read_command_line
from ..engine.evidence import Judgement
from ..engine.facts import argument, keyword_value
from ..engine.finding import Finding
from .base import HIGH, LOW, MEDIUM, CacheKey, RuleContext, replace_node, rule
from .judge import identifier_words, single_assignment
from .user_settings import user_setting

_SAFE_YAML_LOADERS = frozenset(
    {
        "yaml.SafeLoader",
        "yaml.CSafeLoader",
        "yaml.BaseLoader",
        "yaml.CBaseLoader",
        "yaml.loader.SafeLoader",
        "yaml.loader.BaseLoader",
        "yaml.cyaml.CSafeLoader",
    }
)
_YAML_LOAD = {
    "yaml.load": "yaml.safe_load",
    "yaml.load_all": "yaml.safe_load_all",
}
_YAML_ALWAYS_UNSAFE = ("yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load", "yaml.full_load_all")
_YAML_DATA_ONLY = ("yaml.safe_load", "yaml.safe_load_all", "yaml.safe_dump", "yaml.dump")


def _loader_is_safe(ctx: RuleContext, loader: ast.expr | None) -> bool:
    if loader is None:
        return False
    name = ctx.facts.qualname(loader)
    if name in _SAFE_YAML_LOADERS:
        return True
    # A project-defined subclass named like a safe loader (``MySafeLoader``).
    spelled = ctx.facts.spelled(loader)
    if "Safe" in spelled.rsplit(".", 1)[-1] or "BaseLoader" in spelled:
        return True
    return _safe_subclass(ctx, loader, 0)


def _safe_subclass(ctx: RuleContext, loader: ast.expr, depth: int) -> bool:
    """``class CiLoader(yaml.SafeLoader)`` in this module (directly or through another class of
    the module): it builds plain data plus the tags the program registers on it itself."""
    if depth > 3 or not isinstance(loader, ast.Name):
        return False
    for statement in ctx.facts.tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name == loader.id:
            return bool(statement.bases) and all(_loader_is_safe_base(ctx, base, depth) for base in statement.bases)
    return False


def _loader_is_safe_base(ctx: RuleContext, base: ast.expr, depth: int) -> bool:
    name = ctx.facts.qualname(base)
    if name in _SAFE_YAML_LOADERS:
        return True
    return _safe_subclass(ctx, base, depth + 1)


@rule(
    id="SR401",
    name="yaml-unsafe-load",
    cwe=502,
    severity=HIGH,
    confidence=HIGH,
    bandit=("B506",),
    ruff=("S506",),
    fix_safety="unsafe",
    fix_note="`safe_load` refuses the tags the full loader accepted (`!!python/tuple`, constructors a "
    "program registered with `yaml.add_constructor`), so documents that use them stop loading.",
    summary="`yaml.load` (or `unsafe_load`/`full_load`) without a safe Loader can construct "
    "arbitrary Python objects from the document.",
    why="PyYAML's default and full loaders honour tags such as `!!python/object/apply:os.system`, "
    "so a document under an attacker's control runs code during parsing. "
    "`SafeLoader` builds only plain data (dicts, lists, strings, numbers); so does a loader class of the "
    "module that derives from it (plus the tags the program registers on it).",
    bad="import yaml\nconfig = yaml.load(request.data)",
    good="import yaml\nconfig = yaml.safe_load(request.data)\n# or: yaml.load(data, Loader=yaml.SafeLoader)",
)
def yaml_unsafe_load(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_YAML_LOAD):
        loader = argument(call, 1, "Loader")
        if _loader_is_safe(ctx, loader):
            ctx.judged(name, call, Judgement.SAFE_LOADER)
            continue
        spelled = ctx.facts.spelled(call.func)
        fix = None
        if loader is None and len(call.args) == 1 and not call.keywords:
            safe = _YAML_LOAD[name].rsplit(".", 1)[-1]
            if isinstance(call.func, ast.Attribute):
                new_func = f"{ctx.segment(call.func.value)}.{safe}"
                fix = replace_node(ctx, call.func, new_func, f"Replace `{spelled}` with `{new_func}`")
        reason = "without a Loader" if loader is None else f"with `Loader={ctx.segment(loader)}`"
        full = loader is not None and (ctx.facts.qualname(loader) or "").rsplit(".", 1)[-1] == "FullLoader"
        yield yaml_unsafe_load.finding(
            ctx,
            call,
            f"`{spelled}` {reason} can construct arbitrary Python objects from the input; "
            f"use `{_YAML_LOAD[name]}` or `Loader=yaml.SafeLoader`",
            severity=MEDIUM if full else None,
            fix=fix,
        )
    for name, call in ctx.facts.calls_to(*_YAML_DATA_ONLY):
        ctx.judged(name, call, Judgement.DATA_ONLY)
    for name, call in ctx.facts.calls_to(*_YAML_ALWAYS_UNSAFE):
        spelled = ctx.facts.spelled(call.func)
        severity = MEDIUM if name.startswith("yaml.full_load") else HIGH
        yield yaml_unsafe_load.finding(
            ctx,
            call,
            f"`{spelled}` can construct Python objects from the input; use `yaml.safe_load`",
            severity=severity,
        )


_PICKLE_LIKE = {
    "pickle.load": "pickle",
    "pickle.loads": "pickle",
    "pickle.Unpickler": "pickle",
    "_pickle.load": "pickle",
    "_pickle.loads": "pickle",
    "cPickle.load": "pickle",
    "cPickle.loads": "pickle",
    "pickle._Unpickler": "pickle",
    "_pickle.Unpickler": "pickle",
    "dill.load": "dill",
    "dill.loads": "dill",
    "dill.Unpickler": "dill",
    "cloudpickle.load": "pickle",
    "cloudpickle.loads": "pickle",
    "shelve.open": "shelve",
    "shelve.DbfilenameShelf": "shelve",
    "jsonpickle.decode": "jsonpickle",
    "jsonpickle.unpickler.decode": "jsonpickle",
    "jsonpickle.unpickler.Unpickler": "jsonpickle",
    "pandas.read_pickle": "pickle",
    "joblib.load": "pickle",
    "torch.load": "pickle",
    "torch.serialization.load": "pickle",
    "numpy.load": "pickle",
}


_PICKLE_WRITERS = (
    "pickle.dump",
    "pickle.dumps",
    "pickle.Pickler",
    "_pickle.dump",
    "_pickle.dumps",
    "_pickle.Pickler",
    "cPickle.dump",
    "cPickle.dumps",
    "dill.dump",
    "dill.dumps",
    "cloudpickle.dump",
    "cloudpickle.dumps",
    "marshal.dump",
    "marshal.dumps",
)
# Names that show data arriving from outside the process: sockets, HTTP requests and responses,
# uploads, cookies.
_OUTSIDE_NAMES = frozenset(
    """recv recvfrom recv_into recvmsg urlopen request requests req sock socket COOKIES cookies
    FILES files upload uploaded GET POST body get_data get_json websocket ws""".split()
)
# The process's standard input: written by the process that started this one (a parent that
# pickles its state down a pipe to a helper, a user piping a file), who can already run code as
# this process's user. The data-flow rule SR810 takes the same view of local sources.
_PARENT_NAMES = frozenset({"stdin"})


def _names_in(ctx: RuleContext, node: ast.AST, depth: int = 0) -> set[str]:
    """Words of the identifiers and attribute names the value is computed from, following names
    bound once and ``with ... as name`` bindings (``UPLOAD_DIR`` gives ``upload`` and ``dir``)."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            found.add(sub.attr)
            found.update(identifier_words(sub.attr))
        elif isinstance(sub, ast.Name):
            found.add(sub.id)
            found.update(identifier_words(sub.id))
            if depth < 3:
                value = single_assignment(ctx, sub) or _with_binding(ctx, sub)
                if value is not None:
                    found |= _names_in(ctx, value, depth + 1)
    return found


_WITH_TARGETS: CacheKey[dict[str, list[ast.withitem]]] = CacheKey("with items by the name they bind")


def _with_items(ctx: RuleContext) -> dict[str, list[ast.withitem]]:
    """The ``with EXPR as name`` items of the module by ``name``, in the module's order."""

    def index() -> dict[str, list[ast.withitem]]:
        found: dict[str, list[ast.withitem]] = {}
        for item in ctx.facts.nodes(ast.withitem):
            assert isinstance(item, ast.withitem)
            if isinstance(item.optional_vars, ast.Name):
                found.setdefault(item.optional_vars.id, []).append(item)
        return found

    return ctx.cache.get(_WITH_TARGETS, index)


def _with_binding(ctx: RuleContext, name: ast.Name) -> ast.expr | None:
    """``EXPR`` of the ``with EXPR as name`` in the same function that binds ``name``."""
    items = _with_items(ctx).get(name.id)
    if not items:
        return None
    function = ctx.facts.enclosing_function(name)
    for item in items:
        if ctx.facts.enclosing_function(item) is function:
            return item.context_expr
    return None


def _is_parameter(ctx: RuleContext, node: ast.expr) -> bool:
    function = ctx.facts.enclosing_function(node)
    if function is None or not isinstance(node, ast.Name):
        return False
    args = function.args
    return node.id in {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


_READS_COMMAND_LINE: CacheKey[bool] = CacheKey("the module may read the program's command line")


def _reads_command_line(ctx: RuleContext) -> bool:
    """The module may read the program's command line (``sys.argv``, a parser's ``parse_args``, a
    click / typer command)."""
    source = ctx.source
    return ctx.cache.get(_READS_COMMAND_LINE, lambda: may_read_command_line(source.text, source.mentions))


def _origin(ctx: RuleContext, call: ast.Call) -> str:
    """``"outside"`` (a socket, request, upload or stdin feeds the call), ``"own"`` (the module
    pickles this data itself: a cache, queue or store it reads back), ``"parameter"`` (own
    storage, but the bytes are handed in by a caller) or ``"unknown"``."""
    data = call.args[0] if call.args else (call.keywords[0].value if call.keywords else None)
    if data is None:
        return "unknown"
    if _round_trip(ctx, data):
        return "own"  # ``pickle.loads(pickle.dumps(obj))``: a deep copy of an object in memory
    names = _names_in(ctx, data)
    if names & _OUTSIDE_NAMES:
        return "outside"
    if names & _PARENT_NAMES:
        return "own"  # a pipe from the parent process
    if _reads_command_line(ctx) and user_setting(ctx, data):
        return "own"  # a file the invoking user named on the program's command line
    if not any(True for _ in ctx.facts.calls_to(*_PICKLE_WRITERS)):
        return "unknown"
    inner = data
    while isinstance(inner, ast.Call) and inner.args:  # b64decode(zlib.decompress(x)) -> x
        inner = inner.args[0]
    if not _is_parameter(ctx, inner) or (isinstance(inner, ast.Name) and inner.id in {"self", "cls"}):
        return "own"  # read by the module, or from the object's own storage
    if _paired_writer(ctx, inner):
        return "own"  # a serializer's ``loads`` reads what its own ``dumps`` wrote
    return _private_callers_origin(ctx, inner)


def _round_trip(ctx: RuleContext, data: ast.expr) -> bool:
    """The bytes are made by a pickling call in the same expression (``pickle.dumps(obj)``,
    possibly wrapped: ``zlib.decompress(zlib.compress(pickle.dumps(obj)))``): the stream holds
    only the opcodes that rebuild an object the process already holds, whatever that object's
    values are."""
    inner = data
    while isinstance(inner, ast.Call):
        if ctx.facts.qualname(inner.func) in _PICKLE_WRITERS:
            return True
        if not inner.args:
            return False
        inner = inner.args[0]
    return False


# A loading method's name → the names of the method that writes the same format.
_INVERSES = {"load": ("dump", "dumps", "save"), "loads": ("dumps", "dump"), "decode": ("encode",),
             "deserialize": ("serialize",), "unserialize": ("serialize",), "unpickle": ("pickle",),
             "unpack": ("pack",), "restore": ("save", "store")}  # fmt: skip


def _paired_writer(ctx: RuleContext, parameter: ast.expr) -> bool:
    """The bytes are the parameter of a loading method (``loads``, ``decode``...) whose class
    also has the inverse method (``dumps``, ``encode``...) and that method pickles: a serializer
    reads back its own format, whatever storage its caller keeps the bytes in."""
    function = ctx.facts.enclosing_function(parameter)
    owner = ctx.facts.parent(function) if function is not None else None
    if function is None or not isinstance(owner, ast.ClassDef):
        return False
    stem = function.name.lstrip("_")
    prefix = function.name[: len(function.name) - len(stem)]
    inverses = {prefix + name for name in _INVERSES.get(stem, ())}
    writers = set(_PICKLE_WRITERS)
    for member in owner.body:
        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.name in inverses:
            if any(isinstance(c, ast.Call) and ctx.facts.qualname(c.func) in writers for c in ast.walk(member)):
                return True
    return False


def _private_callers_origin(ctx: RuleContext, parameter: ast.expr) -> str:
    """The bytes are a parameter of a private helper (``_is_expired(self, f)``): its callers are
    this module, so what they pass decides — ``"own"`` when every call passes something the
    module reads itself, ``"outside"`` when one passes data from outside."""
    function = ctx.facts.enclosing_function(parameter)
    if function is None or not isinstance(parameter, ast.Name):
        return "parameter"
    if not function.name.startswith("_") or function.name.endswith("__"):
        return "parameter"
    names = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    if parameter.id not in names:
        return "parameter"
    index = names.index(parameter.id)
    calls = [
        c
        for c in ctx.facts.nodes(ast.Call)
        if isinstance(c, ast.Call) and (getattr(c.func, "attr", None) or getattr(c.func, "id", None)) == function.name
    ]
    if not calls:
        return "parameter"
    origin = "own"
    for call in calls:
        position = index - 1 if isinstance(call.func, ast.Attribute) and names[:1] in (["self"], ["cls"]) else index
        passed = call.args[position] if 0 <= position < len(call.args) else None
        passed = passed if passed is not None else next((k.value for k in call.keywords if k.arg == parameter.id), None)
        if passed is None or _is_parameter(ctx, passed):
            return "parameter"
        if _names_in(ctx, passed) & _OUTSIDE_NAMES:
            origin = "outside"
    return origin


@rule(
    id="SR402",
    name="pickle-load",
    cwe=502,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B301", "B403", "B614"),
    ruff=("S301", "S403"),
    scope="module",  # whether the module writes what it reads is a question about the whole module
    summary="Unpickling (`pickle`, `dill`, `shelve`, `jsonpickle`, `torch.load`, ...) executes code "
    "chosen by whoever wrote the data.",
    why="A pickle stream is a small program: the `REDUCE` opcode calls any importable callable with "
    "any arguments. Loading a pickle from a file, socket, cache or upload that an attacker can "
    "influence is remote code execution. Judged by where the bytes come from: a socket, request "
    "or upload is reported with high confidence; the process's standard input (a pipe from the "
    "process that started it, which can already run code as its user) is not reported, nor a file "
    "the program's own command line names (`sys.argv`, `argparse`: the user running it chose it); a module that reads back what "
    "it pickled itself (its cache file, queue entry, in-memory store or database row) is not "
    "reported -- the risk there is someone else writing that storage, a deployment question that "
    "Bandit/Ruff users answer with a blanket `nosec` on every cache backend, which hides the real "
    "cases too; when such a module is handed the bytes by its caller the finding stays at low "
    "severity and confidence, unless the loader is a private helper whose every call in the module "
    "passes bytes the module read itself (or data read from the object's own storage, `self`), or "
    "the loader is a serializer's method (`loads`, `decode`) whose class pickles in the inverse method "
    "(`dumps`, `encode`): it reads back its own format. Nor is `pickle.loads(pickle.dumps(obj))`, a deep "
    "copy: the stream is made from an object already in memory in the same expression, so it holds "
    "only the opcodes that rebuild that object. Anything else is reported with medium "
    "confidence. Request data reaching a loader through several steps is the taint rule SR810.",
    bad="import pickle\nsession = pickle.loads(cookie_bytes)",
    good="import json\nsession = json.loads(cookie_bytes)  # data only\n"
    "# if the bytes must be pickles, authenticate them first (hmac.compare_digest on a signature)",
)
def pickle_load(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_to(*_PICKLE_LIKE):
        if name == "numpy.load":
            allow = keyword_value(call, "allow_pickle")
            if not (isinstance(allow, ast.Constant) and allow.value is True):
                continue
        if name in ("torch.load", "torch.serialization.load"):
            weights_only = keyword_value(call, "weights_only")
            if isinstance(weights_only, ast.Constant) and weights_only.value is True:
                continue
        origin = _origin(ctx, call)
        if origin == "own":
            continue
        spelled = ctx.facts.spelled(call.func)
        advice = (
            "pass `weights_only=True` (or load `safetensors`)"
            if name.startswith("torch.")
            else "load only data you wrote and authenticated, or use a data-only format such as JSON"
        )
        yield pickle_load.finding(
            ctx,
            call,
            f"`{spelled}` deserializes with {_PICKLE_LIKE[name]}, which runs code embedded in the data; {advice}",
            severity=LOW if origin == "parameter" else None,
            confidence={"outside": HIGH, "parameter": LOW}.get(origin, MEDIUM),
        )


_MARSHAL_LOADS = ("marshal.load", "marshal.loads")
_BYTECODE_MARKERS = ("MAGIC_NUMBER", "CodeType", "_code_type", ".pyc")


def _reads_bytecode(ctx: RuleContext) -> bool:
    """The module handles compiled Python (``.pyc`` headers, code objects): marshal is the
    format of that bytecode, and loading it is what importing the module would do anyway."""
    return any(marker in ctx.source.text for marker in _BYTECODE_MARKERS)


@rule(
    id="SR403",
    name="marshal-load",
    cwe=502,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B302",),
    ruff=("S302",),
    scope="module",  # bytecode handling and own writes are judged over the whole module
    summary="`marshal.load`/`loads` reads data in an internal format that is not safe for untrusted input.",
    why="The `marshal` format exists for `.pyc` files; it builds code objects and its reader is not "
    "hardened against malicious or malformed data, which can crash the interpreter. Code objects "
    "read this way may later be executed. Use JSON or another data-only format for data from "
    "outside the program. Judged by the data: bytes from a socket, request or standard input are "
    "reported with high confidence; a module that reads back what it marshalled itself, or loads "
    "compiled bytecode (`.pyc` headers, code objects: what an importer does), is not reported; "
    "anything else with medium confidence.",
    bad="import marshal\nconfig = marshal.loads(sock.recv(4096))",
    good="import json\nconfig = json.loads(sock.recv(4096))",
)
def marshal_load(ctx: RuleContext) -> Iterator[Finding]:
    calls = list(ctx.facts.calls_to(*_MARSHAL_LOADS))
    if not calls:
        return
    own = any(True for _ in ctx.facts.calls_to("marshal.dump", "marshal.dumps")) or _reads_bytecode(ctx)
    for _, call in calls:
        data = call.args[0] if call.args else None
        outside = data is not None and bool(_names_in(ctx, data) & _OUTSIDE_NAMES)
        if own and not outside:
            continue
        yield marshal_load.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` reads the interpreter's internal `marshal` format, which is not "
            "safe for data from outside the program; use a data-only format such as JSON",
            confidence=HIGH if outside else MEDIUM,
        )
