"""Which variables a Jinja2 or Django template writes without escaping: ``{{ name|safe }}``,
or any ``{{ name }}`` inside ``{% autoescape false %}`` (Jinja2) / ``{% autoescape off %}``
(Django). Plain text in, names and places out: the project index finds the template file, the
sink checker asks which of the view's context variables such a template leaves unescaped and
where it writes them (a flow step in the template file)."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..finding import FlowStep, Span, StepKind
from .state import short_text
from .template_syntax import (
    MAX_TEMPLATE_CHARS,
    Macro,
    MacroCall,
    Syntax,
    imported_templates,
    parse,
    without_literals,
)


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


def _writes_at(text: str, default_on: bool = True) -> list[tuple[int, UnescapedWrite]]:
    """Every unescaped write with its offset in the text, in text order, of a template whose
    environment escapes by default (``default_on``) or not; writes inside macros are left out
    (they are written where the macro is called)."""
    if "{{" not in text:
        return []  # writes are ``{{ … }}`` only (a plain string of Python code, mostly)
    text = text[:MAX_TEMPLATE_CHARS]
    return _unescaped_in(text, parse(text), _Lines(text), default_on, None, frozenset())


def _unescaped_in(
    text: str,
    syntax: Syntax,
    lines: _Lines,
    default_on: bool,
    macro: Macro | None,
    off_blocks: frozenset[tuple[int, int]],
    default_why: str = "autoescape off in the environment",
) -> list[tuple[int, UnescapedWrite]]:
    """The unescaped writes of one part of a template: its top level, or a macro's body. Names
    are those written (a loop or ``set`` name is resolved by the caller)."""
    found: list[tuple[int, UnescapedWrite]] = []
    for expression in syntax.expressions:
        start = expression.start
        if (
            syntax.macro_at(start) if macro is None else (macro if macro.start <= start < macro.end else None)
        ) != macro:
            continue
        default = default_on and not any(first <= start < last for first, last in off_blocks)
        on, by_block = syntax.escaped_at(start, default)
        if expression.safe:
            why = "|safe"
        elif not on and not expression.escaped:
            why = "autoescape off" if by_block or default_on else default_why
        else:
            continue
        shown = text[start : expression.end]
        found.append((start, UnescapedWrite(expression.name, lines.span(start, expression.end), shown, why)))
    return found


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
    template sees, and under which names (``with a=b`` shows ``b`` as ``a``). ``choices``: the
    templates it may include, each a list tried in order (the first found is included):
    ``"a.html" if x else "b.html"`` gives two choices, ``["a.html", "b.html"]`` one choice of
    two names; a name starting with ``VARIABLE`` is a variable of the template, known when the
    render call gives it a constant."""

    name: str
    choices: tuple[tuple[str, ...], ...]
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
    text: str
    syntax: Syntax
    lines: _Lines
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
    """The literal names a template includes, extends or imports macros from (each name an
    include may choose among)."""
    text = text[:MAX_TEMPLATE_CHARS]
    named = [
        name
        for kind, rest in _TAG.findall(text)
        if kind in ("include", "extends")
        for name in ([_literal_name(rest)] if kind == "extends" else _included_names(rest))
        if name
    ]
    named.extend(imported_templates(text))
    return tuple(dict.fromkeys(named))


def _literal_name(rest: str) -> str | None:
    match = _NAME.match(rest)
    return (match.group(1) or match.group(2)) if match else None


# -- the name an ``{% include %}`` gives: a literal, a list of them, a conditional, a variable ------

VARIABLE = "\x00"  # marks a choice that is a template variable, not a literal name
MAX_CHOICES = 8
# What follows the name: Jinja2's ``ignore missing`` / ``with(out) context``, Django's ``with``/``only``.
_OPTIONS = re.compile(r"\s(?:ignore\s+missing|with|without|only)\b")


def _include_expression(rest: str) -> tuple[str, str]:
    """An include's name expression and the options after it (quotes respected)."""
    quoted = re.sub(r""""[^"\\]*"|'[^'\\]*'""", lambda m: "_" * len(m.group(0)), rest)
    option = _OPTIONS.search(quoted)
    end = option.start() if option is not None else len(rest)
    return rest[:end].strip(), rest[end:]


