"""Flow-sensitive taint analysis over one module, with per-function summaries.

``ModuleTaint(facts, spec, project=None).run()`` returns ``SinkHit``s: an untrusted value
(``TaintSpec`` sources) that reaches a sink argument without a sanitizer for the sink's class,
with the steps it took. Each function is interpreted once over its statements (branches
joined, loops to a bounded fixpoint, constant conditions selecting their branch); its
parameters carry *parameter labels*, so the same pass yields the function's summary: which
parameters reach the return value and which reach which sink. A call applies the callee's
summary, so a helper that builds a query from its argument is caught at the caller, with the
whole path. Calls into other files of the project go through ``project`` (``ProjectIndex``).

Only functions that mention a source (or call one that may return one, or are framework
entry points) are analyzed; the others are summarized on demand when called.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from .facts import ModuleFacts
from .finding import FlowStep, Span
from .taint_frameworks import Entry, apply_url_rules, entry_for, handler_kind, url_rules
from .taint_memo import Event, Record, TaintMemo, same_env, same_summary
from .taint_model import (
    ALL_CLASSES,
    EMPTY,
    EMPTY_TAINT,
    MAX_STEPS,
    NO_CONST,
    OPAQUE,
    Label,
    Origin,
    TaintSpec,
    Val,
    add_to_rest,
    as_whole,
    bound,
    cleaned,
    get_part,
    in_order,
    join,
    map_labels,
    set_part,
    sink_index,
    whole,
    with_step,
)
from .taint_scope import ScopeFacts, ScopeMixin
from .taint_sinks import SinkMixin
from .taint_state import (
    ALL,
    MARKUP_KINDS,
    MAX_LOOP_ITERATIONS,
    MAX_SUMMARY_DEPTH,
    MUTATORS_ADD,
    MUTATORS_EXTEND,
    STDLIB,
    Effect,
    Env,
    Frame,
    FunctionNode,
    SinkHit,
    Summary,
    SummaryProvider,
    join_envs,
    short_text,
)

# The fields of statements (and of ``except`` and ``case`` clauses) that hold statements, in
# source order: ``handlers`` come before ``orelse`` and ``finalbody`` in a ``try``.
_BLOCK_FIELDS = ("body", "cases", "handlers", "orelse", "finalbody")
_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.TryStar,
    ast.Match,
    ast.match_case,
    ast.ExceptHandler,
)


def _definitions_in(statement: ast.stmt, tree: ast.Module) -> list[tuple[str, ast.AST, ast.AST | None]]:
    """The definitions a top-level statement makes, in source order: module functions and
    classes, methods (with their class), functions nested in functions (with the enclosing
    one), and ``global`` statements. Definitions are statements, so compound statements are
    all there is to walk."""
    found: list[tuple[str, ast.AST, ast.AST | None]] = []
    stack: list[tuple[ast.AST, ast.AST, ast.AST | None]] = [(statement, tree, None)]
    while stack:
        node, parent, scope = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if isinstance(parent, ast.ClassDef):
                found.append(("method", node, parent))
            elif scope is None:
                found.append(("function", node, None))
            else:
                found.append(("nested", node, scope))
            scope = node
        elif isinstance(node, ast.ClassDef) and scope is None:
            found.append(("class", node, None))
        elif isinstance(node, ast.Global):
            found.append(("global", node, None))
        children: list[ast.AST] = []
        for name in _BLOCK_FIELDS:
            block = getattr(node, name, None)
            if block:
                children.extend(child for child in block if isinstance(child, (*_COMPOUND, ast.Global)))
        stack.extend((child, node, scope) for child in reversed(children))
    return found


_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


class ModuleTaint(ScopeMixin, SinkMixin):
    """Taint analysis of one module."""

    def __init__(
        self,
        facts: ModuleFacts,
        spec: TaintSpec,
        *,
        project: SummaryProvider | None = None,
        external: bool = False,
        depth: int = 0,
        memo: TaintMemo | None = None,
    ) -> None:
        self.facts = facts
        self.memo = memo
        self.spec = spec
        self.project = project
        self.path = facts.source.path
        self.step_path = self.path if external else None
        self.depth = depth
        self.sinks_by_name, self.sinks_by_method = sink_index(spec)
        self.hits: dict[tuple[int, str], SinkHit] = {}
        self.sources_seen: dict[str, None] = {}  # in the order seen
        self.sinks_seen: dict[str, None] = {}
        self.cleared: dict[tuple[str, ast.AST], None] = {}  # sinks whose every variable part is harmless
        self.skipped: list[str] = []
        self.globals: Env = {}
        self._summaries: dict[ast.AST, Summary | None] = {}
        self._in_progress: set[ast.AST] = set()
        self._stack_depth = 0
        self._collect = True
        self._candidates: tuple[frozenset[str], frozenset[str]] | None = None
        self._reach: dict[ast.AST, bool] = {}
        self._methods_by_name: dict[str, list[FunctionNode]] | None = None
        self._called: set[str] | None = None
        self._entries: dict[tuple[ast.AST, bool], Entry] = {}
        self._direct: set[str] | None = None
        self._spans: dict[ast.AST, Span] = {}
        self._texts: dict[ast.AST, str] = {}
        self._scope_cache: dict[ast.AST, ScopeFacts] = memo.scope_facts if memo is not None else {}
        self._local_call_cache: dict[ast.AST, tuple[str, ...]] = memo.local_calls if memo is not None else {}
        self._recording: list[list[Event]] = []  # events of the functions being analyzed (memo)
        self._poisoned = False  # an analysis was cut short: nothing of this run is kept
        self._source_name_sets: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None
        self._methods: dict[tuple[ast.ClassDef, str], FunctionNode | None] = {}
        self._functions: set[ast.AST] | None = None
        self._index()

    # -- indexing ------------------------------------------------------------------

    def _index(self) -> None:
        facts = self.facts
        self.module_functions: dict[str, FunctionNode] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.owner_class: dict[ast.AST, ast.ClassDef] = {}
        self.nested: dict[ast.AST, dict[str, FunctionNode]] = {}
        self.global_names: set[str] = set()
        cache = self.memo.definitions if self.memo is not None else {}
        for statement in facts.tree.body:
            found = cache.get(statement)
            if found is None:
                found = cache[statement] = _definitions_in(statement, facts.tree)
            for kind, node, owner in found:
                if kind == "function":
                    self.module_functions.setdefault(node.name, node)  # type: ignore[union-attr]
                elif kind == "class":
                    self.classes.setdefault(node.name, node)  # type: ignore[union-attr]
                elif kind == "method":
                    self.owner_class[node] = owner  # type: ignore[assignment]
                elif kind == "nested":
                    self.nested.setdefault(owner, {})[node.name] = node  # type: ignore[arg-type, union-attr]
                else:
                    self.global_names.update(node.names)  # type: ignore[union-attr]
        self.imports_prefixes = {t.split(".")[0] for t in facts.imports.aliases.values()}
        self.url_rules = url_rules(facts, self.spec) if "flask" in self.imports_prefixes else {}

    def _skeleton(self) -> tuple[object, ...]:
        """Everything outside function bodies that the analysis of a function may depend on."""
        facts = self.facts
        imports = facts.imports
        lines = facts.source.lines

        def shape(body: list[ast.stmt], in_class: bool) -> tuple[object, ...]:
            parts: list[object] = []
            for statement in body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    parts.append(("def", statement.name))
                elif isinstance(statement, ast.ClassDef):
                    bases = tuple(ast.dump(base) for base in statement.bases)
                    parts.append(("class", statement.name, bases, shape(statement.body, True)))
                elif in_class and not isinstance(statement, _COMPOUND):
                    continue  # class attributes are not interpreted; only the module's own code is
                else:
                    first, last = statement.lineno, statement.end_lineno or statement.lineno
                    parts.append("\n".join(lines[first - 1 : last]))
            return tuple(parts)

        return (
            id(self.spec),
            self.path,
            self.project is not None,
            tuple(sorted(imports.aliases.items())),
            tuple(imports.star_modules),
            frozenset(imports.locally_bound),
            tuple(self._statement_shape(statement, shape) for statement in facts.tree.body),
            frozenset(self.global_names),
            # Names of functions defined in functions, and of methods: calls to them are followed.
            frozenset(name for scoped in self.nested.values() for name in scoped),
            frozenset(fn.name for fn in self.owner_class),
            tuple(sorted((name, tuple(sorted(params.items()))) for name, params in self.url_rules.items())),
            self._hardened_lxml(),
        )

    def _statement_shape(
        self, statement: ast.stmt, shape: Callable[[list[ast.stmt], bool], tuple[object, ...]]
    ) -> tuple[object, ...]:
        """The skeleton's part for one top-level statement, kept while the statement is (an
        unchanged statement keeps its node and its text)."""
        cache = self.memo.shapes if self.memo is not None else {}
        known = cache.get(statement)
        if known is None:
            known = cache[statement] = shape([statement], False)
        return known

    def _entry(self, fn: FunctionNode, is_method: bool) -> Entry:
        key = (fn, is_method)
        known = self._entries.get(key)
        if known is None:
            if self.memo is None:
                known = self._compute_entry(fn, is_method, fn.name in self._direct_calls())
            else:
                direct = fn.name in self._direct_calls()
                known = self.memo.entries.get((fn, is_method, direct))
                if known is None:
                    known = self.memo.entries[(fn, is_method, direct)] = self._compute_entry(fn, is_method, direct)
            self._entries[key] = known
        return known

    def _compute_entry(self, fn: FunctionNode, is_method: bool, called_here: bool) -> Entry:
        entry = entry_for(self.facts, self.spec, fn, is_method)
        if entry.framework == "django" and entry.tainted and called_here:
            entry.tainted = {}  # a helper taking the request, called with values of this module
        if self.url_rules:
            apply_url_rules(entry, fn, self.owner_class.get(fn), self.url_rules)
        return entry

    def _method(self, cls: ast.ClassDef, name: str) -> FunctionNode | None:
        key = (cls, name)
        if key not in self._methods:
            self._methods[key] = self._find_method(cls, name)
        return self._methods[key]

    def _find_method(self, cls: ast.ClassDef, name: str) -> FunctionNode | None:
        seen: set[str] = set()
        stack = [cls]
        while stack:
            current = stack.pop(0)
            if current.name in seen:
                continue
            seen.add(current.name)
            for item in current.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                    return item
            for base in current.bases:
                if isinstance(base, ast.Name) and base.id in self.classes:
                    stack.append(self.classes[base.id])
        return None

    # -- driver ----------------------------------------------------------------------

    def run(self) -> list[SinkHit]:
        """Analyze the module; the hits, sorted by position."""
        tree = self.facts.tree
        memo = self.memo
        if memo is not None:
            memo.begin(self._skeleton(), tree, {tree, *tree.body, *self.facts.functions})
            self._scope_cache = memo.scope_facts
            self._local_call_cache = memo.local_calls
        relevant = {scope for scope in self._relevant() if self._may_reach_sink(scope)}
        if not relevant:
            return []
        self._collect = False
        module_fn = Frame(tree, None, Entry(), None, self.nested.get(tree, {}))
        saved = self.project
        self.project = None
        self.globals = {}
        try:
            self.globals = self._block(tree.body, {}, module_fn, module_level=True) or {}
        finally:
            self.project = saved
            self._collect = True
        for name in self.global_names:
            current = self.globals.get(name)
            if current is not None and current.const is not NO_CONST:
                self.globals[name] = Val(current.taint, current.parts, current.kind)
        if memo is not None and (memo.globals is None or not same_env(memo.globals, self.globals)):
            memo.records.clear()  # every function may read a module-level value
            memo.globals = self.globals
        if tree in relevant:
            self._guarded(lambda: self._block(tree.body, dict(self.globals), module_fn, module_level=True))
        for fn in self.facts.functions:
            if fn in relevant:
                self._guarded(lambda fn=fn: self.summary_of(fn))
        if memo is not None and self._poisoned:
            memo.clear()
        return sorted(
            self.hits.values(), key=lambda h: (getattr(h.node, "lineno", 0), getattr(h.node, "col_offset", 0))
        )

    def _guarded(self, work: Callable[[], object]) -> None:
        try:
            work()
        except RecursionError:
            self._poisoned = True
            self.skipped.append("a function nested too deeply to follow")

    # -- summaries -------------------------------------------------------------------

    def summary_named(self, name: str) -> Summary | None:
        """Summary of a module-level function, or of ``Class.method``."""
        if "." in name:
            class_name, method_name = name.split(".", 1)
            cls = self.classes.get(class_name)
            fn = self._method(cls, method_name) if cls is not None else None
        else:
            fn = self.module_functions.get(name)
        if fn is None:
            return None
        if not self.globals:
            self._prepare_globals()
        return self.summary_of(fn)

    def _prepare_globals(self) -> None:
        tree = self.facts.tree
        saved_collect, saved_project = self._collect, self.project
        self._collect, self.project = False, None
        try:
            self.globals = self._block(tree.body, {}, Frame(tree, None, Entry(), None, {}), module_level=True) or {}
        except RecursionError:
            self.globals = {}
        finally:
            self._collect, self.project = saved_collect, saved_project

    def summary_of(self, fn: FunctionNode) -> Summary | None:
        summary = self._summary_of(fn)
        if self._recording:
            self._recording[-1].append(("sum", fn, summary))
        return summary

    def _summary_of(self, fn: FunctionNode) -> Summary | None:
        if fn in self._summaries:
            return self._summaries[fn]
        if fn in self._in_progress or self._stack_depth >= MAX_SUMMARY_DEPTH:
            return None
        if not self._gives_back(fn) and not self._may_reach_sink(fn):
            # Returns nothing, stores nothing, calls nothing that could be a sink: nothing to learn.
            self._summaries[fn] = self._empty_summary(fn)
            return self._summaries[fn]
        self._in_progress.add(fn)
        self._stack_depth += 1
        try:
            summary = self._analyze_function(fn)
        except RecursionError:
            self._poisoned = True
            summary = None
        finally:
            self._stack_depth -= 1
            self._in_progress.discard(fn)
        self._summaries[fn] = summary
        return summary

    def _empty_summary(self, fn: FunctionNode) -> Summary:
        cls = self.owner_class.get(fn)
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
        offset = 1 if cls is not None and not self._is_static(fn) else 0
        return Summary(fn.name, params, len(ordered), vararg, kwarg, offset, path=self.path)

    def _analyze_function(self, fn: FunctionNode) -> Summary:
        cls = self.owner_class.get(fn)
        static = self._is_static(fn)
        is_method = cls is not None and not static
        entry = self._entry(fn, is_method)
        summary = self._empty_summary(fn)  # filled in by the analysis
        kind_of_self = None
        if is_method and cls is not None:
            kind_of_self = handler_kind(self.facts, self.spec, cls, self.classes) or f"class:{cls.name}"
        # A function nothing here calls needs no summary in terms of its parameters (files of the
        # project ask for summaries of the functions they import, so those always get one).
        summarize = (
            self.step_path is not None
            or fn.name in self._called_names()
            or (fn.name.startswith("__") and fn.name.endswith("__"))  # called by the language
        )
        memo = self.memo
        if memo is not None:
            record = memo.records.get(fn)
            if (
                record is not None
                and record.summarize == summarize
                and record.kind_of_self == kind_of_self
                and record.entry == entry
                and self._replay(record)
            ):
                memo.replayed += 1
                return record.summary  # type: ignore[return-value]
            memo.analyzed += 1
            events: list[Event] = []
            self._recording.append(events)
            try:
                summary = self._interpret(fn, summary, entry, kind_of_self, summarize)
            finally:
                self._recording.pop()
            if not self._poisoned:
                memo.records[fn] = Record(entry, summarize, kind_of_self, events, summary)
            return summary
        return self._interpret(fn, summary, entry, kind_of_self, summarize)

    def _replay(self, record: Record) -> bool:
        """Redo a recorded analysis from its events; False at the first answer that differs
        (what was done until then is what a new analysis does first, so it may stay)."""
        scratch: list[Event] = []
        self._recording.append(scratch)
        try:
            functions = self._function_set()
            for event in record.events:
                kind = event[0]
                if kind == "sum":
                    if event[1] not in functions or not same_summary(self.summary_of(event[1]), event[2]):
                        return False
                elif kind == "hit":
                    self._record_hit(*event[1:])
                elif kind == "src":
                    self._note_source(event[1], event[2])
                elif kind == "snk":
                    self._note_sink(event[1], event[2], event[3])
                elif kind == "clr":
                    self._note_cleared(event[1], event[2])
                elif kind == "proj":
                    if not same_summary(self._project_summary(event[1]), event[2]):
                        return False
            return not self._poisoned
        finally:
            self._recording.pop()

    def _function_set(self) -> set[ast.AST]:
        if self._functions is None:
            self._functions = set(self.facts.functions)
        return self._functions

    def _interpret(
        self, fn: FunctionNode, summary: Summary, entry: Entry, kind_of_self: str | None, summarize: bool
    ) -> Summary:
        """Run a function's statements with labelled parameters; fills ``summary``."""
        cls = self.owner_class.get(fn)
        is_method = cls is not None and not self._is_static(fn)
        args = fn.args
        ordered = [*args.posonlyargs, *args.args]
        all_args = [*ordered, *args.kwonlyargs]
        if args.vararg is not None:
            all_args.append(args.vararg)
        if args.kwarg is not None:
            all_args.append(args.kwarg)
        env: Env = {}
        for index, arg in enumerate(all_args):
            taint: set[Label] = set()
            if summarize:
                span = self._span(arg)
                entered = FlowStep(span, f"parameter `{arg.arg}` of `{fn.name}()`", self.step_path)
                taint.add(Label(Origin("param", arg.arg, span, self.step_path, index=index), frozenset(), (entered,)))
            kind = None
            if index == 0 and kind_of_self is not None:
                kind = kind_of_self
            if arg.arg in entry.tainted:
                taint.add(self._make_source(arg, entry.tainted[arg.arg], local=False))
            if arg.arg in entry.objects:
                kind = entry.objects[arg.arg]
            env[arg.arg] = Val(frozenset(taint), (), kind)
        state = Frame(fn, cls, entry, summary, self.nested.get(fn, {}))
        if is_method and ordered:
            state.self_name = ordered[0].arg
        out = self._block(fn.body, env, state)
        summary.returns = state.returns
        summary.effects = list(state.effects.values())
        if state.self_name is not None:
            final = join_envs([out, *state.exits])
            self_val = final.get(state.self_name) if final else None
            summary.self_out = self._changed_fields(self_val)
        return summary

    @staticmethod
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

    def _span(self, node: ast.AST) -> Span:
        span = self._spans.get(node)
        if span is None:
            span = self._spans[node] = self.facts.source.span(node)
        return span

    def _text_of(self, node: ast.AST) -> str:
        """Shortened source text of a node, for messages."""
        text = self._texts.get(node)
        if text is None:
            text = self._texts[node] = short_text(self.facts.source.segment(node))
        return text

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

    def _make_source(self, node: ast.AST, description: str | None, *, local: bool) -> Label:
        shown = self._source_node(node) if description is None else node
        span = self._span(shown)
        text = description or f"`{self._text_of(shown)}`"
        if self._collect:
            self._note_source(text, shown)
        step = FlowStep(span, f"source: {text}", self.step_path)
        return Label(Origin("source", text, span, self.step_path, local), frozenset(), (step,))

    def _note_source(self, text: str, node: ast.AST) -> None:
        entry = f"{text} (line {getattr(node, 'lineno', 1)})"
        self.sources_seen.setdefault(entry)
        if self._recording:
            self._recording[-1].append(("src", text, node))

    def _note_sink(self, shown: str, what: str, node: ast.AST) -> None:
        entry = f"`{shown}` (line {getattr(node, 'lineno', 1)}): {what}"
        self.sinks_seen.setdefault(entry)
        if self._recording:
            self._recording[-1].append(("snk", shown, what, node))

    def _note_cleared(self, cls: str, node: ast.AST) -> None:
        self.cleared.setdefault((cls, node))
        if self._recording:
            self._recording[-1].append(("clr", cls, node))

    def _project_summary(self, name: str) -> Summary | None:
        summary = self.project.function_summary(name, self.spec, self.path) if self.project is not None else None
        if self._recording:
            self._recording[-1].append(("proj", name, summary))
        return summary

    def _source_val(self, node: ast.AST, name: str) -> Val:
        local = name in self.spec.local_sources
        return Val(frozenset({self._make_source(node, None, local=local)}))

    # -- statements --------------------------------------------------------------------

    def _block(self, body: list[ast.stmt], env: Env, fn: Frame, *, module_level: bool = False) -> Env | None:
        current: Env | None = env
        for statement in body:
            if current is None:
                return None
            current = self._statement(statement, current, fn, module_level)
        return current

    def _statement(self, node: ast.stmt, env: Env, fn: Frame, module_level: bool) -> Env | None:
        if isinstance(node, ast.Assign):
            value = self._eval(node.value, env, fn)
            for target in node.targets:
                self._assign(target, value, env, fn, node.value)
            return env
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self._assign(node.target, self._eval(node.value, env, fn), env, fn, node.value)
            return env
        if isinstance(node, ast.AugAssign):
            value = self._eval(node.value, env, fn)
            old = (
                self._eval(node.target, env, fn)
                if not isinstance(node.target, ast.Name)
                else self._lookup(node.target.id, env)
            )
            combined = Val(bound(whole(old) | self._string_op_taint(node.value, value, node.op)), (), None)
            if isinstance(old, Val) and old.parts and isinstance(node.op, ast.Add):
                combined = add_to_rest(old, value)
            self._assign(node.target, combined, env, fn, node.value)
            return env
        if isinstance(node, ast.Expr):
            value = node.value
            self._eval(value, env, fn)
            if isinstance(value, ast.Call) and self.facts.qualname(value.func) in self.spec.noreturn:
                return None
            return env
        if isinstance(node, ast.Return):
            value = self._eval(node.value, env, fn) if node.value is not None else EMPTY
            fn.returns = join(fn.returns, value)
            if fn.entry.returns_html and node.value is not None:
                self._check_html_return(node.value, value, fn)
            if fn.self_name is not None:
                fn.exits.append(env)
            return None
        if isinstance(node, ast.If):
            truth = self._static_truth(node.test, env)
            if truth is True:
                return self._block(node.body, env, fn, module_level=module_level)
            if truth is False:
                return self._block(node.orelse, env, fn, module_level=module_level)
            self._eval(node.test, env, fn)
            yes = self._refine(node.test, dict(env), True, fn)
            no = self._refine(node.test, dict(env), False, fn)
            return join_envs(
                [
                    self._block(node.body, yes, fn, module_level=module_level),
                    self._block(node.orelse, no, fn, module_level=module_level),
                ]
            )
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return self._loop(node, env, fn)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self._eval(item.context_expr, env, fn)
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, value, env, fn, item.context_expr)
            return self._block(node.body, env, fn, module_level=module_level)
        if isinstance(node, (ast.Try, ast.TryStar)):
            return self._try(node, env, fn, module_level)
        if isinstance(node, ast.Raise):
            if node.exc is not None:
                self._eval(node.exc, env, fn)
            if fn.self_name is not None:
                fn.exits.append(env)
            return None
        if isinstance(node, (ast.Break, ast.Continue)):
            if fn.loops:
                fn.loops[-1][0 if isinstance(node, ast.Break) else 1].append(env)
            return None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not module_level:
                env[node.name] = EMPTY
            return env
        if isinstance(node, ast.Assert):
            self._eval(node.test, env, fn)
            return self._refine(node.test, env, True, fn)
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

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While, env: Env, fn: Frame) -> Env | None:
        state = env
        exits: list[Env] = []
        forever = False
        element = EMPTY
        if isinstance(node, ast.While):
            truth = self._static_truth(node.test, env)
            if truth is False:
                return self._block(node.orelse, env, fn)
            forever = truth is True
        else:
            element = as_whole(self._eval(node.iter, env, fn))
            element = Val(element.taint, (), None)
        for _ in range(MAX_LOOP_ITERATIONS):
            body_env = dict(state)
            if isinstance(node, ast.While):
                self._eval(node.test, body_env, fn)
                body_env = self._refine(node.test, body_env, True, fn)
            else:
                self._assign(node.target, element, body_env, fn, node.iter)
            fn.loops.append(([], []))
            out = self._block(node.body, body_env, fn)
            breaks, continues = fn.loops.pop()
            exits.extend(breaks)
            new_state = join_envs([state, out, *continues]) or state
            if new_state == state:
                break
            state = new_state
        after: Env | None
        if forever:
            after = None
        else:
            if isinstance(node, ast.While):
                state = self._refine(node.test, dict(state), False, fn)
            after = self._block(node.orelse, dict(state), fn)
        return join_envs([after, *exits])

    def _try(self, node: ast.Try | ast.TryStar, env: Env, fn: Frame, module_level: bool) -> Env | None:
        body_out = self._block(node.body, dict(env), fn, module_level=module_level)
        handler_in = join_envs([env, body_out]) or env
        outs: list[Env | None] = []
        if body_out is not None:
            outs.append(self._block(node.orelse, body_out, fn, module_level=module_level))
        for handler in node.handlers:
            handler_env = dict(handler_in)
            if handler.name:
                handler_env[handler.name] = EMPTY
            outs.append(self._block(handler.body, handler_env, fn, module_level=module_level))
        result = join_envs(outs)
        if node.finalbody:
            if result is None:
                self._block(node.finalbody, dict(handler_in), fn, module_level=module_level)
                return None
            return self._block(node.finalbody, result, fn, module_level=module_level)
        return result

    def _match(self, node: ast.Match, env: Env, fn: Frame, module_level: bool) -> Env | None:
        subject = as_whole(self._eval(node.subject, env, fn))
        outs: list[Env | None] = [env]
        for case in node.cases:
            case_env = dict(env)
            if self._literal_pattern(case.pattern):
                self._clean_path(node.subject, case_env, ALL)
            for sub in ast.walk(case.pattern):
                name = getattr(sub, "name", None) or getattr(sub, "rest", None)
                if isinstance(name, str):
                    case_env[name] = subject
            if case.guard is not None:
                self._eval(case.guard, case_env, fn)
                case_env = self._refine(case.guard, case_env, True, fn)
            outs.append(self._block(case.body, case_env, fn, module_level=module_level))
        return join_envs(outs)

    @classmethod
    def _literal_pattern(cls, pattern: ast.pattern) -> bool:
        """``case "a" | "b":`` matches only constants."""
        if isinstance(pattern, ast.MatchValue):
            return isinstance(pattern.value, (ast.Constant, ast.Attribute))
        if isinstance(pattern, ast.MatchSingleton):
            return True
        if isinstance(pattern, ast.MatchOr):
            return all(cls._literal_pattern(p) for p in pattern.patterns)
        return False

    # -- conditions ----------------------------------------------------------------------

    def _static_truth(self, test: ast.expr, env: Env) -> bool | None:
        if isinstance(test, ast.Constant):
            return bool(test.value)
        if isinstance(test, ast.Name):
            if test.id == "TYPE_CHECKING":
                return False
            value = env.get(test.id) or self.globals.get(test.id)
            if value is not None and value.const is not NO_CONST and not value.taint:
                try:
                    return bool(value.const)
                except Exception:
                    return None
            return None
        if isinstance(test, ast.Attribute):
            if test.attr == "TYPE_CHECKING":
                return False
            return None
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self._static_truth(test.operand, env)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            values = [self._static_truth(v, env) for v in test.values]
            if isinstance(test.op, ast.And):
                if any(v is False for v in values):
                    return False
                return True if all(v is True for v in values) else None
            if any(v is True for v in values):
                return True
            return False if all(v is False for v in values) else None
        if isinstance(test, (ast.Compare, ast.BinOp, ast.UnaryOp)):
            value = self._folded(test, env)
            if value is not NO_CONST:
                try:
                    return bool(value)
                except Exception:
                    return None
        return None

    def _folded(self, node: ast.expr, env: Env, depth: int = 0) -> object:
        """The value of arithmetic and comparisons over constants and constant variables
        (``(7 * 42) - num > 200`` with ``num = 86``), or ``NO_CONST``."""
        if depth > 20:
            return NO_CONST
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, (int, float, str, bool)) else NO_CONST
        if isinstance(node, ast.Name):
            value = self._lookup(node.id, env)
            if value.taint or value.parts:
                return NO_CONST
            return value.const if isinstance(value.const, (int, float, str, bool)) else NO_CONST
        try:
            if isinstance(node, ast.UnaryOp):
                operand = self._folded(node.operand, env, depth + 1)
                if operand is NO_CONST:
                    return NO_CONST
                return _UNARY[type(node.op)](operand) if type(node.op) in _UNARY else NO_CONST
            if isinstance(node, ast.BinOp):
                left = self._folded(node.left, env, depth + 1)
                right = self._folded(node.right, env, depth + 1)
                if left is NO_CONST or right is NO_CONST or type(node.op) not in _BINARY:
                    return NO_CONST
                if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
                    # Strings only join; nothing that could build a huge value.
                    if not (isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str)):
                        return NO_CONST
                if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 10**6):  # type: ignore[arg-type]
                    return NO_CONST
                return _BINARY[type(node.op)](left, right)
            if isinstance(node, ast.Compare):
                left = self._folded(node.left, env, depth + 1)
                for op, comparator in zip(node.ops, node.comparators, strict=True):
                    right = self._folded(comparator, env, depth + 1)
                    if left is NO_CONST or right is NO_CONST or type(op) not in _COMPARE:
                        return NO_CONST
                    if not _COMPARE[type(op)](left, right):
                        return False
                    left = right
                return True
        except (ArithmeticError, TypeError, ValueError):
            return NO_CONST
        return NO_CONST

    def _refine(self, test: ast.expr, env: Env, truth: bool, fn: Frame) -> Env:
        """Narrow the environment where ``test`` is ``truth`` (allowlists, validators)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self._refine(test.operand, env, not truth, fn)
        if isinstance(test, ast.BoolOp):
            if (isinstance(test.op, ast.And) and truth) or (isinstance(test.op, ast.Or) and not truth):
                for value in test.values:
                    env = self._refine(value, env, truth, fn)
            return env
        if isinstance(test, ast.Name) and truth and test.id in fn.lookups:
            self._clean_path(fn.lookups[test.id], env, ALL)  # ``if found:`` — the key was in the table
            return env
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op = test.ops[0]
            left, right = test.left, test.comparators[0]
            if (
                isinstance(left, ast.Name)
                and left.id in fn.lookups
                and isinstance(op, (ast.Is, ast.IsNot))
                and isinstance(right, ast.Constant)
                and right.value is None
                and isinstance(op, ast.IsNot) == truth
            ):
                self._clean_path(fn.lookups[left.id], env, ALL)
                return env
            if isinstance(op, (ast.In, ast.NotIn)):
                if (isinstance(op, ast.In)) == truth and not whole(self._eval(right, dict(env), fn)):
                    if not self._update(left, env, lambda v: cleaned(v, ALL)):
                        self._clean_parsed_url(left, env)
            elif isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)):
                positive = isinstance(op, (ast.Eq, ast.Is))
                if positive == truth:
                    if isinstance(right, ast.Constant):
                        self._clean_path(left, env, ALL)
                    elif isinstance(left, ast.Constant):
                        self._clean_path(right, env, ALL)
            return env
        if isinstance(test, ast.Call) and truth:
            guard = self._guard_of(test)
            if guard is not None:
                target, classes = guard
                if target is not None:
                    self._clean_path(target, env, classes)
            name = self.facts.qualname(test.func)
            if name == "builtins.isinstance" and len(test.args) == 2:
                kinds = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
                names = {self.facts.qualname(k) for k in kinds}
                if names and names <= {"builtins.int", "builtins.float", "builtins.bool", "uuid.UUID"}:
                    self._clean_path(test.args[0], env, ALL)
        return env

    def _clean_parsed_url(self, node: ast.expr, env: Env) -> None:
        """``urlparse(url).hostname in ALLOWED`` vouches for the host of ``url``."""
        current = node
        while isinstance(current, (ast.Attribute, ast.Subscript)):
            current = current.value
        if isinstance(current, ast.Call) and current.args:
            name = self.facts.qualname(current.func)
            if name in ("urllib.parse.urlparse", "urllib.parse.urlsplit"):
                self._update(current.args[0], env, lambda v: cleaned(v, frozenset({"ssrf", "redirect"})))

    def _guard_of(self, call: ast.Call) -> tuple[ast.expr | None, frozenset[str]] | None:
        guards = self.spec.guards
        name = self.facts.qualname(call.func)
        entry = guards.get(name) if name else None
        if entry is None and isinstance(call.func, ast.Attribute):
            entry = guards.get("." + call.func.attr)
            if entry is not None and name is not None and name.split(".")[0] in STDLIB and name not in guards:
                entry = None
        if entry is None:
            return None
        position, classes = entry
        if name in ("re.match", "re.search") and call.args:
            pattern = call.args[0]
            if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
                return None
            if not pattern.value.endswith(("$", "\\Z")):
                return None
            if name == "re.search" and not pattern.value.startswith(("^", "\\A")):
                return None
        if position == -1:
            target = call.func.value if isinstance(call.func, ast.Attribute) else None
        else:
            target = call.args[position] if position < len(call.args) else None
        return target, classes

    def _note_lookup(self, name: str, value_node: ast.AST | None, env: Env, fn: Frame) -> None:
        """Remember ``name = TABLE.get(key)`` with a trusted table: a later ``name is None`` check
        tells whether ``key`` is one of the table's keys."""
        fn.lookups.pop(name, None)
        if not (
            isinstance(value_node, ast.Call)
            and isinstance(value_node.func, ast.Attribute)
            and value_node.func.attr == "get"
            and len(value_node.args) == 1
            and isinstance(value_node.args[0], (ast.Name, ast.Attribute))
        ):
            return
        receiver = value_node.func.value
        base = receiver
        while isinstance(base, ast.Attribute):
            base = base.value
        plain = isinstance(base, ast.Name)  # evaluating a name path changes nothing
        table = self._eval(receiver, env if plain else dict(env), fn)
        if not whole(table) and table.kind is None:
            fn.lookups[name] = value_node.args[0]

    def _clean_path(self, node: ast.expr, env: Env, classes: frozenset[str]) -> None:
        self._update(node, env, lambda v: cleaned(v, classes))

    def _update(self, node: ast.expr, env: Env, change: Callable[[Val], Val]) -> bool:
        """Apply ``change`` to the value stored at a name / attribute / constant-key path."""
        if isinstance(node, ast.Name):
            env[node.id] = change(self._lookup(node.id, env))
            return True
        if isinstance(node, ast.Attribute):
            key = "." + node.attr
            return self._update(node.value, env, lambda base: set_part(base, key, change(get_part(base, key))))
        if isinstance(node, ast.Subscript):
            key = self._const_key(node.slice)
            if key is None:
                return False
            return self._update(node.value, env, lambda base: set_part(base, key, change(get_part(base, key))))
        return False

    # -- assignment ------------------------------------------------------------------------

    @staticmethod
    def _const_key(node: ast.expr) -> str | None:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (str, int, bytes))
            and not isinstance(node.value, bool)
        ):
            return repr(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return repr(-node.operand.value) if isinstance(node.operand.value, int) else None
        return None

    def _keys_of(self, nodes: list[ast.expr]) -> str | None:
        """The part key for constant keys: ``'k'`` for one, ``('s','k')`` for several."""
        keys = [self._const_key(node) for node in nodes]
        if not keys or any(key is None for key in keys):
            return None
        return keys[0] if len(keys) == 1 else "(" + ",".join(keys) + ")"  # type: ignore[arg-type]

    def _assign(self, target: ast.expr, value: Val, env: Env, fn: Frame, value_node: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self._note_lookup(target.id, value_node, env, fn)
            if value.taint or value.parts:
                step = FlowStep(self._span(target), f"assigned to `{target.id}`", self.step_path)
                value = with_step(value, step)
            env[target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            starred = any(isinstance(e, ast.Starred) for e in target.elts)
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self._assign(element.value, as_whole(value), env, fn, value_node)
                elif starred:
                    self._assign(element, Val(whole(value)), env, fn, value_node)
                else:
                    self._assign(element, get_part(value, repr(index)), env, fn, value_node)
            return
        if isinstance(target, ast.Starred):
            self._assign(target.value, as_whole(value), env, fn, value_node)
            return
        if value.taint or value.parts:
            spelled = self._text_of(target)
            value = with_step(value, FlowStep(self._span(target), f"assigned to `{spelled}`", self.step_path))
        if isinstance(target, ast.Attribute):
            key = "." + target.attr
            self._update(target.value, env, lambda base: set_part(base, key, value))
            return
        if isinstance(target, ast.Subscript):
            self._check_store(target, value, env, fn)
            key = self._const_key(target.slice)
            if key is None:
                self._update(target.value, env, lambda base: add_to_rest(base, value))
            else:
                self._update(target.value, env, lambda base: set_part(base, key, value))

    # -- expressions ---------------------------------------------------------------------------

    def _lookup(self, name: str, env: Env) -> Val:
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
            return self._source_val(node, qualified)
        return EMPTY

    def _eval(self, node: ast.expr | None, env: Env, fn: Frame) -> Val:
        if node is None:
            return EMPTY
        if isinstance(node, ast.Constant):
            return Val(const=node.value)
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in self.globals:
                return self.globals[node.id]
            qualified = self.facts.imports.resolve_name(node.id)
            if qualified is not None:
                return self._qualified_val(qualified, node)
            return EMPTY
        if isinstance(node, ast.Attribute):
            qualified = self.facts.qualname(node)
            if qualified is not None and (qualified in self.spec.attr_sources or qualified in self.spec.object_kinds):
                return self._qualified_val(qualified, node)
            base = self._eval(node.value, env, fn)
            return self._attribute(base, node)
        if isinstance(node, ast.Subscript):
            base = self._eval(node.value, env, fn)
            key = self._const_key(node.slice)
            if key is None:
                index = self._eval(node.slice, env, fn)
                if isinstance(node.slice, ast.Slice):
                    return Val(whole(base))
                return Val(whole(base)) if not index.taint else Val(bound(whole(base) | index.taint))
            return get_part(base, key)
        if isinstance(node, ast.Call):
            return self._call(node, env, fn)
        if isinstance(node, ast.BinOp):
            left = self._eval(node.left, env, fn)
            right = self._eval(node.right, env, fn)
            if isinstance(node.op, ast.Add) and isinstance(node.left, (ast.List, ast.Tuple)):
                return add_to_rest(left, right) if not right.is_empty else left
            if isinstance(node.op, ast.Add) and isinstance(left.const, str) and not left.taint:
                taint = self._prefixed(left.const, whole(right))
            else:
                taint = whole(left) | self._string_op_taint(node.right, right, node.op, prefix=node.left)
            if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
                taint = whole(left) | self._prefixed(str(node.left.value), whole(right))
            if isinstance(node.op, ast.Mod) and left.kind in MARKUP_KINDS:
                escaped = frozenset(lab.cleaned_for(frozenset({"xss"})) for lab in whole(right))
                return Val(bound(whole(left) | escaped), (), left.kind)
            const = NO_CONST
            if isinstance(left.const, str) and isinstance(right.const, str) and isinstance(node.op, ast.Add):
                const = left.const + right.const
            kind = (
                left.kind if isinstance(node.op, ast.Div) and left.kind and left.kind.startswith("pathlib.") else None
            )
            return Val(bound(taint), (), kind, const)
        if isinstance(node, ast.JoinedStr):
            return Val(self._fstring_taint(node, env, fn))
        if isinstance(node, ast.FormattedValue):
            return as_whole(self._eval(node.value, env, fn))
        if isinstance(node, ast.BoolOp):
            result = EMPTY
            for value in node.values:
                result = join(result, self._eval(value, env, fn))
            return Val(result.taint, result.parts, result.kind)
        if isinstance(node, ast.IfExp):
            truth = self._static_truth(node.test, env)
            if truth is True:
                return self._eval(node.body, env, fn)
            if truth is False:
                return self._eval(node.orelse, env, fn)
            self._eval(node.test, env, fn)
            yes = self._eval(node.body, self._refine(node.test, dict(env), True, fn), fn)
            no = self._eval(node.orelse, self._refine(node.test, dict(env), False, fn), fn)
            return join(yes, no)
        if isinstance(node, (ast.Tuple, ast.List)):
            parts: list[tuple[str, Val]] = []
            rest = EMPTY
            starred = False
            for index, element in enumerate(node.elts):
                if isinstance(element, ast.Starred):
                    rest = join(rest, as_whole(self._eval(element.value, env, fn)))
                    starred = True
                    continue
                value = self._eval(element, env, fn)
                if starred:
                    rest = join(rest, as_whole(value))
                else:
                    parts.append((repr(index), value if value.const is NO_CONST else EMPTY))
            if not rest.is_empty:
                parts.append(("*", Val(rest.taint)))
            parts.sort(key=lambda kv: kv[0])
            return Val(EMPTY_TAINT, tuple(parts))
        if isinstance(node, ast.Set):
            taint: set[Label] = set()
            for element in node.elts:
                taint |= whole(self._eval(element, env, fn))
            return Val(bound(frozenset(taint)))
        if isinstance(node, ast.Dict):
            parts_d: dict[str, Val] = {}
            rest = EMPTY
            for key_node, value_node in zip(node.keys, node.values, strict=False):
                value = self._eval(value_node, env, fn)
                if key_node is None:
                    rest = join(rest, as_whole(value))
                    continue
                key = self._const_key(key_node)
                if key is None:
                    rest = join(rest, as_whole(join(value, self._eval(key_node, env, fn))))
                elif value.taint or value.parts or value.kind:
                    parts_d[key] = value
            if not rest.is_empty:
                parts_d["*"] = Val(rest.taint)
            return Val(EMPTY_TAINT, tuple(sorted(parts_d.items())))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node, env, fn)
        if isinstance(node, ast.Await):
            return self._eval(node.value, env, fn)
        if isinstance(node, ast.NamedExpr):
            value = self._eval(node.value, env, fn)
            self._assign(node.target, value, env, fn, node.value)
            return value
        if isinstance(node, ast.Starred):
            return as_whole(self._eval(node.value, env, fn))
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, env, fn)
            return EMPTY if isinstance(node.op, ast.Not) else Val(whole(value))
        if isinstance(node, ast.Compare):
            self._eval(node.left, env, fn)
            for comparator in node.comparators:
                self._eval(comparator, env, fn)
            return EMPTY
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            if node.value is not None:
                fn.returns = join(fn.returns, as_whole(self._eval(node.value, env, fn)))  # what the caller iterates
            return EMPTY
        return EMPTY

    def _attribute(self, base: Val, node: ast.Attribute) -> Val:
        kind = base.kind
        if kind is not None:
            attrs = self.spec.object_sources.get(kind)
            if attrs is not None and node.attr in attrs:
                label = self._make_source(node, None, local=False)
                already = self.spec.source_cleaned.get(f"{kind}.{node.attr}")
                return Val(frozenset({label.cleaned_for(already) if already else label}))
        value = get_part(base, "." + node.attr)
        if kind is not None and value.kind is None and not kind.startswith("class:"):
            return Val(value.taint, value.parts, f"{kind}.{node.attr}", value.const)
        return value

    # -- strings ---------------------------------------------------------------------------------

    def _prefixed(self, prefix: str, taint: frozenset[Label]) -> frozenset[Label]:
        """Data after a fixed ``scheme://host/`` (or ``/path``) prefix cannot change the host."""
        if not taint:
            return taint
        fixed: set[str] = set()
        head = prefix.split("%", 1)[0].split("{", 1)[0]
        if "://" in head:
            rest = head.split("://", 1)[1]
            if any(c in rest for c in "/?#"):
                fixed = {"ssrf", "redirect"}
        elif head.startswith("/") and len(head) > 1 and head[1] not in "/\\":
            fixed = {"redirect"}
        if not fixed:
            return taint
        return frozenset(lab.cleaned_for(frozenset(fixed)) for lab in taint)

    def _string_op_taint(
        self, node: ast.expr, value: Val, op: ast.operator, prefix: ast.expr | None = None
    ) -> frozenset[Label]:
        taint = whole(value)
        if isinstance(op, ast.Add) and prefix is not None:
            text = self._literal_prefix(prefix)
            if text:
                taint = self._prefixed(text, taint)
        return taint

    def _literal_prefix(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            return str(node.values[0].value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._literal_prefix(node.left)
        return ""

    def _fstring_taint(self, node: ast.JoinedStr, env: Env, fn: Frame) -> frozenset[Label]:
        taint: frozenset[Label] = EMPTY_TAINT
        prefix = ""
        seen_value = False
        for part in node.values:
            if isinstance(part, ast.Constant):
                if not seen_value:
                    prefix += str(part.value)
                continue
            evaluated = self._eval(part, env, fn)
            if not seen_value and isinstance(evaluated.const, str) and not evaluated.taint:
                prefix += evaluated.const
                continue
            value = whole(evaluated)
            if not seen_value:
                value = self._prefixed(prefix, value)
            else:
                value = self._prefixed(prefix, value) if "://" in prefix or prefix.startswith("/") else value
            seen_value = True
            taint = taint | value
        return bound(taint)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, env: Env, fn: Frame
    ) -> Val:
        inner = dict(env)
        for generator in node.generators:
            iterable = Val(whole(self._eval(generator.iter, inner, fn)))
            self._assign(generator.target, iterable, inner, fn, generator.iter)
            for condition in generator.ifs:
                self._eval(condition, inner, fn)
                inner = self._refine(condition, inner, True, fn)
        if isinstance(node, ast.DictComp):
            taint = whole(self._eval(node.key, inner, fn)) | whole(self._eval(node.value, inner, fn))
        else:
            taint = whole(self._eval(node.elt, inner, fn))
        return Val(EMPTY_TAINT, (("*", Val(bound(taint))),)) if taint else EMPTY

    # -- calls -------------------------------------------------------------------------------------

    def _call(self, node: ast.Call, env: Env, fn: Frame) -> Val:
        func = node.func
        name = self.facts.qualname(func)
        method = func.attr if isinstance(func, ast.Attribute) else None
        receiver = self._eval(func.value, env, fn) if isinstance(func, ast.Attribute) else None
        callee = self._attribute(receiver, func) if receiver is not None and isinstance(func, ast.Attribute) else None
        args: list[Val] = [self._eval(arg, env, fn) for arg in node.args]
        keyword_values: list[Val] = [self._eval(kw.value, env, fn) for kw in node.keywords]
        kwargs: dict[str | None, Val] = {}
        for kw, value in zip(node.keywords, keyword_values, strict=True):
            kwargs[kw.arg] = join(kwargs[kw.arg], value) if kw.arg in kwargs else value
        module_call = (
            name is not None
            and name.split(".")[0] in STDLIB
            and not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in env)
        )

        # Sinks (checked on the arguments as they are).
        reported = self._check_sinks(node, name, method, receiver, args, kwargs, fn, module_call, env)
        result = self._call_result(node, name, method, receiver, callee, args, keyword_values, kwargs, env, fn)
        return cleaned(result, reported) if reported else result

    def _call_result(
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
    ) -> Val:
        facts = self.facts
        spec = self.spec
        func = node.func
        module_call = (
            name is not None
            and name.split(".")[0] in STDLIB
            and not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in env)
        )

        # Sources.
        if name is not None and name in spec.call_sources:
            return self._source_val(node, name)
        if method is not None and method in spec.method_sources and not module_call:
            local = spec.method_sources[method] == "local"
            return Val(frozenset({self._make_source(node, None, local=local)}))

        # Sanitizers (by qualified name), calls whose result carries no data.
        classes = spec.sanitizers.get(name) if name is not None else None
        if classes is not None:
            if ALL_CLASSES in classes:
                return EMPTY
            return cleaned(Val(self._all_taint(None, args, kwargs)), classes)
        if name is not None and name in spec.clean_calls:
            return EMPTY

        # Functions and methods of this module (and of the project).
        resolved = self._resolve(node, name, receiver, args, keyword_values, env, fn)
        if resolved is not None:
            return resolved

        # Sanitizing methods (``.hexdigest()``, ``.isdigit()``).
        if method is not None and not module_call:
            classes = spec.method_sanitizers.get(method)
            if classes is not None:
                if ALL_CLASSES in classes:
                    return EMPTY
                return cleaned(Val(self._all_taint(receiver, args, kwargs)), classes)

        if method is not None and receiver is not None and not module_call:
            handled = self._container_method(node, method, receiver, args, kwargs, env, fn)
            if handled is not None:
                return handled
            if method in spec.string_methods:
                if receiver.kind in MARKUP_KINDS and method in ("format", "join"):
                    escaped = self._all_taint(receiver, args, kwargs)
                    return Val(frozenset(lab.cleaned_for(frozenset({"xss"})) for lab in escaped), (), receiver.kind)
                data = whole(receiver) | (callee.taint if callee is not None else EMPTY_TAINT)
                if method in ("format", "format_map"):
                    prefix = self._literal_prefix(func.value)  # type: ignore[union-attr]
                    extra: frozenset[Label] = EMPTY_TAINT
                    for value in (*args, *kwargs.values()):
                        extra = extra | whole(value)
                    data = data | (self._prefixed(prefix, extra) if prefix else extra)
                elif method == "join":
                    data = data | (whole(args[0]) if args else EMPTY_TAINT)
                elif method == "replace" and len(args) >= 2:
                    old = node.args[0]
                    data = data | whole(args[1])
                    if (
                        isinstance(old, ast.Constant)
                        and isinstance(old.value, str)
                        and ("\n" in old.value or "\r" in old.value)
                    ):
                        return cleaned(Val(bound(data)), frozenset({"log", "header"}))
                path_kind = receiver.kind if receiver.kind and receiver.kind.startswith("pathlib.") else None
                return Val(bound(data), (), path_kind) if data or path_kind else EMPTY
        if name is not None and name in ("builtins.str", "builtins.format", "builtins.repr"):
            return Val(self._all_taint(None, args, kwargs)) if args else EMPTY
        if callee is not None and callee.taint and method in spec.string_methods:
            return Val(callee.taint)

        # Anything else: the result depends on the receiver and the arguments.
        data = self._all_taint(receiver, args, kwargs)
        if callee is not None:
            data = data | callee.taint
        kind = None
        if name is not None:
            kind = name + "()"
        elif receiver is not None and receiver.kind is not None and method is not None:
            kind = f"{receiver.kind}.{method}()"
        if method == "get" and "type" in kwargs:
            type_node = next((kw.value for kw in node.keywords if kw.arg == "type"), None)
            if type_node is not None and facts.qualname(type_node) in spec.sanitizers:
                return EMPTY
        if not data:
            return Val(kind=kind)
        marked = frozenset(lab.cleaned_for(frozenset({OPAQUE})) for lab in data)
        return Val(bound(marked), (), kind)

    @staticmethod
    def _all_taint(receiver: Val | None, args: list[Val], kwargs: dict[str | None, Val]) -> frozenset[Label]:
        taint: frozenset[Label] = whole(receiver) if receiver is not None else EMPTY_TAINT
        for value in args:
            taint = taint | whole(value)
        for value in kwargs.values():
            taint = taint | whole(value)
        return bound(taint)

    def _container_method(
        self,
        node: ast.Call,
        method: str,
        receiver: Val,
        args: list[Val],
        kwargs: dict[str | None, Val],
        env: Env,
        fn: Frame,
    ) -> Val | None:
        target = node.func.value  # type: ignore[attr-defined]
        if method == "set" and len(node.args) >= 2 and len(args) == len(node.args):
            # ``set(section, key, value)`` (configparser, caches): what is stored comes back out
            # of ``get`` with the same constant keys.
            value = args[-1]
            key = self._keys_of(node.args[:-1])
            if key is not None:
                self._update(target, env, lambda base: set_part(base, key, value))
            elif value.taint or value.parts:
                self._update(target, env, lambda base: add_to_rest(base, value))
            return EMPTY
        if method in MUTATORS_ADD and args:
            value = args[-1]
            if value.taint or value.parts:
                self._update(target, env, lambda base: add_to_rest(base, value))
            return EMPTY
        if method in MUTATORS_EXTEND and (args or kwargs):
            value = Val(self._all_taint(None, args, kwargs))
            if value.taint:
                self._update(target, env, lambda base: add_to_rest(base, value))
            return EMPTY
        if method == "setdefault" and node.args:
            key = self._const_key(node.args[0])
            if key is not None and len(args) > 1:
                current = get_part(receiver, key)
                self._update(target, env, lambda base: set_part(base, key, join(current, args[1])))
                return join(current, args[1])
            return None
        if method in ("get", "pop") and len(node.args) >= 2:
            stored = self._keys_of(node.args[:2])
            if stored is not None and receiver.part(stored) is not None:
                return get_part(receiver, stored)  # ``conf.get(section, key)``
        if method in ("get", "pop") and node.args:
            key = self._const_key(node.args[0])
            if key is not None:
                value = get_part(receiver, key)
                if len(args) > 1:
                    value = join(value, args[1])
                if "type" in kwargs:
                    type_node = next((kw.value for kw in node.keywords if kw.arg == "type"), None)
                    if type_node is not None and self.facts.qualname(type_node) in self.spec.sanitizers:
                        return EMPTY
                return value
            return None
        if method == "pop" and not node.args:
            return Val(whole(receiver))
        if method in ("remove", "discard", "clear", "sort", "reverse"):
            return EMPTY
        if method in ("copy", "items", "values", "keys"):
            return receiver if method == "copy" else Val(whole(receiver))
        return None

    # -- interprocedural ----------------------------------------------------------------------------

    def _resolve(
        self,
        node: ast.Call,
        name: str | None,
        receiver: Val | None,
        arg_values: list[Val],
        keyword_values: list[Val],
        env: Env,
        fn: Frame,
    ) -> Val | None:
        if not self._collect:
            return None  # the pass that only collects module-level values calls nothing
        func = node.func
        target: FunctionNode | None = None
        bound_self: Val | None = None
        constructor: ast.ClassDef | None = None
        receiver_name: ast.expr | None = None
        if isinstance(func, ast.Name):
            if func.id in env and not env[func.id].is_empty:
                return None
            target = fn.local_defs.get(func.id) or (self.module_functions.get(func.id) if func.id not in env else None)
            if target is None and func.id in self.classes and func.id not in env:
                constructor = self.classes[func.id]
        elif isinstance(func, ast.Attribute):
            base = func.value
            cls: ast.ClassDef | None = None
            if isinstance(base, ast.Name) and base.id in ("self", "cls") and fn.cls is not None:
                cls = fn.cls
                bound_self = receiver
                receiver_name = base
            elif receiver is not None and receiver.kind and receiver.kind.startswith("class:"):
                cls = self.classes.get(receiver.kind[6:])
                bound_self = receiver
                receiver_name = base
            elif isinstance(base, ast.Name) and base.id in self.classes and base.id not in env:
                cls = self.classes[base.id]
            if cls is not None:
                target = self._method(cls, func.attr)
        summary: Summary | None = None
        if constructor is not None:
            init = self._method(constructor, "__init__")
            summary = self.summary_of(init) if init is not None else None
            bound_self = Val(kind=f"class:{constructor.name}")
            if summary is None:
                return Val(kind=f"class:{constructor.name}")
        elif target is not None:
            summary = self.summary_of(target)
        elif name is not None and self.project is not None and name.split(".")[0] not in STDLIB and "." in name:
            if name.split(".")[0] in self.imports_prefixes:
                summary = self._project_summary(name)
        if summary is None:
            return None
        args = self._bind(summary, node, bound_self, arg_values, keyword_values)
        callee_name = self._text_of(func)
        result = self._apply(summary, node, args, callee_name, fn)
        if constructor is not None:
            self_out = summary.self_out or Val()
            value = self._substitute(self_out, args, node, callee_name, returning=False)
            return Val(value.taint, value.parts, f"class:{constructor.name}")
        if summary.self_out is not None and receiver_name is not None and bound_self is not None:
            updated = self._substitute(summary.self_out, args, node, callee_name, returning=False)
            self._update(receiver_name, env, lambda _old: Val(updated.taint, updated.parts, bound_self.kind))
        return result

    def _bind(
        self, summary: Summary, node: ast.Call, bound_self: Val | None, arg_values: list[Val], keyword_values: list[Val]
    ) -> dict[int, Val]:
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

    def _param_value(self, args: dict[int, Val], origin: Origin) -> Val:
        value = args.get(origin.index)
        if value is None:
            return EMPTY
        for key in origin.access:
            value = self._attribute_like(value, key)
        return value

    def _attribute_like(self, value: Val, key: str) -> Val:
        if key.startswith(".") and value.kind is not None:
            attrs = self.spec.object_sources.get(value.kind)
            if attrs is not None and key[1:] in attrs:
                return value  # the caller's object is itself the source container
        return get_part(value, key)

    def _substitute(self, value: Val, args: dict[int, Val], node: ast.Call, callee: str, *, returning: bool) -> Val:
        """Rewrite a summary value in the caller's terms: parameter labels become the arguments' labels."""
        call_span = self._span(node)
        into = FlowStep(call_span, f"passed to `{callee}()`", self.step_path)
        back = FlowStep(call_span, f"returned from `{callee}()`", self.step_path)
        result_taint: set[Label] = set()
        result = EMPTY
        for lab in value.taint:
            if lab.origin.kind != "param":
                result_taint.add(lab.with_step(back) if returning else lab)
                continue
            actual = self._param_value(args, lab.origin)
            if actual.is_empty:
                continue
            inner = lab.steps

            def rewrite(
                outer: Label, inner: tuple[FlowStep, ...] = inner, extra: frozenset[str] = lab.cleaned
            ) -> Label:
                steps = outer.steps + (into,) + inner + ((back,) if returning else ())
                if len(steps) > MAX_STEPS:
                    steps = steps[:4] + steps[-(MAX_STEPS - 4) :]
                return Label(outer.origin, outer.cleaned | extra, steps)

            result = join(result, map_labels(actual, rewrite))
        base = Val(bound(frozenset(result_taint) | result.taint), result.parts, value.kind or result.kind)
        for key, part in value.parts:
            base = set_part(base, key, self._substitute(part, args, node, callee, returning=returning))
        return base

    def _apply(self, summary: Summary, node: ast.Call, args: dict[int, Val], callee: str, fn: Frame) -> Val:
        call_span = self._span(node)
        into = FlowStep(call_span, f"passed to `{callee}()`", self.step_path)
        for effect in summary.effects:
            actual = self._param_value(args, Origin("param", "", call_span, index=effect.index, access=effect.access))
            for lab in in_order(whole(actual)):
                merged = lab.cleaned | effect.cleaned
                if effect.cls in merged or ALL_CLASSES in merged:
                    continue
                steps = (*lab.steps, into, *effect.steps)
                if len(steps) > MAX_STEPS:
                    steps = steps[:4] + steps[-(MAX_STEPS - 4) :]
                label = Label(lab.origin, merged, steps)
                same_file = effect.path == self.path and effect.node is not None
                where = effect.node if same_file else node
                if lab.origin.kind == "source":
                    if lab.origin.local and (effect.remote_only or effect.cls not in self.spec.local_classes):
                        continue
                    self._record_hit(effect.cls, effect.sink, effect.what, where, label)  # type: ignore[arg-type]
                elif fn.summary is not None:
                    self._record_effect(
                        fn,
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
                        ),
                        label,
                    )
        return self._substitute(summary.returns, args, node, callee, returning=True)

    # -- sinks -----------------------------------------------------------------------------------------


__all__ = ["Effect", "ModuleTaint", "SinkHit", "Summary", "SummaryProvider"]
