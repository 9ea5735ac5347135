"""The ``secreview`` command line.

    secreview check [PATH...]          scan, report, exit 1 when findings remain
    secreview check --fix [PATH...]    apply the safe fixes first (--fix-diff: preview them)
    secreview rules                    list the rule catalogue
    secreview explain RULE             a rule's documentation (SR id, Bandit B id, Ruff S code)
    secreview baseline create [PATH...] [-o FILE] [--reason TEXT]
    secreview baseline update|prune [PATH...] [--baseline FILE]
    secreview review PATH... [--diff REV] [-o FILE]
    secreview merge REPORT... [-o FILE]  combine the reports of `check --shard K/N` jobs

Exit codes: 0 clean, 1 findings reported, 2 usage or configuration error, 3 some files could
not be fully analyzed (unreadable, undecodable, too large, timed out, too deep, unparsable;
the summary lists them). ``--exit-zero`` turns 1 and 3 into 0.
Reports go to stdout (or ``--output``); notices and progress go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .. import __version__
from ..pipeline import (
    Config,
    ConfigError,
    Level,
    Notice,
    discover,
    load_pyproject,
    unknown_rule_codes,
    write_text_safely,
)
from . import fixing
from .catalogue import cmd_explain, cmd_rules
from .common import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_USAGE, UsageError, suggest
from .merge import add_merge_parser, cmd_merge
from .progress import ProgressBar, is_terminal, progress_for

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INCOMPLETE",
    "EXIT_USAGE",
    "ProgressBar",
    "UsageError",
    "build_parser",
    "main",
]

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "html", "markdown")


# -- argument parsing ------------------------------------------------------------


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _level(value: str) -> Level:
    try:
        return Level.parse(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 (all cores) or more")
    return number


def _shard(value: str) -> Any:
    from ..pipeline import Shard

    try:
        return Shard.parse(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_scan_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("scan")
    group.add_argument("--config", metavar="FILE", type=Path, help="pyproject.toml to read [tool.secreview] from")
    group.add_argument("--severity", type=_level, help="report findings at or above this severity (low|medium|high)")
    group.add_argument("--confidence", type=_level, help="report findings at or above this confidence")
    group.add_argument(
        "--select",
        type=_codes,
        action="append",
        default=[],
        metavar="CODES",
        help="comma-separated rule ids or prefixes to run instead of the configured ones "
        "(SR ids, Bandit B or Ruff S codes) or weakness classes (CWE-89)",
    )
    group.add_argument(
        "--extend-select",
        type=_codes,
        action="append",
        default=[],
        metavar="CODES",
        help="rules to run on top of the selected ones (opt-in rules by exact id)",
    )
    group.add_argument(
        "--ignore",
        type=_codes,
        action="append",
        default=[],
        metavar="CODES",
        help="comma-separated rule ids, prefixes or CWE-n to skip (added to the configured ones)",
    )
    group.add_argument(
        "--extend-ignore", type=_codes, action="append", default=[], metavar="CODES", help="the same as --ignore"
    )
    group.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="gitignore-style glob to skip (repeatable; added to the configured excludes)",
    )
    group.add_argument(
        "--require-reason",
        action="store_true",
        help="report suppression comments that give no ` -- reason` (rule SR902; the same as require-reason = true)",
    )
    group.add_argument("--no-gitignore", action="store_true", help="do not honour .gitignore files")
    group.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply excludes and .gitignore to files named on the command line too",
    )
    group.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=0,
        metavar="N",
        help="worker processes (default 0: all cores; 1: no workers)",
    )
    group.add_argument(
        "--no-progress",
        action="store_true",
        help="never draw the progress bar (drawn on stderr only when it is a terminal)",
    )
    group.add_argument(
        "--no-cache", action="store_true", help="analyze every file, without reading or writing the result cache"
    )
    group.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where the result cache lives (default: $SECREVIEW_CACHE_DIR, else .secreview_cache in the project root)",
    )
    group.add_argument("--quiet", "-q", action="store_true", help="do not print notices or the progress bar on stderr")


def _add_check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories (default: .); `-` reads one file's text from standard input",
    )
    check.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with `-`: the path the text on standard input belongs to (configuration, rules and "
        "the reported path follow it; nothing is read from it)",
    )
    report = check.add_argument_group("report")
    report.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default="text",
        metavar="FORMAT",
        help="text (default), concise (one line per finding), json, sarif, "
        "github (workflow-command annotations), gitlab (Code Quality JSON), html, markdown",
    )
    report.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule made instead of the findings (text or json)",
    )
    report.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    report.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text report (default: auto, when stdout is a terminal and NO_COLOR is unset)",
    )
    report.add_argument("--baseline", metavar="FILE", type=Path, help="hide findings recorded in this baseline")
    report.add_argument(
        "--diff", metavar="REV", help="report only findings on lines changed since merge-base(REV, HEAD)"
    )
    report.add_argument(
        "--watch",
        action="store_true",
        help="keep running: re-check files when they change and print their findings (Ctrl-C stops)",
    )
    report.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="analyze and report only the K-th of N parts of the files (a stable split by path; "
        "cross-file flows still see every file); join the reports with `secreview merge`",
    )
    status = check.add_argument_group("exit status")
    status.add_argument(
        "--fail-on",
        type=_level,
        metavar="SEVERITY",
        help="exit 1 only when a reported finding is at or above this severity (low|medium|high); "
        "--severity still decides what is reported",
    )
    status.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when findings are reported or files could not be fully analyzed",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secreview",
        description="Security review for Python code: located, specific, actionable findings.",
    )
    parser.add_argument("--version", action="version", version=f"secreview {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser(
        "check",
        help="scan files and directories",
        description="Scan files and report findings.",
        epilog="Exit status: 0 nothing reported, 1 findings reported (see --fail-on), 2 usage or configuration "
        "error, 3 some files could not be fully analyzed. --exit-zero turns 1 and 3 into 0.",
    )
    _add_check_options(check)
    fixing.add_fix_options(check)
    _add_scan_options(check)

    rules = sub.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("--format", "-f", choices=("text", "json", "markdown"), default="text")

    explain = sub.add_parser("explain", help="show a rule's documentation")
    explain.add_argument(
        "rule",
        metavar="RULE",
        help="SR id, Bandit id (B602), Ruff code (S602), rule name, or CWE-n (the rules of that class)",
    )

    baseline = sub.add_parser("baseline", help="manage baseline files")
    baseline_sub = baseline.add_subparsers(dest="baseline_command", metavar="ACTION")
    baseline_sub.required = True
    create = baseline_sub.add_parser("create", help="record the current findings")
    create.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    create.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default=".secreview-baseline.json",
        help="baseline file to write (default: .secreview-baseline.json)",
    )
    create.add_argument("--reason", metavar="TEXT", help="why these findings are accepted (stored on each entry)")
    _add_scan_options(create)
    update = baseline_sub.add_parser(
        "update", help="add new findings and drop fixed ones, keeping each remaining entry's reason"
    )
    prune = baseline_sub.add_parser("prune", help="drop the entries of fixed findings; add nothing")
    for action in (update, prune):
        action.add_argument("paths", nargs="*", default=["."], metavar="PATH")
        action.add_argument(
            "--baseline",
            "-b",
            metavar="FILE",
            type=Path,
            default=Path(".secreview-baseline.json"),
            help="baseline file to maintain in place (default: .secreview-baseline.json)",
        )
        _add_scan_options(action)
    update.add_argument(
        "--reason", metavar="TEXT", help="why the added findings are accepted (stored on each new entry)"
    )

    review = sub.add_parser("review", help="write a review of the code (markdown)")
    review.add_argument("paths", nargs="+", metavar="PATH")
    review.add_argument("--diff", metavar="REV", help="review only what changed since merge-base(REV, HEAD)")
    review.add_argument("--output", "-o", metavar="FILE", help="write the review to FILE instead of stdout")
    review.add_argument("--baseline", metavar="FILE", type=Path, help="leave out findings recorded in this baseline")
    review.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    _add_scan_options(review)
    add_merge_parser(sub)
    return parser


# -- configuration -----------------------------------------------------------------


def load_config(args: argparse.Namespace, anchor: str | None = None) -> Config:
    """Configuration for the scan: file (``--config`` or discovered from ``anchor``, by default
    the first path) plus command-line overrides."""
    first = Path(anchor or (args.paths[0] if getattr(args, "paths", None) else "."))
    try:
        if args.config is not None:
            if not args.config.is_file():
                raise UsageError(f"--config {args.config}: no such file")
            config = load_pyproject(args.config)
        else:
            config = discover(first if first.exists() else Path("."))
    except ConfigError as error:
        raise UsageError(f"configuration error: {error}") from None
    changes: dict[str, Any] = {}
    if args.severity is not None:
        changes["severity"] = args.severity
    if args.confidence is not None:
        changes["confidence"] = args.confidence
    if getattr(args, "require_reason", False):
        changes["require_reason"] = True
    given = {
        option: [c for group in getattr(args, option) for c in group]
        for option in ("select", "extend_select", "ignore", "extend_ignore")
    }
    if given["select"]:
        changes["select"] = tuple(given["select"])
    if given["extend_select"]:
        changes["extend_select"] = (*config.extend_select, *given["extend_select"])
    if given["ignore"] or given["extend_ignore"]:
        changes["ignore"] = (*config.ignore, *given["ignore"], *given["extend_ignore"])
    if changes:
        config = config.with_overrides(**changes)
    _check_rule_codes(config, given)
    return config


def _check_rule_codes(config: Config, given: dict[str, list[str]]) -> None:
    from ..pipeline import registry

    def known() -> list[str]:  # the rule catalogue, loaded only to suggest a fix
        return sorted(registry.known_codes())

    problems: list[str] = []
    for option, codes in given.items():
        for code in unknown_rule_codes(codes):
            problems.append(f"--{option.replace('_', '-')}: unknown rule `{code}`{suggest(code, known())}")
    on_command_line = {c for codes in given.values() for c in codes}
    where = str(config.source_file) if config.source_file else "configuration"
    configured = (
        ("select", config.select),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
        ("extend-ignore", config.extend_ignore),
    )
    for key, codes in configured:
        for code in unknown_rule_codes(c for c in codes if c not in on_command_line):
            problems.append(f"{where}: `{key}` names unknown rule `{code}`{suggest(code, known())}")
    for rule_id in config.rule_severity:
        found = registry.get(rule_id)
        if found is None or found.id != rule_id:
            hint = f" (use {found.id})" if found is not None else suggest(rule_id, [r.id for r in registry.all_rules()])
            problems.append(f"{where}: rule-severity names `{rule_id}`, which is not an SR rule id{hint}")
    for pattern, codes in config.per_file_ignores.items():
        for code in unknown_rule_codes(codes):
            problems.append(
                f"{where}: per-file-ignores[{pattern!r}] names unknown rule `{code}`{suggest(code, known())}"
            )
    if problems:
        raise UsageError("\n".join(problems))


# -- terminal helpers ----------------------------------------------------------------


def _isatty(stream: IO[str]) -> bool:
    return is_terminal(stream)


def use_color(choice: str, stream: IO[str]) -> bool:
    """``--color`` resolved: ``auto`` means a terminal and no ``NO_COLOR``."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return _isatty(stream)


