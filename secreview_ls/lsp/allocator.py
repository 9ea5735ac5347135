"""Run the server on the C allocator, which gives freed memory back to the system.

CPython's small-object allocator (pymalloc) takes memory from the system in 1 MB arenas and
returns an arena only once every object in it is gone. An editing session interleaves the
few objects that outlive it with the many short-lived ones of each analysis, so after every
document closed the server still held tens of MB of arenas, each kept by a handful of live
objects (``benchmarks/soak.py``). glibc's ``malloc`` hands free pages back to the system on
``malloc_trim``, which the server calls after each full collection (``collector.py``).

The allocator is chosen when the interpreter starts (``PYTHONMALLOC``), so the server starts
itself again, once, with ``PYTHONMALLOC=malloc``: the same command line, process and pipes
(``exec``), before
it reads anything. Only on Linux with glibc, and never when ``PYTHONMALLOC`` is already set:
``PYTHONMALLOC=pymalloc`` keeps Python's allocator (about 5-10 % less CPU per analysis).

glibc also gives each new thread that allocates its own arena (up to 8 per core), and the
analyses run on short-lived worker threads: the few objects a worker makes that outlive the
analysis then pin pages in several arenas at once. Measured with ``tracemalloc``, the Python
objects alive after every document closed were within 0.1 MB of those at start, yet the
process stayed ~6 MB above it, all in arenas other threads had used. ``one_arena`` makes
every thread allocate from the main arena (the interpreter lock serialises allocation
anyway, so there is no contention to avoid); ``MALLOC_ARENA_MAX`` or a
``glibc.malloc.arena_max`` tunable in the environment still wins.
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


def restart_command(
    original: list[str], environ: Mapping[str, str], executable: str, platform: str
) -> list[str] | None:
    """The command that starts the server again on the C allocator, or None when it should
    run as it is (allocator chosen already, not Linux, no interpreter to run). ``original`` is
    the command line this process was started with (``sys.orig_argv``): the same script,
    module or launcher runs again with the same options, so a launcher that sets up
    ``sys.path`` (the VS Code extension's) does so again."""
    if environ.get(VARIABLE) or not platform.startswith("linux") or not executable or not os.path.isfile(executable):
        return None
    if sys.flags.ignore_environment or not _glibc() or len(original) < 2:
        return None  # -E would ignore the variable; other C libraries do not trim this way
    return [executable, *original[1:]]


def use_system_allocator() -> None:
    """Replace this process with the server on the C allocator, when ``restart_command``
    says so; returns only when it does not (or the ``exec`` fails)."""
    command = restart_command(list(sys.orig_argv), os.environ, sys.executable, sys.platform)
    if command is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(command[0], command, {**os.environ, VARIABLE: "malloc"})
    except OSError:
        return  # keep running on pymalloc


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
