"""What a call gives back: sources, sanitizers, string and container methods, functions of the
module or of the project (``Interprocedural``), and anything else as data derived from the
receiver and the arguments. Sinks are checked first, on the arguments as they are."""

from __future__ import annotations

import ast

from ..facts import ModuleFacts
from .builtin_results import builtin_result, keyword_dict
from .call_data import all_taint, carries_input, content_of, content_only
from .callbacks import Callbacks
from .container_methods import container_method
from .conversions import escapes_quote, mapped_function, numeric_call, only_repr_fields, whole_fields
from .database_reads import created_record, database_read, field_lookup, through_manager
from .deferred import deferred_call, made_call, offloaded_call
from .definitions import is_property
from .environments import (
    ENVIRONMENT,
    LOADING_METHODS,
    RENDERING_METHODS,
    TEMPLATE,
    autoescape_mode,
    class_environment,
    environment_kind,
    inline_kind,
    template_kind,
)
from .file_writes import written_to_file
from .interpreter import Interpreter
from .interprocedural import Interprocedural
from .iteration import paired_elements
from .keys import const_key
from .markdown_output import unescaped_markdown
from .match_groups import held_by_groups
from .property_setters import PropertySetters
from .rendering import (
    escaping_render,
    inline_render,
    inline_template_kind,
    produced_kind,
    switches_off,
    template_text_node,
)
from .separators import replaced_separators
from .sinks import SinkChecker
from .spec import (
    ALL_CLASSES,
    COMPUTED_BY_CALL,
    FOUND_IN_SESSION,
    LINE_BREAKS_REMOVED,
    MARKUP_ESCAPED,
    PARENT_REFS_REJECTED,
    QUOTED_ONLY,
    QUOTES_REJECTED,
    RELATIVE_ONLY,
    RETURNED_BY_PROGRAM_OBJECT,
    TaintSpec,
)
from .state import STDLIB, Env, Frame
from .strings import URL_ASSEMBLERS, FixedPrefixes, format_fields, literal_prefix, quoted_fields
from .substitutions import cleaned_classes, left_characters
from .template_values import (
    class_text,
    class_value,
    enclosing_class,
    literal_text,
    made_by_call,
    template_value,
    value_name,
)
from .unmarking import UNMARKING_METHODS, unmarked_at_once
from .values import (
    EMPTY,
    EMPTY_TAINT,
    MAX_PARTS,
    ONE_OF_RESULTS,
    OPAQUE,
    Taint,
    Val,
    as_document,
    as_text,
    bound,
    cleaned,
    container_display,
    decoded,
    encoded,
    join,
    joined_below,
    outside_quotes,
    relabel,
    whole,
)

# Joins that start over at an absolute component: ``os.path.join("/srv", "/etc/passwd")``.
_FOLDER_JOINS = frozenset(
    {"os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"}
)

# ``repr`` and the printers built on it: every string inside is written as its ``repr`` (line
# breaks spelled as escapes); their own line breaks (``pformat`` wraps) start no line of the data.
_REPRS = frozenset({"builtins.repr", "pprint.pformat", "pprint.saferepr", "reprlib.repr"})


def _known_text(node: ast.Call, given: Val, text: ast.expr | None = None) -> object:
    """What the evaluated template text argument tells: its constant, or ``_DATA`` when a name
    holds data here (a local variable shadowing a constant of the module or an import)."""
    if not given.taint and not given.parts:
        return given.const
    if text is None:
        text = node.args[0] if node.args else _keyword(node, "source")
    return _DATA if isinstance(text, ast.Name) else None


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


_OPAQUE = frozenset({OPAQUE})
_DJANGO_REQUESTS = frozenset({"django.request", "django.view.request"})
SAVED_RECORD = ".save()"  # the kind of a ``save()`` result whose receiver's class is not known
ENVIRONMENT_METHODS = LOADING_METHODS | {"from_string"}
_DATA = object()  # a template text argument carrying data (not a constant found elsewhere)
_NOT_A_CLASS = object()  # an attribute read that names no class of the module


def _read_fields(node: ast.Call, method: str, receiver: Val) -> frozenset[str] | None:
    """The arguments a constant ``str.format`` template writes, when each argument's place is
    known (no ``*args`` or ``**mapping``); None: every argument may be written."""
    if method != "format" or not isinstance(receiver.const, str) or receiver.taint:
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    return format_fields(receiver.const)


# Regular-expression functions whose result is the searched text, or pieces of it.
_REGEX_TEXT = {"re.sub": "sub", "re.split": "split", "re.findall": "findall"}


