"""Data shapes of the taint analysis: what the tables say and what values carry.

The rule layer fills a ``TaintSpec`` from its tables (plus configuration) and
hands it to the engine; the engine never imports the tables. Abstract values
(``Val``) carry a set of ``Label``s: where untrusted data came from
(``Origin``), for which sink classes it has been cleaned, and the steps it took.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .finding import FlowStep, Span

ALL_CLASSES = "*"
OPAQUE = "~opaque"  # passed through a call whose result is not the string itself
DERIVED = "~derived"  # the result of a sink (a file's content, a command's output), not the input
MAX_LABELS = 8
MAX_STEPS = 16
MAX_ACCESS = 3
MAX_PARTS = 24  # known keys per container before they are merged
MAX_DEPTH = 4  # nesting of known parts


# -- tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class SinkSpec:
    """A dangerous call. ``name`` is a qualified name (``os.system``), a method name
    (``.execute``, any receiver) or a receiver kind plus method (``requests.Session().get``).

    ``args`` lists (position, keyword) pairs of the arguments that must not be tainted;
    position -1 means the receiver. ``mode`` selects special semantics:
    ``"subprocess"`` (whole command with ``shell=True``, else only the program),
    ``"program"`` (the first element of an argument vector), ``"yaml"`` (unsafe loader only),
    ``"lxml"`` (no hardened parser given), ``"all-args"`` (every argument).
    """

    cls: str
    name: str
    what: str
    args: tuple[tuple[int, str | None], ...] = ((0, None),)
    mode: str = ""
    requires_import: tuple[str, ...] = ()
    receiver_hint: str = ""  # method-name sinks: receiver spelling must contain this
    clean_result: bool = False  # the call's result no longer carries this class


@dataclass(frozen=True)
class StoreSink:
    """``<base>[key] = value`` where base matches: a qualified name (``flask.session``),
    a receiver kind (``django.request.session``) or a final attribute (``.headers``)."""

    cls: str
    base: str
    what: str
    requires_import: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaintSpec:
    """Everything the engine needs to know about sources, sinks and sanitizers."""

    # qualified names of attributes/values that are untrusted (``flask.request.args``)
    attr_sources: dict[str, str] = field(default_factory=dict)
    # qualified callables whose result is untrusted (``builtins.input``)
    call_sources: dict[str, str] = field(default_factory=dict)
    # method names whose result is untrusted whatever the receiver (``recv``)
    method_sources: dict[str, str] = field(default_factory=dict)
    # qualified names that stand for a request object (kind name → ...)
    object_kinds: dict[str, str] = field(default_factory=dict)
    # kind → attributes of such an object that are untrusted
    object_sources: dict[str, frozenset[str]] = field(default_factory=dict)
    # ``kind.attr`` → classes such a source is already clean for (the app's own URL: redirect, SSRF)
    source_cleaned: dict[str, frozenset[str]] = field(default_factory=dict)
    # sources that are local to the machine (argv, environment, stdin): lower confidence
    local_sources: frozenset[str] = frozenset()
    # sink classes that local sources are reported for
    local_classes: frozenset[str] = frozenset()
    sinks: tuple[SinkSpec, ...] = ()
    store_sinks: tuple[StoreSink, ...] = ()
    # qualified callable → classes its result is clean for ("*" = every class)
    sanitizers: dict[str, frozenset[str]] = field(default_factory=dict)
    # method name → classes (``.isdigit`` guards, ``.hexdigest`` results, ...)
    method_sanitizers: dict[str, frozenset[str]] = field(default_factory=dict)
    # guards: qualified callable / ``.method`` → (argument position, -1 = receiver; classes the
    # argument is clean for where the call returned true)
    guards: dict[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    # calls that never return (abort, sys.exit)
    noreturn: frozenset[str] = frozenset()
    # calls whose result never carries data (len, isinstance, ...)
    clean_calls: frozenset[str] = frozenset()
    # str-like methods whose result is the receiver's data (lower, strip, ...)
    string_methods: frozenset[str] = frozenset()
    # base classes whose ``self`` is a request handler: qualname → kind
    handler_bases: dict[str, str] = field(default_factory=dict)
    # decorator method names that declare a route (``route``, ``get``, ...)
    route_decorators: frozenset[str] = frozenset()
    # Flask converters that produce non-string values
    clean_converters: frozenset[str] = frozenset()
    # annotations that make a FastAPI parameter clean (``int``, ``uuid.UUID``)
    clean_annotations: frozenset[str] = frozenset()
    # annotations that make a parameter a request object: qualname → kind
    request_annotations: dict[str, str] = field(default_factory=dict)
    # the sink class names and a human label for each (``sql`` → "SQL injection")
    class_titles: dict[str, str] = field(default_factory=dict)

    def sink_index(self) -> tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]]:
        """Sinks keyed by qualified name and by method name."""
        by_name: dict[str, list[SinkSpec]] = {}
        by_method: dict[str, list[SinkSpec]] = {}
        for sink in self.sinks:
            if sink.name.startswith("."):
                by_method.setdefault(sink.name[1:], []).append(sink)
            else:
                by_name.setdefault(sink.name, []).append(sink)
        return by_name, by_method


_SINK_INDEX: dict[int, tuple[TaintSpec, tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]]]] = {}


def sink_index(spec: TaintSpec) -> tuple[dict[str, list[SinkSpec]], dict[str, list[SinkSpec]]]:
    """``spec.sink_index()``, computed once per spec."""
    cached = _SINK_INDEX.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    if len(_SINK_INDEX) > 64:
        _SINK_INDEX.clear()
    index = spec.sink_index()
    _SINK_INDEX[id(spec)] = (spec, index)
    return index


# -- values ------------------------------------------------------------------------


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

    def __post_init__(self) -> None:
        # Line numbers stay out of the hash: code that only moved builds its label sets with the
        # same hashes, so they iterate in the same order as before the move.
        span = self.span
        shape = (span.start_col, span.end_line - span.start_line, span.end_col)
        key = (self.kind, self.text, shape, self.path, self.local, self.index, self.access)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class Label:
    """One strand of untrusted data inside a value."""

    origin: Origin
    cleaned: frozenset[str] = frozenset()
    steps: tuple[FlowStep, ...] = field(default=(), compare=False, hash=False)
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.origin._hash, self.cleaned)))

    def __hash__(self) -> int:
        return self._hash

    def is_clean_for(self, cls: str) -> bool:
        return cls in self.cleaned or ALL_CLASSES in self.cleaned

    def with_step(self, step: FlowStep) -> Label:
        if self.steps and self.steps[-1] == step:
            return self
        steps = (*self.steps, step)
        if len(steps) > MAX_STEPS:
            steps = steps[:4] + steps[-(MAX_STEPS - 4) :]
        return Label(self.origin, self.cleaned, steps)

    def cleaned_for(self, classes: frozenset[str]) -> Label:
        if classes <= self.cleaned:
            return self
        return Label(self.origin, self.cleaned | classes, self.steps)


Taint = frozenset[Label]
EMPTY_TAINT: Taint = frozenset()


def _label_order(lab: Label) -> tuple[object, ...]:
    origin = lab.origin
    span = origin.span
    return (
        origin.path or "",
        span.start_line,
        span.start_col,
        span.end_line,
        span.end_col,
        origin.kind,
        origin.text,
        origin.index,
        origin.access,
        origin.local,
        sorted(lab.cleaned),
    )


def in_order(taint: Taint) -> list[Label]:
    """The labels of a set in source order (the first one reported wins, whatever the hashes)."""
    return sorted(taint, key=_label_order) if len(taint) > 1 else list(taint)


def bound(taint: Taint) -> Taint:
    """Keep a value's label set small (deterministically)."""
    if len(taint) <= MAX_LABELS:
        return taint
    ordered = sorted(
        taint,
        key=lambda lab: (lab.origin.kind != "source", lab.origin.span, lab.origin.index, sorted(lab.cleaned)),
    )
    return frozenset(ordered[:MAX_LABELS])


