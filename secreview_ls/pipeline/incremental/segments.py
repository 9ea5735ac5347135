"""Big top-level classes cut into segments, so that an edit in a method costs that method.

A class of at least ``MIN_SPLIT_LINES`` lines with at least two methods is not one chunk but
several, all sharing its ``ast.ClassDef`` node (a ``ClassUnit``):

* the **header** segment: decorators, the ``class`` line and the statements before the first
  method; it holds the ``ClassDef`` node itself;
* one segment per method (with the blank and comment lines before it), and one per run of
  other class-body statements between methods.

Each segment keeps its own statements (``Chunk.own``), facts over those statements only
(``ModuleFacts.partial``, parents linked up to the shared ``ClassDef``) and its per-chunk rule
results. The rules run on a segment see it inside its class: the view holds the header and
every other non-method segment (class attributes, nested classes), and the results also depend
on the attribute names stored anywhere in the class (``self.NAME = ...``, ``setattr``), which is
what a rule reading a class constant checks.

An edit inside non-header segments of one class re-parses only those segments, wrapped in a
``class _:`` line so that they parse on their own with their columns unchanged; the result is
accepted only when every statement starts at the class body's indentation, as written, so the
whole file parses into the same class with those statements replaced. The class then gets a
new ``ClassDef`` node (unchanged segments keep their nodes and facts, relinked to it). Any other
edit touching a class goes through the top-level path with the class as one chunk again
(``collapse``), and is cut into segments afterwards, reusing the unchanged segments when its
header did not change.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field

from ...engine.facts import ModuleFacts
from ...engine.finding import Notice
from ...engine.names import ImportMap
from ...engine.source import ParseResult, parse_quietly, parse_tolerant
from ...rules.judge import grown_name
from .chunks import MAX_BROKEN_NOTICES, Chunk, View, grown_names, outline, parse_module, place, tokenizes

MIN_SPLIT_LINES = 40  # smaller classes stay one chunk
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_PLAIN_DECORATOR_NODES = (ast.Name, ast.Attribute, ast.Load)
_WRAPPER = "class _:\n"  # the line above the region
_PAD_PER_LINE = 150  # blank lines put above a re-parsed region, at most, per line of it


@dataclass(eq=False, slots=True)
class ClassUnit:
    """A class cut into segments: its current node and segments in line order."""

    node: ast.ClassDef
    segments: list[Chunk]
    indent: str  # the class body's indentation, as written
    changed: bool = True  # the node or the segments changed since the last run
    attrs_key: str = ""  # digest of the attribute names stored anywhere in the class
    whole_key: str = ""  # digest of the non-method segments' texts (what using the class name depends on)
    tracked: list[str] = field(default_factory=list)  # names the header binds with ``whole_key``
    _context: list[Chunk] = field(default_factory=list)  # ``context()`` of ``_context_of``
    _context_of: list[Chunk] | None = None
    _class_key: tuple[object, ...] | None = None  # ``class_key()`` until ``refresh``

    @property
    def header(self) -> Chunk:
        return self.segments[0]

    def context(self) -> list[Chunk]:
        """The segments every segment's rules see: the header and the non-method segments."""
        if self._context_of is not self.segments:  # ``segments`` is replaced, never changed in place
            self._context = [s for s in self.segments if not s.method]
            self._context_of = self.segments
        return self._context

    def class_key(self) -> tuple[object, ...]:
        """What every segment's per-chunk results depend on in its class: the facts of the
        segments it sees (``context``) and the attribute names the class stores."""
        if self._class_key is None:
            self._class_key = (tuple(s.serial for s in self.context()), self.attrs_key)
        return self._class_key

    def refresh(self) -> None:
        """Recompute the class-wide keys (after the segments' facts are built)."""
        self._class_key = None
        stored: set[str] = set()
        for segment in self.segments:
            stored |= segment.attrs or frozenset()
        self.attrs_key = _digest("\0".join(sorted(stored)))
        self.whole_key = _digest("\0".join(s.key for s in self.context()))
        header = self.header
        for name in self.tracked:
            header.bindings[name] = self.whole_key
        self.changed = False

    def facts_of(self, chunk: Chunk, imports: ImportMap, path: str) -> ModuleFacts:
        return segment_facts(chunk, imports, path)

    def bindings_of(self, chunk: Chunk) -> dict[str, str]:
        return segment_bindings(chunk)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def segment_key(text: str) -> str:
    return "seg:" + _digest(text)


