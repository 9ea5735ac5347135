"""Abstract values of the taint analysis: what a variable may hold.

A value (``Val``) carries a set of ``Label``s, one per strand of untrusted data: where it came
from (``Origin``: a source, or a parameter of the function being summarized), for which taint
classes it has been cleaned, and the steps it took. Containers and objects keep known parts
(constant keys, attributes) apart, up to a few levels.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from ..finding import FlowStep, Span
from ..frozen import fast_init
from .spec import (
    ABSOLUTE_REJECTED,
    ALL_CLASSES,
    DOCUMENT,
    FORMATTED_ITSELF,
    FORMATTED_WHOLE,
    MADE_TEXT,
    QUOTED_ONLY,
    RELATIVE_ONLY,
)

OPAQUE = "~opaque"  # passed through a call whose result is not the string itself
ENCODED = "~encoded"  # inside an encoding (base64): clean for every class until decoded
DERIVED = "~derived"  # the result of a sink (a file's content, a command's output), not the input
MAX_LABELS = 8
MAX_STEPS = 16
MAX_ACCESS = 3
MAX_PARTS = 24  # known keys per container before they are merged
MAX_DEPTH = 4  # nesting of known parts


@fast_init
@dataclass(frozen=True, slots=True)
class Origin:
    """Where a label starts: an untrusted source, or a parameter of the function being summarized."""

    kind: str  # "source" | "param"
    text: str  # "`request.args['name']`" or the parameter name
    span: Span
    path: str | None = None  # file of the source when not the analyzed one
    local: bool = False  # argv/environment/stdin rather than a remote peer
    index: int = -1  # parameter position for "param"
    access: tuple[str, ...] = ()  # parts of the parameter read (".name", "'key'")
    _hash: int = field(init=False, repr=False, compare=False, default=0)
    _order: tuple[object, ...] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        # Line numbers stay out of the hash: code that only moved builds its label sets with the
        # same hashes, so they iterate in the same order as before the move.
        span = self.span
        shape = (span.start_col, span.end_line - span.start_line, span.end_col)
        key = (self.kind, self.text, shape, self.path, self.local, self.index, self.access)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        # The dataclass's comparison of its fields, after the two checks that settle most asks
        # (the same object; different hashes, which equal origins never have).
        if self is other:
            return True
        if other.__class__ is not Origin:
            return NotImplemented
        return (
            self._hash == other._hash  # type: ignore[attr-defined]
            and (self.span is other.span or self.span == other.span)  # type: ignore[attr-defined]
            and (self.text is other.text or self.text == other.text)  # type: ignore[attr-defined]
            and (self.kind is other.kind or self.kind == other.kind)  # type: ignore[attr-defined]
            and (self.path is other.path or self.path == other.path)  # type: ignore[attr-defined]
            and (self.local is other.local or self.local == other.local)  # type: ignore[attr-defined]
            and (self.index is other.index or self.index == other.index)  # type: ignore[attr-defined]
            and (self.access is other.access or self.access == other.access)  # type: ignore[attr-defined]
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt through the constructor: the hash of a string differs between processes.
        return Origin, (self.kind, self.text, self.span, self.path, self.local, self.index, self.access)

    def order(self) -> tuple[object, ...]:
        """Sort key: file, position, then the other fields (``_label_order``); made once."""
        known = self._order
        if known is None:
            span = self.span
            known = (
                self.path or "",
                span.start_line,
                span.start_col,
                span.end_line,
                span.end_col,
                self.kind,
                self.text,
                self.index,
                self.access,
                self.local,
            )
            object.__setattr__(self, "_order", known)
        return known


@fast_init
@dataclass(frozen=True, slots=True)
class Label:
    """One strand of untrusted data inside a value."""

    origin: Origin
    cleaned: frozenset[str] = frozenset()
    steps: tuple[FlowStep, ...] = field(default=(), compare=False, hash=False)
    _hash: int = field(init=False, repr=False, compare=False, default=0)
    _order: tuple[object, ...] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.origin._hash, self.cleaned)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        # Origin and cleaning (the steps do not count), after the same two checks as ``Origin``'s.
        if self is other:
            return True
        if other.__class__ is not Label:
            return NotImplemented
        return (
            self._hash == other._hash  # type: ignore[attr-defined]
            and (self.origin is other.origin or self.origin == other.origin)  # type: ignore[attr-defined]
            and (self.cleaned is other.cleaned or self.cleaned == other.cleaned)  # type: ignore[attr-defined]
        )

    def __reduce__(self) -> tuple[object, ...]:
        return Label, (self.origin, self.cleaned, self.steps)

    def is_clean_for(self, cls: str) -> bool:
        return cls in self.cleaned or ALL_CLASSES in self.cleaned

    def with_step(self, step: FlowStep) -> Label:
        if self.steps:
            last = self.steps[-1]
            if last is step or last == step:  # steps are made once per node: often the same object
                return self
        steps = (*self.steps, step)
        if len(steps) > MAX_STEPS:
            steps = steps[:4] + steps[-(MAX_STEPS - 4) :]
        return self.with_steps_replaced(steps)

    def with_steps_replaced(self, steps: tuple[FlowStep, ...]) -> Label:
        """The same origin and cleaning with other steps (and so the same sort key, kept)."""
        moved = Label(self.origin, self.cleaned, steps)
        if self._order is not None:
            object.__setattr__(moved, "_order", self._order)
        return moved

    def with_steps(self, added: tuple[FlowStep, ...]) -> Label:
        label = self
        for step in added:
            label = label.with_step(step)
        return label

    def cleaned_for(self, classes: frozenset[str]) -> Label:
        if classes <= self.cleaned:
            return self
        return Label(self.origin, self.cleaned | classes, self.steps)


Taint = frozenset[Label]
EMPTY_TAINT: Taint = frozenset()


def _label_order(lab: Label) -> tuple[object, ...]:
    """Sort key of a label: its origin's, then its cleaning, then (never reached in a sort of
    one set's labels, whose first two parts differ) the key ``bound`` ranks it by. Made once a
    label: both depend on its origin and cleaning only, so a label with the same ones shares it."""
    known = lab._order
    if known is None:
        # The origin's key as one element compares as its fields would one after another.
        cleaned = lab.cleaned
        origin = lab.origin
        order = origin.order()
        listed = sorted(cleaned) if len(cleaned) > 1 else list(cleaned)
        # ``bound``'s: sources before parameters, then position, parameter index and cleaning
        # (a label clean for every class last, then the fewer classes a label is clean for, the
        # more sinks it can still reach: first), then the label's own key (its two parts
        # flattened: compared the same way).
        reach = (ALL_CLASSES in cleaned, len(cleaned))
        ranked = (origin.kind != "source", order[1:5], origin.index, reach, listed, order, listed)
        known = (order, listed, ranked)
        object.__setattr__(lab, "_order", known)
    return known


_KNOWN_ORDER = attrgetter("_order")


def in_order(taint: Taint) -> list[Label]:
    """The labels of a set in source order (the first one reported wins, whatever the hashes)."""
    if len(taint) <= 1:
        return list(taint)
    for lab in taint:  # the sort keys made first, then read directly
        if lab._order is None:
            _label_order(lab)
    return sorted(taint, key=_KNOWN_ORDER)


def relabel(taint: Taint, fn: Callable[[Label], Label]) -> Taint:
    """``fn`` applied to every label. Labels that become equal (same origin, same cleaning) keep
    the steps of the first in source order, never of whichever the set's hashes put first."""
    if len(taint) <= 1:
        return frozenset(fn(lab) for lab in taint) if taint else taint
    return frozenset(fn(lab) for lab in in_order(taint))


