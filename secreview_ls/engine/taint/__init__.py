"""Taint analysis: untrusted values followed through a module (and the project) to sinks.

The rule layer builds a ``TaintSpec`` from its tables (one ``TaintClass`` row per taint class,
sources, sinks, sanitizers) and runs ``ModuleTaint(facts, spec, project=..., memo=...).run()``;
the engine knows no class, source or sink by name.
"""

from .analysis import ModuleTaint
from .memo import TaintMemo
from .project import ProjectIndex
from .spec import (
    AFTER_BASE_SEPARATOR,
    AFTER_END_OF_OPTIONS,
    AFTER_FIXED_HOST,
    AFTER_FIXED_PATH,
    AFTER_FIXED_TEXT,
    ALL_CLASSES,
    CLEANING_BEHAVIOURS,
    COMPUTED_BY_CALL,
    FOUND_BY_KEY,
    FOUND_IN_SESSION,
    HOST_ALLOWLISTED,
    INVOKING_USER_CHOSE,
    LINE_BREAKS_REMOVED,
    MARKUP_ESCAPED,
    OPTIONS_REJECTED,
    OWN_REQUEST_URL,
    PAGE_CAME_FROM,
    PARENT_REFS_REJECTED,
    PREDICATE_HELD,
    QUOTES_REJECTED,
    RETURNED_BY_PROGRAM_OBJECT,
    SHELL_SYNTAX_REJECTED,
    AttributeSink,
    SinkSpec,
    StoreSink,
    TaintClass,
    TaintSpec,
    sink_index,
)
from .summary import Effect, SinkHit, Summary, SummaryProvider

__all__ = [
    "AFTER_BASE_SEPARATOR",
    "AFTER_END_OF_OPTIONS",
    "AFTER_FIXED_HOST",
    "AFTER_FIXED_PATH",
    "AFTER_FIXED_TEXT",
    "ALL_CLASSES",
    "CLEANING_BEHAVIOURS",
    "COMPUTED_BY_CALL",
    "FOUND_BY_KEY",
    "FOUND_IN_SESSION",
    "HOST_ALLOWLISTED",
    "INVOKING_USER_CHOSE",
    "LINE_BREAKS_REMOVED",
    "MARKUP_ESCAPED",
    "OPTIONS_REJECTED",
    "OWN_REQUEST_URL",
    "PAGE_CAME_FROM",
    "PARENT_REFS_REJECTED",
    "PREDICATE_HELD",
    "QUOTES_REJECTED",
    "RETURNED_BY_PROGRAM_OBJECT",
    "SHELL_SYNTAX_REJECTED",
    "AttributeSink",
    "Effect",
    "ModuleTaint",
    "ProjectIndex",
    "SinkHit",
    "SinkSpec",
    "StoreSink",
    "Summary",
    "SummaryProvider",
    "TaintClass",
    "TaintMemo",
    "TaintSpec",
    "sink_index",
]
