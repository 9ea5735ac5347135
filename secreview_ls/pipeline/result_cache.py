"""The command line's result cache: unchanged files are not analyzed again.

A file's cached result is reused when all of these are unchanged: its bytes, the configuration,
the version of secreview and of Python, the list of the project's files (a new module can change
what an import resolves to), and the bytes of every project file whose taint summaries its
analysis used (recorded by ``ProjectIndex.recording``, through the files those call into).
An analysis that searched every Python file of the project (for the log formatters it installs)
recorded the files that answered among them, and the search itself with the texts it looks
for: its result is also reused only while no Python file of the project is new or changed since
the last run and holds one of those texts (only such files are read; the others are known by
their stat signature, as every file of a run is).
Results that are not complete for a reason that may not recur (a timeout, an internal error, a
file too deep to analyze, a failed read) are never stored; a file whose bytes keep it from
being analyzed (undecodable, binary, too large, too many syntax errors) is not read again.

A file is only read and hashed when its stat signature (size, modification and change times in
nanoseconds, inode) differs from the one recorded with its digest. A signature is recorded only
when the file's times were at least ``RACY_MARGIN_NS`` older than the start of the run that
read it: a file written just before (or during) a run may be written again within the same
tick of the file system's clock without its times changing, so its content is hashed again
on the next run rather than trusted to its signature.

The cache is one JSON file per configuration under the cache folder (``.secreview_cache`` in
the project root by default), written atomically. Every file carries an HMAC made with a key
kept in the user's own cache folder (``~/.cache/secreview/cache.key``, mode 0600): a cache that
came with the code under review (an archive, a shared volume) or was damaged is ignored with a
notice, never trusted, so it cannot hide findings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Config, written_under
from ..engine.finding import INCOMPLETE_KINDS, Finding, Notice, Span
from ..engine.project_files import Listed, python_file_texts, real_path, search_markers
from .result import AnalysisResult

DEFAULT_FOLDER = ".secreview_cache"
ENVIRONMENT_VARIABLE = "SECREVIEW_CACHE_DIR"
FORMAT = 4
RACY_MARGIN_NS = 2_000_000_000  # coarser than any file system's time stamps (FAT: 2 s)
MAX_ENTRIES = 200_000  # a cache file over this many files is started afresh
MAX_CACHE_FILES = 8  # one per configuration and file list; the least recently written go first

ABSENT = ""  # the digest recorded for a file a result used that did not exist (a template looked for)
SEARCHED = "*"  # recorded for a search of the project's Python files (``ProjectIndex.recording``)
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# A cache of secreview results: safe to delete.\n"


def cache_folder(config: Config, chosen: str | os.PathLike[str] | None = None) -> Path:
    """``chosen`` (``--cache-dir``), else ``$SECREVIEW_CACHE_DIR``, else ``.secreview_cache``
    in the project root (the current folder without one)."""
    if chosen:
        return Path(chosen)
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE)
    if from_environment:
        return Path(from_environment)
    return (config.root or Path.cwd()) / DEFAULT_FOLDER


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def digest_file(path: Path | str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return digest_bytes(handle.read())
    except OSError:
        return None


Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _now_ns() -> int:
    return time.time_ns()


def settled(stamp: Signature, started_ns: int) -> bool:
    """Whether a file with this signature, read by a run started at ``started_ns``, may be
    trusted by its signature later: its last change was well before the run started, so any
    later write changes its times (a write in the same clock tick as the read could not)."""
    return max(stamp[1], stamp[2]) + RACY_MARGIN_NS < started_ns


def _configuration_key(config: Config, files: Iterable[Path]) -> str:
    """What makes results comparable: tool and Python versions, secreview's own code (an
    installation from a checkout changes without a new version), the configuration (minus
    where it was read from) and the project's file list."""
    settings = dataclasses.replace(config, source_file=None)
    listing = "\n".join(sorted(str(p) for p in files))
    parts = (__version__, sys.version, _own_code(), repr(settings), digest_bytes(listing.encode("utf-8", "replace")))
    return digest_bytes("\0".join(parts).encode("utf-8", "replace"))