def print_notices(notices: Sequence[Notice], stream: IO[str]) -> None:
    """Notices as ``path:line:col: kind: message`` lines."""
    from ..reports.text import render_notice_line

    for notice in notices:
        line = notice.span.start_line if notice.span is not None else None
        col = notice.span.start_col if notice.span is not None else None
        stream.write(render_notice_line(notice.path, notice.kind, notice.message, line, col) + "\n")


# -- commands -------------------------------------------------------------------------


def _run_scan(
    args: argparse.Namespace, config: Config, *, baseline: Any = None, diff: str | None = None, evidence: bool = False
) -> Any:
    """The scan ``args`` ask for; ``evidence``: keep what the rules examined (a review's scan)."""
    from ..pipeline import cache_folder, scan_paths

    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        raise UsageError("no such file or directory: " + ", ".join(missing))
    changed = None
    if diff:
        from ..pipeline import GitError, changes_since

        first = Path(args.paths[0])
        try:
            changed = changes_since(diff, first if first.is_dir() else first.parent)
        except GitError as error:
            raise UsageError(f"--diff {diff}: {error}") from None
    progress = progress_for(args, sys.stderr)
    try:
        return scan_paths(
            args.paths,
            config,
            jobs=args.jobs or None,
            progress=progress,
            changed=changed,
            baseline=baseline,
            gitignore=not args.no_gitignore,
            exclude=args.exclude,
            force_exclude=args.force_exclude,
            cache_folder=None if args.no_cache else cache_folder(config, args.cache_dir),
            shard=getattr(args, "shard", None),
            evidence=evidence,
        )
    finally:
        if progress is not None:
            progress.close()


