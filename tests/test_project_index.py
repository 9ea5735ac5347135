"""The cross-module index keeps small summaries of every file used, and whole parsed files only
for the few used last: findings do not depend on what it let go of."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest

from secreview_ls.config import Config
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.pipeline import analyze_source

SQL_HELPER = "import sqlite3\n\ndef {name}(q):\n    sqlite3.connect('x').execute(q)\n"
SAFE_HELPER = "import sqlite3\n\ndef {name}(q):\n    sqlite3.connect('x').execute('SELECT ?', (q,))\n"


def findings(project: ProjectIndex, path: Path) -> list[tuple[str, int]]:
    result = analyze_source(path.read_text(), str(path), Config(select=("SR8",)), project=project)
    return [(f.rule_id, f.span.start_line) for f in result.findings]


def helpers_and_view(root: Path, names: list[str]) -> Path:
    """One helper module per name, each passing its argument to a query; a view calling each."""
    for name in names:
        (root / f"{name}.py").write_text(SQL_HELPER.format(name="run"))
    imports = "".join(f"from {name} import run as {name}_run\n" for name in names)
    calls = "".join(f"    {name}_run(request.args['q'])\n" for name in names)
    view = root / "view.py"
    view.write_text(f"from flask import request\n{imports}\ndef v():\n{calls}")
    return view


def test_findings_do_not_depend_on_how_many_parsed_files_are_kept(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a", "b", "c", "d"])
    expected = [("SR801", line) for line in range(8, 12)]
    assert findings(ProjectIndex([tmp_path]), view) == expected
    lean = ProjectIndex([tmp_path], whole_files=1)
    assert findings(lean, view) == expected
    assert len(lean._whole) == 1  # the others were let go of


def test_a_summary_asked_again_is_not_recomputed(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a", "b", "c"])
    project = ProjectIndex([tmp_path], whole_files=1)
    first = findings(project, view)
    parsed = project.parsed
    assert parsed == 3
    assert findings(project, view) == first
    assert project.parsed == parsed  # every summary came from what was kept of each file


def test_a_new_name_of_a_file_let_go_of_parses_it_again(tmp_path: Path) -> None:
    (tmp_path / "db.py").write_text(SQL_HELPER.format(name="first") + "\n" + SQL_HELPER.format(name="second"))
    (tmp_path / "other.py").write_text(SQL_HELPER.format(name="run"))
    one = tmp_path / "one.py"
    one.write_text(
        "from flask import request\nfrom db import first\nfrom other import run\n\nfirst(request.args['q'])\nrun(request.args['q'])\n"
    )
    two = tmp_path / "two.py"
    two.write_text("from flask import request\nfrom db import second\n\nsecond(request.args['q'])\n")
    project = ProjectIndex([tmp_path], whole_files=1)
    assert findings(project, one) == [("SR801", 5), ("SR801", 6)]
    assert project.parsed == 2
    assert findings(project, two) == [("SR801", 4)]
    assert project.parsed == 3  # db.py left when other.py came in; ``second`` needs its text


def test_a_changed_file_is_summarized_again(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a", "b"])
    texts: dict[str, str] = {}
    project = ProjectIndex([tmp_path], read=lambda path: texts.get(path.name), whole_files=1)
    assert findings(project, view) == [("SR801", 6), ("SR801", 7)]
    texts["a.py"] = SAFE_HELPER.format(name="run")  # an unsaved edit in the editor
    assert findings(project, view) == [("SR801", 7)]
    (tmp_path / "b.py").write_text(SAFE_HELPER.format(name="run") + "\n# saved\n")
    assert findings(project, view) == []  # size and time changed on disk: read again


def test_letting_go_of_parsed_files_frees_them_without_a_collection(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a", "b"])
    project = ProjectIndex([tmp_path])
    expected = findings(project, view)
    kept = [weakref.ref(whole.taint.interpreter) for whole in project._whole.values()]
    assert len(kept) == 2
    gc.disable()
    gc.freeze()  # as a scan does after each file: a cycle among frozen objects is never collected
    try:
        project.trim()
        assert [ref() for ref in kept] == [None, None]
    finally:
        gc.unfreeze()
        gc.enable()
    assert project._whole_bytes == 0
    parsed = project.parsed
    assert findings(project, view) == expected
    assert project.parsed == parsed  # the summaries stayed


def test_files_in_use_are_not_let_go_of(tmp_path: Path) -> None:
    # a → b → c → d: with room for one file, those whose summaries are being computed stay
    # until they are done (they are in use further up).
    (tmp_path / "d.py").write_text(SQL_HELPER.format(name="run"))
    (tmp_path / "c.py").write_text("from d import run as inner\n\ndef run(q):\n    inner(q)\n")
    (tmp_path / "b.py").write_text("from c import run as inner\n\ndef run(q):\n    inner(q)\n")
    view = tmp_path / "view.py"
    view.write_text("from flask import request\nfrom b import run\n\nrun(request.args['q'])\n")
    assert findings(ProjectIndex([tmp_path], whole_files=1), view) == [("SR801", 4)]


def test_a_name_the_file_does_not_define_needs_no_new_parse(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from .db import run\nLIMIT = 10\n\nclass Base:\n    def store(self, q):\n        pass\n\nclass Model(Base):\n    pass\n"
    )
    (package / "db.py").write_text(SQL_HELPER.format(name="run"))
    (tmp_path / "other.py").write_text(SQL_HELPER.format(name="run"))
    first = tmp_path / "first.py"
    first.write_text(
        "from flask import request\nimport pkg\nfrom other import run\n\npkg.Model().store(request.args['q'])\nrun(request.args['q'])\n"
    )
    second = tmp_path / "second.py"
    second.write_text(
        "from flask import request\nimport pkg\n\nx = pkg.LIMIT\npkg.Model(request.args['q'])\npkg.run(request.args['q'])\n"
    )
    expected = findings(ProjectIndex([tmp_path]), second)
    assert expected == [("SR801", 6)]  # through the package's re-export
    project = ProjectIndex([tmp_path], whole_files=1)
    assert findings(project, first) == findings(ProjectIndex([tmp_path]), first) == [("SR801", 6)]
    parsed = project.parsed
    assert findings(project, second) == expected
    # ``Model`` (no ``__init__``) is not defined by pkg/__init__.py, nor is ``run``: its names
    # were noted at the first parse. Only db.py, new to the index, is parsed.
    assert project.parsed == parsed + 1


def test_a_stable_index_looks_at_each_file_once_until_invalidated(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a", "b"])
    project = ProjectIndex([tmp_path], stable=True)
    assert findings(project, view) == [("SR801", 6), ("SR801", 7)]
    (tmp_path / "b.py").write_text(SAFE_HELPER.format(name="run") + "\n# saved\n")
    assert findings(project, view) == [("SR801", 6), ("SR801", 7)]  # one scan: the files it began with
    project.invalidate(tmp_path / "b.py")
    assert findings(project, view) == [("SR801", 6)]


def test_a_module_looked_for_in_a_folder_is_looked_for_again_once_one_is_created(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    for folder in (package / "one", package / "two", package / "helpers"):
        folder.mkdir(parents=True)
    for folder in (package / "one", package / "two"):
        (folder / "view.py").write_text(
            "from flask import request\nfrom helpers.db import run\n\nrun(request.args['q'])\n"
        )
    (package / "helpers" / "other.py").write_text("x = 1\n")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "db.py").write_text(SQL_HELPER.format(name="run"))
    project = ProjectIndex([tmp_path])
    assert findings(project, package / "one" / "view.py") == [("SR801", 4)]  # pkg/ has no helpers/db.py
    created = package / "helpers" / "db.py"
    created.write_text(SAFE_HELPER.format(name="run"))
    project.invalidate(created)
    assert findings(project, package / "two" / "view.py") == []  # pkg/helpers/db.py, closer, found now


def test_a_file_analyzed_by_itself_is_not_parsed_again_for_its_importers(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a", "b"])
    config = Config(select=("SR8",), root=tmp_path)
    project = ProjectIndex([tmp_path])
    for helper in ("a.py", "b.py"):
        path = (tmp_path / helper).resolve()
        analyzed = analyze_source(path.read_text(), str(path), config, project=project)
        assert analyzed.facts is not None
        project.offer(analyzed.facts)
    assert findings(project, view.resolve()) == [("SR801", 6), ("SR801", 7)]
    assert (project.parsed, project.offered_used) == (0, 2)
    fresh = ProjectIndex([tmp_path])
    assert findings(fresh, view.resolve()) == [("SR801", 6), ("SR801", 7)]  # the same without them
    assert (fresh.parsed, fresh.offered_used) == (2, 0)


def test_a_name_an_analyzed_file_does_not_define_is_answered_without_parsing_it(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(SQL_HELPER.format(name="run") + "\nclass Form(BaseForm):\n    pass\n")
    (tmp_path / "b.py").write_text("from a import run\n")  # a re-export
    view = tmp_path / "view.py"
    view.write_text(
        "from flask import request\nfrom a import Form\nfrom b import run\n\n"
        "def v():\n    Form.build(request.args['q'])\n    run(request.args['q'])\n"
    )
    config = Config(select=("SR8",), root=tmp_path)
    project = ProjectIndex([tmp_path], stable=True)
    for helper in ("a.py", "b.py"):
        path = (tmp_path / helper).resolve()
        analyzed = analyze_source(path.read_text(), str(path), config, project=project)
        assert analyzed.facts is not None
        project.offer(analyzed.facts)
    project._drop_offered()  # the files a scan analyzed next took their place
    assert findings(project, view.resolve()) == [("SR801", 7)]
    assert project.parsed == 1  # a.py for ``run``: not for ``Form.build``, nor b.py for its re-export
    fresh = ProjectIndex([tmp_path], stable=True)
    assert findings(fresh, view.resolve()) == [("SR801", 7)]
    assert fresh.parsed == 2


def test_the_names_of_an_offered_file_are_not_used_for_another_text(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a"])
    project = ProjectIndex([tmp_path], stable=True)
    a = (tmp_path / "a.py").resolve()
    older = analyze_source("def other(q):\n    return q\n", str(a), Config(select=("SR8",), root=tmp_path))
    assert older.facts is not None
    project.offer(older.facts)  # a text without ``run``: the file's own defines it
    assert findings(project, view.resolve()) == [("SR801", 5)]
    assert project.parsed == 1


def test_offered_facts_of_another_module_name_or_text_are_not_used(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a", "b"])
    project = ProjectIndex([tmp_path])
    a, b = (tmp_path / "a.py").resolve(), (tmp_path / "b.py").resolve()
    elsewhere = analyze_source(a.read_text(), str(a), Config(select=("SR8",), root=tmp_path.parent), project=project)
    project.offer(elsewhere.facts)  # named ``<folder>.a`` from the parent folder: imported as ``a``
    older = analyze_source(SAFE_HELPER.format(name="run"), str(b), Config(select=("SR8",)), project=project)
    project.offer(older.facts)  # a text the file no longer has
    assert findings(project, view.resolve()) == [("SR801", 6), ("SR801", 7)]
    assert (project.parsed, project.offered_used) == (2, 0)


def test_a_scan_analyzes_a_file_from_the_facts_the_index_made_for_its_importers(tmp_path: Path) -> None:
    view = helpers_and_view(tmp_path, ["a"])
    config = Config(select=("SR8",), root=tmp_path)
    helper = (tmp_path / "a.py").resolve()
    for stable in (False, True):
        project = ProjectIndex([tmp_path], stable=stable)
        assert findings(project, view.resolve()) == [("SR801", 5)]
        held = project._whole[helper].taint.facts
        analyzed = analyze_source(helper.read_text(), str(helper), config, project=project)
        assert (analyzed.facts is held) == stable  # only a scan's index hands them out
        assert analyzed.findings == analyze_source(helper.read_text(), str(helper), config).findings
        project.invalidate()  # the analysis lets go of its part; the facts stay whole for the file's
        assert analyzed.facts.tree.body
    other = ProjectIndex([tmp_path], stable=True)
    assert findings(other, view.resolve()) == [("SR801", 5)]
    changed = SAFE_HELPER.format(name="run")  # an edit the index has not seen: its facts are not used
    assert analyze_source(changed, str(helper), config, project=other).facts is not other._whole[helper].taint.facts


def test_modules_are_found_through_package_folders_and_names_below_a_module_are_not(tmp_path: Path) -> None:
    sub = tmp_path / "pkg" / "sub"
    sub.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (sub / "__init__.py").write_text("")
    (sub / "db.py").write_text(SQL_HELPER.format(name="run"))
    (tmp_path / "pkg" / "data").write_text("not a folder\n")  # an entry of that name, but a file
    view = tmp_path / "app" / "view.py"
    view.parent.mkdir()
    view.write_text("x = 1\n")
    project = ProjectIndex([tmp_path], stable=True)
    assert project.resolve_module("pkg.sub.db", view) == (sub / "db.py", "pkg.sub.db")
    assert project.resolve_module("pkg.sub", view) == (sub / "__init__.py", "pkg.sub")
    assert project.resolve_module("pkg.sub.db.Store", view) is None  # a name in a module, not a module
    assert project.resolve_module("pkg.other.db", view) is None  # no such folder
    assert project.resolve_module("pkg.data.db", view) is None  # ``data`` is a file
    assert project.resolve_module("pkg.sub.nothing", view) is None


def test_a_file_imported_under_two_module_names_is_summarized_the_same_whoever_asks_first(tmp_path: Path) -> None:
    """``src/app/cps/helper.py`` is ``src.app.cps.helper`` for the package's own views and
    ``cps.helper`` for a script beside the package; its ``from .. import db`` is ``src.app.db``
    under the first name and a bare ``db`` under the second, which the folder of the file has
    too. Which importer is analyzed first must not decide what the other's analysis finds."""
    app = tmp_path / "src" / "app"
    (app / "cps").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "cps" / "__init__.py").write_text("")
    (app / "db.py").write_text(SQL_HELPER.format(name="run"))
    (app / "cps" / "db.py").write_text(SAFE_HELPER.format(name="run"))
    (app / "cps" / "helper.py").write_text("from .. import db\n\ndef lookup(name):\n    db.run(name)\n")
    view = app / "cps" / "views.py"
    view.write_text(
        "from flask import request\nfrom .helper import lookup\n\ndef v():\n    lookup(request.args['q'])\n"
    )
    script = app / "main.py"
    script.write_text(
        "from flask import request\nfrom cps.helper import lookup\n\ndef v():\n    lookup(request.args['q'])\n"
    )

    def scan_order(*files: Path) -> dict[str, list[tuple[str, int]]]:
        project = ProjectIndex([tmp_path], stable=True)
        found = {}
        for file in files:
            config = Config(select=("SR8",), root=tmp_path)
            result = analyze_source(file.read_text(), str(file.resolve()), config, project=project)
            found[file.name] = [(f.rule_id, f.span.start_line) for f in result.findings]
        return found

    views_first, script_first = scan_order(view, script), scan_order(script, view)
    assert views_first == script_first
    assert views_first["views.py"] == [("SR801", 5)]


