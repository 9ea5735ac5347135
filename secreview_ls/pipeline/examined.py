"""What the code of an analyzed file contains that a review names besides the rules' evidence:
the sensitive calls (reported or not) and, in test code, the ``assert`` statements."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..engine.evidence import CallSeen
from ..engine.facts import ModuleFacts
from ..engine.source import SourceFile
from ..rules.sensitive_calls import sensitive_calls
from .reading import is_python_path, module_name_for, read_source
from .result import AnalysisResult


@dataclass(frozen=True)
class CodeSeen:
    """Sensitive calls in line order, and the lines of ``assert`` statements."""

    calls: list[CallSeen]
    asserts: list[int]


def code_seen(result: AnalysisResult, text: str | None = None, config: Config | None = None) -> CodeSeen | None:
    """What the file of ``result`` contains: from the result's facts, else from ``text`` (an
    editor buffer), else from the file on disk; None for files that are not Python."""
    facts = _facts_for(result, text, config)
    if facts is None:
        return None
    asserts = [node.lineno for node in facts.nodes(ast.Assert)]  # type: ignore[attr-defined]
    return CodeSeen(sensitive_calls(facts), asserts)


def _facts_for(result: AnalysisResult, text: str | None, config: Config | None) -> ModuleFacts | None:
    if result.facts is not None:
        return result.facts
    if not is_python_path(result.path) and result.path not in ("", "<unknown>"):
        return None
    if text is None:
        text = read_source(Path(result.path), config or Config()).text
    if text is None:
        return None
    root = config.root if config is not None else None
    return ModuleFacts(SourceFile(text, result.path), module_name_for(result.path, root))