def bound(taint: Taint) -> Taint:
    """Keep a value's label set small (deterministically). A parameter's label marked as made
    into text goes first where the same label without the mark is kept (the unmarked one says
    more: it may also be a document)."""
    if len(taint) <= MAX_LABELS:
        return taint
    marked = [lab for lab in taint if MADE_TEXT in lab.cleaned]
    if marked:
        unmarked = {(lab.origin, lab.cleaned) for lab in taint if MADE_TEXT not in lab.cleaned}
        dropped = {lab for lab in marked if (lab.origin, lab.cleaned - _MADE_TEXT) in unmarked}
        if dropped:
            taint = frozenset([lab for lab in taint if lab not in dropped])
            if len(taint) <= MAX_LABELS:
                return taint
    # Ranked by ``bound``'s key (``_label_order``), which differs for any two labels of a set:
    # the labels themselves are never compared.
    return frozenset(sorted(taint, key=_rank)[:MAX_LABELS])


_MADE_TEXT = frozenset({MADE_TEXT})
_FORMATTED_WHOLE = frozenset({FORMATTED_WHOLE})
_FORMATTED_ITSELF = frozenset({FORMATTED_WHOLE, FORMATTED_ITSELF})


def _rank(lab: Label) -> tuple[object, ...]:
    """``bound``'s key of a label (made once a label, ``_label_order``)."""
    return (lab._order or _label_order(lab))[2]  # type: ignore[index]


class _NoConst:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_CONST"

    def __reduce__(self) -> str:
        return "NO_CONST"  # the one instance, also after a round trip through the disk


NO_CONST = _NoConst()


