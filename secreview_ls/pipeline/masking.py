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


def _redactor_near(findings: list[Finding], text: str, path: str, lines: list[str]) -> Redactor:
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
    sparse = [""] * len(lines)  # filled at the wanted lines only: they are few in a big file
    for number in wanted:
        if 1 <= number <= len(lines):
            sparse[number - 1] = lines[number - 1]
    return Redactor("\n".join(sparse), path, sparse)
