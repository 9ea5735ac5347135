"""The allocator the server runs on, and glibc's arenas for its analysis threads.

The server runs on Python's own small-object allocator (pymalloc): an edit's analysis makes
and frees hundreds of thousands of small objects, and glibc's ``malloc`` spends 20-35 % more
CPU on them (``benchmarks/real_files.py`` with ``PYTHONMALLOC=malloc``). pymalloc takes memory
from the system in 1 MB arenas and gives an arena back only once every object in it is gone,
so after the documents close the process stays somewhat above its start (``benchmarks/soak.py``,
2,000 edits: 67.5 MB after closing, +19 % of ready, against 59.4 MB on glibc's allocator, and
77-79 MB against 63-65 MB while editing, flat). ``PYTHONMALLOC=malloc`` in the server's
environment chooses glibc's allocator instead, whose free pages go back to the system on
``malloc_trim`` (called after each full collection, ``collector.py``): for memory over speed.

glibc also gives each new thread that allocates its own arena (up to 8 per core), and the
analyses run on short-lived worker threads: the few objects a worker makes that outlive the
analysis then pin pages in several arenas at once (on pymalloc too, for objects over 512
bytes, which it leaves to ``malloc``). ``one_arena`` makes every thread allocate from the main
arena (the interpreter lock serialises allocation anyway, so there is no contention to avoid);
``MALLOC_ARENA_MAX`` or a ``glibc.malloc.arena_max`` tunable in the environment still wins.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

VARIABLE = "PYTHONMALLOC"
M_ARENA_MAX = -8  # glibc's <malloc.h>


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):
        return False


def arena_limit_chosen(environ: Mapping[str, str]) -> bool:
    """Whether the environment already sets how many arenas glibc may make."""
    return "MALLOC_ARENA_MAX" in environ or "glibc.malloc.arena_max" in environ.get("GLIBC_TUNABLES", "")


def one_arena() -> bool:
    """Make every thread allocate from glibc's main arena (see the module docstring); whether
    it did. Call before any thread starts. Nothing happens off glibc, or when the environment
    chose a limit."""
    if not sys.platform.startswith("linux") or not _glibc() or arena_limit_chosen(os.environ):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt(M_ARENA_MAX, 1) == 1
