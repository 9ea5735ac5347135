"""Source-level weaknesses that are not about one API (SR9xx)."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator

from ..engine.finding import Finding, Span
from .base import HIGH, MEDIUM, RuleContext, rule

# Unicode bidirectional formatting characters (embeddings, overrides, isolates, marks).
BIDI_CONTROLS = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
}
_MARKS = frozenset({"\u200e", "\u200f"})


@rule(
    id="SR901",
    name="bidi-control-character",
    cwe=838,
    severity=HIGH,
    confidence=MEDIUM,
    bandit=("B613",),
    relevant_in_tests=True,  # a Trojan Source line deceives reviewers of test code too
    summary="The source contains Unicode bidirectional control characters ('Trojan Source').",
    why="Bidirectional overrides and isolates reorder how text is displayed without changing how "
    "it is parsed: a comment can appear to close before code that is in fact still inside it, or a "
    "string can hide a condition. Reviewers then approve code that does something other than what "
    "they read (CVE-2021-42574). Escape such characters (`\\u202e`) in string literals. "
    "Left-to-right and right-to-left marks (U+200E, U+200F) reorder nothing around them: inside "
    "string literals they are ordinary text for right-to-left languages (locale formats, "
    "messages) and are not reported; in code and comments they are, with medium severity.",
    bad="# the literal below holds a raw U+202E (RIGHT-TO-LEFT OVERRIDE) character:\n"
    "if access_level != 'user<U+202E> <U+2066>// check if admin<U+2069> <U+2066>':",
    good="RLO = '\\u202e'  # escaped, visible to reviewers",
)
def bidi_control_character(ctx: RuleContext) -> Iterator[Finding]:
    text = ctx.source.text
    if not any(char in text for char in BIDI_CONTROLS):
        return
    strings: list[tuple[tuple[int, int], tuple[int, int]]] | None = None
    for number, line in enumerate(ctx.source.lines, start=1):
        found = [(index, char) for index, char in enumerate(line) if char in BIDI_CONTROLS]
        if not found:
            continue
        only_marks = all(char in _MARKS for _, char in found)
        if only_marks:
            strings = _string_spans(ctx) if strings is None else strings
            if all(any(start <= (number, i) < end for start, end in strings) for i, _ in found):
                continue
        index = found[0][0]
        names = sorted({BIDI_CONTROLS[c] for _, c in found})
        yield bidi_control_character.finding(
            ctx,
            None,
            f"line contains bidirectional control character(s) {', '.join(f'U+{ord(c):04X}' for _, c in found[:3])}"
            f" ({'; '.join(names[:2])}); what is displayed differs from what Python parses — escape them",
            span=Span(number, index, number, index + 1),
            severity=MEDIUM if only_marks else None,
        )


def _string_spans(ctx: RuleContext) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Start and end (line, column) of every string literal token, in code points."""
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    kinds = {tokenize.STRING} | {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    try:
        for token in tokenize.generate_tokens(io.StringIO(ctx.source.text).readline):
            if token.type in kinds:
                spans.append((token.start, token.end))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return spans

