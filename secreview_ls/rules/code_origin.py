"""Where the text given to ``exec`` / ``eval`` comes from, as far as the module shows.

These origins are nothing to report for the pattern rules (SR101/SR102):

* one of a fixed set of constants (``fixed_values.fixed_choice``): a loop variable over a
  constant tuple, an item of one, a value checked against literals, an ``argparse`` option
  with constant ``choices=``.

* generated code: text built from a literal template that *defines* something (``def``,
  ``class``, ``lambda``) — namedtuple-style and decorator-style code generation, where the
  interpolated parts are names the program chose. Whether an interpolated value comes from
  outside is the data-flow analysis's question (SR803), which reports it with its source.
* an execution API handing on its argument: a function whose name says it runs code
  (``run``, ``runctx``, ``execute``, ``evaluate``, ``runcode``...) passing one of its own
  parameters, whole, to ``exec``/``eval`` together with the namespace to run it in. Running the caller's code is its contract; the
  weakness, if any, is in a caller that passes text from outside, which SR803 follows.

* the text of an object's annotations (``__annotations__`` values: string annotations and
  forward references are source code its module's author wrote);
* data an imported module defines (``__import__(name).table``): importing it ran its code;
* the program's own source: a file at a fixed place beside the module (a path built only from
  ``__file__`` and constants, such as ``setup.py`` reading ``pkg/_version.py``), shipped with it;
  in build code (a module importing ``setuptools`` or ``distutils.core``, which build front ends
  run from the project's directory) also a fixed relative path inside the project; in a Sphinx
  documentation configuration (which Sphinx runs from its own folder inside the project) also
  one going up from that folder (``open("../pkg/__init__.py")``);
* text read through ``io.open_code``: the interpreter's API for opening a file whose content
  is meant to run as code (modules, ``.pth`` lines), the way imports read the installed code.

Everything else (text read from any other file, a stream, a request, a slice of some input)
stays reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from ..engine.command_line import command_line_parameter, reads_command_line
from ..engine.facts import argument, parameter_names
from .base import RuleContext
from .caller_data import OUTSIDE_PARAMETERS, receives_outside_data
from .fixed_values import fixed_choice, loop_over_static, scope_of, stored_value, stores_in
from .judge import identifier_words, imports_module, is_static, single_assignment, static_string

_DEFINITION = re.compile(r"(?m)^\s*(?:async\s+def|def|class)\s+\S|\blambda\b[^:]*:")
_RUNNER_WORDS = frozenset(
    {
        "run",
        "runctx",
        "runcall",
        "runeval",
        "runcode",
        "runsource",
        "exec",
        "execute",
        "eval",
        "evaluate",
        "interact",
        "debug",
        "trace",
        "profile",
        "execfile",
        "invoke",
    }
)
_RUN_OBJECTS = frozenset({"code", "command", "cmd", "source", "src", "script", "string", "statement", "stmt", "file"})
_LOADER_METHODS = frozenset({"exec_module", "load_module"})


def _template_text(ctx: RuleContext, node: ast.AST) -> str | None:
    """The literal text of a string built by formatting or concatenation, fields left out."""
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return static_string(ctx, node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [_template_text(ctx, side) or static_string(ctx, side) or "" for side in (node.left, node.right)]
        return "".join(parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return static_string(ctx, node.func.value)
    return None


def _generated(ctx: RuleContext, node: ast.AST | None, depth: int = 0) -> bool:
    """Code text the program generates: a definition template, a string built only from
    literals, numbers and loop variables over constants, or ``compile()`` of such text."""
    if node is None or depth > 4:
        return False
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) == "builtins.compile":
        return _generated(ctx, argument(node, 0, "source"), depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "decode":
        return _generated(ctx, node.func.value, depth + 1)
    template = _template_text(ctx, node)
    if template is not None:
        if _DEFINITION.search(template) or _numbers_only(node, template):
            return True
        return all(_fixed_part(ctx, part, depth + 1) for part in _fields(node))
    if isinstance(node, ast.Name):
        return _name_generated(ctx, node, depth)
    return False


def _numbers_only(node: ast.AST, template: str) -> bool:
    """``"name%d" % n``: every conversion of a ``%`` template is numeric."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)):
        return False
    conversions = [c for c in re.findall(r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?([a-zA-Z%])", template) if c != "%"]
    return bool(conversions) and all(c in "dixXof" for c in conversions)


def _fields(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        right = node.right
        return list(right.elts) if isinstance(right, ast.Tuple) else [right]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.Call):
        return [*node.args, *(kw.value for kw in node.keywords)]
    return []


def _fixed_part(ctx: RuleContext, node: ast.AST, depth: int) -> bool:
    if fixed_choice(ctx, node):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _fixed_part(ctx, node.left, depth + 1) and _fixed_part(ctx, node.right, depth + 1)
    return _generated(ctx, node, depth + 1)


def _name_generated(ctx: RuleContext, name: ast.Name, depth: int) -> bool:
    """Every binding of ``name`` in its function is generated code (a parameter the body
    rebinds to a definition template counts as rebound)."""
    if loop_over_static(ctx, name):
        return True
    stores = stores_in(ctx, scope_of(ctx, name), name.id)
    if not stores:
        value = single_assignment(ctx, name)
        return value is not None and _generated(ctx, value, depth + 1)
    saw_generated = False
    for store in stores:
        if isinstance(store, ast.AugAssign):  # extends the generated text
            if _template_text(ctx, store.value) is None and static_string(ctx, store.value) is None:
                return False
            continue
        value = getattr(store, "value", None)
        if not isinstance(store, (ast.Assign, ast.AnnAssign)) or value is None:
            return False
        if _generated(ctx, value, depth + 1):
            saw_generated = True
        elif static_string(ctx, value) is None:
            return False
        else:
            saw_generated = True
    return saw_generated


def _runner_function(function: ast.AST) -> bool:
    """Its name starts with a word saying it runs code: ``run``, ``runctx``, ``exec_in``,
    ``evaluate``, ``_run_code`` (``test_eval`` names what a test checks, not what it does)."""
    words = identifier_words(getattr(function, "name", ""))
    if not words:
        return False
    first = words[0]
    if first in _RUNNER_WORDS or first in _LOADER_METHODS:
        return True
    return any(first.startswith(w) and first[len(w) :] in _RUN_OBJECTS for w in ("run", "exec", "eval"))


def _is_parameter(function: ast.AST, name: str) -> bool:
    return name in parameter_names(function)


def _handed_on(ctx: RuleContext, node: ast.AST | None, seen: frozenset[str] = frozenset()) -> bool:
    """``node`` is what the enclosing execution API was given: one of its parameters, that
    parameter compiled, or the content of the file the parameter names (``execfile``)."""
    if node is None or len(seen) > 4:
        return False
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) == "builtins.compile":
        source = argument(node, 0, "source")
        if isinstance(source, ast.BinOp) and isinstance(source.op, ast.Add) and is_static(ctx, source.right):
            source = source.left  # compile(args + "\n", ...)
        return _handed_on(ctx, source, seen)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "read":
        return _opened_parameter(ctx, node.func.value, seen)
    if not isinstance(node, ast.Name):
        return False
    function = ctx.facts.enclosing_function(node)
    if function is None or not _runner_function(function):
        return False
    if node.id in seen:
        return True  # `cmd = compile(cmd, ...)`: the parameter, rebound to itself compiled
    stores = stores_in(ctx, function, node.id)
    if not _is_parameter(function, node.id) and not stores:
        return False
    for store in stores:
        value = getattr(store, "value", None)
        if not isinstance(store, ast.Assign) or not _handed_on(ctx, value, seen | {node.id}):
            return False
    return True


def _opened_parameter(ctx: RuleContext, handle: ast.AST, seen: frozenset[str]) -> bool:
    """``open(param)`` itself, or a name bound to it by ``with open(param) as f`` / ``f = open(param)``."""
    if isinstance(handle, ast.Call) and ctx.facts.qualname(handle.func) == "builtins.open":
        return _handed_on(ctx, argument(handle, 0, "file"), seen)
    if not isinstance(handle, ast.Name):
        return False
    function = ctx.facts.enclosing_function(handle)
    if function is None:
        return False
    stores = stores_in(ctx, function, handle.id)
    for store in stores:
        value = store.context_expr if isinstance(store, ast.withitem) else getattr(store, "value", None)
        if value is None or not _opened_parameter(ctx, value, seen):
            return False
    return bool(stores)


def _loader_runs_module(ctx: RuleContext, node: ast.AST) -> bool:
    """An import loader's ``exec_module`` / ``load_module`` running the module's code object:
    executing it is what the loader protocol (PEP 451) asks of these methods."""
    function = ctx.facts.enclosing_function(node)
    return function is not None and function.name in _LOADER_METHODS and isinstance(node, (ast.Name, ast.Call))


def _with_namespace(call: ast.Call) -> bool:
    """``exec(code, globals, locals)``: the code runs in a namespace the API manages."""
    return len(call.args) >= 2 or any(kw.arg in ("globals", "locals") for kw in call.keywords)


def code_origin(ctx: RuleContext, call: ast.Call, code: ast.AST | None) -> str | None:
    """Why the code text given to exec/eval is nothing to report, or None to report it."""
    if code is None:
        return None
    if fixed_choice(ctx, code):
        return "fixed choice"
    if _generated(ctx, code):
        return "generated"
    if _with_namespace(call) and _handed_on(ctx, code):
        return "execution API"
    if _loader_runs_module(ctx, code):
        return "import loader"
    if _own_source_file(ctx, code, 0):
        return "own source file"
    if _read_as_code(ctx, code, 0):
        return "code file"
    if _annotation_text(ctx, code):
        return "annotation"
    if _module_data(ctx, code):
        return "imported module's data"
    return None


_IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module"})


def _module_data(ctx: RuleContext, code: ast.AST) -> bool:
    """A value an imported module defines (``module = __import__(name)``, then a key of
    ``module.docsdict``): importing the module ran all of its code already, so evaluating text it
    holds grants nothing more. Which module is imported is another question."""
    node: ast.AST | None = code
    if isinstance(node, ast.Name):
        node = _iterated_from(ctx, node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"keys", "values"}:
        node = node.func.value
    while isinstance(node, ast.Name):
        node = single_assignment(ctx, node)
        if isinstance(node, ast.Call):
            return ctx.facts.qualname(node.func) in _IMPORTERS
    if not isinstance(node, ast.Attribute):
        return False
    root = node.value
    bound = single_assignment(ctx, root) if isinstance(root, ast.Name) else root
    return isinstance(bound, ast.Call) and ctx.facts.qualname(bound.func) in _IMPORTERS


_COMPREHENSIONS = (ast.DictComp, ast.ListComp, ast.SetComp, ast.GeneratorExp)


def _annotation_text(ctx: RuleContext, code: ast.AST) -> bool:
    """A value of an object's ``__annotations__`` (``{k: eval(v) for k, v in ann.items()}``): a
    string annotation is source code its module's author wrote, evaluated as the language defines
    (deferred annotations, forward references); importing that module ran its code already."""
    if not isinstance(code, ast.Name):
        return False
    source = _iterated_from(ctx, code)
    if (
        isinstance(source, ast.Call)
        and isinstance(source.func, ast.Attribute)
        and source.func.attr in {"items", "values"}
    ):
        source = source.func.value
    return source is not None and _annotations_mapping(ctx, source, 0)


def _iterated_from(ctx: RuleContext, name: ast.Name) -> ast.expr | None:
    """The collection ``name`` is a comprehension or loop target over."""
    for ancestor in ctx.facts.ancestors(name):
        if isinstance(ancestor, _COMPREHENSIONS):
            for generator in ancestor.generators:
                if any(isinstance(t, ast.Name) and t.id == name.id for t in ast.walk(generator.target)):
                    return generator.iter
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            break
    stores = stores_in(ctx, scope_of(ctx, name), name.id)
    return stores[0].iter if len(stores) == 1 and isinstance(stores[0], ast.For) else None


def _annotations_mapping(ctx: RuleContext, node: ast.AST | None, depth: int) -> bool:
    """``obj.__annotations__``, ``getattr(obj, "__annotations__", None)``,
    ``namespace.get("__annotations__")``, a copy of one, or a name bound only to those (or None)."""
    if node is None or depth > 4:
        return False
    if isinstance(node, ast.Attribute):
        return node.attr == "__annotations__"
    if isinstance(node, ast.Subscript):
        return static_string(ctx, node.slice) == "__annotations__"
    if isinstance(node, ast.Call):
        name = ctx.facts.qualname(node.func)
        if name == "builtins.getattr" and len(node.args) >= 2:
            return static_string(ctx, node.args[1]) == "__annotations__"
        if name in {"builtins.dict", "copy.copy"} and len(node.args) == 1:
            return _annotations_mapping(ctx, node.args[0], depth + 1)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            return static_string(ctx, node.args[0]) == "__annotations__"
        return False
    if isinstance(node, ast.Name):
        stores = stores_in(ctx, scope_of(ctx, node), node.id)
        values = [getattr(store, "value", None) for store in stores]
        mappings = [v for v in values if not (isinstance(v, ast.Constant) and v.value is None)]
        return (
            bool(stores)
            and bool(mappings)
            and all(isinstance(store, (ast.Assign, ast.AnnAssign)) for store in stores)
            and all(_annotations_mapping(ctx, v, depth + 1) for v in mappings)
        )
    return False


_PATH_CALLS = frozenset({"os.path.join", "os.path.dirname", "os.path.abspath", "os.path.realpath",
                         "os.path.normpath", "pathlib.Path", "pathlib.PurePath"})  # fmt: skip
_OPENS = frozenset({"builtins.open", "io.open", "io.open_code", "codecs.open"})


def _own_source_file(ctx: RuleContext, node: ast.AST | None, depth: int) -> bool:
    """The text of a file at a fixed place beside the module itself (``open(os.path.join(
    os.path.dirname(__file__), "pkg", "_version.py")).read()``): the program's own source,
    shipped with it, as trusted as the module running it."""
    if node is None or depth > 6:
        return False
    if isinstance(node, ast.Call):
        name = ctx.facts.qualname(node.func)
        if name == "builtins.compile":
            return bool(node.args) and _own_source_file(ctx, node.args[0], depth + 1)
        if name in _OPENS:
            return bool(node.args) and _beside_module(ctx, node.args[0], depth + 1)
        if isinstance(node.func, ast.Attribute) and node.func.attr in {"read", "read_text", "read_bytes"}:
            receiver = node.func.value
            if isinstance(receiver, ast.Name):
                receiver = _opened_as(ctx, receiver)
            if node.func.attr != "read" and receiver is not None:
                return _beside_module(ctx, receiver, depth + 1)
            return receiver is not None and _own_source_file(ctx, receiver, depth + 1)
    return False


def _opened_as(ctx: RuleContext, name: ast.Name) -> ast.AST | None:
    """``EXPR`` of the ``with EXPR as name`` block the use sits in, or of the only binding of
    ``name`` (``name = EXPR``)."""
    for ancestor in ctx.facts.ancestors(name):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            break
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            for item in ancestor.items:
                if isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name.id:
                    rebound = any(
                        isinstance(n, ast.Name) and n.id == name.id and isinstance(n.ctx, ast.Store)
                        for statement in ancestor.body
                        for n in ast.walk(statement)
                    )
                    return None if rebound else item.context_expr
    stores = stores_in(ctx, scope_of(ctx, name), name.id)
    if len(stores) != 1:
        return None
    store = stores[0]
    return store.context_expr if isinstance(store, ast.withitem) else getattr(store, "value", None)


def _build_script(ctx: RuleContext) -> bool:
    """The module is a package's build code: it imports ``setuptools`` or ``distutils.core``
    (``from setuptools import setup``). Build front ends run it from the project's own
    directory, so a relative path there names a file of the project (``open("pkg/_version.py")``)."""
    return imports_module(ctx.facts, "setuptools", "distutils.core")


_SPHINX_SETTINGS = frozenset({"html_theme", "master_doc", "root_doc", "source_suffix", "templates_path",
                              "exclude_patterns", "html_static_path", "pygments_style"})  # fmt: skip


def _documentation_config(ctx: RuleContext) -> bool:
    """The module is a Sphinx configuration (``conf.py``): it assigns ``extensions`` and one of
    Sphinx's own settings at module level. Sphinx runs it from its folder inside the project."""
    names: set[str] = set()
    for statement in ctx.facts.tree.body:  # type: ignore[attr-defined]
        if isinstance(statement, ast.Assign):
            names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    return "extensions" in names and bool(names & _SPHINX_SETTINGS)


def _project_relative(ctx: RuleContext, node: ast.AST) -> bool:
    """A fixed relative path inside the project, in a build script (``"pkg/_version.py"``), or
    one level up from a documentation configuration's folder (``"../pkg/__init__.py"``)."""
    text = static_string(ctx, node)
    if not text or text.startswith(("/", "\\", "~")) or ":" in text:
        return False
    parts = text.replace("\\", "/").split("/")
    if ".." not in parts:
        return _build_script(ctx) or _documentation_config(ctx)
    return parts[0] == ".." and ".." not in parts[1:] and _documentation_config(ctx)


_CODE_READS = frozenset({"read", "readline", "readlines", "strip", "rstrip", "lstrip", "decode"})
_WRAPPERS = frozenset({"io.TextIOWrapper", "io.BufferedReader", "builtins.compile", "builtins.enumerate"})


def _binding_loop(ctx: RuleContext, name: ast.Name) -> ast.For | None:
    """The innermost ``for`` whose target binds ``name`` around its use, when its body binds the
    name nowhere before the use: the use reads the loop's item."""
    for ancestor in ctx.facts.ancestors(name):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
        if isinstance(ancestor, ast.For) and any(
            isinstance(t, ast.Name) and t.id == name.id for t in ast.walk(ancestor.target)
        ):
            earlier = (
                n
                for statement in ancestor.body
                for n in ast.walk(statement)
                if isinstance(n, ast.Name) and n.id == name.id and isinstance(n.ctx, ast.Store)
            )
            return None if any(n.lineno < name.lineno for n in earlier) else ancestor
    return None


def _read_as_code(ctx: RuleContext, node: ast.AST | None, depth: int, seen: frozenset[str] = frozenset()) -> bool:
    """Text read from a file opened with ``io.open_code`` (through a text wrapper, a loop over its
    lines, ``compile``): the file is opened as code to run, as the interpreter opens modules."""
    if node is None or depth > 8:
        return False
    if isinstance(node, ast.Call):
        name = ctx.facts.qualname(node.func)
        if name == "io.open_code":
            return True
        if name in _WRAPPERS:
            return bool(node.args) and _read_as_code(ctx, node.args[0], depth + 1, seen)
        if isinstance(node.func, ast.Attribute) and node.func.attr in _CODE_READS:
            return _read_as_code(ctx, node.func.value, depth + 1, seen)
        return False
    if isinstance(node, ast.Name):
        if node.id in seen:
            return True  # ``line = line.rstrip()``: judged by its other bindings
        loop = _binding_loop(ctx, node)
        if loop is not None:
            return _read_as_code(ctx, loop.iter, depth + 1, seen | {node.id})
        stores = stores_in(ctx, scope_of(ctx, node), node.id)
        inner = seen | {node.id}
        return bool(stores) and all(_read_as_code(ctx, stored_value(s), depth + 1, inner) for s in stores)
    return False


def _beside_module(ctx: RuleContext, node: ast.AST | None, depth: int) -> bool:
    """A path built only from ``__file__`` and constants, or a fixed relative path in a build
    script (``_build_script``)."""
    if node is None or depth > 8:
        return False
    if _project_relative(ctx, node):
        return True
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return True
        value = single_assignment(ctx, node)
        return value is not None and _beside_module(ctx, value, depth + 1)
    if isinstance(node, ast.Attribute) and node.attr in {"parent", "parents"}:
        return _beside_module(ctx, node.value, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _beside_module(ctx, node.left, depth + 1) and is_static(ctx, node.right)
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _PATH_CALLS and node.args:
        first, rest = node.args[0], node.args[1:]
        return _beside_module(ctx, first, depth + 1) and all(is_static(ctx, part) for part in rest)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"resolve", "absolute"}
    ):
        return _beside_module(ctx, node.func.value, depth + 1)
    return False


