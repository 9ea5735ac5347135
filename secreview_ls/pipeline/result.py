"""What the analysis of one file produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..engine.evidence import Evidence
from ..engine.finding import Finding, Notice

if TYPE_CHECKING:
    from ..engine.facts import ModuleFacts


@dataclass
class AnalysisResult:
    """Findings and notices for one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    is_test: bool = False
    rules_run: tuple[str, ...] = ()
    facts: ModuleFacts | None = None
    evidence: Evidence = field(default_factory=Evidence)  # what the rules examined (for reviews)
    project_files_used: tuple[str, ...] = ()  # files whose taint summaries the analysis used
    #: The hard stop cut the analysis short wherever it was: the cross-module index it was using may
    #: hold half-made work (a summary stopped midway), which must neither serve the next files nor
    #: reach the summary store.
    abandoned: bool = False
