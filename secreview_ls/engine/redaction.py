"""Masking credentials in a file's lines before they are shown (reports, excerpts)."""

from __future__ import annotations

import re

from .secret_formats import find_aws_secret_keys, find_provider_secrets
from .secret_values import ELLIPSIS, SecretHit, is_placeholder, mask
from .secrets_detect import (
    ASSIGNMENT_NEEDLES,
    AWS_NEEDLES,
    HEADER_NEEDLES,
    URL_NEEDLES,
    NeedleLines,
    find_assigned_secrets,
    find_header_tokens,
    find_url_credentials,
    iter_assignments,
    secret_key_class,
)
from .source import split_lines

# -- redaction for display -------------------------------------------------------------------

_KEY_BLOCK_START = re.compile(r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_BLOCK_END = re.compile(r"-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=]{16,}")
_QUOTED = re.compile(r"""(["'])((?:(?!\1)[^\\]|\\.)+)\1""")


class Redactor:
    """Masks credentials in a file's lines before they are shown (reports, excerpts).

    Covers every provider-format credential, the generic detectors' hits, the
    body of private key blocks, and any range the caller adds (the spans of
    credential findings from other rules). Columns are code points.
    """

    def __init__(self, text: str, path: str = "", lines: list[str] | None = None) -> None:
        self.lines = lines if lines is not None else split_lines(text)
        self._ranges: dict[int, list[tuple[int, int, str]]] = {}
        self._block_lines: set[int] = set()
        self._whole_spans: set[tuple[int, int, int]] = set()  # unquoted finding spans: masked, not scrubbed
        hits = find_provider_secrets(text)
        key_lines = [h.line for h in hits if h.detector == "aws-access-key-id"]
        needles = NeedleLines(text, self.lines)
        hits += find_aws_secret_keys(self.lines, key_lines, needles.lines_with(AWS_NEEDLES))
        hits += find_url_credentials(self.lines, needles.lines_with(URL_NEEDLES))
        hits += find_header_tokens(self.lines, needles.lines_with(HEADER_NEEDLES))
        assignment_lines = needles.lines_with(ASSIGNMENT_NEEDLES)
        hits += [a.hit for a in find_assigned_secrets(self.lines, path, assignment_lines)]
        # Python literals under secret names (the hardcoded-password rules' territory).
        for item in iter_assignments(self.lines, only=assignment_lines):
            if item.quoted and secret_key_class(item.key) and len(item.value) >= 4 and not is_placeholder(item.value):
                hits.append(SecretHit("assigned", "value", item.line, item.start_col, item.end_col, item.value))
        for hit in hits:
            self._ranges.setdefault(hit.line, []).append((hit.start_col, hit.end_col, hit.masked))
        if "PRIVATE KEY" in text:
            self._mark_key_blocks()

    def copy(self) -> Redactor:
        """A redactor knowing what this one knows, whose ``add`` leaves this one as it is."""
        twin = object.__new__(Redactor)
        twin.lines = self.lines
        twin._ranges = {line: list(ranges) for line, ranges in self._ranges.items()}
        twin._block_lines = set(self._block_lines)
        twin._whole_spans = set(self._whole_spans)
        return twin

    def _mark_key_blocks(self) -> None:
        inside = False
        for number, line in enumerate(self.lines, start=1):
            if _KEY_BLOCK_START.search(line):
                inside = True
                start = _KEY_BLOCK_START.search(line)
                assert start is not None
                tail_from = start.end()
                if _KEY_MATERIAL.search(line, tail_from):
                    self._block_lines.add(number)
                if _KEY_BLOCK_END.search(line, tail_from):
                    inside = False
                continue
            if inside:
                self._block_lines.add(number)
                if _KEY_BLOCK_END.search(line):
                    inside = False

    def add(self, line: int, start_col: int, end_col: int) -> None:
        """Hide a credential a rule found at this range: its quoted parts, or all of it."""
        if not 1 <= line <= len(self.lines):
            return
        text = self.lines[line - 1]
        segment = text[start_col:end_col]
        quoted = list(_QUOTED.finditer(segment))
        ranges = self._ranges.setdefault(line, [])
        if quoted:
            for match in quoted:
                value = match.group(2)
                ranges.append((start_col + match.start(2), start_col + match.end(2), mask(value)))
        elif segment:
            ranges.append((start_col, end_col, mask(segment)))
            self._whole_spans.add((line, start_col, end_col))

    def ranges(self, line: int) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, replacement) ranges to hide on ``line``, left to right."""
        found = sorted(self._ranges.get(line, ()))
        if line in self._block_lines and 1 <= line <= len(self.lines):
            for match in _KEY_MATERIAL.finditer(self.lines[line - 1]):
                found.append((match.start(), match.end(), ELLIPSIS))
            found.sort()
        merged: list[tuple[int, int, str]] = []
        for start, end, replacement in found:
            if merged and start < merged[-1][1]:
                previous = merged[-1]
                merged[-1] = (previous[0], max(previous[1], end), previous[2])
                continue
            merged.append((start, end, replacement))
        return merged

    def secret_values(self) -> list[str]:
        """Every distinct hidden value of the file (six characters or more), longest first,
        for scrubbing text that quotes the code (messages, flow notes) rather than showing
        a line of it."""
        values: set[str] = set()
        for number in sorted({*self._ranges, *self._block_lines}):
            if 1 <= number <= len(self.lines):
                text = self.lines[number - 1]
                values.update(
                    text[start:end]
                    for start, end, _ in self.ranges(number)
                    if (number, start, end) not in self._whole_spans
                )
        return sorted((v for v in values if len(v) >= 6), key=lambda v: (-len(v), v))

    def column_in_masked(self, number: int, column: int) -> int:
        """Where ``column`` of line ``number`` lands in ``line(number)`` (a column inside a
        hidden value maps to the start of its mask)."""
        shift = 0
        for start, end, replacement in self.ranges(number):
            if column >= end:
                shift += len(replacement) - (end - start)
            elif column > start:
                return start + shift
        return column + shift

    def line(self, number: int, text: str | None = None) -> str:
        """Line ``number`` (or ``text`` given for it) with every credential masked."""
        if text is None:
            text = self.lines[number - 1] if 1 <= number <= len(self.lines) else ""
        result = text
        ranges = self.ranges(number)
        for start, end, replacement in reversed(ranges):
            result = result[:start] + replacement + result[end:]
        # The same value where no detector matched it (glued to other text): each hit's own
        # value, also those merged into a wider range.
        hidden = {
            (text[start:end], replacement) for start, end, replacement in [*ranges, *self._ranges.get(number, ())]
        }
        for value, replacement in sorted(hidden, key=lambda item: -len(item[0])):
            if len(value) >= 8 and value not in replacement:
                result = result.replace(value, replacement)
        return result
