"""Chunks: runs of top-level statements analyzed on their own, and the helpers that make them.

A chunk is a function or class alone, or up to ``GROUP_LINES`` lines of small statements,
with the blank and comment lines before it. It keeps its parse tree, its facts, what it
binds at module level and the names it uses, and the cached results of the rules that
run per chunk.
"""

from __future__ import annotations

import ast
import hashlib
import io
import itertools
import threading
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ...engine.evidence import Evidence
from ...engine.facts import CallBlocks, ModuleFacts
from ...engine.finding import Finding, Fix, Notice, Span, TextEdit
from ...engine.source import SourceFile, parse_quietly
from ...engine.suppressions import Suppression
from ...rules.judge import grown_name
from .imports import ImportChange, Recorder, SharedImports
from .linediff import split_lines_keepends

MAX_BROKEN_NOTICES = 8  # more syntax errors than this in one region: analyze the whole file
GROUP_LINES = 20  # consecutive simple statements are grouped up to this many lines
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_SERIALS = itertools.count(1)


@dataclass(eq=False, slots=True)
class Local:
    """Cached results of the per-chunk rules on one chunk, by rule id."""

    context: tuple[Any, ...]  # own facts serial, then what each context chunk binds that this one uses
    recorder: Recorder  # what the rules asked of the import map
    base: int  # the chunk's first line when the evidence was last moved to its lines
    findings: dict[str, list[Finding]]  # ``shift`` lines above where they are now
    evidence: dict[str, Evidence]
    moves: bool  # the results can be moved with the chunk (no message names a line)
    wide: frozenset[str] = frozenset()  # module rules whose ``needs_module`` held on the chunk's view
    # Lines the chunk moved since its findings were made: they are moved as each version copies
    # them for its result (a copy either way), not once more before that.
    shift: int = 0
    # Seeded from a whole analysis (``local.seed_results``): the import answers its rules needed
    # are not known (any change of the import map runs them again) until ``refine`` runs them.
    seeded: bool = False


@dataclass(eq=False, slots=True)
class Chunk:
    first: int  # 1-based first line (current)
    last: int  # 1-based last line (current)
    text: str
    key: str
    module: ast.Module  # the chunk's statements, line numbers valid for ``base``
    base: int
    facts: ModuleFacts | None = None
    facts_recorder: Recorder | None = None
    positioned: list[ast.AST] = field(default_factory=list)
    ended: list[ast.AST] = field(default_factory=list)  # the positioned nodes with an end line
    # ``place``'s view of them: the attribute dicts of the nodes on one line, of the others with
    # an end line, of those without (in address order once the chunk moved twice)
    moving: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], bool] | None = None
    serial: int = 0  # changes whenever the facts are rebuilt
    context: list[Chunk] | None = None  # chunks binding names this one uses
    context_key: tuple[tuple[str, str, int], ...] | None = None  # what the context binds that this one uses
    names: frozenset[str] = frozenset()
    # ``names`` and the names the context chunks use, followed to their binders in turn: a
    # judgement reads a constant built from another or a function returning another's result
    context_names: frozenset[str] = frozenset()
    binds: frozenset[str] | None = None
    bindings: dict[str, str] = field(default_factory=dict)  # bound name → digest of its binding statements
    facts_version: int = 0  # the import map version the facts were built with
    imports: tuple[dict[str, str], list[str], set[str]] | None = None
    local: Local | None = None
    suppressions: tuple[list[Suppression], bool | None] | None = (
        None  # at ``text`` line 1; tokenized cleanly (None: not asked)
    )
    broken: list[Notice] | None = None  # parse notices of a chunk that only parses once repaired
    # Segments of a class cut into several chunks (``segments``): the class, the class-body
    # statements this segment holds, whether that is one method, the attribute names they store.
    unit: Any = None
    own: list[ast.stmt] | None = None
    method: bool = False
    attrs: frozenset[str] | None = None
    collapsed: Any = None  # a class made one chunk again: its unit
    words: dict[str, bool] | None = None  # whether the text holds a word (``View.mentions``)
    openers: int | None = None  # opening brackets in the text (``chunking._openers``)

    @property
    def lines(self) -> int:
        return self.last - self.first + 1


