"""Calls into functions of the module or of the project: the callee's summary is applied at the
call, its parameter labels rewritten in the caller's terms (the arguments, with the steps they
took), so a helper that builds a query from its argument is caught at the caller."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ..finding import FlowStep, StepKind
from .definitions import ModuleIndex, generated_fields, is_classmethod, model_fields
from .flag_guards import leaves_default, switched_by
from .frameworks import enum_classes, scalar_field
from .keys import key_text, line_key, server_key
from .request_models import text_fields
from .results import Results
from .spec import (
    ALL_CLASSES,
    COMPUTED_BY_CALL,
    DOCUMENT,
    FORMATTED_ITSELF,
    FORMATTED_WHOLE,
    FOUND_IN_SESSION,
    LINE_BREAKS_REMOVED,
    MADE_TEXT,
    NEEDS_DOCUMENT,
    TEXT_ONLY,
    TaintSpec,
)
from .state import STDLIB, Env, Frame, FunctionNode, NodeTexts, short_text
from .summaries import Summaries
from .summary import Effect, Summary
from .values import (
    EMPTY,
    EMPTY_TAINT,
    MAX_PARTS,
    MAX_STEPS,
    NO_CONST,
    OPAQUE,
    SHOWN_AS_REPR,
    Label,
    Orders,
    Origin,
    Val,
    as_whole,
    bound,
    choices,
    cleaned,
    container_display,
    get_part,
    in_order,
    join,
    map_labels_ordered,
    ordered,
    relabel,
    set_part,
    set_parts,
    whole,
)

if TYPE_CHECKING:
    from .ports import Evaluator


def _field_values(fields: list[str], node: ast.Call, args: list[Val], keywords: list[Val], kind: str) -> Val:
    """The instance a generated ``__init__`` makes: each argument at its field."""
    made = Val(kind=kind)
    for name, arg, value in zip(fields, node.args, args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        made = set_part(made, "." + name, value)
    for kw, value in zip(node.keywords, keywords, strict=True):
        if kw.arg in fields:
            made = set_part(made, "." + kw.arg, value)
        elif kw.arg is None:  # ``**entries``: each field takes the entry under its name
            for name in fields:
                entry = get_part(value, repr(name))
                if not entry.is_empty:
                    made = set_part(made, "." + name, join(get_part(made, "." + name), entry))
    return Val(made.taint, made.parts, kind)


def _has_param_label(value: Val) -> bool:
    """Whether a summary value holds a parameter's label (in its taint or any part)."""
    if any(lab.origin.kind == "param" for lab in value.taint):
        return True
    return any(_has_param_label(part) for _, part in value.parts)


