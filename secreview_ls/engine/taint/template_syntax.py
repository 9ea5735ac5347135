"""The parts of a Jinja2 or Django template text that decide what it writes unescaped, found
without a template engine: every ``{{ … }}`` with its top-level variable and filters, the
``{% autoescape %}`` regions, the names a template gives to other values (``{% for %}``,
``{% set %}``, ``{% with %}``) and its macros (``{% macro %}``, ``{% import %}``, ``{% from … import %}``)
with the places they are called.

Offsets are into the template's text; ``templates.py`` turns them into writes of the render
call's variables. Plain regular expressions: a construct these do not recognise (a name built at
run time, a nested bracket in a macro argument) is left out rather than guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEMPLATE_CHARS = 500_000

_EXPRESSION = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
_TOP = re.compile(r"\s*([A-Za-z_]\w*)")
_SAFE = re.compile(r"\|\s*safe\b")
# Filters whose output is escaped or cannot carry markup (numbers, lengths, JSON for a script).
_ESCAPING = re.compile(
    r"\|\s*(?:e|escape|forceescape|urlencode|tojson|int|float|length|count|wordcount|filesizeformat|abs|round"
    r"|escapejs|json_script|slugify)\b"
)
# The filters among those that rebuild a marked-safe value's text (``escape`` leaves it alone).
_CONVERTING = re.compile(
    r"\|\s*(?:forceescape|urlencode|tojson|int|float|length|count|wordcount|filesizeformat|abs|round"
    r"|escapejs|json_script|slugify)\b"
)
# A variable (with attribute, item or call parts) and its filters, nothing joined to it.
_PLAIN_CHAIN = re.compile(r"""\s*[A-Za-z_][\w.]*(?:\[[^\[\]]*\])*(?:\s*\|\s*\w+(?:\([^()]*\))?)*\s*""")
_REGION = re.compile(
    r"\{%-?\s*autoescape\s+(true|false|on|off)\s*-?%\}(.*?)\{%-?\s*endautoescape\s*-?%\}", re.DOTALL | re.IGNORECASE
)
_FOR = re.compile(r"\{%-?\s*for\s+([\w\s,()]+?)\s+in\s+(.*?)-?%\}", re.DOTALL)
_ENDFOR = re.compile(r"\{%-?\s*endfor\s*-?%\}")
_SET = re.compile(r"\{%-?\s*set\s+([A-Za-z_]\w*)\s*=\s*(.*?)-?%\}", re.DOTALL)
_WITH = re.compile(r"\{%-?\s*with\s+(.*?)-?%\}", re.DOTALL)
_ENDWITH = re.compile(r"\{%-?\s*endwith\s*-?%\}")
_WITH_ITEM = re.compile(r"([A-Za-z_]\w*)\s*=\s*(\S+)|(\S+)\s+as\s+([A-Za-z_]\w*)")
_MACRO = re.compile(r"\{%-?\s*macro\s+([A-Za-z_]\w*)\s*\((.*?)\)\s*-?%\}(.*?)\{%-?\s*endmacro\s*-?%\}", re.DOTALL)
# ``{% call(user) list_users(users) %}``: the body's parameters hold what the macro hands back
_CALL_BLOCK = re.compile(r"\{%-?\s*call\s*\(([^)]*)\)\s*(.*?)-?%\}", re.DOTALL)
_ANY_CALL = re.compile(r"\{%-?\s*call\b")
_ENDCALL = re.compile(r"\{%-?\s*endcall\s*-?%\}")
# ``{{ caller() }}`` writes the call block's body, whose own writes are read where it is written
_MACRO_LOCALS = frozenset({"caller", "varargs", "kwargs"})
_CALL_TAG = re.compile(r"\{%-?\s*call(?:\([^)]*\))?\s+(.*?)-?%\}", re.DOTALL)
_CALLEE = re.compile(r"(?<![\w.])(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)\s*\(")
_IMPORT = re.compile(r"""\{%-?\s*import\s+(?:"([^"\\]+)"|'([^'\\]+)')\s+as\s+([A-Za-z_]\w*)(.*?)-?%\}""", re.DOTALL)
_FROM = re.compile(r"""\{%-?\s*from\s+(?:"([^"\\]+)"|'([^'\\]+)')\s+import\s+(.*?)-?%\}""", re.DOTALL)
_CONSTANTS = frozenset({"True", "False", "None", "true", "false", "none"})