@dataclass(frozen=True, slots=True)
class CompiledConstant:
    """The code object ``compile`` makes of a constant text: a known value, never equal to a string."""

    source: str


MAX_CHOICES = 8  # constants a value may be one of before it is unknown


@dataclass(frozen=True, slots=True)
class OneOf:
    """A value that is one of a few constant strings (``"a" if x else "b"``, a helper returning
    one of several literals): harmless text, but not one known value to fold comparisons with."""

    options: frozenset[str]

    def __bool__(self) -> bool:
        truths = {bool(option) for option in self.options}
        if len(truths) != 1:
            raise TypeError("one of several constants: truth not known")
        return truths.pop()


def choices(const: object) -> frozenset[str] | None:
    """The constant strings a value may be (None: not only constant strings)."""
    if isinstance(const, str):
        return frozenset({const})
    if isinstance(const, OneOf):
        return const.options
    return None


def one_of(options: frozenset[str]) -> object:
    """The constant for a set of possible strings: the string itself, ``OneOf``, or unknown."""
    if len(options) == 1:
        return next(iter(options))
    return OneOf(options) if 1 < len(options) <= MAX_CHOICES else NO_CONST


def joined_const(a: object, b: object) -> object:
    """The constant of a value that is ``a`` on one path and ``b`` on another."""
    if a is not NO_CONST and a == b:
        return a
    left, right = choices(a), choices(b)
    if left is None or right is None:
        return NO_CONST
    return one_of(left | right)


def added_const(a: object, b: object) -> object:
    """``a + b`` of constant strings, each possibly one of several."""
    left, right = choices(a), choices(b)
    if left is None or right is None or len(left) * len(right) > MAX_CHOICES:
        return NO_CONST
    return one_of(frozenset(x + y for x in left for y in right))


@fast_init
@dataclass(frozen=True, slots=True)
class Val:
    """An abstract value: its own taint, known parts (keys ``'a'``, ``0``, ``.attr``, ``*``),
    a receiver kind for method resolution, and a constant when known."""

    taint: Taint = EMPTY_TAINT
    parts: tuple[tuple[str, Val], ...] = ()
    kind: str | None = None
    const: object = NO_CONST

    def __eq__(self, other: object) -> bool:
        # The dataclass's comparison field by field, stopping at the first that differs.
        if self is other:
            return True
        if other.__class__ is not Val:
            return NotImplemented
        return (
            (self.taint is other.taint or self.taint == other.taint)  # type: ignore[attr-defined]
            and (self.parts is other.parts or self.parts == other.parts)  # type: ignore[attr-defined]
            and (self.kind is other.kind or self.kind == other.kind)  # type: ignore[attr-defined]
            and (self.const is other.const or self.const == other.const)  # type: ignore[attr-defined]
        )

    @property
    def is_empty(self) -> bool:
        return not self.taint and not self.parts

    def part(self, key: str) -> Val | None:
        for k, v in self.parts:
            if k == key:
                return v
        return None


EMPTY = Val()


# The kind of a value whose text shows each of its fields or items as its ``repr`` though it is
# read from a source whole: a request model (a pydantic class) or a JSON container a web framework
# parsed the body into (``form: ChatForm``, ``items: list[str]``).
SHOWN_AS_REPR = "~shown-as-repr"
# The kind of a value that is the result of one call on one path and of another on another
# (``make_response(...)`` here, a helper's ``Response(...)`` there): an object either way, not text
# (a view returning it returns a response object), though no method or attribute of it is known.
ONE_OF_RESULTS = "~one-of-several-results()"


def container_display(val: Val) -> bool:
    """A dict, list or tuple known by its items only (``{"url": u}``, ``[a, b]``), or a value of the
    kind ``SHOWN_AS_REPR``: written as text it shows each string item's ``repr``, line breaks
    escaped. Objects (``.attr`` parts) and other values tainted as a whole (a string, or a container
    read from a source) are not."""
    if val.kind == SHOWN_AS_REPR:
        return True
    return bool(val.parts) and not val.taint and not any(key.startswith(".") for key, _ in val.parts)


def formatted_whole(taint: Taint, name: str | None = None, items: Taint = frozenset()) -> Taint:
    """The labels of a value written whole into an f-string: a parameter's are marked
    ``FORMATTED_WHOLE`` (what the caller passes decides whether its ``repr`` is written), and
    ``FORMATTED_ITSELF`` too where the name written is that parameter's own (``name``) or the
    label is one of ``items`` (``own_items``: entries the function stored into that parameter)."""
    if not any(lab.origin.kind == "param" and FORMATTED_WHOLE not in lab.cleaned for lab in taint):
        return taint

    def mark(lab: Label) -> Label:
        if lab.origin.kind != "param":
            return lab
        itself = (name is not None and lab.origin.text == name and not lab.origin.access) or lab in items
        return lab.cleaned_for(_FORMATTED_ITSELF if itself else _FORMATTED_WHOLE)

    return relabel(taint, mark)


