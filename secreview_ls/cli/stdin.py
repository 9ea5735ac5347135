"""``secreview check -``: analyze the text on standard input as if it were one file.

``--stdin-filename PATH`` names that file: it decides which configuration applies (the
``pyproject.toml`` above it), which rules run (Python, notebook or configuration file), per-file
ignores and test-code handling, and the path the report shows. Nothing is read from PATH.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .common import UsageError

if TYPE_CHECKING:
    from ..pipeline import Config, ScanResult

STDIN = "-"
#: Formats that can show a file that exists only on standard input.
STDIN_FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


def reads_stdin(args: argparse.Namespace) -> bool:
    """Whether ``check`` was asked to read standard input, after checking the arguments fit."""
    if STDIN not in args.paths:
        if args.stdin_filename is not None:
            raise UsageError("--stdin-filename needs `-` as the path")
        return False
    if args.paths != [STDIN]:
        raise UsageError("`-` (standard input) cannot be combined with other paths")
    if args.diff:
        raise UsageError("--diff cannot be used with `-` (standard input)")
    if args.format not in STDIN_FORMATS and not args.statistics:
        raise UsageError(
            f"--format {args.format} cannot report standard input (use one of: {', '.join(STDIN_FORMATS)})"
        )
    return True


def config_anchor(args: argparse.Namespace) -> str:
    """The path configuration discovery starts from when reading standard input."""
    return args.stdin_filename if args.stdin_filename is not None else "."


def scan_stdin(
    args: argparse.Namespace, config: Config, stream: IO[bytes] | None = None
) -> tuple[ScanResult, str, str]:
    """Analyze standard input: the scan, the path it is reported under, and its text."""
    from ..pipeline import (
        AnalysisResult,
        ScanResult,
        analyze_notebook,
        analyze_source,
        analyze_text_file,
        decode_source,
        filter_document,
        is_notebook_path,
        is_python_path,
    )

    data = (stream or sys.stdin.buffer).read()
    name = args.stdin_filename
    path = str(Path(name).resolve()) if name is not None else "<stdin>"
    root = (config.root or Path.cwd()).resolve()
    scan = ScanResult(root=root, config=config, files_scanned=1)
    read = decode_source(data, path)
    if read.text is None:
        result = AnalysisResult(path=path, notices=[read.notice] if read.notice is not None else [])
    elif name is None or is_python_path(Path(name)):
        result = analyze_source(read.text, path, config)
    elif is_notebook_path(name):
        result = analyze_notebook(read.text, path, config)
    else:
        result = analyze_text_file(read.text, path, config)
    if args.baseline is not None and result.findings:
        result.findings = filter_document(
            result.findings, path, read.text or "", changed_since=None, baseline_path=args.baseline, root=root
        )
    scan.results = [result]
    return scan, path, read.text or ""
