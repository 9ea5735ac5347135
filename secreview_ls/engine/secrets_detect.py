"""Credentials in text beyond provider formats: secret-looking assignments in config files
and scripts, header tokens, credentials in URLs, and the cheap line pre-selection they share.

Pure functions over a file's text (any language or format). Speed matters (the text rules
run on every keystroke): the assignment scan looks only at lines that contain a
secret-ish word. Value shapes and masking live in ``secret_values``, provider formats in
``secret_formats``, display masking in ``redaction``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from .secret_formats import find_provider_secrets
from .secret_values import LineIndex, SecretHit, is_placeholder, looks_random

# -- choosing lines cheaply ------------------------------------------------------------------

AWS_NEEDLES = ("secret",)
ASSIGNMENT_NEEDLES = (
    "pass",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access",
    "private",
    "signing",
    "encryption",
    "master",
    "cred",
    "auth",
)
HEADER_NEEDLES = ("bearer", "basic", "token")
URL_NEEDLES = ("://",)


def candidate_lines(text: str, lines: list[str], needles: Iterable[str]) -> list[int]:
    """1-based numbers of the lines whose lowercase text contains one of ``needles``.

    One ``str.find`` sweep per needle over the whole text instead of a regex per line.
    """
    return NeedleLines(text, lines).lines_with(needles)


class NeedleLines:
    """``candidate_lines`` of one text for several sets of needles: the text is lowered once
    and each needle swept once (the detectors' sets share words, and lowering a big file's
    text costs about as much as a sweep). Needles are lowercase ASCII words."""

    def __init__(self, text: str, lines: list[str]) -> None:
        self.text = text
        self.lines = lines
        self._low: str | bytes | None = None
        self._offsets: dict[str, list[int]] = {}

    def lines_with(self, needles: Iterable[str]) -> list[int]:
        """1-based numbers of the lines whose lowercase text contains one of ``needles``."""
        needles = tuple(needles)
        text = self.text
        if self._low is None:
            self._low = _lowered(text)
        low = self._low
        if isinstance(low, str) and len(low) != len(text):  # a few characters change length when lowered
            return [n for n, line in enumerate(self.lines, start=1) if any(w in line.lower() for w in needles)]
        offsets: list[int] = []
        for needle in needles:
            offsets += self._sweep(needle)
        if not offsets:
            return []
        offsets.sort()
        if "\r" in text:  # (the text is lowered as such then: offsets are characters')
            index_of = LineIndex(text)
            return sorted({index_of.position(offset)[0] for offset in offsets})
        newline: str | bytes = "\n" if isinstance(low, str) else b"\n"
        result: list[int] = []
        line, previous = 1, 0
        for offset in offsets:
            line += low.count(newline, previous, offset)  # type: ignore[arg-type]
            previous = offset
            if not result or result[-1] != line:
                result.append(line)
        return result

    def _sweep(self, needle: str) -> list[int]:
        """Where ``needle`` starts in the lowered text (occurrences that do not overlap)."""
        found = self._offsets.get(needle)
        if found is None:
            low = self._low
            assert low is not None
            word: str | bytes = needle if isinstance(low, str) else needle.encode("ascii")
            found = self._offsets[needle] = []
            index = low.find(word)  # type: ignore[arg-type]
            while index != -1:
                found.append(index)
                index = low.find(word, index + len(word))  # type: ignore[arg-type]
        return found


# The only characters besides ASCII letters whose lowercase holds an ASCII letter (İ, the Kelvin
# sign), for Python's Unicode database (``test_secrets`` checks it).
LOWERED_TO_ASCII = "\u0130\u212a"


def _lowered(text: str) -> str | bytes:
    """``text.lower()``, or, for a non-ASCII text, its UTF-8 bytes lowered (ASCII letters only,
    a plain byte loop instead of a Unicode case mapping per character): an ASCII needle occurs
    in one exactly where it occurs in the other, in the same order, with the same line breaks
    between, unless a character lowers to an ASCII letter (``LOWERED_TO_ASCII``) or a line ends
    in ``\\r`` (lines are found by character offsets then)."""
    if text.isascii() or "\r" in text or any(char in text for char in LOWERED_TO_ASCII):
        return text.lower()
    return text.encode("utf-8", "surrogatepass").lower()


# -- secret-looking assignments (config files, scripts) --------------------------------------

_KEY_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "secret", "secretkey", "clientsecret"})
# ``pass`` is a credential only alone or after a word naming what it opens (``db_pass``, ``smtpPass``),
# not in ``try_except_pass`` or ``second_pass``.
_PASS_OWNERS = frozenset(
    {
        "db",
        "user",
        "username",
        "smtp",
        "mail",
        "email",
        "admin",
        "root",
        "ftp",
        "sftp",
        "sql",
        "mysql",
        "postgres",
        "pg",
        "redis",
        "ldap",
        "proxy",
        "http",
        "auth",
        "login",
        "account",
        "app",
        "api",
        "rabbit",
        "rabbitmq",
        "amqp",
        "mongo",
        "mongodb",
        "jdbc",
        "database",
        "server",
        "client",
        "service",
        "vnc",
        "ssh",
        "key",
        "keystore",
        "truststore",
        "store",
        "cert",
        "basic",
        "my",
        "super",
    }
)
_PASSWORD_SUFFIXES = ("password", "passwd", "passphrase")
_TOKEN_WORDS = frozenset(
    {
        "token",
        "apikey",
        "accesskey",
        "privatekey",
        "authkey",
        "signingkey",
        "encryptionkey",
        "masterkey",
        "credential",
        "credentials",
        "auth",
    }
)
_TOKEN_PAIRS = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("private", "key"),
        ("auth", "key"),
        ("signing", "key"),
        ("encryption", "key"),
        ("master", "key"),
        ("secret", "key"),
        ("client", "secret"),
    }
)
# Words that make a key describe a credential rather than hold one.
_NOT_SECRET_WORDS = frozenset(
    {
        "public",
        "pub",
        "next",
        "page",
        "continuation",
        "existing",
        "type",
        "length",
        "len",
        "count",
        "size",
        "expiry",
        "expires",
        "expiration",
        "policy",
        "reset",
        "url",
        "uri",
        "min",
        "max",
        "file",
        "path",
        "name",
        "id",
        "hash",
        "hashed",
        "header",
        "field",
        "param",
        "prompt",
        "label",
        "placeholder",
        "hint",
        "format",
        "regex",
        "pattern",
    }
)
_NOT_SECRET_FIRST = frozenset(
    {
        "use",
        "enable",
        "disable",
        "create",
        "generate",
        "require",
        "mount",
        "allow",
        "is",
        "has",
        "show",
        "hide",
        "store",
        "save",
        "remember",
        "verify",
        "validate",
        "check",
    }
)
_WORDS = re.compile(r"(?i)pass|pwd|secret|token|key|cred|auth")
_ASSIGN = re.compile(
    # A key starts at a word boundary or right after an escaped line break (``"A=1\\nDB_PASSWORD=..."``
    # inside a JSON string), never inside the escape itself; a bare value stops at such an escape.
    r"""(?P<kq>["']?)(?:(?<=\\[nrt])|(?<![\\\w.\-]))(?P<key>[A-Za-z_@$][\w.\-]*)(?P=kq)\s*"""
    r"""(?P<sep>:=|=>|(?<![=!<>])=(?!=)|:(?![:/]))[ \t]*"""
    r"""(?P<val>"(?:[^"\\\n]|\\.){0,300}"|'(?:[^'\\\n]|\\.){0,300}'|(?:[^\s,;'"`\\]|\\(?![nrt])){1,300})"""
)
_XML_ELEMENT = re.compile(
    r"<(?P<key>[\w:.\-]*(?:password|passwd|secret|token|apikey|api_key))>(?P<val>[^<\n]{1,300})</"
)
_BEARER = re.compile(r"(?i)\b(?P<key>bearer|basic|token)[ \t]+(?P<val>[A-Za-z0-9_\-.~+/]{20,}=*)")

CONFIG_SUFFIXES = frozenset(
    {
        ".env",
        ".ini",
        ".cfg",
        ".conf",
        ".config",
        ".properties",
        ".toml",
        ".yaml",
        ".yml",
        ".json",
        ".json5",
        ".xml",
        ".sh",
        ".bash",
        ".zsh",
        ".ps1",
        ".bat",
        ".cmd",
        ".tf",
        ".tfvars",
        ".hcl",
        ".dockerfile",
        ".service",
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".pgpass",
        ".txt",
        "",
    }
)
DOC_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".txt", ".html", ".htm", ".ipynb"})


