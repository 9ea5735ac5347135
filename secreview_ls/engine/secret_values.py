"""What a credential value looks like and how it is shown: masking, randomness,
placeholders, and the ``SecretHit`` record (whose ``repr`` never holds the value)."""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

# -- masking and scoring --------------------------------------------------------------

ELLIPSIS = "…"


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every occurrence of each of ``secrets`` replaced by its mask."""
    for value in secrets:
        if value in text:
            text = text.replace(value, mask(value))
    return text


def mask(value: str, visible_prefix: int = 0) -> str:
    """``value`` with everything but a public prefix and its last two characters hidden.

    ``mask("AKIAIOSFODNN7EXAMPLE", 4)`` → ``"AKIA…LE"``; values shorter than ten
    characters (after the prefix) show no character of their own at all.
    """
    head, rest = value[:visible_prefix], value[visible_prefix:]
    if len(rest) >= 10:
        return f"{head}{ELLIPSIS}{rest[-2:]}"
    return f"{head}{ELLIPSIS}"


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``'s own character distribution."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


_HEX = frozenset("0123456789abcdefABCDEF")
_WORDISH = re.compile(r"[A-Z]?[a-z]{3,}")


def looks_random(value: str, *, min_length: int = 16) -> bool:
    """True for strings that look machine-generated (keys, tokens), not words or identifiers.

    The bar is relative to what a uniformly random string of the same length and
    alphabet would reach, so short tokens are not held to long-token standards.
    """
    if len(value) < min_length or " " in value:
        return False
    if not any(c.isdigit() for c in value) and not (
        len(value) >= 32 and any(c.isupper() for c in value) and any(c.islower() for c in value)
    ):
        return False
    if not any(c.isalpha() for c in value):
        return False
    if sum(len(word) for word in _WORDISH.findall(value)) >= 0.7 * len(value):
        return False  # mostly words: an identifier such as ``getPasswordFromEnv2``
    alphabet = 16 if all(c in _HEX for c in value) else 64
    ceiling = min(math.log2(len(value)), math.log2(alphabet))
    return shannon_entropy(value) >= 0.82 * ceiling


# -- placeholders ------------------------------------------------------------------------

# Long words are telling anywhere; short ones only as words of their own (letters on neither
# side), so a random token that happens to contain "xXx" or "Bar" is not taken for a placeholder.
_PLACEHOLDER_WORDS = re.compile(
    r"change[_\-. ]?me|changeit|example|sample|dummy|placeholder|redacted|replace|insert|testing|undefined"
    r"|not[_\-. ]?set|secret[_\-. ]?here|key[_\-. ]?here|token[_\-. ]?here|\*\*\*|\.\.\.|<[^>]*>"
    r"|(?<![a-z])(?:your|my|foo|bar|baz|test|fake|mock|todo|fixme|tbd|xxx+|unset|none|null)(?![a-z])",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(
    r"\$\{|\$\(|\{\{|\}\}|\{%|%\(|<%|#\{|\{[A-Za-z_][\w.]*\}|%[sdr]\b|^\$[A-Za-z_]|^%[A-Za-z_]\w*%$"
    r"|^@[A-Za-z_]\w*@$|^__[A-Z_]+__$|^\[[A-Z_ ]+\]$"
)
_SEQUENCES = ("0123456789", "abcdefghij", "qwertyuiop", "asdfghjkl")
_REFERENCE_PREFIXES = (
    "env:",
    "env.",
    "vault:",
    "secret:",
    "secrets.",
    "arn:",
    "projects/",
    "file:",
    "ENC[",
    "!vault",
    "/run/secrets/",
    "/var/run/secrets/",
    "./",
    "../",
    "~/",
    "/etc/",
    "process.env",
    "os.environ",
    "os.getenv",
    "System.getenv",
    "ENV[",
    "getenv(",
)
_TYPE_NAMES = frozenset(
    {
        "string",
        "str",
        "text",
        "password",
        "passwd",
        "secret",
        "token",
        "integer",
        "int",
        "bool",
        "boolean",
        "required",
        "optional",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "empty",
        "nil",
        "value",
        "hidden",
        "masked",
        "omitted",
        "none",
        "null",
        "undefined",
        "default",
        "auto",
        "prompt",
        "ask",
        "random",
        "generated",
    }
)


def _consecutive_share(value: str) -> float:
    steps = sum(1 for a, b in pairwise(value) if ord(b) - ord(a) == 1)
    return steps / (len(value) - 1)


def is_placeholder(value: str, key: str | None = None) -> bool:
    """True for values that are obviously not real credentials.

    Templates (``${VAR}``, ``{{ var }}``, ``%(var)s``, ``<token>``), references to
    an environment or secret store, type names, placeholder words (``changeme``,
    ``example``, ``dummy``, ``your-key-here``), runs of one character (``xxxx``,
    ``****``) and keyboard/alphabet sequences.
    """
    stripped = value.strip()
    if not stripped:
        return True
    lowered = stripped.lower()
    if lowered in _TYPE_NAMES or (key is not None and lowered == key.lower()):
        return True
    distinct = len(set(lowered))
    if distinct == 1 or (len(lowered) >= 12 and distinct <= 4):
        return True
    if len(lowered) >= 8 and _consecutive_share(lowered) >= 0.5:  # 0123456789, abcdef
        return True
    if _TEMPLATE.search(stripped) or _PLACEHOLDER_WORDS.search(stripped):
        return True
    if stripped.startswith(_REFERENCE_PREFIXES):
        return True
    if any(seq in lowered for seq in _SEQUENCES):
        return True
    masked_chars = sum(1 for c in lowered if c in "x*#.")
    return masked_chars * 2 >= len(lowered)


# -- hits --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecretHit:
    """One credential found in text; ``value`` is kept out of ``repr``."""

    detector: str  # e.g. "aws-access-key-id"
    provider: str  # e.g. "AWS access key id"
    line: int  # 1-based
    start_col: int  # 0-based code points
    end_col: int
    value: str = field(repr=False)
    visible_prefix: int = 0
    key: str | None = None  # the assignment's key for generic hits
    note: str = ""  # factual detail, e.g. "temporary STS credential", "expired 2019-05-01"
    weak: bool = False  # expired token, encrypted key: still a leak, less urgent

    @property
    def masked(self) -> str:
        return mask(self.value, self.visible_prefix)

    def masked_line(self, line_text: str) -> str:
        """``line_text`` with this hit's value replaced by its mask."""
        return line_text[: self.start_col] + self.masked + line_text[self.end_col :]


class LineIndex:
    """Maps text offsets to (1-based line, 0-based column), splitting like the tokenizer."""

    _BREAK = re.compile(r"\r\n|\r|\n")

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in self._BREAK.finditer(text))

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]
