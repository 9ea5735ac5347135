"""Line-level diff of two versions of a document: which lines at the start and the end are unchanged."""

from __future__ import annotations

import bisect
import re

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


def diff_lines(old_text: str, old_lines: list[str], starts: list[int], text: str) -> tuple[list[str], int, int]:
    """``text`` split like ``split_lines_keepends``, and how many lines at its start and at its
    end are those of the old version (``starts``: offset of each old line, then the length).
    Only the changed middle is split: the texts are compared, not their lines."""
    if text == old_text:
        return old_lines, len(old_lines), 0
    if not old_lines:
        return split_lines_keepends(text), 0, 0
    count = len(old_lines)
    same_start = common_prefix(old_text, text)
    # Old lines wholly inside the common start; one ending with "\r" (or nothing) right at
    # the change may continue differently ("\r" + "\n" is one line break).
    prefix = min(bisect.bisect_right(starts, same_start) - 1, count)
    if prefix and starts[prefix] == same_start and not old_lines[prefix - 1].endswith("\n"):
        prefix -= 1
    # The common end may reach back to the start of the first changed line, not only to the
    # end of the common start: a line inserted above another of the same indentation leaves
    # that one unchanged (the common start takes their shared indentation).
    same_end = common_suffix(old_text, text, min(len(old_text), len(text)) - starts[prefix])
    # Old lines wholly inside the common end, starting right after a line break of the new text.
    delta = len(text) - len(old_text)
    first = max(bisect.bisect_left(starts, len(old_text) - same_end), prefix)
    while first < count:
        at = starts[first] + delta
        before = text[at - 1] if at > 0 else "\n"
        if before == "\n" or (before == "\r" and not old_lines[first].startswith("\n")):
            break
        first += 1
    middle = split_lines_keepends(text[starts[prefix] : starts[first] + delta])
    return [*old_lines[:prefix], *middle, *old_lines[first:]], prefix, count - first


def common_prefix(a: str, b: str, limit: int | None = None, step: int = 4096) -> int:
    """Length of the longest common prefix of ``a`` and ``b``, at most ``limit``."""
    limit = min(len(a), len(b)) if limit is None else min(limit, len(a), len(b))
    low = 0
    while low < limit:
        high = min(low + step, limit)
        if a[low:high] != b[low:high]:
            while low < high:  # the first difference is in [low, high)
                middle = (low + high) // 2
                if a[low : middle + 1] == b[low : middle + 1]:
                    low = middle + 1
                else:
                    high = middle
            return low
        low = high
    return limit


def common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the longest common suffix of ``a`` and ``b``, at most ``limit``."""
    return common_prefix(a[::-1], b[::-1], limit)  # reversing is a copy: cheap beside analysis


def strip_terminator(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line