_DOC_NAMES = re.compile(r"^(?:readme|changelog|changes|history|news|authors|contributing|metadata|pkg-info)(?:\.|$)")
_TEMPLATE_NAME = re.compile(r"(?:^|[._\-])(?:example|examples|sample|samples|template|templates|demo|dist)(?:[._\-]|$)")


_DEVELOPMENT_NAME = re.compile(r"(?:^|[._\-])(?:dev|devel|development|local|test|tests|testing|ci)(?:[._\-]|$)")


def development_environment(path: str) -> bool:
    """A configuration file named as the definition of a development or test environment
    (``compose-dev.yml``, ``docker-compose.test.yaml``, ``.env.local``, ``settings.ci.toml``): the
    passwords it sets bootstrap throwaway local services. Python files are judged as code."""
    pure = PurePath(path)
    return pure.suffix.lower() not in (".py", ".pyi", ".pyw") and bool(_DEVELOPMENT_NAME.search(pure.name.lower()))


def path_kind(path: str) -> str:
    """``"python"``, ``"docs"``, ``"config"`` or ``"code"`` (other languages), by name.

    Documentation also covers package metadata (``METADATA``, ``PKG-INFO`` hold the
    README), ``docs/``/``examples/`` folders and templates meant to be filled in
    (``.env.example``, ``settings.sample.yaml``, ``config.template.ini``).
    """
    pure = PurePath(path)
    name = pure.name.lower()
    suffix = pure.suffix.lower()
    if suffix in (".py", ".pyi", ".pyw"):
        return "python"
    parts = {p.lower() for p in pure.parts[:-1]}
    if (
        suffix in DOC_SUFFIXES - {".txt"}
        or parts & {"docs", "doc", "documentation", "examples", "example", "samples"}
        or _DOC_NAMES.match(name)
        or _TEMPLATE_NAME.search(name)
    ):
        return "docs"
    if name.startswith(".env") or name in ("dockerfile", "containerfile", "makefile", ".netrc", ".pgpass"):
        return "config"
    if suffix in CONFIG_SUFFIXES:
        return "config"
    return "code"