# -- text the local user chooses (SR109's audit note, not a default finding) ----------------------

_SCRIPT_WORDS = frozenset({"script", "file", "path", "module", "code", "source", "plugin", "hook"})
_RUN_VERBS = frozenset({"run", "exec", "execute", "execfile", "load"})


def _script_runner(function: ast.AST) -> bool:
    """Its name says it runs a script or file: ``run_script``, ``exec_file``, ``run_path``,
    ``execfile``, ``load_plugin`` — running the one it is asked for is its purpose."""
    words = identifier_words(getattr(function, "name", ""))
    if "execfile" in words:
        return True
    return bool(set(words) & _RUN_VERBS) and bool(set(words) & _SCRIPT_WORDS)


def script_runner_input(ctx: RuleContext, code: ast.AST | None) -> bool:
    """The code a script runner runs depends on one of its parameters (the script's name looked
    up, read and compiled): which script runs is its caller's choice. Not for entry points whose
    parameters are what a peer sent (routes, handlers)."""
    function = ctx.facts.enclosing_function(code) if code is not None else None
    if function is None or not _script_runner(function) or receives_outside_data(function):
        return False
    names = set(parameter_names(function)) - {"self", "cls"}
    parameters, outside = names - OUTSIDE_PARAMETERS, names & OUTSIDE_PARAMETERS

    def is_parameter(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id in parameters

    def is_outside(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id in outside

    return (
        bool(parameters)
        and _depends_on(ctx, code, function, is_parameter, frozenset(), 0)
        and not _depends_on(ctx, code, function, is_outside, frozenset(), 0)
    )


def command_line_file(ctx: RuleContext, code: ast.AST | None) -> bool:
    """The content of a file whose path comes from the program's command line (``sys.argv``,
    ``parse_args()``): a command-line tool running the scripts its user names."""
    if code is None:
        return False
    function = ctx.facts.enclosing_function(code)
    path = _opened_path(ctx, code)
    scope = function if function is not None else ctx.facts.tree
    return path is not None and _depends_on(ctx, path, scope, lambda n: _command_line(ctx, n), frozenset(), 0)


def _command_line(ctx: RuleContext, node: ast.AST) -> bool:
    """``sys.argv``, a command-line parser's ``parse_args()`` or a click / typer command's parameter."""
    if isinstance(node, ast.Name):
        function = ctx.facts.enclosing_function(node)
        return (
            function is not None
            and not stores_in(ctx, function, node.id)  # rebound: judged by what it is bound to
            and command_line_parameter(ctx.facts, function, node.id)
        )
    return reads_command_line(ctx.facts, node)


def _opened_path(ctx: RuleContext, code: ast.AST) -> ast.AST | None:
    """``P`` of ``open(P).read()`` / ``handle.read()`` of ``with open(P) as handle``."""
    if isinstance(code, ast.Call) and ctx.facts.qualname(code.func) == "builtins.compile" and code.args:
        code = code.args[0]
    if not (isinstance(code, ast.Call) and isinstance(code.func, ast.Attribute) and code.func.attr == "read"):
        return None
    handle = code.func.value
    if isinstance(handle, ast.Name):
        handle = _opened_as(ctx, handle)
    if isinstance(handle, ast.Call) and ctx.facts.qualname(handle.func) in _OPENS and handle.args:
        return handle.args[0]
    return None


def _depends_on(
    ctx: RuleContext,
    node: ast.AST | None,
    scope: ast.AST,
    wanted: Callable[[ast.AST], bool],
    seen: frozenset[str],
    depth: int,
) -> bool:
    """Some part the value is computed from, through the scope's own assignments, is ``wanted``."""
    if node is None or depth > 8:
        return False
    for part in ast.walk(node):
        if wanted(part):
            return True
        if not isinstance(part, ast.Name) or part.id in seen:
            continue
        inner = seen | {part.id}
        for store in stores_in(ctx, scope, part.id):
            if _depends_on(ctx, stored_value(store), scope, wanted, inner, depth + 1):
                return True
    return False


_STDIN_READS = frozenset({"read", "readline", "readlines"})
_TEXT_STEPS = frozenset({"strip", "rstrip", "lstrip", "decode", "replace"})


def _typed(ctx: RuleContext, node: ast.AST | None, seen: frozenset[str], depth: int) -> str | None:
    """ "typed" for ``input()`` / a read of ``sys.stdin``, "fixed" for a constant or the enclosing
    function's parameter (a default answer), None for anything else."""
    if node is None or depth > 6:
        return None
    if is_static(ctx, node):
        return "fixed"
    if isinstance(node, ast.Call):
        name = ctx.facts.qualname(node.func)
        if name in {"builtins.input", "builtins.compile"}:
            return "typed" if name == "builtins.input" else _typed(ctx, argument(node, 0, "source"), seen, depth + 1)
        if isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if node.func.attr in _STDIN_READS and ctx.facts.qualname(receiver) == "sys.stdin":
                return "typed"
            if node.func.attr in _TEXT_STEPS:
                return _typed(ctx, receiver, seen, depth + 1)
        return None
    if isinstance(node, ast.Name):
        if node.id in seen:
            return "fixed"
        function = ctx.facts.enclosing_function(node)
        stores = stores_in(ctx, scope_of(ctx, node), node.id)
        if not stores:
            return "fixed" if function is not None and _is_parameter(function, node.id) else None
        verdicts = [_typed(ctx, stored_value(s), seen | {node.id}, depth + 1) for s in stores]
        if None in verdicts:
            return None
        return "typed" if "typed" in verdicts else "fixed"
    return None


def typed_at_terminal(ctx: RuleContext, call: ast.Call, code: ast.AST | None) -> bool:
    """What the user of a terminal program types (``input()``, ``sys.stdin``), where the code shows
    it is one: the function asks whether it talks to a terminal (``sys.stdin.isatty()``), or it
    is a read-eval loop (the call inside a loop, in a ``try`` that catches ``SyntaxError`` to ask
    again). That user can run any code already; a bare ``eval(input())`` stays reported."""
    if _typed(ctx, code, frozenset(), 0) != "typed":
        return False
    function = ctx.facts.enclosing_function(call)
    if function is None or receives_outside_data(function):
        return False
    asks_terminal = any(isinstance(n, ast.Attribute) and n.attr == "isatty" for n in ast.walk(function))
    return asks_terminal or _read_eval_loop(ctx, call)


def _read_eval_loop(ctx: RuleContext, call: ast.Call) -> bool:
    in_try = in_loop = False
    for ancestor in ctx.facts.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            break
        if isinstance(ancestor, ast.Try) and not in_loop:
            in_try = in_try or any(_catches_syntax_error(h.type) for h in ancestor.handlers)
        if isinstance(ancestor, (ast.While, ast.For)):
            in_loop = True
    return in_try and in_loop


def _catches_syntax_error(node: ast.AST | None) -> bool:
    names = node.elts if isinstance(node, ast.Tuple) else [node]
    return any(isinstance(n, ast.Name) and n.id == "SyntaxError" for n in names)
