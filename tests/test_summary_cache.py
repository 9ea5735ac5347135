"""Summaries of imported modules kept between processes: the same findings as without them, a
change in a file a summary used invalidates it, a summary is taken only where computing it again
would give the same, and records this user's secreview did not write are never used."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from secreview_ls.config import Config, discover
from secreview_ls.engine.taint import ProjectIndex
from secreview_ls.engine.taint.summary_store import FileRecord, decode, encode
from secreview_ls.pipeline import analyze_source, scan_paths
from secreview_ls.pipeline.summary_cache import SummaryCache, analysis_identity, editor_summary_cache

SINK = "import sqlite3\n\n\ndef run(q):\n    sqlite3.connect('x').execute(q)\n"
SAFE = "import sqlite3\n\n\ndef run(q):\n    sqlite3.connect('x').execute('SELECT ?', (q,))\n"


def relay(target: str) -> str:
    return f"from {target} import run as inner\n\n\ndef run(q):\n    inner(q)\n"


def view(target: str) -> str:
    return f"from flask import request\nfrom {target} import run\n\n\ndef v():\n    run(request.args['q'])\n"


class MemoryStore:
    """A store in a dict, counting what is read and written."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.saved = 0

    def load(self, key: str) -> bytes | None:
        return self.data.get(key)

    def save(self, key: str, data: bytes) -> None:
        self.data[key] = data
        self.saved += 1


def index(root: Path, store: MemoryStore | None) -> ProjectIndex:
    return ProjectIndex([root], store=store, identity="test")


def findings(project: ProjectIndex, path: Path) -> list[tuple[str, int]]:
    result = analyze_source(path.read_text(), str(path), Config(select=("SR8",)), project=project)
    project.flush()
    return [(f.rule_id, f.span.start_line) for f in result.findings]


def test_a_second_index_takes_the_stored_summaries_and_finds_the_same(tmp_path: Path) -> None:
    (tmp_path / "db.py").write_text(SINK)
    (tmp_path / "relay.py").write_text(relay("db"))
    (tmp_path / "view.py").write_text(view("relay"))
    store = MemoryStore()
    first = index(tmp_path, store)
    expected = findings(first, tmp_path / "view.py")
    assert expected == [("SR801", 6)]
    assert first.parsed == 2 and store.saved == 2
    second = index(tmp_path, store)
    assert findings(second, tmp_path / "view.py") == expected
    assert second.parsed == 0  # neither module parsed again
    assert second.stored_used == 1  # relay's summary, which already says what db does


def test_a_changed_file_a_summary_used_invalidates_it(tmp_path: Path) -> None:
    (tmp_path / "db.py").write_text(SINK)
    (tmp_path / "relay.py").write_text(relay("db"))
    (tmp_path / "view.py").write_text(view("relay"))
    store = MemoryStore()
    assert findings(index(tmp_path, store), tmp_path / "view.py") == [("SR801", 6)]
    (tmp_path / "db.py").write_text(SAFE)  # relay.py itself is unchanged
    again = index(tmp_path, store)
    assert findings(again, tmp_path / "view.py") == []
    assert again.parsed == 2  # relay's stored summary named the old db.py: both computed again
    assert findings(index(tmp_path, None), tmp_path / "view.py") == []


def chain(root: Path, length: int) -> None:
    """m0 → m1 → … → m{length-1}, the last one running the query."""
    for position in range(length - 1):
        (root / f"m{position}.py").write_text(relay(f"m{position + 1}"))
    (root / f"m{length - 1}.py").write_text(SINK)


def test_a_summary_is_taken_only_where_its_chain_of_files_fits(tmp_path: Path) -> None:
    chain(tmp_path, 5)  # a view calling m0 follows five files: more than the index does
    (tmp_path / "far.py").write_text(view("m0"))
    (tmp_path / "near.py").write_text(view("m2"))  # three files: within reach
    reference = findings(index(tmp_path, None), tmp_path / "far.py")
    store = MemoryStore()
    assert findings(index(tmp_path, store), tmp_path / "near.py") == [("SR801", 6)]
    # m2's stored summary follows three files: asked by m1 (third in the chain) it would reach
    # further than computing it there does, so it is computed there again.
    assert findings(index(tmp_path, store), tmp_path / "far.py") == reference


def test_a_summary_cut_short_is_not_stored(tmp_path: Path) -> None:
    chain(tmp_path, 5)
    (tmp_path / "far.py").write_text(view("m0"))
    (tmp_path / "near.py").write_text(view("m2"))
    store = MemoryStore()
    findings(index(tmp_path, store), tmp_path / "far.py")  # m1 … m4 reached through a cut chain
    assert findings(index(tmp_path, store), tmp_path / "near.py") == [("SR801", 6)]
    assert findings(index(tmp_path, None), tmp_path / "near.py") == [("SR801", 6)]


