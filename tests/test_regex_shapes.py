"""The shape test of SR110: which patterns backtrack exponentially in Python's ``re``."""

from __future__ import annotations

import re

import pytest

from secreview_ls.rules.regex_shapes import exponential_backtracking

EXPLODING = [
    r"(a+)+b",
    r"(a*)*b",
    r"^(\w+\s?)+$",
    r"(\d+\.?\d*)+x",
    r"(.*)*;",
    r'([^"]*)*"x',
    r"^(\w+)*@",
    r"(x+x+)+y",
    r"(\w+_?)+$",
    r"(?:\s*\w+\s*)+$",
    r"^(?:[a-zA-Z0-9_.+-]+)*@example\.com$",
    r"prefix((ab)|(a+)+)c",  # inside a branch
    r"(?i)([a-z]+[A-Z])+$",  # the case folded: [A-Z] reads what [a-z] reads
    r"([a-z]+[A-Z]?)+$",  # an optional separator leaves the split free
]
ONE_WAY = [
    r"([a-z]+\.)*x",  # a separator the inner class cannot read
    r"(\s*,\s*\w+)*$",
    r"([^,]+,)+$",
    r"(\w|\s)+!",  # single characters: one class, one way
    r"(\w|\d)+!",
    r"([a-z]+[A-Z])+$",  # case kept: the capital is a required separator
    r"^(a+)+",  # nothing after the repetition can fail
    r"(a+)+",
    r"^(?:\w+\s?)++$",  # possessive
    r"^(?>(\w+\s?)+)$",  # atomic
    r"^[a-z]+$",
    r"(ab+)+c",  # a required `a` the inner `b+` cannot read
    "(unbalanced",  # not a pattern: nothing to say
]


@pytest.mark.parametrize("pattern", EXPLODING)
def test_exploding_patterns_are_found(pattern: str) -> None:
    assert exponential_backtracking(pattern)


@pytest.mark.parametrize("pattern", ONE_WAY)
def test_patterns_reading_text_one_way_are_not(pattern: str) -> None:
    assert not exponential_backtracking(pattern)


def test_fullmatch_makes_the_end_of_the_text_a_condition() -> None:
    assert not exponential_backtracking(r"(\w+\s?)+")
    assert exponential_backtracking(r"(\w+\s?)+", whole=True)


def test_flags_change_how_the_pattern_reads() -> None:
    verbose = r"^(?: \w+ \s? )+ $  # words"
    assert exponential_backtracking(verbose, re.VERBOSE)
    assert not exponential_backtracking(r"([a-z]+[A-Z])+$")
    assert exponential_backtracking(r"([a-z]+[A-Z])+$", re.IGNORECASE)
