"""Web frameworks (SR6xx): debug servers, template autoescaping, strings marked safe,
cookie flags."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..engine.facts import argument, keyword, keyword_value
from ..engine.finding import Finding, Fix, Span, TextEdit
from ..engine.taint.unmarking import unmarked_at_once
from .base import HIGH, LOW, MEDIUM, RuleContext, replace_node, rule
from .debug_defaults import on_by_default
from .judge import file_name_words, has_star_kwargs, imports_module, is_static, short, single_assignment
from .marking_apis import declared_marking
from .safe_markup import built_html, keeps_safety, safe_markup
from .stored_records import reads_stored_record
from .template_text import renders_only_text, renders_to_text_output

_APP_FACTORIES = ("create_app", "make_app", "build_app", "get_app")


def _bound_to_flask_app(ctx: RuleContext, receiver: ast.expr) -> bool:
    if isinstance(receiver, ast.Call):  # create_app().run(debug=True)
        value: ast.expr | None = receiver
    elif isinstance(receiver, ast.Name):
        value = single_assignment(ctx, receiver)
    else:
        return False
    if isinstance(value, ast.Call):
        name = ctx.facts.qualname(value.func) or ctx.facts.spelled(value.func)
        return name in {"flask.Flask", "quart.Quart"} or name.rsplit(".", 1)[-1] in _APP_FACTORIES
    return False


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


_SETTINGS_MARKERS = ("INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE", "DJANGO_SETTINGS_MODULE")
_DEVELOPMENT_NAMES = ("dev", "local", "test", "develop", "development", "debug", "ci")


_DEFAULTS_MODULES = frozenset({"global_settings", "default_settings", "defaults", "default_config"})


def _framework_defaults(ctx: RuleContext) -> bool:
    """A framework's module of default settings (Django's ``global_settings.py``, Scrapy's
    ``default_settings.py``): it states what a project gets when it sets nothing."""
    return ctx.path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".py") in _DEFAULTS_MODULES


def _settings_module(ctx: RuleContext) -> str | None:
    """``"settings"`` for a Django settings module, ``"development"`` for one named for a
    developer machine (``settings/dev.py``, ``local_settings.py``), else None."""
    path = ctx.path.replace("\\", "/").lower()
    parts = path.rsplit("/", 2)
    stem = parts[-1].removesuffix(".py")
    in_settings = "settings" in stem or (len(parts) > 1 and parts[-2] == "settings")
    if (
        not in_settings
        or _framework_defaults(ctx)
        or not any(marker in ctx.source.text for marker in _SETTINGS_MARKERS)
    ):
        return None
    return "development" if file_name_words(path) & set(_DEVELOPMENT_NAMES) else "settings"


@rule(
    id="SR601",
    name="flask-debug",
    scope="module",  # a settings module is told by names anywhere in it (INSTALLED_APPS, ...)
    cwe=489,
    severity=HIGH,
    confidence=MEDIUM,
    bandit=("B201",),
    ruff=("S201",),
    fix_safety="safe",
    fix_note="Only development aids change (the in-browser debugger, and with `debug` the automatic "
    "reloader): the application answers every request as before, and an error shows a plain 500 "
    "page instead of a console that runs code.",
    summary="A web application runs in debug mode: Flask/Werkzeug's interactive debugger "
    "(`debug=True`), Django's `DEBUG = True` in a settings module, FastAPI/Starlette `debug=True`; "
    "also a switch read from the environment whose default turns it on "
    "(`os.environ.get('DJANGO_DEBUG', 'True') == 'True'`).",
    why="The Werkzeug debugger serves a Python console in the browser on any exception. Anyone who "
    "can reach the server and trigger an error (or guess/compute the PIN) runs code on the host. "
    "Django with `DEBUG = True` and FastAPI/Starlette with `debug=True` show tracebacks with "
    "settings, source and local variables to every visitor (CWE-489, active debug code). Enable "
    "debugging through an environment variable on a developer machine only. Settings modules "
    "named for development (`settings/dev.py`, `local_settings.py`) are reported with low confidence.",
    bad="app.run(host='127.0.0.1', debug=True)",
    good="app.run(host='127.0.0.1')  # FLASK_DEBUG=1 flask run, locally",
)
def flask_debug(ctx: RuleContext) -> Iterator[Finding]:
    flask = imports_module(ctx.facts, "flask", "quart")
    for call in ctx.facts.method_calls("run"):
        kw = keyword(call, "debug")
        if kw is None or not (_true(kw.value) or on_by_default(ctx, kw.value)):
            continue
        receiver = call.func.value  # type: ignore[attr-defined]
        if flask or _bound_to_flask_app(ctx, receiver):
            literal = _true(kw.value)
            yield flask_debug.finding(
                ctx,
                kw,
                f"`{ctx.facts.spelled(call.func)}(debug={'True' if literal else _UNSET_ON})` serves the interactive "
                "debugger, which runs Python code sent from the browser; leave debug off outside a developer machine",
                confidence=HIGH if _bound_to_flask_app(ctx, receiver) else MEDIUM,
                fix=replace_node(ctx, kw.value, "False", "Set `debug=False`") if literal else None,
            )
    yield from _debug_settings(ctx, flask)
    for _, call in ctx.facts.calls_to("werkzeug.serving.run_simple", "werkzeug.run_simple"):
        for name in ("use_debugger", "use_evalex"):
            kw = keyword(call, name)
            if kw is not None and isinstance(kw.value, ast.Constant) and kw.value.value is True:
                yield flask_debug.finding(
                    ctx,
                    kw,
                    f"`{ctx.facts.spelled(call.func)}({name}=True)` serves the interactive debugger to anyone who "
                    "can reach the server",
                    confidence=HIGH,
                    fix=replace_node(ctx, kw.value, "False", f"Set `{name}=False`"),
                )
                break


# How a switch read from the environment with a default that turns it on is shown.
_UNSET_ON = "<on when the variable is unset>"
_ASGI_APPS = ("fastapi.FastAPI", "starlette.applications.Starlette", "starlette.Starlette")


def _debug_settings(ctx: RuleContext, flask: bool) -> Iterator[Finding]:
    """``DEBUG = True`` in Django settings, ``FastAPI(debug=True)``, ``app.debug = True`` and
    ``app.config["DEBUG"] = True`` on Flask apps."""
    for _, call in ctx.facts.calls_to(*_ASGI_APPS):
        kw = keyword(call, "debug")
        if kw is not None and (_true(kw.value) or on_by_default(ctx, kw.value)):
            literal = _true(kw.value)
            yield flask_debug.finding(
                ctx,
                kw,
                f"`{ctx.facts.spelled(call.func)}(debug={'True' if literal else _UNSET_ON})` returns tracebacks "
                "with source and local variables to every client; leave debug off outside a developer machine",
                severity=MEDIUM,
                confidence=HIGH,
                fix=replace_node(ctx, kw.value, "False", "Set `debug=False`") if literal else None,
            )
    settings = _settings_module(ctx)
    for node in ctx.facts.tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        literal = _true(node.value)
        if not (literal or on_by_default(ctx, node.value)):
            continue
        target = node.targets[0]
        if settings and isinstance(target, ast.Name) and target.id == "DEBUG":
            yield flask_debug.finding(
                ctx,
                node,
                f"`DEBUG = {'True' if literal else _UNSET_ON}` in a Django settings module shows tracebacks, "
                "settings and SQL to every visitor; read it from the environment (off by default)",
                severity=MEDIUM,
                confidence=LOW if settings == "development" else MEDIUM,
                # No fix: with DEBUG off Django refuses hosts missing from ALLOWED_HOSTS and stops
                # serving static files, so the switch is a deployment decision, not a safe rewrite.
            )
        elif flask and _flask_debug_target(ctx, target):
            yield flask_debug.finding(
                ctx,
                node,
                f"`{ctx.segment(target)} = {'True' if literal else _UNSET_ON}` turns on the interactive debugger, "
                "which runs Python code sent from the browser; leave debug off outside a developer machine",
                confidence=MEDIUM,
                fix=replace_node(ctx, node.value, "False", "Set it to `False`") if literal else None,
            )


def _flask_debug_target(ctx: RuleContext, target: ast.expr) -> bool:
    """``app.debug`` or ``app.config["DEBUG"]`` on an app made by ``Flask(...)`` or a factory."""
    if isinstance(target, ast.Attribute) and target.attr == "debug":
        return _bound_to_flask_app(ctx, target.value)
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute):
        key = target.slice
        return (
            target.value.attr == "config"
            and isinstance(key, ast.Constant)
            and key.value == "DEBUG"
            and _bound_to_flask_app(ctx, target.value.value)
        )
    return False


def _jinja_environments(ctx: RuleContext) -> Iterator[ast.Call]:
    for name, call in ctx.facts.calls_with_prefix("jinja2."):
        if name.rsplit(".", 1)[-1] in {"Environment", "SandboxedEnvironment"}:
            yield call


@rule(
    id="SR602",
    name="jinja2-autoescape-off",
    cwe=79,
    severity=HIGH,
    confidence=HIGH,
    scope="module",  # the templates the module renders may be loaded anywhere in it
    bandit=("B701",),
    ruff=("S701",),
    fix_safety="unsafe",
    fix_note="Every rendered value gets HTML-escaped: templates that insert trusted markup without "
    "`|safe`, or render text that is not HTML, change their output.",
    summary="A Jinja2 `Environment` renders without HTML autoescaping.",
    why="With autoescape off, `{{ comment }}` inserts the value as raw HTML: a value containing "
    "`<script>` runs in the reader's browser (XSS). `Environment()` defaults to off; pass "
    "`autoescape=select_autoescape()` (or `True`) when rendering HTML. An environment that renders "
    "non-HTML text (code, e-mail text) may keep it off; that case is reported at low confidence "
    "when `autoescape` is simply absent, and not at all when every template the module renders "
    "is plain text: constant template strings without an HTML tag, or template files named with "
    "a text extension (`.txt`, `.rst`, `.md`, `.ini`...), or every rendered result is written to a file "
    "named with a non-markup extension or returned by a function named for a text format (`generate_rst`).",
    bad="import jinja2\nenv = jinja2.Environment(loader=loader, autoescape=False)",
    good="import jinja2\nenv = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape())",
)
def jinja2_autoescape_off(ctx: RuleContext) -> Iterator[Finding]:
    for call in _jinja_environments(ctx):
        spelled = ctx.facts.spelled(call.func)
        kw = keyword(call, "autoescape")
        if kw is None:
            if has_star_kwargs(call) or len(call.args) >= 9 or renders_only_text(ctx) or renders_to_text_output(ctx):
                continue
            yield jinja2_autoescape_off.finding(
                ctx,
                call,
                f"`{spelled}` without `autoescape=` renders values unescaped (Jinja2's default); if it renders "
                "HTML pass `autoescape=select_autoescape()`",
                severity=MEDIUM,
                confidence=LOW,
            )
            continue
        value = kw.value
        if isinstance(value, ast.Name):
            value = single_assignment(ctx, value) or value
        if isinstance(value, ast.Constant) and not value.value:
            yield jinja2_autoescape_off.finding(
                ctx,
                kw,
                f"`{spelled}` with `autoescape={ctx.segment(kw.value)}` inserts template values as raw HTML (XSS); use "
                "`autoescape=True` or `select_autoescape()`",
                fix=replace_node(ctx, kw.value, "True", "Set `autoescape=True`") if kw.value is value else None,
            )


@rule(
    id="SR603",
    name="mako-templates",
    cwe=79,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B702",),
    ruff=("S702",),
    summary="A Mako template is created without an HTML-escaping default filter.",
    why="Mako does not escape `${value}` unless told to, so values rendered into HTML pages can "
    "inject markup and scripts (XSS). Pass `default_filters=['h']` or escape each expression with "
    "`${value | h}`.",
    bad="from mako.template import Template\nTemplate(text)",
    good="from mako.template import Template\nTemplate(text, default_filters=['h'])",
)
def mako_templates(ctx: RuleContext) -> Iterator[Finding]:
    for name, call in ctx.facts.calls_with_prefix("mako."):
        if name.rsplit(".", 1)[-1] not in {"Template", "TemplateLookup"}:
            continue
        filters = keyword_value(call, "default_filters")
        if filters is not None and (not is_static(ctx, filters) or _has_escape_filter(filters)):
            continue
        if filters is None and has_star_kwargs(call):
            continue
        yield mako_templates.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` renders `${{...}}` expressions unescaped; pass "
            "`default_filters=['h']` for HTML output",
        )


def _has_escape_filter(node: ast.expr) -> bool:
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(isinstance(e, ast.Constant) and e.value in {"h", "x", "u", "html_escape"} for e in node.elts)
    return False


_MARK_SAFE = (
    "django.utils.safestring.mark_safe",
    "django.utils.safestring.SafeString",
    "django.utils.safestring.SafeText",
    "django.utils.safestring.SafeUnicode",  # alias of SafeText in older Django
    "django.utils.safestring.SafeBytes",  # older Django
    "django.utils.html.mark_safe",
)


def _unescaped_marks(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr]]:
    """``mark_safe(value)`` calls whose value may hold unescaped text (see SR604)."""
    for _, call in ctx.facts.calls_to(*_MARK_SAFE):
        value = argument(call, 0, "s")
        if value is None or safe_markup(ctx, value) or keeps_safety(ctx, call) or declared_marking(ctx, call, value):
            continue
        yield call, value


_REGISTRATIONS = frozenset({"filter", "simple_tag", "inclusion_tag", "tag"})


def _visible_origin(ctx: RuleContext, value: ast.expr) -> bool:
    """The marked text is HTML assembled here (``f"<b>{x}</b>"``, ``"".join(parts)``), reads a field
    of an object or record (``user.bio``, ``form["bio"]``), or is a template filter's or tag's input
    (template data): SR604. Anything else (a bare parameter or local, another function's result) is
    of an origin the pattern rules cannot see: SR607."""
    if built_html(value) or reads_stored_record(ctx, value):
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "join":
        return True
    if any(isinstance(inner, (ast.Attribute, ast.Subscript)) for inner in ast.walk(value)):
        return True
    function = ctx.facts.enclosing_function(value)
    decorators = function.decorator_list if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
    for decorator in decorators:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in _REGISTRATIONS:
            return True
    return False


@rule(
    id="SR604",
    name="django-mark-safe",
    scope="module",  # a helper method is judged by what the class's other methods pass it and return
    cwe=79,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B308", "B703"),
    ruff=("S308",),
    summary="Django `mark_safe` is applied to a string that is not fixed in the source.",
    why="`mark_safe` tells the template engine to skip escaping. If any part of the string comes "
    "from a user, it is rendered as HTML and can carry scripts (XSS). Build HTML with "
    "`format_html`, which escapes every argument. Values that cannot carry markup are not "
    "reported: constants, translations of literal messages, numbers (`int(x)`, `'%d' % x`, a "
    "value narrowed by `isinstance(x, int)` or `x is None`, the digits of a `Decimal.as_tuple()` joined "
    "with fixed signs), results of `escape`/"
    "`conditional_escape`/`format_html`/`format_html_join`/`json_script`/template and form "
    "rendering, `markdown.markdown(...)` whose extensions (the module's own) register a "
    "postprocessor returning `bleach.clean(text, ...)` after which only postprocessors that keep "
    "clean text clean run (`linker.linkify(text)`), text passed through a translation table that maps `<`, `>` and `&`, strings "
    "built only from such parts (a local list filled only with them included, or one whose "
    "every item a loop over its indexes replaces with such a value, `lines[i] = escape(line)`; "
    "the output of rendering methods, also picked by a `render_` name and chained with "
    "`itertools.chain`), the result of a helper of the module (a function, a nested function, a "
    "method called on `self`) or of a function defined in another file of the project whose every "
    "`return` is such a value given what the call passes (`wrap(escape(x))`; judged by what the "
    "helper does, not by its name), a value already marked safe that was such a value, also one that calls itself for "
    "nested items and escapes them with an escaper bound under `if autoescape:`, a local name "
    "whose every reaching assignment is such a value (in a template filter, the branch of "
    "`if autoescape:` is the one that counts), and a mark carried over in a branch taken only "
    "when the input already was `SafeData` (also through a flag such as `safe_input` that every "
    "call in the module computes with `isinstance(..., SafeData)`, or a record read back from a store "
    "the module signs, under the flag its own encoder wrote beside that value with "
    "`isinstance(value, SafeData)`). Framework-rendered HTML is not "
    "reported either: a Django form's bound field (`form[name]`) and its `errors`, docutils "
    "`publish_parts(...)` output when `settings_overrides` turn the `raw` directive off, and an "
    "escaping formatter (`template.format(*map(conditional_escape, args))` with the template a "
    "parameter, `format_html`'s shape). A value a caller hands to a plain helper "
    "(`def bold(s): return mark_safe(f'<b>{s}</b>')`) stays a finding: marking a parameter safe "
    "without escaping it is how such helpers let a caller's user data through, and template "
    "filters (`@register.filter`) receive template data. Two marks are an API's declared purpose and are "
    "not reported: a filter registered under a name that says *safe* and nothing else (`|safe`, "
    "`|safeseq`; not `|safe_html`, which promises sanitized content) marking its own input, bare or item by item (the template author's explicit request, like "
    "`mark_safe` in Python), and a decorator declaring a class's `__str__` HTML "
    "(`klass.__str__ = lambda self: mark_safe(klass_str(self))` beside `klass.__html__`). A configuration "
    "attribute the object reads as HTML is not reported either: `mark_safe(self.empty_value_display)` or "
    "`mark_safe(self.site.empty_value_display)` where no code of the module stores that attribute (the "
    "developer declares it on a subclass or a configured object, in source code); an attribute the module "
    "stores, or one reached through a request or its data, stays a finding. HTML "
    "assembled here from other values is reported with high confidence; a field of an object or record "
    "(`mark_safe(user.bio)`, `mark_safe(form['bio'])`: text a visitor may have stored) and a template "
    "filter's or tag's input with low confidence. Any other bare value (a parameter or local of "
    "another function, another function's result) is of an origin this rule cannot see: the "
    "`hardening` note SR607; request data reaching it is SR806.",
    bad="from django.utils.safestring import mark_safe\nmark_safe(f'<b>{user.name}</b>')",
    good="from django.utils.html import format_html\nformat_html('<b>{}</b>', user.name)",
)
def django_mark_safe(ctx: RuleContext) -> Iterator[Finding]:
    for call, value in _unescaped_marks(ctx):
        if not _visible_origin(ctx, value):
            continue  # SR607's audit note: a bare value of unknown origin
        yield django_mark_safe.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` marks `{short(ctx.segment(value))}` as safe HTML without escaping it; "
            "use `format_html` so values are escaped",
            confidence=HIGH if built_html(value) else LOW,
        )


@rule(
    id="SR607",
    name="django-mark-safe-unknown-value",
    scope="module",  # the same judgement of the marked value as SR604
    cwe=79,
    severity=LOW,
    confidence=LOW,
    default_enabled=False,
    profiles=("hardening",),
    summary="Django `mark_safe` is applied to a value whose origin is not visible here (hardening profile).",
    why="`mark_safe(value)` on a value the function was handed, or computed somewhere the pattern "
    "rules cannot see, is only as safe as whatever produces that value: a helper's callers, a "
    "template engine's own tokens, a translation. Such marks are left out of the default report "
    "(SR604 keeps HTML assembled here and fields of database records); the data-flow rule SR806 "
    "reports them where request data reaches the call. This audit check lists them so a hardening "
    "review can check each producer or switch to `format_html`.",
    bad="from django.utils.safestring import mark_safe\n\ndef as_html(text):\n    return mark_safe(text)",
    good="from django.utils.html import format_html\n\ndef as_html(text):\n    return format_html('{}', text)",
)
def django_mark_safe_unknown_value(ctx: RuleContext) -> Iterator[Finding]:
    for call, value in _unescaped_marks(ctx):
        if _visible_origin(ctx, value):
            continue  # SR604
        yield django_mark_safe_unknown_value.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}` marks `{short(ctx.segment(value))}` as safe HTML; check that "
            "whatever produces it escapes visitor text, or use `format_html`",
        )


# Markup-string classes: the constructor trusts its argument as HTML (WebHelpers' `literal` is
# the same thing under another name).
_MARKUP_CLASSES = (
    "markupsafe.Markup",
    "flask.Markup",
    "jinja2.Markup",
    "jinja2.utils.Markup",
    "webhelpers.html.literal",
    "webhelpers.html.builder.literal",
    "webhelpers2.html.literal",
    "webhelpers2.html.builder.literal",
)


@rule(
    id="SR605",
    name="markup-unescaped",
    scope="module",  # a helper method is judged by what the class's other methods pass it and return
    cwe=79,
    severity=MEDIUM,
    confidence=HIGH,
    bandit=("B704",),
    ruff=("S704",),
    summary="`markupsafe.Markup(...)` wraps a string that is not fixed in the source.",
    why="`Markup(s)` declares `s` to be safe HTML: Jinja2 and Flask will not escape it. A value "
    "from a user inside it renders as markup (XSS). Use `Markup('<b>{}</b>').format(value)` or "
    "`escape(value)`, which escape the value. Values judged as for SR604 are not reported: escaped "
    "or sanitized text (`escape`, `bleach.clean`, `nh3.clean`, and `bleach.linkify` of such text, "
    "which only adds links of its own), HTML from builders that escape what they render (WTForms' "
    "`html_params`, dominate's tag elements without a `raw` child), constants, numbers, and the decoder of a tagged serializer "
    "restoring markup its own class wrote through the markup protocol (`to_json` returns "
    "`str(value.__html__())`, `to_python(value)` returns `Markup(value)`), a URL of the site's own routes "
    "(`url_for`, also through a local name) in a double-quoted attribute, and a helper's parameter marked only "
    "when its caller opts in through a flag off by default (`def flash(msg, allow_html=False)`: the caller passing "
    "`allow_html=True` declares its text HTML). WebHelpers' `literal(...)` is the same trust "
    "declaration and is judged the same way. `Markup(text).unescape()` and `.striptags()` only turn "
    "the text into plain text (entities decoded, tags removed): nothing is left trusted as HTML.",
    bad="from markupsafe import Markup\nMarkup(f'<b>{name}</b>')",
    good="from markupsafe import Markup\nMarkup('<b>{}</b>').format(name)",
)
def markup_unescaped(ctx: RuleContext) -> Iterator[Finding]:
    for _, call in ctx.facts.calls_to(*_MARKUP_CLASSES):
        value = argument(call, 0, "object")
        if value is None or isinstance(value, ast.Starred):
            continue
        if safe_markup(ctx, value) or keeps_safety(ctx, call) or declared_marking(ctx, call, value):
            continue
        if unmarked_at_once(ctx.facts.parent, call):
            continue
        yield markup_unescaped.finding(
            ctx,
            call,
            f"`{ctx.facts.spelled(call.func)}({short(ctx.segment(value))})` declares the value safe HTML without "
            "escaping it; use `Markup('...{}').format(value)` or `escape(value)`",
            confidence=HIGH if built_html(value) else LOW,
        )


_CREDENTIAL_COOKIE = re.compile(r"(?i)sess|(?<![a-z])sid(?![a-z])|token|auth|jwt|remember|login|api[_-]?key")


def _omitted_flags(call: ast.Call) -> list[str]:
    """The flags a session/token cookie leaves out (none for other cookies)."""
    name = argument(call, 0, "key")
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)) or has_star_kwargs(call):
        return []
    if not _CREDENTIAL_COOKIE.search(name.value) or len(call.args) > 2:
        return []
    return [flag for flag in ("secure", "httponly") if keyword(call, flag) is None]


def _credential_cookies_without_flags(ctx: RuleContext) -> Iterator[Finding]:
    """``set_cookie("session", sid)`` with ``secure``/``httponly`` left out: both default to off in
    Django, Flask/Werkzeug and Starlette, so a session or token cookie goes out unprotected."""
    for call in ctx.facts.method_calls("set_cookie"):
        given = [keyword(call, flag) for flag in ("secure", "httponly")]
        if any(kw is not None and isinstance(kw.value, ast.Constant) and kw.value.value is False for kw in given):
            continue  # reported (and fixed, omitted flags included) as a flag switched off
        missing = _omitted_flags(call)
        name = argument(call, 0, "key")
        value = argument(call, 1, "value")
        if value is not None and is_static(ctx, value):
            continue  # the same text for every visitor (a marker, ``""`` to clear it): no credential
        if missing and isinstance(name, ast.Constant):
            yield cookie_insecure_flags.finding(
                ctx,
                call,
                f"`{ctx.facts.spelled(call.func)}({name.value!r}, ...)` sets a credential cookie without "
                + " and ".join(f"`{flag}=True`" for flag in missing)
                + " (both default to off); pass them, with `samesite='Lax'`",
                confidence=MEDIUM,
            )


_COOKIE_SETTINGS = {
    "SESSION_COOKIE_SECURE": "Secure",
    "CSRF_COOKIE_SECURE": "Secure",
    "SESSION_COOKIE_HTTPONLY": "HttpOnly",
    "SESSION_COOKIE_SAMESITE": "SameSite",
    "REMEMBER_COOKIE_SECURE": "Secure",
    "REMEMBER_COOKIE_HTTPONLY": "HttpOnly",
}


def _assigns_false_or_none(node: ast.Assign) -> bool:
    return isinstance(node.value, ast.Constant) and node.value.value in (False, None)


@rule(
    id="SR606",
    name="cookie-insecure-flags",
    cwe=614,
    severity=MEDIUM,
    confidence=HIGH,
    fix_safety="unsafe",
    fix_note="Browsers then send the cookie only over HTTPS and hide it from scripts: a site still "
    "served over plain HTTP, or a script that reads the cookie, stops working.",
    summary="A cookie is set without `Secure` or `HttpOnly`: switched off explicitly, or left out on a "
    "session/token cookie.",
    why="Without `Secure` the cookie is also sent over plain HTTP, where anyone on the network reads "
    "it; without `HttpOnly` any script injected into the page can steal it. Session and CSRF "
    "cookies should have both. A session/token cookie set with the flags left out is reported too "
    "(they default to off in Django, Flask and Starlette), unless its value is fixed text (the same for every "
    "visitor, so no credential: a marker, `''` to clear it). A framework's own table of defaults "
    "(`global_settings.py`, `default_settings.py`) is not: projects override it. Settings switched off "
    "in `app.config.update(SESSION_COOKIE_SECURE=False)` count like assignments.",
    bad="response.set_cookie('session', sid, secure=False, httponly=False)",
    good="response.set_cookie('session', sid, secure=True, httponly=True, samesite='Lax')",
)
def cookie_insecure_flags(ctx: RuleContext) -> Iterator[Finding]:
    yield from _credential_cookies_without_flags(ctx)
    for call in ctx.facts.method_calls("set_cookie"):
        off = [
            (name, flag, kw)
            for name, flag in (("secure", "Secure"), ("httponly", "HttpOnly"))
            if (kw := keyword(call, name)) is not None
            and isinstance(kw.value, ast.Constant)
            and kw.value.value is False
        ]
        # One fix turns on every flag the call switches off, whichever finding it is applied from.
        edits = tuple(edit for _, _, kw in off for edit in replace_node(ctx, kw.value, "True", "").edits)
        names = [name for name, _, _ in off]
        omitted = _omitted_flags(call) if off else []
        if omitted:  # a credential cookie also gets the flag it leaves out
            last = ctx.span(max([*call.args, *call.keywords], key=lambda a: (a.end_lineno, a.end_col_offset)))
            insert = Span(last.end_line, last.end_col, last.end_line, last.end_col)
            edits += (TextEdit(insert, "".join(f", {flag}=True" for flag in omitted)),)
            names += omitted
        title = "Set " + " and ".join(f"`{name}=True`" for name in names)
        for name, flag, kw in off:
            yield cookie_insecure_flags.finding(
                ctx,
                kw,
                f"`{ctx.facts.spelled(call.func)}` with `{name}=False` sets a cookie without the {flag} flag",
                fix=Fix(title, edits),
            )
    if _framework_defaults(ctx):
        return  # a framework's table of defaults; projects override them in their own settings
    settings_confidence = HIGH if imports_module(ctx.facts, "django", "flask") else MEDIUM
    for node in ctx.facts.nodes_where(ast.Assign, _assigns_false_or_none):
        assert isinstance(node, ast.Assign)
        assert isinstance(node.value, ast.Constant)
        for target in node.targets:
            name = target.id if isinstance(target, ast.Name) else None
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                name = str(target.slice.value)
            flag = _COOKIE_SETTINGS.get(name or "")
            if flag is None or (flag != "SameSite" and node.value.value is None):
                continue
            if flag == "SameSite" and node.value.value is not None:
                continue
            yield cookie_insecure_flags.finding(
                ctx,
                node,
                f"`{name} = {node.value.value}` sends the session cookie without the {flag} protection",
                confidence=settings_confidence,
            )
    for name, value in _config_updates(ctx):
        flag = _COOKIE_SETTINGS.get(name)
        if flag is None or value.value is not (None if flag == "SameSite" else False):
            continue
        yield cookie_insecure_flags.finding(
            ctx,
            value,
            f"`{name}={value.value}` sends the session cookie without the {flag} protection",
            confidence=settings_confidence,
        )


def _config_updates(ctx: RuleContext) -> Iterator[tuple[str, ast.Constant]]:
    """Constant settings handed to ``app.config.update(NAME=value)`` / ``update({"NAME": value})``
    (also ``from_mapping``): each setting's name and constant value."""
    for call in ctx.facts.method_calls("update", "from_mapping"):
        receiver = call.func.value  # type: ignore[attr-defined]
        if not (isinstance(receiver, ast.Attribute) and receiver.attr == "config"):
            continue
        pairs: list[tuple[str | None, ast.expr]] = [(kw.arg, kw.value) for kw in call.keywords]
        for item in call.args[:1]:
            if isinstance(item, ast.Dict):
                keys = [k.value if isinstance(k, ast.Constant) else None for k in item.keys]
                pairs += list(zip(keys, item.values, strict=True))
        for name, value in pairs:
            if isinstance(name, str) and isinstance(value, ast.Constant):
                yield name, value