@functools.cache
def _own_code() -> str:
    """A digest of the name, size and modification time of each of secreview's modules."""
    package = str(Path(__file__).resolve().parents[1])
    modules: list[tuple[list[str], str]] = []  # (parts, path relative to the package), as paths sort
    for folder, _, names in os.walk(package):
        below = os.path.relpath(folder, package)
        for name in names:
            if name.endswith(".py"):
                relative = name if below == "." else os.path.join(below, name)
                modules.append((relative.split(os.sep), relative))
    stamps = []
    for _, relative in sorted(modules):
        try:
            info = os.stat(os.path.join(package, relative))
        except OSError:
            continue
        stamps.append(f"{relative}:{info.st_size}:{info.st_mtime_ns}")
    return digest_bytes("\n".join(stamps).encode("utf-8", "replace"))


def _user_key() -> bytes:
    """The key signing cache files, made once per user; kept outside any project."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "secreview"
    path = base / "cache.key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    import secrets  # once per user

    key = secrets.token_bytes(32)
    try:
        base.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
    except OSError:
        pass  # an unwritable home: this run's cache is signed with a key nobody keeps
    return key


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class ResultCache:
    """Cached results of one configuration, loaded from and saved to ``folder``; ``listed``:
    the folder listings this run already took (``Discovery.entries``), read again rather than
    listed anew when the project's Python files are looked for; ``python_texts``: those files
    when the discovery knows them already (``Discovery.python_texts``)."""

    def __init__(
        self,
        folder: Path,
        config: Config,
        files: Iterable[Path],
        *,
        listed: Listed | None = None,
        python_texts: list[str] | None = None,
    ) -> None:
        self.folder = folder
        self.root = (config.root or Path.cwd()).resolve()
        self.file = folder / f"results-{_configuration_key(config, files)}.json"
        self.notices: list[Notice] = []
        self.hits = 0
        self._key = _user_key()
        self._entries: dict[str, dict[str, Any]] = {}
        # The (used file's key, its digest then) pairs the entries' "uses" point into by index:
        # most files of a project use the same few, each checked once per run.
        self._pairs: list[list[str]] = []
        self._pair_index: dict[tuple[str, str], int] | None = None  # made when a result is stored
        self._pair_holds: dict[int, bool] = {}
        self._used: set[str] = set()
        self._root_text = str(self.root)
        self._real_folders: dict[Path, Path] = {}  # the folders of files written outside the root
        self._digests: dict[str, str | None] = {}  # by the file's path as text
        self._used_digests: dict[str, str] = {}  # by an entry's key of a used file (ABSENT: gone)
        self._started_ns = _now_ns()
        self._stamps: dict[str, list[Any]] = {}  # path (as ``_where``) -> [*signature, digest], loaded
        self._settled: dict[str, list[Any]] = {}  # the same, of this run's files, to save
        self._root_prefix = os.path.join(self._root_text, "")
        # The lists of rules run, each stored once (most files of a project share one or two):
        # a result holds its index in this table.
        self._rule_sets: list[tuple[str, ...]] = []
        self._rule_set_index: dict[tuple[str, ...], int] = {}
        self._changed = False
        self._searches: dict[tuple[str, ...], bool] = {}  # markers -> whether a file holding one changed
        self._changed_python: list[Path] | None = None  # the project's Python files new or changed
        self._listed = listed
        self._python_texts = python_texts
        self._load()

    # -- reading ---------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            raw = self.file.read_bytes()
        except FileNotFoundError:
            return
        except OSError as error:
            self._ignore(f"cannot read it ({error.strerror or error})")
            return
        try:
            head, _, body = raw.partition(b"\n")
            envelope = json.loads(head)
            if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
                self._ignore("it was written by another version")
                return
            if not hmac.compare_digest(str(envelope.get("hmac", "")), _sign(self._key, body)):
                self._ignore("it was not written by this user's secreview (or was changed since)")
                return
            content = json.loads(body)
        except (ValueError, RecursionError):
            self._ignore("it is damaged")
            return
        if not isinstance(content, dict) or not isinstance(content.get("results"), dict):
            return
        rule_sets = content.get("rule_sets")
        if not isinstance(rule_sets, list) or not all(
            isinstance(rules, list) and all(isinstance(rule, str) for rule in rules) for rules in rule_sets
        ):
            return
        if not isinstance(content.get("used"), list):
            return
        self._entries = content["results"]
        self._pairs = content["used"]
        for rules in rule_sets:
            self._rule_set_index.setdefault(tuple(rules), len(self._rule_sets))
            self._rule_sets.append(tuple(rules))
        if isinstance(content.get("stamps"), dict):
            self._stamps = content["stamps"]

    def _ignore(self, why: str) -> None:
        self.notices.append(Notice("cache", f"result cache {self.file} ignored: {why}; analyzing every file"))
        self._changed = True  # written afresh at the end

    def _digest(self, path: Path | str, where: str | None = None) -> str | None:
        """The digest of the file's content, read only when its stat signature is not the
        settled one recorded with a digest; None when it cannot be read. ``where``: its
        ``_where`` when the caller has it."""
        text = os.fspath(path)
        if text in self._digests:
            return self._digests[text]
        try:
            stamp = signature(os.stat(text))
        except OSError:
            self._digests[text] = None
            return None
        if where is None:
            where = self._where(text)
        known = self._stamps.get(where)
        if isinstance(known, list) and len(known) == 5 and tuple(known[:4]) == stamp and isinstance(known[4], str):
            digest: str | None = known[4]
            self._settled[where] = known
        else:
            digest = digest_file(text)
            if digest is not None and settled(stamp, self._started_ns):
                self._settled[where] = [*stamp, digest]
                self._changed = True
        self._digests[text] = digest
        return digest

    def _where(self, text: str) -> str:
        """The key of a file's stat signature: its absolute path, relative to the root under it."""
        absolute = os.path.abspath(text)
        return absolute[len(self._root_prefix) :] if absolute.startswith(self._root_prefix) else absolute

    def _key_of(self, path: Path | str) -> str:
        """``relative_to_root``: written under the root, taken as written; else resolved, with
        the real path of its folder kept for this run (a root reached through a link, such as
        macOS's ``/tmp``: every file of the scan is written outside it) and the file itself
        looked at each time (``real_path``)."""
        written = written_under(path, self.root)
        if written is not None:
            return written
        real = str(real_path(Path(path), self._real_folder))
        if real == self._root_text:
            return "."
        return written_under(real, self.root) or Path(real).as_posix()

    def _real_folder(self, folder: Path) -> Path:
        known = self._real_folders.get(folder)
        if known is None:
            known = self._real_folders[folder] = folder.resolve()
        return known

    def _path_of(self, key: str) -> str:
        """The file of an entry's key, as text (no path object: asked for every file a cached
        result used, in every run)."""
        return key if os.path.isabs(key) else os.path.join(self._root_text, key)

    def _used_digest(self, used: str) -> str:
        """The digest now of a file a cached result used, by its entry key (the files a project's
        results use are mostly the same few, asked once per result using them)."""
        found = self._used_digests.get(used)
        if found is None:
            found = self._used_digests[used] = self._digest(self._path_of(used)) or ABSENT
        return found

    def lookup(self, path: Path) -> AnalysisResult | None:
        """The cached result for ``path`` if nothing it depends on changed, else None."""
        text = str(path)
        prefix = self._root_prefix
        if text.startswith(prefix) and "/." not in text and "//" not in text and not text.endswith("/"):
            absolute = text  # what ``abspath`` gives: no empty, "." or ".." part to take out
        else:
            absolute = os.path.abspath(text)
        if os.sep == "/" and absolute.startswith(prefix) and len(absolute) > len(prefix):
            key = where = absolute[len(prefix) :]  # ``_key_of`` and ``_where`` alike
            digest = self._digest(text, where)
        else:
            key = self._key_of(path)
            digest = self._digest(text)
        # (the digest is taken before an analysis, which may see a later content)
        entry = self._entries.get(key)
        if not isinstance(entry, dict):
            return None
        holds = self._pair_holds
        try:
            if entry["digest"] != digest:
                return None
            for index in entry["uses"]:
                verdict = holds.get(index)
                if verdict is None:
                    verdict = holds[index] = self._holds(index)
                if not verdict:
                    return None
            result = _result_from(entry["result"], text, self._rule_sets)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return None
        self._used.add(key)
        self.hits += 1
        return result

    def _holds(self, index: int) -> bool:
        """Whether the used file of pair ``index`` still has the digest recorded with it (for a
        search of the project: whether its answer still holds)."""
        if type(index) is not int:
            raise TypeError("not an index")
        used, digest = self._pairs[index]
        markers = search_markers(used)
        if markers is not None:
            return digest == SEARCHED and not self._search_changed(markers)
        return self._used_digest(used) == digest

    def _search_changed(self, markers: tuple[str, ...]) -> bool:
        """Whether a Python file of the project is new or changed since the last run (its digest
        is not the one recorded then) and holds one of ``markers``: a search of the project for
        them may answer otherwise. Unchanged files are known by their stat signature, unread."""
        known = self._searches.get(markers)
        if known is not None:
            return known
        wanted = [marker.encode("utf-8") for marker in markers]
        changed = False
        for file in self._changed_python_files():
            try:
                data = file.read_bytes()
            except OSError:
                data = b""
            if any(marker in data for marker in wanted):  # the index reads files as UTF-8
                changed = True
                break
        self._searches[markers] = changed
        return changed

    def _changed_python_files(self) -> list[Path]:
        """The project's Python files that are new or changed since the last run (looked for
        once, whatever the number of searches to check)."""
        if self._changed_python is None:
            self._changed_python = []
            start = len(self._root_prefix)  # each text is the root's, joined with names: its key is the rest
            texts = self._python_texts
            if texts is None:
                texts = python_file_texts([self.root], listed=self._listed)
            for text in texts:
                digest = self._digest(text)
                before = self._stamps.get(text[start:])
                if digest is None or (isinstance(before, list) and len(before) == 5 and before[4] == digest):
                    continue  # gone (a file that answered is among the uses), or unchanged
                self._changed_python.append(Path(text))
        return self._changed_python

    # -- writing ---------------------------------------------------------------------------

    def store(self, result: AnalysisResult, uses: Iterable[Path]) -> None:
        """Remember ``result`` with the files its analysis used, unless it is incomplete for a
        reason that may not recur (``_recurs``)."""
        if not all(_recurs(n) for n in result.notices):
            return
        path = Path(result.path)
        digest = self._digest(path)
        if digest is None:
            return
        used_digests: dict[str, str] = {}
        for used in uses:  # a file looked for and not found (a template) is recorded as absent
            text = os.fspath(used)
            if search_markers(text) is not None:
                used_digests[text] = SEARCHED
            else:
                used_digests[self._key_of(used)] = self._digest(used) or ABSENT
        key = self._key_of(path)
        rules = tuple(result.rules_run)
        rule_set = self._rule_set_index.setdefault(rules, len(self._rule_sets))
        if rule_set == len(self._rule_sets):
            self._rule_sets.append(rules)
        uses_pairs = [self._pair(used, digest) for used, digest in used_digests.items()]
        self._entries[key] = {"digest": digest, "uses": uses_pairs, "result": _result_to(result, rule_set)}
        self._used.add(key)
        self._changed = True

    def _pair(self, used: str, digest: str) -> int:
        """The index of the pair (``used``, ``digest``), added when new."""
        if self._pair_index is None:
            self._pair_index = {}
            for index, (known, known_digest) in enumerate(self._pairs):
                self._pair_index.setdefault((known, known_digest), index)
        index = self._pair_index.setdefault((used, digest), len(self._pairs))
        if index == len(self._pairs):
            self._pairs.append([used, digest])
        return index

    def save(self) -> None:
        """Write the entries of this run's files (others are dropped) atomically; a folder
        that cannot be written only costs the next run its speed."""
        kept = {key: self._entries[key] for key in sorted(self._used) if key in self._entries}
        if not self._changed and len(kept) == len(self._entries) and len(self._settled) == len(self._stamps):
            return
        if len(kept) > MAX_ENTRIES:
            kept = {}
        stamps = dict(sorted(self._settled.items())) if kept else {}
        kept, pairs = _renumbered(kept, self._pairs)
        rule_sets = [list(rules) for rules in self._rule_sets]
        content = {"results": kept, "used": pairs, "stamps": stamps, "rule_sets": rule_sets}
        body = json.dumps(content, separators=(",", ":")).encode("utf-8")
        head = json.dumps({"format": FORMAT, "version": __version__, "hmac": _sign(self._key, body)}).encode()
        try:
            prepare_folder(self.folder)
            write_atomically(self.file, head + b"\n" + body, ".results-")
        except OSError:
            return
        self._drop_old_files()

    def _drop_old_files(self) -> None:
        def written(path: Path) -> int:
            try:
                return path.stat().st_mtime_ns
            except OSError:
                return 0

        others = sorted(self.folder.glob("results-*.json"), key=written, reverse=True)
        for old in others[MAX_CACHE_FILES:]:
            with contextlib.suppress(OSError):
                old.unlink()


