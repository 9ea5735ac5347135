"""Where tainted values meet sinks: which arguments count for each kind of sink, and what a
hit (a source reached it) or an effect (a parameter reached it, for the summary) records."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING

from ..facts import ModuleFacts, false_constant, may_run_shell
from ..finding import FlowStep, StepKind
from ..source import SourceFile
from . import xml_parsers
from .argument_text import assigned_in_function, repr_arguments, runs_shell, shell_line, shown_as_repr, variable_leaves
from .environments import RENDERING_METHODS, autoescape_mode, escapes, loaded_template
from .flag_guards import switched_by
from .response_types import given_content_type, tuple_content_type
from .results import Results
from .sink_arguments import keyword_given, keyword_text, model_object, other_api, receiver_argument, request_object
from .spec import ALL_CLASSES, DOCUMENT, MADE_TEXT, NEEDS_DOCUMENT, SinkSpec, TaintSpec
from .state import Env, Frame, NodeTexts, short_text
from .summary import Effect
from .templates import TemplateReading, read_template, tag_step, unescaped_names
from .unmarking import unmarked_at_once
from .values import DERIVED, EMPTY, NO_CONST, OPAQUE, OneOf, Val, get_part, in_order, whole

if TYPE_CHECKING:
    from .ports import Evaluator


def _document_parameters(labels: frozenset) -> frozenset:
    """Labels of a summarized function's parameters a query document holds as values: a finding
    where a caller passes a parsed document (``NEEDS_DOCUMENT``), not text made from it."""
    return frozenset(
        lab.cleaned_for(frozenset({NEEDS_DOCUMENT}))
        for lab in labels
        if lab.origin.kind == "param" and DOCUMENT not in lab.cleaned and MADE_TEXT not in lab.cleaned
    )


def _at_keys(value: Val, keys: frozenset[str], depth: int = 0) -> frozenset:
    """The labels of a literal document found under one of ``keys``, at any depth."""
    found: set = set()
    for key, part in value.parts:
        if key in keys:
            found |= whole(part)
        elif depth < 6:
            found |= _at_keys(part, keys, depth + 1)
    return frozenset(found)


def _context_items(context: ast.AST, value: Val, names: Iterable[str]) -> list[tuple[str, ast.AST, Val]]:
    """The values a template context gives the variables ``names``: a dict literal's items, the
    known keys of a dict built elsewhere, or the whole of a dict that is data itself
    (``request.args``): (variable, where it is shown, value)."""
    found: list[tuple[str, ast.AST, Val]] = []
    if isinstance(context, ast.Dict):
        for key, item in zip(context.keys, context.values, strict=False):
            if isinstance(key, ast.Constant) and key.value in names:
                found.append((str(key.value), item, value.part(repr(key.value)) or EMPTY))
        return found
    for name in names:
        part = value.part(repr(name))
        if part is None and value.part("*") is not None:
            part = Val(whole(value.part("*") or EMPTY))  # a key the analysis did not follow
        if part is None:
            part = Val(value.taint)  # the dict is data itself: every key is
        if part.taint or part.parts:
            found.append((name, context, part))
    return found


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


MODE_MARK = "\x1f"  # between a template's name and the escaping mode it is rendered with
CONSTANTS_MARK = "\x1e"  # before the render call's variables given a template name (``name=a.html``)
_TEMPLATE_NAME = re.compile(r"[\w./-]{1,200}\.\w{1,10}")


def _given_names(context: Val | None, args: list[Val], kwargs: dict[str | None, Val], at: int) -> str:
    """The render call's variables given constant text that may name a template (``page="a.html"``):
    an ``{% include page %}`` includes it. Encoded for the template cache key ("" when none)."""
    given: dict[str, str] = {}
    if context is None and 0 <= at < len(args):
        context = args[at]
    mappings = [value for value in (context, kwargs.get(None)) if value is not None]  # ``**context`` too
    for key, part in (item for mapping in mappings for item in mapping.parts):
        name = key.strip("'\"")
        if key[:1] in "'\"" and isinstance(part.const, str) and not part.taint and not part.parts:
            given[name] = part.const
    for name, value in kwargs.items():
        if name is not None and isinstance(value.const, str) and not value.taint and not value.parts:
            given[name] = value.const
    known = sorted((name, text) for name, text in given.items() if _TEMPLATE_NAME.fullmatch(text))
    return (CONSTANTS_MARK + "\n".join(f"{name}={text}" for name, text in known)) if known else ""


def _split_key(template: str) -> tuple[str, str, dict[str, str]]:
    """(template name, escaping mode, constants) of a template cache key."""
    template, _, given = template.partition(CONSTANTS_MARK)
    named, _, mode = template.partition(MODE_MARK)
    constants = dict(line.split("=", 1) for line in given.split("\n") if "=" in line)
    return named, mode, constants


INLINE_PATH = "<template text>"  # the path of a template made from constant text


class SinkChecker:
    """Checks calls, subscript stores and view returns against the sinks of the spec."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        *,
        sinks: tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]],
        imported_roots: set[str],
        results: Results,
        texts: NodeTexts,
        interpreter: Evaluator,
        path: str,
        step_path: str | None,
        project: object | None = None,
    ) -> None:
        self.project = project  # finds template files (``template_text``)
        self._templates: dict[str, TemplateReading | None] = {}
        self.facts = facts
        self.spec = spec
        self.sinks_by_name, self.sinks_by_method = sinks
        self.imported_roots = imported_roots
        self.results = results
        self.texts = texts
        self.interpreter = interpreter
        self.path = path
        self.step_path = step_path
        self._methods: frozenset[str] | None = None

    def _own_methods(self) -> frozenset[str]:
        """Names of the methods the module's own classes define."""
        if self._methods is None:
            self._methods = frozenset(
                item.name
                for node in self.facts.nodes(ast.ClassDef)
                for item in node.body  # type: ignore[attr-defined]
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
        return self._methods

    def _imported(self, requires: tuple[str, ...]) -> bool:
        return not requires or any(p in self.imported_roots for p in requires)

    def check_store(self, target: ast.Subscript, value: Val, env: Env, fn: Frame) -> None:
        """``base[key] = value`` where ``base`` is a session, a response's headers ..."""
        if not self.spec.store_sinks:
            return
        base = target.value
        name = self.facts.qualname(base)
        key_val = EMPTY
        if not isinstance(target.slice, ast.Constant) and any(sink.on_key for sink in self.spec.store_sinks):
            base_val = self.interpreter.eval(base, dict(env), fn)
            if any(sink.on_key and sink.base in (name, base_val.kind) for sink in self.spec.store_sinks):
                key_val = self.interpreter.eval(target.slice, dict(env), fn)  # type: ignore[arg-type]
        if not (value.taint or value.parts or key_val.taint):
            return
        base_val = self.interpreter.eval(base, dict(env), fn)
        attr = base.attr if isinstance(base, ast.Attribute) else None
        key_text = target.slice.value if isinstance(target.slice, ast.Constant) else None
        for sink in self.spec.store_sinks:
            if not self._imported(sink.requires_import):
                continue
            if sink.key and not (isinstance(key_text, str) and key_text.lower() == sink.key.lower()):
                continue
            if sink.on_key:
                if key_val.taint and (sink.base == name or (base_val.kind is not None and sink.base == base_val.kind)):
                    shown = self.texts.text(target)
                    self._reached(
                        SinkSpec(sink.cls, shown, sink.what), f"{shown} = …", target, target.slice, key_val, fn
                    )
                continue
            if not (value.taint or value.parts):
                continue
            matched = (
                sink.base == name
                or (base_val.kind is not None and sink.base == base_val.kind)
                or (attr is not None and sink.base == "." + attr)
            )
            if matched and sink.base == "." + str(attr) and whole(base_val):
                continue  # ``self.headers[...]`` of a request being rewritten, not a response header
            if matched:
                shown = self.texts.text(target)
                spec = SinkSpec(sink.cls, shown, sink.what)
                self._reached(spec, f"{shown} = …", target, target, value, fn)

    def check_call(
        self,
        node: ast.Call,
        name: str | None,
        method: str | None,
        receiver: Val | None,
        args: list[Val],
        kwargs: dict[str | None, Val],
        fn: Frame,
        module_call: bool,
        env: Env | None = None,
    ) -> frozenset[str]:
        """Check a call's arguments against the sinks it may be; the classes its result no
        longer carries (the result of most sinks is new data, not the input)."""
        specs: list[SinkSpec] = []
        if self.spec.template_renderers and self.project is not None:
            # A function (``render_template``) or a method of a renderer object
            # (``templates.TemplateResponse`` of Starlette's ``Jinja2Templates``).
            rendered_by = name or (f"{receiver.kind}.{method}" if receiver is not None and receiver.kind else None)
            for renderer in self.spec.template_renderers:
                if renderer.name == rendered_by:
                    self._check_template(renderer, node, args, kwargs, fn)
        if name in _INLINE_RENDERERS:
            self._check_inline_template(node, kwargs, fn)
        if method in RENDERING_METHODS and receiver is not None and receiver.kind:
            loaded = loaded_template(receiver.kind)
            if loaded is not None and (self.project is not None or loaded[2] is not None):
                self._check_rendered(loaded, node, args, kwargs, fn)
        if name is not None:
            specs.extend(self.sinks_by_name.get(name, ()))
        if method is not None and receiver is not None and receiver.kind is not None:
            specs.extend(self.sinks_by_name.get(f"{receiver.kind}.{method}", ()))
        if name is None and env is not None and isinstance(node.func, ast.Name):
            called = self.interpreter.lookup(node.func.id, env).kind  # an object called: ``evaluator(expr)``
            if called is not None:
                specs.extend(self.sinks_by_name.get(f"{called}.__call__", ()))
        if method is not None and not module_call and method in self.sinks_by_method:
            receiver_text: str | None = None
            for sink in self.sinks_by_method[method]:
                if not self._imported(sink.requires_import):
                    continue
                if sink.own_method_unless and method in self._own_methods():
                    if receiver_text is None:
                        receiver_text = self.facts.source.segment(node.func.value).lower()  # type: ignore[attr-defined]
                    if not any(word in receiver_text for word in sink.own_method_unless):
                        continue
                if sink.other_receivers and other_api(node.func, receiver, sink.other_receivers):
                    continue
                if sink.receiver_hint:
                    if receiver_text is None:
                        receiver_text = self.facts.source.segment(node.func.value).lower()  # type: ignore[attr-defined]
                    if sink.receiver_hint not in receiver_text:
                        continue
                specs.append(sink)
        if not specs:
            return frozenset()
        spelled = short_text(self.facts.spelled(node.func))
        seen: set[str] = set()
        reported: set[str] = set()
        for sink in specs:
            if sink.cls in seen or (sink.unmarked_by and unmarked_at_once(self.facts.parent, node, sink.unmarked_by)):
                continue
            checked = list(self._sink_arguments(sink, node, receiver, args, kwargs))
            if sink.takes_files and not checked:
                continue  # an open file, not a path: what is read from it is still its data
            for arg_node, value, remote_only in checked:
                self._reached(sink, f"{spelled}()", node, arg_node, value, fn, remote_only=remote_only)
            if (
                self.results.collecting
                and env is not None
                and checked
                and all(self._cleared(arg_node, sink.cls, env, value) for arg_node, value, _ in checked)
            ):
                self.results.note_cleared(sink.cls, node)
            seen.add(sink.cls)
            if sink.clean_result:
                reported.add(sink.cls)
            if sink.cls not in self.spec.data_keeping_classes and not sink.clean_result and sink.mode != "called":
                # A file's content, a command's output, a response: not the data that went in
                # (``getattr`` gives what the object holds: its own model says what that is).
                reported.update((ALL_CLASSES, DERIVED))
        return frozenset(reported)

    def _unescaped(self, template: str) -> TemplateReading | None:
        """What rendering template file ``template`` writes unescaped, through the templates it
        includes and extends (None: no such file, or it escapes everything). ``template`` may end
        with ``MODE_MARK`` and the escaping mode of the environment rendering it (``environments.py``);
        without, the file escapes every write but ``|safe`` and autoescape-off blocks."""
        if template in self._templates:
            known = self._templates[template]
        else:
            finder = getattr(self.project, "template_file", None)

            def load(name: str) -> tuple[str, str] | None:
                found = finder(name, self.path) if finder is not None else None
                return (str(found[0]), found[1]) if found is not None and found[1] is not None else None

            named, mode, constants = _split_key(template)
            found = load(named)
            escaping = escapes(mode) if mode else None
            reading = read_template(found[0], found[1], load, escaping, constants) if found is not None else None
            known = self._templates[template] = reading if reading is not None and reading.writes else None
        self.results.record_template(template, known)
        return known

    def template_answer(self, template: str) -> TemplateReading | None:
        """What reading ``template`` gives in this run (a replayed analysis compares it with the
        answer it recorded)."""
        return self._unescaped(template)

    def _check_rendered(
        self,
        loaded: tuple[str, str, str | None],
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str | None, Val],
        fn: Frame,
    ) -> None:
        """``env.get_template("x.html").render(...)``: the context is the first argument (a dict)
        and the keywords. A template made from constant text is read from that text (its own
        includes not followed) and its writes are shown at the render call."""
        mode, named, text = loaded
        renderer = SinkSpec("xss", "", "", ((0, ""), (0, "")))
        if text is not None:
            reading = read_template(INLINE_PATH, text, lambda _name: None, escapes(mode))
            if reading.writes:
                self._written(renderer, node, "", reading, (0, "", True), args, kwargs, fn)
            return
        found = self._unescaped(named + MODE_MARK + mode + _given_names(None, args, kwargs, 0))
        if found is not None:
            self._written(renderer, node, named, found, (0, "", True), args, kwargs, fn)

    def _setup_mode(self, renderer: SinkSpec) -> str:
        """The escaping of a renderer's environment: the one an application-wide setup call of
        this module made (``aiohttp_jinja2.setup(app, autoescape=False)``; ``on`` without one), or
        the framework's own (Flask escapes by template name); "" for a renderer escaping everything."""
        setup = self.spec.environment_setups.get(renderer.name)
        if setup is None:
            return ""
        setup_name, default = setup
        if not setup_name:
            return default
        for name, call in self.facts.calls_with_prefix(setup_name):
            if name == setup_name:
                return autoescape_mode(call, self.spec.autoescape_selectors, self.facts.qualname, default)
        return self._project_setup_mode(setup_name, default)

    def _project_setup_mode(self, setup_name: str, default: str) -> str:
        """The escaping of an application set up in another module of the project: the setup calls
        nearest the view decide, when they agree (``on`` without one, or where they differ): those
        of the files in its folder, else in the folder above and so on; failing that, those below
        the nearest of these folders that has one."""
        finder = getattr(self.project, "environment_setups", None)
        if finder is None:
            return "on"
        selectors = self.spec.autoescape_selectors

        def modes(text: str, path: str) -> tuple[str, ...]:
            try:
                facts = ModuleFacts(SourceFile(text, path))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return ()
            calls = [call for name, call in facts.calls_with_prefix(setup_name) if name == setup_name]
            return tuple(autoescape_mode(call, selectors, facts.qualname, default) for call in calls)

        kind = f"{setup_name}:{default}:{','.join(sorted(selectors))}"
        found = finder(kind, setup_name.split(".")[0], modes)
        if not found:
            return "on"
        folder = PurePath(os.path.abspath(self.path)).parent
        levels = (folder, *folder.parents)
        for within in (lambda file, level: file.parent == level, PurePath.is_relative_to):
            for level in levels:
                near = {mode for file, mode in found if within(PurePath(file), level)}
                if near:
                    return near.pop() if len(near) == 1 else "on"
        return "on"

    def _check_template(
        self,
        renderer: SinkSpec,
        node: ast.Call,
        args: list[Val],
        kwargs: dict[str | None, Val],
        fn: Frame,
        placed_at: ast.AST | None = None,
    ) -> None:
        """Context variables of a rendered template file that the template writes unescaped: the
        flow goes on into the template, to the ``{{ … }}`` that writes the value."""
        (at, keyword), (context_at, context_keyword) = renderer.args[:2]
        named: object = args[at].const if len(node.args) > at and len(args) > at else NO_CONST
        for kw in node.keywords:
            if kw.arg == keyword:
                named = kwargs.get(keyword, EMPTY).const
        if not isinstance(named, str):
            return  # a template name known only at run time
        mode = self._setup_mode(renderer)
        context = kwargs.get(context_keyword) if context_keyword and context_keyword in kwargs else None
        keywords = kwargs if context_at < 0 else {}
        given = _given_names(context, args if len(node.args) > context_at else [], keywords, context_at)
        known = self._unescaped((named + MODE_MARK + mode if mode else named) + given)
        if known is None:
            return
        place = (context_at, context_keyword or "", False)
        self._written(renderer, node, named, known, place, args, kwargs, fn, placed_at=placed_at)

    def _check_inline_template(self, node: ast.Call, kwargs: dict[str | None, Val], fn: Frame) -> None:
        """``render_template_string("<p>{{ name|safe }}</p>", name=v)``: Flask renders a template
        text with escaping on, so only the variables the text writes with ``|safe`` or inside an
        autoescape-off block are XSS (a text built from input is SR818)."""
        text = self.interpreter.calls.constant_text(node.args[0]) if node.args else None
        if not isinstance(text, str):
            return  # built at run time (a text from input is SR818)
        written = unescaped_names(text)
        shown = f"{short_text(self.facts.spelled(node.func))}()"
        sink = SinkSpec("xss", shown, "template variable written unescaped")
        for kw in node.keywords:
            if kw.arg in written:
                self._reached(sink, shown, node, kw.value, kwargs.get(kw.arg, EMPTY), fn)

    def check_decorated_context(self, node: ast.expr, value: Val, fn: Frame) -> None:
        """``return {...}`` from a handler decorated with the template it renders
        (``@aiohttp_jinja2.template("page.html")``): checked as a render call of that template
        given the returned dict as its context, shown at the return."""
        decorator, renderer = fn.entry.template_decorator, fn.entry.template_renderer
        if decorator is None or renderer is None or self.project is None:
            return
        named_node = decorator.args[0] if decorator.args else None
        for kw in decorator.keywords:
            if kw.arg == renderer.args[0][1]:
                named_node = kw.value
        if not (isinstance(named_node, ast.Constant) and isinstance(named_node.value, str)):
            return
        (at, _), (context_at, _) = renderer.args[:2]
        if context_at < 0:
            return
        width = max(at, context_at) + 1
        call_args: list[ast.expr] = [ast.copy_location(ast.Constant(None), node) for _ in range(width)]
        values = [EMPTY] * width
        call_args[at], values[at] = named_node, Val(const=named_node.value)
        call_args[context_at], values[context_at] = node, value
        # a call of the renderer standing for the decoration; findings are placed at the return
        call = ast.copy_location(ast.Call(func=decorator.func, args=call_args, keywords=[]), node)
        self._check_template(renderer, call, values, {}, fn, placed_at=node)

    def _written(
        self,
        renderer: SinkSpec,
        node: ast.Call,
        named: str,
        known: TemplateReading,
        context_place: tuple[int, str, bool],
        args: list[Val],
        kwargs: dict[str | None, Val],
        fn: Frame,
        placed_at: ast.AST | None = None,
    ) -> None:
        """Report each context variable the template writes unescaped. ``context_place``: the
        context's position and keyword (-1: the call's keywords), and whether the keywords are
        context variables as well (``template.render(ctx, name=v)``); ``placed_at``: the node the
        findings are placed at when not the call (a decorated handler's ``return``)."""
        context_at, context_keyword, keywords_too = context_place
        writes = known.first_writes()
        spelled = short_text(self.facts.spelled(node.func))
        found: list[tuple[str, ast.AST, Val]] = []
        if context_at < 0 or keywords_too:
            for kw in node.keywords:
                if kw.arg in writes:
                    found.append((kw.arg, kw.value, kwargs.get(kw.arg, EMPTY)))
                elif kw.arg is None:  # ``**context``
                    found.extend(_context_items(kw.value, kwargs.get(None, EMPTY), writes))
        if context_at >= 0:
            context = node.args[context_at] if len(node.args) > context_at else None
            value = args[context_at] if context is not None else EMPTY
            for kw in node.keywords:
                if context_keyword and kw.arg == context_keyword:
                    context, value = kw.value, kwargs.get(kw.arg, EMPTY)
            if context is not None:
                found.extend(_context_items(context, value, writes))
        for variable, item, value in found:
            placed = writes[variable]
            write = placed.write
            shown = short_text(write.text)
            if placed.path == INLINE_PATH:  # constant template text: shown at the render call
                what = f"HTML written unescaped by the template text ({write.why})"
                sink_step = FlowStep.of(StepKind.SINK, shown, self.texts.span(node), self.step_path, what)
            else:
                where = named if placed.path == known.path else f"{named}` through `{_file_name(placed.path)}"
                what = f"HTML written unescaped by template `{where}` ({write.why})"
                sink_step = FlowStep.of(StepKind.SINK, shown, write.span, placed.path, what)
            steps = (
                FlowStep.of(StepKind.PASSED, spelled, self.texts.span(item), self.step_path),
                *(tag_step(path, span, text) for path, span, text in placed.via),
                sink_step,
            )
            self._reached(SinkSpec(renderer.cls, shown, what), shown, placed_at or node, item, value, fn, steps=steps)

    def _cleared(self, argument: ast.AST, cls: str, env: Env, value: Val = EMPTY) -> bool:
        """Whether every variable part of a sink argument is a known constant or a value that was
        cleaned for this sink class (an allowlist check, a comparison with a constant): evidence that
        the built string is harmless, for the pattern rules that only see that it is built. An
        argument the analysis folded to one constant (a constant entry of a dictionary holding
        input elsewhere, an attribute set to a literal, a helper returning a literal) is one too."""
        if value.const is not NO_CONST and not value.taint and not value.parts:
            return True
        leaves = variable_leaves(argument)
        if leaves is None:
            return False
        for leaf in leaves:
            value = self.interpreter.lookup(leaf.id, env)
            if value.parts:
                return False
            if value.taint:
                # Cleaned by a check or a conversion; not merely derived from other data.
                if not all(
                    lab.is_clean_for(cls) and DERIVED not in lab.cleaned and OPAQUE not in lab.cleaned
                    for lab in value.taint
                ):
                    return False
            elif value.const is NO_CONST:
                return False  # made by something the analysis does not follow
        return True

    def _declared_content_type(self, node: ast.Call) -> str | None:
        """The one constant ``Content-Type`` the enclosing function sends with
        ``send_header`` (None: none, several, or not a constant)."""
        function = self.facts.enclosing_function(node)
        if function is None:
            return None
        declared: set[str] = set()
        for call in ast.walk(function):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "send_header"
                and len(call.args) == 2
                and isinstance(call.args[0], ast.Constant)
                and str(call.args[0].value).lower() == "content-type"
            ):
                continue
            value = call.args[1]
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                return None
            declared.add(value.value.lower())
        return declared.pop() if len(declared) == 1 else None

    def _sink_arguments(
        self,
        sink: SinkSpec,
        node: ast.Call,
        receiver: Val | None,
        args: list[Val],
        kwargs: dict[str | None, Val],
    ) -> Iterable[tuple[ast.AST, Val, bool]]:
        if sink.first_is:
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and str(first.value).lower() == sink.first_is.lower()):
                return
        if sink.text_only and any(self._passes_vector(arg) for arg in node.args[:1]):
            return
        if sink.text_only and args and request_object(args[0].kind):
            return
        if sink.dict_keys or sink.built_text or sink.json_dicts or sink.model_objects:
            for arg_node, value, remote_only in self._plain_arguments(sink, node, receiver, args, kwargs):
                yield arg_node, self._narrowed(sink, arg_node, value), remote_only
            return
        yield from self._plain_arguments(sink, node, receiver, args, kwargs)

    def _passes_vector(self, node: ast.expr) -> bool:
        """``sys.argv``, ``sys.argv[1:]``, ``[prog, *args]``: a list of arguments, not text."""
        if isinstance(node, (ast.List, ast.Tuple, ast.ListComp)):
            return True
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            node = node.value
        return self.facts.qualname(node) == "sys.argv"

    def _narrowed(self, sink: SinkSpec, arg_node: ast.AST, value: Val) -> Val:
        """The part of an argument a ``dict_keys`` / ``built_text`` / ``json_dicts`` /
        ``model_objects`` sink checks."""
        if sink.model_objects and model_object(value):
            return EMPTY
        if sink.json_dicts and (
            isinstance(arg_node, ast.Dict)
            or (value.parts and not value.taint and all(key[:1] in "'\"" for key, _ in value.parts))
        ):
            return EMPTY
        if sink.dict_keys and (
            isinstance(arg_node, (ast.Dict, ast.List, ast.Tuple)) or (value.parts and not value.taint)
        ):
            # A document written here: only its JavaScript keys, and values that may be documents
            # themselves (an operator); data read whole is checked whole.
            found = _at_keys(value, frozenset(repr(key) for key in sink.dict_keys))
            if sink.documents:
                found = found | frozenset(lab for lab in whole(value) if DOCUMENT in lab.cleaned)
                found = found | _document_parameters(whole(value))
            value = Val(found)
        if sink.built_text:
            value = Val(frozenset(lab for lab in whole(value) if OPAQUE not in lab.cleaned))
        return value

    def _plain_arguments(
        self,
        sink: SinkSpec,
        node: ast.Call,
        receiver: Val | None,
        args: list[Val],
        kwargs: dict[str | None, Val],
    ) -> Iterable[tuple[ast.AST, Val, bool]]:
        def positional(index: int, keyword: str | None) -> tuple[ast.AST, Val] | None:
            if keyword is not None:
                for kw in node.keywords:
                    if kw.arg == keyword:
                        return kw.value, kwargs.get(keyword, EMPTY)
            if index < len(node.args) and not any(isinstance(a, ast.Starred) for a in node.args[: index + 1]):
                return node.args[index], args[index]
            return None

        mode = sink.mode
        if mode in ("all-args", "log-values"):
            skipped = repr_arguments(node)
            if sink.cls == "log":
                skipped |= shown_as_repr(node, args, 1 if sink.name in (".log", "logging.log") else 0)
            if mode == "log-values":
                # the program's log formatter cleans the message template (``log_output.py``)
                skipped.add(1 if sink.name in (".log", "logging.log") else 0)
            for index, (arg_node, value) in enumerate(zip(node.args, args, strict=False)):
                if index not in skipped:
                    yield arg_node, value, False
            for kw in node.keywords:
                if kw.arg is not None and kw.arg not in ("exc_info", "stack_info", "stacklevel", "extra"):
                    if not (mode == "log-values" and kw.arg == "msg"):
                        yield kw.value, kwargs.get(kw.arg, EMPTY), False
            return
        if mode == "yaml":
            loader = positional(1, "Loader")
            if loader is not None:
                loader_name = self.facts.qualname(loader[0]) or self.facts.spelled(loader[0])
                if "Safe" in loader_name or "BaseLoader" in loader_name:
                    return
        if mode == "lxml":
            parser = positional(1, "parser")
            if parser is not None and xml_parsers.lxml_parser_safe(self.facts, parser[0]):
                return
        if mode.startswith("keyword:") and not keyword_given(node, mode.removeprefix("keyword:")):
            return  # ``numpy.load(f)``: unpickles only where ``allow_pickle=True`` says so
        if mode == "called" and not self._result_called(node):
            return  # ``getattr(obj, name)`` only read: calling it is what runs code the input picked
        if mode == "sax" and not self.sax_entities_enabled(node):
            return  # the standard parser leaves external entities unresolved unless told to
        if mode == "html-typed" and not any(
            kw.arg in ("content_type", "media_type") and "html" in (keyword_text(kw, kwargs) or "").lower()
            for kw in node.keywords
        ):
            return  # a body sent as text or JSON (the default of these classes) is not rendered as HTML
        if mode == "response":
            for kw in node.keywords:
                declared_type = (
                    keyword_text(kw, kwargs) if kw.arg in ("content_type", "mimetype", "media_type") else None
                )
                if declared_type is not None and "html" not in declared_type.lower():
                    return  # a text/plain or JSON body is not rendered as HTML
            declared = self._declared_content_type(node) or given_content_type(self.facts, node)
            if declared is not None and "html" not in declared:
                return  # ``send_header("Content-Type", "text/xml")`` before the body is written
        if mode in ("options", "option-args"):
            yield from self._option_arguments(sink, node, args, kwargs)
            return
        if mode == "exec-options":
            yield from self._exec_options(sink, node, args)
            return
        if mode == "with-arguments" and not (node.keywords or any(not isinstance(a, ast.Starred) for a in node.args)):
            return  # ``v.format()``, ``v.format(*parts)``: no named object a field could read from
        for index, keyword in sink.args:
            if mode == "keywords":
                for kw in node.keywords:
                    if kw.arg == keyword:
                        yield kw.value, kwargs.get(keyword, EMPTY), False
                continue
            if index == -1:
                if receiver is not None:
                    yield from receiver_argument(self.facts, mode, node, receiver, args)
                continue
            found = positional(index, keyword)
            if found is None:
                continue
            arg_node, value = found
            if sink.takes_files and self._file_object(arg_node, value):
                continue
            program = sink.what == "program"
            if mode in ("subprocess", "program"):
                shell = False
                if mode == "subprocess":
                    for kw in node.keywords:
                        if kw.arg == "shell":
                            flag = kwargs.get("shell", EMPTY).const
                            shell = (
                                bool(flag)
                                if flag is not NO_CONST and not isinstance(flag, OneOf)
                                else not false_constant(kw.value)
                            )
                if not shell:
                    line = shell_line([get_part(value, str(i)) for i in range(4)] if value.parts else [])
                    if line is not None:  # ``["bash", "-c", command]``: a shell runs the command
                        yield arg_node, line, False
                        continue
                    value = self._program_of(value, arg_node)
                    program = True
            elif program and mode == "program-args":
                vector = self._argument_vector(sink, node, args, value)
                line = shell_line(vector)
                if line is not None:  # ``os.execlp("sh", "sh", "-c", command)``
                    yield arg_node, line, False
            yield arg_node, value, program

    def _option_arguments(
        self, sink: SinkSpec, node: ast.Call, args: list[Val], kwargs: dict[str | None, Val]
    ) -> Iterable[tuple[ast.AST, Val, bool]]:
        """The arguments a fixed program may read as options: the elements of its argument vector
        after the program and before a ``--`` element. Only a vector whose positions are known
        counts, and only where no shell runs it (a shell command is the command class's)."""
        if may_run_shell(node):
            return
        at = sink.args[0][0] if sink.args else 0
        if sink.args and sink.args[0][1] is not None:
            found = next((kw.value for kw in node.keywords if kw.arg == sink.args[0][1]), None)
            if found is not None:
                yield from self._vector_options(found, kwargs.get(sink.args[0][1], EMPTY))
                return
        if any(isinstance(a, ast.Starred) for a in node.args[: at + 1]) or at >= len(node.args):
            return
        if sink.mode == "option-args":  # ``create_subprocess_exec(program, *args)``
            if whole(args[at]) or runs_shell(args[at]):
                return
            for arg_node, value in zip(node.args[at + 1 :], args[at + 1 :], strict=False):
                if isinstance(arg_node, ast.Starred) or value.const == "--":
                    return
                if whole(value):
                    yield arg_node, value, False
            return
        yield from self._vector_options(node.args[at], args[at])

    def _exec_options(self, sink: SinkSpec, node: ast.Call, args: list[Val]) -> Iterable[tuple[ast.AST, Val, bool]]:
        """``os.exec*`` / ``os.spawn*`` of a fixed program (not from input, not a shell): the
        arguments after ``arg0`` up to a ``--`` element, in the vector of the ``v`` forms or
        one by one in the ``l`` forms (whose ``e`` forms end with the environment)."""
        at = sink.args[0][0] if sink.args else 0
        if any(isinstance(a, ast.Starred) for a in node.args[: at + 2]) or len(node.args) < at + 2:
            return
        program = args[at]
        if whole(program) or runs_shell(program):
            return  # the program itself from input, or a shell: the command class's
        form = sink.name.rsplit(".", 1)[-1].removeprefix("exec").removeprefix("spawn")
        if form.startswith("v"):
            yield from self._vector_options(node.args[at + 1], args[at + 1])
            return
        end = len(node.args) - 1 if form.endswith("e") else len(node.args)
        for arg_node, value in zip(node.args[at + 2 : end], args[at + 2 : end], strict=False):
            if value.const == "--":
                return
            if whole(value):
                yield arg_node, value, False

    @staticmethod
    def _vector_options(arg_node: ast.AST, value: Val) -> Iterable[tuple[ast.AST, Val, bool]]:
        """The tainted elements of a vector with a constant program, up to a ``--`` element, and
        those at positions not known (after an unpacked list of unknown length, ``extend``)."""
        if value.taint or not value.parts:
            return  # a vector of unknown shape (data split into words, a caller's list)
        program = value.part("0")
        if program is None or whole(program) or runs_shell(program):
            return  # the program itself from input, or a shell: the command class's
        elements = arg_node.elts if isinstance(arg_node, (ast.List, ast.Tuple)) else None
        index = 1
        while (element := value.part(str(index))) is not None:
            if element.const == "--":
                return
            if whole(element):
                shown = elements[index] if elements is not None and index < len(elements) else arg_node
                yield shown, element, False
            index += 1
        rest = value.part("*")  # elements at positions not known (``*items``, ``extend``): any may be an option
        if rest is not None and whole(rest):
            starred = [e for e in elements or () if isinstance(e, ast.Starred)]
            yield (starred[0] if starred else arg_node), rest, False

    def _file_object(self, node: ast.AST, value: Val) -> bool:
        """An open file rather than a path: an in-memory buffer (``io.BytesIO(data)``), a file the
        code opened, or an uploaded file (``request.files["f"]``, its ``.stream`` / ``.file``)."""
        if value.kind in self.spec.file_kinds:
            return True
        if isinstance(node, ast.Call) and self.facts.qualname(node.func) in self.spec.file_kinds_made_by:
            return True
        if isinstance(node, ast.Name):  # ``f = request.files["f"]`` earlier in the function
            found = assigned_in_function(self.facts, node)
            return bool(found) and all(self._file_object(value, EMPTY) for value in found)
        while isinstance(node, ast.Attribute) and node.attr in ("stream", "file", "raw"):
            node = node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            node = node.func.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        return isinstance(node, ast.Attribute) and node.attr in ("files", "FILES")

    @staticmethod
    def _argument_vector(sink: SinkSpec, node: ast.Call, args: list[Val], program: Val) -> list[Val]:
        """The program and the arguments an ``os.exec*`` / ``os.spawn*`` call starts it with:
        the ``l`` forms list them after the program, the ``v`` forms pass one sequence."""
        at = sink.args[0][0] if sink.args else 0
        rest = args[at + 1 :]
        if not rest:
            return []
        form = sink.name.rsplit(".", 1)[-1].removeprefix("exec").removeprefix("spawn")
        if form.startswith("v") and rest[0].parts:  # execv / spawnvp: one vector
            vector = rest[0]
            return [program, *(get_part(vector, str(i)) for i in range(1, 4))]
        return [program, *rest[1:4]]  # execlp(file, arg0, arg1, ...): arg0 names the program again

    @staticmethod
    def _program_of(value: Val, node: ast.AST) -> Val:
        """The program part of an argument vector (or the whole string)."""
        if value.parts and (value.part("0") is not None or not value.taint):
            return get_part(value, "0")
        if isinstance(node, (ast.List, ast.Tuple)) and not value.parts:
            return EMPTY
        return value

    def _result_called(self, node: ast.Call) -> bool:
        """The call's result is called: at once (``getattr(o, n)(...)``), or through the one name
        it is assigned to in its function (``handler = getattr(o, n)`` ... ``handler(...)``)."""
        parent = self.facts.parent(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            return True
        if not (
            isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)
        ):
            return False
        name = parent.targets[0].id
        scope = self.facts.enclosing_function(node) or self.facts.tree
        return any(
            isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == name
            for call in ast.walk(scope)
        )

    def sax_entities_enabled(self, node: ast.Call) -> bool:
        return xml_parsers.sax_entities_enabled(self.facts, node)

    def hardened_lxml(self) -> bool:
        return xml_parsers.hardened_lxml(self.facts)

    def _reached(
        self,
        sink: SinkSpec,
        shown: str,
        where: ast.AST,
        arg_node: ast.AST,
        value: Val,
        fn: Frame,
        *,
        remote_only: bool = False,
        steps: tuple[FlowStep, ...] | None = None,
    ) -> None:
        """A value reached a sink: a hit (from a source) or an effect (from a parameter).
        ``steps``: the last steps of its flow, when not the one step at ``arg_node``."""
        self.results.note_sink(shown, sink.what, where)
        labels = whole(value)
        if not labels:
            return
        if steps is None:
            steps = (FlowStep.of(StepKind.SINK, shown, self.texts.span(arg_node), self.step_path, sink.what),)
        for lab in in_order(labels):
            if lab.is_clean_for(sink.cls):
                continue
            if lab.origin.kind == "source":
                if lab.origin.local and (remote_only or sink.cls not in self.spec.local_classes):
                    continue
                self.results.record_hit(sink.cls, shown, sink.what, where, lab.with_steps(steps))
            elif fn.summary is not None:
                effect = Effect(
                    lab.origin.index, lab.origin.access, sink.cls, shown, sink.what, lab.cleaned,
                    (*lab.steps, *steps), self.path, where, remote_only, switched_by(fn.node, where),
                )  # fmt: skip
                fn.add_effect(effect)

    def check_attribute(self, target: ast.Attribute, value: Val, fn: Frame) -> None:
        """``resp.text = value`` where the attribute is a response body (of an HTML response)."""
        receiver = target.value
        if not (isinstance(receiver, ast.Name) and (value.taint or value.parts)):
            return
        for sink in self.spec.attribute_sinks:
            if (
                sink.attr != target.attr
                or receiver.id not in sink.receivers
                or not self._imported(sink.requires_import)
            ):
                continue
            if sink.html_only and not self._declares_html(target, receiver.id):
                continue
            shown = f"{receiver.id}.{target.attr}"
            self._reached(SinkSpec(sink.cls, shown, sink.what), shown, target, target, value, fn)

    def _declares_html(self, node: ast.AST, receiver: str) -> bool:
        """Whether the enclosing function declares ``receiver``'s content type an HTML type."""
        declared = self._content_type_of(node, receiver)
        return declared is not None and "html" in declared

    def _content_type_of(self, node: ast.AST, receiver: str) -> str | None:
        """The content type the enclosing function declares for ``receiver`` (lower case):
        ``receiver.content_type = "text/html"`` (or a constant such as ``falcon.MEDIA_HTML``,
        given by its name), or ``receiver.set_header("Content-Type", "text/html")``; None when
        it declares none that is a constant."""
        function = self.facts.enclosing_function(node)
        if function is None:
            return None
        found: str | None = None
        for statement in ast.walk(function):
            declared: ast.expr | None = None
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Attribute)
                and t.attr == "content_type"
                and isinstance(t.value, ast.Name)
                and t.value.id == receiver
                for t in statement.targets
            ):
                declared = statement.value
            elif (
                isinstance(statement, ast.Call)
                and isinstance(statement.func, ast.Attribute)
                and statement.func.attr in ("set_header", "append_header")
                and isinstance(statement.func.value, ast.Name)
                and statement.func.value.id == receiver
                and len(statement.args) == 2
                and isinstance(statement.args[0], ast.Constant)
                and str(statement.args[0].value).lower() == "content-type"
            ):
                declared = statement.args[1]
            if declared is None:
                continue
            if isinstance(declared, ast.Constant) and isinstance(declared.value, str):
                found = declared.value.lower()
            elif (name := self.facts.qualname(declared)) is not None:
                found = name.lower()
        return found

    def check_returned(
        self, node: ast.expr, value: Val, fn: Frame, sinks: tuple[SinkSpec, ...], shown: str | None = None
    ) -> None:
        """A value returned from a method whose return value the framework uses (a redirect target,
        a WSGI body; ``shown="yield"`` for a chunk a generator application yields). A ``built_text``
        sink takes only text built from the data, not what went through a call the analysis does
        not follow."""
        for sink in sinks:
            labels = whole(value)
            if sink.built_text:
                labels = frozenset(lab for lab in labels if OPAQUE not in lab.cleaned)
            self._reached(sink, shown or sink.name, node, node, Val(labels), fn)

    def check_return(self, node: ast.expr, value: Val, fn: Frame) -> None:
        """A value returned from a view whose return value is the HTML response body."""
        body_node: ast.expr = node
        if isinstance(node, ast.Tuple) and node.elts:
            body_node = node.elts[0]
            value = get_part(value, "0")
            declared_here = tuple_content_type(node)
            if declared_here is not None and "html" not in declared_here:
                return  # ``return body, 200, {"Content-Type": "text/plain"}``
        if isinstance(body_node, (ast.Dict, ast.List)) or value.kind is not None:
            return  # a JSON body, or a response object (its headers are not the body)
        labels = [lab for lab in whole(value) if OPAQUE not in lab.cleaned]
        if not labels:
            return
        declared = self._content_type_of(node, "response")  # Bottle's global ``response``
        if declared is not None and "html" not in declared:
            return  # a text/plain or JSON body is not rendered as HTML
        for sink in self.spec.return_sinks:
            self._reached(sink, sink.name, body_node, body_node, Val(frozenset(labels)), fn)

    def check_view_body(self, node: ast.expr, value: Val, fn: Frame) -> None:
        """A view's returned response body of any content type (text, JSON, a ``(body, status)``
        tuple's body); a response object was checked where it was made."""
        if isinstance(node, ast.Tuple) and node.elts:
            node = node.elts[0]
            value = get_part(value, "0")
        if value.kind is not None:
            return
        labels = whole(value)
        if not labels:
            return
        for sink in self.spec.view_body_sinks:
            self._reached(sink, sink.name, node, node, Val(labels), fn)


# Flask and Quart render a template text with escaping on.
_INLINE_RENDERERS = frozenset({"flask.render_template_string", "quart.render_template_string"})