@dataclass(frozen=True, slots=True)
class Expression:
    """A ``{{ … }}`` writing a variable: its top-level name, and what its filters do."""

    start: int
    end: int
    name: str
    safe: bool  # ``|safe``: written as it is whatever the escaping
    escaped: bool  # a filter escapes it or makes it harmless (``|e``, ``|int``, ``|tojson``)


@dataclass(frozen=True, slots=True)
class EscapeRegion:
    """``{% autoescape … %}`` … ``{% endautoescape %}``: escaping on or off inside; Django's
    ``on``/``off`` also reach the templates included there and the blocks a child fills there."""

    start: int
    end: int
    on: bool
    django: bool


@dataclass(frozen=True, slots=True)
class Alias:
    """Inside ``start``..``end`` the name ``inner`` holds (part of) the value of ``outer`` (None:
    a constant)."""

    start: int
    end: int
    inner: str
    outer: str | None


@dataclass(frozen=True, slots=True)
class Macro:
    name: str
    params: tuple[str, ...]
    start: int  # the body
    end: int


@dataclass(frozen=True, slots=True)
class MacroCall:
    """``m(a, b=c)`` / ``forms.m(...)``: ``module`` is the import alias (None: this file or a
    ``from … import``); each argument's top-level variable (None: a constant), by position or keyword."""

    start: int
    end: int
    module: str | None
    name: str
    positional: tuple[str | None, ...]
    keywords: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class Imported:
    """``{% import "f" as alias %}`` (``name`` None) or ``{% from "f" import name as alias %}``."""

    template: str
    alias: str
    name: str | None
    with_context: bool


@dataclass(frozen=True, slots=True)
class Syntax:
    expressions: tuple[Expression, ...]
    regions: tuple[EscapeRegion, ...]
    aliases: tuple[Alias, ...]
    macros: tuple[Macro, ...]
    calls: tuple[MacroCall, ...]
    imports: tuple[Imported, ...]

    def escaped_at(self, offset: int, default: bool) -> tuple[bool, bool]:
        """Whether a write at ``offset`` is escaped, and whether an ``{% autoescape %}`` block decides it."""
        inside = [region for region in self.regions if region.start <= offset < region.end]
        if not inside:
            return default, False
        return max(inside, key=lambda region: region.start).on, True

    def django_off_at(self, offset: int) -> bool:
        """Inside a Django ``{% autoescape off %}`` (which reaches includes and child blocks)."""
        inside = [region for region in self.regions if region.start <= offset < region.end]
        return bool(inside) and (innermost := max(inside, key=lambda r: r.start)).django and not innermost.on

    def resolve(self, offset: int, name: str) -> str | None:
        """The variable a name at ``offset`` stands for (through loop, ``set`` and ``with``
        names); None when it stands for a constant."""
        seen: set[str] = set()
        current: str | None = name
        while current is not None and current not in seen:
            seen.add(current)
            binding = [alias for alias in self.aliases if alias.inner == current and alias.start <= offset < alias.end]
            if not binding:
                return current
            alias = max(binding, key=lambda a: a.start)
            current, offset = alias.outer, alias.start
        return current

    def macro_at(self, offset: int) -> Macro | None:
        return next((macro for macro in self.macros if macro.start <= offset < macro.end), None)


# Text a template writes as it is, never as tags: Jinja2's ``{% raw %}`` and Django's
# ``{% verbatim %}`` blocks, and comments (``{# … #}``, Django's ``{% comment %}``).
_LITERAL = re.compile(
    r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}"
    r"|\{%-?\s*verbatim(?:\s+\w+)?\s*-?%\}.*?\{%-?\s*endverbatim(?:\s+\w+)?\s*-?%\}"
    r"|\{%-?\s*comment\b.*?%\}.*?\{%-?\s*endcomment\s*-?%\}"
    r"|\{#.*?#\}",
    re.DOTALL,
)


