"""Facts about a file: parsing with recovery, names, data flow, the finding model.

The engine knows no rule, no LSP and no CLI; it never imports or executes the
code it analyzes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when first used (see ``__getattr__``): ``engine.finding`` alone stays light
    from .facts import ModuleFacts
    from .finding import Finding, Fix, FlowStep, Level, Notice, Span, StepKind, TextEdit
    from .source import SourceFile

__all__ = [
    "Finding",
    "Fix",
    "FlowStep",
    "Level",
    "ModuleFacts",
    "Notice",
    "SourceFile",
    "Span",
    "StepKind",
    "TextEdit",
]

_SOURCE = {"ModuleFacts": ".facts", "SourceFile": ".source"} | {
    name: ".finding" for name in ("Finding", "Fix", "FlowStep", "Level", "Notice", "Span", "StepKind", "TextEdit")
}


def __getattr__(name: str) -> Any:
    module = _SOURCE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
