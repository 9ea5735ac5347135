"""Cutting a new version of the document into chunks, reusing the last version's chunks.

Only the chunks that overlap the change (plus their neighbours) are parsed again, and only if
that region parses on its own. Code that does not parse (mid-edit) is repaired region by
region the way ``parse_tolerant`` repairs the whole file, when that provably gives the same
result. Anything else raises ``RerunWhole``.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import re

from ...engine.source import parse_quietly, parse_tolerant
from ..running import RerunWhole
from .chunks import MAX_BROKEN_NOTICES, Chunk, RunStats, group_statements, outline, parse_module, tokenizes
from .segments import collapse, reassemble, restore, split, splittable, wrapped_region

MAX_EXPANSIONS = 3  # times a region that does not parse grows by one chunk each side
# An error the tokenizer found further down than where it starts (an unterminated triple-quoted
# string is detected at the end of the file): its message names that line.
_DETECTED_AT = re.compile(r"\(detected at line (\d+)\)")
# The tokenizer's limit on nested brackets (``MAXLEVEL`` of CPython 3.11-3.13).
_MAX_NESTING = 200
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def rechunk(
    old_lines: list[str], old: list[Chunk], lines: list[str], prefix: int, suffix: int, path: str, stats: RunStats
) -> list[Chunk]:
    """The chunks of the new version ``lines`` (the first ``prefix`` and last ``suffix`` lines are
    those of ``old_lines``, cut into the chunks ``old``); the chunks below the edit are moved."""
    if not old:
        stats.parsed_lines = len(lines)
        made = _parse_region(lines, 1, len(lines), {})
        if made is None:
            made = broken_document(lines, path)
            stats.broken = True
        return split_classes(made, lines, {})
    delta = len(lines) - len(old_lines)
    if prefix == len(old_lines) == len(lines):
        return old
    low, high = _changed_span(len(old_lines), len(lines), prefix, suffix)
    first_index, last_index = _touched(old, low, high, delta)
    segments = wrapped_region(lines, old, first_index, last_index, delta, path)
    if segments is not None:
        stats.parsed_lines = max(segments[-1].last - segments[0].first + 1, 0)
        unit = segments[0].unit
        moved = old[last_index + 1 :]
        if delta:
            for chunk in moved:
                chunk.first += delta
                chunk.last += delta
        chunks = [*old[:first_index], *segments, *moved]
        reassemble(unit, [c for c in chunks if c.unit is unit])
        return chunks
    # Any other edit near a class cut into segments sees the class as one chunk again.
    old = [
        collapse(c.unit) if c.unit is not None and c is c.unit.header else c
        for c in old
        if c.unit is None or c is c.unit.header
    ]
    first_index, last_index = _touched(old, low, high, delta)
    failed: list[tuple[int, int]] = []
    unclosed: set[tuple[int, int]] = set()  # regions (first and last line) ending inside a bracket
    tried: set[tuple[int, int]] = set()  # regions (first and last chunk) repaired without success
    made: list[Chunk] | None = None
    for attempt in range(MAX_EXPANSIONS + 1):
        if attempt == MAX_EXPANSIONS:
            first_index, last_index = 0, len(old) - 1
        region_first = old[first_index].first
        region_last = old[last_index].last + delta
        reusable = {c.key: c for c in old[first_index : last_index + 1] if c.broken is None}
        stats.parsed_lines = max(region_last - region_first + 1, 0)
        made = _parse_region(lines, region_first, region_last, reusable, unclosed)
        if made is not None:
            break
        failed.append((first_index, last_index))
        # A first region left inside a bracket is repaired at once (the chunks around it parsed
        # alone, so their brackets pair among themselves: one more on each side cannot close
        # it); when that repair is refused, the region grows as before.
        if len(failed) == 2 or (len(failed) == 1 and (region_first, region_last) in unclosed):
            # Mid-edit code: parse the broken region tolerantly on its own, if that gives
            # what the whole file's tolerant parse would.
            for first_index, last_index in failed:
                if (first_index, last_index) in tried:
                    continue
                tried.add((first_index, last_index))
                made = _broken_region(lines, old, first_index, last_index, delta, path, unclosed)
                if made is not None:
                    stats.broken = True
                    break
            if made is not None:
                break
            first_index, last_index = failed[-1]
        if first_index == 0 and last_index == len(old) - 1:
            break
        first_index = max(first_index - 1, 0)
        last_index = min(last_index + 1, len(old) - 1)
    if made is None:
        raise RerunWhole("syntax error")
    assert made is not None
    moved = old[last_index + 1 :]
    if delta:
        for chunk in moved:
            chunk.first += delta
            chunk.last += delta
    chunks = [*old[:first_index], *made, *moved]
    kept = set(chunks)
    pool = {
        c.collapsed.header.key: {s.key: s for s in c.collapsed.segments[1:]}
        for c in old
        if c.collapsed is not None and c not in kept
    }
    return split_classes(chunks, lines, pool, made)


def _changed_span(old_count: int, count: int, prefix: int, suffix: int) -> tuple[int, int]:
    """First and last old lines (0-based) whose chunks are parsed again.

    Lines replaced by other lines need only their own chunks: a region that parses alone
    ends with every bracket, string and block closed and its statements at the region's
    indentation, so the unchanged text around parses as before (an edit that opens
    something, or a decorator left at a chunk's end, fails alone and the region grows).
    Lines only inserted or only deleted have no line of their own to hold: the old line on
    each side of the gap is taken."""
    end = old_count - suffix  # the first old line below the change
    if prefix < end and count - suffix > prefix:
        return prefix, end - 1
    return max(prefix - 1, 0), min(end, old_count - 1)


def _touched(old: list[Chunk], low: int, high: int, delta: int) -> tuple[int, int]:
    """Indexes of the first and last old chunks holding lines low..high (0-based), below them
    any broken chunk (its notices name lines), and above them from the first broken chunk whose
    notice names a line below it (when lines come or go)."""
    starts = [c.first for c in old]
    first_index = max(bisect.bisect_right(starts, low + 1) - 1, 0)
    last_index = max(bisect.bisect_right(starts, high + 1) - 1, first_index)
    while delta and last_index + 1 < len(old) and any(c.broken is not None for c in old[last_index + 1 :]):
        last_index += 1
    if delta:  # a broken chunk above whose message names a line below it is made again too
        first_index = next((i for i, c in enumerate(old[:first_index]) if _names_a_line_below(c)), first_index)
    return first_index, last_index


def _names_a_line_below(chunk: Chunk) -> bool:
    """Whether a broken chunk's notice names a line below the chunk (where the tokenizer found
    the error: a line insert or delete below moves it)."""
    for notice in chunk.broken or ():
        found = _DETECTED_AT.search(notice.message)
        if found is not None and int(found.group(1)) > chunk.last:
            return True
    return False


def split_classes(
    chunks: list[Chunk], lines: list[str], pool: dict[str, dict[str, Chunk]], made: list[Chunk] | None = None
) -> list[Chunk]:
    """The chunks with big classes cut into segments: those that came through unchanged get
    their segments back; new ones are cut, reusing the segments of a class whose header
    (``pool``: header key → its other segments by key) is unchanged. ``made``: the chunks
    made (or matched by text) now; any other was tested when made, and its text, lines and
    tree, all the test reads, are unchanged (None: test all)."""
    new = set(made) if made is not None else None
    result: list[Chunk] = []
    for chunk in chunks:
        if chunk.collapsed is not None:
            result.extend(restore(chunk))
            continue
        if new is not None and chunk not in new:
            result.append(chunk)
            continue
        node = splittable(chunk)
        segments = split(chunk, node, lines, pool) if node is not None else None
        result.extend(segments or (chunk,))
    return result


def broken_document(lines: list[str], path: str) -> list[Chunk]:
    """Chunks for a whole document that does not parse, from the tolerant parse of all of
    it (exactly the pipeline's parse); chunks holding a repaired line carry its notices."""
    parsed = parse_tolerant("".join(lines), path)
    if any(n.span is None for n in parsed.notices) or len(parsed.notices) > MAX_BROKEN_NOTICES:
        raise RerunWhole("syntax errors")
    chunks: list[Chunk] = []
    for first, last, statements in group_statements(parsed.tree.body, 1, len(lines), lines):
        text = "".join(lines[first - 1 : last])
        notices = [n for n in parsed.notices if n.span is not None and first <= n.span.start_line <= last]
        repaired = notices or any(first <= line <= last for line in parsed.blanked_lines)
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        chunk = Chunk(
            first,
            last,
            text,
            ("broken:" if repaired else "") + digest,
            ast.Module(body=statements, type_ignores=[]),
            base=first,
        )
        if repaired:
            chunk.broken = notices
        chunks.append(chunk)
    if [n for c in chunks for n in c.broken or ()] != parsed.notices:
        raise RerunWhole("syntax errors out of order")
    return chunks


def _broken_region(
    lines: list[str],
    old: list[Chunk],
    first_index: int,
    last_index: int,
    delta: int,
    path: str,
    unclosed: set[tuple[int, int]],
) -> list[Chunk] | None:
    """One chunk for a region that does not parse, repaired as ``parse_tolerant`` repairs
    it, when the same parse of the region with a chunk of context on each side blanks
    nothing outside the region and reports nothing else. ``unclosed``: regions (first and
    last line) known to end inside a bracket."""
    first = old[first_index].first
    last = old[last_index].last + delta
    if last < first:
        return None
    text = "".join(lines[first - 1 : last])
    if (first, last) in unclosed or not tokenizes(text):
        # An open bracket or string may close anywhere below: parse from here to the end.
        return _open_region(
            lines, old, first_index, first, last, last_index, delta, text, path, (first, last) in unclosed
        )
    alone = parse_tolerant("\n" * (first - 1) + text, path)
    if any(n.kind == "unparsable" for n in alone.notices) or len(alone.notices) > MAX_BROKEN_NOTICES:
        return None
    before = old[first_index - 1] if first_index > 0 else None
    after = old[last_index + 1] if last_index + 1 < len(old) else None
    window_first = before.first if before is not None else first
    window_last = after.last + delta if after is not None else last
    window = parse_tolerant("\n" * (window_first - 1) + "".join(lines[window_first - 1 : window_last]), path)
    if window.notices != alone.notices or window.blanked_lines != alone.blanked_lines:
        return None
    body = window.tree.body
    count_before = len(before.module.body) if before is not None else 0
    count_after = len(after.module.body) if after is not None else 0
    if len(body) != count_before + len(alone.tree.body) + count_after:
        return None
    middle = body[count_before : len(body) - count_after]
    if any(
        ast.dump(a, include_attributes=True) != ast.dump(b, include_attributes=True)
        for a, b in zip(middle, alone.tree.body, strict=True)
    ):
        return None
    for neighbour, statements in ((before, body[:count_before]), (after, body[len(body) - count_after :])):
        if neighbour is not None and any(
            ast.dump(a) != ast.dump(b) for a, b in zip(statements, neighbour.module.body, strict=True)
        ):
            return None
    key = "broken:" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    chunk = Chunk(first, last, text, key, alone.tree, base=first)
    chunk.broken = list(alone.notices)
    return [chunk]


def _open_region(
    lines: list[str],
    old: list[Chunk],
    first_index: int,
    first: int,
    last: int,
    last_index: int,
    delta: int,
    text: str,
    path: str,
    bracketed: bool = False,
) -> list[Chunk] | None:
    """A broken region that ends inside a bracket or string: the tolerant parse of the file
    from the chunk before the region to its end decides, accepted when it repairs only
    the region, leaves the chunk before as it was and keeps every statement below in
    its place (so the chunks around are unchanged). ``bracketed``: the region's own parse
    said a bracket was never closed (its tokens end inside brackets, outside any string)."""
    before = old[first_index - 1] if first_index > 0 else None
    start = before.first if before is not None else first
    below_chunks = old[last_index + 1 :]
    below = [(statement, chunk.first - chunk.base) for chunk in below_chunks for statement in chunk.module.body]
    # The chunks below parsed as top-level statements and are unchanged: once the text
    # above them parses, the whole parses into its statements followed by theirs, so
    # only attempts that fail need the text below (an open bracket may close there).
    tail = "".join(lines[last:]) if all(c.broken is None for c in below_chunks) else ""
    plain_above = before is None or before.broken is None  # its brackets pair among themselves
    needed = _needed_below(below_chunks, text, len(tail)) if tail and bracketed and plain_above else None
    stitched = False
    written = True  # the first attempt parses the text as written: its region does not tokenize

    def parse(current: str, path: str) -> ast.Module:
        nonlocal stitched, written
        stitched = False
        if tail and not written and current.endswith(tail):
            head = current[: len(current) - len(tail)]
            tree = parse_module(head) if head.endswith("\n") else None
            if tree is not None:
                stitched = True
                return ast.Module(body=[*tree.body, *(s for s, _ in below)], type_ignores=[])
        first_attempt, written = written, False
        if first_attempt and needed is not None:
            # The text as written fails as its start followed by ``needed`` characters below
            # fails (``_needed_below``): the rest of the file is not tokenized.
            try:
                parse_quietly(current[: len(current) - len(tail) + needed], path)
            except (RecursionError, MemoryError, ValueError, OverflowError):
                pass
        tree = parse_quietly(current, path)
        assert isinstance(tree, ast.Module)
        return tree

    # The document's lines are split as the tolerant parse splits them: it need not split again.
    split = ["\n"] * (start - 1) + lines[start - 1 :]
    rest = parse_tolerant("".join(split), path, parse=parse, split=split)
    if any(n.span is None or not first <= n.span.start_line <= last for n in rest.notices):
        return None
    if len(rest.notices) > MAX_BROKEN_NOTICES or any(not first <= line <= last for line in rest.blanked_lines):
        return None
    above = before.module.body if before is not None else []
    body = rest.tree.body
    if len(body) < len(above) + len(below):
        return None
    # Nothing above the region was repaired, so a statement there on the same lines and columns
    # as the one before it was is made of the same tokens: the same tree (as below).
    shift = before.first - before.base if before is not None else 0
    if any(outline(a, 0) != outline(b, shift) for a, b in zip(body[: len(above)], above, strict=True)):
        return None
    own = body[len(above) : len(body) - len(below)]
    if not stitched:
        for node, (statement, shift) in zip(body[len(body) - len(below) :], below, strict=True):
            if outline(node, 0) != outline(statement, shift + delta):
                return None
    if any((node.end_lineno or node.lineno) > last or node.lineno < first for node in own):
        return None
    key = "broken:" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    chunk = Chunk(first, last, text, key, ast.Module(body=own, type_ignores=[]), base=first)
    chunk.broken = list(rest.notices)
    return [chunk]


def _needed_below(below: list[Chunk], region: str, size: int) -> int | None:
    """How many characters of the text below a region (the chunks ``below``, unchanged and
    parsed alone, ``size`` characters) the parse of the text from the region on needs to
    fail with the error it fails with in the whole text, when the region (``region``) ends
    inside brackets; None when not known.

    Inside brackets the tokenizer reads the text below as the same tokens it reads at the top
    level, less line ends and indentation, and each chunk's brackets pair among themselves:
    the region's brackets stay open to the end of the file, and no token there is an error
    of the tokenizer (but for more than ``_MAX_NESTING`` brackets open at once, ruled out from
    the counts of opening brackets). No expression takes the keyword of a definition
    (``def``, ``class``), so the parser stops at the first one below, at the latest; after
    the parse failed, CPython tokenizes the rest of the text only to find such a tokenizer
    error or the end of the file inside brackets, which it reaches with the same brackets
    open when the text is cut at the end of a chunk after that keyword. So the parse fails
    the same when the text ends after the first chunk holding a definition."""
    needed = 0
    for index, chunk in enumerate(below):
        needed += len(chunk.text)
        if not any(isinstance(statement, _DEFINITIONS) for statement in chunk.module.body):
            continue
        after = below[index + 1 :]
        if not after or needed + sum(len(c.text) for c in after) != size:
            return None
        if _count_openers(region) + max(map(_openers, after)) >= _MAX_NESTING:
            return None
        return needed
    return None


def _count_openers(text: str) -> int:
    return text.count("(") + text.count("[") + text.count("{")


def _openers(chunk: Chunk) -> int:
    """Opening brackets in the chunk's text (at least as many as are ever open at once in it),
    kept with the chunk: its text never changes."""
    found = chunk.openers
    if found is None:
        found = chunk.openers = _count_openers(chunk.text)
    return found


def _parse_region(
    lines: list[str], first: int, last: int, reusable: dict[str, Chunk], unclosed: set[tuple[int, int]] | None = None
) -> list[Chunk] | None:
    """Chunks for lines first..last (1-based), or None when the region does not parse alone
    (added to ``unclosed`` when the parser says a bracket was never closed: its tokenizer
    reached the region's end inside one, so the region does not tokenize)."""
    if last < first:
        return []
    region = "".join(lines[first - 1 : last])
    try:
        tree = parse_quietly(region)
    except SyntaxError as error:
        if unclosed is not None and (error.msg or "").endswith("was never closed"):
            unclosed.add((first, last))
        return None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        return None
    if not isinstance(tree, ast.Module):
        return None
    groups = group_statements(tree.body, first, last, lines)
    chunks: list[Chunk] = []
    for group_first, group_last, statements in groups:
        text = "".join(lines[group_first - 1 : group_last])
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        old = reusable.pop(key, None)
        if old is not None:
            old.first, old.last = group_first, group_last
            chunks.append(old)
            continue
        module = ast.Module(body=statements, type_ignores=[])
        # The region was parsed from line 1: its nodes sit (first - 1) lines too high.
        chunks.append(Chunk(group_first, group_last, text, key, module, base=group_first - (first - 1)))
    return chunks