# -- cutting ------------------------------------------------------------------------------


def splittable(chunk: Chunk) -> ast.ClassDef | None:
    """The class a top-level chunk holds alone, when it is worth cutting into segments."""
    if chunk.broken is not None or chunk.unit is not None or len(chunk.module.body) != 1:
        return None
    node = chunk.module.body[0]
    if not isinstance(node, ast.ClassDef) or chunk.lines < MIN_SPLIT_LINES:
        return None
    if getattr(node, "type_params", None):
        return None
    if sum(isinstance(s, _FUNCTIONS) for s in node.body) < 2:
        return None
    # Calls or lambdas in class decorators would be indexed out of the whole walk's order.
    if any(not isinstance(n, _PLAIN_DECORATOR_NODES) for d in node.decorator_list for n in ast.walk(d)):
        return None
    return node


def _groups(statements: list[ast.stmt]) -> list[list[ast.stmt]]:
    """Each function alone, runs of other statements together."""
    groups: list[list[ast.stmt]] = []
    for statement in statements:
        alone = isinstance(statement, _FUNCTIONS)
        if not groups or alone or isinstance(groups[-1][-1], _FUNCTIONS):
            groups.append([statement])
        else:
            groups[-1].append(statement)
    return groups


def _first_line(statement: ast.stmt) -> int:
    first = statement.lineno
    for decorator in getattr(statement, "decorator_list", ()):
        first = min(first, decorator.lineno)
    return first


def _extents(
    groups: list[list[ast.stmt]], shift: int, first: int, last: int, lines: list[str], floor: int
) -> list[tuple[int, int]]:
    """Line ranges of the groups (node lines plus ``shift`` are real lines): each from just after
    the previous one (or ``first``), taking the blank and comment lines before its first
    statement, up to ``last`` for the last group. ``floor``: the lowest start of the first
    group's comments when it does not start at ``first``."""
    extents: list[tuple[int, int]] = []
    previous_end = floor - 1
    for index, group in enumerate(groups):
        if index == 0 and floor == first:
            start = first
        else:
            start = _first_line(group[0]) + shift
            while start - 1 > previous_end and _blank_or_comment(lines[start - 2]):
                start -= 1
        if extents:
            extents[-1] = (extents[-1][0], start - 1)
        extents.append((start, last))
        previous_end = max((s.end_lineno or s.lineno) + shift for s in group)
    return extents


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def split(chunk: Chunk, node: ast.ClassDef, lines: list[str], pool: dict[str, dict[str, Chunk]]) -> list[Chunk] | None:
    """The segments of a class chunk (nodes at ``chunk.base``); when the class's header is
    unchanged (``pool``: header key → the segments of its last version by key), its segments
    whose text is unchanged are reused. None when the class body's indentation is unusual."""
    shift = chunk.first - chunk.base
    body = node.body
    split_at = next(i for i, s in enumerate(body) if isinstance(s, _FUNCTIONS))
    indent = _indent_of(body[0], shift, lines)
    if indent is None:
        return None
    rest = _groups(body[split_at:])
    # The header ends where the first method's segment starts.
    header_end = max([node.lineno + shift, *((s.end_lineno or s.lineno) + shift for s in body[:split_at])])
    extents = _extents(rest, shift, chunk.first, chunk.last, lines, header_end + 1)
    header_last = extents[0][0] - 1
    header_text = "".join(lines[chunk.first - 1 : header_last])
    header = Chunk(
        chunk.first,
        header_last,
        header_text,
        segment_key(header_text),
        ast.Module(body=[node], type_ignores=[]),
        base=chunk.base,
    )
    reusable = pool.pop(header.key, {})
    header.own = list(body[:split_at])
    segments = [header]
    for (first, last), group in zip(extents, rest, strict=True):
        segments.append(_segment(lines, first, last, group, first - shift, reusable))
    unit = ClassUnit(node, segments, indent)
    for segment in segments:
        segment.unit = unit
    node.body = [s for segment in segments for s in segment.own or ()]
    adopt(unit, None)
    return segments


