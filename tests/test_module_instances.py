"""Methods called on a module-level instance of a class of another file."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import analyze_source

STORE = """\
from .models import Books


class Library:
    def __init__(self, app=None):
        self.app = app

    def get_book(self, book_id):
        return self.session.query(Books).filter_by(id=book_id).first()

    def echo(self, value):
        return value
"""

VIEW = """\
import os

from flask import request, send_file

from lib import books, {other}


def cover():
    book = books.get_book(request.args["id"])
    return send_file(os.path.join("/srv", book.path))


def echoed():
    return send_file(os.path.join("/srv", books.echo(request.args["name"])))


def other():
    return send_file(os.path.join("/srv", {other}.get_book(request.args["id"]).path))
"""


def lines(root: Path, init: str, other: str = "shelf") -> list[int]:
    package = root / "lib"
    package.mkdir()
    (package / "store.py").write_text(STORE)
    (package / "__init__.py").write_text(init)
    view = root / "view.py"
    view.write_text(VIEW.format(other=other))
    result = analyze_source(view.read_text(), str(view), Config(select=("SR8",)), project=ProjectIndex([root]))
    return sorted(f.span.start_line for f in result.findings)


def test_a_package_instance_method_is_resolved_with_self_bound(tmp_path: Path) -> None:
    # The record is stored data; the value passed through unchanged still reaches the sink.
    init = "from . import store\n\nbooks = store.Library(None)\nshelf = store.Library()\n"
    assert lines(tmp_path, init) == [14]


def test_an_instance_of_a_class_imported_by_name_is_resolved(tmp_path: Path) -> None:
    init = "from .store import Library\n\nbooks = Library()\nshelf = Library()\n"
    assert lines(tmp_path, init) == [14]


def test_a_name_bound_twice_or_to_a_function_result_is_not_resolved(tmp_path: Path) -> None:
    init = "from . import store\n\nbooks = store.Library()\nbooks = store.Library()\nshelf = store.make_library()\n"
    # Unresolved: each result carries its arguments, as any unknown call's does.
    assert lines(tmp_path, init) == [10, 14, 18]


TABLE = """\
import os


class ThingsTable:
    def run_named(self, name, payload):
        os.system("echo " + name)

    def run_payload(self, name, payload):
        os.system("echo " + payload)


Things = ThingsTable()
"""

ROUTES = """\
from flask import request

from lib.table import Things, ThingsTable


def name_given():
    Things.run_named(request.args["name"], "x")


def payload_given():
    Things.run_named("fixed", request.args["payload"])


def payload_to_payload():
    Things.run_payload("fixed", request.args["payload"])


def name_to_payload():
    Things.run_payload(request.args["name"], "x")


def through_the_class():
    ThingsTable.run_named(None, request.args["name"], "x")


def through_the_class_fixed():
    ThingsTable.run_named(None, "fixed", request.args["payload"])
"""


def test_an_instance_spelled_like_a_class_binds_self(tmp_path: Path) -> None:
    # ``Things = ThingsTable()``: ``Things.run_named(a, b)`` passes ``a`` as ``name`` (``self`` is
    # the instance), while ``ThingsTable.run_named(obj, a, b)`` passes ``self`` itself.
    package = tmp_path / "lib"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "table.py").write_text(TABLE)
    view = tmp_path / "routes.py"
    view.write_text(ROUTES)
    result = analyze_source(view.read_text(), str(view), Config(select=("SR802",)), project=ProjectIndex([tmp_path]))
    assert sorted(f.span.start_line for f in result.findings) == [7, 15, 23]


def test_an_edit_turning_the_instance_into_a_class_is_seen_by_a_replayed_caller(tmp_path: Path) -> None:
    # The summary asked for stays the same method's; only what ``Things`` names changes, so a
    # replayed analysis of the unchanged caller must ask again whether the call binds ``self``.
    from secreview_ls.pipeline.incremental import IncrementalAnalyzer

    package = tmp_path / "lib"
    package.mkdir()
    (package / "__init__.py").write_text("")
    table = package / "table.py"
    table.write_text(TABLE)
    view = tmp_path / "routes.py"
    view.write_text(ROUTES)
    config = Config(select=("SR802",))
    project = ProjectIndex([tmp_path])
    analyzer = IncrementalAnalyzer(str(view), config, project=project)
    assert sorted(f.span.start_line for f in analyzer.analyze(ROUTES).findings) == [7, 15, 23]
    table.write_text(TABLE.replace("Things = ThingsTable()", "class Things(ThingsTable):\n    pass"))
    project.invalidate(table)
    edited = ROUTES.replace('run_named(None, "fixed",', 'run_named(None, "fixed!",')
    assert edited != ROUTES
    fresh = analyze_source(edited, str(view), config, project=ProjectIndex([tmp_path]))
    replayed = analyzer.analyze(edited)
    assert sorted(f.span.start_line for f in replayed.findings) == sorted(f.span.start_line for f in fresh.findings)
    assert sorted(f.span.start_line for f in fresh.findings) == [11, 23]


RUNNERS = """\
import os


class Runner:
    @classmethod
    def run_named(cls, name, payload):
        os.system("echo " + name)

    @staticmethod
    def run_plain(name, payload):
        os.system("echo " + name)


class Child(Runner):
    pass
"""

CALLERS = """\
from flask import request

from lib.runners import Child, Runner


def name_given():
    Runner.run_named(request.args["name"], "x")


def payload_given():
    Runner.run_named("fixed", request.args["payload"])


def inherited_name_given():
    Child.run_named(request.args["name"], "x")


def inherited_payload_given():
    Child.run_named("fixed", request.args["payload"])


def static_name_given():
    Runner.run_plain(request.args["name"], "x")


def static_payload_given():
    Runner.run_plain("fixed", request.args["payload"])
"""


def test_a_classmethod_of_another_file_called_through_its_class_binds_cls(tmp_path: Path) -> None:
    # ``Runner.run_named(a, b)`` passes ``a`` as ``name``: the call binds ``cls``, as it binds
    # ``self`` on an instance; a static method binds nothing.
    package = tmp_path / "lib"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "runners.py").write_text(RUNNERS)
    view = tmp_path / "callers.py"
    view.write_text(CALLERS)
    result = analyze_source(view.read_text(), str(view), Config(select=("SR802",)), project=ProjectIndex([tmp_path]))
    assert sorted(f.span.start_line for f in result.findings) == [7, 15, 23]