@dataclass
class RunStats:
    """How the last ``analyze`` call worked (for logs and benchmarks)."""

    mode: str = "full"  # "full" | "incremental"
    reason: str = ""
    chunks: int = 0
    parsed_lines: int = 0
    rerun: int = 0
    moved: int = 0
    broken: bool = False
    seconds: float = 0.0


class WordCounts:
    """How many of a document's chunks hold each word asked of its module view, kept from one
    version to the next: only the chunks that came or went are looked at again (a chunk's
    text never changes), not every chunk for every word at every version."""

    __slots__ = ("chunks", "counts")

    def __init__(self) -> None:
        self.chunks: list[Chunk] | None = None  # the chunks counted
        self.counts: dict[str, int] = {}

    def follow(self, previous: list[Chunk], gone: list[Chunk], fresh: list[Chunk], chunks: list[Chunk]) -> None:
        """Count over ``chunks``: ``previous`` less ``gone`` plus ``fresh``."""
        counts = self.counts
        if self.chunks is not previous:
            counts.clear()  # counted over other chunks (or never): counted again when asked
        else:
            for word in counts:
                holds = _mentioning(word)
                counts[word] += sum(map(holds, fresh)) - sum(map(holds, gone))
        self.chunks = chunks

    def mentions(self, word: str) -> bool:
        found = self.counts.get(word)
        if found is None:
            found = self.counts[word] = sum(map(_mentioning(word), self.chunks or ()))
        return found > 0


class View(SourceFile):
    """A SourceFile over given lines and tree (no parsing). ``pieces``: chunks whose texts, in
    order, are the text less lines left empty; a word is looked for in them (or counted in
    ``words``, kept over the same chunks)."""

    def __init__(
        self,
        text: str,
        path: str,
        lines: list[str],
        tree: ast.Module,
        pieces: list[Chunk] | None = None,
        words: WordCounts | None = None,
    ) -> None:
        self.text = text
        self.path = path
        self.lines = lines
        self.tree = tree
        self.notices = []
        self.blanked_lines = frozenset()
        self.pieces = pieces
        self.words = words

    def mentions(self, word: str) -> bool:
        pieces = self.pieces
        # A word without a line break lies within a line, so within one piece.
        if pieces is None or not word or not word.isprintable():
            return word in self.text
        if self.words is not None:
            return self.words.mentions(word)
        return any(map(_mentioning(word), pieces))


def _mentioning(word: str) -> Callable[[Chunk], bool]:
    """Whether a chunk's text holds ``word``, kept with the chunk (its text never changes)."""

    def holds(chunk: Chunk) -> bool:
        words = chunk.words
        if words is None:
            words = chunk.words = {}
        found = words.get(word)
        if found is None:
            found = words[word] = word in chunk.text
        return found

    return holds


def ensure_facts(chunk: Chunk, imports: SharedImports, path: str, change: ImportChange) -> bool:
    """Chunk facts valid for the current import map; whether they were built now. Their
    nodes stay where they were: ``place`` moves them to the chunk's lines when needed."""
    if chunk.facts is not None and change and chunk.facts_recorder is not None:
        if chunk.facts_recorder.invalidated_by(change):
            chunk.facts = None
    if chunk.facts is not None:
        return False
    recorder = Recorder()
    imports.record(recorder)
    try:
        if chunk.unit is not None:
            chunk.facts = chunk.unit.facts_of(chunk, imports.map, path)
        else:
            view = View("", path, [], chunk.module)
            chunk.facts = ModuleFacts(view, imports.map.module_name, imports=imports.map)
    finally:
        imports.record(None)
    chunk.facts_recorder = recorder
    chunk.serial = next(_SERIALS)
    chunk.facts_version = imports.version
    chunk.positioned = [
        node for nodes in chunk.facts._by_type.values() for node in nodes if "lineno" in node._attributes
    ]
    chunk.ended = [node for node in chunk.positioned if getattr(node, "end_lineno", None) is not None]
    chunk.moving = None
    if chunk.binds is None:
        chunk.names = free_names(chunk.facts)
        if chunk.unit is not None:
            chunk.bindings = chunk.unit.bindings_of(chunk)
        else:
            lines = split_lines_keepends(chunk.text) if chunk.broken is None else None
            chunk.bindings = module_bindings(chunk.module, lines, chunk.base, chunk.facts)
        chunk.binds = frozenset(chunk.bindings)
    return True


