"""Jinja2 environments and the templates they load, as kinds of values.

``Environment(autoescape=...)`` decides which of a template's writes are escaped: without
``autoescape`` (Jinja2's default) or with a literal false, none; ``select_autoescape([...])``
escapes the templates whose names end with one of its enabled extensions; ``True`` or a value
not known here escapes everything (a finding needs the escaping to be known off). The kind of
an environment carries that mode (``jinja2-env:<mode>``); ``env.get_template("x.html")`` gives a
template kind carrying the mode and the name (``jinja2-template:<mode>:x.html``), and the
``render`` of such a template is checked against the template file like ``render_template``.

A mode is ``off``, ``on`` or ``select:<enabled>:<disabled>:<default>`` (extensions comma
separated, default ``0``/``1``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from pathlib import PurePath

ENVIRONMENT = "jinja2-env:"
TEMPLATE = "jinja2-template:"
LOADING_METHODS = frozenset({"get_template", "select_template", "get_or_select_template"})
RENDERING_METHODS = frozenset({"render", "render_async", "stream", "generate", "generate_async"})
SELECT_DEFAULT = "select:html,htm,xml::0"
# Template files whose writes end up in an HTML page; others (``.txt``, ``.md``) are text.
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xml", ".svg"})
GENERIC_SUFFIXES = frozenset({".j2", ".jinja", ".jinja2", ".tmpl", ".tpl"})
_TAG = re.compile(r"<[A-Za-z!/]")


def autoescape_mode(
    call: ast.Call, select_names: frozenset[str], qualname: Callable[[ast.AST], str | None], absent: str
) -> str:
    """The escaping of an environment made by ``call`` (``absent``: the mode without ``autoescape=``)."""
    value = next((kw.value for kw in call.keywords if kw.arg == "autoescape"), None)
    if value is None:
        return "on" if any(kw.arg is None for kw in call.keywords) else absent
    if isinstance(value, ast.Constant):
        return "off" if not value.value else "on"
    if isinstance(value, ast.Call) and qualname(value.func) in select_names:
        return _selected(value)
    return "on"  # a function or a setting: not known to be off


def _selected(call: ast.Call) -> str:
    """``select_autoescape(enabled_extensions=..., disabled_extensions=..., default=...)``."""
    enabled: tuple[str, ...] | None = ("html", "htm", "xml")
    disabled: tuple[str, ...] | None = ()
    default = False
    for index, node in enumerate(call.args[:2]):
        if index == 0:
            enabled = _strings(node)
        else:
            disabled = _strings(node)
    for kw in call.keywords:
        if kw.arg == "enabled_extensions":
            enabled = _strings(kw.value)
        elif kw.arg == "disabled_extensions":
            disabled = _strings(kw.value)
        elif kw.arg == "default":
            if not isinstance(kw.value, ast.Constant):
                return "on"
            default = bool(kw.value.value)
    if enabled is None or disabled is None:
        return "on"
    return (
        f"select:{','.join(e.lstrip('.') for e in enabled)}:{','.join(d.lstrip('.') for d in disabled)}:{int(default)}"
    )


def _strings(node: ast.AST) -> tuple[str, ...] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts
    ):
        return tuple(item.value for item in node.elts)  # type: ignore[attr-defined]
    return None


def environment_kind(mode: str) -> str:
    return ENVIRONMENT + mode


def template_kind(environment: str, name: object) -> str:
    """The kind of ``env.get_template(name)`` (an empty name: not known here)."""
    return TEMPLATE + environment.removeprefix(ENVIRONMENT) + ":" + (name if isinstance(name, str) else "")


INLINE = "\x02"  # between the mode and the text of a template made from constant text
MAX_INLINE_CHARS = 20_000


def inline_kind(mode: str, text: object) -> str | None:
    """The kind of a template made from constant ``text`` (``env.from_string("…")``,
    ``jinja2.Template("…")``); None when the text is not a known string."""
    if not isinstance(text, str) or len(text) > MAX_INLINE_CHARS:
        return None
    return TEMPLATE + mode + INLINE + text


def loaded_template(kind: str) -> tuple[str, str, str | None] | None:
    """(mode, template name, None) of a template kind, or (mode, "", text) of one made from
    constant text; None for other kinds or an unknown name."""
    if not kind.startswith(TEMPLATE):
        return None
    rest = kind.removeprefix(TEMPLATE)
    if INLINE in rest:
        mode, _, text = rest.partition(INLINE)
        return mode, "", text
    mode, _, name = rest.rpartition(":")
    return (mode, name, None) if name and mode else None


def escapes(mode: str) -> Callable[[str, str], bool] | None:
    """Whether an environment of ``mode`` escapes a template file (its path and text); None: always."""
    if mode == "on":
        return None
    if mode == "off":
        return lambda path, text: not is_html(path, text)
    _, enabled, disabled, default = mode.split(":")
    on = tuple("." + e.lower() for e in enabled.split(",") if e)
    off = tuple("." + d.lower() for d in disabled.split(",") if d)

    def selected(path: str, text: str) -> bool:
        lowered = path.lower()
        if lowered.endswith(on):
            return True
        if lowered.endswith(off) or default == "0":
            return not is_html(path, text)
        return True

    return selected


def is_html(path: str, text: str) -> bool:
    """Whether a template file writes HTML: by its suffix, or a generic template suffix
    (``.j2``) on a name or a text that shows HTML."""
    pure = PurePath(path)
    suffix = pure.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return True
    if suffix in GENERIC_SUFFIXES or not suffix:  # a generic name, or template text of the code
        return PurePath(pure.stem).suffix.lower() in HTML_SUFFIXES or bool(_TAG.search(text[:20_000]))
    return False


def class_environment(
    attribute: ast.AST, ancestors: Iterable[ast.AST], made: Callable[[ast.AST], str | None]
) -> str | None:
    """The kind of ``self.<attr>`` when the enclosing class sets that attribute to an environment
    (``self.env = Environment(...)`` in a method, or ``env = Environment(...)`` in the class
    body); ``made(value)`` gives the kind an assigned value makes (None: not an environment)."""
    if not (
        isinstance(attribute, ast.Attribute)
        and isinstance(attribute.value, ast.Name)
        and attribute.value.id in ("self", "cls")
    ):
        return None
    cls = next((node for node in ancestors if isinstance(node, ast.ClassDef)), None)
    if cls is None:
        return None
    kinds: set[str | None] = set()
    for node in ast.walk(cls):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            own = isinstance(target, ast.Name) and target.id == attribute.attr and node in cls.body
            through_self = (
                isinstance(target, ast.Attribute)
                and target.attr == attribute.attr
                and isinstance(target.value, ast.Name)
                and target.value.id in ("self", "cls")
            )
            if own or through_self:
                kinds.add(made(node.value))
    return kinds.pop() if len(kinds) == 1 else None  # one environment, always the same