def without_literals(text: str) -> str:
    """``text`` with raw, verbatim and comment blocks blanked (line breaks and offsets kept)."""
    if "raw" not in text and "verbatim" not in text and "comment" not in text and "{#" not in text:
        return text
    return _LITERAL.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), text)


def parse(text: str) -> Syntax:
    text = without_literals(text[:MAX_TEMPLATE_CHARS])
    expressions = tuple(_expression(match) for match in _EXPRESSION.finditer(text))
    regions = tuple(
        EscapeRegion(
            match.start(2),
            match.end(2),
            match.group(1).lower() in ("true", "on"),
            match.group(1).lower() in ("on", "off"),
        )
        for match in _REGION.finditer(text)
    )
    macros = tuple(
        Macro(match.group(1), _params(match.group(2)), match.start(3), match.end(3)) for match in _MACRO.finditer(text)
    )
    return Syntax(
        tuple(e for e in expressions if e.name and e.name not in _MACRO_LOCALS),
        regions,
        _aliases(text),
        macros,
        _calls(text),
        _imports(text),
    )


def _expression(match: re.Match[str]) -> Expression:
    inner = match.group(1)
    top = _TOP.match(inner)
    name = top.group(1) if top is not None and top.group(1) not in _CONSTANTS else ""
    if top is not None and inner[top.end() :].lstrip().startswith("("):
        # ``{{ field(**kwargs)|safe }}`` writes what calling the value returns (a form field
        # renders its own escaped widget), not the value: text from a request cannot be called.
        name = ""
    return Expression(match.start(), match.end(), name, _marked_safe(inner), bool(_ESCAPING.search(inner)))


def _marked_safe(inner: str) -> bool:
    """``|safe`` writes the text as it is, unless the chain escaped or converted it first:
    ``{{ data|tojson|safe }}`` writes the JSON filter's escaped text (``<``, ``>``, ``&``, ``'``
    as escapes), ``{{ name|e|safe }}`` the escaped name. Only a plain chain (a variable and its
    filters, no ``~`` or ``+`` joining other text) counts; an ``|e`` after ``|safe`` leaves the
    marked text alone, a conversion after it (``|tojson``, ``|int``) rebuilds it."""
    found = _SAFE.search(inner)
    if found is None:
        return False
    before, after = inner[: found.start()], inner[found.end() :]
    if _PLAIN_CHAIN.fullmatch(before) and _ESCAPING.search(before):
        return False
    return not (_PLAIN_CHAIN.fullmatch(before + after) and _CONVERTING.search(after))


def _top(expression: str) -> str | None:
    """The top-level variable of an expression (None: a literal or a constant)."""
    match = _TOP.match(expression)
    if match is None or match.group(1) in _CONSTANTS:
        return None
    return match.group(1)


def _closing(text: str, start: int, opener: re.Pattern[str], closer: re.Pattern[str]) -> int:
    """The offset of the closing tag matching the construct opened before ``start`` (nesting
    counted); the end of the text when it is missing."""
    depth = 0
    at = start
    while True:
        opened = opener.search(text, at)
        closed = closer.search(text, at)
        if closed is None:
            return len(text)
        if opened is not None and opened.start() < closed.start():
            depth += 1
            at = opened.end()
            continue
        if depth == 0:
            return closed.start()
        depth -= 1
        at = closed.end()