def place(chunk: Chunk) -> None:
    """Move the chunk's nodes to its current lines."""
    delta = chunk.first - chunk.base
    if not delta:
        return
    moving = chunk.moving
    if moving is None:
        # Moved after a version was analyzed with it (not just parsed): it will likely move
        # again, so its dicts are put in address order now (see ``ready_moves``).
        moving = _moving(chunk, chunk.local is not None)
    elif not moving[3]:
        moving = _moving(chunk, True)  # moved again: from now on in address order
    # A class header's node ends where the class's last segment does.
    last = max(chunk.last, chunk.unit.segments[-1].last if chunk.unit is not None else 0)
    moved = _shifted(last, delta)
    single, both, starts, _ = moving
    for attributes in single:  # most nodes: one line read, one int stored twice
        attributes["lineno"] = attributes["end_lineno"] = moved[attributes["lineno"]]
    for attributes in both:
        attributes["lineno"] = moved[attributes["lineno"]]
        attributes["end_lineno"] = moved[attributes["end_lineno"]]
    for attributes in starts:
        attributes["lineno"] = moved[attributes["lineno"]]
    chunk.base = chunk.first


def ready_moves(chunk: Chunk) -> None:
    """Make ``place``'s view of an analyzed chunk's nodes ahead of its first move, in address
    order (work done while the document waits for an edit, not on the edit's path: sorting
    the nodes of every chunk costs as much as moving them twice)."""
    if chunk.facts is not None and (chunk.moving is None or not chunk.moving[3]):
        _moving(chunk, True)


def _moving(
    chunk: Chunk, ordered: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], bool]:
    """``place``'s view of the chunk's nodes: the attribute dicts of those on one line (nine in
    ten: they stay so, as every position moves by the same count), of the others with an end
    line, of those without; ``ordered``: each in address order.

    A node's positions live in its attribute dict: writing there directly costs a third of
    going through the node type's attribute lookup, on every node of every moved chunk. The
    loop is bound by memory reads, and in the facts' order (by node type) each one lands
    elsewhere in the heap (twice as slow); a chunk placed once (just parsed) is not worth the
    sort. ``ended`` is ``positioned`` less the nodes without an end line (usually none)."""
    moving = chunk.moving
    if moving is not None:
        single, both, starts = moving[0], moving[1], moving[2]
    else:
        positioned, ended = chunk.positioned, chunk.ended
        if len(ended) == len(positioned):
            starts = []
        else:
            with_end = {id(node) for node in ended}
            starts = [node.__dict__ for node in positioned if id(node) not in with_end]
        single = [node.__dict__ for node in ended if node.lineno == node.end_lineno]  # type: ignore[attr-defined]
        both = [node.__dict__ for node in ended if node.lineno != node.end_lineno]  # type: ignore[attr-defined]
    if ordered:
        single.sort(key=id)
        both.sort(key=id)
        starts.sort(key=id)
    moving = chunk.moving = (single, both, starts, ordered)
    return moving


def _shifted(last: int, delta: int) -> list[int]:
    """``moved[line]`` is the shared int for ``line + delta``, for every line up to ``last - delta``
    (the old line of ``last``): no addition (a new int object) per position. The chunks below an
    edit all move by the same delta: the table is made once for them."""
    global _SHIFTED
    top = last - delta  # the largest line a node of the chunk had
    known_delta, known = _SHIFTED
    if known_delta == delta and len(known) > top:
        return known
    size = 2 * top + 1  # room for the chunks further down
    ints = _line_numbers(size + abs(delta))
    moved = ints[delta : delta + size] if delta > 0 else [0] * -delta + ints[: size + delta]
    _SHIFTED = (delta, moved)
    return moved


_SHIFTED: tuple[int, list[int]] = (0, [])  # the last delta's table (``_shifted``)


_LINE_NUMBERS: list[int] = list(range(4096))
_GROWING = threading.Lock()


def _line_numbers(count: int) -> list[int]:
    """One shared int object per line number up to ``count``: moved nodes point into this
    table instead of each holding an int of its own, so that reading their positions again
    reads memory already cached (and moving them allocates nothing)."""
    table = _LINE_NUMBERS
    if len(table) <= count:
        with _GROWING:  # documents may be analyzed in several threads: table[n] must stay n
            if len(table) <= count:
                table.extend(range(len(table), max(count + 1, 2 * len(table))))
    return table


