"""Credentials in text: provider key formats, secret-looking assignments, entropy.

Pure functions over a file's text (any language or format). Nothing here ever
prints a secret: a ``SecretHit`` keeps the value out of its ``repr`` and offers
``masked`` for messages.

Speed matters (the text rules run on every keystroke): each provider format
first checks a literal hint with ``str.__contains__`` and only runs its regex
when the hint is present; the assignment scan looks only at lines that contain
a secret-ish word.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as _dt
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import PurePath

from .source import split_lines

# -- masking and scoring --------------------------------------------------------------

ELLIPSIS = "…"


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every occurrence of each of ``secrets`` replaced by its mask."""
    for value in secrets:
        if value in text:
            text = text.replace(value, mask(value))
    return text


def mask(value: str, visible_prefix: int = 0) -> str:
    """``value`` with everything but a public prefix and its last two characters hidden.

    ``mask("AKIAIOSFODNN7EXAMPLE", 4)`` → ``"AKIA…LE"``; values shorter than ten
    characters (after the prefix) show no character of their own at all.
    """
    head, rest = value[:visible_prefix], value[visible_prefix:]
    if len(rest) >= 10:
        return f"{head}{ELLIPSIS}{rest[-2:]}"
    return f"{head}{ELLIPSIS}"


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``'s own character distribution."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


_HEX = frozenset("0123456789abcdefABCDEF")
_WORDISH = re.compile(r"[A-Z]?[a-z]{3,}")


def looks_random(value: str, *, min_length: int = 16) -> bool:
    """True for strings that look machine-generated (keys, tokens), not words or identifiers.

    The bar is relative to what a uniformly random string of the same length and
    alphabet would reach, so short tokens are not held to long-token standards.
    """
    if len(value) < min_length or " " in value:
        return False
    if not any(c.isdigit() for c in value) and not (
        len(value) >= 32 and any(c.isupper() for c in value) and any(c.islower() for c in value)
    ):
        return False
    if not any(c.isalpha() for c in value):
        return False
    if sum(len(word) for word in _WORDISH.findall(value)) >= 0.7 * len(value):
        return False  # mostly words: an identifier such as ``getPasswordFromEnv2``
    alphabet = 16 if all(c in _HEX for c in value) else 64
    ceiling = min(math.log2(len(value)), math.log2(alphabet))
    return shannon_entropy(value) >= 0.82 * ceiling


# -- placeholders ------------------------------------------------------------------------

