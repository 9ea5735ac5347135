"""Templates rendered together: what ``{% include %}``, ``{% extends %}`` and ``{% block %}`` make a
rendered template write unescaped, in which file, and the views found for an included file."""

from __future__ import annotations

from pathlib import Path

from fixture_support import analyze_fixture

from secreview_ls.config import Config
from secreview_ls.engine.taint.templates import MAX_TEMPLATE_DEPTH, read_template, template_references
from secreview_ls.pipeline import ProjectIndex, analyze_template, rendered_as

TEMPLATED = Path(__file__).parent / "fixtures" / "taint" / "xss" / "templated"


def _read(files: dict[str, str], name: str) -> dict[str, tuple[str, int, list[str]]]:
    """Render call variable -> (file writing it, line, files of the tags it was reached through)."""
    reading = read_template(name, files[name], lambda n: (n, files[n]) if n in files else None)
    return {var: (p.path, p.write.span.start_line, [step[0] for step in p.via]) for var, p in reading.writes}


def test_a_jinja_include_shares_the_context_and_the_write_stays_in_the_included_file() -> None:
    files = {"page.html": '<h1>{{ t }}</h1>\n{% include "row.html" %}', "row.html": "\n\n{{ t|safe }}"}
    assert _read(files, "page.html") == {"t": ("row.html", 3, ["page.html"])}


def test_without_context_and_only_pass_nothing_but_the_renames() -> None:
    files = {
        "a.html": '{% include "row.html" without context %}',
        "b.html": '{% include "row.html" with item=entry.body only %}',
        "c.html": '{% include "row.html" with item="fixed" %}',
        "row.html": "{{ item|safe }}{{ entry|safe }}",
    }
    assert _read(files, "a.html") == {}
    assert _read(files, "b.html") == {"entry": ("row.html", 1, ["b.html"])}  # item is entry
    assert _read(files, "c.html") == {"entry": ("row.html", 1, ["c.html"])}  # item is a constant


def test_renames_compose_through_nested_includes() -> None:
    files = {
        "a.html": '{% include "b.html" with x=outer only %}',
        "b.html": '{% include "c.html" with y=x only %}',
        "c.html": "{{ y|safe }}{{ outer|safe }}",
    }
    assert _read(files, "a.html") == {"outer": ("c.html", 1, ["a.html", "b.html"])}


def test_a_child_writes_only_its_blocks_and_replaces_the_parents() -> None:
    files = {
        "base.html": "{{ head|safe }}{% block main %}{{ old|safe }}{% endblock %}{% block side %}{{ side|safe }}{% endblock %}",
        "child.html": '{% extends "base.html" %}{{ outside|safe }}{% block main %}{{ new|safe }}{% endblock %}',
        "keeps.html": '{% extends "base.html" %}{% block main %}{{ super() }}{% endblock %}',
        "django.html": '{% extends "child.html" %}{% block main %}{{ block.super }}{% endblock %}',
    }
    assert set(_read(files, "child.html")) == {"head", "new", "side"}
    assert _read(files, "child.html")["head"] == ("base.html", 1, ["child.html"])
    assert set(_read(files, "keeps.html")) == {"head", "old", "side"}
    assert set(_read(files, "django.html")) == {"head", "new", "side"}  # super is child.html's block
    assert _read(files, "django.html")["head"][2] == ["django.html", "child.html"]


def test_cycles_missing_files_and_deep_chains_end_the_walk() -> None:
    files = {
        "a.html": '{% include "b.html" %}{% include "gone.html" %}',
        "b.html": '{{ x|safe }}{% include "a.html" %}',
    }
    assert _read(files, "a.html") == {"x": ("b.html", 1, ["a.html"])}
    chain = {f"t{i}.html": f'{{% include "t{i + 1}.html" %}}{{{{ v{i}|safe }}}}' for i in range(MAX_TEMPLATE_DEPTH + 5)}
    assert len(_read(chain, "t0.html")) == MAX_TEMPLATE_DEPTH + 1
    assert template_references("{% include \"a.html\" %}{% extends 'b.html' %}{% include name %}") == (
        "a.html",
        "b.html",
    )


def test_a_fixture_flow_ends_in_the_file_that_writes() -> None:
    result = analyze_fixture(TEMPLATED / "layouts.py")
    by_line = {f.span.start_line: f for f in result.findings if f.rule_id == "SR806"}
    comment = by_line[13].flow
    assert [Path(s.path).name if s.path else None for s in comment] == [None, None, "page.html", "comment.html"]
    assert comment[-1].span.start_line == 2
    assert Path(by_line[57].flow[-1].path or "").name == "card_body.html"


def test_an_included_file_shows_the_findings_of_the_views_rendering_its_includers() -> None:
    part = TEMPLATED / "templates" / "partials" / "comment.html"
    project = ProjectIndex([TEMPLATED])
    assert set(rendered_as(part, project)) == {"partials/comment.html", "page.html", "bare.html"}
    result = analyze_template(part.read_text(encoding="utf-8"), str(part), Config(root=TEMPLATED), project=project)
    (found,) = [f for f in result.findings if f.rule_id == "SR806"]
    assert found.span.start_line == 2 and "line 13 of layouts.py" in found.message
    assert rendered_as(part) == ("partials/comment.html",)  # without a project: its own name only


def test_a_template_created_later_is_seen_once_invalidated(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "parts").mkdir(parents=True)
    part = templates / "parts" / "row.html"
    part.write_text("{{ row|safe }}", encoding="utf-8")
    project = ProjectIndex([tmp_path])
    assert rendered_as(part, project) == ("parts/row.html",)
    page = templates / "page.html"
    page.write_text('{% include "parts/row.html" %}', encoding="utf-8")
    assert rendered_as(part, project) == ("parts/row.html",)  # the list of template files is kept
    project.invalidate(page)  # the watcher's event for the new file
    assert rendered_as(part, project) == ("parts/row.html", "page.html")
    page.unlink()
    project.invalidate(page)
    assert rendered_as(part, project) == ("parts/row.html",)
