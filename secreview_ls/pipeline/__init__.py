"""The one analysis pipeline: configuration → selected rules → findings, for whole files,
for a workspace, and for a document edited keystroke by keystroke.

This package is the only place that composes the engine and the rule catalogue. The faces
(command line, language server, SARIF and other reports, reviews) import what they use
from here and nothing from the floors below::

    from secreview_ls.pipeline import Config, analyze_source

    result = analyze_source(text, "app/views.py", Config())
    for finding in result.findings:
        print(finding.line, finding.rule_id, finding.message)

Modules: ``reading`` (files to text), ``selection`` (which rules run), ``running`` (the
one rule loop: time budget, error policy), ``finishing`` (taint preference, test-code
context, thresholds, suppressions, fingerprints), ``batch`` (whole files),
``incremental`` (one document, edit after edit), ``scan`` (many files in parallel),
``filters``, ``baseline`` and ``gitdiff`` (what a reviewer wants to see of a change),
``discovery`` (which files a scan covers).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below, imported when first used (see ``__getattr__``)
    from ..config import (
        ANALYSIS_KEYS,
        FACE_KEYS,
        Config,
        ConfigError,
        ConfigProblem,
        discover,
        from_mapping,
        load_pyproject,
        locate_problems,
    )
    from ..engine.evidence import (
        CallJudged,
        CallSeen,
        ClearedSink,
        Evidence,
        Judgement,
        SinkExamined,
        SinkNotReported,
        Skipped,
        SourceSeen,
        UnreachedCode,
    )
    from ..engine.finding import INCOMPLETE_KINDS, Finding, Fix, FlowStep, Level, Notice, Span, StepKind, TextEdit
    from ..engine.redaction import Redactor
    from ..engine.source import split_lines
    from ..engine.taint import ProjectIndex
    from ..rules import registry
    from ..rules.base import Rule
    from ..rules.misc import REASON_RULE_ID
    from ..rules.names import rule_label
    from .baseline import (
        DEFAULT_BASELINE,
        Baseline,
        BaselineChange,
        BaselineError,
        baseline_document,
        entry_for,
        load_baseline,
        updated_baseline,
        write_baseline,
    )
    from .batch import analyze_file, analyze_path, analyze_source, analyze_text_file
    from .bounded_walk import Found, find_files
    from .caches import release_caches
    from .discovery import discover_files, has_python_shebang, is_candidate
    from .examined import CodeSeen, code_seen
    from .filters import filter_document, forget_baselines, relative_to_root
    from .gitdiff import ChangeSet, GitError, changed_lines_for_text, changes_since, parse_unified_diff, repo_root_of
    from .incremental import IncrementalAnalyzer, RunStats, split_lines_keepends
    from .notebook import (
        Cell,
        NotebookError,
        NotebookModule,
        analyze_cells,
        analyze_notebook,
        analyze_notebook_file,
        by_cell,
        cell_source,
        notebook_module,
        python_of_cell,
        read_cells,
    )
    from .notebook_positions import NotebookPositions, cell_of, is_notebook_path, notebook_file_span
    from .reading import PYTHON_SUFFIXES, ReadResult, decode_source, is_python_path, module_name_for, read_source
    from .report_file import write_text_safely
    from .result import AnalysisResult
    from .result_cache import ResultCache, cache_folder
    from .scan import ScanResult, analyze_files, default_jobs, report_order, scan_paths
    from .selection import checked_configuration, config_notices, rule_id_problems, selected_rules, unknown_rule_codes
    from .sharding import Shard, shard_of
    from .summary_cache import SummaryCache, analysis_identity, editor_summary_cache
    from .suppressing import SUPPRESSION_KEY
    from .templates import (
        TEMPLATE_SUFFIXES,
        analyze_template,
        is_template_path,
        names_any,
        rendered_as,
        template_names,
    )

# Each name of the API, by the module (relative to this package) it comes from: a command that
# only reads cached results never imports the engine, the rules or the incremental analysis.
_FROM: dict[str, tuple[str, ...]] = {
    "..config": (
        "ANALYSIS_KEYS",
        "FACE_KEYS",
        "Config",
        "ConfigError",
        "ConfigProblem",
        "discover",
        "from_mapping",
        "load_pyproject",
        "locate_problems",
    ),
    "..engine.evidence": (
        "CallJudged",
        "CallSeen",
        "ClearedSink",
        "Evidence",
        "Judgement",
        "SinkExamined",
        "SinkNotReported",
        "Skipped",
        "SourceSeen",
        "UnreachedCode",
    ),
    "..engine.finding": (
        "INCOMPLETE_KINDS",
        "Finding",
        "Fix",
        "FlowStep",
        "Level",
        "Notice",
        "Span",
        "StepKind",
        "TextEdit",
    ),
    "..engine.redaction": ("Redactor",),
    "..engine.source": ("split_lines",),
    "..engine.taint": ("ProjectIndex",),
    "..rules": ("registry",),
    "..rules.base": ("Rule",),
    "..rules.misc": ("REASON_RULE_ID",),
    "..rules.names": ("rule_label",),
    ".baseline": (
        "DEFAULT_BASELINE",
        "Baseline",
        "BaselineChange",
        "BaselineError",
        "baseline_document",
        "entry_for",
        "load_baseline",
        "updated_baseline",
        "write_baseline",
    ),
    ".batch": ("analyze_file", "analyze_path", "analyze_source", "analyze_text_file"),
    ".bounded_walk": ("Found", "find_files"),
    ".caches": ("release_caches",),
    ".discovery": ("discover_files", "has_python_shebang", "is_candidate"),
    ".examined": ("CodeSeen", "code_seen"),
    ".filters": ("filter_document", "forget_baselines", "relative_to_root"),
    ".gitdiff": (
        "ChangeSet",
        "GitError",
        "changed_lines_for_text",
        "changes_since",
        "parse_unified_diff",
        "repo_root_of",
    ),
    ".incremental": ("IncrementalAnalyzer", "RunStats", "split_lines_keepends"),
    ".notebook": (
        "Cell",
        "NotebookError",
        "NotebookModule",
        "analyze_cells",
        "analyze_notebook",
        "analyze_notebook_file",
        "by_cell",
        "cell_source",
        "notebook_module",
        "python_of_cell",
        "read_cells",
    ),
    ".notebook_positions": ("NotebookPositions", "cell_of", "is_notebook_path", "notebook_file_span"),
    ".reading": ("PYTHON_SUFFIXES", "ReadResult", "decode_source", "is_python_path", "module_name_for", "read_source"),
    ".report_file": ("write_text_safely",),
    ".result": ("AnalysisResult",),
    ".result_cache": ("ResultCache", "cache_folder"),
    ".scan": ("ScanResult", "analyze_files", "default_jobs", "report_order", "scan_paths"),
    ".selection": (
        "checked_configuration",
        "config_notices",
        "rule_id_problems",
        "selected_rules",
        "unknown_rule_codes",
    ),
    ".sharding": ("Shard", "shard_of"),
    ".summary_cache": ("SummaryCache", "analysis_identity", "editor_summary_cache"),
    ".suppressing": ("SUPPRESSION_KEY",),
    ".templates": (
        "TEMPLATE_SUFFIXES",
        "analyze_template",
        "is_template_path",
        "names_any",
        "rendered_as",
        "template_names",
    ),
}
_SOURCE = {name: module for module, names in _FROM.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import the module a name of the API comes from on first use, and keep the name here."""
    module = _SOURCE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = importlib.import_module(module, __name__)
    try:
        value = getattr(home, name)
    except AttributeError:  # a submodule (``registry``)
        value = importlib.import_module(f"{home.__name__}.{name}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCE})


__all__ = [
    "ANALYSIS_KEYS",
    "DEFAULT_BASELINE",
    "FACE_KEYS",
    "INCOMPLETE_KINDS",
    "PYTHON_SUFFIXES",
    "REASON_RULE_ID",
    "SUPPRESSION_KEY",
    "TEMPLATE_SUFFIXES",
    "AnalysisResult",
    "Baseline",
    "BaselineChange",
    "BaselineError",
    "CallJudged",
    "CallSeen",
    "Cell",
    "ChangeSet",
    "ClearedSink",
    "CodeSeen",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "Evidence",
    "Finding",
    "Fix",
    "FlowStep",
    "Found",
    "GitError",
    "IncrementalAnalyzer",
    "Judgement",
    "Level",
    "NotebookError",
    "NotebookModule",
    "NotebookPositions",
    "Notice",
    "ProjectIndex",
    "ReadResult",
    "Redactor",
    "ResultCache",
    "Rule",
    "RunStats",
    "ScanResult",
    "Shard",
    "SinkExamined",
    "SinkNotReported",
    "Skipped",
    "SourceSeen",
    "Span",
    "StepKind",
    "SummaryCache",
    "TextEdit",
    "UnreachedCode",
    "analysis_identity",
    "analyze_cells",
    "analyze_file",
    "analyze_files",
    "analyze_notebook",
    "analyze_notebook_file",
    "analyze_path",
    "analyze_source",
    "analyze_template",
    "analyze_text_file",
    "baseline_document",
    "by_cell",
    "cache_folder",
    "cell_of",
    "cell_source",
    "changed_lines_for_text",
    "changes_since",
    "checked_configuration",
    "code_seen",
    "config_notices",
    "decode_source",
    "default_jobs",
    "discover",
    "discover_files",
    "editor_summary_cache",
    "entry_for",
    "filter_document",
    "find_files",
    "forget_baselines",
    "from_mapping",
    "has_python_shebang",
    "is_candidate",
    "is_notebook_path",
    "is_python_path",
    "is_template_path",
    "load_baseline",
    "load_pyproject",
    "locate_problems",
    "module_name_for",
    "names_any",
    "notebook_file_span",
    "notebook_module",
    "parse_unified_diff",
    "python_of_cell",
    "read_cells",
    "read_source",
    "registry",
    "relative_to_root",
    "release_caches",
    "rendered_as",
    "repo_root_of",
    "report_order",
    "rule_id_problems",
    "rule_label",
    "scan_paths",
    "selected_rules",
    "shard_of",
    "split_lines",
    "split_lines_keepends",
    "template_names",
    "unknown_rule_codes",
    "updated_baseline",
    "write_baseline",
    "write_text_safely",
]
