"""Module names of analyzed files: relative to the project root, through linked folders as
their real paths place them (each folder's real path is looked up once per process)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secreview_ls.pipeline.reading import module_name_for


def resolved_name(path: Path, root: Path | None) -> str:
    """The name by resolving every component of the path (what the lookup must agree with)."""
    candidate = path
    if root is not None:
        try:
            candidate = path.resolve().relative_to(root.resolve())
        except ValueError:
            pass
    parts = list(candidate.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in parts if p.isidentifier())


def test_a_file_under_the_root_is_named_by_its_packages(tmp_path: Path) -> None:
    (tmp_path / "app" / "db").mkdir(parents=True)
    assert module_name_for(tmp_path / "app" / "db" / "query.py", tmp_path) == "app.db.query"
    assert module_name_for(tmp_path / "app" / "db" / "__init__.py", tmp_path) == "app.db"
    assert module_name_for(str(tmp_path / "app" / "x" / ".." / "db" / "query.py"), tmp_path) == "app.db.query"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_linked_folders_and_files_are_named_by_their_real_place(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    (root / "app" / "real.py").write_text("x = 1\n")
    outside = tmp_path / "elsewhere" / "lib"
    outside.mkdir(parents=True)
    (outside / "mod.py").write_text("x = 1\n")
    (root / "linked").symlink_to(root / "app", target_is_directory=True)
    (root / "app" / "alias.py").symlink_to(root / "app" / "real.py")
    (root / "out").symlink_to(outside, target_is_directory=True)
    linked_root = tmp_path / "root-link"
    linked_root.symlink_to(root, target_is_directory=True)
    assert module_name_for(root / "linked" / "real.py", root) == "app.real"
    assert module_name_for(root / "app" / "alias.py", root) == "app.real"
    assert module_name_for(root / "app" / "real.py", linked_root) == "app.real"
    cases = [
        (root / "linked" / "real.py", root),
        (root / "app" / "alias.py", root),
        (root / "out" / "mod.py", root),
        (root / "app" / "missing.py", root),
        (linked_root / "linked" / "real.py", root),
        (root / "app" / "real.py", linked_root),
        (root / "app" / "real.py", None),
    ]
    for path, base in cases:
        assert module_name_for(path, base) == resolved_name(path, base), path