def _report_scan_notices(args: argparse.Namespace, scan: Any) -> None:
    if scan.diff_note:
        sys.stderr.write(f"note: {scan.diff_note}\n")
    if not args.quiet:
        print_notices(scan.all_notices(), sys.stderr)


def _write_output(text: str, output: str | None) -> None:
    if output:
        try:
            write_text_safely(Path(output), text)
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise UsageError(f"cannot write the report to standard output: {error.strerror or error}") from None


def _is_own_report(path: Path) -> bool:
    """Whether ``path`` holds a JSON report, SARIF log or baseline this tool wrote earlier."""
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(data, dict):
        return False
    tool = data.get("tool")
    if tool == "secreview" or (isinstance(tool, dict) and tool.get("name") == "secreview"):
        return True
    runs = data.get("runs")
    if isinstance(runs, list) and runs and isinstance(runs[0], dict):
        driver = runs[0].get("tool", {}).get("driver", {}) if isinstance(runs[0].get("tool"), dict) else {}
        return isinstance(driver, dict) and driver.get("name") == "secreview"
    return False


def _refuse_scanned_output(args: argparse.Namespace, config: Config) -> None:
    """Stop before a report or baseline would replace one of the files being scanned (a
    report or baseline written by an earlier run may be replaced)."""
    output = getattr(args, "output", None)
    if not output or not os.path.exists(output):
        return
    from ..pipeline import discover_files, is_candidate

    target = Path(output).resolve()
    given = [Path(p).resolve() for p in args.paths if os.path.lexists(p)]
    if target not in given and not (
        is_candidate(target) and any(path.is_dir() and target.is_relative_to(path) for path in given)
    ):
        return  # neither named nor in a folder walked for files of its kind: not scanned
    found = discover_files(
        [p for p in args.paths if os.path.lexists(p)],
        config,
        gitignore=not args.no_gitignore,
        exclude=args.exclude,
        force_exclude=args.force_exclude,
    )
    if not any(path.resolve() == target for path in found.files):
        return
    if not _is_own_report(target):
        raise UsageError(
            f"refusing to write to {output}: it is one of the files being scanned; choose another --output"
        )
    # The earlier report is about to be replaced: it is not part of what is reviewed.
    root = (config.root or Path.cwd()).resolve()
    if target.is_relative_to(root):
        escaped = "".join(f"\\{ch}" if ch in "[]*?!#\\" else ch for ch in target.relative_to(root).as_posix())
        args.exclude = [*args.exclude, f"/{escaped}"]


