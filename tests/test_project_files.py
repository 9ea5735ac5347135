"""The project's files as whole-project searches see them (``engine.project_files.walk``)."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.engine.project_files import python_files, walk


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
