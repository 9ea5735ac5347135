"""Whether a value handed to a trust-as-HTML call (Django's ``mark_safe``, ``Markup``) can
carry markup nobody escaped.

Safe: constants; translations of literal messages (``gettext("...")``, translators are
trusted like the source); numbers (``int(x)``, ``ord(c)``, ``"%d" % x``, a value narrowed by
``isinstance(x, int)`` or ``x is None`` / ``x == ""``, the digit tuple of ``Decimal.as_tuple()``
and the items of a comprehension, ``reversed`` or ``sorted`` over such a sequence); results of escaping, formatting and
rendering calls (``escape``, ``conditional_escape``, ``format_html``, ``json_script``, a widget's ``_render``,
template and form rendering, Flask's ``render_template`` of a template whose name ends in an
autoescaped extension (``.html``, ``.htm``, ``.xml``, ``.xhtml``, ``.svg``; also through a project wrapper
forwarding its ``*args``) and ``render_template_string`` of fixed text, sanitizers such as ``bleach.clean``; Markdown output that a postprocessor of the module's own extension
cleans last, ``markdown_cleaning.py``); ``bleach.linkify`` of a safe
value (it only wraps bare URLs in links of its own); text passed through an escaping translation table
(``s.translate(T)`` with ``T`` a module dict mapping ``<``, ``>`` and ``&``); and strings
built only from such parts (concatenation, ``%``, ``.format``, f-strings, ``join`` of a
comprehension or of a local list whose every element is safe, ``strip``, ``replace`` of
fixed text that undoes no escaping, an ``encode(...).decode(...)`` round trip (character
references or dropped characters, never markup); a local list whose every item a loop over its
indexes replaces, ``rewritten_items.py``; the output of rendering methods, also picked by a
``render_`` name through ``getattr`` and chained with ``itertools.chain``); copies of fixed text
(``"\t" * depth``); a URL of the site's own routes (``url_for``, ``reverse``) written as a
double-quoted attribute value (``'<a href="' + url_for(...)``, also through a local name every reaching assignment of which is
such a call); the result of a helper of the module whose every ``return`` is safe (a
function, a nested one, a ``self`` method; one calling itself for nested items is judged on its
other parts; a method's parameter it never rebinds by what every call of it in its class passes,
``callers.py``), or of a function of another project file whose every ``return`` is safe, a
function's parameters standing for what the call passes (``project_helpers.py``: ``wrap(escape(x))``,
``quote(x)`` with ``quote`` handed an escaper, ``cleaner.clean(x)`` with ``cleaner`` a ``bleach.Cleaner``);
the mark of a safe value (``Markup(escape(x))``); a configuration attribute of ``self`` no code of the module stores
(``marking_apis.configured_attribute``) or of a name bound only to an escaper where escaping is on. A local name is safe when every assignment that can
reach the use is (``reaching.py``; ``+=`` pieces and what a loop stores included, the name met
again in its own loop-carried value standing for the others); in a template filter handed the ``autoescape`` flag,
the branch of ``if autoescape:`` is followed alone (the other one runs when the template
turned escaping off on purpose). ``*``/``**`` arguments of ``.format`` are safe when they
unpack ``map(escaper, ...)`` or a mapping whose values are escaped; a template that is the
function's own parameter, formatted only with escaped values, is an escaping formatter
(``format_html``'s shape). Framework-rendered values: ``rendered_markup.py``. A mark carried
over under ``isinstance(x, SafeData)`` may be tested through a parameter flag that every call
of the method in its class (``self.name(...)``, ``callers.py``) computes so, or be the flag of a
record read back from a store the module signs (``django.core.signing``, ``itsdangerous``,
``hmac``) that the module's own encoder wrote beside the value (``[key, isinstance(v, SafeData),
level, v]``, restored with ``if obj[1]: obj[3] = mark_safe(obj[3])``).
"""

from __future__ import annotations

import ast
import functools
import re
import threading
from collections.abc import Callable

from ..engine.facts import parameter_names
from ..engine.names import dotted_name
from .base import CacheKey, RuleContext
from .callers import parameter_of, passed_values
from .encoded_text import round_tripped
from .judge import (
    expression_key,
    imports_module,
    is_static,
    name_stores,
    own_returns,
    single_assignment,
    static_string,
)
from .markdown_cleaning import MARKDOWN_RENDERERS, cleaned_markdown
from .marking_apis import configured_attribute
from .project_helpers import judged_with_arguments, passed_for, project_function
from .reaching import reaching_values
from .rendered_markup import autoescaped_template, rendered_markup
from .rewritten_items import every_item_replaced, loop_index