ALLOW_COMMENT = re.compile(r"pragma:\s*allowlist[\s-]secret|gitleaks:allow", re.IGNORECASE)


def allowed_lines(text: str, lines: list[str]) -> frozenset[int]:
    """Lines carrying an allowlist comment understood by other secret scanners
    (``# pragma: allowlist secret``, ``gitleaks:allow``): their values are vetted."""
    if "allowlist" not in text and "gitleaks" not in text:
        return frozenset()
    return frozenset(n for n, line in enumerate(lines, start=1) if ALLOW_COMMENT.search(line))


@dataclass(frozen=True, slots=True)
class Assignment:
    """A ``key = value`` (or ``key: value``, ``<key>value</key>``) on one line."""

    line: int
    key: str
    value: str = field(repr=False)
    start_col: int  # of the value, without quotes
    end_col: int
    quoted: bool


def _selected(lines: list[str], only: Iterable[int] | None) -> Iterator[tuple[int, str]]:
    if only is None:
        yield from enumerate(lines, start=1)
    else:
        for number in only:
            if 1 <= number <= len(lines):
                yield number, lines[number - 1]


def iter_assignments(
    lines: list[str], *, only: Iterable[int] | None = None, max_line: int = 2000
) -> Iterator[Assignment]:
    """Assignments to secret-ish keys, in any of the usual config/script syntaxes."""
    for number, line in _selected(lines, only):
        if len(line) > max_line or not _WORDS.search(line):
            continue
        for match in _ASSIGN.finditer(line):
            key = match.group("key")
            if len(key) > 64 or not _WORDS.search(key) or find_provider_secrets(key):
                continue  # not a key name (messages quote key names, so they must hold no secret)
            raw = match.group("val")
            quoted = raw[:1] in "\"'" and len(raw) >= 2 and raw[-1:] == raw[:1]
            start = match.start("val") + (1 if quoted else 0)
            value = raw[1:-1] if quoted else raw
            yield Assignment(number, key.lstrip("@$"), value, start, start + len(value), quoted)
        for match in _XML_ELEMENT.finditer(line):
            yield Assignment(number, match.group("key"), match.group("val"), match.start("val"), match.end("val"), True)


def key_words(key: str) -> list[str]:
    """``"dbPassword"`` → ``["db", "password"]``; ``"AWS_SECRET_KEY"`` → ``["aws", "secret", "key"]``."""
    return [w.lower() for w in _KEY_WORD.findall(key.rsplit(".", 1)[-1])]


