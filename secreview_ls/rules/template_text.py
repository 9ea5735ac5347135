"""Whether a module renders only plain text with Jinja2 (release notes, man pages, e-mail
text, configuration files): HTML autoescaping matters only for HTML output.

Every template the module loads must be known: a constant template string (``from_string``,
``Template(...)``) with no HTML tag in it, or a template file whose literal name has a text
extension. A template of unknown text or name, or none at all, gives no answer.
"""

from __future__ import annotations

import ast
import re

from .base import RuleContext
from .judge import static_string

_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_TEXT_EXTENSIONS = frozenset(
    {".txt", ".text", ".rst", ".md", ".markdown", ".ini", ".cfg", ".conf", ".toml", ".yaml", ".yml", ".json",
     ".py", ".sh", ".ps1", ".sql", ".csv", ".tex", ".man", ".1", ".5", ".8", ".spec", ".service", ".eml"}
)  # fmt: skip
_STRING_LOADERS = frozenset({"from_string"})
_FILE_LOADERS = frozenset({"get_template", "select_template", "get_or_select_template"})


def renders_only_text(ctx: RuleContext) -> bool:
    """Every template the module loads is plain text (see the module docstring)."""
    seen = False
    for call in ctx.facts.nodes(ast.Call):
        assert isinstance(call, ast.Call)
        func = call.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        if method in _STRING_LOADERS or (ctx.facts.qualname(func) or "") in ("jinja2.Template", "jinja2.environment.Template"):
            text = static_string(ctx, call.args[0]) if call.args else None
            if text is None or _HTML_TAG.search(text):
                return False
            seen = True
        elif method in _FILE_LOADERS:
            name = static_string(ctx, call.args[0]) if call.args else None
            if name is None or not any(name.lower().endswith(ext) for ext in _TEXT_EXTENSIONS):
                return False
            seen = True
    return seen