def test_summaries_of_recursive_functions_do_not_depend_on_which_file_asked_first(tmp_path: Path) -> None:
    """``check`` calls ``escalate`` which calls ``check`` back: the summary of the one asked
    second is computed with the first still in progress (its call cut short). A scan's next file
    must not get that partial summary: whether ``b.py`` reports its flow through ``escalate``
    must not depend on ``a.py`` having asked for ``check`` before."""
    from secreview_ls.pipeline.scan import analyze_files

    (tmp_path / "rules.py").write_text(
        "import os\n\n"
        "def check(value):\n    os.system(value)\n    return escalate(value)\n\n"
        "def escalate(value):\n    return check(value) or value\n"
    )
    (tmp_path / "a.py").write_text(
        "from flask import request\nfrom rules import check\n\ndef v():\n    check(request.args['q'])\n"
    )
    (tmp_path / "b.py").write_text(
        "from flask import request\nfrom rules import escalate\n\ndef v():\n    escalate(request.args['q'])\n"
    )
    config = Config(select=("SR8",), root=tmp_path)

    def b_findings(*names: str) -> list[tuple[str, int]]:
        results, _ = analyze_files([tmp_path / name for name in names], config, jobs=1, project_roots=[tmp_path])
        return [(f.rule_id, f.span.start_line) for r in results if r.path.endswith("b.py") for f in r.findings]

    assert b_findings("a.py", "b.py") == b_findings("b.py") == [("SR802", 5)]


