"""A file analyzed once tells which functions give a value back from the module's index; the
answer must be the one each function's own scope facts give."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint.definitions import ModuleIndex
from secreview_ls.engine.taint.scopes import ScopeTable
from secreview_ls.rules.taint_tables import spec_for

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))

# Values given back, or not, from places the index and a scope's walk might see differently:
# nested functions and classes, lambdas, decorators and defaults, comprehension targets.
NESTED = """
def outer():
    def inner():
        return 1
    class Holder:
        def method(self):
            self.x = 1
        holder.value = 2
    return None

def stores_in_a_class_body():
    class Holder:
        target.attribute = 1

def yields_in_a_lambda():
    return_nothing = lambda: (yield)

@decorate(lambda: (yield))
def decorated():
    pass

def default(arg=lambda: (yield)):
    pass

def comprehension(items):
    [None for item.field in items]

def bare_yield():
    yield

def returns_none_constant():
    return None

def returns_value():
    if x:
        return
    return x

async def awaits():
    await other()

def deletes(obj):
    del obj.field
"""


def _check(text: str, path: str) -> None:
    facts = ModuleFacts(SourceFile(text, path), "app")
    index = ModuleIndex(facts, None)
    spec = spec_for(None)
    fast = ScopeTable(facts, spec, index, kept=None)
    walked = ScopeTable(facts, spec, index, kept=None)
    for fn in facts.functions:
        assert fast.gives_back(fn) == walked.of(fn).gives, (path, fn.name, fn.lineno)


def test_gives_back_from_the_index_matches_each_scope_walk() -> None:
    _check(NESTED, "nested.py")


@pytest.mark.parametrize("path", FIXTURES[::7], ids=lambda p: p.name)
def test_gives_back_on_fixtures(path: Path) -> None:
    _check(path.read_text(encoding="utf-8"), str(path))
