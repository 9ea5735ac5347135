"""Which variables a Jinja2 or Django template writes without escaping: ``{{ name|safe }}``,
or any ``{{ name }}`` inside ``{% autoescape false %}`` (Jinja2) / ``{% autoescape off %}``
(Django). Plain text in, names and places out: the project index finds the template file, the
sink checker asks which of the view's context variables such a template leaves unescaped and
where it writes them (a flow step in the template file)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
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
    return tuple(write for _, write in _writes_at(text))


def _writes_at(text: str) -> list[tuple[int, UnescapedWrite]]:
    """Every unescaped write with its offset in the text, in text order."""
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
    return [(start, found[start]) for start in sorted(found)]


def unescaped_names(text: str) -> frozenset[str]:
    """Top-level variable names the template writes without escaping."""
    return frozenset(write.name for write in unescaped_writes(text))


def first_writes(text: str) -> dict[str, UnescapedWrite]:
    """The first unescaped write of each variable."""
    firsts: dict[str, UnescapedWrite] = {}
    for write in unescaped_writes(text):
        firsts.setdefault(write.name, write)
    return firsts


# -- templates rendered together: ``{% include %}``, ``{% extends %}`` and ``{% block %}`` ----------

MAX_TEMPLATE_DEPTH = 8  # includes and parents followed from one rendered template
MAX_TEMPLATE_FILES = 32  # template files read for one rendered template

_TAG = re.compile(r"\{%-?\s*(include|extends|block|endblock)\b(.*?)-?%\}", re.DOTALL)
_NAME = re.compile(r"""\s*(?:"([^"\\]+)"|'([^'\\]+)')""")
_RENAME = re.compile(r"""([A-Za-z_]\w*)\s*=\s*("[^"]*"|'[^']*'|[A-Za-z_][\w.]*)""")
_SUPER = re.compile(r"\{\{-?\s*(?:super\(\s*\)|block\.super)\s*-?\}\}")

Loader = Callable[[str], "tuple[str, str] | None"]  # a template name -> (its path, its text)


@dataclass(frozen=True, slots=True)
class Include:
    """``{% include "name" %}`` at ``span``: which of the includer's variables the included
    template sees, and under which names (``with a=b`` shows ``b`` as ``a``)."""

    name: str
    span: Span
    text: str
    renames: tuple[tuple[str, str | None], ...]  # (name inside, includer's variable or None: a constant)
    only: bool  # ``only`` / ``without context``: nothing but the renames


@dataclass(frozen=True, slots=True)
class _Block:
    name: str
    start: int
    end: int
    calls_super: bool


@dataclass(frozen=True, slots=True)
class _Parsed:
    writes: tuple[tuple[int, UnescapedWrite], ...]  # (offset, write)
    includes: tuple[tuple[int, Include], ...]
    blocks: tuple[_Block, ...]
    extends: tuple[str, Span, str] | None