def _aliases(text: str) -> tuple[Alias, ...]:
    found: list[Alias] = []
    for match in _FOR.finditer(text):
        end = _closing(text, match.end(), _FOR, _ENDFOR)
        outer = _top(match.group(2))
        for inner in re.findall(r"[A-Za-z_]\w*", match.group(1)):
            found.append(Alias(match.end(), end, inner, outer))
    for match in _SET.finditer(text):
        found.append(Alias(match.end(), len(text), match.group(1), _top(match.group(2))))
    for match in _CALL_BLOCK.finditer(text):
        # a parameter of the call block holds what the macro passes back: taken as (part of) the
        # first variable the macro was given (``call(user) list_users(users)``: an element of ``users``)
        end = _closing(text, match.end(), _ANY_CALL, _ENDCALL)
        callee = _CALLEE.search(match.group(2))
        given = _arguments(match.group(2), callee.end()) if callee is not None else None
        variables = [_top(part) for part in _split(given[0]) if part[:1] not in "\"'0123456789"] if given else []
        outer = next((v for v in variables if v is not None), None)
        for inner in _params(match.group(1)):
            found.append(Alias(match.end(), end, inner, outer))
    for match in _WITH.finditer(text):
        end = _closing(text, match.end(), _WITH, _ENDWITH)
        for item in _WITH_ITEM.finditer(match.group(1)):
            if item.group(1):
                found.append(Alias(match.end(), end, item.group(1), _top(item.group(2))))
            else:
                found.append(Alias(match.end(), end, item.group(4), _top(item.group(3))))
    return tuple(found)


def _params(text: str) -> tuple[str, ...]:
    return tuple(match.group(1) for part in _split(text) if (match := _TOP.match(part)) is not None)


def _split(text: str) -> list[str]:
    """Top-level comma-separated parts (commas inside brackets and quotes kept)."""
    parts: list[str] = []
    depth, quote, current = 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0 and not quote:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _arguments(text: str, start: int) -> tuple[str, int] | None:
    """The text between the parenthesis opened before ``start`` and the one closing it."""
    depth = 0
    for at in range(start, min(len(text), start + 2_000)):
        char = text[at]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return text[start:at], at + 1
            depth -= 1
    return None


def _calls(text: str) -> tuple[MacroCall, ...]:
    found: list[MacroCall] = []
    places = [(m.start(1), m.end(1), m.start(), m.end()) for m in _EXPRESSION.finditer(text)]
    places += [(m.start(1), m.end(1), m.start(), m.end()) for m in _CALL_TAG.finditer(text)]
    for start, end, tag_start, tag_end in places:
        for callee in _CALLEE.finditer(text, start, end):
            arguments = _arguments(text, callee.end())
            if arguments is None:
                continue
            positional: list[str | None] = []
            keywords: list[tuple[str, str | None]] = []
            for part in _split(arguments[0]):
                keyword = re.match(r"([A-Za-z_]\w*)\s*=(?!=)\s*(.*)$", part, re.DOTALL)
                if keyword is not None:
                    keywords.append((keyword.group(1), _top(keyword.group(2))))
                else:
                    positional.append(_top(part) if part[:1] not in "\"'0123456789" else None)
            found.append(
                MacroCall(tag_start, tag_end, callee.group(1), callee.group(2), tuple(positional), tuple(keywords))
            )
    return tuple(found)


def _imports(text: str) -> tuple[Imported, ...]:
    found: list[Imported] = []
    for match in _IMPORT.finditer(text):
        found.append(Imported(match.group(1) or match.group(2), match.group(3), None, "with context" in match.group(4)))
    for match in _FROM.finditer(text):
        names = match.group(3)
        with_context = "with context" in names
        names = re.sub(r"\b(?:with|without)\s+context\b", "", names)
        for part in _split(names):
            pieces = part.split()
            if len(pieces) == 3 and pieces[1] == "as":
                found.append(Imported(match.group(1) or match.group(2), pieces[2], pieces[0], with_context))
            elif len(pieces) == 1:
                found.append(Imported(match.group(1) or match.group(2), pieces[0], pieces[0], with_context))
    return tuple(found)


def imported_templates(text: str) -> tuple[str, ...]:
    """The templates ``text`` imports macros from."""
    return tuple(imported.template for imported in _imports(without_literals(text[:MAX_TEMPLATE_CHARS])))
