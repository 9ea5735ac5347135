"""What a function does with its inputs (``Summary``, ``Effect``), what reached a sink in the
analyzed module (``SinkHit``), and where summaries of other files come from (``SummaryProvider``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Protocol

from ..finding import FlowStep
from .spec import TaintSpec
from .values import EMPTY, Label, Val, whole


class SummaryProvider(Protocol):
    """What the taint engine needs from a project index."""

    cuts: int  # summaries cut short so far (a cycle, a chain or depth limit): a count that only grows

    def function_summary(self, qualname: str, spec: TaintSpec, from_path: str) -> Summary | None: ...

    def cut_short(self) -> None:
        """A summary being computed could not follow a call (recursion, a depth limit)."""


@dataclass(frozen=True)
class Effect:
    """A parameter of a summarized function reaches a sink."""

    index: int
    access: tuple[str, ...]
    cls: str
    sink: str
    what: str
    cleaned: frozenset[str]
    steps: tuple[FlowStep, ...]
    path: str  # file of the sink
    node: ast.AST | None = field(compare=False, hash=False, default=None)
    remote_only: bool = False  # the program of a command: what a local user may choose
    # positions of flag parameters that must be truthy for the sink to run (``flag_guards.py``)
    switched_by: tuple[int, ...] = ()


@dataclass
class Summary:
    """What a function does with its inputs, in terms of parameter labels."""

    name: str
    params: list[str]
    positional: int
    vararg: int | None
    kwarg: int | None
    offset: int  # 1 when the first parameter is bound by the call (self / cls)
    returns: Val = EMPTY
    effects: list[Effect] = field(default_factory=list)
    self_out: Val | None = None
    path: str = ""
    # Arguments the function changes in place (``items.append(v)``, ``ctx.name = v``, never
    # rebinding the parameter), by parameter position: their values when it returns.
    args_out: tuple[tuple[int, Val], ...] = ()
    # Module-level names the function stores into (``global`` ones, or a module-level mapping,
    # list or object it changes in place): their values when it returns.
    globals_out: tuple[tuple[str, Val], ...] = ()
    # Parameters the function proves harmless or raises (``if not re.fullmatch(P, v): raise``), by
    # position: the classes their whole value is clean for at every return (``validators.py``).
    proven: tuple[tuple[int, frozenset[str]], ...] = ()
    coroutine: bool = False  # an ``async def``: its body runs where the call is awaited

    @property
    def returns_source(self) -> bool:
        return any(lab.origin.kind == "source" for lab in whole(self.returns))


@dataclass
class SinkHit:
    """Untrusted data reaching a sink in the analyzed module."""

    cls: str
    sink: str
    what: str
    node: ast.AST
    label: Label
    # The sources of the other flows reaching the sink (a report may set the first one aside).
    others: list[Label] = field(default_factory=list)

    @property
    def local(self) -> bool:
        return self.label.origin.local
