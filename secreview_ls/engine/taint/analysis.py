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

``ModuleTaint`` composes the parts, each of which receives what it uses: the module's
definitions (``ModuleIndex``), the facts of its scopes (``ScopeTable``), framework entries
(``Entries``), the relevance pass (``Relevance``), the interpreter with its conditions, calls
and sink checks, and the summaries; what they find goes to ``Results``.
"""

from __future__ import annotations

import ast
import itertools
import operator
from collections.abc import Callable

from ..evidence import SinkExamined, SourceSeen
from ..facts import ModuleFacts
from ..finding import FlowStep
from ..names import ImportMap
from ..source import SourceFile
from .calls import Calls
from .conditions import Conditions
from .converters import CleanConverters
from .definitions import COMPOUND, ModuleIndex, generated_fields
from .frameworks import Entries, Entry
from .interpreter import Interpreter
from .interprocedural import Interprocedural
from .kept_values import Kept, kept_bases, stored_values
from .memo import TaintMemo, same_env
from .module_state import State, state_readers, stored_state, through_state
from .relevance import KeptMarks, Relevance
from .results import Results
from .scopes import ScopeTable
from .sinks import SinkChecker
from .spec import TaintSpec, sink_index
from .state import Frame, NodeTexts
from .strings import FixedPrefixes
from .summaries import Summaries
from .summary import SinkHit, Summary, SummaryProvider
from .template_values import asked_value, class_text, class_value, literal_text, made_by_call, template_value
from .values import EMPTY, NO_CONST, Val, join

# The parts an analysis is made of. They refer to one another (the interpreter to its calls and
# back), so a dropped analysis waits for a cycle collection unless ``release`` cuts them apart.
_PARTS = (
    ModuleFacts,
    SourceFile,
    ImportMap,
    ModuleIndex,
    ScopeTable,
    Entries,
    Relevance,
    Interpreter,
    Summaries,
    SinkChecker,
    NodeTexts,
    FixedPrefixes,
    Conditions,
    Calls,
    Interprocedural,
    Results,
)

_IS_PART: dict[type, bool] = {}  # whether a type is (a subclass of) one of the parts, by type

_NAME = operator.attrgetter("name")
_UNKNOWN = object()  # a class whose fields are not listed yet


class ModuleTaint:
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
        self.step_path = self.path if external else None  # steps in another file name it
        self.depth = depth
        self.results = Results()
        self.state: State = {}  # module-level names with what functions kept there (a second pass)
        self.index = ModuleIndex(
            facts,
            memo.definitions if memo is not None else None,
            memo.member_definitions if memo is not None else None,
            memo.handlers if memo is not None else None,
        )
        self.scopes = ScopeTable(
            facts, spec, self.index, kept=(memo.scope_facts, memo.local_calls) if memo is not None else None
        )
        self.entries = Entries(
            facts,
            spec,
            owner_class=self.index.owner_class,
            imported_roots=self.index.imported_roots,
            called_directly=self.scopes.direct_calls,
            kept=memo.entries if memo is not None else None,
            clean_converter=CleanConverters(project, spec) if project is not None else None,
        )
        sinks = sink_index(spec)
        self.relevance = Relevance(
            facts,
            spec,
            index=self.index,
            scopes=self.scopes,
            entries=self.entries,
            sinks=sinks,
            project=project,
            path=self.path,
        )
        texts = NodeTexts(facts.source)
        prefixes = FixedPrefixes(spec)
        self.interpreter = Interpreter(
            facts, spec, results=self.results, texts=texts, prefixes=prefixes, step_path=self.step_path
        )
        self.summaries = Summaries(
            facts,
            spec,
            index=self.index,
            scopes=self.scopes,
            relevance=self.relevance,
            entries=self.entries,
            results=self.results,
            texts=texts,
            memo=memo,
            project=project,
            path=self.path,
            step_path=self.step_path,
        )
        self.sinks = SinkChecker(
            facts,
            spec,
            sinks=sinks,
            imported_roots=self.index.imported_roots,
            results=self.results,
            texts=texts,
            interpreter=self.interpreter,
            path=self.path,
            step_path=self.step_path,
            project=project,
        )
        interprocedural = Interprocedural(
            spec,
            index=self.index,
            summaries=self.summaries,
            results=self.results,
            texts=texts,
            interpreter=self.interpreter,
            follows_project=project is not None,
            path=self.path,
            step_path=self.step_path,
        )
        calls = Calls(
            facts,
            spec,
            interpreter=self.interpreter,
            sinks=self.sinks,
            interprocedural=interprocedural,
            prefixes=prefixes,
        )
        self.interpreter.connect(calls, self.sinks)
        self._calls = calls
        self.summaries.connect(self.interpreter, self.sinks.template_answer, calls.class_attribute_text)

    def release(self, *, facts: bool = True) -> None:
        """Empty this analysis and its parts, its facts included, so that dropping it frees it at
        once by reference counting, also where the collector has frozen it (a scan freezes what
        survives each file). Only for an analysis nobody uses any more, such as the index's
        analyses of other files; what it returned (hits, summaries) stays valid. With ``facts``
        false, the module's facts, source and import map are left whole: for an analysis whose
        facts other rules share (its parts refer to one another, so without this the whole
        syntax tree they hold waits for a cycle collection)."""
        shared = () if facts else (ModuleFacts, SourceFile, ImportMap)
        stack: list[object] = [self]
        seen: set[int] = set()
        while stack:
            part = stack.pop()
            if id(part) in seen or isinstance(part, shared):
                continue
            seen.add(id(part))
            attributes = vars(part)
            for value in attributes.values():
                kind = type(value)
                is_part = _IS_PART.get(kind)
                if is_part is None:
                    is_part = _IS_PART[kind] = issubclass(kind, _PARTS)
                if is_part:
                    stack.append(value)
            attributes.clear()

    # -- what was found ------------------------------------------------------------------

    @property
    def hits(self) -> dict[tuple[int, str], SinkHit]:
        """Untrusted data reaching a sink, by (sink node id, class)."""
        return self.results.hits

    @property
    def sources_seen(self) -> dict[SourceSeen, None]:
        """Each source met (as shown, with its line), in order."""
        return self.results.sources_seen

    @property
    def sinks_seen(self) -> dict[SinkExamined, None]:
        """Each sink examined (the API as spelled, its line, what it does), in order."""
        return self.results.sinks_seen

    @property
    def cleared(self) -> dict[tuple[str, ast.AST], None]:
        """(class, call) of the sinks whose every variable part is harmless for the class."""
        return self.results.cleared

    @property
    def unreached(self) -> list[tuple[ast.stmt, ...]]:
        """Branches a constant test skips in every pass (``if False:``, ``if DEBUG:`` with
        ``DEBUG = False``): code that never runs."""
        return self.results.unreached()

    @property
    def skipped(self) -> list[str]:
        """What the analysis could not follow."""
        return self.results.skipped

    @property
    def globals(self) -> dict[str, Val]:
        """The module-level values."""
        return self.interpreter.globals

    # -- driver ------------------------------------------------------------------------

    def run(self) -> list[SinkHit]:
        """Analyze the module; the hits, sorted by position."""
        hits = self._run()
        if self.step_path is not None:
            return hits
        kept = frozenset(sink.base for sink in self.spec.store_sinks if sink.kept) if hits else frozenset()
        stored = stored_values(self.facts, self.interpreter.texts, hits, kept, self.step_path) if kept else {}
        writers = self.relevance.state_writers() if self.interpreter.globals or hits else {}
        state, steps = (
            stored_state(writers, self.summaries.analyzed, self.interpreter.texts) if writers else ({}, frozenset())
        )
        if stored or state:
            hits = self._read_back(stored, kept, state, steps)
        return hits

    def _read_back(self, stored: Kept, kept: frozenset[str], state: State, steps: frozenset[FlowStep]) -> list[SinkHit]:
        """The hits of a second pass in which reads of the kept stores give what views stored
        there (``kept_values.py``), and reads of module-level names what functions kept there
        (``module_state.py``), added to the first pass's: the second-order flows."""
        again = ModuleTaint(self.facts, self.spec, project=self.project, depth=self.depth)
        again.interpreter.stored = stored
        again.state = state
        try:
            more = again._run()
        finally:
            again.release(facts=False)
        found = self.results.hits
        for hit in more:
            key = (id(hit.node), hit.cls)
            node = hit.node
            if key in found or (
                isinstance(node, ast.Subscript) and kept and kept_bases(self.facts, node.value, kept)
            ):  # a session entry stored again is the first store's finding
                continue
            if not stored and not through_state(hit.label.steps, steps):
                continue
            found[key] = hit
        return self.results.sorted_hits()

    def _run(self) -> list[SinkHit]:
        tree = self.facts.tree
        memo = self.memo
        results = self.results
        interpreter = self.interpreter
        if memo is not None:
            memo.begin(self._skeleton(), tree, {tree, *tree.body, *self.facts.functions})
            memo.compare_fields(self._class_fields(memo.class_fields))
            self.scopes.keep_in(memo.scope_facts, memo.local_calls, memo.unions)
            self.entries.keep_in(memo.entries)
        relevance = self.relevance
        kept = None
        if memo is not None:
            kept = memo.marks = memo.marks or KeptMarks()
        relevant = {scope for scope in relevance.relevant(kept) if relevance.may_reach_sink(scope)}
        if not relevant:
            return []
        results.collecting = False
        module_fn = Frame(tree, None, Entry(), None, self.index.nested.get(tree, {}))
        interpreter.globals = {}
        try:
            interpreter.globals = interpreter.block(tree.body, {}, module_fn, module_level=True) or {}
        finally:
            results.collecting = True
        values = interpreter.globals
        for name in self.index.global_names:
            current = values.get(name)
            if current is not None and current.const is not NO_CONST:
                values[name] = Val(current.taint, current.parts, current.kind)
        if memo is not None and (memo.globals is None or not same_env(memo.globals, values)):
            memo.records.clear()  # every function may read a module-level value
            memo.keep_globals(values)
        if tree in relevant:
            self._guarded(lambda: interpreter.block(tree.body, dict(values), module_fn, module_level=True))
        if self.state:  # what functions keep in module state, seen by the others (not at import)
            for name, kept in self.state.items():
                values[name] = join(values.get(name, EMPTY), kept)
            relevant |= {fn for fn in state_readers(self.facts, self.state) if relevance.may_reach_sink(fn)}
        for fn in self.facts.functions:
            if fn in relevant:
                self._guarded(lambda fn=fn: self.summaries.run(fn))
        if memo is not None and results.poisoned:
            memo.clear()
        return results.sorted_hits()

    def _guarded(self, work: Callable[[], object]) -> None:
        try:
            work()
        except RecursionError:
            self.results.poisoned = True
            self.results.skip("a function nested too deeply to follow")

    def summary_named(self, name: str) -> Summary | None:
        """Summary of a module-level function, or of ``Class.method`` (asked by other files)."""
        index = self.index
        asked = asked_value(name)
        if asked is not None:
            return self._value_summary(name, *asked)
        if "." in name:
            class_name, method_name = name.split(".", 1)
            cls = index.classes.get(class_name)
            fn = index.method(cls, method_name) if cls is not None else None
            if fn is None and cls is not None and method_name == "__init__":
                return self.summaries.default_constructor(cls)
        else:
            fn = index.module_functions.get(name)
        if fn is None:
            return None
        self._ready_globals()
        return self.summaries.of(fn)

    def _value_summary(self, name: str, class_name: str | None, attr: str) -> Summary | None:
        """A module-level value (or a class attribute's constant text) other files use for
        templates, as a summary returning it (``template_values.py``)."""
        self._ready_globals()
        if class_name is None:
            value = None if attr in self.index.global_names else template_value(self.interpreter.globals.get(attr))
            call = (
                made_by_call(self.facts.tree, attr) if value is None and attr not in self.index.global_names else None
            )
            made = self._calls.environment_made_by(call) if call is not None else None
            value = Val(kind=made) if made is not None else value
        else:
            cls = self.index.classes.get(class_name)
            globals_ = self.interpreter.globals
            text = class_text(cls, attr, lambda node: literal_text(node, globals_)) if cls is not None else None
            made = (
                class_value(cls, attr, self._calls.assigned_environment) if cls is not None and text is None else None
            )
            value = Val(const=text) if text is not None else Val(kind=made) if isinstance(made, str) else None
        if value is None:
            return None
        return Summary(name, [], 0, None, None, 0, returns=value, path=self.facts.source.path)

    def _ready_globals(self) -> None:
        """The module-level values, worked out at the first ask, and again where those kept
        followed a chain of files that analyzing them now would not (``Summaries.chain``)."""
        summaries = self.summaries
        chain, kept = summaries.chain, summaries.base_chain
        if self.interpreter.globals and (kept is None or chain.chain_fits(*kept)):
            summaries.globals_used()
            return
        if chain is None:
            self._prepare_globals()
            return
        bounds = chain.bounds()
        begun = chain.chain_begin()
        summaries.shelve_globals()
        self._prepare_globals()
        # met the chain limit too: worked out again after ``settle`` (they serve every depth)
        summaries.globals_made(chain.chain_end(begun), cut=chain.bounds() != bounds)

    def _prepare_globals(self) -> None:
        tree = self.facts.tree
        results = self.results
        interpreter = self.interpreter
        saved_collect = results.collecting
        results.collecting = False
        try:
            frame = Frame(tree, None, Entry(), None, {})
            interpreter.globals = interpreter.block(tree.body, {}, frame, module_level=True) or {}
        except RecursionError:
            interpreter.globals = {}
        finally:
            results.collecting = saved_collect

    # -- what the memo keys on -----------------------------------------------------------

    def _skeleton(self) -> tuple[object, ...]:
        """Everything outside function bodies that the analysis of a function may depend on."""
        facts = self.facts
        imports = facts.imports
        lines = facts.source.lines
        index = self.index

        def shape(body: list[ast.stmt], in_class: bool) -> tuple[object, ...]:
            parts: list[object] = []
            for statement in body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    parts.append(("def", statement.name))
                elif isinstance(statement, ast.ClassDef):
                    bases = tuple(ast.dump(base) for base in statement.bases)
                    parts.append(("class", statement.name, bases, shape(statement.body, True)))
                elif in_class and not isinstance(statement, COMPOUND):
                    # Class attributes are not interpreted (a dataclass's fields, which the calls
                    # building one read, are compared by ``TaintMemo.compare_fields``).
                    continue
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
            frozenset(index.global_names),
            # Names of functions defined in functions, and of methods: calls to them are followed.
            frozenset(itertools.chain.from_iterable(index.nested.values())),
            frozenset(map(_NAME, index.owner_class)),
            tuple(sorted((name, tuple(sorted(params.items()))) for name, params in self.entries.url_rules.items())),
            self.sinks.hardened_lxml(),
        )

    def _class_fields(self, known: dict[ast.ClassDef, tuple[str, ...] | None]) -> dict[str, tuple[str, ...]]:
        """The fields of each dataclass by name, as a call building one finds them; ``known``:
        the last version's by class node (an unchanged class keeps its node), replaced."""
        fields: dict[str, tuple[str, ...]] = {}
        now: dict[ast.ClassDef, tuple[str, ...] | None] = {}
        for name, cls in self.index.classes.items():
            found = known.get(cls, _UNKNOWN)
            if found is _UNKNOWN:
                listed = generated_fields(cls)
                found = tuple(listed) if listed is not None else None
            now[cls] = found  # type: ignore[assignment]
            if found is not None:
                fields[name] = found  # type: ignore[assignment]
        known.clear()
        known.update(now)
        return fields

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
