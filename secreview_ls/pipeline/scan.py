"""Scan many files: discovery, parallel analysis, baseline and diff filtering.

``scan_paths(paths, config)`` is what ``secreview check`` (and the server's
workspace scan) runs; every report writer renders the ``ScanResult`` it
returns::

    from secreview_ls.pipeline import discover, scan_paths

    scan = scan_paths(["src"], discover(Path("src")))
    for finding in scan.findings():
        print(finding.path, finding.line, finding.rule_id)

Analysis runs in worker processes on all cores when there are enough files
(``jobs=1`` forces a serial scan in this process). Results come back sorted
by path with ``facts`` cleared, so they pickle and the report is the same
whatever the number of workers.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..engine.finding import INCOMPLETE_KINDS, Finding, Notice
from .collection import collected_at_the_end
from .discovery import discover_files, has_python_shebang
from .discovery_cache import discover_with_cache
from .filters import drop_known, keep_changed, relative_to_root
from .notebook_positions import cell_of, is_notebook_path
from .result import AnalysisResult
from .result_cache import ResultCache
from .selection import config_notices
from .sharding import Shard
from .summary_cache import SummaryCache, analysis_identity

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

    from ..engine.taint import ProjectIndex
    from .baseline import Baseline
    from .gitdiff import ChangeSet

# The analysis itself (the engine and the rules) is imported when a file must be analyzed: a
# scan whose results all come from the result cache never loads it.

#: Below this many files a scan runs in-process: starting workers costs more than it saves.
SERIAL_THRESHOLD = 12

ProgressCallback = Callable[[int, int], None]
PROGRESS_POLL = 0.1  # seconds between looks at the workers' count of analyzed files


@dataclass
class ScanResult:
    """Everything one scan produced, ready for any report writer.

    - ``root``: directory that report paths are relative to (the project root).
    - ``config``: the configuration the scan used.
    - ``results``: one ``AnalysisResult`` per analyzed file, sorted by path,
      with ``facts`` set to ``None`` (they stay in the worker process) and
      findings already filtered by baseline and diff.
    - ``files_scanned``: number of files analyzed.
    - ``notices``: scan-level problems (missing paths, bad configuration,
      crashed workers); per-file notices live in ``results[i].notices``.
    - ``baseline_fixed``: baseline entries (as stored in the baseline file)
      that no longer match any finding and can be removed.
    - ``diff_note``: explanation when ``--diff`` could not narrow the scan
      (no git, no commits) or ``None``.
    """

    root: Path
    config: Config
    results: list[AnalysisResult] = field(default_factory=list)
    files_scanned: int = 0
    notices: list[Notice] = field(default_factory=list)
    baseline_fixed: list[dict[str, Any]] = field(default_factory=list)
    diff_note: str | None = None
    baseline_hidden: int = 0  # findings hidden because the baseline knows them
    diff_hidden: int = 0  # findings hidden because they are not on changed lines
    diff_unchanged_files: int = 0  # files not analyzed because ``--diff`` found no change in them

    def findings(self) -> list[Finding]:
        """All findings of the scan, sorted by path, (notebook cell,) line, column and rule."""
        return sorted((f for r in self.results for f in r.findings), key=report_order)

    def suppressed(self) -> list[Finding]:
        """The findings suppression comments hid, in the order of ``findings``; each one's
        ``extra["suppression"]`` names the comment's kind and reason."""
        return sorted((f for r in self.results for f in r.suppressed), key=report_order)

    def all_notices(self) -> list[Notice]:
        """Scan-level notices followed by every file's notices."""
        return [*self.notices, *(n for r in self.results for n in r.notices)]

    def incomplete(self) -> dict[str, str]:
        """Files (and folders) that were not fully analyzed: path -> the first reason's kind."""
        found: dict[str, str] = {}
        for notice in self.all_notices():
            if notice.kind in INCOMPLETE_KINDS and notice.path:
                found.setdefault(notice.path, notice.kind)
        return dict(sorted(found.items()))

    def relpath(self, path: str | Path) -> str:
        """``path`` relative to ``root`` in POSIX form (absolute when outside it)."""
        return relative_to_root(path, self.root)


# -- worker side ----------------------------------------------------------------

_WORKER_STATE: dict[str, Any] = {}