def _segment(
    lines: list[str], first: int, last: int, group: list[ast.stmt], base: int, reusable: dict[str, Chunk]
) -> Chunk:
    text = "".join(lines[first - 1 : last])
    key = segment_key(text)
    old = reusable.pop(key, None)
    if old is not None:
        old.first, old.last = first, last
        return old
    segment = Chunk(first, last, text, key, ast.Module(body=[], type_ignores=[]), base=base)
    segment.own = group
    segment.method = len(group) == 1 and isinstance(group[0], _FUNCTIONS)
    return segment


def _indent_of(statement: ast.stmt, shift: int, lines: list[str]) -> str | None:
    line = lines[_first_line(statement) + shift - 1]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if not indent or line[len(indent) :].startswith(("\f", "\\")):
        return None
    return indent


def wrapped_region(
    lines: list[str], old: list[Chunk], first_index: int, last_index: int, delta: int, path: str = "<unknown>"
) -> list[Chunk] | None:
    """New segments for old segments ``first_index..last_index`` of one class (not its header),
    when the region parses on its own inside a class body at the class's indentation, or
    repairs there as the whole file's tolerant parse repairs it (``_repaired_region``)."""
    chunks = old[first_index : last_index + 1]
    unit = chunks[0].unit
    if unit is None or any(c.unit is not unit or c is unit.header for c in chunks):
        return None
    first = chunks[0].first
    last = chunks[-1].last + delta
    if last < first or first < 2:
        return None
    # Parsed at its own lines when the blank lines above cost the tokenizer less than moving
    # the new nodes there afterwards would (about 150 blank lines per line of the region).
    pad = first - 2 if first - 2 <= _PAD_PER_LINE * (last - first + 1) else 0
    text = "".join(lines[first - 1 : last])
    tree = _parse("\n" * pad + _WRAPPER + text)
    notices: list[Notice] = []
    if not isinstance(tree, ast.Module):
        # The open region's parse is right for any region; the repaired region's only for one
        # whose brackets and strings close within it (the parser's message may say they do not).
        if not _left_open(tree) and tokenizes(text):
            # The tolerant parse of the region at its lines starts with the parse just failed.
            failed = tree if pad == first - 2 else None
            repaired = _repaired_region(lines, old, first_index, last_index, delta, path, failed)
        else:  # an open bracket or string: where it closes is decided below the region
            repaired = _open_region(lines, old, first_index, last_index, delta, path)
        if repaired is None:
            return None
        body, notices = repaired
        pad = first - 2
    elif not _single_class(tree):
        return None
    else:
        body = tree.body[0].body
    shift = first - 2 - pad
    indent = unit.indent
    for statement in body:
        line = lines[_first_line(statement) + shift - 1]
        if not line.startswith(indent) or line[len(indent) : len(indent) + 1] in (" ", "\t", "\f", "\\", ""):
            return None
    if not body:
        return None
    groups = _groups(body)
    extents = _extents(groups, shift, first, last, lines, first)
    reusable = {c.key: c for c in chunks if c.broken is None} if not notices else {}
    made = [_segment(lines, a, b, group, a - shift, reusable) for (a, b), group in zip(extents, groups, strict=True)]
    for segment in made:
        segment.unit = unit
    if notices:
        line = next((n.span.start_line for n in notices if n.span is not None), first)
        holder = next((s for s in made if s.first <= line <= s.last), made[0])
        holder.broken = notices
    return made