def combined_facts(
    text: str,
    path: str,
    lines: list[str],
    members: list[Chunk],
    imports: SharedImports,
    *,
    tiled: bool = False,
    words: WordCounts | None = None,
    blocks: CallBlocks | None = None,
) -> ModuleFacts:
    """Module facts over ``members`` (in line order, placed), from their own facts: no parse, no walk.
    ``tiled``: ``text`` is the members' texts at their lines, every other line empty; ``words``:
    counted over the members; ``blocks``: the call indexes and node lists kept from the last version's module view."""
    for member in members:
        if member.base != member.first:
            place(member)
    present = set(members)
    body: list[ast.stmt] = []
    for member in members:
        unit = member.unit
        if unit is not None and member is unit.header:
            body.append(_class_in_view(unit, present))
        else:
            body.extend(member.module.body)
    root = ast.Module(body=body, type_ignores=[])
    parts = [m.facts for m in members if m.facts is not None]
    starts = [m.first for m in members if m.facts is not None]
    return ModuleFacts.combined(
        View(text, path, lines, root, members if tiled else None, words if tiled else None),
        parts,
        imports.map,
        imports.map.module_name,
        starts=starts,
        blocks=blocks,
    )


def _class_in_view(unit: Any, present: set[Chunk]) -> ast.ClassDef:
    """A class cut into segments as a view holding some of them has it: its node when all are
    there, else a copy of it whose body is theirs (a walk of the view's tree meets only
    nodes the view's facts know)."""
    original: ast.ClassDef = unit.node
    if all(segment in present for segment in unit.segments):
        return original
    node = ast.ClassDef(**{name: getattr(original, name) for name in original._fields})
    for name in original._attributes:
        setattr(node, name, getattr(original, name, None))
    node.body = [s for segment in unit.segments if segment in present for s in segment.own or ()]
    return node


def outline(statement: ast.stmt, shift: int) -> tuple[Any, ...]:
    """Type, place and decorators of a top-level statement (``shift`` added to its lines)."""
    decorators = tuple(
        (d.lineno + shift, d.col_offset, (d.end_lineno or d.lineno) + shift, d.end_col_offset)
        for d in getattr(statement, "decorator_list", ())
    )
    return (
        type(statement),
        statement.lineno + shift,
        statement.col_offset,
        (statement.end_lineno or statement.lineno) + shift,
        statement.end_col_offset,
        decorators,
    )


def tiles(chunks: list[Chunk], line_count: int) -> bool:
    """Whether the chunks cover lines 1..line_count exactly, in order."""
    expected = 1
    for chunk in chunks:
        if chunk.first != expected or chunk.last < chunk.first - 1:
            return False
        expected = chunk.last + 1
    return expected == line_count + 1 or (not chunks and line_count == 0)


def parse_module(text: str) -> ast.Module | None:
    try:
        tree = parse_quietly(text)
    except (SyntaxError, RecursionError, MemoryError, ValueError, OverflowError):
        return None
    return tree if isinstance(tree, ast.Module) else None


def group_statements(
    body: list[ast.stmt], first: int, last: int, lines: list[str]
) -> list[tuple[int, int, list[ast.stmt]]]:
    """Split a region's statements (line numbers relative to ``first``) into chunks of whole lines."""
    if not body:
        return [(first, last, [])]
    offset = first - 1
    groups: list[tuple[int, int, list[ast.stmt]]] = []
    current: list[ast.stmt] = []
    current_first = first
    previous_end = first - 1
    for statement in body:
        start = _relative_first_line(statement, lines, offset, previous_end)
        if current and start > previous_end:
            big = isinstance(statement, _DEFS) or isinstance(current[-1], _DEFS)
            if big or previous_end - current_first + 1 >= GROUP_LINES:
                groups.append((current_first, previous_end, current))
                current, current_first = [], previous_end + 1
        current.append(statement)
        previous_end = max(previous_end, (statement.end_lineno or statement.lineno) + offset)
    groups.append((current_first, last, current))
    return groups


def _relative_first_line(statement: ast.stmt, lines: list[str], offset: int, previous_end: int) -> int:
    """Absolute first line of a statement whose node line numbers are relative to ``offset``."""
    first = statement.lineno + offset
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        first = min(first, *(d.lineno + offset for d in decorators))
        while first - 1 > previous_end and not lines[first - 1].lstrip().startswith("@"):
            first -= 1
    return first


