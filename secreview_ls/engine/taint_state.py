"""What the parts of the taint interpreter share: summaries, hits, the frame of a function."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .finding import FlowStep
from .taint_frameworks import Entry
from .taint_model import (
    ALL_CLASSES,
    EMPTY,
    Label,
    TaintSpec,
    Val,
    join,
    whole,
)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Env = dict[str, Val]
MAX_LOOP_ITERATIONS = 4
MAX_SUMMARY_DEPTH = 8
ALL = frozenset({ALL_CLASSES})
STDLIB = frozenset(sys.stdlib_module_names) | {"builtins"}
MUTATORS_ADD = frozenset({"append", "add", "appendleft", "insert", "push"})
MUTATORS_EXTEND = frozenset({"extend", "update", "extendleft", "__iadd__"})
TEXT_LIMIT = 60
# Sink classes whose call returns the (transformed) input: eval's value, unpickled objects, markup.
RESULT_KEEPS_DATA = frozenset({"code", "deserialization", "xss", "xxe"})
MARKUP_KINDS = frozenset({"markupsafe.Markup()", "flask.Markup()", "jinja2.Markup()"})


class SummaryProvider(Protocol):
    """What the taint engine needs from a project index."""

    def function_summary(self, qualname: str, spec: TaintSpec, from_path: str) -> Summary | None: ...


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

    @property
    def local(self) -> bool:
        return self.label.origin.local


@dataclass
class Frame:
    """State of the function being interpreted."""

    node: FunctionNode | ast.Module
    cls: ast.ClassDef | None
    entry: Entry
    summary: Summary | None
    local_defs: dict[str, FunctionNode]
    returns: Val = EMPTY
    loops: list[tuple[list[Env], list[Env]]] = field(default_factory=list)
    effects: dict[tuple[Any, ...], Effect] = field(default_factory=dict)
    self_name: str | None = None
    exits: list[Env] = field(default_factory=list)  # environments at return/raise (for ``self``)
    lookups: dict[str, ast.expr] = field(default_factory=dict)  # ``v = ALLOWED.get(k)``: v → k


def short_text(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def join_envs(envs: Iterable[Env | None]) -> Env | None:
    result: Env | None = None
    for env in envs:
        if env is None:
            continue
        if result is None:
            result = dict(env)
            continue
        for key in set(result) | set(env):
            a = result.get(key)
            b = env.get(key)
            if a is None:
                result[key] = b  # type: ignore[assignment]
            elif b is not None and a is not b:
                result[key] = join(a, b)
    return result