class _NoConst:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_CONST"


NO_CONST = _NoConst()


@dataclass(frozen=True, slots=True)
class Val:
    """An abstract value: its own taint, known parts (keys ``'a'``, ``0``, ``.attr``, ``*``),
    a receiver kind for method resolution, and a constant when known."""

    taint: Taint = EMPTY_TAINT
    parts: tuple[tuple[str, Val], ...] = ()
    kind: str | None = None
    const: object = NO_CONST

    @property
    def is_empty(self) -> bool:
        return not self.taint and not self.parts

    def part(self, key: str) -> Val | None:
        for k, v in self.parts:
            if k == key:
                return v
        return None


EMPTY = Val()


def const_val(value: object) -> Val:
    return Val(const=value)


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


def _param_part(taint: Taint, key: str) -> Taint:
    """A part of a summarized parameter is a deeper access of that parameter."""
    if not any(lab.origin.kind == "param" for lab in taint):
        return taint
    out: set[Label] = set()
    for lab in taint:
        origin = lab.origin
        if origin.kind == "param" and len(origin.access) < MAX_ACCESS:
            lab = Label(_deeper(origin, key), lab.cleaned, lab.steps)
        out.add(lab)
    return frozenset(out)


def get_part(val: Val, key: str) -> Val:
    """The value at ``key`` of a container or object."""
    inner = val.part(key)
    if inner is None:
        inner = val.part("*") if not key.startswith(".") else None
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


def add_to_rest(val: Val, new: Val) -> Val:
    """Join ``new`` into the container's unknown-position part (append, dynamic keys)."""
    current = val.part("*") or EMPTY
    return set_part(val, "*", as_whole(join(current, new)))


def join(a: Val, b: Val) -> Val:
    if a is b or a == b:
        return a
    if a.is_empty and a.kind is None:
        return Val(b.taint, b.parts, b.kind) if b.const is NO_CONST or a.const != b.const else b
    if b.is_empty and b.kind is None:
        return Val(a.taint, a.parts, a.kind) if a.const is NO_CONST or a.const != b.const else a
    taint = bound(a.taint | b.taint) if b.taint - a.taint else a.taint
    parts: tuple[tuple[str, Val], ...] = ()
    if a.parts or b.parts:
        keys = sorted({k for k, _ in a.parts} | {k for k, _ in b.parts})
        parts = tuple((k, join(a.part(k) or EMPTY, b.part(k) or EMPTY)) for k in keys)
    kind = a.kind if a.kind == b.kind else None
    const = a.const if a.const is not NO_CONST and a.const == b.const else NO_CONST
    return Val(taint, parts, kind, const)


def map_labels(val: Val, fn) -> Val:  # type: ignore[no-untyped-def]
    """Apply ``fn(Label) -> Label`` to every label of the value."""
    taint = frozenset(fn(lab) for lab in val.taint) if val.taint else val.taint
    parts = tuple((k, map_labels(v, fn)) for k, v in val.parts)
    return Val(taint, parts, val.kind, val.const)


def with_step(val: Val, step: FlowStep) -> Val:
    if not val.taint and not val.parts:
        return val
    return map_labels(val, lambda lab: lab.with_step(step))


def cleaned(val: Val, classes: frozenset[str]) -> Val:
    if not val.taint and not val.parts:
        return val
    return map_labels(val, lambda lab: lab.cleaned_for(classes))


def taint_of(labels: Taint) -> Val:
    return Val(bound(labels)) if labels else EMPTY