def _repaired_region(
    lines: list[str],
    old: list[Chunk],
    first_index: int,
    last_index: int,
    delta: int,
    path: str,
    failed: SyntaxError | None = None,
) -> tuple[list[ast.stmt], list[Notice]] | None:
    """The statements (at their own lines) and notices of segments that do not parse, repaired
    as ``parse_tolerant`` repairs them, when that is what the whole file's tolerant parse does
    there: the region's brackets and strings close within it (the caller checks), and the same
    parse with the chunk before and after it repairs the region's text alike, blanks nothing
    else, reports nothing else and leaves their statements as they were. None otherwise (the
    class is then one chunk again).

    Each statement is compared by its outline (``chunks.outline``): parsed from a statement's
    start, the same tokens on the same lines and columns make the same tree, and the texts
    compared are the same (the neighbours' lines are unchanged and not blanked, the region's
    repaired text is compared whole). ``failed``: the error the region (at its lines, under
    ``class _:``) raises as written. Under a class's first method the segment before is the
    class header, parsed where the class starts (the window is then the class from its first
    line; its first statement is the class either way)."""
    first = old[first_index].first
    last = old[last_index].last + delta
    text = "".join(lines[first - 1 : last])
    if first_index == 0 or last_index + 1 >= len(old):
        return None
    unit = old[first_index].unit
    before, after = old[first_index - 1], old[last_index + 1]
    if before.unit is not unit or after.broken is not None:
        return None
    if after.unit is not None and after.unit is not unit:
        return None  # another class's header: its statements are not all in its text
    alone, alone_text, _ = _tolerant("\n" * (first - 2) + _WRAPPER + text, path, failed)
    if any(n.kind == "unparsable" for n in alone.notices) or not 0 < len(alone.notices) <= MAX_BROKEN_NOTICES:
        return None
    if any(not first <= line <= last for line in alone.blanked_lines):
        return None
    window_last = after.last + delta
    # Under the class header (the first method): the header's lines where the class starts, at
    # the top level; else the segment before under ``class _:``.
    above = "\n" * (before.first - 1) if before is unit.header else "\n" * (before.first - 2) + _WRAPPER
    head = above + "".join(lines[before.first - 1 : first - 1])
    tail = "".join(lines[last:window_last])
    if not _single_class(alone.tree):
        return None
    region = alone.tree.body[0].body
    repaired = alone_text[first - 2 + len(_WRAPPER) :]
    window, window_text, stitched = _tolerant(head + text + tail, path, stitch=(head, repaired, tail))
    if window.notices != alone.notices or window.blanked_lines != alone.blanked_lines:
        return None
    if stitched:  # repaired as alone: the segment before's statements, the region's, the chunk after's
        return region, list(alone.notices)
    # Only the region's lines were blanked: the head and tail are as written, the region's
    # text between them must be repaired as alone.
    if len(window_text) != len(head) + len(repaired) + len(tail) or not window_text.startswith(repaired, len(head)):
        return None
    if not window.tree.body or not isinstance(window.tree.body[0], ast.ClassDef):
        return None
    inside = window.tree.body[0].body
    above = before.own or []
    below = (after.own or []) if after.unit is unit else []
    outside = window.tree.body[1:] if after.unit is not unit else []
    if len(inside) != len(above) + len(region) + len(below):
        return None
    if after.unit is not unit and len(outside) != len(after.module.body):
        return None
    shift = before.first - before.base
    if any(outline(a, 0) != outline(b, shift) for a, b in zip(inside[: len(above)], above, strict=True)):
        return None
    placed = inside[len(above) : len(above) + len(region)]
    if any(outline(a, 0) != outline(b, 0) for a, b in zip(placed, region, strict=True)):
        return None
    others = [
        *zip(inside[len(above) + len(region) :], below, strict=True),
        *zip(outside, after.module.body, strict=True),
    ]
    shift = after.first - after.base + delta
    if any(outline(a, 0) != outline(b, shift) for a, b in others):
        return None
    return region, list(alone.notices)