def test_a_marked_value_follows_the_edits_of_the_helper_that_escapes_it(tmp_path: Path) -> None:
    """``mark_safe(escape_html(x))`` is judged by what ``escape_html`` in another file returns,
    read again after that file changes; the file counts as used by the analysis."""
    helper = tmp_path / "text.py"
    helper.write_text("import html\n\ndef escape_html(value):\n    return html.escape(value)\n")
    view = tmp_path / "view.py"
    view.write_text(
        "from django.utils.safestring import mark_safe\nfrom text import escape_html\n\n"
        "def show(user):\n    return mark_safe('<p>' + escape_html(user.bio) + '</p>')\n"
    )
    texts: dict[str, str] = {}
    project = ProjectIndex([tmp_path], read=lambda path: texts.get(path.name))

    def marks() -> list[tuple[str, int]]:
        result = analyze_source(view.read_text(), str(view), Config(select=("SR604",)), project=project)
        return [(f.rule_id, f.span.start_line) for f in result.findings]

    with project.recording() as used:
        assert marks() == []
    assert helper.resolve() in used
    texts["text.py"] = "def escape_html(value):\n    return value.strip()\n"  # an unsaved edit
    assert marks() == [("SR604", 5)]
    assert project.definition("text.escape_html", str(view)) is not None
    assert project.definition("text.missing", str(view)) is None
    assert project.definition("view.show", str(view)) is None  # the asking file itself


