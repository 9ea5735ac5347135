"""Regular expressions that backtrack exponentially (SR110, CWE-1333).

A constant pattern given to the ``re`` module whose repetition can split one run of characters
in many ways (``(a+)+$``, ``(\\w+\\s?)*@``) takes time exponential in the length of a text that
almost matches: a few dozen characters sent by a client tie up a worker for minutes. The shape
test lives in ``regex_shapes``; this module finds the patterns handed to ``re``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ..engine.facts import argument
from ..engine.finding import Finding
from .base import MEDIUM, RuleContext, rule
from .judge import short, static_string
from .regex_shapes import exponential_backtracking

# ``re`` functions by the position of their ``flags`` argument.
_FLAGS_AT = {
    "compile": 1,
    "match": 2,
    "search": 2,
    "fullmatch": 2,
    "findall": 2,
    "finditer": 2,
    "split": 3,
    "sub": 4,
    "subn": 4,
}
_FLAG_NAMES = {
    "I": re.IGNORECASE,
    "IGNORECASE": re.IGNORECASE,
    "X": re.VERBOSE,
    "VERBOSE": re.VERBOSE,
    "S": re.DOTALL,
    "DOTALL": re.DOTALL,
    "M": re.MULTILINE,
    "MULTILINE": re.MULTILINE,
}


def _flags(node: ast.expr | None) -> int:
    """The flags named in a ``flags`` argument (``re.I | re.X``); others do not change the shape."""
    flags = 0
    for part in ast.walk(node) if node is not None else ():
        name = part.attr if isinstance(part, ast.Attribute) else part.id if isinstance(part, ast.Name) else None
        flags |= _FLAG_NAMES.get(name or "", 0)
    return flags


def _patterns(ctx: RuleContext) -> Iterator[tuple[ast.Call, ast.expr, str, str]]:
    for qualname, call in ctx.facts.calls_to(*(f"re.{function}" for function in _FLAGS_AT)):
        function = qualname.rsplit(".", 1)[-1]
        pattern_node = argument(call, 0, "pattern")
        pattern = static_string(ctx, pattern_node)
        if pattern_node is None or pattern is None:
            continue
        flags = _flags(argument(call, _FLAGS_AT[function], "flags"))
        if exponential_backtracking(pattern, flags, whole=function == "fullmatch"):
            yield call, pattern_node, function, pattern


@rule(
    id="SR110",
    name="regex-exponential-backtracking",
    cwe=1333,
    severity=MEDIUM,
    confidence=MEDIUM,
    summary="A regular expression takes exponential time on text that almost matches.",
    why="Python's `re` backtracks: a repetition whose body can read one run of characters in "
    "several ways (`(a+)+`, `(\\w+\\s?)*`, `(\\d+\\.?\\d*)+`) followed by something that can fail "
    "(`$`, a required character, `fullmatch`) tries every way of splitting the run before giving up, "
    "2ⁿ attempts for n characters. Thirty characters sent by a client keep a worker busy for "
    "minutes (ReDoS). Make each repetition read its text one way only — a separator the inner part "
    "cannot read (`\\w+(?:\\s\\w+)*`), one repetition instead of two (`\\w+` for `(\\w+)+`) — or, "
    "from Python 3.11, a possessive quantifier or atomic group (`(?:\\w+\\s?)++`). Reported for "
    "constant patterns given to `re.compile`, `match`, `search`, `fullmatch`, `findall`, "
    "`finditer`, `sub`, `subn` and `split`; a repetition at the very end of the pattern stops at "
    "its first match and is not reported.",
    bad='EMAIL = re.compile(r"^([a-zA-Z0-9._-]+)*@example\\.com$")',
    good='EMAIL = re.compile(r"^[a-zA-Z0-9._-]+@example\\.com$")',
    triggers=tuple(_FLAGS_AT),
)
def regex_exponential_backtracking(ctx: RuleContext) -> Iterator[Finding]:
    for _call, pattern_node, function, pattern in _patterns(ctx):
        yield regex_exponential_backtracking.finding(
            ctx,
            pattern_node,
            f"the pattern `{short(pattern)}` given to `re.{function}()` repeats a part that can read the same "
            "characters in several ways, so a text that almost matches takes time exponential in its length "
            "(ReDoS); make the repeated part read its text one way only, or use a possessive quantifier",
        )