ESCAPERS = frozenset(
    {
        "django.utils.html.escape",
        "django.utils.html.conditional_escape",
        "django.utils.html.format_html",
        "django.utils.html.format_html_join",
        "django.utils.html.escapejs",
        "django.utils.html.strip_tags",
        "django.utils.html.json_script",
        "django.template.loader.render_to_string",
        "django.template.defaultfilters.escape",
        "django.template.defaultfilters.force_escape",
        "html.escape",
        "markupsafe.escape",
        "flask.escape",
        "jinja2.escape",
        "bleach.clean",
        "nh3.clean",
        "json.dumps",
        # attribute text whose values WTForms escapes
        "wtforms.widgets.html_params",
        "wtforms.widgets.core.html_params",
    }
)
# Element objects of HTML builders that escape the text and attribute values they render
# (``str(tags.span(text, **attrs))``); a builder's raw-text element is none of them.
_ESCAPING_BUILDERS = ("dominate.tags.",)
_ESCAPER_NAMES = frozenset(
    {"escape", "conditional_escape", "format_html", "format_html_join", "json_script", "escapejs", "force_escape"}
)
# Methods whose result is HTML the template engine or form machinery already escaped (a Django
# widget's ``_render`` renders its template through the form renderer).
_RENDERING_METHODS = frozenset(
    {"render", "_render", "render_to_string", "as_ul", "as_p", "as_table", "as_div", "label_tag", "non_field_errors"}
)
# Translation functions: the result is the translated text of a literal message id.
_TRANSLATIONS = frozenset(
    {"gettext", "gettext_lazy", "gettext_noop", "ugettext", "ugettext_lazy", "pgettext", "pgettext_lazy",
     "ngettext", "ngettext_lazy", "ungettext", "npgettext", "npgettext_lazy", "_", "_lazy"}
)  # fmt: skip
_TRANSLATION_MODULES = ("django.utils.translation.", "gettext.", "flask_babel.", "babel.")
_NUMERIC_CALLS = frozenset(
    {"builtins.int", "builtins.float", "builtins.len", "builtins.round", "builtins.abs", "builtins.ord"}
)
# Number formatting: digits, signs and the locale's separators come out.
_NUMBER_FORMATTING = frozenset({"number_format", "intcomma", "floatformat"})
# Rewriters of HTML that add only markup of their own (links around bare URLs): safe input stays safe.
_MARKUP_KEEPING = frozenset({"bleach.linkify"})
_NUMERIC_TYPES = frozenset({"int", "float", "Decimal", "decimal.Decimal", "complex", "bool"})
_NUMERIC_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGc%]")
_ANY_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +*]*\d*(?:\.\d+)?[a-zA-Z%]")
_CHAINS = frozenset({"itertools.chain", "itertools.chain.from_iterable"})
_REORDERING = frozenset({"builtins.reversed", "builtins.sorted", "builtins.list", "builtins.tuple"})
_KEEPING_METHODS = frozenset({"strip", "lstrip", "rstrip"})
_SAFE_TYPES = ("SafeData", "SafeString", "Markup")
# Calls declaring their argument safe HTML (SR604, SR605): what they return is as safe as what
# they are handed.
_MARKS = frozenset(
    {"django.utils.safestring.mark_safe", "django.utils.html.mark_safe", "django.utils.safestring.SafeString",
     "markupsafe.Markup", "flask.Markup", "jinja2.Markup", "jinja2.utils.Markup"}
)  # fmt: skip
_MAX_DEPTH = 8


def safe_markup(ctx: RuleContext, node: ast.expr, depth: int = 0) -> bool:
    """A value that cannot smuggle markup (see the module docstring)."""
    if isinstance(node, ast.Constant):
        return True  # fixed text, however deep the judgement went
    if depth > _MAX_DEPTH:  # a use met again in its own loop-carried value: see ``_safe_name``
        return isinstance(node, ast.Name) and id(node) in (getattr(_JUDGING, "names", None) or ())
    if is_static(ctx, node):
        return True
    safe = functools.partial(safe_markup, ctx, depth=depth + 1)
    if isinstance(node, ast.Call):
        return _safe_call(ctx, node, depth)
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(v, ast.Constant) or safe(v.value) or _quoted_url(ctx, node.values[i - 1] if i else None, v)  # type: ignore[attr-defined]
            for i, v in enumerate(node.values)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _numeric_template(ctx, node.left):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):  # ``"\t" * depth``: copies of the text
        return any(static_string(ctx, side) is not None for side in (node.left, node.right))
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        right = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        if isinstance(node.right, ast.Dict):
            right = list(node.right.values)
        if isinstance(node.op, ast.Add) and _quoted_url(ctx, node.left, node.right):
            return safe(node.left)
        return safe(node.left) and all(safe(r) for r in right)
    if isinstance(node, ast.IfExp):
        return safe(node.body) and safe(node.orelse)
    if isinstance(node, ast.Subscript):  # an element of a local tuple or list of safe values
        if rendered_markup(ctx, node):
            return True
        return isinstance(node.value, ast.Name) and _safe_elements(ctx, node.value, depth + 1)
    if isinstance(node, ast.Attribute):
        return rendered_markup(ctx, node) or configured_attribute(ctx, node)
    if isinstance(node, ast.Name):
        return rendered_markup(ctx, node) or _safe_name(ctx, node, depth)
    return False


# URL builders of the site's own routes: they percent-encode ``"``, ``<``, ``>`` and spaces of
# the values they put in the path, query and fragment (not ``'``). A URL made with the request's
# host (``_external``) or with keywords unpacked from elsewhere is not judged here.
_URL_BUILDERS = frozenset({"flask.url_for", "flask.helpers.url_for", "django.urls.reverse"})
_DOUBLE_QUOTED_VALUE = re.compile(r'=\s*"$')


def _quoted_url(ctx: RuleContext, before: ast.expr | None, value: ast.expr) -> bool:
    """``'<a href="' + url_for(...)`` / ``f'<a href="{url_for(...)}"'``: a URL of the site's own
    routes written as a double-quoted attribute value, which it cannot leave."""
    if isinstance(value, ast.FormattedValue):
        if value.conversion != -1 or value.format_spec is not None:
            return False
        value = value.value
    built = reaching_values(ctx, value) if isinstance(value, ast.Name) else [value]  # ``url = url_for(...)``
    if not built or not all(_own_route_url(ctx, url) for url in built):
        return False
    while isinstance(before, ast.BinOp) and isinstance(before.op, ast.Add):
        before = before.right
    text = before.value if isinstance(before, ast.Constant) else None
    return isinstance(text, str) and _DOUBLE_QUOTED_VALUE.search(text) is not None