def _is_super(node: ast.expr) -> bool:
    """``super()`` (or ``super(Cls, self)``)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _class_of_classmethod(fn: Frame, func: ast.Name) -> bool:
    """``func`` is the first parameter of the classmethod being interpreted (``cls``)."""
    node = fn.node
    if fn.cls is None or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not is_classmethod(node):
        return False
    params = [*node.args.posonlyargs, *node.args.args]
    return bool(params) and params[0].arg == func.id


def _project_class(value: Val) -> str | None:
    """``pkg.mod.Class`` for an instance of a class of another file (kind ``class:pkg.mod.Class``)."""
    kind = value.kind or ""
    return kind[6:] if kind.startswith("class:") and "." in kind else None


class Interprocedural:
    """Resolves calls to functions with a summary and applies the summary."""

    def __init__(
        self,
        spec: TaintSpec,
        *,
        index: ModuleIndex,
        summaries: Summaries,
        results: Results,
        texts: NodeTexts,
        interpreter: Evaluator,
        follows_project: bool,
        path: str,
        step_path: str | None,
    ) -> None:
        self.spec = spec
        self.opaque = frozenset({OPAQUE}) | spec.cleaned_by(COMPUTED_BY_CALL)  # what a library call's result is
        self.line_breaks_removed = spec.cleaned_by(LINE_BREAKS_REMOVED)
        self.index = index
        self.summaries = summaries
        self.results = results
        self.texts = texts
        self.interpreter = interpreter
        self.follows_project = follows_project  # calls into other files of the project are followed
        self.path = path
        self.step_path = step_path
        self._steps: dict[tuple[ast.Call, str], tuple[FlowStep, FlowStep]] = {}
        self._summary_orders: Orders = {}  # the label sets of summaries (applied at every call) in order
        # Summary values applied at a call, by ``_application_key``, with what the key refers to
        # by identity (held, so that no identity is reused while the answer is kept).
        self._applied: dict[tuple[object, ...], tuple[object, Val]] = {}
        self._enums: frozenset[str] | None = None  # the module's ``Enum`` classes, once asked

    def resolve(
        self,
        node: ast.Call,
        name: str | None,
        receiver: Val | None,
        arg_values: list[Val],
        keyword_values: list[Val],
        env: Env,
        fn: Frame,
    ) -> Val | None:
        """The value of a call to a function with a summary (None: no such function)."""
        if not self.results.collecting:
            # The pass that only collects module-level values calls nothing; an instance it
            # builds keeps its class, so that functions calling its methods follow them.
            return self._instance_kind(node, name, env)
        index = self.index
        func = node.func
        target: FunctionNode | None = None
        bound_self: Val | None = None
        constructor: ast.ClassDef | None = None
        receiver_name: ast.expr | None = None
        if isinstance(func, ast.Name) and _class_of_classmethod(fn, func):
            constructor = fn.cls  # ``cls(v)`` in a classmethod: builds an instance of its class
        elif isinstance(func, ast.Name) and (called := self._called_instance(func, env)) is not None:
            target, bound_self, receiver_name = called  # ``run(v)``: ``run`` an instance with ``__call__``
        elif isinstance(func, ast.Name):
            if func.id in env and not env[func.id].is_empty:
                return None
            target = fn.local_defs.get(func.id) or (index.module_functions.get(func.id) if func.id not in env else None)
            if target is None and func.id in index.classes and func.id not in env:
                constructor = index.classes[func.id]
            elif target is None and func.id not in env and (fields := index.tuple_fields(func.id)) is not None:
                return _field_values(fields, node, arg_values, keyword_values, f"class:{func.id}")
        elif isinstance(func, ast.Attribute):
            base = func.value
            cls: ast.ClassDef | None = None
            through_class = False
            if fn.cls is not None and fn.self_name is not None and _is_super(base):
                # ``super().__init__(v)``: the bases' method, run on this object
                target = self._base_method(fn.cls, func.attr)
                receiver_name = ast.copy_location(ast.Name(fn.self_name, ast.Load()), base)
                bound_self = self.interpreter.eval(receiver_name, env, fn)
            elif isinstance(base, ast.Name) and base.id in ("self", "cls") and fn.cls is not None:
                cls = fn.cls
                bound_self = receiver
                receiver_name = base
            elif receiver is not None and receiver.kind and receiver.kind.startswith("class:"):
                cls = index.classes.get(receiver.kind[6:])
                bound_self = receiver
                receiver_name = base
            elif isinstance(base, ast.Name) and base.id in index.classes and base.id not in env:
                cls = index.classes[base.id]
                through_class = True
            if cls is not None:
                target = index.method(cls, func.attr)
                if through_class and target is not None and is_classmethod(target):
                    bound_self = Val(kind=f"class:{cls.name}")  # ``Page.build(v)``: ``cls`` is the class
                elif (
                    through_class
                    and target is not None
                    and fn.self_name is not None
                    and node.args
                    and isinstance(node.args[0], ast.Name)
                    and node.args[0].id == fn.self_name
                    and self.index.is_method(target)
                ):
                    receiver_name = node.args[0]  # ``Base.__init__(self, v)``: changes this object
            elif self.follows_project and receiver is not None and _project_class(receiver):
                bound_self = receiver  # an instance of a class of another file of the project
                receiver_name = base
        summary: Summary | None = None
        project_class = None
        if constructor is not None:
            init = index.method(constructor, "__init__")
            summary = self.summaries.of(init) if init is not None else None
            bound_self = Val(kind=f"class:{constructor.name}")
            if summary is None:
                return self._built_without_init(constructor, init, node, arg_values, keyword_values)
        elif target is not None:
            summary = self.summaries.of(target)
        elif bound_self is not None and _project_class(bound_self) and isinstance(func, ast.Attribute):
            summary = self.summaries.of_project(f"{_project_class(bound_self)}.{func.attr}")
        elif name is not None and self.follows_project and name.split(".")[0] not in STDLIB and "." in name:
            if name.split(".")[0] in index.imported_roots:
                summary = self.summaries.of_project(name)
                if summary is not None and summary.offset and self._binds_self(name):
                    # ``calibre_db.get_book(i)``, ``calibre_db`` a module-level instance of another
                    # file: ``self`` is bound by the call (a class is called through with it given)
                    bound_self = Val()
                if summary is None:
                    # A class of another file: its ``__init__`` (its own, or the one a class without
                    # one gets) keeps what it is built with for its methods, which calls on the
                    # instance follow.
                    summary = self.summaries.of_project(f"{name}.__init__")
                    if summary is not None:
                        project_class = name
                        bound_self = Val(kind=f"class:{name}")
        if summary is None:
            return None
        args = self._bind(summary, node, bound_self, arg_values, keyword_values)
        callee_name = self.texts.text(func)
        result = self._apply(summary, node, args, callee_name, fn)
        self._changed_by_call(summary, node, bound_self, args, callee_name, env, fn)
        if constructor is not None or project_class is not None:
            self_out = summary.self_out or Val()
            value = self._substitute(self_out, args, node, callee_name, returning=False)
            return Val(value.taint, value.parts, f"class:{project_class or constructor.name}")  # type: ignore[union-attr]
        if summary.self_out is not None and receiver_name is not None:
            updated = self._substitute(summary.self_out, args, node, callee_name, returning=False)
            kind = (bound_self or args.get(0) or EMPTY).kind
            self.interpreter.update(receiver_name, env, lambda _old: Val(updated.taint, updated.parts, kind))
        return result

    def _built_without_init(
        self,
        constructor: ast.ClassDef,
        init: FunctionNode | None,
        node: ast.Call,
        arg_values: list[Val],
        keyword_values: list[Val],
    ) -> Val:
        """An instance of a class of the module whose ``__init__`` has no summary (none of its own,
        or one cut short)."""
        kind = f"class:{constructor.name}"
        if init is not None:
            return Val(kind=kind)
        fields = generated_fields(constructor)
        if fields is not None:  # a dataclass: ``__init__`` stores each argument as its field
            return _field_values(fields, node, arg_values, keyword_values, kind)
        fields = model_fields(constructor, self.index.classes, self.index.facts.qualname)
        if fields is not None:  # a pydantic model: each keyword at its field, as validated
            return self._validated(constructor, _field_values(fields, node, arg_values, keyword_values, kind))
        if self.index.library_based(constructor):
            # Built by a library base's ``__init__`` (a form, a serializer): the object holds
            # what it was given, as any library object does.
            return self._library_built(constructor, [*arg_values, *keyword_values])
        return Val(kind=kind)

    def _validated(self, model: ast.ClassDef, made: Val) -> Val:
        """``made`` without the fields the model's validation turns into a number, a boolean, a
        UUID, an ``Enum`` member or a ``Literal`` constant (``request_models.py``)."""
        facts = self.interpreter.facts
        if self._enums is None:
            self._enums = enum_classes(facts)
        text = text_fields(facts, model, self.index.classes, scalar_field(facts, self.spec, self._enums))
        if text is None:
            return made
        return Val(made.taint, tuple((key, part) for key, part in made.parts if key[1:] in text), made.kind)

    def _library_built(self, constructor: ast.ClassDef, given: list[Val]) -> Val:
        """An instance of a class built by a library base's ``__init__``: what it was given."""
        data = bound(frozenset().union(*(whole(v) for v in given)))
        marked = relabel(data, lambda lab: lab.cleaned_for(self.opaque))
        return Val(marked, (), f"class:{constructor.name}")

    def _called_instance(self, func: ast.Name, env: Env) -> tuple[FunctionNode, Val, ast.Name] | None:
        """The ``__call__`` method of the module's class whose instance ``func`` names, the instance
        and ``func``."""
        value = env.get(func.id)
        if value is None:
            value = self.interpreter.globals.get(func.id)
        kind = value.kind if value is not None else None
        if kind is None or not kind.startswith("class:") or (cls := self.index.classes.get(kind[6:])) is None:
            return None
        method = self.index.method(cls, "__call__")
        return (method, value, func) if method is not None else None  # type: ignore[return-value]

    def _binds_self(self, name: str) -> bool:
        """``pkg.mod.obj.method(...)`` binds ``self`` when ``obj`` is a module-level instance of that
        file (``Models = ModelsTable()``, spelled like a class or not), not when it is the class
        itself unless the method is a ``classmethod``; the spelling decides only when the file's
        names are not known."""
        known = self.summaries.project_instance(name)
        return known if known is not None else not name.split(".")[-2][:1].isupper()

    def _changed_by_call(
        self,
        summary: Summary,
        node: ast.Call,
        bound_self: Val | None,
        args: dict[int, Val],
        callee: str,
        env: Env,
        fn: Frame,
    ) -> None:
        """The caller's names the call changed: the arguments the callee fills in place, the
        module-level names a function of this module stores into, and the arguments a validator
        called as a statement proved."""
        for position, changed in summary.args_out:
            passed = _argument_node(summary, node, bound_self, position)
            if isinstance(passed, ast.Name):
                updated = self._substitute(changed, args, node, callee, returning=False)
                self.interpreter.update(passed, env, lambda old, new=updated: join(old, new))
        if summary.path == self.path:
            for name, changed in summary.globals_out:
                updated = self._substitute(changed, args, node, callee, returning=False)
                stored = ast.copy_location(ast.Name(name, ast.Load()), node)
                self.interpreter.update(stored, env, lambda old, new=updated: join(old, new))
        if summary.proven and node is fn.statement_call and (fn.statement_awaited or not summary.coroutine):
            self._proven_by_call(summary, node, bound_self, env)

    def _proven_by_call(self, summary: Summary, node: ast.Call, bound_self: Val | None, env: Env) -> None:
        """``validate(v)`` as a statement returned: ``v`` passed the checks that would have raised
        (``validators.py``), and is clean for what they prove for the rest of the block."""
        for position, classes in summary.proven:
            passed = _argument_node(summary, node, bound_self, position)
            if passed is not None:
                self.interpreter.update(passed, env, lambda old, done=classes: cleaned(old, done))

    def _instance_kind(self, node: ast.Call, name: str | None, env: Env) -> Val | None:
        """``store = Store(conn)`` at module level: an instance of the module's class ``Store``,
        or of a project class imported under ``name`` (one that has a summary to follow), known
        by its class only (what it was built with is not followed)."""
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.index.classes and func.id not in env:
            return Val(kind=f"class:{func.id}")
        if (
            name is not None
            and self.follows_project
            and "." in name
            and name.split(".")[0] in self.index.imported_roots
            and name.split(".")[-1][:1].isupper()
            and self.summaries.of_project(f"{name}.__init__") is not None
        ):
            return Val(kind=f"class:{name}")
        return None

    def _base_method(self, cls: ast.ClassDef, name: str) -> FunctionNode | None:
        """The method ``name`` of the first base of ``cls`` (defined in this module) having it."""
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in self.index.classes:
                found = self.index.method(self.index.classes[base.id], name)
                if found is not None:
                    return found
        return None

    @staticmethod
    def _bind(
        summary: Summary, node: ast.Call, bound_self: Val | None, arg_values: list[Val], keyword_values: list[Val]
    ) -> dict[int, Val]:
        """The arguments of a call, by parameter position of the callee."""
        mapping: dict[int, Val] = {}
        offset = 0
        if summary.offset and bound_self is not None:
            mapping[0] = bound_self
            offset = 1
        elif summary.offset:
            offset = 0  # called through the class: self passed explicitly
        position = offset
        for arg, value in zip(node.args, arg_values, strict=True):
            if isinstance(arg, ast.Starred):
                for index in range(position, summary.positional):
                    mapping[index] = join(mapping.get(index, EMPTY), value)
                if summary.vararg is not None:
                    mapping[summary.vararg] = join(mapping.get(summary.vararg, EMPTY), value)
                continue
            if position < summary.positional:
                mapping[position] = value
            elif summary.vararg is not None:
                mapping[summary.vararg] = join(mapping.get(summary.vararg, EMPTY), as_whole(value))
            position += 1
        for kw, value in zip(node.keywords, keyword_values, strict=True):
            if kw.arg is None:
                if summary.kwarg is not None:
                    mapping[summary.kwarg] = join(mapping.get(summary.kwarg, EMPTY), as_whole(value))
                    continue
                # ``f(**options)``: each named parameter gets the mapping's value at its name.
                for index, param in enumerate(summary.params):
                    if index >= offset and index != summary.vararg:
                        part = get_part(value, repr(param))
                        if part.taint or part.parts:
                            mapping[index] = join(mapping.get(index, EMPTY), part)
                continue
            if kw.arg in summary.params[: summary.kwarg if summary.kwarg is not None else None]:
                index = summary.params.index(kw.arg)
                if index != summary.vararg:
                    mapping[index] = value
                    continue
            if summary.kwarg is not None:
                mapping[summary.kwarg] = join(
                    mapping.get(summary.kwarg, EMPTY), Val(EMPTY_TAINT, ((repr(kw.arg), value),))
                )
        return mapping

    def _param_value(
        self,
        args: dict[int, Val],
        origin: Origin,
        node: ast.Call | None = None,
        read: dict[tuple[int, tuple[str, ...]], Val] | None = None,
    ) -> Val:
        """The caller's value for a parameter label's origin (its argument, at its access).
        ``read``: the values read so far in this application, by parameter and access (the
        labels of a summary value often read the same part of an argument); a read through a
        request object is not kept (it makes a source at the call)."""
        if read is not None:
            known = read.get((origin.index, origin.access))
            if known is not None:
                return known
        value = args.get(origin.index)
        if value is None:
            return EMPTY
        kept = read is not None
        object_sources = self.spec.object_sources
        in_session = False
        for key in origin.access:
            if kept and value.kind is not None and value.kind in object_sources:
                kept = False
            in_session = in_session or (value.kind is not None and value.kind in self.spec.session_kinds)
            value = self._attribute_like(value, key, node)
            if value.taint and value.kind is None and not value.parts and not _holds_param(value):
                break  # a source read from the caller's request: its parts are the same data
        if in_session:
            value = cleaned(value, self.spec.cleaned_by(FOUND_IN_SESSION))  # an entry the session holds
        if kept:
            read[(origin.index, origin.access)] = value  # type: ignore[index]
        return value

    def _attribute_like(self, value: Val, key: str, node: ast.Call | None) -> Val:
        """A part of an argument; the callee reading ``.form`` of a request object passed to it
        reads the client's data: a source at the call (the argument is the request)."""
        if key.startswith(".") and value.kind is not None:
            attrs = self.spec.object_sources.get(value.kind)
            if attrs is not None and key[1:] in attrs:
                if node is None:
                    return value
                shown = self._request_argument(node)
                callee = short_text(self.texts.text(node.func))
                text = (
                    f"`{self.texts.text(shown)}{key}` read by `{callee}()`"
                    if shown is not node
                    else f"request `{key[1:]}` read by `{callee}()`"
                )
                label = self.interpreter.make_source(shown, text, local=False)
                already = self.spec.source_cleaned.get(f"{value.kind}{key}")
                return Val(frozenset({label.cleaned_for(already) if already else label}))
        part = get_part(value, key)
        name = key_text(key) if value.kind is not None else None
        if name is not None and server_key(self.spec.client_keys, value.kind, name):
            return EMPTY  # ``environ["SERVER_PORT"]`` read by the callee: the server's value
        if name is not None and line_key(self.spec.line_keys, value.kind, name):
            return cleaned(part, self.spec.cleaned_by(LINE_BREAKS_REMOVED))
        return part

    def _request_argument(self, node: ast.Call) -> ast.AST:
        """The argument of a call that is a request object (for the source's position), else the call."""
        for arg in [*node.args, *(kw.value for kw in node.keywords)]:
            if isinstance(arg, ast.Name) and arg.id in ("request", "req", "self"):
                return arg
            if isinstance(arg, ast.Attribute) and arg.attr in ("request", "req"):
                return arg
        return node

    def _call_steps(self, node: ast.Call, callee: str) -> tuple[FlowStep, FlowStep]:
        """The steps into and back from the callee at a call, made once a call (a loop's rounds
        and a summary's several parts apply it again)."""
        key = (node, callee)
        known = self._steps.get(key)
        if known is None:
            call_span = self.texts.span(node)
            known = self._steps[key] = (
                FlowStep.of(StepKind.PASSED, callee, call_span, self.step_path),
                FlowStep.of(StepKind.RETURNED, callee, call_span, self.step_path),
            )
        return known

    def _substitute(
        self,
        value: Val,
        args: dict[int, Val],
        node: ast.Call,
        callee: str,
        *,
        returning: bool,
        orders: Orders | None = None,
        read: dict[tuple[int, tuple[str, ...]], Val] | None = None,
    ) -> Val:
        """Rewrite a summary value in the caller's terms: parameter labels become the arguments' labels.
        ``orders``: the arguments' label sets put in order so far in this application (several
        parameter labels of one value, or several parts, often read the same argument);
        ``read``: the arguments' parts read so far in it (``_param_value``).

        A loop runs its body again until its state no longer changes, so the rounds after the
        first apply the same summaries to arguments made anew but the same (the same origins,
        cleaning and steps): such an application is answered from the first one's result."""
        if orders is None:
            key = self._application_key(value, args, node, callee, returning)
            if key is None:
                return self._substitute(value, args, node, callee, returning=returning, orders={}, read={})
            known = self._applied.get(key)
            if known is None:
                result = self._substitute(value, args, node, callee, returning=returning, orders={}, read={})
                known = self._applied[key] = ((value, args), result)
            return known[1]
        taint = value.taint
        if not taint and not value.parts:  # nothing to rewrite: the value itself, or its kind
            const = value.const
            return value if const is NO_CONST or choices(const) is not None else Val(kind=value.kind)
        into, back = self._call_steps(node, callee)
        result_taint: set[Label] = set()
        result = EMPTY
        for lab in ordered(taint, self._summary_orders) if taint else ():
            if lab.origin.kind == "source" and lab.origin.index >= 0:
                continue  # the callee's parameter taken as framework input: here the caller passes it
            if lab.origin.kind != "param":
                result_taint.add(lab.with_step(back) if returning else lab)
                continue
            actual = self._param_value(args, lab.origin, node, read)
            if actual.is_empty and actual.kind not in self.spec.object_sources:
                continue  # (a request object passed on keeps its kind: its reads are sources)
            # The steps after the caller's: into the callee, the callee's own, back to the caller.
            added = (into, *lab.steps, back) if returning else (into, *lab.steps)

            def rewrite(
                outer: Label, added: tuple[FlowStep, ...] = added, extra: frozenset[str] = lab.cleaned
            ) -> Label:
                steps = outer.steps + added
                if len(steps) > MAX_STEPS:
                    steps = steps[:4] + steps[-(MAX_STEPS - 4) :]
                cleaned = outer.cleaned
                if extra and not extra <= cleaned:
                    return Label(outer.origin, cleaned | extra, steps)
                return outer.with_steps_replaced(steps)

            result = join(result, map_labels_ordered(actual, rewrite, orders))
        # A constant the function returns whatever its arguments (a literal, a fixed choice).
        const = value.const if choices(value.const) is not None and not value.taint and not value.parts else NO_CONST
        base = Val(bound(frozenset(result_taint) | result.taint), result.parts, value.kind or result.kind, const)
        if not value.parts:
            return base
        parts = [
            (key, self._substitute(part, args, node, callee, returning=returning, orders=orders, read=read))
            for key, part in value.parts
        ]
        if not base.parts and len(parts) <= MAX_PARTS:
            return set_parts(base, parts)
        for key, part in parts:
            base = set_part(base, key, part)
        return base

    def _application_key(
        self, value: Val, args: dict[int, Val], node: ast.Call, callee: str, returning: bool
    ) -> tuple[object, ...] | None:
        """What an application of a summary value reads, for a value with parameter labels
        (one without is cheap to rewrite); None when it is not to be kept: an argument that
        is a request object (the callee's reads of it are sources, noted where they are
        made) or holds a constant other than a string. Origins and steps count by identity
        (made once each, held by the kept arguments), cleaning by content."""
        if not _has_param_label(value):
            return None
        keys: list[tuple[int, tuple[object, ...]]] = []
        for index, arg in sorted(args.items()):  # positions differ: the values are never compared
            arg_key = self._value_key(arg)
            if arg_key is None:
                return None
            keys.append((index, arg_key))
        return (id(value), node, callee, returning, tuple(keys))

    def _value_key(self, value: Val) -> tuple[object, ...] | None:
        kind, const = value.kind, value.const
        if kind is not None and kind in self.spec.object_sources:
            return None
        if const is not NO_CONST and type(const) is not str:
            return None
        parts: list[tuple[str, tuple[object, ...]]] = []
        for key, part in value.parts:
            part_key = self._value_key(part)
            if part_key is None:
                return None
            parts.append((key, part_key))
        taint = frozenset([(id(lab.origin), lab.cleaned, tuple(map(id, lab.steps))) for lab in value.taint])
        return (taint, tuple(parts), kind, const)

    def _apply(self, summary: Summary, node: ast.Call, args: dict[int, Val], callee: str, fn: Frame) -> Val:
        """Report the callee's effects reached by sources, pass the others on to the caller's
        summary; the call's value."""
        call_span = self.texts.span(node)
        into = self._call_steps(node, callee)[0]
        for effect in summary.effects:
            if effect.switched_by and leaves_default(node, args, effect.switched_by):
                continue  # a flag the sink needs is left to its falsy default by this call
            actual = self._param_value(
                args, Origin("param", "", call_span, index=effect.index, access=effect.access), node
            )
            if TEXT_ONLY in effect.cleaned and actual.kind is not None and actual.kind in self.spec.buffer_kinds:
                continue  # the sink runs only for text, and this call hands in an in-memory buffer
            written = actual
            if effect.access and FORMATTED_ITSELF in effect.cleaned:
                # an entry the callee stored into the very container the caller passed, written
                # with it (``values.own_items``): what is written is that container
                written = self._param_value(args, Origin("param", "", call_span, index=effect.index), node)
            if (
                FORMATTED_WHOLE in effect.cleaned
                and effect.cls in self.line_breaks_removed
                and container_display(written)
                # a request model or JSON container written whole shows its items' reprs; the callee
                # writing one of its fields (``f"{form.name}"``) or text made from it (an exception
                # raised while using it) writes that text
                and (written.kind != SHOWN_AS_REPR or FORMATTED_ITSELF in effect.cleaned)
            ):
                continue  # written whole into an f-string, and this call hands in a dict or list: its repr
            for lab in in_order(whole(actual)):
                merged = lab.cleaned | effect.cleaned
                if effect.cls in merged or ALL_CLASSES in merged:
                    continue
                if NEEDS_DOCUMENT in effect.cleaned:
                    if DOCUMENT in lab.cleaned:  # the caller hands in a parsed document: the sink counts it
                        merged = merged - {NEEDS_DOCUMENT}
                    elif lab.origin.kind == "source" or MADE_TEXT in lab.cleaned:
                        continue  # text: no operator can come from it
                steps = (*lab.steps, into, *effect.steps)
                if len(steps) > MAX_STEPS:
                    steps = steps[:4] + steps[-(MAX_STEPS - 4) :]
                label = Label(lab.origin, merged, steps)
                same_file = effect.path == self.path and effect.node is not None
                where = effect.node if same_file else node
                if lab.origin.kind == "source":
                    if lab.origin.local and (effect.remote_only or effect.cls not in self.spec.local_classes):
                        continue
                    self.results.record_hit(effect.cls, effect.sink, effect.what, where, label)  # type: ignore[arg-type]
                elif fn.summary is not None:
                    if FORMATTED_ITSELF in merged and lab.origin.access != effect.access:
                        # the callee wrote its parameter itself, but this caller passes a part of
                        # its own: written here is that part, not this caller's parameter
                        merged = merged - _ITSELF
                    fn.add_effect(
                        Effect(
                            lab.origin.index,
                            lab.origin.access,
                            effect.cls,
                            effect.sink,
                            effect.what,
                            merged,
                            steps,
                            self.path,
                            where,
                            effect.remote_only,
                            switched_by(fn.node, node),
                        )
                    )
        return self._substitute(summary.returns, args, node, callee, returning=True)


_ITSELF = frozenset({FORMATTED_ITSELF})


def _holds_param(value: Val) -> bool:
    """A part of this caller's own parameter: a deeper access reads a deeper part of it
    (``request.session`` then its ``"oid"`` entry, not the whole session)."""
    return any(lab.origin.kind == "param" for lab in value.taint)


def _argument_node(summary: Summary, node: ast.Call, bound_self: Val | None, index: int) -> ast.expr | None:
    """The expression a call passes for the callee's parameter ``index`` (None when a ``*`` or
    ``**`` argument makes it unknown)."""
    offset = 1 if summary.offset and bound_self is not None else 0
    if index < summary.positional and index >= offset:
        position = index - offset
        if any(isinstance(arg, ast.Starred) for arg in node.args[: position + 1]):
            return None
        if position < len(node.args):
            return node.args[position]
    name = summary.params[index] if index < len(summary.params) else None
    for keyword in node.keywords:
        if keyword.arg is not None and keyword.arg == name:
            return keyword.value
    return None
