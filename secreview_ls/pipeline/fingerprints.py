"""Finding fingerprints: stable across edits elsewhere in the file (no line numbers in them)."""

from __future__ import annotations

import ast
import bisect
import hashlib
from collections.abc import Callable

from ..engine.facts import ModuleFacts
from ..engine.finding import Finding


def assign_fingerprints(findings: list[Finding], facts: ModuleFacts | None) -> None:
    """Fingerprint = rule + enclosing definition + normalized statement text + occurrence.

    Line numbers and trailing comments are left out, so edits elsewhere in the file, and a
    comment added to the reported line, keep fingerprints (and baselines) stable.
    """
    if not findings:
        return  # (the definitions' names are read only for findings to place)
    scope_at = _scope_finder(_definition_scopes(facts) if facts is not None else [])
    seen: dict[str, int] = {}
    for found in sorted(findings, key=Finding.sort_key):
        scope = scope_at(found.span.start_line)
        statement = " ".join(without_comment(found.snippet).split())
        key = f"{found.rule_id}|{scope}|{statement}"
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256(f"{key}|{index}".encode("utf-8", errors="replace")).hexdigest()
        found.fingerprint = digest[:32]


def without_comment(code: str) -> str:
    """``code`` up to its first ``#`` outside a string literal (unchanged when a string is
    left open: the snippet is then only part of a statement)."""
    if "#" not in code:
        return code
    quote = ""
    index = 0
    while index < len(code):
        char = code[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if code.startswith(quote, index):
                index += len(quote)
                quote = ""
                continue
        elif char in "'\"":
            quote = code[index : index + 3] if code[index : index + 3] in ("'''", '"""') else char
            index += len(quote)
            continue
        elif char == "#":
            return code[:index].rstrip()
        index += 1
    return code


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _definition_scopes(facts: ModuleFacts) -> list[tuple[int, int, str]]:
    """Each definition's lines and dotted name (``Class.method.inner``)."""
    scopes: list[tuple[int, int, str]] = []
    dotted: dict[ast.AST, str] = {}  # in source order, a definition's enclosing ones come first
    for node in facts.nodes(*_DEFINITIONS):
        name: str = node.name  # type: ignore[attr-defined]
        for ancestor in facts.ancestors(node):
            if isinstance(ancestor, _DEFINITIONS):
                known = dotted.get(ancestor)
                if known is not None:
                    name = f"{known}.{name}"
                    break
                name = f"{ancestor.name}.{name}"
        dotted[node] = name
        scopes.append((node.lineno, node.end_lineno or node.lineno, name))  # type: ignore[attr-defined]
    return scopes


def _scope_finder(scopes: list[tuple[int, int, str]]) -> Callable[[int], str]:
    """``_scope_at`` over ``scopes`` in logarithmic time when definitions nest properly
    (they always do in a parse tree): the innermost definition holding a line."""
    named: dict[tuple[int, int], str] = {}
    for first, last, name in scopes:
        named.setdefault((first, last), name)  # of equal extents the first one wins
    extents = sorted(named, key=lambda e: (e[0], -e[1]))
    parents: list[int] = []
    stack: list[int] = []
    for index, (first, last) in enumerate(extents):
        while stack and extents[stack[-1]][1] < first:
            stack.pop()
        if stack and extents[stack[-1]][1] < last:
            return lambda line: _scope_at(scopes, line)  # overlapping extents: scan them all
        parents.append(stack[-1] if stack else -1)
        stack.append(index)
    firsts = [first for first, _ in extents]

    def scope_at(line: int) -> str:
        index = bisect.bisect_right(firsts, line) - 1
        while index >= 0 and extents[index][1] < line:
            index = parents[index]
        return named[extents[index]] if index >= 0 else ""

    return scope_at


def _scope_at(scopes: list[tuple[int, int, str]], line: int) -> str:
    best = ""
    best_size = None
    for first, last, name in scopes:
        if first <= line <= last and (best_size is None or last - first < best_size):
            best, best_size = name, last - first
    return best
