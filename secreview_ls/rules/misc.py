"""Source-level weaknesses that are not about one API (SR9xx)."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator

from ..engine.finding import Finding, Span
from ..engine.suppressions import Suppression, parse_suppressions
from .base import HIGH, LOW, MEDIUM, RuleContext, rule

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
        for token in tokenize.generate_tokens(io.StringIO(ctx.source.text, newline=None).readline):
            if token.type in kinds:
                spans.append((token.start, token.end))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return spans


#: The rule that `require-reason = true` turns on.
REASON_RULE_ID = "SR902"
#: What the editor's "suppress on this line" action writes where the reason goes; left as it
#: is, it does not count as a reason.
REASON_PLACEHOLDER = "reason"


def needs_reason(suppression: Suppression) -> bool:
    """Whether ``suppression`` hides security findings without saying why. A ``# noqa`` counts
    only when it names a Ruff security code (``S602``), not a style code."""
    if suppression.reason is not None and suppression.reason.lower() != REASON_PLACEHOLDER:
        return False
    if suppression.kind == "noqa":
        return any(code.startswith("S") and code[1:].isdigit() for code in suppression.codes)
    return True


@rule(
    id=REASON_RULE_ID,
    name="suppression-without-reason",
    cwe=710,  # improper adherence to coding standards
    severity=LOW,
    confidence=HIGH,
    relevant_in_tests=True,
    default_enabled=False,  # on with `require-reason = true` or by selecting SR902
    scope="module",
    summary="A suppression comment does not say why the finding is acceptable.",
    why="A suppression is a decision that a reported weakness cannot be exploited here. Without "
    "the reason, the next reviewer cannot tell a checked decision from a silenced warning, and "
    "cannot notice when the reason stops being true (the flag becomes user-controlled, the file "
    "moves into a request handler). Write the reason after ` -- ` on the same comment; it is "
    "kept in the reports. `# secreview: ignore`, `# nosec` and `# noqa: S...` comments are "
    "checked; `-- reason` left as the editor inserted it does not count. This finding cannot be "
    "silenced by the comment it is about (the Suppress line below does not apply to it): give "
    "the reason, or turn the rule off for some paths with `per-file-ignores`.",
    bad="subprocess.run(cmd, shell=True)  # secreview: ignore[SR201]\nsubprocess.run(cmd, shell=True)  # nosec B602",
    good="subprocess.run(cmd, shell=True)  # secreview: ignore[SR201] -- cmd is a constant from settings.py\n"
    "subprocess.run(cmd, shell=True)  # nosec B602 -- cmd is a constant from settings.py",
)
def suppression_without_reason(ctx: RuleContext) -> Iterator[Finding]:
    for suppression in parse_suppressions(ctx.source.text):
        if not needs_reason(suppression):
            continue
        placeholder = suppression.reason is not None
        yield suppression_without_reason.finding(
            ctx,
            None,
            "suppression comment still has the placeholder reason: say why the finding is acceptable"
            if placeholder
            else "suppression comment without a reason: add ` -- why this is safe` after it",
            span=suppression.span,
        )