def own_items(val: Val, name: str | None) -> Taint:
    """``form_data = helper(form_data)`` where the helper stored entries of the parameter into it
    (``form_data["top_p"] = form_data["params"]["top_p"]``) and returned it: the value is the
    parameter ``name`` itself (its label, unaccessed, is the value's own) with item entries (no
    ``.attr`` parts). The labels of that parameter read at item keys and held in those entries
    are written inside the container the caller passed: as their ``repr`` where it is a dict or
    list. Empty when the value is anything else."""
    if name is None or not val.parts or any(key.startswith(".") for key, _ in val.parts):
        return frozenset()
    if not any(lab.origin.kind == "param" and lab.origin.text == name and not lab.origin.access for lab in val.taint):
        return frozenset()
    inner = frozenset().union(*(whole(part) for _, part in val.parts))
    return frozenset(
        lab
        for lab in inner
        if lab.origin.kind == "param"
        and lab.origin.text == name
        and lab.origin.access
        and not any(key.startswith(".") for key in lab.origin.access)
    )


def whole(val: Val) -> Taint:
    """Every label anywhere in the value."""
    if not val.parts:
        return val.taint
    taint = set(val.taint)
    stack = [v for _, v in val.parts]
    while stack:
        current = stack.pop()
        taint.update(current.taint)
        stack.extend(v for _, v in current.parts)
    return bound(frozenset(taint))


def as_whole(val: Val) -> Val:
    """The value flattened to one taint set (no parts, kind kept)."""
    if not val.parts:
        return val
    return Val(whole(val), (), val.kind)


@lru_cache(maxsize=8192)
def _deeper(origin: Origin, key: str) -> Origin:
    return Origin(origin.kind, origin.text, origin.span, origin.path, origin.local, origin.index, (*origin.access, key))


# ``_param_part``'s answers by label set (held, so that its identity stays its own) and key: a
# parameter's value is read again and again (``self.name`` in each statement, each loop round).
_PARAM_PARTS: dict[tuple[int, str], tuple[Taint, Taint]] = {}
_MAX_PARAM_PARTS = 2048


def clear_memo() -> None:
    """Forget the deeper accesses made so far (a server with no document open)."""
    _deeper.cache_clear()
    _PARAM_PARTS.clear()


def _param_part(taint: Taint, key: str) -> Taint:
    """A part of a summarized parameter is a deeper access of that parameter."""
    for lab in taint:
        if lab.origin.kind == "param":
            break
    else:
        return taint
    asked = (id(taint), key)
    known = _PARAM_PARTS.get(asked)
    if known is not None and known[0] is taint:
        return known[1]
    out: set[Label] = set()
    for lab in taint:
        origin = lab.origin
        if origin.kind == "param" and len(origin.access) < MAX_ACCESS:
            lab = Label(_deeper(origin, key), lab.cleaned, lab.steps)
        out.add(lab)
    part = frozenset(out)
    if len(_PARAM_PARTS) >= _MAX_PARAM_PARTS:
        _PARAM_PARTS.clear()
    _PARAM_PARTS[asked] = (taint, part)
    return part


def get_part(val: Val, key: str) -> Val:
    """The value at ``key`` of a container or object."""
    inner = val.part(key)
    if inner is None:
        inner = val.part("*") if not key.startswith(".") and key != KEYS else None
        base = _param_part(val.taint, key)
        if inner is None:
            return Val(base) if base else EMPTY
        return Val(bound(base | inner.taint), inner.parts, inner.kind)
    if not val.taint:
        return inner
    return Val(bound(_param_part(val.taint, key) | inner.taint), inner.parts, inner.kind, inner.const)


def depth(val: Val) -> int:
    if not val.parts:
        return 0
    return 1 + max(depth(v) for _, v in val.parts)


def set_part(val: Val, key: str, new: Val) -> Val:
    if new.parts and depth(new) >= MAX_DEPTH:
        new = as_whole(new)
    parts = [(k, v) for k, v in val.parts if k != key]
    if len(parts) >= MAX_PARTS:
        rest = Val(bound(frozenset().union(*(whole(v) for _, v in parts)) | whole(new)))
        return Val(val.taint, (("*", rest),), val.kind)
    parts.append((key, new))
    parts.sort(key=lambda kv: kv[0])
    return Val(val.taint, tuple(parts), val.kind)


