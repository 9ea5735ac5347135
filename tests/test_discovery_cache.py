"""The record of the discovery walk: a later run over an unchanged tree lists no folder and
finds the same files; anything that changes what a walk finds (a file or folder added,
removed or renamed, a ``.gitignore`` or a shebang edited, a repository root appearing above)
makes it walk again; a tree changed too recently, or holding a symbolic link, is not
recorded; a damaged or foreign record is ignored with a notice."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from secreview_ls.cli import main
from secreview_ls.config import Config
from secreview_ls.engine.project_files import python_file_texts
from secreview_ls.pipeline import discovery, result_cache
from secreview_ls.pipeline.discovery import discover_files
from secreview_ls.pipeline.discovery_cache import discover_with_cache


def touch(root: Path, rel: str, content: str = "x = 1\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    touch(root, "app.py")
    touch(root, "pkg/__init__.py")
    touch(root, "pkg/views.py")
    touch(root, "pkg/locale/en/LC_MESSAGES/django.po", "msgid ''\n")
    touch(root, "conf/settings.yaml", "a: 1\n")
    touch(root, "bin/tool", "#!/bin/sh\necho\n")
    return root


def later_runs(monkeypatch: pytest.MonkeyPatch, seconds: float = 10) -> None:
    """Runs from now on start ``seconds`` after the files were last written (they are settled)."""
    now = time.time_ns()
    monkeypatch.setattr(result_cache, "_now_ns", lambda: now + int(seconds * 1e9))


class Listing:
    """Counts the folders listed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = discovery._listing

        def counted(directory: str) -> discovery._Listing:
            self.count += 1
            return original(directory)

        monkeypatch.setattr(discovery, "_listing", counted)


def names(root: Path, files: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in files]


def run(root: Path, folder: Path, **options: object) -> list[str]:
    found = discover_with_cache(folder, [root], Config(root=root), **options)  # type: ignore[arg-type]
    assert found.files == discover_files([root], Config(root=root), **options).files  # type: ignore[arg-type]
    for resolved in found.listings or found.recorded:
        if Path(resolved).is_relative_to(folder.resolve()):
            continue  # the cache folder: written to since
        assert found.entries(resolved) == discover_files([root], Config(root=root)).entries(resolved)
    return names(root, found.files)


def records(folder: Path) -> list[Path]:
    return sorted(folder.glob("walk-*.json"))