# Long words are telling anywhere; short ones only as words of their own (letters on neither
# side), so a random token that happens to contain "xXx" or "Bar" is not taken for a placeholder.
_PLACEHOLDER_WORDS = re.compile(
    r"change[_\-. ]?me|changeit|example|sample|dummy|placeholder|redacted|replace|insert|testing|undefined"
    r"|not[_\-. ]?set|secret[_\-. ]?here|key[_\-. ]?here|token[_\-. ]?here|\*\*\*|\.\.\.|<[^>]*>"
    r"|(?<![a-z])(?:your|my|foo|bar|baz|test|fake|mock|todo|fixme|tbd|xxx+|unset|none|null)(?![a-z])",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(
    r"\$\{|\$\(|\{\{|\}\}|\{%|%\(|<%|#\{|\{[A-Za-z_][\w.]*\}|%[sdr]\b|^\$[A-Za-z_]|^%[A-Za-z_]\w*%$"
    r"|^@[A-Za-z_]\w*@$|^__[A-Z_]+__$|^\[[A-Z_ ]+\]$"
)
_SEQUENCES = ("0123456789", "abcdefghij", "qwertyuiop", "asdfghjkl")
_REFERENCE_PREFIXES = (
    "env:",
    "env.",
    "vault:",
    "secret:",
    "secrets.",
    "arn:",
    "projects/",
    "file:",
    "ENC[",
    "!vault",
    "/run/secrets/",
    "/var/run/secrets/",
    "./",
    "../",
    "~/",
    "/etc/",
    "process.env",
    "os.environ",
    "os.getenv",
    "System.getenv",
    "ENV[",
    "getenv(",
)
_TYPE_NAMES = frozenset(
    {
        "string",
        "str",
        "text",
        "password",
        "passwd",
        "secret",
        "token",
        "integer",
        "int",
        "bool",
        "boolean",
        "required",
        "optional",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "empty",
        "nil",
        "value",
        "hidden",
        "masked",
        "omitted",
        "none",
        "null",
        "undefined",
        "default",
        "auto",
        "prompt",
        "ask",
        "random",
        "generated",
    }
)


def _consecutive_share(value: str) -> float:
    steps = sum(1 for a, b in pairwise(value) if ord(b) - ord(a) == 1)
    return steps / (len(value) - 1)


def is_placeholder(value: str, key: str | None = None) -> bool:
    """True for values that are obviously not real credentials.

    Templates (``${VAR}``, ``{{ var }}``, ``%(var)s``, ``<token>``), references to
    an environment or secret store, type names, placeholder words (``changeme``,
    ``example``, ``dummy``, ``your-key-here``), runs of one character (``xxxx``,
    ``****``) and keyboard/alphabet sequences.
    """
    stripped = value.strip()
    if not stripped:
        return True
    lowered = stripped.lower()
    if lowered in _TYPE_NAMES or (key is not None and lowered == key.lower()):
        return True
    distinct = len(set(lowered))
    if distinct == 1 or (len(lowered) >= 12 and distinct <= 4):
        return True
    if len(lowered) >= 8 and _consecutive_share(lowered) >= 0.5:  # 0123456789, abcdef
        return True
    if _TEMPLATE.search(stripped) or _PLACEHOLDER_WORDS.search(stripped):
        return True
    if stripped.startswith(_REFERENCE_PREFIXES):
        return True
    if any(seq in lowered for seq in _SEQUENCES):
        return True
    masked_chars = sum(1 for c in lowered if c in "x*#.")
    return masked_chars * 2 >= len(lowered)


# -- hits --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecretHit:
    """One credential found in text; ``value`` is kept out of ``repr``."""

    detector: str  # e.g. "aws-access-key-id"
    provider: str  # e.g. "AWS access key id"
    line: int  # 1-based
    start_col: int  # 0-based code points
    end_col: int
    value: str = field(repr=False)
    visible_prefix: int = 0
    key: str | None = None  # the assignment's key for generic hits
    note: str = ""  # factual detail, e.g. "temporary STS credential", "expired 2019-05-01"
    weak: bool = False  # expired token, encrypted key: still a leak, less urgent

    @property
    def masked(self) -> str:
        return mask(self.value, self.visible_prefix)

    def masked_line(self, line_text: str) -> str:
        """``line_text`` with this hit's value replaced by its mask."""
        return line_text[: self.start_col] + self.masked + line_text[self.end_col :]


class LineIndex:
    """Maps text offsets to (1-based line, 0-based column), splitting like the tokenizer."""

    _BREAK = re.compile(r"\r\n|\r|\n")

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in self._BREAK.finditer(text))

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]


# -- provider formats ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """A validator's decision on a candidate: kept, with an optional note and extent."""

    note: str = ""
    weak: bool = False  # expired, encrypted: still a leak, less urgent
    end: int | None = None  # text offset where the secret really ends (key bodies on the same line)


Validator = Callable[[str, str, int], "Verdict | None"]  # (value, text, offset) -> None when rejected
KEEP = Verdict()


@dataclass(frozen=True)
class ProviderFormat:
    """A credential with a recognisable shape (fixed prefix, fixed length)."""

    detector: str
    provider: str
    hint: str  # a regex starting with a literal: cheap to search for, required for a match
    pattern: re.Pattern[str]
    visible_prefix: Callable[[str], int] = lambda value: 0
    validate: Validator | None = None

    @property
    def hint_re(self) -> re.Pattern[str]:
        return _hint_re(self.hint)


@cache
def _hint_re(hint: str) -> re.Pattern[str]:
    return re.compile(hint)


def _plain(value: str, text: str, offset: int) -> Verdict | None:
    return None if is_placeholder(value) else KEEP


def _random_tail(prefix_len: int, min_length: int = 16) -> Validator:
    def check(value: str, text: str, offset: int) -> Verdict | None:
        tail = value[prefix_len:]
        if is_placeholder(tail) or not looks_random(tail, min_length=min_length):
            return None
        return KEEP

    return check