# Why a file was not (fully) analyzed that its bytes and the configuration decide: the same file
# gives the same notice again, so its result is kept (and the notice reported from the cache).
_CONTENT_KINDS = frozenset({"binary", "undecodable", "too-large"})
_TOO_MANY_ERRORS = "too many syntax errors"


def _renumbered(entries: dict[str, dict[str, Any]], pairs: list[list[str]]) -> tuple[dict[str, Any], list[list[str]]]:
    """``entries`` with their uses pointing into a table of only the pairs they use."""
    table: list[list[str]] = []
    new_index: dict[int, int] = {}
    renumbered: dict[str, Any] = {}
    for key, entry in entries.items():
        uses = []
        for index in entry["uses"]:
            if index not in new_index:
                new_index[index] = len(table)
                table.append(pairs[index])
            uses.append(new_index[index])
        renumbered[key] = {**entry, "uses": uses}
    return renumbered, table


def _recurs(notice: Notice) -> bool:
    """Whether ``notice`` comes again with the same file and configuration: any notice of a
    complete result, or a reason the content decides. A timeout, an error, a failed read, or a
    parse that ran out of stack or memory may not recur: such a result is never kept."""
    if notice.kind in ("internal-error", "timeout"):
        return False
    if notice.kind not in INCOMPLETE_KINDS or notice.kind in _CONTENT_KINDS:
        return True
    return notice.kind == "unparsable" and notice.message.startswith(_TOO_MANY_ERRORS)