def secret_key_class(key: str) -> str | None:
    """``"password"`` for credential keys, ``"token"`` for key/token keys, else None."""
    words = key_words(key)
    if not words or _NOT_SECRET_WORDS.intersection(words) or (len(words) > 1 and words[0] in _NOT_SECRET_FIRST):
        return None
    last = words[-1]
    pair = (words[-2], last) if len(words) > 1 else None
    if pair in (("secret", "key"), ("client", "secret")):
        return "password"
    if last in _PASSWORD_WORDS or last.endswith(_PASSWORD_SUFFIXES):
        return "password"
    if last == "pass" and (len(words) == 1 or words[-2] in _PASS_OWNERS):
        return "password"
    if last in _TOKEN_WORDS or pair in _TOKEN_PAIRS or last.endswith(("token", "apikey", "secretkey")):
        return "token" if not last.endswith("secretkey") else "password"
    return None


_CODEISH = re.compile(r"^[A-Za-z_][\w.]*(?::[\w.]+)?(?:\(.*\))?$|[()\[\]{}]|^[=<>!&|]")


def plausible_password(value: str, *, quoted: bool, kind: str) -> bool:
    """A literal that could be a password: not a placeholder, reference, flag or expression."""
    if len(value) < 4 or len(value) > 200 or is_placeholder(value):
        return False
    if value.isdigit() and len(value) < 6:
        return False
    if not quoted and kind in ("code", "python"):
        return False
    if not quoted and _CODEISH.search(value) and not looks_random(value, min_length=12):
        # bare words in config files are allowed only when they are not dotted names/calls
        if any(c in value for c in ".:([{"):
            return False
    return not value.startswith(("-", "$", "%", "&", "*", "!", "|", ">"))


def restates_key(value: str, key: str, user: str) -> bool:
    """The value spells the last words of its own key, after the account's user name or alone
    (``LDAP_ADMIN_PASSWORD: admin_password``, ``POSTGRES_PASSWORD: <POSTGRES_USER>password``):
    whoever reads the file knows it, so nothing secret is disclosed."""
    words = [word for word in re.split(r"[^a-z0-9]+", key.lower()) if word]
    spelled = re.sub(r"[^a-z0-9]", "", value.lower())
    if not spelled.startswith(user):
        return False
    rest = spelled[len(user) :]
    return bool(rest) and any(rest == "".join(words[start:]) for start in range(len(words)))


_USER_WORDS = frozenset({"user", "username", "login", "usr"})
_USER_ASSIGNMENT = re.compile(
    r"""^\s*(?:export\s+|-\s+)?["']?(?P<key>[A-Za-z_][\w.-]{0,63})["']?\s*[:=]\s*["']?(?P<val>[^"'\s#,]{1,64})"""
)


def _user_names(lines: list[str]) -> list[str]:
    """The values the file assigns to user-name keys (``POSTGRES_USER=app``, ``user: app``), spelled plainly."""
    names = []
    for line in lines:
        match = _USER_ASSIGNMENT.match(line)
        words = key_words(match.group("key")) if match else []
        if match and words and words[-1] in _USER_WORDS:
            spelled = re.sub(r"[^a-z0-9]", "", match.group("val").lower())
            if spelled:
                names.append(spelled)
    return names


@dataclass(frozen=True, slots=True)
class AssignedSecret:
    hit: SecretHit
    key_class: str  # "password" | "token"


def find_assigned_secrets(lines: list[str], path: str, only: Iterable[int] | None = None) -> list[AssignedSecret]:
    """Literal credentials assigned to secret-ish keys (``password = ...``, ``api_key: ...``).

    ``password``-class keys count whenever the value is a plausible literal;
    ``token``-class keys only when the value also looks machine-generated.
    """
    kind = path_kind(path)
    found: list[AssignedSecret] = []
    users: list[str] | None = None  # the file's user names, read at the first password
    for item in iter_assignments(lines, only=only):
        key_class = secret_key_class(item.key)
        if key_class is None:
            continue
        value = item.value
        if key_class == "password":
            if not plausible_password(value, quoted=item.quoted, kind=kind):
                continue
            if restates_key(value, item.key, ""):
                continue
            users = _user_names(lines) if users is None else users
            if any(restates_key(value, item.key, user) for user in users):
                continue
            provider = "password"
        else:
            if not item.quoted and kind in ("code", "python"):
                continue
            if value.startswith("eyJ"):  # JSON Web Tokens are judged by their own detector
                continue
            if is_placeholder(value, item.key) or not looks_random(value, min_length=16):
                continue
            if value.startswith(("http://", "https://")) or value.count("/") > 3:
                continue
            provider = "token"
        hit = SecretHit("assigned-" + key_class, provider, item.line, item.start_col, item.end_col, value, key=item.key)
        found.append(AssignedSecret(hit, key_class))
    return found