_PRESIGNED = re.compile(r"(?:X-Amz-Credential|AWSAccessKeyId)=$", re.IGNORECASE)


def _aws_key_id(value: str, text: str, offset: int) -> Verdict | None:
    tail = value[4:]
    if "EXAMPLE" in value or is_placeholder(tail) or len(set(tail)) < 8:
        return None
    if _PRESIGNED.search(text, max(0, offset - 20), offset):
        # A pre-signed URL carries the key id by design; what it grants expires with the URL.
        return Verdict("in a pre-signed URL", weak=True)
    return Verdict("temporary (STS) credential") if value.startswith("ASIA") else KEEP


def _b64json(segment: str) -> object:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def _jwt(value: str, text: str, offset: int) -> Verdict | None:
    header_part, payload_part, _signature = value.split(".", 2)
    header = _b64json(header_part)
    if not isinstance(header, dict) or "alg" not in header:
        return None
    if str(header.get("alg", "")).lower() == "none":
        return None
    payload = _b64json(payload_part)
    if not isinstance(payload, dict):
        return None
    exp = payload.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        try:
            when = _dt.datetime.fromtimestamp(exp, tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            return KEEP
        if when < _dt.datetime.now(tz=_dt.UTC):
            return Verdict(f"expired {when:%Y-%m-%d}", weak=True)
        return Verdict(f"valid until {when:%Y-%m-%d}")
    return Verdict("no expiry claim")


_KEY_BODY = re.compile(r"(?:\\[rn]|[\s\"'+,|(]|b\"|b')*(?:[A-Za-z0-9-]+:[^\n]*\n\s*)*[A-Za-z0-9+/=]{40,}")
_SAME_LINE_BODY = re.compile(r"(?:\\[rn]|[A-Za-z0-9+/=:, \t-]|\.\.\.)*(?:-----END [A-Z0-9 ]*-----)?")


def _private_key(value: str, text: str, offset: int) -> Verdict | None:
    """Only a header followed by key material counts (parsers and docs mention headers alone)."""
    after = offset + len(value)
    if not _KEY_BODY.match(text, after, after + 400):
        return None
    body = text[after : after + 160]
    # Key material on the header's own line (``"-----BEGIN…-----\nMIIE…"`` in JSON or a string
    # literal) belongs to the secret, so masks cover it too.
    same_line = _SAME_LINE_BODY.match(text, after)
    end = same_line.end() if same_line and same_line.end() > after else None
    if "ENCRYPTED" in value or "Proc-Type: 4,ENCRYPTED" in body:
        return Verdict("encrypted with a passphrase", weak=True, end=end)
    if re.search(r"(?i)example|dummy|fake|xxxx|\.\.\.|…", body):
        return None  # documentation shows shortened or made-up keys
    return Verdict(end=end)


def _slack_webhook(value: str, text: str, offset: int) -> Verdict | None:
    tail = value.rsplit("/", 1)[-1]
    return KEEP if not is_placeholder(tail) and looks_random(tail, min_length=16) else None


def _prefix_through(marker: str) -> Callable[[str], int]:
    def visible(value: str) -> int:
        return value.find(marker) + len(marker)

    return visible


def _github_prefix(value: str) -> int:
    return 11 if value.startswith("github_pat_") else 4


_B = r"(?<![A-Za-z0-9_\-])"  # not glued to a longer token on the left
_E = r"(?![A-Za-z0-9_\-])"  # nor on the right

PROVIDER_FORMATS: tuple[ProviderFormat, ...] = (
    ProviderFormat(
        "aws-access-key-id",
        "AWS access key id",
        r"A(?:KIA|SIA|BIA|CCA)",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
        lambda value: 4,
        _aws_key_id,
    ),
    ProviderFormat(
        "github-token",
        "GitHub token",
        r"gh(?:[pousr]_|ithub_pat_)",
        re.compile(_B + r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _E),
        _github_prefix,
        lambda value, text, offset: _random_tail(_github_prefix(value))(value, text, offset),
    ),
    ProviderFormat(
        "gitlab-token",
        "GitLab personal access token",
        "glpat-",
        re.compile(_B + r"glpat-[A-Za-z0-9_\-]{20,}" + _E),
        lambda value: 6,
        _random_tail(6),
    ),
    ProviderFormat(
        "slack-token",
        "Slack token",
        "xox",
        re.compile(_B + r"xox(?:[abprs]|e(?:\.xox[bp])?)-(?:[0-9]+-){1,3}[A-Za-z0-9]{8,}(?:-[A-Za-z0-9]+)*" + _E),
        lambda value: value.index("-") + 1,
        lambda value, text, offset: _random_tail(0, 8)(value.rsplit("-", 1)[-1], text, offset),
    ),
    ProviderFormat(
        "slack-webhook",
        "Slack incoming-webhook URL",
        r"hooks\.slack\.com/",
        re.compile(
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Z0-9]{6,}/[A-Za-z0-9]{16,}"
        ),
        _prefix_through("slack.com/"),
        _slack_webhook,
    ),
    ProviderFormat(
        "stripe-live-key",
        "Stripe live secret key",
        "k_live_",
        re.compile(_B + r"[sr]k_live_[A-Za-z0-9]{20,}" + _E),
        lambda value: 8,
        _random_tail(8),
    ),
    ProviderFormat(
        "google-api-key",
        "Google API key",
        "AIza",
        re.compile(_B + r"AIza[A-Za-z0-9_\-]{35}" + _E),
        lambda value: 4,
        _random_tail(4),
    ),
    ProviderFormat(
        "private-key",
        "private key",
        "PRIVATE KEY",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"),
        lambda value: len(value),
        _private_key,
    ),
    ProviderFormat(
        "jwt",
        "JSON Web Token",
        "eyJ",
        re.compile(_B + r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}" + _E),
        lambda value: 3,
        _jwt,
    ),
    ProviderFormat(
        "pypi-token",
        "PyPI API token",
        "pypi-AgE",
        re.compile(_B + r"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}" + _E),
        lambda value: 5,
        _random_tail(24),
    ),
    ProviderFormat(
        "npm-token",
        "npm access token",
        "npm_",
        re.compile(_B + r"npm_[A-Za-z0-9]{36}" + _E),
        lambda value: 4,
        _random_tail(4),
    ),
    ProviderFormat(
        "openai-key",
        "OpenAI API key",
        "T3BlbkFJ",
        re.compile(_B + r"sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{16,}T3BlbkFJ[A-Za-z0-9_\-]{16,}" + _E),
        lambda value: 3,
        _plain,
    ),
    ProviderFormat(
        "anthropic-key",
        "Anthropic API key",
        "sk-ant-",
        re.compile(_B + r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,}" + _E),
        lambda value: 7,
        _random_tail(14),
    ),
    ProviderFormat(
        "sendgrid-key",
        "SendGrid API key",
        r"SG\.",
        re.compile(_B + r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}" + _E),
        lambda value: 3,
        _random_tail(3),
    ),
)

