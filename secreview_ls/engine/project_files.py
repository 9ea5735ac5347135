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
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

MAX_NAMING_FILES = 20_000  # files a search of the project looks through
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})
SEARCH_PREFIX = "<python files holding>"
T = TypeVar("T")


@dataclass(frozen=True)
class Entries:
    """One folder's listing as a walk of the project reads it: its sub-folders (links to
    folders apart, in ``links``: they are not entered) and the names of its other entries."""

    folders: tuple[str, ...]
    links: tuple[str, ...]
    names: tuple[str, ...]


Listed = Callable[[str], "Entries | None"]  # a folder's listing already taken (None: not known)


def walk(
    roots: Iterable[Path], accept: Callable[[Path], bool], *, suffix: str = "", listed: Listed | None = None
) -> list[Path]:
    """The files under ``roots`` that ``accept`` takes, in a stable order; only names ending
    with ``suffix`` are offered to it (no path is made for the others). ``listed``: listings of
    this run already taken (they must name every entry ending with ``suffix`` and any
    ``pyvenv.cfg``); the other folders are listed here."""

    def take(directory: str, name: str) -> Path | None:
        path = Path(directory, name)
        return path if accept(path) else None

    return _walk(roots, take, suffix, listed)


def _walk(roots: Iterable[Path], take: Callable[[str, str], T | None], suffix: str, listed: Listed | None) -> list[T]:
    """What ``take(folder, name)`` makes of each file under ``roots`` whose name ends with
    ``suffix`` (None: not one of them), as ``walk`` orders and bounds them."""
    files: list[T] = []
    for root in roots:
        stack = [(os.fspath(root), False)]
        while stack:
            directory, below = stack.pop()
            entries = (listed(directory) if listed is not None else None) or _entries(directory)
            if entries is None:
                continue  # a folder that cannot be listed is left out
            if below and _is_environment(directory, entries):
                continue  # a virtual environment below the root: neither its files nor its folders
            for name in sorted(entries.names):
                if name.endswith(suffix) and (made := take(directory, name)) is not None:
                    files.append(made)
            if len(files) >= MAX_NAMING_FILES:
                return files[:MAX_NAMING_FILES]
            folders = sorted(f for f in entries.folders if not f.startswith(".") and f not in SKIPPED_FOLDERS)
            stack.extend((os.path.join(directory, folder), True) for folder in reversed(folders))
    return files


def _entries(directory: str) -> Entries | None:
    """``directory``'s listing (None when it cannot be listed); an entry that cannot be told a
    folder counts as a file, as ``os.walk`` has it."""
    folders: list[str] = []
    links: list[str] = []
    names: list[str] = []
    try:
        with os.scandir(directory) as listing:
            for entry in listing:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    names.append(entry.name)
                elif entry.is_symlink():
                    links.append(entry.name)
                else:
                    folders.append(entry.name)
    except OSError:
        return None
    return Entries(tuple(folders), tuple(links), tuple(names))


def _is_environment(directory: str, entries: Entries) -> bool:
    """Whether a folder holds a ``pyvenv.cfg`` (looked at only when its listing names one)."""
    marker = "pyvenv.cfg"
    named = marker in entries.names or marker in entries.folders or marker in entries.links
    return named and os.path.exists(os.path.join(directory, marker))


def python_files(roots: Iterable[Path], *, listed: Listed | None = None) -> list[Path]:
    """The project's Python files (``walk``); ``listed``: as ``walk`` has it."""
    return walk(roots, lambda path: path.suffix == ".py", suffix=".py", listed=listed)


def python_file_texts(roots: Iterable[Path], *, listed: Listed | None = None) -> list[str]:
    """``python_files`` as texts (``os.path.join`` of the folder and the name): no path object
    is made, for a caller that only stats them."""

    def take(directory: str, name: str) -> str | None:
        return None if name == ".py" else os.path.join(directory, name)  # ".py" has no suffix

    return _walk(roots, take, ".py", listed)


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


def module_name_under(path: Path, root: Path) -> str:
    """The dotted module name of ``path`` relative to ``root``; "" when it is not under ``root``."""
    try:
        return dotted_name(path.relative_to(root))
    except ValueError:
        return ""


def dotted_name(relative: Path) -> str:
    """``a/b/c.py`` → ``a.b.c`` (``a/b/__init__.py`` → ``a.b``), folders whose names are no
    identifier left out."""
    parts = list(relative.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(part for part in parts if part.isidentifier())