def _own_route_url(ctx: RuleContext, value: ast.expr) -> bool:
    """``url_for("view", pk=x)``: a URL builder of the site's routes, relative, keywords spelled out."""
    if not isinstance(value, ast.Call) or (ctx.facts.qualname(value.func) or "") not in _URL_BUILDERS:
        return False
    return not any(k.arg is None or k.arg == "_external" for k in value.keywords)


def _safe_call(ctx: RuleContext, node: ast.Call, depth: int) -> bool:
    safe = functools.partial(safe_markup, ctx, depth=depth + 1)
    name = ctx.facts.qualname(node.func) or ctx.facts.spelled(node.func)  # spelled: a local function
    last = name.rsplit(".", 1)[-1]
    if name in ESCAPERS or last in _ESCAPER_NAMES or _passes_autoescape(node) or autoescaped_template(ctx, node, name):
        return True
    if name.startswith(_ESCAPING_BUILDERS):
        return _escaped_children(ctx, node)
    if _translation(name) and all(is_static(ctx, a) or not _message_argument(last, i) for i, a in enumerate(node.args)):
        return True
    if name in _NUMERIC_CALLS:
        return True
    if last in _NUMBER_FORMATTING or name in _MARKUP_KEEPING:
        return bool(node.args) and safe(node.args[0])
    if name in ("builtins.str", "builtins.format") and len(node.args) == 1:
        return safe(node.args[0])
    if _rendering_method_by_name(ctx, node.func):
        return True
    if name in MARKDOWN_RENDERERS:
        return cleaned_markdown(ctx, node, lambda c, run: _returns_safe(c, run, depth))
    if name in _MARKS:  # the mark of a value that is safe already: judged where it is marked
        return bool(node.args) and not isinstance(node.args[0], ast.Starred) and safe(node.args[0])
    if _safe_helper_call(ctx, node, depth) or _safe_project_call(ctx, node, depth):
        return True
    if not isinstance(node.func, ast.Attribute):
        return False
    method, receiver = node.func.attr, node.func.value
    if method in _RENDERING_METHODS or method.startswith("render_"):
        return True
    if method == "format" and (safe(receiver) or _escaping_formatter(ctx, node)):
        return _safe_format_arguments(ctx, node, depth + 1)
    if method == "join" and safe(receiver) and len(node.args) == 1:
        return _safe_elements(ctx, node.args[0], depth + 1)
    if method in _KEEPING_METHODS:
        return all(is_static(ctx, a) for a in node.args) and safe(receiver)
    if method == "replace" and len(node.args) == 2:
        return _harmless_replacement(ctx, node.args[0], node.args[1]) and safe(receiver)
    if method == "clean" and _sanitizer(ctx, receiver):
        return True
    if method == "linkify" and len(node.args) == 1 and imports_module(ctx.facts, "bleach"):
        return safe(node.args[0])  # bleach's ``Linker``: links around bare URLs, attribute values escaped
    if method == "translate" and len(node.args) == 1:
        return _escaping_table(ctx, node.args[0])
    encoded = round_tripped(ctx, node)  # ``.encode("ascii", "xmlcharrefreplace").decode()``: adds no markup
    return encoded is not None and safe(encoded)


_SANITIZERS = frozenset({"bleach.Cleaner", "bleach.sanitizer.Cleaner"})


def _sanitizer(ctx: RuleContext, node: ast.expr, hops: int = 0) -> bool:
    """A ``bleach.Cleaner(...)`` object: made here, or the value of a name bound once to one (a
    module constant, the default of a parameter the call being judged leaves out)."""
    if isinstance(node, ast.Call):
        return (ctx.facts.qualname(node.func) or "") in _SANITIZERS
    if not isinstance(node, ast.Name) or hops > 2:
        return False
    passed = passed_for(ctx, node)
    if passed is not None:
        return _sanitizer(passed[0], passed[1], hops + 1)
    value = single_assignment(ctx, node)
    return value is not None and _sanitizer(ctx, value, hops + 1)


def _escaped_children(ctx: RuleContext, node: ast.Call) -> bool:
    """No child handed to a builder element opts out of escaping (``raw(text)``)."""
    for child in node.args:
        if not isinstance(child, ast.Call):
            continue
        name = ctx.facts.qualname(child.func) or ""
        if name.startswith(_ESCAPING_BUILDERS):
            if not _escaped_children(ctx, child):
                return False
        elif name.startswith("dominate."):
            return False
    return True


_JUDGING = threading.local()  # the helpers whose returns are being judged, per thread
_Function = (ast.FunctionDef, ast.AsyncFunctionDef)


def _safe_project_call(ctx: RuleContext, call: ast.Call, depth: int) -> bool:
    """A call of a function of another project file whose every ``return`` is safe, given what
    the call passes (``project_helpers.py``)."""
    found = project_function(ctx, call)
    if found is None:
        return False
    callee, function = found
    return judged_with_arguments(ctx, call, callee, function, lambda: _returns_safe(callee, function, depth))


