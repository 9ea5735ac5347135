"""Which variables a Jinja2 or Django template writes without escaping: ``{{ name|safe }}``,
or any ``{{ name }}`` inside ``{% autoescape false %}`` (Jinja2) / ``{% autoescape off %}``
(Django). Plain text in, names out: the project index finds the template file, the sink checker
asks which of the view's context variables such a template leaves unescaped."""

from __future__ import annotations

import re

_SAFE = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)[^}]*?\|\s*safe\b")
_BLOCK = re.compile(
    r"\{%-?\s*autoescape\s+(?:false|off)\s*-?%\}(.*?)\{%-?\s*endautoescape\s*-?%\}", re.DOTALL | re.IGNORECASE
)
_VARIABLE = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)")
MAX_TEMPLATE_CHARS = 500_000


def unescaped_names(text: str) -> frozenset[str]:
    """Top-level variable names the template writes without escaping."""
    text = text[:MAX_TEMPLATE_CHARS]
    names = set(_SAFE.findall(text))
    for block in _BLOCK.findall(text):
        names.update(_VARIABLE.findall(block))
    return frozenset(names)
