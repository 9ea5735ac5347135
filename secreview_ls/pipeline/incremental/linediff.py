"""Line-level diff of two versions of a document: which lines at the start and the end are unchanged."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence

_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines_keepends(text: str) -> list[str]:
    """Lines with terminators, split only at ``\\n``, ``\\r\\n`` and ``\\r`` (like the tokenizer)."""
    if not text:
        return []
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(True)
    lines: list[str] = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


class _Offsets:
    """The offset of each line's start in a text, then its length (``starts``), with the two
    searches ``diff_lines`` makes in them."""

    def __init__(self, starts: Sequence[int]) -> None:
        self.starts = starts

    def right(self, offset: int) -> int:
        """How many line starts are at or before ``offset``."""
        return bisect.bisect_right(self.starts, offset)

    def left(self, offset: int) -> int:
        """How many line starts are before ``offset``."""
        return bisect.bisect_left(self.starts, offset)

    def __getitem__(self, index: int) -> int:
        return self.starts[index]


class _SearchedOffsets:
    """The same, for a text whose only line break is ``\\n``, found by searching the text when
    asked: listing the offsets of every line of a big file after each edit (an integer per
    line, the length of each line read) costs several times the searches. The offsets asked
    are those found by the last search or next to them (the lines scanned one by one); any
    other one makes the whole list."""

    def __init__(self, text: str, lines: list[str]) -> None:
        self.text = text
        self.lines = lines
        self.tail = not text.endswith("\n")  # the last line has no terminator
        self.known = {0: 0, len(lines): len(text)}
        self.listed: list[int] | None = None

    def right(self, offset: int) -> int:
        text = self.text
        count = 1 + text.count("\n", 0, offset) + (self.tail and offset >= len(text))
        self.known.setdefault(count - 1, text.rfind("\n", 0, offset) + 1)  # the last start at or before
        return count

    def left(self, offset: int) -> int:
        if offset <= 0:
            return 0
        text = self.text
        count = 1 + text.count("\n", 0, offset - 1)
        if count not in self.known:  # the first start at or after ``offset``
            found = text.find("\n", offset - 1)
            self.known[count] = found + 1 if found >= 0 else len(text)
        return count

    def __getitem__(self, index: int) -> int:
        known = self.known
        found = known.get(index)
        if found is not None:
            return found
        text = self.text
        if index - 1 in known:  # the line after a known one
            end = text.find("\n", known[index - 1])
            found = end + 1 if end >= 0 else len(text)
        elif index + 1 in known and 0 < index < len(self.lines):  # the line before a known one
            found = text.rfind("\n", 0, known[index + 1] - 1) + 1
        else:
            if self.listed is None:
                self.listed = list(itertools.accumulate(map(len, self.lines), initial=0))
            found = self.listed[index]
        known[index] = found
        return found


def diff_lines(
    old_text: str, old_lines: list[str], starts: Sequence[int] | None, text: str
) -> tuple[list[str], int, int]:
    """``text`` split like ``split_lines_keepends``, and how many lines at its start and at its
    end are those of the old version (``starts``: offset of each old line, then the length;
    None: found in ``old_text``). Only the changed middle is split: the texts are compared,
    not their lines."""
    if text == old_text:
        return old_lines, len(old_lines), 0
    if not old_lines:
        return split_lines_keepends(text), 0, 0
    if starts is not None:
        offsets: _Offsets | _SearchedOffsets = _Offsets(starts)
    elif "\r" in old_text:
        offsets = _Offsets(list(itertools.accumulate(map(len, old_lines), initial=0)))
    else:
        offsets = _SearchedOffsets(old_text, old_lines)
    count = len(old_lines)
    same_start = common_prefix(old_text, text)
    # Old lines wholly inside the common start; one ending with "\r" (or nothing) right at
    # the change may continue differently ("\r" + "\n" is one line break).
    prefix = min(offsets.right(same_start) - 1, count)
    if prefix and offsets[prefix] == same_start and not old_lines[prefix - 1].endswith("\n"):
        prefix -= 1
    # The common end may reach back to the start of the first changed line, not only to the
    # end of the common start: a line inserted above another of the same indentation leaves
    # that one unchanged (the common start takes their shared indentation).
    same_end = common_suffix(old_text, text, min(len(old_text), len(text)) - offsets[prefix])
    # Old lines wholly inside the common end, starting right after a line break of the new text.
    delta = len(text) - len(old_text)
    first = max(offsets.left(len(old_text) - same_end), prefix)
    while first < count:
        at = offsets[first] + delta
        before = text[at - 1] if at > 0 else "\n"
        if before == "\n" or (before == "\r" and not old_lines[first].startswith("\n")):
            break
        first += 1
    middle = split_lines_keepends(text[offsets[prefix] : offsets[first] + delta])
    return [*old_lines[:prefix], *middle, *old_lines[first:]], prefix, count - first


def common_prefix(a: str, b: str, limit: int | None = None, step: int = 4096) -> int:
    """Length of the longest common prefix of ``a`` and ``b``, at most ``limit``."""
    limit = min(len(a), len(b)) if limit is None else min(limit, len(a), len(b))
    return _common_length(lambda low, high: a[low:high] == b[low:high], limit, step)


def common_suffix(a: str, b: str, limit: int, step: int = 4096) -> int:
    """Length of the longest common suffix of ``a`` and ``b``, at most ``limit`` (compared by
    slices from the end: no reversed copies of the texts)."""
    end_a, end_b = len(a), len(b)
    return _common_length(
        lambda low, high: a[end_a - high : end_a - low] == b[end_b - high : end_b - low], min(limit, end_a, end_b), step
    )


def _common_length(same: Callable[[int, int], bool], limit: int, step: int) -> int:
    """The largest ``n`` up to ``limit`` for which ``same(0, n)``: ``same(low, high)`` tells whether
    the two texts agree on the characters ``low`` to ``high`` from their start (or end). Compared
    ``step`` characters at a time, then halving the first block that differs."""
    low = 0
    while low < limit:
        high = min(low + step, limit)
        if not same(low, high):
            while low < high:  # the first difference is in [low, high)
                middle = (low + high) // 2
                if same(low, middle + 1):
                    low = middle + 1
                else:
                    high = middle
            return low
        low = high
    return limit


def strip_terminator(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line
