"""Which files a scan looks at.

``discover_files(paths, config)`` walks directories recursively and returns the
files to analyze, sorted, plus notices for arguments that do not exist:

- Python sources (``.py``, ``.pyi``, ``.pyw``) and Python scripts without a
  suffix whose first line is a ``python`` shebang;
- Jupyter notebooks (``.ipynb``), whose code cells are analyzed as Python;
- text files the text rules read (``.env``, ``*.env``, ``.yaml``/``.yml``,
  ``.toml``, ``.ini``, ``.cfg``, ``.json``, ``.properties``, ``.conf``).

Directories and files matching the configuration's ``exclude`` /
``extend-exclude`` globs are skipped, and so are those a ``.gitignore`` ignores
(nested ``.gitignore`` files, the ones above the scanned directory up to the
repository root, and ``.git/info/exclude``; the deepest matching pattern
wins, as in git). A file named explicitly on the command line is always
scanned unless ``force_exclude`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, written_under
from ..engine.finding import Notice
from ..engine.project_files import Entries

if TYPE_CHECKING:
    import pathspec  # imported where a pattern is read: a walk taken from its record reads none

PYTHON_SUFFIXES = frozenset({".py", ".pyi", ".pyw"})
TEXT_SUFFIXES = frozenset({".env", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".json", ".properties", ".conf"})
TEXT_NAMES = frozenset({".env"})
NOTEBOOK_SUFFIXES = frozenset({".ipynb"})  # Jupyter notebooks: their code cells are analyzed
_SHEBANG_PEEK = 128


def is_candidate(path: Path) -> bool:
    """Whether a file (found while walking a directory) is one the scan analyzes."""
    by_name = _candidate_name(path.name)
    return has_python_shebang(path) if by_name is None else by_name


def _candidate_name(name: str) -> bool | None:
    """``is_candidate`` from the file's name alone; None when only its first line can tell."""
    if name.endswith(".py"):
        return True  # most files a scan sees
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".":
        suffix = ""  # ``a.`` has no suffix, as ``Path.suffix`` says
    if suffix in PYTHON_SUFFIXES or suffix in NOTEBOOK_SUFFIXES or suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
        return True
    if name.startswith(".env.") or name.endswith(".env"):
        return True
    return None if not suffix else False


def has_python_shebang(path: Path) -> bool:
    """True for a file whose first line is ``#!...python...``."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SHEBANG_PEEK)
    except OSError:
        return False
    if not head.startswith(b"#!"):
        return False
    first = head.split(b"\n", 1)[0]
    return b"python" in first


@dataclass
class _Ignore:
    """The gitignore rules of one directory."""

    base: Path
    spec: pathspec.GitIgnoreSpec


@dataclass
class Discovery:
    """Files to analyze (sorted, unique) and notices about the arguments; ``listings``: the
    folders walked (by their resolved path as text) with what each one held, for a later walk of
    the project's Python files in the same run (``entries``); ``recorded``: the same, as
    ``entries`` gives them, of a walk taken from its record (``discovery_cache``);
    ``python_texts``: by project root, its Python files (``project_files.python_file_texts``)
    when that record's listings hold them all."""

    files: list[Path] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    listings: dict[str, _Listing] = field(default_factory=dict)
    recorded: dict[str, Entries] = field(default_factory=dict)  # listings of a recorded walk
    python_texts: dict[str, list[str]] = field(default_factory=dict)  # ``discovery_cache``

    def entries(self, folder: str) -> Entries | None:
        """The listing of ``folder`` (a resolved path) taken by this discovery, as
        ``project_files.walk`` reads it; None for a folder not walked."""
        known = self.recorded.get(folder)
        if known is not None:
            return known
        listing = self.listings.get(folder)
        if listing is None:
            return None
        folders = tuple(name for name, is_dir, is_link, _ in listing.kept if is_dir and not is_link)
        links = tuple(name for name, is_dir, is_link, _ in listing.kept if is_dir and is_link)
        return Entries(folders, links, tuple(name for name, is_dir, _, _ in listing.kept if not is_dir))


