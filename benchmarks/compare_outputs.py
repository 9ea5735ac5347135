"""Do two revisions report the same thing? ``secreview check`` outputs compared byte for byte.

    python benchmarks/compare_outputs.py [--base REV] [--head REV] [--skip-stdlib]
                                         [--skip-fixtures] [--formats json,sarif] [--jobs N]
                                         [--keep DIR]

Each side is a source tree: a revision checked out in a temporary ``git worktree add
--detach``, or (the default for ``--head``) this checkout's working tree, uncommitted
changes included. ``--base`` defaults to the merge base of ``main`` and ``HEAD``. Both
sides run with this interpreter as ``python -m secreview_ls.cli`` with ``PYTHONPATH`` set
to their tree, so nothing is installed; the script checks that each side imports its own
tree before running anything.

Inputs:

- the CPython standard library of this interpreter (``sysconfig``'s ``stdlib``), as
  ``secreview check --format FMT --exit-zero -o OUT STDLIB``; ``--skip-stdlib`` leaves it
  out (it takes minutes of CPU per run);
- each side's ``tests/fixtures``, run from that side's root with a neutral configuration (an
  empty ``[tool.secreview]``), so the project's own excludes do not apply.

Finding paths are absolute, so each side's root is replaced by ``<TREE>`` before the
outputs are compared. For each input and format the script prints the wall time of both
runs and whether the outputs are identical; when they are not, how many findings of each
rule are only on one side. Exit status: 0 when every pair is identical, 1 otherwise, 2 when
a side cannot be set up. The temporary worktrees are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLACEHOLDER = "<TREE>"
NEUTRAL_CONFIG = "[tool.secreview]\n"


class SetupError(RuntimeError):
    """A side cannot be prepared (unknown revision, wrong import, failed run)."""


@dataclass
class Side:
    label: str  # "base" or "head"
    description: str  # what the user asked for: a revision, or the working tree
    root: Path
    temporary: bool = False
    times: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass(frozen=True)
class Input:
    name: str  # "stdlib" or "fixtures"
    target: str  # path given to `secreview check`, relative to the side's root or absolute
    neutral_config: bool


def git(*args: str, cwd: Path = REPO) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def default_base() -> str:
    try:
        return git("merge-base", "main", "HEAD")
    except SetupError:
        return "HEAD"


@contextmanager
def sides(base: str, head: str | None, scratch: Path) -> Iterator[tuple[Side, Side]]:
    """The two trees; temporary worktrees are removed on the way out, whatever happens."""
    made: list[Side] = []
    try:
        base_side = _worktree("base", base, scratch)
        made.append(base_side)
        if head is None:
            head_side = Side("head", "working tree", REPO)
        else:
            head_side = _worktree("head", head, scratch)
            made.append(head_side)
        yield base_side, head_side
    finally:
        for side in made:
            subprocess.run(["git", "worktree", "remove", "--force", str(side.root)], cwd=REPO, capture_output=True)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, capture_output=True)


def _worktree(label: str, revision: str, scratch: Path) -> Side:
    commit = git("rev-parse", "--verify", f"{revision}^{{commit}}")
    root = scratch / label
    git("worktree", "add", "--detach", str(root), commit)
    shown = commit[:10] if commit.startswith(revision) else f"{revision} @ {commit[:10]}"
    return Side(label, shown, root.resolve(), temporary=True)


def _environment(side: Side) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(side.root)
    env.pop("PYTHONHOME", None)
    return env


def check_imports(side: Side) -> Path:
    """Where the side's ``secreview_ls`` is imported from; it must be inside its root."""
    code = "import secreview_ls.cli, pathlib; print(pathlib.Path(secreview_ls.cli.__file__).resolve())"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=side.root, env=_environment(side), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SetupError(f"{side.label}: cannot import secreview_ls.cli:\n{done.stderr.strip()}")
    location = Path(done.stdout.strip())
    if not location.is_relative_to(side.root):
        raise SetupError(f"{side.label}: secreview_ls is imported from {location}, not from {side.root}")
    return location