#: A file whose analysis runs past ``config.timeout`` times this factor is abandoned.
HARD_TIMEOUT_FACTOR = 3.0
#: The limit counts the process's CPU time, as the budget does, so that a busy machine does not
#: abandon files; wall-clock time stops one blocked outside the CPU after this many times as long.
WALL_BACKSTOP_FACTOR = 4.0


class _HardTimeout(BaseException):
    """Raised by the alarm in the middle of a runaway analysis (a BaseException, so that a
    rule's ``except Exception`` cannot swallow it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    signal.setitimer(signal.ITIMER_PROF, 0)  # the other clock must not fire while this one is handled
    signal.setitimer(signal.ITIMER_REAL, 0)
    raise _HardTimeout


def _init_worker(
    config: Config,
    project_roots: list[Path] | None,
    finished: Any = None,
    summary_folder: Path | None = None,
    evidence: bool = True,
) -> None:
    _WORKER_STATE["config"] = config
    _WORKER_STATE["evidence"] = evidence
    store = SummaryCache(summary_folder) if summary_folder is not None else None
    _WORKER_STATE["store"] = store
    _WORKER_STATE["roots"] = project_roots
    _WORKER_STATE["project"] = _project(project_roots, config, store)
    _WORKER_STATE["finished"] = finished  # a shared counter of analyzed files (for progress), or None


# A scan's index keeps more parsed files than an editor's (which lets them all go when idle):
# a file asked later for another of its functions is then rarely parsed twice, and the scan
# costs the CPU time of an index keeping every file at a fraction of its memory. A file let go
# is parsed, indexed and summarized again when an importer asks it for a function not yet
# summarized, or when the scan analyzes it itself. On a project of many small modules the file
# count binds (Django's average 13 KB: 192 files instead of 96 spare 3-5 % of the parses and
# 5-10 % of the CPU, but cost 40-50 MB more per process, up to ~190 MiB, too near the 200 MB a
# process may take); on big modules the text does (the standard library).
SCAN_WHOLE_BYTES = 3_000_000
SCAN_WHOLE_FILES = 96


def _project(
    project_roots: list[Path] | None, config: Config, store: SummaryCache | None = None
) -> ProjectIndex | None:
    """A cross-module index over ``project_roots`` (one per process), or None without roots;
    with ``store``, its summaries are kept on disk between processes."""
    if not project_roots:
        return None
    from ..engine.taint import ProjectIndex

    return ProjectIndex(
        project_roots,
        whole_bytes=SCAN_WHOLE_BYTES,
        whole_files=SCAN_WHOLE_FILES,
        template_dirs=config.template_folders(),
        store=store,
        identity=analysis_identity() if store is not None else "",
        stable=True,
    )


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _analyze_one(path: Path, config: Config, project: ProjectIndex | None, evidence: bool = True) -> AnalysisResult:
    with collected_at_the_end():
        if project is None:
            return _analyze_guarded(path, config, project, evidence)
        project.settle()  # the same findings whichever files this process analyzed before
        with project.recording() as used:
            result = _analyze_guarded(path, config, project, evidence)
        result.project_files_used = tuple(sorted(str(p) for p in used))
        return result


def _analyze_guarded(path: Path, config: Config, project: ProjectIndex | None, evidence: bool = True) -> AnalysisResult:
    from .batch import analyze_file, analyze_path
    from .notebook import analyze_notebook_file
    from .running import budget_seconds

    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    limit = budget_seconds(config.timeout, size) * HARD_TIMEOUT_FACTOR
    alarm = _can_use_alarm()
    previous: tuple[Any, Any] | None = None
    try:
        if alarm:
            previous = signal.signal(signal.SIGPROF, _on_alarm), signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_PROF, limit)
            signal.setitimer(signal.ITIMER_REAL, limit * WALL_BACKSTOP_FACTOR)
        if is_notebook_path(path):
            result = analyze_notebook_file(path, config, project=project)
        elif not path.suffix and has_python_shebang(path):
            result = analyze_path(path, config, project=project, evidence=evidence)  # a Python script without suffix
        else:
            result = analyze_file(path, config, project=project, evidence=evidence)
    except _HardTimeout:
        result = AnalysisResult(path=str(path), abandoned=True)
        result.notices.append(
            Notice(
                "timeout",
                f"analysis abandoned after {limit:g} s of CPU time; no findings reported for this file",
                None,
                str(path),
            )
        )
    except RecursionError:
        result = AnalysisResult(path=str(path))
        result.notices.append(Notice("too-deep", "the code is nested too deeply to analyze; skipped", None, str(path)))
    except Exception as error:  # one bad file must not stop the scan
        result = AnalysisResult(path=str(path))
        result.notices.append(
            Notice("internal-error", f"analysis failed: {type(error).__name__}: {error}", None, str(path))
        )
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
            if previous is not None:
                signal.signal(signal.SIGPROF, previous[0] if previous[0] is not None else signal.SIG_DFL)
                signal.signal(signal.SIGALRM, previous[1] if previous[1] is not None else signal.SIG_DFL)
    if project is not None and result.facts is not None:
        project.offer(result.facts)  # a file imported by the next ones is not parsed again for them
    result.facts = None
    return result


def _analyze_chunk(paths: list[Path]) -> tuple[list[AnalysisResult], int]:
    """The results of ``paths``, and the number of summary records found unusable meanwhile."""
    config = _WORKER_STATE["config"]
    project = _WORKER_STATE["project"]
    store = _WORKER_STATE.get("store")
    finished = _WORKER_STATE.get("finished")
    evidence = _WORKER_STATE.get("evidence", True)
    ignored_before = store.ignored if store is not None else 0
    results = []
    for path in paths:
        results.append(_analyze_one(path, config, project, evidence))
        if project is not None and results[-1].abandoned:
            project = _WORKER_STATE["project"] = _project(_WORKER_STATE["roots"], config, store)
        if finished is not None:
            with finished.get_lock():
                finished.value += 1
    if project is not None:
        project.flush()
    return results, (store.ignored - ignored_before if store is not None else 0)


# -- parent side -----------------------------------------------------------------


def default_jobs() -> int:
    """Number of worker processes for "all cores"."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


