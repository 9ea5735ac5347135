"""Django's escaping APIs judged by what they do: a scan of Django itself takes
``format_html`` and ``mark_safe`` by the catalogue's model of them, not by their code; local
assignments that reach a ``mark_safe`` are followed through branches."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import analyze_source
from secreview_ls.rules.base import RuleContext
from secreview_ls.rules.reaching import reaching_values

HTML_MODULE = """\
from django.utils.safestring import mark_safe

def conditional_escape(text):
    return text.replace("<", "&lt;")

def format_html(format_string, *args, **kwargs):
    args_safe = map(conditional_escape, args)
    kwargs_safe = {k: conditional_escape(v) for (k, v) in kwargs.items()}
    return mark_safe(format_string.format(*args_safe, **kwargs_safe))
"""

VIEW = """\
from django.http import HttpResponse
from django.utils.html import format_html

def added(request):
    names = {"name": request.POST["name"]}
    return HttpResponse(format_html("<b>{name}</b>", **names))

def chosen(request):
    return HttpResponse(format_html(request.POST["fmt"], 1))
"""


def _project(tmp_path: Path) -> Path:
    for folder in ("django", "django/utils", "django/http", "django/utils/safestring"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "django/utils/safestring/__init__.py").write_text("def mark_safe(s):\n    return s\n")
    (tmp_path / "django/http/__init__.py").write_text(
        "class HttpResponse:\n    def __init__(self, content):\n        self.content = content\n"
    )
    (tmp_path / "django/utils/html.py").write_text(HTML_MODULE)
    view = tmp_path / "views.py"
    view.write_text(VIEW)
    return view


def test_modelled_escaper_of_the_project_is_taken_by_its_model(tmp_path: Path) -> None:
    view = _project(tmp_path)
    result = analyze_source(
        view.read_text(), str(view), Config(root=tmp_path, select=("SR8",)), project=ProjectIndex([tmp_path])
    )
    # The escaped keyword argument is not followed into format_html's own mark_safe; the
    # format string chosen by the request still is XSS.
    assert [(f.rule_id, f.span.start_line) for f in result.findings] == [("SR806", 9)]


def _uses(source: str, name: str) -> tuple[RuleContext, list[ast.Name]]:
    text = textwrap.dedent(source)
    source = SourceFile(text, "m.py")
    ctx = RuleContext(source=source, facts=ModuleFacts(source))
    uses = [
        n for n in ast.walk(ctx.facts.tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
    ]
    return ctx, sorted(uses, key=lambda n: (n.lineno, n.col_offset))


def _texts(values: list[ast.expr] | None) -> list[str] | None:
    return None if values is None else sorted(ast.unparse(v) for v in values)


def test_reaching_values_follow_branches_and_stop_at_what_they_cannot_follow() -> None:
    ctx, uses = _uses(
        """
        def f(a, flag):
            x = "one"
            if flag:
                x = "two"
            use(x)
            try:
                y = int(a)
            except ValueError:
                return None
            use(y)
            for z in a:
                z = "loop"
            use(z)
            use(a)
            w = "before"
            w += "more"
            use(w)
        """,
        "x",
    )
    assert _texts(reaching_values(ctx, uses[-1])) == ["'one'", "'two'"]
    ctx, uses = _uses(ctx.source.text, "y")
    assert _texts(reaching_values(ctx, uses[-1])) == ["int(a)"]
    for name in ("z", "a", "w"):
        ctx, uses = _uses(ctx.source.text, name)
        assert reaching_values(ctx, uses[-1]) is None, name


def test_reaching_values_take_one_branch_when_asked() -> None:
    ctx, uses = _uses(
        """
        def f(value, autoescape):
            value = value.strip()
            if autoescape:
                value = escape(value)
            use(value)
        """,
        "value",
    )
    use = uses[-1]
    assert _texts(reaching_values(ctx, use)) == ["escape(value)", "value.strip()"]
    assert _texts(reaching_values(ctx, use, lambda test: "body")) == ["escape(value)"]


def test_reaching_values_know_names_bound_by_a_block_header() -> None:
    ctx, uses = _uses(
        """
        def f(path):
            x = "fixed"
            with open(path) as x:
                use(x)
            try:
                pass
            except OSError as x:
                use(x)
            if (x := path):
                use(x)
            y = [x for x in path]
            use(x)
        """,
        "x",
    )
    assert [_texts(reaching_values(ctx, use)) for use in uses] == [None, None, None, None, None]


def test_reaching_values_give_up_on_bindings_in_headers_before_the_use() -> None:
    for header in ("if (x := path):\n        pass", "with open(path) as x:\n        pass"):
        ctx, uses = _uses(f"def f(path):\n    x = 'fixed'\n    {header}\n    use(x)\n", "x")
        assert reaching_values(ctx, uses[-1]) is None, header
