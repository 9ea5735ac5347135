"""What the parts of the taint interpreter share: environments, the frame of the function being
run, spans and texts of nodes for messages, and the limits that keep the analysis small."""

from __future__ import annotations

import ast
import dataclasses
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..finding import Span
from ..source import SourceFile
from .frameworks import Entry
from .spec import ALL_CLASSES
from .summary import Effect, Summary
from .values import EMPTY, Val, join

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Env = dict[str, Val]
MAX_LOOP_ITERATIONS = 4
MAX_SUMMARY_DEPTH = 8
ALL = frozenset({ALL_CLASSES})
STDLIB = frozenset(sys.stdlib_module_names) | {"builtins"}
TEXT_LIMIT = 60


@dataclass
class Frame:
    """State of the function being interpreted."""

    node: FunctionNode | ast.Module
    cls: ast.ClassDef | None
    entry: Entry
    summary: Summary | None
    local_defs: dict[str, FunctionNode]
    returns: Val = EMPTY
    returned: bool = False  # a ``return`` seen: ``returns`` is their join (a constant they all return stays)
    loops: list[tuple[list[Env], list[Env]]] = field(default_factory=list)
    effects: dict[tuple[Any, ...], Effect] = field(default_factory=dict)
    self_name: str | None = None
    exits: list[Env] = field(default_factory=list)  # environments at return/raise (for ``self``)
    # environments at every return/raise: what the function leaves in module-level names
    ends: list[Env] = field(default_factory=list)
    returns_at: list[Env] = field(default_factory=list)  # environments at each ``return``
    statement_call: ast.Call | None = None  # the call a statement makes whole (``check(v)``)
    statement_awaited: bool = False  # ... and awaits (``await check(v)``)
    lookups: dict[str, ast.expr] = field(default_factory=dict)  # ``v = ALLOWED.get(k)``: v → k
    parsed_urls: dict[str, ast.expr] = field(default_factory=dict)  # ``u = urlparse(v)``: u → v
    found: dict[str, list[ast.expr]] = field(default_factory=dict)  # ``u = find_user(k)``: u → [k]
    checks: dict[str, ast.Call] = field(default_factory=dict)  # ``ok = is_safe_url(v)``: ok → the check
    raised: list[Val] = field(default_factory=list)  # what ``raise`` statements raised with outside data
    mapping_names: frozenset[str] | None = None  # names the function reads as a mapping (``mapping_reads.py``)

    def returned_at(self, env: Env) -> None:
        """A ``return`` ran in ``env`` (what module-level names hold there, what it proved)."""
        self.ends.append(env)
        self.returns_at.append(env)

    def add_effect(self, effect: Effect) -> None:
        """Keep the first effect of each parameter part on each sink."""
        key = (effect.index, effect.access, effect.cls, id(effect.node), effect.path)
        kept = self.effects.get(key)
        if kept is None:
            self.effects[key] = effect
        elif kept.switched_by and not set(kept.switched_by) <= set(effect.switched_by):
            # reached again with fewer flags needed: the sink runs whenever both ways do
            both = tuple(i for i in kept.switched_by if i in effect.switched_by)
            self.effects[key] = dataclasses.replace(kept, switched_by=both)


class NodeTexts:
    """Spans and shortened source texts of nodes, computed once each."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self._spans: dict[ast.AST, Span] = {}
        self._texts: dict[ast.AST, str] = {}

    def span(self, node: ast.AST) -> Span:
        span = self._spans.get(node)
        if span is None:
            span = self._spans[node] = self.source.span(node)
        return span

    def text(self, node: ast.AST) -> str:
        """Shortened source text of a node, for messages."""
        text = self._texts.get(node)
        if text is None:
            text = self._texts[node] = short_text(self.source.segment(node))
        return text


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
        # A name only ``result`` binds keeps its value: only ``env``'s names are looked at.
        for key, b in env.items():
            a = result.get(key)
            if a is None:
                result[key] = b
            elif a is not b:
                result[key] = join(a, b)
    return result