def test_an_unchanged_tree_is_not_listed_again(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    later_runs(monkeypatch)
    first = run(tree, folder)
    assert first == ["app.py", "conf/settings.yaml", "pkg/__init__.py", "pkg/views.py"]
    assert len(records(folder)) == 1
    listing = Listing(monkeypatch)
    found = discover_with_cache(folder, [tree], Config(root=tree))
    assert names(tree, found.files) == first and listing.count == 0
    assert found.python_texts == {str(tree.resolve()): python_file_texts([tree.resolve()])}


@pytest.mark.parametrize("change", ["added", "removed", "renamed", "folder added", "folder removed"])
def test_a_name_changed_in_a_folder_walks_again(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    folder = tmp_path / "cache"
    later_runs(monkeypatch)
    run(tree, folder)
    time.sleep(0.01)  # past the file system clock's tick
    if change == "added":
        touch(tree, "pkg/locale/en/LC_MESSAGES/new.py")
    elif change == "removed":
        (tree / "pkg" / "views.py").unlink()
    elif change == "renamed":
        (tree / "pkg" / "views.py").rename(tree / "pkg" / "views.txt")
    elif change == "folder added":
        (tree / "pkg" / "sub").mkdir()
        (tree / "pkg" / "sub" / "more.py").write_text("y = 2\n", encoding="utf-8")
    else:
        (tree / "conf" / "settings.yaml").unlink()
        (tree / "conf").rmdir()
    listing = Listing(monkeypatch)
    after = run(tree, folder)
    assert listing.count > 0
    expected = {
        "added": "pkg/locale/en/LC_MESSAGES/new.py" in after,
        "removed": "pkg/views.py" not in after,
        "renamed": "pkg/views.py" not in after,
        "folder added": "pkg/sub/more.py" in after,
        "folder removed": "conf/settings.yaml" not in after,
    }
    assert expected[change]


def test_an_edited_gitignore_or_shebang_walks_again(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    (tree / ".git").mkdir()
    gitignore = touch(tree, ".gitignore", "*.log\n")
    later_runs(monkeypatch)
    assert "pkg/views.py" in run(tree, folder)
    time.sleep(0.01)
    gitignore.write_text("*.log\npkg/views.py\n", encoding="utf-8")  # the same folder, new content
    assert "pkg/views.py" not in run(tree, folder)
    (tree / "bin" / "tool").write_text("#!/usr/bin/env python3\nprint()\n", encoding="utf-8")
    assert "bin/tool" in run(tree, folder)


def test_a_repository_root_appearing_above_walks_again(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    touch(tmp_path, ".gitignore", "views.py\n")  # not read: no repository yet
    later_runs(monkeypatch)
    assert "pkg/views.py" in run(tree, folder)
    (tmp_path / ".git").mkdir()
    assert "pkg/views.py" not in run(tree, folder)


def test_a_tree_changed_just_before_the_walk_is_not_recorded(tree: Path, tmp_path: Path) -> None:
    """A folder changed within the clock tick of a walk may change again without its times
    changing (a coarse file system): the walk is not recorded, the next one lists again."""
    folder = tmp_path / "cache"
    run(tree, folder)
    assert records(folder) == []


def test_a_record_is_not_taken_when_a_folder_keeps_its_times(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without change times and with the modification time put back, a file added within the
    tick of the first walk is still found: that walk was not recorded."""
    monkeypatch.setattr(result_cache, "signature", lambda info: (info.st_size, info.st_mtime_ns, 0, info.st_ino))
    folder = tmp_path / "cache"
    pkg = tree / "pkg"
    before = pkg.stat()
    assert "pkg/new.py" not in run(tree, folder)
    touch(tree, "pkg/new.py")
    os.utime(pkg, ns=(before.st_atime_ns, before.st_mtime_ns))
    later_runs(monkeypatch)
    assert "pkg/new.py" in run(tree, folder)


def test_a_folder_holding_a_symbolic_link_is_not_recorded(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = touch(tmp_path, "elsewhere/real.py")
    (tree / "pkg" / "linked.py").symlink_to(target)
    folder = tmp_path / "cache"
    later_runs(monkeypatch)
    assert "pkg/linked.py" in run(tree, folder)
    assert records(folder) == []
    target.unlink()  # the link's folder does not change
    assert "pkg/linked.py" not in run(tree, folder)


@pytest.mark.parametrize("damage", ["changed", "truncated", "another user"])
def test_a_damaged_or_foreign_record_is_ignored_with_a_notice(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    folder = tmp_path / "cache"
    later_runs(monkeypatch)
    run(tree, folder)
    (record,) = records(folder)
    head, _, body = record.read_bytes().partition(b"\n")
    if damage == "changed":  # a record hiding a file: its signature no longer matches
        content = json.loads(body)
        content["files"] = [group for group in content["files"] if not group[0].endswith("pkg")]
        record.write_bytes(head + b"\n" + json.dumps(content).encode())
    elif damage == "truncated":
        record.write_bytes(record.read_bytes()[:-50])
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-home"))
    found = discover_with_cache(folder, [tree], Config(root=tree))
    assert "pkg/views.py" in names(tree, found.files)
    assert [n.kind for n in found.notices] == ["cache"] and "discovery cache" in found.notices[0].message


def test_the_command_line_records_the_walk_only_with_its_cache(tree: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    args = ["check", str(tree), "--cache-dir", str(folder), "-q", "--no-progress"]
    assert main([*args, "--no-cache"]) == 0
    assert not folder.exists()
    assert main(args) == 0
    assert folder.is_dir()


def test_the_project_python_files_are_recorded_when_the_walk_listed_them_all(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    later_runs(monkeypatch)
    root = str(tree.resolve())
    expected = python_file_texts([tree.resolve()])
    assert discover_with_cache(folder, [tree], Config(root=tree)).python_texts == {root: expected}
    assert discover_with_cache(folder, [tree], Config(root=tree)).python_texts == {root: expected}  # recorded
    below = discover_with_cache(folder, [tree / "pkg"], Config(root=tree))  # the root's other folders not walked
    assert below.python_texts == {}
    listing = Listing(monkeypatch)
    again = discover_with_cache(folder, [tree / "pkg"], Config(root=tree))  # the listings are recorded instead
    assert listing.count == 0 and again.python_texts == {}
    pkg = str(tree.resolve() / "pkg")
    assert again.entries(pkg) == below.entries(pkg) is not None


def test_a_cache_folder_inside_the_tree_does_not_stop_the_record_from_being_used(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run may write into the cache folder (the project's ``.secreview_cache`` by
    default): while its own ``.gitignore`` ignores everything, what it holds does not matter."""
    folder = tree / ".secreview_cache"
    result_cache.prepare_folder(folder)
    later_runs(monkeypatch)
    first = run(tree, folder)
    (folder / "results-new.json").write_text("{}", encoding="utf-8")  # a run's results written
    listing = Listing(monkeypatch)
    found = discover_with_cache(folder, [tree], Config(root=tree))
    assert names(tree, found.files) == first and listing.count == 0
    (folder / ".gitignore").write_text("*.json\n", encoding="utf-8")
    (folder / "notes.py").write_text("x = 1\n", encoding="utf-8")
    assert ".secreview_cache/notes.py" in run(tree, folder)


def test_a_cache_folder_that_is_not_hidden_is_recorded_by_its_times(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tree / "cache"
    result_cache.prepare_folder(folder)
    later_runs(monkeypatch)
    run(tree, folder)
    (folder / "notes.py").write_text("x = 1\n", encoding="utf-8")  # ignored by the walk, not by a search
    found = discover_with_cache(folder, [tree], Config(root=tree))
    assert found.python_texts[str(tree.resolve())] == python_file_texts([tree.resolve()])


def test_file_arguments_are_looked_at_again(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    (tree / ".git").mkdir()
    gitignore = touch(tree, ".gitignore", "*.log\n")
    target = tree / "pkg" / "views.py"
    later_runs(monkeypatch)

    def found() -> tuple[list[str], list[str]]:
        result = discover_with_cache(folder, [target], Config(root=tree), force_exclude=True)
        expected = discover_files([target], Config(root=tree), force_exclude=True)
        assert (result.files, result.notices) == (expected.files, expected.notices)
        return names(tree, result.files), [n.kind for n in result.notices]

    assert found() == (["pkg/views.py"], [])
    assert found() == (["pkg/views.py"], [])
    gitignore.write_text("views.py\n", encoding="utf-8")  # now ignored: excluded, named or not
    assert found() == ([], [])
    target.unlink()
    assert found() == ([], ["not-found"])
