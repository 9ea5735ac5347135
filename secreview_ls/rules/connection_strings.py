"""Passwords written into key/value connection strings: libpq's ``"host=db user=app
password=..."`` and ODBC's ``"DRIVER=...;SERVER=...;UID=app;PWD=..."``, handed to a call."""

from __future__ import annotations

import ast
import re

# A password entry of a connection string: libpq separates entries with blanks and may quote a
# value in single quotes; ODBC separates them with ``;`` and may brace a value.
_PASSWORD_ENTRY = re.compile(r"(?i)(?:^|[\s;])(password|pwd)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|\{([^}]*)\}|([^\s;'{]+))")
# Other keys of the two formats: a text naming one of them is a connection string, not prose.
_OTHER_KEYS = re.compile(
    r"(?i)(?:^|[\s;])(?:host|hostaddr|port|dbname|user|sslmode|driver|server|database|uid|dsn|data source"
    r"|initial catalog|user id)\s*="
)
# Keywords a connection string is commonly handed in by.
_STRING_KEYWORDS = frozenset({"dsn", "conninfo", "connection_string", "connstr", "conn_str", "connect_string"})


def dsn_password(text: str) -> tuple[str, str] | None:
    """The key and value of the password entry of a connection string (None: not one, or no
    password entry)."""
    if "=" not in text or not _OTHER_KEYS.search(text):
        return None
    entry = _PASSWORD_ENTRY.search(text)
    if entry is None:
        return None
    value = next((group for group in entry.groups()[1:] if group is not None), "")
    return entry.group(1), value


def connection_strings(call: ast.Call) -> list[ast.Constant]:
    """The literal arguments of ``call`` that may be a connection string: the first positional
    one, and those given under a connection-string keyword (asked of every call of a module by
    the credential rules: no generator)."""
    found: list[ast.Constant] = []
    args = call.args
    if args and isinstance(first := args[0], ast.Constant) and isinstance(first.value, str):
        found.append(first)
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg in _STRING_KEYWORDS and isinstance(value, ast.Constant) and isinstance(value.value, str):
            found.append(value)
    return found