def write_atomically(file: Path, data: bytes, prefix: str) -> None:
    """Write ``data`` to ``file`` through a temporary file (named ``prefix...``) in its folder
    renamed over it, so that no reader sees half of it; ``OSError`` when it cannot be written
    (the temporary file is removed)."""
    import tempfile  # a run that changed nothing writes nothing

    descriptor, temporary = tempfile.mkstemp(prefix=prefix, dir=file.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def prepare_folder(folder: Path) -> None:
    """Make the cache folder, marked as one (``CACHEDIR.TAG``) and kept out of git."""
    fresh = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if fresh:
        (folder / ".gitignore").write_text("*\n", encoding="utf-8")
        (folder / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")


def _index(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("not an index")
    return value


def _result_to(result: AnalysisResult, rule_set: int) -> dict[str, Any]:
    """``result`` as stored; ``rule_set``: the index of its ``rules_run`` in the cache's table."""
    return {
        "findings": [f.to_dict() for f in result.findings],
        "suppressed": [f.to_dict() for f in result.suppressed],
        "notices": [n.to_dict() for n in result.notices],
        "is_test": result.is_test,
        "rules_run": rule_set,
    }


def _result_from(data: dict[str, Any], path: str, rule_sets: list[tuple[str, ...]]) -> AnalysisResult:
    def finding(item: dict[str, Any]) -> Finding:
        return dataclasses.replace(Finding.from_dict(item), path=path)

    def notice(item: dict[str, Any]) -> Notice:
        span = Span.from_dict(item["span"]) if item.get("span") else None
        return Notice(str(item["kind"]), str(item["message"]), span, path if item.get("path") else "")

    return AnalysisResult(
        path=path,
        findings=[finding(item) for item in data["findings"]],
        suppressed=[finding(item) for item in data["suppressed"]],
        notices=[notice(item) for item in data["notices"]],
        is_test=bool(data["is_test"]),
        rules_run=rule_sets[_index(data["rules_run"])],
    )
