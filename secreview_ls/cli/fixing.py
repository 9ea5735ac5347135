"""``secreview check --fix``: apply the fixes the reported findings carry, or preview them.

- ``--fix`` writes the safe fixes into the files; ``--unsafe-fixes`` adds the fixes that may
  change what the program does (``secreview rules``, column FIX, says which is which).
- ``--fix-diff`` prints what ``--fix`` would change as a unified diff and writes nothing.
- Only findings the report would show are fixed (``--baseline``, ``--diff``, thresholds and
  suppressions apply). A file that does not compile, whose bytes would not come back unchanged
  in its encoding, or that changed while it was being fixed, is left as it was.
- A file is replaced atomically (a temporary file in the same folder takes its name, with the
  old file's permissions; a symbolic link keeps pointing at the fixed file). Encoding, byte-order
  mark and line ends are kept.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .common import EXIT_CLEAN, EXIT_FINDINGS, UsageError

if TYPE_CHECKING:
    from ..pipeline import Finding


def add_fix_options(check: argparse.ArgumentParser) -> None:
    group = check.add_argument_group("fix")
    group.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes of the reported findings to the files, then report what remains",
    )
    group.add_argument(
        "--fix-diff",
        action="store_true",
        help="print the fixes --fix would apply as a unified diff and change no file "
        "(exit 1 when there is something to fix)",
    )
    group.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --fix-diff: also apply fixes that may change what the program does",
    )


def requested(args: argparse.Namespace) -> bool:
    """Whether ``check`` was asked to fix (or preview fixes); rejects combinations that make no sense."""
    fixing = bool(getattr(args, "fix", False) or getattr(args, "fix_diff", False))
    if getattr(args, "unsafe_fixes", False) and not fixing:
        raise UsageError("--unsafe-fixes only applies with --fix or --fix-diff")
    if fixing and "-" in args.paths:
        raise UsageError("--fix and --fix-diff change files; they cannot fix standard input")
    if getattr(args, "fix_diff", False) and (args.statistics or args.format != "text"):
        raise UsageError("--fix-diff prints a diff; it does not combine with --format or --statistics")
    return fixing


@dataclass
class FileFix:
    path: str  # as reported (relative to the project root)
    fixed: list[Finding]
    diff: str = ""


@dataclass
class FixRun:
    """What ``fix_scan`` did to the files of a scan."""

    preview: bool
    files: list[FileFix] = field(default_factory=list)
    unsafe_left: int = 0  # findings whose fixes need --unsafe-fixes
    notes: list[str] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return sum(len(f.fixed) for f in self.files)

    @property
    def diff(self) -> str:
        return "".join(f.diff for f in self.files)


def fix_scan(args: argparse.Namespace, config: Any, scan: Any) -> FixRun:
    """Fix (or preview) the files of ``scan`` whose reported findings carry applicable fixes."""
    from ..pipeline.fixing import can_apply

    unsafe = bool(args.unsafe_fixes)
    run = FixRun(preview=bool(args.fix_diff))
    for result in scan.results:
        wanted = {f.fingerprint for f in result.findings if can_apply(f, unsafe=unsafe)}
        run.unsafe_left += sum(
            1 for f in result.findings if not unsafe and f.fix is not None and not can_apply(f, unsafe=False)
        )
        if not wanted:
            continue
        shown = scan.relpath(result.path)
        try:
            fixed = _fix_file(Path(result.path), shown, config, wanted, unsafe, run)
        except OSError as error:
            run.notes.append(f"{shown}: not fixed: {error.strerror or error}")
            continue
        if fixed is not None:
            run.files.append(fixed)
    return run


def _fix_file(path: Path, shown: str, config: Any, wanted: set[str], unsafe: bool, run: FixRun) -> FileFix | None:
    from ..pipeline import analyze_source
    from ..pipeline.fixing import decode_for_fixing, fix_text, unified_diff

    data = path.read_bytes()
    source = decode_for_fixing(data)
    if source is None:
        run.notes.append(f"{shown}: not fixed: its bytes would not be written back unchanged in its encoding")
        return None

    def analyze(text: str) -> list[Finding]:
        return analyze_source(text, str(path), config).findings

    outcome = fix_text(source.text, analyze, unsafe=unsafe, wanted=lambda f: f.fingerprint in wanted)
    if outcome.note:
        run.notes.append(f"{shown}: {outcome.note}")
    if not outcome.fixed or outcome.text == source.text:
        return None
    try:
        new_data = source.encode(outcome.text)
    except UnicodeEncodeError:
        run.notes.append(f"{shown}: not fixed: the fix does not fit the file's encoding ({source.encoding})")
        return None
    if run.preview:
        return FileFix(shown, outcome.fixed, unified_diff(source.text, outcome.text, shown))
    if not replace_file(path, data, new_data):
        run.notes.append(f"{shown}: not fixed: the file changed while it was being fixed")
        return None
    return FileFix(shown, outcome.fixed)


def replace_file(path: Path, expected: bytes, data: bytes) -> bool:
    """Write ``data`` over the file ``path`` resolves to, atomically, keeping its permissions;
    False (and nothing written) when the file no longer holds ``expected``."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(os.stat(target).st_mode)
    import tempfile  # only a fix written needs it

    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".fix", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        if target.read_bytes() != expected:
            os.unlink(temporary)
            return False
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return True


def report(run: FixRun, remaining: int, stream: IO[str], *, quiet: bool = False) -> None:
    """What was fixed (per file, then in total) and what is left, on ``stream`` (stderr)."""
    verb = "would fix" if run.preview else "fixed"
    if not quiet:
        for note in run.notes:
            stream.write(f"note: {note}\n")
        for file in run.files:
            counts = Counter(f.rule_id for f in file.fixed)
            rules = ", ".join(f"{rule} ×{count}" if count > 1 else rule for rule, count in sorted(counts.items()))
            stream.write(f"{verb} {file.path}: {_findings(len(file.fixed))} ({rules})\n")
    if run.preview:
        stream.write(f"Would fix {_findings(run.fixed)}.\n")
    else:
        stream.write(f"Fixed {_findings(run.fixed)} ({remaining} remaining).\n")
    if run.unsafe_left:
        more = "1 more finding has a fix" if run.unsafe_left == 1 else f"{run.unsafe_left} more findings have fixes"
        stream.write(
            f"{more} that may change behaviour: review them with --fix-diff --unsafe-fixes, "
            "apply them with --fix --unsafe-fixes.\n"
        )


def preview_exit_code(run: FixRun, *, exit_zero: bool) -> int:
    """1 when the preview shows something to fix (a gate: "everything fixable is fixed"), else 0."""
    return EXIT_FINDINGS if run.diff and not exit_zero else EXIT_CLEAN


def _findings(count: int) -> str:
    return f"{count} finding{'s' if count != 1 else ''}"
