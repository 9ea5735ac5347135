"""Where a rendered template comes from when it is not written at the call: constant text in a
class attribute or in another module, an environment made in another module (a Jinja2
``Environment`` or an aiohttp-jinja2 setup), and ``{% include %}`` names given by an expression."""

from __future__ import annotations

from pathlib import Path

from fixture_support import analyze_fixture, flow_steps

from secreview_ls.config import Config
from secreview_ls.engine.taint.templates import read_template, template_references
from secreview_ls.pipeline import ProjectIndex, analyze_source, analyze_template, rendered_as

XSS = Path(__file__).parent / "fixtures" / "taint" / "xss"
LAYERED = XSS / "layered"
AIOAPP = XSS / "aioapp"


def _findings(path: Path) -> dict[int, object]:
    return {f.span.start_line: f for f in analyze_fixture(path).findings if f.rule_id == "SR806"}


def _read(files: dict[str, str], name: str, constants: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Render call variable -> files of the tags it was reached through, then the file writing it."""
    reading = read_template(name, files[name], lambda n: (n, files[n]) if n in files else None, None, constants)
    return {var: [*(step[0] for step in p.via), p.path] for var, p in reading.writes}


def _returns(path: Path, *functions: str) -> set[int]:
    """The lines of the ``return`` statements of the named view functions."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: set[int] = set()
    for function in functions:
        start = lines.index(f"def {function}():")
        found.add(next(n for n in range(start, len(lines)) if lines[n].lstrip().startswith("return ")) + 1)
    return found


def test_an_environment_made_in_another_module_keeps_its_escaping() -> None:
    views = LAYERED / "views.py"
    found = _findings(views)
    made = _returns(views, "profile", "profile_default", "profile_module", "profile_alias", "profile_card")
    assert made <= set(found)
    (first,) = _returns(views, "profile")
    steps = flow_steps(found[first], files=True)  # type: ignore[arg-type]
    assert steps[-1][2] == "ly_profile.html" and steps[-1][0] == 3
    escaped = _returns(
        views, "profile_escaping", "profile_selected", "profile_escaped", "profile_title", "profile_mail"
    )
    assert not escaped & set(found)


def test_an_environment_made_by_a_factory_or_kept_in_a_class_attribute_keeps_its_escaping() -> None:
    views = LAYERED / "views.py"
    found = set(_findings(views))
    assert _returns(views, "factory", "factory_module", "renderer") <= found
    assert not _returns(views, "factory_escaping", "factory_module_escaping", "renderer_escaping") & found


def test_template_text_of_another_module_or_a_class_attribute_is_read_like_a_literal() -> None:
    path = LAYERED / "views.py"
    views = _findings(path)
    assert _returns(path, "banner", "banner_template", "banner_module", "badge") <= set(views)
    (inline,) = _returns(path, "banner_template")
    last = views[inline].flow[-1]  # type: ignore[attr-defined]
    assert last.path is None and last.span.start_line == inline and "template text" in last.note
    quiet = _returns(
        path, "banner_escaping", "banner_escaped", "notice", "badge_escaping", "tooltip", "banner_shadowed"
    )
    assert not quiet & set(views)
    widgets = _findings(LAYERED / "widgets.py")
    assert sorted(widgets) == [17, 21, 91, 108]
    assert "Badge().render()" in widgets[17].message  # type: ignore[attr-defined]


def test_a_text_assigned_twice_or_changed_is_not_a_constant() -> None:
    source = (
        "from flask import Flask, request\nfrom jinja2 import Template\napp = Flask(__name__)\n"
        "class Page:\n    TEXT = '<p>{{ x }}</p>'\n    def __init__(self, other):\n        self.TEXT += other\n"
        "@app.route('/')\ndef page():\n    return Template(Page.TEXT).render(x=request.args['x'])\n"
    )
    result = analyze_source(source, "page.py", Config(root=Path("."), select=("SR806",)))
    assert not result.findings
    constant = source.replace("        self.TEXT += other\n", "        self.other = other\n")
    assert [
        f.span.start_line
        for f in analyze_source(constant, "page.py", Config(root=Path("."), select=("SR806",))).findings
    ] == [10]


def test_an_include_follows_each_name_its_expression_may_give() -> None:
    files = {
        "cond.html": '{% include "rich.html" if rich else "plain.html" %}',
        "list.html": '{% include ["custom.html", "rich.html"] ignore missing %}',
        "first.html": '{% include ["plain.html", "rich.html"] %}',
        "var.html": "{% include part with context %}",
        "built.html": '{% include "rich" ~ ".html" %}',
        "dj.html": "{% include widget with value=item only %}",
        "row.html": "{{ value|safe }}",
        "rich.html": "{{ item|safe }}",
        "plain.html": "{{ item }}",
    }
    assert _read(files, "cond.html") == {"item": ["cond.html", "rich.html"]}
    assert _read(files, "list.html") == {"item": ["list.html", "rich.html"]}
    assert _read(files, "first.html") == {}  # the first template found is the one included
    assert _read(files, "var.html") == {}  # a name known only at run time: not followed
    assert _read(files, "var.html", {"part": "rich.html"}) == {"item": ["var.html", "rich.html"]}
    assert _read(files, "var.html", {"part": "plain.html"}) == {}
    assert _read(files, "built.html", {"item": "x"}) == {}
    assert _read(files, "dj.html", {"widget": "row.html"}) == {"item": ["dj.html", "row.html"]}


def test_the_names_an_include_may_choose_among_are_references() -> None:
    text = '{% include "a.html" if x else ["b.html", "c.html"] %}{% include part %}{% include "d.html" with y=z only %}'
    assert template_references(text) == ("a.html", "b.html", "c.html", "d.html")
    nested = "{% include " + "(" * 300 + '"a.html"' + ")" * 300 + " %}{% include x.y %}{% include 'a' ~ b %}"
    assert template_references(nested) == ()


def test_a_view_gives_an_include_its_template_name() -> None:
    found = _findings(LAYERED / "includes.py")
    assert sorted(found) == [14, 24, 34, 40, 55, 74]
    names = [step[2] for step in flow_steps(found[34], files=True)]  # type: ignore[arg-type]
    assert names[-2:] == ["ly_list_var.html", "ly_item_rich.html"]


def test_an_included_template_shows_views_rendering_an_expression_that_names_it() -> None:
    rich = LAYERED / "templates" / "ly_item_rich.html"
    project = ProjectIndex([XSS])
    assert {"ly_list_cond.html", "ly_list_choice.html", "ly_list_fallback.html"} <= set(rendered_as(rich, project))
    result = analyze_template(rich.read_text(encoding="utf-8"), str(rich), Config(root=XSS), project=project)
    assert any(f.rule_id == "SR806" and "includes.py" in f.message for f in result.findings)


def test_an_aiohttp_setup_in_another_module_decides_the_escaping_nearest_first() -> None:
    assert sorted(_findings(AIOAPP / "handlers.py")) == [12, 29]
    assert not _findings(AIOAPP / "admin" / "pages.py")  # its own folder's setup escapes


def test_a_setup_found_later_is_seen_once_invalidated(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text("<p>{{ text }}</p>", encoding="utf-8")
    view = tmp_path / "views.py"
    view.write_text(
        "import aiohttp_jinja2\nfrom aiohttp import web\nroutes = web.RouteTableDef()\n@routes.get('/')\n"
        "async def show(request):\n"
        "    return aiohttp_jinja2.render_template('t.html', request, {'text': request.query['t']})\n",
        encoding="utf-8",
    )
    project = ProjectIndex([tmp_path])
    config = Config(root=tmp_path, select=("SR806",))

    def lines() -> list[int]:
        text = view.read_text(encoding="utf-8")
        return [f.span.start_line for f in analyze_source(text, str(view), config, project=project).findings]

    assert lines() == []
    setup = tmp_path / "main.py"
    setup.write_text("import aiohttp_jinja2\naiohttp_jinja2.setup(app, autoescape=False)\n", encoding="utf-8")
    project.invalidate(setup)
    assert lines() == [6]
    other = tmp_path / "other.py"
    other.write_text("from aiohttp_jinja2 import setup\nsetup(app2)\n", encoding="utf-8")
    project.invalidate(other)
    assert lines() == []  # two applications set up differently: not known which one renders


def test_a_value_of_a_file_let_go_of_is_asked_of_it_again(tmp_path: Path) -> None:
    (tmp_path / "templating.py").write_text(
        "import jinja2\nimport sqlite3\n\nenv = jinja2.Environment()\nPAGE = '<p>{{ x }}</p>'\n\n"
        "def run(q):\n    sqlite3.connect('x').execute(q)\n",
        encoding="utf-8",
    )
    (tmp_path / "other.py").write_text("import sqlite3\n\ndef run(q):\n    sqlite3.connect('x').execute(q)\n")
    first = tmp_path / "first.py"
    first.write_text(
        "from flask import request\nfrom templating import run\nfrom other import run as other_run\n\n"
        "run(request.args['q'])\nother_run(request.args['q'])\n",
        encoding="utf-8",
    )
    view = tmp_path / "view.py"
    view.write_text(
        "from flask import request\nfrom jinja2 import Template\nfrom templating import PAGE, env\n\n"
        "def page():\n    return env.from_string(PAGE).render(x=request.args['x'])\n\n"
        "def other():\n    return Template(PAGE).render(x=request.args['x'])\n",
        encoding="utf-8",
    )
    project = ProjectIndex([tmp_path], whole_files=1)
    config = Config(root=tmp_path, select=("SR8",))
    assert len(analyze_source(first.read_text(), str(first), config, project=project).findings) == 2
    found = analyze_source(view.read_text(), str(view), config, project=project).findings
    assert [(f.rule_id, f.span.start_line) for f in found] == [("SR806", 6), ("SR806", 9)]