FORMATS_BY_DETECTOR = {fmt.detector: fmt for fmt in PROVIDER_FORMATS}


def find_provider_secrets(text: str, detectors: frozenset[str] | None = None) -> list[SecretHit]:
    """Every provider-format credential in ``text`` (all detectors, or those named)."""
    hits: list[SecretHit] = []
    index: LineIndex | None = None
    for fmt in PROVIDER_FORMATS:
        if detectors is not None and fmt.detector not in detectors:
            continue
        if not fmt.hint_re.search(text):
            continue
        for match in fmt.pattern.finditer(text):
            value = match.group(0)
            verdict = (fmt.validate or _plain)(value, text, match.start())
            if verdict is None:
                continue
            if index is None:
                index = LineIndex(text)
            line, col = index.position(match.start())
            shown = min(fmt.visible_prefix(value), len(value))
            if verdict.end is not None:
                value = text[match.start() : verdict.end]
            hits.append(
                SecretHit(
                    fmt.detector,
                    fmt.provider,
                    line,
                    col,
                    col + len(value),
                    value,
                    shown,
                    note=verdict.note,
                    weak=verdict.weak,
                )
            )
    return hits


def looks_like_provider_secret(value: str) -> bool:
    """True when ``value`` contains a provider-format credential (for rules that want to defer)."""
    return bool(find_provider_secrets(value))


# -- AWS secret access keys ---------------------------------------------------------------

_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_AWS_SECRET_CONTEXT = re.compile(r"(?i)aws.{0,20}secret|secret.?access.?key|secretaccesskey")