def set_parts(val: Val, parts: list[tuple[str, Val]]) -> Val:
    """``set_part`` of each of ``parts`` in turn, for a value with no parts of its own and at most
    ``MAX_PARTS`` new ones (so none is merged): in one pass, the parts sorted once."""
    if len({key for key, _ in parts}) != len(parts):  # a key given twice: the last one stays
        for key, new in parts:
            val = set_part(val, key, new)
        return val
    kept = [(key, as_whole(new) if new.parts and depth(new) >= MAX_DEPTH else new) for key, new in parts]
    kept.sort(key=_part_key)
    return Val(val.taint, tuple(kept), val.kind)


def _part_key(part: tuple[str, Val]) -> str:
    return part[0]


def set_item(val: Val, key: str, new: Val) -> Val:
    """``val[key]`` now ``new`` (a guard cleaned it) where ``val``'s own taint stood for every item
    (a list read whole from input): that taint moves to the other items, the known ones and the
    rest (``*``), so the item ``key`` keeps only ``new``'s; ``whole(val)`` keeps it all."""
    if not val.taint or key.startswith(".") or key == "*":
        return set_part(val, key, new)
    own = val.taint
    parts = dict(val.parts)
    rest = parts.get("*", EMPTY)
    for other, item in parts.items():
        if other != "*":
            parts[other] = Val(bound(_param_part(own, other) | item.taint), item.parts, item.kind, item.const)
    parts["*"] = Val(bound(own | rest.taint), rest.parts, rest.kind)
    return set_part(Val(EMPTY_TAINT, tuple(sorted(parts.items())), val.kind), key, new)


def merged_mapping(old: Val, new: Val) -> Val:
    """``d |= {...}`` or ``d | {...}``: the new mapping's entries replace those of ``d`` under the
    same keys; what ``d`` carries whole, or under keys the new one does not name, stays (joined
    with what the new one holds at unknown keys, ``{**other}``, which may replace any of them)."""
    replaced = dict(new.parts)
    rest, added = old.part("*"), replaced.get("*")
    parts = {
        key: item if added is None or key == KEYS else join(item, added)
        for key, item in old.parts
        if key not in replaced
    }
    parts.update(replaced)
    if rest is not None and added is not None:
        parts["*"] = join(rest, added)
    return Val(bound(old.taint | new.taint), tuple(sorted(parts.items())), old.kind)


def keyed_mapping(node: ast.expr, value: Val) -> bool:
    """A dict display or comprehension, or a value known by entries at named keys: the operand
    of ``|`` that makes it a merge of mappings (sets and numbers have no such entries)."""
    if isinstance(node, (ast.Dict, ast.DictComp)):
        return True
    return any(not key.startswith(".") and not key.isdigit() and key not in ("*", KEYS) for key, _ in value.parts)


def add_to_rest(val: Val, new: Val) -> Val:
    """Join ``new`` into the container's unknown-position part (append, dynamic keys)."""
    current = val.part("*") or EMPTY
    return set_part(val, "*", as_whole(join(current, new)))


KEYS = "<keys>"  # the part of a mapping holding what its keys computed here were made of


def with_key(val: Val, key: Val) -> Val:
    """A mapping given an entry at a key computed here: the key's labels join its keys."""
    taint = whole(key)
    if not taint:
        return val
    current = val.part(KEYS) or EMPTY
    return set_part(val, KEYS, Val(bound(current.taint | taint)))


def mapping_keys(val: Val) -> Val:
    """``d.keys()``: the mapping's own labels (a source mapping's keys are input too) and its
    computed keys', not its values'."""
    own = _param_part(val.taint, KEYS)  # a parameter's keys: its argument's keys at a call
    keys = val.part(KEYS)
    return Val(bound(own | keys.taint) if keys is not None else own)


def mapping_values(val: Val) -> Taint:
    """Every label of the values of a mapping (``whole`` but its keys')."""
    if val.part(KEYS) is None:
        return whole(val)
    return whole(Val(val.taint, tuple(part for part in val.parts if part[0] != KEYS)))


def mapping_items(val: Val) -> Val:
    """``d.items()``: pairs of a key (``mapping_keys``) and a value (of a parameter: its argument's
    element at the pair's position, as for any unpacked element)."""
    values = _param_part(mapping_values(val), "1")
    return Val(parts=(("*", Val(parts=(("0", mapping_keys(val)), ("1", Val(values))))),))


