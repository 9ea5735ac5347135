"""``secreview-ls`` / ``python -m secreview_ls``: start the language server.

Speaks LSP over stdin/stdout by default (``--tcp HOST:PORT`` for a socket).
Logs go to stderr (and ``window/logMessage``), never to stdout.

Before anything else the program can tell whether it is able to run at all:

- ``--version`` imports everything the server needs (the Python version, pygls,
  lsprotocol and the other requirements, every module of ``secreview_ls.lsp``) and
  prints ``secreview-ls X.Y.Z`` only when all of it works. Otherwise stdout stays
  empty, stderr gets the report below and the exit status is 1, so an editor that
  probes with ``--version`` sees the failure and can show why.
- ``--check`` prints that report on stdout whatever the outcome (exit 0 or 1): the
  interpreter, where the package comes from, each requirement with its version, a
  ``problem:`` line for each problem, a ``fix:`` line saying what to do and, when a
  command does it, a ``run:`` line with that command for *this* interpreter.
- Starting the server with something missing prints the same report on stderr
  instead of a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.metadata
import json
import logging
import os
import pkgutil
import re
import shlex
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from .. import __version__
from .allocator import one_arena

MIN_PYTHON = (3, 11)
DISTRIBUTION = "secreview-ls"


@dataclass(frozen=True)
class Requirement:
    """A distribution the server imports, with the range ``pyproject.toml`` declares."""

    distribution: str
    module: str
    lowest: tuple[int, ...]
    below: tuple[int, ...] | None = None

    @property
    def spec(self) -> str:
        bounds = []
        if self.lowest:
            bounds.append(">=" + ".".join(map(str, self.lowest)))
        if self.below is not None:
            bounds.append("<" + ".".join(map(str, self.below)))
        return self.distribution + ",".join(bounds)


# The runtime dependencies of pyproject.toml (a test keeps the two in step), and cattrs,
# which pygls and lsprotocol import (its range is theirs to declare).
REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("pygls", "pygls", (2, 1), (3,)),
    Requirement("lsprotocol", "lsprotocol", (2025, 0, 0)),
    Requirement("pathspec", "pathspec", (0, 12)),
    Requirement("attrs", "attrs", (23, 1)),
    Requirement("cattrs", "cattrs", ()),
)


@dataclass
class Report:
    """What ``--check`` found: lines to print, problems, what fixes them and the commands that do."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        head = f"secreview-ls {__version__}" if self.ok else f"secreview-ls {__version__} cannot start"
        body = [
            *self.lines,
            *(f"problem: {p}" for p in self.problems),
            *(f"fix: {f}" for f in self.fixes),
            *(f"run: {c}" for c in self.commands),
        ]
        return "\n".join([head, *body]) + "\n"


def _version_tuple(text: str) -> tuple[int, ...]:
    numbers = []
    for part in text.split("."):
        match = re.match(r"\d+", part)
        if match is None:
            break
        numbers.append(int(match.group()))
    return tuple(numbers)


def _quote(text: str) -> str:
    return shlex.quote(text) if os.name != "nt" else (f'"{text}"' if " " in text else text)


def _checkout_root() -> Path | None:
    """The source checkout this package is imported from, when it is one (not an install)."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "secreview_ls" / "__init__.py").is_file():
        return root
    return None


def _installed_version() -> str | None:
    """The version pip recorded for the distribution that provides the imported package
    (``0.1.0``, or ``0.1.0, editable`` for ``pip install -e``); None when it was not installed."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    here = Path(__file__).resolve().parents[1]
    if Path(str(dist.locate_file("secreview_ls"))).resolve() == here:
        return dist.version
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return None
    url = str(direct.get("url", ""))
    editable = bool(direct.get("dir_info", {}).get("editable"))
    if editable and url.startswith("file:") and Path(url2pathname(urlparse(url).path)).resolve() == here.parent:
        return f"{dist.version}, editable"
    return None


def _externally_managed() -> bool:
    """A system Python (PEP 668) whose pip refuses to install outside a virtual environment."""
    if sys.prefix != sys.base_prefix:
        return False
    stdlib = sysconfig.get_path("stdlib")
    return bool(stdlib) and Path(stdlib, "EXTERNALLY-MANAGED").is_file()


def _check_python(report: Report, python: str) -> bool:
    found = ".".join(map(str, sys.version_info[:3]))
    report.lines.append(f"python: {sys.executable or 'unknown'} ({found})")
    if sys.version_info >= MIN_PYTHON:
        return True
    wanted = ".".join(map(str, MIN_PYTHON))
    report.problems.append(f"Python {found} is too old: the server needs Python {wanted} or newer")
    report.fixes.append(f"run the server with a Python {wanted}+ interpreter instead of {python}")
    report.commands.append(f"python{wanted} -m secreview_ls")
    return False


