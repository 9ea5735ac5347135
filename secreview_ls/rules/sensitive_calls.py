"""Calls worth naming in a review even when no rule reports them: the APIs whose misuse the
catalogue looks for (processes, code evaluation, deserialization, XML, HTTP, hashing,
temporary files, TLS, templates, archives, SQL execution).

This only says which calls exist; what was established about each is written by the rules
that examine them (``CallJudged`` evidence).
"""

from __future__ import annotations

import ast

from ..engine.evidence import CallSeen
from ..engine.facts import ModuleFacts

SENSITIVE_PREFIXES = (
    "subprocess.",
    "os.system",
    "os.popen",
    "os.exec",
    "os.spawn",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "pickle.",
    "marshal.",
    "shelve.",
    "yaml.",
    "xml.",
    "lxml.",
    "requests.",
    "httpx.",
    "urllib.request.",
    "hashlib.",
    "tempfile.",
    "ssl.",
    "jinja2.",
    "tarfile.",
    "markupsafe.",
)
# Methods that run SQL whatever their receiver (a cursor, a connection, a Django manager).
QUERY_METHODS = ("execute", "executemany", "executescript", "raw", "extra")


def sensitive_calls(facts: ModuleFacts) -> list[CallSeen]:
    """The sensitive calls of a module, each once, in line order: resolved calls under
    ``SENSITIVE_PREFIXES`` (named by their qualified name) and SQL method calls (named as
    spelled, with ``()``)."""
    seen: dict[tuple[int, str], CallSeen] = {}
    for prefix in SENSITIVE_PREFIXES:
        for name, call in facts.calls_with_prefix(prefix):
            key = (call.lineno, name)
            if key not in seen:
                seen[key] = CallSeen(name, call.lineno, facts.source.span(call).start_col)
    for call in facts.method_calls(*QUERY_METHODS):
        if not isinstance(call.func, ast.Attribute):
            continue
        api = f"{facts.spelled(call.func)}()"
        key = (call.lineno, api)
        if key not in seen:
            seen[key] = CallSeen(api, call.lineno, facts.source.span(call).start_col)
    return sorted(seen.values(), key=lambda c: (c.line, c.api))
