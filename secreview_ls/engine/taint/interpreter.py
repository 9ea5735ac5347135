"""The taint interpreter: runs a function's statements over abstract values.

Branches are joined, loops run to a bounded fixpoint, constant conditions select their branch
(``Conditions``); calls go to the call evaluator (``Calls``), stores into sinks and returned HTML bodies to the
sink checker (``SinkChecker``). The interpreter knows no taint class: what cleans a value for which class is
the spec's.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..command_line import is_parse_call
from ..facts import ModuleFacts, subtree
from ..finding import FlowStep, StepKind
from .argument_text import written_conversions
from .closures import Closures
from .conditions import Conditions
from .frameworks import BODY_RETURNING, ROUTE_PATH_SOURCES, static_route
from .iteration import loop_element
from .keys import const_key, line_entry, server_entry
from .mapping_reads import mapping_names, may_read_as_mapping
from .match_cases import constant_match, literal_pattern
from .results import Results
from .spec import (
    AFTER_END_OF_OPTIONS,
    DOCUMENT,
    FOUND_IN_SESSION,
    INVOKING_USER_CHOSE,
    LINE_BREAKS_REMOVED,
    MARKUP_ESCAPED,
    PARENT_REFS_REJECTED,
    QUOTED_ONLY,
    QUOTES_REJECTED,
    TaintSpec,
)
from .state import ALL, MAX_LOOP_ITERATIONS, Env, Frame, NodeTexts, join_envs
from .strings import FixedPrefixes, before_conversions, formatted_entries, literal_text, query_text, quote_open
from .validators import evaluated
from .values import (
    EMPTY,
    EMPTY_TAINT,
    END_OF_OPTIONS_MARK,
    MAX_PARTS,
    NO_CONST,
    ONE_OF_RESULTS,
    SHOWN_AS_REPR,
    Label,
    OneOf,
    Origin,
    Taint,
    Val,
    add_to_rest,
    added_const,
    as_document,
    as_text,
    as_whole,
    bound,
    choices,
    cleaned,
    concatenated,
    container_display,
    formatted_whole,
    get_part,
    join,
    joined_below,
    keyed_mapping,
    known_length,
    mapping_values,
    merged_mapping,
    outside_quotes,
    own_items,
    position_key,
    relabel,
    sequence_elements,
    set_item,
    set_part,
    whole,
    with_key,
    with_step,
)
from .verified_bodies import verified_reads

if TYPE_CHECKING:
    from .ports import CallEvaluator, SinkReporter


# Statements that only bind a name (their bodies run when called).
_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


class Interpreter:
    """Statements and expressions of one module, evaluated in an environment of abstract values."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        *,
        results: Results,
        texts: NodeTexts,
        prefixes: FixedPrefixes,
        step_path: str | None,
    ) -> None:
        self.facts = facts
        self.spec = spec
        self.results = results
        self.texts = texts
        self.step_path = step_path  # the file named in flow steps (None: the analyzed file)
        self.globals: Env = {}  # module-level values
        self.prefixes = prefixes
        self.markup_escaped = spec.cleaned_by(MARKUP_ESCAPED)
        self.relative_only = spec.cleaned_by(PARENT_REFS_REJECTED)
        self.quotes_rejected = spec.cleaned_by(QUOTES_REJECTED)
        self.line_breaks_removed = spec.cleaned_by(LINE_BREAKS_REMOVED)
        self.end_of_options = spec.cleaned_by(AFTER_END_OF_OPTIONS)
        self._assigned: dict[ast.expr, FlowStep] = {}  # the step of a store, by target
        self._not_exception_text: frozenset[str] | None = None  # classes an exception's text does not reach
        # entries of kept stores (a session) views store from input, by base and key (``kept_values.py``)
        self.stored: dict[str, dict[str, Val]] = {}
        self.verified = verified_reads(facts)  # body reads after a signature check (``verified_bodies.py``)
        self.conditions = Conditions(facts, spec, self)
        self.closures = Closures(self)
        self.calls: CallEvaluator
        self.sinks: SinkReporter

    def connect(self, calls: CallEvaluator, sinks: SinkReporter) -> None:
        """The collaborators that need the interpreter themselves."""
        self.calls = calls
        self.sinks = sinks

    # -- sources ---------------------------------------------------------------------

    def _source_node(self, node: ast.AST) -> ast.AST:
        """Widen ``request.args`` to ``request.args['q']`` / ``request.args.get('q')`` for messages."""
        parent = self.facts.parent(node)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            return parent
        if isinstance(parent, ast.Attribute) and parent.value is node:
            grand = self.facts.parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent and parent.attr in ("get", "getlist", "get_all"):
                return grand
        return node

    def make_source(self, node: ast.AST, description: str | None, *, local: bool, parameter: int = -1) -> Label:
        """A label for untrusted data that enters at ``node`` (``parameter``: the position of the
        entry point's parameter the framework fills, when it enters there)."""
        shown = self._source_node(node) if description is None else node
        span = self.texts.span(shown)
        text = description or f"`{self.texts.text(shown)}`"
        self.results.note_source(text, shown)
        step = FlowStep.of(StepKind.SOURCE, text, span, self.step_path)
        only_own = self.spec.own_source_classes  # fed by their own sources alone: clean here
        return Label(Origin("source", text, span, self.step_path, local, parameter), only_own, (step,))

    def _exception_text(self, handler: ast.ExceptHandler, fn: Frame) -> Val:
        """``except ... as error`` in a request handler: the message often quotes what the client
        sent; untrusted only for the classes of ``spec.exception_text_classes`` (a template)."""
        spec = self.spec
        if not spec.exception_text_classes or not (fn.entry.framework or fn.entry.objects):
            return EMPTY
        text = f"text of exception `{handler.name}`"
        span = self.texts.span(handler)
        step = FlowStep.of(StepKind.SOURCE, text, span, self.step_path)
        others = self._not_exception_text
        if others is None:
            others = self._not_exception_text = frozenset(c.id for c in spec.classes) - spec.exception_text_classes
        return Val(frozenset({Label(Origin("source", text, span, self.step_path), others, (step,))}))

    def source_val(self, node: ast.AST, name: str) -> Val:
        if self._own_setting(node, name):
            return EMPTY
        local = name in self.spec.local_sources
        label = self.command_line(self.make_source(node, None, local=local), name, node)
        only = self.spec.class_sources.get(name)
        if only is not None:  # a traceback: data for its classes only
            label = Label(label.origin, (label.cleaned | self.spec.class_ids) - only, label.steps)
        return Val(frozenset({label}))

    def command_line(self, label: Label, name: str, node: ast.AST) -> Label:
        """A source of the program's command line is the invoking user's own text: cleaned for the
        classes that take it as no injection (a shell the user could run themselves). Whether a
        ``parse_args()`` call reads the command line depends on its parser (``reqparse``'s: the request)."""
        if name not in self.spec.command_line_sources:
            return label
        if name != "sys.argv" and not is_parse_call(self.facts, node):
            return label
        return label.cleaned_for(self.spec.cleaned_by(INVOKING_USER_CHOSE))

    def _own_setting(self, node: ast.AST, name: str) -> bool:
        """``os.environ["PAGER"]`` / ``os.getenv("EDITOR")``: the local user's own setting."""
        keys = self.spec.own_settings.get(name)
        if not keys:
            return False
        read = node if isinstance(node, ast.Call) else self._source_node(node)
        key: ast.expr | None = None
        if isinstance(read, ast.Subscript):
            key = read.slice
        elif isinstance(read, ast.Call) and read.args:
            key = read.args[0]
        return isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.upper() in keys

    # -- statements --------------------------------------------------------------------

    def block(self, body: list[ast.stmt], env: Env, fn: Frame, *, module_level: bool = False) -> Env | None:
        """Run statements; the environment after them, or None when none of them falls through."""
        current: Env | None = env
        for statement in body:
            if current is None:
                return None
            try:
                current = self._statement(statement, current, fn, module_level)
            except RecursionError:
                # Code nested deeper than it can follow costs this statement, not the rest of the file.
                self.results.skip(f"line {statement.lineno}: nested too deeply to follow; analyzed as changing nothing")
        return current

    def _statement(self, node: ast.stmt, env: Env, fn: Frame, module_level: bool) -> Env | None:
        if node.__class__ in _DEFINITIONS:  # most of a module's statements: tested first
            if not module_level:
                env[node.name] = EMPTY  # type: ignore[attr-defined]
            return env
        if isinstance(node, ast.Assign):
            value = evaluated(self, node.value, env, fn)
            if value.taint and not value.parts and value.kind is None and isinstance(node.targets[0], ast.Name):
                value = self._read_as_mapping(node.targets[0].id, value, fn)
            for target in node.targets:
                self.assign(target, value, env, fn, node.value)
            return env
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, env, fn), env, fn, node.value)
            return env
        if isinstance(node, ast.AugAssign):
            value = self.eval(node.value, env, fn)
            old = (
                self.eval(node.target, env, fn)
                if not isinstance(node.target, ast.Name)
                else self.lookup(node.target.id, env)
            )
            added = self.prefixes.added(whole(value), node.op)
            if isinstance(node.op, ast.Add) and query_text(node.value):  # ``url += "?" + query``
                added = self.prefixes.in_query(added, whole(old))
            combined = Val(bound(whole(old) | added), (), None)
            if isinstance(old, Val) and old.parts and isinstance(node.op, ast.Add):
                combined = concatenated(old, value, self.end_of_options, literal=_literal_sequence(node.value))
            if isinstance(node.value, ast.Dict) and isinstance(node.op, ast.BitOr):  # ``d |= {...}``
                combined = merged_mapping(old, value)
            self.assign(node.target, combined, env, fn, node.value)
            return env
        if isinstance(node, ast.Expr):
            value = node.value
            evaluated(self, value, env, fn, dropped_by=self.spec)
            if isinstance(value, ast.Call) and self.facts.qualname(value.func) in self.spec.noreturn:
                return None
            return env
        if isinstance(node, ast.Return):
            value = self.eval(node.value, env, fn) if node.value is not None else EMPTY
            fn.returns = join(fn.returns, value) if fn.returned else value
            fn.returned = True
            if fn.entry.returns_html and node.value is not None:
                self.sinks.check_return(node.value, value, fn)
            if node.value is not None and self.spec.view_body_sinks and fn.entry.framework in BODY_RETURNING:
                self.sinks.check_view_body(node.value, value, fn)
            if fn.entry.return_sinks and node.value is not None:
                self.sinks.check_returned(node.value, value, fn, fn.entry.return_sinks)
            if fn.entry.template_decorator is not None and node.value is not None:
                self.sinks.check_decorated_context(node.value, value, fn)
            fn.returned_at(env)
            if fn.self_name is not None:
                fn.exits.append(env)
            return None
        if isinstance(node, ast.If):
            return self._if(node, env, fn, module_level)
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return self._loop(node, env, fn)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.eval(item.context_expr, env, fn)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, value, env, fn, item.context_expr)
            return self.block(node.body, env, fn, module_level=module_level)
        if isinstance(node, (ast.Try, ast.TryStar)):
            return self._try(node, env, fn, module_level)
        if isinstance(node, ast.Raise):
            if node.exc is not None:
                raised = whole(self.eval(node.exc, env, fn))
                if raised:
                    fn.raised.append(Val(raised))  # ``raise ValueError(v)``: ``except ... as e`` holds ``v``
            fn.ends.append(env)  # what module-level names hold there
            if fn.self_name is not None:
                fn.exits.append(env)
            return None
        if isinstance(node, (ast.Break, ast.Continue)):
            if fn.loops:
                fn.loops[-1][0 if isinstance(node, ast.Break) else 1].append(env)
            return None
        if isinstance(node, ast.Assert):
            self.eval(node.test, env, fn)
            return self.conditions.refine(node.test, env, True, fn)
        if isinstance(node, ast.Match):
            return self._match(node, env, fn, module_level)
        if isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    env.pop(target.id, None)
            return env
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                env.pop(local, None)
            return env
        return env

    def _if(self, node: ast.If, env: Env, fn: Frame, module_level: bool) -> Env | None:
        conditions = self.conditions
        truth = conditions.static_truth(node.test, env)
        results = self.results
        if truth is not None:
            results.note_branch(node.orelse if truth else node.body, dead=True)
            results.note_branch(node.body if truth else node.orelse, dead=False)
        if truth is True:
            return self.block(node.body, env, fn, module_level=module_level)
        if truth is False:
            return self.block(node.orelse, env, fn, module_level=module_level)
        results.note_branch(node.body, dead=False)
        results.note_branch(node.orelse, dead=False)
        self.eval(node.test, env, fn)
        yes = conditions.refine(node.test, dict(env), True, fn)
        no = conditions.refine(node.test, dict(env), False, fn)
        return join_envs(
            [
                self.block(node.body, yes, fn, module_level=module_level),
                self.block(node.orelse, no, fn, module_level=module_level),
            ]
        )

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, env: Env, fn: Frame) -> Env | None:
        conditions = self.conditions
        state = env
        exits: list[Env] = []
        forever = False
        element = EMPTY
        if isinstance(node, ast.While):
            truth = conditions.static_truth(node.test, env)
            self.results.note_branch(node.body, dead=truth is False)
            if truth is False:
                return self.block(node.orelse, env, fn)
            forever = truth is True
        else:
            element = loop_element(self.eval(node.iter, env, fn), isinstance(node.target, (ast.Tuple, ast.List)))
        for _ in range(MAX_LOOP_ITERATIONS):
            body_env = dict(state)
            if isinstance(node, ast.While):
                self.eval(node.test, body_env, fn)
                body_env = conditions.refine(node.test, body_env, True, fn)
            else:
                self.assign(node.target, element, body_env, fn, node.iter)
            fn.loops.append(([], []))
            out = self.block(node.body, body_env, fn)
            breaks, continues = fn.loops.pop()
            exits.extend(breaks)
            new_state = join_envs([state, out, *continues]) or state
            if new_state == state:
                break
            state = new_state
        after: Env | None
        if forever:
            # True on entry is not true forever: the body may change what the test reads (``while count
            # < 1: ... count += 1``); only a test still true with the body's changes never ends the loop.
            forever = conditions.static_truth(node.test, state) is True
        if forever:
            after = None
        else:
            if isinstance(node, ast.While):
                state = conditions.refine(node.test, dict(state), False, fn)
            after = self.block(node.orelse, dict(state), fn)
        return join_envs([after, *exits])

    def _try(self, node: ast.Try | ast.TryStar, env: Env, fn: Frame, module_level: bool) -> Env | None:
        first_raised = len(fn.raised)
        body_out = self.block(node.body, dict(env), fn, module_level=module_level)
        handler_in = join_envs([env, body_out]) or env
        raised = fn.raised[first_raised:]
        outs: list[Env | None] = []
        if body_out is not None:
            self.conditions.clean_keys_found(node, body_out, fn)
            outs.append(self.block(node.orelse, body_out, fn, module_level=module_level))
        for handler in node.handlers:
            handler_env = dict(handler_in)
            if handler.name:
                caught = self._exception_text(handler, fn)
                for value in raised:  # raised in the body with outside data (the message, its args)
                    caught = join(caught, value)
                handler_env[handler.name] = caught
            outs.append(self.block(handler.body, handler_env, fn, module_level=module_level))
        result = join_envs(outs)
        if node.finalbody:
            if result is None:
                self.block(node.finalbody, dict(handler_in), fn, module_level=module_level)
                return None
            return self.block(node.finalbody, result, fn, module_level=module_level)
        return result

    def _match(self, node: ast.Match, env: Env, fn: Frame, module_level: bool) -> Env | None:
        evaluated = self.eval(node.subject, env, fn)
        subject = as_whole(evaluated)
        known = evaluated.const if not evaluated.taint and not evaluated.parts else NO_CONST
        if isinstance(known, OneOf):
            known = NO_CONST  # which case runs depends on which of the constants it is
        outs: list[Env | None] = [env]
        for case in node.cases:
            matched = constant_match(case.pattern, known) if case.guard is None else None
            if matched is False:
                continue  # a constant subject never reaches this case
            if matched is True:
                outs.remove(env)  # nor falls through past it
            case_env = dict(env)
            if literal_pattern(case.pattern):
                self.conditions.clean_path(node.subject, case_env, ALL)
            for sub in ast.walk(case.pattern):
                name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                if isinstance(name, str):
                    case_env[name] = subject
            if case.guard is not None:
                self.eval(case.guard, case_env, fn)
                case_env = self.conditions.refine(case.guard, case_env, True, fn)
            outs.append(self.block(case.body, case_env, fn, module_level=module_level))
            if matched is True:
                break
        return join_envs(outs)

    # -- stores ------------------------------------------------------------------------

    def update(self, node: ast.expr, env: Env, change: Callable[[Val], Val]) -> bool:
        """Apply ``change`` to the value stored at a name / attribute / constant-key path."""
        if isinstance(node, ast.Name):
            env[node.id] = change(self.lookup(node.id, env))
            return True
        if isinstance(node, ast.Attribute):
            key = "." + node.attr
            return self.update(node.value, env, lambda base: set_part(base, key, change(get_part(base, key))))
        if isinstance(node, ast.Subscript):
            key = const_key(node.slice)
            if key is None:
                return False
            return self.update(node.value, env, lambda base: set_item(base, key, change(get_part(base, key))))
        return False

    def assign(self, target: ast.expr, value: Val, env: Env, fn: Frame, value_node: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self.conditions.note_lookup(target.id, value_node, env, fn)
            if value.taint or value.parts:
                value = with_step(value, self._assigned_step(target))
            env[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            starred = any(isinstance(e, ast.Starred) for e in target.elts)
            if starred and self._unpack_known(target, value, env, fn, value_node):
                return
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self.assign(element.value, as_whole(value), env, fn, value_node)
                elif starred:
                    self.assign(element, Val(whole(value)), env, fn, value_node)
                else:
                    self.assign(element, get_part(value, repr(index)), env, fn, value_node)
            return
        if isinstance(target, ast.Starred):
            self.assign(target.value, as_whole(value), env, fn, value_node)
            return
        if isinstance(target, ast.Attribute) and self.spec.attribute_sinks:
            self.sinks.check_attribute(target, value, fn)
        if value.taint or value.parts:
            value = with_step(value, self._assigned_step(target))
        if isinstance(target, ast.Attribute):
            key = "." + target.attr
            self.update(target.value, env, lambda base: set_part(base, key, value))
            return
        if isinstance(target, ast.Subscript):
            self.sinks.check_store(target, value, env, fn)
            key = const_key(target.slice)
            if key is None:
                index = self.eval(target.slice, env, fn)
                self.update(target.value, env, lambda base: with_key(add_to_rest(base, value), index))
            else:
                self.update(target.value, env, lambda base: set_part(base, key, value))

    def _unpack_known(
        self, target: ast.Tuple | ast.List, value: Val, env: Env, fn: Frame, value_node: ast.AST | None
    ) -> bool:
        """``head, *rest = items`` of a sequence whose every position is known: the names before
        and after the starred one take their elements, the starred one a list of the rest."""
        length = known_length(value)
        elements = sequence_elements(value) if length is not None else None
        if elements is None or len(elements) < len(target.elts) - 1:
            return False
        star = next(i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred))
        after = len(target.elts) - star - 1
        middle = elements[star : len(elements) - after]
        for index, element in enumerate(target.elts):
            if isinstance(element, ast.Starred):
                rest = Val(EMPTY_TAINT, tuple(sorted((str(i), v) for i, v in enumerate(middle))))
                self.assign(element.value, rest, env, fn, value_node)
            else:
                at = index if index < star else len(elements) - (len(target.elts) - index)
                self.assign(element, elements[at], env, fn, value_node)
        return True

    def _assigned_step(self, target: ast.expr) -> FlowStep:
        """The step of a value stored at ``target`` (made once a target: loops store again)."""
        step = self._assigned.get(target)
        if step is None:
            spelled = target.id if isinstance(target, ast.Name) else self.texts.text(target)
            step = self._assigned[target] = FlowStep.of(
                StepKind.ASSIGNED, spelled, self.texts.span(target), self.step_path
            )
        return step

    # -- expressions -------------------------------------------------------------------

    def lookup(self, name: str, env: Env) -> Val:
        """The value of a name: local, module-level, or what an imported name stands for."""
        value = env.get(name)
        if value is not None:
            return value
        value = self.globals.get(name)
        if value is not None:
            return value
        qualified = self.facts.imports.resolve_name(name)
        if qualified is not None:
            return self._qualified_val(qualified, None)
        return EMPTY

    def _qualified_val(self, qualified: str, node: ast.AST | None) -> Val:
        spec = self.spec
        if qualified in spec.object_kinds:
            return Val(kind=spec.object_kinds[qualified])
        if node is not None and qualified in spec.attr_sources:
            return self.source_val(node, qualified)
        return EMPTY

    def eval(self, node: ast.expr | None, env: Env, fn: Frame) -> Val:
        if node is None:
            return EMPTY
        if isinstance(node, ast.Constant):
            return Val(const=node.value)
        if isinstance(node, ast.Name):
            if node.id in env:
                if self.verified and id(node) in self.verified:  # the raw body after its signature check
                    return cleaned(env[node.id], self.line_breaks_removed)
                return env[node.id]
            if node.id in self.globals:
                return self.globals[node.id]
            qualified = self.facts.imports.resolve_name(node.id)
            if qualified is not None:
                if self.stored and qualified in self.stored:
                    return self._read_back(self._qualified_val(qualified, node), qualified)
                return self._qualified_val(qualified, node)
            return EMPTY
        if isinstance(node, ast.Attribute):
            qualified = self.facts.qualname(node)
            if qualified is not None and (qualified in self.spec.attr_sources or qualified in self.spec.object_kinds):
                return self._qualified_val(qualified, node)
            base = self.eval(node.value, env, fn)
            if base.kind is not None and base.kind.startswith("class:"):
                read = self.calls.property_read(node, base, env, fn)
                if read is not None:
                    return read
            if self.verified and id(node) in self.verified:  # ``request.data`` after a signature check
                return cleaned(self.attribute(base, node), self.line_breaks_removed)
            return self.attribute(base, node)
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value, env, fn)
            key = const_key(node.slice)
            if base.kind is not None and base.kind in self.spec.session_kinds:
                # an entry the session already holds: kept under another key, nothing crosses
                return cleaned(self._item(base, node, key, env, fn), self.spec.cleaned_by(FOUND_IN_SESSION))
            return self._item(base, node, key, env, fn)
        if isinstance(node, ast.Call):
            value = self.calls.call(node, env, fn)
            guarded = self.conditions.guarded_read(node)
            if self.verified and id(node) in self.verified:  # ``await request.json()`` after a signature check
                value = cleaned(value, self.line_breaks_removed)
            return cleaned(value, guarded) if guarded else value
        if isinstance(node, ast.BinOp):
            return self._binary(node, env, fn)
        if isinstance(node, ast.JoinedStr):
            return Val(self._fstring_taint(node, env, fn))
        if isinstance(node, ast.FormattedValue):
            value = self.eval(node.value, env, fn)
            shown = as_whole(value)
            written_as_repr = node.conversion == ord("r") or container_display(value)  # str(a dict) is repr
            if written_as_repr:
                return cleaned(shown, self.line_breaks_removed)
            if isinstance(node.value, (ast.Name, ast.Attribute, ast.Subscript)) and node.format_spec is None:
                written = getattr(node.value, "id", None)
                items = own_items(value, written)
                return Val(formatted_whole(shown.taint, written, items), (), shown.kind, shown.const)
            return shown
        if isinstance(node, ast.BoolOp):
            return self._short_circuit(node, env, fn)
        if isinstance(node, ast.IfExp):
            return self._if_expression(node, env, fn)
        if isinstance(node, (ast.Tuple, ast.List)):
            return self._sequence(node, env, fn)
        if isinstance(node, ast.Set):
            taint: set[Label] = set()
            for element in node.elts:
                taint |= whole(self.eval(element, env, fn))
            return Val(bound(frozenset(taint)))
        if isinstance(node, ast.Dict):
            return self._dict(node, env, fn)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node, env, fn)
        if isinstance(node, ast.Await):
            return self.eval(node.value, env, fn)
        if isinstance(node, ast.Lambda):
            return self.closures.lambda_value(node)
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value, env, fn)
            self.assign(node.target, value, env, fn, node.value)
            return value
        if isinstance(node, ast.Starred):
            return as_whole(self.eval(node.value, env, fn))
        if isinstance(node, ast.UnaryOp):
            value = self.eval(node.operand, env, fn)
            return EMPTY if isinstance(node.op, ast.Not) else Val(whole(value))
        if isinstance(node, ast.Compare):
            self.eval(node.left, env, fn)
            for comparator in node.comparators:
                self.eval(comparator, env, fn)
            return EMPTY
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            if node.value is not None:
                yielded = self.eval(node.value, env, fn)
                fn.returns = join(fn.returns, as_whole(yielded))  # what the caller iterates
                fn.returned = True
                if fn.entry.framework == "wsgi" and fn.entry.return_sinks:
                    # a generator application: each yielded chunk is part of the response body
                    self.sinks.check_returned(node.value, yielded, fn, fn.entry.return_sinks, "yield")
            return EMPTY
        return EMPTY

    def _read_as_mapping(self, name: str, value: Val, fn: Frame) -> Val:
        """``doc = json.loads(body)`` where the function reads ``doc["type"]``: a JSON object, whose
        text shows its strings as their ``repr`` (``mapping_reads.py``)."""
        if not all(DOCUMENT in lab.cleaned for lab in value.taint):
            return value
        if fn.mapping_names is None:
            if not may_read_as_mapping(fn.node, name, self.texts.source.segment):
                return value
            fn.mapping_names = mapping_names(fn.node)
        return Val(value.taint, (), SHOWN_AS_REPR) if name in fn.mapping_names else value

    def _binary(self, node: ast.BinOp, env: Env, fn: Frame) -> Val:
        # ``a + b + c + ...`` nests to the left: walk that spine in a loop, so a concatenation of
        # thousands of terms costs no recursion.
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp):
            spine.append(spine[-1].left)
        value = self.eval(spine[-1].left, env, fn)
        for current in reversed(spine):
            value = self._combine(current, value, self.eval(current.right, env, fn))
        return value

    def _combine(self, node: ast.BinOp, left: Val, right: Val) -> Val:
        """The value of ``node`` from the values of its two operands."""
        if isinstance(node.op, ast.BitOr) and (keyed_mapping(node.left, left) or keyed_mapping(node.right, right)):
            return merged_mapping(left, right)  # ``{"body": b} | {"user": u}``: each key's entry
        if isinstance(node.op, ast.Div) and left.kind and left.kind.startswith("pathlib."):
            right = joined_below(right, self.relative_only)  # ``Path(folder) / "/etc/passwd"``
        if isinstance(node.op, ast.Add) and (isinstance(node.left, (ast.List, ast.Tuple)) or _sequence_value(left)):
            return concatenated(left, right, self.end_of_options, literal=_literal_sequence(node.right))
        if isinstance(node.op, ast.Sub) and self._set_shaped(node.left):
            return Val(whole(left))  # ``set(names) - set(request.GET)``: items of the left set only
        if isinstance(node.op, ast.Mod) and isinstance(left.const, str) and not left.taint:
            right = formatted_entries(left.const, right)
        right = self._quoting(node, left, right)
        if isinstance(node.op, ast.Mod) and isinstance(left.const, str) and (right.taint or right.parts):
            right = self._repr_written(node, left.const, right)
        if isinstance(node.op, ast.Add) and isinstance(left.const, str) and not left.taint:
            taint = self.prefixes.after(left.const, whole(right))
        else:
            added = self.prefixes.added(whole(right), node.op, prefix=node.left)
            if isinstance(node.op, ast.Add) and any(c in literal_text(node.left) for c in "?#"):
                added = self.prefixes.in_query(added, whole(left))  # ``reverse(...) + "?" + query``
            taint = whole(left) | added
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            taint = whole(left) | self.prefixes.after(str(node.left.value), whole(right))
        if isinstance(node.op, ast.Mod) and left.kind in self.spec.markup_kinds:
            escaped = relabel(whole(right), lambda lab: lab.cleaned_for(self.markup_escaped))
            return Val(bound(whole(left) | escaped), (), left.kind)
        const = NO_CONST
        if isinstance(node.op, ast.Add) and not left.taint and not right.taint:
            const = added_const(left.const, right.const)
        kind = left.kind if isinstance(node.op, ast.Div) and left.kind and left.kind.startswith("pathlib.") else None
        return Val(bound(as_text(taint)), (), kind, const)

    def _set_shaped(self, node: ast.expr) -> bool:
        """A set display, comprehension or ``set(...)`` / ``frozenset(...)`` call."""
        if isinstance(node, (ast.Set, ast.SetComp)):
            return True
        return isinstance(node, ast.Call) and self.facts.qualname(node.func) in ("builtins.set", "builtins.frozenset")

    def _repr_written(self, node: ast.BinOp, template: str, right: Val) -> Val:
        """``"%s for %r" % (a, b)``: what a constant template writes with ``%r`` is its ``repr``,
        which spells line breaks as escapes; what it writes with ``%d`` is a number."""
        reprs, numbers, count = written_conversions(template)
        if not reprs and not numbers:
            return right
        if not isinstance(node.right, ast.Tuple):
            if count != 1:
                return right
            return EMPTY if numbers else cleaned(right, self.line_breaks_removed)
        if len(node.right.elts) != count or any(isinstance(e, ast.Starred) for e in node.right.elts):
            return right
        taint = EMPTY_TAINT
        for index in range(count):
            if index in numbers:
                continue
            part = get_part(right, str(index))
            taint |= whole(cleaned(part, self.line_breaks_removed) if index in reprs else part)
        return Val(taint)

    def _quoting(self, node: ast.BinOp, left: Val, right: Val) -> Val:
        """The right operand as written into the text: data placed where no quote is open
        (``"WHERE id = " + v``, ``"id = %s" % v``) keeps no cleaning of a quote check."""
        if not any(QUOTED_ONLY in lab.cleaned for lab in whole(right)):
            return right
        if isinstance(node.op, ast.Add) and not _sequence_value(left):
            text = left.const if isinstance(left.const, str) else literal_text(node.left)
            return right if quote_open(text) else Val(outside_quotes(whole(right), self.quotes_rejected))
        if isinstance(node.op, ast.Mod) and isinstance(left.const, str):
            befores = before_conversions(left.const)
            if not isinstance(node.right, ast.Tuple):
                opened = bool(befores) and quote_open(befores[0])
                return right if opened else Val(outside_quotes(whole(right), self.quotes_rejected))
            taint = EMPTY_TAINT
            for index in range(len(node.right.elts)):
                part = whole(get_part(right, str(index)))
                opened = index < len(befores) and quote_open(befores[index])
                taint |= part if opened else outside_quotes(part, self.quotes_rejected)
            return Val(taint)
        return right

    def _short_circuit(self, node: ast.BoolOp, env: Env, fn: Frame) -> Val:
        """``a and b`` runs ``b`` only where ``a`` held (``a or b``: where ``a`` failed), so each
        later operand is read in the environment the earlier ones narrowed, as the body of
        ``if a:`` is: the probe in ``full.startswith(root) and os.path.exists(full)`` sees a
        contained path. An operand binding a name (``:=``) keeps the plain reading, so the
        binding stays visible after the expression."""
        held = isinstance(node.op, ast.And)
        narrowing = not any(isinstance(inner, ast.NamedExpr) for value in node.values[1:] for inner in subtree(value))
        result = EMPTY
        current = env
        for index, value in enumerate(node.values):
            if index and narrowing:
                current = self.conditions.refine(node.values[index - 1], dict(current), held, fn)
            result = join(result, self.eval(value, current, fn))
        return Val(result.taint, result.parts, result.kind)

    def _if_expression(self, node: ast.IfExp, env: Env, fn: Frame) -> Val:
        conditions = self.conditions
        truth = conditions.static_truth(node.test, env)
        if truth is True:
            return self.eval(node.body, env, fn)
        if truth is False:
            return self.eval(node.orelse, env, fn)
        self.eval(node.test, env, fn)
        yes = self.eval(node.body, conditions.refine(node.test, dict(env), True, fn), fn)
        no = self.eval(node.orelse, conditions.refine(node.test, dict(env), False, fn), fn)
        return join(yes, no)

    def _sequence(self, node: ast.Tuple | ast.List, env: Env, fn: Frame) -> Val:
        """A list or tuple display. ``*items`` of a sequence whose positions are known puts its
        elements in place; after one of unknown length the rest is at unknown positions, and an
        element after a ``"--"`` element there is an operand (cleaned for ``end_of_options``)."""
        parts: list[tuple[str, Val]] = []
        rest = EMPTY
        starred = False
        operands = False
        for element in node.elts:
            if isinstance(element, ast.Starred):
                unpacked = self.eval(element.value, env, fn)
                spliced = sequence_elements(unpacked) if not starred and known_length(unpacked) is not None else None
                if spliced is not None and len(parts) + len(spliced) < MAX_PARTS:
                    start = len(parts)
                    parts.extend((str(start + i), item) for i, item in enumerate(spliced))
                    continue
                unpacked = as_whole(unpacked)
                rest = join(rest, cleaned(unpacked, self.end_of_options) if operands else unpacked)
                starred = True
                continue
            value = self.eval(element, env, fn)
            if starred:
                rest = join(rest, cleaned(as_whole(value), self.end_of_options) if operands else as_whole(value))
                operands = operands or value.const == "--"
            else:
                parts.append((str(len(parts)), value if value.const is NO_CONST else _constant(value)))
        if starred:  # ``[*items, x]``: what follows the unpacked items is at unknown positions
            parts.append(("*", Val(rest.taint)))
        parts.sort(key=lambda kv: kv[0])
        return Val(EMPTY_TAINT, tuple(parts))

    def _dict(self, node: ast.Dict, env: Env, fn: Frame) -> Val:
        parts: dict[str, Val] = {}
        rest = keys = EMPTY
        for key_node, value_node in zip(node.keys, node.values, strict=False):
            value = self.eval(value_node, env, fn)
            if key_node is None:  # ``**more`` may replace the entries written before it
                rest, parts = join(rest, as_whole(value)), {k: join(v, as_whole(value)) for k, v in parts.items()}
                continue
            key = const_key(key_node)
            if key is None:
                computed = self.eval(key_node, env, fn)
                keys = join(keys, computed)
                rest = join(rest, as_whole(value))
            elif value.taint or value.parts or value.kind:
                parts[key] = value
            elif isinstance(value.const, str):
                parts[key] = _constant(value)  # kept: a constant entry read back stays constant
        if not rest.is_empty:
            parts["*"] = Val(rest.taint)
        return with_key(Val(EMPTY_TAINT, tuple(sorted(parts.items()))), keys)

    def _item(self, base: Val, node: ast.Subscript, key: str | None, env: Env, fn: Frame) -> Val:
        """``base[key]`` read (``key``: the subscript's constant key, if it has one)."""
        if key is None:
            # A slice, or ``PAGES[name]``: part of the container (the key still evaluated for sinks).
            self.eval(node.slice, env, fn)
            return Val(mapping_values(base))
        if server_entry(self.spec.client_keys, base.kind, node.slice):
            return EMPTY
        folded = _constant_item(base, node.slice)
        item = folded if folded is not None else get_part(base, position_key(base, key))
        if line_entry(self.spec.line_keys, base.kind, node.slice):
            return cleaned(item, self.line_breaks_removed)
        return item

    def attribute(self, base: Val, node: ast.Attribute) -> Val:
        """``base.attr``: a source when ``base`` is a request object, else the part ``.attr``."""
        kind = base.kind
        if kind is not None:
            attrs = self.spec.object_sources.get(kind)
            if attrs is not None and node.attr in attrs:
                if self._server_entry(f"{kind}.{node.attr}", node):
                    return EMPTY
                if f"{kind}.{node.attr}" in ROUTE_PATH_SOURCES and static_route(self.facts, self.spec, node):
                    return EMPTY
                label = self.make_source(node, None, local=False)
                already = self.spec.source_cleaned.get(f"{kind}.{node.attr}")
                key = self._read_key(node)
                if key is not None and (by_key := self.spec.source_cleaned.get(f"{kind}.{node.attr}[{key.lower()}]")):
                    already = by_key | (already or frozenset())  # ``request.headers["Referer"]``
                taint = frozenset({label.cleaned_for(already) if already else label})
                return Val(as_document(taint) if f"{kind}.{node.attr}" in self.spec.document_sources else taint)
        value = get_part(base, "." + node.attr)
        if (
            kind is not None
            and value.kind is None
            and (framework := self.spec.handler_objects.get(f"{kind}.{node.attr}"))
        ):
            return Val(value.taint, value.parts, framework, value.const)  # ``self.request`` of a view class
        if kind is not None and f"{kind}.{node.attr}" in self.spec.attribute_sanitizers:
            # ``Path(v).name``: the last component only, no directory of the input's choosing
            return cleaned(value, self.spec.attribute_sanitizers[f"{kind}.{node.attr}"])
        if kind not in (None, SHOWN_AS_REPR, ONE_OF_RESULTS) and value.kind is None and not kind.startswith("class:"):
            made = f"{kind}.{node.attr}"
            value = Val(value.taint, value.parts, made, value.const)
            if self.stored and made in self.stored:
                return self._read_back(value, made)
        return value

    def _read_back(self, value: Val, base: str) -> Val:
        """A kept store (a session) with the entries views stored into it from input."""
        for key, stored in self.stored[base].items():
            value = set_part(value, key, join(get_part(value, key), stored))
        return value

    def _server_entry(self, mapping: str, node: ast.Attribute) -> bool:
        """``request.META["CSRF_COOKIE"]``: a constant key the client does not send."""
        client = self.spec.client_keys.get(mapping)
        if client is None:
            return False
        name = self._read_key(node)
        if name is None:
            return False
        return not any(name.startswith(c) if c.endswith("_") else name == c for c in client)

    def _read_key(self, node: ast.Attribute) -> str | None:
        """The constant key a request mapping is read with (``request.headers["Referer"]``,
        ``request.environ.get("HTTP_REFERER")``), None for any other read."""
        read = self._source_node(node)
        key: ast.expr | None = None
        if isinstance(read, ast.Subscript):
            key = read.slice
        elif isinstance(read, ast.Call) and read.args:
            key = read.args[0]
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None

    def _fstring_taint(self, node: ast.JoinedStr, env: Env, fn: Frame) -> Taint:
        taint: Taint = EMPTY_TAINT
        prefix = ""
        seen_value = False
        before_query: Taint | None = None  # what the URL carries before its ``?`` or ``#``
        path_fixed: frozenset[str] = frozenset()  # cleaned by a fixed ``/name`` (or ``/``) after a leading value
        text = ""  # the constant text written so far: is a quote open?
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += str(part.value)
                if not seen_value:
                    prefix += str(part.value)
                else:
                    path_fixed |= self.prefixes.path_part(str(part.value))
                if before_query is None and any(c in str(part.value) for c in "?#"):
                    before_query = taint
                continue
            evaluated = self.eval(part, env, fn)
            if not seen_value and isinstance(evaluated.const, str) and not evaluated.taint:
                prefix += evaluated.const
                continue
            value = whole(evaluated)
            if not quote_open(text):
                value = outside_quotes(value, self.quotes_rejected)
            if (
                before_query is not None
            ):  # ``f"{reverse(...)}?{query}"``: the query string of a URL chosen by the program
                value = self.prefixes.in_query(value, before_query)
            elif not seen_value:
                value = self.prefixes.after(prefix, value)
            elif "://" in prefix or prefix.startswith("/"):
                value = self.prefixes.after(prefix, value)
            elif path_fixed:
                value = self.prefixes.after_fixed_path(value, path_fixed)
            seen_value = True
            taint = taint | value
        return bound(as_text(taint))

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, env: Env, fn: Frame
    ) -> Val:
        inner = dict(env)
        for generator in node.generators:
            unpacking = isinstance(generator.target, (ast.Tuple, ast.List))
            iterable = loop_element(self.eval(generator.iter, inner, fn), unpacking)
            self.assign(generator.target, iterable, inner, fn, generator.iter)
            for condition in generator.ifs:
                self.eval(condition, inner, fn)
                inner = self.conditions.refine(condition, inner, True, fn)
        if isinstance(node, ast.DictComp):
            key = self.eval(node.key, inner, fn)
            taint = whole(self.eval(node.value, inner, fn))
            return with_key(Val(EMPTY_TAINT, (("*", Val(bound(taint))),)) if taint else EMPTY, key)
        else:
            element = self.eval(node.elt, inner, fn)
            if isinstance(node.elt, ast.Tuple) and element.parts and not element.taint:
                return Val(EMPTY_TAINT, (("*", Val(EMPTY_TAINT, element.parts)),))  # pairs keep their positions
            taint = whole(element)
        return Val(EMPTY_TAINT, (("*", Val(bound(taint))),)) if taint else EMPTY


def _constant_item(base: Val, index: ast.expr) -> Val | None:
    """``"ABC"[1]`` of a known constant string (or bytes, tuple of constants): the item's constant."""
    if base.taint or base.parts or not isinstance(base.const, (str, bytes, tuple)):
        return None
    if not isinstance(index, ast.Constant) or not isinstance(index.value, int) or isinstance(index.value, bool):
        return None
    try:
        item = base.const[index.value]
    except IndexError:
        return None
    return Val(const=item) if isinstance(item, (str, bytes, int)) else None


def _constant(value: Val) -> Val:
    """A constant element kept in its container: its text when a string (read back, it folds into
    the strings built from it), else nothing."""
    return Val(const=value.const) if choices(value.const) is not None else EMPTY


def _sequence_value(value: Val) -> bool:
    """A value the analysis knows as a list or tuple: parts at numbered (or unknown) positions."""
    return bool(value.parts) and all(key.isdigit() or key in ("*", END_OF_OPTIONS_MARK) for key, _ in value.parts)


def _literal_sequence(node: ast.AST) -> bool:
    """A list or tuple written out: its elements (none, for ``[]``) are all it holds."""
    return isinstance(node, (ast.List, ast.Tuple))