def run_cli(side: Side, source: Input, fmt: str, config: Path, out: Path, jobs: int | None) -> float:
    """Run ``secreview check`` for one input and format; returns the wall time in seconds."""
    command = [sys.executable, "-m", "secreview_ls.cli", "check"]
    if source.neutral_config:
        command += ["--config", str(config)]
    command += ["--format", fmt, "--exit-zero", "--output", str(out)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    command.append(source.target)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=side.root, env=_environment(side), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or not out.exists():
        raise SetupError(f"{side.label}: {' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def normalised(path: Path, root: Path) -> str:
    """The output's text with the side's root (plain and as a URI path) replaced by ``<TREE>``."""
    text = path.read_text(encoding="utf-8")
    for form in {str(root), urllib.parse.quote(str(root))}:
        text = text.replace(form, PLACEHOLDER)
    return text


def findings_of(text: str, fmt: str) -> list[tuple[str, str]]:
    """(rule id, canonical JSON of the finding) for every finding of a json or sarif report."""
    document = json.loads(text)
    if fmt == "sarif":
        items = [result for run in document.get("runs", []) for result in run.get("results", [])]
        return [(item.get("ruleId", "?"), json.dumps(item, sort_keys=True)) for item in items]
    items = document.get("findings", []) if isinstance(document, dict) else document
    return [(item.get("rule_id", "?"), json.dumps(item, sort_keys=True)) for item in items]


def notice_kinds(text: str, fmt: str) -> Counter[str]:
    """How many notices of each kind (timeout, syntax-error, rule-error, ...) a report holds."""
    document = json.loads(text)
    if fmt == "sarif":
        items = [
            notice
            for run in document.get("runs", [])
            for invocation in run.get("invocations", [])
            for notice in invocation.get("toolExecutionNotifications", [])
        ]
        return Counter(item.get("descriptor", {}).get("id", "?") for item in items)
    notices = document.get("notices", []) if isinstance(document, dict) else []
    return Counter(item.get("kind", "?") for item in notices if isinstance(item, dict))


def difference_summary(base_text: str, head_text: str, fmt: str) -> list[str]:
    """Per rule, how many findings are only in base and only in head; notice kinds whose
    counts differ (a ``timeout`` under load explains missing findings); else where the texts part."""
    try:
        base_items = Counter(findings_of(base_text, fmt))
        head_items = Counter(findings_of(head_text, fmt))
        base_notices, head_notices = notice_kinds(base_text, fmt), notice_kinds(head_text, fmt)
    except (ValueError, AttributeError) as error:
        return [f"cannot read the reports as {fmt}: {error}"]
    only_base = Counter(rule for (rule, _), n in (base_items - head_items).items() for _ in range(n))
    only_head = Counter(rule for (rule, _), n in (head_items - base_items).items() for _ in range(n))
    lines = [
        f"{rule}: {only_base[rule]} only in base, {only_head[rule]} only in head"
        for rule in sorted(set(only_base) | set(only_head))
    ]
    lines += [
        f"{kind} notices: {base_notices[kind]} in base, {head_notices[kind]} in head"
        for kind in sorted(set(base_notices) | set(head_notices))
        if base_notices[kind] != head_notices[kind]
    ]
    if not lines:
        base_lines, head_lines = base_text.splitlines(), head_text.splitlines()
        first = next(
            (i for i, (a, b) in enumerate(zip(base_lines, head_lines, strict=False), start=1) if a != b),
            min(len(base_lines), len(head_lines)) + 1,
        )
        lines.append(f"the same findings; the reports first differ at line {first}")
    return lines


@dataclass
class Comparison:
    source: str
    fmt: str
    identical: bool
    base_bytes: int
    head_bytes: int
    findings: int
    details: list[str]


def compare(base: Side, head: Side, source: Input, fmt: str, outputs: dict[str, Path]) -> Comparison:
    base_text = normalised(outputs["base"], base.root)
    head_text = normalised(outputs["head"], head.root)
    identical = base_text == head_text
    try:
        count = len(findings_of(base_text, fmt))
    except (ValueError, AttributeError):
        count = -1
    details = [] if identical else difference_summary(base_text, head_text, fmt)
    return Comparison(source.name, fmt, identical, len(base_text), len(head_text), count, details)


def inputs(skip_stdlib: bool, skip_fixtures: bool) -> list[Input]:
    chosen = []
    if not skip_fixtures:
        chosen.append(Input("fixtures", "tests/fixtures", neutral_config=True))
    if not skip_stdlib:
        chosen.append(Input("stdlib", sysconfig.get_paths()["stdlib"], neutral_config=False))
    return chosen


def fixture_tree_note(base: Side, head: Side) -> str | None:
    """A note when the two sides' fixture trees are not the same files."""

    def listing(root: Path) -> dict[str, bytes]:
        fixtures = root / "tests" / "fixtures"
        return {p.relative_to(fixtures).as_posix(): p.read_bytes() for p in fixtures.rglob("*") if p.is_file()}

    base_files, head_files = listing(base.root), listing(head.root)
    if base_files == head_files:
        return None
    changed = sum(1 for name in set(base_files) | set(head_files) if base_files.get(name) != head_files.get(name))
    return f"note: tests/fixtures differ between the two trees ({changed} files); their outputs may differ too"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="revision to compare from (default: merge-base of main and HEAD)")
    parser.add_argument("--head", help="revision to compare to (default: this checkout's working tree)")
    parser.add_argument("--skip-stdlib", action="store_true", help="do not scan the standard library (CPU-heavy)")
    parser.add_argument("--skip-fixtures", action="store_true", help="do not scan tests/fixtures")
    parser.add_argument("--formats", default="json,sarif", help="comma-separated report formats (default: json,sarif)")
    parser.add_argument("--jobs", type=int, help="passed to `secreview check --jobs`")
    parser.add_argument("--keep", type=Path, help="copy the raw outputs into this directory")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    chosen = inputs(args.skip_stdlib, args.skip_fixtures)
    if not chosen or not formats:
        parser.error("nothing to compare")
    base_revision = args.base or default_base()
    try:
        with tempfile.TemporaryDirectory(prefix="secreview-compare-") as scratch_name:
            scratch = Path(scratch_name).resolve()
            with sides(base_revision, args.head, scratch) as (base, head):
                return _compare_sides(base, head, chosen, formats, scratch, args.jobs, args.keep)
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _compare_sides(
    base: Side, head: Side, chosen: list[Input], formats: list[str], scratch: Path, jobs: int | None, keep: Path | None
) -> int:
    for side in (base, head):
        location = check_imports(side)
        print(f"{side.label}: {side.description}  ({side.root}; imports {location.relative_to(side.root)})")
    config = scratch / "neutral" / "pyproject.toml"
    config.parent.mkdir()
    config.write_text(NEUTRAL_CONFIG, encoding="utf-8")
    if any(source.name == "fixtures" for source in chosen):
        note = fixture_tree_note(base, head)
        if note:
            print(note)
    results: list[Comparison] = []
    print(f"\n{'run':<18}{'base':>10}{'head':>10}")
    for source in chosen:
        for fmt in formats:
            outputs: dict[str, Path] = {}
            for side in (base, head):
                out = scratch / "out" / f"{side.label}-{source.name}.{fmt}"
                out.parent.mkdir(exist_ok=True)
                side.times[(source.name, fmt)] = run_cli(side, source, fmt, config, out, jobs)
                outputs[side.label] = out
            base_time, head_time = base.times[(source.name, fmt)], head.times[(source.name, fmt)]
            print(f"{source.name + ' ' + fmt:<18}{base_time:>9.1f}s{head_time:>9.1f}s", flush=True)
            results.append(compare(base, head, source, fmt, outputs))
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                for label, path in outputs.items():
                    (keep / f"{label}-{source.name}.{fmt}").write_bytes(path.read_bytes())
    print()
    for result in results:
        name = f"{result.source} {result.fmt}"
        if result.identical:
            print(f"{name}: identical ({result.base_bytes:,} characters, {result.findings:,} findings)")
            continue
        print(f"{name}: DIFFERENT (base {result.base_bytes:,} characters, head {result.head_bytes:,})")
        for line in result.details:
            print(f"    {line}")
    return 0 if all(result.identical for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
