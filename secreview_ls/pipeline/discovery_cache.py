"""The command line's cache of the discovery walk: a run over a tree where no folder changed
lists no folder.

What ``discover_files`` finds depends on the names in each folder walked (a file added, removed
or renamed changes its folder's modification and change times), the ``.gitignore`` files and
``.git/info/exclude`` read (their own times), the first line of each file without a suffix
(peeked for a ``python`` shebang: its times), where the repository root is (a ``.git`` in the
folder or above it), what each argument is and resolves to, and the configuration. A run
records all of these with the files found; a later run with the same arguments and
configuration stats them again and, when each is as recorded, takes the files and folder
listings from the record instead of walking.

A record is written only when every time stamp in it was at least ``RACY_MARGIN_NS`` older
than the start of the walk (as the result cache trusts a file's signature): a folder changed
within the same tick of a coarse clock as the walk is listed again next time. A folder holding
a symbolic link that could be kept (its target may change without the folder changing) is not
recorded: such a tree is walked every time. The cache folder itself (inside the project by
default), which every run may write to, is recorded by its own ``.gitignore`` (``*``: nothing in
it is scanned while that holds) rather than by its times. Records are signed like the result
cache's; a damaged or foreign one is ignored with a notice.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Config
from ..engine.finding import Notice
from ..engine.project_files import Entries, python_file_texts
from . import result_cache
from .discovery import Discovery, discover_files

FORMAT = 1
MAX_RECORDS = 8  # one per configuration and arguments; the least recently written go first
IGNORES_ALL = "*"  # recorded for the cache folder in the tree instead of its signature (``_folders``)

Check = list[Any]  # [path, kind, value]: "s" stat signature (None: absent), "e" exists, "t" kind, "r" resolved


def discover_with_cache(
    folder: Path,
    paths: Sequence[Path],
    config: Config,
    *,
    gitignore: bool = True,
    exclude: Sequence[str] = (),
    force_exclude: bool = False,
) -> Discovery:
    """``discover_files`` of ``paths``, taken from the record in ``folder`` when nothing it
    depends on changed, else walked (and recorded when it can be)."""
    key = _key(paths, config, gitignore, exclude, force_exclude)
    file = folder / f"walk-{key}.json"
    notices: list[Notice] = []
    stored = _load(file, notices)
    if stored is not None:
        found = _reuse(stored)
        if found is not None:
            return found
    started_ns = result_cache._now_ns()
    before = _argument_checks(paths, force_exclude)
    found = discover_files(paths, config, gitignore=gitignore, exclude=exclude, force_exclude=force_exclude)
    _add_python_texts(found, config)
    checks = _record_checks(paths, found, force_exclude, before, started_ns)
    own = _resolved(str(folder)) if gitignore else None
    folders = None if checks is None else _folders(found, started_ns, own)
    if checks is not None and folders is not None:
        _save(folder, file, checks, folders, found)
    found.notices[:0] = notices
    return found


class _NotWalked(Exception):
    """A folder of the project the discovery did not list."""


def _add_python_texts(found: Discovery, config: Config) -> None:
    """Note in ``found`` the project's Python files (``project_files.python_file_texts`` of the
    project root, as the result cache looks for them) when the discovery listed every folder
    they are looked for in: they follow from those listings, and are recorded with them."""
    root = str((config.root or Path.cwd()).resolve())

    def listed(folder: str) -> Entries:
        entries = found.entries(folder)
        if entries is None:
            raise _NotWalked(folder)
        return entries

    try:
        texts = python_file_texts([Path(root)], listed=listed)
    except _NotWalked:
        return
    if all(text.startswith(os.path.join(root, "")) for text in texts):
        found.python_texts[root] = texts


def _key(paths: Sequence[Path], config: Config, gitignore: bool, exclude: Sequence[str], force_exclude: bool) -> str:
    """What makes a record usable: secreview's code, the configuration, the arguments as given
    and the folder they are relative to, and the walk's options."""
    settings = dataclasses.replace(config, source_file=None)
    parts = (
        __version__,
        sys.version,
        result_cache._own_code(),
        repr(settings),
        os.getcwd(),
        repr([str(p) for p in paths]),
        repr((gitignore, list(exclude), force_exclude)),
    )
    return result_cache.digest_bytes("\0".join(parts).encode("utf-8", "replace"))


