"""The project's files as its whole-project searches see them, and how an analysis records
that it searched them (light: no analysis is loaded to check a cached result).

``walk(roots, accept)`` lists the files under the roots (hidden folders, virtual environments and
installed packages left out, at most ``MAX_NAMING_FILES``). An analysis whose answer came from
searching every Python file for the ones whose text holds one of some ``markers`` (the log
formatters a project installs) records ``searched(markers)`` among the files it used, with the
files that answered: the answer holds while those are unchanged and no other Python file comes
to hold a marker.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

MAX_NAMING_FILES = 20_000  # files a search of the project looks through
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})
SEARCH_PREFIX = "<python files holding>"


def walk(roots: Iterable[Path], accept: Callable[[Path], bool], *, suffix: str = "") -> list[Path]:
    """The files under ``roots`` that ``accept`` takes, in a stable order; only names ending
    with ``suffix`` are offered to it (no path is made for the others)."""
    files: list[Path] = []
    for root in roots:
        for depth, (directory, folders, names) in enumerate(os.walk(root)):
            if depth and _is_environment(directory, folders, names):
                folders[:] = []  # a virtual environment below the root: neither its files nor its folders
                continue
            folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in SKIPPED_FOLDERS)
            files.extend(
                path for name in sorted(names) if name.endswith(suffix) and accept(path := Path(directory, name))
            )
            if len(files) >= MAX_NAMING_FILES:
                return files[:MAX_NAMING_FILES]
    return files


def _is_environment(directory: str, folders: list[str], names: list[str]) -> bool:
    """Whether a folder holds a ``pyvenv.cfg`` (looked at only when its listing names one)."""
    marker = "pyvenv.cfg"
    return (marker in names or marker in folders) and os.path.exists(os.path.join(directory, marker))


def python_files(roots: Iterable[Path]) -> list[Path]:
    return walk(roots, lambda path: path.suffix == ".py", suffix=".py")


def searched(markers: Iterable[str]) -> Path:
    """The entry recording a search of every Python file of the project for the ones whose text
    holds one of ``markers``: a file created or edited to hold one may change the answer."""
    return Path(SEARCH_PREFIX + "|" + "|".join(markers))


def search_markers(used: str) -> tuple[str, ...] | None:
    """The markers of a ``searched`` entry; None for a file."""
    if not used.startswith(SEARCH_PREFIX + "|"):
        return None
    return tuple(used[len(SEARCH_PREFIX) + 1 :].split("|"))


def real_path(path: Path, real_folder: Callable[[Path], Path]) -> Path:
    """``path.resolve()`` with its folder's real path from ``real_folder`` (a caller's cache):
    the file itself is looked at each time, and a link, a relative path or a path that cannot be
    looked at is resolved in full."""
    if not path.is_absolute() or ".." in path.parts:
        return path.resolve()
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return path.resolve()
    return path.resolve() if link else real_folder(path.parent) / path.name