def _read_ignore(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return None
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # a malformed pattern must not stop the scan
        return None


def _git_root(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _ancestor_ignores(directory: Path, *, include_self: bool = False) -> list[_Ignore]:
    """gitignore rules that apply inside ``directory`` from above it (up to the repository root);
    with ``include_self`` also the directory's own ``.gitignore``."""
    root = _git_root(directory)
    if root is None:
        return []
    chain: list[_Ignore] = []
    exclude_file = root / ".git" / "info" / "exclude"
    if exclude_file.is_file():
        spec = _read_ignore(exclude_file)
        if spec is not None:
            chain.append(_Ignore(root, spec))
    parents = [directory, *directory.parents]
    first = 0 if include_self else 1
    for current in reversed(parents[first : parents.index(root) + 1] if root in parents else []):
        spec = _read_ignore(current / ".gitignore")
        if spec is not None:
            chain.append(_Ignore(current, spec))
    return chain


def _ignored(chain: Sequence[_Ignore], path: Path, is_dir: bool) -> bool:
    """Deepest matching pattern decides, as in git."""
    for ignore in reversed(chain):
        try:
            rel = path.relative_to(ignore.base).as_posix()
        except ValueError:
            continue
        if is_dir:
            rel += "/"
        verdict = ignore.spec.check_file(rel).include
        if verdict is not None:
            return bool(verdict)
    return False


def _excluded(
    config: Config, path: Path, extra: pathspec.GitIgnoreSpec | None, is_dir: bool, rel: str | None = None
) -> bool:
    """Whether the configuration or ``extra`` excludes ``path``; ``rel``: its path relative to
    the project root when the caller knows it (``config.relative(path)``)."""
    if rel is None:
        rel = config.relative(path)
    if config.is_excluded_relative(rel) or (is_dir and config.is_excluded_relative(rel + "/.secreview-probe")):
        return True
    if extra is not None:
        return extra.match_file(rel + "/" if is_dir else rel)
    return False


def _relative_top(config: Config, top: Path | str) -> str | None:
    """The path of the walked folder relative to the project root ("" for the root itself),
    such that ``config.relative`` of an entry under it is this plus ``/name``; None when the
    folder is not written under the root (each entry is then made relative on its own)."""
    if config.root is None:
        return None
    probe = written_under(os.path.join(os.path.abspath(top), "x"), config.root)
    return probe[:-2] if probe is not None and probe.endswith("/x") else "" if probe == "x" else None


def _relative_child(parent: str | None, name: str, resolved: bool = False, maybe_link: bool = False) -> str | None:
    """``config.relative(directory / name)`` from the directory's (None: not known).
    ``resolved``: the directory's was made from its resolved path (it is written outside the
    root, through a link: ``config.relative`` resolves each entry), which stands for an entry's
    only when the entry is no link itself (``maybe_link``: it may be one)."""
    if parent is None or (resolved and maybe_link):
        return None
    return f"{parent}/{name}" if parent else name


def _extra_spec(exclude: Sequence[str]) -> pathspec.GitIgnoreSpec | None:
    """The ``--exclude`` globs as one gitignore spec (None without any)."""
    if not exclude:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(list(exclude))


def discover_files(
    paths: Iterable[str | Path],
    config: Config,
    *,
    gitignore: bool = True,
    exclude: Sequence[str] = (),
    force_exclude: bool = False,
) -> Discovery:
    """Expand ``paths`` (files and directories) into the files a scan analyzes.

    ``exclude`` adds gitignore-style globs (relative to the project root) on top
    of the configuration's ``exclude``/``extend-exclude``.
    """
    extra = _extra_spec(exclude)
    found: dict[Path, None] = {}
    result = Discovery()
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if force_exclude and (
                _excluded(config, path, extra, False)
                or (
                    gitignore
                    and _ignored(_ancestor_ignores(path.resolve().parent, include_self=True), path.resolve(), False)
                )
            ):
                continue
            found.setdefault(path, None)
        elif path.is_dir():
            walked = walk(path, config, extra=extra, gitignore=gitignore, listings=result.listings)
            for directory, reason in walked.unreadable:
                message = f"cannot list this directory ({reason}); its files were not scanned"
                result.notices.append(Notice("unreadable", message, None, str(directory)))
            for item in walked.files:
                found.setdefault(item, None)
        elif path.exists():
            result.notices.append(Notice("skipped", "not a regular file or directory; skipped", None, str(path)))
        else:
            result.notices.append(Notice("not-found", "no such file or directory", None, str(path)))
    result.files = sorted(found)
    return result


@dataclass(frozen=True)
class Bounds:
    """Limits of a walk over a directory that may be anything, even ``/`` (the server's
    workspace scan, ``bounded_walk``): stop at ``max_files`` files found or after
    ``entries_per_file`` times as many directory entries looked at, never enter a directory
    ``skip_directory`` names (given its resolved path), and end at once when ``stop()``."""

    max_files: int
    entries_per_file: int
    skip_directory: Callable[[Path], bool]
    stop: Callable[[], bool]


@dataclass
class Walked:
    """What a walk found: files (sorted within each directory), directories it could not
    list (with the reason), and why it stopped early, if it did."""

    files: list[Path] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    limited: str = ""
    cancelled: bool = False


@dataclass
class _Listing:
    """The entries of one directory a walk may keep, by name: (name, is a directory, is a
    symbolic link, ``_candidate_name`` for a file); how many entries it has; whether one is a
    ``.gitignore``; ``linked``: whether what it keeps may change without the directory
    changing (an entry that may be kept is a symbolic link, or its kind could not be read)."""

    kept: list[tuple[str, bool, bool, bool | None]]
    seen: int
    has_gitignore: bool
    linked: bool = False


def _listing(directory: str) -> _Listing:
    """List ``directory`` (``OSError`` when it cannot be): folders and the files a scan may
    read, sorted by name; ``.git``, other kinds of entries and files no scan reads are left out."""
    kept: list[tuple[str, bool, bool, bool | None]] = []
    seen = 0
    has_gitignore = False
    linked = False
    with os.scandir(directory) as entries:
        for entry in entries:
            seen += 1
            name = entry.name
            if name == ".git":
                continue
            try:
                if entry.is_dir():
                    is_link = entry.is_symlink()
                    linked = linked or is_link
                    kept.append((name, True, is_link, True))
                    continue
                by_name = _candidate_name(name)
                if by_name is False:
                    continue  # a file no scan reads: excluded or not, it is not listed
                linked = linked or entry.is_symlink()
                if not entry.is_file():
                    continue
            except OSError:
                linked = True
                continue
            if name == ".gitignore":
                has_gitignore = True
            kept.append((name, False, False, by_name))
    kept.sort()
    return _Listing(kept, seen, has_gitignore, linked)


def _exclusion(config: Config, extra: pathspec.GitIgnoreSpec | None) -> Callable[[str, str, str | None, bool], bool]:
    """``_excluded`` of the entry ``name`` of a folder, for one walk, with the configuration's
    patterns compiled once."""
    excluded_relative = config.exclusion_test()

    def excluded(directory: str, name: str, rel: str | None, is_dir: bool) -> bool:
        if rel is None:
            rel = config.relative(Path(directory, name))
        if excluded_relative(rel) or (is_dir and excluded_relative(rel + "/.secreview-probe")):
            return True
        return extra is not None and bool(extra.match_file(rel + "/" if is_dir else rel))

    return excluded


def walk(
    top: Path,
    config: Config,
    *,
    extra: pathspec.GitIgnoreSpec | None = None,
    gitignore: bool = True,
    bounds: Bounds | None = None,
    listings: dict[str, _Listing] | None = None,
) -> Walked:
    """The files under ``top`` a scan analyzes: candidates (``is_candidate``) not excluded by
    the configuration, ``extra`` or a ``.gitignore``; symbolic links to directories and
    ``.git`` are not entered. Within ``bounds`` when given. ``listings``: each folder listed is
    recorded there, by its resolved path as text (``Discovery.entries``)."""
    walked = Walked()
    try:
        resolved_top = top.resolve()
    except (OSError, RuntimeError) as error:
        walked.unreadable.append((top, getattr(error, "strerror", None) or type(error).__name__))
        return walked
    chain = _ancestor_ignores(resolved_top) if gitignore else []
    if chain and _ignored(chain, resolved_top, True):
        # The directory was named explicitly although an enclosing .gitignore ignores it:
        # scan it, honouring only the .gitignore files inside it.
        chain = []
    max_entries = max(bounds.max_files, 1) * bounds.entries_per_file if bounds is not None else 0
    entries_seen = 0
    excluded = _exclusion(config, extra)
    # Stack of (directory as given, resolved directory as text, gitignore chain for it, its path
    # relative to the project root when written under it). Children's relative paths are
    # the directory's plus their name: no path object is made for an entry only to match it.
    top_rel = _relative_top(config, top)
    # A folder written outside the root that resolves under it (a link on the way, such as
    # macOS's ``/tmp``): an entry that is no link resolves to the resolved folder's path plus
    # its name, so its relative path is made from that one without resolving it again.
    by_resolved = top_rel is None and config.root is not None
    if by_resolved:
        top_rel = _relative_top(config, str(resolved_top))
    # Folders are kept as text: a path object is made only for a folder with a file to give.
    stack: list[tuple[str, str, list[_Ignore], str | None]] = [(str(top), str(resolved_top), chain, top_rel)]
    while stack:
        if bounds is not None and bounds.stop():
            walked.cancelled = True
            break
        directory, resolved, chain, directory_rel = stack.pop()
        try:
            listed = _listing(directory)
        except OSError as error:
            walked.unreadable.append((Path(directory), error.strerror or type(error).__name__))
            continue
        entries_seen += listed.seen
        if listings is not None:
            listings[resolved] = listed
        if gitignore and listed.has_gitignore:
            own = _read_ignore(Path(resolved, ".gitignore"))
            if own is not None:
                chain = [*chain, _Ignore(Path(resolved), own)]
        subdirs: list[tuple[str, str, list[_Ignore], str | None]] = []
        folder: Path | None = None
        for name, is_dir, is_link, by_name in listed.kept:
            rel = _relative_child(directory_rel, name, by_resolved, is_link or (listed.linked and not is_dir))
            if excluded(directory, name, rel, is_dir):
                continue
            if gitignore and chain and _ignored(chain, Path(resolved, name), is_dir):
                continue
            if is_dir:
                if is_link:
                    continue  # avoid cycles and scanning outside the tree
                if bounds is not None and bounds.skip_directory(Path(resolved, name)):
                    continue
                subdirs.append((os.path.join(directory, name), os.path.join(resolved, name), chain, rel))
                continue
            if folder is None:
                folder = Path(directory)
            path = folder / name
            if by_name or has_python_shebang(path):
                walked.files.append(path)
                if bounds is not None and len(walked.files) >= bounds.max_files:
                    walked.limited = f"stopped at {bounds.max_files:,} files (the `scanMaxFiles` setting)"
                    return walked
        if bounds is not None and entries_seen >= max_entries:
            walked.limited = f"stopped after looking at {entries_seen:,} directory entries"
            return walked
        stack.extend(reversed(subdirs))
    return walked
