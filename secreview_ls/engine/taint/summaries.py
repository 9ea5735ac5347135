"""Function summaries: each function is interpreted once with labelled parameters, which yields
what it returns, what reaches which sink, and what it stores into ``self``. With a memo, a
function whose recorded analysis would come out the same is replayed instead."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..facts import ModuleFacts, subtree
from ..finding import FlowStep, StepKind
from .arguments_out import arguments_out, globals_out, mutated_parameters
from .definitions import ModuleIndex, generated_fields, is_property, is_static, model_fields
from .frameworks import Entries, Entry
from .memo import Event, Mover, Record, TaintMemo, Unplaceable, same_summary, without_lines
from .relevance import Relevance
from .results import NoteRun, Results
from .scopes import ScopeTable
from .spec import DOCUMENT, LINE_BREAKS_REMOVED, TaintSpec
from .state import MAX_SUMMARY_DEPTH, Env, Frame, FunctionNode, NodeTexts, join_envs
from .summary import Summary, SummaryProvider
from .validators import may_validate, proven_parameters
from .values import SHOWN_AS_REPR, Label, Origin, Val, set_part, whole

if TYPE_CHECKING:
    from .ports import Evaluator


class Summaries:
    """The summaries of a module's functions, and of the functions of other project files it calls."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        *,
        index: ModuleIndex,
        scopes: ScopeTable,
        relevance: Relevance,
        entries: Entries,
        results: Results,
        texts: NodeTexts,
        memo: TaintMemo | None,
        project: SummaryProvider | None,
        path: str,
        step_path: str | None,
    ) -> None:
        self.facts = facts
        self.spec = spec
        self.index = index
        self.scopes = scopes
        self.relevance = relevance
        self.entries = entries
        self.results = results
        self.texts = texts
        self.memo = memo
        self.project = project
        self.path = path
        self.step_path = step_path
        self.interpreter: Evaluator
        self._summaries: dict[ast.AST, Summary | None] = {}
        self._unplaced: dict[ast.AST, Record] = {}  # replayed in the lines of an earlier version
        self._in_progress: set[ast.AST] = set()
        self._stack_depth = 0
        self.cuts = 0  # calls cut short here (recursion, depth limit)
        # summaries computed across a cut: what they hold depends on which function was asked first
        self._provisional: set[ast.AST] = set()
        # The chain of files each summary computed in full followed (its length, the files it
        # used), where a project index keeps it: a summary answers again only where analyzing
        # the function again would follow the same chain; elsewhere it is set aside (``_shelved``)
        # and put back by ``forget_provisional``.
        self.chain: Any = project if hasattr(project, "chain_begin") else None
        self._chains: dict[ast.AST, tuple[int, frozenset[Any]]] = {}
        self._shelved: dict[ast.AST, tuple[Summary | None, tuple[int, frozenset[Any]], Record | None]] = {}
        # summaries that met the chain limit, by function and the files the limit left below
        self._limited: dict[
            tuple[ast.AST, int, tuple[Any, ...]], tuple[Summary | None, frozenset[Any], bool, bool]
        ] = {}
        self.base_chain: tuple[int, frozenset[Any]] | None = None  # that of the module-level values
        self._globals_cut = False  # the module-level values were worked out across a cut
        self._shelved_globals: tuple[Env, tuple[int, frozenset[Any]] | None] | None = None
        self._functions: set[ast.AST] | None = None
        self._scope: tuple[str | None, tuple[FunctionNode, ...]] | None = None  # ``_request_scope``
        self.template_answer: Callable[[str], object] | None = None  # what reading a template gives now
        self.class_text_answer: Callable[[ast.Attribute], object] | None = None  # a class attribute's text now

    def connect(
        self,
        interpreter: Evaluator,
        template_answer: Callable[[str], object] | None = None,
        class_text_answer: Callable[[ast.Attribute], object] | None = None,
    ) -> None:
        """The interpreter that runs the functions (it asks for summaries in turn), and where a
        replay reads templates and class attributes' template text again."""
        self.interpreter = interpreter
        self.template_answer = template_answer
        self.class_text_answer = class_text_answer

    def of(self, fn: FunctionNode) -> Summary | None:
        """The summary of a function of this module (None: cut short, or recursive)."""
        summary = self._placed_summary(fn)
        self.results.record_summary(fn, summary)
        return summary

    def run(self, fn: FunctionNode) -> None:
        """Analyze (or replay) a function for its hits; its summary is not asked for."""
        self._summary_of(fn)

    def _placed_summary(self, fn: FunctionNode) -> Summary | None:
        """``_summary_of``, in the current version's lines (a replay keeps its record's)."""
        summary = self._summary_of(fn)
        record = self._unplaced.get(fn)
        if record is None or self.memo is None or without_lines(summary):
            return summary
        try:
            mover = self.memo.mover_for(record)
            return summary if mover is None else mover.summary(summary)[0]  # moved once per run
        except Unplaceable:  # not expected (its answers were the same): analyze it again
            del self._summaries[fn], self._unplaced[fn]
            self.memo.records.pop(fn, None)
            return self._summary_of(fn)

    def analyzed(self, fn: FunctionNode) -> Summary | None:
        """The summary of a function this analysis has already worked out (or replayed), in the
        current version's lines; None for one it has not."""
        if fn not in self._summaries:
            return None
        return self._placed_summary(fn)

    def of_project(self, name: str) -> Summary | None:
        """The summary of ``pkg.mod.func`` when it is a function of another file of the project."""
        summary = self.project.function_summary(name, self.spec, self.path) if self.project is not None else None
        self.results.record_project_summary(name, summary)
        return summary

    def project_instance(self, name: str) -> bool | None:
        """Whether ``pkg.mod.obj.method`` (a summary ``of_project`` gave) is a method of a
        module-level instance ``obj`` of that file (the call binds ``self``), of a class ``obj``
        (it does not), or neither is known (None)."""
        ask = getattr(self.project, "names_instance", None)
        answer = ask(name, self.path) if ask is not None else None
        self.results.record_project_instance(name, answer)
        return answer

    def forget_provisional(self) -> None:
        """Drop the summaries computed across a cut, so that asking them again in another order
        (another file's analysis) gives what that order gives, not what the first asker got."""
        for fn in self._provisional:
            self._summaries.pop(fn, None)
            self._unplaced.pop(fn, None)
        self._provisional.clear()
        if self._shelved_globals is not None:
            self.interpreter.globals, self.base_chain = self._shelved_globals
            self._shelved_globals = None
        elif self._globals_cut:
            self.interpreter.globals, self.base_chain = {}, None  # worked out again at the next ask
        self._globals_cut = False
        for fn, (summary, chain, unplaced) in self._shelved.items():
            self._summaries[fn], self._chains[fn] = summary, chain
            if unplaced is not None:
                self._unplaced[fn] = unplaced
        self._shelved.clear()

    def _cut_short(self) -> None:
        self.cuts += 1
        if self.project is not None:
            self.project.cut_short()

    def shelve_globals(self) -> None:
        """The module-level values are worked out again: those in full are put back later."""
        if self.interpreter.globals and not self._globals_cut and self._shelved_globals is None:
            self._shelved_globals = (self.interpreter.globals, self.base_chain)

    def globals_made(self, chain: tuple[int, frozenset[Any]], *, cut: bool) -> None:
        """The module-level values were worked out, following ``chain``, across a cut or not."""
        self.base_chain = None if cut else chain
        self._globals_cut = cut
        if not cut:
            self._shelved_globals = None

    def globals_used(self) -> None:
        """The module-level values are read: what they followed counts for what reads them."""
        if self._globals_cut:
            self._cut_short()
        elif self.chain is not None and self.base_chain is not None:
            self.chain.chain_reused(*self.base_chain)

    def _cut_count(self) -> int:
        """Cuts that depend on the order of asks (the chain limit's do not: ``_limited``)."""
        chain = self.chain
        if chain is not None:
            return self.cuts + chain.bounds()[0]
        return self.cuts + (self.project.cuts if self.project is not None else 0)

    def _summary_of(self, fn: FunctionNode) -> Summary | None:
        if fn in self._summaries:
            if fn in self._provisional:
                self._cut_short()  # its asker depends on the order of asks too
                return self._summaries[fn]
            kept = self._chains.get(fn)
            if kept is None or self.chain.chain_fits(*kept):
                if kept is not None:
                    self.chain.chain_reused(*kept)
                return self._summaries[fn]
        chain = self.chain
        budget = chain.chain_budget() if chain is not None else 0
        if chain is not None:
            for key in ((fn, budget, ()), (fn, budget, chain.bound_key(True))):
                kept = self._limited.get(key)
                if kept is not None and (key[2] or chain.chain_clear_of(kept[1])):
                    chain.replay_bounds(kept[2], kept[3])
                    chain.chain_reused(1, kept[1])
                    return kept[0]
        if fn in self._in_progress or self._stack_depth >= MAX_SUMMARY_DEPTH:
            self._cut_short()
            return None
        relevance = self.relevance
        if (
            not relevance.known_to_reach(fn)
            and not self.scopes.gives_back(fn)
            and not relevance.may_reach_sink(fn)
            and not self._may_validate(fn)
        ):
            # Returns nothing, stores nothing, calls nothing that could be a sink: nothing to learn.
            # (A function the relevance pass found may reach a sink is not asked whether it gives
            # a value back: for most modules that is a pass over the whole module.)
            self._summaries[fn] = self._empty_summary(fn)
            return self._summaries[fn]
        self._in_progress.add(fn)
        self._stack_depth += 1
        cuts = self._cut_count()
        bounds = chain.bounds() if chain is not None else (0, 0, 0)
        begun = chain.chain_begin() if chain is not None else None
        try:
            self.globals_used()  # it reads the module-level values
            summary = self._analyze_function(fn)
        except RecursionError:
            self.results.poisoned = True
            summary = None
            self._cut_short()
        finally:
            self._stack_depth -= 1
            self._in_progress.discard(fn)
        followed = chain.chain_end(begun) if begun is not None else None
        if self._cut_count() != cuts:
            if fn in self._chains:  # in full, for another chain: ``forget_provisional`` puts it back
                self._shelved.setdefault(fn, (self._summaries[fn], self._chains.pop(fn), self._unplaced.pop(fn, None)))
            self._summaries[fn] = summary
            self._provisional.add(fn)
        elif followed is not None and chain.bounds()[1:] != bounds[1:]:
            met = (chain.limits != bounds[1], chain.cycles != bounds[2])
            self._limited[(fn, budget, chain.bound_key(met[1]))] = (summary, followed[1], *met)
        else:
            self._summaries[fn] = summary
            if followed is not None:
                self._chains[fn] = followed
        return summary

    def _may_validate(self, fn: FunctionNode) -> bool:
        """A function called here (or asked by another file) that may raise on bad arguments:
        its summary says which arguments it proves (``validators.py``)."""
        if self.step_path is None and fn.name not in self.scopes.called_names():
            return False
        return may_validate(fn, self.facts, self.spec)

    def default_constructor(self, cls: ast.ClassDef) -> Summary | None:
        """The summary of the ``__init__`` a class without one of its own gets (asked by other
        files building it): a ``@dataclass`` stores each argument at its field, a plain class
        (no base of another module) takes no argument and stores nothing. None for a class
        whose base of another module may define one."""
        fields = generated_fields(cls)
        if fields is None:  # a pydantic model stores each keyword at its field alike
            fields = model_fields(cls, self.index.classes, self.index.facts.qualname)
        if fields is None:
            if self.index.library_based(cls):
                return None
            return Summary("__init__", ["self"], 1, None, None, 1, path=self.path)
        made = Val(kind=f"class:{cls.name}")
        span = self.texts.span(cls)
        for index, name in enumerate(fields, start=1):
            entered = FlowStep.of(StepKind.PARAMETER, name, span, self.step_path, cls.name)
            label = Label(Origin("param", name, span, self.step_path, index=index), frozenset(), (entered,))
            made = set_part(made, "." + name, Val(frozenset({label})))
        params = ["self", *fields]
        return Summary("__init__", params, len(params), None, None, 1, self_out=made, path=self.path)

    def _prepared_fields(self, fn: FunctionNode, cls: ast.ClassDef) -> tuple[tuple[str, Val], ...]:
        """The fields a request handler's set-up methods (``setup``, ``dispatch``, ``initial``,
        ``prepare``: run by the framework before the method answering the request, on the same
        instance) store from request data, which that method reads on ``self``."""
        if fn.name in _SET_UP_METHODS:
            return ()
        fields: list[tuple[str, Val]] = []
        for name in _SET_UP_METHODS:
            method = self.index.method(cls, name)
            if method is None or method is fn:
                continue
            summary = self.of(method)
            fields.extend(_source_fields(summary.self_out if summary is not None else None))
        return tuple(fields)

    def _request_scope(self, fn: FunctionNode, is_method: bool, entry: Entry, env: Env) -> str | None:
        """The request-scoped globals object (``flask.g``): a before-request hook fills it for every
        view, so a view starts with the fields it reads there that the hooks stored from request
        data. Returns the object's local name when ``fn`` is such a hook (the fields it stores are
        its summary's ``self_out``)."""
        if self._scope is None:
            name = next((n for n, q in self.facts.imports.aliases.items() if q in self.spec.request_globals), None)
            hooks: tuple[FunctionNode, ...] = ()
            if name is not None:
                hooks = tuple(f for f in self.index.module_functions.values() if _is_request_hook(self.spec, f))
            self._scope = (name, hooks)
        name, hooks = self._scope
        if name is None or not hooks or is_method:
            return None
        if fn in hooks:
            return name
        if entry.framework:
            read = _fields_read(fn, name)
            if not read:
                return None
            fields = [
                (key, value)
                for hook in hooks
                for key, value in _source_fields(getattr(self.of(hook), "self_out", None))
                if key in read
            ]
            if fields:
                env[name] = Val(frozenset(), tuple(fields))
        return None

    def _empty_summary(self, fn: FunctionNode) -> Summary:
        args = fn.args
        ordered = [*args.posonlyargs, *args.args]
        params = [a.arg for a in ordered] + [a.arg for a in args.kwonlyargs]
        vararg = kwarg = None
        if args.vararg is not None:
            vararg = len(params)
            params.append(args.vararg.arg)
        if args.kwarg is not None:
            kwarg = len(params)
            params.append(args.kwarg.arg)
        offset = 1 if self.index.is_method(fn) else 0
        return Summary(fn.name, params, len(ordered), vararg, kwarg, offset, path=self.path)

    def _analyze_function(self, fn: FunctionNode) -> Summary:
        cls = self.index.owner_class.get(fn)
        is_method = cls is not None and not is_static(fn)
        entry = self.entries.entry(fn, is_method)
        kind_of_self = None
        if is_method and cls is not None:
            kind_of_self = self.index.handler_kind(self.spec, cls) or f"class:{cls.name}"
        # A function nothing here calls needs no summary in terms of its parameters (files of the
        # project ask for summaries of the functions they import, so those always get one).
        summarize = (
            self.step_path is not None
            or fn.name in self.scopes.called_names()
            or (fn.name.startswith("__") and fn.name.endswith("__"))  # called by the language
            or is_property(fn)  # called by reading it
        )
        memo = self.memo
        if memo is None:
            return self._interpret(fn, self._empty_summary(fn), entry, kind_of_self, summarize)
        record = memo.records.get(fn)
        if (
            record is not None
            and record.summarize == summarize
            and record.kind_of_self == kind_of_self
            and record.entry == entry
        ):
            if self._replay(fn, record):
                memo.replayed += 1
                if record.frame is not memo.frame:
                    self._unplaced[fn] = record
                return record.summary  # type: ignore[return-value]
        memo.analyzed += 1
        events: list[Event] = []
        self.results.recordings.append(events)
        try:
            summary = self._interpret(fn, self._empty_summary(fn), entry, kind_of_self, summarize)  # filled in
        finally:
            self.results.recordings.pop()
        if not self.results.poisoned:
            memo.records[fn] = Record(
                entry,
                summarize,
                kind_of_self,
                events,
                summary,
                frame=memo.current(),
                line=fn.lineno,
                end_line=fn.end_lineno or 0,
            )
        return summary

    def _replay(self, fn: FunctionNode, record: Record) -> bool:
        """Redo a recorded analysis from its events; False at the first answer that differs
        (what was done until then is what a new analysis does first, so it may stay). The
        record stays in its lines: what leaves it is moved to the current ones (``TaintMemo``)."""
        results = self.results
        memo: TaintMemo = self.memo  # type: ignore[assignment]
        scratch: list[Event] = []
        results.recordings.append(scratch)
        try:
            functions = self._function_set()
            mover: Mover | None = None
            placed = False  # ``mover`` asked for
            for event in _replay_plan(record):
                if event.__class__ is NoteRun:  # most events, a run of them at a time
                    results.replay_run(event)  # into no recording: the scratch one is dropped
                    continue
                kind = event[0]
                if kind == "sum":
                    callee = event[1]
                    if callee not in functions:
                        return False
                    answer = self._summary_of(callee)
                    if answer is event[2]:
                        continue  # the very summary recorded (whichever lines it is in)
                    if without_lines(event[2]):
                        if not same_summary(answer, event[2]):
                            return False
                        continue
                    if not placed:
                        mover, placed = memo.mover_for(record), True
                    recorded = event[2] if mover is None else mover.summary(event[2])[0]
                    if not same_summary(self._placed_summary(callee), recorded):
                        return False
                elif kind == "hit":
                    if not placed:
                        mover, placed = memo.mover_for(record), True
                    label = event[5] if mover is None else mover.label(event[5])[0]
                    results.record_hit(event[1], event[2], event[3], event[4], label)
                elif kind == "brn":
                    results.note_branch(event[1], event[2])
                elif kind == "proj":
                    if not same_summary(self.of_project(event[1]), event[2]):
                        return False
                elif kind == "ins":
                    if self.project_instance(event[1]) != event[2]:
                        return False
                elif kind == "tpl":
                    if self.template_answer is None or self.template_answer(event[1]) != event[2]:
                        return False
                elif kind == "cat":
                    if self.class_text_answer is None or self.class_text_answer(event[1]) != event[2]:
                        return False
                elif kind == "new":
                    # Nodes made for the analysis are outside the tree: they are put where their
                    # function has moved them since (its text is the same, so each by as much).
                    # One made from code outside it (a module-level lambda run here) may have
                    # moved otherwise: the function is analyzed again.
                    first, last = record.line, record.end_line
                    if not first or not all(first <= line and (end or line) <= last for _, line, end in event[1]):
                        return False
                    delta = fn.lineno - first
                    for made, line, end in event[1]:
                        made.lineno = line + delta
                        if end is not None:
                            made.end_lineno = end + delta
            return not results.poisoned
        except Unplaceable:
            return False
        finally:
            results.recordings.pop()

    def _function_set(self) -> set[ast.AST]:
        if self._functions is None:
            self._functions = set(self.facts.functions)
        return self._functions

    def _provided(self, name: str, arg: ast.arg) -> set[Label]:
        """What a FastAPI dependency function returns from the request, for the parameter that
        receives it (``v: str = Depends(read_q)``)."""
        provider = self.index.module_functions.get(name)
        summary = self.of(provider) if provider is not None else None
        if summary is None:
            return set()
        step = FlowStep.of(StepKind.RETURNED, f"{name}()", self.texts.span(arg), self.step_path)
        return {lab.with_step(step) for lab in whole(summary.returns) if lab.origin.kind == "source"}

    def _interpret(
        self, fn: FunctionNode, summary: Summary, entry: Entry, kind_of_self: str | None, summarize: bool
    ) -> Summary:
        """Run a function's statements with labelled parameters; fills ``summary``."""
        cls = self.index.owner_class.get(fn)
        is_method = cls is not None and not is_static(fn)
        args = fn.args
        ordered = [*args.posonlyargs, *args.args]
        all_args = [*ordered, *args.kwonlyargs]
        if args.vararg is not None:
            all_args.append(args.vararg)
        if args.kwarg is not None:
            all_args.append(args.kwarg)
        env: Env = {}
        params: dict[int, str] = {}
        for index, arg in enumerate(all_args):
            taint: set[Label] = set()
            parts: tuple[tuple[str, Val], ...] = ()
            if summarize:
                span = self.texts.span(arg)
                entered = FlowStep.of(StepKind.PARAMETER, arg.arg, span, self.step_path, fn.name)
                taint.add(Label(Origin("param", arg.arg, span, self.step_path, index=index), frozenset(), (entered,)))
            kind = None
            if index == 0 and kind_of_self is not None:
                kind = kind_of_self
            if arg.arg in entry.tainted:
                source = self.interpreter.make_source(arg, entry.tainted[arg.arg], local=False, parameter=index)
                if arg.arg in entry.documents:  # a JSON value: may be an object such as ``{"$ne": null}``
                    source = source.cleaned_for(frozenset({DOCUMENT}))
                if arg.arg in entry.line_values:  # a header or cookie value holds no line break
                    source = source.cleaned_for(self.spec.cleaned_by(LINE_BREAKS_REMOVED))
                fields = entry.model_fields.get(arg.arg)
                if fields is None:
                    taint.add(source)
                else:  # a model known field by field: only its text fields hold input
                    parts = tuple(("." + name, Val(frozenset({source}))) for name in fields)
            if arg.arg in entry.dependencies:
                taint.update(self._provided(entry.dependencies[arg.arg], arg))
            if arg.arg in entry.objects:
                kind = entry.objects[arg.arg]
            elif kind is None and arg.annotation is not None and self.spec.annotated_kinds:
                kind = self.spec.annotated_kinds.get(self.facts.qualname(arg.annotation) or "")
            if kind is None and arg.arg in entry.models:
                kind = SHOWN_AS_REPR  # a request model or JSON container: its text is its items' reprs
            env[arg.arg] = Val(frozenset(taint), parts, kind)
            params[index] = arg.arg
        if is_method and ordered and cls is not None and kind_of_self and not kind_of_self.startswith("class:"):
            prepared = self._prepared_fields(fn, cls)
            if prepared:
                first = env[ordered[0].arg]
                env[ordered[0].arg] = Val(first.taint, prepared, first.kind)
        hooks_fill = self._request_scope(fn, is_method, entry, env)
        state = Frame(fn, cls, entry, summary, self.index.nested.get(fn, {}))
        if is_method and ordered:
            state.self_name = ordered[0].arg
        elif hooks_fill is not None:
            state.self_name = hooks_fill
        initial = dict(env)
        out = self.interpreter.block(fn.body, env, state)
        summary.returns = state.returns
        summary.effects = list(state.effects.values())
        if summarize:
            ends = [out, *state.exits]
            summary.args_out = self._arguments_out(fn, params, initial, ends, state.self_name)
            summary.proven = proven_parameters(fn, params, [out, *state.returns_at], state.self_name)
            summary.coroutine = isinstance(fn, ast.AsyncFunctionDef)
        # also of a function nothing here calls: what a view keeps for others (``module_state.py``)
        summary.globals_out = self._globals_out(fn, params, [out, *state.ends])
        if state.self_name is not None:
            final = join_envs([out, *state.exits])
            self_val = final.get(state.self_name) if final else None
            summary.self_out = _changed_fields(self_val)
        return summary

    def _globals_out(
        self, fn: FunctionNode, params: dict[int, str], ends: list[Env | None]
    ) -> tuple[tuple[str, Val], ...]:
        """The module-level names the function stores outside data into (``arguments_out.py``)."""
        exits = [end for end in ends if end is not None]
        module = self.interpreter.globals
        if not exits or not module:
            return ()
        own = set(params.values())
        values: dict[str, list[Val]] = {}
        for end in exits:
            for name, value in end.items():
                if name in module and name not in own and value is not module[name]:
                    values.setdefault(name, []).append(value)
        if not values:
            return ()
        return globals_out(fn, {name: [end.get(name, module[name]) for end in exits] for name in values}, module)

    @staticmethod
    def _arguments_out(
        fn: FunctionNode, params: dict[int, str], initial: Env, ends: list[Env | None], self_name: str | None
    ) -> tuple[tuple[int, Val], ...]:
        """The arguments the function changed in place, by position (``self`` is ``self_out``)."""
        exits = [end for end in ends if end is not None]
        moved = {
            index: name
            for index, name in params.items()
            if name != self_name and any(end.get(name) is not initial[name] for end in exits)
        }
        if not moved:
            return ()
        kept = mutated_parameters(fn, frozenset(moved.values()))
        if not kept:
            return ()
        return arguments_out(
            {index: [end.get(name, initial[name]) for end in exits] for index, name in moved.items() if name in kept},
            {index: initial[name] for index, name in moved.items()},
        )