def test_a_cycle_of_imports_gives_the_same_with_and_without_the_store(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "from b import run as other\nimport os\n\n\ndef run(q):\n    other(q)\n\n\ndef go(q):\n    os.system(q)\n"
    )
    (tmp_path / "b.py").write_text("from a import go\n\n\ndef run(q):\n    go(q)\n")
    (tmp_path / "va.py").write_text(view("a"))
    (tmp_path / "vb.py").write_text(view("b"))
    reference = {name: findings(index(tmp_path, None), tmp_path / name) for name in ("va.py", "vb.py")}
    store = MemoryStore()
    for order in (("vb.py", "va.py"), ("va.py", "vb.py")):
        for name in order:
            assert findings(index(tmp_path, store), tmp_path / name) == reference[name]


def test_a_record_holding_anything_else_is_not_decoded() -> None:
    assert decode(pickle.dumps(Path("/etc/passwd"))) is None
    assert decode(b"not a pickle") is None
    assert decode(encode(FileRecord())) == FileRecord()


# -- on disk -------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "db.py").write_text(SINK)
    (tmp_path / "relay.py").write_text(relay("db"))
    (tmp_path / "view.py").write_text(view("relay"))
    return tmp_path


def scan(project: Path, folder: Path) -> tuple[list[tuple[str, int, str]], list[str]]:
    for stored in folder.glob("results-*.json"):  # results analyzed again, summaries kept
        stored.unlink()
    result = scan_paths([project], discover(project), jobs=1, cache_folder=folder)
    return [(Path(f.path).name, f.line, f.rule_id) for f in result.findings()], [n.message for n in result.notices]


def records(folder: Path) -> list[Path]:
    return sorted((folder / "summaries").glob("*/*.rec"))


def test_scans_share_the_summaries_on_disk(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("cache")
    first, notices = scan(project, folder)
    assert ("view.py", 6, "SR801") in first and not notices
    assert len(records(folder)) == 2
    assert scan(project, folder) == (first, [])


@pytest.mark.parametrize("damage", ["changed byte", "moved to another key", "other user's key"])
def test_a_record_this_user_did_not_write_is_ignored_with_a_notice(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    folder = tmp_path_factory.mktemp("cache")
    first, _ = scan(project, folder)
    one, two = records(folder)
    if damage == "changed byte":
        data = bytearray(one.read_bytes())
        data[-3] ^= 1
        one.write_bytes(bytes(data))
    elif damage == "moved to another key":
        one.write_bytes(two.read_bytes())
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("another-home")))
    found, notices = scan(project, folder)
    assert found == first
    assert any("summary cache" in notice and "ignored" in notice for notice in notices)
    assert scan(project, folder) == (first, [])  # written afresh: used again, no notice


def test_the_cache_is_kept_under_its_size_cap(tmp_path: Path) -> None:
    store = SummaryCache(tmp_path, max_bytes=4_000)
    for number in range(10):
        store.save(f"{number:02d}" + "0" * 38, b"x" * 1_000)
    assert store.prune() >= 5
    kept = sorted(path.name[:2] for path in (tmp_path / "summaries").glob("*/*.rec"))
    assert sum(path.stat().st_size for path in (tmp_path / "summaries").glob("*/*.rec")) <= 3_000
    assert kept == sorted(kept)[-len(kept) :] and "09" in kept  # the last written stay
    assert store.load("09" + "0" * 38) == b"x" * 1_000


def test_an_editor_shares_the_cache_folder_only_once_a_scan_made_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECREVIEW_CACHE_DIR")
    config = discover(project)
    assert editor_summary_cache(config) is None  # opening a folder writes nothing into it
    assert scan_paths([project], config, jobs=1, cache_folder=project / ".secreview_cache").findings()
    shared = editor_summary_cache(config)
    assert shared is not None and shared.folder == project / ".secreview_cache" / "summaries"
    editor = ProjectIndex([project], store=shared, identity=analysis_identity())
    result = analyze_source((project / "view.py").read_text(), str(project / "view.py"), config, project=editor)
    assert [(f.rule_id, f.span.start_line) for f in result.findings] == [("SR801", 6)]
    assert editor.parsed == 0 and editor.stored_used == 1


def test_a_file_importing_from_itself_reports_the_same_with_the_store(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = package / "mod.py"
    module.write_text(
        "import os\nfrom flask import request\nimport pkg.mod as me\n\n\ndef run(q):\n"
        "    os.system(q)\n\n\ndef v():\n    me.run(request.args['q'])\n"
    )
    reference = findings(index(tmp_path, None), module)
    assert reference == [("SR802", 7)]  # reported at the sink, in this very file
    store = MemoryStore()
    assert findings(index(tmp_path, store), module) == reference
    assert findings(index(tmp_path, store), module) == reference


def test_configured_template_folders_keep_their_own_summaries(tmp_path: Path) -> None:
    (tmp_path / "db.py").write_text(SINK)
    (tmp_path / "relay.py").write_text(relay("db"))
    (tmp_path / "view.py").write_text(view("relay"))
    store = MemoryStore()
    assert findings(index(tmp_path, store), tmp_path / "view.py") == [("SR801", 6)]
    same = ProjectIndex([tmp_path], store=store, identity="test")
    other = ProjectIndex([tmp_path], store=store, identity="test", template_dirs=[tmp_path / "web"])
    assert findings(same, tmp_path / "view.py") == findings(other, tmp_path / "view.py") == [("SR801", 6)]
    assert same.stored_used == 1
    assert other.stored_used == 0  # another template search path: computed again, not taken
