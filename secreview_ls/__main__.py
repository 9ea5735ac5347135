"""``python -m secreview_ls`` starts the language server (see ``secreview_ls.lsp.__main__``).

This module stays importable by old Pythons (no newer syntax before the version check), so
that running it with one says which Python is needed instead of failing with a traceback.
"""

import sys

_MIN_PYTHON = (3, 11)

if sys.version_info < _MIN_PYTHON:
    # --check reports on stdout, --version and a server start on stderr.
    (sys.stdout if "--check" in sys.argv else sys.stderr).write(
        "secreview-ls cannot start\n"
        "python: {0} ({1})\n"
        "problem: Python {1} is too old: the server needs Python {2} or newer\n"
        "fix: run the server with a Python {2}+ interpreter instead of {0}\n"
        "run: python{2} -m secreview_ls\n".format(
            sys.executable or "python", ".".join(map(str, sys.version_info[:3])), ".".join(map(str, _MIN_PYTHON))
        )
    )
    sys.exit(1)

from .lsp.__main__ import main  # noqa: E402  (after the version check, on purpose)

if __name__ == "__main__":
    sys.exit(main())
