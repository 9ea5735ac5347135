"""Which lines changed since a git revision: the reviewer's view of a change.

API:

- ``changes_since(rev, cwd) -> ChangeSet``: lines added or changed since
  ``git merge-base REV HEAD``, including staged and unstaged working-tree
  changes; untracked (not ignored) files count as entirely new. Outside a git
  repository, or in a repository without commits, every line counts as new
  and ``ChangeSet.note`` says why. An unknown revision raises ``GitError``.
- ``ChangeSet.touches(path)`` / ``ChangeSet.is_changed(path, line)`` /
  ``ChangeSet.lines_for(path)``: queries by file path (any form; resolved).
- ``changed_lines_for_text(repo_root, path, text, rev="HEAD") -> set[int] | None``:
  for an unsaved editor buffer, the 1-based lines of ``text`` that differ
  from the file as committed at ``merge-base(REV, HEAD)`` (``git cat-file`` +
  difflib; ``HEAD`` is used as is).
- ``repo_root_of(path) -> Path | None``: the work tree containing ``path``.
  ``None`` means every line counts as new (the file does not exist at
  ``rev``, or git / the repository / the revision is unavailable).

Hunks come from ``git diff --unified=0``: ``@@ -a,b +c,d @@`` marks lines
``c .. c+d-1`` of the new file as changed (``d == 0`` is a pure deletion).
Renamed files count only their edited lines.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.source import split_lines

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT = 60


class GitError(RuntimeError):
    """git could not answer (unknown revision, broken repository)."""


@dataclass
class ChangeSet:
    """Changed lines per file (resolved path → lines; ``None`` = the whole file is new)."""

    repo_root: Path | None = None
    files: dict[Path, frozenset[int] | None] = field(default_factory=dict)
    everything_new: bool = False
    note: str | None = None
    base: str | None = None

    def lines_for(self, path: str | Path) -> frozenset[int] | None:
        """Changed lines of ``path``; ``None`` when all of it is new; empty when untouched."""
        if self.everything_new:
            return None
        return self.files.get(Path(path).resolve(), frozenset())

    def touches(self, path: str | Path) -> bool:
        """Whether ``path`` has any added or changed line."""
        lines = self.lines_for(path)
        return lines is None or bool(lines)

    def is_changed(self, path: str | Path, line: int) -> bool:
        lines = self.lines_for(path)
        return lines is None or line in lines


#: Settings that make git run no program a repository can choose (its ``.git/config`` is
#: as untrusted as the code under review): no file-system monitor hook, no hooks, no
#: transport (a partial clone would otherwise fetch missing objects), no pager.
_SAFE_SETTINGS = (
    "core.quotePath=false",
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "protocol.allow=never",
)

#: Environment variables that would point git at another repository, configuration or
#: program than the one asked for; they are dropped before git is started.
_UNSAFE_ENVIRONMENT = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "PAGER",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_ASKPASS",
    "GIT_PROXY_COMMAND",
)


def _environment() -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in _UNSAFE_ENVIRONMENT
        and not key.startswith("GIT_CONFIG_KEY_")
        and not key.startswith("GIT_CONFIG_VALUE_")
    }
    environment.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_NO_LAZY_FETCH="1")
    return environment


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    settings = [item for setting in _SAFE_SETTINGS for item in ("-c", setting)]
    try:
        return subprocess.run(
            ["git", "--no-pager", *settings, *command],
            cwd=cwd,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
            env=_environment(),
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"`git {' '.join(command)}` did not finish in {_GIT_TIMEOUT} s") from None


def _filter_overrides(cwd: Path) -> list[str]:
    """``-c`` settings that switch off every content filter driver the configuration defines.

    Comparing the working tree with a commit runs a file's ``clean`` filter; a driver is a
    command line in the repository's configuration, so each one is blanked out."""
    listed = _run(["config", "--null", "--name-only", "--get-regexp", r"^filter\."], cwd)
    drivers = {
        key[len("filter.") : key.rindex(".")]
        for key in listed.stdout.decode("utf-8", "surrogateescape").split("\0")
        if key.count(".") >= 2
    }
    overrides: list[str] = []
    for driver in sorted(drivers):
        for part, value in (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false")):
            overrides += ["-c", f"filter.{driver}.{part}={value}"]
    return overrides


def _git(args: list[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run git with every repository-chosen program disabled (hooks, fsmonitor, filters,
    textconv and external diff drivers, pagers, transports)."""
    completed = _run([*_filter_overrides(cwd), *args], cwd)
    if check and completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"`git {' '.join(args)}` failed: {message[-1] if message else completed.returncode}")
    return completed


def repo_root_of(path: Path) -> Path | None:
    """Top directory of the git work tree containing ``path``, or ``None``."""
    directory = path if path.is_dir() else path.parent
    try:
        completed = _git(["rev-parse", "--show-toplevel"], directory, check=False)
    except GitError:
        return None
    if completed.returncode != 0:
        return None
    return Path(completed.stdout.decode("utf-8", "surrogateescape").strip()).resolve()


def _has_commits(root: Path) -> bool:
    return _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root, check=False).returncode == 0


def changes_since(rev: str, cwd: str | Path = ".") -> ChangeSet:
    """Lines added or changed since ``merge-base(rev, HEAD)`` (working tree included)."""
    start = Path(cwd).resolve()
    if not start.exists():
        start = Path.cwd()
    root = repo_root_of(start)
    if root is None:
        return ChangeSet(everything_new=True, note="not inside a git repository: every line counts as new")
    if not _has_commits(root):
        return ChangeSet(
            repo_root=root,
            everything_new=True,
            note="the git repository has no commits yet: every line counts as new",
        )
    verified = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root, check=False)
    if verified.returncode != 0:
        raise GitError(f"unknown git revision {rev!r}")
    merge_base = _git(["merge-base", rev, "HEAD"], root, check=False)
    if merge_base.returncode != 0:
        raise GitError(f"{rev!r} and HEAD have no common ancestor")
    base = merge_base.stdout.decode().strip()
    diff = _git(
        [
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
            "--diff-filter=d",
            base,
            "--",
        ],
        root,
    )
    files = parse_unified_diff(diff.stdout, root)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    for name in untracked.stdout.split(b"\0"):
        if name:
            files[(root / name.decode("utf-8", "surrogateescape")).resolve()] = None
    return ChangeSet(repo_root=root, files=files, base=base)


def parse_unified_diff(patch: bytes, root: Path) -> dict[Path, frozenset[int] | None]:
    """Added/changed new-side line numbers per file from ``git diff --unified=0`` output."""
    files: dict[Path, frozenset[int] | None] = {}
    current: Path | None = None
    lines: set[int] = set()

    def flush() -> None:
        if current is not None:
            files[current] = frozenset(lines)

    for raw in patch.split(b"\n"):
        if raw.startswith(b"diff --git "):
            flush()
            current, lines = None, set()
        elif raw.startswith(b"+++ "):
            # git ends a name that contains a space with a TAB
            target = raw[4:].rstrip(b"\r").rstrip(b"\t")
            if target == b"/dev/null":
                current = None
                continue
            name = _unquote(target)
            if name.startswith("b/"):
                name = name[2:]
            current = (root / name).resolve()
        elif raw.startswith(b"@@ ") and current is not None:
            match = _HUNK.match(raw)
            if match:
                first = int(match.group(1))
                count = int(match.group(2)) if match.group(2) is not None else 1
                lines.update(range(first, first + count))
    flush()
    return files


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(raw: bytes) -> str:
    """Decode a path from a diff header, undoing git's C-style quoting."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw.decode("utf-8", "surrogateescape")
    body = raw[1:-1]
    out = bytearray()
    index = 0
    while index < len(body):
        byte = body[index]
        if byte == 0x5C and index + 1 < len(body):  # backslash
            following = chr(body[index + 1])
            if following in "01234567" and index + 4 <= len(body):
                out.append(int(body[index + 1 : index + 4], 8))
                index += 4
                continue
            out.append(_ESCAPES.get(following, ord(following)))
            index += 2
            continue
        out.append(byte)
        index += 1
    return out.decode("utf-8", "surrogateescape")


def changed_lines_for_text(repo_root: str | Path, path: str | Path, text: str, rev: str = "HEAD") -> set[int] | None:
    """1-based lines of ``text`` added or changed relative to ``path`` at ``rev``.

    ``None``: every line counts as new (file absent at ``rev``, no repository,
    no commits, unknown revision, git missing).
    """
    root = Path(repo_root).resolve()
    try:
        relative = Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    try:
        base = rev
        if rev != "HEAD":
            # Like ``--diff``: compare with the point where this branch left ``rev``.
            merge_base = _git(["merge-base", rev, "HEAD"], root, check=False)
            if merge_base.returncode == 0:
                base = merge_base.stdout.decode().strip()
        shown = _git(["cat-file", "blob", f"{base}:{relative}"], root, check=False)
    except GitError:
        return None
    if shown.returncode != 0:
        return None
    old_lines = split_lines(shown.stdout.decode("utf-8", "replace"))
    new_lines = split_lines(text)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    changed: set[int] = set()
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(j1 + 1, j2 + 1))
    return changed