def free_names(facts: ModuleFacts) -> frozenset[str]:
    """Names the chunk may look up at module level: every name used outside functions, and
    inside a function (or lambda) the names it neither assigns nor takes as a parameter."""
    scopes: dict[int, set[str]] = {}
    names = facts.nodes(ast.Name)

    parent = facts.parent
    within: dict[ast.AST, ast.AST | None] = {}  # node → the function (or lambda) it is or is in

    def scope_of(node: ast.AST) -> ast.AST | None:
        """The nearest function (or lambda) above ``node``; each ancestor is climbed once."""
        path: list[ast.AST] = []
        current = parent(node)
        found: ast.AST | None = None
        while current is not None:
            if isinstance(current, _SCOPES):
                found = current
                break
            if current in within:
                found = within[current]
                break
            path.append(current)
            current = parent(current)
        for passed in path:
            within[passed] = found
        return found

    placed = [(node, scope_of(node)) for node in names]
    for node, scope in placed:
        if scope is not None and isinstance(node.ctx, (ast.Store, ast.Del)):  # type: ignore[attr-defined]
            scopes.setdefault(id(scope), set()).add(node.id)  # type: ignore[attr-defined]
    for function in facts.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
        arguments = function.args  # type: ignore[attr-defined]
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        scopes.setdefault(id(function), set()).update(a.arg for a in every if a is not None)
    free = {node.id for node, scope in placed if scope is None or node.id not in scopes.get(id(scope), ())}  # type: ignore[attr-defined]
    for declaration in facts.nodes(ast.Global, ast.Nonlocal):
        free.update(declaration.names)  # type: ignore[attr-defined]
    return frozenset(free)


def module_bindings(
    module: ast.Module, lines: list[str] | None, base: int, facts: ModuleFacts | None = None
) -> dict[str, str]:
    """Names bound at module level — assignments outside functions and class bodies, defs,
    classes, imports, names declared ``global`` — each with a digest of the statements that
    bind it: a top-level statement, or the class-body statement declaring a name ``global``.
    Names declared ``nonlocal`` count too: a rule asking whether a name is ever rebound that
    way looks through the whole module, so the chunks using the name must see the declaration;
    so do containers the statement grows anywhere in it (``name.append(x)``, ``name[k] = v``,
    also in functions): whether a module-level list is a constant depends on what is put in it.
    A statement is digested by its text (``lines``: the chunk's lines, the first numbered
    ``base``), which fixes its tree, or else by its tree. ``facts``: the module's, to skip the
    walks for growths and ``global`` declarations where it holds none."""
    owners: dict[str, list[ast.AST]] = {}
    grows = facts is None or any(
        grown_name(node) is not None for kind in (ast.Call, ast.Subscript) for node in facts.nodes(kind)
    )
    declares = facts is None or bool(facts.nodes(ast.Global, ast.Nonlocal))

    def add(name: str, owner: ast.AST) -> None:
        found = owners.setdefault(name, [])
        if all(o is not owner for o in found):
            found.append(owner)

    def walk(root: ast.AST, owner: ast.AST) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                add(node.name, owner)
                stack.extend(node.decorator_list)
                stack.extend(node.args.defaults)
                stack.extend(d for d in node.args.kw_defaults if d is not None)
                for inner in ast.walk(node) if declares else ():
                    if isinstance(inner, (ast.Global, ast.Nonlocal)):
                        for name in inner.names:
                            add(name, owner)
                continue
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    add(name, owner)
                continue
            if isinstance(node, ast.ClassDef):
                add(node.name, owner)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    add((alias.asname or alias.name).split(".")[0], owner)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                add(node.id, owner)
            stack.extend(ast.iter_child_nodes(node))

    for statement in module.body:
        for name in module_grown_names(statement) if grows else ():
            add(name, statement)
        if isinstance(statement, ast.ClassDef):
            add(statement.name, statement)
            for part in (*statement.decorator_list, *statement.bases, *statement.keywords):
                walk(part, statement)
            for member in statement.body if declares else ():
                for inner in ast.walk(member):
                    if isinstance(inner, (ast.Global, ast.Nonlocal)):
                        for name in inner.names:
                            add(name, member)
        else:
            walk(statement, statement)
    dumps: dict[int, str] = {}
    digests: dict[str, str] = {}
    for name, found in owners.items():
        parts = []
        for owner in found:
            text = dumps.get(id(owner))
            if text is None:
                text = dumps[id(owner)] = _statement_text(owner, lines, base) if lines is not None else ast.dump(owner)
            parts.append(text)
        digests[name] = hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    return digests


