"""Writing a report or baseline to a file without ever leaving a half-written one.

A regular file (or a new one) is replaced atomically: the text goes to a temporary file in
the same folder, which then takes the target's name, so a full disk or an interrupted run
leaves the old file as it was. Anything else (``/dev/stdout``, a FIFO, a device) is written
to directly: renaming over it would replace the device itself.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_text_safely(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target``; ``OSError`` when it cannot be written."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "w", encoding="utf-8") as stream:
            stream.write(text)
        return
    import tempfile  # only a report written to a file needs it

    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
