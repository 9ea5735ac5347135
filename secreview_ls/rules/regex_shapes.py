"""Regular expressions whose backtracking grows exponentially with the length of the text.

Python's ``re`` is a backtracking matcher. A repetition whose body can split one run of
characters in many ways — ``(a+)+``, ``(\\w+\\s?)*``, ``(\\d+\\.?\\d*)+`` — makes a failed match try
every split: 2ⁿ attempts for n characters. That happens only where something after the
repetition can still fail (an anchor, a required character, ``fullmatch``); a repetition at the
very end of the pattern matches greedily and stops.

The test here is deliberately narrow, to report only patterns that really blow up: the body of
an unbounded repetition holds an unbounded repetition of one character class, and every other
item of the body is optional or reads only characters that class reads too. A required
separator the inner class cannot read (``([a-z]+\\.)*``) makes the split unique and is not
reported; alternations of single characters are one character class in ``re`` and are not
ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

Item = tuple[Any, Any]
CharTest = Callable[[str], bool]

# The characters a class is tested on: Latin-1 and a few letters, digits and spaces of other
# scripts (enough to tell the classes ``re`` knows apart).
_SAMPLE = (*(chr(code) for code in range(256)), "ж", "中", "٣", "\u2003")
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
_ONE_CHARACTER = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)
# Anchors that can fail at the end of a repetition (``^``/``\A`` after it cannot help either).
_FAILING_ANCHORS = frozenset({sre.AT_END, sre.AT_END_STRING, sre.AT_BOUNDARY, sre.AT_NON_BOUNDARY})


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


_CATEGORIES: dict[Any, CharTest] = {
    sre.CATEGORY_DIGIT: str.isdecimal,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre.CATEGORY_WORD: _word,
    sre.CATEGORY_NOT_WORD: lambda c: not _word(c),
}


def _folded(test: CharTest, ignore_case: bool) -> CharTest:
    if not ignore_case:
        return test
    return lambda c: any(test(variant) for variant in (c, c.lower(), c.upper()) if len(variant) == 1)


def _member_test(op: Any, arg: Any) -> CharTest | None:
    if op is sre.LITERAL:
        return lambda c: c == chr(arg)
    if op is sre.RANGE:
        low, high = arg
        return lambda c: low <= ord(c) <= high
    if op is sre.CATEGORY:
        return _CATEGORIES.get(arg)
    return None


def _class_test(item: Item, ignore_case: bool) -> CharTest | None:
    """What one character-reading item accepts, or None for anything else."""
    op, arg = item
    if op is sre.LITERAL or op is sre.NOT_LITERAL:
        test: CharTest = (lambda c: c == chr(arg)) if op is sre.LITERAL else (lambda c: c != chr(arg))
        return _folded(test, ignore_case)
    if op is sre.ANY:
        return lambda c: True  # the newline left out by default makes no split unique
    if op is not sre.IN:
        return None
    negated = bool(arg) and arg[0][0] is sre.NEGATE
    members = []
    for member_op, member_arg in arg[1 if negated else 0 :]:
        member = _member_test(member_op, member_arg)
        if member is None:
            return None
        members.append(member)
    if negated:
        return _folded(lambda c: not any(m(c) for m in members), ignore_case)
    return _folded(lambda c: any(m(c) for m in members), ignore_case)


def _within(inner: CharTest, outer: CharTest) -> bool:
    return all(outer(c) for c in _SAMPLE if inner(c))


def _minimum_length(items: Sequence[Item]) -> int:
    total = 0
    for op, arg in items:
        if op in _REPEATS or op is sre.POSSESSIVE_REPEAT:
            total += arg[0] * _minimum_length(arg[2])
        elif op is sre.SUBPATTERN:
            total += _minimum_length(arg[3])
        elif op is sre.ATOMIC_GROUP:
            total += _minimum_length(arg)
        elif op is sre.BRANCH:
            total += min(_minimum_length(branch) for branch in arg[1])
        elif op in _ONE_CHARACTER:
            total += 1
    return total


def _can_fail(item: Item) -> bool:
    """Whether an item after a repetition can refuse the text left (and so make it backtrack)."""
    op, arg = item
    if op is sre.AT:
        return arg in _FAILING_ANCHORS
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.GROUPREF, sre.GROUPREF_EXISTS):
        return True
    return _minimum_length([item]) > 0


def _flattened(items: Sequence[Item]) -> list[Item]:
    """The items of a sequence with plain groups opened (``(?:a+)`` is ``a+``)."""
    flat: list[Item] = []
    for op, arg in items:
        if op is sre.SUBPATTERN:
            flat.extend(_flattened(arg[3]))
        else:
            flat.append((op, arg))
    return flat


def _single_class(items: Sequence[Item], ignore_case: bool) -> CharTest | None:
    flat = _flattened(items)
    return _class_test(flat[0], ignore_case) if len(flat) == 1 else None


def _reads_only(item: Item, allowed: CharTest, ignore_case: bool) -> bool:
    """Whether a required item reads only characters ``allowed`` accepts."""
    op, arg = item
    if op in _REPEATS:
        inner = _single_class(arg[2], ignore_case)
    else:
        inner = _class_test(item, ignore_case)
    return inner is not None and _within(inner, allowed)


def _ambiguous(body: Sequence[Item], ignore_case: bool) -> bool:
    """Whether a repeated body can read one run of characters in more than one way."""
    flat = _flattened(body)
    for index, (op, arg) in enumerate(flat):
        if op not in _REPEATS or arg[1] is not sre.MAXREPEAT:
            continue
        inner = _single_class(arg[2], ignore_case)
        if inner is None:
            continue
        others = flat[:index] + flat[index + 1 :]
        if all(_minimum_length([other]) == 0 or _reads_only(other, inner, ignore_case) for other in others):
            return True
    return False


def _exploding(items: Sequence[Item], failing_after: bool, ignore_case: bool) -> bool:
    for index, (op, arg) in enumerate(items):
        after = failing_after or any(_can_fail(item) for item in items[index + 1 :])
        if op in _REPEATS:
            if after and arg[1] is sre.MAXREPEAT and _ambiguous(arg[2], ignore_case):
                return True
            if _exploding(list(arg[2]), after, ignore_case):
                return True
        elif op is sre.SUBPATTERN:
            if _exploding(list(arg[3]), after, ignore_case):
                return True
        elif op is sre.BRANCH:
            if any(_exploding(list(branch), after, ignore_case) for branch in arg[1]):
                return True
    return False


@cache
def exponential_backtracking(pattern: str, flags: int = 0, whole: bool = False) -> bool:
    """Whether matching ``pattern`` can take time exponential in the text's length (``whole``:
    the text must match to its end, as with ``re.fullmatch``)."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError, ValueError):
        return False
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    return _exploding(list(parsed), whole, ignore_case)