def _left_open(error: SyntaxError | None) -> bool:
    """Whether the parser reached the end of the text inside a bracket or a triple-quoted string."""
    message = (error.msg or "") if error is not None else ""
    return message.endswith("was never closed") or message.startswith("unterminated triple-quoted")


def _parse(text: str) -> ast.Module | SyntaxError | None:
    """``parse_module``, with the syntax error when ``text`` raises one."""
    try:
        tree = parse_quietly(text)
    except SyntaxError as error:
        return error
    except (RecursionError, MemoryError, ValueError, OverflowError):
        return None
    return tree if isinstance(tree, ast.Module) else None


def _tolerant(
    text: str, path: str, failed: SyntaxError | None = None, stitch: tuple[str, str, str] | None = None
) -> tuple[ParseResult, str, bool]:
    """``parse_tolerant`` of ``text``; the text as repaired (the last one parsed); whether that
    one was known to parse, so not parsed (the tree is then empty). ``failed``: the error
    ``text`` raises. ``stitch``: a repaired text known to parse, in three parts (the lines
    before the repaired ones, those, the lines after), each parsing alone at a statement's
    start in the same block: once the attempts come to it, it parses into their statements."""
    parsed = text
    stitched = False
    written = True  # the first attempt parses the text as written

    def parse(current: str, path: str) -> ast.Module:
        nonlocal parsed, stitched, written
        parsed = current
        if written:
            written = False
            if failed is not None:
                raise failed
        elif stitch is not None:
            head, middle, tail = stitch
            if (
                len(current) == len(head) + len(middle) + len(tail)
                and current.startswith(head)
                and current.startswith(middle, len(head))
                and current.endswith(tail)
            ):
                stitched = True
                return ast.Module(body=[], type_ignores=[])
        tree = parse_quietly(current, path)
        assert isinstance(tree, ast.Module)
        return tree

    result = parse_tolerant(text, path, parse=parse)
    return result, parsed, stitched


def _open_region(
    lines: list[str], old: list[Chunk], first_index: int, last_index: int, delta: int, path: str
) -> tuple[list[ast.stmt], list[Notice]] | None:
    """The statements (at their own lines) and notices of segments that end inside a bracket or
    string, from the tolerant parse of the file from the segment before them to its end, that
    segment's lines under ``class _:`` (its tokenizer and parser states there are the whole
    file's: inside the class body, at a statement's start): accepted when it repairs only the
    region, leaves the segment before as it was and, once repaired, the region parses alone
    (so the rest of the file parses into the statements it held before). None otherwise.

    Under the class's first method the segment before is the class header: its lines (the
    decorators, the ``class`` line, the statements before the first method) are parsed as
    written, at the top level where the class starts, with no ``class _:`` line above."""
    if first_index == 0:
        return None
    unit = old[first_index].unit
    before = old[first_index - 1]
    header = before is unit.header
    if before.unit is not unit or (not header and before.first < 2):
        return None
    first = old[first_index].first
    last = old[last_index].last + delta
    start = before.first
    # The text below the region is the last version's, cut into chunks that parsed as written
    # (the class's next segments, then whole top-level statements): once the text above it
    # parses as the class alone, all of it parses into those statements after the region's.
    # The same holds above it: the segment before parsed alone into its statements, so once
    # it is as written and the region parses alone, the whole parses into theirs and the
    # region's: only the region is parsed (the tree is the region's statements, in a class).
    whole = all(c.broken is None for c in old[last_index + 1 :])
    above = ["\n"] * (start - 1) if header else ["\n"] * (start - 2) + [_WRAPPER]
    split = above + lines[start - 1 :]  # line k of the file at index k - 1 either way
    tail = "".join(lines[last:])
    prefix = "".join(split[: first - 1])
    padding = "\n" * (first - 2) + _WRAPPER
    stitched = False
    written = True  # the first attempt parses the text as written: its region does not tokenize

    def parse(current: str, path: str) -> ast.Module:
        nonlocal stitched, written
        stitched = False
        if whole and not written and current.endswith(tail) and current.startswith(prefix):
            region = current[len(prefix) : len(current) - len(tail)]
            tree = parse_module(padding + region) if region.endswith("\n") else None
            if tree is not None and _single_class(tree):
                stitched = True
                return tree
        written = False
        tree = parse_quietly(current, path)
        assert isinstance(tree, ast.Module)
        return tree

    rest = parse_tolerant("".join(split), path, parse=parse, split=split)
    # Only a repair that leaves the text below as written is taken (checked by the stitch).
    if not stitched or not 0 < len(rest.notices) <= MAX_BROKEN_NOTICES:
        return None
    if any(n.span is None or not first <= n.span.start_line <= last for n in rest.notices):
        return None
    if any(not first <= line <= last for line in rest.blanked_lines):
        return None
    region = rest.tree.body[0].body
    if any(_first_line(s) < first or (s.end_lineno or s.lineno) > last for s in region):
        return None
    return region, list(rest.notices)