def find_header_tokens(lines: list[str], only: Iterable[int] | None = None) -> list[SecretHit]:
    """Tokens after ``Bearer``/``Basic``/``token`` (HTTP Authorization values)."""
    hits: list[SecretHit] = []
    for number, line in _selected(lines, only):
        if len(line) > 2000 or not re.search(r"(?i)bearer|basic|token", line):
            continue
        for match in _BEARER.finditer(line):
            scheme = match.group("key").lower()
            value = match.group("val")
            if is_placeholder(value):
                continue
            if scheme == "basic":
                if not _basic_credentials(value):
                    continue
            elif scheme == "token" and not re.search(r"(?i)authorization|header", line):
                continue
            elif not looks_random(value, min_length=20):
                continue
            hits.append(
                SecretHit(
                    "authorization-header",
                    f"{scheme.capitalize()} credential",
                    number,
                    match.start("val"),
                    match.end("val"),
                    value,
                    key=scheme,
                )
            )
    return hits


def _basic_credentials(value: str) -> bool:
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    user, sep, password = decoded.partition(":")
    return bool(sep and user and user.isprintable() and password.isprintable() and not is_placeholder(password))


# -- credentials in URLs ---------------------------------------------------------------------

_URL_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]{1,20})://(?P<user>[^\s:/@'\"<>{}$]{1,64}):(?P<password>[^\s:/@'\"<>{}$]{3,128})@"
    r"(?P<host>[A-Za-z0-9.\-]+)",
    re.IGNORECASE,
)
_EXAMPLE_HOSTS = re.compile(
    r"(?i)(?:^|\.)(?:example\.(?:com|org|net)|test|invalid|localhost|host|hostname|server|domain)$"
    r"|^127(?:\.\d{1,3}){3}$|^0\.0\.0\.0$"  # loopback: a throwaway database on the same machine
)
# Accounts that documentation and tutorials use as stand-ins: Oracle's demo schema (``scott`` /
# ``tiger``, which database libraries' docs have reused for decades, sometimes with a suffix to
# satisfy a password policy) and the generic ``user``/``username`` with a password word.
_EXAMPLE_USERS = frozenset({"user", "username", "usr", "login", "someuser", "myuser", "dbuser", "name"})
_EXAMPLE_PASSWORDS = frozenset({"pass", "password", "passwd", "pwd", "pw", "passw0rd", "secret", "tiger"})


def is_example_account(user: str, password: str) -> bool:
    """``scott:tiger``, ``user:pass``, ``username:password``: an account written to show the shape
    of a URL, not one that opens anything."""
    user_l, password_l = user.lower(), password.lower()
    if user_l == "scott" and password_l.startswith("tiger"):
        return True
    return password_l in _EXAMPLE_PASSWORDS and (user_l in _EXAMPLE_USERS or password_l != "secret")


def find_url_credentials(lines: list[str], only: Iterable[int] | None = None) -> list[SecretHit]:
    """``scheme://user:password@host`` with a literal password."""
    hits: list[SecretHit] = []
    for number, line in _selected(lines, only):
        if "://" not in line or "@" not in line or len(line) > 2000:
            continue
        for match in _URL_CREDENTIALS.finditer(line):
            password = match.group("password")
            user = match.group("user")
            if is_placeholder(password, user) or (is_placeholder(user) and not looks_random(password, min_length=12)):
                continue
            if is_example_account(user, password) or _EXAMPLE_HOSTS.search(match.group("host")):
                continue
            if password.isdigit() and len(password) <= 5:  # host:port@ in odd URLs
                continue
            hits.append(
                SecretHit(
                    "url-credentials",
                    f"password in a {match.group('scheme').lower()} URL",
                    number,
                    match.start("password"),
                    match.end("password"),
                    password,
                    key=user,
                )
            )
    return hits