@dataclass(frozen=True, slots=True)
class PlacedWrite:
    """An unescaped write reached from the rendered template: the file that writes it, and the
    ``{% include %}`` / ``{% extends %}`` tags it was reached through (path, span, text)."""

    write: UnescapedWrite
    path: str
    via: tuple[tuple[str, Span, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TemplateReading:
    """What rendering a template file writes unescaped, per context variable of the render call
    (its first such write), and every template file read to know it."""

    path: str
    writes: tuple[tuple[str, PlacedWrite], ...]
    files: tuple[str, ...]

    def first_writes(self) -> dict[str, PlacedWrite]:
        return dict(self.writes)


def template_references(text: str) -> tuple[str, ...]:
    """The literal names a template includes or extends."""
    return tuple(
        name for kind, rest in _TAG.findall(text[:MAX_TEMPLATE_CHARS]) if kind in ("include", "extends")
        for name in [_literal_name(rest)] if name
    )


def _literal_name(rest: str) -> str | None:
    match = _NAME.match(rest)
    return (match.group(1) or match.group(2)) if match else None


def _parse(text: str) -> _Parsed:
    text = text[:MAX_TEMPLATE_CHARS]
    lines = _Lines(text)
    writes = tuple(_writes_at(text))
    includes: list[tuple[int, Include]] = []
    blocks: list[_Block] = []
    opened: list[tuple[str, int]] = []
    extends: tuple[str, Span, str] | None = None
    for match in _TAG.finditer(text):
        kind, rest = match.group(1), match.group(2)
        span = lines.span(match.start(), match.end())
        if kind == "block":
            opened.append((rest.split()[0] if rest.split() else "", match.end()))
        elif kind == "endblock" and opened:
            name, start = opened.pop()
            body = text[start : match.start()]
            blocks.append(_Block(name, start, match.start(), bool(_SUPER.search(body))))
        elif kind == "extends" and extends is None and (name := _literal_name(rest)):
            extends = (name, span, match.group(0))
        elif kind == "include" and (name := _literal_name(rest)):
            includes.append((match.start(), _include(name, span, match.group(0), rest)))
    return _Parsed(writes, tuple(includes), tuple(blocks), extends)


def _include(name: str, span: Span, text: str, rest: str) -> Include:
    """Jinja2 shares the context unless ``without context``; Django's ``with a=b`` adds names
    and ``only`` keeps just those."""
    after = _NAME.sub("", rest, count=1)
    words = after.split()
    only = "only" in words or ("without" in words and "context" in words)
    renames: list[tuple[str, str | None]] = []
    if "with" in words and "context" not in words:
        for inner, outer in _RENAME.findall(after):
            top = outer.split(".")[0]
            renames.append((inner, None if outer[:1] in "\"'" or top in ("True", "False", "None") else top))
    return Include(name, span, text, tuple(renames), only)


def read_template(path: str, text: str, load: Loader) -> TemplateReading:
    """The unescaped writes of template ``path`` (its ``text``) with those of the templates it
    includes and extends, found by ``load(name) -> (path, text) | None``. Each write is named
    by the render call's variable it shows (a rename of an include followed back); a missing
    template, a cycle or a chain deeper than ``MAX_TEMPLATE_DEPTH`` ends the walk there."""
    walk = _Walk(load)
    walk.render(path, text, _Names({}, shared=True), frozenset(), (), 0, (path,))
    return TemplateReading(path, tuple(walk.firsts.items()), tuple(walk.files))


class _Walk:
    def __init__(self, load: Loader) -> None:
        self.load = load
        self.firsts: dict[str, PlacedWrite] = {}
        self.files: list[str] = []
        self.loaded: dict[str, tuple[str, str] | None] = {}

    def _load(self, name: str) -> tuple[str, str] | None:
        if name not in self.loaded:
            found = self.load(name) if len(self.files) < MAX_TEMPLATE_FILES else None
            self.loaded[name] = found
            if found is not None and found[0] not in self.files:
                self.files.append(found[0])
        return self.loaded[name]

    def render(
        self,
        path: str,
        text: str,
        names: _Names,
        replaced: frozenset[str],
        via: tuple[tuple[str, Span, str], ...],
        depth: int,
        chain: tuple[str, ...],
    ) -> None:
        """Record the writes of ``path`` seen by the render call. ``names``: the template's
        variables as the render call's; ``replaced``: blocks a
        child template overrides without calling ``super``."""
        if path not in self.files:
            self.files.append(path)
        parsed = _parse(text)
        dead = [block for block in parsed.blocks if block.name in replaced]

        def live(offset: int) -> bool:
            if any(block.start <= offset < block.end for block in dead):
                return False
            return parsed.extends is None or any(block.start <= offset < block.end for block in parsed.blocks)

        for offset, write in parsed.writes:
            outer = names.outer(write.name)
            if outer is not None and live(offset) and outer not in self.firsts:
                self.firsts[outer] = PlacedWrite(write, path, via)
        if depth >= MAX_TEMPLATE_DEPTH:
            return
        for offset, include in parsed.includes:
            if live(offset):
                found = self._load(include.name)
                if found is not None and found[0] not in chain:
                    step = (path, include.span, include.text)
                    self.render(
                        found[0], found[1], names.included(include), frozenset(), (*via, step), depth + 1,
                        (*chain, found[0]),
                    )
        if parsed.extends is not None:
            found = self._load(parsed.extends[0])
            if found is not None and found[0] not in chain:
                overridden = replaced | {block.name for block in parsed.blocks if not block.calls_super}
                step = (path, parsed.extends[1], parsed.extends[2])
                self.render(found[0], found[1], names, overridden, (*via, step), depth + 1, (*chain, found[0]))


@dataclass(frozen=True, slots=True)
class _Names:
    """A template's variables as the render call's: renamed ones (None: a constant), and the
    others shared under their own names or not at all."""

    renames: dict[str, str | None]
    shared: bool

    def outer(self, name: str) -> str | None:
        if name in self.renames:
            return self.renames[name]
        return name if self.shared else None

    def included(self, include: Include) -> _Names:
        """The included template's variables (``with a=b`` shows ``b`` as ``a``)."""
        if not include.renames and not include.only:
            return self
        renames = {name: self.outer(outer) if outer is not None else None for name, outer in include.renames}
        if include.only:
            return _Names(renames, shared=False)
        return _Names({**self.renames, **renames}, shared=self.shared)