def _single_class(tree: ast.Module) -> bool:
    return len(tree.body) == 1 and isinstance(tree.body[0], ast.ClassDef)


def reassemble(unit: ClassUnit, segments: list[Chunk]) -> None:
    """Give the class a new node whose body is its segments' statements; relink their facts."""
    old = unit.node
    node = ast.ClassDef(**{name: getattr(old, name) for name in old._fields})
    for name in old._attributes:
        setattr(node, name, getattr(old, name, None))
    node.body = [s for segment in segments for s in segment.own or ()]
    unit.segments = segments
    unit.node = node
    header = segments[0]
    header.module = ast.Module(body=[node], type_ignores=[])
    adopt(unit, old)


def adopt(unit: ClassUnit, old: ast.ClassDef | None) -> None:
    """Point the segments' facts (parents, the header's index) at the unit's current node."""
    node = unit.node
    unit.changed = True
    unit._class_key = None
    for segment in unit.segments:
        segment.unit = unit
        facts = segment.facts
        if facts is None:
            continue
        parents = facts.parents
        if old is not None:
            parents.pop(old, None)
        parents[node] = facts.tree
        for statement in segment.own or ():
            parents[statement] = node
        if segment is unit.header:
            for child in (*node.decorator_list, *node.bases, *node.keywords):
                parents[child] = node
            listed = facts._by_type.get(ast.ClassDef, [])
            facts._by_type[ast.ClassDef] = [node if n is old else n for n in listed]
            facts._mixed.clear()
            segment.positioned = [node if n is old else n for n in segment.positioned]
            segment.ended = [node if n is old else n for n in segment.ended]
            segment.moving = None


def settle(unit: ClassUnit) -> None:
    """Move the segments' nodes to their lines; the class node ends where its last statement does."""
    for segment in unit.segments:
        if segment.base != segment.first:
            place(segment)
    node = unit.node
    last = node.body[-1]
    node.end_lineno = last.end_lineno
    node.end_col_offset = last.end_col_offset


def collapse(unit: ClassUnit) -> Chunk:
    """The class as one top-level chunk again (its nodes placed), remembering its segments."""
    settle(unit)
    first, last = unit.segments[0].first, unit.segments[-1].last
    text = "".join(s.text for s in unit.segments)
    chunk = Chunk(first, last, text, "unit:" + _digest(text), ast.Module(body=[unit.node], type_ignores=[]), base=first)
    chunk.collapsed = unit
    notices = [notice for segment in unit.segments for notice in segment.broken or ()]
    if notices:  # a segment repaired when it was parsed: the class parses only so
        chunk.broken = notices
    return chunk


