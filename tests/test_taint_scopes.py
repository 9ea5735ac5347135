"""A file analyzed once tells which functions give a value back from the module's index; the
answer must be the one each function's own scope facts give."""

from __future__ import annotations

from pathlib import Path

import pytest

from secreview_ls.engine.facts import ModuleFacts
from secreview_ls.engine.source import SourceFile
from secreview_ls.engine.taint.analysis import ModuleTaint
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


# Calls of this module's functions in the shapes the by-name lookup must tell apart.
CALLS = """
class Store:
    def load(self):
        return self.save().load()
    def save(self):
        return Store.load(self) or cls.save() or other.load() or load()(save())
def load():
    return [load() for _ in save()] + Store().load()
save = load
print(load, save(), Store.save(Store()), (lambda: load())())
"""


def _defined_callers(text: str, path: str) -> list[tuple[str, object]]:
    """The callers of the module's functions, and the names it calls, are the same looked up by
    name (the facts of a whole module) as found by a pass over every call (a module's parts)."""
    facts = ModuleFacts(SourceFile(text, path), "app")
    index = ModuleIndex(facts, None)
    spec = spec_for(None)
    defined = {*index.module_functions, *index.classes, *(fn.name for fn in index.owner_class)}  # type: ignore[attr-defined]
    by_name = ScopeTable(facts, spec, index, kept=None)
    scopes = by_name.all_scopes()
    found = by_name.calls_to_defined(scopes, defined)
    direct = by_name.direct_calls()
    indexed = facts._calls_by_bare_name
    facts._calls_by_bare_name = None  # as the facts of parts have it: every call looked at
    every = ScopeTable(facts, spec, index, kept=None)
    assert found == every.calls_to_defined(scopes, defined), path
    assert direct == every.direct_calls(), path
    # Asked name by name (the relevance pass), the same scopes in the same order as grouped from
    # the pass over every call; a name the module does not define has no callers here.
    facts._calls_by_bare_name = indexed
    grouped: dict[str, list[object]] = {}
    for name, owner in found:
        grouped.setdefault(name, []).append(owner)
    callers = ScopeTable(facts, spec, index, kept=None).callers_by_name(scopes, defined)
    for name in [*defined, "not_defined_here"]:
        assert callers(name) == grouped.get(name, []), (path, name)
    return found  # type: ignore[return-value]


def test_callers_of_defined_functions_by_name() -> None:
    names = [name for name, _ in _defined_callers(CALLS, "calls.py")]
    assert names == [
        *("save",),  # self.save() (not the .load() of what it gives back)
        *("load", "save", "load", "save"),  # Store.load, cls.save, load(), save() (not other.load)
        *("load", "save", "Store"),  # not the .load() of Store()
        *("save", "save", "Store", "load"),  # save(), Store.save, Store(), the lambda's load()
    ]


@pytest.mark.parametrize("path", FIXTURES[::5], ids=lambda p: p.name)
def test_callers_of_defined_functions_by_name_on_fixtures(path: Path) -> None:
    _defined_callers(path.read_text(encoding="utf-8"), str(path))


# Calls and stores in the places a scope's walk and the grouping by enclosing function might
# place differently: decorators and defaults, class bodies, lambdas, a call of a call's result,
# module code between functions.
SINK_SHAPES = """
setup(first())
@route(path())
def view(arg=default()):
    def inner(x=nested_default()):
        return run(x)
    class Local:
        attribute = build()
        def method(self):
            self.headers["k"] = value()
        target[key] = computed()
    helper = lambda: call_in_lambda()
    return make()(then())
class Module:
    values[0] = fill()
    def method(self, y=method_default()):
        obj.attr = y
        return os.system(y)
last()
"""


def _same_sink_facts(text: str, path: str) -> None:
    facts = ModuleFacts(SourceFile(text, path), "app")
    index = ModuleIndex(facts, None)
    spec = spec_for(None)
    grouped = ScopeTable(facts, spec, index, kept=None)
    walked = ScopeTable(facts, spec, index, kept=None)
    for scope in grouped.all_scopes():
        where = (path, getattr(scope, "name", "<module>"), getattr(scope, "lineno", 0))
        assert grouped.calls_of(scope) == walked.of(scope).calls, where
        assert grouped.stores_in(scope) == walked.of(scope).stores, where


def test_calls_and_stores_by_scope_match_each_scope_walk() -> None:
    _same_sink_facts(SINK_SHAPES, "shapes.py")


@pytest.mark.parametrize("path", FIXTURES[::3], ids=lambda p: p.name)
def test_calls_and_stores_by_scope_on_fixtures(path: Path) -> None:
    _same_sink_facts(path.read_text(encoding="utf-8"), str(path))


VIEWS = """
from flask import Flask, request
import subprocess

app = Flask(__name__)


def read_host():
    return request.args["host"]


@app.route("/ping")
def ping():
    subprocess.run("ping " + read_host(), shell=True)
    return "ok"


@app.route("/echo")
def echo():
    value = request.args["v"]
    subprocess.run("echo " + value, shell=True)
    return "ok"
"""


def _analysis(text: str) -> tuple[ModuleTaint, list[tuple[str, int]]]:
    facts = ModuleFacts(SourceFile(text, "views.py"))
    taint = ModuleTaint(facts, spec_for(None))
    return taint, [(hit.cls, hit.node.lineno) for hit in taint.run()]  # type: ignore[attr-defined]


def test_relevance_asks_whether_a_function_gives_back_only_where_something_calls_it() -> None:
    # ``read_host`` is marked (it reads the request) and called: its caller ``ping`` is marked
    # through it, which needs the module's gives-back pass.
    taint, hits = _analysis(VIEWS)
    assert hits == [("command", 14), ("command", 21)]
    assert taint.scopes._giving is not None
    # Without the helper, the marked functions are views nothing calls by name: the module-wide
    # pass is not made, and the hits are those of the views alone.
    alone = VIEWS.replace('"ping " + read_host()', '"ping " + request.args["host"]')
    taint, hits = _analysis(alone)
    assert hits == [("command", 14), ("command", 21)]
    assert taint.scopes._giving is None