def _safe_helper_call(ctx: RuleContext, call: ast.Call, depth: int) -> bool:
    """A call of a helper of this module whose result is escaped HTML whatever it is handed:
    ``formatter(items)`` or ``self._items_html()`` where every ``return`` of the function
    (a module-level or nested function, a method of the enclosing class) is safe, and
    ``escaper(item)`` where every binding of ``escaper`` that can be in force when escaping is on
    (``if autoescape: escaper = conditional_escape``) is an escaper. A helper calling itself
    (nested lists) is judged on its other parts; a function's parameters stand for what the call
    passes (``project_helpers.py``)."""
    func = call.func
    if isinstance(func, ast.Name) and (passed := passed_for(ctx, func)) is not None:
        return _is_escaper(*passed)  # ``quote(value)``, ``quote`` a parameter handed an escaper
    if isinstance(func, ast.Name):
        bindings = _helper_bindings(ctx, func)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        owner = next((a for a in ctx.facts.ancestors(func) if isinstance(a, ast.ClassDef)), None)
        bindings = [m for m in owner.body if isinstance(m, _Function) and m.name == func.attr] if owner else []
    else:
        return False
    if not bindings:
        return False
    for binding in bindings:
        if isinstance(binding, ast.Assign):
            if not _is_escaper(ctx, binding.value):
                return False
        elif isinstance(func, ast.Name) and isinstance(binding, _Function):
            if not judged_with_arguments(ctx, call, ctx, binding, lambda b=binding: _returns_safe(ctx, b, depth)):
                return False
        elif not _returns_safe(ctx, binding, depth):
            return False
    return True


def _is_escaper(ctx: RuleContext, value: ast.expr) -> bool:
    escaper = ctx.facts.qualname(value) or ctx.facts.spelled(value)
    return escaper in ESCAPERS or escaper.rsplit(".", 1)[-1] in _ESCAPER_NAMES


def _helper_bindings(ctx: RuleContext, name: ast.Name) -> list[ast.AST]:
    """The ``def`` statements and plain assignments binding ``name`` in the nearest enclosing
    scope that binds it, leaving out those in a branch run when escaping is off; empty when
    anything else binds it there (a parameter, a loop, an import, a class, ``nonlocal``)."""
    if any(name.id in n.names for n in ctx.facts.nodes(ast.Global, ast.Nonlocal)):  # type: ignore[attr-defined]
        return []
    for scope in [a for a in ctx.facts.ancestors(name) if isinstance(a, (*_Function, ast.Module))]:
        if isinstance(scope, _Function) and name.id in parameter_names(scope, starred=True):
            return []
        bindings = _scope_bindings(ctx, scope)
        if name.id in bindings:
            found = bindings[name.id]
            return [f for f in found if not _when_escaping_is_off(ctx, f)] if found is not None else []
    return []


_Bindings = dict[str, list[ast.AST] | None]
_BINDINGS: CacheKey[dict[int, tuple[ast.AST, _Bindings]]] = CacheKey("helper bindings of each scope")


def _scope_bindings(ctx: RuleContext, scope: ast.AST) -> _Bindings:
    """Per name bound in ``scope`` (nested functions and classes left out): its ``def`` statements
    and plain single-name assignments, or None when something else binds it (a loop, a tuple
    target, an import, a class). Indexed once per scope and analysis."""
    indexes = ctx.cache.get(_BINDINGS, dict)
    entry = indexes.get(id(scope))
    if entry is not None and entry[0] is scope:
        return entry[1]
    found: _Bindings = {}

    def add(key: str, binding: ast.AST | None) -> None:
        current = found.setdefault(key, [])
        if binding is None or current is None:
            found[key] = None
        else:
            current.append(binding)

    stack: list[ast.AST] = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, _Function):
            add(node.name, node)
            continue
        if isinstance(node, ast.ClassDef):
            add(node.name, None)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            parent = ctx.facts.parent(node)
            single = isinstance(parent, ast.Assign) and parent.targets == [node]
            add(node.id, parent if single else None)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                add((alias.asname or alias.name).split(".")[0], None)
        stack.extend(ast.iter_child_nodes(node))
    indexes[id(scope)] = (scope, found)
    return found


def _returns_safe(ctx: RuleContext, function: ast.AST, depth: int) -> bool:
    judging: set[int] = getattr(_JUDGING, "functions", None) or set()
    _JUDGING.functions = judging
    if id(function) in judging:
        return True  # a call of the helper inside itself: its other parts decide
    returns = own_returns(function)  # type: ignore[arg-type]
    if not returns or depth >= _MAX_DEPTH:
        return False
    judging.add(id(function))
    try:
        return all(r.value is not None and safe_markup(ctx, r.value, depth + 1) for r in returns)
    finally:
        judging.discard(id(function))