def join(a: Val, b: Val) -> Val:
    if a is b or a == b:
        return a
    if a.is_empty and a.kind is None:
        if b.const is not NO_CONST and a.const == b.const:
            return b
        return Val(b.taint, _lengths_unknown(b), b.kind, NO_CONST if b.taint else joined_const(a.const, b.const))
    if b.is_empty and b.kind is None:
        if a.const is not NO_CONST and a.const == b.const:
            return a
        return Val(a.taint, _lengths_unknown(a), a.kind, NO_CONST if a.taint else joined_const(a.const, b.const))
    taint = bound(a.taint | b.taint) if b.taint - a.taint else a.taint
    parts: tuple[tuple[str, Val], ...] = ()
    if a.parts or b.parts:
        keys = sorted({k for k, _ in a.parts} | {k for k, _ in b.parts})
        parts = tuple((k, join(a.part(k) or EMPTY, b.part(k) or EMPTY)) for k in keys)
        if a.parts and b.parts and "*" not in keys and _positions(a) != _positions(b):
            # Sequences of different lengths: the positions after the shorter one's end are no
            # longer known (an ``append`` after the join does not know where it lands).
            parts = _positions_unknown_from(parts, min(len(_positions(a)), len(_positions(b))))
    kind = a.kind if a.kind == b.kind else _joined_kind(a.kind, b.kind)
    if a.const is not NO_CONST and a.const == b.const:
        const = a.const
    else:
        const = NO_CONST if taint else joined_const(a.const, b.const)
    return Val(taint, parts, kind, const)


def _lengths_unknown(val: Val) -> tuple[tuple[str, Val], ...]:
    """The parts of a sequence joined with an empty value (an empty list on another path): none
    of its positions is known any more, so an ``append`` after the join may land at any of them."""
    if not _positions(val) or val.part("*") is not None:
        return val.parts
    return _positions_unknown_from(val.parts, 0)


def _positions_unknown_from(parts: tuple[tuple[str, Val], ...], known: int) -> tuple[tuple[str, Val], ...]:
    """``parts`` with the items at positions ``known`` and after joined into the rest (``*``): a
    read of any of them, or of what an ``append`` adds, gets them all."""
    rest = EMPTY
    kept: list[tuple[str, Val]] = []
    for key, item in parts:
        if key == "*" or (key.isdigit() and int(key) >= known):
            rest = join(rest, item)
        else:
            kept.append((key, item))
    return tuple(sorted((*kept, ("*", as_whole(rest))), key=lambda kv: kv[0]))


def _joined_kind(a: str | None, b: str | None) -> str | None:
    """Two call results of different kinds joined: an object of neither known kind."""
    if a is not None and b is not None and a.endswith("()") and b.endswith("()"):
        return ONE_OF_RESULTS
    return None


def _positions(val: Val) -> frozenset[str]:
    return frozenset(key for key, _ in val.parts if key.isdigit())


def known_length(val: Val) -> int | None:
    """The length of a sequence whose every element's position is known (parts ``0`` … ``n-1``
    and no unknown-position part); None otherwise. A value without parts is an empty literal
    only when nothing made it: data (tainted) or a call's result (a kind: ``list(items)``) holds
    elements at positions not known here."""
    if val.part("*") is not None or (not val.parts and (val.taint or val.kind is not None)):
        return None
    count = len(val.parts)
    if any(
        key != str(index)
        for index, (key, _) in enumerate(sorted(val.parts, key=lambda kv: int(kv[0]) if kv[0].isdigit() else -1))
    ):
        return None
    return count


def position_key(val: Val, key: str) -> str:
    """A negative index (``-1``) as the position it reads in a sequence of known length."""
    if key[:1] == "-" and key[1:].isdigit():
        length = known_length(val)
        if length is not None and length - int(key[1:]) >= 0:
            return str(length - int(key[1:]))
    return key


# The part of a sequence of unknown length marking that a ``"--"`` element was appended to it on
# every path (its constant is ``"--"``; a path without it joins to an unknown constant).
END_OF_OPTIONS_MARK = "--"


def appended(val: Val, new: Val, operands: frozenset[str] = frozenset()) -> Val:
    """``val.append(new)``: at the next position when every position is known; else at an
    unknown position, cleaned for ``operands`` after a ``"--"`` appended before it."""
    length = known_length(val)
    if length is None or length + 1 >= MAX_PARTS:
        if new.const == "--" and not new.taint:
            return set_part(add_to_rest(val, EMPTY), END_OF_OPTIONS_MARK, Val(const="--"))
        return add_to_rest(val, cleaned(new, operands) if _ends_options(val) else new)
    return set_part(
        val,
        str(length),
        new if new.const is NO_CONST else (Val(const=new.const) if isinstance(new.const, str) else EMPTY),
    )


