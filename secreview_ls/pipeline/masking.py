"""Credentials never leave the pipeline in full.

Every finding's snippet, message and flow notes are masked, whichever rule reported the
line; a fix whose replacement text would print a credential is not offered (applying a
masked value would break the code). The redactor reads only the lines the findings show
and their neighbours, so the cost follows the findings, not the file.
"""

from __future__ import annotations

from dataclasses import replace

from ..engine.finding import Finding
from ..engine.redaction import Redactor
from ..engine.secret_values import scrub

#: Lines around a shown line that can decide whether it holds a credential (an AWS secret
#: key is recognised within three lines of its key id).
_SECRET_CONTEXT = 3


def mask_credentials(findings: list[Finding], text: str, path: str, lines: list[str]) -> None:
    """Mask every credential that ``findings`` would show, in place."""
    if not findings:
        return
    redactor = _redactor_near(findings, text, path, lines)
    for found in findings:
        if found.cwe == 798 and found.span.start_line == found.span.end_line:
            redactor.add(found.span.start_line, found.span.start_col, found.span.end_col)
    secrets = redactor.secret_values()
    for found in findings:
        if found.cwe == 798 or redactor.ranges(found.span.start_line):
            found.snippet = redactor.line(found.span.start_line).strip()
        if not secrets:
            continue
        found.snippet = scrub(found.snippet, secrets)
        found.message = scrub(found.message, secrets)
        if any(value in step.note for step in found.flow for value in secrets):
            found.flow = tuple(
                replace(step, note=scrub(step.note, secrets), name=scrub(step.name, secrets)) for step in found.flow
            )
        if found.fix is not None and any(
            value in piece for piece in (found.fix.title, *(e.new_text for e in found.fix.edits)) for value in secrets
        ):
            found.fix = None


def _redactor_near(findings: list[Finding], text: str, path: str, lines: list[str]) -> Redactor | _Near:
    """A redactor that knows the credentials on and around the lines the findings show
    (their own lines and those of their flow steps); other lines are left blank. Private
    key blocks span many lines: a file with one is read whole."""
    wanted: set[int] = set()
    for found in findings:
        spans = [found.span, *(step.span for step in found.flow if step.path in (None, found.path))]
        for span in spans:
            wanted.update(range(span.start_line - _SECRET_CONTEXT, span.end_line + _SECRET_CONTEXT + 1))
    if len(wanted) * 2 >= len(lines) or "PRIVATE KEY" in text:
        return Redactor(text, path, lines)
    return _Near(sorted(number for number in wanted if 1 <= number <= len(lines)), path, lines)


# Blank lines standing for a longer run of lines the findings do not show: more than any
# detector looks across (an AWS secret key within three lines of its key id), so the run
# separates what it separated. The detectors' patterns, but for a private key block's (a file
# with one is read whole), match within a line.
_GAP = 2 * _SECRET_CONTEXT + 1
# The credentials known on the shown lines of the last few analyses (by file, and those lines'
# text): a keystroke away from every finding shows the same lines, moved or not.
_KNOWN: dict[tuple[str, str], Redactor] = {}
_KNOWN_MAX = 8


class _Near:
    """A redactor over a file's ``shown`` lines only (in order), asked by the file's line
    numbers: the lines in between are blank to it, a long run of them cut to ``_GAP`` lines."""

    def __init__(self, shown: list[int], path: str, lines: list[str]) -> None:
        kept: list[str] = []
        self._at: dict[int, int] = {}  # the file's line number → the redactor's
        last = None
        for number in shown:
            if last is not None and number > last + 1:
                kept.extend([""] * min(number - last - 1, _GAP))
            kept.append(lines[number - 1])
            self._at[number] = len(kept)
            last = number
        text = "\n".join(kept)
        key = (path, text)
        known = _KNOWN.get(key)
        if known is None:
            known = Redactor(text, path, kept)
            if len(_KNOWN) >= _KNOWN_MAX:
                _KNOWN.pop(next(iter(_KNOWN)), None)
            _KNOWN[key] = known
        self._redactor = known.copy()

    def add(self, line: int, start_col: int, end_col: int) -> None:
        self._redactor.add(self._at.get(line, 0), start_col, end_col)

    def ranges(self, line: int) -> list[tuple[int, int, str]]:
        at = self._at.get(line)
        return self._redactor.ranges(at) if at is not None else []

    def line(self, number: int) -> str:
        return self._redactor.line(self._at.get(number, 0))

    def secret_values(self) -> list[str]:
        return self._redactor.secret_values()
