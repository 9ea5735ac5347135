"""``python -m secreview_ls.cli``: the ``secreview`` command."""

import sys

from . import main

sys.exit(main())