def concatenated(left: Val, right: Val, operands: frozenset[str] = frozenset(), *, literal: bool = False) -> Val:
    """``left + right`` of sequences (``["git", "log"] + [ref]``, ``cmd.extend(more)``): the
    right elements at the positions after ``left``'s when those are all known, else at unknown
    positions. Elements that follow a ``"--"`` element at unknown positions are cleaned for
    ``operands`` (the classes for which an operand is harmless). A ``right`` with no known part
    is an empty sequence only when written as a ``literal`` (``[]``); else its length is unknown."""
    length = known_length(left)
    elements = sequence_elements(right)
    if not right.parts and not literal:
        right = Val(right.taint, (("*", EMPTY),), right.kind, right.const)  # elements not known here
    if length is None or elements is None or length + len(elements) >= MAX_PARTS:
        if right.is_empty:
            return left
        tail = cleaned(right, operands) if _ends_options(left) else _operands_cleaned(right, operands)
        return add_to_rest(left, tail)
    result = left
    for offset, element in enumerate(elements):
        result = set_part(result, str(length + offset), element)
    rest = right.part("*")
    if rest is not None or (not right.parts and (right.taint or right.kind is not None)):
        tail = Val(bound(right.taint | (rest.taint if rest is not None else EMPTY_TAINT)))
        if _ends_options(left) or _ends_options(right):
            tail = cleaned(tail, operands)
        result = add_to_rest(result, tail)
    return result


def sequence_elements(val: Val) -> list[Val] | None:
    """The elements at known positions ``0 … n-1`` of a sequence (the others, if any, are in its
    ``*`` part or its own taint); None when its positions are not numbered from 0."""
    numbered = sorted((int(key), part) for key, part in val.parts if key.isdigit())
    if [index for index, _ in numbered] != list(range(len(numbered))):
        return None
    if any(key not in ("*", END_OF_OPTIONS_MARK) and not key.isdigit() for key, _ in val.parts):
        return None
    return [part for _, part in numbered]


def _operands_cleaned(val: Val, operands: frozenset[str]) -> Val:
    """A sequence's data with its elements after a ``"--"`` element cleaned for ``operands``
    (``cmd += ["--", path]`` where ``cmd``'s length is not known)."""
    elements = sequence_elements(val)
    if not operands or elements is None or not _ends_options(val):
        return val
    at = next(index for index, element in enumerate(elements) if element.const == "--")
    before = frozenset().union(*(whole(element) for element in elements[:at]))
    after = frozenset().union(*(whole(element) for element in elements[at:]))
    rest = val.part("*")
    if rest is not None:
        after = after | whole(rest)
    return Val(bound(val.taint | before | whole(cleaned(Val(bound(after)), operands))))


def _ends_options(val: Val) -> bool:
    """A sequence holding a ``"--"`` element: what is added after it is an operand."""
    return any((key.isdigit() or key == END_OF_OPTIONS_MARK) and part.const == "--" for key, part in val.parts)


def popped(val: Val, index: int) -> tuple[Val, Val] | None:
    """``val.pop(index)`` (``0`` or ``-1``) on a sequence with known positions: the element and
    the sequence after it; None when the positions are not known."""
    length = known_length(val)
    if not length:
        return None
    at = index if index >= 0 else length + index
    if not 0 <= at < length:
        return None
    element = get_part(val, str(at))
    rest = [(str(i if i < at else i - 1), part) for i, part in ((int(k), v) for k, v in val.parts) if i != at]
    rest.sort(key=lambda kv: kv[0])
    return element, Val(val.taint, tuple(rest), val.kind)


def inserted(val: Val, index: int, new: Val) -> Val | None:
    """``val.insert(index, new)`` on a sequence with known positions: the elements from the
    insertion point on move one place up; None when the positions are not known."""
    length = known_length(val)
    if length is None or length + 1 >= MAX_PARTS:
        return None
    at = min(max(length + index, 0) if index < 0 else index, length)
    kept = new if new.const is NO_CONST else (Val(const=new.const) if isinstance(new.const, str) else EMPTY)
    moved = [(str(i if i < at else i + 1), part) for i, part in ((int(k), v) for k, v in val.parts)]
    moved.append((str(at), kept))
    moved.sort(key=lambda kv: kv[0])
    return Val(val.taint, tuple(moved), val.kind)


def unordered(val: Val) -> Val:
    """The sequence after a change that moves its elements (``sort``, ``insert``, ``remove``):
    every element at an unknown position."""
    if not val.parts:
        return Val(val.taint, (("*", EMPTY),), val.kind)
    inner = frozenset().union(*(whole(v) for _, v in val.parts))
    return Val(val.taint, (("*", Val(bound(inner))),), val.kind)


def map_labels(val: Val, fn) -> Val:  # type: ignore[no-untyped-def]
    """Apply ``fn(Label) -> Label`` to every label of the value."""
    taint = relabel(val.taint, fn) if val.taint else val.taint
    parts = tuple((k, map_labels(v, fn)) for k, v in val.parts)
    return Val(taint, parts, val.kind, val.const)


