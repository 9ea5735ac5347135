"""The HTML a Markdown renderer makes from a text (``spec.markdown_renderers``).

Markdown renderers copy the HTML written in their source into their output, and the source's
links (``[x](javascript:...)``) into ``href`` attributes, unless they are told to escape: the
result carries the source's data, not an opaque value computed from it. Each renderer is known
with the keyword that switches its escaping and whether it escapes without that keyword
(``mistune.markdown`` does; ``mistune.html``, ``markdown.markdown`` and ``markdown2.markdown``
do not; Python-Markdown has had no such keyword since 3.0 and ignores the old ``safe_mode``). A
keyword given a constant decides; one given anything else, another renderer than HTML
(``renderer=``), or an extension that is not one of Python-Markdown's own (one may clean
the output) leaves the call as any other library call.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .spec import TaintSpec

# Python-Markdown's own extensions add syntax; none of them removes or escapes HTML.
_OWN_EXTENSIONS = "markdown.extensions."
_OWN_SHORT_NAMES = frozenset(
    {"abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code", "footnotes",
     "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty", "tables", "toc",
     "wikilinks"}
)  # fmt: skip


def unescaped_markdown(
    spec: TaintSpec, name: str | None, node: ast.Call, qualname: Callable[[ast.AST], str | None]
) -> bool | None:
    """True when ``node`` is a Markdown renderer writing its source's HTML through, False when it
    escapes it, None when the call is no renderer known here or its escaping is not known."""
    known = spec.markdown_renderers.get(name) if name is not None else None
    if known is None:
        return None
    switch, escapes = known
    for keyword in node.keywords:
        if keyword.arg is None:
            return None  # ``**options`` may hold the switch
        if keyword.arg == switch:
            if not isinstance(keyword.value, ast.Constant):
                return None
            escapes = bool(keyword.value.value)
        elif keyword.arg == "renderer" and not _constant(keyword.value, "html"):
            return None
        elif keyword.arg == "extensions" and not _own_extensions(keyword.value, qualname):
            return None
    return not escapes


def _constant(node: ast.expr, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _own_extensions(node: ast.expr, qualname: Callable[[ast.AST], str | None]) -> bool:
    """A literal list or tuple of Python-Markdown's own extensions, by name or instantiated."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return False
    for item in node.elts:
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            if item.value.startswith(_OWN_EXTENSIONS) or item.value in _OWN_SHORT_NAMES:
                continue
            return False
        if isinstance(item, ast.Call) and (qualname(item.func) or "").startswith(_OWN_EXTENSIONS):
            continue
        return False
    return True
