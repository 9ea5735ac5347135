"""The project's files as whole-project searches see them (``engine.project_files.walk``)."""

from __future__ import annotations

import os
from pathlib import Path

from secreview_ls.config import Config
from secreview_ls.engine.project_files import Entries, python_file_texts, python_files, walk
from secreview_ls.pipeline.discovery import discover_files


def test_environments_hidden_and_installed_folders_are_left_out(tmp_path: Path) -> None:
    for name in ("app/views.py", "app/venvish/lib/m.py", "app/.hidden/h.py", "node_modules/n.py", "a/b/c.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "app/venvish/pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    (tmp_path / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")  # the root itself is walked
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in python_files([tmp_path])]
    assert found == ["a/b/c.py", "app/views.py"]
    texts = walk([tmp_path], lambda path: path.suffix == ".txt")
    assert [p.name for p in texts] == ["notes.txt"]


def test_a_name_without_the_suffix_is_not_offered(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("", encoding="utf-8")
    (tmp_path / "m.pyi").write_text("", encoding="utf-8")
    offered: list[str] = []
    walk([tmp_path], lambda path: offered.append(path.name) or True, suffix=".py")
    assert offered == ["m.py"]


def test_listings_already_taken_are_read_not_listed_again(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.py", "b.py", "sub/c.py"):
        (tmp_path / name).write_text("", encoding="utf-8")
    taken = {str(tmp_path): Entries(("sub",), (), ("a.py", "notes.txt"))}  # b.py made after it
    found = python_file_texts([tmp_path], listed=taken.get)
    assert found == [str(tmp_path / "a.py"), str(tmp_path / "sub" / "c.py")]  # sub/ is listed here
    assert [str(p) for p in python_files([tmp_path], listed=taken.get)] == found


def test_a_discovery_lends_its_listings(tmp_path: Path) -> None:
    for name in ("app/views.py", "app/link_target/x.py", "notes.md", ".hidden/h.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "app" / "linked").symlink_to(tmp_path / "app" / "link_target")
    found = discover_files([tmp_path], Config(root=tmp_path))
    root = str(tmp_path.resolve())
    assert python_file_texts([tmp_path.resolve()], listed=found.entries) == python_file_texts([tmp_path.resolve()])
    app = found.entries(os.path.join(root, "app"))
    assert app is not None and app.folders == ("link_target",) and app.links == ("linked",)
    assert app.names == ("views.py",)
    assert found.entries(os.path.join(root, "elsewhere")) is None