def find_aws_secret_keys(
    lines: list[str], access_key_lines: Iterable[int], only: Iterable[int] | None = None
) -> list[SecretHit]:
    """40-character AWS secret keys on lines that name one, or within three lines of an access key id.

    ``only`` limits the search for named ones to these line numbers (lines without
    "secret" cannot name one).
    """
    near = {n for line in access_key_lines for n in range(line - 3, line + 4) if 1 <= n <= len(lines)}
    named = range(1, len(lines) + 1) if only is None else only
    hits: list[SecretHit] = []
    for number in sorted(near.union(named)):
        line = lines[number - 1]
        if number not in near and not _AWS_SECRET_CONTEXT.search(line):
            continue
        for match in _AWS_SECRET.finditer(line):
            value = match.group(0)
            if "EXAMPLE" in value or is_placeholder(value) or not looks_random(value, min_length=40):
                continue
            if not (any(c.isupper() for c in value) and any(c.islower() for c in value)):
                continue
            if value.count("/") > 4:  # a path, not a key
                continue
            hits.append(SecretHit("aws-secret-key", "AWS secret access key", number, match.start(), match.end(), value))
    return hits


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
    needles = tuple(needles)
    low = text.lower()
    if len(low) != len(text):  # a few characters change length when lowered
        return [n for n, line in enumerate(lines, start=1) if any(w in line.lower() for w in needles)]
    offsets: list[int] = []
    for needle in needles:
        index = low.find(needle)
        while index != -1:
            offsets.append(index)
            index = low.find(needle, index + len(needle))
    if not offsets:
        return []
    offsets.sort()
    if "\r" in text:
        index_of = LineIndex(text)
        return sorted({index_of.position(offset)[0] for offset in offsets})
    result: list[int] = []
    line, previous = 1, 0
    for offset in offsets:
        line += text.count("\n", previous, offset)
        previous = offset
        if not result or result[-1] != line:
            result.append(line)
    return result


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
    r"""(?P<kq>["']?)(?P<key>[A-Za-z_@$][\w.\-]*)(?P=kq)\s*(?P<sep>:=|=>|(?<![=!<>])=(?!=)|:(?![:/]))[ \t]*"""
    r"""(?P<val>"(?:[^"\\\n]|\\.){0,300}"|'(?:[^'\\\n]|\\.){0,300}'|[^\s,;'"`]{1,300})"""
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
    for item in iter_assignments(lines, only=only):
        key_class = secret_key_class(item.key)
        if key_class is None:
            continue
        value = item.value
        if key_class == "password":
            if not plausible_password(value, quoted=item.quoted, kind=kind):
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
)


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
            if password.lower() in ("pass", "pwd", "pw", "passw0rd") or _EXAMPLE_HOSTS.search(match.group("host")):
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


# -- redaction for display -------------------------------------------------------------------

