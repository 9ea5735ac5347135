"""Jinja2 environments (their ``autoescape``) and the template constructs that carry a view's
value to an unescaped write: loops, ``set``/``with`` names, macros (local and imported) and
Django's ``{% autoescape off %}`` around an include."""

from __future__ import annotations

import ast
from pathlib import Path

from fixture_support import analyze_fixture

from secreview_ls.config import Config
from secreview_ls.engine.taint.environments import autoescape_mode, escapes, is_html
from secreview_ls.engine.taint.templates import read_template, template_references
from secreview_ls.pipeline import ProjectIndex, analyze_template

ENVIRONMENTS = Path(__file__).parent / "fixtures" / "taint" / "xss" / "environments"
_SELECTORS = frozenset({"jinja2.select_autoescape"})


def _mode(source: str) -> str:
    call = ast.parse(source, mode="eval").body
    assert isinstance(call, ast.Call)

    def qualname(node: ast.AST) -> str | None:
        return "jinja2.select_autoescape" if isinstance(node, ast.Name) and node.id == "select_autoescape" else None

    return autoescape_mode(call, _SELECTORS, qualname, "off")


def _read(files: dict[str, str], name: str, mode: str | None = None) -> dict[str, tuple[str, str, str, list[str]]]:
    """Render call variable -> (file writing it, the write, why, texts of the tags it went through)."""
    escaping = escapes(mode) if mode else None
    reading = read_template(name, files[name], lambda n: (n, files[n]) if n in files else None, escaping)
    return {var: (p.path, p.write.text, p.write.why, [step[2] for step in p.via]) for var, p in reading.writes}


def test_the_autoescape_argument_decides_the_mode() -> None:
    assert _mode("Environment(loader=loader)") == "off"  # Jinja2's default
    assert _mode("Environment(autoescape=False)") == "off"
    assert _mode("Environment(autoescape=0)") == "off"
    assert _mode("Environment(autoescape=True)") == "on"
    assert _mode("Environment(autoescape=settings.escaping)") == "on"  # not known: no finding
    assert _mode("Environment(**options)") == "on"
    assert _mode("Environment(autoescape=select_autoescape())") == "select:html,htm,xml::0"
    assert _mode("Environment(autoescape=select_autoescape(['html'], default=True))") == "select:html::1"
    assert _mode("Environment(autoescape=select_autoescape(enabled_extensions=extensions))") == "on"


def test_a_mode_escapes_html_templates_by_name_and_text_templates_never_matter() -> None:
    off = escapes("off")
    assert off is not None and not off("a.html", "") and off("mail.txt", "Dear {{ name }}")
    assert escapes("on") is None
    selected = escapes("select:html::0")
    assert selected is not None
    assert selected("page.html", "") and not selected("card.j2", "<p>{{ x }}</p>") and selected("plain.j2", "{{ x }}")
    assert is_html("page.html.j2", "{{ x }}") and not is_html("notes.md", "<b>{{ x }}</b>")


def test_without_autoescape_every_write_of_an_html_template_is_unescaped_but_filtered_ones() -> None:
    files = {
        "p.html": "<p>{{ a }}</p>{{ b|e }}{{ c|int }}{% autoescape true %}{{ d }}{% endautoescape %}{{ e|tojson }}"
    }
    assert _read(files, "p.html", "off") == {"a": ("p.html", "{{ a }}", "autoescape off in the environment", [])}
    assert _read(files, "p.html") == {}  # escaped by default (Flask, Django)
    assert _read({"m.txt": "{{ a }}"}, "m.txt", "off") == {}
    # ``striptags`` turns entities back into characters: ``&lt;script&gt;`` comes out as a tag.
    assert set(_read({"s.html": "{{ bio|striptags }}"}, "s.html", "off")) == {"bio"}


def test_a_django_autoescape_off_reaches_includes_and_child_blocks_a_jinja_one_does_not() -> None:
    files = {
        "dj.html": '{% autoescape off %}{% include "item.html" %}{% endautoescape %}',
        "jinja.html": '{% autoescape false %}{% include "item.html" %}{% endautoescape %}',
        "item.html": "<p>{{ item }}</p>",
        "base.html": "{% autoescape off %}{% block content %}{% endblock %}{% endautoescape %}{% block side %}{% endblock %}",
        "child.html": '{% extends "base.html" %}{% block content %}{{ body }}{% endblock %}{% block side %}{{ side }}{% endblock %}',
    }
    assert _read(files, "dj.html") == {
        "item": ("item.html", "{{ item }}", "autoescape off around the include", ['{% include "item.html" %}'])
    }
    assert _read(files, "jinja.html") == {}
    assert set(_read(files, "child.html")) == {"body"}


