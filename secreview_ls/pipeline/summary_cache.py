"""The summaries of imported modules, kept on disk between runs and shared by processes.

The cross-module index (``ProjectIndex``) summarizes the functions other files call into; with
a ``SummaryCache`` those summaries outlive the process: a scan's workers, the next scan and a
restarted server read them instead of parsing the module again. What a record holds and when
it may be used (same file content, same files used, same analysis code and taint
configuration) is the index's business; this module keeps the bytes:

- one file per record under ``summaries/`` of the cache folder (the result cache's folder:
  ``--cache-dir``, ``$SECREVIEW_CACHE_DIR`` or ``.secreview_cache`` in the project root);
- written atomically (a temporary file renamed over the record), so that workers writing at
  once leave one complete record, never a mixture;
- signed with the user's key (the result cache's), over the record and its key: a record that
  came with the code under review, was damaged, or was moved to another key is ignored (and
  counted in ``ignored``, which the scan turns into a notice), never used;
- at most ``max_bytes`` in all: ``prune`` deletes the records used least recently.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import sys
import time
from pathlib import Path

from .. import __version__
from ..config import Config
from .result_cache import (
    ENVIRONMENT_VARIABLE,
    _own_code,
    _sign,
    _user_key,
    cache_folder,
    prepare_folder,
    write_atomically,
)

SUBFOLDER = "summaries"
MAX_BYTES = 256 * 1024 * 1024
_KEPT_AFTER_PRUNING = 0.75  # of ``max_bytes``: room for a few runs before the next pruning
_TOUCH_AFTER_NS = 3_600 * 1_000_000_000  # a record read is marked used at most once an hour


@functools.cache
def analysis_identity() -> str:
    """What the stored summaries were computed by: secreview's version and code, and Python's."""
    text = "\0".join((__version__, sys.version, _own_code()))
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=20).hexdigest()


def editor_summary_cache(config: Config) -> SummaryCache | None:
    """The summary cache a language server shares with ``secreview check``: the cache folder
    of the project when a scan made it (or ``$SECREVIEW_CACHE_DIR`` names one); None otherwise,
    so that opening a folder in an editor writes nothing into it."""
    folder = cache_folder(config)
    if os.environ.get(ENVIRONMENT_VARIABLE) or folder.is_dir():
        return SummaryCache(folder)
    return None


class SummaryCache:
    """Signed records under ``folder/summaries`` (a ``summary_store.SummaryStore``)."""

    def __init__(self, folder: Path, max_bytes: int = MAX_BYTES) -> None:
        self.cache_folder = folder
        self.folder = folder / SUBFOLDER
        self.max_bytes = max_bytes
        self.ignored = 0  # records found damaged or not signed by this user
        self._key = _user_key()
        self._ready = False

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.rec"

    def _signature(self, key: str, data: bytes) -> bytes:
        return _sign(self._key, key.encode("ascii", "replace") + b"\0" + data).encode()

    def load(self, key: str) -> bytes | None:
        file = self._file(key)
        try:
            raw = file.read_bytes()
        except OSError:
            return None
        signature, newline, data = raw.partition(b"\n")
        if not newline or not hmac.compare_digest(signature, self._signature(key, data)):
            self.ignored += 1
            return None
        with contextlib.suppress(OSError):
            if time.time_ns() - file.stat().st_mtime_ns > _TOUCH_AFTER_NS:
                os.utime(file)  # used: the last to go when the cache is pruned
        return data

    def save(self, key: str, data: bytes) -> None:
        """Write a record atomically; a folder that cannot be written costs only speed."""
        file = self._file(key)
        with contextlib.suppress(OSError):
            if not self._ready:
                prepare_folder(self.cache_folder)
                self._ready = True
            file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(file, self._signature(key, data) + b"\n" + data, ".rec-")

    def prune(self) -> int:
        """Delete the records used least recently until they weigh less than ``max_bytes``
        (down to three quarters of it); temporary files left by a killed writer go too.
        Returns the number of files deleted."""
        entries: list[tuple[int, int, Path]] = []
        total = 0
        deleted = 0
        now = time.time_ns()
        try:
            groups = [entry for entry in os.scandir(self.folder) if entry.is_dir()]
        except OSError:
            return 0
        for group in groups:
            with contextlib.suppress(OSError):
                for entry in os.scandir(group.path):
                    info = entry.stat()
                    if entry.name.startswith(".rec-") and now - info.st_mtime_ns > _TOUCH_AFTER_NS:
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                            deleted += 1
                        continue
                    entries.append((info.st_mtime_ns, info.st_size, Path(entry.path)))
                    total += info.st_size
        if total <= self.max_bytes:
            return deleted
        entries.sort()
        for _, size, path in entries:
            if total <= self.max_bytes * _KEPT_AFTER_PRUNING:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                deleted += 1
                total -= size
        return deleted

    def notice_text(self, ignored: int) -> str:
        return (
            f"summary cache {self.folder}: {ignored} record(s) ignored (damaged, or not written by this "
            f"user's secreview); the summaries were computed again"
        )