def _load_baseline(path: Path | None) -> Any:
    if path is None:
        return None
    from ..pipeline import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as error:
        raise UsageError(str(error)) from None


def cmd_check(args: argparse.Namespace) -> int:
    from ..reports import ReportError, get_statistics_writer, get_writer
    from .stdin import config_anchor, reads_stdin, scan_stdin

    from_stdin = reads_stdin(args)
    wants_fixes = fixing.requested(args)
    config = load_config(args, anchor=config_anchor(args) if from_stdin else None)
    try:
        writer = get_statistics_writer(args.format) if args.statistics else get_writer(args.format)
    except ReportError as error:
        raise UsageError(str(error)) from None
    if args.watch:
        return _watch(args, config, writer)
    if from_stdin and args.shard:
        raise UsageError("--shard splits the files of a scan; it does not apply to standard input")
    options: dict[str, Any] = {}
    fixes = None
    if from_stdin:
        scan, path, text = scan_stdin(args, config)
        if args.format == "text" and not args.statistics:
            options["sources"] = {path: text}
    else:
        _refuse_scanned_output(args, config)
        baseline = _load_baseline(args.baseline)
        scan = _run_scan(args, config, baseline=baseline, diff=args.diff)
        if wants_fixes:
            fixes = fixing.fix_scan(args, config, scan)
            if fixes.files and not fixes.preview:  # report what the fixed files still hold
                scan = _run_scan(args, config, baseline=baseline, diff=args.diff)
    _report_scan_notices(args, scan)
    if fixes is not None and fixes.preview:
        _write_output(fixes.diff, args.output)
        fixing.report(fixes, len(scan.findings()), sys.stderr, quiet=args.quiet)
        return fixing.preview_exit_code(fixes, exit_zero=args.exit_zero)
    color = args.format == "text" and not args.output and use_color(args.color, sys.stdout)
    _write_output(writer(scan, color=color, **options), args.output)
    if args.output:
        _say_where_the_report_went(scan, args.output)
    if fixes is not None:
        fixing.report(fixes, len(scan.findings()), sys.stderr, quiet=args.quiet)
    return _exit_code(scan, exit_zero=args.exit_zero, fail_on=args.fail_on)


