"""Whether a text is SQL: the keyword test every SQL rule starts with, and the statement shapes
(``SELECT ... FROM``, ``INSERT INTO``, ``UPDATE ... SET``, ``DELETE FROM``, a ``WHERE`` fragment)."""

from __future__ import annotations

import re

_SQL_START = re.compile(
    r"^\s*\(?\s*(?:"
    r"select\s[\s\S]{0,2000}?\bfrom\b"
    r"|insert\s+(?:or\s+\w+\s+)?into\b"
    r"|replace\s+into\b"
    r"|update\s+[\w.\"`\[\]]+\s+set\b"
    r"|delete\s+from\b"
    r"|with\s+\w+\s+as\s*\(\s*select\b"
    r")",
    re.IGNORECASE,
)
_SQL_UPPER = re.compile(r"\b(?:SELECT\s[\s\S]{0,2000}?\sFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b")
_SQL_FRAGMENT = re.compile(r"^\s*(?:WHERE|AND|OR)\s+[\w.\"`]+\s*(?:=|<|>|!=|<>|LIKE|IN\b)")
_SQL_SUPPORT = re.compile(
    r"(?:\*|,|\bwhere\b|\bjoin\b|\border\s+by\b|\bgroup\s+by\b|\blimit\b|\bvalues\b|\bset\b|=)",
    re.IGNORECASE,
)
_SQL_WORD_LIST = ("select", "insert", "update", "delete", "replace", "where")
_SQL_WORDS = re.compile(rf"(?i)\b(?:{'|'.join(_SQL_WORD_LIST)})\b")
_SQL_WORDS_LOWERED = re.compile(rf"\b(?:{'|'.join(_SQL_WORD_LIST)})\b")


def names_sql_word(text: str) -> bool:
    """Whether ``text`` holds an SQL keyword as a word (``_SQL_WORDS``). Most modules hold none,
    and a case-insensitive search then reads the whole text slowly: an ASCII text is lowered and
    searched for the words as substrings first (the same answer; a text with other characters
    keeps the case-insensitive search, whose Unicode case folding matches more than lowering)."""
    if not text.isascii():
        return _SQL_WORDS.search(text) is not None
    lowered = text.lower()
    return any(word in lowered for word in _SQL_WORD_LIST) and _SQL_WORDS_LOWERED.search(lowered) is not None


def looks_like_sql(text: str) -> bool:
    """SELECT ... FROM, INSERT INTO, UPDATE ... SET, DELETE FROM (or a WHERE/AND fragment)."""
    if not _SQL_WORDS.search(text):
        return False
    match = _SQL_START.search(text)
    if match:
        keyword_text = match.group(0).strip().lstrip("(").strip()
        if keyword_text[:6].isupper():
            return True
        return bool(_SQL_SUPPORT.search(text[match.start() :]))
    return bool(_SQL_UPPER.search(text) or _SQL_FRAGMENT.search(text))
