"""Regular expressions applied to input: ``re.sub(r"[^a-z0-9]", "", name)``, ``re.split``,
``re.findall``.

The result still carries the input, less what the pattern removes (or only what it matches, for
``findall``). Which characters can remain is judged by running the call (its pattern and other
arguments all constants) on short samples: every printable ASCII character and a few others,
alone, repeated and between other characters. A call that leaves only letters, digits and ``_``
cleans the value for every class but a host name's; one that leaves no shell syntax cleans it for
commands, one that leaves no line break for the classes a line break matters to, one that leaves
no path separator for paths, one that leaves no quote for quoted contexts. The samples are a few characters long: no pattern can backtrack long on them."""

from __future__ import annotations

import ast
import re
import string
from functools import lru_cache

_CHARACTERS = string.printable + "\x00\x85\u2028é"
# A pattern matching runs of one character class (``\w+``, ``[a-z0-9]{1,8}``): what ``findall``
# gives back is the characters the class matches, which the samples show one by one.
_ONE_CLASS = re.compile(r"(?:\\[wdsWDS]|\[\^?\]?[^\]]*\])(?:[+*?]|\{\d+(?:,\d*)?\})?")
# What a shell reads as syntax (or a word break) in an unquoted command line.
SHELL_CHARACTERS = frozenset(";&|$`<>()\\\"'*?[]{}~!#%^=\n\r\t\x0b\x0c ")
_CONTEXTS = ("{c}", "a{c}a", "{c}{c}{c}", "0{c}", "{c}0", " {c} ", "<{c}>", "\n{c}\n")


def _constant(node: ast.expr | None) -> object:
    """A literal's value, a flag spelled ``re.I`` / ``re.IGNORECASE | re.M`` as its number,
    None when not given, ``...`` for anything else."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
        flag = getattr(re.RegexFlag, node.attr, None)
        return int(flag) if isinstance(flag, re.RegexFlag) else ...
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _constant(node.left), _constant(node.right)
        return left | right if isinstance(left, int) and isinstance(right, int) else ...
    return ...


@lru_cache(maxsize=512)
def _survivors(
    how: str, pattern: str | bytes, replacement: str | bytes, count: int, flags: int
) -> frozenset[str] | None:
    """The characters ``how`` (``sub``, ``split``, ``findall``) can give back of a text (None: the
    pattern does not compile or the call fails)."""
    try:
        compiled = re.compile(pattern, flags)
    except (re.error, TypeError, ValueError, OverflowError, RecursionError):
        return None
    if how == "split" and compiled.groups:
        return None  # the separators come back too
    if how == "findall" and not _ONE_CLASS.fullmatch(
        compiled.pattern if isinstance(pattern, str) else pattern.decode("latin-1")
    ):
        return None  # what a longer pattern matches depends on context the samples do not give
    binary = isinstance(pattern, bytes)
    left: set[str] = set()
    try:
        for character in _CHARACTERS:
            if binary and ord(character) > 0xFF:
                continue
            for context in _CONTEXTS:
                sample = context.format(c=character)
                text = sample.encode("latin-1") if binary else sample
                if how == "findall":
                    pieces = [
                        p for found in compiled.findall(text) for p in (found if isinstance(found, tuple) else (found,))
                    ]
                else:
                    pieces = [compiled.sub(replacement if how == "sub" else text[:0], text, count=count)]
                for piece in pieces:
                    left.update(piece.decode("latin-1") if isinstance(piece, bytes) else piece)
    except (re.error, TypeError, ValueError, IndexError, RecursionError):
        return None
    return frozenset(left)


def left_characters(node: ast.Call, how: str) -> frozenset[str] | None:
    """The characters ``re.sub(pattern, repl, string, count, flags)``, ``re.split(pattern, string,
    maxsplit, flags)`` or ``re.findall(pattern, string, flags)`` (``how``) can give back of the text,
    when the pattern and the other arguments are constants; None otherwise."""
    given = {kw.arg: kw.value for kw in node.keywords if kw.arg}
    names = _PARAMETERS[how]
    values = {name: _constant(node.args[i] if i < len(node.args) else given.get(name)) for i, name in enumerate(names)}
    pattern = values["pattern"]
    replacement = values.get("repl", pattern[:0] if isinstance(pattern, (str, bytes)) else None)
    if not isinstance(pattern, (str, bytes)) or type(replacement) is not type(pattern):
        return None
    count = values.get("count", values.get("maxsplit")) or 0
    flags = values.get("flags") or 0
    if not isinstance(count, int) or not isinstance(flags, int) or isinstance(count, bool):
        return None
    return _survivors(how, pattern, replacement, count, flags)  # type: ignore[arg-type]


_PARAMETERS = {
    "sub": ("pattern", "repl", "string", "count", "flags"),
    "split": ("pattern", "string", "maxsplit", "flags"),
    "findall": ("pattern", "string", "flags"),
}


def only_word_characters(left: frozenset[str]) -> bool:
    """Only letters, digits and ``_`` (of any script) can remain: nothing any class needs."""
    return all(character.isalnum() or character == "_" for character in left)


def cleaned_classes(
    left: frozenset[str],
    words_only: frozenset[str],
    line_breaks: frozenset[str],
    separators: frozenset[str],
    quotes: frozenset[str],
) -> frozenset[str]:
    """The classes a text holding only ``left`` characters is clean for: ``words_only`` when only
    letters, digits and ``_``; else ``command`` without shell syntax, ``line_breaks`` without a
    line break, ``separators`` without a path separator, ``quotes`` without a quote."""
    if only_word_characters(left):
        return words_only  # nothing any class needs but a host name: ``f"http://{name}/"`` still picks it
    classes: frozenset[str] = frozenset()
    if not left & SHELL_CHARACTERS:
        classes |= {"command"}  # ``[\w.-]``: one word of a command line, no shell syntax
    if not left & {"\n", "\r"}:
        classes |= line_breaks
    if not left & {"/", "\\"}:
        classes |= separators
    if not left & {"'", '"', "\\"}:
        classes |= quotes
    return classes
