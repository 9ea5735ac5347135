"""Cross-file taint summaries: resolve an import to a file of the project and summarize it.

Construct one index per workspace and pass it to the pipeline as ``project``::

    from secreview_ls.pipeline import ProjectIndex, analyze_source
    project = ProjectIndex([workspace_root])                  # cheap: reads nothing yet
    analyze_source(text, path, config, project=project)

A file analyzed without one sees no other file: an index is built only where a caller
(the command line's scan, the server's workspace folders) asks for it.

``ProjectIndex(roots, *, read=None)``: ``roots`` are the directories imports are resolved
against (a workspace folder, a ``src/`` folder); the importing file's own ancestor folders are
tried too, so ``from myapp.db import run_query`` finds ``myapp/db.py`` next to the package that
imports it. ``read(path) -> str | None`` supplies file text (an editor passes the text of open,
unsaved documents); where it returns None, or without it, files are read from disk and
re-read only when their size or modification time changes. Summaries are computed lazily, the
first time a call into a file needs them, and cached per file by content hash; ``invalidate``
drops one file (or everything). The index is safe to share between threads.

The index stays small however many files a project has: what it keeps of every file used is
the summaries asked of it so far (what a function returns, which parameters reach which sink)
and where re-exported names point. The parsed file with its facts and its taint analysis,
which weighs tens of times its text, is kept only for the few files used last
(``whole_bytes`` of their text and ``whole_files`` files at most): a summary not yet asked of a file that has left
them parses it again. ``trim()`` lets those go too (a server calls it when idle).

With ``store`` (a ``summary_store.SummaryStore``) the summaries are also kept between
processes, by file content: a file whose summaries were computed by an earlier run (or another
worker) is not parsed again while it and the files its summaries used are unchanged.
``identity`` names the analysis code (a new version computes them anew); ``flush()`` writes
what was computed since the last call (a scan calls it between files, a server when idle).
Only summaries whose computation followed every call it met are stored: one cut short by the
chain limit or a cycle of imports depends on which file asked first.

A scan makes its index with ``stable=True`` (the files do not change while it runs: each one's
size and time are looked up once, until ``invalidate``) and ``offer``s it the facts of each
file it has just analyzed: a summary asked of that file soon after is worked out from them
instead of a new parse (only when the index would have made the same facts: the same path,
module name and text); the other way round, ``facts_of`` hands the analysis of a file the
facts the index made of it for an importer, while it holds them.

``with index.recording() as consulted:`` collects the files whose summaries an analysis used,
directly or through the files they call into (a result cache is valid while they are
unchanged). An answer gathered from every Python file of the project (the log formatters it
installs) is recorded as the files that gave it plus a ``searched(markers)`` entry: the answer
holds while no other Python file comes to hold one of the ``markers``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..facts import ModuleFacts
from ..project_files import module_name_under, python_files, real_path, search_markers, searched, walk
from ..source import SourceFile
from .analysis import ModuleTaint
from .definitions import ModuleIndex
from .file_names import FileNames
from .instance_binding import names_instance
from .kept_summaries import MAX_CHAIN, Loaded, Whole
from .log_output import FORMATTER_MARKERS, formatter_facts
from .module_definitions import DefinitionFiles, FunctionNode, defined_function
from .module_files import MAX_ANCESTORS, ModuleFiles
from .spec import TaintSpec
from .summary import Summary
from .summary_chain import SummaryChain
from .summary_store import FileRecord, Stored, SummaryStore, decode, encode, record_key, spec_fingerprint
from .template_folders import FOLDER_MARKERS, resolve_folders
from .wide_reads import WIDE_KINDS, python_names, setups_in, template_reference_names

MAX_FILE_BYTES = 2_000_000
MAX_REEXPORTS = 8  # re-exports followed from one name (``from .db import run`` in ``__init__``)
#: The digest recorded for a file that was looked for and not found (a template searched in
#: several places): its later creation is a change like any other.
ABSENT = ""
MAX_WHOLE_BYTES = 1_000_000  # text of the files kept parsed and analyzed (the latest used)
MAX_WHOLE_FILES = 32
# Files a scan has just analyzed by themselves, kept parsed for a summary asked of them next.
MAX_OFFERED_BYTES = 600_000
MAX_OFFERED_FILES = 24


def _digest_text(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", errors="replace")).hexdigest()


def _read_disk(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return None


class ProjectIndex(SummaryChain):
    """Resolves imported functions to project files and returns their taint summaries."""

    def __init__(
        self,
        roots: Iterable[str | os.PathLike[str]],
        *,
        read: Callable[[Path], str | None] | None = None,
        whole_bytes: int = MAX_WHOLE_BYTES,
        whole_files: int = MAX_WHOLE_FILES,
        template_dirs: Iterable[str | os.PathLike[str]] = (),
        store: SummaryStore | None = None,
        identity: str = "",
        stable: bool = False,
    ):
        super().__init__()
        self.roots: list[Path] = []
        for root in roots:
            try:
                self.roots.append(Path(root).resolve())
            except OSError:
                continue
        self._read = read
        self._modules = ModuleFiles(self.roots)
        self._loaded: dict[Path, Loaded] = {}
        self._whole: OrderedDict[Path, Whole] = OrderedDict()  # least recently used first
        self._whole_bytes = 0
        self._whole_limits = (whole_bytes, whole_files)
        self.parsed = 0  # files parsed and analyzed so far (again after they left the kept ones)
        self._offered: OrderedDict[Path, ModuleFacts] = OrderedDict()  # ``offer``, oldest first
        self._offered_bytes = 0
        self.offered_used = 0  # files analyzed from offered facts instead of a parse
        self._named: dict[Path, tuple[str, str, FileNames]] = {}  # offered files' names: (module, digest, names)
        self._resolved: dict[tuple[str, Path], tuple[Path, str] | None] = {}
        self._bases: dict[str, Path] = {}
        # (qualified name, importing folder) → (module file, module name) and the name asked of it
        self._targets: dict[tuple[str, Path], tuple[tuple[Path, str], str] | None] = {}
        self._naming: dict[tuple[str, Path], tuple[tuple[int, int], Any]] = {}  # what a file names, by stamp
        self._configured_folders = [Path(folder) for folder in template_dirs]
        self._folders: tuple[Path, ...] | None = None  # template folders, until a Python file changes
        self._declaring: tuple[Path, ...] = ()  # the files declaring them
        # what each Python file defines and installs of log formatters (``log_cleaning_files``)
        self._log_facts: dict[Path, tuple[frozenset[str], frozenset[str]]] | None = None
        self._log_stale: set[Path] = set()  # files invalidated since: read again at the next ask
        self._python_list: list[Path] | None = None  # the Python files (``_python_files``)
        # what those facts answer: (the cleaning files installed, the files defining or installing any)
        self._log_answer: tuple[tuple[Path, ...], tuple[Path, ...]] = ((), ())
        self._suffixed: dict[frozenset[str], list[Path]] = {}  # files by suffixes, until a non-module changes
        # the environment setup calls of the project's files, by kind of ask, until a Python file changes
        self._setups: dict[str, tuple[tuple[Path, tuple[str, ...]], ...]] = {}
        self._lock = threading.RLock()
        self._recorders = threading.local()
        self._store = store
        # The configured template folders decide which template a name finds: part of a stored
        # summary's identity. (A template file created later in a folder searched earlier is not
        # seen by a stored summary: it records the digests of the files it read, not the misses.)
        folders = sorted(str(folder) for folder in self._configured_folders)
        self._identity = f"{identity}|template-dirs={folders}" if identity and folders else identity
        self._unsaved: dict[str, FileRecord] = {}
        self._prints: dict[int, tuple[TaintSpec, str]] = {}
        self._stamped: dict[Path, tuple[tuple[int, int], str]] = {}  # digests of files not loaded
        self._cut_files: set[Path] = set()  # files with summaries cut short, kept in ``_loaded``
        self._settled_at = 0  # ``cuts`` at the last ``settle``: none since, nothing to forget
        self.stored_used = 0  # summaries taken from the store
        self._own: list[Path] = []  # files asked by themselves: summaries with their tree nodes
        self._resolved_paths: dict[str, Path | None] = {}
        self._names_of_files: dict[Path, str] = {}  # ``_module_name``
        self._real_folders: dict[Path, Path] = {}
        # ``stable``: the files do not change while the index lives (one scan), so each file's
        # size and time are looked up once instead of at every ask; ``invalidate`` forgets them.
        self._stable = stable
        self._stamps: dict[Path, tuple[int, int] | None] = {}
        self._definitions = DefinitionFiles()  # files read for their ``def`` statements (``definition``)

    @contextlib.contextmanager
    def recording(self) -> Iterator[set[Path]]:
        """Collect, in the yielded set, every project file whose summaries are used inside the
        ``with`` block by this thread, with the files those summaries used in turn."""
        consulted: set[Path] = set()
        stack: list[set[Path]] = getattr(self._recorders, "stack", None) or []
        self._recorders.stack = [*stack, consulted]
        try:
            yield consulted
        finally:
            self._recorders.stack = stack

    def _record(self, path: Path, uses: Iterable[Path] = ()) -> None:
        """``path``'s summaries are being used (one that used the files ``uses``): by the files
        now computing theirs, and by the analyses recording on this thread."""
        loaded = self._loaded.get(path)
        used = {path, *(loaded.calls_into if loaded is not None else ())}
        if self._using:
            for computing in self._using[:-1]:
                computing.add(path)
                computing.update(uses)
        for caller in self._active[:-1]:
            caller_loaded = self._loaded.get(caller)
            if caller_loaded is not None:
                caller_loaded.calls_into.update(used)
        for consulted in getattr(self._recorders, "stack", ()):
            consulted.update(used)

    # -- public ------------------------------------------------------------------------

    def invalidate(self, path: str | os.PathLike[str] | None = None) -> None:
        """Forget one file's summaries (after an edit), or everything. A file other than a module
        (a template) takes with it the summaries of the files that read it."""
        with self._lock:
            self._python_list = None
            if path is None or os.fspath(path).endswith(".py"):
                self._folders = None  # a Python file may declare template folders
                self._setups.clear()  # or set up a template environment
                self._modules.forget_listings()  # a module may have been created or deleted
            if path is None:
                self._stamps.clear()
                self._definitions.forget()
                self._drop_offered()
                self._named.clear()
                self._log_facts = None
                self._suffixed.clear()
                self._loaded.clear()
                for whole in list(self._whole):
                    self._drop_whole(whole)
                self._resolved.clear()
                self._bases.clear()
                self._targets.clear()
                return
            try:
                resolved = Path(path).resolve()
            except (OSError, RuntimeError):
                return
            self._stamps.pop(resolved, None)
            self._definitions.forget(resolved)
            self._drop_offered(resolved)
            self._named.pop(resolved, None)
            if resolved.suffix == ".py" and self._log_facts is not None:
                self._log_stale.add(resolved)  # it may define or install a log formatter
            self._loaded.pop(resolved, None)
            self._drop_whole(resolved)
            for suffixes in [k for k, files in self._suffixed.items() if resolved.suffix.lower() in k]:
                if (resolved in self._suffixed[suffixes]) != resolved.is_file():
                    del self._suffixed[suffixes]  # created or deleted: walk again
            if resolved.suffix != ".py":
                for reader in [file for file, loaded in self._loaded.items() if resolved in loaded.calls_into]:
                    self._loaded.pop(reader, None)
                    self._drop_whole(reader)

    def trim(self) -> None:
        """Let go of every parsed file kept for speed; the summaries computed so far stay (and
        are written to the store). Does nothing while another thread is computing summaries
        (it is asked again later)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self.flush()
            self._drop_offered()
            self._definitions.forget()
            for path in list(self._whole):
                if path not in self._active:
                    self._drop_whole(path)
        finally:
            self._lock.release()

    def offer(self, facts: ModuleFacts) -> None:
        """The facts of a file just analyzed by itself (a scan offers each file's): kept for a
        little while, so that a summary asked of that file soon after is worked out without
        parsing it again. They are used only where the index would have made the same facts:
        the file's path as the index names it, the module name it is imported by, the same text."""
        path = facts.source.path
        if not path.endswith(".py"):
            return
        with self._lock:
            resolved = self._resolved_path(path)
            if resolved is None or str(resolved) != path or resolved in self._whole:
                return
            self._drop_offered(resolved)
            self._offered[resolved] = facts
            digest = _digest_text(facts.source.text)
            self._named[resolved] = (facts.module_name, digest, FileNames.made(ModuleIndex(facts, None), facts))
            self._offered_bytes += len(facts.source.text)
            while self._offered and (self._offered_bytes > MAX_OFFERED_BYTES or len(self._offered) > MAX_OFFERED_FILES):
                self._drop_offered(next(iter(self._offered)))

    def facts_of(self, path: str, text: str, module: str) -> ModuleFacts | None:
        """The facts of a file the index holds parsed, for an analysis of the file itself, when
        they are the ones it would make (the same path, text and module name); None otherwise.
        Only a ``stable`` index (a scan's) answers."""
        if not self._stable or not path.endswith(".py"):
            return None
        with self._lock:
            resolved = self._resolved_path(path)
            whole = self._whole.get(resolved) if resolved is not None and str(resolved) == path else None
            if whole is None:
                return None
            facts = whole.taint.facts
            if facts.module_name != module or facts.source.text != text:
                return None
            whole.shared = True
            return facts

    def _drop_offered(self, path: Path | None = None) -> ModuleFacts | None:
        """Forget the facts offered for ``path`` (returned), or all of them."""
        if path is None:
            self._offered.clear()
            self._offered_bytes = 0
            return None
        facts = self._offered.pop(path, None)
        if facts is not None:
            self._offered_bytes -= len(facts.source.text)
        return facts

    def resolve_module(self, module: str, from_path: str | os.PathLike[str] | None = None) -> tuple[Path, str] | None:
        """The file defining ``module`` (``a.b`` → ``a/b.py`` or ``a/b/__init__.py``) and its module name."""
        with self._lock:
            base = self._base_of(from_path)
            key = (module, base)
            if key in self._resolved:
                return self._resolved[key]
            found = self._modules.search(module, base)
            self._resolved[key] = found
            return found

    def _module_name(self, path: Path, asked: str) -> str:
        """The one name a file is analyzed under, however it was imported: its relative imports
        resolve from it, so a file reached both as ``cps.helper`` (from a script beside the package)
        and as ``src.app.cps.helper`` would otherwise be summarized as whichever came first. The
        name under the first root holding the file, as a scan names the files it analyzes; the
        name asked for a file under no root."""
        known = self._names_of_files.get(path)
        if known is None:
            known = self._names_of_files[path] = next(
                (name for root in self.roots if (name := module_name_under(path, root))), asked
            )
        return known

    def _resolved_path(self, from_path: str | os.PathLike[str]) -> Path | None:
        key = os.fspath(from_path)
        if key not in self._resolved_paths:
            try:
                self._resolved_paths[key] = self._real_path(Path(key)) if key not in ("", "<unknown>") else None
            except (OSError, RuntimeError):
                self._resolved_paths[key] = None
        return self._resolved_paths[key]

    def _real_path(self, path: Path) -> Path:
        """``path.resolve()``, each folder resolved once (kept like the files' own resolutions)."""
        return real_path(path, self._real_folder)

    def _real_folder(self, folder: Path) -> Path:
        known = self._real_folders.get(folder)
        if known is None:
            known = self._real_folders[folder] = folder.resolve()
        return known

    def _base_of(self, from_path: str | os.PathLike[str] | None) -> Path:
        """The folder of the importing file (resolved once per path: it is asked at every call)."""
        key = os.fspath(from_path) if from_path is not None else ""
        base = self._bases.get(key)
        if base is None:
            if key in ("", "<unknown>"):
                base = Path("/")
            else:
                resolved = self._resolved_path(key)  # one resolution per file for both questions
                base = resolved.parent if resolved is not None else Path(key).resolve().parent
            self._bases[key] = base
        return base

    def function_summary(self, qualname: str, spec: TaintSpec, from_path: str) -> Summary | None:
        """Summary of ``pkg.mod.func`` (or ``pkg.mod.Class.method``) if ``pkg.mod`` is a project file."""
        with self._lock:
            target = self._target(qualname, from_path)
            if target is None:
                return None
            (path, asked), name = target
            module = self._module_name(path, asked)
            # A file importing from itself: the stored summary has no tree nodes to point at.
            if path == self._resolved_path(from_path):
                self._own.append(path)
                try:
                    return self._summary(path, module, name, spec)
                finally:
                    self._own.pop()
            return self._summary(path, module, name, spec)

    def names_instance(self, qualname: str, from_path: str) -> bool | None:
        return names_instance(self._target, self._loaded, qualname, from_path, MAX_CHAIN, self._lock)

    def _target(self, qualname: str, from_path: str | os.PathLike[str]) -> tuple[tuple[Path, str], str] | None:
        """The module file ``pkg.mod.func`` is in, and the name asked of it (``func``,
        ``Class.method``): the longest prefix that is a module of the project. None when there
        is none, or when more than two names follow it. Like the module lookups it stands for,
        kept by importing folder until ``invalidate()``."""
        base = self._base_of(from_path)
        key = (qualname, base)
        if key in self._targets:
            return self._targets[key]
        parts = qualname.split(".")
        target = None
        for cut in range(len(parts) - 1, 0, -1):
            found = self.resolve_module(".".join(parts[:cut]), from_path)
            if found is not None:
                rest = parts[cut:]
                target = (found, ".".join(rest)) if len(rest) <= 2 else None
                break
        self._targets[key] = target
        return target

    def template_text(self, name: str, from_path: str | os.PathLike[str]) -> str | None:
        """The text of template ``name`` (``"profile.html"``) from a ``templates/`` folder next to
        the importing file or one of its ancestors, or under a root, or from one of the
        ``template_folders``; None when there is none."""
        found = self.template_file(name, from_path)
        return found[1] if found is not None else None

    def template_file(self, name: str, from_path: str | os.PathLike[str]) -> tuple[Path, str] | None:
        """The file and text of template ``name`` (see ``template_text``)."""
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts or not name.strip():
            return None
        with self._lock:
            candidates: list[Path] = []
            current = Path(from_path).resolve().parent
            for _ in range(MAX_ANCESTORS):
                candidates.append(current)
                if current.parent == current:
                    break
                current = current.parent
            candidates.extend(root for root in self.roots if root not in candidates)
            files = [directory / "templates" / relative for directory in candidates]
            files.extend(folder / relative for folder in self.template_folders())
            for file in files:
                # Every place searched counts as read, the missing ones too: a template written
                # there later (or one shadowing the file found) changes what this view renders.
                self._record_read(file)
                if file.is_file():
                    text = self._text(file)[0]
                    return (file, text) if text is not None else None
        return None

    def template_folders(self) -> tuple[Path, ...]:
        """Folders holding templates besides those named ``templates``: the configured ones
        (``template_dirs``) and those the project's Python files declare (``template_folder=``,
        ``FileSystemLoader``, Django's ``DIRS``: see ``template_folders.py``). Kept until a
        Python file is invalidated."""
        known, declaring = self._folders, self._declaring
        if known is None:
            folders: list[Path] = []
            for folder in self._configured_folders:
                try:
                    resolved = folder.resolve()
                except (OSError, RuntimeError):
                    continue
                if resolved not in folders:
                    folders.append(resolved)
            found: list[Path] = []
            for file in self._python_files():
                declared = self._python_names(file, wide=True)[1]
                if declared:
                    found.append(file)
                    folders.extend(f for f in resolve_folders(declared, file, self.roots) if f not in folders)
            known, declaring = tuple(folders), tuple(found)
            with self._lock:
                self._folders, self._declaring = known, declaring
        self._record_read(searched(FOLDER_MARKERS))  # a file declaring one changes what is searched
        for file in declaring:
            self._record_read(file)
        return known

    def log_cleaning_files(self, *, record: bool = True) -> tuple[Path, ...]:
        """The files defining a log formatter that cleans the line breaks of every message and that
        the project installs (``log_output.py``); empty where there is none. The first call reads
        the project's Python files (what each defines and installs is kept by file); after an
        edit only the invalidated files are read again. With ``record``, the search is recorded
        as used by the analyses recording (see ``recording``)."""
        with self._lock:
            facts, answer = self._log_facts, self._log_answer
            stale, self._log_stale = self._log_stale, set()
        if facts is None or stale:
            # worked out again only when a file changed: a scan asks it once per file analyzed
            facts = (
                {
                    file: self._scanned(file, "log-formatters", formatter_facts, wide=True)
                    for file in self._python_files()
                }
                if facts is None
                else dict(facts)
            )
            for file in stale:
                facts.pop(file, None)
                if file.is_file():
                    facts[file] = self._scanned(file, "log-formatters", formatter_facts)
            installed = {name for _, names in facts.values() for name in names}
            answer = (
                tuple(file for file, (classes, _) in facts.items() if classes & installed),
                tuple(file for file, (classes, names) in facts.items() if classes or names),
            )
            with self._lock:
                self._log_facts, self._log_answer = facts, answer
        known, involved = answer
        if record:  # the answer holds while no file defining or installing a formatter changes,
            self._record_read(searched(FORMATTER_MARKERS))  # and no other file comes to hold one
            for file in involved:
                self._record_read(file)
        return known

    def environment_setups(
        self, kind: str, marker: str, extract: Callable[[str, str], tuple[str, ...]]
    ) -> tuple[tuple[Path, str], ...]:
        """What ``extract(text, path)`` finds in the project's Python files whose text holds
        ``marker`` (the escaping modes of their application-wide template setup calls, such as
        ``aiohttp_jinja2.setup``), with the file, one entry per call; ``kind`` names the ask (its
        results are kept until a Python file changes). The files that gave one are recorded as read."""
        with self._lock:
            known = self._setups.get(kind)
        if known is None:
            found: list[tuple[Path, tuple[str, ...]]] = []
            for file in self._python_files():
                modes = self._scanned(
                    file, "setups:" + kind, lambda text, file=file: setups_in(text, file, marker, extract)
                )
                if modes:
                    found.append((file, modes))
            known = tuple(found)
            with self._lock:
                self._setups[kind] = known
        self._record_read(searched((marker,)))  # a file may come to make such a call
        for file, _ in known:
            self._record_read(file)
        return tuple((file, mode) for file, modes in known for mode in modes)

    def known_log_cleaning_files(self) -> tuple[Path, ...] | None:
        """``log_cleaning_files()`` when it has been computed (None: never asked yet): an analysis
        asks it only once it has a log finding to judge, so a project without one is never read
        for it. Not recorded as used: the analysis asks ``log_cleaning_files()`` again when its
        result depends on the answer."""
        return self.log_cleaning_files(record=False) if self._log_facts is not None else None

    def known_template_folders(self) -> tuple[Path, ...] | None:
        """``template_folders()`` when something has computed them since the last change (None:
        not known now); nothing is scanned."""
        return self._folders

    def files_naming(self, names: Iterable[str]) -> list[Path]:
        """The project's Python files that name one of ``names`` in a string literal
        (``"people/bio.html"``): the views that may render a template. Files are walked under
        the roots (hidden folders, virtual environments and installed packages left out, at most
        ``MAX_NAMING_FILES``); what each one names is kept until its size or time changes."""
        wanted = frozenset(names)
        found: list[Path] = []
        for path in self._python_files():
            if self._python_names(path, wide=True)[0] & wanted:
                found.append(path)
        return found

    def definition(self, qualname: str, from_path: str) -> tuple[ModuleFacts, FunctionNode] | None:
        """The facts of the other project file defining ``pkg.mod.func`` (``pkg.mod.Class.method``)
        and that ``def``, for judging a call by what the function returns; None for the asking
        file itself and for a name no project file defines with a ``def``. The file counts as used
        like a summary's."""
        with self._lock:
            target = self._target(qualname, from_path)
            if target is None or target[0][0] == self._resolved_path(from_path):
                return None
            (path, asked), name = target
            supplied = self._read(path) if self._read is not None else None
            key = ("text", supplied) if supplied is not None else ("disk", self._stamp(path))
            read = (lambda: supplied) if supplied is not None else (lambda: _read_disk(path))
            facts = self._definitions.facts(path, key, read, self._module_name(path, asked))
            if facts is None:
                return None
            self._record(path)
            function = defined_function(facts.tree, name)
            return (facts, function) if function is not None else None

    def text_of(self, path: Path) -> str | None:
        """The text of a project file: an open document's, else the disk's."""
        text = self._read(path) if self._read is not None else None
        return text if text is not None else _read_disk(path)

    def template_references(
        self, suffixes: frozenset[str], accept: Callable[[Path], bool]
    ) -> dict[Path, frozenset[str]]:
        """The template files under the roots (files with one of ``suffixes`` that ``accept``
        takes) and the names each one includes or extends. The list of files is kept until one of
        them is invalidated as deleted or another as created, what each one names until its
        size or time changes."""
        with self._lock:
            files = self._suffixed.get(suffixes)
        if files is None:
            files = self._files(lambda path: path.suffix.lower() in suffixes)
            with self._lock:
                self._suffixed[suffixes] = files
        return {path: self._scanned(path, "references", template_reference_names) for path in files if accept(path)}

    def _python_files(self) -> list[Path]:
        """The project's Python files; walked once by a ``stable`` index (until ``invalidate``)."""
        if not self._stable:
            return python_files(self.roots)
        if self._python_list is None:
            self._python_list = python_files(self.roots)
        return self._python_list

    def _files(self, accept: Callable[[Path], bool]) -> list[Path]:
        return walk(self.roots, accept)

    def _python_names(self, path: Path, *, wide: bool = False) -> tuple[frozenset[str], frozenset[str]]:
        """What one read of a Python file tells: the template-like names its string literals
        write, and the template folders it declares (``template_folders.declared_folders``)."""
        return self._scanned(path, "python", python_names, wide=wide)  # type: ignore[return-value]

    def _scanned(self, path: Path, kind: str, extract: Callable[[str], Any], *, wide: bool = False) -> Any:
        """``extract`` of a file's text: an open document's now, a disk file's kept by its stamp.
        ``wide``: asked of every Python file; a read from the disk works out the other ``WIDE_KINDS``
        where the text holds none of their words."""
        text = self._read(path) if self._read is not None else None
        if text is not None:
            return extract(text)
        stamp = self._stamp(path)
        if stamp is None:
            return extract("")
        with self._lock:
            known = self._naming.get((kind, path))
        if known is not None and known[0] == stamp:
            return known[1]
        text = _read_disk(path)
        found = extract(text) if text is not None else extract("")
        with self._lock:
            self._naming[(kind, path)] = (stamp, found)
        if wide:
            for other, made, words in WIDE_KINDS:
                if other == kind or (text is not None and any(word in text for word in words)):
                    continue
                known = self._naming.get((other, path))
                if known is None or known[0] != stamp:
                    value = made(text if text is not None else "")
                    with self._lock:
                        self._naming[(other, path)] = (stamp, value)
        return found

    # -- internals -------------------------------------------------------------------------

    def _record_read(self, path: Path) -> None:
        """A file other than a module (a template) was read: record it like a summary's file."""
        for caller in self._active:
            caller_loaded = self._loaded.get(caller)
            if caller_loaded is not None:
                caller_loaded.calls_into.add(path)
        for computing in self._using:
            computing.add(path)
        for consulted in getattr(self._recorders, "stack", ()):
            consulted.add(path)

    def _stamp(self, path: Path) -> tuple[int, int] | None:
        """(modification time, size) of a disk file; None when it cannot be looked up."""
        if self._stable and path in self._stamps:
            return self._stamps[path]
        try:
            info = path.stat()
        except OSError:
            stamp = None
        else:
            stamp = (info.st_mtime_ns, info.st_size)
        if self._stable:
            self._stamps[path] = stamp
        return stamp

    def _text(self, path: Path) -> tuple[str | None, tuple[int, int] | None, bool]:
        """(text, disk stamp, supplied by ``read``); no text when the disk file is unchanged
        since it was loaded (the caller keeps what it has)."""
        if self._read is not None:
            text = self._read(path)
            if text is not None:
                return text, None, True
        stamp = self._stamp(path)
        if stamp is None:
            return None, None, False
        loaded = self._loaded.get(path)
        if loaded is not None and loaded.stamp == stamp:
            return None, stamp, False
        return _read_disk(path), stamp, False

    def _current(self, path: Path, spec: TaintSpec) -> tuple[Loaded, str | None] | None:
        """What is kept of ``path`` for its current content (made anew when that changed), and its
        text when it had to be read; None when the file cannot be read."""
        text, stamp, supplied = self._text(path)
        loaded = self._loaded.get(path)
        if loaded is not None and loaded.spec is spec:
            if text is None and stamp is not None and loaded.stamp == stamp:
                return loaded, None
            if text is not None and loaded.text is not None and (text is loaded.text or text == loaded.text):
                loaded.stamp = stamp
                return loaded, text
        if text is None and loaded is not None and stamp is not None and loaded.stamp == stamp:
            text = _read_disk(path)  # same file, another configuration
        if text is None:
            return None
        digest = _digest_text(text)
        if loaded is not None and loaded.spec is spec and loaded.digest == digest:
            loaded.stamp = stamp
            loaded.text = text if supplied else None
            return loaded, text
        loaded = Loaded(digest, stamp, spec, text if supplied else None)
        self._loaded[path] = loaded
        return loaded, text

    def _module(self, path: Path, module: str, loaded: Loaded, text: str | None) -> ModuleTaint | None:
        """The file parsed and analyzed: kept from an earlier use, or made again from its text."""
        whole = self._whole.get(path)
        if whole is not None and whole.digest == loaded.digest and whole.spec is loaded.spec:
            self._whole.move_to_end(path)
            return whole.taint
        facts = self._drop_offered(path)
        if facts is not None and (facts.module_name != module or _digest_text(facts.source.text) != loaded.digest):
            facts = None  # imported under another name, or changed since
        if facts is not None:
            self.offered_used += 1
        else:
            if text is None:
                text = self._read(path) if self._read is not None else None
                if text is None:
                    text = _read_disk(path)
                if text is None or _digest_text(text) != loaded.digest:
                    return None  # changed under the index since it was loaded: asked again, it is reloaded
            facts = ModuleFacts(SourceFile(text, str(path)), module)
            self.parsed += 1
        size = len(facts.source.text)
        taint = ModuleTaint(facts, loaded.spec, project=self, external=True, depth=len(self._active))
        self._drop_whole(path)
        self._whole[path] = Whole(loaded.digest, loaded.spec, size, taint)
        self._whole_bytes += size
        for oldest in list(self._whole):
            if self._whole_bytes <= self._whole_limits[0] and len(self._whole) <= self._whole_limits[1]:
                break
            if oldest not in self._active:  # in use up the stack: dropped later
                self._drop_whole(oldest)
        return taint

    def _name_table(self, path: Path, module: str, loaded: Loaded) -> None:
        """The names of a file offered by the scan, when they are those of this content and
        module name: a name it does not define is then answered without parsing it."""
        named = self._named.get(path)
        if named is not None and named[0] == module and named[1] == loaded.digest:
            loaded.names = named[2]

    def _drop_whole(self, path: Path) -> None:
        """Forget the parsed file: its analysis is emptied, so it is freed at once (a collector
        that froze it would never look at it again)."""
        whole = self._whole.pop(path, None)
        if whole is not None:
            self._whole_bytes -= whole.size
            whole.taint.release(facts=not whole.shared)

    def _summary(self, path: Path, module: str, name: str, spec: TaintSpec) -> Summary | None:
        if path in self._active:
            self.cycle_met()
            return None
        if len(self._active) >= MAX_CHAIN:
            self.limit_reached()
            return None
        # Put back as they were whatever happens below, with nothing that runs Python code (a
        # comparison of paths): a RecursionError raised there would leave this file asking for
        # every later analysis, whose summaries would then all be cut short.
        chain, computing, outer_reach = len(self._active), len(self._using), self._reach
        try:
            self._active.append(path)
            self._using.append(set())
            depth = chain + 1
            self._reach = depth
            bounds = self.bounds()
            current = self._current(path, spec)
            if current is None:
                return None
            loaded, text = current
            if loaded.names is None:
                self._name_table(path, module, loaded)
            fresh = False
            found, summary, used = self._kept(loaded, name, depth)
            if found:
                pass
            elif loaded.names is not None and not loaded.names.defines(name) and path not in self._whole:
                summary = loaded.summaries[name] = None  # known without parsing the file again
            else:
                found, summary = self._from_store(module, loaded, name, spec, depth)
                used = loaded.uses.get(name, ())
                if not found:
                    taint = self._module(path, module, loaded, text)
                    if taint is None:
                        return None
                    if loaded.names is None:
                        loaded.names = FileNames.of(taint)
                    summary = taint.summary_named(name)
                    fresh = True
            if summary is None and name not in loaded.reexports and loaded.names is not None:
                # A re-export: ``from .db import run_query`` in a package ``__init__``.
                target = loaded.names.reexport(name, module)
                if target is not None:
                    loaded.reexports[name] = target
            if fresh:
                now = self.bounds()
                met = (now[1] != bounds[1], now[2] != bounds[2])
                used = self._computed(path, module, loaded, name, summary, depth, cut=now[0] != bounds[0], met=met)
            self._record(path, used)  # after computing it: the files it called into are known
            if summary is not None:
                return summary
            full = loaded.reexports.get(name)
            if full is not None and self._hops >= MAX_REEXPORTS:
                self.cut_short()  # a loop of re-exports (a module importing the name from itself)
            elif full is not None:
                self._active.pop()
                self._hops += 1
                try:
                    return self.function_summary(full, spec, str(path))
                finally:
                    self._hops -= 1
                    self._active.append(path)
            return None
        except RecursionError:
            self.cut_short()
            return None
        finally:
            del self._active[chain:]
            del self._using[computing:]
            if outer_reach > self._reach:
                self._reach = outer_reach

    def _kept(self, loaded: Loaded, name: str, depth: int) -> tuple[bool, Summary | None, frozenset[Path] | set[Path]]:
        """(found, summary, the files it used) of a summary kept for ``name`` that answers at
        ``depth`` below the files asking now: one in full, or one worked out for this limit."""
        asking = self._active[:-1]
        if name in loaded.summaries and loaded.answers(name, depth, asking):
            self._reuse(loaded, name, depth)
            return True, loaded.summaries[name], loaded.uses.get(name, loaded.calls_into)
        budget = MAX_CHAIN - depth
        for key in ((name, budget, ()), (name, budget, tuple(asking))):
            kept = loaded.limited.get(key)
            if kept is not None and kept[1].isdisjoint(asking if not key[2] else ()):
                self.replay_bounds(kept[2], kept[3])
                return True, kept[0], kept[1]
        return False, None, ()

    # -- what is kept between processes ----------------------------------------------------

    def settle(self) -> None:
        """Forget the summaries computed across a cut (in memory only: they are never stored), so
        that what the next analysis finds does not depend on which files were analyzed before
        it in this process (a scan's workers each get a different share of the files)."""
        with self._lock:
            # Nothing is computing between two analyses: the next starts with no chain at all.
            self.clear_chain()
            if self.cuts == self._settled_at and not self._cut_files:
                return  # no summary was cut short since: none is provisional
            self._settled_at = self.cuts
            for path in self._cut_files:
                loaded = self._loaded.get(path)
                if loaded is not None:
                    loaded.settle()
            self._cut_files.clear()
            for whole in self._whole.values():
                whole.taint.summaries.forget_provisional()

    def _computed(
        self,
        path: Path,
        module: str,
        loaded: Loaded,
        name: str,
        summary: Summary | None,
        depth: int,
        *,
        cut: bool,
        met: tuple[bool, bool],
    ) -> frozenset[Path]:
        """Keep a summary just computed: in full, for this limit, or until ``settle`` (cut
        short); the files it used."""
        uses = frozenset(self._using[-1])
        if cut:
            if name in loaded.summaries and name not in loaded.cut:
                loaded.shelve(name)  # in full, computed for another chain: ``settle`` puts it back
            loaded.summaries[name], loaded.uses[name] = summary, uses
            loaded.cut.add(name)
            self._cut_files.add(path)
            return uses
        if any(met):  # met the limit or a cycle (``met``): kept for the same limit and files asking
            loaded.limited[(name, MAX_CHAIN - depth, self.bound_key(met[1]))] = (summary, uses, *met)
            return uses
        loaded.summaries[name], loaded.uses[name] = summary, uses
        loaded.shelved.pop(name, None)
        height = loaded.heights[name] = self._reach - depth + 1
        if self._store is None:
            return uses
        if any(search_markers(str(used)) is not None for used in loaded.calls_into):
            return uses  # it depends on a search of every file, which a stored record cannot check
        digests: dict[str, str] = {}
        for used in loaded.calls_into:
            digests[str(used)] = self._digest_now(used) or ABSENT  # a template searched for and not there
        record = self._record_of(module, loaded, loaded.spec)
        record.names = loaded.names
        record.summaries[name] = Stored(summary, loaded.reexports.get(name), height, digests)
        self._unsaved[loaded.record_key] = record
        return uses

    def _from_store(
        self, module: str, loaded: Loaded, name: str, spec: TaintSpec, depth: int
    ) -> tuple[bool, Summary | None]:
        """(found, summary) from the store: only when its files are unchanged and computing it
        here would follow the same chain (not longer than the limit, through no file asking)."""
        if self._store is None or (self._own and self._own[-1] == self._active[-1]):
            return False, None
        stored = self._record_of(module, loaded, spec).summaries.get(name)
        if stored is None or depth + stored.height - 1 > MAX_CHAIN:
            return False, None
        asking = {str(path) for path in self._active[:-1]}
        for used, digest in stored.uses.items():
            if used in asking or (self._digest_now(Path(used)) or ABSENT) != digest:
                return False, None
        loaded.summaries[name] = stored.summary
        loaded.heights[name] = stored.height
        loaded.uses[name] = frozenset(Path(used) for used in stored.uses)
        loaded.shelved.pop(name, None)
        loaded.calls_into.update(loaded.uses[name])
        if stored.reexport is not None:
            loaded.reexports[name] = stored.reexport
        self._reach = max(self._reach, depth + stored.height - 1)
        self.stored_used += 1
        return True, stored.summary

    def _record_of(self, module: str, loaded: Loaded, spec: TaintSpec) -> FileRecord:
        """What the store holds of this content (read once), or a new record."""
        known = self._prints.get(id(spec))
        if known is None or known[0] is not spec:
            known = self._prints[id(spec)] = (spec, spec_fingerprint(spec))
        key = record_key(self._identity, known[1], module, loaded.digest)
        if loaded.record is not None and loaded.record_key == key:
            return loaded.record
        record = self._unsaved.get(key)
        if record is None:
            data = self._store.load(key) if self._store is not None else None
            record = (decode(data) if data is not None else None) or FileRecord()
        if loaded.names is None and isinstance(record.names, FileNames):
            loaded.names = record.names
        loaded.record, loaded.record_key = record, key
        return record

    def _digest_now(self, path: Path) -> str | None:
        """The digest of a file's content now (a module or a template)."""
        text = self._read(path) if self._read is not None else None
        if text is not None:
            return _digest_text(text)
        stamp = self._stamp(path)
        if stamp is None:
            return None
        loaded = self._loaded.get(path)
        if loaded is not None and loaded.stamp == stamp:
            return loaded.digest
        known = self._stamped.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        text = _read_disk(path)
        if text is None:
            return None
        digest = _digest_text(text)
        self._stamped[path] = (stamp, digest)
        return digest

    def flush(self) -> None:
        """Write the summaries computed since the last call to the store (merged with what
        another process wrote of the same files meanwhile)."""
        with self._lock:
            unsaved, self._unsaved = self._unsaved, {}
            if self._store is None:
                return
            for key, record in unsaved.items():
                data = self._store.load(key)
                other = decode(data) if data is not None else None
                if other is not None:
                    for name, stored in other.summaries.items():
                        record.summaries.setdefault(name, stored)
                self._store.save(key, encode(record))
