"""``python -m secreview_ls`` starts the language server (see ``secreview_ls.lsp.__main__``)."""

from __future__ import annotations

import sys

from .lsp.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