class Calls:
    """Evaluates calls for the interpreter."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        *,
        interpreter: Interpreter,
        sinks: SinkChecker,
        interprocedural: Interprocedural,
        prefixes: FixedPrefixes,
    ) -> None:
        self.facts = facts
        self.spec = spec
        self.interpreter = interpreter
        self.sinks = sinks
        self.interprocedural = interprocedural
        self.prefixes = prefixes
        self.line_breaks_removed = spec.cleaned_by(LINE_BREAKS_REMOVED)
        self.markup_escaped = spec.cleaned_by(MARKUP_ESCAPED)
        self.quotes_rejected = spec.cleaned_by(QUOTES_REJECTED) | {QUOTED_ONLY}
        # what a word-characters-only text is clean for: all but a host name (``_substituted``)
        self.words_only_clean = frozenset(row.id for row in spec.classes) - {"ssrf"}
        self._mapped_calls: dict[int, ast.Call] = {}
        self._deferred: dict[int, ast.Call] = {}
        self._partials: dict[str, list[tuple[ast.AST | None, ast.Call]]] | None = None
        self._partial_calls: dict[int, ast.Call | None] = {}
        self._offloaded_calls: dict[int, ast.Call | None] = {}
        self._property_calls: dict[int, ast.Call] = {}
        self._named_attributes: dict[tuple[ast.Call, bool], ast.Attribute | None] = {}  # getattr / setattr calls
        self.opaque = _OPAQUE | spec.cleaned_by(COMPUTED_BY_CALL)
        self.program_object = spec.cleaned_by(RETURNED_BY_PROGRAM_OBJECT)
        self.relative_only = spec.cleaned_by(PARENT_REFS_REJECTED)
        self.modelled = spec.modelled_apis  # APIs taken by their model, not their code
        depend = interprocedural.summaries.of
        self.setters = PropertySetters(interpreter.closures, depend)
        self.callbacks = Callbacks(interpreter, interprocedural.index.module_functions, sinks, depend)

    def call(self, node: ast.Call, env: Env, fn: Frame) -> Val:
        evaluate = self.interpreter.eval
        func = node.func
        if (
            isinstance(func, (ast.Name, ast.Call))
            and (ran := self.callbacks.call(node, env, fn, self.call)) is not None
        ):
            return ran  # a function passed to a helper, made by a factory (``callbacks.py``)
        if (
            isinstance(func, (ast.Name, ast.Lambda, ast.Subscript))
            and (ran := self.interpreter.closures.call(node, env, fn)) is not None
        ):
            return ran
        if isinstance(func, ast.Name) and (bound := self._partial_call(node, env, fn)) is not None:
            self.sinks.results.note_made_node(bound)  # a sink found at ``bound`` is placed by its lines
            return self.call(bound, env, fn)
        name = self.facts.qualname(func)
        if (ran_on_thread := self._offloaded(node, name)) is not None:
            self.sinks.results.note_made_node(ran_on_thread)  # a sink found in the made call is placed by its lines
            return self.call(ran_on_thread, env, fn)
        method = func.attr if isinstance(func, ast.Attribute) else None
        receiver = evaluate(func.value, env, fn) if isinstance(func, ast.Attribute) else None
        if isinstance(func, (ast.Call, ast.Subscript)):
            evaluate(func, env, fn)  # ``getattr(obj, name)(...)``, ``handlers[key](...)``: sinks in the callee
        callee = (
            self.interpreter.attribute(receiver, func)
            if receiver is not None and isinstance(func, ast.Attribute)
            else None
        )
        args: list[Val] = [evaluate(arg, env, fn) for arg in node.args]
        keyword_values: list[Val] = [evaluate(kw.value, env, fn) for kw in node.keywords]
        kwargs: dict[str | None, Val] = {}
        for kw, value in zip(node.keywords, keyword_values, strict=True):
            kwargs[kw.arg] = join(kwargs[kw.arg], value) if kw.arg in kwargs else value
        # A function of a standard module (``os.path.join``), not a method of a local value.
        module_call = (
            name is not None
            and name.split(".")[0] in STDLIB
            and not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in env)
        )

        if len(args) > 1 and (
            (module_call and name in _FOLDER_JOINS)
            or (method == "joinpath" and receiver is not None and (receiver.kind or "").startswith("pathlib."))
        ):
            start = 1 if method is None else 0
            args = [*args[:start], *(joined_below(arg, self.relative_only) for arg in args[start:])]
        # Sinks (checked on the arguments as they are).
        reported = self.sinks.check_call(node, name, method, receiver, args, kwargs, fn, module_call, env)
        self._run_deferred(node, name, args, kwargs, env, fn)
        if node.args and (mapped := self.callbacks.mapped_call(node, name, env)) is not None:
            self.call(mapped, env, fn)  # ``map(os.system, commands)``: each item is run
        result = self._result(node, name, method, receiver, callee, args, keyword_values, kwargs, env, fn, module_call)
        return cleaned(result, reported) if reported else result

    def _named_attribute(self, node: ast.Call, ctx: ast.expr_context) -> ast.Attribute | None:
        """``obj.name`` for ``getattr(obj, "name"[, default])`` (``ctx`` a load) or for
        ``setattr(obj, "name", value)`` (a store), the same node each time asked."""
        key = (node, isinstance(ctx, ast.Load))
        if key in self._named_attributes:
            return self._named_attributes[key]
        made = None
        given = node.args
        arity = (2, 3) if isinstance(ctx, ast.Load) else (3,)
        if len(given) in arity and not node.keywords and not any(isinstance(a, ast.Starred) for a in given):
            attr = given[1]
            if isinstance(attr, ast.Constant) and isinstance(attr.value, str) and attr.value.isidentifier():
                made = ast.copy_location(ast.Attribute(value=given[0], attr=attr.value, ctx=ctx), node)
        self._named_attributes[key] = made
        return made

    def _result(
        self,
        node: ast.Call,
        name: str | None,
        method: str | None,
        receiver: Val | None,
        callee: Val | None,
        args: list[Val],
        keyword_values: list[Val],
        kwargs: dict[str | None, Val],
        env: Env,
        fn: Frame,
        module_call: bool,
    ) -> Val:
        spec = self.spec
        content = content_of(spec, name, method, module_call)
        if content is not None:
            args, kwargs = content_only(content, args, kwargs)

        source = self._source(node, name, method, receiver, callee, args, module_call)
        if source is not None:
            return source
        name = self._sanitizer_of_kind(name, method, receiver)
        tabled = self._tabled(node, name, args, kwargs, env, fn)
        if tabled is not None:
            return tabled

        found = self._looked_up(node, name, method, receiver, args, kwargs, module_call)
        found = found if found is not None else self._environment(node, name, method, receiver, args, kwargs)
        if found is not None:
            return found
        if method == "render" and escaping_render(spec, node, receiver, [*args, *kwargs.values()]):
            # The context is written escaped; a template text built from input stays what it is.
            return join(Val(whole(receiver)), cleaned(Val(all_taint(None, args, kwargs)), self.markup_escaped))

        # Functions and methods of this module (and of the project); an API the catalogue
        # models (a sink whose result it declares clean) is taken by its model, not its code.
        resolved = (
            None
            if name in self.modelled or len(args) < len(node.args)  # arguments left out by the content model
            else self.interprocedural.resolve(node, name, receiver, args, keyword_values, env, fn)
        )
        if resolved is not None:
            return resolved
        # A database read: the record is stored data, not the request value that selected it.
        read = database_read(node, method, receiver, self.facts.qualname, "peewee" in self.sinks.imported_roots)
        if read is not None:
            return read

        # Sanitizing methods (``.hexdigest()``, ``.isdigit()``).
        if method is not None and not module_call:
            classes = spec.method_sanitizers.get(method)
            if classes is not None:
                if ALL_CLASSES in classes:
                    return EMPTY
                return cleaned(Val(all_taint(receiver, args, kwargs)), classes)

        if method is not None and receiver is not None and not module_call:
            handled = container_method(self, node, method, receiver, args, kwargs, env)
            if handled is not None and receiver.kind is not None and receiver.kind in spec.session_kinds:
                return cleaned(handled, spec.cleaned_by(FOUND_IN_SESSION))  # read from the session: already there
            if handled is not None:
                return handled
            if method in spec.string_methods:
                return self._string_method(node, method, receiver, callee, args, kwargs)
        if name in ("builtins.str", "builtins.format") and len(args) == 1 and not kwargs and container_display(args[0]):
            return cleaned(Val(as_text(whole(args[0]))), self.line_breaks_removed)  # a dict's text is its repr
        built = builtin_result(name, args, kwargs)
        built = self._markup_text(node, name, method, receiver, args, kwargs) if built is None else built
        if built is not None:
            return built
        if callee is not None and callee.taint and method in spec.string_methods:
            return Val(callee.taint)

        if name is not None and name in spec.template_contexts and not switches_off(node):
            return args[0] if len(args) == 1 else Val(all_taint(None, args, kwargs))
        inline_kind = self._inline_kind(node, name, args, kwargs)
        if inline_kind is not None and not inline_kind.endswith("?"):
            return Val(kind=inline_kind)  # built from constant text: no data in it
        if method == "render" and receiver is not None and receiver.kind is not None and "()" in receiver.kind:
            rendered = inline_render(spec, receiver.kind, args, kwargs, self.markup_escaped)
            if rendered is not None:
                return rendered

        if method is not None and method.startswith("render_") and not module_call:
            # ``item.render_html(request, query)`` of an object not resolved here: HTML its renderer wrote (the rule
            # on marking calls judges ``render_*`` output the same way); the arguments went into an escaping context.
            return cleaned(Val(all_taint(receiver, args, kwargs)), self.markup_escaped)

        if method == "group" and receiver is not None and (group := self._group(node, receiver, fn)) is not None:
            return group
        # Anything else: the result depends on the receiver and the arguments.
        data = all_taint(receiver, args, kwargs)
        if callee is not None:
            data = data | callee.taint
        kind = inline_kind  # a template built from text not known here: its render is not judged
        if kind is None and name is not None:
            kind = name + "()"
        elif (
            kind is None and receiver is not None and receiver.kind not in (None, ONE_OF_RESULTS) and method is not None
        ):
            kind = f"{receiver.kind}.{method}()"
        elif kind is None and method == "save" and not module_call:
            kind = SAVED_RECORD  # what a form's or serializer's ``save()`` returns, its class unknown here
        kind = produced_kind(spec, node, kind)
        if method == "get" and "type" in kwargs and self._converted_by_type(node):
            return EMPTY
        if not data:
            return Val(kind=kind)
        opaque = self.opaque
        if (
            method is not None
            and receiver is not None
            and not carries_input(receiver)
            and not module_call
            and (callee is None or not carries_input(callee, ("." + method,)))
        ):
            opaque = opaque | self.program_object
        marked = relabel(data, lambda lab: lab.cleaned_for(opaque))
        return Val(bound(marked), (), kind)

    def _inline_kind(
        self, node: ast.Call, name: str | None, args: list[Val], kwargs: dict[str | None, Val]
    ) -> str | None:
        """The kind of a template an autoescaping engine builds from text in the call (None: not one)."""
        if name is None or name not in self.spec.autoescaped_templates:
            return None
        text_node = template_text_node(node)
        given = args[0] if node.args and args else kwargs.get("template_string", EMPTY)
        known = _known_text(node, given, text_node)
        known = None if known is _DATA else known if isinstance(known, str) else self.constant_text(text_node)
        return inline_template_kind(name, node, known)

    def _markup_text(
        self, node: ast.Call, name: str | None, method: str | None, receiver: Val | None, args: list[Val], kwargs: dict
    ) -> Val | None:
        """``Markup(v).unescape()``: the markup made only to give the text of ``v`` back, plain."""
        if method in UNMARKING_METHODS and receiver is not None and receiver.kind in self.spec.markup_kinds:
            return Val(whole(receiver))
        if name is not None and f"{name}()" in self.spec.markup_kinds:
            if unmarked_at_once(self.facts.parent, node, UNMARKING_METHODS):
                return Val(all_taint(None, args, kwargs), (), f"{name}()")
        return None

    def _converted_by_type(self, node: ast.Call) -> bool:
        """``request.args.get("n", type=int)``: the value is converted by a sanitizing function."""
        type_node = next((kw.value for kw in node.keywords if kw.arg == "type"), None)
        return type_node is not None and self.facts.qualname(type_node) in self.spec.sanitizers

    def _source(
        self,
        node: ast.Call,
        name: str | None,
        method: str | None,
        receiver: Val | None,
        callee: Val | None,
        args: list[Val],
        module_call: bool,
    ) -> Val | None:
        """The value a call reading outside data gives (``input()``, ``sock.recv()``,
        ``await request.form()``); None for any other call."""
        spec = self.spec
        if method == "build_absolute_uri" and node.args and receiver is not None and receiver.kind in _DJANGO_REQUESTS:
            # The host Django accepted (``get_host()`` rejects any other character than a host
            # name's) before the location given: only the location is the caller's text.
            return Val(all_taint(None, args, {}))
        if name is not None and name in spec.call_sources:
            return self.interpreter.source_val(node, name)
        if (
            method is not None
            and method in spec.method_sources
            and not module_call
            and not (receiver is not None and receiver.kind in spec.client_connections)
        ):
            local = spec.method_sources[method] == "local"
            label = self.interpreter.make_source(node, None, local=local)
            read = Val(frozenset({self.interpreter.command_line(label, method, node)}))
            # ``data, address = sock.recvfrom(n)``: the address is the (host, port) the kernel
            # reports for the sender, the one to answer; only the datagram is the sender's text
            return Val(EMPTY_TAINT, (("0", read), ("1", EMPTY))) if method == "recvfrom" else read
        if (
            callee is not None
            and callee.taint
            and receiver is not None
            and method in spec.object_sources.get(receiver.kind or "", ())
            and not any(whole(a) for a in args)
        ):
            return callee  # ``await request.form()``, ``request.json()``: the request's own data, read
        return None

    def _sanitizer_of_kind(self, name: str | None, method: str | None, receiver: Val | None) -> str | None:
        """``Kind().method`` for a method of a library object held in a name when the tables know
        it as a sanitizer (``pwd_context.hash(p)``, ``pwd_context = CryptContext(...)``), else ``name``."""
        if name is None and method is not None and receiver is not None and receiver.kind:
            of_kind = f"{receiver.kind}.{method}"
            if of_kind in self.spec.sanitizers:
                return of_kind
        return name

    def _tabled(
        self, node: ast.Call, name: str | None, args: list[Val], kwargs: dict[str | None, Val], env: Env, fn: Frame
    ) -> Val | None:
        """The result of a call the tables model by its qualified name: sanitizers, calls whose
        result carries no data, ``map`` of a sanitizer, ``repr``, propagators, encoders and
        decoders; None for any other call."""
        spec = self.spec
        if name == "builtins.dict" and not args and kwargs and None not in kwargs:
            return keyword_dict(kwargs)
        if (paired := paired_elements(name, node, args)) is not None:
            return paired
        if name is not None and name in spec.file_sources:
            written_to_file(self.interpreter, self.facts, node, name, env)
            return EMPTY
        if name is not None and name in spec.document_parsers:
            data = all_taint(None, args, kwargs)
            parsed = Val(as_document(data)) if data else EMPTY
            return cleaned(parsed, spec.sanitizers[name]) if name in spec.sanitizers and data else parsed
        unescaped = unescaped_markdown(spec, name, node, self.facts.qualname)
        if unescaped is not None:
            data = Val(all_taint(None, args, kwargs))  # the source's HTML and links, written through
            return data if unescaped else cleaned(data, self.opaque | self.markup_escaped)
        classes = spec.sanitizers.get(name) if name is not None else None
        if classes is not None:
            if ALL_CLASSES in classes:
                return EMPTY
            return cleaned(Val(all_taint(None, args, kwargs)), classes)
        if name is not None and name in spec.clean_calls:
            return Val(kind=name + "()")  # no data, but still a handle whose methods are known
        if numeric_call(name, node):
            return EMPTY
        if name == "builtins.map" and (function := mapped_function(node)) is not None:
            mapped = spec.sanitizers.get(self.facts.qualname(function) or "")
            if mapped is not None:
                return EMPTY if ALL_CLASSES in mapped else cleaned(Val(all_taint(None, args[1:], {})), mapped)
            each = self._mapped_call(node, function, args[1:], env, fn)
            if each is not None:
                return each
        if (
            name == "builtins.setattr"
            and len(args) == 3
            and (stored := self._named_attribute(node, ast.Store())) is not None
        ):
            self.interpreter.assign(stored, args[2], env, fn, node.args[2])  # ``obj.name = value``
            return EMPTY
        read = self._named_attribute(node, ast.Load()) if name == "builtins.getattr" else None
        if read is not None:
            self.sinks.results.note_made_node(read)
            # ``getattr(request, "args")`` reads what ``request.args`` reads (and the default)
            value = self.interpreter.attribute(args[0], read)
            return join(value, args[2]) if len(args) == 3 else value
        if name == "builtins.getattr" and len(args) >= 2 and args[1].taint:
            # input choosing WHICH attribute is read does not make the attribute's value input:
            # the result carries what the object and the default carry, not the name's text
            kept = Val(all_taint(None, [args[0], *args[2:3]], {}))
            return kept if kept.taint else EMPTY
        if name in _REPRS:
            return cleaned(Val(all_taint(None, args, kwargs)), self.line_breaks_removed) if args else EMPTY
        if name in URL_ASSEMBLERS and len(node.args) == 1 and isinstance(node.args[0], (ast.Tuple, ast.List)):
            return self.prefixes.assembled(args[0], URL_ASSEMBLERS[name])
        if name in _REGEX_TEXT:
            return self._substituted(node, _REGEX_TEXT[name], args, kwargs)
        if name is not None and (name in spec.propagators or name in spec.encoders or name in spec.decoders):
            data = all_taint(None, args, kwargs)
            if name in spec.encoders:
                return Val(encoded(data)) if data else EMPTY
            kind = name + "()" if name + "()" in spec.buffer_kinds else None
            if not data:
                return Val(kind=kind) if kind else EMPTY
            return Val(decoded(data) if name in spec.decoders else data, (), kind)
        return None

    def _environment(
        self,
        node: ast.Call,
        name: str | None,
        method: str | None,
        receiver: Val | None,
        args: list[Val],
        kwargs: dict[str | None, Val],
    ) -> Val | None:
        """A Jinja2 environment, a template it loads, and what rendering that template gives: the
        context's data, escaped (the template's unescaped writes are reported at the render call)."""
        given = args[0] if args else kwargs.get("source", EMPTY)
        made = self._made_environment(node, name, _known_text(node, given))
        if made is not None:
            return Val(kind=made)
        if method is None or receiver is None:
            return None
        kind = receiver.kind
        if method in ENVIRONMENT_METHODS and not (kind or "").startswith(ENVIRONMENT):
            held = node.func.value  # type: ignore[attr-defined]
            kind = class_environment(held, self.facts.ancestors(node), self.assigned_environment)
            if kind is None and isinstance(held, ast.Attribute) and isinstance(held.value, ast.Name):
                cls = self.interprocedural.index.classes.get(held.value.id)  # ``Renderer.env``
                made = class_value(cls, held.attr, self.assigned_environment) if cls is not None else None
                kind = made if isinstance(made, str) else None
            if kind is None and (not receiver.kind or receiver.kind.endswith("()")):  # unknown, or a call's result
                imported = self._project_value(held)
                kind = imported.kind if imported is not None else self._factory_environment(held)
        if kind is None:
            return None
        if method in LOADING_METHODS and kind.startswith(ENVIRONMENT):
            named = args[0].const if args else kwargs.get("name", EMPTY).const
            return Val(kind=template_kind(kind, named))
        if method == "from_string" and kind.startswith(ENVIRONMENT):
            source = args[0] if args else kwargs.get("source", EMPTY)
            text = source.const
            if not isinstance(text, str) and not source.taint and not source.parts:
                text = self.constant_text(node.args[0] if node.args else _keyword(node, "source"))
            made = inline_kind(kind.removeprefix(ENVIRONMENT), text)
            return Val(kind=made) if made is not None else None
        if method in RENDERING_METHODS and kind.startswith(TEMPLATE):
            return cleaned(Val(all_taint(None, args, kwargs)), self.markup_escaped)
        return None

    def _made_environment(self, node: ast.Call, name: str | None, known_text: object = None) -> str | None:
        """The kind of an environment ``node`` makes, or of a template it makes from constant
        text (``jinja2.Template("…")``, or a name the analysis knows holds constant text:
        ``known_text``); None: neither."""
        absent = self.spec.template_environments.get(name) if name is not None else None
        if absent is None:
            return None
        mode = autoescape_mode(node, self.spec.autoescape_selectors, self.facts.qualname, absent)
        if name in self.spec.inline_templates:
            text = node.args[0] if node.args else next((kw.value for kw in node.keywords if kw.arg == "source"), None)
            if known_text is _DATA:
                return inline_kind(mode, None)  # text carrying data: not the developer's template
            return inline_kind(mode, known_text if isinstance(known_text, str) else self.constant_text(text))
        return environment_kind(mode)

    def constant_text(self, node: ast.AST | None) -> object:
        """The text of a literal, of a module-level name bound to constant text (``PAGE =
        "<p>{{ name }}</p>"``), of a class attribute holding one (``self.TEMPLATE``,
        ``Page.TEMPLATE``) or of such a name of another module (``from .pages import PAGE``):
        the developer's template, read like a literal one."""
        globals_ = self.interpreter.globals
        text = literal_text(node, globals_)
        if text is not None or node is None:
            return text
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found = self.class_attribute_text(node)
            if found is not _NOT_A_CLASS:
                self.sinks.results.record_class_text(node, found)
                return found
        if isinstance(node, ast.Name) and node.id in globals_:
            return None
        found = self._project_value(node)
        return found.const if found is not None else None

    def class_attribute_text(self, node: ast.Attribute) -> object:
        """The constant text of the class attribute ``node`` reads (``self.TEMPLATE`` in a
        method, ``Page.TEMPLATE``), None when it holds none, ``_NOT_A_CLASS`` when ``node`` does
        not name a class of this module."""
        if not isinstance(node.value, ast.Name):
            return _NOT_A_CLASS
        globals_ = self.interpreter.globals
        base = node.value.id
        cls = None
        if base in ("self", "cls"):
            cls = enclosing_class(self.facts.ancestors(node))
        elif base not in globals_:
            cls = self.interprocedural.index.classes.get(base)
        if cls is None:
            return _NOT_A_CLASS
        return class_text(cls, node.attr, lambda value: literal_text(value, globals_))

    def _factory_environment(self, node: ast.AST) -> str | None:
        """The environment a module-level name holds when it is made by a factory function of
        the project (``env = create_env()``: module-level calls are not followed when the
        module's values are collected, so the factory's summary is asked here)."""
        if not (isinstance(node, ast.Name) and node.id in self.interpreter.globals):
            return None
        call = made_by_call(self.facts.tree, node.id)
        return self.environment_made_by(call) if call is not None else None

    def environment_made_by(self, call: ast.Call) -> str | None:
        """The environment kind a call of a project function returns (None: not one)."""
        interprocedural = self.interprocedural
        func = call.func
        summary = None
        if isinstance(func, ast.Name) and func.id in interprocedural.index.module_functions:
            summary = interprocedural.summaries.of(interprocedural.index.module_functions[func.id])
        elif interprocedural.follows_project:
            qualified = self.facts.qualname(func)
            if (
                qualified is not None
                and "." in qualified
                and qualified.split(".")[0] in interprocedural.index.imported_roots
            ):
                summary = interprocedural.summaries.of_project(qualified)
        kind = summary.returns.kind if summary is not None else None
        return kind if kind is not None and kind.startswith(ENVIRONMENT) else None

    def _project_value(self, node: ast.AST) -> Val | None:
        """The template text or environment an imported name of another project module stands
        for (``from .templating import env``, ``pages.PAGE``, ``Page.TEMPLATE``)."""
        interprocedural = self.interprocedural
        if not interprocedural.follows_project or not isinstance(node, (ast.Name, ast.Attribute)):
            return None
        qualified = self.facts.qualname(node)
        asked = value_name(qualified) if qualified is not None else None
        if asked is None or qualified.split(".")[0] not in interprocedural.index.imported_roots:  # type: ignore[union-attr]
            return None
        summary = interprocedural.summaries.of_project(asked)
        return template_value(summary.returns) if summary is not None else None

    def assigned_environment(self, value: ast.AST) -> str | None:
        """The environment kind an assigned value makes (``Environment(...)``; None: not one)."""
        return self._made_environment(value, self.facts.qualname(value.func)) if isinstance(value, ast.Call) else None

    def _looked_up(
        self,
        node: ast.Call,
        name: str | None,
        method: str | None,
        receiver: Val | None,
        args: list[Val],
        kwargs: dict[str | None, Val],
        module_call: bool,
    ) -> Val | None:
        """What a lookup finds: the registry's or the database's object, not the key's text (a
        record ``get_or_create`` made: the pair of it and the flag)."""
        lookups = self.spec.lookups
        if name is not None and name in lookups:
            return Val(whole(args[0])) if args else EMPTY
        if method is None or receiver is None or module_call:
            return None
        created = created_record(node, method, receiver, kwargs, self.spec, self.sinks.imported_roots)
        if created is not None:
            return created
        if "." + method in lookups or (
            method in self.spec.manager_reads
            and (
                through_manager(node.func.value, self.spec, self.sinks.imported_roots)  # type: ignore[attr-defined]
                or (field_lookup(node) and "django" in self.sinks.imported_roots)
            )
        ):
            return Val(whole(receiver)) if receiver.taint or receiver.parts else EMPTY
        return None

    def property_read(self, node: ast.Attribute, base: Val, env: Env, fn: Frame) -> Val | None:
        """``obj.name`` where ``name`` is a ``@property`` (or ``cached_property``) of the module's
        class ``obj`` is: the getter called, ``obj.name()`` (one node per read)."""
        index = self.interprocedural.index
        cls = index.classes.get((base.kind or "")[len("class:") :])
        method = index.method(cls, node.attr) if cls is not None else None
        if method is None or not is_property(method):
            return None
        stored = base.part("." + node.attr)  # ``obj.name = v`` earlier: through the setter, if any
        setter = self.setters.setter(cls, node.attr) if stored is not None and cls is not None else None
        if setter is not None and stored is not None:
            read = self.setters.read(method, setter, base, stored, fn)
            if read is not None:
                return read
        call = self._property_calls.get(id(node))
        if call is None:
            call = self._property_calls[id(node)] = made_call(node, node, [], [])
        return self.call(call, env, fn)

    def _partial_call(self, node: ast.Call, env: Env, fn: Frame) -> ast.Call | None:
        """``run = functools.partial(f, *a, **k)`` assigned once in this function (or the module),
        then ``run(*b, **c)``: the call ``f(*a, *b, **k, **c)`` (one node per call)."""
        if id(node) in self._partial_calls:
            return self._partial_calls[id(node)]
        if self._partials is None:
            self._partials = {}
            for _, made in self.facts.calls_to("functools.partial"):
                parent = self.facts.parent(made)
                if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and made.args:
                    target = parent.targets[0]
                    if isinstance(target, ast.Name):
                        scope = self.facts.enclosing_function(made)
                        self._partials.setdefault(target.id, []).append((scope, made))
        found = self._partials.get(node.func.id)  # type: ignore[attr-defined]
        if not found:
            return None  # no partial bound to that name in the module
        scope = fn.node if isinstance(fn.node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        made_here = [made for where, made in found if where is scope]
        if not made_here and scope is not None and node.func.id not in env:  # type: ignore[attr-defined]
            made_here = [made for where, made in found if where is None]
        bound: ast.Call | None = None
        if len(made_here) == 1:
            made = made_here[0]
            bound = made_call(node, made.args[0], [*made.args[1:], *node.args], [*made.keywords, *node.keywords])
        self._partial_calls[id(node)] = bound
        return bound

    def _offloaded(self, node: ast.Call, name: str | None) -> ast.Call | None:
        """``function(*args)`` for ``asyncio.to_thread(function, *args)`` and the like (the same
        node each time asked, so that its steps stay the same)."""
        if id(node) in self._offloaded_calls:
            return self._offloaded_calls[id(node)]
        made = self._offloaded_calls[id(node)] = offloaded_call(node, name)
        return made

    def _run_deferred(
        self, node: ast.Call, name: str | None, args: list[Val], kwargs: dict[str | None, Val], env: Env, fn: Frame
    ) -> None:
        """A function of the module scheduled with arguments (``pool.submit(job, v)``) runs as
        ``job(v)`` called here: what it does with them is reported at this call."""
        found = deferred_call(node, name, args, kwargs)
        if found is None:
            return
        call = self._deferred.setdefault(id(node), found[0])  # one node per call: its steps stay the same
        self.sinks.results.note_made_node(call)
        if isinstance(call.func, ast.Name):
            self.interprocedural.resolve(call, call.func.id, None, found[1], found[2], env, fn)

    def _mapped_call(self, node: ast.Call, function: ast.expr, items: list[Val], env: Env, fn: Frame) -> Val | None:
        """``map(helper, items)`` with a function of the module: ``helper(item)`` for each item."""
        if not isinstance(function, ast.Name):
            return None
        call = self._mapped_calls.get(id(node))
        if call is None:
            call = self._mapped_calls[id(node)] = made_call(node, function, [node.args[1]], [])
        self.sinks.results.note_made_node(call)
        item = Val(all_taint(None, items, {}))
        result = self.interprocedural.resolve(call, function.id, None, [item], [], env, fn)
        return Val(whole(result)) if result is not None else None

    def _string_method(
        self,
        node: ast.Call,
        method: str,
        receiver: Val,
        callee: Val | None,
        args: list[Val],
        kwargs: dict[str | None, Val],
    ) -> Val:
        """``text.lower()``, ``template.format(...)``, ``sep.join(items)``, ``text.replace(a, b)``."""
        if receiver.kind in self.spec.markup_kinds and method in ("format", "join"):
            escaped = all_taint(receiver, args, kwargs)
            markup_escaped = self.markup_escaped
            return Val(relabel(escaped, lambda lab: lab.cleaned_for(markup_escaped)), (), receiver.kind)
        data = whole(receiver) | (callee.taint if callee is not None else EMPTY_TAINT)
        if method in ("format", "format_map"):
            prefix = literal_prefix(node.func.value)  # type: ignore[attr-defined]
            extra: Taint = EMPTY_TAINT
            opened = quoted_fields(receiver.const) if isinstance(receiver.const, str) else None
            keyed = [*((str(i), v) for i, v in enumerate(args)), *((str(k), v) for k, v in kwargs.items())]
            read = _read_fields(node, method, receiver)
            shown_whole = whole_fields(receiver.const) if not receiver.taint else None
            for key, value in keyed:
                if read is not None and key not in read:
                    continue  # ``"{0}".format("a", v)``: an argument no field writes
                shown = shown_whole is not None and key in shown_whole and container_display(value)  # its repr
                written = whole(cleaned(value, self.line_breaks_removed) if shown else value)
                if opened is not None and not opened.get(key, True):  # ``"id = {}".format(v)``
                    written = outside_quotes(written, self.quotes_rejected)
                extra = extra | written
            if only_repr_fields(receiver.const):
                breaks = self.line_breaks_removed
                extra = relabel(extra, lambda lab: lab.cleaned_for(breaks))
            data = data | (self.prefixes.after(prefix, extra) if prefix else extra)
        elif method == "join":
            data = data | (whole(args[0]) if args else EMPTY_TAINT)
        elif method == "joinpath" and receiver.kind and receiver.kind.startswith("pathlib."):
            for value in args:  # ``Path(folder).joinpath(name)``: the components are the path
                data = data | whole(value)
        elif method == "replace" and len(args) >= 2:
            old = node.args[0]
            data = data | whole(args[1])
            if (
                isinstance(old, ast.Constant)
                and isinstance(old.value, str)
                and ("\n" in old.value or "\r" in old.value)
            ):
                return cleaned(Val(bound(data)), self.line_breaks_removed)
            if escapes_quote(old, node.args[1]):
                return cleaned(Val(bound(data)), self.quotes_rejected)
            if replaced_separators(node):  # ``name.replace("/", "_")``: one component
                return cleaned(Val(bound(data)), self.spec.sanitizers.get("os.path.basename", frozenset()))
        elif method in ("split", "rsplit", "splitlines") and data:
            lines = self._lines(node, method, data)
            if lines is not None:
                return lines
        path_kind = receiver.kind if receiver.kind and receiver.kind.startswith("pathlib.") else None
        return Val(bound(data), (), path_kind) if data or path_kind else EMPTY

    def _substituted(self, node: ast.Call, how: str, args: list[Val], kwargs: dict[str | None, Val]) -> Val:
        """``re.sub(pattern, repl, text)``, ``re.split(pattern, text)``, ``re.findall(pattern, text)``:
        the text (and what a replacement inserts), cleaned for the classes whose characters the call
        cannot give back (``substitutions``)."""
        at = 2 if how == "sub" else 1
        text = args[at] if len(args) > at else kwargs.get("string", EMPTY)
        inserted = (args[1] if len(args) > 1 else kwargs.get("repl", EMPTY)) if how == "sub" else EMPTY
        data = whole(text) | whole(inserted)
        if not data:
            return EMPTY
        value = Val(bound(data))
        left = left_characters(node, how)
        return value if left is None else self._holding_only(value, left)

    def _group(self, node: ast.Call, receiver: Val, fn: Frame) -> Val | None:
        """``m.group(1)`` of ``m = re.match(r"...", text)``: what the group can hold (``match_groups``)."""
        held = held_by_groups(node, self.callbacks.factories.assignments(fn.node), self.facts.qualname)
        return self._holding_only(Val(whole(receiver)), held) if held is not None else None

    def _holding_only(self, value: Val, left: frozenset[str]) -> Val:
        """``value``, cleaned for the classes a text of only ``left`` characters is clean for."""
        basename = self.spec.sanitizers.get("os.path.basename", frozenset())
        classes = cleaned_classes(left, self.words_only_clean, self.line_breaks_removed, basename, self.quotes_rejected)
        return cleaned(value, classes) if classes else value

    def _lines(self, node: ast.Call, method: str, data: Taint) -> Val | None:
        """``text.splitlines()``, ``text.split(sep)``: pieces without the separator, cleaned for the
        classes that need it (a line break: log lines; ``"."``: no parent reference ``..``, so the
        piece stays below a folder text puts before it; ``"/"``: one path component). With a
        ``maxsplit`` (``line, rest = buf.split(b"\n", 1)``) the piece holding the rest of the text
        keeps its taint: the last of ``split``, the first of ``rsplit`` (``name.rsplit(".", 1)[-1]``
        is clean)."""
        if method == "splitlines":
            return cleaned(Val(bound(data)), self.line_breaks_removed)
        given = {kw.arg: kw.value for kw in node.keywords}
        separator = node.args[0] if node.args else given.get("sep")
        classes = self._separator_cleans(separator)
        if not classes:
            return None
        pieces = cleaned(Val(bound(data)), classes)
        limit = node.args[1] if len(node.args) > 1 else given.get("maxsplit")
        if limit is None or const_key(limit) == "-1":  # ``maxsplit=-1``: no limit
            return pieces
        if not (isinstance(limit, ast.Constant) and type(limit.value) is int and 0 <= limit.value <= MAX_PARTS):
            return None
        rest = Val(bound(data))
        if method == "rsplit":  # ``[rest, piece, ...]``: the pieces are the last ``limit``, counted from the end
            last = ((str(-i), pieces) for i in range(1, limit.value + 1))
            return Val(EMPTY_TAINT, (*last, ("*", rest)))
        return Val(EMPTY_TAINT, (*((str(i), pieces) for i in range(limit.value)), ("*", rest)))

    def _separator_cleans(self, separator: ast.expr | None) -> frozenset[str]:
        """The classes a piece of text split at this constant separator is clean for."""
        if not isinstance(separator, ast.Constant) or not isinstance(separator.value, (str, bytes)):
            return frozenset()
        text = separator.value.decode("latin-1") if isinstance(separator.value, bytes) else separator.value
        if text == "\n":
            return self.line_breaks_removed
        if text == ".":  # no ``..``; ``os.path.join(folder, piece)`` still starts over at ``/etc``
            return self.relative_only | {RELATIVE_ONLY}
        if text == "/":
            return self.spec.sanitizers.get("os.path.basename", frozenset())
        return frozenset()
