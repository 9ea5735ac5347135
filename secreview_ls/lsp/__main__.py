"""``secreview-ls`` / ``python -m secreview_ls``: start the language server.

Speaks LSP over stdin/stdout by default (``--tcp HOST:PORT`` for a socket).
Logs go to stderr (and ``window/logMessage``), never to stdout.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys

from .. import __version__


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="secreview-ls", description="SecReview language server (LSP over stdio).")
    parser.add_argument("--version", action="version", version=f"secreview-ls {__version__}")
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
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # pygls logs every message body at INFO: keep it quiet unless debugging.
    logging.getLogger("pygls").setLevel(logging.DEBUG if args.log_level == "debug" else logging.WARNING)
    from .handlers import create_server

    server = create_server()
    # The rule catalogue and everything imported so far live as long as the process: keep
    # them out of the collector's full passes.
    gc.freeze()
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