def _scan_findings(root: Path, names: tuple[str, ...], of: str) -> list[tuple[str, int]]:
    """The findings of ``of`` when ``names`` are analyzed in that order by one process."""
    from secreview_ls.pipeline.scan import analyze_files

    config = Config(select=("SR8",), root=root)
    results, _ = analyze_files([root / name for name in names], config, jobs=1, project_roots=[root])
    return [(f.rule_id, f.span.start_line) for r in results if Path(r.path).name == of for f in r.findings]


@pytest.mark.parametrize("refreshed", ["get", "other"])
def test_a_summary_computed_in_full_is_not_used_past_the_chain_limit(tmp_path: Path, refreshed: str) -> None:
    """``loader.load`` runs the code ``store.fetch`` returns for a key: a constant. Asked from
    ``refresh.py`` (or through ``tools.other``, from the same file's analysis kept by the
    index), ``tools.get`` follows tools → loader → store and is complete; asked from
    ``app.py`` through chat → flows → tools, the same chain goes past the limit, and ``fetch``
    is not followed. What ``app.py`` finds must not depend on ``refresh.py`` being analyzed first."""
    files = {
        "store.py": "def fetch(key):\n    return 'print(1)'\n",
        "loader.py": "import store\n\n\ndef load(key):\n    code = store.fetch(key)\n    exec(code)\n",
        "tools.py": "import loader\n\n\ndef get(key):\n    loader.load(key)\n\n\ndef other(key):\n    get(key)\n",
        "flows.py": "import tools\n\n\ndef complete(key):\n    tools.get(key)\n",
        "chat.py": "import flows\n\n\ndef generate(key):\n    flows.complete(key)\n",
        "app.py": "from flask import request\n\nimport chat\n\n\ndef view():\n    chat.generate(request.args['k'])\n",
        "refresh.py": f"import tools\n\n\ndef refresh(key):\n    tools.{refreshed}(key)\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    alone = _scan_findings(tmp_path, ("app.py",), "app.py")
    assert alone == _scan_findings(tmp_path, ("refresh.py", "app.py"), "app.py")
    assert alone * 2 == _scan_findings(tmp_path, ("refresh.py", "app.py", "refresh.py", "app.py"), "app.py")


def test_a_summary_computed_in_full_is_not_used_where_its_calls_would_be_cut_short(tmp_path: Path) -> None:
    """``rules.check`` calls ``names.pick``; ``names.run`` calls ``rules.check``. Asked from
    ``direct.py``, ``check`` follows ``pick`` (a constant). Asked from ``via.py`` through ``run``,
    the call back into ``names.py`` is cut short. What ``via.py`` finds must not depend on
    ``direct.py`` being analyzed first."""
    (tmp_path / "rules.py").write_text("import names\n\n\ndef check(value):\n    return names.pick(value)\n")
    (tmp_path / "names.py").write_text(
        "import os\n\nimport rules\n\n\ndef pick(value):\n    return 'x'\n\n\n"
        "def run(value):\n    os.system(rules.check(value))\n"
    )
    view = "from flask import request\n\nimport {0}\n\n\ndef view():\n    {0}.{1}(request.args['q'])\n"
    (tmp_path / "via.py").write_text(view.format("names", "run"))
    (tmp_path / "direct.py").write_text(view.format("rules", "check"))
    alone = _scan_findings(tmp_path, ("via.py",), "via.py")
    assert alone == _scan_findings(tmp_path, ("direct.py", "via.py"), "via.py")


def test_an_index_kept_across_documents_finds_the_same_whatever_was_analyzed_before(tmp_path: Path) -> None:
    """An editor keeps one index for every document it analyzes (settled after each): a
    document's findings are those a new index gives, and a summary worked out for a long chain
    does not replace the one in full for the next document."""
    test_a_summary_computed_in_full_is_not_used_past_the_chain_limit(tmp_path, "get")
    refresh, app = tmp_path / "refresh.py", tmp_path / "app.py"
    refresh.write_text("from flask import request\n\nimport tools\n\n\ndef v():\n    tools.get(request.args['k'])\n")
    expected = {path: findings(ProjectIndex([tmp_path]), path) for path in (refresh, app)}
    project = ProjectIndex([tmp_path])
    for path in (refresh, app, refresh, app):
        assert findings(project, path) == expected[path]
        project.settle()


def test_a_module_importing_a_name_from_itself_ends_the_chain_of_files_as_it_was(tmp_path: Path) -> None:
    """``pkg/codec.py`` holds ``from codec import decode`` (a library of that name, which the
    file's own folder resolves to: the file itself). Following that re-export must end, and
    leave the chain of files asking as it was whatever the depth of the stack it is asked at:
    a file left on it would count as asking in every later analysis of the process."""
    from secreview_ls.rules.taint_tables import spec_for

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "codec.py").write_text("from codec import decode  # noqa: F401\n")
    (tmp_path / "pkg" / "caller.py").write_text("from pkg.codec import decode\n\n\ndef run(q):\n    return decode(q)\n")
    view = str(tmp_path / "pkg" / "views.py")
    spec = spec_for(Config(select=("SR8",)))

    def ask_at(depth: int, project: ProjectIndex) -> object:
        if depth > 0:
            return ask_at(depth - 1, project)
        return project.function_summary("pkg.caller.run", spec, view)

    for depth in range(0, 80, 7):
        project = ProjectIndex([tmp_path])
        asks = 0
        ask = project.function_summary

        def counted(qualname: str, spec: object, from_path: str, ask: Any = ask) -> object:
            nonlocal asks
            asks += 1
            return ask(qualname, spec, from_path)

        project.function_summary = counted  # type: ignore[method-assign]
        ask_at(depth, project)
        assert project._active == [] and asks < 20
