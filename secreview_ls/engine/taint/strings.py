"""Strings built after a constant prefix: data written after a fixed ``scheme://host/`` cannot
choose the host, after a fixed ``/path`` it cannot leave the site, after any fixed text
(``--output=``) it never starts a program argument, after a leading ``?`` or ``#`` (a query string
or fragment) it chooses neither host nor path. Which classes that makes a value harmless
for is the spec's (``AFTER_FIXED_HOST``, ``AFTER_FIXED_PATH``, ``AFTER_FIXED_TEXT``)."""

from __future__ import annotations

import ast
import re
import string

from .spec import AFTER_BASE_SEPARATOR, AFTER_FIXED_HOST, AFTER_FIXED_PATH, AFTER_FIXED_TEXT, TaintSpec
from .values import EMPTY, EMPTY_TAINT, Taint, Val, as_text, bound, get_part, relabel, whole


def literal_prefix(node: ast.expr) -> str:
    """The constant text a string expression starts with (``"https://x/" + a`` → ``https://x/``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_prefix(node.left)
    return ""


PATH_STEP = re.compile(r"/[^/\\]")


def lone_separator(text: str) -> bool:
    """Constant text after a leading value ending in one ``/`` (``f"{base_url}/{name}"``): what
    follows is in the base's path, unless the base is empty (not ``://`` or ``:/``)."""
    return text.endswith("/") and not text.endswith(("//", ":/")) and not PATH_STEP.search(text)


def separator_inside(node: ast.expr | None) -> bool:
    """``base + "/" + x`` / ``f"{base}/{x}"``: a leading value, then a lone separator."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and lone_separator(str(part.value)) for part in node.values[1:])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        right = node.right
        return isinstance(right, ast.Constant) and isinstance(right.value, str) and lone_separator(right.value)
    return False


def fixed_path_inside(node: ast.expr | None) -> bool:
    """The string's text holds a fixed ``/name`` after a leading value (``f"{root}/app/{x}"``,
    ``root + "/app/" + x``): what comes after it is in the path. The leading value's own data, if
    any, is judged by its own labels."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and PATH_STEP.search(str(part.value)) for part in node.values[1:])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        right = node.right
        if isinstance(right, ast.Constant) and isinstance(right.value, str) and PATH_STEP.search(right.value):
            return True
        return fixed_path_inside(node.left) or (isinstance(right, ast.JoinedStr) and fixed_path_inside(right))
    return False


def query_text(node: ast.expr | None) -> bool:
    """``"?" + qs`` / ``f"?{qs}"`` / ``"&" + pair``: text written as (part of) a URL's query string."""
    return literal_prefix(node).startswith(("?", "&", "#")) if node is not None else False


# Calls assembling a URL from its components, by the index of the query among them (the fragment
# follows it): ``urlunparse`` takes (scheme, netloc, path, params, query, fragment).
URL_ASSEMBLERS = {"urllib.parse.urlunparse": 4, "urllib.parse.urlunsplit": 3}


class FixedPrefixes:
    """Cleans the labels of data written after a constant prefix."""

    def __init__(self, spec: TaintSpec) -> None:
        self.after_host = spec.cleaned_by(AFTER_FIXED_HOST)
        self.after_path = spec.cleaned_by(AFTER_FIXED_PATH)
        self.after_text = spec.cleaned_by(AFTER_FIXED_TEXT)
        self.after_separator = spec.cleaned_by(AFTER_BASE_SEPARATOR)

    def path_part(self, text: str) -> frozenset[str]:
        """The classes constant ``text`` written after a leading value cleans what follows for."""
        if PATH_STEP.search(text):
            return self.after_path
        return self.after_separator if lone_separator(text) else frozenset()

    def after(self, prefix: str, taint: Taint) -> Taint:
        """The labels of data written after ``prefix``."""
        if not taint:
            return taint
        fixed: frozenset[str] = frozenset()
        head = prefix.split("%", 1)[0].split("{", 1)[0]
        if "://" in head:
            rest = head.split("://", 1)[1]
            if any(c in rest for c in "/?#"):
                fixed = self.after_host
        elif head.startswith("/") and len(head) > 1 and head[1] not in "/\\":
            fixed = self.after_path
        elif head.startswith(("?", "#")):  # a query string or fragment: scheme, host and path stay the base's
            fixed = self.after_host | self.after_path
        if head.strip("-"):  # ``--output=`` + value: the value never starts an argument
            fixed = fixed | self.after_text
        if not fixed:
            return taint
        return relabel(taint, lambda lab: lab.cleaned_for(fixed))

    def in_query(self, taint: Taint, before: Taint) -> Taint:
        """The labels of data written after the ``?`` or ``#`` of a URL whose part ``before``
        it carries no outside data live for a class: a query string or fragment cannot change
        the scheme, host or path the URL leads to."""
        if not taint:
            return taint
        fixed = frozenset(c for c in self.after_host | self.after_path if all(lab.is_clean_for(c) for lab in before))
        return relabel(taint, lambda lab: lab.cleaned_for(fixed)) if fixed else taint

    def assembled(self, parts: Val, query_at: int) -> Val:
        """``urlunparse((scheme, netloc, path, params, query, fragment))``: data among the query and
        fragment only fills the URL's query string or fragment, which choose neither the scheme,
        the host nor the path the parts before them write."""
        before = EMPTY_TAINT
        for index in range(query_at):
            before = before | whole(get_part(parts, str(index)))
        after = whole(get_part(parts, "*"))
        for index in range(query_at, query_at + 2):
            after = after | whole(get_part(parts, str(index)))
        taint = before | self.in_query(after, before)
        return Val(bound(as_text(taint))) if taint else EMPTY

    def added(self, taint: Taint, op: ast.operator, prefix: ast.expr | None = None) -> Taint:
        """The labels of a value added (``prefix + value``, ``text += value``) to a string."""
        if isinstance(op, ast.Add) and prefix is not None:
            text = literal_prefix(prefix)
            if text:
                taint = self.after(text, taint)
            elif fixed_path_inside(prefix):
                taint = self.after_fixed_path(taint)
            elif separator_inside(prefix):
                taint = self.after_fixed_path(taint, self.after_separator)
        return taint

    def after_fixed_path(self, taint: Taint, fixed: frozenset[str] | None = None) -> Taint:
        """The labels of data written after a fixed ``/name`` inside a URL (after its host), or
        cleaned for the classes ``fixed`` names."""
        fixed = self.after_path if fixed is None else fixed
        return relabel(taint, lambda lab: lab.cleaned_for(fixed)) if taint and fixed else taint