def _check_requirement(report: Report, requirement: Requirement) -> bool:
    try:
        importlib.import_module(requirement.module)
    except Exception as error:  # ImportError, or a broken install raising anything else
        report.problems.append(f"{requirement.spec}: cannot import {requirement.module} ({error})")
        return False
    try:
        installed = importlib.metadata.version(requirement.distribution)
    except importlib.metadata.PackageNotFoundError:
        report.lines.append(f"ok: {requirement.distribution} (version unknown)")
        return True
    version = _version_tuple(installed)
    too_old = version < requirement.lowest
    too_new = requirement.below is not None and version[: len(requirement.below)] >= requirement.below
    if too_old or too_new:
        report.problems.append(f"{requirement.spec}: version {installed} is installed")
        return False
    report.lines.append(f"ok: {requirement.distribution} {installed}")
    return True


def _check_server_modules(report: Report) -> None:
    """Import every module of the server package, as starting it would."""
    package = importlib.import_module(__package__ or "secreview_ls.lsp")
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "__main__")
    for name in names:
        try:
            importlib.import_module(f"{package.__name__}.{name}")
        except Exception as error:
            report.problems.append(f"{package.__name__}.{name} does not import: {type(error).__name__}: {error}")
    if not report.problems:
        report.lines.append(f"ok: the server's {len(names)} modules import")


def _install_fixes(report: Report, python: str, missing: list[Requirement], checkout: Path | None) -> None:
    """What installs the missing requirements for this interpreter (or a new environment)."""
    packages = f"-e {_quote(str(checkout))}" if checkout is not None else " ".join(_quote(r.spec) for r in missing)
    if _externally_managed():
        venv = "~/.venvs/secreview"
        report.fixes.append(
            f"{python} is managed by the system and pip refuses to install into it: create a virtual "
            f"environment, install there, and run the server with {venv}/bin/python"
        )
        report.commands.append(f"{python} -m venv {venv} && {venv}/bin/python -m pip install {packages}")
    else:
        what = "this checkout and its requirements" if checkout is not None else "the missing requirements"
        report.fixes.append(f"install {what} into {python}")
        report.commands.append(f"{python} -m pip install {packages}")


def check() -> Report:
    """Everything the server needs to start, checked by importing it."""
    report = Report()
    python = _quote(sys.executable or "python3")
    if not _check_python(report, python):
        return report
    installed = _installed_version()
    checkout = _checkout_root()
    where = Path(__file__).resolve().parents[1]
    if checkout is not None:
        origin = "source checkout"
    else:
        origin = f"installed, {DISTRIBUTION} {installed}" if installed is not None else "not installed with pip"
    report.lines.append(f"package: {where} ({origin})")
    missing = [r for r in REQUIREMENTS if not _check_requirement(report, r)]
    if missing:
        _install_fixes(report, python, missing, checkout)
        return report
    _check_server_modules(report)
    if report.problems:
        report.fixes.append(f"reinstall secreview-ls into {python} from the checkout or wheel it came from")
        if checkout is not None:
            report.commands.append(f"{python} -m pip install --force-reinstall -e {_quote(str(checkout))}")
    return report


class _VersionAction(argparse.Action):
    """``--version``: the version line only when the server can start, else the report on stderr."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **_: object) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="print the version and exit (exit 1, with what is missing on stderr, when the server could not start)",
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        report = check()
        if report.ok:
            sys.stdout.write(f"secreview-ls {__version__}\n")
            parser.exit(0)
        sys.stderr.write(report.render())
        parser.exit(1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="secreview-ls", description="SecReview language server (LSP over stdio).")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--check",
        action="store_true",
        help="check that the server can start with this interpreter, print what was found and how to fix "
        "what is missing, and exit (0 when it can start, 1 otherwise)",
    )
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="stderr log level (default: warning)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.check:
        report = check()
        sys.stdout.write(report.render())
        return 0 if report.ok else 1
    if argv is None:
        one_arena()  # before any thread starts (allocator.py)
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # pygls logs every message body at INFO: keep it quiet unless debugging.
    logging.getLogger("pygls").setLevel(logging.DEBUG if args.log_level == "debug" else logging.WARNING)
    try:
        from .handlers import create_server
    except ImportError:
        sys.stderr.write(check().render())
        return 1

    server = create_server()
    # The rule catalogue and everything imported so far live as long as the process: keep
    # them out of the collector's full passes.
    gc.freeze()
    # What each analysis leaves is frozen once its result is out (an edit's, collected first);
    # the idle collector collects it fully.
    from ..pipeline.collection import freeze_after_analyses

    freeze_after_analyses(hold_sweeps=True)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print("secreview-ls: --tcp expects HOST:PORT", file=sys.stderr)
            return 2
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
