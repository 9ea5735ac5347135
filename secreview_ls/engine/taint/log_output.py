"""Log formatters that neutralise what a record's message writes (log injection, CWE-117).

A program can defend every log call at once, where the text is written: a ``logging.Formatter``
subclass whose ``format`` (or ``formatMessage``) replaces the control characters of the record's
message before it is written (``isprintable()`` checks, ``replace("\\n", ...)``, ``translate``,
``unicode_escape``, ``repr``, a ``re.sub`` of line breaks or control characters), installed by the
program itself: named in a ``dictConfig`` mapping (``"()": "app.log.CleanFormatter"`` or
``"class": ...``) or handed to ``handler.setFormatter(CleanFormatter(...))``.

Such a formatter cleans the message template a call passes (an f-string, a concatenation, a
prepared text): a line break the input brings there is written as a harmless character. The
``%``-arguments are merged into the text after the formatter looked at the template in the
common pattern (``record.msg`` checked, ``getMessage()`` left to the base class), so they stay
sinks. A formatter that is defined but never installed, or whose ``format`` only decorates the
line, cleans nothing.

``formatter_facts(text)`` reads one file: the cleaning formatter classes it defines and the
formatter names it installs. The project index joins them over the project's files.
"""

from __future__ import annotations

import ast

from ..source import parse_quietly

# Spellings that write a line break or a control character in a pattern or a replaced text.
_BREAKS = ("\n", "\r", "\\n", "\\r", "\\x00", "\\x0", "\\x1f", "\\x1", "[:cntrl:]", "\\u2028")
_ESCAPING_CODECS = frozenset({"unicode_escape", "unicode-escape", "backslashreplace"})
_FORMAT_METHODS = frozenset({"format", "formatMessage"})
#: A file defining or installing a formatter holds one of these texts.
FORMATTER_MARKERS = ("Formatter", "formatters")


def formatter_facts(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(names of the cleaning formatter classes ``text`` defines, names of the formatter classes
    it installs: the last part of a dotted ``dictConfig`` name, a class given to ``setFormatter``)."""
    if not any(marker in text for marker in FORMATTER_MARKERS):
        return frozenset(), frozenset()
    try:
        tree = parse_quietly(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset(), frozenset()  # another file of the project, unreadable as code
    defined: set[str] = set()
    installed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and _is_cleaning_formatter(node):
            defined.add(node.name)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if (
                    isinstance(key, ast.Constant) and key.value in ("()", "class")
                    and isinstance(value, ast.Constant) and isinstance(value.value, str)
                ):  # fmt: skip
                    installed.add(value.value.rsplit(".", 1)[-1])
        elif isinstance(node, ast.Call) and _called_name(node.func) == "setFormatter" and node.args:
            made = node.args[0]
            if isinstance(made, ast.Call):
                name = _called_name(made.func)
                if name:
                    installed.add(name)
    return frozenset(defined), frozenset(installed)


def _called_name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_cleaning_formatter(node: ast.ClassDef) -> bool:
    if not any((_called_name(base) or "").endswith("Formatter") for base in node.bases):
        return False
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in _FORMAT_METHODS:
            if any(_cleans(inner) for inner in ast.walk(item)):
                return True
    return False


def _cleans(node: ast.AST) -> bool:
    """One expression that neutralises line breaks or control characters of a text."""
    if isinstance(node, ast.FormattedValue):
        return node.conversion == ord("r")
    if not isinstance(node, ast.Call):
        return False
    name = _called_name(node.func)
    if name in ("isprintable", "translate") or name == "repr":
        return True
    constants = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if name in ("encode", "decode"):
        return any(value in _ESCAPING_CODECS for value in constants) or any(
            kw.arg == "errors" and isinstance(kw.value, ast.Constant) and kw.value.value in _ESCAPING_CODECS
            for kw in node.keywords
        )
    if name in ("replace", "sub", "subn"):
        first = node.args[0] if node.args else None
        if name != "replace" and isinstance(node.func, ast.Name):
            return False  # a bare ``sub(...)`` may be anything
        pattern = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        return pattern is not None and any(mark in pattern for mark in _BREAKS)
    return False