def test_loop_set_and_with_names_stand_for_the_render_calls_variables() -> None:
    files = {
        "t.html": (
            "{% for k, row in rows.items() %}{{ row.text|safe }}{% endfor %}{{ row|safe }}"
            "{% set title = heading %}{{ title|safe }}{% set fixed = 'x' %}{{ fixed|safe }}"
            "{% with sub = subtitle %}{{ sub|safe }}{% endwith %}{% with note as n %}{{ n|safe }}{% endwith %}"
            '{% for item in items %}{% include "row.html" %}{% endfor %}'
        ),
        "row.html": "{{ item|safe }}",
    }
    assert {var: where[0] for var, where in _read(files, "t.html").items()} == {
        "rows": "t.html", "row": "t.html", "heading": "t.html", "subtitle": "t.html", "note": "t.html",
        "items": "row.html",
    }  # fmt: skip


def test_macros_write_their_arguments_where_they_are_called() -> None:
    files = {
        "lib.html": "{% macro field(label, value='') %}{{ label|safe }}{{ value }}{{ outer|safe }}{% endmacro %}{{ top|safe }}",
        "a.html": '{% import "lib.html" as lib %}{{ lib.field(x) }}{{ lib.field("k", value=y) }}',
        "b.html": '{% from "lib.html" import field as f with context %}{% call f(label=z) %}{% endcall %}',
        "c.html": "{% macro m(v) %}{{ v|safe }}{{ shared|safe }}{% endmacro %}{{ m(w) }}",
    }
    a = _read(files, "a.html")
    assert a == {"x": ("lib.html", "{{ label|safe }}", "|safe", ["{{ lib.field(x) }}"])}  # imported: no context
    assert set(_read(files, "b.html")) == {"z", "outer"}  # ``with context`` shares the caller's variables
    assert set(_read(files, "c.html")) == {"w", "shared"}
    assert _read(files, "lib.html") == {"top": ("lib.html", "{{ top|safe }}", "|safe", [])}
    assert template_references(files["b.html"]) == ("lib.html",)


def test_an_environment_render_ends_in_the_template_and_an_imported_macro_in_its_library() -> None:
    pages = {f.span.start_line: f for f in analyze_fixture(ENVIRONMENTS / "pages.py").findings if f.rule_id == "SR806"}
    greet = pages[23]
    assert [Path(step.path).name if step.path else None for step in greet.flow] == [None, None, "env_greeting.html"]
    assert greet.flow[-1].span.start_line == 2
    assert "autoescape off in the environment" in greet.flow[-1].note
    forms = {
        f.span.start_line: f for f in analyze_fixture(ENVIRONMENTS / "constructs.py").findings if f.rule_id == "SR806"
    }
    title = forms[39]
    assert [Path(step.path).name if step.path else None for step in title.flow] == [
        None, None, "env_forms.html", "env_macro_lib.html"
    ]  # fmt: skip
    assert "calls a macro" in title.flow[2].note


def test_a_macro_library_shows_the_finding_of_the_view_rendering_its_importer() -> None:
    library = ENVIRONMENTS / "templates" / "env_macro_lib.html"
    root = ENVIRONMENTS.parent
    result = analyze_template(
        library.read_text(encoding="utf-8"), str(library), Config(root=root), project=ProjectIndex([root])
    )
    found = [(f.rule_id, f.span.start_line, f.extra.get("view_line")) for f in result.findings]
    assert ("SR806", 2, 39) in found


def test_a_template_rendered_by_an_environment_shows_the_views_findings() -> None:
    greeting = ENVIRONMENTS / "templates" / "env_greeting.html"
    root = ENVIRONMENTS.parent
    result = analyze_template(
        greeting.read_text(encoding="utf-8"), str(greeting), Config(root=root), project=ProjectIndex([root])
    )
    found = [f for f in result.findings if f.rule_id == "SR806"]
    assert {f.span.start_line for f in found} == {2}  # ``{{ name }}``; ``{{ title|e }}`` is escaped
    views = {Path(f.extra["view"]).name for f in found} | {v for f in found for v in f.extra.get("other_views", ())}
    assert {"pages.py", "aio.py"} <= views


def test_a_template_made_from_constant_text_is_read_from_that_text() -> None:
    found = {f.span.start_line: f for f in analyze_fixture(ENVIRONMENTS / "inline.py").findings if f.rule_id == "SR806"}
    assert sorted(found) == [16, 21]
    last = found[16].flow[-1]
    assert last.path is None and last.span.start_line == 16  # at the render call of this file
    assert "template text" in last.note and "autoescape off in the environment" in last.note