_NOTES = frozenset({"src", "snk", "clr"})  # recorded notes a replay notes again (``NoteRun``)


def _replay_plan(record: Record) -> list[Any]:
    """A record's events with each run of consecutive notes as one ``NoteRun``, made once."""
    plan = record.plan
    if plan is None:
        plan = []
        notes: list[Event] = []
        for event in record.events:
            if event[0] in _NOTES:
                notes.append(event)
                continue
            if notes:
                plan.append(NoteRun(notes))
                notes = []
            plan.append(event)
        if notes:
            plan.append(NoteRun(notes))
        record.plan = plan
    return plan


# Methods a web framework runs on a request handler before the one answering the request.
_SET_UP_METHODS = ("setup", "dispatch", "initial", "prepare")


def _fields_read(fn: FunctionNode, name: str) -> set[str]:
    """The fields a function reads on the object ``name`` (``g.lang`` → ``.lang``): only those
    carry what the hooks stored, not the object handed on whole (``options = {"g": g}``)."""
    return {
        "." + node.attr
        for node in subtree(fn)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    }


def _is_request_hook(spec: TaintSpec, fn: FunctionNode) -> bool:
    """``@app.before_request`` (or a blueprint's ``before_app_request``): run before each view."""
    for decorator in fn.decorator_list:
        callee = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(callee, ast.Attribute) and callee.attr in spec.request_hooks:
            return True
    return False


def _source_fields(self_out: Val | None) -> list[tuple[str, Val]]:
    """The fields of ``self`` a method filled with request data (sources, not its parameters)."""
    fields = []
    for key, part in self_out.parts if self_out is not None else ():
        sources = frozenset(lab for lab in whole(part) if lab.origin.kind == "source")
        if sources:
            fields.append((key, Val(sources)))
    return fields


def _changed_fields(self_val: Val | None) -> Val | None:
    """The fields of ``self`` a method filled with outside data (arguments or sources)."""
    if self_val is None or not self_val.parts:
        return None
    kept = []
    for key, part in self_val.parts:
        if any(lab.origin.kind != "param" or lab.origin.index != 0 for lab in whole(part)):
            kept.append((key, part))
    if not kept:
        return None
    return Val(self_val.taint, tuple(kept), self_val.kind)