#: A chunk holds this share of the bytes not yet handed out, divided by the number of workers:
#: the first chunks are big contiguous runs of the project, the last ones small.
GUIDED_SHARE = 2
#: ... but no less than this share of all the bytes (per worker), so the tail is not hundreds of
#: one-file chunks.
SMALLEST_SHARE = 64


def _chunks(files: list[Path], jobs: int) -> list[list[Path]]:
    """Split into chunks of neighbouring files in path order, each a share of what remains
    (guided scheduling): files of one package import the same modules, whose summaries and
    parsed facts a worker then reuses for the whole run of them instead of every worker working
    them out for some of its files; the chunks shrink towards the end, so the workers finish
    together."""
    sizes: dict[Path, int] = {}
    for path in files:
        try:
            sizes[path] = path.stat().st_size
        except OSError:
            sizes[path] = 0
    ordered = sorted(files)
    remaining = sum(sizes.values())
    smallest = remaining / (jobs * SMALLEST_SHARE)
    chunks: list[list[Path]] = []
    index = 0
    while index < len(ordered):
        target = max(smallest, remaining / (jobs * GUIDED_SHARE))
        chunk: list[Path] = []
        taken = 0
        while index < len(ordered) and (not chunk or taken + sizes[ordered[index]] <= target):
            chunk.append(ordered[index])
            taken += sizes[ordered[index]]
            index += 1
        remaining -= taken
        chunks.append(chunk)
    return chunks


def analyze_files(
    files: Sequence[Path],
    config: Config,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    project_roots: list[Path] | None = None,
    cache: ResultCache | None = None,
    summary_folder: Path | None = None,
    evidence: bool = True,
) -> tuple[list[AnalysisResult], list[Notice]]:
    """Analyze ``files`` (in parallel when worthwhile); results sorted by path.

    ``project_roots`` gives each process its own cross-module index over those roots.
    ``cache``: results of unchanged files are taken from it, and new ones stored in it.
    ``summary_folder``: the indexes keep their summaries in a ``SummaryCache`` there.
    ``evidence``: the results keep what the rules examined (see ``batch.analyze_source``).
    """
    if cache is None:
        return _analyze_all(
            files,
            config,
            jobs=jobs,
            progress=progress,
            project_roots=project_roots,
            summary_folder=summary_folder,
            evidence=evidence,
        )
    results: list[AnalysisResult] = []
    missing: list[Path] = []
    for path in files:
        cached = cache.lookup(path)
        if cached is None:
            missing.append(path)
        else:
            results.append(cached)
    hits = len(results)
    counted = None if progress is None else (lambda done, total: progress(done + hits, total + hits))
    fresh, notices = _analyze_all(
        missing,
        config,
        jobs=jobs,
        progress=counted,
        project_roots=project_roots,
        summary_folder=summary_folder,
        evidence=evidence,
    )
    for result in fresh:
        cache.store(result, (Path(p) for p in result.project_files_used))
    results.extend(fresh)
    results.sort(key=lambda r: r.path)
    return results, notices


