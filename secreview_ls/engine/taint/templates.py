"""Which variables a Jinja2 or Django template writes without escaping: ``{{ name|safe }}``,
or any ``{{ name }}`` inside ``{% autoescape false %}`` (Jinja2) / ``{% autoescape off %}``
(Django). Plain text in, names and places out: the project index finds the template file, the
sink checker asks which of the view's context variables such a template leaves unescaped and
where it writes them (a flow step in the template file)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..finding import Span

_SAFE = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)[^}]*?\|\s*safe\b[^}]*\}\}")
_BLOCK = re.compile(
    r"\{%-?\s*autoescape\s+(?:false|off)\s*-?%\}(.*?)\{%-?\s*endautoescape\s*-?%\}", re.DOTALL | re.IGNORECASE
)
_VARIABLE = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)[^}]*\}\}")
MAX_TEMPLATE_CHARS = 500_000


@dataclass(frozen=True, slots=True)
class UnescapedWrite:
    """One place a template writes a variable without escaping."""

    name: str  # the top-level variable (``user`` of ``{{ user.bio|safe }}``)
    span: Span  # the ``{{ … }}`` occurrence, in the template's text
    text: str  # the occurrence as written
    why: str  # "|safe" or "autoescape off"


class _Lines:
    """Offsets in a text to 1-based lines and 0-based code-point columns."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(match.end() for match in re.finditer(r"\r\n|\r|\n", text))]

    def span(self, start: int, end: int) -> Span:
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, end) - 1
        return Span(first + 1, start - self.starts[first], last + 1, end - self.starts[last])


def unescaped_writes(text: str) -> tuple[UnescapedWrite, ...]:
    """Every unescaped write of the template, in text order."""
    text = text[:MAX_TEMPLATE_CHARS]
    lines = _Lines(text)
    found: dict[int, UnescapedWrite] = {}
    for match in _SAFE.finditer(text):
        found[match.start()] = UnescapedWrite(
            match.group(1), lines.span(match.start(), match.end()), match.group(0), "|safe"
        )
    for block in _BLOCK.finditer(text):
        for match in _VARIABLE.finditer(text, block.start(1), block.end(1)):
            found.setdefault(
                match.start(),
                UnescapedWrite(match.group(1), lines.span(match.start(), match.end()), match.group(0), "autoescape off"),
            )
    return tuple(found[start] for start in sorted(found))


def unescaped_names(text: str) -> frozenset[str]:
    """Top-level variable names the template writes without escaping."""
    return frozenset(write.name for write in unescaped_writes(text))


def first_writes(text: str) -> dict[str, UnescapedWrite]:
    """The first unescaped write of each variable."""
    firsts: dict[str, UnescapedWrite] = {}
    for write in unescaped_writes(text):
        firsts.setdefault(write.name, write)
    return firsts
