"""What the project index reads of every Python file of a project (and of every template): the
template-like names a file's string literals write, the template folders it declares, the log
formatters it defines and installs, its template environment setup calls. Each answer is a
small value worked out from the text alone; ``ProjectIndex`` keeps them by file stamp."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .log_output import FORMATTER_MARKERS, formatter_facts
from .template_folders import FOLDER_MARKERS, declared_folders
from .templates import template_references

_NAMED = re.compile(r"""["']([\w./-]{1,200}\.(?:html?|jinja2?|j2|djhtml))["']""")


def template_reference_names(text: str) -> frozenset[str]:
    return frozenset(template_references(text))


#: What every name ``_NAMED`` matches contains (its suffix with the dot): a text holding none of
#: them is not searched.
NAMED_MARKS = (".htm", ".jinja", ".j2", ".djhtml")


def python_names(text: str) -> tuple[frozenset[str], frozenset[str]]:
    named = frozenset(_NAMED.findall(text)) if any(mark in text for mark in NAMED_MARKS) else frozenset()
    return named, declared_folders(text)


#: What the questions about every Python file of the project (template folders, names in string
#: literals, log formatters) read of each file, with the words a text must hold to give more than
#: an empty text does: from the read made for one of them, the others are known for the files
#: holding none of their words (the others are read again if asked: their answer may cost a parse).
WIDE_KINDS: tuple[tuple[str, Callable[[str], Any], tuple[str, ...]], ...] = (
    ("python", python_names, NAMED_MARKS + FOLDER_MARKERS),
    ("log-formatters", formatter_facts, FORMATTER_MARKERS),
)


def setups_in(text: str, path: Path, marker: str, extract: Callable[[str, str], tuple[str, ...]]) -> tuple[str, ...]:
    return extract(text, str(path)) if marker in text else ()