def _analyze_all(
    files: Sequence[Path],
    config: Config,
    *,
    jobs: int | None,
    progress: ProgressCallback | None,
    project_roots: list[Path] | None,
    summary_folder: Path | None = None,
    evidence: bool = True,
) -> tuple[list[AnalysisResult], list[Notice]]:
    total = len(files)
    jobs = default_jobs() if jobs is None or jobs <= 0 else jobs
    results: list[AnalysisResult] = []
    notices: list[Notice] = []
    if progress is not None:
        progress(0, total)  # the number of files is known: say so before the first one ends
    if not files:
        return results, notices  # every result came from the cache: no index, no worker
    ignored = 0
    if jobs == 1 or total < SERIAL_THRESHOLD:
        store = SummaryCache(summary_folder) if summary_folder is not None else None
        local = _project(project_roots, config, store)
        for index, path in enumerate(files, 1):
            results.append(_analyze_one(path, config, local, evidence))
            if local is not None and results[-1].abandoned:
                local = _project(project_roots, config, store)  # the stopped file's index is dropped unsaved
            if progress is not None:
                progress(index, total)
        if local is not None:
            local.flush()
        ignored = store.ignored if store is not None else 0
    else:
        results, notices, ignored = _parallel(
            list(files), config, project_roots, min(jobs, total), progress, summary_folder, evidence
        )
    if summary_folder is not None and files:
        store = SummaryCache(summary_folder)
        store.prune()
        if ignored:
            notices.append(Notice("cache", store.notice_text(ignored)))
    results.sort(key=lambda r: r.path)
    return results, notices


def report_order(finding: Finding) -> tuple[str, int, int, int, str]:
    cell = cell_of(finding.extra)
    path, line, column, rule = finding.sort_key()
    return path, cell if cell is not None else -1, line, column, rule


