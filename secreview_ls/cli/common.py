"""What the command-line modules share: exit codes, the usage error, "did you mean"."""

from __future__ import annotations

from collections.abc import Sequence

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


class UsageError(Exception):
    """A problem with the command line or the configuration: message, exit 2."""


def closest(word: str, candidates: Sequence[str], n: int = 3) -> list[str]:
    """Candidates most like ``word``: same-position characters first (typos in ids), then similarity."""
    import difflib  # only a mistyped word needs it

    def score(candidate: str) -> tuple[int, float]:
        same = sum(a == b for a, b in zip(word, candidate, strict=False)) if len(word) == len(candidate) else 0
        return same, difflib.SequenceMatcher(None, word, candidate).ratio()

    ranked = sorted(candidates, key=score, reverse=True)
    return [c for c in ranked if difflib.SequenceMatcher(None, word, c).ratio() >= 0.5][:n]


def suggest(code: str, candidates: Sequence[str]) -> str:
    close = closest(code, candidates)
    return f" (did you mean {', '.join(close)}?)" if close else ""