def literal_text(node: ast.expr) -> str:
    """The constant text of a string expression, values left out (``"a = '" + v + "' AND b = "``
    → ``a = '' AND b = ``): enough to tell whether a quote is open after it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(part.value) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_text(node.left) + literal_text(node.right)
    return ""


def quote_open(text: str) -> bool:
    """Whether a quoted literal is open at the end of ``text`` (an odd number of quotes)."""
    return text.count("'") % 2 == 1 or text.count('"') % 2 == 1


_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


def before_conversions(template: str) -> list[str]:
    """The text before each ``%`` conversion of a format (``%%`` is text)."""
    found: list[str] = []
    for match in _CONVERSION.finditer(template):
        if match.group().endswith("%"):
            continue
        found.append(template[: match.start()])
    return found


def mapping_keys(template: str) -> set[str] | None:
    """The keys a ``%`` format reads from a mapping (``"%(name)s"``); None when a conversion
    takes no key (the mapping itself is then formatted whole) or none reads one."""
    keys: set[str] = set()
    for match in _CONVERSION.finditer(template):
        text = match.group()
        if text.endswith("%") and text == "%%":
            continue
        if not text.startswith("%(") or text.endswith("*"):
            return None
        keys.add(text[2 : text.index(")")])
    return keys or None


def format_fields(template: str) -> frozenset[str] | None:
    """The arguments a ``str.format`` template reads (``"0"``, ``"1"`` ... or a name); None when
    it does not parse or a format spec holds a field of its own (``"{0:{1}}"``)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    found: set[str] = set()
    auto = 0
    for _, field, spec, _ in parsed:
        if field is None:
            continue
        if spec and "{" in spec:
            return None
        key = field.split(".", 1)[0].split("[", 1)[0]
        if key == "":
            key, auto = str(auto), auto + 1
        found.add(key)
    return frozenset(found)


def quoted_fields(template: str) -> dict[str, bool] | None:
    """For each field of a ``str.format`` template (``"0"``, ``"1"`` ... or a name), whether a
    quote is open where it is written; None when the template does not parse."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    found: dict[str, bool] = {}
    text = ""
    auto = 0
    for literal, field, _, _ in parsed:
        text += literal
        if field is None:
            continue
        key = field.split(".", 1)[0].split("[", 1)[0]
        if key == "":
            key, auto = str(auto), auto + 1
        found[key] = found.get(key, False) or quote_open(text)
    return found


def formatted_entries(template: str, mapping: Val) -> Val:
    """The entries ``template % mapping`` writes when every conversion names a key of a mapping
    whose keys are all known (``"%(h)s" % {"h": h, "x": x}`` writes ``h`` only); else ``mapping``."""
    keys = mapping_keys(template)
    if keys is None or not mapping.parts or mapping.taint or any(not key.startswith("'") for key, _ in mapping.parts):
        return mapping
    written = [get_part(mapping, repr(key)) for key in sorted(keys)]
    return Val(bound(frozenset().union(*(whole(value) for value in written))))
