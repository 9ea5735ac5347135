"""Passwords and keys written into log messages (SR754, CWE-532).

A log keeps what it is given for as long as its files, backups and the log service keep them, and
is read by more people than the credential was meant for. Reported where a logging call writes the
value of a name or attribute that holds a password, a passphrase, a secret, an API or private key or
an access or refresh token — as an argument merged into the message, or spelled into it with an
f-string, ``%``, ``+`` or ``str.format``. A name that describes the credential rather than holding it
(``password_hash``, ``password_policy``, ``token_expiry``, ``secret_name``) and a value only measured
or cut (``len(password)``, ``key[:4]``) are not reported; nor are bare ``token`` names, which in most
programs are positions in a stream or words of a parser.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..engine.finding import Finding
from .base import HIGH, MEDIUM, RuleContext, rule
from .judge import identifier_words
from .secrets import ACTION_FIRST

_LOG_METHODS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log")
# The last word of a name that holds a credential.
_CREDENTIAL_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "apikey"})
# Qualifiers that make ``key`` and ``token`` a credential (``api_key``, ``access_token``).
_KEY_QUALIFIERS = frozenset({"api", "secret", "private", "signing", "encryption", "master"})
_TOKEN_QUALIFIERS = frozenset({"access", "refresh", "auth", "bearer", "api", "oauth", "session"})
# Words saying the name describes the credential, or holds something else about it.
_DESCRIBING_WORDS = frozenset(
    {
        *("hash", "hashed", "digest", "hasher", "encrypted", "masked", "redacted", "obfuscated"),
        *("file", "path", "dir", "url", "uri", "location", "env", "var", "source", "provider", "store"),
        *("length", "len", "count", "min", "max", "strength", "policy", "rules", "valid", "validator"),
        *("prompt", "hint", "label", "field", "widget", "form", "name", "id", "type", "kind", "format"),
        *("expires", "expiry", "expiration", "lifetime", "ttl", "age", "date", "time", "created", "updated"),
        *("changed", "reset", "required", "enabled", "set", "is", "has", "use", "mode", "manager", "backend"),
        *("header", "param", "arg", "option", "attr", "pattern", "regex", "scope", "scopes", "version"),
        *("error", "errors", "message", "msg", "status", "state", "result", "response", "request", "info"),
    }
)
# Words of a logger's name saying the program keeps its records apart for sensitive details.
_KEPT_APART_WORDS = frozenset({"sensitive", "insecure", "unsafe", "secret", "secrets"})


def _holds_credential(name: str) -> bool:
    words = identifier_words(name)
    if not words or _DESCRIBING_WORDS.intersection(words):
        return False
    if len(words) > 1 and words[0] in ACTION_FIRST:
        return False  # ``UPDATE_USER_PASSWORD``, ``reset_token_url``: an operation on the credential
    last = words[-1]
    if last in _CREDENTIAL_WORDS:
        return True
    qualifier = words[-2] if len(words) > 1 else ""
    return (last == "key" and qualifier in _KEY_QUALIFIERS) or (last == "token" and qualifier in _TOKEN_QUALIFIERS)


def _written_values(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """Names and attributes whose whole value an argument of a logging call writes."""
    if isinstance(node, ast.Name):
        yield node.id, node
    elif isinstance(node, ast.Attribute):
        yield node.attr, node
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                yield from _written_values(part.value)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        yield from _written_values(node.left)
        yield from _written_values(node.right)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for item in node.elts:
            yield from _written_values(item)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _written_values(value)
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            for value in (*node.args, *(keyword.value for keyword in node.keywords)):
                yield from _written_values(value)
        elif isinstance(func, ast.Name) and func.id in ("str", "repr") and node.args:
            yield from _written_values(node.args[0])


def _logger_receiver(ctx: RuleContext, call: ast.Call) -> bool:
    """``logging.info(...)``, ``logger.info(...)``, ``self.log.warning(...)``, ``LOG.debug(...)``."""
    assert isinstance(call.func, ast.Attribute)
    if (ctx.facts.qualname(call.func) or "").startswith("logging."):
        return True
    receiver = call.func.value
    last = (
        receiver.attr if isinstance(receiver, ast.Attribute) else receiver.id if isinstance(receiver, ast.Name) else ""
    )
    words = identifier_words(last)
    if _KEPT_APART_WORDS.intersection(words):
        return False  # a logger the program keeps for sensitive records, enabled on purpose
    return any(word.startswith("log") for word in words)


@rule(
    id="SR754",
    name="credential-logged",
    cwe=532,
    severity=MEDIUM,
    confidence=HIGH,
    summary="A password, secret or key is written into a log message.",
    why="Logs are kept for a long time, copied to log services and backups, and read by people and "
    "tools the credential was never meant for: a password in a log line is a password disclosed to "
    "all of them. Log that the event happened and who it concerns, never the credential itself (its "
    "length or a short hash prefix when telling values apart matters). Reported for logging calls "
    "(`logging`, loggers, `self.log`) writing a name or attribute that holds a password, passphrase, "
    "secret, API, signing or private key, or an access, refresh or session token — as an argument or "
    "inside the message (f-string, `%`, `+`, `format`). Names describing the credential "
    "(`password_hash`, `token_expiry`, `secret_name`) and measured or cut values (`len(password)`) "
    "are not reported.",
    bad='logger.info("login for %s with password %s", username, password)',
    good='logger.info("login for %s", username)',
    triggers=_LOG_METHODS,
)
def credential_logged(ctx: RuleContext) -> Iterator[Finding]:
    for call in ctx.facts.method_calls(*_LOG_METHODS):
        if not _logger_receiver(ctx, call):
            continue
        arguments = call.args[1:] if isinstance(call.func, ast.Attribute) and call.func.attr == "log" else call.args
        seen: set[str] = set()
        for argument in arguments:
            for name, node in _written_values(argument):
                if name in seen or not _holds_credential(name):
                    continue
                seen.add(name)
                yield credential_logged.finding(
                    ctx,
                    node,
                    f"`{name}` holds a credential and is written into a log message by "
                    f"`{ctx.facts.spelled(call.func)}()`; anyone reading the logs can use it — log the "
                    "event without the value",
                )