# -- what a walk depends on ---------------------------------------------------------------


def _signature(path: str) -> list[int] | None:
    try:
        return list(result_cache.signature(os.stat(path)))
    except OSError:
        return None


def _kind(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return "missing"
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def _resolved(path: str) -> str | None:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return None


def _now(check: Check) -> Any:
    """The value of ``check`` now."""
    path, kind = check[0], check[1]
    if kind == "s":
        return _signature(path)
    if kind == "e":
        return os.path.exists(path)
    if kind == "t":
        return _kind(path)
    return _resolved(path)


def _ancestor_checks(directory: str) -> list[Check]:
    """What ``discovery``'s ``.gitignore`` chain of ``directory`` (itself included) is read from:
    where the repository root is, then the folders up to it, their ``.gitignore`` files and the
    root's ``.git/info/exclude``."""
    checks: list[Check] = []
    chain: list[str] = []
    current = directory
    while True:
        chain.append(current)
        has_git = os.path.exists(os.path.join(current, ".git"))
        checks.append([os.path.join(current, ".git"), "e", has_git])
        if has_git:
            info = os.path.join(current, ".git", "info")
            checks += [[info, "s", _signature(info)], [os.path.join(info, "exclude"), "s", None]]
            for ancestor in chain:
                checks += [[ancestor, "s", None], [os.path.join(ancestor, ".gitignore"), "s", None]]
            break
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for check in checks:
        if check[1] == "s":
            check[2] = _signature(check[0])
    return checks


def _argument_checks(paths: Sequence[Path], force_exclude: bool) -> list[Check]:
    """What each argument is, what it resolves to, and the ``.gitignore`` chain read for it."""
    checks: list[Check] = []
    for path in paths:
        text = str(path)
        kind = _kind(text)
        resolved = _resolved(text)
        checks += [[text, "t", kind], [text, "r", resolved]]
        if resolved is not None and (kind == "dir" or (kind == "file" and force_exclude)):
            checks += _ancestor_checks(resolved if kind == "dir" else os.path.dirname(resolved))
    return checks


def _record_checks(
    paths: Sequence[Path], found: Discovery, force_exclude: bool, before: list[Check], started_ns: int
) -> list[Check] | None:
    """The checks of a walk that started at ``started_ns`` besides its folders' (``_folders``);
    None when it cannot be recorded (something changed during it or too recently, or a folder
    holds a symbolic link)."""
    if _argument_checks(paths, force_exclude) != before:
        return None
    checks = list(before)
    for resolved, listing in found.listings.items():
        if listing.linked:
            return None
        for name, is_dir, _, by_name in listing.kept:
            if not is_dir and (by_name is None or name == ".gitignore"):
                checks.append([os.path.join(resolved, name), "s", None])
    checks += [[n.path, "s", None] for n in found.notices if n.kind == "unreadable"]
    for check in checks:
        if check[1] == "s" and check[2] is None:
            check[2] = _signature(check[0])
    signatures = [check[2] for check in checks if check[1] == "s"]
    if not all(_settled(signature, started_ns) for signature in signatures):
        return None
    return checks


def _folders(found: Discovery, started_ns: int, own: str | None) -> dict[str, list[Any]] | None:
    """Each folder walked with its signature, then (unless the project's Python files are
    recorded: nothing else reads them) its listing as ``Discovery.entries`` gives it: folders,
    links to folders, other names; None when one changed too recently. ``own``: the cache
    folder (when ``.gitignore`` files are honoured), which each run writes to: while its own
    ``.gitignore`` ignores everything in it (``IGNORES_ALL``), what it holds does not matter to
    the walk, nor, for a hidden folder, to the project's Python files (no hidden folder is
    searched)."""
    folders: dict[str, list[Any]] = {}
    listings = not found.python_texts
    for resolved in found.listings:
        if resolved == own and os.path.basename(own).startswith(".") and _ignores_all(resolved):
            folders[resolved] = [IGNORES_ALL]
            continue
        signature = _signature(resolved)
        if not _settled(signature, started_ns):
            return None
        entries = found.entries(resolved)
        assert entries is not None
        folders[resolved] = [signature, entries.folders, entries.links, entries.names] if listings else [signature]
    return folders


def _ignores_all(folder: str) -> bool:
    """Whether ``folder``'s own ``.gitignore`` is the cache folder's: ``*``."""
    try:
        with open(os.path.join(folder, ".gitignore"), "rb") as handle:
            return handle.read(64).split() == [b"*"]
    except OSError:
        return False


def _settled(signature: list[int] | None, started_ns: int) -> bool:
    """Whether a signature (None: absent) may be trusted by a later run (``settled``)."""
    return signature is None or result_cache.settled((*signature,), started_ns)


# -- reading and writing ------------------------------------------------------------------


def _load(file: Path, notices: list[Notice]) -> dict[str, Any] | None:
    try:
        raw = file.read_bytes()
    except OSError:
        return None  # none yet (or unreadable: the walk is only slower)
    head, _, body = raw.partition(b"\n")
    try:
        envelope = json.loads(head)
        if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
            why = "it was written by another version"
        elif not hmac.compare_digest(str(envelope.get("hmac", "")), _sign(body)):
            why = "it was not written by this user's secreview (or was changed since)"
        else:
            content = json.loads(body)
            return content if isinstance(content, dict) else None
    except (ValueError, RecursionError):
        why = "it is damaged"
    notices.append(Notice("cache", f"discovery cache {file} ignored: {why}; the folders are listed again"))
    return None


def _sign(body: bytes) -> str:
    return result_cache._sign(result_cache._user_key(), body)


def _reuse(stored: dict[str, Any]) -> Discovery | None:
    """The discovery recorded, when every check still holds."""
    try:
        for check in stored["checks"]:
            if _now(check) != check[2]:
                return None
        folders = stored["folders"]
        for folder, (signature, *_) in folders.items():
            if signature == IGNORES_ALL:
                if not _ignores_all(folder):
                    return None
            elif _signature(folder) != signature:
                return None
        entries = {
            folder: Entries(tuple(listing[0]), tuple(listing[1]), tuple(listing[2]))
            for folder, (_, *listing) in folders.items()
            if listing
        }
        files: list[Path] = []
        for parent, names in stored["files"]:
            where = Path(parent)
            files += [where / name for name in names]
        notices = [Notice(str(kind), str(message), None, str(path)) for kind, message, path in stored["notices"]]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None
    found = Discovery(files=files, notices=notices, recorded=entries)
    if stored.get("python") is not None:
        root, names = stored["python"]
        prefix = os.path.join(root, "")
        found.python_texts[root] = [prefix + name for name in names]
    return found


def _save(folder: Path, file: Path, checks: list[Check], folders: dict[str, list[Any]], found: Discovery) -> None:
    grouped: list[list[Any]] = []  # the files in their order, by folder: [folder, [names]]
    for path in found.files:
        parent = str(path.parent)
        if not grouped or grouped[-1][0] != parent:
            grouped.append([parent, []])
        grouped[-1][1].append(path.name)
    content = {
        "checks": checks,
        "folders": folders,
        "files": grouped,
        "notices": [[n.kind, n.message, n.path] for n in found.notices],
        "python": None,
    }
    for root, texts in found.python_texts.items():  # as texts under the root
        prefix = os.path.join(root, "")
        content["python"] = [root, [text[len(prefix) :] for text in texts]]
    body = json.dumps(content, separators=(",", ":")).encode("utf-8")
    head = json.dumps({"format": FORMAT, "version": __version__, "hmac": _sign(body)}).encode()
    try:
        result_cache.prepare_folder(folder)
        result_cache.write_atomically(file, head + b"\n" + body, ".walk-")
    except OSError:
        return
    _drop_old_records(folder)


def _drop_old_records(folder: Path) -> None:
    def written(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    for old in sorted(folder.glob("walk-*.json"), key=written, reverse=True)[MAX_RECORDS:]:
        try:
            old.unlink()
        except OSError:
            pass
