"""``Entries.plain``: the relevance pass skips working out the framework entry of a function it
can tell is none; it must never say so of a function whose entry has a framework, a tainted
parameter or a request object."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint.analysis import ModuleTaint
from secreview_ls.engine.taint.definitions import is_static
from secreview_ls.rules.taint_tables import spec_for

FIXTURES = Path(__file__).parent / "fixtures"

ENTRIES = {
    "flask route": """
        from flask import Flask
        app = Flask(__name__)
        @app.route("/u/<name>")
        def show(name):
            return name
    """,
    "django view": """
        from django.http import HttpResponse
        def detail(request, slug):
            return HttpResponse(slug)
    """,
    "request annotation": """
        from fastapi import Request
        def handler(data: int, req: "Request"):
            return data
        def other(item: Request):
            return item
        def optional(item: Request | None = None):
            return item
    """,
    "wsgi application": """
        def application(environ, start_response):
            start_response("200 OK", [])
            return [environ["QUERY_STRING"].encode()]
    """,
    "add_url_rule": """
        from flask import Flask
        app = Flask(__name__)
        def listing(page):
            return str(page)
        app.add_url_rule("/list/<page>", view_func=listing)
    """,
    "fastapi dependency": """
        from fastapi import Depends, FastAPI
        app = FastAPI()
        def token(q: str):
            return q
        @app.get("/items")
        def items(t: str = Depends(token)):
            return t
    """,
    "handler method": """
        import tornado.web
        class Page(tornado.web.RequestHandler):
            def get(self, slug):
                self.write(slug)
    """,
}


def _functions(text: str) -> list[tuple[bool, bool]]:
    """(plain, has an entry) of each function of the module."""
    facts = ModuleFacts(SourceFile(textwrap.dedent(text), "module.py"))
    taint = ModuleTaint(facts, spec_for(None))
    found = []
    for fn in facts.functions:
        cls = taint.index.owner_class.get(fn)
        is_method = cls is not None and not is_static(fn)
        entry = taint.entries.entry(fn, is_method)
        found.append((taint.entries.plain(fn, is_method), bool(entry.framework or entry.tainted or entry.objects)))
    return found


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_an_entry_point_is_never_plain(name: str) -> None:
    found = _functions(ENTRIES[name])
    assert any(entry for _, entry in found), name  # the case does make an entry
    assert not any(plain and entry for plain, entry in found)


def test_plain_functions_of_the_taint_fixtures_have_no_entry() -> None:
    checked = 0
    for path in sorted((FIXTURES / "taint").rglob("*.py")):
        found = _functions(path.read_text(encoding="utf-8"))
        assert not any(plain and entry for plain, entry in found), path
        checked += sum(1 for plain, _ in found if plain)
    assert checked > 0


def test_helpers_without_framework_traits_are_plain() -> None:
    found = _functions(
        """
        import os
        def helper(path: str, count: int = 2, *, flag: bool = False) -> str:
            return os.path.join(path, str(count))
        class Store:
            def fetch(self, key: "str") -> str:
                return key
            def keep(self, key: list[dict[str, object]]) -> None:
                self.key = key
        """
    )
    assert found == [(True, False), (False, False), (True, False)]  # a string annotation is parsed: not told
