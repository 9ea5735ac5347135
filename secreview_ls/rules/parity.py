"""Bandit checks that have no rule of their own, and why.

Every other Bandit test id is named in some rule's ``bandit=(...)`` codes. Codes listed
here are still *known*: a ``# nosec B603`` written for Bandit is not an unknown
suppression, it simply has nothing of ours to suppress. ``docs/bandit-parity.md``
presents the full correspondence.
"""

from __future__ import annotations

NOT_REPORTED: dict[str, str] = {
    "B603": "an argument list without a shell is the safe way to start a process; "
    "untrusted arguments are the taint rule SR802's job, partial paths SR204's",
    "B606": "`os.exec*`/`os.spawn*` without a shell are the safe form; "
    "partial executable paths are SR204, untrusted programs SR802",
    "B412": "httpoxy is fixed in every supported Python: `urllib` ignores `HTTP_PROXY` "
    "when `REQUEST_METHOD` is set (CGI), since 3.5.3 / 2.7.13",
    "B109": "removed from Bandit (password config option); no check to mirror",
    "B111": "removed from Bandit (execute with run_as_root=True); no check to mirror",
    "B309": "removed from Bandit (`HTTPSConnection` now verifies certificates by default)",
    "B322": "`input()` evaluated its text only in Python 2",
    "B414": "removed from Bandit (pycryptodome is maintained); weak algorithms are SR301/SR302",
}
RUFF_NOT_REPORTED: dict[str, str] = {
    "S603": NOT_REPORTED["B603"],
    "S606": NOT_REPORTED["B606"],
    "S412": NOT_REPORTED["B412"],
}