def grown_names(root: ast.AST) -> set[str]:
    """The names of the containers code under ``root`` grows (``judge.grown_name``)."""
    return {name for node in ast.walk(root) if (name := grown_name(node)) is not None}


def module_grown_names(root: ast.AST) -> set[str]:
    """``grown_names`` less the containers a function under ``root`` binds itself: one that
    fills its own ``counts`` dict grows no module-level ``counts`` (``judge.binding_scope``
    sends such a growth to the function), so it is no binder of that name for the chunks
    reading the module's. Only a parameter or a plain store in the function's own body makes
    the name local here (never more than the judge counts). One walk, as ``grown_names``."""
    own: dict[int, set[str]] = {}  # function → its parameters and the names its body stores
    grown: list[tuple[str, tuple[int, ...]]] = []  # each growth, with the functions around it
    stack: list[tuple[ast.AST, int | None, tuple[int, ...]]] = [(root, None, ())]
    while stack:
        node, scope, around = stack.pop()
        if isinstance(node, ast.Name):
            if scope is not None and isinstance(node.ctx, ast.Store):
                own[scope].add(node.id)
            continue
        name = grown_name(node)
        if name is not None:
            grown.append((name, around))
        if isinstance(node, _SCOPES):
            key = id(node)
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            own[key] = {a.arg for a in every if a is not None}
            inner = (*around, key)
            for field, value in ast.iter_fields(node):
                parts = value if isinstance(value, list) else [value]
                if field == "body":
                    stack.extend((part, key, inner) for part in parts)
                else:  # decorators, defaults, annotations: the scope around the function
                    stack.extend((part, scope, around) for part in parts if isinstance(part, ast.AST))
            continue
        child_scope = None if isinstance(node, ast.ClassDef) else scope  # a class body's stores are its own
        stack.extend((child, child_scope, around) for child in ast.iter_child_nodes(node))
    return {name for name, around in grown if not any(name in own[key] for key in around)}


def _statement_text(statement: ast.AST, lines: list[str], base: int) -> str:
    """The whole lines of a statement, decorators included (``lines[0]`` is line ``base``)."""
    first = statement.lineno  # type: ignore[attr-defined]
    for decorator in getattr(statement, "decorator_list", ()):
        first = min(first, decorator.lineno)
    last = statement.end_lineno or first  # type: ignore[attr-defined]
    return "".join(lines[first - base : last - base + 1])


def padded_text(members: list[Chunk]) -> str:
    """The members' text at their lines, every other line empty."""
    pieces: list[str] = []
    line = 1
    for member in members:
        if member.first > line:
            pieces.append("\n" * (member.first - line))
        pieces.append(member.text)
        line = member.last + 1
    return "".join(pieces)


def has_markers(text: str) -> bool:
    """Whether ``text`` may hold a suppression comment (the same test ``parse_suppressions`` makes)."""
    lowered = text.lower()
    return "nosec" in lowered or "noqa" in lowered or "secreview" in lowered


def _shift_span(span: Span, delta: int) -> Span:
    return Span(span.start_line + delta, span.start_col, span.end_line + delta, span.end_col)


def shift_finding(found: Finding, delta: int) -> Finding:
    """``found`` moved ``delta`` lines down: its span, its fix's edits and its steps in this file."""
    fix = found.fix
    if fix is not None:
        fix = Fix(fix.title, tuple(TextEdit(_shift_span(e.span, delta), e.new_text) for e in fix.edits))
    flow = tuple(step if step.path else replace(step, span=_shift_span(step.span, delta)) for step in found.flow)
    return replace(found, span=_shift_span(found.span, delta), fix=fix, flow=flow, extra=dict(found.extra))


def tokenizes(text: str) -> bool:
    try:
        for _ in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            pass
    except (tokenize.TokenError, SyntaxError, ValueError):
        return False
    return True
