"""Template files seen from their own side: the request values views feed into a Jinja2 or
Django template that writes them without escaping.

The render call in the view is where such a finding belongs (one finding, its path ending in
the template); an editor showing the template wants the same finding on the ``{{ … }}`` that
writes the value. ``analyze_template`` finds the project's views that name the template,
analyzes them, and turns each finding whose path ends in this template into a finding of the
template: located at that write, its path running through the view's file first.

A template file is one with a template suffix (``TEMPLATE_SUFFIXES``) under a folder named
``templates`` or under one of the project's template folders (``template-dirs``, or declared in
its code: ``ProjectIndex.template_folders``): its name is its path below that folder
(``people/bio.html``), the name views pass to ``render_template`` / ``render``."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path

from ..config import Config
from ..engine.finding import Finding
from ..engine.taint import ProjectIndex
from ..engine.taint.templates import MAX_TEMPLATE_DEPTH
from ..rules import registry
from ..rules.base import Rule
from ..rules.taint_tables import TAINT_CLASSES
from .batch import analyze_source, analyze_text_file
from .result import AnalysisResult
from .selection import selected_rules

TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".jinja", ".jinja2", ".j2", ".djhtml"})
TEMPLATE_FOLDER = "templates"
MAX_VIEWS = 50  # views analyzed for one template


def template_names(path: str | os.PathLike[str], folders: Iterable[Path] = ()) -> tuple[str, ...]:
    """The names a view may render the file under: its path below the nearest ``templates``
    folder first, then below the farther ones and below each of ``folders`` (configured or
    declared template folders) that holds it; empty when it is not a template file."""
    file = Path(path)
    if file.suffix.lower() not in TEMPLATE_SUFFIXES:
        return ()
    parts = file.parts
    names = ["/".join(parts[at + 1 :]) for at in range(len(parts) - 2, -1, -1) if parts[at] == TEMPLATE_FOLDER]
    if folders:
        resolved = Path(_resolved(file))
        for folder in folders:
            try:
                names.append(resolved.relative_to(folder).as_posix())
            except ValueError:
                continue
    return tuple(dict.fromkeys(names))


def is_template_path(path: str | os.PathLike[str], folders: Iterable[Path] = ()) -> bool:
    """Whether ``path`` is a template file (a template suffix under a ``templates`` folder or
    one of ``folders``)."""
    return bool(template_names(path, folders))


def names_any(text: str, names: Iterable[str]) -> bool:
    """Whether a view's text names one of the template names in a string literal."""
    return any(f'"{name}"' in text or f"'{name}'" in text for name in names)


def rendered_as(path: str | os.PathLike[str], project: ProjectIndex | None = None) -> tuple[str, ...]:
    """The names a view may render to write the template at ``path``: its own, and (with a
    project index) those of the project's templates that include or extend it, at any depth up
    to ``MAX_TEMPLATE_DEPTH``."""
    folders = project.template_folders() if project is not None else ()
    own = template_names(path, folders)
    if project is None or not own:
        return own
    references = {
        file: refs
        for file, refs in project.template_references(TEMPLATE_SUFFIXES, lambda f: is_template_path(f, folders)).items()
        if refs
    }
    names = dict.fromkeys(own)
    frontier = set(own)
    for _ in range(MAX_TEMPLATE_DEPTH):
        found = {name for file, refs in references.items() if refs & frontier for name in template_names(file, folders)}
        frontier = found - names.keys()
        if not frontier:
            break
        names.update(dict.fromkeys(sorted(frontier)))
    return tuple(names)


def analyze_template(
    text: str, path: str, config: Config | None = None, *, project: ProjectIndex | None = None
) -> AnalysisResult:
    """The text rules' findings of a template file, and the findings of the views rendering it
    that end at one of its unescaped writes, located there. Without a project index no view is
    found."""
    config = config or Config()
    raw: list[tuple[Rule, Finding]] = []
    if project is not None:
        raw = _from_views(path, config, project)
    return analyze_text_file(text, path, config, more=raw)


def _resolved(path: str | os.PathLike[str]) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return os.fspath(path)


def _from_views(path: str, config: Config, project: ProjectIndex) -> list[tuple[Rule, Finding]]:
    names = rendered_as(path, project)
    if not names:
        return []
    here = _resolved(path)
    raw: list[tuple[Rule, Finding]] = []
    for view in project.files_naming(names)[:MAX_VIEWS]:
        view_text = project.text_of(view)
        if view_text is None:
            continue
        rules = [rule for rule in selected_rules(config, view) if rule.taint]  # only these reach a template
        if not rules:
            return []
        result = analyze_source(view_text, str(view), config, rules=rules, project=project)
        for found in result.findings:
            last = found.flow[-1] if found.flow else None
            if last is None or last.path is None or _resolved(last.path) != here:
                continue
            rule = registry.get(found.rule_id)
            if rule is not None:
                raw.append((rule, _seen_from_template(found, str(view), path)))
    return _one_per_write(raw)


def _one_per_write(raw: list[tuple[Rule, Finding]]) -> list[tuple[Rule, Finding]]:
    """One finding per rule and write: the first view's, naming the other views that feed it."""
    by_write: dict[tuple[str, object], list[tuple[Rule, Finding]]] = {}
    for rule, found in raw:
        by_write.setdefault((found.rule_id, found.span), []).append((rule, found))
    merged: list[tuple[Rule, Finding]] = []
    for group in by_write.values():
        rule, first = group[0]
        others = sorted({Path(f.extra["view"]).name for _, f in group[1:]} - {Path(first.extra["view"]).name})
        if others:
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            title = _TITLES.get(first.extra.get("taint_class", ""), "")
            head = first.message.removesuffix(f": {title}") if title else first.message
            noun = "view" if len(others) == 1 else "views"
            message = f"{head} (and by {len(others)} other {noun}: {shown})" + (f": {title}" if title else "")
            first = dataclasses.replace(first, message=message, extra={**first.extra, "other_views": others})
        merged.append((rule, first))
    return merged


_TITLES = {row.id: row.title for row in TAINT_CLASSES}


def _seen_from_template(found: Finding, view: str, path: str) -> Finding:
    """A view's finding moved to the template write its path ends at."""
    last = found.flow[-1]
    steps = tuple(dataclasses.replace(step, path=step.path or view) for step in found.flow[:-1])
    steps += (dataclasses.replace(last, path=None),)
    first = steps[0] if len(steps) > 1 else last
    source = found.extra.get("source", "request data")
    title = _TITLES.get(found.extra.get("taint_class", ""), "")
    message = (
        f"{source} (line {first.span.start_line} of {Path(first.path or view).name}) is written here without "
        f"escaping, rendered by line {found.span.start_line} of {Path(view).name}"
    )
    return Finding(
        rule_id=found.rule_id,
        message=f"{message}: {title}" if title else message,
        span=last.span,
        severity=found.severity,
        confidence=found.confidence,
        cwe=found.cwe,
        path=path,
        flow=steps,
        snippet=last.name,
        extra={**found.extra, "view": view, "view_line": found.span.start_line},
    )