def _watch(args: argparse.Namespace, config: Config, writer: Any) -> int:
    from .watch import check_watch_arguments, watch

    check_watch_arguments(args)
    baseline = _load_baseline(args.baseline)
    return watch(
        args,
        config,
        lambda narrowed: _run_scan(narrowed, config, baseline=baseline),
        lambda scan: _report_scan_notices(args, scan),
        writer,
        color=use_color(args.color, sys.stdout),
    )


def _say_where_the_report_went(scan: Any, output: str) -> None:
    """With ``-o``, the terminal still gets the summary and the report's location."""
    from ..reports.text import summary_lines

    for line in summary_lines(scan, color=use_color("auto", sys.stderr)):
        sys.stderr.write(line + "\n")
    sys.stderr.write(f"report written to {output}\n")


def _exit_code(scan: Any, *, exit_zero: bool, fail_on: Level | None = None) -> int:
    """3 when a file could not be fully analyzed (a gate fails closed), else 1 with findings
    (with ``fail_on``: with findings of at least that severity)."""
    if exit_zero:
        return EXIT_CLEAN
    if scan.incomplete():
        return EXIT_INCOMPLETE
    failing = [f for f in scan.findings() if fail_on is None or f.severity >= fail_on]
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def cmd_baseline_create(args: argparse.Namespace) -> int:
    from ..pipeline import write_baseline

    config = load_config(args)
    _refuse_scanned_output(args, config)
    scan = _run_scan(args, config)
    _report_scan_notices(args, scan)
    try:
        count = write_baseline(scan, args.output, args.reason)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    sys.stderr.write(f"wrote {count} baseline {'entry' if count == 1 else 'entries'} to {args.output}\n")
    return EXIT_CLEAN


def cmd_baseline_maintain(args: argparse.Namespace) -> int:
    """``baseline update`` and ``baseline prune``: rewrite the baseline file in place."""
    from ..pipeline import updated_baseline
    from ..pipeline.baseline import dumps

    config = load_config(args)
    old = _load_baseline(args.baseline)
    args.output = str(args.baseline)
    _refuse_scanned_output(args, config)
    scan = _run_scan(args, config)
    _report_scan_notices(args, scan)
    adding = args.baseline_command == "update"
    scanned = [scan.relpath(result.path) for result in scan.results]
    scanned += [path for path, _ in old.entries if not (scan.root / path).exists()]  # deleted files
    change = updated_baseline(old, scan, scanned, add=adding, reason=getattr(args, "reason", None))
    try:
        write_text_safely(args.baseline, dumps(change.document))
    except OSError as error:
        raise UsageError(f"cannot write {args.baseline}: {error.strerror or error}") from None
    added = f"added {change.added}, " if adding else ""
    sys.stderr.write(f"{args.baseline}: {added}kept {change.kept}, dropped {change.dropped} (fixed)\n")
    return EXIT_CLEAN


def cmd_review(args: argparse.Namespace) -> int:
    from ..review import render_review

    config = load_config(args)
    _refuse_scanned_output(args, config)
    baseline = _load_baseline(args.baseline)
    scan = _run_scan(args, config, baseline=baseline, diff=args.diff, evidence=True)
    _report_scan_notices(args, scan)
    _write_output(render_review(scan), args.output)
    if args.output:
        _say_where_the_report_went(scan, args.output)
    return _exit_code(scan, exit_zero=args.exit_zero)


COMMANDS = {
    "check": cmd_check,
    "rules": cmd_rules,
    "explain": cmd_explain,
    "review": cmd_review,
    "merge": cmd_merge,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``secreview`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exit_:
        return int(exit_.code) if isinstance(exit_.code, int) else EXIT_USAGE
    if args.command == "baseline":
        command = cmd_baseline_create if args.baseline_command == "create" else cmd_baseline_maintain
    else:
        command = COMMANDS[args.command]
    try:
        return command(args)
    except UsageError as error:
        sys.stderr.write(f"secreview: error: {error}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (``secreview check | head``): not an error of ours.
        try:
            sys.stdout = open(os.devnull, "w")  # silence the final flush
        except OSError:
            pass
        return EXIT_CLEAN
    except KeyboardInterrupt:
        sys.stderr.write("secreview: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