def _translation(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    if last not in _TRANSLATIONS:
        return False
    return "." not in name or name.startswith(_TRANSLATION_MODULES) or name.startswith("translation.")


def _message_argument(function: str, position: int) -> bool:
    """Whether the argument at ``position`` is message text (not a count or a context)."""
    if function.startswith("np"):
        return position in (0, 1, 2)
    if function.startswith(("n", "un")):
        return position in (0, 1)
    return position in (0, 1) if function.startswith("p") else position == 0


def _numeric_template(ctx: RuleContext, node: ast.expr) -> bool:
    """A %-template whose every conversion gives a number (``"%d"``, ``"%.2f"``)."""
    text = _literal(ctx, node)
    if text is None or "%" not in text:
        return False
    return len(_ANY_PERCENT.findall(text)) == len(_NUMERIC_PERCENT.findall(text))


def _literal(ctx: RuleContext, node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
    return None


def _harmless_replacement(ctx: RuleContext, old: ast.expr, new: ast.expr) -> bool:
    """``replace(old, new)`` with fixed texts that undo no escaping (``old`` holds no ``&``)."""
    old_text = _literal(ctx, old)
    return old_text is not None and "&" not in old_text and is_static(ctx, new)


def _escaping_table(ctx: RuleContext, node: ast.expr) -> bool:
    """A module-level translation table mapping ``<``, ``>`` and ``&`` to something else."""
    if not isinstance(node, ast.Name):
        return False
    table = single_assignment(ctx, node)
    if not isinstance(table, ast.Dict):
        return False
    mapped: set[str] = set()
    for key in table.keys:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            mapped.add(key.value)
        elif isinstance(key, ast.Constant) and isinstance(key.value, int):
            mapped.add(chr(key.value))
        elif (
            isinstance(key, ast.Call) and isinstance(key.func, ast.Name) and key.func.id == "ord"
            and len(key.args) == 1 and isinstance(key.args[0], ast.Constant) and isinstance(key.args[0].value, str)
        ):  # fmt: skip
            mapped.add(key.args[0].value)
    return {"<", ">", "&"} <= mapped


def _passes_autoescape(call: ast.Call) -> bool:
    """``linebreaks(value, autoescape)``, ``urlize(value, autoescape=autoescape)``: a template
    filter helper handed the autoescape flag escapes its input itself when escaping is on."""
    if any(k.arg == "autoescape" for k in call.keywords):
        return True
    return any(isinstance(a, ast.Name) and a.id == "autoescape" for a in call.args)


def _safe_format_arguments(ctx: RuleContext, call: ast.Call, depth: int) -> bool:
    """Every argument of ``template.format(...)`` is safe, unpacked ones included
    (``*map(conditional_escape, args)``, ``**{k: conditional_escape(v) for ...}``)."""
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            if not _safe_elements(ctx, arg.value, depth):
                return False
        elif not safe_markup(ctx, arg, depth):
            return False
    for kw in call.keywords:
        if not (_safe_mapping(ctx, kw.value, depth) if kw.arg is None else safe_markup(ctx, kw.value, depth)):
            return False
    return True


def _safe_mapping(ctx: RuleContext, node: ast.expr, depth: int) -> bool:
    """Every value of a mapping unpacked with ``**`` is safe."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Name):
        value = single_assignment(ctx, node)
        return value is not None and _safe_mapping(ctx, value, depth + 1)
    if isinstance(node, ast.DictComp):
        return safe_markup(ctx, node.value, depth + 1)
    if isinstance(node, ast.Dict):
        return all(
            (_safe_mapping(ctx, v, depth + 1) if k is None else safe_markup(ctx, v, depth + 1))
            for k, v in zip(node.keys, node.values, strict=True)
        )
    return False


def _escaping_formatter(ctx: RuleContext, call: ast.Call) -> bool:
    """``template.format(*escaped)`` where ``template`` is the enclosing function's own
    parameter and at least one value is interpolated: an escaping formatter in the shape of
    ``format_html`` — it escapes every value, and the template is the caller's fixed text by
    contract (a caller passing outside text as the template is reported at that caller's
    ``mark_safe``/``format_html`` misuse, not here)."""
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if not isinstance(receiver, ast.Name) or not (call.args or call.keywords):
        return False
    function = ctx.facts.enclosing_function(call)
    if function is None or isinstance(function, ast.Lambda) or name_stores(ctx, receiver) is not None:
        return False
    return receiver.id in parameter_names(function)


def _escaping_map(ctx: RuleContext, node: ast.expr) -> bool:
    """``map(conditional_escape, values)``: every element comes out of an escaper."""
    if not (isinstance(node, ast.Call) and ctx.facts.qualname(node.func) == "builtins.map" and len(node.args) >= 2):
        return False
    escaper = node.args[0]
    name = ctx.facts.qualname(escaper) or ctx.facts.spelled(escaper)
    return name in ESCAPERS or name.rsplit(".", 1)[-1] in _ESCAPER_NAMES


def _safe_elements(ctx: RuleContext, node: ast.expr, depth: int) -> bool:
    """Every element of an iterable is safe: a comprehension, a literal, or a local list
    built from safe values (``out = []`` then ``out.append(format_html(...))``)."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        return safe_markup(ctx, node.elt, depth)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(safe_markup(ctx, e, depth) for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # ``["<p>", *head] + [items] + ["</p>"]``
        return _safe_elements(ctx, node.left, depth + 1) and _safe_elements(ctx, node.right, depth + 1)
    if _escaping_map(ctx, node):
        return True
    if isinstance(node, ast.Call) and ctx.facts.qualname(node.func) in _CHAINS and not node.keywords:
        if ctx.facts.qualname(node.func) == "itertools.chain":
            return all(_safe_elements(ctx, part, depth + 1) for part in node.args)
        parts = node.args[0] if len(node.args) == 1 else None
        return isinstance(parts, (ast.GeneratorExp, ast.ListComp)) and _rendered_sequence(ctx, parts.elt)
    if isinstance(node, ast.Call) and _rendered_sequence(ctx, node):
        return True
    if (
        isinstance(node, ast.Call)
        and ctx.facts.qualname(node.func) in _REORDERING
        and len(node.args) == 1
        and not node.keywords
    ):
        return _safe_elements(ctx, node.args[0], depth + 1)  # ``reversed(digits)``: the same items
    if isinstance(node, ast.Name):
        if _number_parts(ctx, node):
            return _safe_additions(ctx, node, depth)
        if _passed_safe(ctx, node, lambda v: _safe_elements(ctx, v, depth + 1)):
            return True
        values = reaching_values(ctx, node, _autoescape_branch, appended=True)  # ``s += piece``: s + piece
        if not values or not all(
            _escaping_map(ctx, v)
            or (
                isinstance(v, (ast.List, ast.Tuple, ast.ListComp, ast.GeneratorExp, ast.BinOp))
                and _safe_elements(ctx, v, depth + 1)
            )
            for v in values
        ):
            if not every_item_replaced(ctx, node, _autoescape_branch):
                return False
        return _safe_additions(ctx, node, depth)
    return False


def _number_parts(ctx: RuleContext, name: ast.Name) -> bool:
    """``sign, digits, exponent = value.as_tuple()`` is the nearest binding of ``name`` before
    the statement it is read in: the parts of a ``Decimal`` (numbers, a tuple of digits)."""
    statement: ast.AST = name
    for ancestor in ctx.facts.ancestors(name):
        if isinstance(ancestor, (*_Function, ast.Lambda, ast.ClassDef)):
            break
        statement = ancestor
    else:
        return False
    body = getattr(ancestor, "body", None)
    if not isinstance(body, list) or statement not in body:
        return False
    for earlier in reversed(body[: body.index(statement)]):
        if not any(
            isinstance(n, ast.Name) and n.id == name.id and isinstance(n.ctx, ast.Store) for n in ast.walk(earlier)
        ):
            continue
        return (
            isinstance(earlier, ast.Assign)
            and len(earlier.targets) == 1
            and isinstance(earlier.targets[0], ast.Tuple)
            and isinstance(earlier.value, ast.Call)
            and isinstance(earlier.value.func, ast.Attribute)
            and earlier.value.func.attr == "as_tuple"
            and any(isinstance(e, ast.Name) and e.id == name.id for e in earlier.targets[0].elts)
        )
    return False


def _rendered_sequence(ctx: RuleContext, node: ast.expr) -> bool:
    """A call of a rendering method (``self.render_js()``, ``getattr(self, "render_" + kind)()``),
    whose result is rendered HTML or a sequence of such pieces."""
    if not (isinstance(node, ast.Call) and not node.args and not node.keywords):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr in _RENDERING_METHODS or func.attr.startswith("render_")
    return _rendering_method_by_name(ctx, func)


def _rendering_method_by_name(ctx: RuleContext, func: ast.expr) -> bool:
    """``getattr(obj, "render_" + kind)``: a method picked by a name with a fixed ``render_`` prefix."""
    if not (isinstance(func, ast.Call) and ctx.facts.qualname(func.func) == "builtins.getattr"):
        return False
    if len(func.args) != 2 or func.keywords:
        return False
    name = func.args[1]
    whole = _literal(ctx, name)
    if whole is not None:
        return whole in _RENDERING_METHODS or whole.startswith("render_")
    if isinstance(name, ast.BinOp) and isinstance(name.op, ast.Add):
        name = name.left
    elif isinstance(name, ast.JoinedStr) and name.values:
        name = name.values[0]
    prefix = _literal(ctx, name)
    return prefix is not None and prefix.startswith("render_")


def _safe_additions(ctx: RuleContext, node: ast.Name, depth: int) -> bool:
    """What the function adds to the list named ``node`` (``append``, ``extend``, ``insert``,
    ``+=``, item assignment) is safe; a list handed to another call may change there."""
    function = ctx.facts.enclosing_function(node)
    if function is None:
        return False
    for inner in ast.walk(function):
        if _when_escaping_is_off(ctx, inner):
            continue
        if isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == node.id:
                if func.attr in ("append", "insert"):
                    if not inner.args or not safe_markup(ctx, inner.args[-1], depth + 1):
                        return False
                elif func.attr == "extend":
                    if len(inner.args) != 1 or not _safe_elements(ctx, inner.args[0], depth + 1):
                        return False
            elif any(isinstance(a, ast.Name) and a.id == node.id for a in inner.args) and not _reads_only(ctx, func):
                return False
        elif isinstance(inner, ast.AugAssign) and isinstance(inner.target, ast.Name) and inner.target.id == node.id:
            if not _safe_elements(ctx, inner.value, depth + 1):
                return False
        elif isinstance(inner, ast.Assign) and any(_item_of(t, node.id) for t in inner.targets):
            if not safe_markup(ctx, inner.value, depth + 1):
                return False
    return True


def _when_escaping_is_off(ctx: RuleContext, node: ast.AST) -> bool:
    """The node sits in the branch of ``if autoescape:`` that runs when the template turned
    escaping off (see ``_autoescape_branch``)."""
    child: ast.AST = node
    for ancestor in ctx.facts.ancestors(node):
        if isinstance(ancestor, ast.If):
            branch = _autoescape_branch(ancestor.test)
            if branch is not None and child in (ancestor.orelse if branch == "body" else ancestor.body):
                return True
        child = ancestor
    return False


def _reads_only(ctx: RuleContext, func: ast.expr) -> bool:
    """A call that reads a list it is handed: ``sep.join(items)``, ``len(items)``, ``sorted(items)``,
    or a method of the enclosing class that changes none of its parameters in place."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
        owner = next((a for a in ctx.facts.ancestors(func) if isinstance(a, ast.ClassDef)), None)
        methods = [m for m in owner.body if isinstance(m, _Function) and m.name == func.attr] if owner else []
        return len(methods) == 1 and not _changes_parameters(methods[0])
    if isinstance(func, ast.Attribute):
        return func.attr == "join"
    return (ctx.facts.qualname(func) or "").startswith("builtins.")


_CHANGING_METHODS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update"})


def _changes_parameters(function: ast.AST) -> bool:
    """The function changes a parameter's object in place (``items.append(x)``, ``items[0] = x``,
    ``items += more``) or hands a parameter to another call, which might."""
    names = set(parameter_names(function, starred=True)) - {"self", "cls"}
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in names:
                if func.attr in _CHANGING_METHODS:
                    return True
            passed = [*node.args, *(k.value for k in node.keywords)]
            if any(isinstance(a, ast.Name) and a.id in names for a in passed) and not (
                isinstance(func, ast.Attribute) and func.attr == "join"
            ):
                return True
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
        )
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in names:
                return True  # ``items[0] = x``
            if isinstance(node, ast.AugAssign) and isinstance(target, ast.Name) and target.id in names:
                return True  # ``items += more`` extends the caller's list
    return False


def _item_of(target: ast.expr, name: str) -> bool:
    return isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name


def _safe_name(ctx: RuleContext, node: ast.Name, depth: int) -> bool:
    if _narrowed(ctx, node) or loop_index(ctx, node):
        return True
    passed = passed_for(ctx, node)  # a parameter of a helper whose call is being judged
    if passed is not None:
        return safe_markup(passed[0], passed[1], depth + 1)
    iterated = _comprehension_source(ctx, node)
    if iterated is not None:  # ``str(digit) for digit in digits``: an item of a safe sequence
        return _safe_elements(ctx, iterated, depth + 1)
    value = single_assignment(ctx, node)
    if value is not None:
        return safe_markup(ctx, value, depth + 1)
    if depth < _MAX_DEPTH and _passed_safe(ctx, node, lambda v: safe_markup(ctx, v, depth + 1)):
        return True
    # ``s += piece`` is ``s + piece``; a use met again while its own values are judged (``s = s +
    # piece`` in a loop) is as safe as the values that reach it from elsewhere decide.
    judging: set[int] = getattr(_JUDGING, "names", None) or set()
    if id(node) in judging:
        return True
    values = reaching_values(ctx, node, _autoescape_branch, appended=True)
    judging.add(id(node))
    _JUDGING.names = judging
    try:
        return bool(values) and all(safe_markup(ctx, v, depth + 1) for v in values)
    finally:
        judging.discard(id(node))


def _comprehension_source(ctx: RuleContext, node: ast.Name) -> ast.expr | None:
    """What the comprehension around ``node`` iterates when its variable is ``node`` (one
    generator, a plain name target)."""
    for ancestor in ctx.facts.ancestors(node):
        if isinstance(ancestor, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            generators = ancestor.generators
            if (
                len(generators) == 1
                and isinstance(generators[0].target, ast.Name)
                and generators[0].target.id == node.id
            ):
                return generators[0].iter
            return None
        if isinstance(ancestor, (*_Function, ast.Lambda, ast.stmt)):
            return None
    return None


def _autoescape_branch(test: ast.expr) -> str | None:
    """``if autoescape:`` (or ``autoescape and ...``) escapes in its body; ``if not autoescape``
    (or ``not autoescape or ...``) in its else branch."""
    if _mentions_flag(test, positive=True):
        return "body"
    if _mentions_flag(test, positive=False):
        return "orelse"
    return None


def _mentions_flag(test: ast.expr, *, positive: bool) -> bool:
    if positive:
        if isinstance(test, ast.Name):
            return test.id == "autoescape"
        return (
            isinstance(test, ast.BoolOp)
            and isinstance(test.op, ast.And)
            and any(_mentions_flag(v, positive=True) for v in test.values)
        )
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _mentions_flag(test.operand, positive=True)
    return (
        isinstance(test, ast.BoolOp)
        and isinstance(test.op, ast.Or)
        and any(_mentions_flag(v, positive=False) for v in test.values)
    )


def _narrowed(ctx: RuleContext, node: ast.Name) -> bool:
    """The use sits in the body of an ``if`` whose test holds only when the name is a
    constant (``x is None``, ``x == ""``) or a number (``isinstance(x, int)``)."""
    child: ast.AST = node
    for ancestor in ctx.facts.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(ancestor, ast.If) and child in ancestor.body and _pins(ancestor.test, node.id):
            return not _reassigned_in(ancestor.body, node)
        if isinstance(ancestor, ast.IfExp) and child is ancestor.body and _pins(ancestor.test, node.id):
            return True
        child = ancestor
    return False


def _reassigned_in(body: list[ast.stmt], use: ast.Name) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == use.id and isinstance(n.ctx, ast.Store)
        for statement in body
        for n in ast.walk(statement)
    )


def _pins(test: ast.expr, name: str) -> bool:
    if isinstance(test, ast.BoolOp):
        if isinstance(test.op, ast.And):
            return any(_pins(v, name) for v in test.values)
        return all(_pins(v, name) for v in test.values)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right = test.left, test.comparators[0]
        named = isinstance(left, ast.Name) and left.id == name
        if named and isinstance(test.ops[0], (ast.Is, ast.Eq)) and isinstance(right, ast.Constant):
            return True
        return False
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance":
        if len(test.args) != 2 or not (isinstance(test.args[0], ast.Name) and test.args[0].id == name):
            return False
        kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        return all(dotted_name(k) in _NUMERIC_TYPES for k in kinds)
    return False


def keeps_safety(ctx: RuleContext, call: ast.Call) -> bool:
    """The call sits in a branch taken only when the input already was safe HTML
    (``if isinstance(value, SafeData): return mark_safe(result)``): it carries the mark over; or
    it restores markup its own class serialized (``_restores_own_markup``)."""
    if _restores_own_markup(ctx, call):
        return True
    child: ast.AST = call
    for ancestor in ctx.facts.ancestors(call):
        if isinstance(ancestor, (ast.If, ast.IfExp)) and child is not ancestor.test:
            in_body = child in ancestor.body if isinstance(ancestor, ast.If) else child is ancestor.body
            if in_body and (_tests_safe_type(ctx, ancestor.test) or _signed_record_flag(ctx, ancestor.test, call)):
                return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        child = ancestor
    return False


def _restores_own_markup(ctx: RuleContext, call: ast.Call) -> bool:
    """``def to_python(self, value): return Markup(value)`` in a class whose other method
    serializes markup through the markup protocol (``return str(value.__html__())``): the
    decoder of a tagged serializer turns back into markup the text its own encoder wrote from
    markup. Where the serialized text comes from is its caller's concern (a signed session is
    the data-flow rules' to judge)."""
    value = call.args[0] if len(call.args) == 1 and not call.keywords else None
    method = ctx.facts.enclosing_function(call)
    if not isinstance(value, ast.Name) or not isinstance(method, _Function) or value.id not in parameter_names(method):
        return False
    if any(
        isinstance(node, ast.Name) and node.id == value.id and isinstance(node.ctx, ast.Store)
        for node in ast.walk(method)
    ):
        return False  # rebound in the method: not what the serializer handed in
    owner = next((a for a in ctx.facts.ancestors(method) if isinstance(a, ast.ClassDef)), None)
    if owner is None or method not in owner.body:
        return False
    return any(
        isinstance(other, _Function)
        and other is not method
        and any(
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__html__"
            for returned in own_returns(other)
            if returned.value is not None
            for node in ast.walk(returned.value)
        )
        for other in owner.body
    )


_SIGNING_MODULES = ("django.core.signing", "itsdangerous", "hmac")


def _signed_record_flag(ctx: RuleContext, test: ast.expr, call: ast.Call) -> bool:
    """``if obj[1]: obj[3] = mark_safe(obj[3])`` in a module that signs what it stores and whose
    own encoder writes records ``[..., flag, ..., value]`` with ``flag`` computed by
    ``isinstance(value, SafeData)`` at position 1 and ``value`` at position 3: the mark is restored
    only on text that was safe HTML when the module wrote it, and the signature keeps a client
    from setting the flag."""
    marked = call.args[0] if call.args else None
    flag, value = _record_item(test), _record_item(marked)
    if flag is None or value is None or flag[0] != value[0] or flag[1] == value[1]:
        return False
    if not imports_module(ctx.facts, *_SIGNING_MODULES):
        return False
    for record in ctx.facts.nodes(ast.List, ast.Tuple):
        assert isinstance(record, (ast.List, ast.Tuple))
        elements = record.elts
        if len(elements) <= max(flag[1], value[1]) or any(isinstance(e, ast.Starred) for e in elements):
            continue
        if _flags_safe_type(ctx, elements[flag[1]], elements[value[1]]):
            return True
    return False


def _record_item(node: ast.expr | None) -> tuple[str, int] | None:
    """``obj[1]`` (also ``obj[1] == 1``): the record's name and the position."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
        right = node.comparators[0]
        node = node.left if isinstance(right, ast.Constant) and right.value in (1, True) else None
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
        return None
    index = node.slice
    if isinstance(index, ast.Constant) and isinstance(index.value, int) and not isinstance(index.value, bool):
        return node.value.id, index.value
    return None


def _flags_safe_type(ctx: RuleContext, flag: ast.expr, value: ast.expr) -> bool:
    """``flag`` (or the one value a name holds) is computed by ``isinstance(value, SafeData)``."""
    if isinstance(flag, ast.Name):
        flag = single_assignment(ctx, flag) or flag
    wanted = expression_key(value)
    for node in ast.walk(flag):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance":
            if len(node.args) == 2 and expression_key(node.args[0]) == wanted:
                kinds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
                if kinds and all((dotted_name(k) or "").rsplit(".", 1)[-1] in _SAFE_TYPES for k in kinds):
                    return True
    return False


def _tests_safe_type(ctx: RuleContext, test: ast.expr, hops: int = 0) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and node.id in _SAFE_TYPES:
            return True
        if isinstance(node, ast.Name):
            value = single_assignment(ctx, node)
            if value is not None and any(isinstance(n, ast.Name) and n.id in _SAFE_TYPES for n in ast.walk(value)):
                return True
            if value is None and hops < 2 and _flag_from_callers(ctx, node, hops + 1):
                return True
    return False


def _passed_safe(ctx: RuleContext, name: ast.Name, judge: Callable[[ast.expr], bool]) -> bool:
    """``name`` is a parameter the function never rebinds, and every call of the method in its
    class (``self.format_output(rendered)``, ``callers.py``) passes a value ``judge`` accepts."""
    function = parameter_of(ctx, name)
    if function is None or any(
        isinstance(node, ast.Name) and node.id == name.id and not isinstance(node.ctx, ast.Load)
        for node in ast.walk(function)
    ):
        return False
    values = passed_values(ctx, function, name.id)
    return bool(values) and all(judge(v) for v in values)


def _flag_from_callers(ctx: RuleContext, name: ast.Name, hops: int) -> bool:
    """``name`` is a parameter (``safe_input``) that every call of its function in this module
    passes a value testing for safe HTML (``safe_input=isinstance(text, SafeData)``)."""
    function = parameter_of(ctx, name)
    if function is None or name_stores(ctx, name) is not None:
        return False
    values = passed_values(ctx, function, name.id)
    return bool(values) and all(_tests_safe_type(ctx, v, hops) for v in values)


def built_html(node: ast.expr) -> bool:
    """An HTML string assembled here from parts (f-string, ``+``, ``%``, ``.format``)."""
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
