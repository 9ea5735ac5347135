"""Equality of the taint analysis's values, and parts set in one pass, as the field-by-field forms."""

from __future__ import annotations

import itertools

import pytest

from secreview_ls.engine.finding import FlowStep, Span
from secreview_ls.engine.taint.values import (
    EMPTY,
    MAX_DEPTH,
    NO_CONST,
    Label,
    Origin,
    Val,
    set_part,
    set_parts,
)

SPAN = Span(3, 4, 3, 9)
MOVED = Span(7, 4, 7, 9)  # another line, the same shape: the same hash


def _fields(value: object) -> tuple[object, ...]:
    names = {Origin: ("kind", "text", "span", "path", "local", "index", "access"), Label: ("origin", "cleaned")}
    names[Val] = ("taint", "parts", "kind", "const")
    return tuple(getattr(value, name) for name in names[type(value)])


ORIGINS = [
    Origin("param", "doc", SPAN, index=0),
    Origin("param", "doc", SPAN, index=0),  # equal, another object
    Origin("param", "doc", MOVED, index=0),  # same hash, not equal
    Origin("param", "doc", SPAN, index=1),
    Origin("param", "doc", SPAN, index=0, access=(".name",)),
    Origin("source", "`request.args`", SPAN, local=True),
    Origin("source", "`request.args`", SPAN, path="other.py"),
]
STEP = FlowStep(SPAN, "passed")
LABELS = [
    Label(ORIGINS[0]),
    Label(ORIGINS[1], frozenset(), (STEP,)),  # equal: steps do not count
    Label(ORIGINS[2]),
    Label(ORIGINS[0], frozenset({"sql"})),
    Label(ORIGINS[5], frozenset({"sql"})),
]
NAN = float("nan")
VALUES = [
    EMPTY,
    Val(),
    Val(frozenset({LABELS[0]})),
    Val(frozenset({LABELS[1]})),
    Val(frozenset({LABELS[2]})),
    Val(parts=(("'a'", Val(frozenset({LABELS[3]}))),)),
    Val(parts=(("'a'", Val(frozenset({LABELS[3]}))),)),
    Val(kind="class:Page"),
    Val(const="x"),
    Val(const=NAN),  # equal to itself only as the same object, as in a tuple
    Val(const=NAN),
]


@pytest.mark.parametrize("kind", [ORIGINS, LABELS, VALUES], ids=["origins", "labels", "values"])
def test_equality_is_the_fields_comparison(kind: list[object]) -> None:
    for a, b in itertools.product(kind, repeat=2):
        expected = type(a) is type(b) and _fields(a) == _fields(b)
        assert (a == b) is expected, (a, b)
        assert (a != b) is not expected
        if expected:
            assert hash(a) == hash(b)


def test_moved_origin_shares_the_hash_not_the_equality() -> None:
    assert hash(ORIGINS[0]) == hash(ORIGINS[2]) and ORIGINS[0] != ORIGINS[2]
    assert ORIGINS[0] != "doc" and LABELS[0] != ORIGINS[0] and VALUES[0] != 0


def _deep(levels: int) -> Val:
    value = Val(frozenset({LABELS[0]}))
    for _ in range(levels):
        value = Val(parts=(("'k'", value),))
    return value


@pytest.mark.parametrize(
    "parts",
    [
        [("'b'", VALUES[2]), ("'a'", VALUES[5]), (".x", EMPTY)],
        [("'a'", VALUES[2]), ("'a'", VALUES[4])],  # a key twice: the last one stays
        [(str(n), VALUES[2]) for n in range(24)],
        [("'deep'", _deep(MAX_DEPTH)), ("'shallow'", _deep(1))],  # made whole below the depth limit
    ],
)
def test_set_parts_is_set_part_in_turn(parts: list[tuple[str, Val]]) -> None:
    base = Val(frozenset({LABELS[3]}), (), "class:Page", "constant")
    one_by_one = base
    for key, new in parts:
        one_by_one = set_part(one_by_one, key, new)
    together = set_parts(base, parts)
    assert together == one_by_one
    assert together.const is NO_CONST and together.parts == one_by_one.parts
