"""Facts about a file: parsing with recovery, names, data flow, the finding model.

The engine knows no rule, no LSP and no CLI; it never imports or executes the
code it analyzes.
"""

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