Orders = dict[int, tuple[Taint, list[Label]]]  # label sets (by identity, held) and their labels in order


def ordered(taint: Taint, orders: Orders) -> list[Label]:
    """``in_order(taint)``, kept in ``orders`` for the next ask about the same set."""
    known = orders.get(id(taint))
    if known is None or known[0] is not taint:
        known = orders[id(taint)] = (taint, in_order(taint))
    return known[1]


def map_labels_ordered(val: Val, fn: Callable[[Label], Label], orders: Orders) -> Val:
    """``map_labels(val, fn)``, for several ``fn`` over the same value: each label set is put in
    order once (``orders``)."""
    taint = val.taint
    if len(taint) > 1:
        taint = frozenset(fn(lab) for lab in ordered(taint, orders))
    elif taint:
        taint = frozenset(fn(lab) for lab in taint)
    parts = tuple((k, map_labels_ordered(v, fn, orders)) for k, v in val.parts)
    return Val(taint, parts, val.kind, val.const)


def joined_below(val: Val, classes: frozenset[str]) -> Val:
    """A value ``os.path.join`` / ``Path(folder) /`` put below a folder: an absolute value
    replaces the folder, so the cleaning for ``classes`` that only rejected ``..`` is gone."""

    def reopen(lab: Label) -> Label:
        if RELATIVE_ONLY not in lab.cleaned or ABSOLUTE_REJECTED in lab.cleaned:
            return lab
        return Label(lab.origin, lab.cleaned - classes - {RELATIVE_ONLY}, lab.steps)

    if not val.taint and not val.parts:
        return val
    return map_labels(val, reopen)


def outside_quotes(taint: Taint, classes: frozenset[str]) -> Taint:
    """Labels of data written where no quoted literal is open: the cleaning for ``classes`` a
    quote check gave (it only keeps the data inside a literal) is gone."""

    def reopen(lab: Label) -> Label:
        if QUOTED_ONLY not in lab.cleaned:
            return lab
        return Label(lab.origin, lab.cleaned - classes - {QUOTED_ONLY}, lab.steps)

    return relabel(taint, reopen) if taint else taint


def _encode(lab: Label) -> Label:
    if ALL_CLASSES in lab.cleaned:
        return lab
    return Label(lab.origin, lab.cleaned | {ALL_CLASSES, ENCODED}, lab.steps)


def _decode(lab: Label) -> Label:
    if ENCODED not in lab.cleaned:
        return lab
    return Label(lab.origin, lab.cleaned - {ALL_CLASSES, ENCODED}, lab.steps)


def encoded(taint: Taint) -> Taint:
    """Labels wrapped in an encoding whose text carries no syntax (base64)."""
    return relabel(taint, _encode)


def decoded(taint: Taint) -> Taint:
    """Labels unwrapped from such an encoding: the data is back, with what it was cleaned for before."""
    return relabel(taint, _decode)


def with_step(val: Val, step: FlowStep) -> Val:
    if not val.taint and not val.parts:
        return val
    return _stepped(val, step)


def _stepped(val: Val, step: FlowStep) -> Val:
    """``map_labels`` of ``Label.with_step``, whose labels keep their origin and cleaning: no two
    become equal, so there is no first one in source order to choose (``relabel``), and the
    set is made without putting them in order."""
    taint = val.taint
    if taint:
        taint = frozenset([lab.with_step(step) for lab in taint])
    parts = tuple((k, _stepped(v, step)) for k, v in val.parts)
    return Val(taint, parts, val.kind, val.const)


def cleaned(val: Val, classes: frozenset[str]) -> Val:
    if not val.taint and not val.parts:
        return val
    return map_labels(val, lambda lab: lab.cleaned_for(classes))


def as_text(taint: Taint) -> Taint:
    """The labels of text made from the data (``str(v)``, an f-string): no longer a document (a
    parameter's labels are marked: whatever the caller passes, this is text)."""
    if not any(_textual_change(lab) for lab in taint):
        return taint
    return relabel(taint, _made_text)


def _textual_change(lab: Label) -> bool:
    return DOCUMENT in lab.cleaned or (lab.origin.kind == "param" and MADE_TEXT not in lab.cleaned)


def _made_text(lab: Label) -> Label:
    marks = lab.cleaned - {DOCUMENT}
    if lab.origin.kind == "param":
        marks = marks | {MADE_TEXT}
    return Label(lab.origin, marks, lab.steps)


def as_document(taint: Taint) -> Taint:
    """The labels of data parsed into a document (``json.loads(text)``)."""
    return relabel(taint, lambda lab: lab.cleaned_for(frozenset({DOCUMENT}))) if taint else taint
