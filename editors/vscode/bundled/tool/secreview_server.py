"""Runs the secreview-ls language server that ships inside the VS Code extension.

The extension starts ``PYTHON secreview_server.py [ARGS]`` with the user's interpreter.
The server package and its pure-Python dependencies are in ``../libs``; they go first on
``sys.path``, so whatever that interpreter has installed neither shadows nor breaks them.
ARGS are the server's own (``--version``, ``--check``, ``--log-level``...).

This file must stay valid on old Pythons: it is what tells a user that the interpreter the
extension found is too old, instead of failing with a syntax error.
"""

import os
import sys

MIN_PYTHON = (3, 11)
LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")


def refuse(problem, fix):
    stream = sys.stdout if "--check" in sys.argv[1:] else sys.stderr
    stream.write(
        "secreview-ls cannot start\n"
        "python: {0} ({1})\n"
        "problem: {2}\n"
        "fix: {3}\n".format(sys.executable or "python", ".".join(map(str, sys.version_info[:3])), problem, fix)
    )
    return 1


def main():
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        return refuse(
            "Python {0} is too old: the server needs Python {1} or newer".format(
                ".".join(map(str, sys.version_info[:3])), wanted
            ),
            "select a Python {0}+ interpreter (command: Python: Select Interpreter) "
            "or set secreview.interpreter to one".format(wanted),
        )
    if not os.path.isfile(os.path.join(LIBS, "secreview_ls", "__init__.py")):
        return refuse(
            "the server bundled with the extension is missing from {0}".format(LIBS),
            "reinstall the SecReview extension, or set secreview.importStrategy to fromEnvironment",
        )
    sys.path.insert(0, LIBS)
    from secreview_ls.lsp.__main__ import main as server_main

    return server_main()


if __name__ == "__main__":
    sys.exit(main())
