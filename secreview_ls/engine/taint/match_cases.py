"""Cases of a ``match`` statement the interpreter can decide: literal patterns and patterns
matched against a subject of known constant value."""

from __future__ import annotations

import ast

from .values import NO_CONST


def literal_pattern(pattern: ast.pattern) -> bool:
    """``case "a" | "b":`` matches only constants."""
    if isinstance(pattern, ast.MatchValue):
        return isinstance(pattern.value, (ast.Constant, ast.Attribute))
    if isinstance(pattern, ast.MatchSingleton):
        return True
    if isinstance(pattern, ast.MatchOr):
        return all(literal_pattern(p) for p in pattern.patterns)
    return False


def constant_match(pattern: ast.pattern, subject: object) -> bool | None:
    """Whether ``case pattern:`` matches a subject of known constant value (None: cannot say)."""
    if subject is NO_CONST:
        return None
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is None:
        return True  # ``case _:`` / ``case name:``
    if isinstance(pattern, ast.MatchValue) and isinstance(pattern.value, ast.Constant):
        if not isinstance(subject, (str, bytes, int, float)):
            return None
        return bool(pattern.value.value == subject)
    if isinstance(pattern, ast.MatchSingleton):
        return pattern.value is subject
    if isinstance(pattern, ast.MatchOr):
        results = [constant_match(p, subject) for p in pattern.patterns]
        if any(r is True for r in results):
            return True
        return False if all(r is False for r in results) else None
    return None
