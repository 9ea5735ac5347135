"""The command line's result cache: same report as without it, nothing analyzed again when
nothing changed, everything a result depends on invalidates it, and a cache the user's own
secreview did not write is never trusted."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from secreview_ls.cli import main
from secreview_ls.config import discover
from secreview_ls.pipeline import AnalysisResult, Notice, result_cache, scan_paths
from secreview_ls.pipeline import batch as batch_module
from secreview_ls.pipeline import scan as scan_module

VIEW = """\
from flask import Flask, request

from helpers import run

app = Flask(__name__)


@app.route("/run")
def handler():
    return run(request.args.get("cmd"))
"""
SAFE_HELPER = "import shlex\n\n\ndef run(text):\n    return shlex.quote(text)\n"
UNSAFE_HELPER = "import os\n\n\ndef run(text):\n    return os.system(text)\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(VIEW, encoding="utf-8")
    (tmp_path / "helpers.py").write_text(SAFE_HELPER, encoding="utf-8")
    (tmp_path / "loader.py").write_text("import yaml\n\n\ndef load(t):\n    return yaml.load(t)\n", encoding="utf-8")
    return tmp_path


class Counting:
    """Counts the files analyzed (not taken from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        original = scan_module._analyze_one

        def counted(path, config, project, *options):  # type: ignore[no-untyped-def]
            self.paths.append(Path(path).name)
            return original(path, config, project, *options)

        monkeypatch.setattr(scan_module, "_analyze_one", counted)


def scan(project: Path, folder: Path) -> list[tuple[str, int, str]]:
    result = scan_paths([project], discover(project), jobs=1, cache_folder=folder)
    return [(Path(f.path).name, f.line, f.rule_id) for f in result.findings()]


def test_an_unchanged_tree_is_not_analyzed_again_and_reports_the_same(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    counting = Counting(monkeypatch)
    first = scan(project, folder)
    assert sorted(counting.paths) == ["app.py", "helpers.py", "loader.py", "pyproject.toml"]
    assert ("loader.py", 5, "SR401") in first
    counting.paths.clear()
    assert scan(project, folder) == first
    assert counting.paths == []


def test_a_change_in_a_called_module_analyzes_its_callers_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    counting = Counting(monkeypatch)
    assert not any(rule == "SR802" for _, _, rule in scan(project, folder))
    counting.paths.clear()
    (project / "helpers.py").write_text(UNSAFE_HELPER, encoding="utf-8")
    after = scan(project, folder)
    assert sorted(counting.paths) == ["app.py", "helpers.py"]  # loader.py calls nothing of the project
    assert ("app.py", 10, "SR802") in after
    uncached = [
        (Path(f.path).name, f.line, f.rule_id) for f in scan_paths([project], discover(project), jobs=1).findings()
    ]
    assert after == uncached


def test_the_used_files_are_stored_once_and_only_while_a_result_uses_them(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    scan(project, folder)
    (project / "helpers.py").write_text(UNSAFE_HELPER, encoding="utf-8")
    scan(project, folder)  # app.py analyzed again: its use of the old helpers.py is gone
    content = json.loads(cache_file(folder).read_bytes().partition(b"\n")[2])
    pairs = [tuple(pair) for pair in content["used"]]
    used = sorted({index for entry in content["results"].values() for index in entry["uses"]})
    assert len(set(pairs)) == len(pairs) and used == list(range(len(pairs)))
    assert [key for key, _ in pairs].count("helpers.py") == 1


def test_a_change_two_calls_away_analyzes_the_callers_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    (project / "helpers.py").write_text("from lower import execute\n\n\ndef run(text):\n    return execute(text)\n")
    (project / "lower.py").write_text(SAFE_HELPER.replace("def run", "def execute"), encoding="utf-8")
    counting = Counting(monkeypatch)
    assert not any(rule == "SR802" for _, _, rule in scan(project, folder))
    counting.paths.clear()
    (project / "lower.py").write_text(UNSAFE_HELPER.replace("def run", "def execute"), encoding="utf-8")
    assert ("app.py", 10, "SR802") in scan(project, folder)
    assert sorted(counting.paths) == ["app.py", "helpers.py", "lower.py"]


# A Flask view rendering ``page.html`` with a request value (on line 8).
PAGE_VIEW = (
    "from flask import Flask, render_template, request\n\napp = Flask(__name__)\n\n\n"
    "@app.route('/p')\ndef page():\n    return render_template('page.html', bio=request.args['bio'])\n"
)


def test_a_template_change_analyzes_the_view_rendering_it_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    (project / "templates").mkdir()
    page = project / "templates" / "page.html"
    page.write_text("<p>{{ bio }}</p>\n", encoding="utf-8")
    (project / "pages.py").write_text(PAGE_VIEW, encoding="utf-8")
    counting = Counting(monkeypatch)
    assert not any(name == "pages.py" and rule == "SR806" for name, _, rule in scan(project, folder))
    counting.paths.clear()
    page.write_text("<p>{{ bio|safe }}</p>\n", encoding="utf-8")
    assert ("pages.py", 8, "SR806") in scan(project, folder)
    assert "pages.py" in counting.paths


def test_a_change_to_an_included_template_analyzes_the_view_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view names ``page.html`` only; the part it includes is among the files its result used."""
    folder = tmp_path_factory.mktemp("cache")
    (project / "templates" / "parts").mkdir(parents=True)
    (project / "templates" / "page.html").write_text('<main>{% include "parts/bio.html" %}</main>\n', encoding="utf-8")
    part = project / "templates" / "parts" / "bio.html"
    part.write_text("<p>{{ bio }}</p>\n", encoding="utf-8")
    (project / "pages.py").write_text(PAGE_VIEW, encoding="utf-8")
    counting = Counting(monkeypatch)
    assert not any(name == "pages.py" and rule == "SR806" for name, _, rule in scan(project, folder))
    counting.paths.clear()
    part.write_text("<p>{{ bio|safe }}</p>\n", encoding="utf-8")
    assert ("pages.py", 8, "SR806") in scan(project, folder)
    assert "pages.py" in counting.paths


def test_a_template_created_after_the_first_scan_analyzes_the_view_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view's template did not exist, or sat in a folder searched later: the places searched
    before it are among what the result used, so a template written there counts as a change."""
    folder = tmp_path_factory.mktemp("cache")
    (project / "pages.py").write_text(PAGE_VIEW, encoding="utf-8")
    counting = Counting(monkeypatch)
    assert not any(name == "pages.py" and rule == "SR806" for name, _, rule in scan(project, folder))
    counting.paths.clear()
    (project / "templates").mkdir()
    (project / "templates" / "page.html").write_text("<p>{{ bio|safe }}</p>\n", encoding="utf-8")
    assert ("pages.py", 8, "SR806") in scan(project, folder)
    assert "pages.py" in counting.paths


def test_old_cache_files_are_dropped(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("cache")
    for index in range(12):  # each new file changes the file list: a cache file of its own
        (project / f"m{index}.py").write_text("x = 1\n", encoding="utf-8")
        scan(project, folder)
    assert len(list(folder.glob("results-*.json"))) == 8


def test_a_new_file_or_another_configuration_starts_afresh(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    counting = Counting(monkeypatch)
    scan(project, folder)
    counting.paths.clear()
    (project / "other.py").write_text("x = 1\n", encoding="utf-8")
    scan(project, folder)
    assert len(counting.paths) == 5
    counting.paths.clear()
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[tool.secreview]\nignore = ['SR401']\n")
    assert not any(rule == "SR401" for _, _, rule in scan(project, folder))
    assert len(counting.paths) == 5


def cache_file(folder: Path) -> Path:
    [found] = folder.glob("results-*.json")
    return found


@pytest.mark.parametrize("damage", ["changed finding", "truncated", "other user's key"])
def test_a_cache_this_user_did_not_write_is_ignored_with_a_notice(
    project: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    damage: str,
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    args = ["check", str(project), "--cache-dir", str(folder), "--no-progress", "-f", "json"]
    assert main(args) == 1
    clean = json.loads(capsys.readouterr().out)
    stored = cache_file(folder)
    head, _, body = stored.read_bytes().partition(b"\n")
    if damage == "changed finding":  # hide the yaml.load finding: the signature no longer matches
        entries = json.loads(body)
        entries["results"]["loader.py"]["result"]["findings"] = []
        stored.write_bytes(head + b"\n" + json.dumps(entries, separators=(",", ":")).encode())
    elif damage == "truncated":
        stored.write_bytes(stored.read_bytes()[:-100])
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("another-home")))
    counting = Counting(monkeypatch)
    assert main(args) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["findings"] == clean["findings"]
    assert "result cache" in captured.err and "ignored" in captured.err
    assert sorted(counting.paths) == ["app.py", "helpers.py", "loader.py", "pyproject.toml"]
    counting.paths.clear()
    assert main(args) == 1  # written afresh, signed with this user's key: trusted again
    assert "ignored" not in capsys.readouterr().err
    assert counting.paths == []


def test_no_cache_reads_and_writes_nothing(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("cache") / "unused"
    assert main(["check", str(project), "--cache-dir", str(folder), "--no-cache", "-q", "--no-progress"]) == 1
    assert not folder.exists()


def test_the_cache_folder_is_ignored_by_git_and_marked_as_a_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECREVIEW_CACHE_DIR")
    monkeypatch.chdir(project)
    assert main(["check", ".", "-q", "--no-progress"]) == 1
    folder = project / ".secreview_cache"
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert (
        (folder / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert oct(os.stat(cache_file(folder)).st_mode & 0o777) == "0o600"


def test_incomplete_results_that_may_not_recur_are_not_kept(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    (project / "slow.py").write_text("x = 1\n", encoding="utf-8")
    real = batch_module.analyze_file

    def timing_out(path, config, *, project=None, **options):  # type: ignore[no-untyped-def]
        if Path(path).name == "slow.py":
            result = AnalysisResult(path=str(path))
            result.notices.append(Notice("timeout", "analysis abandoned", None, str(path)))
            return result
        return real(path, config, project=project, **options)

    monkeypatch.setattr(batch_module, "analyze_file", timing_out)
    scan(project, folder)
    entries = json.loads(cache_file(folder).read_bytes().partition(b"\n")[2])["results"]
    assert "slow.py" not in entries and "loader.py" in entries


def test_a_file_its_bytes_keep_from_being_analyzed_is_not_read_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Undecodable bytes, or more syntax errors than the parser recovers from, give the same
    notice every time: the result is kept, and the notice reported from the cache."""
    folder = tmp_path_factory.mktemp("cache")
    (project / "latin.py").write_bytes(b"\xff\xfe not utf-8")
    (project / "broken.py").write_text("".join(f"def f{i}(:\n" for i in range(60)), encoding="utf-8")

    def notices() -> list[tuple[str, str]]:
        scanned = scan_paths([project], discover(project), jobs=1, cache_folder=folder)
        return sorted((Path(n.path).name, n.kind) for r in scanned.results for n in r.notices if n.path)

    first = notices()
    assert ("latin.py", "undecodable") in first and ("broken.py", "unparsable") in first
    counting = Counting(monkeypatch)
    assert notices() == first
    assert counting.paths == []


# -- the stat signature: a file is read again only when its size, times or inode changed -------------


class ReadingFiles:
    """Counts the files whose content the result cache reads to hash it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        original = result_cache.digest_file

        def counted(path):  # type: ignore[no-untyped-def]
            self.names.append(Path(path).name)
            return original(path)

        monkeypatch.setattr(result_cache, "digest_file", counted)


def same_size_helpers(project: Path) -> str:
    """Writes the safe helper and returns the unsafe one, the shorter padded with a comment."""
    width = max(len(SAFE_HELPER), len(UNSAFE_HELPER))

    def padded(text: str) -> str:
        return text if len(text) == width else text + "#" * (width - len(text) - 1) + "\n"

    (project / "helpers.py").write_text(padded(SAFE_HELPER), encoding="utf-8")
    return padded(UNSAFE_HELPER)


def later_runs(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Runs from now on start ``seconds`` after the files were last written."""
    now = time.time_ns()
    monkeypatch.setattr(result_cache, "_now_ns", lambda: now + int(seconds * 1e9))


def test_a_settled_unchanged_file_is_not_read_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    first = scan(project, folder)
    reading = ReadingFiles(monkeypatch)
    counting = Counting(monkeypatch)
    assert scan(project, folder) == first
    assert reading.names == [] and counting.paths == []


def test_a_settled_file_edited_is_read_and_analyzed_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    unsafe = same_size_helpers(project)
    later_runs(monkeypatch, 10)
    assert not any(rule == "SR802" for _, _, rule in scan(project, folder))
    helper = project / "helpers.py"
    before = helper.stat()
    helper.write_text(unsafe, encoding="utf-8")
    assert helper.stat().st_size == before.st_size
    os.utime(helper, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same size and modification time
    reading = ReadingFiles(monkeypatch)
    counting = Counting(monkeypatch)
    assert ("app.py", 10, "SR802") in scan(project, folder)
    assert reading.names == ["helpers.py"]
    assert sorted(counting.paths) == ["app.py", "helpers.py"]


def test_a_file_written_again_within_the_clock_tick_of_a_run_is_read_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system whose time stamps cannot tell apart two writes close in time (here:
    no change time, the modification time put back), a file written just before a run has the
    same signature after a second write: the run that read it first did not trust it, so the
    next one reads it again and sees the change."""
    monkeypatch.setattr(result_cache, "signature", lambda info: (info.st_size, info.st_mtime_ns, 0, info.st_ino))
    folder = tmp_path_factory.mktemp("cache")
    unsafe = same_size_helpers(project)
    helper = project / "helpers.py"
    written = helper.stat()
    assert not any(rule == "SR802" for _, _, rule in scan(project, folder))
    helper.write_text(unsafe, encoding="utf-8")
    assert helper.stat().st_size == written.st_size
    os.utime(helper, ns=(written.st_atime_ns, written.st_mtime_ns))
    later_runs(monkeypatch, 10)
    reading = ReadingFiles(monkeypatch)
    assert ("app.py", 10, "SR802") in scan(project, folder)
    assert "helpers.py" in reading.names
    reading.names.clear()  # now settled: trusted to its signature from here on
    assert ("app.py", 10, "SR802") in scan(project, folder)
    assert reading.names == []


def test_a_file_is_settled_only_when_its_times_are_well_before_the_run() -> None:
    start = 10 * result_cache.RACY_MARGIN_NS
    old = start - result_cache.RACY_MARGIN_NS - 1
    assert result_cache.settled((5, old, old, 7), start)
    assert not result_cache.settled((5, start - 1, old, 7), start)  # written just before the run
    assert not result_cache.settled((5, old, start + 5, 7), start)  # its inode changed during the run


def test_a_cached_result_lists_the_rules_that_ran(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each list of rules run is stored once; every cached result gets its own back."""
    folder = tmp_path_factory.mktemp("cache")

    def rules_run() -> dict[str, tuple[str, ...]]:
        scanned = scan_paths([project], discover(project), jobs=1, cache_folder=folder)
        return {Path(r.path).name: r.rules_run for r in scanned.results}

    fresh = rules_run()
    assert fresh["app.py"] != fresh["pyproject.toml"] and fresh["app.py"] == fresh["loader.py"]
    stored = json.loads(cache_file(folder).read_bytes().partition(b"\n")[2])
    assert len(stored["rule_sets"]) == 2
    assert rules_run() == fresh


# -- facts gathered from the whole project: a log formatter that cleans every message ------------------

LOG_VIEW = """\
import logging

from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger(__name__)


@app.route("/")
def index():
    log.info(f"hello {request.args['name']}")
    return "ok"
"""
CLEAN_FORMATTER = """\
import logging


class Clean(logging.Formatter):
    def format(self, record):
        record.msg = str(record.msg).replace("\\n", "\\\\n")
        return super().format(record)


logging.getLogger().handlers[0].setFormatter(Clean())
"""


@pytest.mark.parametrize("view", ["views.py", "a_views.py"])  # analyzed after the other files, or before
def test_a_log_formatter_written_or_removed_elsewhere_analyzes_the_logging_file_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    """A file with a log finding consulted the project's formatters: a Python file edited to
    install a cleaning one (or to remove it) changes its result, though it imports nothing. The
    files without a log finding did not depend on them."""
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    (project / view).write_text(LOG_VIEW, encoding="utf-8")
    logs = project / "logs.py"
    logs.write_text("import logging\n", encoding="utf-8")
    counting = Counting(monkeypatch)
    assert (view, 11, "SR813") in scan(project, folder)
    counting.paths.clear()
    logs.write_text(CLEAN_FORMATTER, encoding="utf-8")
    assert not any(rule == "SR813" for _, _, rule in scan(project, folder))
    assert sorted(counting.paths) == sorted(["logs.py", view])
    counting.paths.clear()
    logs.write_text("import logging\n", encoding="utf-8")
    assert (view, 11, "SR813") in scan(project, folder)
    assert sorted(counting.paths) == sorted(["logs.py", view])


@pytest.mark.parametrize("where", ["ignored", "outside"])
def test_a_log_formatter_written_where_the_scan_does_not_look_analyzes_the_logging_file_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """The project's Python files are looked for in every folder of the project: those the scan
    walked (their listings are read again) and the others, a folder ``.gitignore`` leaves out
    or one beside the folder scanned."""
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    (project / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (project / "web").mkdir()
    (project / "web" / "views.py").write_text(LOG_VIEW, encoding="utf-8")
    logs = project / ("generated" if where == "ignored" else "tools") / "logs.py"
    logs.parent.mkdir()
    logs.write_text("import logging\n", encoding="utf-8")
    scanned = project if where == "ignored" else project / "web"
    config = discover(project)

    def rules() -> list[str]:
        return [f.rule_id for f in scan_paths([scanned], config, jobs=1, cache_folder=folder).findings()]

    counting = Counting(monkeypatch)
    assert "SR813" in rules()
    counting.paths.clear()
    assert "SR813" in rules()
    assert counting.paths == []
    logs.write_text(CLEAN_FORMATTER, encoding="utf-8")
    assert "SR813" not in rules()
    assert counting.paths == ["views.py"]


def test_an_edit_without_a_log_formatter_keeps_the_logging_file_cached(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    (project / "views.py").write_text(LOG_VIEW, encoding="utf-8")
    counting = Counting(monkeypatch)
    assert ("views.py", 11, "SR813") in scan(project, folder)
    counting.paths.clear()
    (project / "loader.py").write_text("def load(t):\n    return t\n", encoding="utf-8")
    assert ("views.py", 11, "SR813") in scan(project, folder)
    assert counting.paths == ["loader.py"]


def test_a_formatter_installed_by_another_file_and_uninstalled_analyzes_the_logging_file_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file installing the formatter answered the search too: rewritten without a trace of
    a formatter, the message templates are no longer cleaned."""
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    (project / "views.py").write_text(LOG_VIEW, encoding="utf-8")
    (project / "logs.py").write_text(CLEAN_FORMATTER.rpartition("\n\n\n")[0] + "\n", encoding="utf-8")
    setup = project / "setup_logs.py"
    setup.write_text('import logging.config\nlogging.config.dictConfig({"formatters": {"f": {"()": "logs.Clean"}}})\n')
    assert not any(rule == "SR813" for _, _, rule in scan(project, folder))
    setup.write_text("import logging\n\nlogging.basicConfig()\n", encoding="utf-8")
    assert ("views.py", 11, "SR813") in scan(project, folder)


# An aiohttp handler rendering a request value through the environment another module sets up.
AIO_HANDLER = """\
import aiohttp_jinja2
from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/comment")
async def comment(request):
    return aiohttp_jinja2.render_template("comment.html", request, {"text": request.query["text"]})
"""
AIO_APP = """\
import aiohttp_jinja2
import jinja2
from aiohttp import web

from .handlers import routes

app = web.Application()
app.add_routes(routes)
"""
AIO_SETUP = 'aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader("aio/templates"), autoescape=False)\n'


def test_an_environment_set_up_in_another_file_later_analyzes_the_handler_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    package = project / "aio"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "templates" / "comment.html").write_text("<p>{{ text }}</p>\n", encoding="utf-8")
    (package / "handlers.py").write_text(AIO_HANDLER, encoding="utf-8")
    (package / "app.py").write_text(AIO_APP, encoding="utf-8")
    assert ("handlers.py", 9, "SR806") not in scan(project, folder)
    (package / "app.py").write_text(AIO_APP + AIO_SETUP, encoding="utf-8")
    assert ("handlers.py", 9, "SR806") in scan(project, folder)
    (package / "app.py").write_text(AIO_APP, encoding="utf-8")
    assert ("handlers.py", 9, "SR806") not in scan(project, folder)


def test_a_template_folder_declared_later_analyzes_the_view_again(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view's template sits in a folder no file declared: once one does, it is found there."""
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    (project / "web").mkdir()
    (project / "web" / "page.html").write_text("<p>{{ bio|safe }}</p>\n", encoding="utf-8")
    (project / "pages.py").write_text(PAGE_VIEW.replace("app = Flask(__name__)", "app = make()"), encoding="utf-8")
    factory = project / "factory.py"
    factory.write_text("from flask import Flask\n\n\ndef make():\n    return Flask('x')\n", encoding="utf-8")
    assert not any(name == "pages.py" and rule == "SR806" for name, _, rule in scan(project, folder))
    factory.write_text(
        "from flask import Flask\n\n\ndef make():\n    return Flask('x', template_folder='web')\n", encoding="utf-8"
    )
    assert ("pages.py", 8, "SR806") in scan(project, folder)


AIO_RENDERING_HELPER = """\
import aiohttp_jinja2


def show(request, text):
    return aiohttp_jinja2.render_template("comment.html", request, {"text": text})
"""
AIO_CALLING_HANDLER = """\
from aiohttp import web

from .rendering import show

routes = web.RouteTableDef()


@routes.get("/comment")
async def comment(request):
    return show(request, request.query["text"])
"""


def test_a_summary_that_searched_the_project_is_computed_again_not_taken_from_the_store(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper's summary depends on where the environment is set up: a stored record could not
    tell that another file came to set it up, so it is not kept between runs."""
    folder = tmp_path_factory.mktemp("cache")
    later_runs(monkeypatch, 10)
    package = project / "aio"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "templates" / "comment.html").write_text("<p>{{ text }}</p>\n", encoding="utf-8")
    (package / "rendering.py").write_text(AIO_RENDERING_HELPER, encoding="utf-8")
    (package / "handlers.py").write_text(AIO_CALLING_HANDLER, encoding="utf-8")
    (package / "app.py").write_text(AIO_APP, encoding="utf-8")
    assert not any(name == "handlers.py" and rule == "SR806" for name, _, rule in scan(project, folder))
    (package / "app.py").write_text(AIO_APP + AIO_SETUP, encoding="utf-8")
    assert ("handlers.py", 10, "SR806") in scan(project, folder)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_files_written_through_a_link_to_the_root_are_keyed_as_resolved(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A root reached through a link (macOS's ``/tmp``): a file's key is its resolved path
    relative to the root, its folder's real path looked up once a run and the file itself
    each time (a link in it resolves elsewhere)."""
    from secreview_ls.pipeline.filters import relative_to_root

    outside = tmp_path_factory.mktemp("outside")
    (outside / "far.py").write_text("x = 1\n", encoding="utf-8")
    (project / "pkg").mkdir()
    (project / "pkg" / "mod.py").write_text("y = 2\n", encoding="utf-8")
    (project / "pkg" / "shadow.py").symlink_to(project / "loader.py")
    (project / "pkg" / "far.py").symlink_to(outside / "far.py")
    alias = tmp_path_factory.mktemp("alias") / "project"
    alias.symlink_to(project, target_is_directory=True)
    cache = result_cache.ResultCache(tmp_path_factory.mktemp("cache"), discover(project), [])
    written = [
        alias / "app.py",
        alias / "helpers.py",
        alias / "pkg" / "mod.py",
        alias / "pkg" / "shadow.py",
        alias / "pkg" / "far.py",
        alias / "pkg" / "gone.py",
        alias / "pkg" / ".." / "app.py",
        project / "app.py",
        outside / "far.py",
    ]
    keys = [cache._key_of(path) for path in written]
    assert keys == [relative_to_root(path, project) for path in written]
    assert keys[:7] == [
        "app.py",
        "helpers.py",
        "pkg/mod.py",
        "loader.py",
        (outside / "far.py").resolve().as_posix(),
        "pkg/gone.py",
        "app.py",
    ]
    assert set(cache._real_folders) == {alias, alias / "pkg", outside}

    # A folder's real path is read once a run: the scan through the link keeps its results.
    folder = tmp_path_factory.mktemp("cache")
    counting = Counting(monkeypatch)
    first = scan_paths([alias], discover(project), jobs=1, cache_folder=folder)
    counting.paths.clear()
    again = scan_paths([alias], discover(project), jobs=1, cache_folder=folder)
    assert counting.paths == []
    assert [(f.path, f.line, f.rule_id) for f in again.findings()] == [
        (f.path, f.line, f.rule_id) for f in first.findings()
    ]