_KEY_BLOCK_START = re.compile(r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_BLOCK_END = re.compile(r"-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=]{16,}")
_QUOTED = re.compile(r"""(["'])((?:(?!\1)[^\\]|\\.)+)\1""")


class Redactor:
    """Masks credentials in a file's lines before they are shown (reports, excerpts).

    Covers every provider-format credential, the generic detectors' hits, the
    body of private key blocks, and any range the caller adds (the spans of
    credential findings from other rules). Columns are code points.
    """

    def __init__(self, text: str, path: str = "", lines: list[str] | None = None) -> None:
        self.lines = lines if lines is not None else split_lines(text)
        self._ranges: dict[int, list[tuple[int, int, str]]] = {}
        self._block_lines: set[int] = set()
        self._whole_spans: set[tuple[int, int, int]] = set()  # unquoted finding spans: masked, not scrubbed
        hits = find_provider_secrets(text)
        key_lines = [h.line for h in hits if h.detector == "aws-access-key-id"]
        hits += find_aws_secret_keys(self.lines, key_lines, candidate_lines(text, self.lines, AWS_NEEDLES))
        hits += find_url_credentials(self.lines, candidate_lines(text, self.lines, URL_NEEDLES))
        hits += find_header_tokens(self.lines, candidate_lines(text, self.lines, HEADER_NEEDLES))
        assignment_lines = candidate_lines(text, self.lines, ASSIGNMENT_NEEDLES)
        hits += [a.hit for a in find_assigned_secrets(self.lines, path, assignment_lines)]
        # Python literals under secret names (the hardcoded-password rules' territory).
        for item in iter_assignments(self.lines, only=assignment_lines):
            if item.quoted and secret_key_class(item.key) and len(item.value) >= 4 and not is_placeholder(item.value):
                hits.append(SecretHit("assigned", "value", item.line, item.start_col, item.end_col, item.value))
        for hit in hits:
            self._ranges.setdefault(hit.line, []).append((hit.start_col, hit.end_col, hit.masked))
        if "PRIVATE KEY" in text:
            self._mark_key_blocks()

    def _mark_key_blocks(self) -> None:
        inside = False
        for number, line in enumerate(self.lines, start=1):
            if _KEY_BLOCK_START.search(line):
                inside = True
                start = _KEY_BLOCK_START.search(line)
                assert start is not None
                tail_from = start.end()
                if _KEY_MATERIAL.search(line, tail_from):
                    self._block_lines.add(number)
                if _KEY_BLOCK_END.search(line, tail_from):
                    inside = False
                continue
            if inside:
                self._block_lines.add(number)
                if _KEY_BLOCK_END.search(line):
                    inside = False

    def add(self, line: int, start_col: int, end_col: int) -> None:
        """Hide a credential a rule found at this range: its quoted parts, or all of it."""
        if not 1 <= line <= len(self.lines):
            return
        text = self.lines[line - 1]
        segment = text[start_col:end_col]
        quoted = list(_QUOTED.finditer(segment))
        ranges = self._ranges.setdefault(line, [])
        if quoted:
            for match in quoted:
                value = match.group(2)
                ranges.append((start_col + match.start(2), start_col + match.end(2), mask(value)))
        elif segment:
            ranges.append((start_col, end_col, mask(segment)))
            self._whole_spans.add((line, start_col, end_col))

    def ranges(self, line: int) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, replacement) ranges to hide on ``line``, left to right."""
        found = sorted(self._ranges.get(line, ()))
        if line in self._block_lines and 1 <= line <= len(self.lines):
            for match in _KEY_MATERIAL.finditer(self.lines[line - 1]):
                found.append((match.start(), match.end(), ELLIPSIS))
            found.sort()
        merged: list[tuple[int, int, str]] = []
        for start, end, replacement in found:
            if merged and start < merged[-1][1]:
                previous = merged[-1]
                merged[-1] = (previous[0], max(previous[1], end), previous[2])
                continue
            merged.append((start, end, replacement))
        return merged

    def secret_values(self) -> list[str]:
        """Every distinct hidden value of the file (six characters or more), longest first,
        for scrubbing text that quotes the code (messages, flow notes) rather than showing
        a line of it."""
        values: set[str] = set()
        for number in sorted({*self._ranges, *self._block_lines}):
            if 1 <= number <= len(self.lines):
                text = self.lines[number - 1]
                values.update(
                    text[start:end] for start, end, _ in self.ranges(number) if (number, start, end) not in self._whole_spans
                )
        return sorted((v for v in values if len(v) >= 6), key=lambda v: (-len(v), v))

    def column_in_masked(self, number: int, column: int) -> int:
        """Where ``column`` of line ``number`` lands in ``line(number)`` (a column inside a
        hidden value maps to the start of its mask)."""
        shift = 0
        for start, end, replacement in self.ranges(number):
            if column >= end:
                shift += len(replacement) - (end - start)
            elif column > start:
                return start + shift
        return column + shift

    def line(self, number: int, text: str | None = None) -> str:
        """Line ``number`` (or ``text`` given for it) with every credential masked."""
        if text is None:
            text = self.lines[number - 1] if 1 <= number <= len(self.lines) else ""
        result = text
        ranges = self.ranges(number)
        values = [text[start:end] for start, end, _ in ranges]
        for start, end, replacement in reversed(ranges):
            result = result[:start] + replacement + result[end:]
        for value, (_, _, replacement) in zip(values, ranges, strict=True):
            if len(value) >= 8 and value not in replacement:  # the same value where no detector matched it
                result = result.replace(value, replacement)
        return result