def _mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` (fast: workers inherit the loaded rules) from a single-threaded process such as
    the command line; ``forkserver`` when other threads run (a server), where fork is unsafe."""
    import multiprocessing  # here: a run whose results all come from the cache starts no process

    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() > 1 and "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    if "fork" in methods:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _load_analysis() -> None:
    """Import the analysis and the rule catalogue here, once, for forked workers to share."""
    from . import batch, notebook  # noqa: F401
    from .selection import registry

    registry.all_rules()


def _parallel(
    files: list[Path],
    config: Config,
    project_roots: list[Path] | None,
    jobs: int,
    progress: ProgressCallback | None,
    summary_folder: Path | None = None,
    evidence: bool = True,
) -> tuple[list[AnalysisResult], list[Notice], int]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    total = len(files)
    done = 0
    ignored = 0
    reported = 0
    results: list[AnalysisResult] = []
    notices: list[Notice] = []
    context = _mp_context()
    finished = context.Value("i", 0) if progress is not None else None  # files done in the workers

    def report(count: int) -> None:
        nonlocal reported
        if progress is not None and count > reported:
            reported = count
            progress(count, total)

    def pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(config, project_roots, finished, summary_folder, evidence),
        )

    if context.get_start_method() == "fork":
        _load_analysis()
    failed: list[Path] = []
    with pool(jobs) as executor:
        futures = {executor.submit(_analyze_chunk, chunk): chunk for chunk in _chunks(files, jobs)}
        waiting: set[Future[tuple[list[AnalysisResult], int]]] = set(futures)
        while waiting:
            ended, waiting = wait(
                waiting, timeout=PROGRESS_POLL if finished is not None else None, return_when=FIRST_COMPLETED
            )
            for future in ended:
                try:
                    chunk_results, chunk_ignored = future.result()
                except BrokenProcessPool:
                    failed.extend(futures[future])
                    continue
                ignored += chunk_ignored
                results.extend(chunk_results)
                done += len(chunk_results)
            report(min(total, max(done, finished.value if finished is not None else 0)))
    # A worker died (a crash in C code, the OOM killer): retry the unfinished files one at a
    # time in a single worker, so that only the file that kills it again is lost.
    pending = sorted(failed)
    while pending:
        with pool(1) as executor:
            ordered = [(executor.submit(_analyze_chunk, [path]), path) for path in pending]
            pending = []
            crashed: Path | None = None
            for future, path in ordered:
                if crashed is not None:
                    pending.append(path)
                    continue
                try:
                    retried, retried_ignored = future.result()
                    results.extend(retried)
                    ignored += retried_ignored
                except BrokenProcessPool:
                    crashed = path
                    result = AnalysisResult(path=str(path))
                    result.notices.append(
                        Notice("internal-error", "the analysis process crashed on this file; skipped", None, str(path))
                    )
                    results.append(result)
                done += 1
                report(done)
    if failed:
        notices.append(Notice("internal-error", "a worker process crashed; the files involved were analyzed again"))
    return results, notices, ignored


def scan_paths(
    paths: Iterable[str | Path],
    config: Config,
    *,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    changed: ChangeSet | None = None,
    baseline: Baseline | None = None,
    gitignore: bool = True,
    exclude: Sequence[str] = (),
    force_exclude: bool = False,
    cache_folder: Path | None = None,
    shard: Shard | None = None,
    evidence: bool = True,
) -> ScanResult:
    """Discover and analyze the files under ``paths``.

    - ``jobs``: worker processes (``None``/0: all cores; 1: serial, in-process).
    - ``progress(done, total)``: called in this process as files finish.
    - ``changed``: a ``gitdiff.ChangeSet``; only findings on changed lines are kept.
    - ``baseline``: a ``baseline.Baseline``; known findings are hidden and
      entries no longer found are listed in ``ScanResult.baseline_fixed``.
    - ``gitignore``/``exclude``/``force_exclude``: see ``discovery.discover_files``.
    - ``cache_folder``: keep results in a ``result_cache.ResultCache`` there, and the walk's
      record (``discovery_cache``); None: no cache.
    - ``shard``: analyze and report only this shard's files (``sharding.Shard``).
    - ``evidence``: keep each result's evidence records (a review reads them); a report of
      findings alone passes False, which also spares the rules whose findings test code drops.
    Taint flows through the project's own modules: each process builds a cross-module
    index over the project root.
    """
    path_list = [Path(p) for p in paths]
    root = (config.root or Path.cwd()).resolve()
    scan = ScanResult(root=root, config=config)
    scan.notices.extend(config_notices(config))
    if cache_folder is None:
        found = discover_files(path_list, config, gitignore=gitignore, exclude=exclude, force_exclude=force_exclude)
    else:  # with the result cache, the walk is recorded there too
        found = discover_with_cache(
            cache_folder, path_list, config, gitignore=gitignore, exclude=exclude, force_exclude=force_exclude
        )
    scan.notices.extend(found.notices)
    files = found.files
    if shard is not None:
        files = [p for p in files if shard.owns(relative_to_root(p, root))]
    if changed is not None:
        scan.diff_note = changed.note
        touched = [p for p in files if changed.touches(p)]
        scan.diff_unchanged_files = len(files) - len(touched)
        files = touched
    cache = None
    if cache_folder is not None:
        known = found.python_texts.get(str(root))
        cache = ResultCache(cache_folder, config, found.files, listed=found.entries, python_texts=known)
    results, notices = analyze_files(
        files,
        config,
        jobs=jobs,
        progress=progress,
        project_roots=[root],
        cache=cache,
        summary_folder=cache_folder,
        evidence=evidence,
    )
    if cache is not None:
        scan.notices.extend(cache.notices)
        cache.save()
    scan.notices.extend(notices)
    scan.files_scanned = len(results)
    if baseline is not None:
        fixed_candidates: set[str] = set()
        for result in results:
            rel = scan.relpath(result.path)
            fixed_candidates.add(rel)
            kept = drop_known(result.findings, baseline, rel)
            scan.baseline_hidden += len(result.findings) - len(kept)
            result.findings = kept
        scan.baseline_fixed = baseline.unmatched(fixed_candidates)
    if changed is not None:
        for result in results:
            file = Path(result.path)
            kept = keep_changed(result.findings, lambda line, file=file: changed.is_changed(file, line))
            scan.diff_hidden += len(result.findings) - len(kept)
            result.findings = kept
            result.suppressed = keep_changed(result.suppressed, lambda line, file=file: changed.is_changed(file, line))
    scan.results = results
    return scan
