"""The files a workspace scan analyzes, found within bounds.

The same files as ``secreview check`` finds, by the same walk (``discovery.walk``: Python
sources and the text files the text rules read; the configuration's excludes and
``.gitignore`` files honoured), with what a server needs on top, since a workspace folder may be any directory, even ``/``:

- pseudo filesystems (``/proc``, ``/sys``, ``/dev``...) and the system folders at the root
  of a filesystem are never entered;
- the walk stops at ``max_files`` files found (or after ``ENTRIES_PER_FILE`` times as many
  directory entries looked at), and says so;
- ``stop()`` is asked before each directory: a cancelled scan ends at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from .discovery import Bounds, walk

DEFAULT_MAX_FILES = 10_000
ENTRIES_PER_FILE = 20
SYSTEM_DIRECTORIES = frozenset({"proc", "sys", "dev", "run", "snap", "boot", "lost+found"})
PSEUDO_FILESYSTEMS = frozenset(
    {
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs",
        "efivarfs", "fusectl", "hugetlbfs", "mqueue", "nsfs", "proc", "pstore", "rpc_pipefs", "securityfs",
        "selinuxfs", "sysfs", "tracefs",
    }
)  # fmt: skip


@dataclass
class Found:
    """Files to scan (sorted within each directory) and why the walk stopped early, if it did."""

    files: list[Path] = field(default_factory=list)
    limited: str = ""  # a sentence for the user when the walk stopped at a bound
    cancelled: bool = False
    unreadable: int = 0  # directories that could not be listed


def pseudo_mounts(mounts_file: str = "/proc/self/mounts") -> frozenset[str]:
    """Mount points of pseudo filesystems (from ``/proc/self/mounts``; empty elsewhere)."""
    found: set[str] = set()
    try:
        with open(mounts_file, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.split()
                if len(fields) >= 3 and fields[2] in PSEUDO_FILESYSTEMS:
                    found.add(_unescape(fields[1]))
    except OSError:
        pass
    return frozenset(found)


def _unescape(field_text: str) -> str:
    """``/proc/self/mounts`` writes a space as ``\\040``, a tab as ``\\011``..."""
    if "\\" not in field_text:
        return field_text
    return field_text.encode("latin-1", "replace").decode("unicode_escape", "replace")


def find_files(
    root: Path,
    config: Config,
    *,
    max_files: int = DEFAULT_MAX_FILES,
    stop: Callable[[], bool] = lambda: False,
    skip_mounts: frozenset[str] | None = None,
) -> Found:
    """The files under ``root`` a scan analyzes, within the bounds of the module docstring."""
    skip = pseudo_mounts() if skip_mounts is None else skip_mounts
    bounds = Bounds(max_files, ENTRIES_PER_FILE, lambda path: _system_directory(path, skip), stop)
    walked = walk(root, config, bounds=bounds)
    return Found(walked.files, walked.limited, walked.cancelled, len(walked.unreadable))


def _system_directory(path: Path, pseudo: frozenset[str]) -> bool:
    """A pseudo filesystem, or a system folder at the root of a filesystem (``/proc``,
    ``/sys``...)."""
    text = str(path)
    if text in pseudo:
        return True
    return path.name in SYSTEM_DIRECTORIES and (path.parent == Path(path.anchor) or os.path.ismount(path))