def _include_choices(expression: str) -> tuple[tuple[str, ...], ...]:
    """The choices of an include's name expression (empty: not known here). Jinja2's expression
    syntax for these forms is Python's: the text is parsed, never evaluated."""
    try:
        tree = ast.parse(expression, mode="eval").body if len(expression) < 2_000 else None
    except (SyntaxError, ValueError, RecursionError):
        return ()
    choices = _choices_of(tree) if tree is not None else ()
    return tuple(dict.fromkeys(choices))[:MAX_CHOICES]


def _choices_of(node: ast.expr) -> tuple[tuple[str, ...], ...]:
    if isinstance(node, ast.IfExp):
        return _choices_of(node.body) + _choices_of(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        names = tuple(name for item in node.elts for name in [_one_name(item)] if name is not None)
        return (names,) if names and len(names) == len(node.elts) else ()
    name = _one_name(node)
    return ((name,),) if name is not None else ()


def _one_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    if isinstance(node, ast.Name):
        return VARIABLE + node.id
    return None


def _included_names(rest: str) -> tuple[str, ...]:
    """The literal names an include may choose among."""
    choices = _include_choices(_include_expression(rest)[0])
    return tuple(name for choice in choices for name in choice if not name.startswith(VARIABLE))


def _parse(text: str) -> _Parsed:
    text = text[:MAX_TEMPLATE_CHARS]
    lines = _Lines(text)
    includes: list[tuple[int, Include]] = []
    blocks: list[_Block] = []
    opened: list[tuple[str, int]] = []
    extends: tuple[str, Span, str] | None = None
    scanned = without_literals(text)  # tags inside raw / verbatim blocks and comments are text
    for match in _TAG.finditer(scanned):
        kind, rest = match.group(1), match.group(2)
        span = lines.span(match.start(), match.end())
        if kind == "block":
            opened.append((rest.split()[0] if rest.split() else "", match.end()))
        elif kind == "endblock" and opened:
            name, start = opened.pop()
            body = scanned[start : match.start()]
            blocks.append(_Block(name, start, match.start(), bool(_SUPER.search(body))))
        elif kind == "extends" and extends is None and (name := _literal_name(rest)):
            extends = (name, span, match.group(0))
        elif kind == "include":
            expression, options = _include_expression(rest)
            choices = _include_choices(expression)
            if choices:
                includes.append((match.start(), _include(expression, choices, span, match.group(0), options)))
    return _Parsed(text, parse(text), lines, tuple(includes), tuple(blocks), extends)


def _include(name: str, choices: tuple[tuple[str, ...], ...], span: Span, text: str, after: str) -> Include:
    """Jinja2 shares the context unless ``without context``; Django's ``with a=b`` adds names
    and ``only`` keeps just those (``after``: the options following the name)."""
    words = after.split()
    only = "only" in words or ("without" in words and "context" in words)
    renames: list[tuple[str, str | None]] = []
    if "with" in words and "context" not in words:
        for inner, outer in _RENAME.findall(after):
            top = outer.split(".")[0]
            renames.append((inner, None if outer[:1] in "\"'" or top in ("True", "False", "None") else top))
    return Include(name, choices, span, text, tuple(renames), only)


Escapes = Callable[[str, str], bool]  # a template file (path, text) -> whether its environment escapes it


def read_template(
    path: str, text: str, load: Loader, escapes: Escapes | None = None, constants: Mapping[str, str] | None = None
) -> TemplateReading:
    """The unescaped writes of template ``path`` (its ``text``) with those of the templates it
    includes and extends and of the macros it calls, found by ``load(name) -> (path, text) | None``.
    ``escapes(path)`` tells whether the environment escapes a file by default (None: always, as
    Flask and Django do for HTML). Each write is named by the render call's variable it shows (a
    rename of an include, a loop or ``set`` name, a macro argument followed back); a missing
    template, a cycle or a chain deeper than ``MAX_TEMPLATE_DEPTH`` ends the walk there.
    ``constants``: the render call's variables given constant text (an ``{% include page %}``
    of such a variable includes that template)."""
    walk = _Walk(load, escapes, constants or {})
    walk.render(_Place(path, text, _Names({}, shared=True)), frozenset(), (), 0, (path,))
    return TemplateReading(path, tuple(walk.firsts.items()), tuple(walk.files))


@dataclass(frozen=True, slots=True)
class _Place:
    """What one step of the walk renders: a file (its top level, or one macro's body), the
    render call's variables as that part sees them, and whether escaping was switched off by
    a Django ``{% autoescape off %}`` around the include that reached it."""

    path: str
    text: str
    names: _Names
    macro: Macro | None = None
    off: bool = False


class _Walk:
    def __init__(self, load: Loader, escapes: Escapes | None, constants: Mapping[str, str]) -> None:
        self.load = load
        self.escapes = escapes
        self.constants = constants
        self.firsts: dict[str, PlacedWrite] = {}
        self.files: list[str] = []
        self.loaded: dict[str, tuple[str, str] | None] = {}
        self.parsed: dict[str, _Parsed] = {}

    def _load(self, name: str) -> tuple[str, str] | None:
        if name not in self.loaded:
            found = self.load(name) if len(self.files) < MAX_TEMPLATE_FILES else None
            self.loaded[name] = found
            if found is not None and found[0] not in self.files:
                self.files.append(found[0])
        return self.loaded[name]

    def _parse(self, path: str, text: str) -> _Parsed:
        if path not in self.parsed:
            self.parsed[path] = _parse(text)
        return self.parsed[path]

    def _off_blocks(self, parsed: _Parsed, depth: int) -> frozenset[str]:
        """Names of the blocks the parents put inside a Django ``{% autoescape off %}``: a child's
        writes in them are not escaped."""
        names: set[str] = set()
        while parsed.extends is not None and depth < MAX_TEMPLATE_DEPTH:
            found = self._load(parsed.extends[0])
            if found is None:
                break
            parsed = self._parse(*found)
            names.update(block.name for block in parsed.blocks if parsed.syntax.django_off_at(block.start))
            depth += 1
        return frozenset(names)

    def render(
        self,
        place: _Place,
        replaced: frozenset[str],
        via: tuple[tuple[str, Span, str], ...],
        depth: int,
        chain: tuple[str, ...],
    ) -> None:
        """Record the writes of ``place`` seen by the render call. ``replaced``: blocks a child
        template overrides without calling ``super``."""
        path, names = place.path, place.names
        if path not in self.files:
            self.files.append(path)
        parsed = self._parse(path, place.text)
        syntax = parsed.syntax
        dead = [block for block in parsed.blocks if block.name in replaced]

        def live(offset: int) -> bool:
            if place.macro is not None:
                return place.macro.start <= offset < place.macro.end
            if syntax.macro_at(offset) is not None or any(block.start <= offset < block.end for block in dead):
                return False
            return parsed.extends is None or any(block.start <= offset < block.end for block in parsed.blocks)

        off_names = (
            self._off_blocks(parsed, depth) if parsed.extends is not None and place.macro is None else frozenset()
        )
        off_blocks = frozenset((b.start, b.end) for b in parsed.blocks if b.name in off_names)
        default_on = not place.off and (self.escapes is None or self.escapes(path, place.text))
        why = "autoescape off around the include" if place.off else "autoescape off in the environment"
        for offset, write in _unescaped_in(parsed.text, syntax, parsed.lines, default_on, place.macro, off_blocks, why):
            shown = syntax.resolve(offset, write.name)
            outer = names.outer(shown) if shown is not None else None
            if outer is not None and live(offset) and outer not in self.firsts:
                self.firsts[outer] = PlacedWrite(write, path, via)
        if depth >= MAX_TEMPLATE_DEPTH:
            return
        for offset, include in parsed.includes:
            if not live(offset):
                continue
            for found in self._included(include, syntax, offset, names):
                if found[0] not in chain:
                    step = (path, include.span, include.text)
                    seen = _Names({**names.renames, **_in_scope(syntax, offset, names)}, names.shared)
                    inner = _Place(
                        found[0], found[1], seen.included(include), off=syntax.django_off_at(offset) or place.off
                    )
                    self.render(inner, frozenset(), (*via, step), depth + 1, (*chain, found[0]))
        for call in syntax.calls:
            if live(call.start):
                self._call(parsed, place, call, via, depth, chain)
        if parsed.extends is not None and place.macro is None:
            found = self._load(parsed.extends[0])
            if found is not None and found[0] not in chain:
                overridden = replaced | {block.name for block in parsed.blocks if not block.calls_super}
                step = (path, parsed.extends[1], parsed.extends[2])
                self.render(_Place(found[0], found[1], names), overridden, (*via, step), depth + 1, (*chain, found[0]))

    def _included(self, include: Include, syntax: Syntax, offset: int, names: _Names) -> list[tuple[str, str]]:
        """The files an include may render: of each choice, the first name found; a variable
        stands for the constant text the render call gives it (not known otherwise: left out)."""
        files: list[tuple[str, str]] = []
        for choice in include.choices:
            for name in choice:
                if name.startswith(VARIABLE):
                    resolved = syntax.resolve(offset, name.removeprefix(VARIABLE))
                    outer = names.outer(resolved) if resolved is not None else None
                    name = self.constants.get(outer, "") if outer is not None else ""
                found = self._load(name) if name else None
                if found is not None:
                    if found not in files:
                        files.append(found)
                    break
        return files

    def _call(
        self,
        parsed: _Parsed,
        place: _Place,
        call: MacroCall,
        via: tuple[tuple[str, Span, str], ...],
        depth: int,
        chain: tuple[str, ...],
    ) -> None:
        """A macro called at ``call``: its body renders the arguments under its parameter names
        (and, for a macro of the same file or imported ``with context``, the caller's variables)."""
        target = self._macro(parsed, place, call)
        if target is None:
            return
        path, text, macro, shared = target
        key = f"{path}#{macro.name}"
        if key in chain:
            return
        syntax = parsed.syntax
        given: dict[str, str | None] = dict(zip(macro.params, call.positional, strict=False))
        given.update((name, outer) for name, outer in call.keywords if name in macro.params)
        renames: dict[str, str | None] = {}
        for param in macro.params:
            argument = given.get(param)
            resolved = syntax.resolve(call.start, argument) if argument is not None else None
            renames[param] = place.names.outer(resolved) if resolved is not None else None
        names = _Names({**place.names.renames, **renames}, place.names.shared) if shared else _Names(renames, False)
        step = (place.path, parsed.lines.span(call.start, call.end), parsed.text[call.start : call.end])
        self.render(_Place(path, text, names, macro), frozenset(), (*via, step), depth + 1, (*chain, key))

    def _macro(self, parsed: _Parsed, place: _Place, call: MacroCall) -> tuple[str, str, Macro, bool] | None:
        """The macro a call names: one of this file, or one imported (file, text, macro, sees the context)."""
        syntax = parsed.syntax
        if call.module is None:
            local = next((macro for macro in syntax.macros if macro.name == call.name), None)
            if local is not None:
                return place.path, place.text, local, True
        for imported in syntax.imports:
            if imported.alias != (call.module if call.module is not None else call.name):
                continue
            if call.module is not None and imported.name is not None:
                continue
            wanted = call.name if imported.name is None else imported.name
            found = self._load(imported.template)
            if found is None:
                return None
            macro = next((m for m in self._parse(*found).syntax.macros if m.name == wanted), None)
            return (found[0], found[1], macro, imported.with_context) if macro is not None else None
        return None


def _in_scope(syntax: Syntax, offset: int, names: _Names) -> dict[str, str | None]:
    """Loop, ``set`` and ``with`` names in scope at ``offset``, as the render call's variables:
    what an ``{% include %}`` there sees under those names."""
    scoped: dict[str, str | None] = {}
    for alias in syntax.aliases:
        if alias.start <= offset < alias.end:
            resolved = syntax.resolve(offset, alias.inner)
            scoped[alias.inner] = names.outer(resolved) if resolved is not None else None
    return scoped


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


def tag_step(path: str, span: Span, text: str) -> FlowStep:
    """A step at the ``{% include %}`` / ``{% extends %}`` tag a template write is reached through."""
    shown = short_text(text)
    if text.startswith("{{") or text.lstrip("{%- ").startswith("call"):
        note = f"`{shown}` calls a macro with the value"
    elif "extends" in text.split("%", 2)[1]:
        note = f"`{shown}`: the blocks are written inside the parent template"
    else:
        note = f"`{shown}` writes the included template with the value"
    return FlowStep(span, note, path, StepKind.PASSED, shown, "")