def restore(chunk: Chunk) -> list[Chunk]:
    """The segments of a collapsed class chunk that came through unchanged, at its lines."""
    unit = chunk.collapsed
    assert unit is not None
    delta = chunk.first - unit.segments[0].first
    if delta:
        for segment in unit.segments:
            segment.first += delta
            segment.last += delta
    return unit.segments


# -- facts, imports, bindings ---------------------------------------------------------------


def segment_facts(chunk: Chunk, imports: ImportMap, path: str) -> ModuleFacts:
    """Facts over the segment's own nodes (the header's: the class node without the other
    segments' statements), linked up to the shared class node."""
    unit = chunk.unit
    assert unit is not None and chunk.own is not None
    node = unit.node
    root = ast.Module(body=[node] if chunk is unit.header else list(chunk.own), type_ignores=[])
    view = View("", path, [], root)
    if chunk is unit.header:
        owned = {id(s) for s in chunk.own}
        skip = [s for s in node.body if id(s) not in owned]
        facts = ModuleFacts.partial(view, [(node, root)], skip, imports, imports.module_name)
    else:
        facts = ModuleFacts.partial(view, [(s, node) for s in chunk.own], (), imports, imports.module_name)
        facts.parents[node] = root
    stored = {
        n.attr  # type: ignore[attr-defined]
        for n in facts.nodes(ast.Attribute)
        if not isinstance(n.ctx, ast.Load)  # type: ignore[attr-defined]
    }
    for call in facts.nodes(ast.Call):
        function = call.func  # type: ignore[attr-defined]
        if isinstance(function, ast.Name) and function.id in {"setattr", "delattr"}:
            stored.add("()" + function.id)
    chunk.attrs = frozenset(stored)
    return facts


def segment_imports(chunk: Chunk, module_name: str) -> tuple[dict[str, str], list[str], set[str]]:
    """The segment's part of the module's import map: its imports; the header binds the class name."""
    own = ImportMap(ast.Module(body=list(chunk.own or ()), type_ignores=[]), module_name, assigned=False)
    unit = chunk.unit
    bound = {unit.node.name} if unit is not None and chunk is unit.header else set()
    return own.aliases, own.star_modules, bound


def segment_bindings(chunk: Chunk) -> dict[str, str]:
    """Names the segment binds at module level, each with a digest of what binds it: the
    class name and names bound in its decorators and bases (the header, by the whole class),
    names declared ``global`` or ``nonlocal`` and containers grown in its statements (by the
    segment's text)."""
    unit = chunk.unit
    assert unit is not None
    found: dict[str, str] = {}
    if chunk.facts is not None:  # the declarations among the segment's nodes, from its facts' index
        declarations = chunk.facts.nodes(ast.Global, ast.Nonlocal)
    else:
        declarations = [n for s in chunk.own or () for n in ast.walk(s) if isinstance(n, (ast.Global, ast.Nonlocal))]
    for declaration in declarations:
        for name in declaration.names:  # type: ignore[attr-defined]
            found[name] = chunk.key
    if chunk.facts is not None and chunk is not unit.header:
        # A method's facts index exactly its statements' nodes (a header's also hold its
        # decorators and bases): no second walk.
        for kind in (ast.Call, ast.Subscript):
            for node in chunk.facts.nodes(kind):
                name = grown_name(node)
                if name is not None:
                    found[name] = chunk.key
    else:
        for statement in chunk.own or ():
            for name in grown_names(statement):
                found[name] = chunk.key
    if chunk is unit.header:
        node = unit.node
        tracked = {node.name}
        for part in (*node.decorator_list, *node.bases, *node.keywords):
            for inner in ast.walk(part):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
                    tracked.add(inner.id)
        unit.tracked = sorted(tracked)
        for name in tracked:
            found[name] = unit.whole_key
    return found
